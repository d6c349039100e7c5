// tools/agreement.h — the default `hvbench run`: one figure per benchmark
// from launches of fresh VMs that agree (docs/measurement.md "Agreement
// across launches").
//
// Variation on a shared host lives at the level of the VM launch (Kalibera &
// Jones): a whole VM can run in the host's slow phase (every figure 1.3-2x,
// tight, and no estimator inside it can tell), or, on the nested KVM, with
// its empty-loop control a few percent dearer (every result with that
// control 10-17% low). So the tool launches a second fresh VM and compares,
// per benchmark, the two launches' headlines; further launches measure only
// the benchmarks still undecided, while the time budget lasts. Per benchmark:
//   - established: two launches agree within the tolerance below; the lower
//     of the two figures is reported (noise only adds time);
//   - established by the loops: the benchmark loops agree but one launch's
//     control loop is dearer (its headline too low by as much): the figure
//     of the launch with the cheaper control;
//   - otherwise (no two launches agree, or only launches in a slower phase
//     of the host agree against a cheaper figure nobody confirms): the
//     lowest figure, `noisy` with a cause a user can read ("host in a slow
//     phase: empty loop 1.5x launch 1's in launch 2", "control loop 5.2%
//     dearer in launch 2 than in launch 1", "launches disagree: ...").
// A launch's pace is its yardstick records (the timer call and the empty
// loop at the start of every pass): their medians over the launch.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tools/aggregate.h"
#include "tools/results.h"
#include "tools/run.h"

namespace hvb::tools {

// A launch whose empty loop (per iteration, the median of its yardsticks)
// costs at least this much (permille) of another's ran in a slower phase of
// the host: on TCG here it reads 1.16-1.35 cycles in the fast phase (medians
// 1.19-1.27) and 1.8-2.4 in the slow one, so 1.2x separates them. (The timer
// call, quantized in steps of 21 cycles, judges only kernels that send no
// empty loop.)
inline constexpr int64_t kSlowPhasePermille = 1200;

// The pace of one launch: the medians of its yardstick records; unset when
// it sent none (kernels before 2026-12-04).
struct LaunchPace {
    std::optional<int64_t> timer_milli, empty_loop_milli;
};

// The median of `values` (the lower middle); nullopt when empty.
std::optional<int64_t> median_of(std::vector<int64_t> values);

struct Launch {
    std::vector<BenchResult> results;
    LaunchPace pace;
    double seconds = 0;  // its wall time, VMM starts included
    std::vector<std::string> only;  // a later launch's selection; empty: the whole suite (less what failed)
    // Why the host had no CPU for each vCPU while it ran (tools/host_load.h
    // overcommit_cause), "" when it had: results of benchmarks that keep two
    // CPUs busy at once (cpus_used) then take no part in the agreement.
    std::string overcommit;
};

// The pace of a run from its yardstick medians.
LaunchPace launch_pace(const std::vector<int64_t>& timer_milli, const std::vector<int64_t>& empty_loop_milli);

struct Agreement {
    std::vector<BenchResult> results;    // one per benchmark, in order of first appearance
    std::vector<std::string> undecided;  // ok somewhere but not established: what another launch should measure
    std::vector<std::string> notes;      // figures taken from a launch because another's control moved
};

// The tolerance two launches' headlines agree within: the kernel's
// headline_tolerance (3x the target or 3 floors) or the target of the
// benchmark loop's own cost per iteration (`loop_milli`, the headline plus
// its control), what the loops resolve: the kernel's rule within a VM.
int64_t launch_tolerance(int64_t headline_milli, int64_t loop_milli, const AggregatePolicy& policy);

// A launch's results of benchmarks that keep two CPUs busy at once
// (cpus_used), when the host was overcommitted while it ran (`overcommit`,
// tools/host_load.h; "": it was not): noisy, with that cause. For a single
// launch (--quick, --runs); the agreement leaves such results out. Returns
// how many it flagged.
size_t flag_overcommitted(std::vector<BenchResult>& results, const std::string& overcommit);

// One launch is returned as it is (nothing undecided).
Agreement agree_launches(const std::vector<Launch>& launches, const AggregatePolicy& policy);

// The default run's time budget: every launch together within this
// percentage of the cheapest launch's wall time (on KVM here launch 1 also
// pays for the VM that INT3 ends), at most kMaxLaunches launches. Each
// launch gives a benchmark kLaunchBudgetMs (the kernel's budget=, unless
// the user set one) instead of the kernel's 60: three launches of the TCG
// suite (1.8-1.9 s each here) then fit in the time one and a half took,
// and a launch in the host's slow phase can be replaced by a whole third
// one (docs/measurement.md "Agreement across launches").
inline constexpr int64_t kLaunchBudgetPercent = 310;
inline constexpr size_t kMaxLaunches = 4;
inline constexpr unsigned kLaunchBudgetMs = 40;

// What the next launch measures (launch 2: everything launch 1 measured; a
// later one: `only` the undecided benchmarks), or nullopt when there is
// none: nothing undecided, the launches used up, or its predicted time
// (the undecided benchmarks' elapsed_us plus the cheapest launch's time
// outside its benchmarks) past the budget.
struct NextLaunch {
    std::vector<std::string> only;  // empty: the whole selection
    std::vector<std::string> skip;  // not ok in launch 1 (crashed, unsupported...): not measured again
    double predicted_seconds = 0;
};
std::optional<NextLaunch> next_launch(const std::vector<Launch>& launches, const Agreement& agreement);

// The default run: launch 1 with `base`, then while next_launch says so
// another. `launch(settings, k, &seconds)` runs launch k (1-based) and
// gives its report and wall time; `policy()` is read after launch 1 (its
// header states the target). A launch that was interrupted or stopped
// fatally ends the run. `reports` in launch order; `agreement` over them,
// with a note per launch of its pace and one for what stayed undecided.
struct AgreedRun {
    std::vector<RunReport> reports;
    Agreement agreement;
    std::vector<LaunchPace> paces;  // each launch's, in order
};
AgreedRun run_launches(const RunSettings& base, const std::function<AggregatePolicy()>& policy,
                       const std::function<RunReport(const RunSettings&, size_t k, double* seconds)>& launch);

}  // namespace hvb::tools
