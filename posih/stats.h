// posih/stats.h — order statistics over repetitions, integer-only (the kernel
// is built without SSE, so no floating point anywhere in here).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

// A cycle count as a signed value, saturated at INT64_MAX (counts past 2^63
// do not occur, but a garbled one must not turn negative).
inline int64_t saturate_i64(uint64_t v) { return v > (~0ull >> 1) ? int64_t(~0ull >> 1) : int64_t(v); }

// In-place ascending sort (no libc, O(n log n) worst case).
void sort_i64(int64_t* values, size_t n);

// Median of an ascending-sorted array. For even n it is the mean of the two
// middle values, rounded toward negative infinity. n must be >= 1.
int64_t median_sorted(const int64_t* sorted, size_t n);

// The median absolute deviation of an ascending-sorted array from `center`
// (usually its median): the deviations are taken in ascending order by
// walking outward from the center, so no second sort (O(n)). For even n the
// mean of the two middle deviations, rounded down. n must be >= 1.
uint64_t mad_sorted(const int64_t* sorted, size_t n, int64_t center);

struct Summary {
    int64_t min;
    int64_t max;
    int64_t median;
    int64_t mean;  // rounded toward negative infinity; no overflow for any int64 input
    int64_t mad;   // median absolute deviation from the median (unscaled)
    size_t n;
};

// Summarizes `values` (not modified). `scratch` must hold n elements; it is
// left holding the values sorted.
// n == 0 yields an all-zero Summary.
Summary summarize(const int64_t* values, size_t n, int64_t* scratch);

// Signed per-iteration cost in thousandths of a cycle:
// (bench_cycles - control_cycles) * 1000 / iterations, rounded toward negative
// infinity, saturating at INT64_MIN/INT64_MAX instead of overflowing.
// iterations == 0 yields 0.
int64_t per_iteration_milli(uint64_t bench_cycles, uint64_t control_cycles, uint64_t iterations);

// Distribution-free confidence interval for the median (order statistics;
// docs/measurement.md): with n samples sorted ascending, [sorted[*lo],
// sorted[*hi]] covers the population median with probability >= 95%.
// It is [x(k), x(n+1-k)] for the largest k with P(Binomial(n, 1/2) < k) <=
// 2.5%: exact for n <= 60, the normal approximation k = floor(n/2 -
// 0.98 sqrt(n)) above. Returns false when no such interval exists (n < 6).
inline constexpr size_t kMinCiSamples = 6;
bool median_ci_ranks(size_t n, size_t* lo, size_t* hi);

// floor(sqrt(v)).
uint64_t isqrt_u64(uint64_t v);

}  // namespace hvb

namespace hvb {

// The q-quantile of n sorted samples by the nearest-rank rule: the sample
// of 1-based rank ceil(q n) (at least 1), returned as a 0-based index.
// q in permille (100 = the 10th percentile). n must be >= 1.
size_t quantile_index(size_t n, uint32_t q_permille);

// Distribution-free confidence interval for the q-quantile (the median's
// rule above, generalised): the number of samples below the population
// quantile is Binomial(n, q), so [x(l), x(u)] covers it with probability
// P(l <= Bin < u). *lo is the largest l with P(Bin < l) <= 2.5% and *hi the
// smallest u with P(Bin >= u) <= 2.5%, both as 0-based indices. Exact
// (integer binomial terms) while (1-q)^n >= 2^-40, the normal approximation
// above (for q = 10%: exact up to 263 samples). Where no
// such l exists (few samples: for q = 10% below 35) the interval is
// one-sided: *lo = 0 (the minimum) and *lo_open is true. Returns false when
// not even the upper end exists (n too small for a 97.5% bound).
bool quantile_ci_ranks(size_t n, uint32_t q_permille, size_t* lo, size_t* hi, bool* lo_open);

}  // namespace hvb
