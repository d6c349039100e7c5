// benchmarks/io_in.cpp — IN: one INB from COM2's line status register
// (port 0x2FD) per iteration, the polling read a serial driver spins on.
// This is HyperBench's T_in cost term: port I/O is intercepted by VT-x/SVM
// (I/O bitmap or unconditional I/O exiting), and on QEMU/KVM the serial port
// lives in QEMU, so each read is a VM exit, a return from KVM_RUN to user
// space, QEMU's device model, and re-entry. Xen HVM forwards it to the
// device model (QEMU) through an ioreq in the same way.
// COM2, never COM1: COM1 carries the result stream. QEMU has a COM2 only
// with a second -serial option; without one the port is unclaimed and reads
// 0xFF, but the access still exits to QEMU's user space (which answers it
// from its unassigned-I/O handler), so what is measured is the same path
// minus the UART model. Reading the LSR only clears latched error bits.
#include "kernel/benchmark.h"

namespace {

constexpr uint16_t kCom2Lsr = 0x2FD;

void io_in_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint8_t v;
        asm volatile("inb %w1, %0" : "=a"(v) : "Nd"(kCom2Lsr));
    }
}

}  // namespace

HVB_BENCHMARK(io_in,
    .category = "io",
    .summary = "INB from COM2's line status register (0x2FD), emulated in VMM user space",
    .benchmark = io_in_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 10000000);
