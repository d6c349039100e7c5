// kernel/estimate.h — the headline figure of a benchmark from all its
// repetitions, gathered over the suite's passes (docs/measurement.md
// "The headline"). On a shared host timing noise only adds time, and the
// host runs the vCPU at one of two speeds in phases of seconds; so the
// headline is a low quantile (p10) of the per-repetition costs
// (B_i - C_i) / n, the uncontended cost, with a distribution-free 95%
// interval of that quantile that says how well the low end is populated.
// The median stays as the "typical" cost, with its own interval.
//
// Portable and host-tested (tests/unit/estimate_test.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/verdict.h"
#include "posih/stats.h"

namespace hvb {

// The spread shown for every result: p10 / p50 / p90.
inline constexpr uint32_t kSpreadHighPermille = 900;
// The headline is established when nothing cheaper lies below it (its
// interval's lower end within kHeadlineTolFactor (kernel/verdict.h) x the target, default 1%:
// 3%, the repeatability asked of TCG across fresh VMs, or 3 target floors)
// and the low end (benchmark loops within that tolerance of the p10) came
// from at least kSupportingPasses passes; where fewer than kPassesForSupport
// passes ran, the interval's upper end within the tolerance does instead.
inline constexpr uint32_t kPassesForSupport = 3;
inline constexpr uint32_t kSupportingPasses = 2;
inline constexpr const char kEstimatorName[] = "(p10(B) - p10(C)) / n over all passes";

struct EstimateInput {
    const uint64_t* control;  // cycles of each repetition's control loop
    const uint64_t* bench;    // ...and of its benchmark loop
    const uint8_t* pass;      // the pass each repetition ran in (0-based)
    uint32_t n;               // repetitions
    uint64_t iterations;      // per loop, the same in every pass
    uint32_t passes_run;      // passes this benchmark took part in
    uint32_t target_permille;
    int64_t target_min_milli;
};

struct Estimate {
    uint32_t kept = 0, outliers = 0;  // for the typical cost: kept / discarded (long gaps)
    // Headline (millicycles per iteration) and its interval [low, high]:
    // the benchmark loop's p10 interval less the control's p10; low_open:
    // too few samples for a lower end (low is then the minimum's).
    int64_t headline = 0;
    bool has_interval = false, low_open = false;
    int64_t low = 0, high = 0;
    int64_t p50 = 0, p90 = 0;
    // Typical: the median, with its 95% interval.
    Summary cost{};
    bool has_ci = false;
    int64_t ci_low = 0, ci_high = 0;
    int64_t control_median = 0;  // millicycles per iteration
    uint32_t supporting_passes = 0;  // passes with a benchmark loop within the tolerance of the p10
    bool noisy = false;
    const char* cause = "";  // why noisy; "" when not
};

// scratch: 3 n int64_t; gap: n bools.
void estimate(const EstimateInput& in, int64_t* scratch, bool* gap, Estimate& out);

// The headline's tolerance is headline_tolerance (kernel/verdict.h);
// estimate() widens it to the target's share of the benchmark loop's time
// per iteration where that is larger (what the loops themselves resolve).

}  // namespace hvb
