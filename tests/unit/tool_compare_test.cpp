// tests/unit/tool_compare_test.cpp — GNR math, the comparison table, the chart.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tools/compare.h"

namespace {

using namespace hvb::tools;

BenchResult R(const std::string& name, int64_t median, int64_t mad, const std::string& status = "ok") {
    BenchResult r;
    r.name = name;
    r.category = "cat";
    r.status = status;
    r.median_milli = median;
    r.mad_milli = mad;
    if (status != "ok") r.reason = "why";
    return r;
}

ResultsDoc Doc(const std::string& label, std::vector<BenchResult> b) {
    ResultsDoc d;
    d.info.label = label;
    d.benchmarks = std::move(b);
    return d;
}

TEST(ToolCompareMath, Gnr) {
    EXPECT_DOUBLE_EQ(*gnr(2000, 1000), 2.0);
    EXPECT_DOUBLE_EQ(*gnr(500, 1000), 0.5);
    EXPECT_FALSE(gnr(1000, 0));
    EXPECT_FALSE(gnr(1000, -5));
    EXPECT_FALSE(gnr(-5, 1000));
    EXPECT_FALSE(gnr(0, 1000));
}

TEST(ToolCompareMath, SpreadsOverlap) {
    EXPECT_TRUE(spreads_overlap(1000, 100, 1150, 50));   // [900,1100] vs [1100,1200]: touch
    EXPECT_FALSE(spreads_overlap(1000, 100, 1151, 50));
    EXPECT_TRUE(spreads_overlap(1000, 0, 1000, 0));
    EXPECT_FALSE(spreads_overlap(1000, 0, 1001, 0));
    EXPECT_TRUE(spreads_overlap(-100, 300, 150, 0));
    EXPECT_FALSE(spreads_overlap(INT64_MAX, INT64_MAX, INT64_MIN, INT64_MAX));  // no overflow
    EXPECT_TRUE(spreads_overlap(INT64_MAX, INT64_MAX, 0, 0));
    EXPECT_TRUE(spreads_overlap(INT64_MIN, INT64_MAX, -1, 0));
    EXPECT_TRUE(spreads_overlap(1000, -100, 1100, 0));                        // |mad|
}

TEST(ToolCompare, RowsRatiosAndFlags) {
    std::vector<ResultsDoc> docs = {
        Doc("native", {R("cpuid", 100000, 1000), R("idle", 0, 200), R("pushf", 20000, 500), R("rdtscp", 30000, 10)}),
        Doc("kvm", {R("cpuid", 1500000, 20000), R("idle", -500, 300), R("pushf", 20200, 400), R("rdtscp", 0, 0, "crashed"),
                    R("only_kvm", 5000, 1)}),
    };
    Comparison c = compare_results(docs, 0);
    ASSERT_EQ(c.labels, (std::vector<std::string>{"native", "kvm"}));
    ASSERT_EQ(c.rows.size(), 5u);
    EXPECT_EQ(c.rows[0].name, "cpuid");  // sorted by name
    EXPECT_DOUBLE_EQ(*c.rows[0].cells[1].ratio, 15.0);
    EXPECT_FALSE(c.rows[0].cells[1].overlaps);
    EXPECT_FALSE(c.rows[0].cells[0].ratio);  // the baseline has none
    EXPECT_FALSE(c.rows[1].cells[1].ratio);  // idle: not positive
    EXPECT_TRUE(c.rows[1].cells[1].overlaps);
    EXPECT_EQ(c.rows[2].name, "only_kvm");
    EXPECT_FALSE(c.rows[2].cells[0].present);
    EXPECT_FALSE(c.rows[2].cells[1].ratio);
    EXPECT_NEAR(*c.rows[3].cells[1].ratio, 1.01, 1e-12);
    EXPECT_TRUE(c.rows[3].cells[1].overlaps);  // 20.2±0.4 vs 20±0.5
    EXPECT_EQ(c.rows[4].cells[1].status, "crashed");
    EXPECT_FALSE(c.rows[4].cells[1].ratio);
    // Geometric mean over the rows where every platform has a ratio: cpuid, pushf.
    EXPECT_EQ(c.geomean_count, 2u);
    EXPECT_NEAR(*c.geomean[1], std::sqrt(15.0 * 1.01), 1e-9);
    EXPECT_FALSE(c.geomean[0]);
}

BenchResult WithCi(BenchResult r, int64_t low, int64_t high, bool noisy = false) {
    r.ci_low_milli = low;
    r.ci_high_milli = high;
    r.noisy = noisy;
    return r;
}

TEST(ToolCompareMath, IntervalsOverlap) {
    EXPECT_TRUE(intervals_overlap(100, 200, 200, 300));  // touch
    EXPECT_FALSE(intervals_overlap(100, 200, 201, 300));
    EXPECT_TRUE(intervals_overlap(100, 300, 150, 160));  // inside
    EXPECT_TRUE(intervals_overlap(200, 100, 150, 150));  // reversed ends
    EXPECT_TRUE(intervals_overlap(INT64_MIN, INT64_MAX, 0, 0));
}

TEST(ToolCompare, WithinNoiseUsesTheCisWhenBothHaveThem) {
    // MADs overlap (1000±100 vs 1150±60) but the CIs do not: a clear difference.
    std::vector<ResultsDoc> docs = {
        Doc("a", {WithCi(R("x", 1000, 100), 990, 1010), WithCi(R("y", 1000, 10), 950, 1060), R("z", 1000, 100),
                  WithCi(R("w", 1000, 100), 990, 1010)}),
        Doc("b", {WithCi(R("x", 1150, 60), 1140, 1160), WithCi(R("y", 1100, 10), 1050, 1150),
                  WithCi(R("z", 1150, 60), 1140, 1160), R("w", 1150, 60)}),
    };
    Comparison c = compare_results(docs, 0);
    ASSERT_EQ(c.rows.size(), 4u);
    const CompareCell& w = c.rows[0].cells[1];  // only the baseline has a CI: the MAD rule
    const CompareCell& x = c.rows[1].cells[1];
    const CompareCell& y = c.rows[2].cells[1];
    const CompareCell& z = c.rows[3].cells[1];  // only this side has a CI: the MAD rule
    EXPECT_TRUE(x.by_ci);
    EXPECT_FALSE(x.overlaps);
    EXPECT_TRUE(y.by_ci);
    EXPECT_TRUE(y.overlaps);  // the MADs do not overlap (1000±10 vs 1100±10), the CIs do
    EXPECT_FALSE(z.by_ci);
    EXPECT_TRUE(z.overlaps);
    EXPECT_FALSE(w.by_ci);
    EXPECT_TRUE(w.overlaps);
    std::string t = format_comparison(c);
    EXPECT_NE(t.find("overlap where both have one, else the spreads"), std::string::npos)
        << t;
}

TEST(ToolCompare, NoisyResultsAreShownAsSuch) {
    std::vector<ResultsDoc> docs = {Doc("tcg", {WithCi(R("cpuid", 15756, 528), 15000, 16000, true), R("idle", 0, 1)}),
                                    Doc("kvm", {WithCi(R("cpuid", 1234567, 12000), 1200000, 1250000), R("idle", 0, 1)})};
    Comparison c = compare_results(docs, 0);
    EXPECT_TRUE(c.rows[0].cells[0].noisy);
    EXPECT_FALSE(c.rows[0].cells[1].noisy);
    std::string t = format_comparison(c);
    EXPECT_NE(t.find("15.756 ±0.528 noisy"), std::string::npos) << t;
    EXPECT_EQ(t.find("1234.6 ±12.000 noisy"), std::string::npos) << t;
    EXPECT_NE(t.find("noisy = the run flagged the figure"), std::string::npos) << t;
    std::string svg = comparison_svg(c, "t");
    EXPECT_NE(svg.find("15.756 noisy"), std::string::npos);
    EXPECT_NE(svg.find("95% CI [15.000, 16.000]"), std::string::npos) << svg;
    // Without noisy results the legend does not mention them.
    docs[0].benchmarks[0].noisy = false;
    EXPECT_EQ(format_comparison(compare_results(docs, 0)).find("noisy"), std::string::npos);
}

TEST(ToolCompare, BaselineCanBeAnyPlatform) {
    std::vector<ResultsDoc> docs = {Doc("tcg", {R("a", 4000, 1)}), Doc("kvm", {R("a", 1000, 1)})};
    Comparison c = compare_results(docs, 1);
    EXPECT_EQ(c.baseline, 1u);
    EXPECT_DOUBLE_EQ(*c.rows[0].cells[0].ratio, 4.0);
}

TEST(ToolCompare, DuplicateLabelsAreMadeUnique) {
    std::vector<ResultsDoc> docs = {Doc("kvm", {}), Doc("kvm", {}), Doc("", {})};
    Comparison c = compare_results(docs, 0);
    EXPECT_EQ(c.labels, (std::vector<std::string>{"kvm", "kvm#2", "run"}));
}

TEST(ToolCompare, TextTable) {
    std::vector<ResultsDoc> docs = {Doc("tcg", {R("cpuid", 15756, 528), R("rdtscp", 0, 0, "unsupported")}),
                                    Doc("kvm", {R("cpuid", 1234567, 12000), R("rdtscp", 0, 0, "crashed")})};
    std::string t = format_comparison(compare_results(docs, 0));
    EXPECT_NE(t.find("kvm/tcg"), std::string::npos) << t;
    EXPECT_NE(t.find("15.756 ±0.528"), std::string::npos) << t;
    EXPECT_NE(t.find("1234.6 ±12.000"), std::string::npos) << t;
    EXPECT_NE(t.find("78.4"), std::string::npos) << t;  // 1234.567 / 15.756
    EXPECT_NE(t.find("crashed"), std::string::npos) << t;
    EXPECT_NE(t.find("geomean"), std::string::npos) << t;
    EXPECT_NE(t.find("kvm rdtscp: crashed — why"), std::string::npos) << t;
}

TEST(ToolCompare, SvgAndHtmlAreSelfContained) {
    std::vector<ResultsDoc> docs = {Doc("tcg", {R("cpuid", 15756, 528), R("idle", -200, 200), R("x<&>", 5, 1)}),
                                    Doc("kvm", {R("cpuid", 1234567, 12000), R("idle", 100, 10), R("x<&>", 0, 0, "crashed")})};
    Comparison c = compare_results(docs, 0);
    std::string svg = comparison_svg(c, "title & <more>");
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_NE(svg.find("title &amp; &lt;more&gt;"), std::string::npos);
    EXPECT_NE(svg.find("x&lt;&amp;&gt;"), std::string::npos);
    EXPECT_EQ(svg.find("x<&>"), std::string::npos);
    EXPECT_EQ(svg.find("href"), std::string::npos);  // nothing external
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_EQ(svg.find("inf"), std::string::npos);
    EXPECT_NE(svg.find(">1k</text>"), std::string::npos);  // axis ticks: 1, 10, 100, 1k, ...
    EXPECT_NE(svg.find(">1×</text>"), std::string::npos);
    std::string html = comparison_html(c, "t");
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(ToolCompare, EmptyAndSinglePlatformCharts) {
    Comparison c = compare_results({Doc("a", {})}, 0);
    EXPECT_NE(comparison_svg(c, "t").find("</svg>"), std::string::npos);
    Comparison one = compare_results({Doc("a", {R("x", 1000, 1)})}, 0);
    EXPECT_NE(comparison_svg(one, "t").find("</svg>"), std::string::npos);
    EXPECT_NE(format_comparison(one).find("x"), std::string::npos);
}

// An aarch64 kernel without a cycle rate counts nanoseconds, an x86 one TSC
// cycles: side by side, both in ns (each run's cycles at its own rate), and
// a run whose rate is unknown keeps its cycles and takes no ratio.
TEST(ToolCompare, MixedUnitsAreComparedInNanoseconds) {
    ResultsDoc arm = Doc("arm", {R("hypercall", 2000000, 100000)});  // 2000 ns
    arm.info.timer_unit = "ns";
    arm.info.timer_hz = 1000000000;
    ResultsDoc x86 = Doc("x86", {R("hypercall", 6000000, 300000)});  // 6000 cycles at 2 GHz: 3000 ns
    x86.info.timer_unit = "cycles";
    x86.info.timer_hz = 2000000000;
    BenchResult own_rate = R("hypercall", 4000000, 0);  // its VM's own rate: 4000 cycles at 4 GHz = 1000 ns
    own_rate.timer_hz = 4000000000;
    ResultsDoc x86b = Doc("x86b", {own_rate});
    x86b.info.timer_unit = "cycles";
    x86b.info.timer_hz = 2000000000;
    ResultsDoc norate = Doc("norate", {R("hypercall", 5000000, 0)});  // cycles, rate unknown
    Comparison c = compare_results({arm, x86, x86b, norate}, 0);
    EXPECT_EQ(c.unit, "ns");
    EXPECT_TRUE(c.mixed_units);
    ASSERT_EQ(c.rows.size(), 1u);
    const auto& cells = c.rows[0].cells;
    EXPECT_EQ(cells[0].median_milli, 2000000);
    EXPECT_EQ(cells[1].median_milli, 3000000);
    EXPECT_EQ(cells[1].mad_milli, 150000);
    EXPECT_DOUBLE_EQ(*cells[1].ratio, 1.5);
    EXPECT_EQ(cells[2].median_milli, 1000000);
    EXPECT_DOUBLE_EQ(*cells[2].ratio, 0.5);
    EXPECT_EQ(cells[3].median_milli, 5000000);  // left in cycles
    EXPECT_FALSE(cells[3].ratio);
    EXPECT_EQ(c.unconverted, (std::vector<bool>{false, false, false, true}));
    std::string text = format_comparison(c);
    EXPECT_EQ(text.rfind("nanoseconds per iteration", 0), 0u) << text;
    EXPECT_NE(text.find("converted to ns at its own timer rate"), std::string::npos);
    EXPECT_NE(text.find("norate has no timer rate"), std::string::npos);
}

TEST(ToolCompare, OneUnitIsLeftAsItIs) {
    ResultsDoc a = Doc("a", {R("x", 3000, 0)}), b = Doc("b", {R("x", 6000, 0)});
    a.info.timer_hz = 2000000000;  // "" unit: files from before timer_unit count cycles
    b.info.timer_unit = "cycles";
    b.info.timer_hz = 3000000000;
    Comparison c = compare_results({a, b}, 0);
    EXPECT_EQ(c.unit, "cycles");
    EXPECT_FALSE(c.mixed_units);
    EXPECT_EQ(c.rows[0].cells[1].median_milli, 6000);
    EXPECT_EQ(format_comparison(c).rfind("cycles per iteration", 0), 0u);
}

}  // namespace
