// kernel/measure.h — how one benchmark is measured (docs/measurement.md):
// the iteration count grows until one timed loop is long against the
// timer's own cost and noise, then repetitions of {control, benchmark} run
// until the median's confidence interval is within the target or the time
// budget is spent. Repetitions in which a loop ran far longer than usual
// (a long gap: an interrupt, an SMI, the vCPU descheduled) are discarded.
//
// Portable and host-tested: the loops and the clock come in as hooks.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/verdict.h"
#include "posih/stats.h"

namespace hvb {

inline constexpr uint32_t kMaxSamples = 1000;  // repetitions kept per measurement
// A first (untimed) benchmark loop at the range's bottom that lasts this
// many loop targets ends calibration: no count can be smaller.
inline constexpr uint64_t kWarmEnoughFactor = 10;
// Repetitions run whatever the budget says: the median of fewer is one
// sample's luck.
inline constexpr uint32_t kMinRepsAlways = 3;
// Long-gap rule: a timed loop is an outlier when it lasts longer than its
// kind's median + kGapMads x max(MAD, median / 100).
inline constexpr int64_t kGapMads = 10;
inline constexpr const char kOutlierRule[] = "loop > its kind's median + 10 x max(MAD, 1%): dropped from the typical cost";

struct MeasureHooks {
    void* ctx;
    // One loop of `iterations` (the benchmark's, or its control) between two
    // serialized timer reads; returns the cycles between them.
    uint64_t (*timed_loop)(void* ctx, bool benchmark, uint64_t iterations);
    // The same loop, untimed (warm-up).
    void (*warm_loop)(void* ctx, bool benchmark, uint64_t iterations);
    // A cycle clock for the budget.
    uint64_t (*now)(void* ctx);
    // Interrupts taken so far on this CPU; may be null.
    uint64_t (*interrupts)(void* ctx);
    // A timed benchmark loop during calibration; null: timed_loop. (The
    // runner's differs only in sending no external-timing markers, which
    // the host pairs up as {control, benchmark}.)
    uint64_t (*calibration_loop)(void* ctx, uint64_t iterations) = nullptr;
};

struct MeasureConfig {
    uint64_t iterations = 1;  // the fixed count (calibration starts at min_iterations)
    bool fixed_iterations = false;
    uint64_t min_iterations = 1, max_iterations = 1;
    uint64_t loop_target = 0;  // cycles one timed benchmark loop should last
    uint64_t timer_cost = 0;   // cycles a timed call adds by itself
    uint32_t reps = 0;         // the fixed count, when fixed_reps
    bool fixed_reps = false;
    uint32_t min_reps = kMinCiSamples, max_reps = kMaxSamples;
    uint32_t target_permille = 10;   // CI half-width target: 1% of the median...
    int64_t target_min_milli = kTargetFloorMilli;  // ...or 1 cycle, whichever is larger
    uint64_t budget = 0;              // cycles for the whole measurement
    // One pass of the suite (kernel/runner.cpp): repetitions run until the
    // budget is spent (no stopping at the target; the estimate is made over
    // all passes), at least min_reps_always of them, with no warm-up when
    // `warm` is false (the estimator ignores a slow first repetition).
    bool spend_budget = false;
    uint32_t min_reps_always = kMinRepsAlways;
    bool warm = true;
};

struct MeasureSamples {
    uint64_t control[kMaxSamples];
    uint64_t bench[kMaxSamples];
    int64_t cost[kMaxSamples];  // millicycles per iteration
    bool gap[kMaxSamples];
    int64_t kept_cost[kMaxSamples];
    int64_t kept_control[kMaxSamples];  // cycles of the whole loop
    int64_t scratch[kMaxSamples];  // summarize, mark_long_gaps: n each
};

struct MeasureResult {
    uint64_t iterations = 0;
    uint32_t calibration_loops = 0;
    uint32_t samples = 0;      // repetitions run (s.control/s.bench[0, samples))
    uint32_t repetitions = 0;  // kept
    uint32_t outliers = 0;     // discarded by the long-gap rule
    Summary cost{};            // millicycles per iteration, over the kept ones
    int64_t control_median = 0;  // millicycles per iteration of the control loop
    bool has_ci = false;
    int64_t ci_low = 0, ci_high = 0;
    bool target_met = false;
    uint64_t interrupts = 0;  // taken during the repetitions
    uint64_t elapsed = 0;     // cycles, calibration included
    uint32_t evaluations = 0;  // checkpoints: times the interval was computed
};

void measure(const MeasureConfig& cfg, const MeasureHooks& hooks, MeasureSamples& s, MeasureResult& out);

// Calibration: from `start`, times one loop of n iterations (time(ctx, n),
// the timer's own cost `timer_cost` removed) and grows n with
// next_calibration_count until a loop lasts `target` cycles or n reaches
// `max`; returns n. *loops (may be null) counts the timed loops. The caller
// warms the loop up first.
uint64_t calibrate_count(uint64_t start, uint64_t max, uint64_t target, uint64_t timer_cost,
                         uint64_t (*time)(void* ctx, uint64_t iterations), void* ctx, uint32_t* loops);

// The next calibration count after a benchmark loop of n iterations lasted
// `elapsed` cycles (timer cost removed): aims 25% past `target`, grows at
// least 2x and at most 100x, never past max_iterations.
uint64_t next_calibration_count(uint64_t n, uint64_t elapsed, uint64_t target, uint64_t max_iterations);

// The host's pace, read from the timer call's own cost: measured again after
// every benchmark and compared with the lowest seen in this VM (boot
// included). A call dearer by more than kTimerDriftPermille, and by more
// than kTimerDriftMads x the boot MAD, means the host slowed (a host that
// changes speed in phases, as a shared cloud VM does, made the call
// 1.4-1.8x dearer and the benchmarks 2-2.5x in its slow phases) and the
// result is noisy. *permille gets the drift.
inline constexpr uint64_t kTimerDriftMads = 3;
bool timer_drifted(uint64_t now, uint64_t floor, uint64_t mad, int64_t* permille);

// within_target and second_look_agrees: kernel/verdict.h.

// Marks loops[i] as a gap (gap[i] = true; earlier marks are kept) when it
// exceeds the long-gap threshold; returns how many it marked now. `scratch`
// holds n.
size_t mark_long_gaps(const uint64_t* loops, size_t n, bool* gap, int64_t* scratch);
// The same, given `sorted`: the loops (as int64) in ascending order.
size_t mark_long_gaps_sorted(const uint64_t* loops, const int64_t* sorted, size_t n, bool* gap);

}  // namespace hvb
