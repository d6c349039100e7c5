// kernel/record_fields.h — every scalar field of a result, defined once: its
// name on the wire (group and key), in the results JSON and CSV, its type,
// unit and when the kernel sends it. The kernel's writer (kernel/record.cpp
// write_result), the tool's record reader (tools/records.cpp), the tool's
// result (tools/result.h BenchResult) and its JSON and CSV writers and
// readers (tools/results_json.cpp, tools/results_csv.cpp) all loop over this
// one table, so adding a scalar field is one row here plus the kernel code
// that computes it. Only the structured parts of a result (linearity levels,
// params, fault, the host's external timing) are written out where they are
// used.
//
// Names: a field has one name. On the wire it is `key` inside its `group`
// object ("cycles":{"ci_low":...}); in the results JSON the same name
// flattened, group_key ("cycles_ci_low"), or just key for a top-level field.
// The CSV column may abbreviate, here only ("ci_low").
//
// Portable: plain macros and <stdint.h> only, for the freestanding kernel and
// the host tool alike (docs/architecture.md "Layers").
#pragma once

#include <stdint.h>

namespace hvb::record_field {
using u64 = uint64_t;  // an unsigned JSON integer
using i64 = int64_t;   // a signed one
}  // namespace hvb::record_field

// HVB_RESULT_FIELDS(X) calls
//   X(member, kind, need, group, key, csv, unit, sent, decl, kernel, json_pos, csv_pos)
// once per field, in the order the kernel writes them (a group's fields
// together, in the order they appear in it):
//   member   the tool's member (tools/result.h BenchResult); for `gen` rows
//            (below) also the kernel's (kernel/record.h ResultRecord)
//   kind     text (free text: JSON string, neutralised in the CSV), status
//            (kernel: Status, sent as its name), mode (kernel: bool, sent as
//            "adaptive" | "fixed"), u32, u64, i64 (integers), milli
//            (thousandths, sent as a decimal with three fractional digits),
//            flag (true | false)
//   need     req: every record has it (a record without it is not read; the
//            tool's member is a plain value, always written); opt: newer
//            kernels or some results only (the tool's member is an optional,
//            or "" for a string, written when set)
//   group    top (a key of the record itself), cycles, control, or host (not
//            on the wire: the tool's own, or from another record)
//   key      the name on the wire, inside `group`
//   csv      the CSV column ("" none)
//   unit     what a value counts (docs/running.md "Results files")
//   sent     when the kernel writes it: always; nonzero; flagged (when the
//            record's has_<member> is set); ci (has_ci); estimate
//            (has_estimate); estimate_interval (has_estimate and
//            estimate_has_interval); cause (noisy, with a cause); never
//   decl     gen: the kernel's ResultRecord has a member by the row's name,
//            declared from this table (a flagged one with has_<member>);
//            hand: declared by hand; none: the kernel has none
//   kernel   the ResultRecord member it is written from (none: not sent)
//   json_pos its place among the results JSON's keys (0: not in the JSON;
//            tools/results_json.cpp writes Google Benchmark's own keys
//            between 1, 2 and 3, and the structured parts after the last)
//   csv_pos  its CSV column's place (0: none; tools/results_csv.cpp puts
//            time_ns after 10, the external figures and params after 12)
#define HVB_RESULT_FIELDS(X)                                                                                           \
    X(name, text, req, top, name, "name", "", always, hand, name, 1, 1)                                                \
    X(category, text, req, top, category, "category", "", always, hand, category, 4, 2)                                \
    X(status, status, req, top, status, "status", "", always, hand, status, 5, 3)                                      \
    /* why it is not ok ("" when ok) */                                                                                \
    X(reason, text, req, top, reason, "reason", "", always, hand, reason, 6, 13)                                       \
    /* per repetition, each loop */                                                                                    \
    X(iterations, u64, req, top, iterations, "iterations", "iterations", always, hand, iterations, 3, 4)               \
    /* {control, benchmark} pairs kept */                                                                              \
    X(repetitions, u32, req, top, repetitions, "repetitions", "pairs", always, hand, repetitions, 2, 5)                \
    /* the typical cost: the per-repetition costs' min, median, mean, MAD */                                           \
    X(min_milli, milli, req, cycles, min, "cycles_min", "cycles", always, hand, min_milli, 14, 8)                      \
    X(median_milli, milli, req, cycles, median, "cycles_median", "cycles", always, hand, median_milli, 13, 6)          \
    X(mean_milli, milli, req, cycles, mean, "cycles_mean", "cycles", always, hand, mean_milli, 15, 9)                  \
    X(mad_milli, milli, req, cycles, mad, "cycles_mad", "cycles", always, hand, mad_milli, 16, 7)                      \
    /* the median's 95% interval */                                                                                    \
    X(ci_low_milli, milli, opt, cycles, ci_low, "ci_low", "cycles", ci, hand, ci_low_milli, 17, 14)                    \
    X(ci_high_milli, milli, opt, cycles, ci_high, "ci_high", "cycles", ci, hand, ci_high_milli, 18, 15)                \
    /* the headline (kernel/estimate.h) and its 95% interval */                                                        \
    X(estimate_milli, milli, opt, cycles, estimate, "cycles_estimate", "cycles", estimate, hand, estimate_milli, 7, 18) \
    X(estimate_low_milli, milli, opt, cycles, estimate_low, "estimate_low", "cycles", estimate_interval, hand, estimate_low_milli, 8, 19) \
    X(estimate_high_milli, milli, opt, cycles, estimate_high, "estimate_high", "cycles", estimate_interval, hand, estimate_high_milli, 9, 20) \
    /* the spread of the costs over all passes; p10 is the headline again */                                           \
    X(p10_milli, milli, opt, cycles, p10, "", "cycles", estimate, hand, estimate_milli, 0, 0)                          \
    X(p50_milli, milli, opt, cycles, p50, "cycles_p50", "cycles", estimate, hand, p50_milli, 10, 21)                   \
    X(p90_milli, milli, opt, cycles, p90, "cycles_p90", "cycles", estimate, hand, p90_milli, 11, 22)                   \
    /* the control loop's own cost */                                                                                  \
    X(control_median_milli, milli, req, control, median, "control_median", "cycles", always, hand, control_median_milli, 19, 10) \
    X(iterations_mode, mode, opt, top, iterations_mode, "", "", always, hand, iterations_adaptive, 25, 0)              \
    /* the headline is not established; why */                                                                         \
    X(noisy, flag, opt, top, noisy, "noisy", "", always, hand, noisy, 20, 16)                                          \
    X(noisy_cause, text, opt, top, noisy_cause, "noisy_cause", "", cause, hand, noisy_cause, 21, 23)                   \
    /* passes it was measured in (round-robin passes over the suite) */                                                \
    X(passes, u64, opt, top, passes, "", "passes", nonzero, gen, passes, 12, 0)                                        \
    /* repetitions discarded (long gaps) */                                                                            \
    X(outliers, u64, opt, top, outliers, "outliers", "repetitions", always, gen, outliers, 22, 17)                     \
    /* interrupts taken during its repetitions */                                                                      \
    X(interrupts, u64, opt, top, interrupts, "", "interrupts", always, gen, interrupts, 23, 0)                         \
    /* system management interrupts during them, where a counter tells */                                              \
    X(smis, u64, opt, top, smis, "", "SMIs", flagged, gen, smis, 24, 0)                                                \
    /* the timer call timed again after it vs the cheapest in this VM, signed */                                       \
    X(timer_drift_permille, i64, opt, top, timer_drift_permille, "", "permille", flagged, gen, timer_drift_permille, 27, 0) \
    /* its control loop (the empty loop) vs the platform's usual cost, signed */                                       \
    X(speed_permille, i64, opt, top, speed_permille, "", "permille", flagged, gen, speed_permille, 26, 0)              \
    /* microseconds spent on it, all passes */                                                                         \
    X(elapsed_us, u64, opt, top, elapsed_us, "", "us", always, gen, elapsed_us, 30, 0)                                 \
    /* microseconds since kernel entry, when its result was written */                                                 \
    X(t_us, u64, opt, top, t_us, "", "us", always, gen, t_us, 31, 0)                                                   \
    /* microseconds its init took (the longest over its passes), when 1 or more */                                     \
    X(init_us, u64, opt, top, init_us, "", "us", nonzero, gen, init_us, 32, 0)                                         \
    /* the CPUs it keeps busy at once, when more than one (one waits for another's answer) */                           \
    X(cpus_used, u64, opt, top, cpus_used, "", "CPUs", nonzero, gen, cpus_used, 35, 0)                                 \
    /* verify=1: the second look's median (its verify record), and whether it agreed */                                \
    X(verify_median_milli, milli, opt, host, verify_median, "", "cycles", never, none, none, 28, 0)                    \
    X(verify_agrees, flag, opt, host, verify_agrees, "", "", never, none, none, 29, 0)                                 \
    /* the timer it was measured with (its VM's header) and which VM of the run */                                     \
    X(timer, text, req, host, timer, "timer", "", never, none, none, 33, 11)                                           \
    X(vm, u32, req, host, vm, "vm", "", never, none, none, 34, 12)                                                     \
    HVB_RESULT_FIELDS_TEST(X)

// A test build (tests/unit/field_row_test.cpp, compiled with
// HVB_RESULT_FIELDS_TEST_ROW) adds one scalar field here and follows it from
// the kernel's writer to the CSV and back; every other build has none.
#ifdef HVB_RESULT_FIELDS_TEST_ROW
#define HVB_RESULT_FIELDS_TEST(X) X(test_field, u64, opt, top, test_field, "test_col", "", nonzero, gen, test_field, 40, 30)
#else
#define HVB_RESULT_FIELDS_TEST(X)
#endif

// A field's names as strings: on the wire (the key inside its group), and
// in the results JSON (group_key, or key for a top-level field).
#define HVB_FIELD_WIRE_KEY(group, key) #key
#define HVB_FIELD_JSON_KEY(group, key) HVB_FIELD_JSON_KEY_##group(key)
#define HVB_FIELD_JSON_KEY_top(key) #key
#define HVB_FIELD_JSON_KEY_host(key) #key
#define HVB_FIELD_JSON_KEY_cycles(key) "cycles_" #key
#define HVB_FIELD_JSON_KEY_control(key) "control_" #key

// Each field's wire key as a constant, for the structured parts that use
// the same name (a linearity level's median and interval, a verify record's
// median): hvb::result_key::ci_low_milli is "ci_low".
namespace hvb::result_key {
#define HVB_RESULT_KEY(member, kind, need, group, key, csv, unit, sent, decl, kernel, json_pos, csv_pos) \
    inline constexpr char member[] = HVB_FIELD_WIRE_KEY(group, key);
HVB_RESULT_FIELDS(HVB_RESULT_KEY)
#undef HVB_RESULT_KEY
}  // namespace hvb::result_key
namespace hvb::result_json_key {
#define HVB_RESULT_JSON_KEY(member, kind, need, group, key, csv, unit, sent, decl, kernel, json_pos, csv_pos) \
    inline constexpr char member[] = HVB_FIELD_JSON_KEY(group, key);
HVB_RESULT_FIELDS(HVB_RESULT_JSON_KEY)
#undef HVB_RESULT_JSON_KEY
}  // namespace hvb::result_json_key
