// kernel/header_fields.h — every scalar field of the platform header, defined
// once: its record (the header, or the method record sent after pass 1's
// first benchmark), its name on the wire and the name older kernels gave it,
// its key in the results JSON's context (when the context carries it), its
// type and unit. The kernel's writers (kernel/record.cpp write_header,
// write_method and kernel/record.h HeaderRecord), the tool's reader
// (tools/records.cpp into tools/records.h HeaderInfo) and the results JSON's
// context writer and reader (tools/results_json.cpp, RunInfo in
// tools/results.h) all loop over this one table (docs/architecture.md
// "Result records"), as kernel/record_fields.h does for a result's fields.
// Adding a header field is one row here plus the kernel code that sets it.
//
// Names: a field has one name on the wire; `old` is the one kernels before
// it used (accepted on read, never written): the x86 names the aarch64 port
// (issue 22) made neutral. The context keeps its own key where files already
// carry one (`ctx_key`), read under `old` too.
//
// Portable: plain macros only, for the freestanding kernel and the host tool
// alike (docs/architecture.md "Layers").
#pragma once

// HVB_HEADER_FIELDS(X) calls
//   X(member, kind, record, sent, need, wire, old, json, ctx_key, unit, kernel)
// once per field, in the order the kernel writes them:
//   member   the tool's member (tools/records.h HeaderInfo; RunInfo too for
//            a row in the context)
//   kind     text (a JSON string of at most kMaxStringField bytes), word (a
//            short word: at most kMaxPlatformWord), u32, u64, i64 (integers),
//            milli (thousandths, sent with three fractional digits), flag
//            (true | false), mode (kernel: bool, sent as "adaptive" | "fixed")
//   record   header, or method (kernels before 2026-12-05 sent these in the
//            header: the tool reads them from either)
//   sent     always; estimator (when the kernel's estimator is set)
//   need     req: a header without it is not read (the tool's member is a
//            plain value); opt: newer kernels only, or the tool can do
//            without (an optional, or "" for a string)
//   wire     the key on the wire
//   old      the key kernels before the rename wrote (empty: none)
//   json     raw: only inside the results JSON's context.platform (the
//            header as the kernel sent it); platform, timing: the context
//            carries it at ctx_key too (the tool's RunInfo has the member),
//            written after its "platform" or after its "timing" key
//   ctx_key  its context key (empty for a raw row)
//   unit     what a value counts (docs/running.md)
//   kernel   the kernel's member (kernel/record.h HeaderRecord), declared
//            from this table
#define HVB_HEADER_FIELDS(X)                                                                                          \
    /* the CPU, the hypervisor and how the kernel reaches the console */                                              \
    X(cpu_vendor, word, header, always, req, cpu_vendor, , raw, , "", cpu_vendor)                                \
    X(cpu_model, text, header, always, req, cpu_model, , raw, , "", cpu_model)                                   \
    X(cpu_family, u32, header, always, opt, cpu_family, , raw, , "", cpu_family)                                 \
    X(cpu_model_id, u32, header, always, opt, cpu_model_id, , raw, , "", cpu_model_id)                           \
    X(cpu_stepping, u32, header, always, opt, cpu_stepping, , raw, , "", cpu_stepping)                           \
    X(hypervisor, word, header, always, req, hypervisor, , raw, , "", hypervisor)                                 \
    X(hypervisor_version, word, header, always, opt, hypervisor_version, , raw, , "", hypervisor_version)         \
    X(domain, word, header, always, opt, domain, , raw, , "", domain)                                             \
    X(quirks, word, header, always, opt, quirks, , raw, , "", quirks)                                             \
    X(console, word, header, always, opt, console, , raw, , "", console)                                          \
    /* the timer's rate (counts per second: x86_64 the TSC's; aarch64 the */                                           \
    /* cycle rate it scales to, or 1e9 counting ns), its unit and how the */                                           \
    /* rate was found */                                                                                               \
    X(timer_hz, u64, header, always, req, timer_hz, tsc_hz, platform, tsc_hz, "Hz", timer_hz)                           \
    X(timer_unit, word, header, always, opt, timer_unit, , platform, timer_unit, "", timer_unit)                         \
    X(rate_source, word, header, always, req, rate_source, tsc_source, raw, , "", rate_source)                    \
    X(invariant_counter, flag, header, always, opt, invariant_counter, invariant_tsc, raw, , "", invariant_counter) \
    X(cpus, u32, header, always, req, cpus, , raw, , "CPUs", cpus)                                               \
    /* the interrupt controller's mode, the arch's word */                                                             \
    X(intc, text, header, always, req, intc, apic, raw, , "", intc)                                               \
    X(memory_bytes, u64, header, always, req, memory_bytes, , raw, , "bytes", memory_bytes)                      \
    X(boot, text, header, always, req, boot, , raw, , "", boot)                                                   \
    X(loader, text, header, always, req, loader, , raw, , "", loader)                                             \
    X(cmdline, text, header, always, req, cmdline, , raw, , "", cmdline)                                          \
    /* the run: its timer source, timing, fixed repetitions (0: adaptive), */                                          \
    /* the suite's size, kernel entry to this header */                                                                \
    X(timer, word, header, always, req, timer, , timing, timer, "", timer)                                            \
    X(timing, text, header, always, opt, timing, , raw, , "", timing)                                             \
    X(reps, u32, header, always, req, reps, , raw, , "repetitions", default_reps)                                \
    X(benchmarks, u32, header, always, req, benchmarks, , raw, , "benchmarks", benchmarks)                        \
    X(boot_us, u64, header, always, opt, boot_us, , raw, , "us", boot_us)                                         \
    /* how the headline is made, over how many round-robin passes */                                                   \
    X(estimator, text, header, estimator, opt, estimator, , raw, , "", estimator)                                 \
    X(passes, u32, header, estimator, opt, passes, , raw, , "passes", passes)                                     \
    /* the method (docs/measurement.md): one empty timed call, its MAD, two */                                         \
    /* back-to-back counter reads, whether the hypervisor traps them */                                                \
    X(timer_cycles_milli, milli, method, always, opt, timer_cycles, , raw, , "cycles", timer_milli)              \
    X(timer_mad_milli, milli, method, always, opt, timer_mad, , raw, , "cycles", timer_mad_milli)                 \
    X(counter_read_cycles_milli, milli, method, always, opt, counter_read_cycles, rdtsc_cycles, raw, , "cycles", counter_read_milli) \
    X(counter_intercepted, flag, method, always, opt, counter_intercepted, rdtsc_intercepted, raw, , "", counter_intercepted) \
    X(smi_counter, flag, method, always, opt, smi_counter, , raw, , "", smi_counter)                              \
    X(iterations_mode, mode, method, always, opt, iterations_mode, , raw, , "", iterations_adaptive)              \
    X(reps_mode, mode, method, always, opt, reps_mode, , raw, , "", reps_adaptive)                                \
    X(loop_target_cycles, u64, method, always, opt, loop_target_cycles, , raw, , "cycles", loop_target_cycles)    \
    X(speed_check, flag, method, always, opt, speed_check, , raw, , "", speed_check)                              \
    X(speed_mad_permille, i64, method, always, opt, speed_mad_permille, , raw, , "permille", speed_mad_permille)  \
    /* the targets and rules */                                                                                        \
    X(target_permille, u32, method, always, opt, target_permille, , raw, , "permille", target_permille)           \
    X(target_min_cycles_milli, milli, method, always, opt, target_min_cycles, , raw, , "cycles", target_min_milli) \
    X(confidence_percent, u32, method, always, opt, confidence_percent, , raw, , "percent", confidence_percent)    \
    X(budget_ms, u32, method, always, opt, budget_ms, , raw, , "ms", budget_ms)                                   \
    X(min_reps, u32, method, always, opt, min_reps, , raw, , "repetitions", min_reps)                             \
    X(max_reps, u32, method, always, opt, max_reps, , raw, , "repetitions", max_reps)                             \
    X(outlier_rule, text, method, always, opt, outlier_rule, , raw, , "", outlier_rule)                           \
    /* echo of the kernel option pinned=WORD */                                                                        \
    X(pinned, text, method, always, opt, pinned, , raw, , "", pinned)                                             \
    X(linearity, flag, method, always, opt, linearity, , raw, , "", linearity)                                    \
    X(verify, flag, method, always, opt, verify, , raw, , "", verify)                                             \
    HVB_HEADER_FIELDS_TEST(X)

// A test build (tests/field_row/header_row_test.cpp, compiled with
// HVB_HEADER_FIELDS_TEST_ROW) adds one field here, with an old name and a
// context key of its own, and follows it from the kernel's writer to the
// results JSON's context and back; every other build has none.
#ifdef HVB_HEADER_FIELDS_TEST_ROW
#define HVB_HEADER_FIELDS_TEST(X) \
    X(test_header_field, u64, method, always, opt, test_header_key, test_old_key, timing, test_context_key, "", test_header_field)
#else
#define HVB_HEADER_FIELDS_TEST(X)
#endif

// A row's names as strings ("" for an empty `old` or `ctx_key`).
#define HVB_HEADER_NAME(name) #name

// Each field's wire key as a constant, for the code that names a header
// field outside the loops (a message, the yardstick record's timer call):
// hvb::header_key::timer_hz is "timer_hz".
namespace hvb::header_key {
#define HVB_HEADER_KEY(member, kind, record, sent, need, wire, old, json, ctx_key, unit, kernel) \
    inline constexpr char member[] = HVB_HEADER_NAME(wire);
HVB_HEADER_FIELDS(HVB_HEADER_KEY)
#undef HVB_HEADER_KEY
}  // namespace hvb::header_key
// ... and each one's key in the results JSON's context ("" for a raw row):
// hvb::header_context_key::timer_hz is "tsc_hz".
namespace hvb::header_context_key {
#define HVB_HEADER_CONTEXT_KEY(member, kind, record, sent, need, wire, old, json, ctx_key, unit, kernel) \
    inline constexpr char member[] = HVB_HEADER_NAME(ctx_key);
HVB_HEADER_FIELDS(HVB_HEADER_CONTEXT_KEY)
#undef HVB_HEADER_CONTEXT_KEY
}  // namespace hvb::header_context_key
