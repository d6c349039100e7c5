// kernel/estimate.cpp — the headline estimator (kernel/estimate.h).
#include "kernel/estimate.h"

#include "kernel/measure.h"

namespace hvb {

namespace {
// The q-quantile of `values` (n of them), by sorting a copy into `sorted`.
int64_t quantile_of(const uint64_t* values, uint32_t n, int64_t* sorted, uint32_t q_permille) {
    for (uint32_t i = 0; i < n; ++i) sorted[i] = saturate_i64(values[i]);
    sort_i64(sorted, n);
    return sorted[quantile_index(n, q_permille)];
}
}  // namespace

void estimate(const EstimateInput& in, int64_t* scratch, bool* gap, Estimate& out) {
    out = Estimate{};
    const uint32_t n = in.n;
    if (n == 0) {
        out.noisy = true;
        out.cause = "no repetitions";
        return;
    }
    // Headline: low quantiles of the two loops taken separately. Noise on
    // a shared host only adds time; a low quantile of each loop ignores it
    // wherever it falls, where the p10 of the paired differences would
    // prefer a repetition whose *control* was interrupted (too small a
    // difference).
    int64_t* bench = scratch;       // sorted benchmark loops
    int64_t* control = scratch + n;  // sorted control loops
    const int64_t c10 = quantile_of(in.control, n, control, kHeadlinePermille);
    const int64_t b10 = quantile_of(in.bench, n, bench, kHeadlinePermille);
    out.headline = per_iteration_milli(uint64_t(b10), uint64_t(c10), in.iterations);
    // Its interval: the order-statistic interval of the benchmark loop's
    // p10 (the control loop, far cheaper, moves it far less), so its upper
    // end says whether the low end is populated: with too few fast
    // repetitions it reaches into the slow ones.
    size_t lo, hi;
    bool open = false;
    if (quantile_ci_ranks(n, kHeadlinePermille, &lo, &hi, &open)) {
        out.has_interval = true;
        out.low_open = open;
        out.low = per_iteration_milli(uint64_t(bench[lo]), uint64_t(c10), in.iterations);
        out.high = per_iteration_milli(uint64_t(bench[hi]), uint64_t(c10), in.iterations);
    }
    // Passes that reached the low end: a benchmark loop within the
    // tolerance of the p10 (in loop cycles).
    int64_t tol = headline_tolerance(out.headline, in.target_permille, in.target_min_milli);
    // Nor finer than the loops themselves resolve: the target's share of the
    // benchmark loop's own time per iteration (idle under the nested KVM
    // here: 1% of a 4,900-cycle iteration, where the 3-cycle floor flagged
    // every VM for a spread of +-100 cycles around 0).
    const int64_t loop_milli = per_iteration_milli(uint64_t(b10), 0, in.iterations);
    const int64_t resolution = loop_milli / 1000 * int64_t(in.target_permille);
    if (resolution > tol) tol = resolution;
    const int64_t reach = b10 + int64_t(uint64_t(tol) / 1000 * in.iterations + uint64_t(tol) % 1000 * in.iterations / 1000);
    uint64_t seen = 0;  // a bit per pass (passes beyond 63 share the top bit)
    for (uint32_t i = 0; i < n; ++i)
        if (saturate_i64(in.bench[i]) <= reach) seen |= 1ull << (in.pass[i] < 63 ? in.pass[i] : 63);
    for (; seen; seen &= seen - 1) ++out.supporting_passes;
    const int64_t cm = median_sorted(control, n);
    out.control_median = per_iteration_milli(uint64_t(cm < 0 ? 0 : cm), 0, in.iterations);

    // Typical: the median of the paired costs, after the long-gap rule of
    // kernel/measure.h, with its interval; and the spread p50 / p90.
    for (uint32_t i = 0; i < n; ++i) gap[i] = false;
    mark_long_gaps_sorted(in.control, control, n, gap);
    mark_long_gaps_sorted(in.bench, bench, n, gap);
    int64_t* cost = scratch + 2 * n;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; ++i)
        if (!gap[i]) cost[k++] = per_iteration_milli(in.bench[i], in.control[i], in.iterations);
    out.kept = k;
    out.outliers = n - k;
    out.cost = summarize(cost, k, scratch);  // leaves the sorted costs in scratch[0, k)
    if (median_ci_ranks(k, &lo, &hi)) {
        out.has_ci = true;
        out.ci_low = scratch[lo];
        out.ci_high = scratch[hi];
    }
    out.p50 = scratch[quantile_index(k, 500)];
    out.p90 = scratch[quantile_index(k, kSpreadHighPermille)];

    // Established: no cheaper mode below the p10 (its interval's lower end,
    // the minimum's where too few samples give none, within the tolerance:
    // else under a tenth of the repetitions ran faster and the p10 missed
    // them), and the low end seen in two passes or more or, where fewer
    // than kPassesForSupport passes ran, an interval within the tolerance
    // above (the fast mode populated enough to pin its p10 down).
    const bool tight_above = out.has_interval && out.high - out.headline <= tol;
    const int64_t lowest = out.has_interval ? out.low
                                            : per_iteration_milli(uint64_t(bench[0]), uint64_t(c10), in.iterations);
    if (n < kMinRepsAlways) {
        out.cause = "fewer than 3 repetitions";
    } else if (out.headline - lowest > tol) {
        out.cause = "a cheaper mode below the p10 (under a tenth of the repetitions)";
    } else if (in.passes_run >= kPassesForSupport && out.supporting_passes < kSupportingPasses) {
        out.cause = "low end seen in one pass only";
    } else if (in.passes_run < kPassesForSupport && out.supporting_passes < kSupportingPasses && !tight_above) {
        out.cause = "low end not established: the p10's interval is wider than the target";
    }
    out.noisy = out.cause[0] != '\0';
}

}  // namespace hvb
