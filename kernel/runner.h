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
    uint64_t empty_loop_iterations;  // the yardstick's empty loop (about a tenth of loop_target)
};
const MeasurementMethod& measurement_init(const Options& opts);

// Fills the method fields of a header record (after measurement_init).
void describe_method(const Options& opts, HeaderRecord& h);

struct RunTotals {
    uint32_t counts[kStatusCount];
};

// Runs the selected benchmarks in round-robin passes: in each, per
// benchmark, needs check (pass 1), init, measurement (kernel/measure.h;
// the count calibrated in pass 1 and kept) of {control, benchmark} with
// interrupts off, cleanup; a begin and a pass record (through `out`) for
// each, and a yardstick record per pass. After the last pass, the headline
// of each (kernel/estimate.h) in its result record. With linearity=1, each
// benchmark is then measured at N, 10N and 100N iterations as well.
RunTotals run_benchmarks(const Benchmark* const* list, size_t count, const Options& opts, Sink out);

}  // namespace hvb
