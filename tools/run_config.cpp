// tools/run_config.cpp — the command line into plain values (see run_config.h).
#include "tools/run_config.h"

#include <algorithm>
#include <cstring>

#include "kernel/options.h"
#include "kernel/protocol.h"
#include "tools/image.h"
#include "tools/qmp.h"
#include "tools/sanitize.h"

namespace hvb::tools {
namespace {

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

// Every value that lands on the kernel command line (and so in a grub.cfg):
// one word of GRUB-safe characters (tools/image.h), never a second option.
bool bad_word(const char* option, const std::string& value, std::string& error) {
    if (auto why = kernel_word_problem(value)) {
        error = std::string(option) + " '" + terminal_safe(value) + "': " + *why;
        return true;
    }
    return false;
}

// The VM: accelerator, CPU, memory, VMM, boot path and the files it boots.
bool machine_option(Args& args, RunConfig& cfg, std::string& error) {
    std::string v;
    if (args.option("--accel", v, error)) {
        if (v != "kvm" && v != "tcg") error = "--accel must be kvm or tcg";
        cfg.accel = v;
    } else if (args.option("--cpu", v, error)) {
        cfg.cpu = v;
    } else if (args.option("--smp", v, error)) {
        if (!parse_positive(v, 288, cfg.smp)) error = "--smp needs 1..288";
    } else if (args.option("--memory", v, error)) {
        cfg.memory = v;
        cfg.memory_given = true;
    } else if (args.option("--vmm", v, error)) {
        if (v != "qemu" && v != "xen" && v != "kvm-nested" && v != "libvirt" && v != "xl")
            error = "--vmm must be qemu, xen, kvm-nested, libvirt or xl";
        cfg.vmm = v;
    } else if (args.option("--connect", v, error)) {
        cfg.connect.push_back(v);
    } else if (args.flag("--parallel-hosts")) {
        cfg.parallel_hosts = true;
    } else if (args.option("--guest", v, error)) {
        if (v != "dom0" && v != "pvh" && v != "hvm") error = "--guest must be dom0, pvh or hvm";
        cfg.guest = v;
    } else if (args.option("--xen", v, error)) {
        cfg.xen_given = v;
    } else if (args.option("--xen-arg", v, error)) {
        if (v.empty() || v.find_first_of(" \t\n") != std::string::npos) error = "--xen-arg takes one word";
        cfg.xen_args.push_back(v);
    } else if (args.option("--boot", v, error)) {
        auto b = boot_path_from_name(v);
        if (!b) error = "--boot must be pvh, mb1, iso-bios or iso-uefi";
        else cfg.boot = *b;
    } else if (args.option("--kernel", v, error)) {
        cfg.kernel = v;
    } else if (args.option("--firmware", v, error)) {
        cfg.firmware = v;
    } else if (args.option("--qemu", v, error)) {
        cfg.qemu = v;
    } else if (args.option("--xl", v, error)) {
        cfg.xl = v;
    } else if (args.option("--arch", v, error)) {
        if (v != "x86_64" && v != "aarch64") error = "--arch must be x86_64 or aarch64";
        cfg.arch = v;
    } else {
        return false;
    }
    return true;
}

// The run: timing, repeats, pinning, time limits, outputs, verbosity.
bool run_option(Args& args, RunConfig& cfg, std::string& error) {
    std::string v;
    unsigned t = 0;
    if (args.option("--timing", v, error)) {
        if (v != "internal" && v != "external") error = "--timing must be internal or external";
        cfg.settings.external_timing = v == "external";
    } else if (args.option("--runs", v, error)) {
        if (!parse_positive(v, 100, cfg.runs)) error = "--runs needs 1..100";
        cfg.runs_given = true;
    } else if (args.flag("--quick")) {
        cfg.quick = true;
    } else if (args.flag("--no-reference")) {
        cfg.no_reference = true;
    } else if (args.flag("--pin")) {
        cfg.pin = true;
    } else if (args.flag("--vmm-aslr")) {
        cfg.vmm_aslr = true;
    } else if (args.option("--pin-cpus", v, error)) {
        auto list = parse_cpu_list(v);
        if (!list) error = "--pin-cpus: bad CPU list '" + v + "'";
        else cfg.pin_cpus = *list;
        cfg.pin = true;
    } else if (args.option("--timeout", v, error)) {
        if (!parse_positive(v, 86400, t)) error = "--timeout needs seconds (1..86400)";
        cfg.settings.bench_timeout_ms = int(t) * 1000;
    } else if (args.option("--boot-timeout", v, error)) {
        if (!parse_positive(v, 86400, t)) error = "--boot-timeout needs seconds (1..86400)";
        cfg.settings.boot_timeout_ms = int(t) * 1000;
        cfg.boot_timeout_given = true;
    } else if (args.option("--json", v, error)) {
        cfg.json = v;
    } else if (args.option("--csv", v, error)) {
        cfg.csv = v;
    } else if (args.option("--label", v, error)) {
        cfg.label = v;
    } else if (args.option("--log", v, error)) {
        cfg.log = v;
    } else if (args.flag("--verbose")) {
        cfg.verbose = true;
    } else if (args.flag("--quiet")) {
        cfg.quiet = true;
    } else {
        return false;
    }
    return true;
}

}  // namespace

bool agreeing_launches(const RunConfig& cfg) {
    const auto& k = cfg.settings.kernel_args;
    return !cfg.quick && !cfg.runs_given && cfg.vmm != "xen" && cfg.vmm != "kvm-nested" &&
           !cfg.settings.external_timing && std::find(k.begin(), k.end(), "linearity=1") == k.end();
}

Args::Args(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) args_.push_back(argv[i]);
}

std::optional<uint32_t> percent_permille(std::string_view text, uint32_t max_permille) {
    std::string v(text);
    if (!v.empty() && v.back() == '%') v.pop_back();
    size_t dot = v.find('.');
    std::string whole = v.substr(0, dot), frac = dot == std::string::npos ? "" : v.substr(dot + 1);
    if (whole.empty() || whole.size() > 6 || whole.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    if (dot != std::string::npos && (frac.size() != 1 || frac[0] < '0' || frac[0] > '9')) return std::nullopt;
    uint64_t permille = std::stoull(whole) * 10 + (frac.empty() ? 0 : unsigned(frac[0] - '0'));
    if (permille > max_permille) return std::nullopt;
    return uint32_t(permille);
}

std::optional<std::string> target_option(std::string_view text) {
    auto permille = percent_permille(text, 1000);
    if (!permille || *permille == 0) return std::nullopt;
    std::string v(text);
    if (v.back() != '%') v += '%';
    return v;
}

bool Args::option(const char* key, std::string& value, std::string& error) {
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

bool Args::flag(const char* key) {
    if (args_[pos_] != key) return false;
    ++pos_;
    return true;
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

std::optional<RunConfig> parse_run_args(Args& args, std::string* error) {
    RunConfig cfg;
    std::string err;
    while (!args.done()) {
        if (!kernel_option(args, cfg.settings, err) && !machine_option(args, cfg, err) && !run_option(args, cfg, err))
            err = "unknown argument '" + args.peek() + "'";
        if (!err.empty()) {
            if (error) *error = err;
            return std::nullopt;
        }
    }
    if (cfg.qemu.empty()) cfg.qemu = cfg.arch == "aarch64" ? "qemu-system-aarch64" : "qemu-system-x86_64";
    if (!cfg.connect.empty() && cfg.vmm != "libvirt") err = "--connect needs --vmm libvirt";
    else if (cfg.parallel_hosts && cfg.connect.size() < 2) err = "--parallel-hosts needs two or more --connect";
    else if (cfg.vmm == "libvirt" && cfg.boot != BootPath::pvh) err = "--vmm libvirt boots hvbench.elf: --boot must be pvh";
    else if (cfg.vmm == "xl" && cfg.boot != BootPath::pvh) err = "--vmm xl starts hvbench.elf as a PVH domU: --boot must be pvh";
    else if (cfg.vmm == "xl" && (cfg.pin || cfg.arch != host_arch()))
        err = "--vmm xl: no --pin (Xen places the vCPUs: xl vcpu-pin) and no --arch other than this host's";
    else if (cfg.vmm == "libvirt" && cfg.pin && cfg.connect.size() > 1)
        err = "--pin with several --connect: each host has its own CPUs (run the hosts one at a time)";
    if (!err.empty()) {
        if (error) *error = err;
        return std::nullopt;
    }
    return cfg;
}

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

}  // namespace hvb::tools
