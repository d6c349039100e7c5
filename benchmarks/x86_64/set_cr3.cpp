// benchmarks/set_cr3.cpp — MOV to CR3 with the value it already holds: the
// address-space switch a guest kernel does on every context switch. Besides
// the instruction, it flushes the TLB (all but global entries), so the cost
// includes refilling them. VT-x exits on it only under "CR3-load
// exiting" (needed by shadow paging, off with EPT); SVM has a CR3-write
// intercept.
#include "kernel/benchmark.h"
#include "benchmarks/common/tlb_settle.h"
#include "arch/x86_64/cpu.h"

namespace {

uint64_t saved_cr3;

// The flush's cost depends on the size of the TLB it empties: the same
// start for every pass (benchmarks/common/tlb_settle.h).
const char* set_cr3_init() {
    saved_cr3 = hvb::x86::read_cr3();
    return hvb::settle_translation_caches();
}

// The value is loaded in the loop rather than once before it, so no MOV
// precedes the loop (the disassembly check looks for the first MOV); the
// control does the same load without the write.
uint64_t load_cr3() { return *static_cast<volatile uint64_t*>(&saved_cr3); }

void set_cr3_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("mov %0, %%cr3" ::"r"(load_cr3()) : "memory");
}

void set_cr3_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        (void)load_cr3();
        asm volatile("" ::: "memory");
    }
}

}  // namespace

HVB_BENCHMARK(set_cr3,
    .category = "privileged",
    .summary = "MOV to CR3 of its current value (flushes non-global TLB entries)",
    .init = set_cr3_init,
    .benchmark = set_cr3_loop,
    .control = set_cr3_control,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
