// benchmarks/aarch64/mmio_read_user.cpp — a 32-bit read of the first
// virtio-mmio device's MagicValue register (offset 0, "virt"), once per
// iteration. Under KVM the access is a stage-2 fault that KVM finds no
// in-kernel device for and completes through KVM_EXIT_MMIO in QEMU: the exit
// to the VMM's user space. Read-only, so reading changes nothing. x86
// counterpart: mmio_read_user (the HPET).
#include "arch/aarch64/platform.h"
#include "kernel/benchmark.h"

namespace {

constexpr uint32_t kVirtioMagic = 0x74726976;  // "virt", virtio v1.1 4.2.2
uintptr_t magic_reg;

const char* mmio_read_user_init() {
    const hvb::DtbInfo& dt = hvb::arm::platform().dt;
    if (dt.virtio_count == 0) return "no virtio-mmio device in the device tree";
    const uintptr_t reg = uintptr_t(dt.virtio[0].base);
    if (*reinterpret_cast<volatile uint32_t*>(reg) != kVirtioMagic) return "virtio-mmio slot without its magic value";
    magic_reg = reg;
    return nullptr;
}

void mmio_read_user_loop(uint64_t n) {
    const uintptr_t reg = magic_reg;
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t v;
        asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(reg) : "memory");
    }
}

}  // namespace

HVB_BENCHMARK(mmio_read_user,
    .category = "io",
    .summary = "32-bit read of a virtio-mmio MagicValue register (emulated in VMM user space)",
    .init = mmio_read_user_init,
    .benchmark = mmio_read_user_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 10000000);
