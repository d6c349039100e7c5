// tools/reporters.cpp — the run's reporters (see reporters.h).
#include "tools/reporters.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "kernel/protocol.h"
#include "tools/header_fields.h"
#include "tools/sanitize.h"

namespace hvb::tools {

std::string written_files_text(bool no_results, const std::vector<OutputFile>& files) {
    std::string out;
    for (const auto& f : files) {
        if (f.path.empty()) continue;
        if (f.written) out += std::string(", ") + f.kind + ": " + f.path;
        else if (no_results) out += std::string(", ") + f.kind + " " + f.path + " not written (no results; an existing file is left as it was)";
        else out += std::string(", ") + f.kind + " " + f.path + " NOT written";
    }
    return out;
}

std::string elapsed_text(double seconds) {
    char buf[32];
    if (seconds < 60) snprintf(buf, sizeof buf, "%.1f s", seconds);
    else snprintf(buf, sizeof buf, "%d:%02d", int(seconds) / 60, int(seconds) % 60);
    return buf;
}

std::string iso_date() {
    time_t t = time(nullptr);
    tm local;
    localtime_r(&t, &local);
    char buf[64];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
    std::string s = buf;
    if (s.size() > 5) s.insert(s.size() - 2, ":");  // +0100 -> +01:00, as Google Benchmark writes it
    return s;
}

std::string host_name() {
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

void print_table(const std::vector<BenchResult>& results, bool external, unsigned runs,
                 const AggregatePolicy& policy, std::string_view unit) {
    if (unit == "ns")
        printf("nanoseconds per iteration: the kernel measured in ns (its header's timer_unit), not knowing the "
               "CPU's cycle rate\n");
    bool ci = std::any_of(results.begin(), results.end(), [](const BenchResult& r) { return r.has_ci(); });
    bool noisy = std::any_of(results.begin(), results.end(), [](const BenchResult& r) { return r.ok() && r.is_noisy(); });
    bool est = std::any_of(results.begin(), results.end(), [](const BenchResult& r) { return r.estimate_milli.has_value(); });
    printf("%-24s %-12s %-11s %11s %13s %11s %13s %11s", "benchmark", "category", "status", "iterations",
           est ? "p10 (head.)" : "median", est ? "p50 (typ.)" : "mad", est ? "p90" : "min", "control");
    if (ci || est)
        printf(" %27s", runs > 1 ? ("range of " + std::to_string(runs) + " runs").c_str()
                        : est ? "95% interval of the p10" : "95% CI of the median");
    if (external) printf(" %14s %11s", "host median", "host mad");
    printf("\n");
    for (const auto& raw : results) {
        // Names, categories and reasons come from the guest: never raw to a terminal.
        BenchResult r = raw;
        r.name = terminal_safe(r.name);
        r.category = terminal_safe(r.category);
        r.status = terminal_safe(r.status);
        r.reason = terminal_safe(r.reason);
        if (r.ok()) {
            bool has_est = r.estimate_milli.has_value();
            printf("%-24s %-12s %-11s %11lu %13s %11s %13s %11s", r.name.c_str(), r.category.c_str(), r.status.c_str(),
                   static_cast<unsigned long>(r.iterations), milli_text(r.headline_milli()).c_str(),
                   milli_text(has_est ? r.p50_milli.value_or(r.median_milli) : r.mad_milli).c_str(),
                   milli_text(has_est ? r.p90_milli.value_or(r.median_milli) : r.min_milli).c_str(),
                   milli_text(r.control_median_milli).c_str());
            if (est && has_est)
                printf(" %27s", r.estimate_low_milli ? ("[" + milli_text(*r.estimate_low_milli) + ", " +
                                                        milli_text(*r.estimate_high_milli) + "]").c_str()
                                                     : "-");
            else if (ci || est)
                printf(" %27s", r.has_ci() ? ("[" + milli_text(*r.ci_low_milli) + ", " + milli_text(*r.ci_high_milli) +
                                              "]").c_str()
                                           : "-");
            if (external) {
                if (r.external)
                    printf(" %14s %11s", milli_text(r.external->median_milli).c_str(),
                           milli_text(r.external->mad_milli).c_str());
                else
                    printf(" %14s %11s", "-", "-");
            }
            if (r.is_noisy()) {
                std::string why = noisy_reason(r, policy);
                printf("  noisy%s%s", why.empty() ? "" : ": ", why.c_str());
            }
            printf("\n");
        } else {
            std::string reason = r.reason.substr(0, r.reason.find('\n'));
            printf("%-24s %-12s %-11s %s\n", r.name.c_str(), r.category.empty() ? "-" : r.category.c_str(),
                   r.status.c_str(), reason.c_str());
        }
    }
    if (noisy && runs > 1 && est)
        printf("noisy: no other of the %u runs' headlines lies within 2x the kernel's target of the lowest "
               "(see docs/measurement.md)\n", runs);
    else if (noisy && runs > 1)
        printf("noisy: fewer than a majority of the %u runs' medians lie within 2x the kernel's CI target of the "
               "median (see docs/measurement.md)\n", runs);
    else if (noisy && est)
        printf("noisy: the headline (the p10) is not established; each row names why: too few repetitions, a "
               "cheaper mode below the p10, its low end seen in one pass only, or its interval wider than the "
               "target. docs/measurement.md\n");
    else if (noisy)
        printf("noisy: treat with care. CI: the median's 95%% interval stayed wider than the target (--target) within "
               "the budget; host slowed: the timer call after it was >25%% dearer than the VM's cheapest; platform "
               "speed: the empty control loop ran off the platform's usual speed; moved: a "
               "second look after the suite disagreed; long gaps: too many repetitions interrupted; N repetitions: "
               "too few for an interval (6). docs/measurement.md\n");
}

// What a finished run adds to its context.
void fill_info(RunInfo& info, const RunReport& rep) {
    info.cpu_model = rep.cpu_model;
    info.vms = rep.vms;
    if (rep.header) {
        info.platform = rep.header->raw;
        header_to_context(*rep.header, info);
    }
    info.timer = rep.timer.empty() ? (rep.header ? rep.header->timer : "") : rep.timer;
    info.notes = rep.notes;
    if (!rep.fatal.empty()) info.notes.push_back("stopped: " + rep.fatal);
    if (rep.interrupted) info.notes.push_back("interrupted");
    info.kernel_errors = rep.kernel_errors;
    info.problems = rep.problems;
    info.complete = rep.complete;
    info.exit_code = rep.exit_code();
}

// ---- console -------------------------------------------------------------------

ConsoleReporter::ConsoleReporter(Options o) : o_(std::move(o)), tty_(isatty(2)) {
    run_start_ = bench_start_ = vm_started_ms_ = now_ms();
}

void ConsoleReporter::clear_line() {
    if (line_open_) fprintf(stderr, "\r\033[K");
    line_open_ = false;
}

void ConsoleReporter::draw() {
    if (o_.quiet || !tty_ || current_.empty()) return;
    int64_t now = now_ms();
    fprintf(stderr, "\r\033[K[%zu/%s] %s  %s  (total %s)", current_index_,
            current_total_ ? std::to_string(current_total_).c_str() : "?", terminal_safe(current_).c_str(),
            elapsed_text(double(now - bench_start_) / 1000).c_str(), elapsed_text(double(now - run_start_) / 1000).c_str());
    fflush(stderr);
    line_open_ = true;
    last_draw_ = now;
}

void ConsoleReporter::say(const std::string& text) {
    clear_line();
    fprintf(stderr, "hvbench: %s\n", terminal_safe(text).c_str());
    draw();
}

void ConsoleReporter::on_vm_start(const RunEvent& e) {
    vm_started_ms_ = now_ms();
    if (o_.verbose && e.argv) {
        std::string cmd = shell_quoted(*e.argv);
        say("VM " + std::to_string(e.vm) + " (" + std::to_string(vm_started_ms_ - o_.tool_start_ms) +
            " ms after hvbench started): " + cmd);
    } else if (!o_.quiet) {
        say("VM " + std::to_string(e.vm) + ": " + o_.accel + (e.name.empty() ? "" : " -cpu " + e.name) + ", kernel options '" + e.text + "'");
    }
    current_.clear();
}

// The kernel's pinned= (a method field: in the header of older kernels, in
// the method record after it of newer ones), once.
void ConsoleReporter::check_pinned(const HeaderInfo& h) {
    if (pinned_checked_ || h.pinned.empty()) return;
    pinned_checked_ = true;
    if (h.pinned != o_.pinned) say("note: the kernel says pinned=" + h.pinned + ", the tool passed pinned=" + o_.pinned);
}

void ConsoleReporter::on_header(const HeaderInfo& h) {
    if (o_.verbose) {
        std::string kernel = h.boot_us ? " (kernel entry to header " + std::to_string(*h.boot_us / 1000) + " ms)" : "";
        say("header " + std::to_string(now_ms() - vm_started_ms_) + " ms after QEMU started" + kernel);
    }
    check_pinned(h);
    if (!h.timer_unit.empty()) unit_ = h.timer_unit;
    if (!o_.quiet) {
        char rate[64];
        snprintf(rate, sizeof rate, "%.3f GHz (%s)", double(h.timer_hz) / 1e9, h.rate_source.c_str());
        say("platform: " + h.cpu_model + " | hypervisor " + h.hypervisor + " | boot " + h.boot + " | " +
            std::to_string(h.cpus) + " CPU(s) | timer " + h.timer + " at " + rate + " in " + unit_ + " | " +
            std::to_string(h.benchmarks) + " benchmarks");
    }
}

void ConsoleReporter::on_result(const BenchResult& r) {
    ++results_;
    if (!o_.quiet) {
        clear_line();
        double secs = r.name == current_ ? double(now_ms() - bench_start_) / 1000 : 0;
        fprintf(stderr, "[%zu/%s] %-24s %-11s %s%s\n", results_,
                current_total_ ? std::to_string(current_total_).c_str() : "?", terminal_safe(r.name).c_str(),
                terminal_safe(r.status).c_str(),
                r.ok() ? (milli_text(r.headline_milli()) + " " + unit_ + (r.is_noisy() ? " (noisy)" : "")).c_str() : "",
                r.name == current_ ? ("  (" + elapsed_text(secs) + ")").c_str() : "");
    }
    if (r.name == current_) current_.clear();
}

void ConsoleReporter::on_event(const RunEvent& e) {
    switch (e.kind) {
        case RunEvent::vm_start:
            on_vm_start(e);
            break;
        case RunEvent::header:
            on_header(*e.header_info);
            break;
        case RunEvent::method:
            check_pinned(*e.header_info);
            break;
        case RunEvent::begin:
            current_ = e.name;
            current_index_ = e.index;
            current_total_ = e.total;
            bench_start_ = now_ms();
            if (!o_.quiet && !tty_) fprintf(stderr, "[%zu/%zu] %s ...\n", e.index, e.total, terminal_safe(e.name).c_str());
            draw();
            break;
        case RunEvent::result:
            on_result(*e.bench);
            break;
        case RunEvent::revised: {
            const BenchResult& r = *e.bench;
            if (!o_.quiet && r.verify_agrees == false)
                say(r.name + ": measured again after the suite, " +
                    (r.verify_median_milli ? milli_text(*r.verify_median_milli) + " " + unit_ : std::string("failed")) +
                    " against " + milli_text(r.headline_milli()) + ": marked noisy");
            break;
        }
        case RunEvent::note:
            if (!o_.quiet) say(e.text);
            break;
        case RunEvent::tick:
            if (now_ms() - last_draw_ >= 1000) draw();
            break;
    }
}

void ConsoleReporter::print_end(const RunEnd& end, const AggregatePolicy& policy) const {
    printf("\n");
    print_table(end.report.results, end.external, end.runs, policy,
                end.report.header ? std::string_view(end.report.header->timer_unit) : std::string_view());
    if (!end.linearity.empty()) printf("\n%s", terminal_safe(end.linearity).c_str());
    fflush(stdout);  // the table before the summary on stderr, when both go to one terminal
    if (end.want_linearity && end.linearity.empty())
        fprintf(stderr, "hvbench: --linearity: the kernel sent no linearity levels (does it support linearity=1?)\n");
    if (!end.pin_note.empty()) fprintf(stderr, "hvbench: note: %s\n", end.pin_note.c_str());
    if (!end.pin_error.empty()) fprintf(stderr, "hvbench: error: --pin: %s\n", end.pin_error.c_str());
    print_account(end);
}

// What went wrong, and the closing line.
void ConsoleReporter::print_account(const RunEnd& end) const {
    const RunReport& rep = end.report;
    for (const auto& e : rep.kernel_errors) fprintf(stderr, "hvbench: kernel error: %s\n", terminal_safe(e).c_str());
    for (const auto& p : rep.problems) fprintf(stderr, "hvbench: %s\n", terminal_safe(p).c_str());
    for (const auto& r : rep.results)
        if (r.status == kStatusCrashed || r.status == "timeout") {
            fprintf(stderr, "hvbench: %s %s: %s\n", terminal_safe(r.name).c_str(), r.status.c_str(),
                    terminal_safe(r.reason).c_str());
            if (!r.vmm_output.empty()) {
                std::string indented = "    " + terminal_safe(r.vmm_output);
                for (size_t p = indented.find('\n'); p != std::string::npos; p = indented.find('\n', p + 1))
                    indented.insert(p + 1, "    ");
                fprintf(stderr, "  last VMM output:\n%s\n", indented.c_str());
            }
        }
    if (end.external && rep.markers == 0)
        fprintf(stderr, "hvbench: --timing external: the kernel sent no timing markers; only internal figures\n");
    if (!rep.fatal.empty()) fprintf(stderr, "hvbench: stopped: %s\n", terminal_safe(rep.fatal).c_str());
    if (rep.interrupted) fprintf(stderr, "hvbench: interrupted; results so far are kept\n");
    for (const auto& e : end.file_errors) fprintf(stderr, "hvbench: cannot write %s\n", e.c_str());
    size_t crashed = 0;
    for (const auto& r : rep.results) crashed += r.status == kStatusCrashed;
    fprintf(stderr, "hvbench: %zu results from %u VM(s) in %s, %zu crashed%s; exit status %d\n", rep.results.size(),
            rep.vms, elapsed_text(double(now_ms() - run_start_) / 1000).c_str(), crashed, end.files.c_str(),
            end.exit_code);
}

// ---- results files -----------------------------------------------------------------

ResultsFiles::ResultsFiles(std::string json, std::string csv, RunInfo info, const std::vector<std::string>* pinning)
    : json_(std::move(json)), csv_(std::move(csv)), info_(std::move(info)), pinning_(pinning) {}

std::vector<BenchResult> ResultsFiles::snapshot() const {
    if (finished_runs_.empty()) return live_;
    auto all = finished_runs_;
    if (!live_.empty()) all.push_back(live_);
    return aggregate_runs(all, policy_);
}

// A run that has measured nothing leaves an existing file as it was; the
// files are rewritten at most once a second while results stream in
// (RewritePacer), and once more at the end.
void ResultsFiles::write(const std::vector<BenchResult>& results) {
    pacer_.written(now_ms());
    if (results.empty()) return;
    std::string err;
    if (uint64_t hz = host_rate_.hz()) info_.host_tsc_hz = hz;
    if (pinning_) info_.pinning = *pinning_;
    auto failed = [&] {
        if (std::find(errors_.begin(), errors_.end(), err) == errors_.end()) errors_.push_back(err);
    };
    if (!json_.empty()) {
        json_written_ = write_text_file(json_, write_results_json(ResultsDoc{info_, results}), &err);
        if (!json_written_) failed();
    }
    if (!csv_.empty()) {
        csv_written_ = write_text_file(csv_, write_results_csv(results, info_.timer_hz), &err);
        if (!csv_written_) failed();
    }
}

void ResultsFiles::on_event(const RunEvent& e) {
    switch (e.kind) {
        case RunEvent::header:
            if (finished_runs_.empty() && live_.empty() && !info_.platform) {
                // The first VM's header is the platform; a later VM's never
                // rescales results already measured (each keeps its own rate).
                const HeaderInfo& h = *e.header_info;
                policy_ = aggregate_policy(&h);
                info_.platform = h.raw;
                header_to_context(h, info_);
            }
            break;
        case RunEvent::method:
            // The first VM's header, completed: the target and the rules.
            if (finished_runs_.empty() && live_.empty()) {
                policy_ = aggregate_policy(e.header_info);
                info_.platform = e.header_info->raw;
                header_to_context(*e.header_info, info_);
            }
            break;
        case RunEvent::result:
            live_.push_back(*e.bench);
            if (pacer_.changed(now_ms())) write(snapshot());
            break;
        case RunEvent::revised:
            for (auto& l : live_)
                if (l.name == e.bench->name && l.vm == e.bench->vm) l = *e.bench;
            if (pacer_.changed(now_ms())) write(snapshot());
            break;
        case RunEvent::tick:
            if (pacer_.due(now_ms())) write(snapshot());
            break;
        default:
            break;
    }
}

// ---- log -------------------------------------------------------------------------

void LogTee::output(unsigned vm, std::string_view bytes, bool vmm) {
    if (log_) {
        if (vm != last_vm_) fprintf(log_, "\n==== hvbench: VM %u ====\n", vm);
        last_vm_ = vm;
        fwrite(bytes.data(), 1, bytes.size(), log_);
        fflush(log_);
    }
    if (verbose_) {
        std::string clean;
        for (char c : bytes)
            if (c != kMarkerStart && c != kMarkerEnd && c != '\r') clean += c;
        fprintf(stderr, "%s%s", vmm ? "[vmm] " : "", terminal_safe(clean).c_str());
    }
}

void LogTee::close() {
    if (log_) fclose(log_);
    log_ = nullptr;
}

}  // namespace hvb::tools
