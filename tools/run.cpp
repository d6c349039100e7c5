// tools/run.cpp — the crash-and-resume driver (see run.h).
#include "tools/run.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <deque>
#include <unordered_map>

#include "kernel/options.h"
#include "kernel/protocol.h"

namespace hvb::tools {
namespace {

// Enough for the guest's last records and all of QEMU's KVM error report
// (about 30 lines: the error, "extra data", the register dump).
constexpr size_t kTailLines = 40;
constexpr size_t kMaxStderr = 16 * 1024;

// QEMU's messages when it stops a guest it cannot run on (it may then sit
// paused instead of exiting).
constexpr const char* kVmmStopMessages[] = {"KVM internal error", "emulation failure", "KVM: entry failed",
                                            "hardware error 0x"};

void add_name(std::vector<std::string>& list, const std::string& name) {
    if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

// The last lines of both of the VMM's streams in arrival order.
class Tail {
public:
    void feed(std::string_view bytes, bool vmm) {
        std::string& partial = vmm ? err_ : out_;
        for (char c : bytes) {
            if (c == kMarkerStart || c == kMarkerEnd || c == '\r') continue;
            if (c == '\n') {
                push((vmm ? "[vmm] " : "") + partial);
                partial.clear();
            } else if (partial.size() < 1024) {
                partial += c;
            }
        }
    }
    std::vector<std::string> lines() const {
        std::vector<std::string> out(lines_.begin(), lines_.end());
        if (!out_.empty()) out.push_back(out_);
        if (!err_.empty()) out.push_back("[vmm] " + err_);
        if (out.size() > kTailLines) out.erase(out.begin(), out.end() - kTailLines);
        return out;
    }

private:
    void push(std::string line) {
        lines_.push_back(std::move(line));
        if (lines_.size() > kTailLines) lines_.pop_front();
    }
    std::deque<std::string> lines_;
    std::string out_, err_;
};

std::string first_line(const std::string& s) {
    size_t start = s.find_first_not_of("\r\n ");
    if (start == std::string::npos) return "";
    size_t end = s.find('\n', start);
    std::string line = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

// The line of QEMU's messages that says why it stopped the guest.
std::string stop_line(const std::string& err) {
    size_t pos = 0;
    while (pos < err.size()) {
        size_t nl = err.find('\n', pos);
        std::string line = err.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        for (const char* m : kVmmStopMessages)
            if (line.find(m) != std::string::npos) return first_line(line);
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return first_line(err);
}

bool mentions_stop(std::string_view err) {
    for (const char* m : kVmmStopMessages)
        if (err.find(m) != std::string_view::npos) return true;
    return false;
}

// Once QEMU's report is complete, this long for the guest's last bytes.
constexpr int kAfterReportMs = 100;

BenchResult from_record(const ResultInfo& r, const std::string& timer, unsigned vm, const SerialStream& stream) {
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
    b.outliers = r.outliers;
    b.interrupts = r.interrupts;
    b.smis = r.smis;
    b.elapsed_us = r.elapsed_us;
    b.speed_permille = r.speed_permille;
    b.timer_drift_permille = r.timer_drift_permille;
    b.t_us = r.t_us;
    b.linearity = r.linearity;
    b.timer = timer;
    b.vm = vm;
    b.tsc_hz = r.tsc_hz;
    if (const auto* t = stream.timed_for(r.name)) b.external = external_stats(t->loops, r.iterations);
    return b;
}

}  // namespace

std::optional<std::string> kernel_cmdline(const RunSettings& s, const std::vector<std::string>& done,
                                          const std::string& timer, const std::string& only_one, std::string* error) {
    std::vector<std::string> words;
    auto too_many = [&](const char* key, size_t n) {
        if (error)
            *error = "the kernel takes at most " + std::to_string(Options::kMaxNames) + " names in " + key + ", " +
                     std::to_string(n) + " needed";
        return std::nullopt;
    };
    if (!only_one.empty()) {
        words.push_back("only=" + only_one);
    } else {
        std::vector<std::string> skip;
        for (const auto& n : s.skip) add_name(skip, n);
        for (const auto& n : done) add_name(skip, n);
        if (skip.size() > Options::kMaxNames && !s.catalog.empty()) {
            // Too many to skip: name what is left instead.
            std::vector<std::string> rest;
            for (const auto& e : s.catalog)
                if (std::find(done.begin(), done.end(), e.name) == done.end()) rest.push_back(e.name);
            if (rest.size() > Options::kMaxNames) return too_many("only=", rest.size());
            words.push_back("only=" + join(rest, ","));
        } else {
            if (s.only.size() > Options::kMaxNames) return too_many("only=", s.only.size());
            if (skip.size() > Options::kMaxNames) return too_many("skip=", skip.size());
            if (!s.only.empty()) words.push_back("only=" + join(s.only, ","));
            if (!skip.empty()) words.push_back("skip=" + join(skip, ","));
        }
    }
    if (!timer.empty()) words.push_back("timer=" + timer);
    if (s.external_timing) words.push_back("timing=external");
    if (!s.pinned.empty()) words.push_back("pinned=" + s.pinned);
    for (const auto& w : s.kernel_args) words.push_back(w);
    std::string line = join(words, " ");
    if (line.size() >= kCmdlineMax) {
        if (error)
            *error = "the kernel command line would be " + std::to_string(line.size()) + " bytes; the kernel keeps " +
                     std::to_string(kCmdlineMax - 1);
        return std::nullopt;
    }
    return line;
}

std::optional<std::string> target_option(std::string_view text) {
    std::string v(text);
    if (!v.empty() && v.back() == '%') v.pop_back();
    size_t dot = v.find('.');
    std::string whole = v.substr(0, dot), frac = dot == std::string::npos ? "" : v.substr(dot + 1);
    if (whole.empty() || whole.size() > 3 || whole.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    if (dot != std::string::npos && (frac.size() != 1 || frac[0] < '0' || frac[0] > '9')) return std::nullopt;
    unsigned permille = unsigned(std::stoul(whole)) * 10 + (frac.empty() ? 0 : unsigned(frac[0] - '0'));
    if (permille == 0 || permille > 1000) return std::nullopt;
    return v + "%";
}

bool vmm_stop_report_complete(std::string_view err) {
    size_t stop = std::string_view::npos;
    for (const char* m : kVmmStopMessages) stop = std::min(stop, err.find(m));
    if (stop == std::string_view::npos) return false;
    // QEMU's register dump ends with the "Code=" line (the bytes at RIP).
    size_t code = err.find("\nCode=", stop);
    return code != std::string_view::npos && err.find('\n', code + 1) != std::string_view::npos;
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

VmOutcome run_vm(Process& p, const RunSettings& s, const std::function<void(const SerialStream&)>& on_data,
                 unsigned vm_number) {
    VmOutcome o;
    o.started = true;
    Tail tail;
    int64_t start = now_ms();
    int64_t last_out = start;
    int64_t vmm_stop_at = -1, vmm_report_at = -1;
    char buf[4096];
    auto filter = s.console_filter ? s.console_filter() : nullptr;
    auto read_fd = [&](int fd, bool vmm) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) return true;
        if (got <= 0) return false;
        std::string_view chunk(buf, size_t(got));
        if (s.raw_output) s.raw_output(vm_number, chunk, vmm);
        if (vmm) {
            if (o.vmm_stderr.size() < kMaxStderr) o.vmm_stderr.append(chunk.substr(0, kMaxStderr - o.vmm_stderr.size()));
            if (vmm_stop_at < 0 && mentions_stop(o.vmm_stderr)) vmm_stop_at = now_ms();
            if (vmm_stop_at >= 0 && vmm_report_at < 0 && vmm_stop_report_complete(o.vmm_stderr))
                vmm_report_at = now_ms();
        } else {
            if (filter) o.stream.feed(filter(chunk, false), host_tsc());
            else o.stream.feed(chunk, host_tsc());
            last_out = now_ms();
        }
        tail.feed(chunk, vmm);
        return true;
    };
    bool killed = false;
    while (p.stdout_fd() >= 0 || p.stderr_fd() >= 0) {
        if (s.interrupted && *s.interrupted) {
            o.interrupted = true;
            break;
        }
        int64_t now = now_ms();
        int64_t deadline = o.stream.log().header ? last_out + s.bench_timeout_ms : start + s.boot_timeout_ms;
        if (vmm_stop_at >= 0) deadline = std::min(deadline, vmm_stop_at + s.vmm_error_grace_ms);
        if (vmm_report_at >= 0) deadline = std::min(deadline, vmm_report_at + kAfterReportMs);
        if (now >= deadline) {
            if (vmm_stop_at >= 0) o.vmm_stopped = true;
            else o.hung = true;
            break;
        }
        pollfd fds[2] = {{p.stdout_fd(), POLLIN, 0}, {p.stderr_fd(), POLLIN, 0}};
        int n = poll(fds, 2, int(std::min<int64_t>(deadline - now, 500)));
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < 2 && n > 0; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (!read_fd(fds[i].fd, i == 1)) {
                if (i == 0) p.close_stdout();
                else p.close_stderr();
            }
        }
        if (on_data) on_data(o.stream);
    }
    if (o.hung || o.vmm_stopped || o.interrupted) {
        p.kill_now();
        killed = true;
    } else {
        // Both pipes closed: the VMM is exiting; give it a moment to do so.
        int64_t until = now_ms() + 5000;
        while (p.running() && now_ms() < until) usleep(5000);
        if (p.running()) {
            p.kill_now();
            killed = true;
        }
    }
    // What the VMM wrote before it went: read to the end of both pipes.
    if (killed) {
        int64_t until = now_ms() + 1000;
        while ((p.stdout_fd() >= 0 || p.stderr_fd() >= 0) && now_ms() < until) {
            pollfd fds[2] = {{p.stdout_fd(), POLLIN, 0}, {p.stderr_fd(), POLLIN, 0}};
            if (poll(fds, 2, 100) <= 0) continue;
            for (int i = 0; i < 2; ++i)
                if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && !read_fd(fds[i].fd, i == 1)) {
                    if (i == 0) p.close_stdout();
                    else p.close_stderr();
                }
        }
    }
    o.status = p.wait();
    if (filter) o.stream.feed(filter({}, true), host_tsc());
    o.stream.finish();
    if (on_data) on_data(o.stream);
    o.tail = tail.lines();
    o.seconds = double(now_ms() - start) / 1000.0;
    return o;
}

RunReport run_suite(const RunSettings& s, const VmLauncher& launcher, const ProgressFn& progress) {
    RunReport rep;
    rep.timer = s.timer;
    std::vector<std::string> done;
    std::string timer = s.timer;
    bool timer_switched = false;
    struct Pending {
        std::string name, status, reason, output;
    };
    std::optional<Pending> rerun;
    std::vector<std::string> models = launcher.cpu_models.empty() ? std::vector<std::string>{""} : launcher.cpu_models;
    size_t model = 0;
    bool model_settled = false;
    unsigned number = 0;
    auto emit = [&](RunEvent e) {
        if (progress) progress(e);
    };
    auto note = [&](const std::string& text) {
        rep.notes.push_back(text);
        emit(RunEvent{RunEvent::note, text});
    };
    auto add_result = [&](BenchResult r) {
        add_name(done, r.name);
        rep.results.push_back(std::move(r));
        emit(RunEvent{RunEvent::result, "", rep.results.back().name, 0, 0, &rep.results.back()});
    };

    for (;;) {
        if (s.interrupted && *s.interrupted) {
            rep.interrupted = true;
            break;
        }
        if (number >= s.max_vms) {
            rep.fatal = "gave up after " + std::to_string(number) + " VMs";
            break;
        }
        VmPlan plan;
        plan.number = ++number;
        plan.cpu_model = models[model];
        std::string error;
        auto cmdline = rerun ? kernel_cmdline(s, {}, "rdtsc", rerun->name, &error)
                             : kernel_cmdline(s, done, timer, "", &error);
        if (!cmdline) {
            rep.fatal = "cannot resume: " + error;
            break;
        }
        plan.cmdline = *cmdline;
        auto argv = launcher.command(plan, &error);
        if (!argv) {
            rep.fatal = error;
            break;
        }
        RunEvent start{RunEvent::vm_start, join(*argv, " ")};
        start.vm = plan.number;
        start.text = plan.cmdline;
        start.name = plan.cpu_model;
        start.argv = &*argv;
        emit(start);
        auto proc = Process::spawn(*argv, &error);
        if (!proc) {
            rep.fatal = error;
            if (launcher.finished) launcher.finished(plan);
            break;
        }
        if (launcher.started && !launcher.started(*proc, plan, &error) && proc->running()) {
            rep.fatal = error;
            if (launcher.finished) launcher.finished(plan);
            break;
        }
        rep.vms = number;

        // Results as they arrive, so progress is live and nothing is lost.
        size_t seen_begun = 0, seen_results = 0, added_here = 0, base = rep.results.size();
        size_t seen_verifies = 0;
        std::string vm_timer = timer;
        auto on_data = [&](const SerialStream& stream) {
            const RunLog& log = stream.log();
            if (log.header && !rep.header) {
                rep.header = log.header;
                rep.total = log.header->benchmarks;
                RunEvent e{RunEvent::header};
                e.header_info = &*rep.header;
                e.vm = plan.number;
                emit(e);
            }
            if (log.header) vm_timer = log.header->timer;
            // In stream order: the kernel runs one benchmark at a time, so
            // result k comes before begin k+1.
            for (;;) {
                bool result_next = seen_results < log.results.size() &&
                                   (seen_results < seen_begun || seen_begun == log.begun.size());
                if (result_next) {
                    const ResultInfo& r = log.results[seen_results++];
                    bool wanted = rerun ? r.name == rerun->name
                                        : std::find(done.begin(), done.end(), r.name) == done.end();
                    if (!wanted) continue;
                    add_result(from_record(r, vm_timer, plan.number, stream));
                    ++added_here;
                    if (const auto* t = stream.timed_for(r.name)) {
                        if (uint32_t n = unresolved_pairs(t->loops))
                            note(r.name + ": the host could not time " + std::to_string(n) + " of " +
                                 std::to_string(t->loops.size() / 2) +
                                 " repetitions (both markers of its loop came in one read: the host read late); "
                                 "left out of its host figures. Longer loops (--kernel-arg loop_us=5000) help");
                    }
                } else if (seen_begun < log.begun.size() &&
                           std::find(log.begun.begin(), log.begun.begin() + long(seen_begun),
                                     log.begun[seen_begun]) != log.begun.begin() + long(seen_begun)) {
                    ++seen_begun;  // a later pass over a benchmark already announced
                } else if (seen_begun < log.begun.size()) {
                    RunEvent e{RunEvent::begin, "", log.begun[seen_begun], base + seen_begun + 1, 0};
                    e.total = std::max(rep.total, e.index);
                    e.vm = plan.number;
                    emit(e);
                    ++seen_begun;
                } else {
                    break;
                }
            }
            // verify=1: the second look at results this VM reported.
            for (; seen_verifies < log.verifies.size(); ++seen_verifies) {
                const VerifyInfo& v = log.verifies[seen_verifies];
                for (size_t k = rep.results.size(); k-- > base;) {
                    BenchResult& r = rep.results[k];
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
            RunEvent tick{RunEvent::tick};
            tick.vm = plan.number;
            emit(tick);
        };
        VmOutcome out = run_vm(*proc, s, on_data, plan.number);
        if (launcher.finished) launcher.finished(plan);
        const RunLog& log = out.stream.log();
        rep.markers += out.stream.markers();
        for (const auto& e : log.errors) add_name(rep.kernel_errors, e);
        for (const auto& pr : log.problems) rep.problems.push_back("VM " + std::to_string(plan.number) + ": " + pr);
        if (log.end) rep.kernel_exit_bits |= log.end->exit_code;
        if (log.flooded) {
            rep.fatal = "VM " + std::to_string(plan.number) + " claimed more than " +
                        std::to_string(kMaxResultsPerHeader) + " results: not the kernel's stream; the first " +
                        std::to_string(kMaxResultsPerHeader) + " are kept";
            break;
        }
        if (out.interrupted) {
            rep.interrupted = true;
            break;
        }

        // The VMM would not start with this CPU model: try the next.
        if (out.stream.bytes() == 0 && !out.hung && !out.vmm_stopped) {
            std::string why = first_line(out.vmm_stderr);
            if (why.empty()) why = out.status.describe();
            if (!model_settled && model + 1 < models.size()) {
                note("the VMM did not start with -cpu " + models[model] + " (" + why + "); trying -cpu " +
                     models[model + 1]);
                ++model;
                --number;
                continue;
            }
            rep.fatal = "the VMM exited without any guest output (" + out.status.describe() + ")" +
                        (why.empty() ? "" : ": " + why);
            break;
        }
        model_settled = true;
        rep.cpu_model = plan.cpu_model;

        std::string culprit_name = log.unfinished().value_or("");
        if (rerun) {
            if (rep.find(rerun->name) && added_here) {
                note(rerun->name + " ran with timer=rdtsc after crashing the VM with timer=rdtscp: the RDTSCP timer "
                     "is what kills this VM, so the rest of the run uses timer=rdtsc");
                timer = "rdtsc";
                timer_switched = true;
            } else {
                note(rerun->name + " crashed the VM with timer=rdtsc as well: the benchmark itself kills the VM");
                BenchResult r;
                r.name = rerun->name;
                for (const auto& e : s.catalog)
                    if (e.name == r.name) r.category = e.category;
                r.status = rerun->status;
                r.reason = rerun->reason + " (again with timer=rdtsc)";
                r.vmm_output = rerun->output;
                r.timer = "rdtscp";
                r.vm = plan.number - 1;
                add_result(std::move(r));
            }
            rerun.reset();
            if (rep.total && done.size() >= rep.total) {
                rep.complete = true;
                break;
            }
            continue;
        }
        if (log.end) {
            rep.complete = true;
            break;
        }

        // The VM ended without an end record: it died or hung.
        std::string status, reason;
        std::string where = culprit_name.empty() ? "between benchmarks" : "while " + culprit_name + " ran";
        if (out.vmm_stopped) {
            status = kStatusCrashed;
            reason = "QEMU stopped the guest " + where + ": " + stop_line(out.vmm_stderr);
        } else if (out.hung) {
            status = "timeout";
            int limit = log.header ? s.bench_timeout_ms : s.boot_timeout_ms;
            reason = "no output for " + std::to_string(limit / 1000) + " s " + where + "; the VM was killed";
        } else {
            status = kStatusCrashed;
            std::string why = stop_line(out.vmm_stderr);
            reason = "the VM died " + where + " (" + out.status.describe() + ")" + (why.empty() ? "" : ": " + why);
        }
        std::string output = join(out.tail, "\n");
        if (!culprit_name.empty() && rep.find(culprit_name)) {
            // It was to be skipped: resuming cannot make progress.
            rep.fatal = "the kernel ran " + culprit_name + " again though told to skip it, and " + reason;
            break;
        }
        if (!culprit_name.empty()) {
            if (status == kStatusCrashed && vm_timer == "rdtscp" && !timer_switched) {
                note(culprit_name + " crashed the VM while timed with RDTSCP; running it again alone with timer=rdtsc");
                rerun = Pending{culprit_name, status, reason, output};
                continue;
            }
            BenchResult r;
            r.name = culprit_name;
            for (const auto& e : s.catalog)
                if (e.name == culprit_name) r.category = e.category;
            r.status = status;
            r.reason = reason;
            r.vmm_output = output;
            r.timer = vm_timer;
            r.vm = plan.number;
            add_result(std::move(r));
            note(culprit_name + ": " + status + " — " + reason);
        } else if (added_here == 0) {
            if (!log.header) {
                rep.fatal = "the VM " + (out.hung ? std::string("hung") : "died") +
                            " before the kernel reported its platform: " + reason + "\n" + output;
            } else if (log.header->benchmarks == 0) {
                rep.complete = true;
            } else {
                rep.fatal = "the VM ended " + where + " without reporting any progress: " + reason;
            }
            break;
        } else {
            note("VM " + std::to_string(plan.number) + " ended after its last result without an end record: " + reason);
        }
        if (rep.total && done.size() >= rep.total) {
            rep.complete = true;
            break;
        }
        if (!s.can_pass_options) {
            rep.fatal = "cannot resume: this boot path has a fixed kernel command line, so a fresh VM cannot be told "
                        "to skip what is done";
            break;
        }
        note("continuing in a fresh VM, skipping the " + std::to_string(done.size()) + " benchmark(s) done");
    }
    rep.timer = timer;
    return rep;
}

namespace {

// The result record of a benchmark begun on line `begun` (the next begin on
// line `next`, 0: none) that could not be read, if there is one.
const BadRecord* unreadable_result(const RunLog& log, size_t begun, size_t next) {
    for (const auto& b : log.bad_records)  // few: a kernel's stream has none
        if (b.line > begun && (next == 0 || b.line < next) && (b.type.empty() || b.type == kRecordResult)) return &b;
    return nullptr;
}

RunReport report_from_log(const SerialStream& stream) {
    RunReport rep;
    const RunLog& log = stream.log();
    rep.header = log.header;
    if (log.header) {
        rep.total = log.header->benchmarks;
        rep.timer = log.header->timer;
    }
    rep.vms = log.header ? 1 : 0;
    rep.problems = log.problems;
    std::unordered_map<std::string, size_t> index;  // name -> its entry in rep.results
    std::unordered_map<std::string, size_t> first_line;  // name -> the line of its result kept
    size_t duplicates = 0;
    constexpr size_t kListed = 10;
    for (const auto& r : log.results) {
        auto [it, fresh] = index.try_emplace(r.name, rep.results.size());
        if (!fresh) {
            // A log of several runs (run --runs N --log) or a forged one: the
            // first result of a name is kept, and that is said.
            if (++duplicates <= kListed)
                rep.problems.push_back("line " + std::to_string(r.line) + ": another result for " + r.name +
                                       "; the first (line " + std::to_string(first_line[r.name]) +
                                       ") is kept (a log of several runs? import each run's log on its own)");
            continue;
        }
        first_line[r.name] = r.line;
        BenchResult b = from_record(r, rep.timer, 1, stream);
        b.external.reset();  // a log has no host timestamps
        rep.results.push_back(std::move(b));
    }
    for (const auto& v : log.verifies) {
        auto it = index.find(v.name);
        if (it == index.end()) continue;
        BenchResult& b = rep.results[it->second];
        if (v.measured) b.verify_median_milli = v.median_milli;
        b.verify_agrees = v.agrees;
        if (!v.agrees) b.noisy = true;
    }
    // Every benchmark begun without a result: the VM died there (a log of
    // several VMs, like `hvbench run --log`, can hold more than one) -- or
    // its result record is there but could not be read: then it is left out
    // and named, never called a crash.
    std::string last = log.unfinished().value_or("");
    for (size_t k = 0; k < log.begun.size(); ++k) {
        const std::string& name = log.begun[k];
        if (index.count(name)) continue;
        size_t next = k + 1 < log.begun_lines.size() ? log.begun_lines[k + 1] : 0;
        if (const BadRecord* bad = unreadable_result(log, log.begun_lines[k], next)) {
            rep.problems.push_back("line " + std::to_string(bad->line) + ": the result record of " + name +
                                   " could not be read (" + bad->why + "); it is left out");
            ++rep.unreadable_results;
            index.emplace(name, size_t(-1));
            continue;
        }
        BenchResult b;
        b.name = name;
        b.status = kStatusCrashed;
        b.reason = name == last ? "the log ends while " + name + " ran"
                                : "the log has no result for " + name + " (its VM died)";
        if (name == last) b.vmm_output = join(stream.last_lines(kTailLines), "\n");
        b.timer = rep.timer;
        b.vm = 1;
        index.emplace(name, rep.results.size());
        rep.results.push_back(std::move(b));
    }
    if (duplicates > kListed)
        rep.problems.push_back(std::to_string(duplicates) + " results repeat a name in all; the first of each is kept");
    rep.kernel_errors = log.errors;
    if (log.end) rep.kernel_exit_bits = log.end->exit_code;
    rep.complete = log.end.has_value() && !log.flooded;
    if (!log.header) rep.fatal = "no header record in the log";
    return rep;
}

}  // namespace

RunReport read_log_chunks(const std::function<size_t(char* buf, size_t size)>& read) {
    SerialStream stream;
    std::vector<char> buf(size_t(1) << 16);
    for (size_t n; (n = read(buf.data(), buf.size())) > 0;) stream.feed(std::string_view(buf.data(), n), 0);
    stream.finish();
    return report_from_log(stream);
}

RunReport read_log(std::string_view text) {
    size_t pos = 0;
    return read_log_chunks([&](char* out, size_t size) {
        size_t n = std::min(size, text.size() - pos);
        std::copy_n(text.data() + pos, n, out);
        pos += n;
        return n;
    });
}

std::string platform_label(const HeaderInfo& h) {
    const std::string& sig = h.hypervisor;
    if (sig.empty() || sig == "none") return "native";
    if (sig.rfind("KVMKVMKVM", 0) == 0) return "kvm";
    if (sig.rfind("XenVMMXenVMM", 0) == 0) return "xen";
    if (sig.rfind("TCGTCGTCGTCG", 0) == 0) return "tcg";
    if (sig.rfind("Microsoft Hv", 0) == 0) return "hyper-v";
    if (sig.rfind("VMwareVMware", 0) == 0) return "vmware";
    if (sig.rfind("VBoxVBoxVBox", 0) == 0) return "virtualbox";
    if (sig.rfind("ACRNACRNACRN", 0) == 0) return "acrn";
    if (sig.rfind("bhyve bhyve", 0) == 0) return "bhyve";
    std::string out;
    for (char c : sig) out += (std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '-');
    return out;
}

}  // namespace hvb::tools
