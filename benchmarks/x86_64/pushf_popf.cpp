// benchmarks/pushf_popf.cpp — PUSHF/POPF pairs (HyperBench Table 1). POPF is
// behaviour-sensitive: it silently ignores IF changes outside ring 0, which
// is why binary translators must rewrite it.
#include "kernel/benchmark.h"

namespace {

void pushf_popf_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("pushfq\n\tpopfq" ::: "memory", "cc");
}

}  // namespace

HVB_BENCHMARK(pushf_popf,
    .category = "unprivileged",
    .summary = "PUSHFQ then POPFQ on the current stack",
    .benchmark = pushf_popf_loop,
    .control = hvb::empty_loop,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
