// benchmarks/mem_cold.cpp — HyperBench's Cold Memory Access: one load from
// each page of memory nothing has touched before, 4 KiB apart so no
// prefetcher crosses into the next one. Every load misses the TLB and, on a
// hypervisor that builds its second-level tables (EPT/NPT or shadow) on
// demand, makes it construct the entries (T_cons) as well as the 2-D walk
// (T_two). Each call of the benchmark loop reads fresh pages, so init takes
// iterations x (repetitions + warm-up) never-touched pages up front; the
// count is therefore fixed (no calibration) and the repetitions capped.
#include "kernel/benchmark.h"
#include "posih/format.h"
#include "posih/memory.h"
#include "posih/ops.h"
#include "posih/page_alloc.h"

namespace {

constexpr uint64_t kWindow = 0x0000040000000000ull;  // 4 TiB: nothing else lives there
constexpr uint64_t kPage = 4096;

uint64_t pool_phys, pool_bytes, cursor;

char reason[96];

const char* cold_init() {
    const hvb::RunPlan& plan = hvb::current_plan();
    pool_bytes = plan.iterations * plan.calls() * kPage;
    pool_phys = hvb::alloc_untouched(pool_bytes);
    if (!pool_phys) {
        hvb::snformat(reason, sizeof reason, "needs %lu MiB of never-touched memory; lower iters= or reps=",
                      pool_bytes >> 20);
        return reason;
    }
    // Mapping writes page-table entries only: the pages themselves stay
    // untouched until the timed loads.
    if (!hvb::install_range(hvb::current_address_space(), kWindow, pool_phys, pool_bytes, hvb::PageSize::k4K,
                            hvb::kMapWritable))
        return "could not map the never-touched pages";
    cursor = kWindow;
    return nullptr;
}

void cold_loop(uint64_t n) {
    uint64_t p = cursor;
    for (uint64_t i = 0; i < n; ++i, p += kPage) hvb::load64(p);
    cursor = p;
}

// The same walk without the loads (it does not advance the cursor).
void cold_control(uint64_t n) {
    uint64_t p = cursor;
    for (uint64_t i = 0; i < n; ++i, p += kPage) asm volatile("" ::"r"(p) : "memory");
}

void cold_cleanup() {
    for (uint64_t off = 0; off < pool_bytes; off += kPage) hvb::unmap_page(hvb::current_address_space(), kWindow + off);
    hvb::tlb_flush_all();
    // Given back for every later benchmark (with -m 16 this pool is most of
    // the RAM, and mem_hot found no room when it was kept); the allocator
    // never hands touched pages out as cold again.
    hvb::page_allocator().free(pool_phys, hvb::PageSize::k4K, pool_bytes / kPage);
}

}  // namespace

HVB_BENCHMARK(mem_cold,
    .category = "memory",
    .summary = "one load from each never-touched 4 KiB page",
    .init = cold_init,
    .benchmark = cold_loop,
    .control = cold_control,
    .cleanup = cold_cleanup,
    .iterations = 256,
    .min_iterations = 10,
    .max_iterations = 100000,
    .flags = hvb::kFlagFixedIterations,
    .max_repetitions = 10);
