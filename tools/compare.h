// tools/compare.h — comparing platforms: one row per benchmark, cycles per
// iteration on each platform, and the ratio to a baseline (HyperBench's
// GNR, T_guest / T_native, when the baseline is bare metal), flagged "within
// noise" where the two 95% confidence intervals of the median overlap (when
// both results have one) or else where the two spreads (median ± MAD)
// overlap; noisy results (the kernel missed its CI target) are marked; as a
// text table and an SVG/HTML chart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/results.h"

namespace hvb::tools {

// T_guest / T_native: nullopt unless both are positive.
std::optional<double> gnr(int64_t guest_milli, int64_t native_milli);
// [a - mad_a, a + mad_a] and [b - mad_b, b + mad_b] intersect.
bool spreads_overlap(int64_t a_milli, int64_t a_mad, int64_t b_milli, int64_t b_mad);
// [a_low, a_high] and [b_low, b_high] intersect.
bool intervals_overlap(int64_t a_low, int64_t a_high, int64_t b_low, int64_t b_high);

struct CompareCell {
    bool present = false;  // the platform has a result for it
    std::string status;    // "ok", "crashed", ...
    std::string reason;
    int64_t median_milli = 0, mad_milli = 0;
    std::optional<int64_t> ci_low_milli, ci_high_milli;  // both or neither
    bool noisy = false;           // the kernel did not reach its CI target
    std::optional<double> ratio;  // to the baseline (ok and positive on both)
    bool overlaps = false;        // within noise of the baseline (both ok): see by_ci
    bool by_ci = false;           // overlaps was decided by the CIs (both had one), else by median ± MAD
    bool ok() const { return present && status == "ok"; }
};

struct CompareRow {
    std::string name, category;
    std::vector<CompareCell> cells;  // one per platform
};

struct Comparison {
    std::vector<std::string> labels;  // one per platform, unique
    // What the figures count: the runs' own unit when they share it
    // ("cycles", or "ns" for kernels that measured in nanoseconds); "ns" when
    // they differ, each run's cycles converted at its own timer rate (a
    // ratio of cycles to nanoseconds would mean nothing). `unconverted`:
    // the platforms whose cycles could not be (no timer rate): their cells
    // keep their cycles and take no ratio.
    std::string unit = "cycles";
    bool mixed_units = false;
    std::vector<bool> unconverted;
    size_t baseline = 0;
    std::vector<CompareRow> rows;     // sorted by name
    // Per platform: geometric mean of its ratios over the benchmarks where
    // every platform has one; nullopt for the baseline or when none.
    std::vector<std::optional<double>> geomean;
    size_t geomean_count = 0;         // benchmarks in the geometric mean
};

Comparison compare_results(const std::vector<ResultsDoc>& docs, size_t baseline);
std::string format_comparison(const Comparison& c);
std::string comparison_svg(const Comparison& c, const std::string& title);
std::string comparison_html(const Comparison& c, const std::string& title);

}  // namespace hvb::tools
