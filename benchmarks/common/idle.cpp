// benchmarks/idle.cpp — HyperBench's Idle (Table 1): nothing between two
// back-to-back timer reads. Benchmark and control are the same empty loop, so
// the result is the timer's own noise and should be about zero; its spread
// tells how far the other results can be trusted (paper section 5.2).
#include "kernel/benchmark.h"

HVB_BENCHMARK(idle,
    .category = "idle",
    .summary = "two back-to-back timer reads around an empty loop (ideally 0)",
    .benchmark = hvb::empty_loop,
    .control = hvb::empty_loop,
    .iterations = 10,
    .min_iterations = 1,
    .max_iterations = 1000000);
