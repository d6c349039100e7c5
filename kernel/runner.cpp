// kernel/runner.cpp — the measurement of HyperBench section 5.2, made
// adaptive and spread over the run: the suite runs in kPasses round-robin
// passes over the selected benchmarks. In pass 1 each benchmark is
// initialised, its iteration count calibrated (kernel/measure.h) and its
// repetitions of {control loop, benchmark loop} taken, each loop between two
// serialized timer reads; later passes repeat that at the same count. Every
// pass streams its repetitions (pass records) and a platform yardstick;
// after the last pass each benchmark's headline is estimated from all its
// repetitions (kernel/estimate.h) and its result record written. A CPU
// exception anywhere in a benchmark's own code becomes its `faulted` result
// and the suite goes on.
#include "kernel/runner.h"

#include "kernel/console_report.h"

#include "kernel/estimate.h"
#include "kernel/measure.h"
#include "kernel/protocol.h"
#include "posih/console.h"
#include "posih/cpu.h"
#include "posih/interrupt.h"
#include "posih/stats.h"
#include "posih/timer.h"

namespace hvb {
namespace {

MeasurementMethod method;

// One measurement in progress: what run_measure needs inside guarded_call,
// and where it leaves its numbers.
struct Job {
    const Benchmark* bench;
    MeasureConfig config;
    bool markers;
    const char* unsupported;  // set by init
    MeasureSamples* samples;
    MeasureResult* result;
    uint64_t init_cycles;  // what init took (set by measure_once)
};

void run_init(void* arg) {
    auto* job = static_cast<Job*>(arg);
    job->unsupported = job->bench->init ? job->bench->init() : nullptr;
}

void run_cleanup(void* arg) {
    auto* job = static_cast<Job*>(arg);
    if (job->bench->cleanup) job->bench->cleanup();
}

uint64_t hook_timed(void* ctx, bool bench, uint64_t n) {
    auto* job = static_cast<Job*>(ctx);
    void (*fn)(uint64_t) = bench ? job->bench->benchmark : job->bench->control;
    if (job->markers) console_put_raw(kMarkerStart);
    uint64_t t = time_call(fn, n);
    if (job->markers) console_put_raw(kMarkerEnd);
    return t;
}
void hook_warm(void* ctx, bool bench, uint64_t n) {
    auto* job = static_cast<Job*>(ctx);
    (bench ? job->bench->benchmark : job->bench->control)(n);
}
uint64_t hook_calibrate(void* ctx, uint64_t n) {
    auto* job = static_cast<Job*>(ctx);
    return time_call(job->bench->benchmark, n);
}
uint64_t hook_now(void*) { return counter_now(); }
uint64_t hook_interrupts(void*) { return interrupts_taken(); }

void run_measure(void* arg) {
    auto* job = static_cast<Job*>(arg);
    MeasureHooks hooks{job, hook_timed, hook_warm, hook_now, hook_interrupts, hook_calibrate};
    if (job->bench->flags & kFlagInterruptsOn) {
        InterruptsOn on;
        measure(job->config, hooks, *job->samples, *job->result);
    } else {
        InterruptsOff off;
        measure(job->config, hooks, *job->samples, *job->result);
    }
}

char reason_buf[160];
RunPlan plan;

// The interleaved passes. Each benchmark's repetitions from every pass go
// to its slice of one pool (kPoolReps / benchmarks, at most kMaxSamples).
constexpr uint32_t kPasses = 5;
constexpr size_t kPoolReps = 32768;
constexpr size_t kMaxSlots = 512;
uint64_t pool_control[kPoolReps], pool_bench[kPoolReps];
uint8_t pool_pass[kPoolReps];
MeasureSamples pass_samples;  // one pass's measurement (measure()'s workspace)
int64_t estimate_scratch[4 * kMaxSamples];
bool estimate_gap[kMaxSamples];
int64_t pass_costs[kMaxPassCosts];

struct Slot {
    const Benchmark* bench;
    ResultRecord rec;
    bool measuring;        // ok so far: takes part in the next pass
    uint64_t iterations;   // chosen in pass 1, kept
    uint32_t first, cap;   // its slice of the pool
    uint32_t count;        // repetitions stored
    uint32_t passes_run;
    uint64_t elapsed;      // cycles, all passes
    uint64_t last_pair;    // cycles of its last {control, benchmark} pair
    uint64_t init_cycles;  // the longest its init took
    char reason[sizeof reason_buf];  // its own copy: results go out after the last pass
};
Slot slots[kMaxSlots];

// A reason formatted into reason_buf (a fault, an unmet need) is copied into
// the slot before the next benchmark formats its own.
void keep_reason(Slot& slot) {
    if (slot.rec.reason != reason_buf) return;
    snformat(slot.reason, sizeof slot.reason, "%s", reason_buf);
    slot.rec.reason = slot.reason;
}

// verify=1: what the second look at each result needs to know.
struct Verdict {
    bool candidate;      // ok, not noisy, cheap enough to look at again
    uint64_t iterations;
    int64_t headline_milli;
};
constexpr size_t kMaxVerdicts = kMaxSlots;
Verdict verdicts[kMaxVerdicts];
constexpr uint32_t kVerifyReps = 5;

// linearity=1: the most time one level of one benchmark may take.
constexpr uint64_t kLinearityBudgetUs = 3000000;
constexpr uint64_t kLinearitySkipUs = 10000000;
// Timer calls timed for the drift figure and the yardstick.
constexpr size_t kDriftProbes = 15;
// Empty loops timed for each pass's yardstick.
constexpr size_t kYardstickLoops = 5;

// Cycles of one {control, benchmark} pair of a result (0 if unknown).
uint64_t pair_cycles(const ResultRecord& r) {
    int64_t per_iter = 2 * r.control_median_milli + r.median_milli;
    if (per_iter <= 0) return 0;
    return uint64_t(per_iter) / 1000 * r.iterations + uint64_t(per_iter) % 1000 * r.iterations / 1000;
}

// Why `b` cannot run on this machine, or nullptr.
const char* unmet_need(const Benchmark& b) {
    const CpuInfo& cpu = cpu_info();
    uint32_t cpus = cpu_count();
    if (b.min_cpus > cpus) {
        snformat(reason_buf, sizeof reason_buf, "needs %u CPUs, this machine has %u", b.min_cpus, cpus);
        return reason_buf;
    }
    if ((b.needs & kNeedHypervisor) && !cpu.hypervisor_present) return "needs a hypervisor (bare metal)";
    for (unsigned f = 0; f < kArchFeatureNeeds; ++f)
        if (b.needs & need_arch_feature(f))
            if (const char* why = arch_feature_missing(f)) return why;
    return nullptr;
}

void fault_reason(const char* phase, const CpuFault& f, ResultRecord& rec) {
    rec.status = Status::faulted;
    rec.has_fault = true;
    rec.fault = FaultInfo{f.number, f.pc, f.code, f.has_code};
    snformat(reason_buf, sizeof reason_buf, "%s in %s at %s 0x%lx", vector_name(f.number), phase, context_pc_name(),
             f.pc);
    rec.reason = reason_buf;
}

uint64_t us_since_entry() { return cycles_to_us(counter_now() - entry_timestamp()); }

// What one measurement is asked to do.
struct Request {
    bool fixed = true;        // at `iterations`; else calibrated from the descriptor
    uint64_t iterations = 0;
    uint64_t budget = 0;      // cycles
    uint32_t fixed_reps = 0;  // 0: by the budget (or reps=)
    bool one_pass = false;    // a pass: spend the budget, no stop at the target
    uint32_t least_reps = kMinRepsAlways;  // at least this many, whatever the budget
    bool warm = true;
    uint32_t max_reps = 0;    // at most this many (0: kMaxSamples)
    // When init alone takes longer than `budget`: the budget to use instead
    // (0: keep it), with at least kMinRepsAlways repetitions. A pass gives
    // such a benchmark its whole budget at once.
    uint64_t budget_if_slow_init = 0;
};

// One measurement of `b`, init to cleanup; its numbers in *job.result and
// its repetitions in *job.samples. False when it did not produce numbers
// (rec then says why).
bool measure_once(const Benchmark& b, const Options& opts, const Request& q, Job& job, ResultRecord& rec) {
    MeasureConfig& c = job.config;
    c = MeasureConfig{};
    c.fixed_iterations = q.fixed;
    c.iterations = q.iterations;
    c.min_iterations = b.min_iterations ? b.min_iterations : 1;
    c.max_iterations = b.max_iterations > c.min_iterations ? b.max_iterations : c.min_iterations;
    c.loop_target = method.loop_target;
    c.timer_cost = method.timer_cost;
    c.fixed_reps = q.fixed_reps != 0;
    c.reps = q.fixed_reps;
    c.max_reps = kMaxSamples;
    if (b.max_repetitions && b.max_repetitions < c.max_reps) c.max_reps = b.max_repetitions;
    if (q.max_reps && q.max_reps < c.max_reps) c.max_reps = q.max_reps;
    if (c.fixed_reps && c.reps > c.max_reps) c.reps = c.max_reps;
    c.min_reps = kMinCiSamples < c.max_reps ? uint32_t(kMinCiSamples) : c.max_reps;
    c.target_permille = opts.target_permille;
    c.target_min_milli = kTargetFloorMilli;
    c.budget = q.budget;
    c.spend_budget = q.one_pass;
    c.min_reps_always = q.least_reps;
    c.warm = q.warm;
    plan = RunPlan{q.fixed ? q.iterations : c.max_iterations, q.fixed, c.fixed_reps ? c.reps : c.max_reps};
    job.unsupported = nullptr;

    CpuFault fault{};
    uint64_t init_start = counter_now();
    if (!guarded_call(run_init, &job, &fault)) {
        fault_reason("init", fault, rec);
        return false;
    }
    job.init_cycles = counter_now() - init_start;
    if (q.budget_if_slow_init && job.init_cycles > q.budget) {
        c.budget = q.budget_if_slow_init;
        c.min_reps_always = kMinRepsAlways;
    }
    if (job.unsupported) {
        rec.status = Status::unsupported;
        rec.reason = job.unsupported;
        return false;
    }
    uint64_t smi_before = 0, smi_after = 0;
    bool smis = method.smi_counter && smi_count(&smi_before);
    bool ok = guarded_call(run_measure, &job, &fault);
    if (!ok) fault_reason("benchmark", fault, rec);
    if (smis && smi_count(&smi_after)) {
        rec.has_smis = true;
        rec.smis += smi_after - smi_before;
    }
    if (!guarded_call(run_cleanup, &job, &fault) && ok) {
        fault_reason("cleanup", fault, rec);
        ok = false;
    }
    return ok;
}

// The count iters= (or the descriptor) fixes for `b`, brought inside the
// descriptor's range (said so on the wire); 0: adaptive.
uint64_t fixed_count(const Benchmark& b, const Options& opts, Sink out) {
    uint64_t given = opts.iterations_for(b.name, 0);
    if (given) {
        // The descriptor's range is part of what the benchmark measures
        // (mem_hot needs a pass over its working set, idle's loop is
        // capped): a count outside it is brought inside, and said so.
        uint64_t lo = b.min_iterations ? b.min_iterations : 1;
        uint64_t hi = b.max_iterations > lo ? b.max_iterations : lo;
        uint64_t use = given < lo ? lo : given > hi ? hi : given;
        if (use != given) {
            char msg[192];
            snformat(msg, sizeof msg, "iters=%lu is outside %s's range [%lu, %lu]: measured at %lu iterations", given,
                     b.name, lo, hi, use);
            write_error(out, msg);
            report_error(msg);
        }
        return use;
    }
    return (b.flags & kFlagFixedIterations) ? (b.iterations ? b.iterations : 1) : 0;
}

void prepare_slot(Slot& slot, const Benchmark& b, const Options& opts, Sink out) {
    slot = Slot{};
    slot.bench = &b;
    ResultRecord& rec = slot.rec;
    rec.name = b.name;
    rec.category = b.category;
    rec.status = Status::ok;
    rec.reason = "";
    rec.noisy_cause = "";
    rec.params = b.params;
    rec.param_count = b.param_count;
    uint64_t fixed = fixed_count(b, opts, out);
    rec.iterations_adaptive = fixed == 0;
    slot.iterations = fixed ? fixed : b.iterations;
    rec.iterations = slot.iterations;
    if (const char* why = unmet_need(b)) {
        rec.status = Status::unsupported;
        rec.reason = why;
        keep_reason(slot);
        return;
    }
    slot.measuring = true;
}

// reps=N: the repetitions of pass `pass`, N spread over the passes.
uint32_t fixed_reps_in_pass(uint32_t reps, uint32_t pass) {
    if (reps == 0) return 0;
    return reps / kPasses + (pass < reps % kPasses ? 1 : 0);
}

// The host's pace at the start of a pass: the timer call around nothing and
// the empty loop at about the loop target (interrupts off).
YardstickRecord measure_yardstick(uint32_t pass) {
    static int64_t probes[kDriftProbes], scratch[kDriftProbes];
    YardstickRecord y{};
    y.pass = pass + 1;
    y.t_us = us_since_entry();
    InterruptsOff off;
    for (size_t i = 0; i < kDriftProbes; ++i) probes[i] = int64_t(time_call(empty_loop, 0));
    y.timer_milli = summarize(probes, kDriftProbes, scratch).median * 1000;
    uint64_t n = method.empty_loop_iterations;
    for (size_t i = 0; i < kYardstickLoops; ++i)
        probes[i] = per_iteration_milli(time_call(empty_loop, n), method.timer_cost, n);
    y.empty_loop_milli = summarize(probes, kYardstickLoops, scratch).median;
    y.empty_loop_iterations = n;
    return y;
}

// One pass of one benchmark: measure, keep its repetitions, stream them.
// Pass 1 calibrates the count (kept after) and takes at least one
// repetition, like every pass.
void run_pass(Slot& slot, uint32_t index, uint32_t total, uint32_t pass, const Options& opts, Sink out) {
    if (!slot.measuring) return;
    const Benchmark& b = *slot.bench;
    const uint64_t share = method.budget / kPasses;
    // A benchmark whose init alone outlasts the share (a working set of
    // pages to touch or map: tens of ms per init on the nested KVM here)
    // took its whole budget and three repetitions in pass 1, and sits the
    // later passes out.
    if (pass > 0 && slot.count >= kMinRepsAlways && slot.init_cycles > share) return;
    // One whose pair outlasts the share (set_page_table there: ~165 ms per
    // build) runs in alternate passes, 1, 3 and 5, one repetition each:
    // three seconds apart, where pass 1 took three back to back before at
    // the same cost, so its low end can be seen in more than one pass.
    if (pass % 2 == 1 && slot.last_pair > share && !opts.reps) return;  // reps=N: every pass its share of N
    uint32_t reps = fixed_reps_in_pass(opts.reps, pass);
    if (opts.reps && reps == 0) return;
    write_begin(out, b.name, index + 1, total, pass + 1, us_since_entry());
    MeasureResult result{};
    // External-timing markers in pass 1 only: the host pairs them with the
    // benchmark whose begin and result records bracket them.
    Job job{&b, MeasureConfig{}, opts.external_timing && pass == 0, nullptr, &pass_samples, &result, 0};
    // Its slice of the pool shared out over the passes: a benchmark fast
    // enough to fill the whole slice in pass 1 (wbinvd on TCG: ~730
    // repetitions in 12 ms) would otherwise leave the estimator pass 1's
    // samples only. Repetitions past the pass's room are not run at all.
    uint32_t room = slot.cap * (pass + 1) / kPasses;
    room = room > slot.count ? room - slot.count : 1;
    const Request q{.fixed = pass > 0 || !slot.rec.iterations_adaptive,
                    .iterations = slot.iterations,
                    .budget = share,
                    .fixed_reps = reps,
                    .one_pass = true,
                    .least_reps = 1,
                    .warm = pass == 0,
                    .max_reps = room,
                    .budget_if_slow_init = pass == 0 ? method.budget : 0};
    uint64_t started = counter_now();
    bool ok = measure_once(b, opts, q, job, slot.rec);
    slot.elapsed += counter_now() - started;
    if (job.init_cycles > slot.init_cycles) slot.init_cycles = job.init_cycles;
    if (!ok) {
        slot.measuring = false;
        if (slot.rec.status == Status::unsupported && slot.count > 0) {
            // A later pass that finds no room (mem_cold's never-touched
            // pages are used up) ends the benchmark's passes; what the
            // earlier ones measured stands, and `passes` says how many ran.
            slot.rec.status = Status::ok;
            slot.rec.reason = "";
            return;
        }
        keep_reason(slot);
        return;
    }
    slot.iterations = result.iterations;
    slot.rec.iterations = result.iterations;
    slot.rec.interrupts += result.interrupts;
    ++slot.passes_run;
    uint32_t stored = 0;
    for (uint32_t k = 0; k < result.samples; ++k) {
        uint64_t c = pass_samples.control[k], bn = pass_samples.bench[k];
        slot.last_pair = c + bn;
        if (stored < kMaxPassCosts) pass_costs[stored++] = per_iteration_milli(bn, c, result.iterations);
        if (slot.count >= slot.cap) continue;
        uint32_t at = slot.first + slot.count++;
        pool_control[at] = c;
        pool_bench[at] = bn;
        pool_pass[at] = uint8_t(pass);
    }
    write_pass(out, PassRecord{b.name, pass + 1, result.iterations, pass_costs, stored, us_since_entry()});
}

// After the last pass: the headline and the typical cost from every
// repetition of every pass (kernel/estimate.h).
void finish_slot(Slot& slot, const Options& opts) {
    ResultRecord& rec = slot.rec;
    Estimate e{};
    EstimateInput in{pool_control + slot.first, pool_bench + slot.first, pool_pass + slot.first, slot.count,
                     slot.iterations, slot.passes_run, opts.target_permille, kTargetFloorMilli};
    estimate(in, estimate_scratch, estimate_gap, e);
    rec.repetitions = e.kept;
    rec.outliers = e.outliers;
    rec.min_milli = e.cost.min;
    rec.median_milli = e.cost.median;
    rec.mean_milli = e.cost.mean;
    rec.mad_milli = e.cost.mad;
    rec.control_median_milli = e.control_median;
    rec.has_ci = e.has_ci;
    rec.ci_low_milli = e.ci_low;
    rec.ci_high_milli = e.ci_high;
    rec.has_estimate = true;
    rec.estimate_milli = e.headline;
    rec.estimate_has_interval = e.has_interval;
    rec.estimate_low_milli = e.low;
    rec.estimate_high_milli = e.high;
    rec.p50_milli = e.p50;
    rec.p90_milli = e.p90;
    rec.passes = slot.passes_run;
    rec.cpus_used = slot.bench->min_cpus > 1 ? slot.bench->min_cpus : 0;
    rec.noisy = e.noisy;
    rec.noisy_cause = e.cause;
}

LinearityLevel levels[kLinearityLevels];

// a / base x 1000, rounded to nearest (|a| is far below 2^53 millicycles).
int64_t ratio_milli(int64_t a, int64_t base) {
    if (base == 0) return 0;
    if (base < 0) {
        a = -a;
        base = -base;
    }
    int64_t num = a * 1000;
    return num >= 0 ? (num + base / 2) / base : -((-num + base / 2) / base);
}

// A linearity measurement failed: the result takes its status.
void take_failure(ResultRecord& rec, const ResultRecord& level) {
    rec.status = level.status;
    rec.reason = level.reason;
    rec.has_fault = level.has_fault;
    rec.fault = level.fault;
}

// The levels take seconds, in which a shared host can change speed. A
// closing measurement at N that disagrees with the first (beyond twice the
// target) means the ratios mix two speeds: every level is noisy.
void close_linearity(const Benchmark& b, const Options& opts, ResultRecord& rec, uint32_t n) {
    ResultRecord again{};
    again.status = Status::ok;
    MeasureResult result{};
    Job job{&b, MeasureConfig{}, false, nullptr, &pass_samples, &result, 0};
    if (!measure_once(b, opts, Request{.iterations = levels[0].iterations, .budget = method.budget}, job, again)) {
        take_failure(rec, again);
        return;
    }
    int64_t first = levels[0].median_milli, last = result.cost.median;
    if (second_look_agrees(first, last, opts.target_permille, kTargetFloorMilli)) return;
    for (uint32_t k = 0; k < n; ++k) levels[k].noisy = true;
    rec.noisy = true;
    rec.noisy_cause = "linearity: N measured again at the end moved";
    report_linearity_moved(b.name, first, last);
}

// HyperBench section 6.2: the same benchmark at 10x and 100x the count
// (its own measurement each, init to cleanup, medians compared); the
// per-iteration cost should not move.
void check_linearity(const Benchmark& b, const Options& opts, ResultRecord& rec) {
    uint32_t n = 0;
    levels[n++] = LinearityLevel{rec.iterations, rec.median_milli, rec.has_ci, rec.ci_low_milli, rec.ci_high_milli,
                                 rec.repetitions, rec.noisy, 1000};
    const uint64_t base = rec.iterations;
    // One {control, benchmark} pair at N, in cycles: a level's budget grows
    // with its loops so that it too can reach an interval (about ten
    // pairs), up to kLinearityBudgetUs.
    const uint64_t pair = pair_cycles(rec);
    const uint64_t cap = us_to_cycles(kLinearityBudgetUs);
    for (uint64_t factor = 10; factor <= 100; factor *= 10) {
        uint64_t want = base * factor;
        if (b.max_iterations && want > b.max_iterations) want = b.max_iterations;
        if (want <= levels[n - 1].iterations) break;
        // A level whose three pairs (the least a measurement runs) would
        // take longer than kLinearitySkipUs is left out: at 100 builds
        // set_page_table's loop lasts 17 s on the nested KVM here.
        uint64_t least = pair / base * want * kMinRepsAlways;
        if (least > us_to_cycles(kLinearitySkipUs)) {
            report_linearity_stop(b.name, levels[n - 1].iterations, want, cycles_to_us(least) / 1000);
            break;
        }
        ResultRecord level{};
        level.status = Status::ok;
        uint64_t level_budget = 10 * pair * (want / base);
        if (level_budget > cap) level_budget = cap;
        if (level_budget < method.budget) level_budget = method.budget;
        MeasureResult result{};
        Job job{&b, MeasureConfig{}, false, nullptr, &pass_samples, &result, 0};
        if (!measure_once(b, opts, Request{.iterations = want, .budget = level_budget}, job, level)) {
            take_failure(rec, level);
            break;
        }
        levels[n++] = LinearityLevel{result.iterations, result.cost.median, result.has_ci, result.ci_low,
                                     result.ci_high, result.repetitions, !result.target_met,
                                     ratio_milli(result.cost.median, rec.median_milli)};
    }
    if (n > 1 && rec.status == Status::ok) close_linearity(b, opts, rec, n);
    rec.linearity = levels;
    rec.linearity_count = n;
}

// verify=1 (off by default: the passes are the second look). Every result
// whose headline is established is measured once more at the same count,
// five repetitions; its record's `median` is their minimum. The headline
// is the uncontended cost, so a second look cheaper by more than twice the
// target says the passes missed the fast mode (noisy); a dearer one says
// nothing (the host may be in a slow phase).
void verify_results(const Benchmark* const* list, size_t count, const Options& opts, Sink out) {
    size_t n = count < kMaxVerdicts ? count : kMaxVerdicts;
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
        const Verdict& v = verdicts[i];
        if (!v.candidate) continue;
        if (!any) report_verify_head();
        any = true;
        const Benchmark& b = *list[i];
        ResultRecord again{};
        again.status = Status::ok;
        MeasureResult result{};
        Job job{&b, MeasureConfig{}, false, nullptr, &pass_samples, &result, 0};
        VerifyRecord vr{};
        vr.name = b.name;
        vr.iterations = v.iterations;
        if (!measure_once(b, opts, Request{.iterations = v.iterations, .budget = method.budget, .fixed_reps = kVerifyReps},
                          job, again)) {
            vr.measured = false;
            vr.agrees = false;
            vr.reason = again.reason;
        } else {
            vr.measured = true;
            vr.median_milli = result.cost.min;
            vr.repetitions = result.repetitions;
            vr.agrees = vr.median_milli >= v.headline_milli ||
                        second_look_agrees(v.headline_milli, vr.median_milli, opts.target_permille, kTargetFloorMilli);
            vr.reason = "";
        }
        write_verify(out, vr);
        report_verify(b.name, v.headline_milli, vr);
    }
}

}  // namespace

const RunPlan& current_plan() { return plan; }

const MeasurementMethod& measurement_init(const Options& opts) {
    InterruptsOff off;

    constexpr size_t kProbes = 63;
    static int64_t t[kProbes], r[kProbes], scratch[kProbes];
    for (size_t i = 0; i < 8; ++i) time_call(empty_loop, 0);  // warm
    for (size_t i = 0; i < kProbes; ++i) t[i] = int64_t(time_call(empty_loop, 0));
    Summary ts = summarize(t, kProbes, scratch);
    for (size_t i = 0; i < kProbes; ++i) r[i] = int64_t(counter_read_cost());
    Summary rs = summarize(r, kProbes, scratch);
    method.timer_cost = uint64_t(ts.median);
    method.timer_mad = uint64_t(ts.mad);
    method.counter_read = uint64_t(rs.median);
    method.counter_intercepted = method.counter_read > kInterceptedReadCycles;
    uint64_t smi;
    method.smi_counter = smi_count(&smi);
    uint64_t target = us_to_cycles(opts.min_loop_us);
    if (kTimerCostFactor * method.timer_cost > target) target = kTimerCostFactor * method.timer_cost;
    if (kTimerMadFactor * method.timer_mad > target) target = kTimerMadFactor * method.timer_mad;
    method.loop_target = target;
    method.budget = us_to_cycles(uint64_t(opts.budget_ms) * 1000);
    // The yardstick's empty loop: a tenth of the loop target, at the
    // iteration cost of one untimed loop of 1024 (cheap: no calibration).
    constexpr uint64_t kProbeLoop = 1024;
    uint64_t before = counter_now();
    empty_loop(kProbeLoop);
    uint64_t spent = counter_now() - before;
    uint64_t per = spent / kProbeLoop ? spent / kProbeLoop : 1;
    method.empty_loop_iterations = target / 10 / per ? target / 10 / per : 1;
    return method;
}

void describe_method(const Options& opts, HeaderRecord& h) {
    h.boot_us = us_since_entry();
    h.timer_milli = int64_t(method.timer_cost) * 1000;
    h.timer_mad_milli = int64_t(method.timer_mad) * 1000;
    h.counter_read_milli = int64_t(method.counter_read) * 1000;
    h.counter_intercepted = method.counter_intercepted;
    h.smi_counter = method.smi_counter;
    h.iterations_adaptive = opts.iters_all == 0;
    h.reps_adaptive = opts.reps == 0;
    h.target_permille = opts.target_permille;
    h.target_min_milli = kTargetFloorMilli;
    h.confidence_percent = 95;
    h.budget_ms = opts.budget_ms;
    h.min_reps = kMinCiSamples;
    h.max_reps = opts.reps ? opts.reps : kMaxSamples;
    h.loop_target_cycles = method.loop_target;
    h.speed_check = false;  // the passes' yardstick records show the platform's pace instead
    h.speed_mad_permille = 0;
    h.outlier_rule = kOutlierRule;
    h.pinned = opts.pinned;
    h.linearity = opts.linearity;
    h.verify = opts.verify;
    h.estimator = kEstimatorName;
    h.passes = kPasses;
}

RunTotals run_benchmarks(const Benchmark* const* list, size_t count, const Options& opts, Sink out) {
    RunTotals totals{};
    size_t n = count < kMaxSlots ? count : kMaxSlots;
    for (size_t i = 0; i < n; ++i) prepare_slot(slots[i], *list[i], opts, out);
    uint32_t per_slot = n ? uint32_t(kPoolReps / n) : 0;
    if (per_slot > kMaxSamples) per_slot = kMaxSamples;
    for (size_t i = 0; i < n; ++i) {
        slots[i].first = uint32_t(i) * per_slot;
        slots[i].cap = per_slot;
    }
    // The header's method fields and pass 1's yardstick (measured at the
    // pass's start) follow the first benchmark of pass 1, or come before the
    // results when there is none: fewer bytes through an emulated UART
    // before the first measurement.
    bool method_sent = false;
    YardstickRecord first_yardstick{};
    auto send_method = [&] {
        HeaderRecord h{};
        describe_method(opts, h);
        write_method(out, h);
        write_yardstick(out, first_yardstick);
        method_sent = true;
    };
    for (uint32_t pass = 0; pass < kPasses; ++pass) {
        YardstickRecord y = measure_yardstick(pass);
        if (pass == 0) first_yardstick = y;
        else write_yardstick(out, y);
        for (size_t i = 0; i < n; ++i) {
            run_pass(slots[i], uint32_t(i), uint32_t(n), pass, opts, out);
            if (!method_sent) send_method();
        }
    }
    if (!method_sent) send_method();
    report_table_head();
    for (size_t i = 0; i < n; ++i) {
        Slot& slot = slots[i];
        if (slot.rec.status == Status::ok) finish_slot(slot, opts);
        if (slot.rec.status == Status::ok && opts.linearity) check_linearity(*list[i], opts, slot.rec);
        if (i < kMaxVerdicts) {
            // Cheap enough for a second look: five pairs within the budget.
            const ResultRecord& r = slot.rec;
            verdicts[i] = Verdict{r.status == Status::ok && !r.noisy && kVerifyReps * pair_cycles(r) <= method.budget,
                                  r.iterations, r.estimate_milli};
        }
        slot.rec.elapsed_us = cycles_to_us(slot.elapsed);
        slot.rec.t_us = us_since_entry();
        slot.rec.init_us = cycles_to_us(slot.init_cycles);
        write_result(out, slot.rec);
        report_result(slot.rec);
        ++totals.counts[size_t(slot.rec.status)];
    }
    if (opts.verify) verify_results(list, n, opts, out);
    return totals;
}

}  // namespace hvb
