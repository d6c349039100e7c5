// benchmarks/rdmsr.cpp — RDMSR of IA32_APIC_BASE (MSR 0x1B). Whether an MSR
// access exits is decided per MSR: VT-x by its MSR bitmaps, SVM by its MSR
// permission map. The APIC base is virtualized by every hypervisor (the guest
// must see its virtual APIC), so this read always exits; compare with
// rdmsr_passthrough.
#include "kernel/benchmark.h"
#include "posih/interrupt.h"
#include "arch/x86_64/cpu.h"

namespace {

constexpr uint32_t kMsrApicBase = 0x1B;

void read_apic_base(void*) { (void)hvb::x86::rdmsr(kMsrApicBase); }

// Probes the MSR under a guard of its own (guards nest), so a hypervisor that
// refuses it makes this benchmark unsupported rather than faulted.
const char* rdmsr_init() {
    hvb::CpuFault fault;
    if (!hvb::guarded_call(read_apic_base, nullptr, &fault)) return "RDMSR of IA32_APIC_BASE faults";
    return nullptr;
}

void rdmsr_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t lo, hi;
        asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(kMsrApicBase));
    }
}

}  // namespace

HVB_BENCHMARK(rdmsr,
    .category = "privileged",
    .summary = "RDMSR of IA32_APIC_BASE (0x1B), intercepted by every hypervisor",
    .init = rdmsr_init,
    .benchmark = rdmsr_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
