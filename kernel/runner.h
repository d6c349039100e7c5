// kernel/runner.h — runs the selected benchmarks and streams their records.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/benchmark.h"
#include "kernel/options.h"
#include "kernel/record.h"
#include "kernel/verdict.h"

namespace hvb {

inline constexpr uint32_t kMaxReps = Options::kMaxReps;

// The loop-length rule of adaptive iterations (docs/measurement.md): one
// timed benchmark loop lasts at least kTimerCostFactor x the timer's own
// cost, kTimerMadFactor x its MAD, and loop_us= (Options::min_loop_us).
inline constexpr uint64_t kTimerCostFactor = 100;
inline constexpr uint64_t kTimerMadFactor = 1000;

// What the timer costs here and how measurements will be made; probed once
// at boot by measurement_init (interrupts off).
struct MeasurementMethod {
    uint64_t timer_cost, timer_mad;  // cycles, an empty serialized timed call
    uint64_t counter_read;           // cycles, one raw counter read
    bool counter_intercepted;
    bool smi_counter;
    uint64_t loop_target;            // cycles
    uint64_t budget;                 // cycles per benchmark
    bool speed_check;                // the empty loop is a usable yardstick here
    int64_t speed_mad_permille;      // its spread at boot
};
const MeasurementMethod& measurement_init(const Options& opts);

// Fills the method fields of a header record (after measurement_init).
void describe_method(const Options& opts, HeaderRecord& h);

// The speed check (kSpeedTolerancePermille, kernel/verdict.h) applies
// provided the empty loop's cost is stable at boot: MAD of nine loops
// within this (permille of the median); and its count is at least
// kSpeedMinIterations (below, call overhead is a visible part of it).
inline constexpr int64_t kSpeedStablePermille = 20;
inline constexpr uint64_t kSpeedMinIterations = 100;

struct RunTotals {
    uint32_t counts[kStatusCount];
};

// Runs each benchmark in order: needs check, init, adaptive measurement
// (kernel/measure.h) of {control, benchmark} with interrupts off, cleanup;
// writes a begin and a result record (through `out`) for each before
// starting the next. With linearity=1, each benchmark is measured at N, 10N
// and 100N iterations, init to cleanup each time.
RunTotals run_benchmarks(const Benchmark* const* list, size_t count, const Options& opts, Sink out);

}  // namespace hvb
