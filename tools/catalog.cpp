// tools/catalog.cpp — reading the `.benchmarks` table out of a kernel image.
#include "tools/catalog.h"

#include <elf.h>

#include <cstring>
#include <memory>

#include "kernel/options.h"
#include "kernel/protocol.h"
#include "kernel/selection.h"
#include "tools/results.h"

namespace hvb::tools {
namespace {

struct Section {
    std::string name;
    uint64_t addr = 0, offset = 0, size = 0;
    uint32_t type = 0;
    uint64_t flags = 0;
};

template <typename Ehdr, typename Shdr>
bool read_sections(const std::string& f, std::vector<Section>& out, std::string* error) {
    if (f.size() < sizeof(Ehdr)) {
        if (error) *error = "truncated ELF header";
        return false;
    }
    Ehdr eh;
    memcpy(&eh, f.data(), sizeof eh);
    if (eh.e_shentsize != sizeof(Shdr) || eh.e_shoff == 0 ||
        eh.e_shoff + uint64_t(eh.e_shnum) * sizeof(Shdr) > f.size() || eh.e_shstrndx >= eh.e_shnum) {
        if (error) *error = "no usable section headers";
        return false;
    }
    std::vector<Shdr> sh(eh.e_shnum);
    memcpy(sh.data(), f.data() + eh.e_shoff, eh.e_shnum * sizeof(Shdr));
    const Shdr& strtab = sh[eh.e_shstrndx];
    if (uint64_t(strtab.sh_offset) + strtab.sh_size > f.size()) {
        if (error) *error = "bad section names";
        return false;
    }
    for (const Shdr& s : sh) {
        Section x;
        if (s.sh_name < strtab.sh_size) {
            const char* p = f.data() + strtab.sh_offset + s.sh_name;
            x.name.assign(p, strnlen(p, strtab.sh_size - s.sh_name));
        }
        x.addr = s.sh_addr;
        x.offset = s.sh_offset;
        x.size = s.sh_size;
        x.type = s.sh_type;
        x.flags = s.sh_flags;
        out.push_back(x);
    }
    return true;
}

// The NUL-terminated string at virtual address `addr`, from the allocated
// section holding it.
std::optional<std::string> string_at(const std::string& f, const std::vector<Section>& secs, uint64_t addr) {
    for (const auto& s : secs) {
        if (!(s.flags & SHF_ALLOC) || s.type == SHT_NOBITS || addr < s.addr || addr >= s.addr + s.size) continue;
        uint64_t off = s.offset + (addr - s.addr);
        uint64_t end = s.offset + s.size;
        if (end > f.size()) return std::nullopt;
        size_t len = strnlen(f.data() + off, size_t(std::min<uint64_t>(end - off, 256)));
        return std::string(f.data() + off, len);
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::vector<CatalogEntry>> read_benchmark_table(const std::string& elf_path, std::string* error) {
    auto file = read_text_file(elf_path, error);
    if (!file) return std::nullopt;
    const std::string& f = *file;
    std::string err;
    auto fail = [&](const std::string& what) {
        if (error) *error = elf_path + ": " + what;
        return std::nullopt;
    };
    if (f.size() < EI_NIDENT || memcmp(f.data(), ELFMAG, SELFMAG) != 0) return fail("not an ELF file");
    std::vector<Section> secs;
    bool ok = f[EI_CLASS] == ELFCLASS64   ? read_sections<Elf64_Ehdr, Elf64_Shdr>(f, secs, &err)
              : f[EI_CLASS] == ELFCLASS32 ? read_sections<Elf32_Ehdr, Elf32_Shdr>(f, secs, &err)
                                          : (err = "unknown ELF class", false);
    if (!ok) return fail(err);
    const Section* table = nullptr;
    for (const auto& s : secs)
        if (s.name == kDescriptorSection) table = &s;
    if (!table) return fail("no .benchmarks section");
    if (table->size % kDescriptorSize != 0 || table->offset + table->size > f.size())
        return fail(".benchmarks is not a whole number of descriptors (kernel and tool built from different sources?)");
    std::vector<CatalogEntry> out;
    for (uint64_t off = table->offset; off < table->offset + table->size; off += kDescriptorSize) {
        // The descriptor as raw bytes, by the protocol's fixed layout: its
        // pointers are guest addresses.
        uint64_t name_addr = 0, category_addr = 0;
        uint32_t flags = 0;
        memcpy(&name_addr, f.data() + off + kDescriptorNameOffset, sizeof name_addr);
        memcpy(&category_addr, f.data() + off + kDescriptorCategoryOffset, sizeof category_addr);
        memcpy(&flags, f.data() + off + kDescriptorFlagsOffset, sizeof flags);
        auto name = string_at(f, secs, name_addr);
        auto category = string_at(f, secs, category_addr);
        if (!name || name->empty()) return fail("a descriptor's name does not point into the image");
        out.push_back(CatalogEntry{*name, category.value_or(""), flags});
    }
    return out;
}

std::vector<CatalogEntry> select_from_catalog(const std::vector<CatalogEntry>& table, const std::string& cmdline) {
    std::vector<Benchmark> descs(table.size());
    for (size_t i = 0; i < table.size(); ++i) {
        descs[i] = Benchmark{};
        descs[i].name = table[i].name.c_str();
        descs[i].category = table[i].category.c_str();
        descs[i].flags = table[i].flags;
    }
    auto opts = std::make_unique<Options>();
    OptionError option_errors[4];
    parse_options(cmdline.c_str(), *opts, option_errors, 4);
    std::vector<const Benchmark*> selected(table.size() + 1);
    SelectionError selection_errors[4];
    size_t error_count = 0;
    size_t n = select_benchmarks(descs.data(), descs.size(), *opts, selected.data(), selected.size(), selection_errors,
                                 4, &error_count);
    std::vector<CatalogEntry> out;
    for (size_t i = 0; i < n; ++i) out.push_back(table[size_t(selected[i] - descs.data())]);
    return out;
}

}  // namespace hvb::tools
