// kernel/selection.h — turn the raw `.benchmarks` table into the ordered list
// the runner walks: sorted by name (link order is not definition order),
// filtered by only=/skip=, and checked for names that match nothing.
#pragma once

#include <stddef.h>

#include "kernel/benchmark.h"
#include "kernel/options.h"

namespace hvb {

struct SelectionError {
    char message[160];
};

// Fills `out` (capacity max_out) with pointers into [table, table+n), sorted
// by name (strcmp order), keeping a benchmark when:
//   - only= is empty: it is not opt-in (kFlagOptIn) and not named by skip=;
//   - only= is given: its name or category is in only= and not in skip=.
// Every name in only=, skip= and iters=name:N that matches neither a benchmark
// name nor a category is an error ("only=: no benchmark or category named
// 'x'"). Duplicate benchmark names in the table are an error too, and so is
// a selection that keeps no benchmark at all (only=cpuid skip=cpuid) when no
// other error explains it.
// Returns the number selected (at most max_out; more is an error);
// *error_count receives the total number of errors found.
size_t select_benchmarks(const Benchmark* table, size_t n, const Options& opts,
                         const Benchmark** out, size_t max_out,
                         SelectionError* errors, size_t max_errors, size_t* error_count);

}  // namespace hvb
