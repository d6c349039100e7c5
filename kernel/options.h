// kernel/options.h — the kernel command line (DESIGN.md "Kernel command line").
//
//   only=a,b        run only these benchmarks or categories (also opt-in ones)
//   skip=a,b        do not run these benchmarks or categories
//   iters=N         fixed iteration count for every benchmark (default:
//                   adaptive, within each benchmark's range)
//   iters=a:N,b:M   per-benchmark counts (may be combined with a bare N in
//                   the same list: iters=1000,cpuid:50)
//   reps=N          fixed repetitions of {control, benchmark}, 1..kMaxReps
//                   (default: adaptive, until the target or the budget)
//   timer=rdtscp|rdtsc
//   exit=auto|halt
//   selfcheck=none|smp|all  boot self-checks: smp (default) proves every AP
//                   answers an on_cpu round trip; all adds the MMU check
//                   (map, touch, unmap and verify 64 MiB with 4 KiB and
//                   with 2 MiB pages)
//   name.param=V    a benchmark parameter, e.g. mem_hot.working_set=64M;
//                   V is decimal with an optional K, M or G suffix (powers
//                   of 1024, as parameters are mostly sizes)
//   timing=internal|external  external: also send a marker byte on COM1
//                   right before (0x02) and after (0x03) each timed loop of
//                   the repetitions (not calibration, linearity levels past
//                   N, or the verify pass), for a host to timestamp
//                   (HyperBench section 5.2)
//   apic=auto|xapic|x2apic  local APIC mode: auto takes x2APIC when the CPU
//                   has it; xapic keeps the MMIO interface (what
//                   mmio_read_lapic measures)
//   budget=MS       time budget per benchmark for adaptive repetitions
//                   (docs/measurement.md), 1..600000; default 60
//   loop_us=N       adaptive iterations make one timed loop last at least
//                   N microseconds (besides the timer-cost rule); 1..1000000,
//                   default 1000
//   target=P%       confidence-interval target: the median's 95% interval
//                   within P% of it (or 1 cycle, whichever is larger);
//                   0.1%..100%, default 1%
//   linearity=1|0   measure each benchmark at N, 10N and 100N iterations
//                   (HyperBench section 6.2) and report the ratios
//   verify=1|0      after the suite, measure every result that met its
//                   target once more and mark it noisy if it moved (default 1)
//   pinned=WORD     how the launcher pinned the vCPUs (none, vcpus, full...);
//                   only echoed in the header
//
// Words are separated by spaces or tabs. A first word with no '=' that
// contains a '/' is the image path some loaders prepend, and is ignored.
// Any other word is an error: unknown key, missing '=', empty or malformed
// value, number out of range. Errors never stop parsing; every valid option
// still takes effect.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "posih/timer.h"

namespace hvb {

// A non-owning slice of the command line.
struct Str {
    const char* ptr;
    size_t len;
    bool equals(const char* s) const;  // exact, case-sensitive
};

enum class ExitMode : uint8_t { automatic, halt };
enum class SelfCheck : uint8_t { none, smp, all };
enum class ApicChoice : uint8_t { automatic, xapic, x2apic };
const char* timer_mode_name(TimerMode m);  // "rdtsc" / "rdtscp"
const char* exit_mode_name(ExitMode m);    // "auto" / "halt"

struct Options {
    static constexpr size_t kMaxNames = 32;
    static constexpr uint32_t kMaxReps = 1000;
    static constexpr uint64_t kMaxIters = 1000000000000ULL;  // 1e12
    static constexpr uint32_t kMaxBudgetMs = 600000;
    static constexpr uint32_t kDefaultBudgetMs = 60;
    static constexpr uint32_t kMaxLoopUs = 1000000;
    static constexpr uint32_t kDefaultMinLoopUs = 1000;
    static constexpr uint32_t kDefaultTargetPermille = 10;  // 1%
    static constexpr size_t kMaxToken = 31;

    Str only[kMaxNames] = {};
    size_t only_count = 0;
    Str skip[kMaxNames] = {};
    size_t skip_count = 0;

    uint64_t iters_all = 0;  // 0: each benchmark's default
    struct IterOverride {
        Str name;
        uint64_t iters;
    };
    IterOverride iters[kMaxNames] = {};
    size_t iters_count = 0;

    // name.param=value: a benchmark's parameter (checked against the table
    // by apply_params, kernel/params.h).
    struct ParamOverride {
        Str bench;
        Str param;
        uint64_t value;
        Str text;  // the whole word, for messages
    };
    ParamOverride params[kMaxNames] = {};
    size_t params_count = 0;

    uint32_t reps = 0;  // 0: adaptive
    TimerMode timer = TimerMode::rdtsc;
    bool timer_given = false;
    ExitMode exit = ExitMode::automatic;
    SelfCheck selfcheck = SelfCheck::smp;
    ApicChoice apic = ApicChoice::automatic;
    bool external_timing = false;
    uint32_t budget_ms = kDefaultBudgetMs;
    uint32_t min_loop_us = kDefaultMinLoopUs;
    uint32_t target_permille = kDefaultTargetPermille;
    bool linearity = false;
    bool verify = true;
    char pinned[kMaxToken + 1] = "unknown";

    // Per-benchmark iteration count: the matching iters=name:N, else
    // iters_all, else `fallback`.
    uint64_t iterations_for(const char* name, uint64_t fallback) const;
};

struct OptionError {
    char message[160];
};

// Parses `cmdline` (which must outlive `out`: the Str fields point into it).
// Writes up to max_errors messages and returns the total number of errors
// found (which may exceed max_errors).
size_t parse_options(const char* cmdline, Options& out, OptionError* errors, size_t max_errors);

}  // namespace hvb
