// tools/aggregate.h — one answer from several fresh VMs (`hvbench run --runs N`).
//
// A median measured inside one VM carries that VM's luck: on a shared host a
// whole VM (or a stretch of it longer than a benchmark's window) can run at a
// different speed, and a binary translator's state differs from one QEMU
// process to the next. The kernel's confidence interval cannot see that; only
// another VM can. `--runs N` runs the whole suite N times, each in fresh VMs,
// and reports per benchmark, with the kernel's own estimator (its headline
// is a low quantile: noise on a shared host only adds time, and a VM that
// spent its whole run in the host's slow mode is one no VM corrects from
// inside):
//   - the p10 of the runs' headlines by nearest rank (the lowest for up to
//     ten runs), every other field from the run that measured it;
//   - as its interval (cycles_estimate_low/high), the lowest and highest of
//     the runs' headlines;
//   - noisy unless another run agrees with it within the headline's
//     tolerance (kernel/verdict.h headline_tolerance: max(3 x the target,
//     3 x its cycle floor), from the header);
//   - every run's headline and noisy flag (run_medians_milli, run_noisy).
// Runs from an older kernel without an estimate: the median of the runs'
// medians, their range as the CI, noisy unless a majority agrees.
// A benchmark that was not ok in any run keeps the first run's result.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel/options.h"
#include "kernel/verdict.h"
#include "tools/results.h"
#include "tools/run.h"

namespace hvb::tools {

struct AggregatePolicy {
    uint64_t target_permille = Options::kDefaultTargetPermille;  // the kernel's target= (header target_permille)
    int64_t target_min_milli = kTargetFloorMilli;  // its floor in millicycles (header target_min_cycles)
};

// The policy a run's header states (defaults where it does not).
AggregatePolicy aggregate_policy(const HeaderInfo* header);

// `runs[k]`: the results of run k+1, in its order. One run is returned as it
// is; the order is that of first appearance.
std::vector<BenchResult> aggregate_runs(const std::vector<std::vector<BenchResult>>& runs,
                                        const AggregatePolicy& policy);

// Why a result is noisy, from its own fields, the most telling first:
// "runs disagree" (--runs), "moved to M on the second look" (verify),
// "host slowed: timer call +45.0%" (the kernel's timer-drift check),
// "platform speed +53%" (beyond the kernel's +-10% speed check), "5 of 16
// repetitions were long gaps" (more than a quarter), "3 repetitions" (too
// few for an interval), "CI +-3.2%" (wider than the target). "" when it is
// not noisy or none of these applies.
std::string noisy_reason(const BenchResult& r, const AggregatePolicy& policy);

// The reports of several runs as one: counts summed, notes and errors kept
// (prefixed "run k: " when there are several), the first header, complete
// only when every run was, and `results` as given (the aggregate).
RunReport merge_reports(const std::vector<RunReport>& reports, std::vector<BenchResult> results);

}  // namespace hvb::tools
