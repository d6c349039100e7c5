// tools/gate.h — the CI regression gate of `hvbench compare --fail-above P%`
// / `--fail-below P%` (docs/running.md "CI regression gate"): every file
// after the baseline against it, benchmark by benchmark, on the comparison
// tools/compare.h makes.
//
// Each ok result stands for an interval: the headline's 95% interval when
// both results of the pair have one (CompareCell::ci_*: for --runs files the
// runs' range, for older files the median's CI), else headline ± |MAD| for
// both -- the rule of compare's "within noise" mark.
// With margin(x, P) = max(|x| x P / 100, 1 cycle) (kTargetFloorMilli: a
// difference within a cycle is no verdict whatever the percentage):
//   regression (--fail-above P): new low − base high > margin(base high, P)
//   faster     (--fail-below P): base low − new high > margin(base low, P)
// i.e. the new interval lies wholly beyond the baseline's, and further than
// P% of the baseline's nearer end. Intervals that overlap never fail: the
// interval is the noise margin.
//
// Not a figure on both sides: ok in the baseline but crashed, faulted or
// timeout (or an unknown status) in the new file fails ("broken"); every
// other pairing is skipped with its reason (not in one file, did not run in
// the baseline, unsupported or skipped in the new file). Noisy results are
// gated like the others (their intervals are wider, so a verdict on them is
// still one beyond the noise), and the verdict says noisy; --skip-noisy
// skips them instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/compare.h"
#include "tools/run_config.h"

namespace hvb::tools {

struct GateOptions {
    std::optional<uint32_t> above_permille, below_permille;  // --fail-above, --fail-below
    bool skip_noisy = false;                                 // --skip-noisy
    std::string junit;                                       // --junit FILE
    bool active() const { return above_permille || below_permille; }
};

// Consumes one of the gate's options from `args` (true if it was one; then
// `error` says what was wrong with it, if anything).
bool gate_option(Args& args, GateOptions& opt, std::string& error);

enum class GateOutcome { pass, regression, faster, broken, skipped };

struct GateCase {
    std::string name, category;
    size_t platform = 0;  // index into Comparison::labels (never the baseline)
    GateOutcome outcome = GateOutcome::pass;
    std::string text;     // the verdict (failures), the reason (skipped), the figures (pass)
    bool failed() const { return outcome != GateOutcome::pass && outcome != GateOutcome::skipped; }
};

struct GateReport {
    std::vector<GateCase> cases;  // by platform, then by name
    size_t failed = 0, skipped = 0;
    std::string rule;  // the limits as the user gave them, e.g. "--fail-above 5%"
};

// The interval an ok cell stands for, millicycles: its 95% interval when
// `use_ci` (both sides of the pair have one, as compare's "~" decides),
// else headline ± |MAD|.
struct GateInterval {
    __int128 low = 0, high = 0;
};
GateInterval gate_interval(const CompareCell& cell, bool use_ci);
// max(|x| x permille / 1000, kTargetFloorMilli), exact.
__int128 gate_margin(__int128 x, uint32_t permille);

GateReport run_gate(const Comparison& c, const GateOptions& opt);
// One line per failure, then one per skipped case, then the summary line.
std::string format_gate(const Comparison& c, const GateReport& r);
// `compare --fail-above/--fail-below` after the table: the verdicts on
// stdout, the --junit report (tools/junit.h); 1 when the gate failed, 0
// when it passed, kExitIncomplete when the report cannot be written.
int report_gate(const Comparison& c, const GateOptions& opt);

}  // namespace hvb::tools
