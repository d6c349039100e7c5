// tools/hvbench.cpp — the hvbench host tool: `run` the suite in a VM (and
// as many fresh VMs as crashes require), `compare` results files, build a
// GRUB `image`. See docs/running.md.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tools/aggregate.h"
#include "tools/catalog.h"
#include "tools/compare.h"
#include "tools/image.h"
#include "tools/launch.h"
#include "tools/qmp.h"
#include "tools/results.h"
#include "tools/run.h"
#include "tools/safe_output.h"
#include "tools/sanitize.h"
#include "tools/timing.h"
#include "tools/xen.h"

namespace {

using namespace hvb::tools;

constexpr int kUsageError = kExitIncomplete;

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) { g_interrupted = 1; }

#define XEN_PACKAGE "xen-hypervisor-4.17-amd64"
static_assert(std::string_view(XEN_PACKAGE) == kXenPackage);
const char kUsage[] =
    "usage: hvbench run [options]          run the suite in a VM, resuming after crashes\n"
    "       hvbench compare A.json B.json ... [--baseline N.json] [--chart FILE.svg|.html]\n"
    "       hvbench image [--output FILE] [kernel options]   GRUB ISO (BIOS + UEFI) and menu entry\n"
    "       hvbench import LOG|- [--json FILE] [--csv FILE] [--label NAME]   results from a captured serial log\n"
    "       hvbench help\n"
    "\n"
    "run options:\n"
    "  --accel kvm|tcg        default: kvm when /dev/kvm is usable, else tcg\n"
    "  --cpu MODEL            default: the first of host, host,-arch-capabilities, max that QEMU accepts (tcg: max)\n"
    "  --smp N                vCPUs (default 2, or 1 on a single-CPU host; the IPI benchmarks need 2)\n"
    "  --memory SIZE          guest RAM (default 256M)\n"
    "  --boot pvh|mb1|iso-bios|iso-uefi   default pvh\n"
    "  --kernel PATH          hvbench.elf (hvbench32.elf for mb1; an .elf or .iso for iso-*); default: next to this program\n"
    "  --firmware PATH|default   -bios: pvh/mb1 default qboot (/usr/share/qemu/qboot.rom) when present, else\n"
    "                         SeaBIOS; iso-uefi default OVMF.fd from the usual places; \"default\": QEMU's own (SeaBIOS)\n"
    "  --qemu PATH            default qemu-system-x86_64\n"
    "  --vmm qemu|xen         xen: the kernel as Xen 4.17's PVH dom0, Xen nested in QEMU (TCG; --memory default 1024M,\n"
    "                         dom0 256M); Xen comes from Debian's " XEN_PACKAGE " package, fetched once\n"
    "                         into ~/.cache/hvbench/xen ($HVB_XEN_CACHE) with apt-get download, never installed\n"
    "  --guest dom0|pvh       with --vmm xen: the kernel as Xen's PVH dom0 (default), or as a PVH domU started\n"
    "                         by xl in a Linux PV dom0 (scripts/xen-dom0-image.sh builds it once into the cache)\n"
    "  --xen PATH             that Xen image instead (an ELF or its .gz, e.g. /boot/xen-4.17-amd64.gz)\n"
    "  --xen-arg WORD         an extra Xen option, e.g. dom0_mem=512M,max:512M (repeatable; later ones win)\n"
    "  --only LIST, --skip LIST   benchmarks or categories (comma-separated; repeatable)\n"
    "  --iters SPEC           N, or name:N,... (kernel iters=)\n"
    "  --reps N               repetitions (kernel reps=; default: adaptive, until the CI target is met)\n"
    "  --budget-ms N          per-benchmark time budget for repetitions, 1..600000 ms (kernel budget=)\n"
    "  --target P%            CI half-width target, e.g. 1% or 0.5% of the median (kernel target=)\n"
    "  --linearity            also time each benchmark at 10N and 100N iterations and print a linearity table\n"
    "  --runs N               run the whole suite N times, each in fresh VMs, and report per benchmark the median\n"
    "                         of the runs' medians, their range, and noisy when most runs disagree (default 1)\n"
    "  --timer rdtsc|rdtscp   the kernel's timer\n"
    "  --kernel-arg WORD      any other kernel option, e.g. apic=xapic or mem_hot.working_set=64M (repeatable)\n"
    "  --timing internal|external   external: the host also times each loop from the kernel's marker bytes\n"
    "  --pin                  each vCPU on a host CPU of its own, QEMU's other threads on the remaining CPUs\n"
    "                         (needs vCPUs + 1 host CPUs; with fewer, pins what it can and says so)\n"
    "  --pin-cpus LIST        use these host CPUs, e.g. 2,3 or 4-7 (vCPUs take the first ones)\n"
    "  --timeout SECONDS      per benchmark: no output for this long means it hung (default 300)\n"
    "  --boot-timeout SECONDS no platform header this long after start means the boot hung (default 240)\n"
    "  --json FILE, --csv FILE    results files (rewritten after every result)\n"
    "  --label NAME           the platform's name in comparisons (default: the accelerator)\n"
    "  --log FILE             everything the VMM wrote, all VMs\n"
    "  --verbose              echo the guest's console and the VMM commands\n"
    "  --quiet                no progress lines\n"
    "\n"
    "compare: --baseline FILE (default: the first file), --chart FILE.svg|FILE.html, --title TEXT\n"
    "image:   --output FILE (default build/hvbench.iso), --kernel ELF, --grub-path PATH (as GRUB sees the\n"
    "         kernel, default /boot/hvbench.elf), and --only/--skip/--iters/--reps/--budget-ms/--target/\n"
    "         --linearity/--timer/--kernel-arg\n"
    "\n"
    "exit status (run): 0 all ran; bits 1 a benchmark faulted, 2 one timed out or hung, 4 bad kernel\n"
    "options, 8 kernel fatal error, 16 boot self-check failed, 32 a benchmark crashed its VM, 64 the\n"
    "suite could not be run to its end (or bad usage).\n";

int usage_error(const std::string& msg) {
    fprintf(stderr, "hvbench: %s\n\n%s", msg.c_str(), kUsage);
    return kUsageError;
}

// Command-line reader: "--key value" and "--key=value".
class Args {
public:
    Args(int argc, char** argv, int first) {
        for (int i = first; i < argc; ++i) args_.push_back(argv[i]);
    }
    bool done() const { return pos_ >= args_.size(); }
    const std::string& peek() const { return args_[pos_]; }
    std::string next() { return args_[pos_++]; }
    // If the current argument is `key` (or key=...), consumes it and its value.
    bool option(const char* key, std::string& value, std::string& error) {
        const std::string& a = args_[pos_];
        size_t klen = strlen(key);
        if (a.compare(0, klen, key) != 0) return false;
        if (a.size() == klen) {
            if (pos_ + 1 >= args_.size()) {
                error = std::string(key) + " needs a value";
                ++pos_;
                return true;
            }
            value = args_[pos_ + 1];
            pos_ += 2;
            return true;
        }
        if (a[klen] != '=') return false;
        value = a.substr(klen + 1);
        ++pos_;
        return true;
    }
    bool flag(const char* key) {
        if (args_[pos_] != key) return false;
        ++pos_;
        return true;
    }

private:
    std::vector<std::string> args_;
    size_t pos_ = 0;
};

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t comma = s.find(',', pos);
        std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

bool parse_positive(const std::string& s, unsigned max, unsigned& out) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    unsigned long v = std::stoul(s);
    if (v == 0 || v > max) return false;
    out = unsigned(v);
    return true;
}

void add_unique(std::vector<std::string>& list, const std::string& s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

bool file_exists(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool in_path(const std::string& name) {
    const char* path = getenv("PATH");
    if (!path) return false;
    std::string p = path;
    size_t pos = 0;
    while (pos <= p.size()) {
        size_t colon = p.find(':', pos);
        std::string dir = p.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
        if (dir.empty()) dir = ".";
        if (access((dir + "/" + name).c_str(), X_OK) == 0) return true;
        if (colon == std::string::npos) break;
        pos = colon + 1;
    }
    return false;
}

struct OutputFile {
    const char* kind;
    std::string path;
    bool written;
};

// The summary's account of the results files: only what was written is
// named as written; with no results none is touched (an existing one keeps
// what it had).
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

// Every value that lands on the kernel command line (and so in a grub.cfg):
// one word of GRUB-safe characters (tools/image.h), never a second option.
bool bad_word(const char* option, const std::string& value, std::string& error) {
    if (auto why = kernel_word_problem(value)) {
        error = std::string(option) + " '" + terminal_safe(value) + "': " + *why;
        return true;
    }
    return false;
}

// Parses the kernel options common to run and image; true if `args` was one.
bool kernel_option(Args& args, RunSettings& s, std::string& error) {
    std::string v;
    if (args.option("--only", v, error)) {
        for (auto& n : split_list(v))
            if (!bad_word("--only", n, error)) s.only.push_back(n);
    } else if (args.option("--skip", v, error)) {
        for (auto& n : split_list(v))
            if (!bad_word("--skip", n, error)) s.skip.push_back(n);
    } else if (args.option("--iters", v, error)) {
        if (!bad_word("--iters", v, error)) s.kernel_args.push_back("iters=" + v);
    } else if (args.option("--reps", v, error)) {
        if (!bad_word("--reps", v, error)) s.kernel_args.push_back("reps=" + v);
    } else if (args.option("--budget-ms", v, error)) {
        unsigned ms = 0;
        if (!parse_positive(v, 600000, ms)) error = "--budget-ms needs 1..600000";
        s.kernel_args.push_back("budget=" + v);
    } else if (args.option("--target", v, error)) {
        auto t = target_option(v);
        if (!t) error = "--target needs a percentage with at most one decimal, e.g. 1% or 0.5%";
        else s.kernel_args.push_back("target=" + *t);
    } else if (args.flag("--linearity")) {
        s.kernel_args.push_back("linearity=1");
    } else if (args.option("--timer", v, error)) {
        if (v != "rdtsc" && v != "rdtscp") error = "--timer must be rdtsc or rdtscp";
        s.timer = v;
    } else if (args.option("--kernel-arg", v, error)) {
        if (bad_word("--kernel-arg", v, error)) return true;
        for (const char* key : {"only=", "skip=", "timer=", "timing="})
            if (v.rfind(key, 0) == 0)
                error = std::string("--kernel-arg ") + key + "...: use --" + std::string(key, strlen(key) - 1) +
                        " (the tool adds to it when it resumes)";
        if (v.rfind("pinned=", 0) == 0) error = "--kernel-arg pinned=...: the tool sets it (use --pin)";
        s.kernel_args.push_back(v);
    } else {
        return false;
    }
    return true;
}

// ---- run ---------------------------------------------------------------------

struct RunCli {
    std::string accel, cpu, memory = "256M", kernel, firmware, qemu = "qemu-system-x86_64";
    unsigned smp = 0;  // 0: two when the host has two CPUs to run them on, else one
    BootPath boot = BootPath::pvh;
    RunSettings settings;
    bool pin = false;
    std::vector<int> pin_cpus;
    std::string json, csv, label, log;
    bool verbose = false, quiet = false;
    unsigned runs = 1;  // --runs: whole-suite runs in fresh VMs, aggregated (tools/aggregate.h)
    bool memory_given = false;
    std::string vmm = "qemu";             // --vmm
    std::string xen_given, xen;           // --xen; the image used (tools/xen.h ensure_xen)
    std::vector<std::string> xen_args;    // --xen-arg
    std::string guest = "dom0";           // --guest
    Dom0Image dom0;                       // --guest pvh: the Linux dom0 that starts the kernel
};

// --vmm xen: Xen's image (fetched into the cache the first time), TCG, the
// memory Xen and its dom0 need, SeaBIOS, and Xen's console lines filtered
// back into the kernel's. False (after saying why) when Xen is unavailable.
bool prepare_xen(RunCli& cli) {
    if (cli.accel.empty()) cli.accel = "tcg";
    if (!cli.memory_given) cli.memory = "1024M";
    if (cli.boot != BootPath::pvh) {
        fprintf(stderr, "hvbench: --vmm xen boots the PVH kernel (hvbench.elf) as dom0: --boot must be pvh\n");
        return false;
    }
    if (cli.firmware.empty()) cli.firmware = "default";  // SeaBIOS: Xen needs its ACPI tables and E820
    std::string err;
    auto say = [&](const std::string& m) {
        if (!cli.quiet) fprintf(stderr, "hvbench: %s\n", m.c_str());
    };
    auto xen = ensure_xen(cli.xen_given, default_xen_cache(), say, &err);
    if (!xen) {
        fprintf(stderr, "hvbench: Xen unavailable: %s\n", err.c_str());
        return false;
    }
    cli.xen = *xen;
    if (cli.guest == "pvh") {
        auto dom0 = ensure_dom0_image(HVB_SOURCE_DIR "/scripts/xen-dom0-image.sh", default_xen_cache(), say, &err);
        if (!dom0) {
            fprintf(stderr, "hvbench: Xen unavailable: no dom0 image: %s\n", err.c_str());
            return false;
        }
        cli.dom0 = *dom0;
    }
    std::vector<std::string> args = default_xen_args(cli.guest == "pvh");
    args.insert(args.end(), cli.xen_args.begin(), cli.xen_args.end());
    cli.xen_args = args;
    cli.settings.console_filter = [] {
        auto filter = std::make_shared<XenLogFilter>();
        return [filter](std::string_view bytes, bool end) { return end ? filter->finish() : filter->feed(bytes); };
    };
    if (cli.label.empty()) cli.label = "xen";
    return true;
}

void print_table(const std::vector<BenchResult>& results, bool external, unsigned runs,
                 const AggregatePolicy& policy) {
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
    if (noisy && runs > 1)
        printf("noisy: fewer than a majority of the %u runs' medians lie within 2x the kernel's CI target of the "
               "median (see docs/measurement.md)\n", runs);
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
        info.tsc_hz = rep.header->tsc_hz;
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

int cmd_run(Args& args, const std::vector<std::string>& command_line) {
    int64_t tool_start_ms = now_ms();
    RunCli cli;
    std::string error, v;
    while (!args.done()) {
        if (kernel_option(args, cli.settings, error)) {
        } else if (args.option("--accel", v, error)) {
            if (v != "kvm" && v != "tcg") error = "--accel must be kvm or tcg";
            cli.accel = v;
        } else if (args.option("--cpu", v, error)) {
            cli.cpu = v;
        } else if (args.option("--smp", v, error)) {
            if (!parse_positive(v, 288, cli.smp)) error = "--smp needs 1..288";
        } else if (args.option("--memory", v, error)) {
            cli.memory = v;
            cli.memory_given = true;
        } else if (args.option("--vmm", v, error)) {
            if (v != "qemu" && v != "xen") error = "--vmm must be qemu or xen";
            cli.vmm = v;
        } else if (args.option("--guest", v, error)) {
            if (v != "dom0" && v != "pvh") error = "--guest must be dom0 or pvh";
            cli.guest = v;
        } else if (args.option("--xen", v, error)) {
            cli.xen_given = v;
        } else if (args.option("--xen-arg", v, error)) {
            if (v.empty() || v.find_first_of(" \t\n") != std::string::npos) error = "--xen-arg takes one word";
            cli.xen_args.push_back(v);
        } else if (args.option("--boot", v, error)) {
            auto b = boot_path_from_name(v);
            if (!b) error = "--boot must be pvh, mb1, iso-bios or iso-uefi";
            else cli.boot = *b;
        } else if (args.option("--kernel", v, error)) {
            cli.kernel = v;
        } else if (args.option("--firmware", v, error)) {
            cli.firmware = v;
        } else if (args.option("--qemu", v, error)) {
            cli.qemu = v;
        } else if (args.option("--timing", v, error)) {
            if (v != "internal" && v != "external") error = "--timing must be internal or external";
            cli.settings.external_timing = v == "external";
        } else if (args.option("--runs", v, error)) {
            if (!parse_positive(v, 100, cli.runs)) error = "--runs needs 1..100";
        } else if (args.flag("--pin")) {
            cli.pin = true;
        } else if (args.option("--pin-cpus", v, error)) {
            auto list = parse_cpu_list(v);
            if (!list) error = "--pin-cpus: bad CPU list '" + v + "'";
            else cli.pin_cpus = *list;
            cli.pin = true;
        } else if (args.option("--timeout", v, error)) {
            unsigned t = 0;
            if (!parse_positive(v, 86400, t)) error = "--timeout needs seconds (1..86400)";
            cli.settings.bench_timeout_ms = int(t) * 1000;
        } else if (args.option("--boot-timeout", v, error)) {
            unsigned t = 0;
            if (!parse_positive(v, 86400, t)) error = "--boot-timeout needs seconds (1..86400)";
            cli.settings.boot_timeout_ms = int(t) * 1000;
        } else if (args.option("--json", v, error)) {
            cli.json = v;
        } else if (args.option("--csv", v, error)) {
            cli.csv = v;
        } else if (args.option("--label", v, error)) {
            cli.label = v;
        } else if (args.option("--log", v, error)) {
            cli.log = v;
        } else if (args.flag("--verbose")) {
            cli.verbose = true;
        } else if (args.flag("--quiet")) {
            cli.quiet = true;
        } else {
            return usage_error("run: unknown argument '" + args.peek() + "'");
        }
        if (!error.empty()) return usage_error("run: " + error);
    }

    if (cli.vmm == "xen" && !prepare_xen(cli)) return kExitIncomplete;
    if (cli.vmm != "xen" && (!cli.xen_given.empty() || !cli.xen_args.empty() || cli.guest != "dom0"))
        return usage_error("run: --xen, --xen-arg and --guest need --vmm xen");

    // Accelerator.
    std::string why;
    bool kvm = kvm_usable(&why);
    if (cli.accel.empty()) {
        cli.accel = kvm ? "kvm" : "tcg";
        if (!kvm) fprintf(stderr, "hvbench: KVM is not usable (%s); running under TCG (software emulation)\n", why.c_str());
    } else if (cli.accel == "kvm" && !kvm) {
        fprintf(stderr, "hvbench: --accel kvm, but KVM is not usable: %s\n", why.c_str());
        return kExitIncomplete;
    }

    // Images.
    std::string dir = program_directory();
    std::string elf, iso;
    bool build_isos = false;
    if (!is_iso_boot(cli.boot)) {
        elf = !cli.kernel.empty() ? cli.kernel : dir + (cli.boot == BootPath::mb1 ? "/hvbench32.elf" : "/hvbench.elf");
        if (!file_exists(elf)) {
            fprintf(stderr, "hvbench: kernel image %s not found (build it: cmake --build build)\n", elf.c_str());
            return kExitIncomplete;
        }
    } else {
        std::string given = cli.kernel;
        bool given_iso = given.size() > 4 && given.compare(given.size() - 4, 4, ".iso") == 0;
        if (given_iso) {
            iso = given;
        } else {
            elf = !given.empty() ? given : dir + "/hvbench.elf";
            iso = dir + "/hvbench.iso";
            build_isos = in_path("grub-mkrescue") && file_exists(elf);
        }
        if (!build_isos) {
            cli.settings.can_pass_options = false;
            if (!file_exists(iso)) {
                fprintf(stderr, "hvbench: ISO %s not found\n", iso.c_str());
                return kExitIncomplete;
            }
            fprintf(stderr,
                    "hvbench: warning: %s boots %s with the command line fixed in its grub.cfg: kernel options "
                    "(--only, --skip, ..., and skip= to resume after a crash) cannot be passed%s\n",
                    boot_path_name(cli.boot), iso.c_str(),
                    given_iso ? "" : " (grub-mkrescue is not installed, so no ISO can be built per VM)");
        }
        if (cli.boot == BootPath::iso_uefi) {
            if (cli.firmware == "default") {
                fprintf(stderr, "hvbench: iso-uefi needs UEFI firmware: --firmware PATH (an OVMF.fd)\n");
                return kExitIncomplete;
            }
            if (cli.firmware.empty()) cli.firmware = find_uefi_firmware();
            if (cli.firmware.empty() || !file_exists(cli.firmware)) {
                fprintf(stderr, "hvbench: no UEFI firmware found (install ovmf, or pass --firmware)\n");
                return kExitIncomplete;
            }
        }
    }
    // vCPUs: two by default, so the IPI benchmarks (which need a second CPU)
    // run, unless the host has a single CPU to give.
    if (cli.smp == 0) cli.smp = allowed_host_cpus().size() >= 2 ? 2 : 1;

    // Firmware: the direct-kernel paths boot fastest through qboot.
    if (cli.firmware == "default") {
        cli.firmware.clear();
    } else if (cli.firmware.empty()) {
        if (!is_iso_boot(cli.boot)) cli.firmware = find_direct_boot_firmware();
    } else if (!file_exists(cli.firmware)) {
        fprintf(stderr, "hvbench: firmware %s not found\n", cli.firmware.c_str());
        return kExitIncomplete;
    }

    // Pinning, decided before launch from the host CPUs there are, so the
    // kernel's header can say what the run had (pinned=WORD).
    PinPlan pin_plan;
    pin_plan.word = "none";
    if (cli.pin) {
        std::vector<int> allowed = allowed_host_cpus();
        pin_plan = plan_pinning(cli.smp, cli.pin_cpus.empty() ? allowed : cli.pin_cpus, allowed);
        if (pin_plan.vcpu_cpus.empty()) {
            fprintf(stderr, "hvbench: --pin: %s\n", pin_plan.note.c_str());
            return kExitIncomplete;
        }
        if (!pin_plan.note.empty()) fprintf(stderr, "hvbench: note: %s\n", pin_plan.note.c_str());
    }
    cli.settings.pinned = pin_plan.word;

    // Outputs: none may be an input or another output, and each must be
    // writable -- checked before the first VM, not after an hour of measuring.
    {
        std::vector<NamedPath> inputs, outputs = {{"--json", cli.json}, {"--csv", cli.csv}, {"--log", cli.log}};
        for (const auto& [what, path] : {std::pair{"the kernel image", elf}, std::pair{"the ISO", iso},
                                         std::pair{"--firmware", cli.firmware}})
            if (!path.empty()) inputs.push_back({what, path});
        if (auto clash = check_outputs(inputs, outputs)) return usage_error("run: " + *clash);
        for (const auto& o : outputs) {
            std::string err;
            if (!o.path.empty() && !probe_writable(o.path, &err)) {
                fprintf(stderr, "hvbench: %s: cannot write %s\n", o.what.c_str(), err.c_str());
                return kExitIncomplete;
            }
        }
    }

    // What the kernel will run, read from the image: lets a resumed run name
    // what is left when there is too much to skip.
    {
        std::string image = !elf.empty() ? elf : dir + "/hvbench.elf";
        std::string err;
        auto cmdline = kernel_cmdline(cli.settings, {}, cli.settings.timer, "", &err);
        if (!cmdline) {
            fprintf(stderr, "hvbench: %s\n", err.c_str());
            return kUsageError;
        }
        if (auto table = read_benchmark_table(image, &err)) cli.settings.catalog = select_from_catalog(*table, *cmdline);
        else if (cli.verbose) fprintf(stderr, "hvbench: no benchmark list from the image (%s)\n", err.c_str());
    }

    // A scratch directory for the QMP socket and per-VM ISOs.
    std::string scratch;
    if (cli.pin || build_isos || cli.guest == "pvh") {
        char tmpl[] = "/tmp/hvbench.XXXXXX";
        if (!mkdtemp(tmpl)) {
            perror("hvbench: mkdtemp");
            return kExitIncomplete;
        }
        scratch = tmpl;
    }

    FILE* log = nullptr;
    if (!cli.log.empty()) {
        log = fopen(cli.log.c_str(), "wb");
        if (!log) {
            fprintf(stderr, "hvbench: %s: %s\n", cli.log.c_str(), strerror(errno));
            return kExitIncomplete;
        }
    }
    unsigned last_log_vm = 0;
    unsigned vm_offset = 0;  // VMs of the runs before this one (--runs): VM numbers go on counting
    cli.settings.raw_output = [&](unsigned vm_in_run, std::string_view bytes, bool vmm) {
        unsigned vm = vm_in_run + vm_offset;
        if (log) {
            if (vm != last_log_vm) fprintf(log, "\n==== hvbench: VM %u ====\n", vm);
            last_log_vm = vm;
            fwrite(bytes.data(), 1, bytes.size(), log);
            fflush(log);
        }
        if (cli.verbose) {
            std::string clean;
            for (char c : bytes)
                if (c != kMarkerStart && c != kMarkerEnd && c != '\r') clean += c;
            fprintf(stderr, "%s%s", vmm ? "[vmm] " : "", terminal_safe(clean).c_str());
        }
    };

    VmLauncher launcher;
    launcher.cpu_models = cli.cpu.empty() ? cpu_models_for(cli.accel) : std::vector<std::string>{cli.cpu};
    launcher.command = [&](const VmPlan& plan, std::string* err) -> std::optional<std::vector<std::string>> {
        VmConfig cfg;
        cfg.qemu = cli.qemu;
        cfg.accel = cli.accel;
        cfg.cpu = plan.cpu_model;
        cfg.smp = cli.smp;
        cfg.memory = cli.memory;
        cfg.boot = cli.boot;
        cfg.firmware = cli.firmware;
        cfg.cmdline = plan.cmdline;
        cfg.image = is_iso_boot(cli.boot) ? iso : elf;
        cfg.xen = cli.xen;
        for (const auto& a : cli.xen_args) cfg.xen_cmdline += (cfg.xen_cmdline.empty() ? "" : " ") + a;
        if (cli.guest == "pvh") {
            // The dom0 starts the kernel from its initrd, with this VM's options.
            std::string initrd = scratch + "/vm" + std::to_string(plan.number) + ".initrd";
            if (!write_domu_initrd(cli.dom0.initrd, elf, plan.cmdline, cli.smp, 256, initrd, err)) return std::nullopt;
            cfg.xen_modules = {multiboot_module(cli.dom0.kernel, "console=hvc0 quiet"), multiboot_module(initrd, "")};
        }
        if (build_isos && !plan.cmdline.empty()) {
            cfg.image = scratch + "/vm" + std::to_string(plan.number) + ".iso";
            if (!build_iso(elf, plan.cmdline, cfg.image, err)) return std::nullopt;
        }
        if (cli.pin) {
            cfg.qmp_socket = scratch + "/qmp.sock";
            unlink(cfg.qmp_socket.c_str());
            cfg.paused = true;
        }
        return qemu_command(cfg);
    };
    // What --pin did in the current VM: its vCPU threads and the other
    // threads already moved off their CPUs (new ones are moved as they appear).
    struct Pinned {
        Process* proc = nullptr;  // while its VM runs (not yet reaped: its pid is still its own)
        pid_t pid = -1;
        std::vector<VcpuThread> vcpus;
        std::vector<pid_t> others;
    } pinned;
    std::vector<std::string> pinning;  // for the results' context, from the first VM
    std::string pin_error;             // a sweep that failed mid-run
    if (cli.pin) {
        launcher.started = [&](Process& p, const VmPlan& plan, std::string* err) {
            QmpClient q;
            auto alive = [](void* ctx) { return static_cast<Process*>(ctx)->running(); };
            auto fail = [&](const std::string& what) {
                if (err) *err = "--pin: " + what;
                return false;
            };
            std::string e;
            if (!q.connect(scratch + "/qmp.sock", 15000, &e, alive, &p)) return fail(e);
            auto reply = q.execute("query-cpus-fast", &e);
            if (!reply) return fail(e);
            auto vcpus = parse_vcpu_threads(*reply, &e);
            if (!vcpus) return fail(e);
            auto lines = pin_vcpus(*vcpus, pin_plan.vcpu_cpus, &e);
            if (!lines) return fail(e);
            pinned = Pinned{&p, p.pid(), *vcpus, {}};
            if (!pin_plan.other_cpus.empty()) {
                auto n = pin_other_threads(p.pid(), *vcpus, pin_plan.other_cpus, &pinned.others, &e);
                if (!n) return fail(e);
                lines->push_back(std::to_string(*n) + " other QEMU thread(s) -> host CPU(s) " +
                                 cpu_list_text(pin_plan.other_cpus));
            } else {
                lines->push_back("QEMU's other threads: not pinned (no host CPU left for them)");
            }
            if (plan.number == 1) pinning = *lines;
            if (!cli.quiet && plan.number == 1)
                for (const auto& l : *lines) fprintf(stderr, "hvbench: --pin: %s\n", l.c_str());
            if (!q.execute("cont", &e)) return fail(e);
            return true;
        };
    }
    launcher.finished = [&](const VmPlan& plan) {
        pinned = Pinned{};
        if (!scratch.empty()) {
            unlink((scratch + "/vm" + std::to_string(plan.number) + ".iso").c_str());
            unlink((scratch + "/vm" + std::to_string(plan.number) + ".initrd").c_str());
            unlink((scratch + "/qmp.sock").c_str());
        }
    };

    // The results so far, rewritten to the files after every result.
    RunInfo info;
    info.label = cli.label.empty() ? cli.accel : cli.label;
    info.date = iso_date();
    info.host_name = host_name();
    info.executable = command_line.empty() ? "hvbench" : command_line[0];
    info.host_cpus = unsigned(sysconf(_SC_NPROCESSORS_ONLN));
    info.accel = cli.accel;
    info.boot = cli.vmm != "xen" ? boot_path_name(cli.boot) : cli.guest == "pvh" ? "xen-pvh-domu" : "xen-pvh-dom0";
    info.memory = cli.memory;
    info.vcpus = cli.smp;
    info.timing = cli.settings.external_timing ? "external" : "internal";
    info.command = command_line;
    info.pinned = pin_plan.word;
    info.firmware = cli.firmware.empty() ? "default" : cli.firmware;
    std::vector<std::string> pre_notes;  // the tool's own, before the run's
    if (!pin_plan.note.empty()) pre_notes.push_back(pin_plan.note);
    info.notes = pre_notes;
    // The host TSC's rate, measured over the run instead of a busy wait first.
    HostTscRate host_rate;
    std::vector<BenchResult> live;                       // the current run's results so far
    std::vector<std::vector<BenchResult>> finished_runs;  // --runs: the runs before it
    AggregatePolicy policy;                               // from the first header
    auto snapshot = [&] {
        if (finished_runs.empty()) return live;
        auto all = finished_runs;
        if (!live.empty()) all.push_back(live);
        return aggregate_runs(all, policy);
    };
    std::vector<std::string> file_errors;
    bool json_written = false, csv_written = false;
    // A run that has measured nothing leaves an existing file as it was; the
    // files are rewritten at most once a second while results stream in
    // (RewritePacer), and once more at the end.
    RewritePacer pacer(1000);
    auto write_files = [&](const std::vector<BenchResult>& results) {
        pacer.written(now_ms());
        if (results.empty()) return;
        std::string err;
        if (uint64_t hz = host_rate.hz()) info.host_tsc_hz = hz;
        info.pinning = pinning;
        if (!cli.json.empty()) {
            json_written = write_text_file(cli.json, write_results_json(ResultsDoc{info, results}), &err);
            if (!json_written) add_unique(file_errors, err);
        }
        if (!cli.csv.empty()) {
            csv_written = write_text_file(cli.csv, write_results_csv(results, info.tsc_hz), &err);
            if (!csv_written) add_unique(file_errors, err);
        }
    };

    bool tty = isatty(2);
    int64_t run_start = now_ms(), bench_start = run_start, vm_started_ms = run_start, last_sweep = 0;
    std::string current;
    size_t current_index = 0, current_total = 0;
    int64_t last_draw = 0;
    bool line_open = false;
    auto clear_line = [&] {
        if (line_open) fprintf(stderr, "\r\033[K");
        line_open = false;
    };
    auto draw = [&] {
        if (cli.quiet || !tty || current.empty()) return;
        int64_t now = now_ms();
        fprintf(stderr, "\r\033[K[%zu/%s] %s  %s  (total %s)", current_index,
                current_total ? std::to_string(current_total).c_str() : "?", terminal_safe(current).c_str(),
                elapsed_text(double(now - bench_start) / 1000).c_str(),
                elapsed_text(double(now - run_start) / 1000).c_str());
        fflush(stderr);
        line_open = true;
        last_draw = now;
    };
    auto say = [&](const std::string& text) {
        clear_line();
        fprintf(stderr, "hvbench: %s\n", terminal_safe(text).c_str());
        draw();
    };
    auto progress = [&](const RunEvent& e) {
        switch (e.kind) {
            case RunEvent::vm_start:
                vm_started_ms = now_ms();
                if (cli.verbose && e.argv) {
                    std::string cmd = shell_quoted(*e.argv);
                    say("VM " + std::to_string(e.vm + vm_offset) + " (" + std::to_string(vm_started_ms - tool_start_ms) +
                        " ms after hvbench started): " + cmd);
                } else if (!cli.quiet) {
                    say("VM " + std::to_string(e.vm + vm_offset) + ": " + cli.accel + " -cpu " + e.name + ", kernel options '" +
                        e.text + "'");
                }
                current.clear();
                break;
            case RunEvent::header: {
                const HeaderInfo& h = *e.header_info;
                if (finished_runs.empty() && live.empty() && !info.platform) {
                    // The first VM's header is the platform; a later VM's never
                    // rescales results already measured (each keeps its own tsc_hz).
                    policy = aggregate_policy(&h);
                    info.platform = h.raw;
                    info.tsc_hz = h.tsc_hz;
                    info.timer = h.timer;
                }
                if (cli.verbose) {
                    std::string kernel = h.boot_us ? " (kernel entry to header " +
                                                         std::to_string(*h.boot_us / 1000) + " ms)"
                                                   : "";
                    say("header " + std::to_string(now_ms() - vm_started_ms) + " ms after QEMU started" + kernel);
                }
                if (!h.pinned.empty() && h.pinned != pin_plan.word)
                    say("note: the kernel says pinned=" + h.pinned + ", the tool passed pinned=" + pin_plan.word);
                if (!cli.quiet) {
                    char tsc[64];
                    snprintf(tsc, sizeof tsc, "%.3f GHz (%s)", double(h.tsc_hz) / 1e9, h.tsc_source.c_str());
                    say("platform: " + h.cpu_model + " | hypervisor " + h.hypervisor + " | boot " + h.boot + " | " +
                        std::to_string(h.cpus) + " CPU(s) | TSC " + tsc + " | timer " + h.timer + " | " +
                        std::to_string(h.benchmarks) + " benchmarks");
                }
                break;
            }
            case RunEvent::begin:
                current = e.name;
                current_index = e.index;
                current_total = e.total;
                bench_start = now_ms();
                if (!cli.quiet && !tty)
                    fprintf(stderr, "[%zu/%zu] %s ...\n", e.index, e.total, terminal_safe(e.name).c_str());
                draw();
                break;
            case RunEvent::result: {
                BenchResult r = *e.bench;
                r.vm += vm_offset;
                live.push_back(r);
                if (pacer.changed(now_ms())) write_files(snapshot());
                if (!cli.quiet) {
                    clear_line();
                    double secs = r.name == current ? double(now_ms() - bench_start) / 1000 : 0;
                    fprintf(stderr, "[%zu/%s] %-24s %-11s %s%s\n", live.size(),
                            current_total ? std::to_string(current_total).c_str() : "?",
                            terminal_safe(r.name).c_str(), terminal_safe(r.status).c_str(),
                            r.ok() ? (milli_text(r.headline_milli()) + " cycles" + (r.is_noisy() ? " (noisy)" : "")).c_str()
                                   : "",
                            r.name == current ? ("  (" + elapsed_text(secs) + ")").c_str() : "");
                }
                if (r.name == current) current.clear();
                break;
            }
            case RunEvent::revised: {
                BenchResult r = *e.bench;
                r.vm += vm_offset;
                for (auto& l : live)
                    if (l.name == r.name && l.vm == r.vm) l = r;
                if (pacer.changed(now_ms())) write_files(snapshot());
                if (!cli.quiet && r.verify_agrees == false)
                    say(r.name + ": measured again after the suite, " +
                        (r.verify_median_milli ? milli_text(*r.verify_median_milli) + " cycles" : std::string("failed")) +
                        " against " + milli_text(r.headline_milli()) + ": marked noisy");
                break;
            }
            case RunEvent::note:
                if (!cli.quiet) say(e.text);
                break;
            case RunEvent::tick:
                if (now_ms() - last_draw >= 1000) draw();
                if (pacer.due(now_ms())) write_files(snapshot());
                // Threads QEMU starts later inherit their creator's CPUs (a
                // vCPU's, possibly): move them off the vCPUs' CPUs too.
                if (pinned.proc && !pin_plan.other_cpus.empty() && pin_error.empty() &&
                    now_ms() - last_sweep >= 1000 && pinned.proc->running()) {
                    last_sweep = now_ms();
                    std::string err;
                    auto n = pin_other_threads(pinned.pid, pinned.vcpus, pin_plan.other_cpus, &pinned.others, &err);
                    if (!n) {
                        pin_error = err;
                        say("error: --pin: " + err);
                    }
                }
                break;
        }
    };

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    cli.settings.interrupted = &g_interrupted;

    // --runs N: the whole suite N times over, each in fresh VMs; the results
    // files hold the aggregate of every run so far (tools/aggregate.h).
    std::vector<RunReport> reports;
    for (unsigned k = 1; k <= cli.runs; ++k) {
        if (cli.runs > 1 && !cli.quiet) say("run " + std::to_string(k) + " of " + std::to_string(cli.runs));
        live.clear();
        RunReport r = run_suite(cli.settings, launcher, progress);
        for (auto& b : r.results) b.vm += vm_offset;
        vm_offset += r.vms;
        finished_runs.push_back(r.results);
        reports.push_back(std::move(r));
        const RunReport& last = reports.back();
        if (last.interrupted || g_interrupted || !last.fatal.empty()) break;
    }
    live.clear();
    RunReport rep = cli.runs > 1 ? merge_reports(reports, aggregate_runs(finished_runs, policy)) : reports.front();
    if (reports.size() < cli.runs)
        rep.notes.push_back("--runs " + std::to_string(cli.runs) + ": stopped after run " +
                            std::to_string(reports.size()));
    clear_line();
    if (log) fclose(log);
    if (!scratch.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(scratch, ec);
    }

    fill_info(info, rep);
    info.notes.insert(info.notes.begin(), pre_notes.begin(), pre_notes.end());
    if (!pin_error.empty()) info.notes.push_back("error: --pin: " + pin_error);
    int code = info.exit_code;
    if (!pin_error.empty()) code |= kExitIncomplete;
    if (cli.settings.external_timing && rep.markers == 0)
        info.notes.push_back("--timing external: the kernel sent no timing markers (does it support timing=external?)");
    bool want_linearity = std::find(cli.settings.kernel_args.begin(), cli.settings.kernel_args.end(),
                                    "linearity=1") != cli.settings.kernel_args.end();
    std::string linearity = format_linearity(rep.results);
    if (want_linearity && linearity.empty())
        info.notes.push_back("--linearity: the kernel sent no linearity levels (does it support linearity=1?)");
    write_files(rep.results);

    printf("\n");
    print_table(rep.results, cli.settings.external_timing, unsigned(reports.size()), policy);
    if (!linearity.empty()) printf("\n%s", terminal_safe(linearity).c_str());
    fflush(stdout);  // the table before the summary on stderr, when both go to one terminal
    if (want_linearity && linearity.empty())
        fprintf(stderr, "hvbench: --linearity: the kernel sent no linearity levels (does it support linearity=1?)\n");
    if (!pin_plan.note.empty()) fprintf(stderr, "hvbench: note: %s\n", pin_plan.note.c_str());
    if (!pin_error.empty()) fprintf(stderr, "hvbench: error: --pin: %s\n", pin_error.c_str());
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
    if (cli.settings.external_timing && rep.markers == 0)
        fprintf(stderr, "hvbench: --timing external: the kernel sent no timing markers; only internal figures\n");
    if (!rep.fatal.empty()) fprintf(stderr, "hvbench: stopped: %s\n", terminal_safe(rep.fatal).c_str());
    if (rep.interrupted) fprintf(stderr, "hvbench: interrupted; results so far are kept\n");
    for (const auto& e : file_errors) fprintf(stderr, "hvbench: cannot write %s\n", e.c_str());
    if (!file_errors.empty()) code |= kExitIncomplete;
    std::string files = written_files_text(rep.results.empty(), {{"JSON", cli.json, json_written},
                                                                 {"CSV", cli.csv, csv_written}});
    size_t crashed = 0;
    for (const auto& r : rep.results) crashed += r.status == kStatusCrashed;
    fprintf(stderr, "hvbench: %zu results from %u VM(s) in %s, %zu crashed%s; exit status %d\n", rep.results.size(),
            rep.vms, elapsed_text(double(now_ms() - run_start) / 1000).c_str(), crashed, files.c_str(), code);
    return code;
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
    ResultsDoc doc{info, rep.results};
    // A log without results replaces nothing: an existing file keeps what it had.
    std::vector<OutputFile> files = {{"JSON", json, false}, {"CSV", csv, false}};
    if (!rep.results.empty()) {
        for (auto& f : files) {
            if (f.path.empty()) continue;
            std::string text_out = &f == &files[0] ? write_results_json(doc) : write_results_csv(rep.results, info.tsc_hz);
            if (!write_text_file(f.path, text_out, &error)) {
                fprintf(stderr, "hvbench: cannot write %s\n", error.c_str());
                return kExitIncomplete;
            }
            f.written = true;
        }
    }
    print_table(rep.results, false, 1, aggregate_policy(rep.header ? &*rep.header : nullptr));
    if (std::string lin = format_linearity(rep.results); !lin.empty()) printf("\n%s", terminal_safe(lin).c_str());
    fflush(stdout);
    for (const auto& p : rep.problems) fprintf(stderr, "hvbench: %s\n", terminal_safe(p).c_str());
    if (!rep.fatal.empty()) fprintf(stderr, "hvbench: %s\n", terminal_safe(rep.fatal).c_str());
    fprintf(stderr, "hvbench: %zu results from %s (label '%s')%s%s\n", rep.results.size(),
            terminal_safe(input).c_str(), terminal_safe(info.label).c_str(),
            rep.complete ? "" : "; the log has no end record", written_files_text(rep.results.empty(), files).c_str());
    return rep.results.empty() ? (info.exit_code | kExitIncomplete) : info.exit_code;
}

// ---- compare -------------------------------------------------------------------

int cmd_compare(Args& args) {
    std::vector<std::string> files;
    std::string baseline, chart, title = "hvbench: cycles per iteration and ratio to the baseline", error, v;
    while (!args.done()) {
        if (args.option("--baseline", v, error)) {
            baseline = v;
        } else if (args.option("--chart", v, error)) {
            chart = v;
        } else if (args.option("--title", v, error)) {
            title = v;
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
    if (files.size() < 2 && baseline.empty()) return usage_error("compare: needs at least two results files");
    if (!chart.empty()) {
        std::vector<NamedPath> inputs;
        for (const auto& f : files) inputs.push_back({"input", f});
        if (auto clash = check_outputs(inputs, {{"--chart", chart}})) return usage_error("compare: " + *clash);
        if (!probe_writable(chart, &error)) {
            fprintf(stderr, "hvbench: --chart: cannot write %s\n", error.c_str());
            return kExitIncomplete;
        }
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
    return 0;
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
    if (cmd == "compare") return cmd_compare(args);
    if (cmd == "image") return cmd_image(args);
    if (cmd == "import") return cmd_import(args, command_line);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
        fputs(kUsage, stdout);
        return 0;
    }
    return usage_error("unknown command '" + cmd + "'");
}
