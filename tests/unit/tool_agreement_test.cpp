// tests/unit/tool_agreement_test.cpp — the default `hvbench run`: launches
// of fresh VMs until they agree (tools/agreement.h), with simulated launches
// on a host that has a slow phase and on one whose control loop moves.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/agreement.h"
#include "tools/records.h"
#include "tools/reference.h"

namespace {

using namespace hvb::tools;

// An ok result: headline `h` and control `c` per iteration (millicycles).
BenchResult Res(const std::string& name, int64_t h, int64_t c = 2000, bool noisy = false, uint64_t elapsed_us = 60000) {
    BenchResult r;
    r.name = name;
    r.category = "test";
    r.iterations = 1000;
    r.repetitions = 50;
    r.estimate_milli = h;
    r.median_milli = h + h / 50;
    r.control_median_milli = c;
    r.noisy = noisy;
    r.elapsed_us = elapsed_us;
    return r;
}

BenchResult Crashed(const std::string& name) {
    BenchResult r;
    r.name = name;
    r.status = "crashed";
    r.reason = "VM died";
    return r;
}

// `pace_milli`: the launch's yardstick, as its empty loop per iteration (the
// slow-phase judge) and its timer call alike.
Launch L(std::vector<BenchResult> results, int64_t pace_milli, double seconds = 2.6) {
    Launch l;
    l.results = std::move(results);
    l.pace.timer_milli = pace_milli;
    l.pace.empty_loop_milli = pace_milli;
    l.seconds = seconds;
    return l;
}

const BenchResult* Find(const Agreement& a, const std::string& name) {
    for (const auto& r : a.results)
        if (r.name == name) return &r;
    return nullptr;
}

bool Undecided(const Agreement& a, const std::string& name) {
    return std::find(a.undecided.begin(), a.undecided.end(), name) != a.undecided.end();
}

TEST(ToolAgreement, OneLaunchIsReturnedAsItIs) {
    std::vector<BenchResult> one = {Res("a", 300000, 2000, true), Crashed("b")};
    Agreement a = agree_launches({L(one, 91000)}, AggregatePolicy{});
    EXPECT_EQ(a.results, one);
    EXPECT_TRUE(a.undecided.empty());
}

TEST(ToolAgreement, TwoLaunchesThatAgreeGiveTheLowerFigureEstablished) {
    // The kernel flagged it in launch 1; the two launches agree within 3%.
    Agreement a = agree_launches({L({Res("a", 311600, 2000, true)}, 91000), L({Res("a", 309000)}, 94000)},
                                 AggregatePolicy{});
    const BenchResult* r = Find(a, "a");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->headline_milli(), 309000);
    EXPECT_FALSE(r->is_noisy());
    EXPECT_EQ(r->run_medians_milli, (std::vector<int64_t>{311600, 309000}));
    EXPECT_EQ(r->run_noisy, (std::vector<bool>{true, false}));
    EXPECT_TRUE(a.undecided.empty());
}

TEST(ToolAgreement, OneLaunchInTheSlowPhaseIsNamedAndMeasuredAgain) {
    // The invocation 1: invlpg 508.4 in the slow phase, 311.6 fast.
    Agreement a = agree_launches({L({Res("invlpg", 311600)}, 91000), L({Res("invlpg", 508400)}, 143000)},
                                 AggregatePolicy{});
    const BenchResult* r = Find(a, "invlpg");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->headline_milli(), 311600);
    EXPECT_TRUE(r->is_noisy());
    EXPECT_EQ(r->noisy_cause, "host in a slow phase: empty loop 1.57x launch 1's in launch 2");
    EXPECT_TRUE(Undecided(a, "invlpg"));
    // A third launch, fast, confirms launch 1.
    a = agree_launches({L({Res("invlpg", 311600)}, 91000), L({Res("invlpg", 508400)}, 143000),
                        L({Res("invlpg", 312400)}, 91000)},
                       AggregatePolicy{});
    r = Find(a, "invlpg");
    EXPECT_EQ(r->headline_milli(), 311600);
    EXPECT_FALSE(r->is_noisy());
    EXPECT_TRUE(a.undecided.empty());
}

TEST(ToolAgreement, AQuantizedTimerCallIsNoSlowPhase) {
    // TCG here: the timer call reads 21 or 42 cycles from pass to pass, so
    // one launch's median can be twice another's in one quiet phase; the
    // empty loop, the same in both, decides. Selfbench 2026-12-07 saw
    // "timer call 2.00x" on ipi_running in 4 of 5 invocations.
    Launch fast = L({Res("ipi_running", 3847000)}, 1230), slow = L({Res("ipi_running", 4300000)}, 1240);
    fast.pace.timer_milli = 21000;
    slow.pace.timer_milli = 42000;
    Agreement a = agree_launches({fast, slow}, AggregatePolicy{});
    const BenchResult* r = Find(a, "ipi_running");
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->is_noisy());
    EXPECT_EQ(r->noisy_cause.rfind("launches disagree:", 0), 0u) << r->noisy_cause;
    // A kernel that sent no empty loop is judged by its timer call.
    fast.pace.empty_loop_milli.reset();
    slow.pace.empty_loop_milli.reset();
    a = agree_launches({fast, slow}, AggregatePolicy{});
    EXPECT_EQ(Find(a, "ipi_running")->noisy_cause, "host in a slow phase: timer call 2.00x launch 1's in launch 2");
}

TEST(ToolAgreement, TwoSlowLaunchesAgreeingAgainstAFastOneDoNotEstablishTheSlowFigure) {
    Agreement a = agree_launches({L({Res("a", 6990000)}, 143000), L({Res("a", 6884000)}, 140000),
                                  L({Res("a", 5731000)}, 91000)},
                                 AggregatePolicy{});
    const BenchResult* r = Find(a, "a");
    EXPECT_EQ(r->headline_milli(), 5731000);
    EXPECT_TRUE(r->is_noisy());
    EXPECT_NE(r->noisy_cause.find("host in a slow phase"), std::string::npos) << r->noisy_cause;
    // The same three at one pace: two agree, the cheaper one is not confirmed
    // and the majority stands.
    a = agree_launches({L({Res("a", 6990000)}, 91000), L({Res("a", 6884000)}, 91000), L({Res("a", 5731000)}, 91000)},
                       AggregatePolicy{});
    EXPECT_EQ(Find(a, "a")->headline_milli(), 6884000);
    EXPECT_FALSE(Find(a, "a")->is_noisy());
}

TEST(ToolAgreement, AFigureOnlySlowLaunchesAgreedOnIsMeasuredAgainOnceAFasterLaunchRan) {
    // Selfbench 2026-12-07, invocation 1: launches 1 and 2 ran in the slow
    // phase (empty loop 2.03 and 2.00) and agreed on int3 923.9; launch 3
    // (1.31) measured only the 12 benchmarks undecided then.
    Launch l3 = L({Res("ipi", 27000000)}, 1314);
    l3.only = {"ipi"};
    Agreement a = agree_launches({L({Res("int3", 923900), Res("ipi", 31000000)}, 2028),
                                  L({Res("int3", 925000), Res("ipi", 40000000)}, 1998), l3},
                                 AggregatePolicy{});
    const BenchResult* r = Find(a, "int3");
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->is_noisy());
    EXPECT_EQ(r->noisy_cause, "host in a slow phase: empty loop 1.54x launch 3's in launch 1");
    EXPECT_TRUE(Undecided(a, "int3"));
    // Launch 4, fast, measures it again and agrees with nobody slow: still
    // noisy; a fifth would be needed (the budget decides).
    Launch l4 = L({Res("int3", 636000)}, 1290);
    l4.only = {"int3"};
    a = agree_launches({L({Res("int3", 923900)}, 2028), L({Res("int3", 925000)}, 1998), l3, l4}, AggregatePolicy{});
    EXPECT_EQ(Find(a, "int3")->headline_milli(), 636000);
    EXPECT_TRUE(Find(a, "int3")->is_noisy());
    // At one pace, the agreement stands.
    a = agree_launches({L({Res("int3", 923900)}, 1300), L({Res("int3", 925000)}, 1310), L({Res("ipi", 1)}, 1290)},
                       AggregatePolicy{});
    EXPECT_FALSE(Find(a, "int3")->is_noisy());
}

TEST(ToolAgreement, WhatWaitsForAnotherVcpuOnAnOvercommittedHostTakesNoPart) {
    // Selfbench --loaded, 2026-12-07, invocation 2: a second TCG guest
    // looping on this 2-core host; ipi_running (two vCPUs at once) read the
    // host's 8 ms time slice in both launches, which agreed.
    auto waits = [](int64_t milli) {
        BenchResult r = Res("ipi_running", milli);
        r.cpus_used = 2;
        return r;
    };
    const std::string busy = "host overcommitted: 1.0 CPUs of other work beside 2 vCPUs on 2 CPUs";
    Launch l1 = L({waits(16736454000), Res("cpuid", 11000)}, 1230), l2 = L({waits(16764300000), Res("cpuid", 11100)}, 1240);
    l1.overcommit = l2.overcommit = busy;
    Agreement a = agree_launches({l1, l2}, AggregatePolicy{});
    const BenchResult* r = Find(a, "ipi_running");
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->is_noisy());
    EXPECT_EQ(r->noisy_cause, busy + " in launch 1: a vCPU waited for a host CPU");
    EXPECT_TRUE(Undecided(a, "ipi_running"));
    EXPECT_FALSE(Find(a, "cpuid")->is_noisy());  // one vCPU at a time: the agreement stands
    // A launch with a CPU for each vCPU joins: its figure alone is not
    // established either (nothing to agree with), but it is the one reported.
    Launch l3 = L({waits(8211000)}, 1230);
    a = agree_launches({l1, l2, l3}, AggregatePolicy{});
    EXPECT_EQ(Find(a, "ipi_running")->headline_milli(), 8211000);
    EXPECT_EQ(Find(a, "ipi_running")->noisy_cause, "measured in launch 3 only");
    // Two such launches agree.
    a = agree_launches({l1, l3, L({waits(8300000)}, 1230)}, AggregatePolicy{});
    EXPECT_FALSE(Find(a, "ipi_running")->is_noisy());
    // One launch (--quick): flagged by flag_overcommitted.
    std::vector<BenchResult> quick = {waits(16736454000), Res("cpuid", 11000)};
    EXPECT_EQ(flag_overcommitted(quick, busy), 1u);
    EXPECT_TRUE(quick[0].is_noisy());
    EXPECT_EQ(quick[0].noisy_cause, busy + ": a vCPU waited for a host CPU");
    EXPECT_FALSE(quick[1].is_noisy());
    EXPECT_EQ(flag_overcommitted(quick, ""), 0u);
}

TEST(ToolAgreement, AControlLoopThatMovedInOneLaunchIsCaught) {
    // The nested KVM's invocation 3: cr8_read 1,350 with its control 5,187
    // against 1,563 with 4,912 (the benchmark loops 6,537 and 6,475 agree).
    Agreement a = agree_launches({L({Res("cr8_read", 1563000, 4912000)}, 1800000),
                                  L({Res("cr8_read", 1350000, 5187000)}, 1800000)},
                                 AggregatePolicy{});
    const BenchResult* r = Find(a, "cr8_read");
    EXPECT_EQ(r->headline_milli(), 1563000);
    EXPECT_FALSE(r->is_noisy());
    ASSERT_EQ(a.notes.size(), 1u);
    EXPECT_EQ(a.notes[0], "cr8_read: control loop 5.5% dearer in launch 2 than in launch 1 (the benchmark loops agree): "
                          "launch 1's figure");
    // When the benchmark loops do not agree either, it is noisy and says
    // which control moved.
    a = agree_launches({L({Res("wbinvd", 1433000, 4912000)}, 1800000),
                        L({Res("wbinvd", 1000000, 5187000)}, 1800000)},
                       AggregatePolicy{});
    r = Find(a, "wbinvd");
    EXPECT_EQ(r->headline_milli(), 1000000);
    EXPECT_TRUE(r->is_noisy());
    EXPECT_EQ(r->noisy_cause, "control loop 5.5% dearer in launch 2 than in launch 1");
}

TEST(ToolAgreement, LaunchesThatDisagreeForNoVisibleReasonSaySo) {
    Agreement a = agree_launches({L({Res("ipi", 24980000, 2000)}, 91000), L({Res("ipi", 11308000, 2000)}, 91000)},
                                 AggregatePolicy{});
    const BenchResult* r = Find(a, "ipi");
    EXPECT_EQ(r->headline_milli(), 11308000);
    EXPECT_TRUE(r->is_noisy());
    EXPECT_EQ(r->noisy_cause, "launches disagree: 24980.000 (launch 1) 11308.000 (launch 2)");
}

TEST(ToolAgreement, FailedAndOneLaunchResults) {
    Agreement a = agree_launches({L({Res("a", 1000000), Crashed("int3")}, 91000), L({Crashed("a")}, 91000)},
                                 AggregatePolicy{});
    EXPECT_EQ(Find(a, "int3")->status, "crashed");
    EXPECT_FALSE(Undecided(a, "int3"));
    EXPECT_TRUE(Find(a, "a")->is_noisy());
    EXPECT_EQ(Find(a, "a")->noisy_cause, "measured in launch 1 only");
    EXPECT_TRUE(Undecided(a, "a"));
}

TEST(ToolAgreement, ToleranceIncludesWhatTheLoopsResolve) {
    AggregatePolicy p;
    EXPECT_EQ(launch_tolerance(100000, 102000, p), 3000);   // 3% of the headline
    EXPECT_EQ(launch_tolerance(1000, 3000, p), 3000);       // 3 cycles
    EXPECT_EQ(launch_tolerance(1563000, 6475000, p), 64750);  // 1% of the benchmark loop
}

TEST(ToolAgreement, NextLaunchSkipsWhatFailedThenMeasuresOnlyTheUndecidedWithinTheBudget) {
    std::vector<Launch> launches = {L({Res("a", 1000000), Res("b", 2000000), Crashed("int3")}, 91000, 2.6)};
    auto next = next_launch(launches, agree_launches(launches, {}));
    ASSERT_TRUE(next);
    EXPECT_TRUE(next->only.empty());
    EXPECT_EQ(next->skip, (std::vector<std::string>{"int3"}));
    launches.push_back(L({Res("a", 1001000), Res("b", 3000000)}, 91000, 2.5));
    Agreement a = agree_launches(launches, {});
    EXPECT_EQ(a.undecided, (std::vector<std::string>{"b"}));
    next = next_launch(launches, a);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->only, (std::vector<std::string>{"b"}));
    EXPECT_TRUE(next->skip.empty());
    // The cheapest launch's time outside its benchmarks (2.5 - 0.12) plus
    // b's 0.06 s; 2.6 + 2.5 + 2.44 within 3.1 x 2.5.
    EXPECT_NEAR(next->predicted_seconds, 2.44, 1e-9);
    // 2.6 + 3.0 + 2.54 is past 3.1 x 2.6.
    launches[1].seconds = 3.0;
    EXPECT_FALSE(next_launch(launches, a));
    launches[1].seconds = 2.5;
    // Launch 3 measured only b and still disagrees: a fourth fits (its own
    // 0.3 s is the cheapest overhead; the budget stays that of a whole one).
    launches.push_back(L({Res("b", 4000000, 2000, false, 60000)}, 91000, 0.3));
    launches.back().only = {"b"};
    a = agree_launches(launches, {});
    next = next_launch(launches, a);
    ASSERT_TRUE(next);
    EXPECT_NEAR(next->predicted_seconds, 0.3, 1e-9);
    launches.push_back(launches.back());
    EXPECT_FALSE(next_launch(launches, agree_launches(launches, {})));  // kMaxLaunches
    launches.resize(2);
    // Nothing undecided: no launch.
    launches[1].results[1] = Res("b", 2010000);
    EXPECT_FALSE(next_launch(launches, agree_launches(launches, {})));
}

// A host with two speeds, 1.55x apart: every launch runs in the phase the
// sequence gives. One launch per invocation (--quick, or before the default
// launched a second VM) states a slow-phase figure as established; the
// default never does.
TEST(ToolAgreement, TwoSpeedHostNoSilentSlowPhaseFigure) {
    const std::vector<bool> slow = {true, false, false, false, true, true, false, true, false, false,
                                    true, true,  true,  false, false, true, false, false, true, false};
    size_t next_phase = 0;
    auto simulate = [&](const RunSettings& s, size_t, double* seconds) {
        bool is_slow = slow[next_phase++ % slow.size()];
        RunReport r;
        for (std::string name : {"cr8_write", "invlpg", "set_cr3"}) {
            if (!s.only.empty() && std::find(s.only.begin(), s.only.end(), name) == s.only.end()) continue;
            int64_t fast = name == "cr8_write" ? 200000 : name == "invlpg" ? 311000 : 5731000;
            r.results.push_back(Res(name, is_slow ? fast * 155 / 100 : fast, 2000, false, 800000));
        }
        r.yardstick_timer_milli.assign(5, is_slow ? 143000 : 91000);
        r.yardstick_empty_loop_milli.assign(5, is_slow ? 1900 : 1230);  // the slow phase shows in the empty loop
        *seconds = r.results.size() == 3 ? 2.6 : 0.3;
        return r;
    };
    size_t silent_default = 0, silent_quick = 0, established = 0;
    for (int invocation = 0; invocation < 10; ++invocation) {
        AgreedRun run = run_launches(RunSettings{}, [] { return AggregatePolicy{}; }, simulate);
        EXPECT_LE(run.reports.size(), kMaxLaunches);
        for (const auto& r : run.agreement.results) {
            bool high = r.headline_milli() > 311000 * 11 / 10 && r.name == "invlpg";
            silent_default += high && !r.is_noisy();
            established += !r.is_noisy();
        }
        // The first launch alone.
        for (const auto& r : run.reports[0].results)
            silent_quick += r.name == "invlpg" && r.headline_milli() > 311000 * 11 / 10 && !r.is_noisy();
    }
    EXPECT_EQ(silent_default, 0u);
    EXPECT_GT(silent_quick, 0u);
    EXPECT_GT(established, 15u);  // most figures are established, not just flagged
}

TEST(ToolAgreement, RunLaunchesStopsWhenTheLaunchesAgree) {
    size_t calls = 0;
    std::vector<RunSettings> seen;
    AgreedRun run = run_launches(
        RunSettings{}, [] { return AggregatePolicy{}; },
        [&](const RunSettings& s, size_t k, double* seconds) {
            EXPECT_EQ(k, ++calls);
            seen.push_back(s);
            RunReport r;
            r.results = {Res("a", 1000000), k == 1 ? Crashed("int3") : Res("zz", 5000)};
            *seconds = k == 1 ? 1.0 : 1.5;
            return r;
        });
    EXPECT_EQ(calls, 2u);
    EXPECT_EQ(seen[0].kernel_args, (std::vector<std::string>{"budget=40"}));  // kLaunchBudgetMs
    EXPECT_EQ(seen[1].skip, (std::vector<std::string>{"int3"}));
    EXPECT_EQ(seen[1].kernel_args, seen[0].kernel_args);
    EXPECT_FALSE(Find(run.agreement, "a")->is_noisy());
    // zz was measured only in launch 2 (int3's place): nothing to agree with,
    // and launch 3 would be past the budget (1 + 1.5 + 1.0 > 3.1 x 1).
    EXPECT_TRUE(Find(run.agreement, "zz")->is_noisy());
    ASSERT_FALSE(run.agreement.notes.empty());
    EXPECT_EQ(run.agreement.notes[0], "launch 1: 2 benchmarks (1.0 s)");
}

TEST(ToolAgreement, ABudgetTheUserGaveIsKept) {
    RunSettings base;
    base.kernel_args = {"budget=100"};
    std::vector<std::string> args;
    run_launches(base, [] { return AggregatePolicy{}; }, [&](const RunSettings& s, size_t, double* seconds) {
        args = s.kernel_args;
        *seconds = 1;
        return RunReport{};
    });
    EXPECT_EQ(args, (std::vector<std::string>{"budget=100"}));
}

TEST(ToolAgreement, YardsticksAreReadIntoTheLaunchPace) {
    RunLog log = parse_run_log(
        "@hvb {\"type\":\"yardstick\",\"pass\":1,\"t_us\":10,\"timer_cycles\":91.000,\"empty_loop_cycles\":2.100,"
        "\"empty_loop_iterations\":100}\n"
        "@hvb {\"type\":\"yardstick\",\"pass\":2,\"t_us\":20,\"timer_cycles\":143.000,\"empty_loop_cycles\":3.000,"
        "\"empty_loop_iterations\":100}\n"
        "@hvb {\"type\":\"yardstick\",\"pass\":3,\"t_us\":30,\"timer_cycles\":93.000,\"empty_loop_cycles\":2.200,"
        "\"empty_loop_iterations\":100}\n");
    EXPECT_EQ(log.yardstick_records, 3u);
    EXPECT_EQ(log.yardstick_timer_milli, (std::vector<int64_t>{91000, 143000, 93000}));
    LaunchPace p = launch_pace(log.yardstick_timer_milli, log.yardstick_empty_loop_milli);
    EXPECT_EQ(p.timer_milli, 93000);
    EXPECT_EQ(p.empty_loop_milli, 2200);
    EXPECT_FALSE(launch_pace({}, {}).timer_milli);
}

}  // namespace

// The per-host pace reference (tools/reference.h): an invocation slow in
// every launch, which launches that agree cannot see.
namespace {

using hvb::tools::judge_reference;
using hvb::tools::PaceReference;

PaceReference Here() { return {"host", "tcg", "QEMU TCG CPU", 0, 0, "2026-12-07T13:00:00+00:00", "test"}; }

LaunchPace Pace(int64_t loop) { return {91000, loop}; }

TEST(ToolReference, AbsentIsWrittenFromTheCheapestLaunch) {
    auto v = judge_reference(std::nullopt, "/r.json", {Pace(2000), Pace(1290)}, Here());
    ASSERT_TRUE(v.updated);
    EXPECT_EQ(v.updated->empty_loop_milli, 1290);
    EXPECT_TRUE(v.slow_cause.empty());
    ASSERT_EQ(v.notes.size(), 1u);
    EXPECT_EQ(v.notes[0], "no pace reference yet: /r.json written with this run's empty loop 1.290 cycles");
}

TEST(ToolReference, EveryLaunchSlowIsFlaggedAndTheReferenceIsNamed) {
    PaceReference ref = Here();
    ref.empty_loop_milli = 1290;
    // The 2026-12-07 loaded batch: invocations whose launches all ran at an
    // empty loop of 1.8-2.3 cycles against 1.25-1.3 in the fast ones.
    auto v = judge_reference(ref, "/r.json", {Pace(2000), Pace(1990)}, Here());
    EXPECT_EQ(v.slow_cause, "host in a slow phase: empty loop 1.54x its reference (/r.json, 2026-12-07T13:00:00+00:00) "
                            "in every launch");
    EXPECT_FALSE(v.updated);
    EXPECT_NE(v.notes[0].find("2026-12-07T13:00:00+00:00, test"), std::string::npos) << v.notes[0];
    // One fast launch: not slow throughout (the agreement judges it).
    v = judge_reference(ref, "/r.json", {Pace(2000), Pace(1300)}, Here());
    EXPECT_TRUE(v.slow_cause.empty());
    // Faster than the reference: lowered.
    v = judge_reference(ref, "/r.json", {Pace(1250)}, Here());
    ASSERT_TRUE(v.updated);
    EXPECT_EQ(v.updated->empty_loop_milli, 1250);
    // Another CPU model's reference is replaced, not used.
    ref.cpu_model = "other";
    v = judge_reference(ref, "/r.json", {Pace(5000)}, Here());
    EXPECT_TRUE(v.slow_cause.empty());
    ASSERT_TRUE(v.updated);
    // No yardsticks: nothing said.
    EXPECT_TRUE(judge_reference(ref, "/r.json", {LaunchPace{}}, Here()).notes.empty());
}

TEST(ToolReference, FileRoundTripAndFlagging) {
    std::string path = ::testing::TempDir() + "/hvb-ref-test/reference-tcg.json";
    PaceReference ref = Here();
    ref.empty_loop_milli = 1290;
    ref.timer_milli = 21000;
    std::string error;
    ASSERT_TRUE(hvb::tools::write_reference(path, ref, &error)) << error;
    auto back = hvb::tools::read_reference(path, &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->empty_loop_milli, 1290);
    EXPECT_EQ(back->date, ref.date);
    EXPECT_EQ(back->cpu_model, ref.cpu_model);
    ASSERT_TRUE(hvb::tools::write_text_file(path, "{}", &error));
    EXPECT_FALSE(hvb::tools::read_reference(path, &error));
    EXPECT_NE(error.find("not an hvbench pace reference"), std::string::npos);
    std::vector<BenchResult> results = {Res("a", 1000), Res("b", 1000, 2000, true), Crashed("c")};
    results[1].noisy_cause = "own";
    hvb::tools::flag_established(results, "slow");
    EXPECT_EQ(results[0].noisy_cause, "slow");
    EXPECT_EQ(results[1].noisy_cause, "own");
    EXPECT_FALSE(results[2].is_noisy());
}

}  // namespace
