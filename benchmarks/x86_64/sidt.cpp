// benchmarks/sidt.cpp — SIDT stores the IDTR (limit and base) to memory.
// It is sensitive but unprivileged (HyperBench Table 1): any CPL may run it
// unless CR4.UMIP is set, so a guest can read the real table's address. VT-x
// makes it exit only under "descriptor-table exiting" (LGDT, LIDT, LLDT, LTR,
// SGDT, SIDT, SLDT, STR); otherwise it runs natively.
#include "kernel/benchmark.h"

namespace {

struct [[gnu::packed]] DescriptorTablePointer {
    uint16_t limit;
    uint64_t base;
};

void sidt_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        DescriptorTablePointer p;
        asm volatile("sidt %0" : "=m"(p));
    }
}

}  // namespace

HVB_BENCHMARK(sidt,
    .category = "unprivileged",
    .summary = "SIDT of the IDTR to a stack slot",
    .benchmark = sidt_loop,
    .control = hvb::empty_loop,
    .iterations = 100000,
    .min_iterations = 1,
    .max_iterations = 10000000);
