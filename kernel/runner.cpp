// kernel/runner.cpp — the measurement loop of HyperBench section 5.2: per
// benchmark, init; then repetitions of {control loop, benchmark loop}, each
// between two serialized timer reads; per-iteration cost = (benchmark -
// control) / iterations, kept signed; cleanup. A CPU exception anywhere in a
// benchmark's own code becomes its `faulted` result and the suite goes on.
#include "kernel/runner.h"

#include "posih/console.h"
#include "posih/cpu.h"
#include "posih/interrupt.h"
#include "posih/stats.h"
#include "posih/timer.h"

namespace hvb {
namespace {

// Per-repetition samples, in millicycles per iteration.
int64_t cost_samples[kMaxReps];
int64_t control_samples[kMaxReps];
int64_t scratch[2 * kMaxReps];

// External-timing markers (timing=external): around each timed loop,
// outside the kernel's own timer reads.
constexpr char kMarkBefore = 0x02, kMarkAfter = 0x03;

struct Job {
    const Benchmark* bench;
    uint64_t iterations;
    uint32_t reps;
    TimerMode timer;
    bool markers;
    const char* unsupported;  // set by init
    uint32_t done;            // repetitions completed
};

void run_init(void* arg) {
    auto* job = static_cast<Job*>(arg);
    job->unsupported = job->bench->init ? job->bench->init() : nullptr;
}

void run_cleanup(void* arg) {
    auto* job = static_cast<Job*>(arg);
    if (job->bench->cleanup) job->bench->cleanup();
}

// One untimed pair first brings code, data, TLB entries and (under binary
// translation) translated blocks in; then the timed repetitions.
void measure_loops(Job& job) {
    const Benchmark& b = *job.bench;
    b.control(job.iterations);
    b.benchmark(job.iterations);
    for (uint32_t r = 0; r < job.reps; ++r) {
        if (job.markers) console_put_raw(kMarkBefore);
        uint64_t control = time_call(job.timer, b.control, job.iterations);
        if (job.markers) {
            console_put_raw(kMarkAfter);
            console_put_raw(kMarkBefore);
        }
        uint64_t bench = time_call(job.timer, b.benchmark, job.iterations);
        if (job.markers) console_put_raw(kMarkAfter);
        cost_samples[r] = per_iteration_milli(bench, control, job.iterations);
        control_samples[r] = per_iteration_milli(control, 0, job.iterations);
        job.done = r + 1;
    }
}

void run_measure(void* arg) {
    auto* job = static_cast<Job*>(arg);
    if (job->bench->flags & kFlagInterruptsOn) {
        InterruptsOn on;
        measure_loops(*job);
    } else {
        InterruptsOff off;
        measure_loops(*job);
    }
}

char reason_buf[160];
RunPlan plan;

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

void print_row(const ResultRecord& r) {
    char med[32], mad[32], min[32], ctl[32];
    format_milli(med, r.median_milli);
    format_milli(mad, r.mad_milli);
    format_milli(min, r.min_milli);
    format_milli(ctl, r.control_median_milli);
    if (r.status == Status::ok) {
        kprintf("%-22s %-12s %-11s %10lu %14s %12s %14s %12s\n", r.name, r.category, status_name(r.status),
                r.iterations, med, mad, min, ctl);
    } else {
        kprintf("%-22s %-12s %-11s %s\n", r.name, r.category, status_name(r.status), r.reason);
    }
}

}  // namespace

const RunPlan& current_plan() { return plan; }

RunTotals run_benchmarks(const Benchmark* const* list, size_t count, const Options& opts, Sink out) {
    RunTotals totals{};
    kprintf("%-22s %-12s %-11s %10s %14s %12s %14s %12s\n", "benchmark", "category", "status", "iterations",
            "median", "mad", "min", "control");
    for (size_t i = 0; i < count; ++i) {
        const Benchmark& b = *list[i];
        write_begin(out, b.name, uint32_t(i + 1), uint32_t(count));

        // reps= overrides everything; else the descriptor's own default
        // (heavy benchmarks ask for fewer), else the runner's.
        uint32_t reps = opts.reps ? opts.reps : b.repetitions ? b.repetitions : kDefaultReps;
        if (reps > kMaxReps) reps = kMaxReps;
        Job job{&b, opts.iterations_for(b.name, b.iterations), reps, opts.timer, opts.external_timing, nullptr, 0};
        plan = RunPlan{job.iterations, reps};
        ResultRecord rec{};
        rec.name = b.name;
        rec.category = b.category;
        rec.status = Status::ok;
        rec.reason = "";
        rec.iterations = job.iterations;
        rec.params = b.params;
        rec.param_count = b.param_count;

        CpuFault fault{};
        if (const char* why = unmet_need(b)) {
            rec.status = Status::unsupported;
            rec.reason = why;
        } else if (!guarded_call(run_init, &job, &fault)) {
            fault_reason("init", fault, rec);
        } else if (job.unsupported) {
            rec.status = Status::unsupported;
            rec.reason = job.unsupported;
        } else {
            if (!guarded_call(run_measure, &job, &fault)) fault_reason("benchmark", fault, rec);
            if (!guarded_call(run_cleanup, &job, &fault) && rec.status == Status::ok)
                fault_reason("cleanup", fault, rec);
        }

        if (rec.status == Status::ok) {
            Summary cost = summarize(cost_samples, job.done, scratch);
            Summary control = summarize(control_samples, job.done, scratch);
            rec.repetitions = job.done;
            rec.min_milli = cost.min;
            rec.median_milli = cost.median;
            rec.mean_milli = cost.mean;
            rec.mad_milli = cost.mad;
            rec.control_median_milli = control.median;
        }
        write_result(out, rec);
        print_row(rec);
        ++totals.counts[size_t(rec.status)];
    }
    return totals;
}

}  // namespace hvb
