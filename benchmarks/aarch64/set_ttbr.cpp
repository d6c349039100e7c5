// benchmarks/aarch64/set_ttbr.cpp — TTBR0_EL1 written with the value it
// holds, then ISB: the address-space switch instruction alone (no TLB
// maintenance: the same tables stay valid). Trapped only where the
// hypervisor sets HCR_EL2.TVM. x86 counterpart: set_cr3.
#include "kernel/benchmark.h"

namespace {

void set_ttbr_loop(uint64_t n) {
    uint64_t ttbr;
    asm volatile("mrs %0, ttbr0_el1" : "=r"(ttbr));
    for (uint64_t i = 0; i < n; ++i) asm volatile("msr ttbr0_el1, %0\n\tisb" ::"r"(ttbr) : "memory");
}

// The same loop with the ISB alone.
void set_ttbr_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("isb" ::: "memory");
}

}  // namespace

HVB_BENCHMARK(set_ttbr,
    .category = "privileged",
    .summary = "MSR TTBR0_EL1 (same value) + ISB, less the ISB",
    .benchmark = set_ttbr_loop,
    .control = set_ttbr_control,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
