// benchmarks/mmio_read_lapic.cpp — a 32-bit MMIO read of a device the
// hypervisor emulates in its kernel: the local APIC's version register
// (offset 0x30) through the xAPIC register page, once per iteration.
// Not in HyperBench's Table 1 (its read/write benchmarks are port I/O);
// this is the MMIO counterpart of io_in_kernel. The APIC page is not RAM,
// so the read is a VM exit (APIC-access exit on VT-x, nested page fault on
// SVM) that KVM decodes and completes in its in-kernel APIC model without
// going to user space; with APICv/AVIC register virtualization the CPU
// serves the read from the virtual-APIC page and there is no exit at all.
// Xen emulates the local APIC in the hypervisor too; under TCG QEMU does.
// x2APIC mode has no MMIO page: boot with apic=xapic to run this.
#include "kernel/benchmark.h"
#include "posih/interrupt.h"
#include "arch/x86_64/apic.h"

namespace {

uintptr_t version_reg;

const char* mmio_read_lapic_init() {
    if (!hvb::interrupt_controller_memory_mapped()) return "local APIC is in x2APIC mode (boot with apic=xapic)";
    uintptr_t base = hvb::x86::apic_mmio_base();
    if (base == 0) return "no xAPIC register page";
    // Identity-mapped, and uncached, only in the top GiB below 4 GiB.
    if (base < 0xC0000000u || base >= 0x100000000u) return "xAPIC page outside the uncached MMIO window";
    version_reg = base + hvb::x86::kApicVersion;
    return nullptr;
}

void mmio_read_lapic_loop(uint64_t n) {
    const uintptr_t reg = version_reg;
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t v;
        asm volatile("movl (%1), %0" : "=r"(v) : "r"(reg));
    }
}

}  // namespace

HVB_BENCHMARK(mmio_read_lapic,
    .category = "io",
    .summary = "32-bit MMIO read of the xAPIC version register (in-kernel APIC model, or APICv)",
    .init = mmio_read_lapic_init,
    .benchmark = mmio_read_lapic_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 10000000);
