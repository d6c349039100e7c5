// benchmarks/rdtscp.cpp — RDTSCP: the TSC plus IA32_TSC_AUX, after all
// earlier instructions have executed. Under VT-x it raises #UD unless the
// hypervisor sets "enable RDTSCP", and exits only together with "RDTSC
// exiting"; SVM has a separate RDTSCP intercept.
#include "kernel/benchmark.h"

namespace {

void rdtscp_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t lo, hi, aux;
        asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
    }
}

}  // namespace

HVB_BENCHMARK(rdtscp,
    .category = "privileged",
    .summary = "RDTSCP (TSC and TSC_AUX) without fences",
    .benchmark = rdtscp_loop,
    .control = hvb::empty_loop,
    .iterations = 100000,
    .min_iterations = 1,
    .max_iterations = 10000000,
    .needs = hvb::kNeedRdtscp);
