// benchmarks/mmio_read_user.cpp — a 32-bit MMIO read of a device emulated in
// the VMM's user space: the HPET's general capabilities and ID register
// (offset 0, low half), at the address the ACPI "HPET" table gives, once per
// iteration. The MMIO counterpart of io_in (HyperBench's T_in for a memory
// mapped device): the read is a VM exit (EPT violation or misconfiguration
// on VT-x, nested page fault on SVM) that KVM decodes, finds no in-kernel
// device for, and completes through KVM_EXIT_MMIO in QEMU, which has the
// HPET model (KVM has none). Xen, by contrast, emulates the HPET in the
// hypervisor. The register is read-only, so reading it changes nothing.
// Compare with mmio_read_lapic (same exit, in-kernel device).
#include "kernel/benchmark.h"
#include "arch/x86_64/firmware.h"

namespace {

uintptr_t caps_reg;

template <typename T>
T table_field(uint64_t table, uint32_t offset) {
    T v;
    __builtin_memcpy(&v, reinterpret_cast<const void*>(table + offset), sizeof v);
    return v;
}

const char* mmio_read_user_init() {
    uint32_t length = 0;
    uint64_t table = hvb::x86::acpi_table("HPET", &length);
    if (table == 0) return "no ACPI HPET table";
    // The Base Address GAS: address space id at 40, 64-bit address at 44.
    if (length < 52) return "ACPI HPET table too short";
    if (table_field<uint8_t>(table, 40) != 0) return "HPET is not in system memory space";
    uint64_t base = table_field<uint64_t>(table, 44);
    // Identity-mapped, and uncached, only in the top GiB below 4 GiB.
    if (base < 0xC0000000u || base >= 0x100000000u) return "HPET outside the uncached MMIO window";
    uint32_t caps = *reinterpret_cast<volatile uint32_t*>(base);
    if (caps == 0 || caps == 0xFFFFFFFFu) return "HPET does not answer at its ACPI address";
    caps_reg = uintptr_t(base);
    return nullptr;
}

void mmio_read_user_loop(uint64_t n) {
    const uintptr_t reg = caps_reg;
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t v;
        asm volatile("movl (%1), %0" : "=r"(v) : "r"(reg));
    }
}

}  // namespace

HVB_BENCHMARK(mmio_read_user,
    .category = "io",
    .summary = "32-bit MMIO read of the HPET capabilities register (emulated in VMM user space)",
    .init = mmio_read_user_init,
    .benchmark = mmio_read_user_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 10000000);
