// benchmarks/cpuid.cpp — CPUID: unconditionally intercepted under VT-x and
// SVM, so on a hardware hypervisor each one is a full VM exit and entry.
#include "kernel/benchmark.h"

namespace {

void cpuid_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t a = 0, b, c = 0, d;
        asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    }
}

}  // namespace

HVB_BENCHMARK(cpuid,
    .category = "privileged",
    .summary = "CPUID leaf 0 (always intercepted by VT-x/SVM)",
    .benchmark = cpuid_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
