// tools/run.cpp — the crash-and-resume driver (see run.h).
#include "tools/run.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>

#include "tools/run_config.h"

namespace hvb::tools {

void add_name(std::vector<std::string>& list, const std::string& name) {
    if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

BenchResult result_from_record(const ResultInfo& r, const std::string& timer, unsigned vm, const SerialStream& stream) {
    BenchResult b;
    b.name = r.name;
    b.category = r.category;
    b.status = status_name(r.status);
    b.reason = r.reason;
    b.iterations = r.iterations;
    b.repetitions = r.repetitions;
    b.min_milli = r.min_milli;
    b.median_milli = r.median_milli;
    b.estimate_milli = r.estimate_milli;
    b.estimate_low_milli = r.estimate_low_milli;
    b.estimate_high_milli = r.estimate_high_milli;
    b.p50_milli = r.p50_milli;
    b.p90_milli = r.p90_milli;
    static_cast<ResultNumbers&>(b) = r;  // every numeric field of kernel/record_fields.h
    b.noisy_cause = r.noisy_cause;
    b.mean_milli = r.mean_milli;
    b.mad_milli = r.mad_milli;
    b.control_median_milli = r.control_median_milli;
    b.params = r.params;
    b.iterations_mode = r.iterations_mode;
    b.ci_low_milli = r.ci_low_milli;
    b.ci_high_milli = r.ci_high_milli;
    b.noisy = r.noisy;
    b.linearity = r.linearity;
    b.timer = timer;
    b.vm = vm;
    b.tsc_hz = r.tsc_hz;
    if (const auto* t = stream.timed_for(r.name)) b.external = external_stats(t->loops, r.iterations);
    return b;
}

int RunReport::exit_code() const {
    int code = (kernel_exit_bits & 31) | merged_exit_bits;
    for (const auto& r : results) {
        if (r.status == "faulted") code |= 1;
        if (r.status == "timeout") code |= 2;
        if (r.status == kStatusCrashed) code |= kExitCrashed;
    }
    if (!complete || !fatal.empty() || interrupted || unreadable_results) code |= kExitIncomplete;
    return code;
}

const BenchResult* RunReport::find(std::string_view name) const {
    for (const auto& r : results)
        if (r.name == name) return &r;
    return nullptr;
}

namespace {

// The crash-and-resume driver's steps, one VM at a time:
//   plan_vm   -- the next VM's kernel command line (skip= what is done);
//   launch    -- start the VMM (and pin it);
//   on_data   -- read the records as they arrive: header, begin, result,
//                verify, each passed on as an event;
//   after_vm  -- account for what the VM said, classify how it ended
//                (classify_ending), and decide whether a fresh VM follows
//                (a refused -cpu model, a timer re-run, resuming after a
//                culprit) or the run is over.
class SuiteDriver {
public:
    SuiteDriver(const RunSettings& s, const VmLauncher& launcher, const ProgressFn& progress)
        : s_(s), launcher_(launcher), progress_(progress), timer_(s.timer) {
        rep_.timer = s.timer;
        models_ = launcher.cpu_models.empty() ? std::vector<std::string>{""} : launcher.cpu_models;
    }

    RunReport run() {
        for (;;) {
            auto plan = plan_vm();
            if (!plan) break;
            auto proc = launch(*plan);
            if (!proc) break;
            VmProgress vp;
            vp.base = rep_.results.size();
            vp.timer = timer_;
            VmOutcome out = run_vm(*proc, s_, [&](const SerialStream& st) { on_data(st, *plan, vp); }, plan->number);
            if (launcher_.finished) launcher_.finished(*plan);
            if (after_vm(*plan, out, vp) == Next::stop) break;
        }
        rep_.timer = timer_;
        return std::move(rep_);
    }

private:
    // A benchmark that crashed a VM timed with RDTSCP, waiting for its
    // re-run alone with timer=rdtsc.
    struct PendingRerun {
        std::string name, status, reason, output;
    };
    // What one VM has reported so far (on_data).
    struct VmProgress {
        size_t seen_begun = 0, seen_results = 0, seen_verifies = 0, seen_yardsticks = 0;
        size_t added = 0;    // results taken from this VM
        size_t base = 0;     // rep_.results' size when it started
        std::string timer;   // the timer it runs with (its header's)
    };
    // How a VM without an end record ended: crashed or timeout, and why.
    struct Ending {
        std::string status, reason;
    };
    enum class Next { fresh_vm, stop };

    void emit(const RunEvent& e) {
        if (progress_) progress_(e);
    }
    void note(const std::string& text) {
        rep_.notes.push_back(text);
        emit(RunEvent{RunEvent::note, text});
    }
    void add_result(BenchResult r) {
        add_name(done_, r.name);
        rep_.results.push_back(std::move(r));
        emit(RunEvent{RunEvent::result, "", rep_.results.back().name, 0, 0, &rep_.results.back()});
    }
    // A result the kernel never wrote: the benchmark took its VM down.
    void add_culprit(const std::string& name, const std::string& status, const std::string& reason,
                     const std::string& output, const std::string& timer, unsigned vm) {
        BenchResult r;
        r.name = name;
        for (const auto& e : s_.catalog)
            if (e.name == name) r.category = e.category;
        r.status = status;
        r.reason = reason;
        r.vmm_output = output;
        r.timer = timer;
        r.vm = vm;
        add_result(std::move(r));
    }
    // Every selected benchmark has a result: the run is complete.
    bool all_done() {
        if (!rep_.total || done_.size() < rep_.total) return false;
        rep_.complete = true;
        return true;
    }

    // ---- plan and launch ----

    std::optional<VmPlan> plan_vm() {
        if (s_.interrupted && *s_.interrupted) {
            rep_.interrupted = true;
            return std::nullopt;
        }
        if (number_ >= s_.max_vms) {
            rep_.fatal = "gave up after " + std::to_string(number_) + " VMs";
            return std::nullopt;
        }
        VmPlan plan;
        plan.number = ++number_;
        plan.cpu_model = models_[model_];
        std::string error;
        auto cmdline = rerun_ ? kernel_cmdline(s_, {}, "rdtsc", rerun_->name, &error)
                              : kernel_cmdline(s_, done_, timer_, "", &error);
        if (!cmdline) {
            rep_.fatal = "cannot resume: " + error;
            return std::nullopt;
        }
        plan.cmdline = *cmdline;
        return plan;
    }

    std::optional<Process> launch(const VmPlan& plan) {
        std::string error;
        auto argv = launcher_.command(plan, &error);
        if (!argv) {
            rep_.fatal = error;
            return std::nullopt;
        }
        RunEvent start{RunEvent::vm_start, join(*argv, " ")};
        start.vm = plan.number;
        start.text = plan.cmdline;
        start.name = plan.cpu_model;
        start.argv = &*argv;
        emit(start);
        auto proc = Process::spawn(*argv, &error, "", launcher_.layout);
        if (!proc || (launcher_.started && !launcher_.started(*proc, plan, &error) && !refused_to_start(*proc))) {
            rep_.fatal = error;
            if (launcher_.finished) launcher_.finished(plan);
            return std::nullopt;
        }
        rep_.vms = number_;
        return proc;
    }

    // After `started` failed (--pin: "QMP connection closed"): whether the
    // VMM is exiting without a byte of guest output, as QEMU does when it
    // refuses a -cpu model (KVM's -cpu host here aborts ~30 ms in, closing
    // its QMP socket as it goes). Then the usual fallback to the next model
    // takes it; anything else is a failure of the step itself.
    bool refused_to_start(Process& p) {
        int pending = 0;
        return p.exits_within(s_.vmm_error_grace_ms) && ioctl(p.stdout_fd(), FIONREAD, &pending) == 0 && pending == 0;
    }

    // ---- read: results as they arrive, so progress is live and nothing is lost ----

    void on_data(const SerialStream& stream, const VmPlan& plan, VmProgress& vp) {
        const RunLog& log = stream.log();
        if (log.header && !rep_.header) {
            rep_.header = log.header;
            rep_.total = log.header->benchmarks;
            RunEvent e{RunEvent::header};
            e.header_info = &*rep_.header;
            e.vm = plan.number;
            emit(e);
        }
        if (log.header) vp.timer = log.header->timer;
        if (rep_.header && !rep_.header->has_method() && log.header && log.header->has_method()) {
            rep_.header = log.header;  // the same platform, with its method fields
            RunEvent e{RunEvent::method};
            e.header_info = &*rep_.header;
            e.vm = plan.number;
            emit(e);
        }
        read_records(stream, plan, vp);
        read_verifies(log, plan, vp);
        RunEvent tick{RunEvent::tick};
        tick.vm = plan.number;
        emit(tick);
    }

    // Begin and result records in stream order: the kernel runs one
    // benchmark at a time, so result k comes before begin k+1.
    void read_records(const SerialStream& stream, const VmPlan& plan, VmProgress& vp) {
        const RunLog& log = stream.log();
        for (;;) {
            bool result_next = vp.seen_results < log.results.size() &&
                               (vp.seen_results < vp.seen_begun || vp.seen_begun == log.begun.size());
            if (result_next) {
                take_result(stream, log.results[vp.seen_results++], plan, vp);
            } else if (vp.seen_begun < log.begun.size() &&
                       std::find(log.begun.begin(), log.begun.begin() + long(vp.seen_begun),
                                 log.begun[vp.seen_begun]) != log.begun.begin() + long(vp.seen_begun)) {
                ++vp.seen_begun;  // a later pass over a benchmark already announced
            } else if (vp.seen_begun < log.begun.size()) {
                RunEvent e{RunEvent::begin, "", log.begun[vp.seen_begun], vp.base + vp.seen_begun + 1, 0};
                e.total = std::max(rep_.total, e.index);
                e.vm = plan.number;
                emit(e);
                ++vp.seen_begun;
            } else {
                break;
            }
        }
        show_pass(log, plan, vp);
    }

    // A later pass began (its yardstick record came): say so, since its
    // begin records repeat names already shown and results come only after
    // the last pass. Shown, not kept in the report's notes.
    void show_pass(const RunLog& log, const VmPlan& plan, VmProgress& vp) {
        if (log.yardstick_records <= vp.seen_yardsticks) return;
        vp.seen_yardsticks = log.yardstick_records;
        if (vp.seen_yardsticks < 2 || !log.header || !log.header->passes) return;
        RunEvent e{RunEvent::note, "pass " + std::to_string(vp.seen_yardsticks) + " of " +
                                       std::to_string(*log.header->passes) + ": every benchmark again"};
        e.vm = plan.number;
        emit(e);
    }

    void take_result(const SerialStream& stream, const ResultInfo& r, const VmPlan& plan, VmProgress& vp) {
        bool wanted = rerun_ ? r.name == rerun_->name : std::find(done_.begin(), done_.end(), r.name) == done_.end();
        if (!wanted) return;
        add_result(result_from_record(r, vp.timer, plan.number, stream));
        ++vp.added;
        if (const auto* t = stream.timed_for(r.name)) {
            if (uint32_t n = unresolved_pairs(t->loops))
                note(r.name + ": the host could not time " + std::to_string(n) + " of " +
                     std::to_string(t->loops.size() / 2) +
                     " repetitions (both markers of its loop came in one read: the host read late); "
                     "left out of its host figures. Longer loops (--kernel-arg loop_us=5000) help");
        }
    }

    // verify=1: the second look at results this VM reported.
    void read_verifies(const RunLog& log, const VmPlan& plan, VmProgress& vp) {
        for (; vp.seen_verifies < log.verifies.size(); ++vp.seen_verifies) {
            const VerifyInfo& v = log.verifies[vp.seen_verifies];
            for (size_t k = rep_.results.size(); k-- > vp.base;) {
                BenchResult& r = rep_.results[k];
                if (r.name != v.name || r.vm != plan.number) continue;
                if (v.measured) r.verify_median_milli = v.median_milli;
                r.verify_agrees = v.agrees;
                if (!v.agrees) r.noisy = true;
                RunEvent e{RunEvent::revised, "", r.name, 0, 0, &r};
                e.vm = plan.number;
                emit(e);
                break;
            }
        }
    }

    // ---- after the VM: classify its ending, decide the next VM ----

    Next after_vm(const VmPlan& plan, const VmOutcome& out, const VmProgress& vp) {
        if (account(plan, out) == Next::stop) return Next::stop;
        if (out.stream.bytes() == 0 && !out.hung && !out.vmm_stopped) return refused(out);
        model_settled_ = true;
        rep_.cpu_model = plan.cpu_model;
        if (rerun_) return after_rerun(plan, vp);
        if (out.stream.log().end) {
            rep_.complete = true;
            return Next::stop;
        }
        return after_failure(plan, out, vp);
    }

    // What the VM said besides results; a flood or an interrupt ends the run.
    Next account(const VmPlan& plan, const VmOutcome& out) {
        const RunLog& log = out.stream.log();
        rep_.markers += out.stream.markers();
        for (const auto& e : log.errors) add_name(rep_.kernel_errors, e);
        for (const auto& pr : log.problems) rep_.problems.push_back("VM " + std::to_string(plan.number) + ": " + pr);
        if (log.end) rep_.kernel_exit_bits |= log.end->exit_code;
        if (log.flooded) {
            rep_.fatal = "VM " + std::to_string(plan.number) + " claimed more than " +
                         std::to_string(kMaxResultsPerHeader) + " results: not the kernel's stream; the first " +
                         std::to_string(kMaxResultsPerHeader) + " are kept";
            return Next::stop;
        }
        if (out.interrupted) {
            rep_.interrupted = true;
            return Next::stop;
        }
        return Next::fresh_vm;
    }

    // The VMM would not start with this CPU model: try the next.
    Next refused(const VmOutcome& out) {
        std::string why = first_line(out.vmm_stderr);
        if (why.empty()) why = out.status.describe();
        if (!model_settled_ && model_ + 1 < models_.size()) {
            note("the VMM did not start with -cpu " + models_[model_] + " (" + why + "); trying -cpu " +
                 models_[model_ + 1]);
            ++model_;
            --number_;
            return Next::fresh_vm;
        }
        rep_.fatal = "the VMM exited without any guest output (" + out.status.describe() + ")" +
                     (why.empty() ? "" : ": " + why);
        return Next::stop;
    }

    // The re-run with timer=rdtsc of a benchmark that crashed with rdtscp.
    Next after_rerun(const VmPlan& plan, const VmProgress& vp) {
        if (rep_.find(rerun_->name) && vp.added) {
            note(rerun_->name + " ran with timer=rdtsc after crashing the VM with timer=rdtscp: the RDTSCP timer "
                 "is what kills this VM, so the rest of the run uses timer=rdtsc");
            timer_ = "rdtsc";
            timer_switched_ = true;
        } else {
            note(rerun_->name + " crashed the VM with timer=rdtsc as well: the benchmark itself kills the VM");
            add_culprit(rerun_->name, rerun_->status, rerun_->reason + " (again with timer=rdtsc)", rerun_->output,
                        "rdtscp", plan.number - 1);
        }
        rerun_.reset();
        return all_done() ? Next::stop : Next::fresh_vm;
    }

    // The VM ended without an end record: it died or hung.
    Ending classify_ending(const VmOutcome& out, const std::string& culprit) const {
        std::string where = culprit.empty() ? "between benchmarks" : "while " + culprit + " ran";
        if (out.vmm_stopped)
            return {kStatusCrashed, "QEMU stopped the guest " + where + ": " + vmm_stop_line(out.vmm_stderr)};
        if (out.hung) {
            int limit = out.stream.log().header ? s_.bench_timeout_ms : s_.boot_timeout_ms;
            return {"timeout", "no output for " + std::to_string(limit / 1000) + " s " + where + "; the VM was killed"};
        }
        std::string why = vmm_stop_line(out.vmm_stderr);
        return {kStatusCrashed,
                "the VM died " + where + " (" + out.status.describe() + ")" + (why.empty() ? "" : ": " + why)};
    }

    Next after_failure(const VmPlan& plan, const VmOutcome& out, const VmProgress& vp) {
        std::string culprit = out.stream.log().unfinished().value_or("");
        Ending ending = classify_ending(out, culprit);
        std::string output = join(out.tail, "\n");
        if (!culprit.empty() && rep_.find(culprit)) {
            // It was to be skipped: resuming cannot make progress.
            rep_.fatal = "the kernel ran " + culprit + " again though told to skip it, and " + ending.reason;
            return Next::stop;
        }
        if (!culprit.empty()) {
            if (ending.status == kStatusCrashed && vp.timer == "rdtscp" && !timer_switched_) {
                note(culprit + " crashed the VM while timed with RDTSCP; running it again alone with timer=rdtsc");
                rerun_ = PendingRerun{culprit, ending.status, ending.reason, output};
                return Next::fresh_vm;
            }
            add_culprit(culprit, ending.status, ending.reason, output, vp.timer, plan.number);
            note(culprit + ": " + ending.status + " — " + ending.reason);
        } else if (vp.added == 0) {
            return no_progress(out, ending, output);
        } else {
            note("VM " + std::to_string(plan.number) + " ended after its last result without an end record: " +
                 ending.reason);
        }
        return resume();
    }

    // A VM that ended between benchmarks before reporting anything: resuming
    // would go round in circles.
    Next no_progress(const VmOutcome& out, const Ending& ending, const std::string& output) {
        const RunLog& log = out.stream.log();
        if (!log.header)
            rep_.fatal = "the VM " + (out.hung ? std::string("hung") : "died") +
                         " before the kernel reported its platform: " + ending.reason + "\n" + output;
        else if (log.header->benchmarks == 0)
            rep_.complete = true;
        else
            rep_.fatal = "the VM ended between benchmarks without reporting any progress: " + ending.reason;
        return Next::stop;
    }

    Next resume() {
        if (all_done()) return Next::stop;
        if (!s_.can_pass_options) {
            rep_.fatal = "cannot resume: this boot path has a fixed kernel command line, so a fresh VM cannot be "
                         "told to skip what is done";
            return Next::stop;
        }
        note("continuing in a fresh VM, skipping the " + std::to_string(done_.size()) + " benchmark(s) done");
        return Next::fresh_vm;
    }

    const RunSettings& s_;
    const VmLauncher& launcher_;
    const ProgressFn& progress_;
    RunReport rep_;
    std::vector<std::string> done_;  // names with a result, for skip=
    std::string timer_;              // the timer the next VM gets
    bool timer_switched_ = false;    // rdtscp proved the killer: rdtsc from now on
    std::optional<PendingRerun> rerun_;
    std::vector<std::string> models_;  // -cpu models to try
    size_t model_ = 0;
    bool model_settled_ = false;       // a VM started with models_[model_]
    unsigned number_ = 0;              // VMs started
};

}  // namespace

RunReport run_suite(const RunSettings& s, const VmLauncher& launcher, const ProgressFn& progress) {
    return SuiteDriver(s, launcher, progress).run();
}

}  // namespace hvb::tools
