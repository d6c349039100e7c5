// benchmarks/lldt.cpp — LLDT reloads the LDT register with the selector it
// already holds (hvbench uses no LDT, so this is the null selector, which is
// legal and marks the LDT unused). It is privileged (#GP outside CPL 0). VT-x
// makes it exit only under "descriptor-table exiting", SVM under its
// LDTR-write intercept.
#include "kernel/benchmark.h"

namespace {

uint16_t saved_ldtr;

const char* lldt_init() {
    asm volatile("sldt %0" : "=m"(saved_ldtr));
    return nullptr;
}

void lldt_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("lldt %0" ::"m"(saved_ldtr) : "memory");
}

}  // namespace

HVB_BENCHMARK(lldt,
    .category = "privileged",
    .summary = "LLDT of the current LDT selector (saved with SLDT in init; null here)",
    .init = lldt_init,
    .benchmark = lldt_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
