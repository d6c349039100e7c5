// kernel/console_report.h — the kernel's console reporter: every line the
// runner shows people (the results table, linearity and verify notes, a
// clamped iteration count), printed here and only here, so that
// kernel/runner.cpp measures and this file prints. The machine-readable
// records are kernel/record.h's.
#pragma once

#include <stdint.h>

#include "kernel/record.h"

namespace hvb {

// The results table: its header, then one row per result.
void report_table_head();
void report_result(const ResultRecord& r);
// A message also sent as an error record ("hvbench: ...").
void report_error(const char* message);
// Linearity: N measured again at the end moved (every level noisy); a level
// left out because three pairs would take `ms`.
void report_linearity_moved(const char* name, int64_t first_milli, int64_t last_milli);
void report_linearity_stop(const char* name, uint64_t iterations, uint64_t want, uint64_t ms);
// verify=1: the heading, then per result its headline and the second look.
void report_verify_head();
void report_verify(const char* name, int64_t headline_milli, const VerifyRecord& v);

}  // namespace hvb
