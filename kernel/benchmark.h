// kernel/benchmark.h — the benchmark descriptor and the one macro that
// registers it.
//
// A benchmark is one file in benchmarks/ that defines its loops and ends with
//
//     HVB_BENCHMARK(cpuid,
//         .category = "privileged",
//         .summary = "CPUID leaf 0 (always intercepted under VT-x/SVM)",
//         .benchmark = cpuid_loop,
//         .control = hvb::empty_loop,
//         .iterations = 10000, .min_iterations = 1000, .max_iterations = 1000000);
//
// The macro emits one constant-initialized descriptor (no constructor runs)
// into the `.benchmarks` section, which linker/kernel.ld keeps and brackets
// with hvb_benchmarks_start / hvb_benchmarks_end. The descriptor's symbol has
// external linkage, so two benchmarks with the same name fail to link.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/protocol.h"

namespace hvb {

// What a benchmark needs from the platform; the runner checks these before
// init and reports `unsupported` with a reason instead of running.
enum Need : uint32_t {
    kNeedNothing = 0,
    kNeedHypervisor = 1u << 0,  // the CPU says it runs under a hypervisor (posih/cpu.h)
    // Bits 1..16: feature f (0..15) as the architecture numbers them
    // (posih/cpu.h arch_feature_missing says whether this machine has it, and
    // if not, why): need_arch_feature(f), with f from the arch's header.
    kNeedArchFeature0 = 1u << 1,
};
inline constexpr unsigned kArchFeatureNeeds = 16;
constexpr uint32_t need_arch_feature(unsigned feature) { return uint32_t(kNeedArchFeature0) << feature; }

enum BenchFlag : uint32_t {
    kFlagNone = 0,
    // Not run by default: only when `only=` names it or its category.
    kFlagOptIn = kDescriptorOptIn,
    // Measured with interrupts enabled (default: disabled while timing).
    kFlagInterruptsOn = 1u << 1,
    // Always run `iterations` (unless iters= says otherwise): for benchmarks
    // whose init sizes something by the count (mem_cold's fresh pages), so
    // no calibration loop may use a different one.
    kFlagFixedIterations = 1u << 2,
};

// A tunable of a benchmark, set on the command line as name.param=value
// (e.g. mem_hot.working_set=64M; K, M and G are binary multiples there).
// `value` points at the benchmark's own variable, which holds the default.
struct BenchParam {
    const char* name;
    uint64_t* value;
    uint64_t min, max;
    const char* help;
};

// What the runner is about to do with a benchmark; valid from init on, for
// benchmarks that must size something by it (e.g. never-touched memory for
// every call of mem_cold).
struct RunPlan {
    // The count of every benchmark(n) call when the iterations are fixed
    // (kFlagFixedIterations or iters=); otherwise an upper bound (the
    // descriptor's max_iterations), as calibration tries growing counts.
    uint64_t iterations;
    bool fixed_iterations;
    uint32_t repetitions;  // at most this many timed pairs; plus one warm-up pair
    // benchmark(n) calls at most, when the iterations are fixed.
    uint64_t calls() const { return uint64_t(repetitions) + 1; }
};
const RunPlan& current_plan();

struct Benchmark {
    const char* name;
    const char* category;
    const char* summary;
    // Prepares the benchmark. Returns nullptr when ready, else the reason the
    // benchmark cannot run here (reported as `unsupported`). May be null.
    const char* (*init)();
    // Runs the operation exactly `iterations` times.
    void (*benchmark)(uint64_t iterations);
    // The same loop without the operation; its cost is subtracted.
    void (*control)(uint64_t iterations);
    void (*cleanup)();  // may be null
    // Where adaptive calibration starts (and the count with
    // kFlagFixedIterations); calibration then chooses within
    // [min_iterations, max_iterations] (docs/measurement.md).
    uint64_t iterations;
    uint64_t min_iterations;
    uint64_t max_iterations;
    uint32_t min_cpus;  // 0 or 1: any machine
    uint32_t needs;     // Need bits
    uint32_t flags;     // BenchFlag bits
    const BenchParam* params;  // may be null
    uint32_t param_count;
    // At most this many timed repetitions (0: the runner's limit), for
    // benchmarks whose every call consumes something (mem_cold).
    uint32_t max_repetitions;
};

// The layout the host tool reads an image's table by (kernel/protocol.h).
static_assert(sizeof(Benchmark) == kDescriptorSize, "descriptor size is part of the wire protocol");
static_assert(offsetof(Benchmark, name) == kDescriptorNameOffset, "descriptor layout is part of the wire protocol");
static_assert(offsetof(Benchmark, category) == kDescriptorCategoryOffset,
              "descriptor layout is part of the wire protocol");
static_assert(offsetof(Benchmark, flags) == kDescriptorFlagsOffset, "descriptor layout is part of the wire protocol");

// The usual control: the benchmark's loop with nothing in it. The empty asm
// with a memory clobber keeps the compiler from deleting or collapsing it.
inline void empty_loop(uint64_t iterations) {
    for (uint64_t i = 0; i < iterations; ++i) asm volatile("" ::: "memory");
}

}  // namespace hvb

// The extern declaration gives the const definition external linkage, so a
// duplicate benchmark name is a link error, not two silent entries.
#define HVB_BENCHMARK(ident, ...)                                                          \
    static_assert(sizeof(#ident) > 1, "a benchmark needs a name");                         \
    extern const ::hvb::Benchmark hvb_benchmark_##ident;                                   \
    [[gnu::used, gnu::retain, gnu::section(HVB_DESCRIPTOR_SECTION)]] alignas(::hvb::Benchmark) \
    constinit const ::hvb::Benchmark hvb_benchmark_##ident = {.name = #ident, __VA_ARGS__}
