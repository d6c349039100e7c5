// benchmarks/lidt.cpp — LIDT reloads the IDTR with the value it already
// holds. It is privileged (#GP outside CPL 0). VT-x makes it exit only under
// "descriptor-table exiting" and SVM under its IDTR-write intercept; a
// hypervisor that shadows the descriptor tables (binary translation) must
// catch every load.
#include "kernel/benchmark.h"

namespace {

struct [[gnu::packed]] DescriptorTablePointer {
    uint16_t limit;
    uint64_t base;
};

DescriptorTablePointer saved_idtr;

const char* lidt_init() {
    asm volatile("sidt %0" : "=m"(saved_idtr));
    return nullptr;
}

void lidt_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("lidt %0" ::"m"(saved_idtr) : "memory");
}

}  // namespace

HVB_BENCHMARK(lidt,
    .category = "privileged",
    .summary = "LIDT of the current IDTR (saved with SIDT in init)",
    .init = lidt_init,
    .benchmark = lidt_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
