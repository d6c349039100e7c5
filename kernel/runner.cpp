// kernel/runner.cpp — the measurement of HyperBench section 5.2, made
// adaptive: per benchmark, init; calibration of the iteration count; then
// repetitions of {control loop, benchmark loop}, each between two serialized
// timer reads, until the median is known to the target (kernel/measure.h);
// per-iteration cost = (benchmark - control) / iterations, kept signed;
// cleanup. A CPU exception anywhere in a benchmark's own code becomes its
// `faulted` result and the suite goes on.
#include "kernel/runner.h"

#include "kernel/measure.h"
#include "kernel/protocol.h"
#include "posih/console.h"
#include "posih/cpu.h"
#include "posih/interrupt.h"
#include "posih/stats.h"
#include "posih/timer.h"

namespace hvb {
namespace {

MeasureSamples samples;
MeasureResult result;
MeasurementMethod method;

struct Job {
    const Benchmark* bench;
    MeasureConfig config;
    TimerMode timer;
    bool markers;
    const char* unsupported;  // set by init
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
    uint64_t t = time_call(job->timer, fn, n);
    if (job->markers) console_put_raw(kMarkerEnd);
    return t;
}
void hook_warm(void* ctx, bool bench, uint64_t n) {
    auto* job = static_cast<Job*>(ctx);
    (bench ? job->bench->benchmark : job->bench->control)(n);
}
uint64_t hook_calibrate(void* ctx, uint64_t n) {
    auto* job = static_cast<Job*>(ctx);
    return time_call(job->timer, job->bench->benchmark, n);
}
uint64_t hook_now(void*) { return counter_now(); }
uint64_t hook_interrupts(void*) { return interrupts_taken(); }

void run_measure(void* arg) {
    auto* job = static_cast<Job*>(arg);
    MeasureHooks hooks{job, hook_timed, hook_warm, hook_now, hook_interrupts, hook_calibrate};
    if (job->bench->flags & kFlagInterruptsOn) {
        InterruptsOn on;
        measure(job->config, hooks, samples, result);
    } else {
        InterruptsOff off;
        measure(job->config, hooks, samples, result);
    }
}

char reason_buf[160];
RunPlan plan;

// verify=1: what the second look at each result needs to know.
struct Verdict {
    bool candidate;      // ok, not noisy, cheap enough to look at again
    uint64_t iterations;
    int64_t median_milli;
};
constexpr size_t kMaxVerdicts = 512;
Verdict verdicts[kMaxVerdicts];
constexpr uint32_t kVerifyReps = 5;

// linearity=1: the most time one level of one benchmark may take.
constexpr uint64_t kLinearityBudgetUs = 3000000;
constexpr uint64_t kLinearitySkipUs = 10000000;
// Timer calls timed after each benchmark for the drift check.
constexpr size_t kDriftProbes = 15;

// Platform speed. Most benchmarks' control is hvb::empty_loop, whose cost
// per iteration is a property of the platform alone; measured in the same
// window as the benchmark, it shows the host running the vCPU slower (or
// faster) than usual for the whole window, which the interval cannot see.
// "Usual" is the median of the boot measurement and of every earlier
// benchmark's empty control (a running reference, robust to one bad window).
constexpr size_t kSpeedHistory = 64;
int64_t speed_history[kSpeedHistory];
size_t speed_count;
int64_t speed_scratch[2 * kSpeedHistory];

int64_t speed_reference() {
    if (speed_count == 0) return 0;
    size_t n = speed_count < kSpeedHistory ? speed_count : kSpeedHistory;
    return summarize(speed_history, n, speed_scratch).median;
}
void speed_record(int64_t control_milli) {
    speed_history[speed_count % kSpeedHistory] = control_milli;
    ++speed_count;
}
// (control / reference - 1) in permille, signed.
int64_t speed_deviation(int64_t control_milli, int64_t reference) {
    if (reference <= 0) return 0;
    return (control_milli - reference) * 1000 / reference;
}
bool speed_off(const ResultRecord& r) {
    return r.has_speed && (r.speed_permille > kSpeedTolerancePermille || r.speed_permille < -kSpeedTolerancePermille);
}

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
    if ((b.needs & kNeedRdtscp) && !cpu.has_rdtscp) return "CPU does not advertise RDTSCP";
    return nullptr;
}

void fault_reason(const char* phase, const CpuFault& f, ResultRecord& rec) {
    rec.status = Status::faulted;
    rec.has_fault = true;
    rec.fault = FaultInfo{f.vector, f.pc, f.error_code, f.has_error_code};
    snformat(reason_buf, sizeof reason_buf, "%s in %s at rip 0x%lx", vector_name(f.vector), phase, f.pc);
    rec.reason = reason_buf;
}

// The wider side of the interval: "+-0.4%" of the median, or in cycles
// ("+-0.812") where the 1-cycle floor is the target (medians under 100
// cycles at 1%); "-" without an interval.
void format_ci(char* buf, size_t size, const ResultRecord& r, uint32_t target_permille) {
    if (!r.has_ci) {
        snformat(buf, size, "-");
        return;
    }
    int64_t below = r.median_milli - r.ci_low_milli, above = r.ci_high_milli - r.median_milli;
    uint64_t wide = uint64_t(below > above ? below : above);
    uint64_t mag = uint64_t(r.median_milli < 0 ? -r.median_milli : r.median_milli);
    if (mag == 0 || mag / 1000 * target_permille < 1000) {
        char c[32];
        format_milli(c, int64_t(wide));
        snformat(buf, size, "+-%s", c);
        return;
    }
    uint64_t tenths = (wide * 1000 + mag / 2) / mag;
    snformat(buf, size, "+-%lu.%lu%%", tenths / 10, tenths % 10);
}

void print_row(const ResultRecord& r, uint32_t target_permille) {
    char med[32], ci[32], min[32], ctl[32];
    if (r.status == Status::ok) {
        char speed[24] = "";
        if (speed_off(r))
            snformat(speed, sizeof speed, "speed %c%ld%% ", r.speed_permille < 0 ? '-' : '+',
                     (r.speed_permille < 0 ? -r.speed_permille : r.speed_permille) / 10);
        format_milli(med, r.median_milli);
        format_milli(min, r.min_milli);
        format_milli(ctl, r.control_median_milli);
        format_ci(ci, sizeof ci, r, target_permille);
        kprintf("%-22s %-12s %-8s %10lu %5u %14s %9s %14s %12s %s%s%s\n", r.name, r.category,
                r.noisy ? "noisy" : "ok", r.iterations, r.repetitions, med, ci, min, ctl, speed,
                r.outliers ? "gaps " : "", r.interrupts ? "irqs" : "");
    } else {
        kprintf("%-22s %-12s %-8s %s\n", r.name, r.category, status_name(r.status), r.reason);
    }
}

uint64_t us_since_entry() { return cycles_to_us(counter_now() - entry_timestamp()); }

// One measurement of `b` at a count (fixed, or adaptive from the
// descriptor), init to cleanup. False when it did not produce numbers
// (rec then says why).
bool measure_once(const Benchmark& b, const Options& opts, bool fixed, uint64_t iterations, uint64_t budget,
                  Job& job, ResultRecord& rec, uint32_t fixed_reps = 0) {
    MeasureConfig& c = job.config;
    c = MeasureConfig{};
    c.fixed_iterations = fixed;
    c.iterations = iterations;
    c.min_iterations = b.min_iterations ? b.min_iterations : 1;
    c.max_iterations = b.max_iterations > c.min_iterations ? b.max_iterations : c.min_iterations;
    c.loop_target = method.loop_target;
    c.timer_cost = method.timer_cost;
    c.fixed_reps = fixed_reps != 0 || opts.reps != 0;
    c.reps = fixed_reps ? fixed_reps : opts.reps;
    c.max_reps = kMaxSamples;
    if (b.max_repetitions && b.max_repetitions < c.max_reps) c.max_reps = b.max_repetitions;
    if (c.fixed_reps && c.reps > c.max_reps) c.reps = c.max_reps;
    c.min_reps = kMinCiSamples < c.max_reps ? uint32_t(kMinCiSamples) : c.max_reps;
    c.target_permille = opts.target_permille;
    c.target_min_milli = kTargetFloorMilli;
    c.budget = budget;
    plan = RunPlan{fixed ? iterations : c.max_iterations, fixed, c.fixed_reps ? c.reps : c.max_reps};
    job.unsupported = nullptr;

    CpuFault fault{};
    if (!guarded_call(run_init, &job, &fault)) {
        fault_reason("init", fault, rec);
        return false;
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
        rec.smis = smi_after - smi_before;
    }
    if (!guarded_call(run_cleanup, &job, &fault) && ok) {
        fault_reason("cleanup", fault, rec);
        ok = false;
    }
    return ok;
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

// The interval describes one window of a fraction of a second; a host that
// ran the vCPU slower (or faster) through all of that window leaves it tight
// around the wrong value. So every result that claimed to be within its
// target is measured once more, seconds later, at the same count with a
// few repetitions; if the two medians disagree by more than twice the
// target (or 2 cycles), a `verify` record says so and the result is noisy.
void verify_results(const Benchmark* const* list, size_t count, const Options& opts, Sink out) {
    size_t n = count < kMaxVerdicts ? count : kMaxVerdicts;
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
        const Verdict& v = verdicts[i];
        if (!v.candidate) continue;
        if (!any) kprintf("\nverify: each result within its target, measured again at the same count\n");
        any = true;
        const Benchmark& b = *list[i];
        // No external-timing markers here: the host pairs them with the
        // benchmark whose begin and result records bracket them.
        Job job{&b, MeasureConfig{}, opts.timer, false, nullptr};
        ResultRecord again{};
        again.status = Status::ok;
        VerifyRecord vr{};
        vr.name = b.name;
        vr.iterations = v.iterations;
        if (!measure_once(b, opts, true, v.iterations, method.budget, job, again, kVerifyReps)) {
            vr.measured = false;
            vr.agrees = false;
            vr.reason = again.reason;
        } else {
            vr.measured = true;
            vr.median_milli = result.cost.median;
            vr.repetitions = result.repetitions;
            vr.agrees = second_look_agrees(v.median_milli, vr.median_milli, opts.target_permille, kTargetFloorMilli);
            vr.reason = "";
        }
        write_verify(out, vr);
        char first[32], second[32];
        format_milli(first, v.median_milli);
        format_milli(second, vr.median_milli);
        kprintf("%-22s %14s %14s  %s\n", b.name, first, vr.measured ? second : "-",
                !vr.measured ? vr.reason : vr.agrees ? "agrees" : "MOVED: noisy");
    }
}

}  // namespace

const RunPlan& current_plan() { return plan; }

namespace {
// The cost of a timed call around nothing, n times with interrupts off:
// its median and MAD (values: n entries, scratch: 2n).
Summary probe_timer(TimerMode timer, int64_t* values, size_t n, int64_t* scratch) {
    InterruptsOff off;
    for (size_t i = 0; i < n; ++i) values[i] = int64_t(time_call(timer, empty_loop, 0));
    return summarize(values, n, scratch);
}
uint64_t timer_floor;  // the cheapest timer call seen in this VM (boot included)
}  // namespace

const MeasurementMethod& measurement_init(const Options& opts) {
    InterruptsOff off;

    constexpr size_t kProbes = 63;
    static int64_t t[kProbes], r[kProbes], scratch[2 * kProbes];
    for (size_t i = 0; i < 8; ++i) time_call(opts.timer, empty_loop, 0);  // warm
    Summary ts = probe_timer(opts.timer, t, kProbes, scratch);
    for (size_t i = 0; i < kProbes; ++i) r[i] = int64_t(counter_read_cost());
    Summary rs = summarize(r, kProbes, scratch);
    method.timer_cost = uint64_t(ts.median);
    method.timer_mad = uint64_t(ts.mad);
    timer_floor = method.timer_cost;
    method.counter_read = uint64_t(rs.median);
    method.counter_intercepted = method.counter_read > kInterceptedReadCycles;
    uint64_t smi;
    method.smi_counter = smi_count(&smi);
    uint64_t target = us_to_cycles(opts.min_loop_us);
    if (kTimerCostFactor * method.timer_cost > target) target = kTimerCostFactor * method.timer_cost;
    if (kTimerMadFactor * method.timer_mad > target) target = kTimerMadFactor * method.timer_mad;
    method.loop_target = target;
    method.budget = us_to_cycles(uint64_t(opts.budget_ms) * 1000);

    // The first entry of the platform-speed reference: the empty loop at
    // about the loop target, median of nine.
    constexpr uint64_t kReferenceStart = 16, kReferenceMax = ~0ull >> 8;
    empty_loop(kReferenceStart);
    TimerMode timer = opts.timer;
    uint64_t n = calibrate_count(
        kReferenceStart, kReferenceMax, target, method.timer_cost,
        [](void* ctx, uint64_t k) { return time_call(*static_cast<TimerMode*>(ctx), empty_loop, k); }, &timer,
        nullptr);
    // Only a platform on which that loop costs the same every time can use
    // it as a yardstick (under a binary translator it does not: its cost
    // moves with what ran before).
    int64_t loops[9], loop_scratch[18];
    for (int64_t& l : loops) l = per_iteration_milli(time_call(opts.timer, empty_loop, n), method.timer_cost, n);
    Summary s = summarize(loops, 9, loop_scratch);
    speed_count = 0;
    method.speed_check = s.median > 0 && s.mad * 1000 <= s.median * kSpeedStablePermille;
    method.speed_mad_permille = s.median > 0 ? s.mad * 1000 / s.median : 0;
    if (method.speed_check) speed_record(s.median);
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
    h.speed_check = method.speed_check;
    h.speed_mad_permille = method.speed_mad_permille;
    h.outlier_rule = kOutlierRule;
    h.pinned = opts.pinned;
    h.linearity = opts.linearity;
    h.verify = opts.verify;
}

RunTotals run_benchmarks(const Benchmark* const* list, size_t count, const Options& opts, Sink out) {
    RunTotals totals{};
    kprintf("%-22s %-12s %-8s %10s %5s %14s %9s %14s %12s\n", "benchmark", "category", "status", "iterations",
            "reps", "median", "95% ci", "min", "control");
    for (size_t i = 0; i < count; ++i) {
        const Benchmark& b = *list[i];
        write_begin(out, b.name, uint32_t(i + 1), uint32_t(count));
        uint64_t started = counter_now();

        ResultRecord rec{};
        rec.name = b.name;
        rec.category = b.category;
        rec.status = Status::ok;
        rec.reason = "";
        rec.params = b.params;
        rec.param_count = b.param_count;

        // iters= fixes the count; so does the descriptor for benchmarks
        // whose init sizes things by it.
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
                snformat(msg, sizeof msg, "iters=%lu is outside %s's range [%lu, %lu]: measured at %lu iterations",
                         given, b.name, lo, hi, use);
                write_error(out, msg);
                kprintf("hvbench: %s\n", msg);
                given = use;
            }
        }
        bool fixed = given != 0 || (b.flags & kFlagFixedIterations);
        uint64_t iterations = given ? given : b.iterations;
        rec.iterations_adaptive = !fixed;
        rec.iterations = iterations;

        Job job{&b, MeasureConfig{}, opts.timer, opts.external_timing, nullptr};
        if (const char* why = unmet_need(b)) {
            rec.status = Status::unsupported;
            rec.reason = why;
        } else if (measure_once(b, opts, fixed, iterations, method.budget, job, rec)) {
            rec.iterations = result.iterations;
            rec.repetitions = result.repetitions;
            rec.min_milli = result.cost.min;
            rec.median_milli = result.cost.median;
            rec.mean_milli = result.cost.mean;
            rec.mad_milli = result.cost.mad;
            rec.control_median_milli = result.control_median;
            rec.has_ci = result.has_ci;
            rec.ci_low_milli = result.ci_low;
            rec.ci_high_milli = result.ci_high;
            rec.noisy = !result.target_met;
            rec.outliers = result.outliers;
            rec.interrupts = result.interrupts;
            if (method.speed_check && b.control == empty_loop && rec.iterations >= kSpeedMinIterations) {
                // The control's own cost per iteration, without the timer's.
                int64_t control = rec.control_median_milli -
                                  int64_t(method.timer_cost * 1000 / rec.iterations);
                int64_t reference = speed_reference();
                rec.has_speed = reference > 0;
                rec.speed_permille = speed_deviation(control, reference);
                if (speed_off(rec)) rec.noisy = true;
                speed_record(control);
            }
            {
                // The host's pace after the benchmark (measure.h
                // timer_drifted): the speed check's yardstick where the
                // empty loop is none (TCG), and a second one where it is.
                static int64_t probes[kDriftProbes], probe_scratch[2 * kDriftProbes];
                uint64_t now = uint64_t(probe_timer(opts.timer, probes, kDriftProbes, probe_scratch).median);
                rec.has_timer_drift = true;
                if (timer_drifted(now, timer_floor, method.timer_mad, &rec.timer_drift_permille)) rec.noisy = true;
                if (now < timer_floor) timer_floor = now;
            }

            if (opts.linearity) {
                // HyperBench section 6.2: the same benchmark at 10x and 100x
                // the count; per-iteration cost should not move.
                uint32_t n = 0;
                levels[n++] = LinearityLevel{rec.iterations, rec.median_milli, rec.has_ci, rec.ci_low_milli,
                                             rec.ci_high_milli, rec.repetitions, rec.noisy, 1000};
                uint64_t base = rec.iterations;
                // One {control, benchmark} pair at N, in cycles: a level's
                // budget grows with its loops so that it too can reach an
                // interval (about ten pairs), up to kLinearityBudgetUs.
                uint64_t pair = pair_cycles(rec);
                uint64_t cap = us_to_cycles(kLinearityBudgetUs);
                for (uint64_t factor = 10; factor <= 100 && rec.status == Status::ok; factor *= 10) {
                    uint64_t want = base * factor;
                    if (b.max_iterations && want > b.max_iterations) want = b.max_iterations;
                    if (want <= levels[n - 1].iterations) break;
                    // A level whose three pairs (the least a measurement
                    // runs) would take longer than kLinearitySkipUs is left
                    // out: at 100 builds set_page_table's loop lasts 17 s on
                    // the nested KVM here.
                    uint64_t least = pair / base * want * kMinRepsAlways;
                    if (least > us_to_cycles(kLinearitySkipUs)) {
                        kprintf("%-22s linearity stops at %lu iterations: three pairs at %lu would take %lu ms\n",
                                b.name, levels[n - 1].iterations, want, cycles_to_us(least) / 1000);
                        break;
                    }
                    ResultRecord level{};
                    level.status = Status::ok;
                    uint64_t level_budget = 10 * pair * (want / base);
                    if (level_budget > cap) level_budget = cap;
                    if (level_budget < method.budget) level_budget = method.budget;
                    job.markers = false;  // external timing covers level N only
                    if (!measure_once(b, opts, true, want, level_budget, job, level)) {
                        rec.status = level.status;
                        rec.reason = level.reason;
                        rec.has_fault = level.has_fault;
                        rec.fault = level.fault;
                        break;
                    }
                    levels[n++] = LinearityLevel{result.iterations, result.cost.median, result.has_ci,
                                                 result.ci_low, result.ci_high, result.repetitions,
                                                 !result.target_met,
                                                 ratio_milli(result.cost.median, rec.median_milli)};
                }
                if (n > 1 && rec.status == Status::ok) {
                    // The levels take seconds, in which a shared host can
                    // change speed. A closing measurement at N that
                    // disagrees with the first (beyond twice the target)
                    // means the ratios mix two speeds: every level is noisy.
                    ResultRecord again{};
                    again.status = Status::ok;
                    if (!measure_once(b, opts, true, base, method.budget, job, again)) {
                        rec.status = again.status;
                        rec.reason = again.reason;
                        rec.has_fault = again.has_fault;
                        rec.fault = again.fault;
                    } else {
                        int64_t first = rec.median_milli, last = result.cost.median;
                        if (!second_look_agrees(first, last, opts.target_permille, kTargetFloorMilli)) {
                            for (uint32_t k = 0; k < n; ++k) levels[k].noisy = true;
                            rec.noisy = true;
                            char a_text[32], b_text[32];
                            format_milli(a_text, first);
                            format_milli(b_text, last);
                            kprintf("%-22s linearity: N again at the end, %s cycles against %s: every level noisy\n",
                                    b.name, b_text, a_text);
                        }
                    }
                }
                rec.linearity = levels;
                rec.linearity_count = n;
            }
        }
        if (i < kMaxVerdicts) {
            // Cheap enough for a second look: five pairs within the budget.
            verdicts[i] = Verdict{
                rec.status == Status::ok && !rec.noisy && kVerifyReps * pair_cycles(rec) <= method.budget,
                rec.iterations, rec.median_milli};
        }
        rec.elapsed_us = cycles_to_us(counter_now() - started);
        rec.t_us = us_since_entry();
        write_result(out, rec);
        print_row(rec, opts.target_permille);
        ++totals.counts[size_t(rec.status)];
    }
    if (opts.verify) verify_results(list, count, opts, out);
    return totals;
}

}  // namespace hvb
