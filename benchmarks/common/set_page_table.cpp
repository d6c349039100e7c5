// benchmarks/set_page_table.cpp — HyperBench's Set Page Table: build page
// tables mapping physical memory 1:1 (setup_mmu), the bulk page-table
// writing that heavy memory allocation does; set_page_table with 4 KiB
// pages, set_page_table_2m with 2 MiB pages. Under shadow paging or a
// software MMU every entry written costs extra; with EPT/NPT it is plain
// memory traffic. The tables are freed after each build.
//
// One iteration maps the first `bytes` of physical memory (default 16 MiB:
// 4096 entries with 4 KiB pages), not all of RAM as in the paper, so that
// the figure does not depend on the VM's memory size and a slow platform
// can still repeat it; set_page_table.bytes=1G gets the paper's
// whole-memory build on a 1 GiB VM.
#include "kernel/benchmark.h"
#include "posih/memory.h"
#include "posih/page_alloc.h"

namespace {

uint64_t bytes_4k = 16ull << 20;
uint64_t bytes_2m = 1ull << 30;

bool build(hvb::PageSize size, uint64_t bytes) {
    hvb::AddressSpace as{};
    if (!hvb::setup_mmu(size, &as, nullptr, bytes)) return false;
    hvb::destroy_address_space(as);
    return true;
}

// The timed loop cannot report running out of memory, so init checks that
// the tables fit with room to spare: at most one table page per 2 MiB (4 KiB
// pages) or per 1 GiB (2 MiB pages) mapped, plus the upper levels and the
// low-memory and device edges. (A trial build would cost as much as an
// iteration, which on a slow platform is a large share of the budget.)
const char* check_room(uint64_t bytes, uint64_t per_table) {
    uint64_t tables = bytes / per_table + 64;
    return hvb::page_allocator().free_bytes() / 4096 > 2 * tables ? nullptr : "not enough memory for the page tables";
}
const char* probe_4k() { return check_room(bytes_4k, 2ull << 20); }
const char* probe_2m() { return check_room(bytes_2m, 1ull << 30); }

void build_4k(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) build(hvb::PageSize::k4K, bytes_4k);
}
void build_2m(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) build(hvb::PageSize::k2M, bytes_2m);
}

const hvb::BenchParam kParams4k[] = {
    {"bytes", &bytes_4k, 4096, 1ull << 40, "physical memory mapped per build (RAM regions below this address)"},
};
const hvb::BenchParam kParams2m[] = {
    {"bytes", &bytes_2m, 2ull << 20, 1ull << 40, "physical memory mapped per build (RAM regions below this address)"},
};

}  // namespace

HVB_BENCHMARK(set_page_table,
    .category = "memory",
    .summary = "build (then free) page tables mapping the first 16 MiB of RAM 1:1 with 4 KiB pages",
    .init = probe_4k,
    .benchmark = build_4k,
    .control = hvb::empty_loop,
    .iterations = 1,
    .min_iterations = 1,
    .max_iterations = 100,
    .params = kParams4k,
    .param_count = 1);

HVB_BENCHMARK(set_page_table_2m,
    .category = "memory",
    .summary = "build (then free) page tables mapping the first 1 GiB of RAM 1:1 with 2 MiB pages",
    .init = probe_2m,
    .benchmark = build_2m,
    .control = hvb::empty_loop,
    .iterations = 1,
    .min_iterations = 1,
    .max_iterations = 1000,
    .params = kParams2m,
    .param_count = 1);
