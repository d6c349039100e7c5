// benchmarks/aarch64/sysreg_id.cpp — MRS of ID_AA64PFR0_EL1, an ID group 3
// register: KVM sets HCR_EL2.TID3 and answers it from its sanitized copy,
// so under KVM each read is a trap to EL2. Arm's CPUID. x86 counterpart:
// cpuid.
#include "kernel/benchmark.h"

namespace {

void sysreg_id_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t v;
        asm volatile("mrs %0, id_aa64pfr0_el1" : "=r"(v)::"memory");
    }
}

}  // namespace

HVB_BENCHMARK(sysreg_id,
    .category = "privileged",
    .summary = "MRS ID_AA64PFR0_EL1 (trapped by hypervisors that set HCR_EL2.TID3)",
    .benchmark = sysreg_id_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
