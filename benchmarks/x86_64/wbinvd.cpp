// benchmarks/wbinvd.cpp — WBINVD writes back every modified cache line and
// invalidates all caches. A guest must not be able to flush the whole
// machine's caches at will, so VT-x offers "WBINVD exiting" and SVM a WBINVD
// intercept; a hypervisor that takes the exit may skip or confine the flush,
// which is why the cost can be lower in a guest than on bare metal.
#include "kernel/benchmark.h"

namespace {

void wbinvd_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("wbinvd" ::: "memory");
}

}  // namespace

HVB_BENCHMARK(wbinvd,
    .category = "privileged",
    .summary = "WBINVD (write back and invalidate all caches)",
    .benchmark = wbinvd_loop,
    .control = hvb::empty_loop,
    .iterations = 10,
    .min_iterations = 1,
    .max_iterations = 1000);
