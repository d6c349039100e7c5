// benchmarks/lgdt.cpp — LGDT reloads the GDTR with the value it already
// holds. It is privileged (#GP outside CPL 0). VT-x makes it exit only under
// "descriptor-table exiting" and SVM under its GDTR-write intercept; a
// hypervisor that shadows the descriptor tables (binary translation) must
// catch every load.
#include "kernel/benchmark.h"

namespace {

struct [[gnu::packed]] DescriptorTablePointer {
    uint16_t limit;
    uint64_t base;
};

DescriptorTablePointer saved_gdtr;

const char* lgdt_init() {
    asm volatile("sgdt %0" : "=m"(saved_gdtr));
    return nullptr;
}

void lgdt_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("lgdt %0" ::"m"(saved_gdtr) : "memory");
}

}  // namespace

HVB_BENCHMARK(lgdt,
    .category = "privileged",
    .summary = "LGDT of the current GDTR (saved with SGDT in init)",
    .init = lgdt_init,
    .benchmark = lgdt_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
