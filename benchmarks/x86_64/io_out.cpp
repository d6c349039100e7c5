// benchmarks/io_out.cpp — OUT: one OUTB of a character to COM2's scratch
// register (port 0x2FF) per iteration. HyperBench's T_out cost term: like
// IN, port output is intercepted by VT-x/SVM, and on QEMU/KVM (and Xen HVM,
// through its ioreq server) the UART is emulated in QEMU's user space, so
// each write is a VM exit plus a round trip to user space. The scratch
// register, not THR, so nothing is transmitted and no FIFO fills up: the
// cost is the exit path and a trivial register store, never back pressure.
// COM2, never COM1 (the result stream). Without a second -serial option
// QEMU has no COM2: the write goes to an unclaimed port and is dropped, but
// it still exits to QEMU's user space, so the same path is measured.
#include "kernel/benchmark.h"

namespace {

constexpr uint16_t kCom2Scratch = 0x2FF;

void io_out_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        asm volatile("outb %b0, %w1" ::"a"(uint8_t('H')), "Nd"(kCom2Scratch));
    }
}

}  // namespace

HVB_BENCHMARK(io_out,
    .category = "io",
    .summary = "OUTB to COM2's scratch register (0x2FF), emulated in VMM user space",
    .benchmark = io_out_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 10000000);
