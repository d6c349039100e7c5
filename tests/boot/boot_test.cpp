// tests/boot/boot_test.cpp — boots hvbench under a VMM command line and checks
// what comes out of its serial port.
//
//   hvb_boot_test [checks] -- qemu-system-x86_64 ... -serial stdio ...
//
// The command is started without a shell; its stdout (the guest's COM1) and
// stderr are captured until it exits or the timeout kills it. Checks:
//   --expect-boot P          header says boot protocol P (mb1, mb2, pvh)
//   --expect-status NAME=S   a result record for NAME with status S
//   --expect-all-ran         every begun benchmark has a result, and there is
//                            an end record whose counts match the results
//   --expect-no-fault        no result is `faulted`
//   --expect-exit N          the VMM's exit status is N
//   --expect-cpus N          header reports N CPUs
//   --expect-error TEXT      an error record containing TEXT
//   --expect-no-error        no error record at all
//   --expect-no-header       no header record: the boot stopped before it
//                            (fatal boot-info errors)
//   --expect-output TEXT     TEXT appears somewhere in the output
//   --expect-quality         the header names the method and its hazards, and
//                            every ok result is within its confidence target
//                            (ci_low <= median <= ci_high, half-width at most
//                            the header's target) or says noisy: true
//   --expect-linearity       every ok result has linearity levels whose counts
//                            grow 10x and whose ratios match their medians
//   --expect-clock PERCENT   the kernel's clock (its TSC calibration) agrees
//                            with the host's: from the first begin record to
//                            the last result, the kernel's t_us and the
//                            host's arrival times of those lines differ by
//                            at most PERCENT
//   --require-kvm            exit 77 (CTest: skipped) unless /dev/kvm works
//   --timeout SECONDS        default 120
//   --log FILE               keep the captured output
// Exit status: 0 all checks passed, 1 a check failed, 77 skipped.
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "posih/format.h"
#include "tools/records.h"

extern char** environ;

namespace {

constexpr int kSkip = 77;

struct Expectations {
    std::string boot;
    std::vector<std::pair<std::string, std::string>> statuses;
    bool all_ran = false;
    bool no_fault = false;
    int exit_status = -1;
    int cpus = -1;
    std::vector<std::string> error_texts;
    bool no_error = false;
    bool no_header = false;
    std::vector<std::string> output_texts;
    bool require_kvm = false;
    bool quality = false;
    bool linearity = false;
    double clock_percent = -1;  // <0: not checked
    int timeout_s = 120;
    std::string log_file;
};

bool kvm_usable(std::string* why) {
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        *why = std::string("/dev/kvm: ") + strerror(errno);
        return false;
    }
    int version = ioctl(fd, KVM_GET_API_VERSION, 0);
    close(fd);
    if (version != KVM_API_VERSION) {
        *why = "/dev/kvm answers KVM_GET_API_VERSION with " + std::to_string(version);
        return false;
    }
    return true;
}

struct RunOutcome {
    std::string output;
    // When each piece of the output arrived: (end offset, seconds since start).
    std::vector<std::pair<size_t, double>> arrivals;
    int exit_status = -1;  // -1: killed by a signal
    bool timed_out = false;
    double seconds = 0;
    std::string spawn_error;
};

RunOutcome run(const std::vector<std::string>& argv, int timeout_s) {
    RunOutcome out;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        out.spawn_error = std::string("pipe: ") + strerror(errno);
        return out;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    auto start = std::chrono::steady_clock::now();
    pid_t pid;
    int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    if (rc != 0) {
        out.spawn_error = "cannot start " + argv[0] + ": " + strerror(rc);
        close(pipefd[0]);
        return out;
    }
    auto deadline = start + std::chrono::seconds(timeout_s);
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            out.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        pollfd p{pipefd[0], POLLIN, 0};
        int n = poll(&p, 1, int(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) continue;
        ssize_t got = read(pipefd[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;  // EOF: the VMM closed its output
        out.output.append(buf, size_t(got));
        out.arrivals.emplace_back(out.output.size(),
                                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

std::string milli(int64_t v) {
    char b[32];
    hvb::format_milli(b, v);
    return b;
}

// When the byte at `offset` had arrived (seconds since the start).
double arrival(const RunOutcome& run, size_t offset) {
    for (const auto& [end, t] : run.arrivals)
        if (end > offset) return t;
    return run.seconds;
}

// The kernel's t_us and the host's arrival time of the first line
// containing `a` (first = true) or the last one containing both `a` and `b`.
bool stamp(const RunOutcome& run, const char* a, const char* b, bool first, uint64_t* t_us, double* host) {
    size_t at = std::string::npos;
    for (size_t pos = run.output.find(a); pos != std::string::npos; pos = run.output.find(a, pos + 1)) {
        size_t end = run.output.find('\n', pos);
        if (end == std::string::npos) break;
        if (!b || run.output.substr(pos, end - pos).find(b) != std::string::npos) at = pos;
        if (first && at != std::string::npos) break;
    }
    if (at == std::string::npos) return false;
    size_t key = run.output.find("\"t_us\":", at);
    size_t end = run.output.find('\n', at);
    if (key == std::string::npos || key > end) return false;
    *t_us = strtoull(run.output.c_str() + key + 7, nullptr, 10);
    *host = arrival(run, end);
    return true;
}

// --expect-clock: the kernel's elapsed time against the host's, first begin
// to last result (a calibration gone wrong shows as a ratio off 1).
template <typename Fail>
void check_clock(const RunOutcome& run, double percent, Fail fail) {
    uint64_t t0 = 0, t1 = 0;
    double h0 = 0, h1 = 0;
    if (!stamp(run, "\"type\":\"begin\"", nullptr, true, &t0, &h0) ||
        !stamp(run, "\"type\":\"result\"", "\"t_us\":", false, &t1, &h1) || t1 <= t0 || h1 <= h0) {
        fail("--expect-clock: no begin and later result with t_us to compare");
        return;
    }
    double kernel = double(t1 - t0) / 1e6, host = h1 - h0;
    double off = std::fabs(kernel / host - 1) * 100;
    fprintf(stderr, "clock: kernel %.3f s, host %.3f s (%.2f%% apart)\n", kernel, host, off);
    if (off > percent) fail("the kernel's clock is " + std::to_string(off) + "% off the host's (limit " +
                            std::to_string(percent) + "%): its TSC calibration is wrong");
}

int usage(const char* msg) {
    fprintf(stderr, "hvb_boot_test: %s\nusage: hvb_boot_test [checks] -- command...\n", msg);
    return 2;
}

}  // namespace

// --expect-quality: the record's own numbers must agree with its verdict.
template <typename Fail>
void check_quality(const hvb::tools::RunLog& log, Fail fail) {
    if (!log.header) return;
    const hvb::tools::Json& h = log.header->raw;
    for (const char* key : {"timer_cycles", "counter_read_cycles", "target_min_cycles"})
        if (!h.get_milli(key)) fail(std::string("header lacks ") + key);
    for (const char* key : {"loop_target_cycles", "budget_ms", "min_reps", "max_reps"})
        if (!h.get_uint(key)) fail(std::string("header lacks ") + key);
    for (const char* key : {"counter_intercepted", "smi_counter", "invariant_counter", "linearity", "speed_check"})
        if (!h.get_bool(key)) fail(std::string("header lacks ") + key);
    if (!h.get_string("estimator") || !h.get_uint("passes")) fail("header lacks estimator or passes");
    for (const char* key : {"outlier_rule", "iterations_mode", "reps_mode", "pinned", "rate_source", "timer_unit"})
        if (!h.get_string(key)) fail(std::string("header lacks ") + key);
    auto permille = h.get_uint("target_permille");
    auto floor = h.get_milli("target_min_cycles");
    if (!permille || !floor || !h.get_uint("boot_us")) {
        fail("header lacks the target or boot_us");
        return;
    }
    for (const auto& res : log.results) {
        if (res.status != "ok") continue;
        const hvb::tools::Json& j = res.raw;
        auto noisy = j.get_bool("noisy");
        const hvb::tools::Json* cycles = j.get("cycles");
        if (!noisy || !cycles || !j.get_uint("outliers") || !j.get_uint("t_us") || !j.get_uint("elapsed_us")) {
            fail(res.name + ": result lacks noisy, cycles, outliers, t_us or elapsed_us");
            continue;
        }
        auto med = cycles->get_milli("median");
        auto lo = cycles->get_milli("ci_low"), hi = cycles->get_milli("ci_high");
        if (lo.has_value() != hi.has_value()) fail(res.name + ": only one end of the interval");
        if (lo && hi && med && !(*lo <= *med && *med <= *hi)) fail(res.name + ": median outside its interval");
        // The headline (kernel/estimate.h): the estimate with its interval,
        // and a cause for every noisy result.
        auto est = cycles->get_milli("estimate");
        auto elo = cycles->get_milli("estimate_low"), ehi = cycles->get_milli("estimate_high");
        if (!est || !cycles->get_milli("p50") || !cycles->get_milli("p90")) {
            fail(res.name + ": result lacks cycles.estimate, p50 or p90");
            continue;
        }
        if (*noisy && !j.get_string("noisy_cause")) fail(res.name + ": noisy without a noisy_cause");
        if (!*noisy) {
            if (!elo || !ehi) {
                fail(res.name + ": not noisy but its estimate has no interval");
                continue;
            }
            int64_t mag = *est < 0 ? -*est : *est;
            // kHeadlineTolFactor (3) x the target, or 3 floors, or the
            // target's share of the benchmark loop's time per iteration
            // (what the loops resolve; the headline plus the control's
            // median bounds it from above).
            int64_t tol = std::max<int64_t>(mag * 3 * int64_t(*permille) / 1000, 3 * *floor);
            const hvb::tools::Json* control = j.get("control");
            auto control_median = control ? control->get_milli("median") : std::nullopt;
            if (control_median) tol = std::max<int64_t>(tol, (mag + *control_median) * int64_t(*permille) / 1000);
            // Nothing cheaper below it (kernel/estimate.cpp); above, the
            // interval may be wide when several passes saw the low end.
            if (*est - *elo > tol + 1)
                fail(res.name + ": not noisy but its interval [" + milli(*elo) + ", " + milli(*ehi) +
                     "] reaches beyond the target below " + milli(*est));
            if (*ehi < *est) fail(res.name + ": estimate above its interval");
            // The estimator's p10s are over every repetition run, the long
            // gaps included (kernel/estimate.cpp): those are the count.
            uint64_t ran = res.repetitions + j.get_uint("outliers").value_or(0);
            if (ran < 3) fail(res.name + ": not noisy with fewer than 3 repetitions run");
        }
    }
}

// --expect-linearity: levels N, 10N, 100N (clamped to the descriptor's
// maximum, so the last may be smaller) with ratios that match the medians.
template <typename Fail>
void check_linearity(const hvb::tools::RunLog& log, Fail fail) {
    for (const auto& res : log.results) {
        if (res.status != "ok") continue;
        const hvb::tools::Json* levels = res.raw.get("linearity");
        if (!levels || !levels->is(hvb::tools::Json::Kind::array) || levels->items.empty()) {
            fail(res.name + ": no linearity levels");
            continue;
        }
        auto base_iters = levels->items[0].get_uint("iterations");
        auto base_med = levels->items[0].get_milli("median");
        if (!base_iters || !base_med || *base_iters != res.iterations) {
            fail(res.name + ": first linearity level is not the reported measurement");
            continue;
        }
        uint64_t prev = *base_iters;
        for (size_t i = 1; i < levels->items.size(); ++i) {
            const auto& lv = levels->items[i];
            auto it = lv.get_uint("iterations");
            auto med = lv.get_milli("median");
            auto ratio = lv.get_milli("ratio");
            if (!it || !med || !ratio) {
                fail(res.name + ": incomplete linearity level");
                break;
            }
            if (*it <= prev || *it > prev * 10) fail(res.name + ": linearity counts do not grow by up to 10x");
            prev = *it;
            if (*base_med != 0) {
                double want = double(*med) / double(*base_med) * 1000.0;
                if (std::abs(want - double(*ratio)) > 1.5)
                    fail(res.name + ": ratio " + milli(*ratio) + " does not match its medians");
            }
        }
    }
}

int main(int argc, char** argv) {
    Expectations ex;
    std::vector<std::string> command;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--") {
            for (++i; i < argc; ++i) command.push_back(argv[i]);
            break;
        } else if (a == "--expect-boot") {
            const char* v = value();
            if (!v) return usage("--expect-boot needs a value");
            ex.boot = v;
        } else if (a == "--expect-status") {
            const char* v = value();
            const char* eq = v ? strchr(v, '=') : nullptr;
            if (!eq) return usage("--expect-status needs NAME=STATUS");
            ex.statuses.emplace_back(std::string(v, eq), std::string(eq + 1));
        } else if (a == "--expect-all-ran") {
            ex.all_ran = true;
        } else if (a == "--expect-no-fault") {
            ex.no_fault = true;
        } else if (a == "--expect-exit") {
            const char* v = value();
            if (!v) return usage("--expect-exit needs a value");
            ex.exit_status = atoi(v);
        } else if (a == "--expect-cpus") {
            const char* v = value();
            if (!v) return usage("--expect-cpus needs a value");
            ex.cpus = atoi(v);
        } else if (a == "--expect-error") {
            const char* v = value();
            if (!v) return usage("--expect-error needs a value");
            ex.error_texts.push_back(v);
        } else if (a == "--expect-clock") {
            const char* v = value();
            if (!v) return usage("--expect-clock needs a percentage");
            ex.clock_percent = atof(v);
        } else if (a == "--expect-no-header") {
            ex.no_header = true;
        } else if (a == "--expect-no-error") {
            ex.no_error = true;
        } else if (a == "--expect-quality") {
            ex.quality = true;
        } else if (a == "--expect-linearity") {
            ex.linearity = true;
        } else if (a == "--expect-output") {
            const char* v = value();
            if (!v) return usage("--expect-output needs a value");
            ex.output_texts.push_back(v);
        } else if (a == "--require-kvm") {
            ex.require_kvm = true;
        } else if (a == "--timeout") {
            const char* v = value();
            if (!v || atoi(v) <= 0) return usage("--timeout needs a positive number of seconds");
            ex.timeout_s = atoi(v);
        } else if (a == "--log") {
            const char* v = value();
            if (!v) return usage("--log needs a file");
            ex.log_file = v;
        } else {
            return usage(("unknown option " + a).c_str());
        }
    }
    if (command.empty()) return usage("no command after --");

    if (ex.require_kvm) {
        std::string why;
        if (!kvm_usable(&why)) {
            printf("SKIPPED: KVM not usable here (%s)\n", why.c_str());
            return kSkip;
        }
    }

    RunOutcome r = run(command, ex.timeout_s);
    if (!ex.log_file.empty()) std::ofstream(ex.log_file, std::ios::binary) << r.output;
    if (!r.spawn_error.empty()) {
        printf("FAIL: %s\n", r.spawn_error.c_str());
        return 1;
    }

    hvb::tools::RunLog log = hvb::tools::parse_run_log(r.output, /*keep_raw=*/true);
    std::vector<std::string> failures;
    auto fail = [&](std::string s) { failures.push_back(std::move(s)); };

    if (r.timed_out) fail("timed out after " + std::to_string(ex.timeout_s) + " s");
    for (const auto& p : log.problems) fail("bad record: " + p);
    if (ex.no_header) {
        if (log.header) fail("a header record, expected the boot to stop before it");
    } else if (!log.header) {
        fail("no header record");
    } else {
        if (!ex.boot.empty() && log.header->boot != ex.boot)
            fail("boot protocol is '" + log.header->boot + "', expected '" + ex.boot + "'");
        if (ex.cpus >= 0 && int(log.header->cpus) != ex.cpus)
            fail("header reports " + std::to_string(log.header->cpus) + " CPUs, expected " + std::to_string(ex.cpus));
    }
    for (const auto& [name, status] : ex.statuses) {
        const auto* res = log.find(name);
        if (!res) fail("no result for " + name);
        else if (res->status != status)
            fail(name + " is " + res->status + " (" + res->reason + "), expected " + status);
    }
    if (ex.all_ran) {
        if (auto name = log.unfinished()) fail("benchmark " + *name + " began but has no result");
        if (!log.end) {
            fail("no end record");
        } else {
            uint32_t total = 0;
            for (auto c : log.end->counts) total += c;
            if (total != log.results.size())
                fail("end record counts " + std::to_string(total) + " results, stream has " +
                     std::to_string(log.results.size()));
            if (log.header && log.header->benchmarks != log.results.size())
                fail("header announced " + std::to_string(log.header->benchmarks) + " benchmarks, " +
                     std::to_string(log.results.size()) + " reported");
        }
    }
    if (ex.clock_percent >= 0) check_clock(r, ex.clock_percent, fail);
    if (ex.no_fault)
        for (const auto& res : log.results)
            if (res.status == "faulted") fail(res.name + " faulted: " + res.reason);
    for (const auto& text : ex.error_texts) {
        bool found = false;
        for (const auto& e : log.errors) found = found || e.find(text) != std::string::npos;
        if (!found) fail("no error record containing '" + text + "'");
    }
    if (ex.no_error)
        for (const auto& e : log.errors) fail("error record: " + e);
    for (const auto& text : ex.output_texts)
        if (r.output.find(text) == std::string::npos) fail("output lacks '" + text + "'");
    if (ex.quality) {
        check_quality(log, fail);
        // verify records: a second look only at results that met their target.
        for (const auto& v : log.verifies) {
            const auto* res = log.find(v.name);
            if (!res || res->status != "ok" || res->noisy.value_or(true))
                fail("verify record for " + v.name + ", which was not an ok result within its target");
        }
    }
    if (ex.linearity) check_linearity(log, fail);
    if (ex.exit_status >= 0 && r.exit_status != ex.exit_status)
        fail("VMM exit status " + std::to_string(r.exit_status) + ", expected " + std::to_string(ex.exit_status));

    printf("wall time %.2f s, VMM exit status %d, %zu records\n", r.seconds, r.exit_status, log.record_count);
    if (log.header)
        printf("platform: %s | hypervisor %s | boot %s | cpus %u | timer %s at %lu Hz (%s) in %s\n",
               log.header->cpu_model.c_str(), log.header->hypervisor.c_str(), log.header->boot.c_str(),
               log.header->cpus, log.header->timer.c_str(), static_cast<unsigned long>(log.header->timer_hz),
               log.header->rate_source.c_str(), log.header->timer_unit.c_str());
    for (const auto& res : log.results)
        printf("  %-20s %-11s iters %-8lu median %12s mad %10s min %12s control %10s %s\n", res.name.c_str(),
               res.status.c_str(), static_cast<unsigned long>(res.iterations),
               milli(res.median_milli).c_str(), milli(res.mad_milli).c_str(), milli(res.min_milli).c_str(),
               milli(res.control_median_milli).c_str(), res.reason.c_str());
    if (failures.empty()) {
        printf("PASS\n");
        return 0;
    }
    for (const auto& f : failures) printf("FAIL: %s\n", f.c_str());
    printf("---- captured output (last 3000 bytes) ----\n%s\n",
           r.output.substr(r.output.size() > 3000 ? r.output.size() - 3000 : 0).c_str());
    return 1;
}
