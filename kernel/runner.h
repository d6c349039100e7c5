// kernel/runner.h — runs the selected benchmarks and streams their records.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/benchmark.h"
#include "kernel/options.h"
#include "kernel/record.h"

namespace hvb {

inline constexpr uint32_t kDefaultReps = 11;  // odd, so the median is one sample
inline constexpr uint32_t kMaxReps = Options::kMaxReps;

struct RunTotals {
    uint32_t counts[kStatusCount];
};

// Runs each benchmark in order: needs check, init, warm-up, `reps` pairs of
// {control, benchmark} with interrupts off, cleanup; writes a begin and a
// result record (through `out`) for each before starting the next.
RunTotals run_benchmarks(const Benchmark* const* list, size_t count, const Options& opts, Sink out);

}  // namespace hvb
