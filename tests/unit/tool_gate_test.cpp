// tests/unit/tool_gate_test.cpp — the CI regression gate (tools/gate.h): its
// margins and intervals, every pairing of statuses, noisy results, the
// verdict lines, the options, and the JUnit report (tools/junit.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/gate.h"
#include "tools/junit.h"
#include "tools/sanitize.h"

namespace {

using namespace hvb::tools;

// An ok result with median ± MAD, no interval.
BenchResult R(const std::string& name, int64_t median, int64_t mad = 250) {
    BenchResult r;
    r.name = name;
    r.category = "cat";
    r.median_milli = median;
    r.mad_milli = mad;
    return r;
}

// An ok result whose headline has a 95% interval.
BenchResult E(const std::string& name, int64_t estimate, int64_t low, int64_t high) {
    BenchResult r = R(name, estimate);
    r.estimate_milli = estimate;
    r.estimate_low_milli = low;
    r.estimate_high_milli = high;
    return r;
}

BenchResult Status(const std::string& name, const std::string& status) {
    BenchResult r = R(name, 0, 0);
    r.status = status;
    r.reason = "why";
    return r;
}

Comparison Compare(std::vector<BenchResult> base, std::vector<BenchResult> next) {
    ResultsDoc a, b;
    a.info.label = "base";
    a.benchmarks = std::move(base);
    b.info.label = "new";
    b.benchmarks = std::move(next);
    return compare_results({a, b}, 0);
}

GateOptions Above(uint32_t permille) {
    GateOptions o;
    o.above_permille = permille;
    return o;
}

const GateCase& Case(const GateReport& r, const std::string& name) {
    for (const auto& g : r.cases)
        if (g.name == name) return g;
    static GateCase none;
    ADD_FAILURE() << "no case " << name;
    return none;
}

TEST(ToolGate, MarginIsThePercentageOrOneCycle) {
    EXPECT_EQ(int64_t(gate_margin(100000, 50)), 5000);   // 5% of 100 cycles
    EXPECT_EQ(int64_t(gate_margin(-100000, 50)), 5000);  // of its magnitude
    EXPECT_EQ(int64_t(gate_margin(10250, 50)), 1000);    // 0.51 cycles: the 1-cycle floor
    EXPECT_EQ(int64_t(gate_margin(0, 0)), 1000);
    // No overflow at the ends of int64 and the largest percentage.
    EXPECT_EQ(gate_margin(INT64_MIN, 1000000), __int128(INT64_MIN) * -1000);
}

TEST(ToolGate, IntervalIsTheCiWhenBothHaveOneElseTheSpread) {
    Comparison c = Compare({E("a", 10000, 9000, 12000)}, {E("a", 10000, 9500, 10500)});
    GateInterval ci = gate_interval(c.rows[0].cells[0], true);
    EXPECT_EQ(int64_t(ci.low), 9000);
    EXPECT_EQ(int64_t(ci.high), 12000);
    GateInterval mad = gate_interval(c.rows[0].cells[0], false);
    EXPECT_EQ(int64_t(mad.low), 9750);
    EXPECT_EQ(int64_t(mad.high), 10250);
    BenchResult neg = R("b", 1000, -300);  // |MAD|
    EXPECT_EQ(int64_t(gate_interval(Compare({neg}, {neg}).rows[0].cells[0], false).low), 700);
}

TEST(ToolGate, RegressionOnlyBeyondTheMargin) {
    // Baseline interval [95, 100] cycles: 5% of its high end is 5 cycles.
    Comparison c = Compare({E("at", 97000, 95000, 100000), E("over", 97000, 95000, 100000),
                            E("overlap", 97000, 95000, 100000), E("floor", 1000, 1000, 1000)},
                           {E("at", 106000, 105000, 107000), E("over", 106000, 105001, 107000),
                            E("overlap", 99000, 99000, 120000), E("floor", 1900, 1900, 1900)});
    GateReport r = run_gate(c, Above(50));
    EXPECT_EQ(Case(r, "at").outcome, GateOutcome::pass);  // exactly 5 cycles beyond: not more
    EXPECT_EQ(Case(r, "over").outcome, GateOutcome::regression);
    EXPECT_EQ(Case(r, "overlap").outcome, GateOutcome::pass);  // the intervals overlap: noise
    EXPECT_EQ(Case(r, "floor").outcome, GateOutcome::pass);    // +90%, but 0.9 cycles
    EXPECT_EQ(r.failed, 1u);
    EXPECT_EQ(r.skipped, 0u);
    EXPECT_EQ(Case(r, "over").text,
              "REGRESSION over [new vs base]: 97.000 -> 106.000 cycles (+9.3%); new interval [105.001, 107.000] lies "
              "5.001 above baseline [95.000, 100.000], beyond the margin 5.000 (5% of 100.000, at least 1 cycle; 95% "
              "intervals)");
    EXPECT_EQ(Case(r, "at").text,
              "97.000 -> 106.000 cycles (+9.3%): within the margin (new [105.000, 107.000], baseline [95.000, 100.000]; "
              "95% intervals)");
}

TEST(ToolGate, SpreadsWhereEitherSideHasNoInterval) {
    // One side without an interval: both use headline ± MAD, as compare's "~".
    Comparison c = Compare({E("a", 10000, 10000, 10000)}, {R("a", 12000, 250)});
    GateReport r = run_gate(c, Above(50));
    EXPECT_EQ(Case(r, "a").outcome, GateOutcome::regression);  // [11.75, 12.25] vs [9.75, 10.25]
    EXPECT_NE(Case(r, "a").text.find("intervals headline ±MAD"), std::string::npos);
    Comparison d = Compare({R("a", 10000, 250)}, {R("a", 11000, 250)});  // gap 0.5 cycle: under the floor
    EXPECT_EQ(run_gate(d, Above(0)).failed, 0u);
}

TEST(ToolGate, FailBelowCatchesFasterResults) {
    Comparison c = Compare({R("a", 20000), R("b", 20000)}, {R("a", 10000), R("b", 19800)});
    EXPECT_EQ(run_gate(c, Above(50)).failed, 0u);  // cheaper is no regression
    GateOptions both = Above(50);
    both.below_permille = 100;
    GateReport r = run_gate(c, both);
    EXPECT_EQ(Case(r, "a").outcome, GateOutcome::faster);
    EXPECT_EQ(Case(r, "b").outcome, GateOutcome::pass);
    EXPECT_EQ(Case(r, "a").text.rfind("FASTER a [new vs base]: 20.000 -> 10.000 cycles (-50.0%); new interval "
                                      "[9.750, 10.250] lies 9.500 below baseline [19.750, 20.250]",
                                      0),
              0u);
    EXPECT_EQ(r.rule, "--fail-above 5% --fail-below 10%");
}

TEST(ToolGate, StatusesBreakOrSkip) {
    Comparison c = Compare({R("ok_crash", 10000), R("ok_fault", 10000), R("ok_timeout", 10000), R("ok_unsup", 10000),
                            R("ok_skip", 10000), Status("crash_ok", "crashed"), Status("both", "crashed"),
                            R("gone", 10000)},
                           {Status("ok_crash", "crashed"), Status("ok_fault", "faulted"),
                            Status("ok_timeout", "timeout"), Status("ok_unsup", "unsupported"),
                            Status("ok_skip", "skipped"), R("crash_ok", 10000), Status("both", "crashed"),
                            R("added", 10000)});
    GateReport r = run_gate(c, Above(50));
    EXPECT_EQ(Case(r, "ok_crash").outcome, GateOutcome::broken);
    EXPECT_EQ(Case(r, "ok_crash").text,
              "BROKEN ok_crash [new vs base]: ok in the baseline (10.000 cycles), in the new file crashed: why");
    EXPECT_EQ(Case(r, "ok_fault").outcome, GateOutcome::broken);
    EXPECT_EQ(Case(r, "ok_timeout").outcome, GateOutcome::broken);
    EXPECT_EQ(Case(r, "ok_unsup").outcome, GateOutcome::skipped);
    EXPECT_EQ(Case(r, "ok_unsup").text, "did not run in the new file: unsupported: why");
    EXPECT_EQ(Case(r, "ok_skip").outcome, GateOutcome::skipped);
    EXPECT_EQ(Case(r, "crash_ok").text, "no baseline figure: crashed: why");
    EXPECT_EQ(Case(r, "both").text, "no baseline figure: crashed: why; new: crashed: why");
    EXPECT_EQ(Case(r, "gone").text, "not in the new file (baseline: ok)");
    EXPECT_EQ(Case(r, "added").text, "not in the baseline (new: ok)");
    EXPECT_EQ(r.failed, 3u);
    EXPECT_EQ(r.skipped, 6u);
    EXPECT_EQ(r.cases.size(), 9u);
}

TEST(ToolGate, NoisyResultsAreGatedAndSaidOrSkipped) {
    BenchResult noisy = R("a", 12000);
    noisy.noisy = true;
    Comparison c = Compare({R("a", 10000), R("b", 10000)}, {noisy, R("b", 10000)});
    GateReport r = run_gate(c, Above(50));
    EXPECT_EQ(Case(r, "a").outcome, GateOutcome::regression);
    EXPECT_NE(Case(r, "a").text.find("; noisy (new: the headline is not established"), std::string::npos);
    GateOptions skip = Above(50);
    skip.skip_noisy = true;
    GateReport s = run_gate(c, skip);
    EXPECT_EQ(Case(s, "a").outcome, GateOutcome::skipped);
    EXPECT_EQ(Case(s, "b").outcome, GateOutcome::pass);
    EXPECT_EQ(s.failed, 0u);
    EXPECT_EQ(s.rule, "--fail-above 5% --skip-noisy");
}

TEST(ToolGate, EveryFileAgainstTheBaseline) {
    ResultsDoc a, b, d;
    a.info.label = "base";
    a.benchmarks = {R("x", 10000)};
    b.info.label = "same";
    b.benchmarks = {R("x", 10000)};
    d.info.label = "dearer";
    d.benchmarks = {R("x", 20000), R("only_here", 1000)};
    Comparison c = compare_results({a, b, d}, 0);
    GateReport r = run_gate(c, Above(50));
    ASSERT_EQ(r.cases.size(), 3u);  // only_here is in neither the baseline nor "same": one case
    EXPECT_EQ(r.failed, 1u);
    EXPECT_EQ(r.cases[0].platform, 1u);
    EXPECT_EQ(r.cases[1].outcome, GateOutcome::skipped);  // only_here in dearer
    EXPECT_EQ(r.cases[2].outcome, GateOutcome::regression);
    std::string text = format_gate(c, r);
    EXPECT_EQ(text.substr(0, text.find('\n')).rfind("REGRESSION x [dearer vs base]", 0), 0u);
    EXPECT_NE(text.find("\nskipped only_here [dearer]: not in the baseline (new: ok)\n"), std::string::npos);
    EXPECT_NE(text.find("\ngate (--fail-above 5%): FAILED, 1 failed, 1 passed, 1 skipped of 3\n"), std::string::npos);
}

TEST(ToolGate, Options) {
    auto parse = [](std::vector<std::string> words, GateOptions& o, std::string& error) {
        std::vector<char*> argv = {const_cast<char*>("hvbench")};
        for (auto& w : words) argv.push_back(w.data());
        Args args(int(argv.size()), argv.data(), 1);
        bool took = true;
        while (!args.done() && error.empty() && took) took = gate_option(args, o, error);
        return took;
    };
    GateOptions o;
    std::string error;
    EXPECT_TRUE(parse({"--fail-above", "5%", "--fail-below=0.5", "--skip-noisy", "--junit", "r.xml"}, o, error));
    EXPECT_EQ(error, "");
    EXPECT_EQ(o.above_permille.value_or(999), 50u);
    EXPECT_EQ(o.below_permille.value_or(999), 5u);
    EXPECT_TRUE(o.skip_noisy);
    EXPECT_EQ(o.junit, "r.xml");
    EXPECT_TRUE(o.active());
    for (const char* bad : {"abc", "-5%", "5.25%", "", "%", "100001%", "1e3", "5%%"}) {
        GateOptions b;
        std::string e;
        parse({"--fail-above", bad}, b, e);
        EXPECT_NE(e.find("--fail-above needs a percentage"), std::string::npos) << bad;
    }
    GateOptions z;
    error.clear();
    parse({"--fail-above", "0"}, z, error);  // 0%: any clear difference beyond a cycle fails
    EXPECT_EQ(z.above_permille.value_or(999), 0u);
    error.clear();
    parse({"--junit"}, z, error);
    EXPECT_EQ(error, "--junit needs a value");
    error.clear();
    EXPECT_FALSE(parse({"--chart", "x.svg"}, z, error));  // not the gate's
    EXPECT_FALSE(GateOptions{}.active());
}

TEST(ToolGate, PercentPermille) {
    EXPECT_EQ(percent_permille("5%", 1000).value_or(12345), 50u);
    EXPECT_EQ(percent_permille("0.5", 1000).value_or(12345), 5u);
    EXPECT_EQ(percent_permille("0", 1000).value_or(12345), 0u);
    EXPECT_EQ(percent_permille("100%", 1000).value_or(12345), 1000u);
    EXPECT_FALSE(percent_permille("100.1%", 1000));
    EXPECT_EQ(percent_permille("999999.9%", UINT32_MAX).value_or(12345), 9999999u);
    for (const char* bad : {"", "%", ".5", "1.", "1.25", "-1", "1e1", "1,5", "1%%", "1000000"})
        EXPECT_FALSE(percent_permille(bad, UINT32_MAX)) << bad;
}

TEST(ToolGate, XmlText) {
    EXPECT_EQ(xml_text("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    EXPECT_EQ(xml_text("x\x01y\xffz\r"), "x\\x01y\\xffz\\x0d");  // no control or invalid byte reaches XML
    EXPECT_EQ(xml_text("\xEF\xBF\xBE\xEF\xBF\xBF"), "\\xef\\xbf\\xbe\\xef\\xbf\\xbf");  // not XML characters
    EXPECT_EQ(xml_text("±µ\n\t"), "±µ\n\t");
}

TEST(ToolGate, JUnitReport) {
    Comparison c = Compare({R("a<&>", 10000), R("b", 10000), R("c", 10000)},
                           {R("a<&>", 20000), Status("b", "unsupported"), R("c", 10000)});
    c.rows[0].category = "cat\"x";
    GateReport r = run_gate(c, Above(50));
    std::string x = junit_xml(c, r);
    EXPECT_EQ(x.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hvbench compare --fail-above "
                      "5%\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\">\n  <testsuite name=\"hvbench "
                      "gate: new vs base\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\">\n",
                      0),
              0u);
    EXPECT_NE(x.find("<testcase classname=\"hvbench.cat&quot;x\" name=\"a&lt;&amp;&gt;\" time=\"0\">\n      <failure "
                     "type=\"regression\" message=\"REGRESSION a&lt;&amp;&gt; [new vs base]: 10.000 -&gt; 20.000"),
              std::string::npos);
    EXPECT_NE(x.find("<testcase classname=\"hvbench.cat\" name=\"b\" time=\"0\">\n      <skipped message=\"did not "
                     "run in the new file: unsupported: why\"/>\n    </testcase>"),
              std::string::npos);
    EXPECT_NE(x.find("name=\"c\" time=\"0\">\n      <system-out>10.000 -&gt; 10.000 cycles (+0.0%): within"),
              std::string::npos);
    const std::string tail = "  </testsuite>\n</testsuites>\n";
    EXPECT_EQ(x.substr(x.size() - tail.size()), tail);
}

}  // namespace
