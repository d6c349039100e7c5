// benchmarks/aarch64/hypercall.cpp — PSCI_VERSION through the conduit the
// device tree's /psci names: HVC (to the hypervisor: KVM answers it in the
// kernel, Xen in the hypervisor) or SMC (to EL3 firmware, or a hypervisor
// trapping SMC). Arm's no-op hypercall: Dall et al. measured this round
// trip (KVM/ARM 6,500 cycles, Xen/ARM 376). x86 counterpart: hypercall.
// Under Xen (arch/aarch64/xen.h) a Xen hypercall instead: XENVER_version,
// HVC #0xEA1 with x16 = 17, which Xen answers without other work.
#include "arch/aarch64/platform.h"
#include "arch/aarch64/psci.h"
#include "arch/aarch64/xen.h"
#include "kernel/benchmark.h"

namespace {

bool use_smc, use_xen;

const char* hypercall_init() {
    use_xen = hvb::arm::xen_in_device_tree(hvb::arm::platform().dt);
    if (use_xen) return nullptr;
    const hvb::PsciConduit c = hvb::arm::psci_conduit();
    if (c == hvb::PsciConduit::none) return "no PSCI conduit in the device tree";
    use_smc = c == hvb::PsciConduit::smc;
    return nullptr;
}

// XENVER_version (x0 = 0) each time: x0 returns the version; Xen keeps the
// other registers (x1..x4 it may clobber).
__attribute__((noinline)) void xen_version_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i)
        asm volatile("mov x0, xzr\n\tmov x16, %0\n\thvc #0xEA1" ::"i"(hvb::arm::kXenHypercallXenVersion)
                     : "x0", "x1", "x2", "x3", "x4", "x16", "memory");
}

// x0 = PSCI_VERSION each time (the call returns the version in x0);
// x1..x17 are the callee's to clobber (SMCCC).
#define HVB_PSCI_CALL(insn)                                                                              \
    asm volatile("mov x0, %0\n\t" insn " #0" ::"r"(uint64_t{hvb::arm::kPsciVersion})                    \
                 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", \
                   "x14", "x15", "x16", "x17", "memory")

void hypercall_loop(uint64_t n) {
    if (use_xen) {
        xen_version_loop(n);
    } else if (use_smc) {
        for (uint64_t i = 0; i < n; ++i) HVB_PSCI_CALL("smc");
    } else {
        for (uint64_t i = 0; i < n; ++i) HVB_PSCI_CALL("hvc");
    }
}

}  // namespace

HVB_BENCHMARK(hypercall,
    .category = "hypercall",
    .summary = "PSCI_VERSION through the DT's conduit (HVC, or SMC at EL2 hosts), under Xen XENVER_version: the no-op hypercall",
    .init = hypercall_init,
    .benchmark = hypercall_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
