// benchmarks/cr8_write.cpp — MOV to CR8, the task-priority register (TPR) of
// the local APIC as seen from 64-bit mode, with the value it already holds
// (0 in hvbench). Guest kernels raise and lower the TPR around critical
// sections. VT-x exits on it under "CR8-load exiting"; with "use TPR shadow"
// it writes the virtual APIC page and exits only when the new TPR drops below
// the TPR threshold. SVM has a CR8-write intercept.
#include "kernel/benchmark.h"

namespace {

uint64_t saved_cr8;

const char* cr8_write_init() {
    asm volatile("mov %%cr8, %0" : "=r"(saved_cr8));
    return nullptr;
}

// The value is loaded in the loop rather than once before it, so no MOV
// precedes the loop (the disassembly check looks for the first MOV); the
// control does the same load without the write.
uint64_t load_cr8() { return *static_cast<volatile uint64_t*>(&saved_cr8); }

void cr8_write_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("mov %0, %%cr8" ::"r"(load_cr8()) : "memory");
}

void cr8_write_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        (void)load_cr8();
        asm volatile("" ::: "memory");
    }
}

}  // namespace

HVB_BENCHMARK(cr8_write,
    .category = "privileged",
    .summary = "MOV to CR8 of its current value (task priority, 0 here)",
    .init = cr8_write_init,
    .benchmark = cr8_write_loop,
    .control = cr8_write_control,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
