// tests/unit/stats_test.cpp — tests for the integer order statistics in posih/stats.
#include "posih/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace {

using I128 = __int128;

// Host-side references, written the obvious way with 128-bit arithmetic (the
// host links libgcc, so 128-bit division is available here).
I128 RefFloorDiv(I128 num, I128 den) {
    I128 q = num / den;
    if (num % den != 0 && ((num < 0) != (den < 0))) --q;
    return q;
}

int64_t RefSat(I128 v) {
    if (v > INT64_MAX) return INT64_MAX;
    if (v < INT64_MIN) return INT64_MIN;
    return static_cast<int64_t>(v);
}

struct RefSummary {
    int64_t min, max, median, mean, mad;
};

RefSummary Reference(std::vector<int64_t> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    RefSummary r{};
    r.min = v.front();
    r.max = v.back();
    I128 med = n % 2 ? I128{v[n / 2]} : RefFloorDiv(I128{v[n / 2 - 1]} + v[n / 2], 2);
    r.median = static_cast<int64_t>(med);
    I128 sum = 0;
    for (int64_t x : v) sum += x;
    r.mean = static_cast<int64_t>(RefFloorDiv(sum, static_cast<I128>(n)));
    std::vector<I128> dev;
    for (int64_t x : v) dev.push_back(x >= med ? x - med : med - x);
    std::sort(dev.begin(), dev.end());
    I128 mad = n % 2 ? dev[n / 2] : RefFloorDiv(dev[n / 2 - 1] + dev[n / 2], 2);
    r.mad = RefSat(mad);
    return r;
}

hvb::Summary Summarize(const std::vector<int64_t>& v) {
    std::vector<int64_t> scratch(v.size() + 1, 0x5a5a5a5a);  // n is the contract (ASan sees more)
    return hvb::summarize(v.data(), v.size(), scratch.data());
}

void ExpectSorted(std::vector<int64_t> v) {
    std::vector<int64_t> ref = v;
    std::sort(ref.begin(), ref.end());
    hvb::sort_i64(v.data(), v.size());
    EXPECT_EQ(v, ref);
}

TEST(StatsSortTest, EmptyAndSingle) {
    hvb::sort_i64(nullptr, 0);
    int64_t one = -5;
    hvb::sort_i64(&one, 1);
    EXPECT_EQ(one, -5);
}

TEST(StatsSortTest, ReverseDuplicatesAndExtremes) {
    std::vector<int64_t> rev;
    for (int64_t i = 1000; i > -1000; --i) rev.push_back(i);
    ExpectSorted(rev);
    ExpectSorted({3, 3, 3, 1, 1, 2, 2, 3, 1});
    ExpectSorted({7, 7, 7, 7});
    ExpectSorted({INT64_MAX, INT64_MIN, 0, -1, 1, INT64_MIN, INT64_MAX});
    ExpectSorted({2, 1});
    ExpectSorted({1, 2});
}

TEST(StatsSortTest, RandomAgainstStdSort) {
    std::mt19937_64 rng(12345);
    for (int round = 0; round < 300; ++round) {
        size_t n = rng() % 200;
        std::vector<int64_t> v(n);
        for (auto& x : v) {
            switch (rng() % 3) {
            case 0: x = static_cast<int64_t>(rng()); break;                 // full range
            case 1: x = static_cast<int64_t>(rng() % 10) - 5; break;        // many duplicates
            default: x = (rng() & 1) ? INT64_MIN : INT64_MAX; break;        // extremes
            }
        }
        ExpectSorted(v);
    }
}

// The quicksort's shapes: already sorted, reversed, organ pipe, sawtooth,
// all equal, two values; sizes across the insertion-sort cut and far above.
TEST(StatsSortTest, PatternsAcrossSizes) {
    for (size_t n : {31u, 32u, 33u, 34u, 63u, 64u, 65u, 100u, 257u, 1000u, 5000u}) {
        std::vector<int64_t> up(n), down(n), pipe(n), saw(n), same(n, 7), two(n);
        for (size_t i = 0; i < n; ++i) {
            up[i] = int64_t(i);
            down[i] = int64_t(n - i);
            pipe[i] = int64_t(i < n / 2 ? i : n - i);
            saw[i] = int64_t(i % 17);
            two[i] = (i * 7919) % 3 == 0 ? INT64_MAX : INT64_MIN;
        }
        for (const auto& v : {up, down, pipe, saw, same, two}) ExpectSorted(v);
    }
}

// mad_sorted against sorting the deviations, for the median and for other
// centers, including deviations past the int64 range.
TEST(StatsMadTest, WalkMatchesSortedDeviations) {
    std::mt19937_64 rng(4242);
    for (int round = 0; round < 400; ++round) {
        size_t n = 1 + rng() % 80;
        std::vector<int64_t> v(n);
        for (auto& x : v) x = round % 4 == 3 ? ((rng() & 1) ? INT64_MIN : INT64_MAX) : int64_t(rng() % 100) - 50;
        std::sort(v.begin(), v.end());
        int64_t center = round % 2 ? hvb::median_sorted(v.data(), n) : v[rng() % n];
        std::vector<uint64_t> dev(n);
        for (size_t i = 0; i < n; ++i)
            dev[i] = v[i] >= center ? uint64_t(v[i]) - uint64_t(center) : uint64_t(center) - uint64_t(v[i]);
        std::sort(dev.begin(), dev.end());
        uint64_t want = n % 2 ? dev[n / 2] : dev[n / 2 - 1] / 2 + dev[n / 2] / 2 + (dev[n / 2 - 1] & dev[n / 2] & 1);
        ASSERT_EQ(hvb::mad_sorted(v.data(), n, center), want) << "round " << round;
    }
}

TEST(StatsMedianTest, OddAndEven) {
    const int64_t odd[] = {1, 5, 9};
    EXPECT_EQ(hvb::median_sorted(odd, 3), 5);
    const int64_t one[] = {-42};
    EXPECT_EQ(hvb::median_sorted(one, 1), -42);
    const int64_t even[] = {1, 2, 4, 10};
    EXPECT_EQ(hvb::median_sorted(even, 4), 3);
    const int64_t even_round[] = {1, 2};
    EXPECT_EQ(hvb::median_sorted(even_round, 2), 1) << "1.5 rounds down";
}

TEST(StatsMedianTest, NegativesRoundTowardNegativeInfinity) {
    const int64_t a[] = {-3, -2};
    EXPECT_EQ(hvb::median_sorted(a, 2), -3) << "-2.5 rounds to -3, not -2";
    const int64_t b[] = {-1, 0};
    EXPECT_EQ(hvb::median_sorted(b, 2), -1);
    const int64_t c[] = {-5, 5};
    EXPECT_EQ(hvb::median_sorted(c, 2), 0);
}

TEST(StatsMedianTest, NoOverflow) {
    const int64_t hi[] = {INT64_MAX, INT64_MAX};
    EXPECT_EQ(hvb::median_sorted(hi, 2), INT64_MAX);
    const int64_t lo[] = {INT64_MIN, INT64_MIN};
    EXPECT_EQ(hvb::median_sorted(lo, 2), INT64_MIN);
    const int64_t both[] = {INT64_MIN, INT64_MAX};
    EXPECT_EQ(hvb::median_sorted(both, 2), -1);
    const int64_t near[] = {INT64_MAX - 1, INT64_MAX};
    EXPECT_EQ(hvb::median_sorted(near, 2), INT64_MAX - 1);
}

TEST(StatsSummaryTest, EmptyIsAllZero) {
    int64_t scratch[1] = {99};
    hvb::Summary s = hvb::summarize(nullptr, 0, scratch);
    EXPECT_EQ(s.min, 0);
    EXPECT_EQ(s.max, 0);
    EXPECT_EQ(s.median, 0);
    EXPECT_EQ(s.mean, 0);
    EXPECT_EQ(s.mad, 0);
    EXPECT_EQ(s.n, 0u);
}

TEST(StatsSummaryTest, Single) {
    hvb::Summary s = Summarize({-17});
    EXPECT_EQ(s.min, -17);
    EXPECT_EQ(s.max, -17);
    EXPECT_EQ(s.median, -17);
    EXPECT_EQ(s.mean, -17);
    EXPECT_EQ(s.mad, 0);
    EXPECT_EQ(s.n, 1u);
}

TEST(StatsSummaryTest, KnownOdd) {
    // sorted 1 3 5 7 9; deviations from 5: 4 2 0 2 4 -> median 2.
    std::vector<int64_t> v = {5, 1, 9, 3, 7};
    hvb::Summary s = Summarize(v);
    EXPECT_EQ(s.min, 1);
    EXPECT_EQ(s.max, 9);
    EXPECT_EQ(s.median, 5);
    EXPECT_EQ(s.mean, 5);
    EXPECT_EQ(s.mad, 2);
    EXPECT_EQ(s.n, 5u);
    EXPECT_EQ(v, (std::vector<int64_t>{5, 1, 9, 3, 7})) << "input must not be modified";
}

TEST(StatsSummaryTest, KnownEvenWithOutlier) {
    // sorted 10 11 12 100; median 11 (11.5 down); mean 133/4 = 33.25 -> 33;
    // deviations 1 0 1 89 -> sorted 0 1 1 89 -> MAD 1.
    hvb::Summary s = Summarize({100, 12, 10, 11});
    EXPECT_EQ(s.min, 10);
    EXPECT_EQ(s.max, 100);
    EXPECT_EQ(s.median, 11);
    EXPECT_EQ(s.mean, 33);
    EXPECT_EQ(s.mad, 1);
}

TEST(StatsSummaryTest, Negatives) {
    // sorted -9 -4 -3 -1; median floor(-3.5) = -4; mean floor(-17/4) = -5;
    // deviations 5 0 1 3 -> sorted 0 1 3 5 -> MAD 2.
    hvb::Summary s = Summarize({-1, -9, -4, -3});
    EXPECT_EQ(s.min, -9);
    EXPECT_EQ(s.max, -1);
    EXPECT_EQ(s.median, -4);
    EXPECT_EQ(s.mean, -5);
    EXPECT_EQ(s.mad, 2);
    hvb::Summary t = Summarize({-1, 0});
    EXPECT_EQ(t.mean, -1) << "-0.5 rounds toward negative infinity";
}

TEST(StatsSummaryTest, MeanOfHugeValuesDoesNotOverflow) {
    hvb::Summary s = Summarize({INT64_MAX, INT64_MAX, INT64_MAX});
    EXPECT_EQ(s.mean, INT64_MAX);
    EXPECT_EQ(s.mad, 0);
    s = Summarize({INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN});
    EXPECT_EQ(s.mean, INT64_MIN);
    s = Summarize({INT64_MAX, INT64_MAX - 2});
    EXPECT_EQ(s.mean, INT64_MAX - 1);
    std::vector<int64_t> big(1000, INT64_MAX - 7);
    big[0] = INT64_MAX;
    s = Summarize(big);
    EXPECT_EQ(s.mean, INT64_MAX - 7) << "7/1000 above, rounded down";
}

TEST(StatsSummaryTest, ExtremeSpreadSaturatesMad) {
    // median -1; deviations 2^63 - 1 and 2^63 (the latter exceeds int64).
    hvb::Summary s = Summarize({INT64_MIN, INT64_MAX});
    EXPECT_EQ(s.median, -1);
    EXPECT_EQ(s.mean, -1);
    EXPECT_EQ(s.mad, INT64_MAX);
    s = Summarize({INT64_MIN, 0, INT64_MAX});
    EXPECT_EQ(s.median, 0);
    EXPECT_EQ(s.mad, INT64_MAX);
    EXPECT_EQ(s.mean, -1);
}

TEST(StatsSummaryTest, RandomAgainstReference) {
    std::mt19937_64 rng(777);
    for (int round = 0; round < 500; ++round) {
        size_t n = 1 + rng() % 64;
        std::vector<int64_t> v(n);
        int mode = round % 3;
        for (auto& x : v) {
            if (mode == 0) x = static_cast<int64_t>(rng() % 2000) - 1000;
            else if (mode == 1) x = static_cast<int64_t>(rng());
            else x = static_cast<int64_t>(rng() % 5) + 1000000;
        }
        RefSummary r = Reference(v);
        hvb::Summary s = Summarize(v);
        ASSERT_EQ(s.min, r.min) << "round " << round;
        ASSERT_EQ(s.max, r.max) << "round " << round;
        ASSERT_EQ(s.median, r.median) << "round " << round;
        ASSERT_EQ(s.mean, r.mean) << "round " << round;
        ASSERT_EQ(s.mad, r.mad) << "round " << round;
        ASSERT_EQ(s.n, n);
    }
}

TEST(StatsPerIterationTest, Basics) {
    EXPECT_EQ(hvb::per_iteration_milli(1500, 500, 1000), 1000);
    EXPECT_EQ(hvb::per_iteration_milli(2500, 1000, 1000), 1500);
    EXPECT_EQ(hvb::per_iteration_milli(1000, 1000, 1000), 0);
    EXPECT_EQ(hvb::per_iteration_milli(7, 0, 1), 7000);
    EXPECT_EQ(hvb::per_iteration_milli(1001, 1000, 3), 333) << "1000/3 rounds down";
    EXPECT_EQ(hvb::per_iteration_milli(1002, 1000, 3), 666) << "2000/3 rounds down";
}

TEST(StatsPerIterationTest, NegativeDeltasRoundTowardNegativeInfinity) {
    EXPECT_EQ(hvb::per_iteration_milli(1000, 1001, 3), -334) << "-333.33 -> -334";
    EXPECT_EQ(hvb::per_iteration_milli(0, 1, 1001), -1) << "-0.999 -> -1, not 0";
    EXPECT_EQ(hvb::per_iteration_milli(0, 1, 1000), -1);
    EXPECT_EQ(hvb::per_iteration_milli(500, 1500, 1000), -1000);
    EXPECT_EQ(hvb::per_iteration_milli(0, 3, 2000), -2) << "-1.5 -> -2";
}

TEST(StatsPerIterationTest, ZeroIterations) {
    EXPECT_EQ(hvb::per_iteration_milli(1000, 0, 0), 0);
    EXPECT_EQ(hvb::per_iteration_milli(0, 1000, 0), 0);
    EXPECT_EQ(hvb::per_iteration_milli(UINT64_MAX, 0, 0), 0);
}

TEST(StatsPerIterationTest, Saturation) {
    EXPECT_EQ(hvb::per_iteration_milli(UINT64_MAX, 0, 1), INT64_MAX);
    EXPECT_EQ(hvb::per_iteration_milli(0, UINT64_MAX, 1), INT64_MIN);
    EXPECT_EQ(hvb::per_iteration_milli(UINT64_MAX, 0, 1000), INT64_MAX);
    EXPECT_EQ(hvb::per_iteration_milli(uint64_t{1} << 62, 0, 1), INT64_MAX);
    // Exactly representable results just inside the range are not saturated.
    EXPECT_EQ(hvb::per_iteration_milli(UINT64_MAX, 0, 4000), (int64_t{1} << 62) - 1);
    EXPECT_EQ(hvb::per_iteration_milli(0, UINT64_MAX, 3000), -6148914691236517205LL);
    EXPECT_EQ(hvb::per_iteration_milli(0, UINT64_MAX, 2000), INT64_MIN)
        << "-(2^63 - 0.5) floors to exactly INT64_MIN";
    EXPECT_EQ(hvb::per_iteration_milli(1, UINT64_MAX, 2000), INT64_MIN + 1);
    EXPECT_EQ(hvb::per_iteration_milli(UINT64_MAX, 1, 2000), INT64_MAX) << "2^63 - 1 exactly";
}

TEST(StatsPerIterationTest, RandomAgainstReference) {
    std::mt19937_64 rng(4242);
    for (int round = 0; round < 2000; ++round) {
        uint64_t b = rng() >> (rng() % 64);
        uint64_t c = rng() >> (rng() % 64);
        uint64_t it = (rng() >> (rng() % 64)) | 1;
        I128 ref = RefFloorDiv((I128{b} - I128{c}) * 1000, I128{it});
        ASSERT_EQ(hvb::per_iteration_milli(b, c, it), RefSat(ref))
            << b << " " << c << " " << it;
    }
}

}  // namespace

// ---- median confidence interval ------------------------------------------

namespace {
// P(Binomial(n, 1/2) < k), in long double.
long double binom_below(size_t n, size_t k) {
    long double p = 0, c = 1;  // c = C(n, i) / 2^n, built incrementally
    for (size_t i = 0; i < n; ++i) c /= 2;
    for (size_t i = 0; i < k; ++i) {
        p += c;
        c = c * static_cast<long double>(n - i) / static_cast<long double>(i + 1);
    }
    return p;
}
}  // namespace

TEST(StatsMedianCiTest, NoIntervalBelowSixSamples) {
    size_t lo = 99, hi = 99;
    for (size_t n = 0; n < 6; ++n) EXPECT_FALSE(hvb::median_ci_ranks(n, &lo, &hi)) << n;
    EXPECT_EQ(lo, 99u);
    ASSERT_TRUE(hvb::median_ci_ranks(6, &lo, &hi));
    EXPECT_EQ(lo, 0u);  // [min, max]: coverage 1 - 2/64 = 96.9%
    EXPECT_EQ(hi, 5u);
}

TEST(StatsMedianCiTest, ExactRanksAreTheWidestWithNinetyFivePercentCoverage) {
    for (size_t n = 6; n <= 60; ++n) {
        size_t lo, hi;
        ASSERT_TRUE(hvb::median_ci_ranks(n, &lo, &hi)) << n;
        size_t k = lo + 1;
        EXPECT_EQ(hi, n - k) << n;  // symmetric
        EXPECT_LE(binom_below(n, k), 0.025L) << n;      // covers >= 95%
        EXPECT_GT(binom_below(n, k + 1), 0.025L) << n;  // and is the tightest that does
    }
}

TEST(StatsMedianCiTest, KnownTableValues) {
    // Classic table values (e.g. Conover, Practical Nonparametric Statistics):
    // n=10 -> x(2)..x(9); n=20 -> x(6)..x(15); n=100 -> x(40)..x(61).
    size_t lo, hi;
    ASSERT_TRUE(hvb::median_ci_ranks(10, &lo, &hi));
    EXPECT_EQ(lo, 1u);
    EXPECT_EQ(hi, 8u);
    ASSERT_TRUE(hvb::median_ci_ranks(20, &lo, &hi));
    EXPECT_EQ(lo, 5u);
    EXPECT_EQ(hi, 14u);
    ASSERT_TRUE(hvb::median_ci_ranks(100, &lo, &hi));
    EXPECT_EQ(lo, 39u);
    EXPECT_EQ(hi, 60u);
}

TEST(StatsMedianCiTest, NormalApproximationStaysConservativeAndClose) {
    for (size_t n = 61; n <= 1000; ++n) {
        size_t lo, hi;
        ASSERT_TRUE(hvb::median_ci_ranks(n, &lo, &hi)) << n;
        size_t k = lo + 1;
        EXPECT_EQ(hi, n - k) << n;
        EXPECT_LE(binom_below(n, k), 0.0255L) << n;  // at least ~95% coverage
        EXPECT_GT(binom_below(n, k + 2), 0.025L) << n;  // never more than one rank too wide
    }
}

TEST(StatsIsqrtTest, FloorSquareRoot) {
    EXPECT_EQ(hvb::isqrt_u64(0), 0u);
    EXPECT_EQ(hvb::isqrt_u64(1), 1u);
    EXPECT_EQ(hvb::isqrt_u64(3), 1u);
    EXPECT_EQ(hvb::isqrt_u64(4), 2u);
    EXPECT_EQ(hvb::isqrt_u64(99), 9u);
    EXPECT_EQ(hvb::isqrt_u64(~0ull), 0xFFFFFFFFull);
    for (uint64_t v = 0; v < 100000; v += 7) {
        uint64_t r = hvb::isqrt_u64(v);
        EXPECT_LE(r * r, v);
        EXPECT_GT((r + 1) * (r + 1), v);
    }
}
