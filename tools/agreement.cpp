// tools/agreement.cpp — see agreement.h.
#include "tools/agreement.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "kernel/verdict.h"

namespace hvb::tools {

std::optional<int64_t> median_of(std::vector<int64_t> values) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    return values[(values.size() - 1) / 2];
}

int64_t launch_tolerance(int64_t headline_milli, int64_t loop_milli, const AggregatePolicy& policy) {
    int64_t tol = headline_tolerance(headline_milli, uint32_t(policy.target_permille), policy.target_min_milli);
    int64_t loop = int64_t(__int128(std::llabs(loop_milli)) * int64_t(policy.target_permille) / 1000);
    return std::max(tol, loop);
}

LaunchPace launch_pace(const std::vector<int64_t>& timer_milli, const std::vector<int64_t>& empty_loop_milli) {
    return {median_of(timer_milli), median_of(empty_loop_milli)};
}

namespace {

// One launch's ok result of the benchmark being judged.
struct Seen {
    size_t launch = 0;  // 0-based
    const BenchResult* r = nullptr;
    int64_t h = 0;  // headline
    int64_t c = 0;  // control loop per iteration
    int64_t b = 0;  // benchmark loop per iteration (headline + control)
};

std::string launch_name(size_t i) { return "launch " + std::to_string(i + 1); }

std::string fixed1(int64_t tenths) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld.%lld", (long long)(tenths / 10), (long long)(tenths % 10));
    return buf;
}

// `a` ran in a slower phase of the host than `b`: judged by the empty loop
// (per iteration, the median of the launch's yardsticks), as the per-host
// reference is; the timer call only where a kernel sent no empty loop. On
// TCG here the timer call is quantized (21, 42 or 63 cycles from pass to
// pass), so its median doubled between launches of one quiet phase
// (selfbench, 2026-12-07: "timer call 2.00x" on ipi_running in 4 of 5
// invocations); the empty loop's median moved by 10% at most.
std::optional<int64_t> pace_of(const LaunchPace& p) { return p.empty_loop_milli ? p.empty_loop_milli : p.timer_milli; }
const char* pace_name(const LaunchPace& p) { return p.empty_loop_milli ? "empty loop" : "timer call"; }

bool slower(const LaunchPace& a, const LaunchPace& b) {
    if (a.empty_loop_milli.has_value() != b.empty_loop_milli.has_value()) return false;
    std::optional<int64_t> x = pace_of(a), y = pace_of(b);
    return x && y && *y > 0 && __int128(*x) * 1000 >= __int128(*y) * kSlowPhasePermille;
}

std::string slow_phase_cause(const LaunchPace& slow, size_t slow_i, const LaunchPace& fast, size_t fast_i) {
    int64_t hundredths = int64_t(__int128(*pace_of(slow)) * 100 / *pace_of(fast));
    char buf[32];
    snprintf(buf, sizeof buf, "%lld.%02lld", (long long)(hundredths / 100), (long long)(hundredths % 100));
    return "host in a slow phase: " + std::string(pace_name(slow)) + " " + buf + "x " + launch_name(fast_i) +
           "'s in " + launch_name(slow_i);
}

// A result of a benchmark that keeps two CPUs busy at once, from a launch
// whose host had no CPU for each vCPU (tools/host_load.h): it timed the
// host's scheduler, not the platform, and takes no part in the agreement.
bool keeps_two_cpus_busy(const BenchResult& r) { return r.cpus_used.value_or(0) > 1; }

bool waits_for_a_cpu(const BenchResult& r, const Launch& l) { return !l.overcommit.empty() && keeps_two_cpus_busy(r); }

// `where`: "" or " in launch K".
std::string overcommit_text(const std::string& overcommit, const std::string& where) {
    return overcommit + where + ": a vCPU waited for a host CPU";
}

// The launch of the fastest pace, if any launch has one.
std::optional<size_t> fastest_launch(const std::vector<Launch>& launches) {
    std::optional<size_t> f;
    for (size_t k = 0; k < launches.size(); ++k)
        if (pace_of(launches[k].pace) && (!f || *pace_of(launches[k].pace) < *pace_of(launches[*f].pace))) f = k;
    return f;
}

// "control loop 5.2% dearer in launch 2 than in launch 1"
std::string control_cause(const Seen& x, const Seen& y) {
    const Seen& dear = x.c >= y.c ? x : y;
    const Seen& cheap = x.c >= y.c ? y : x;
    int64_t permille = cheap.c > 0 ? int64_t(__int128(dear.c - cheap.c) * 1000 / cheap.c) : 0;
    return "control loop " + fixed1(permille) + "% dearer in " + launch_name(dear.launch) + " than in " +
           launch_name(cheap.launch);
}

int64_t pair_tolerance(const Seen& x, const Seen& y, const AggregatePolicy& policy) {
    const Seen& lo = x.h <= y.h ? x : y;
    return launch_tolerance(lo.h, lo.b, policy);
}

// Two launches agree on the headline (pick: the lower), or on the benchmark
// loop while one control loop is dearer (pick: the cheaper control's).
struct PairVerdict {
    const Seen* pick = nullptr;
    const Seen* other = nullptr;
    bool by_control = false;
};

PairVerdict judge(const Seen& x, const Seen& y, const AggregatePolicy& policy) {
    int64_t tol = pair_tolerance(x, y, policy);
    if (std::llabs(x.h - y.h) <= tol) return {x.h <= y.h ? &x : &y, x.h <= y.h ? &y : &x, false};
    if (std::llabs(x.b - y.b) <= tol && std::llabs(x.c - y.c) > tol)
        return {x.c <= y.c ? &x : &y, x.c <= y.c ? &y : &x, true};
    return {};
}

// Why no two launches establish a figure, `lowest` being reported.
std::string disagreement_cause(const std::vector<Seen>& seen, const Seen& lowest, const std::vector<Launch>& launches,
                               const AggregatePolicy& policy) {
    for (const Seen& s : seen)
        if (&s != &lowest && slower(launches[s.launch].pace, launches[lowest.launch].pace))
            return slow_phase_cause(launches[s.launch].pace, s.launch, launches[lowest.launch].pace, lowest.launch);
    for (const Seen& s : seen)
        if (&s != &lowest && std::llabs(s.c - lowest.c) > pair_tolerance(s, lowest, policy))
            return control_cause(s, lowest);
    std::string text = "launches disagree:";
    for (const Seen& s : seen) text += " " + milli_text(s.h) + " (" + launch_name(s.launch) + ")";
    return text;
}

BenchResult judged(const Seen& pick, const std::vector<Seen>& seen, bool noisy, std::string cause) {
    BenchResult out = *pick.r;
    out.noisy = noisy;
    out.noisy_cause = noisy ? std::move(cause) : "";
    out.run_medians_milli.clear();
    out.run_noisy.clear();
    for (const Seen& s : seen) {
        out.run_medians_milli.push_back(s.h);
        out.run_noisy.push_back(s.r->is_noisy());
    }
    return out;
}

// The figure of one benchmark measured ok in two launches or more.
BenchResult decide(const std::vector<Seen>& seen, const std::vector<Launch>& launches, const AggregatePolicy& policy,
                   Agreement& out) {
    PairVerdict best;
    for (size_t i = 0; i < seen.size(); ++i)
        for (size_t j = i + 1; j < seen.size(); ++j) {
            PairVerdict v = judge(seen[i], seen[j], policy);
            if (v.pick && (!best.pick || v.pick->h < best.pick->h)) best = v;
        }
    const Seen* lowest = &*std::min_element(seen.begin(), seen.end(), [](const Seen& a, const Seen& b) {
        return a.h < b.h;
    });
    const std::string& name = seen.front().r->name;
    if (!best.pick) {
        out.undecided.push_back(name);
        return judged(*lowest, seen, true, disagreement_cause(seen, *lowest, launches, policy));
    }
    // A cheaper figure than the agreed one that no launch confirms: when
    // both agreeing launches ran in a slower phase of the host than it, the
    // agreement is the slow phase's.
    if (lowest != best.pick && lowest != best.other &&
        best.pick->h - lowest->h > launch_tolerance(lowest->h, lowest->b, policy)) {
        const LaunchPace& fast = launches[lowest->launch].pace;
        if (slower(launches[best.pick->launch].pace, fast) && slower(launches[best.other->launch].pace, fast)) {
            out.undecided.push_back(name);
            return judged(*lowest, seen, true,
                          slow_phase_cause(launches[best.pick->launch].pace, best.pick->launch, fast, lowest->launch));
        }
    }
    // Both agreeing launches in a slower phase than another launch of the
    // run, which did not measure this benchmark (it measured only what was
    // undecided then): the agreement is the slow phase's too.
    if (std::optional<size_t> f = fastest_launch(launches);
        f && slower(launches[best.pick->launch].pace, launches[*f].pace) &&
        slower(launches[best.other->launch].pace, launches[*f].pace)) {
        out.undecided.push_back(name);
        return judged(*lowest, seen, true,
                      slow_phase_cause(launches[best.pick->launch].pace, best.pick->launch, launches[*f].pace, *f));
    }
    if (best.by_control)
        out.notes.push_back(name + ": " + control_cause(*best.pick, *best.other) + " (the benchmark loops agree): " +
                            launch_name(best.pick->launch) + "'s figure");
    return judged(*best.pick, seen, false, "");
}

}  // namespace

Agreement agree_launches(const std::vector<Launch>& launches, const AggregatePolicy& policy) {
    Agreement out;
    if (launches.size() == 1) {
        out.results = launches[0].results;  // flagged by flag_overcommitted if need be
        return out;
    }
    std::vector<std::string> order;
    for (const auto& l : launches)
        for (const auto& r : l.results)
            if (std::find(order.begin(), order.end(), r.name) == order.end()) order.push_back(r.name);
    for (const auto& name : order) {
        std::vector<Seen> seen, overcommitted;
        const BenchResult* first = nullptr;
        for (size_t k = 0; k < launches.size(); ++k)
            for (const auto& r : launches[k].results) {
                if (r.name != name) continue;
                if (!first) first = &r;
                if (!r.ok()) continue;
                Seen s{k, &r, r.headline_milli(), r.control_median_milli, r.headline_milli() + r.control_median_milli};
                (waits_for_a_cpu(r, launches[k]) ? overcommitted : seen).push_back(s);
            }
        if (seen.empty() && !overcommitted.empty()) {
            out.undecided.push_back(name);
            const Seen& low = *std::min_element(overcommitted.begin(), overcommitted.end(),
                                                [](const Seen& a, const Seen& b) { return a.h < b.h; });
            out.results.push_back(judged(low, overcommitted, true, overcommit_text(launches[low.launch].overcommit, " in " + launch_name(low.launch))));
        } else if (seen.empty()) {
            out.results.push_back(*first);
        } else if (seen.size() == 1) {
            out.undecided.push_back(name);
            out.results.push_back(judged(seen[0], seen, true, "measured in " + launch_name(seen[0].launch) + " only"));
        } else {
            out.results.push_back(decide(seen, launches, policy, out));
        }
    }
    return out;
}

size_t flag_overcommitted(std::vector<BenchResult>& results, const std::string& overcommit) {
    size_t flagged = 0;
    if (overcommit.empty()) return flagged;
    for (BenchResult& r : results)
        if (r.ok() && keeps_two_cpus_busy(r)) {
            r.noisy = true;
            r.noisy_cause = overcommit_text(overcommit, "");
            ++flagged;
        }
    return flagged;
}

namespace {
double benchmark_seconds(const BenchResult& r) { return double(r.elapsed_us.value_or(0)) / 1e6; }
}  // namespace

std::optional<NextLaunch> next_launch(const std::vector<Launch>& launches, const Agreement& agreement) {
    if (launches.empty() || launches.size() >= kMaxLaunches) return std::nullopt;
    NextLaunch next;
    if (launches.size() == 1) {
        for (const auto& r : launches[0].results)
            if (!r.ok()) next.skip.push_back(r.name);
        if (next.skip.size() == launches[0].results.size()) return std::nullopt;
        return next;
    }
    if (agreement.undecided.empty()) return std::nullopt;
    // Time outside the benchmarks: VMM starts, boots, a VM that crashed.
    double spent = 0, overhead = -1;
    for (const Launch& l : launches) {
        spent += l.seconds;
        double inside = 0;
        for (const auto& r : l.results) inside += benchmark_seconds(r);
        double outside = std::max(0.0, l.seconds - inside);
        if (overhead < 0 || outside < overhead) overhead = outside;
    }
    next.predicted_seconds = overhead;
    for (const auto& name : agreement.undecided) {
        double longest = 0;
        for (const Launch& l : launches)
            for (const auto& r : l.results)
                if (r.name == name) longest = std::max(longest, benchmark_seconds(r));
        next.predicted_seconds += longest;
    }
    double cheapest = launches[0].seconds;
    for (const Launch& l : launches)
        if (l.only.empty()) cheapest = std::min(cheapest, l.seconds);
    double budget = cheapest * double(kLaunchBudgetPercent) / 100.0;
    if (spent + next.predicted_seconds > budget) return std::nullopt;
    next.only = agreement.undecided;
    return next;
}

namespace {
std::string pace_note(const Launch& l, size_t k) {
    std::string text = launch_name(k) + ": " + std::to_string(l.results.size()) + " benchmarks (" +
                       fixed1(int64_t(l.seconds * 10 + 0.5)) + " s)";
    if (l.pace.timer_milli)
        text += ", timer call " + milli_text(*l.pace.timer_milli) + " cycles, empty loop " +
                milli_text(l.pace.empty_loop_milli.value_or(0)) + " per iteration (yardstick medians)";
    return text;
}
}  // namespace

AgreedRun run_launches(const RunSettings& base, const std::function<AggregatePolicy()>& policy,
                       const std::function<RunReport(const RunSettings&, size_t k, double* seconds)>& launch) {
    AgreedRun out;
    std::vector<Launch> launches;
    RunSettings first = base;
    bool budget_given = std::any_of(base.kernel_args.begin(), base.kernel_args.end(),
                                    [](const std::string& a) { return a.rfind("budget=", 0) == 0; });
    if (!budget_given) first.kernel_args.push_back("budget=" + std::to_string(kLaunchBudgetMs));
    RunSettings s = first;
    for (;;) {
        Launch l;
        RunReport r = launch(s, launches.size() + 1, &l.seconds);
        l.results = r.results;
        l.only = s.only != first.only ? s.only : std::vector<std::string>{};
        l.pace = launch_pace(r.yardstick_timer_milli, r.yardstick_empty_loop_milli);
        l.overcommit = r.overcommit;
        bool stop = r.interrupted || !r.fatal.empty() || (base.interrupted && *base.interrupted);
        out.paces.push_back(l.pace);
        launches.push_back(std::move(l));
        out.reports.push_back(std::move(r));
        out.agreement = agree_launches(launches, policy());
        if (stop) break;
        std::optional<NextLaunch> next = next_launch(launches, out.agreement);
        if (!next) break;
        s = first;
        s.skip.insert(s.skip.end(), next->skip.begin(), next->skip.end());
        if (!next->only.empty()) s.only = next->only;
    }
    std::vector<std::string> notes;
    for (size_t k = 0; k < launches.size() && launches.size() > 1; ++k) notes.push_back(pace_note(launches[k], k));
    notes.insert(notes.end(), out.agreement.notes.begin(), out.agreement.notes.end());
    if (!out.agreement.undecided.empty() && launches.size() > 1)
        notes.push_back(std::to_string(out.agreement.undecided.size()) + " benchmark(s) not established by " +
                        std::to_string(launches.size()) + " launches within the time budget (noisy): " +
                        join(out.agreement.undecided, ", "));
    out.agreement.notes = std::move(notes);
    return out;
}

}  // namespace hvb::tools
