// benchmarks/wrmsr.cpp — WRMSR of IA32_APIC_BASE (MSR 0x1B) with the exact
// value it holds. Whether an MSR access exits is decided per MSR: VT-x by its
// MSR bitmaps, SVM by its MSR permission map. The APIC base is virtualized by
// every hypervisor, so this write always exits and is checked against the
// virtual APIC's state; compare with wrmsr_passthrough.
#include "kernel/benchmark.h"
#include "posih/interrupt.h"
#include "arch/x86_64/cpu.h"

namespace {

constexpr uint32_t kMsrApicBase = 0x1B;
uint64_t saved_apic_base;

void rewrite_apic_base(void*) {
    saved_apic_base = hvb::x86::rdmsr(kMsrApicBase);
    hvb::x86::wrmsr(kMsrApicBase, saved_apic_base);
}

// Probes the MSR under a guard of its own (guards nest), so a hypervisor that
// refuses it makes this benchmark unsupported rather than faulted.
const char* wrmsr_init() {
    hvb::CpuFault fault;
    if (!hvb::guarded_call(rewrite_apic_base, nullptr, &fault)) return "RDMSR/WRMSR of IA32_APIC_BASE faults";
    return nullptr;
}

void wrmsr_loop(uint64_t n) {
    const uint32_t lo = uint32_t(saved_apic_base), hi = uint32_t(saved_apic_base >> 32);
    for (uint64_t i = 0; i < n; ++i) asm volatile("wrmsr" ::"c"(kMsrApicBase), "a"(lo), "d"(hi) : "memory");
}

}  // namespace

HVB_BENCHMARK(wrmsr,
    .category = "privileged",
    .summary = "WRMSR of IA32_APIC_BASE (0x1B) with its current value",
    .init = wrmsr_init,
    .benchmark = wrmsr_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
