// benchmarks/wrmsr_passthrough.cpp — WRMSR of IA32_KERNEL_GS_BASE
// (MSR 0xC0000102, the base SWAPGS exchanges with GS) with the value it
// holds. KVM switches the guest's value in and out with the rest of its
// state and clears the MSR in the VT-x MSR bitmap / SVM MSR permission map,
// so the write runs without an exit there; the difference from wrmsr is the
// cost of an MSR intercept.
#include "kernel/benchmark.h"
#include "arch/x86_64/cpu.h"

namespace {

constexpr uint32_t kMsrKernelGsBase = 0xC0000102;
uint64_t saved_kernel_gs_base;

const char* wrmsr_passthrough_init() {
    saved_kernel_gs_base = hvb::x86::rdmsr(kMsrKernelGsBase);
    return nullptr;
}

void wrmsr_passthrough_loop(uint64_t n) {
    const uint32_t lo = uint32_t(saved_kernel_gs_base), hi = uint32_t(saved_kernel_gs_base >> 32);
    for (uint64_t i = 0; i < n; ++i)
        asm volatile("wrmsr" ::"c"(kMsrKernelGsBase), "a"(lo), "d"(hi) : "memory");
}

}  // namespace

HVB_BENCHMARK(wrmsr_passthrough,
    .category = "privileged",
    .summary = "WRMSR of IA32_KERNEL_GS_BASE (0xC0000102) with its value, passed through by KVM",
    .init = wrmsr_passthrough_init,
    .benchmark = wrmsr_passthrough_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
