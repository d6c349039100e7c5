// benchmarks/tlb_flush.cpp — a full TLB flush (CR3 reload on x86, the
// address-space switch of every context switch: T_switch) followed by
// re-touching a working set, so the cost includes refilling the TLB through
// page walks (two-dimensional under EPT/NPT; trapped under shadow paging).
// The control touches the same pages without the flush.
#include "kernel/benchmark.h"
#include "benchmarks/common/tlb_settle.h"
#include "posih/memory.h"
#include "posih/ops.h"

namespace {

constexpr uint64_t kWindow = 0x0000048000000000ull;
constexpr uint64_t kPage = 4096;

uint64_t working_set = 256 * 1024;  // 64 pages of 4 KiB
uint64_t area_phys, area_bytes;

const char* flush_init() {
    // The flush's cost depends on the size of the TLB it empties: the same
    // start for every pass (benchmarks/common/tlb_settle.h).
    if (const char* why = hvb::settle_translation_caches()) return why;
    area_bytes = (working_set + kPage - 1) / kPage * kPage;
    area_phys = hvb::page_allocator().alloc_contiguous(hvb::PageSize::k4K, area_bytes / kPage);
    if (!area_phys) return "not enough free memory for the working set";
    if (!hvb::install_range(hvb::current_address_space(), kWindow, area_phys, area_bytes, hvb::PageSize::k4K,
                            hvb::kMapWritable))
        return "could not map the working set";
    return nullptr;
}

void touch_all() {
    for (uint64_t p = kWindow; p < kWindow + area_bytes; p += kPage)
        hvb::load64(p);
}

void flush_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        hvb::tlb_flush_all();
        touch_all();
    }
}

void touch_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) touch_all();
}

void flush_cleanup() {
    for (uint64_t off = 0; off < area_bytes; off += kPage) hvb::unmap_page(hvb::current_address_space(), kWindow + off);
    hvb::tlb_flush_all();
    hvb::page_allocator().free(area_phys, hvb::PageSize::k4K, area_bytes / kPage);
}

const hvb::BenchParam kParams[] = {
    {"working_set", &working_set, 4096, 64ull << 20, "bytes re-touched after each flush, one load per 4 KiB page"},
};

}  // namespace

HVB_BENCHMARK(tlb_flush,
    .category = "memory",
    .summary = "full TLB flush, then one load per page of a 256 KiB working set",
    .init = flush_init,
    .benchmark = flush_loop,
    .control = touch_loop,
    .cleanup = flush_cleanup,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 100000,
    .params = kParams,
    .param_count = 1);
