// tests/build/layer_check.cpp — the layer rules of docs/architecture.md
// ("Layers"), checked on every #include / %include line of the source tree:
// tools/ and benchmarks/ over kernel/ over arch/ over posih/, and tools/
// seeing the kernel only through the wire protocol and its portable parsers.
// The freestanding side (everything but tools/) includes no system header
// but <stddef.h>, <stdint.h> and <stdarg.h>.
//
// Every folder of arch/ is an architecture and gets the same rules (as does
// its benchmarks/<arch>/); posih/ may include, besides posih/, only the
// dispatch headers "arch/NAME.h", which each architecture must supply as
// arch/<arch>/include/arch/NAME.h (docs/architecture.md, "Two
// architectures").
//
// And posih/ is neutral: no word of any file there, comments and strings
// included, may be an x86 or Arm register, instruction, interrupt vector or
// firmware table (kArchWords below; an identifier counts by its parts:
// has_rdtscp, kApicId, X2APIC), and no hex literal 0x20..0xFF (x86's
// interrupt vectors) may appear.
//
// Usage: hvb_layer_check SOURCE_DIR. Prints every broken rule as
// "file:line: ..." and exits 1 when there is one, 0 otherwise.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// What a folder's files may include: a folder (ending in '/') or one file,
// both from the source root. Its own folder is always allowed. The rules of
// each architecture's folders are made by arch_rules() from what arch/ holds.
const std::map<std::string, std::vector<std::string>> kRules = {
    // The contract; "arch/NAME.h" (the dispatch, checked apart) besides.
    {"posih/", {}},
    {"kernel/", {"posih/"}},
    // Portable benchmarks: through the contract only.
    {"benchmarks/common/", {"kernel/benchmark.h", "posih/"}},
    // The wire protocol, the record definitions (with the tables of the
    // result's and the header's scalar fields), and the portable code the
    // tool runs as the kernel would (command line, selection, verdicts,
    // statistics; the Xen console's line length). Never a header that would tie it to the kernel's layout
    // or its runtime.
    {"tools/",
     {"kernel/protocol.h", "kernel/record.h", "kernel/record_fields.h", "kernel/header_fields.h", "kernel/options.h",
      "kernel/selection.h", "kernel/verdict.h", "posih/stats.h", "posih/xen.h"}},
};

// arch/<arch>/ implements the contract (posih/); benchmarks/<arch>/ are
// operations on that architecture: the instruction wrappers, its interrupt
// controller's registers, a hypervisor's call page are their material, and
// benchmarks/common/'s helpers (portable through the contract).
void add_arch_rules(const fs::path& root, std::map<std::string, std::vector<std::string>>& rules,
                    std::vector<std::string>& arches) {
    for (const auto& e : fs::directory_iterator(root / "arch"))
        if (e.is_directory()) arches.push_back(e.path().filename().string());
    std::sort(arches.begin(), arches.end());
    for (const auto& a : arches) {
        rules["arch/" + a + "/"] = {"posih/"};
        rules["benchmarks/" + a + "/"] = {"kernel/benchmark.h", "posih/", "arch/" + a + "/", "benchmarks/common/"};
    }
}

// x86 and Arm names posih/ must not use, lower case; an identifier's parts
// (split at '_', at a lower-to-upper case change, and with trailing digits
// also tried without them) are checked one by one. Registers, instructions,
// interrupt-controller and firmware-table names; not everyday English words
// that happen to be mnemonics ("pause", "far").
const std::set<std::string> kArchWords = {
    // x86: timer and identification instructions, MSRs, control registers
    "rdtsc", "rdtscp", "rdpmc", "cpuid", "msr", "rdmsr", "wrmsr", "cr0", "cr2", "cr3", "cr4", "cr8", "xcr0",
    "rflags", "eflags", "rip", "rsp", "rax", "eax", "xsetbv", "xsave",
    // x86: fences, TLB and cache, port I/O, interrupts, virtualization
    "lfence", "mfence", "sfence", "invlpg", "invpcid", "wbinvd", "clflush", "outb", "outw", "outl", "inb",
    "inw", "inl", "outsb", "insb", "hlt", "cli", "sti", "iret", "iretq", "int3", "ud2", "vmcall", "vmmcall",
    "vmx", "svm", "ept", "vmcs", "vmcb",
    // x86: descriptor tables, interrupt controllers, timers, firmware
    "idt", "gdt", "ldt", "tss", "apic", "xapic", "x2apic", "lapic", "ioapic", "pic", "icr", "sipi", "tsc",
    "pit", "hpet", "e820", "multiboot", "pvh", "acpi", "madt", "rsdp", "rsdt", "xsdt", "fadt", "dsdt", "com1",
    "vga", "isa",
    // Arm: system-register access, calls, barriers, waits
    "mrs", "hvc", "smc", "svc", "isb", "dsb", "dmb", "wfi", "wfe", "eret", "tlbi",
    // Arm: interrupt controller, timers, counters
    "gic", "gicv2", "gicv3", "gicd", "gicc", "gicr", "sgi", "ppi", "pmccntr", "pmcr", "pmu", "cntvct",
    "cntpct", "cntfrq", "cntv",
    // Arm: MMU and exception registers, exception levels, firmware
    "ttbr", "tcr", "sctlr", "mair", "vbar", "esr", "elr", "spsr", "hcr", "midr", "mpidr", "el0", "el1", "el2",
    "el3", "psci", "dtb", "fdt", "pl011",
};

const std::vector<std::string> kFreestandingSystemHeaders = {"stddef.h", "stdint.h", "stdarg.h"};

bool is_source(const fs::path& p) {
    const std::string e = p.extension().string();
    return e == ".h" || e == ".cpp" || e == ".asm" || e == ".inc";
}

bool allowed(const std::string& own, const std::vector<std::string>& rules, const std::string& target) {
    if (target.rfind(own, 0) == 0) return true;
    for (const auto& r : rules) {
        if (r.back() == '/' ? target.rfind(r, 0) == 0 : target == r) return true;
    }
    return false;
}

std::string rule_text(const std::string& own, const std::vector<std::string>& rules) {
    std::string t = own;
    for (const auto& r : rules) t += ", " + r;
    return t;
}

struct Tally {
    size_t files = 0, includes = 0, broken = 0;
};

// The parts of the words of `line`: "has_rdtscp" -> has, rdtscp;
// "kApicId" -> k, apic, id; "X2APIC" -> x2apic.
std::vector<std::string> word_parts(const std::string& line) {
    std::vector<std::string> parts;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty()) parts.push_back(cur);
        cur.clear();
    };
    for (size_t i = 0; i < line.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (!std::isalnum(c)) {
            flush();
            continue;
        }
        bool upper_after_lower = std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(line[i - 1]));
        if (upper_after_lower) flush();
        cur += char(std::tolower(c));
    }
    flush();
    return parts;
}

// An x86 or Arm name on a line of posih/, or "".
std::string arch_word(const std::string& line) {
    for (std::string part : word_parts(line)) {
        if (kArchWords.count(part)) return part;
        while (!part.empty() && std::isdigit(static_cast<unsigned char>(part.back()))) part.pop_back();
        if (kArchWords.count(part)) return part;
    }
    static const std::regex vector_literal(R"(\b0[xX]([2-9a-fA-F][0-9a-fA-F])\b)");
    std::smatch m;
    if (std::regex_search(line, m, vector_literal)) return m[0].str();
    return "";
}

struct Context {
    fs::path root;
    std::vector<std::string> arches;
};

void check_include(const Context& ctx, const std::string& rel, size_t n, const std::string& own,
                   const std::vector<std::string>& rules, const std::string& target, Tally& tally) {
    // posih/'s dispatch: "arch/NAME.h", which every architecture supplies.
    static const std::regex dispatch(R"(^arch/[A-Za-z0-9_]+\.h$)");
    if (own == "posih/" && std::regex_match(target, dispatch)) {
        for (const auto& a : ctx.arches) {
            if (!fs::is_regular_file(ctx.root / "arch" / a / "include" / target)) {
                std::printf("%s:%zu: includes %s, which arch/%s/ lacks (arch/%s/include/%s)\n", rel.c_str(), n,
                            target.c_str(), a.c_str(), a.c_str(), target.c_str());
                ++tally.broken;
            }
        }
        return;
    }
    if (!allowed(own, rules, target)) {
        std::printf("%s:%zu: includes %s; %s may include only %s\n", rel.c_str(), n, target.c_str(), own.c_str(),
                    rule_text(own, rules).c_str());
        ++tally.broken;
    }
}

void check_file(const Context& ctx, const fs::path& file, const std::string& own,
                const std::vector<std::string>& rules, Tally& tally) {
    static const std::regex quoted(R"(^\s*[#%]\s*include\s*"([^"]+)\")");
    static const std::regex angled(R"(^\s*#\s*include\s*<([^>]+)>)");
    const std::string rel = fs::relative(file, ctx.root).generic_string();
    std::ifstream in(file);
    std::string line;
    size_t n = 0;
    ++tally.files;
    while (std::getline(in, line)) {
        ++n;
        std::smatch m;
        if (own == "posih/") {
            std::string word = arch_word(line);
            if (!word.empty()) {
                std::printf("%s:%zu: names '%s'; posih/ is neutral: say it in arch/ (tests/build/layer_check.cpp "
                            "kArchWords)\n",
                            rel.c_str(), n, word.c_str());
                ++tally.broken;
            }
        }
        if (std::regex_search(line, m, quoted)) {
            ++tally.includes;
            check_include(ctx, rel, n, own, rules, m[1].str(), tally);
        } else if (own != "tools/" && std::regex_search(line, m, angled)) {
            ++tally.includes;
            const std::string target = m[1].str();
            if (std::find(kFreestandingSystemHeaders.begin(), kFreestandingSystemHeaders.end(), target) ==
                kFreestandingSystemHeaders.end()) {
                std::printf("%s:%zu: includes <%s>; freestanding code may include only <stddef.h>, <stdint.h>, "
                            "<stdarg.h>\n",
                            rel.c_str(), n, target.c_str());
                ++tally.broken;
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SOURCE_DIR\n", argv[0]);
        return 2;
    }
    Context ctx{argv[1], {}};
    if (!fs::is_directory(ctx.root / "arch")) {
        std::printf("arch/: missing (run from the wrong tree?)\n");
        return 1;
    }
    std::map<std::string, std::vector<std::string>> rules = kRules;
    add_arch_rules(ctx.root, rules, ctx.arches);
    Tally tally;
    for (const auto& [own, folder_rules] : rules) {
        const fs::path dir = ctx.root / own;
        if (!fs::is_directory(dir)) {
            std::printf("%s: missing (run from the wrong tree?)\n", own.c_str());
            return 1;
        }
        std::vector<fs::path> files;
        for (const auto& e : fs::recursive_directory_iterator(dir))
            if (e.is_regular_file() && is_source(e.path())) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) check_file(ctx, f, own, folder_rules, tally);
    }
    // A benchmark lives in benchmarks/common/ or benchmarks/<arch>/, where
    // the build finds it and its folder's rules apply.
    for (const auto& e : fs::directory_iterator(ctx.root / "benchmarks")) {
        if (e.is_regular_file() && is_source(e.path())) {
            std::printf("%s: a benchmark belongs in benchmarks/common/ or benchmarks/<arch>/\n",
                        fs::relative(e.path(), ctx.root).generic_string().c_str());
            ++tally.broken;
        }
    }
    std::printf("layers: %zu files, %zu includes, %zu broken rules; architectures:", tally.files, tally.includes,
                tally.broken);
    for (const auto& a : ctx.arches) std::printf(" %s", a.c_str());
    std::printf("\n");
    return tally.broken == 0 ? 0 : 1;
}
