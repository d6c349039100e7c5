// kernel/measure.cpp — adaptive iterations and repetitions (kernel/measure.h).
#include "kernel/measure.h"

namespace hvb {

namespace {

constexpr int64_t kI64Max = 0x7fffffffffffffffLL;

// Re-evaluates the first n repetitions: which are kept, their summary, the
// interval and whether it meets the target.
void evaluate(const MeasureConfig& cfg, MeasureSamples& s, uint32_t n, uint64_t iterations, MeasureResult& r) {
    for (uint32_t i = 0; i < n; ++i) s.gap[i] = false;
    mark_long_gaps(s.control, n, s.gap, s.scratch);
    mark_long_gaps(s.bench, n, s.gap, s.scratch);

    uint32_t k = 0;
    for (uint32_t i = 0; i < n; ++i) {
        if (s.gap[i]) continue;
        s.kept_cost[k] = s.cost[i];
        s.kept_control[k] = saturate_i64(s.control[i]);
        ++k;
    }
    r.repetitions = k;
    r.outliers = n - k;
    r.has_ci = false;
    r.target_met = false;
    if (k == 0) return;  // cannot happen (the median loop is never a gap), but harmless

    r.cost = summarize(s.kept_cost, k, s.scratch);
    // summarize left the sorted costs in scratch[0, k): the interval's ends.
    size_t lo, hi;
    if (median_ci_ranks(k, &lo, &hi)) {
        r.has_ci = true;
        r.ci_low = s.scratch[lo];
        r.ci_high = s.scratch[hi];
        // A platform that keeps interrupting the loops is not measured to
        // the target however tight the rest: more than a quarter of the
        // repetitions discarded leaves the result noisy.
        r.target_met = within_target(r.cost.median, r.ci_low, r.ci_high, cfg.target_permille, cfg.target_min_milli) &&
                       uint64_t(r.outliers) * kMaxOutlierDen <= uint64_t(n);
    }
    // Only the control's median is reported: one sort, not summarize's two.
    for (uint32_t i = 0; i < k; ++i) s.scratch[i] = s.kept_control[i];
    sort_i64(s.scratch, k);
    int64_t control = median_sorted(s.scratch, k);
    r.control_median = per_iteration_milli(uint64_t(control < 0 ? 0 : control), 0, iterations);
}

}  // namespace

uint64_t next_calibration_count(uint64_t n, uint64_t elapsed, uint64_t target, uint64_t max_iterations) {
    if (n == 0) n = 1;
    uint64_t next;
    if (elapsed == 0 || n > ~0ull / 100) {
        next = n > ~0ull / 100 ? ~0ull : n * 100;
    } else {
        // n * target * 1.25 / elapsed, in 128 bits (target and n can be large).
        unsigned __int128 want = static_cast<unsigned __int128>(n) * target;
        want += want / 4;
        unsigned __int128 q = 0;
        // Division by a 64-bit value without libgcc: elapsed < 2^64, want < 2^128.
        if ((want >> 64) == 0) {
            q = uint64_t(want) / elapsed;
        } else {
            unsigned __int128 r = 0;
            for (int bit = 127; bit >= 0; --bit) {
                r = (r << 1) | ((want >> bit) & 1);
                if (r >= elapsed) {
                    r -= elapsed;
                    q |= static_cast<unsigned __int128>(1) << bit;
                }
            }
        }
        next = (q >> 64) ? ~0ull : uint64_t(q);
        if (next < 2 * n) next = 2 * n;
        if (next / 100 > n) next = n * 100;
    }
    if (next > max_iterations) next = max_iterations;
    return next;
}

bool timer_drifted(uint64_t now, uint64_t floor, uint64_t mad, int64_t* permille) {
    if (floor == 0) {
        *permille = 0;
        return false;
    }
    uint64_t diff = now > floor ? now - floor : floor - now;
    int64_t p = int64_t(diff > ~0ull / 1000 ? ~0ull >> 2 : diff * 1000 / floor);
    *permille = now >= floor ? p : -p;
    return now > floor && *permille > kTimerDriftPermille && diff > kTimerDriftMads * mad;
}

size_t mark_long_gaps_sorted(const uint64_t* loops, const int64_t* sorted, size_t n, bool* gap) {
    if (n == 0) return 0;
    int64_t median = median_sorted(sorted, n);
    uint64_t mad_u = mad_sorted(sorted, n, median);  // below 2^63: every loop is in [0, 2^63)
    int64_t mad = int64_t(mad_u);
    int64_t floor = median / 100;
    int64_t spread = mad > floor ? mad : floor;
    int64_t threshold = (kI64Max - median) / kGapMads < spread ? kI64Max : median + kGapMads * spread;
    size_t marked = 0;
    for (size_t i = 0; i < n; ++i) {
        if (saturate_i64(loops[i]) > threshold && !gap[i]) {
            gap[i] = true;
            ++marked;
        }
    }
    return marked;
}

size_t mark_long_gaps(const uint64_t* loops, size_t n, bool* gap, int64_t* scratch) {
    for (size_t i = 0; i < n; ++i) scratch[i] = saturate_i64(loops[i]);
    sort_i64(scratch, n);
    return mark_long_gaps_sorted(loops, scratch, n, gap);
}

uint64_t calibrate_count(uint64_t start, uint64_t max, uint64_t target, uint64_t timer_cost,
                         uint64_t (*time)(void* ctx, uint64_t iterations), void* ctx, uint32_t* loops) {
    uint64_t n = start;
    for (;;) {
        uint64_t t = time(ctx, n);
        if (loops) ++*loops;
        t = t > timer_cost ? t - timer_cost : 0;
        if (t >= target || n >= max) return n;
        uint64_t next = next_calibration_count(n, t, target, max);
        if (next <= n) return n;
        n = next;
    }
}

namespace {
// The benchmark loop as calibration times it (measure's hooks as context).
uint64_t calibration_time(void* ctx, uint64_t n) {
    const auto& h = *static_cast<const MeasureHooks*>(ctx);
    return h.calibration_loop ? h.calibration_loop(h.ctx, n) : h.timed_loop(h.ctx, true, n);
}
}  // namespace

void measure(const MeasureConfig& cfg, const MeasureHooks& h, MeasureSamples& s, MeasureResult& out) {
    out = MeasureResult{};
    const uint64_t start = h.now(h.ctx);
    uint64_t lo = cfg.min_iterations ? cfg.min_iterations : 1;
    uint64_t hi = cfg.max_iterations >= lo ? cfg.max_iterations : lo;
    // Calibration starts at the bottom of the range: the count only grows.
    uint64_t n = lo;
    if (cfg.fixed_iterations) n = cfg.iterations ? cfg.iterations : 1;

    // Calibration: grow n until one benchmark loop lasts loop_target cycles.
    bool bench_warm = false;
    if (!cfg.fixed_iterations) {
        // The first call of anything is slow (caches, TLB, page faults, a
        // binary translator's translation): it must not end calibration...
        uint64_t before = h.now(h.ctx);
        h.warm_loop(h.ctx, true, n);
        uint64_t warm = h.now(h.ctx) - before;
        bench_warm = true;
        // ...unless it lasted kWarmEnoughFactor loop targets at the range's
        // bottom: however much slower a first call is, the count cannot be
        // smaller, and timing another one only costs time (set_page_table:
        // one build takes ~170 ms where every guest page-table write exits to
        // a software hypervisor, against a 1.3 ms target).
        if (warm / kWarmEnoughFactor < cfg.loop_target)
            n = calibrate_count(n, hi, cfg.loop_target, cfg.timer_cost, calibration_time,
                                const_cast<MeasureHooks*>(&h), &out.calibration_loops);
    }
    out.iterations = n;

    // Untimed warm-up: code, data, TLB entries and (under binary
    // translation) translated blocks in. Calibration already ran the
    // benchmark loop, so only the control is cold then.
    if (cfg.warm) {
        h.warm_loop(h.ctx, false, n);
        if (!bench_warm) h.warm_loop(h.ctx, true, n);
    }

    uint32_t cap = cfg.fixed_reps ? cfg.reps : cfg.max_reps;
    if (cap > kMaxSamples) cap = kMaxSamples;
    if (cap == 0) cap = 1;
    uint32_t min_reps = cfg.min_reps < kMinCiSamples ? uint32_t(kMinCiSamples) : cfg.min_reps;
    uint32_t next_check = cfg.spend_budget ? cap : min_reps;
    const uint32_t least = cfg.min_reps_always ? cfg.min_reps_always : 1;
    uint64_t irq_start = h.interrupts ? h.interrupts(h.ctx) : 0;
    uint32_t done = 0;
    bool evaluated = false;
    bool met_before = false;
    uint64_t eval_cost = 0;  // cycles the last evaluation took
    while (done < cap) {
        uint64_t c = h.timed_loop(h.ctx, false, n);
        uint64_t b = h.timed_loop(h.ctx, true, n);
        s.control[done] = c;
        s.bench[done] = b;
        s.cost[done] = per_iteration_milli(b, c, n);
        ++done;
        evaluated = false;
        if (cfg.fixed_reps) continue;
        // Over budget once another pair (at the last pair's length) and the
        // final check would end past it: the budget is kept, not overrun by
        // a pair and a check.
        uint64_t spent = h.now(h.ctx) - start;
        bool over_budget = spent >= cfg.budget || cfg.budget - spent <= c + b + eval_cost;
        if (cfg.spend_budget) {
            if (over_budget && done >= least) break;
            continue;
        }
        if (done >= next_check || (over_budget && done >= least)) {
            uint64_t before = h.now(h.ctx);
            evaluate(cfg, s, done, n, out);
            eval_cost = h.now(h.ctx) - before;
            ++out.evaluations;
            evaluated = true;
            // Checking again and again until the interval looks tight would
            // stop on a lucky streak; the target must hold at two
            // checkpoints in a row.
            bool met = out.target_met && out.repetitions >= min_reps;
            if (met && met_before) break;
            met_before = met;
            // Geometric checkpoints: sorting after every repetition would
            // cost more than the repetitions on a slow platform. Where even
            // that is too often (a platform that runs the guest's own
            // instructions slowly, such as a nested software hypervisor,
            // where one evaluation, ~6 ms, costs as much as three
            // {control, benchmark} pairs) they are spaced so that evaluating
            // takes at most a fifth of the time.
            uint64_t step = done / 4 > 1 ? done / 4 : 1;
            uint64_t pair = c + b;
            if (pair > 0 && (4 * eval_cost + pair - 1) / pair > step) step = (4 * eval_cost + pair - 1) / pair;
            next_check = step >= cap - done ? cap : done + uint32_t(step);
        }
        if (over_budget && done >= least) break;
    }
    out.samples = done;
    if (!evaluated) {
        evaluate(cfg, s, done, n, out);
        ++out.evaluations;
    }
    out.interrupts = h.interrupts ? h.interrupts(h.ctx) - irq_start : 0;
    out.elapsed = h.now(h.ctx) - start;
}

}  // namespace hvb
