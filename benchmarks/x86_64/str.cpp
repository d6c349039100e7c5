// benchmarks/str.cpp — STR stores the task-register selector (TR) to memory.
// It is sensitive but unprivileged (HyperBench Table 1): any CPL may run it
// unless CR4.UMIP is set. VT-x makes it exit only under "descriptor-table
// exiting" (SGDT, SIDT, SLDT, STR, LGDT, LIDT, LLDT, LTR); otherwise it runs
// natively and sees the guest's own value.
#include "kernel/benchmark.h"

namespace {

void str_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint16_t selector;
        asm volatile("str %0" : "=m"(selector));
    }
}

}  // namespace

HVB_BENCHMARK(str,
    .category = "unprivileged",
    .summary = "STR of the task-register selector (TR) to a stack slot",
    .benchmark = str_loop,
    .control = hvb::empty_loop,
    .iterations = 100000,
    .min_iterations = 1,
    .max_iterations = 10000000);
