// benchmarks/selftest_faults.cpp — benchmarks that fault on purpose, to prove
// that a CPU exception inside a benchmark becomes its `faulted` result and
// the suite goes on. Opt-in: run with only=selftest.
#include "kernel/benchmark.h"
#include "posih/interrupt.h"

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

void ud2_once(void*) { asm volatile("ud2"); }

// A guard inside init catches its own #UD; the runner's guard around init
// must still be armed afterwards and catch the next one.
const char* nested_guard_init() {
    hvb::CpuFault inner{};
    if (hvb::guarded_call(ud2_once, nullptr, &inner) || inner.number != 6) return "inner guard did not catch #UD";
    asm volatile("ud2");
    return "the #UD after the inner guard was not caught";
}

}  // namespace

HVB_BENCHMARK(selftest_nested_guard,
    .category = "selftest",
    .summary = "#UD caught by a guard inside init, then #UD in init: must be faulted in init",
    .init = nested_guard_init,
    .benchmark = hvb::empty_loop,
    .control = hvb::empty_loop,
    .iterations = 1,
    .min_iterations = 1,
    .max_iterations = 1,
    .flags = hvb::kFlagOptIn);

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
