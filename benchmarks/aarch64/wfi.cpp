// benchmarks/aarch64/wfi.cpp — WFI with an interrupt pending and IRQs
// masked, so it returns at once (ARM ARM D1.16.2: a pending IRQ is a wake-up
// event whatever PSTATE.I): the instruction's cost, which is an exit where
// the hypervisor traps WFI (HCR_EL2.TWI; KVM does unless the vCPU is alone
// on its physical CPU). The SGI is sent before the loop and left pending;
// it is taken (and completed) whenever IRQs are next on. x86 counterpart:
// hlt.
#include "arch/aarch64/gic.h"
#include "kernel/benchmark.h"

namespace {

constexpr uint32_t kSgi = 4;  // not one the kernel routes: taken and completed, nothing more

const char* wfi_init() {
    if (hvb::arm::gic_version() == 0) return "no GIC set up: nothing could wake a WFI";
    return nullptr;
}

void wfi_loop(uint64_t n) {
    hvb::arm::gic_send_sgi_self(kSgi);
    asm volatile("isb" ::: "memory");
    for (uint64_t i = 0; i < n; ++i) asm volatile("wfi" ::: "memory");
}

void wfi_control(uint64_t n) {
    hvb::arm::gic_send_sgi_self(kSgi);
    asm volatile("isb" ::: "memory");
    for (uint64_t i = 0; i < n; ++i) asm volatile("" ::: "memory");
}

}  // namespace

HVB_BENCHMARK(wfi,
    .category = "privileged",
    .summary = "WFI with an SGI pending and IRQs masked (returns at once; an exit where WFI is trapped)",
    .init = wfi_init,
    .benchmark = wfi_loop,
    .control = wfi_control,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
