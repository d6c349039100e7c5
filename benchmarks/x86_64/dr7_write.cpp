// benchmarks/dr7_write.cpp — MOV to DR7 (the debug-control register) with
// the value it already holds. Guest kernels write DR7 when switching to and
// from a debugged task. VT-x exits on it under "MOV-DR exiting", SVM under
// its DR7-write intercept. A hypervisor may stop intercepting once it has
// handed the debug registers to the guest (KVM does so after the first
// access), so the cost can be native.
#include "kernel/benchmark.h"

namespace {

uint64_t saved_dr7;

const char* dr7_write_init() {
    asm volatile("mov %%dr7, %0" : "=r"(saved_dr7));
    return nullptr;
}

// The value is loaded in the loop rather than once before it, so no MOV
// precedes the loop (the disassembly check looks for the first MOV); the
// control does the same load without the write.
uint64_t load_dr7() { return *static_cast<volatile uint64_t*>(&saved_dr7); }

void dr7_write_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("mov %0, %%dr7" ::"r"(load_dr7()) : "memory");
}

void dr7_write_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        (void)load_dr7();
        asm volatile("" ::: "memory");
    }
}

}  // namespace

HVB_BENCHMARK(dr7_write,
    .category = "privileged",
    .summary = "MOV to DR7 of its current value",
    .init = dr7_write_init,
    .benchmark = dr7_write_loop,
    .control = dr7_write_control,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
