// benchmarks/aarch64/tlbi_vmalle1is.cpp — TLBI VMALLE1IS; DSB ISH: every
// stage-1 EL1 TLB entry of this VMID invalidated on all CPUs of the inner
// shareable domain, the broadcast maintenance a guest does on its own
// (trapped only with HCR_EL2.TTLB). x86 counterpart: invlpg (one page) and
// set_cr3 (the flush a CR3 load implies).
#include "kernel/benchmark.h"

namespace {

void tlbi_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("tlbi vmalle1is\n\tdsb ish" ::: "memory");
}

void tlbi_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("dsb ish" ::: "memory");
}

}  // namespace

HVB_BENCHMARK(tlbi_vmalle1is,
    .category = "memory",
    .summary = "TLBI VMALLE1IS + DSB ISH, less the DSB",
    .benchmark = tlbi_loop,
    .control = tlbi_control,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
