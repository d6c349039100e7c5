// kernel/params.h — applies name.param=value overrides from the command line
// to the benchmarks' parameters, checking names and ranges.
#pragma once

#include <stddef.h>

#include "kernel/benchmark.h"
#include "kernel/options.h"

namespace hvb {

struct ParamError {
    char message[160];
};

// For each override in opts.params: the benchmark must exist in [table,
// table+n), have a parameter of that name, and the value must lie in its
// [min, max]; then the parameter's variable is set. Every problem is an
// error (the value is not applied). Writes up to max_errors messages and
// returns the total number of errors.
size_t apply_params(const Benchmark* table, size_t n, const Options& opts, ParamError* errors, size_t max_errors);

}  // namespace hvb
