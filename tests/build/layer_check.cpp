// tests/build/layer_check.cpp — the layer rules of docs/architecture.md
// ("Layers"), checked on every #include / %include line of the source tree:
// tools/ and benchmarks/ over kernel/ over arch/ over posih/, and tools/
// seeing the kernel only through the wire protocol and its portable parsers.
// The freestanding side (everything but tools/) includes no system header
// but <stddef.h>, <stdint.h> and <stdarg.h>.
//
// Usage: hvb_layer_check SOURCE_DIR. Prints every broken rule as
// "file:line: ..." and exits 1 when there is one, 0 otherwise.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// What a folder's files may include: a folder (ending in '/') or one file,
// both from the source root. Its own folder is always allowed.
const std::map<std::string, std::vector<std::string>> kRules = {
    {"posih/", {}},
    {"arch/x86_64/", {"posih/"}},
    {"arch/aarch64/", {"posih/"}},
    {"kernel/", {"posih/"}},
    // A benchmark is an operation on the CPU or a device: the instruction
    // wrappers, the local APIC's registers and Xen's hypercall page are its
    // material.
    {"benchmarks/", {"kernel/benchmark.h", "posih/", "arch/x86_64/cpu.h", "arch/x86_64/apic.h", "arch/x86_64/xen.h"}},
    // The wire protocol, the record definitions (with the table of the
    // result's numeric fields), and the portable code the tool runs as the
    // kernel would (command line, selection, verdicts,
    // statistics; the Xen console's line length). Never a header that would tie it to the kernel's layout
    // or its runtime.
    {"tools/",
     {"kernel/protocol.h", "kernel/record.h", "kernel/record_fields.h", "kernel/options.h", "kernel/selection.h",
      "kernel/verdict.h", "posih/stats.h", "posih/xen.h"}},
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

void check_file(const fs::path& root, const fs::path& file, const std::string& own,
                const std::vector<std::string>& rules, Tally& tally) {
    static const std::regex quoted(R"(^\s*[#%]\s*include\s*"([^"]+)\")");
    static const std::regex angled(R"(^\s*#\s*include\s*<([^>]+)>)");
    const std::string rel = fs::relative(file, root).generic_string();
    std::ifstream in(file);
    std::string line;
    size_t n = 0;
    ++tally.files;
    while (std::getline(in, line)) {
        ++n;
        std::smatch m;
        if (std::regex_search(line, m, quoted)) {
            ++tally.includes;
            const std::string target = m[1].str();
            if (!allowed(own, rules, target)) {
                std::printf("%s:%zu: includes %s; %s may include only %s\n", rel.c_str(), n, target.c_str(),
                            own.c_str(), rule_text(own, rules).c_str());
                ++tally.broken;
            }
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
    const fs::path root = argv[1];
    Tally tally;
    for (const auto& [own, rules] : kRules) {
        const fs::path dir = root / own;
        if (!fs::is_directory(dir)) {
            std::printf("%s: missing (run from the wrong tree?)\n", own.c_str());
            return 1;
        }
        std::vector<fs::path> files;
        for (const auto& e : fs::recursive_directory_iterator(dir))
            if (e.is_regular_file() && is_source(e.path())) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) check_file(root, f, own, rules, tally);
    }
    std::printf("layers: %zu files, %zu includes, %zu broken rules\n", tally.files, tally.includes, tally.broken);
    return tally.broken == 0 ? 0 : 1;
}
