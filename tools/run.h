// tools/run.h — the crash-and-resume driver: runs the suite in as many VMs
// as it takes, so that a VM that dies or hangs costs one benchmark, never the
// results already measured.
//
// Each VM gets the user's options plus skip=<every benchmark already done>,
// so the kernel (which sorts by name and writes `begin` before each one)
// picks up after the last finished benchmark; no list of names is needed up
// front. A VM that exits without an `end` record, or whose output stops for
// longer than the per-benchmark timeout, is killed; the benchmark it had
// begun without a result is the culprit and is recorded `crashed` (the VM
// died, or QEMU reported it stopped the guest) or `timeout` (it hung), with
// the VMM's last lines. If the culprit crashed a VM timed with RDTSCP, it
// runs once more alone with timer=rdtsc: when it survives that, the timer was
// the killer, and the rest of the run uses rdtsc (the tool says so).
//
// run_suite goes one VM at a time in steps (run.cpp SuiteDriver): plan the
// VM's command line (tools/run_config.h kernel_cmdline), launch it, read its
// records as they arrive (tools/vm_io.h run_vm), classify how it ended,
// decide the next VM. Everything it sees goes out as
// one stream of RunEvents, which the reporters (tools/reporters.h) consume.
#pragma once

#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tools/catalog.h"
#include "tools/launch.h"
#include "tools/records.h"
#include "tools/results.h"
#include "tools/timing.h"
#include "tools/vm_io.h"

namespace hvb::tools {

// The tool's own exit-code bits, above the kernel's (kernel/../posih/cpu.h:
// 1 faulted, 2 timeout, 4 bad input, 8 fatal, 16 self-check).
inline constexpr int kExitCrashed = 32;     // a benchmark crashed its VM
inline constexpr int kExitIncomplete = 64;  // the tool could not run (all of) the suite

struct RunSettings {
    std::vector<std::string> only, skip;  // only= / skip= names or categories
    std::vector<std::string> kernel_args;  // other kernel words: iters=, reps=, apic=, name.param=...
    std::string timer;                     // "", "rdtsc" or "rdtscp"
    bool external_timing = false;          // adds timing=external
    std::string pinned;                    // adds pinned=WORD (the tool's pinning, qmp.h PinPlan); "": nothing
    int bench_timeout_ms = 300000;   // no output for this long while a benchmark runs: hung
    int boot_timeout_ms = 240000;    // no header for this long after start: hung at boot
    int vmm_error_grace_ms = 2000;   // QEMU said it stopped the guest: kill after this (or 0.1 s after its
                                     // report is complete, vmm_stop_report_complete); and how long a VMM
                                     // whose start step (VmLauncher::started) failed has to exit, if it
                                     // is refusing its -cpu model
    unsigned max_vms = 200;
    bool can_pass_options = true;    // false: a boot path with a fixed command line
    // The names the kernel selects with these options, in its order (from the
    // image, tools/catalog.h); may be empty. When skip= would need more names
    // than the kernel takes, a fresh VM gets only=<the rest of this list>.
    // Their categories name the category of a benchmark that crashed (the
    // kernel never got to say).
    std::vector<CatalogEntry> catalog;
    volatile std::sig_atomic_t* interrupted = nullptr;  // set asynchronously (SIGINT): stop
    // Turns the VM's console bytes into the kernel's (under Xen: tools/xen.h
    // XenLogFilter): called once per VM for a fresh filter, which is then
    // called with each chunk and, at the end, with end=true for what it
    // still holds. Empty: the bytes are the kernel's.
    std::function<std::function<std::string(std::string_view bytes, bool end)>()> console_filter;
    // Every byte the VMM writes, as it arrives (vmm: its stderr), e.g. for a log.
    std::function<void(unsigned vm, std::string_view bytes, bool vmm)> raw_output;
};

struct VmPlan {
    unsigned number = 0;     // 1-based, counting every VM started
    std::string cmdline;
    std::string cpu_model;   // from VmLauncher::cpu_models
};

// How VMs are started. The real one builds QEMU commands; tests use a fake.
struct VmLauncher {
    // -cpu models to try in order while the VMM refuses to start (exits
    // without a byte of guest output); the first that starts is kept.
    std::vector<std::string> cpu_models = {""};
    std::function<std::optional<std::vector<std::string>>(const VmPlan&, std::string* error)> command;
    // Called right after the VMM started (pin vCPUs, "cont" a paused VM).
    // false with *error abandons the run.
    std::function<bool(Process&, const VmPlan&, std::string* error)> started;
    std::function<void(const VmPlan&)> finished;  // clean up after a VM
    AddressLayout layout = AddressLayout::randomized;  // the VMM process's (tools/launch.h)
};

struct RunEvent {
    // tick: the VM is running and nothing new arrived (about twice a second).
    // revised: a result already reported changed (its verify record came).
    // method: the header's measurement fields arrived (kernels since
    // 2026-12-05 send them after pass 1's first benchmark); header_info is
    // the header with them.
    enum Kind { vm_start, header, begin, result, revised, note, tick, method } kind;
    std::string text;            // vm_start: the kernel command line; note: the message
    std::string name;            // begin/result: the benchmark; vm_start: the -cpu model
    size_t index = 0, total = 0;  // begin: k of N over the whole run (N = 0 when unknown)
    const BenchResult* bench = nullptr;  // result, revised
    const HeaderInfo* header_info = nullptr;
    const std::vector<std::string>* argv = nullptr;  // vm_start: the VMM's command
    unsigned vm = 0;             // the VM it happened in
};
using ProgressFn = std::function<void(const RunEvent&)>;

struct RunReport {
    std::optional<HeaderInfo> header;  // the first VM's header: the platform
    std::vector<BenchResult> results;  // in the order measured
    std::vector<std::string> notes;    // what the tool did and why (fallbacks)
    std::vector<std::string> kernel_errors, problems;
    std::string cpu_model;             // the -cpu that started
    std::string timer;                 // the timer the run ended with
    unsigned vms = 0;
    size_t total = 0;                  // benchmarks selected (first header), 0 unknown
    int kernel_exit_bits = 0;          // OR of the kernel's exit codes
    bool complete = false;             // the selection ran to its end
    bool interrupted = false;
    std::string fatal;                 // why the run stopped short
    size_t markers = 0;                // timing markers seen (external timing)
    int merged_exit_bits = 0;          // tools/aggregate.h merge_reports: the runs' own exit codes
    size_t unreadable_results = 0;     // result records that could not be read (import: left out, named in problems)
    // Every VM's yardstick records (RunLog), in order: the run's pace.
    std::vector<int64_t> yardstick_timer_milli, yardstick_empty_loop_milli;
    // Set by the caller that watched the host meanwhile (tools/host_load.h):
    // why it had no CPU for each vCPU, "" when it had or nobody watched.
    std::string overcommit;
    int exit_code() const;
    const BenchResult* find(std::string_view name) const;
};

RunReport run_suite(const RunSettings& settings, const VmLauncher& launcher, const ProgressFn& progress);

// A kernel result record as the tool's result: its numbers, the `timer` it
// was measured with, the VM it ran in, and the host's timing of its loops
// from `stream` (external timing), if any.
BenchResult result_from_record(const ResultInfo& r, const std::string& timer, unsigned vm, const SerialStream& stream);

// `v`'s strings with `sep` between them.
std::string join(const std::vector<std::string>& v, const char* sep);
// Appends `name` to `list` unless it is there already.
void add_name(std::vector<std::string>& list, const std::string& name);

}  // namespace hvb::tools
