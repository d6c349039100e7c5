// benchmarks/aarch64/cntvct.cpp — MRS CNTVCT_EL0, the virtual counter, once
// per iteration (no ISB: the bare read). Trapped only where the hypervisor
// clears CNTHCTL_EL2.EL1PCTEN/EL0VCTEN or emulates an erratum. x86
// counterpart: rdtsc.
#include "kernel/benchmark.h"

namespace {

void cntvct_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t v;
        asm volatile("mrs %0, cntvct_el0" : "=r"(v)::"memory");
    }
}

}  // namespace

HVB_BENCHMARK(cntvct,
    .category = "timer",
    .summary = "MRS CNTVCT_EL0 (the virtual counter)",
    .benchmark = cntvct_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 10000000);
