// kernel/main.cpp — the boot story: from the entry stub's hand-off to the
// last result record and the exit.
#include "kernel/benchmark.h"
#include "kernel/options.h"
#include "kernel/params.h"
#include "kernel/protocol.h"
#include "kernel/record.h"
#include "kernel/runner.h"
#include "kernel/selection.h"
#include "kernel/selfcheck.h"
#include "posih/bootinfo.h"
#include "posih/console.h"
#include "posih/cpu.h"
#include "posih/interrupt.h"
#include "posih/memory.h"
#include "posih/smp.h"
#include "posih/timer.h"

// Bracket the `.benchmarks` section (linker/kernel.ld).
extern "C" const hvb::Benchmark hvb_benchmarks_start[];
extern "C" const hvb::Benchmark hvb_benchmarks_end[];

namespace hvb {
namespace {

constexpr const char kVersion[] = "0.1.0";
constexpr size_t kMaxSelected = 512;
constexpr size_t kMaxReportedErrors = 16;

constinit BootInfo boot{};
constinit Options options;
const Benchmark* selected[kMaxSelected];
OptionError option_errors[kMaxReportedErrors];
SelectionError selection_errors[kMaxReportedErrors];
ParamError param_error_list[kMaxReportedErrors];
uint32_t error_records;

void report_error(const char* message) {
    write_error(console_sink(), message);
    kprintf("error: %s\n", message);
    ++error_records;
}

void report_warning(const char* message) { kprintf("warning: %s\n", message); }

bool run_selfchecks(SelfCheck which) {
    bool ok = selfcheck_interrupts(report_error);
    ok = selfcheck_smp(report_error) && ok;
    if (which == SelfCheck::all) ok = selfcheck_mmu(report_error) && ok;
    return ok;
}

[[noreturn]] void finish(int exit_code, const uint32_t* counts) {
    EndRecord end{};
    if (counts)
        for (size_t s = 0; s < kStatusCount; ++s) end.counts[s] = counts[s];
    end.errors = error_records;
    end.exit_code = exit_code;
    write_end(console_sink(), end);
    kprintf("hvbench: done, exit code %d\n", exit_code);
    platform_exit(exit_code, options.exit == ExitMode::automatic);
}

void write_platform_header(size_t benchmarks) {
    const CpuInfo& cpu = cpu_info();
    HeaderRecord h{};
    h.cpu_vendor = cpu.vendor;
    h.cpu_model = cpu.model;
    h.cpu_family = cpu.family;
    h.cpu_model_id = cpu.model_id;
    h.cpu_stepping = cpu.stepping;
    h.hypervisor = cpu.hypervisor;
    HypervisorDetail hv = hypervisor_detail();
    h.hypervisor_version = hv.version;
    h.domain = hv.domain;
    h.quirks = hv.quirks;
    h.console = console_route();
    const TimerSource& timer = timer_selected();
    h.timer_hz = timer.hz;
    h.timer_unit = timer.unit;
    h.rate_source = timer.hz_source;
    h.invariant_counter = timer.invariant;
    h.cpus = cpu_count();
    h.intc = interrupt_controller_mode();
    h.memory_bytes = boot.usable_bytes();
    h.boot = boot.protocol ? boot.protocol : "unknown";
    h.loader = boot.loader_name;
    h.cmdline = boot.cmdline;
    h.timer = timer.name;
    h.timing = options.external_timing ? "external" : "internal";
    h.default_reps = options.reps;
    h.benchmarks = uint32_t(benchmarks);
    describe_method(options, h);
    write_header(console_sink(), h);
}

// The same, for a reader of the console: after the suite's table, so that the
// first measurement comes within milliseconds of entry (each byte of
// console output is an I/O exit under a hypervisor).
void print_platform(size_t benchmarks) {
    const CpuInfo& cpu = cpu_info();

    kprintf("cpu        %s (%s, family %u model %u stepping %u)\n", cpu.model[0] ? cpu.model : "?", cpu.vendor,
            cpu.family, cpu.model_id, cpu.stepping);
    HypervisorDetail hv = hypervisor_detail();
    kprintf("hypervisor %s%s%s%s%s\n", cpu.hypervisor, hv.version[0] ? " " : "", hv.version, hv.domain[0] ? " " : "",
            hv.domain);
    if (hv.quirks[0]) kprintf("quirks     %s\n", hv.quirks);
    kprintf("console    %s\n", console_route());
    const TimerSource& timer = timer_selected();
    if (timer.hz)
        kprintf("counter    %lu Hz (%s)%s\n", timer.hz, timer.hz_source, timer.invariant ? ", invariant" : "");
    else
        kprintf("counter    rate unknown%s\n", timer.invariant ? ", invariant" : "");
    kprintf("cpus       %u online (%s), %s\n", cpu_count(), cpu_count_source(), interrupt_controller_mode());
    kprintf("memory     %lu MiB usable\n", boot.usable_bytes() >> 20);
    kprintf("boot       %s%s%s\n", boot.protocol ? boot.protocol : "unknown", boot.loader_name[0] ? " via " : "",
            boot.loader_name);
    kprintf("cmdline    %s\n", boot.cmdline);
    HeaderRecord h{};
    describe_method(options, h);
    char cost[32], mad[32], read[32];
    format_milli(cost, h.timer_milli);
    format_milli(mad, h.timer_mad_milli);
    format_milli(read, h.counter_read_milli);
    kprintf("timer      %s: a timed call costs %s %s (MAD %s), one counter read %s%s\n",
            timer.name, cost, timer.unit, mad, read,
            h.counter_intercepted ? " (intercepted by the hypervisor)" : "");
    char reps_text[48];
    if (options.reps)
        snformat(reps_text, sizeof reps_text, "%u repetitions", options.reps);
    else
        snformat(reps_text, sizeof reps_text, "repetitions until +-%u.%u%% or %u ms", options.target_permille / 10,
                 options.target_permille % 10, options.budget_ms);
    kprintf("method     %s iterations (loops >= %lu %s), %s, %u round-robin passes, pinned: %s%s\n",
            h.iterations_adaptive ? "adaptive" : "fixed", h.loop_target_cycles, timer.unit, reps_text, h.passes, options.pinned,
            options.linearity ? ", linearity" : "");
    kprintf("benchmarks %lu\n", uint64_t(benchmarks));
}

// timer=: the arch's source of that name, if this machine can read it
// (else the default, source 0). Returns the errors reported.
size_t choose_timer() {
    if (!options.timer[0]) return 0;
    size_t source = timer_source_find(options.timer);
    if (source == timer_source_count()) {
        const char* names[8];
        size_t n = 0;
        for (; n < timer_source_count() && n < 8; ++n) names[n] = timer_source(n).name;
        OptionError e;
        unknown_word_message(e, "timer", options.timer, names, n);
        report_error(e.message);
        return 1;
    }
    if (!timer_select(source)) {
        char line[160];
        snformat(line, sizeof line, "timer=%s: %s; using %s", options.timer, timer_source(source).unavailable,
                 timer_source(0).name);
        report_error(line);
        return 1;
    }
    return 0;
}

}  // namespace
}  // namespace hvb

// posih keeps the command line in a buffer of this size; the host tool
// refuses a longer one by the protocol's figure.
static_assert(hvb::BootInfo::kCmdlineMax == hvb::kCmdlineMax, "the command-line limit is part of the wire protocol");

// The arch's entry code comes here with what its loader handed over
// (posih/bootinfo.h boot_info_parse).
extern "C" [[noreturn]] void hvb_kmain(uint64_t handoff0, uint64_t handoff1) {
    using namespace hvb;

    // Know whether we run under a hypervisor before choosing console outputs.
    const CpuInfo& cpu = cpu_info();
    console_init(cpu.hypervisor_present);
    kprintf("\nhvbench %s\n", kVersion);

    // From here on a CPU exception is caught (inside a benchmark) or
    // reported; any legacy interrupt controller is silenced.
    interrupts_init();
    set_fatal_reporter(report_error, kExitFatal);

    // Normalize what the loader handed over.
    BootParseResult parsed = boot_info_parse(handoff0, handoff1, boot);
    if (!parsed.ok) {
        report_error(parsed.message);
        finish(kExitFatal, nullptr);
    }
    if (boot.region_count == 0) {
        // Xen's PVH dom0 start_info (version 0) has none: ask the hypervisor.
        char why[96];
        if (!hypervisor_memory_map(boot, why, sizeof why)) {
            report_warning("the boot loader handed over no memory map");
            report_warning(why);
        }
    }

    // Options from the kernel command line; errors are reported, never fatal.
    int exit_code = kExitOk;
    size_t errors = parse_options(boot.cmdline, options, option_errors, kMaxReportedErrors);
    for (size_t i = 0; i < errors && i < kMaxReportedErrors; ++i) report_error(option_errors[i].message);
    if (boot.cmdline_truncated) {
        // The options past the cut are lost: an error, not a quiet success.
        char line[120];
        snformat(line, sizeof line, "kernel command line longer than %lu bytes: the rest is ignored; shorten it",
                 uint64_t(BootInfo::kCmdlineMax - 1));
        report_error(line);
        ++errors;
    }
    errors += choose_timer();

    // The local interrupt controller, in the mode asked for.
    char why[120];
    bool intc_ok = interrupt_controller_init(options.intc, why, sizeof why);
    if (why[0]) {
        char line[180];
        snformat(line, sizeof line, "%s=%s: %s", options.intc_key, options.intc, why);
        if (intc_ok) {
            report_warning(line);
        } else {
            report_error(line);
            ++errors;
        }
    }

    // Memory: the normalized map, the page allocator, RAM above 4 GiB mapped.
    if (!early_mem_init(boot, report_error)) finish(kExitFatal, nullptr);

    // The firmware's tables (the CPUs), the timer's rate, then the other
    // processors.
    platform_init(boot, report_warning);
    smp_init(report_warning);

    // The benchmark table, sorted and filtered.
    size_t table_size = size_t(hvb_benchmarks_end - hvb_benchmarks_start);
    size_t selection_error_count = 0;
    size_t count = select_benchmarks(hvb_benchmarks_start, table_size, options, selected, kMaxSelected,
                                     selection_errors, kMaxReportedErrors, &selection_error_count);
    for (size_t i = 0; i < selection_error_count && i < kMaxReportedErrors; ++i)
        report_error(selection_errors[i].message);
    size_t param_errors = apply_params(hvb_benchmarks_start, table_size, options, param_error_list, kMaxReportedErrors);
    for (size_t i = 0; i < param_errors && i < kMaxReportedErrors; ++i) report_error(param_error_list[i].message);
    errors += param_errors;
    if (errors || selection_error_count) exit_code |= kExitBadInput;

    // Measure, streaming one record per benchmark.
    measurement_init(options);
    write_platform_header(count);
    RunTotals totals = run_benchmarks(selected, count, options, console_sink());
    print_platform(count);
    // Prove the platform layer the measurements relied on. After the suite,
    // so that the first measurement comes within milliseconds of entry; a
    // failure still shows in the exit status and an error record.
    if (options.selfcheck != SelfCheck::none && !run_selfchecks(options.selfcheck)) exit_code |= kExitSelfCheck;
    if (totals.counts[size_t(Status::faulted)]) exit_code |= kExitFaulted;
    if (totals.counts[size_t(Status::timeout)]) exit_code |= kExitTimeout;
    finish(exit_code, totals.counts);
}
