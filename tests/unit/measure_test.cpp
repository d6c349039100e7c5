// Adaptive measurement (kernel/measure.h) against a simulated platform whose
// loops cost a known number of cycles, with optional jitter and long gaps.
#include "kernel/measure.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

namespace {

struct FakePlatform {
    uint64_t clock = 0;
    uint64_t timer_cost = 100;       // added to every timed loop
    uint64_t control_per_iter = 4;   // cycles
    uint64_t op_per_iter = 50;       // the operation's own cost
    double jitter = 0;               // relative, uniform +-jitter per loop
    unsigned gap_every = 0;          // every k-th benchmark loop gets a gap
    uint64_t gap_cycles = 0;
    uint64_t interrupts_per_loop = 0;
    // The measurement's own evaluation costs this much: a platform that runs
    // the kernel's instructions slowly. It is charged to the third clock
    // read after a loop (budget check, before evaluating, after it).
    uint64_t code_cost = 0;
    unsigned reads_since_loop = 0;
    std::mt19937_64 rng{42};
    unsigned bench_loops = 0, control_loops = 0, warm_loops = 0, timed_after_warm = 0;
    std::vector<uint64_t> bench_counts;  // n of each timed benchmark loop
    uint64_t irqs = 0;

    uint64_t loop(bool bench, uint64_t n) {
        double base = double(n * (control_per_iter + (bench ? op_per_iter : 0)));
        if (jitter > 0) base *= 1 + std::uniform_real_distribution<double>(-jitter, jitter)(rng);
        uint64_t t = uint64_t(base) + timer_cost;
        if (bench) {
            ++bench_loops;
            bench_counts.push_back(n);
            if (gap_every && bench_loops % gap_every == 0) t += gap_cycles;
        } else {
            ++control_loops;
        }
        irqs += interrupts_per_loop;
        clock += t;
        reads_since_loop = 0;
        return t;
    }
    hvb::MeasureHooks hooks() {
        return hvb::MeasureHooks{
            this,
            [](void* c, bool b, uint64_t n) { return static_cast<FakePlatform*>(c)->loop(b, n); },
            [](void* c, bool b, uint64_t n) {
                auto* p = static_cast<FakePlatform*>(c);
                ++p->warm_loops;
                p->reads_since_loop = 0;
                p->clock += n * (p->control_per_iter + (b ? p->op_per_iter : 0));
            },
            [](void* c) {
                auto* p = static_cast<FakePlatform*>(c);
                if (++p->reads_since_loop == 3) p->clock += p->code_cost;
                return p->clock;
            },
            [](void* c) { return static_cast<FakePlatform*>(c)->irqs; },
        };
    }
};

hvb::MeasureConfig adaptive_config() {
    hvb::MeasureConfig c;
    c.iterations = 10;
    c.min_iterations = 10;
    c.max_iterations = 10000000;
    c.loop_target = 100000;
    c.timer_cost = 100;
    c.budget = 100000000;
    return c;
}

struct Measured {
    std::unique_ptr<hvb::MeasureSamples> samples = std::make_unique<hvb::MeasureSamples>();
    hvb::MeasureResult result;
    void go(const hvb::MeasureConfig& c, FakePlatform& p) {
        auto h = p.hooks();
        hvb::measure(c, h, *samples, result);
    }
};

TEST(MeasureTest, CalibrationReachesTheLoopTargetWithoutOvershootingMuch) {
    FakePlatform p;
    Measured r;
    r.go(adaptive_config(), p);
    // 54 cycles per iteration: 100000 cycles need >= 1852 iterations.
    EXPECT_GE(r.result.iterations * 54, 100000u);
    EXPECT_LE(r.result.iterations * 54, 100000u * 3);  // aims at 1.25x; at most 2x growth steps past
    EXPECT_GE(r.result.calibration_loops, 2u);
    EXPECT_LE(r.result.calibration_loops, 5u);
    // Calibration loops grow; every later loop uses the chosen count.
    for (size_t i = 1; i < r.result.calibration_loops; ++i) EXPECT_GT(p.bench_counts[i], p.bench_counts[i - 1]);
    for (size_t i = r.result.calibration_loops; i < p.bench_counts.size(); ++i)
        EXPECT_EQ(p.bench_counts[i], r.result.iterations);
}

TEST(MeasureTest, QuietPlatformStopsOnceTheTargetHeldAtTwoCheckpoints) {
    FakePlatform p;
    Measured r;
    r.go(adaptive_config(), p);
    // Met at 6 (the first checkpoint), confirmed at 7.
    EXPECT_EQ(r.result.repetitions, hvb::kMinCiSamples + 1);
    EXPECT_EQ(r.result.outliers, 0u);
    EXPECT_TRUE(r.result.has_ci);
    EXPECT_TRUE(r.result.target_met);
    EXPECT_EQ(r.result.cost.median, 50000);  // 50 cycles, in millicycles
    EXPECT_EQ(r.result.control_median, 4000 + int64_t(100000 / r.result.iterations));  // timer cost amortized
    EXPECT_EQ(p.warm_loops, 2u);  // calibration's first benchmark loop, then the control
    EXPECT_EQ(p.control_loops, hvb::kMinCiSamples + 1);
}

TEST(MeasureTest, AFirstCallFarPastTheTargetEndsCalibration) {
    // One iteration lasts 20 loop targets (a page-table build on a slow
    // platform): no timed calibration loop, the count stays at the bottom
    // of the range, and the benchmark loop is warmed once, not twice.
    FakePlatform p;
    p.op_per_iter = 200000;
    auto c = adaptive_config();
    c.min_iterations = 10;
    Measured r;
    r.go(c, p);
    EXPECT_EQ(r.result.iterations, 10u);
    EXPECT_EQ(r.result.calibration_loops, 0u);
    EXPECT_EQ(p.warm_loops, 2u);  // the benchmark's (timed as the first call), then the control
    EXPECT_EQ(p.bench_counts.size(), r.result.repetitions + r.result.outliers);
    // Just below the factor, calibration runs as usual.
    FakePlatform q;
    q.op_per_iter = (10 * c.loop_target) / 10 - 100;  // warm loop a little under 10 targets
    Measured s;
    s.go(c, q);
    EXPECT_GE(s.result.calibration_loops, 1u);
}

TEST(MeasureTest, IterationsStayInsideTheDescriptorRange) {
    FakePlatform p;
    auto c = adaptive_config();
    c.max_iterations = 500;  // too few to reach the target
    Measured r;
    r.go(c, p);
    EXPECT_EQ(r.result.iterations, 500u);
    for (uint64_t n : p.bench_counts) EXPECT_LE(n, 500u);

    FakePlatform q;
    q.op_per_iter = 1000000;  // one iteration is already far past the target
    c = adaptive_config();
    c.min_iterations = 3;
    c.iterations = 1;
    Measured r2;
    r2.go(c, q);
    EXPECT_EQ(r2.result.iterations, 3u);  // the range's minimum, not the start count
    EXPECT_EQ(r2.result.calibration_loops, 0u);  // the warm-up alone was 10 targets past
}

TEST(MeasureTest, FixedIterationsAndRepetitionsAreObeyed) {
    FakePlatform p;
    p.jitter = 0.3;  // would never meet the target
    auto c = adaptive_config();
    c.fixed_iterations = true;
    c.iterations = 777;
    c.fixed_reps = true;
    c.reps = 9;
    c.budget = 1;  // a budget does not cut fixed repetitions short
    Measured r;
    r.go(c, p);
    EXPECT_EQ(r.result.iterations, 777u);
    EXPECT_EQ(r.result.calibration_loops, 0u);
    EXPECT_EQ(p.control_loops, 9u);
    for (uint64_t n : p.bench_counts) EXPECT_EQ(n, 777u);
    EXPECT_EQ(r.result.repetitions + r.result.outliers, 9u);
    EXPECT_FALSE(r.result.target_met);
}

TEST(MeasureTest, NoisyPlatformRunsUntilTheBudgetAndIsNotMet) {
    FakePlatform p;
    p.jitter = 0.5;
    p.control_per_iter = 400;
    p.op_per_iter = 500;  // +-50% loop jitter: a 1% interval would need ~20000 repetitions
    auto c = adaptive_config();
    c.budget = 20000000;
    Measured r;
    r.go(c, p);
    EXPECT_FALSE(r.result.target_met);
    // It stopped when one more pair (up to 1.5 x 2 x n x 900 cycles with
    // the jitter, plus the timer) would have ended past the budget: within
    // two pairs below it, and past it by at most the jitter of the last.
    uint64_t pair_max = 2 * r.result.iterations * 1300 * 3 / 2 + 1000;
    EXPECT_GE(p.clock + 2 * pair_max, c.budget);
    EXPECT_LT(p.clock, c.budget + pair_max);
    EXPECT_GT(r.result.repetitions, 20u);
}

TEST(MeasureTest, SlowEvaluationSpacesTheCheckpoints) {
    // A platform that runs guest instructions slowly (a nested software
    // KVM): one evaluation costs as much as three {control, benchmark} pairs. Checkpoints every quarter of the
    // repetitions so far would spend more of the budget evaluating than
    // measuring; spaced by the evaluation's cost, most of it measures.
    auto run = [](uint64_t code_cost, Measured& r) {
        FakePlatform p;
        p.jitter = 0.5;  // never converges: the whole budget is spent
        p.control_per_iter = 400;
        p.op_per_iter = 500;
        auto c = adaptive_config();
        c.loop_target = 1000000;
        p.code_cost = code_cost;
        r.go(c, p);  // sets iterations; the pair costs about 2 x 1.3M cycles
        return p;
    };
    Measured quick;
    FakePlatform q = run(0, quick);
    uint64_t pair = quick.result.iterations * 1300 + 2 * 100;
    Measured slow;
    run(3 * pair, slow);
    EXPECT_FALSE(slow.result.target_met);
    // Every evaluation took 3 pairs; spaced at least 12 pairs apart, they
    // take about a fifth of the budget (the first, at 6 repetitions, and
    // the last, at the budget's end, a little more).
    EXPECT_LE(slow.result.evaluations * 3 * pair, adaptive_config().budget * 30 / 100);
    EXPECT_GE(uint64_t(slow.result.repetitions) * 10, uint64_t(quick.result.repetitions) * 7)
        << "slow " << slow.result.repetitions << " quick " << quick.result.repetitions;
    // Without the cost, checkpoints stay geometric (every quarter).
    EXPECT_GT(quick.result.evaluations, slow.result.evaluations);
    EXPECT_GT(q.clock, 0u);
}

TEST(MeasureTest, ModerateNoiseConvergesBeforeTheBudget) {
    FakePlatform p;
    p.jitter = 0.02;
    p.control_per_iter = 1;
    Measured r;
    r.go(adaptive_config(), p);
    EXPECT_TRUE(r.result.target_met);
    EXPECT_LT(p.clock, adaptive_config().budget);
    EXPECT_NEAR(double(r.result.cost.median), 50000.0, 500.0);
    // The interval holds the median and is within the target of it on both
    // sides: 1% of 50 cycles is below the 1-cycle floor, so +-1 cycle.
    EXPECT_LE(r.result.ci_low, r.result.cost.median);
    EXPECT_GE(r.result.ci_high, r.result.cost.median);
    EXPECT_LE(r.result.cost.median - r.result.ci_low, 1000);
    EXPECT_LE(r.result.ci_high - r.result.cost.median, 1000);
    EXPECT_GT(r.result.repetitions, hvb::kMinCiSamples);  // it did need more than the minimum
}

TEST(MeasureTest, LongGapsAreDiscardedAndCounted) {
    FakePlatform p;
    p.jitter = 0.001;
    p.gap_every = 4;
    p.gap_cycles = 10000000;  // an SMI-sized hole in every 4th benchmark loop
    auto c = adaptive_config();
    c.fixed_reps = true;
    c.reps = 40;
    Measured r;
    r.go(c, p);
    // Calibration loops are not repetitions; count the gaps that fell in the 40.
    unsigned gaps = 0;
    for (unsigned i = r.result.calibration_loops + 1; i <= r.result.calibration_loops + 40; ++i)
        gaps += (i % 4 == 0);
    EXPECT_EQ(r.result.outliers, gaps);
    EXPECT_EQ(r.result.repetitions, 40u - gaps);
    EXPECT_NEAR(double(r.result.cost.median), 50000.0, 100.0);
    EXPECT_LT(r.result.cost.max, 60000);  // no gap left among the kept
}

TEST(MeasureTest, ManyGapsLeaveTheResultNoisy) {
    FakePlatform p;
    p.gap_every = 3;  // a third of the benchmark loops interrupted
    p.gap_cycles = 10000000;
    auto c = adaptive_config();
    c.fixed_reps = true;
    c.reps = 30;
    Measured r;
    r.go(c, p);
    EXPECT_GT(r.result.outliers * 4, 30u);
    EXPECT_TRUE(r.result.has_ci);
    EXPECT_EQ(r.result.ci_low, r.result.ci_high);  // the kept ones are exact...
    EXPECT_FALSE(r.result.target_met);              // ...but the platform is not quiet
}

TEST(MeasureTest, AtLeastThreeRepetitionsEvenWithoutBudget) {
    FakePlatform p;
    p.jitter = 0.3;
    auto c = adaptive_config();
    c.budget = 0;
    Measured r;
    r.go(c, p);
    EXPECT_EQ(p.control_loops, hvb::kMinRepsAlways);
    EXPECT_FALSE(r.result.has_ci);  // 3 samples give no 95% interval
    EXPECT_FALSE(r.result.target_met);
}

TEST(MeasureTest, InterruptsDuringRepetitionsAreCounted) {
    FakePlatform p;
    p.interrupts_per_loop = 1;
    auto c = adaptive_config();
    c.fixed_reps = true;
    c.reps = 7;
    Measured r;
    r.go(c, p);
    EXPECT_EQ(r.result.interrupts, 14u);  // 7 pairs; calibration loops not counted
}

TEST(MeasureTest, TimerDriftNeedsAQuarterAndThreeMads) {
    int64_t p = 0;
    // TCG on a host with two speed phases: ~100 cycles in the fast one,
    // 140-180 in the slow one.
    EXPECT_TRUE(hvb::timer_drifted(160, 100, 4, &p));
    EXPECT_EQ(p, 600);
    EXPECT_FALSE(hvb::timer_drifted(124, 100, 4, &p));  // 24%: below the quarter
    EXPECT_EQ(p, 240);
    EXPECT_FALSE(hvb::timer_drifted(140, 100, 20, &p));  // 40%, but within 3 MADs of a noisy timer
    EXPECT_TRUE(hvb::timer_drifted(161, 100, 20, &p));
    // Cheaper than the floor is not a slowdown (the caller lowers the floor).
    EXPECT_FALSE(hvb::timer_drifted(60, 100, 4, &p));
    EXPECT_EQ(p, -400);
    // A nested KVM with a trapped RDTSC on a host with speed phases:
    // 17 000 quiet, 20 000-32 000 in slow phases.
    EXPECT_TRUE(hvb::timer_drifted(25000, 17000, 30, &p));
    EXPECT_FALSE(hvb::timer_drifted(20000, 17000, 30, &p));
    EXPECT_FALSE(hvb::timer_drifted(500, 0, 0, &p));  // no floor yet
    EXPECT_EQ(p, 0);
}

TEST(MeasureTest, CalibrationCountGrowth) {
    EXPECT_EQ(hvb::next_calibration_count(10, 1000, 100000, 1000000), 1000u);    // 100x cap
    EXPECT_EQ(hvb::next_calibration_count(10, 50000, 100000, 1000000), 25u);     // 2.5x (1.25 past)
    EXPECT_EQ(hvb::next_calibration_count(10, 90000, 100000, 1000000), 20u);     // at least 2x
    EXPECT_EQ(hvb::next_calibration_count(10, 0, 100000, 1000000), 1000u);       // no signal: 100x
    EXPECT_EQ(hvb::next_calibration_count(10, 1000, 100000, 300), 300u);         // range max
    EXPECT_EQ(hvb::next_calibration_count(~0ull / 2, 1, ~0ull, ~0ull), ~0ull);   // no overflow
    EXPECT_EQ(hvb::next_calibration_count(1ull << 40, 1ull << 20, 1ull << 62, ~0ull), 100ull << 40);
}

TEST(MeasureTest, TargetIsPercentOrMinimumWhicheverIsLarger) {
    EXPECT_TRUE(hvb::within_target(100000, 99000, 101000, 10, 1000));   // exactly +-1%
    EXPECT_FALSE(hvb::within_target(100000, 98999, 101000, 10, 1000));
    EXPECT_FALSE(hvb::within_target(100000, 99000, 101001, 10, 1000));
    EXPECT_TRUE(hvb::within_target(5000, 4000, 6000, 10, 1000));        // 1% is 50: the 1-cycle floor
    EXPECT_FALSE(hvb::within_target(5000, 3999, 6000, 10, 1000));
    EXPECT_TRUE(hvb::within_target(-2000, -2900, -1100, 10, 1000));     // negative medians (idle)
    EXPECT_TRUE(hvb::within_target(1000000, 995000, 1005000, 5, 0));    // target=0.5%
    EXPECT_FALSE(hvb::within_target(1000000, 994999, 1005000, 5, 0));
}

TEST(MeasureTest, SecondLookAgreesWithinTwiceTheTargetAroundTheFirst) {
    EXPECT_TRUE(hvb::second_look_agrees(100000, 102000, 10, 1000));   // +2% of the first
    EXPECT_FALSE(hvb::second_look_agrees(100000, 102001, 10, 1000));
    EXPECT_TRUE(hvb::second_look_agrees(100000, 98000, 10, 1000));    // either side
    EXPECT_FALSE(hvb::second_look_agrees(100000, 97999, 10, 1000));
    EXPECT_TRUE(hvb::second_look_agrees(5000, 7000, 10, 1000));       // twice the 1-cycle floor
    EXPECT_FALSE(hvb::second_look_agrees(5000, 7001, 10, 1000));
    EXPECT_TRUE(hvb::second_look_agrees(-500, 1500, 10, 1000));       // idle around 0
}

TEST(MeasureTest, LongGapThresholdUsesMadWithAOnePercentFloor) {
    std::vector<uint64_t> loops = {1000, 1001, 999, 1000, 1000, 1099, 1101, 5000};
    bool gap[8] = {};
    int64_t scratch[8];
    // median 1000, MAD 1 -> floor 1% = 10 -> threshold 1000 + 100 = 1100.
    EXPECT_EQ(hvb::mark_long_gaps(loops.data(), loops.size(), gap, scratch), 2u);
    EXPECT_FALSE(gap[5]);
    EXPECT_TRUE(gap[6]);
    EXPECT_TRUE(gap[7]);
    // Already-marked entries are not counted again.
    EXPECT_EQ(hvb::mark_long_gaps(loops.data(), loops.size(), gap, scratch), 0u);
}

}  // namespace

namespace {

TEST(MeasureTest, CalibrationGoesThroughItsOwnHookWhenGiven) {
    // The runner times calibration loops without external-timing markers,
    // so the host sees exactly one {control, benchmark} pair per repetition.
    FakePlatform p;
    auto h = p.hooks();
    static unsigned calibrations;
    calibrations = 0;
    h.calibration_loop = [](void* c, uint64_t n) {
        ++calibrations;
        return static_cast<FakePlatform*>(c)->loop(true, n);
    };
    auto c = adaptive_config();
    c.fixed_reps = true;
    c.reps = 8;
    auto samples = std::make_unique<hvb::MeasureSamples>();
    hvb::MeasureResult r;
    hvb::measure(c, h, *samples, r);
    EXPECT_EQ(calibrations, r.calibration_loops);
    EXPECT_GE(calibrations, 2u);
    // timed_loop saw only the repetitions: 8 control and 8 benchmark loops
    // (the fake counts benchmark loops from both hooks).
    EXPECT_EQ(p.control_loops, 8u);
    EXPECT_EQ(p.bench_loops, 8u + calibrations);
}

}  // namespace
