// benchmarks/io_print.cpp — HyperBench's Print: one REP OUTSB of a fixed
// 64-byte string to COM2's scratch register (port 0x2FF) per iteration.
// String port I/O is intercepted like OUT (HyperBench T_out), but how often
// it exits is the VMM's choice: KVM emulates REP OUTS one element at a time
// (only REP INS reads ahead in batches), so with QEMU's UART in user space
// every byte is a full exit to QEMU; Xen's ioreq can carry a whole REP batch
// to its device model at once; TCG's helper loops byte by byte in-process.
// One string per iteration: cost per iteration / 64 is the per-byte cost.
// The scratch register takes the bytes without transmitting anything; COM2,
// never COM1 (the result stream). Without COM2 (no second -serial) the port
// is unclaimed: the bytes are dropped by QEMU, after the same exit.
#include "kernel/benchmark.h"

#include <stddef.h>

namespace {

constexpr uint16_t kCom2Scratch = 0x2FF;
constexpr char kText[] = "hvbench io_print: HyperBench Print, 64 bytes through REP OUTSB\r\n";
static_assert(sizeof kText - 1 == 64);

void io_print_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        const char* p = kText;
        size_t count = sizeof kText - 1;
        asm volatile("rep outsb" : "+S"(p), "+c"(count) : "d"(kCom2Scratch), "m"(kText));
    }
}

}  // namespace

HVB_BENCHMARK(io_print,
    .category = "io",
    .summary = "REP OUTSB of a 64-byte string to COM2's scratch register (0x2FF), one string per iteration",
    .benchmark = io_print_loop,
    .control = hvb::empty_loop,
    .iterations = 10,
    .min_iterations = 1,
    .max_iterations = 1000);
