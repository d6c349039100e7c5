// benchmarks/selftest_faults.cpp — benchmarks that fault on purpose, to prove
// that a CPU exception inside a benchmark becomes its `faulted` result and
// the suite goes on. Opt-in: run with only=selftest.
#include "kernel/benchmark.h"

namespace {

void undefined_opcode(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("ud2");
}

// A load through a non-canonical address raises #GP(0) (Intel SDM vol. 1,
// 3.3.7.1), not a page fault.
void non_canonical_load(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t value;
        asm volatile("movq (%1), %0" : "=r"(value) : "r"(0x8000000000000000ull) : "memory");
    }
}

}  // namespace

HVB_BENCHMARK(selftest_ud,
    .category = "selftest",
    .summary = "UD2: must be reported as faulted with #UD",
    .benchmark = undefined_opcode,
    .control = hvb::empty_loop,
    .iterations = 1,
    .min_iterations = 1,
    .max_iterations = 1,
    .flags = hvb::kFlagOptIn);

HVB_BENCHMARK(selftest_gp,
    .category = "selftest",
    .summary = "load from a non-canonical address: must be reported as faulted with #GP",
    .benchmark = non_canonical_load,
    .control = hvb::empty_loop,
    .iterations = 1,
    .min_iterations = 1,
    .max_iterations = 1,
    .flags = hvb::kFlagOptIn);
