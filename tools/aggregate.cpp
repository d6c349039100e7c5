// tools/aggregate.cpp — see aggregate.h.
#include "tools/aggregate.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kernel/verdict.h"
#include "posih/stats.h"

namespace hvb::tools {

AggregatePolicy aggregate_policy(const HeaderInfo* header) {
    AggregatePolicy p;
    if (header && header->target_permille && *header->target_permille > 0) p.target_permille = *header->target_permille;
    if (header && header->target_min_cycles_milli && *header->target_min_cycles_milli >= 0)
        p.target_min_milli = *header->target_min_cycles_milli;
    return p;
}


std::vector<BenchResult> aggregate_runs(const std::vector<std::vector<BenchResult>>& runs,
                                        const AggregatePolicy& policy) {
    if (runs.size() == 1) return runs[0];
    std::vector<std::string> order;
    for (const auto& run : runs)
        for (const auto& r : run)
            if (std::find(order.begin(), order.end(), r.name) == order.end()) order.push_back(r.name);

    std::vector<BenchResult> out;
    for (const auto& name : order) {
        std::vector<const BenchResult*> ok;
        const BenchResult* first = nullptr;
        for (const auto& run : runs)
            for (const auto& r : run) {
                if (r.name != name) continue;
                if (!first) first = &r;
                if (r.ok()) ok.push_back(&r);
            }
        if (ok.empty()) {
            out.push_back(*first);
            continue;
        }
        BenchResult agg;
        if (ok.size() == 1) {
            agg = *ok[0];
        } else {
            std::vector<const BenchResult*> sorted = ok;
            std::stable_sort(sorted.begin(), sorted.end(), [](const BenchResult* a, const BenchResult* b) {
                return a->headline_milli() < b->headline_milli();
            });
            bool estimates = std::all_of(ok.begin(), ok.end(), [](const BenchResult* r) { return r->estimate_milli; });
            // The kernel's estimator across VMs (kernel/estimate.h): a VM
            // slow throughout (the host's slow mode, which no VM sees from
            // inside) only adds time, so the low quantile of the runs'
            // headlines (the p10 by nearest rank: the lowest for up to ten
            // runs), established when another run agrees with it. Runs
            // without an estimate (older kernels): the median of the runs,
            // established when a majority agrees.
            size_t pick = estimates ? hvb::quantile_index(sorted.size(), kHeadlinePermille) : (sorted.size() - 1) / 2;
            agg = *sorted[pick];
            if (estimates) {
                agg.estimate_low_milli = sorted.front()->headline_milli();
                agg.estimate_high_milli = sorted.back()->headline_milli();
            } else {
                agg.ci_low_milli = sorted.front()->median_milli;
                agg.ci_high_milli = sorted.back()->median_milli;
            }
            // Another run agrees with the lowest headline when within the
            // tolerance the kernel establishes a headline with
            // (headline_tolerance, kernel/verdict.h: 3x the target, 3% by
            // default); runs without an estimate, within the second look's
            // twice the target of the median.
            size_t agreeing = 0;
            const int64_t tol = hvb::headline_tolerance(agg.headline_milli(), uint32_t(policy.target_permille),
                                                        policy.target_min_milli);
            for (const BenchResult* r : ok) {
                int64_t d = r->headline_milli() - agg.headline_milli();
                agreeing += estimates ? (d <= tol && d >= -tol)
                                      : second_look_agrees(agg.headline_milli(), r->headline_milli(),
                                                           uint32_t(policy.target_permille), policy.target_min_milli);
            }
            agg.noisy = estimates ? agreeing < 2 : agreeing < ok.size() / 2 + 1;
            agg.noisy_cause = !*agg.noisy ? "" : estimates ? "no other run agrees with the lowest" : "runs disagree";
        }
        agg.run_medians_milli.clear();
        agg.run_noisy.clear();
        for (const BenchResult* r : ok) {
            agg.run_medians_milli.push_back(r->headline_milli());
            agg.run_noisy.push_back(r->is_noisy());
        }
        out.push_back(std::move(agg));
    }
    return out;
}

namespace {
std::string percent_text(int64_t permille) {
    char buf[32];
    snprintf(buf, sizeof buf, "%s%lld.%lld%%", permille < 0 ? "-" : "+", (long long)(std::llabs(permille) / 10),
             (long long)(std::llabs(permille) % 10));
    return buf;
}
}  // namespace

std::string noisy_reason(const BenchResult& r, const AggregatePolicy& policy) {
    if (!r.ok() || !r.is_noisy()) return "";
    if (!r.noisy_cause.empty()) return r.noisy_cause;  // the kernel's (or the aggregate's) own words
    if (r.run_medians_milli.size() > 1) return "runs disagree";
    if (r.verify_agrees == false)
        return r.verify_median_milli ? "moved to " + milli_text(*r.verify_median_milli) + " on the second look"
                                     : "second look failed";
    // The kernel's timer-drift check (its 3-MAD condition is not in the
    // record; past the limit it holds on the platforms seen, whose timer MAD
    // is a few percent of the call).
    if (r.timer_drift_permille && *r.timer_drift_permille > kTimerDriftPermille)
        return "host slowed: timer call " + percent_text(*r.timer_drift_permille);
    // The speed check of kernels before the headline estimate.
    if (r.speed_permille && std::llabs(*r.speed_permille) > kSpeedTolerancePermille)
        return "platform speed " + percent_text(*r.speed_permille);
    uint64_t ran = r.repetitions + r.outliers.value_or(0);
    if (r.outliers && *r.outliers * kMaxOutlierDen > ran)
        return std::to_string(*r.outliers) + " of " + std::to_string(ran) + " repetitions were long gaps";
    if (!r.has_ci()) return std::to_string(r.repetitions) + " repetitions";
    // The kernel's own target test on the interval.
    if (within_target(r.median_milli, *r.ci_low_milli, *r.ci_high_milli, uint32_t(policy.target_permille),
                      policy.target_min_milli))
        return "";
    int64_t mag = std::llabs(r.median_milli);
    int64_t half = std::max(r.median_milli - *r.ci_low_milli, *r.ci_high_milli - r.median_milli);
    if (mag == 0) return "CI +-" + milli_text(half) + " cycles";
    return "CI +-" + percent_text(int64_t(__int128(half) * 1000 / mag)).substr(1);
}

RunReport merge_reports(const std::vector<RunReport>& reports, std::vector<BenchResult> results) {
    RunReport m;
    m.results = std::move(results);
    m.complete = !reports.empty();
    bool several = reports.size() > 1;
    for (size_t k = 0; k < reports.size(); ++k) {
        const RunReport& r = reports[k];
        std::string prefix = several ? "run " + std::to_string(k + 1) + ": " : "";
        if (!m.header && r.header) m.header = r.header;
        for (const auto& n : r.notes) m.notes.push_back(prefix + n);
        for (const auto& e : r.kernel_errors) m.kernel_errors.push_back(prefix + e);
        for (const auto& p : r.problems) m.problems.push_back(prefix + p);
        if (m.cpu_model.empty()) m.cpu_model = r.cpu_model;
        if (!r.timer.empty()) m.timer = r.timer;
        m.vms += r.vms;
        m.total = std::max(m.total, r.total);
        m.kernel_exit_bits |= r.kernel_exit_bits;
        m.complete = m.complete && r.complete;
        m.interrupted = m.interrupted || r.interrupted;
        if (!r.fatal.empty()) m.fatal = prefix + r.fatal;
        m.markers += r.markers;
        m.merged_exit_bits |= r.exit_code();
        // A benchmark that failed in this run but is ok in the aggregate
        // would otherwise go unmentioned.
        for (const auto& b : r.results) {
            if (b.ok()) continue;
            const BenchResult* agg = m.find(b.name);
            if (agg && agg->ok())
                m.notes.push_back(prefix + b.name + " " + b.status +
                                  (b.reason.empty() ? "" : ": " + b.reason.substr(0, b.reason.find('\n'))));
        }
    }
    return m;
}

}  // namespace hvb::tools
