// benchmarks/cr8_read.cpp — MOV from CR8, the task-priority register (TPR)
// of the local APIC as seen from 64-bit mode. VT-x exits on it under
// "CR8-store exiting"; with "use TPR shadow" it reads the virtual APIC page
// instead and does not exit. SVM has a CR8-read intercept and, with virtual
// interrupt masking, a V_TPR field.
#include "kernel/benchmark.h"

namespace {

void cr8_read_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t tpr;
        asm volatile("mov %%cr8, %0" : "=r"(tpr));
    }
}

}  // namespace

HVB_BENCHMARK(cr8_read,
    .category = "privileged",
    .summary = "MOV from CR8 (task priority)",
    .benchmark = cr8_read_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
