// tests/unit/tool_records_test.cpp — the record reader (tools/records.h)
// against what a serial line really carries: streams cut short, garbled,
// interleaved with other output, fed in arbitrary pieces.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "kernel/record.h"
#include "tools/records.h"

namespace {

using hvb::tools::parse_run_log;
using hvb::tools::RunLog;
using hvb::tools::RunLogReader;

void Put(void* ctx, const char* s, size_t n) { static_cast<std::string*>(ctx)->append(s, n); }

std::string Header(uint32_t count) {
    std::string out;
    hvb::HeaderRecord h{};
    h.cpu_vendor = "GenuineIntel";
    h.cpu_model = "Test CPU";
    h.hypervisor = "none";
    h.tsc_hz = 3000000000;
    h.tsc_source = "cpuid15";
    h.cpus = 4;
    h.apic = "x2apic";
    h.boot = "mb2";
    h.loader = "GRUB 2.06";
    h.cmdline = "reps=5";
    h.timer = "rdtsc";
    h.default_reps = 5;
    h.benchmarks = count;
    hvb::write_header(hvb::Sink{&Put, &out}, h);
    return out;
}

std::string Begin(const char* name, uint32_t i, uint32_t n) {
    std::string out;
    hvb::write_begin(hvb::Sink{&Put, &out}, name, i, n);
    return out;
}

std::string Result(const char* name, int64_t median) {
    std::string out;
    hvb::ResultRecord r{};
    r.name = name;
    r.category = "privileged";
    r.status = hvb::Status::ok;
    r.reason = "";
    r.iterations = 1000;
    r.repetitions = 5;
    r.min_milli = median - 100;
    r.median_milli = median;
    r.mean_milli = median + 10;
    r.mad_milli = 50;
    r.control_median_milli = 3000;
    hvb::write_result(hvb::Sink{&Put, &out}, r);
    return out;
}

std::string End() {
    std::string out;
    hvb::EndRecord e{};
    e.counts[0] = 3;
    hvb::write_end(hvb::Sink{&Put, &out}, e);
    return out;
}

std::string Stream() {
    return "hvbench 0.1.0\r\n" + Header(3) + "benchmark  category\n" + Begin("a", 1, 3) + Result("a", 1000) +
           "a  privileged ok\n" + Begin("b", 2, 3) + Result("b", 2000) + Begin("c", 3, 3) + Result("c", 3000) + End() +
           "hvbench: done\n";
}

TEST(ToolRecords, WholeStream) {
    RunLog log = parse_run_log(Stream());
    ASSERT_TRUE(log.header);
    EXPECT_EQ(log.header->benchmarks, 3u);
    EXPECT_EQ(log.header->loader, "GRUB 2.06");
    ASSERT_EQ(log.results.size(), 3u);
    EXPECT_EQ(log.results[1].median_milli, 2000);
    EXPECT_EQ(log.begun.size(), 3u);
    EXPECT_TRUE(log.end);
    EXPECT_TRUE(log.problems.empty());
    EXPECT_FALSE(log.unfinished());
    EXPECT_EQ(log.record_count, 8u);
}

TEST(ToolRecords, TruncatedAtEveryByteLosesNothingBefore) {
    std::string s = Stream();
    size_t prev_results = 0;
    for (size_t cut = 0; cut <= s.size(); ++cut) {
        RunLog log = parse_run_log(s.substr(0, cut));
        // Results only grow with the cut, and a cut record is at most one problem.
        EXPECT_GE(log.results.size(), prev_results) << cut;
        prev_results = log.results.size();
        EXPECT_LE(log.problems.size(), 1u) << cut;
        for (size_t i = 0; i < log.results.size(); ++i) EXPECT_EQ(log.results[i].median_milli, int64_t(1000 * (i + 1)));
    }
    EXPECT_EQ(prev_results, 3u);
}

TEST(ToolRecords, CrashAfterBeginNamesTheCulprit) {
    std::string s = Header(3) + Begin("a", 1, 3) + Result("a", 1000) + Begin("b", 2, 3);
    RunLog log = parse_run_log(s);
    EXPECT_EQ(log.unfinished(), "b");
    EXPECT_FALSE(log.end);
    // Cut inside b's result: still b.
    std::string r = Result("b", 2000);
    log = parse_run_log(s + r.substr(0, r.size() / 2));
    EXPECT_EQ(log.unfinished(), "b");
    EXPECT_EQ(log.problems.size(), 1u);
}

TEST(ToolRecords, GarbledRecordIsAProblemNotALoss) {
    std::string s = Stream();
    std::string b = Result("b", 2000);
    size_t at = s.find(b);
    ASSERT_NE(at, std::string::npos);
    s[at + 20] = '\x7f';  // inside the JSON
    s[at + 40] = '}';
    RunLog log = parse_run_log(s);
    EXPECT_EQ(log.results.size(), 2u);
    EXPECT_EQ(log.problems.size(), 1u);
    EXPECT_TRUE(log.end);
    EXPECT_EQ(log.unfinished(), std::nullopt);  // the last begun (c) has its result
}

TEST(ToolRecords, RandomGarbageNeverThrowsOrCrashes) {
    std::mt19937 rng(1);
    std::string s = Stream();
    for (int n = 0; n < 300; ++n) {
        std::string g = s;
        for (int k = 0; k < 5; ++k) g[rng() % g.size()] = char(rng() % 256);
        RunLog log = parse_run_log(g);
        EXPECT_LE(log.results.size(), 3u);
    }
    std::string junk;
    for (int i = 0; i < 200000; ++i) junk += char(rng() % 256);
    RunLog log = parse_run_log(junk + "\n" + Stream());
    EXPECT_EQ(log.results.size(), 3u);
}

TEST(ToolRecords, InterleavedVmmMessagesMidRecord) {
    // QEMU's stderr merged into the same pipe lands in the middle of a record.
    std::string b = Result("b", 2000);
    std::string s = Header(3) + Begin("a", 1, 3) + Result("a", 1000) + Begin("b", 2, 3) + b.substr(0, 30) +
                    "qemu-system-x86_64: warning: TSC frequency mismatch\n" + b.substr(30) + Begin("c", 3, 3) +
                    Result("c", 3000) + End();
    RunLog log = parse_run_log(s);
    EXPECT_EQ(log.results.size(), 2u);  // a and c
    EXPECT_EQ(log.problems.size(), 1u);
    EXPECT_TRUE(log.end);
    // Human text without a newline before a record, and CRLF endings.
    log = parse_run_log("self-check ok" + Header(1) + "\r\n" + Begin("a", 1, 1) + Result("a", 5));
    EXPECT_TRUE(log.header);
    EXPECT_EQ(log.results.size(), 1u);
    EXPECT_TRUE(log.problems.empty());
}

TEST(ToolRecords, TwoRecordsOnOneLine) {
    std::string a = Begin("a", 1, 1), r = Result("a", 7);
    a.pop_back();  // the newline between them lost
    RunLog log = parse_run_log(a + r);
    EXPECT_EQ(log.begun.size(), 1u);
    EXPECT_EQ(log.results.size(), 1u);
    EXPECT_TRUE(log.problems.empty());
    // A cut record followed by a whole one: one problem, the whole one read.
    log = parse_run_log(Result("x", 1).substr(0, 25) + r);
    EXPECT_EQ(log.results.size(), 1u);
    EXPECT_EQ(log.problems.size(), 1u);
}

TEST(ToolRecords, TimingMarkersAreDropped) {
    std::string s = Stream();
    std::string marked;
    for (size_t i = 0; i < s.size(); ++i) {
        marked += s[i];
        if (i % 7 == 0) marked += (i % 14 == 0) ? hvb::tools::kMarkerStart : hvb::tools::kMarkerEnd;
    }
    RunLog log = parse_run_log(marked);
    EXPECT_EQ(log.results.size(), 3u);
    EXPECT_TRUE(log.problems.empty());
}

TEST(ToolRecords, ByteAtATimeEqualsWhole) {
    std::string s = Stream();
    RunLogReader r;
    for (char c : s) r.feed(std::string_view(&c, 1));
    r.finish();
    EXPECT_EQ(r.log().results.size(), 3u);
    EXPECT_EQ(r.log().record_count, parse_run_log(s).record_count);
}

TEST(ToolRecords, ParamsAreRead) {
    std::string line =
        R"(@hvb {"type":"result","name":"mem_hot","category":"memory","status":"ok","reason":"","iterations":10,)"
        R"("repetitions":5,"cycles":{"min":1.000,"median":2.000,"mean":2.000,"mad":0.000},"control":{"median":0.000},)"
        R"("params":{"working_set":4194304,"stride":64}})"
        "\n";
    RunLog log = parse_run_log(line);
    ASSERT_EQ(log.results.size(), 1u);
    ASSERT_EQ(log.results[0].params.size(), 2u);
    EXPECT_EQ(log.results[0].params[0].first, "working_set");
    EXPECT_EQ(log.results[0].params[0].second, 4194304u);
    EXPECT_EQ(log.results[0].params[1].first, "stride");
}

TEST(ToolRecords, MissingFieldsAreProblems) {
    RunLog log = parse_run_log("@hvb {\"type\":\"result\",\"name\":\"x\"}\n@hvb {\"type\":\"what\"}\n@hvb []\n");
    EXPECT_TRUE(log.results.empty());
    EXPECT_EQ(log.problems.size(), 3u);
}

TEST(ToolRecords, EndlessLineIsBounded) {
    RunLogReader r;
    std::string chunk(100000, 'x');
    for (int i = 0; i < 20; ++i) r.feed(chunk);
    r.feed("\n" + Begin("a", 1, 1));
    r.finish();
    EXPECT_EQ(r.log().begun.size(), 1u);
}

}  // namespace
