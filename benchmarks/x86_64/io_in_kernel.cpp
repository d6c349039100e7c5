// benchmarks/io_in_kernel.cpp — IN from a device the hypervisor emulates in
// its kernel: one INB of the master 8259 PIC's interrupt mask register
// (port 0x21) per iteration. Compare with io_in: the VM exit is the same,
// but with QEMU/KVM's default in-kernel irqchip (kernel-irqchip=on) KVM's
// own PIC model answers without leaving the host kernel, so the difference
// is the cost of the trip to user space. (With kernel-irqchip=split or off,
// and under TCG, QEMU handles it; Xen emulates the PIC in the hypervisor.)
// Harmless: hvbench masks both PICs at boot, and a read of port 0x21 always
// returns the IMR, whatever OCW3 selected, without changing any state. The
// PIT (0x40) would also be in-kernel, but reading it latches and toggles
// the lo/hi byte flip-flop.
#include "kernel/benchmark.h"

namespace {

constexpr uint16_t kPicMasterImr = 0x21;

void io_in_kernel_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint8_t v;
        asm volatile("inb %w1, %0" : "=a"(v) : "Nd"(kPicMasterImr));
    }
}

}  // namespace

HVB_BENCHMARK(io_in_kernel,
    .category = "io",
    .summary = "INB of the master PIC's mask register (0x21), emulated in the host kernel by KVM",
    .benchmark = io_in_kernel_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 10000000);
