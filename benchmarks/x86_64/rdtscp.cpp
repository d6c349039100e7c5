// benchmarks/rdtscp.cpp — RDTSCP: the TSC plus IA32_TSC_AUX, after all
// earlier instructions have executed. Under VT-x it raises #UD unless the
// hypervisor sets "enable RDTSCP", and exits only together with "RDTSC
// exiting"; SVM has a separate RDTSCP intercept.
#include "kernel/benchmark.h"
#include "posih/format.h"
#include "posih/interrupt.h"
#include "arch/x86_64/cpu.h"

namespace {

void rdtscp_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t lo, hi, aux;
        asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
    }
}

void rdtscp_once(void*) { rdtscp_loop(1); }

// A hypervisor may advertise RDTSCP and still fail it: Xen nested in QEMU
// TCG raises #GP (QEMU's nested RDTSCP intercept; Xen logs "Insn
// mismatch"). One probe under the guard says so instead of a fault.
char reason[96];
const char* rdtscp_init() {
    hvb::CpuFault fault{};
    if (hvb::guarded_call(rdtscp_once, nullptr, &fault)) return nullptr;
    hvb::snformat(reason, sizeof reason, "RDTSCP is advertised but raises vector %u here (the hypervisor fails it)",
                  unsigned(fault.number));
    return reason;
}

}  // namespace

HVB_BENCHMARK(rdtscp,
    .category = "privileged",
    .summary = "RDTSCP (TSC and TSC_AUX) without fences",
    .init = rdtscp_init,
    .benchmark = rdtscp_loop,
    .control = hvb::empty_loop,
    .iterations = 100000,
    .min_iterations = 1,
    .max_iterations = 10000000,
    .needs = hvb::need_arch_feature(hvb::x86::kFeatureRdtscp));
