// benchmarks/aarch64/mmio_read_gic.cpp — a 32-bit read of the GIC
// distributor's GICD_TYPER (offset 0x4, read-only), once per iteration: the
// interrupt controller's MMIO, which KVM's vGIC emulates in the kernel and
// Xen in the hypervisor. x86 counterpart: mmio_read_lapic.
#include "arch/aarch64/gic.h"
#include "kernel/benchmark.h"

namespace {

constexpr uintptr_t kGicdTyper = 0x4;
uintptr_t typer_reg;

const char* mmio_read_gic_init() {
    if (hvb::arm::gic_version() == 0) return "no GIC set up";
    typer_reg = uintptr_t(hvb::arm::gic_dist_base()) + kGicdTyper;
    return nullptr;
}

void mmio_read_gic_loop(uint64_t n) {
    const uintptr_t reg = typer_reg;
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t v;
        asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(reg) : "memory");
    }
}

}  // namespace

HVB_BENCHMARK(mmio_read_gic,
    .category = "io",
    .summary = "32-bit read of GICD_TYPER (the interrupt controller, emulated in the kernel or hypervisor)",
    .init = mmio_read_gic_init,
    .benchmark = mmio_read_gic_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 10000000);
