// benchmarks/smsw.cpp — SMSW stores the low 16 bits of CR0 (the machine
// status word) to memory. It is sensitive but unprivileged (HyperBench
// Table 1): any CPL may run it unless CR4.UMIP is set, and it reveals CR0.PE,
// MP, EM, TS. VT-x has no exit for it: bits the hypervisor owns through the
// CR0 guest/host mask read from the CR0 read shadow instead.
#include "kernel/benchmark.h"

namespace {

void smsw_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint16_t msw;
        asm volatile("smsw %0" : "=m"(msw));
    }
}

}  // namespace

HVB_BENCHMARK(smsw,
    .category = "unprivileged",
    .summary = "SMSW (CR0 bits 15:0) to a stack slot",
    .benchmark = smsw_loop,
    .control = hvb::empty_loop,
    .iterations = 100000,
    .min_iterations = 1,
    .max_iterations = 10000000);
