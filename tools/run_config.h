// tools/run_config.h — the host tool's command line, read into plain
// values: the `Args` reader every command uses, the kernel options `run`
// and `image` share (kernel_option), `run`'s whole command line as a
// RunConfig (parse_run_args), and from those settings the kernel's command
// line for each VM (kernel_cmdline). Nothing here looks at the host: what the
// options leave open (accelerator, images, firmware) is filled in by
// tools/run_setup.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/launch.h"
#include "tools/run.h"
#include "tools/xen.h"

namespace hvb::tools {

// Command-line reader: "--key value" and "--key=value".
class Args {
public:
    Args(int argc, char** argv, int first);
    bool done() const { return pos_ >= args_.size(); }
    const std::string& peek() const { return args_[pos_]; }
    std::string next() { return args_[pos_++]; }
    // If the current argument is `key` (or key=...), consumes it and its value.
    bool option(const char* key, std::string& value, std::string& error);
    bool flag(const char* key);

private:
    std::vector<std::string> args_;
    size_t pos_ = 0;
};

// A percentage as the tool's options take it: "5%", "0.5%" or "5" (at most
// one decimal: the kernel and the gate keep permille), in permille; nullopt
// when malformed or above max_permille.
std::optional<uint32_t> percent_permille(std::string_view text, uint32_t max_permille);

// The kernel's target= value for `hvbench run --target`: "1%", "0.5%" or "2"
// gives "1%", "0.5%", "2%"; nullopt when malformed, zero or above 100%.
std::optional<std::string> target_option(std::string_view text);

// Parses the kernel options common to run and image; true if `args` was one
// (then *error says what was wrong with it, if anything).
bool kernel_option(Args& args, RunSettings& s, std::string& error);

// The kernel command line for one VM. `done`: benchmarks already reported
// (added to skip=, or, past the kernel's limit of names in a list, left out
// of only=<catalog>). `only_one`: run just this benchmark (a timer re-run).
// nullopt with *error when the kernel could not be told what is left.
std::optional<std::string> kernel_cmdline(const RunSettings& s, const std::vector<std::string>& done,
                                          const std::string& timer, const std::string& only_one = "",
                                          std::string* error = nullptr);

// The architecture this program runs on ("x86_64", "aarch64"): the default
// guest, which KVM can run.
inline const char* host_arch() {
#if defined(__aarch64__)
    return "aarch64";
#else
    return "x86_64";
#endif
}

// `hvbench run`'s options (docs/running.md).
struct RunConfig {
    std::string accel, cpu, memory = "256M", kernel, firmware, qemu;  // qemu: "" until the arch is known
    // --arch: the guest's architecture, "x86_64" or "aarch64"; default the host's.
    std::string arch = host_arch();
    unsigned smp = 0;  // 0: two when the host has two CPUs to run them on, else one
    BootPath boot = BootPath::pvh;
    RunSettings settings;
    bool pin = false;
    std::vector<int> pin_cpus;
    bool vmm_aslr = false;  // --vmm-aslr: the VMM keeps its randomized layout (AddressLayout)
    std::string json, csv, label, log;
    bool verbose = false, quiet = false;
    unsigned runs = 1;  // --runs: whole-suite runs in fresh VMs, aggregated (tools/aggregate.h)
    bool runs_given = false;  // --runs N (N >= 1): that many whole runs instead of launches that agree
    bool quick = false;       // --quick: one launch (no second VM to agree with, tools/agreement.h)
    bool no_reference = false;  // --no-reference: the per-host pace reference (tools/reference.h) ignored
    bool memory_given = false, boot_timeout_given = false;
    std::string vmm = "qemu";             // --vmm: qemu, xen, kvm-nested, libvirt or xl
    std::string xl = "xl";                // --xl: the xl program of --vmm xl
    std::string xen_given, xen;           // --xen; the image used (tools/xen.h ensure_xen)
    std::vector<std::string> xen_args;    // --xen-arg
    std::string guest = "dom0";           // --guest
    Dom0Image dom0;                       // the Linux that starts the kernel: Xen's dom0 (--guest pvh|hvm),
                                          // or the KVM host (--vmm kvm-nested)
    std::vector<std::string> connect;     // --connect URI (--vmm libvirt): one run per host
    bool parallel_hosts = false;          // --parallel-hosts: the hosts at once, not one after another
};

// Whether the run is the default one of launches that agree
// (tools/agreement.h): not with --quick or --runs, nor where a launch takes
// minutes (--linearity; Xen; the nested KVM host), nor with --timing
// external, whose host-timed pairs are checked against one VM's repetitions
// (a diagnostic of one VM).
bool agreeing_launches(const RunConfig& cfg);

// The rest of `hvbench run`'s command line; nullopt with *error (without
// the "run: " its usage message adds) on the first bad argument.
std::optional<RunConfig> parse_run_args(Args& args, std::string* error);

}  // namespace hvb::tools
