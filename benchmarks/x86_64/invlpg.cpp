// benchmarks/invlpg.cpp — INVLPG of the page holding one kernel variable.
// Guest kernels issue it after changing a mapping. Under shadow paging the
// hypervisor must see it to keep its shadow tables in sync (VT-x "INVLPG
// exiting", SVM INVLPG intercept); with nested paging (EPT/NPT) it normally
// runs without an exit.
#include "kernel/benchmark.h"

namespace {

uint64_t invlpg_target;  // any mapped kernel data page will do

void invlpg_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("invlpg %0" ::"m"(invlpg_target) : "memory");
}

}  // namespace

HVB_BENCHMARK(invlpg,
    .category = "privileged",
    .summary = "INVLPG of one kernel data page",
    .benchmark = invlpg_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
