// kernel/record_fields.h — the result record's numeric scalar fields, each
// defined once. The kernel's record (kernel/record.h ResultRecord) and its
// writer (kernel/record.cpp write_result), the tool's reader (tools/records.h
// ResultNumbers), its results JSON and CSV, their readers (tools/results.cpp)
// and the fake VMM (tests/fakes/fake_vmm.cpp) all expand this one table, so
// adding such a field is one row here plus its test. The nested parts of a
// result (cycles, control, linearity, params, fault) and its strings are
// written out where they are used.
//
// Portable: plain macros and <stdint.h> only, for the freestanding kernel and
// the host tool alike (docs/architecture.md "Layers").
#pragma once

#include <stdint.h>

namespace hvb::record_field {
using u64 = uint64_t;  // an unsigned JSON integer
using i64 = int64_t;   // a signed one
}  // namespace hvb::record_field

// HVB_RESULT_NUMBERS(X) calls X(name, type, sent, json_at, csv_at) once per
// field, in the order the kernel writes them (after "noisy_cause", before
// "linearity"):
//   name     the member in ResultRecord and in the tool's ResultNumbers, and
//            the key in the record, in the results JSON and the CSV column
//   type     u64 | i64 (hvb::record_field)
//   sent     when the kernel writes it: always; nonzero; flagged (when the
//            record's has_<name> is set). The tool keeps each as an optional:
//            unset when a record (an older kernel's) lacks it.
//   json_at  where the results JSON puts it among its other keys, when set
//            (tools/results.cpp, kept where each key has always been):
//            after_estimate (cycles_p90), after_noisy (noisy_cause),
//            after_mode (iterations_mode), after_speed (speed_permille),
//            after_verify (verify_agrees)
//   csv_at   its CSV column: csv_none (none), csv_after_noisy (after the
//            "noisy" column), csv_end (the last columns)
#define HVB_RESULT_NUMBERS(X)                                                          \
    /* passes it was measured in (round-robin passes over the suite) */               \
    X(passes, u64, nonzero, after_estimate, csv_none)                                 \
    /* repetitions discarded (long gaps) */                                           \
    X(outliers, u64, always, after_noisy, csv_after_noisy)                            \
    /* interrupts taken during its repetitions */                                     \
    X(interrupts, u64, always, after_noisy, csv_none)                                 \
    /* system management interrupts during them, where a counter tells */             \
    X(smis, u64, flagged, after_noisy, csv_none)                                      \
    /* the timer call timed again after it vs the cheapest in this VM, signed */      \
    X(timer_drift_permille, i64, flagged, after_speed, csv_none)                      \
    /* its control loop (the empty loop) vs the platform's usual cost, signed */      \
    X(speed_permille, i64, flagged, after_mode, csv_none)                             \
    /* microseconds spent on it, all passes */                                        \
    X(elapsed_us, u64, always, after_verify, csv_none)                                \
    /* microseconds since kernel entry, when its result was written */                \
    X(t_us, u64, always, after_verify, csv_none)                                      \
    /* microseconds its init took (the longest over its passes), when 1 or more */   \
    X(init_us, u64, nonzero, after_verify, csv_none)
