// tools/catalog.h — the benchmarks a kernel image holds, read from its
// `.benchmarks` section by the descriptor-table format of kernel/protocol.h
// (never the kernel struct's layout), and the list the kernel will run for a
// command line, computed with the kernel's own option parser and selection
// code.
//
// The run driver resumes with skip=<done>; the kernel takes at most
// Options::kMaxNames names in a list, so past that it resumes with
// only=<what is left>, which needs this list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hvb::tools {

struct CatalogEntry {
    std::string name, category;
    uint32_t flags = 0;  // descriptor flags (kDescriptorOptIn: only when named)
};

// Reads an ELF64 or ELF32 kernel image (hvbench.elf, hvbench32.elf).
std::optional<std::vector<CatalogEntry>> read_benchmark_table(const std::string& elf_path, std::string* error);

// What the kernel selects for `cmdline`, sorted as it runs them.
std::vector<CatalogEntry> select_from_catalog(const std::vector<CatalogEntry>& table, const std::string& cmdline);

}  // namespace hvb::tools
