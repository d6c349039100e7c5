// benchmarks/mem_hot.cpp — HyperBench's Hot Memory Access: read many pages
// (one load per 4 KiB page, cycling through a working set) that were read
// before. init reads every page once, and each call goes on where the last
// one stopped, so the loads sweep the whole working set whatever the count
// (a count smaller than its pages, as on a slow platform or with a large
// working_set, still covers all of it over the repetitions). With the
// working set beyond the TLB's reach each load walks the page tables — under
// nested paging a two-dimensional walk (T_two) — so the cost against bare
// metal shows the price of the guest's TLB misses. Working set and guest
// page size are parameters; mem_hot_2m maps the same working set with 2 MiB
// pages, which reach further per TLB entry (both the guest and the host must
// use large pages for the CPU to cache 2 MiB entries).
#include "kernel/benchmark.h"
#include "benchmarks/common/tlb_settle.h"
#include "posih/memory.h"
#include "posih/ops.h"

namespace {

constexpr uint64_t kStride = 4096;
// Flush-and-read rounds in init: 256 -> 2048 TCG TLB entries takes three.
constexpr int kTlbGrowRounds = 4;

struct HotArea {
    uint64_t virt;  // where it is mapped: a window nothing else uses
    uint64_t working_set, page_size;  // parameters
    uint64_t phys, bytes;             // what init set up
    uint64_t next, next_control;      // where the next load / control step goes
};

HotArea hot{0x0000030000000000ull, 4ull << 20, 4096, 0, 0, 0, 0};
HotArea hot_2m{0x0000038000000000ull, 4ull << 20, 2ull << 20, 0, 0, 0, 0};

// One 8-byte load per 4 KiB page from `from` on, wrapping at the end of the
// working set; returns where the next one would go.
uint64_t load_pages(const HotArea& a, uint64_t from, uint64_t n) {
    const uint64_t start = a.virt, end = a.virt + a.bytes;  // in registers
    uint64_t p = from;
    for (uint64_t i = 0; i < n; ++i) {
        hvb::load64(p);
        p += kStride;
        if (p == end) p = start;
    }
    return p;
}

const char* setup(HotArea& a) {
    if (a.page_size != 4096 && a.page_size != (2ull << 20)) return "page_size must be 4K or 2M";
    hvb::PageSize size = a.page_size == 4096 ? hvb::PageSize::k4K : hvb::PageSize::k2M;
    a.bytes = (a.working_set + a.page_size - 1) / a.page_size * a.page_size;
    a.phys = hvb::page_allocator().alloc_contiguous(size, a.bytes / a.page_size);
    if (!a.phys) return "not enough contiguous free memory for the working set";
    if (!hvb::install_range(hvb::current_address_space(), a.virt, a.phys, a.bytes, size, hvb::kMapWritable)) {
        hvb::page_allocator().free(a.phys, size, a.bytes / a.page_size);
        return "could not map the working set";
    }
    a.next = a.next_control = a.virt;
    load_pages(a, a.virt, a.bytes / kStride);  // the first read of every page
    // Bring the platform's translation caches to their steady state for
    // this working set: read it all again after each of a few TLB flushes.
    // QEMU's TCG sizes its software TLB at each flush by how full it was
    // since the last (doubling when over 70%, from 256 entries up), so
    // without this the 1024 pages hit or missed by what ran before: 142
    // cycles per load in 4 of 5 invocations, 3.1 in the fifth (selfbench,
    // 2026-12-07). On hardware the rounds just refill the TLB once more.
    hvb::reread_after_flushes(a.virt, a.bytes, kTlbGrowRounds);
    return nullptr;
}

void teardown(HotArea& a) {
    hvb::PageSize size = a.page_size == 4096 ? hvb::PageSize::k4K : hvb::PageSize::k2M;
    for (uint64_t off = 0; off < a.bytes; off += a.page_size) hvb::unmap_page(hvb::current_address_space(), a.virt + off);
    hvb::tlb_flush_all();
    hvb::page_allocator().free(a.phys, size, a.bytes / a.page_size);
}

void read_pages(HotArea& a, uint64_t n) { a.next = load_pages(a, a.next, n); }

// The same walk over the addresses without the loads.
void walk_addresses(HotArea& a, uint64_t n) {
    const uint64_t start = a.virt, end = a.virt + a.bytes;
    uint64_t p = a.next_control;
    for (uint64_t i = 0; i < n; ++i) {
        asm volatile("" ::"r"(p) : "memory");
        p += kStride;
        if (p == end) p = start;
    }
    a.next_control = p;
}

void hot_read_loop(uint64_t n) { read_pages(hot, n); }
void hot_control(uint64_t n) { walk_addresses(hot, n); }
void hot_2m_read_loop(uint64_t n) { read_pages(hot_2m, n); }
void hot_2m_control(uint64_t n) { walk_addresses(hot_2m, n); }

const hvb::BenchParam kHotParams[] = {
    {"working_set", &hot.working_set, 4096, 1ull << 30, "bytes read, one load per 4 KiB page"},
    {"page_size", &hot.page_size, 4096, 2ull << 20, "guest page size: 4K or 2M"},
};
const hvb::BenchParam kHot2mParams[] = {
    {"working_set", &hot_2m.working_set, 2ull << 20, 1ull << 30, "bytes read, one load per 4 KiB page"},
    {"page_size", &hot_2m.page_size, 4096, 2ull << 20, "guest page size: 4K or 2M"},
};

}  // namespace

HVB_BENCHMARK(mem_hot,
    .category = "memory",
    .summary = "one load per 4 KiB page over a 4 MiB working set read before (4 KiB pages)",
    .init = [] { return setup(hot); },
    .benchmark = hot_read_loop,
    .control = hot_control,
    .cleanup = [] { teardown(hot); },
    .iterations = 1024,
    .min_iterations = 1024,  // one pass over the default 4 MiB working set
    .max_iterations = 100000,
    .params = kHotParams,
    .param_count = 2);

HVB_BENCHMARK(mem_hot_2m,
    .category = "memory",
    .summary = "one load per 4 KiB page over a 4 MiB working set read before (2 MiB pages)",
    .init = [] { return setup(hot_2m); },
    .benchmark = hot_2m_read_loop,
    .control = hot_2m_control,
    .cleanup = [] { teardown(hot_2m); },
    .iterations = 1024,
    .min_iterations = 1024,  // one pass over the default 4 MiB working set
    .max_iterations = 100000,
    .params = kHot2mParams,
    .param_count = 2);
