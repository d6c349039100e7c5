// tests/unit/tool_timing_test.cpp — external timing: marker bytes in a
// synthetic serial stream, stamped, paired and filed per benchmark.
#include <gtest/gtest.h>

#include <string>

#include "kernel/record.h"
#include "tools/timing.h"

namespace {

using namespace hvb::tools;

void Put(void* ctx, const char* s, size_t n) { static_cast<std::string*>(ctx)->append(s, n); }

std::string Begin(const char* name) {
    std::string out;
    hvb::write_begin(hvb::Sink{&Put, &out}, name, 1, 2);
    return out;
}

std::string Result(const char* name, uint64_t iterations) {
    std::string out;
    hvb::ResultRecord r{};
    r.name = name;
    r.category = "c";
    r.status = hvb::Status::ok;
    r.reason = "";
    r.iterations = iterations;
    r.repetitions = 3;
    hvb::write_result(hvb::Sink{&Put, &out}, r);
    return out;
}

const std::string kStart(1, kMarkerStart), kEnd(1, kMarkerEnd);

TEST(ToolTiming, HostTscRunsAndCalibrates) {
    uint64_t a = host_tsc(), b = host_tsc();
    EXPECT_GE(b, a);
    uint64_t hz = calibrate_host_tsc_hz(20);
    EXPECT_GT(hz, 100000000u);     // > 100 MHz
    EXPECT_LT(hz, 10000000000u);   // < 10 GHz
}

std::vector<HostLoop> Timed(std::initializer_list<uint64_t> cycles) {
    std::vector<HostLoop> out;
    for (uint64_t c : cycles) out.push_back(HostLoop{c, false});
    return out;
}

TEST(ToolTiming, ExternalStatsFromLoops) {
    // Three repetitions: control 1000, benchmark 1000 + 500*k host cycles, 10 iterations.
    auto loops = Timed({1000, 1500, 1000, 2000, 1000, 2500});
    auto s = external_stats(loops, 10);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->samples, 3u);
    EXPECT_EQ(s->unresolved, 0u);
    EXPECT_EQ(s->min_milli, 50000);      // 500 / 10 cycles
    EXPECT_EQ(s->median_milli, 100000);  // 1000 / 10
    EXPECT_EQ(s->mean_milli, 100000);
    EXPECT_EQ(s->mad_milli, 50000);
    EXPECT_EQ(s->control_median_milli, 100000);
    // A trailing unpaired control is ignored; nothing to pair is nullopt.
    loops.push_back(HostLoop{999, false});
    EXPECT_EQ(external_stats(loops, 10)->samples, 3u);
    EXPECT_FALSE(external_stats(Timed({1000}), 10));
    EXPECT_FALSE(external_stats(Timed({1000, 2000}), 0));
}

TEST(ToolTiming, LoopsTheHostDidNotTimeAreLeftOut) {
    // A benchmark loop whose markers came in one read has no host duration
    // (0 here): its pair is left out, not counted as a free operation. A
    // control loop in one read (microseconds, below what the host sees)
    // counts as 0 cycles.
    std::vector<HostLoop> loops = {{1000, false}, {1500, false},  // 50
                                   {0, true},     {0, true},      // left out
                                   {1000, false}, {0, true},      // left out
                                   {0, true},     {1500, false},  // 150
                                   {1000, false}, {3000, false}}; // 200
    auto s = external_stats(loops, 10);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->samples, 3u);
    EXPECT_EQ(s->unresolved, 2u);
    EXPECT_EQ(unresolved_pairs(loops), 2u);
    EXPECT_EQ(s->min_milli, 50000);
    EXPECT_EQ(s->median_milli, 150000);  // of {50, 150, 200}: the 0-cycle pairs are not in it
    EXPECT_EQ(s->control_median_milli, 100000);  // of {100, 0, 100}
    // Nothing the host timed: no host figure at all, rather than 0 cycles.
    EXPECT_FALSE(external_stats({{0, true}, {0, true}}, 10));
    EXPECT_EQ(unresolved_pairs({{0, true}, {0, true}}), 1u);
    EXPECT_EQ(unresolved_pairs({{0, true}, {10, false}}), 0u);
}

TEST(ToolTiming, MarkersAreStampedPairedAndStripped) {
    SerialStream s;
    s.feed("boot text\n" + Begin("a"), 100);
    // Each marker arrives in its own read, stamped with that read's TSC.
    uint64_t t = 1000;
    for (int rep = 0; rep < 3; ++rep) {
        s.feed(kStart, t);
        s.feed(kEnd, t + 100);  // control: 100
        s.feed(kStart, t + 200);
        s.feed(kEnd, t + 200 + 300 + 50 * uint64_t(rep));  // benchmark: 300, 350, 400
        t += 10000;
    }
    s.feed(Result("a", 10), t);
    s.finish();
    EXPECT_EQ(s.markers(), 12u);
    EXPECT_EQ(s.stray_markers(), 0u);
    ASSERT_EQ(s.log().results.size(), 1u);
    EXPECT_TRUE(s.log().problems.empty());
    const auto* timed = s.timed_for("a");
    ASSERT_TRUE(timed);
    EXPECT_EQ(timed->loops, Timed({100, 300, 100, 350, 100, 400}));
    EXPECT_EQ(timed->unpaired, 0u);
    auto st = external_stats(timed->loops, 10);
    EXPECT_EQ(st->median_milli, 25000);  // (350 - 100) / 10
    for (const auto& line : s.last_lines(10))
        EXPECT_EQ(line.find_first_of(kStart + kEnd), std::string::npos) << line;
}

TEST(ToolTiming, MarkersInsideOneReadAndMidLine) {
    // Markers in the middle of a chunk and even in the middle of a human line
    // (outside the records) still pair, and the text around them is intact.
    SerialStream s;
    std::string chunk = Begin("b") + "tab" + kStart + "le r" + kEnd + "ow\n" + kStart + kEnd + Result("b", 1);
    s.feed(chunk, 5);
    s.finish();
    ASSERT_EQ(s.log().results.size(), 1u);
    const auto* timed = s.timed_for("b");
    ASSERT_TRUE(timed);
    // One read, one stamp: the host did not time these loops.
    EXPECT_EQ(timed->loops, (std::vector<HostLoop>{{0, true}, {0, true}}));
    EXPECT_FALSE(external_stats(timed->loops, 1));
    bool found = false;
    for (const auto& l : s.last_lines(10)) found = found || l == "table row";
    EXPECT_TRUE(found);
}

TEST(ToolTiming, StrayAndUnpairedMarkers) {
    SerialStream s;
    s.feed(kStart + kEnd, 1);  // before any benchmark
    s.feed(Begin("a"), 2);
    s.feed(kEnd, 3);           // end without start
    s.feed(kStart, 4);
    s.feed(kStart, 5);         // start without end
    s.feed(kEnd, 9);
    s.feed(Result("a", 1), 10);
    s.feed(kStart, 11);        // after the result: stray
    s.finish();
    EXPECT_EQ(s.stray_markers(), 3u);
    const auto* t = s.timed_for("a");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->unpaired, 2u);
    EXPECT_EQ(t->loops, Timed({4}));
}

TEST(ToolTiming, TwoBenchmarksKeepTheirOwnLoops) {
    SerialStream s;
    s.feed(Begin("a"), 0);
    s.feed(kStart, 10);
    s.feed(kEnd, 20);
    s.feed(Result("a", 1) + Begin("b"), 30);
    s.feed(kStart, 40);
    s.feed(kEnd, 90);
    s.feed(Result("b", 1), 100);
    ASSERT_EQ(s.timed().size(), 2u);
    EXPECT_EQ(s.timed_for("a")->loops, Timed({10}));
    EXPECT_EQ(s.timed_for("b")->loops, Timed({50}));
}

TEST(ToolTiming, LastLines) {
    SerialStream s;
    for (int i = 0; i < 200; ++i) s.feed("line " + std::to_string(i) + "\r\n", 0);
    s.feed("partial", 0);
    auto l = s.last_lines(3);
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0], "line 198");
    EXPECT_EQ(l[1], "line 199");
    EXPECT_EQ(l[2], "partial");
    EXPECT_TRUE(s.last_lines(0).empty());
}

}  // namespace
