// benchmarks/rdtsc.cpp — RDTSC, unfenced. Guests read the TSC constantly
// (clocksources, scheduling), so hypervisors let it run natively: VT-x and SVM
// apply a TSC offset (and, where supported, a multiplier) to the value the
// guest reads without exiting, unless "RDTSC exiting" / the RDTSC intercept
// is on (TSC emulation).
#include "kernel/benchmark.h"

namespace {

void rdtsc_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t lo, hi;
        asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    }
}

}  // namespace

HVB_BENCHMARK(rdtsc,
    .category = "privileged",
    .summary = "RDTSC without fences",
    .benchmark = rdtsc_loop,
    .control = hvb::empty_loop,
    .iterations = 100000,
    .min_iterations = 1,
    .max_iterations = 10000000);
