// benchmarks/set_page_table.cpp — HyperBench's Set Page Table: build page
// tables mapping all of RAM 1:1 (setup_mmu), the bulk page-table writing
// that heavy memory allocation does; set_page_table with 4 KiB pages (tens
// of thousands of entries per GiB), set_page_table_2m with 2 MiB pages.
// Under shadow paging or a software MMU every entry written costs extra; with
// EPT/NPT it is plain memory traffic. The tables are freed after each build.
#include "kernel/benchmark.h"
#include "posih/memory.h"

namespace {

bool build(hvb::PageSize size) {
    hvb::AddressSpace as{};
    uint64_t tables = 0;
    if (!hvb::setup_mmu(size, &as, &tables)) return false;
    hvb::destroy_address_space(as);
    return true;
}

// Trial build: the timed loop cannot report running out of memory.
const char* probe_4k() { return build(hvb::PageSize::k4K) ? nullptr : "not enough memory for the page tables"; }
const char* probe_2m() { return build(hvb::PageSize::k2M) ? nullptr : "not enough memory for the page tables"; }

void build_4k(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) build(hvb::PageSize::k4K);
}
void build_2m(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) build(hvb::PageSize::k2M);
}

}  // namespace

HVB_BENCHMARK(set_page_table,
    .category = "memory",
    .summary = "build (then free) page tables mapping all RAM 1:1 with 4 KiB pages",
    .init = probe_4k,
    .benchmark = build_4k,
    .control = hvb::empty_loop,
    .iterations = 1,
    .min_iterations = 1,
    .max_iterations = 100,
    .repetitions = 5);

HVB_BENCHMARK(set_page_table_2m,
    .category = "memory",
    .summary = "build (then free) page tables mapping all RAM 1:1 with 2 MiB pages",
    .init = probe_2m,
    .benchmark = build_2m,
    .control = hvb::empty_loop,
    .iterations = 1,
    .min_iterations = 1,
    .max_iterations = 1000,
    .repetitions = 5);
