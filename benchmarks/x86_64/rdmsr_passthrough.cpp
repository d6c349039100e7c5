// benchmarks/rdmsr_passthrough.cpp — RDMSR of IA32_KERNEL_GS_BASE
// (MSR 0xC0000102, the base SWAPGS exchanges with GS). KVM switches the
// guest's value in and out with the rest of its state and clears the MSR in
// the VT-x MSR bitmap / SVM MSR permission map, so the read runs without an
// exit there; the difference from rdmsr is the cost of an MSR intercept.
#include "kernel/benchmark.h"

namespace {

constexpr uint32_t kMsrKernelGsBase = 0xC0000102;

void rdmsr_passthrough_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t lo, hi;
        asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(kMsrKernelGsBase));
    }
}

}  // namespace

HVB_BENCHMARK(rdmsr_passthrough,
    .category = "privileged",
    .summary = "RDMSR of IA32_KERNEL_GS_BASE (0xC0000102), passed through by KVM",
    .benchmark = rdmsr_passthrough_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
