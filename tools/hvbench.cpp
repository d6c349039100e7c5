// tools/hvbench.cpp — the hvbench host tool: `run` the suite in a VM (and
// as many fresh VMs as crashes require), `compare` results files, build a
// GRUB `image`. See docs/running.md.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "tools/aggregate.h"
#include "tools/agreement.h"
#include "tools/catalog.h"
#include "tools/compare.h"
#include "tools/gate.h"
#include "tools/host_load.h"
#include "tools/image.h"
#include "tools/launch.h"
#include "tools/libvirt_host.h"
#include "tools/log_import.h"
#include "tools/pinning.h"
#include "tools/qmp.h"
#include "tools/reference.h"
#include "tools/reporters.h"
#include "tools/results.h"
#include "tools/run.h"
#include "tools/run_config.h"
#include "tools/run_context.h"
#include "tools/run_hosts.h"
#include "tools/run_setup.h"
#include "tools/safe_output.h"
#include "tools/sanitize.h"
#include "tools/timing.h"
#include "tools/usage.h"
#include "tools/xen.h"

namespace {

using namespace hvb::tools;

constexpr int kUsageError = kExitIncomplete;

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) { g_interrupted = 1; }

int usage_error(const std::string& msg) {
    fprintf(stderr, "hvbench: %s\n\n%s", msg.c_str(), kUsage);
    return kUsageError;
}

// ---- run ---------------------------------------------------------------------

// `hvbench run` once its configuration is complete: the driver's events
// (tools/run.h) to the reporters (tools/reporters.h), --runs times over,
// then the table and the account.
class RunCommand {
public:
    RunCommand(RunConfig& cfg, RunSetup& setup, FILE* log, const std::vector<std::string>& command_line,
               int64_t tool_start_ms)
        : cfg_(cfg),
          setup_(setup),
          pinning_(cfg.pin && !setup.libvirt  // libvirt pins through the domain XML
                       ? std::optional<VmPinning>(std::in_place, setup.pin_plan, setup.scratch + "/qmp.sock", cfg.quiet)
                       : std::nullopt),
          log_(log, cfg.verbose),
          files_(cfg.json, cfg.csv, run_context(cfg, setup, command_line), pinning_lines()),
          console_({cfg.quiet, cfg.verbose, cfg.accel, setup.pin_plan.word, tool_start_ms}) {}

    int run() {
        cfg_.settings.raw_output = [this](unsigned vm_in_run, std::string_view bytes, bool vmm) {
            log_.output(vm_in_run + vm_offset_, bytes, vmm);
        };
        VmLauncher launcher = run_launcher(cfg_, setup_, pinning_ ? &*pinning_ : nullptr);
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, nullptr);
        sigaction(SIGTERM, &sa, nullptr);
        sigaction(SIGHUP, &sa, nullptr);
        cfg_.settings.interrupted = &g_interrupted;
        return finish(run_all(launcher));
    }

private:
    const std::vector<std::string>* pinning_lines() const { return pinning_ ? &pinning_->lines() : nullptr; }

    // One event to every reporter, its VM counted across --runs.
    void on_event(const RunEvent& in) {
        RunEvent e = in;
        e.vm += vm_offset_;
        BenchResult shifted;
        if (in.bench) {
            shifted = *in.bench;
            shifted.vm += vm_offset_;
            e.bench = &shifted;
        }
        for (RunReporter* r : reporters_) r->on_event(e);
        if (e.kind == RunEvent::tick && pinning_)
            if (auto err = pinning_->sweep(now_ms())) console_.say("error: --pin: " + *err);
    }

    // One whole run (one launch) in fresh VMs with these settings.
    RunReport one_run(const RunSettings& settings, const VmLauncher& launcher) {
        files_.start_run();
        console_.start_run();
        std::optional<HostCpuSample> before = sample_host_cpu();
        RunReport r = run_suite(settings, launcher, [this](const RunEvent& e) { on_event(e); });
        watch_overcommit(r, before);
        for (auto& b : r.results) b.vm += vm_offset_;
        vm_offset_ += r.vms;
        files_.end_run(r.results);
        reports_.push_back(r);
        return r;
    }

    void watch_overcommit(RunReport& r, const std::optional<HostCpuSample>& before) {  // tools/host_load.h
        if (!before || !r.header || cfg_.vmm != "qemu") return;  // libvirt's QEMU is not our child
        r.overcommit = overcommit_since(*before, r.header->cpus);
        size_t flagged = flag_overcommitted(r.results, r.overcommit);
        if (!flagged) return;
        r.notes.push_back(r.overcommit + ": " + std::to_string(flagged) + " result(s) that wait for another vCPU flagged");
        if (!cfg_.quiet) console_.say(r.notes.back());
    }

    // The default: launches of fresh VMs until they agree (tools/agreement.h).
    RunReport run_agreeing(const VmLauncher& launcher) {
        AgreedRun a = run_launches(cfg_.settings, [this] { return files_.policy(); },
                                   [&](const RunSettings& s, size_t k, double* seconds) {
                                       if (k > 1 && !cfg_.quiet)
                                           console_.say("launch " + std::to_string(k) + ": " +
                                                        (s.only.empty() ? std::string("the suite again, fresh VMs")
                                                                        : join(s.only, ",")));
                                       int64_t start = now_ms();
                                       RunReport r = one_run(s, launcher);
                                       *seconds = double(now_ms() - start) / 1000.0;
                                       return r;
                                   });
        files_.start_run();
        RunReport rep = merge_reports(reports_, a.agreement.results);
        rep.notes.insert(rep.notes.end(), a.agreement.notes.begin(), a.agreement.notes.end());
        if (!cfg_.no_reference && rep.header) check_reference(rep, a.paces);
        return rep;
    }

    // The per-host pace reference (tools/reference.h): a run slow in every
    // launch is flagged; a faster one lowers the reference.
    void check_reference(RunReport& rep, const std::vector<LaunchPace>& paces) {
        std::string path = reference_path(cfg_.arch, cfg_.accel), error;
        std::optional<PaceReference> ref = read_reference(path, &error);
        PaceReference here{host_name(), cfg_.accel, rep.header->cpu_model, 0, 0, iso_date(),
                           "hvbench run, kernel options '" + rep.header->cmdline + "'"};
        ReferenceVerdict v = judge_reference(ref, path, paces, here);
        if (!v.slow_cause.empty()) flag_established(rep.results, v.slow_cause);
        if (v.updated && !write_reference(path, *v.updated, &error)) v.notes.push_back("pace reference: " + error);
        for (const auto& n : v.notes) {
            rep.notes.push_back(n);
            if (!cfg_.quiet) console_.say(n);
        }
    }

    // --runs N: the whole suite N times over, each in fresh VMs; the results
    // files hold the aggregate of every run so far (tools/aggregate.h).
    RunReport run_all(const VmLauncher& launcher) {
        if (agreeing_launches(cfg_)) return run_agreeing(launcher);
        std::vector<std::vector<BenchResult>> finished_runs;
        for (unsigned k = 1; k <= cfg_.runs; ++k) {
            if (cfg_.runs > 1 && !cfg_.quiet) console_.say("run " + std::to_string(k) + " of " + std::to_string(cfg_.runs));
            finished_runs.push_back(one_run(cfg_.settings, launcher).results);
            const RunReport& last = reports_.back();
            if (last.interrupted || g_interrupted || !last.fatal.empty()) break;
        }
        files_.start_run();
        RunReport rep = cfg_.runs > 1 ? merge_reports(reports_, aggregate_runs(finished_runs, files_.policy()))
                                      : reports_.front();
        if (reports_.size() < cfg_.runs)
            rep.notes.push_back("--runs " + std::to_string(cfg_.runs) + ": stopped after run " +
                                std::to_string(reports_.size()));
        return rep;
    }

    // The results' context completed, the files written a last time, the
    // table and the account printed (ConsoleReporter::print_end); the exit status.
    int finish(const RunReport& rep) {
        console_.clear_line();
        log_.close();
        remove_scratch(setup_);
        RunInfo& info = files_.info();
        fill_info(info, rep);
        RunEnd end{rep};
        end.runs = agreeing_launches(cfg_) ? 1 : unsigned(reports_.size());  // the table's interval column
        end.external = cfg_.settings.external_timing;
        end.pin_note = setup_.pin_plan.note;
        end.pin_error = pinning_ ? pinning_->error() : "";
        std::vector<std::string> own = tool_notes(setup_);
        info.notes.insert(info.notes.begin(), own.begin(), own.end());
        if (!end.pin_error.empty()) info.notes.push_back("error: --pin: " + end.pin_error);
        end.exit_code = info.exit_code;
        if (!end.pin_error.empty()) end.exit_code |= kExitIncomplete;
        if (end.external && rep.markers == 0)
            info.notes.push_back("--timing external: the kernel sent no timing markers (does it support timing=external?)");
        end.want_linearity = std::find(cfg_.settings.kernel_args.begin(), cfg_.settings.kernel_args.end(),
                                       "linearity=1") != cfg_.settings.kernel_args.end();
        end.linearity = format_linearity(rep.results);
        if (end.want_linearity && end.linearity.empty())
            info.notes.push_back("--linearity: the kernel sent no linearity levels (does it support linearity=1?)");
        files_.write(rep.results);
        end.file_errors = files_.errors();
        if (!end.file_errors.empty()) end.exit_code |= kExitIncomplete;
        end.files = written_files_text(rep.results.empty(), files_.outputs());
        console_.print_end(end, files_.policy());
        return end.exit_code;
    }

    RunConfig& cfg_;
    RunSetup& setup_;
    std::optional<VmPinning> pinning_;
    LogTee log_;
    ResultsFiles files_;
    ConsoleReporter console_;
    const std::vector<RunReporter*> reporters_{&console_, &files_};  // each event, to each in turn
    std::vector<RunReport> reports_;
    unsigned vm_offset_ = 0;  // VMs of the runs before this one (--runs): VM numbers go on counting
};

int cmd_run(Args& args, const std::vector<std::string>& command_line) {
    int64_t tool_start_ms = now_ms();
    std::string error;
    auto cfg = parse_run_args(args, &error);
    if (!cfg) return usage_error("run: " + error);
    if (cfg->connect.size() > 1) return run_hosts(*cfg, command_line);
    RunSetup setup;
    if (int code = prepare_run(*cfg, setup, HVB_SOURCE_DIR "/scripts", &error))
        return error.empty() ? code : usage_error(error);
    FILE* log = nullptr;
    if (!cfg->log.empty()) {
        log = fopen(cfg->log.c_str(), "wb");
        if (!log) {
            fprintf(stderr, "hvbench: %s: %s\n", cfg->log.c_str(), strerror(errno));
            return kExitIncomplete;
        }
    }
    return RunCommand(*cfg, setup, log, command_line, tool_start_ms).run();
}

// ---- import --------------------------------------------------------------------

int cmd_import(Args& args, const std::vector<std::string>& command_line) {
    std::string input, json, csv, label, error, v;
    while (!args.done()) {
        if (args.option("--json", v, error)) {
            json = v;
        } else if (args.option("--csv", v, error)) {
            csv = v;
        } else if (args.option("--label", v, error)) {
            label = v;
        } else if (!args.peek().empty() && args.peek()[0] == '-' && args.peek() != "-") {
            return usage_error("import: unknown option '" + args.peek() + "'");
        } else if (input.empty()) {
            input = args.next();
        } else {
            return usage_error("import: one log file at a time");
        }
        if (!error.empty()) return usage_error("import: " + error);
    }
    if (input.empty()) return usage_error("import: which log file?");
    if (auto clash = check_outputs({{"the log", input}}, {{"--json", json}, {"--csv", csv}}))
        return usage_error("import: " + *clash);
    for (const auto& [what, path] : {std::pair{"--json", json}, std::pair{"--csv", csv}})
        if (!path.empty() && !probe_writable(path, &error)) {
            fprintf(stderr, "hvbench: %s: cannot write %s\n", what, error.c_str());
            return kExitIncomplete;
        }
    // Read piece by piece: the log may be large, and is never held whole.
    FILE* in = input == "-" ? stdin : fopen(input.c_str(), "rb");
    if (!in) {
        fprintf(stderr, "hvbench: %s: %s\n", input.c_str(), strerror(errno));
        return kExitIncomplete;
    }
    RunReport rep = read_log_chunks([&](char* buf, size_t size) { return fread(buf, 1, size, in); });
    bool read_error = ferror(in) != 0;
    if (in != stdin) fclose(in);
    if (read_error) {
        fprintf(stderr, "hvbench: %s: read error\n", input.c_str());
        return kExitIncomplete;
    }
    RunInfo info;
    info.label = !label.empty() ? label : rep.header ? platform_label(*rep.header) : "imported";
    info.date = iso_date();
    info.host_name = host_name();
    info.executable = command_line.empty() ? "hvbench" : command_line[0];
    info.command = command_line;
    info.timing = "internal";
    if (rep.header) info.boot = rep.header->boot;
    fill_info(info, rep);
    info.notes.insert(info.notes.begin(), "imported from " + input);
    // The run's results files, written once; a log without results replaces
    // nothing: an existing file keeps what it had.
    ResultsFiles files(json, csv, info, nullptr);
    files.write(rep.results);
    if (!files.errors().empty()) {
        for (const auto& e : files.errors()) fprintf(stderr, "hvbench: cannot write %s\n", e.c_str());
        return kExitIncomplete;
    }
    print_table(rep.results, false, 1, aggregate_policy(rep.header ? &*rep.header : nullptr),
                rep.header ? std::string_view(rep.header->timer_unit) : std::string_view());
    if (std::string lin = format_linearity(rep.results); !lin.empty()) printf("\n%s", terminal_safe(lin).c_str());
    fflush(stdout);
    for (const auto& p : rep.problems) fprintf(stderr, "hvbench: %s\n", terminal_safe(p).c_str());
    if (!rep.fatal.empty()) fprintf(stderr, "hvbench: %s\n", terminal_safe(rep.fatal).c_str());
    fprintf(stderr, "hvbench: %zu results from %s (label '%s')%s%s\n", rep.results.size(),
            terminal_safe(input).c_str(), terminal_safe(info.label).c_str(),
            rep.complete ? "" : "; the log has no end record",
            written_files_text(rep.results.empty(), files.outputs()).c_str());
    return rep.results.empty() ? (info.exit_code | kExitIncomplete) : info.exit_code;
}

// ---- compare -------------------------------------------------------------------

int cmd_compare(Args& args) {
    std::vector<std::string> files;
    GateOptions gate;
    std::string baseline, chart, title = "hvbench: cycles per iteration and ratio to the baseline", error, v;
    while (!args.done()) {
        if (args.option("--baseline", v, error)) {
            baseline = v;
        } else if (args.option("--chart", v, error)) {
            chart = v;
        } else if (args.option("--title", v, error)) {
            title = v;
        } else if (gate_option(args, gate, error)) {
        } else if (!args.peek().empty() && args.peek()[0] == '-') {
            return usage_error("compare: unknown option '" + args.peek() + "'");
        } else {
            files.push_back(args.next());
        }
        if (!error.empty()) return usage_error("compare: " + error);
    }
    if (!baseline.empty()) {
        files.erase(std::remove(files.begin(), files.end(), baseline), files.end());
        files.insert(files.begin(), baseline);
    }
    if (files.size() < 2 && (baseline.empty() || gate.active()))
        return usage_error("compare: needs at least two results files");
    if ((!gate.junit.empty() || gate.skip_noisy) && !gate.active())
        return usage_error("compare: --junit and --skip-noisy need --fail-above or --fail-below");
    std::vector<NamedPath> inputs, outputs;
    for (const auto& f : files) inputs.push_back({"input", f});
    if (!chart.empty()) outputs.push_back({"--chart", chart});
    if (!gate.junit.empty()) outputs.push_back({"--junit", gate.junit});
    if (auto clash = check_outputs(inputs, outputs)) return usage_error("compare: " + *clash);
    for (const auto& o : outputs)
        if (!probe_writable(o.path, &error)) {
            fprintf(stderr, "hvbench: %s: cannot write %s\n", o.what.c_str(), error.c_str());
            return kExitIncomplete;
        }
    std::vector<ResultsDoc> docs;
    for (const auto& f : files) {
        auto d = load_results(f, &error);
        if (!d) {
            fprintf(stderr, "hvbench: %s\n", terminal_safe(error).c_str());
            return kExitIncomplete;
        }
        docs.push_back(std::move(*d));
    }
    Comparison c = compare_results(docs, 0);
    printf("baseline: %s (%s)\n", terminal_safe(c.labels[0]).c_str(), terminal_safe(files[0]).c_str());
    fputs(terminal_safe(format_comparison(c)).c_str(), stdout);
    if (!chart.empty()) {
        bool html = chart.size() > 5 && (chart.compare(chart.size() - 5, 5, ".html") == 0 ||
                                         chart.compare(chart.size() - 4, 4, ".htm") == 0);
        std::string text = html ? comparison_html(c, title) : comparison_svg(c, title);
        if (!write_text_file(chart, text, &error)) {
            fprintf(stderr, "hvbench: cannot write %s\n", error.c_str());
            return kExitIncomplete;
        }
        fprintf(stderr, "hvbench: chart written to %s\n", chart.c_str());
    }
    return gate.active() ? report_gate(c, gate) : 0;
}

// ---- image ---------------------------------------------------------------------

int cmd_image(Args& args) {
    RunSettings s;
    std::string output, kernel, elf_path = "/boot/hvbench.elf", error, v;
    while (!args.done()) {
        if (kernel_option(args, s, error)) {
        } else if (args.option("--output", v, error)) {
            output = v;
        } else if (args.option("--kernel", v, error)) {
            kernel = v;
        } else if (args.option("--grub-path", v, error)) {
            elf_path = v;
            if (auto why = grub_path_problem(v)) error = "--grub-path '" + terminal_safe(v) + "': " + *why;
        } else {
            return usage_error("image: unknown argument '" + args.peek() + "'");
        }
        if (!error.empty()) return usage_error("image: " + error);
    }
    std::string dir = program_directory();
    if (kernel.empty()) kernel = dir + "/hvbench.elf";
    if (output.empty()) output = dir + "/hvbench.iso";
    if (!file_exists(kernel)) {
        fprintf(stderr, "hvbench: kernel image %s not found (build it: cmake --build build)\n", kernel.c_str());
        return kExitIncomplete;
    }
    // Only an hvbench kernel goes into the image: an ELF with its table of
    // benchmarks (tools/catalog.h), not any file that happens to exist.
    if (auto table = read_benchmark_table(kernel, &error); !table || table->empty()) {
        fprintf(stderr, "hvbench: %s is not an hvbench kernel image (%s)\n", terminal_safe(kernel).c_str(),
                table ? "no benchmarks in its .benchmarks table" : terminal_safe(error).c_str());
        return kExitIncomplete;
    }
    if (auto clash = check_outputs({{"--kernel", kernel}}, {{"--output", output}})) return usage_error("image: " + *clash);
    auto cmdline = kernel_cmdline(s, {}, s.timer, "", &error);
    if (!cmdline) return usage_error("image: " + error);
    std::string options = *cmdline;
    if (!build_iso(kernel, options, output, &error)) {
        fprintf(stderr, "hvbench: %s\n", error.c_str());
        return kExitIncomplete;
    }
    printf("wrote %s: GRUB for BIOS and UEFI, serial console on COM1 (115200 8N1), kernel options '%s'\n",
           output.c_str(), options.c_str());
    printf("  boot it from a USB stick:  dd if=%s of=/dev/sdX bs=4M conv=fsync   (sdX: the whole stick)\n",
           output.c_str());
    printf("  or in QEMU:                qemu-system-x86_64 -m 256M -serial stdio -display none -cdrom %s\n\n",
           output.c_str());
    printf("To add hvbench to the GRUB of an installed system: copy %s to %s, append this entry\n"
           "to /etc/grub.d/40_custom and run update-grub (grub2-mkconfig -o /boot/grub2/grub.cfg on Fedora).\n"
           "If /boot is a partition of its own, GRUB sees the file as %s: use --grub-path.\n\n",
           kernel.c_str(), elf_path.c_str(),
           elf_path.compare(0, 6, "/boot/") == 0 ? elf_path.substr(5).c_str() : elf_path.c_str());
    fputs(grub_menu_entry(options, elf_path).c_str(), stdout);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        fputs(kUsage, stderr);
        return kUsageError;
    }
    std::string cmd = argv[1];
    std::vector<std::string> command_line(argv, argv + argc);
    for (int i = 1; i < argc; ++i)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(kUsage, stdout);
            return 0;
        }
    Args args(argc, argv, 2);
    if (cmd == "run") return cmd_run(args, command_line);
    if (cmd == "libvirt-vm" && argc == 4) return libvirt_vm_main(argv[2], argv[3]);  // internal: libvirt_host.h
    if (cmd == "compare") return cmd_compare(args);
    if (cmd == "image") return cmd_image(args);
    if (cmd == "import") return cmd_import(args, command_line);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
        fputs(kUsage, stdout);
        return 0;
    }
    return usage_error("unknown command '" + cmd + "'");
}
