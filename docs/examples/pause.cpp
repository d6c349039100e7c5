// pause.cpp — PAUSE, the spin-wait hint. Hypervisors watch for guests that
// spin: VT-x "PAUSE-loop exiting" and SVM's PAUSE filter make a vCPU that
// executes PAUSE many times in a short window exit, so the host can run the
// lock holder instead. A tight loop of PAUSEs shows whether (and how often)
// this hypervisor steps in. This file is the example of
// docs/adding-a-benchmark.md; the build.drop-in test builds it in.
#include "kernel/benchmark.h"

namespace {

void pause_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) asm volatile("pause" ::: "memory");
}

}  // namespace

HVB_BENCHMARK(pause,
    .category = "unprivileged",
    .summary = "PAUSE spin-wait hint (PAUSE-loop exiting on VT-x, PAUSE filter on SVM)",
    .benchmark = pause_loop,
    .control = hvb::empty_loop,
    .iterations = 100000,
    .min_iterations = 1000,
    .max_iterations = 10000000);
