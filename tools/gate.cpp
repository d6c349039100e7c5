// tools/gate.cpp — the regression gate's verdicts (see gate.h).
#include "tools/gate.h"

#include <cstdio>

#include "kernel/verdict.h"
#include "tools/junit.h"
#include "tools/run.h"
#include "tools/sanitize.h"

namespace hvb::tools {
namespace {

constexpr uint32_t kMaxGatePermille = 1000000;  // 100000%: beyond it no percentage means anything

__int128 abs128(__int128 v) { return v < 0 ? -v : v; }

// Millicycles as the tables print them ("10.250"), clamped to int64.
std::string cycles(__int128 milli) {
    if (milli > INT64_MAX) milli = INT64_MAX;
    if (milli < INT64_MIN) milli = INT64_MIN;
    return milli_text(int64_t(milli));
}

std::string permille_text(uint32_t p) {
    return std::to_string(p / 10) + (p % 10 ? "." + std::to_string(p % 10) : "") + "%";
}

std::string interval_text(const GateInterval& v) { return "[" + cycles(v.low) + ", " + cycles(v.high) + "]"; }

// "10.000 -> 12.000 cycles (+20.0%)"; the percentage only over a positive baseline.
std::string change_text(const CompareCell& base, const CompareCell& cell) {
    std::string s = cycles(base.median_milli) + " -> " + cycles(cell.median_milli) + " cycles";
    if (base.median_milli > 0) {
        char buf[48];
        double pct = (double(cell.median_milli) / double(base.median_milli) - 1.0) * 100.0;
        std::snprintf(buf, sizeof buf, " (%+.1f%%)", pct);
        s += buf;
    }
    return s;
}

std::string noisy_text(const CompareCell& base, const CompareCell& cell) {
    if (!base.noisy && !cell.noisy) return "";
    return std::string("; noisy (") + (base.noisy && cell.noisy ? "both" : base.noisy ? "baseline" : "new") +
           ": the headline is not established, treat with care)";
}

// Why a pair that is not ok on both sides is skipped, or that it broke.
GateCase status_case(const CompareCell& base, const CompareCell& cell, const std::string& pair) {
    GateCase g;
    g.outcome = GateOutcome::skipped;
    auto why = [](const CompareCell& x) { return x.status + (x.reason.empty() ? "" : ": " + x.reason); };
    if (!cell.present) {
        g.text = "not in the new file" + std::string(base.present ? " (baseline: " + base.status + ")" : "");
    } else if (!base.present) {
        g.text = "not in the baseline (new: " + cell.status + ")";
    } else if (!base.ok()) {
        g.text = "no baseline figure: " + why(base) + (cell.ok() ? "" : "; new: " + why(cell));
    } else if (cell.status == "unsupported" || cell.status == "skipped") {
        g.text = "did not run in the new file: " + why(cell);
    } else {
        g.outcome = GateOutcome::broken;
        g.text = "BROKEN " + pair + ": ok in the baseline (" + cycles(base.median_milli) + " cycles), in the new file " +
                 why(cell);
    }
    return g;
}

// The limits' verdict on two ok cells.
GateCase figure_case(const CompareCell& base, const CompareCell& cell, const GateOptions& opt,
                     const std::string& pair) {
    bool use_ci = base.ci_low_milli && cell.ci_low_milli;
    GateInterval b = gate_interval(base, use_ci), n = gate_interval(cell, use_ci);
    std::string kind = use_ci ? "95% intervals" : "intervals headline ±MAD";
    GateCase g;
    if (opt.skip_noisy && (base.noisy || cell.noisy)) {
        g.outcome = GateOutcome::skipped;
        g.text = "noisy (--skip-noisy): " + change_text(base, cell) + noisy_text(base, cell);
        return g;
    }
    auto verdict = [&](const char* word, const char* side, __int128 gap, __int128 margin, __int128 ref,
                       uint32_t p) {
        return std::string(word) + " " + pair + ": " + change_text(base, cell) + "; new interval " + interval_text(n) +
               " lies " + cycles(gap) + " " + side + " baseline " + interval_text(b) + ", beyond the margin " +
               cycles(margin) + " (" + permille_text(p) + " of " + cycles(ref) + ", at least 1 cycle; " + kind + ")" +
               noisy_text(base, cell);
    };
    if (opt.above_permille) {
        __int128 gap = n.low - b.high, margin = gate_margin(b.high, *opt.above_permille);
        if (gap > margin) {
            g.outcome = GateOutcome::regression;
            g.text = verdict("REGRESSION", "above", gap, margin, b.high, *opt.above_permille);
            return g;
        }
    }
    if (opt.below_permille) {
        __int128 gap = b.low - n.high, margin = gate_margin(b.low, *opt.below_permille);
        if (gap > margin) {
            g.outcome = GateOutcome::faster;
            g.text = verdict("FASTER", "below", gap, margin, b.low, *opt.below_permille);
            return g;
        }
    }
    g.text = change_text(base, cell) + ": within the margin (new " + interval_text(n) + ", baseline " +
             interval_text(b) + "; " + kind + ")" + noisy_text(base, cell);
    return g;
}

}  // namespace

bool gate_option(Args& args, GateOptions& opt, std::string& error) {
    std::string v;
    auto percent = [&](const char* key, std::optional<uint32_t>& out) {
        out = percent_permille(v, kMaxGatePermille);
        if (!out) error = std::string(key) + " needs a percentage, 0 to 100000 with at most one decimal, e.g. 5% or 0.5%";
    };
    if (args.option("--fail-above", v, error)) {
        if (error.empty()) percent("--fail-above", opt.above_permille);
    } else if (args.option("--fail-below", v, error)) {
        if (error.empty()) percent("--fail-below", opt.below_permille);
    } else if (args.option("--junit", v, error)) {
        if (error.empty() && v.empty()) error = "--junit needs a file name";
        opt.junit = v;
    } else if (args.flag("--skip-noisy")) {
        opt.skip_noisy = true;
    } else {
        return false;
    }
    return true;
}

GateInterval gate_interval(const CompareCell& cell, bool use_ci) {
    if (use_ci && cell.ci_low_milli && cell.ci_high_milli) {
        __int128 lo = *cell.ci_low_milli, hi = *cell.ci_high_milli;
        return lo <= hi ? GateInterval{lo, hi} : GateInterval{hi, lo};
    }
    __int128 mad = abs128(cell.mad_milli);
    return {__int128(cell.median_milli) - mad, __int128(cell.median_milli) + mad};
}

__int128 gate_margin(__int128 x, uint32_t permille) {
    __int128 m = abs128(x) * permille / 1000;
    return m < kTargetFloorMilli ? __int128(kTargetFloorMilli) : m;
}

GateReport run_gate(const Comparison& c, const GateOptions& opt) {
    GateReport r;
    if (opt.above_permille) r.rule = "--fail-above " + permille_text(*opt.above_permille);
    if (opt.below_permille) r.rule += (r.rule.empty() ? "" : " ") + ("--fail-below " + permille_text(*opt.below_permille));
    if (opt.skip_noisy) r.rule += " --skip-noisy";
    for (size_t i = 0; i < c.labels.size(); ++i) {
        if (i == c.baseline) continue;
        std::string pair = "[" + c.labels[i] + " vs " + c.labels[c.baseline] + "]";
        for (const CompareRow& row : c.rows) {
            const CompareCell &base = row.cells[c.baseline], &cell = row.cells[i];
            if (!base.present && !cell.present) continue;  // a third file's benchmark
            GateCase g = base.ok() && cell.ok() ? figure_case(base, cell, opt, row.name + " " + pair)
                                                : status_case(base, cell, row.name + " " + pair);
            g.name = row.name;
            g.category = row.category;
            g.platform = i;
            r.failed += g.failed();
            r.skipped += g.outcome == GateOutcome::skipped;
            r.cases.push_back(std::move(g));
        }
    }
    return r;
}

std::string format_gate(const Comparison& c, const GateReport& r) {
    std::string out;
    for (const GateCase& g : r.cases)
        if (g.failed()) out += g.text + "\n";
    for (const GateCase& g : r.cases)
        if (g.outcome == GateOutcome::skipped)
            out += "skipped " + g.name + " [" + c.labels[g.platform] + "]: " + g.text + "\n";
    size_t passed = r.cases.size() - r.failed - r.skipped;
    out += "gate (" + r.rule + "): " + (r.failed ? "FAILED, " : "passed, ") + std::to_string(r.failed) +
           " failed, " + std::to_string(passed) + " passed, " + std::to_string(r.skipped) + " skipped of " +
           std::to_string(r.cases.size()) + "\n";
    return out;
}

int report_gate(const Comparison& c, const GateOptions& opt) {
    GateReport r = run_gate(c, opt);
    fputs(terminal_safe("\n" + format_gate(c, r)).c_str(), stdout);
    fflush(stdout);
    if (!opt.junit.empty()) {
        std::string error;
        if (!write_text_file(opt.junit, junit_xml(c, r), &error)) {
            fprintf(stderr, "hvbench: cannot write %s\n", terminal_safe(error).c_str());
            return kExitIncomplete;
        }
        fprintf(stderr, "hvbench: JUnit report written to %s\n", terminal_safe(opt.junit).c_str());
    }
    return r.failed ? 1 : 0;
}

}  // namespace hvb::tools
