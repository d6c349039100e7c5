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
    h.timer_hz = 3000000000;
    h.rate_source = "cpuid15";
    h.cpus = 4;
    h.intc = "x2apic";
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

// The fields issue 6 adds (contract: every one optional), as a kernel wrote
// them before issue 22 (the x86 names: tsc_hz, tsc_source, invariant_tsc,
// apic, rdtsc_cycles, rdtsc_intercepted).
const char kNewHeader[] =
    R"(@hvb {"type":"header","version":1,"cpu_vendor":"GenuineIntel","cpu_model":"Test CPU","cpu_family":6,)"
    R"("cpu_model_id":85,"cpu_stepping":7,"hypervisor":"KVMKVMKVM","tsc_hz":2000000000,"tsc_source":"cpuid15",)"
    R"("invariant_tsc":true,"cpus":2,"apic":"x2apic","memory_bytes":268435456,"boot":"pvh","loader":"",)"
    R"("cmdline":"pinned=vcpus linearity=1","timer":"rdtsc","timing":"internal","reps":0,"benchmarks":2,)"
    R"("boot_us":41234,"timer_cycles":31.500,"timer_mad":0.500,"rdtsc_cycles":4365.692,)"
    R"("rdtsc_intercepted":true,"smi_counter":false,"iterations_mode":"adaptive","reps_mode":"adaptive",)"
    R"("target_permille":10,"target_min_cycles":1.000,"confidence_percent":95,"budget_ms":200,"min_reps":6,)"
    R"("max_reps":1000,"outlier_rule":"drop repetitions above median + 10 MAD","pinned":"vcpus","linearity":true})"
    "\n";

const char kNewResult[] =
    R"(@hvb {"type":"result","name":"cpuid","category":"privileged","status":"ok","reason":"",)"
    R"("iterations":1000,"repetitions":23,"iterations_mode":"adaptive",)"
    R"("cycles":{"min":1500.000,"median":1520.250,"mean":1525.000,"mad":3.125,"ci_low":1518.000,"ci_high":1523.500},)"
    R"("control":{"median":30.000},"noisy":false,"outliers":2,"interrupts":1,"smis":0,"timer_drift_permille":31,"speed_permille":-12,"elapsed_us":180000,)"
    R"("t_us":250000,"init_us":1234,"linearity":[)"
    R"({"iterations":1000,"median":1520.250,"ci_low":1518.000,"ci_high":1523.500,"repetitions":23,"noisy":false,"ratio":1.000},)"
    R"({"iterations":10000,"median":1510.000,"ci_low":1509.000,"ci_high":1512.000,"repetitions":11,"noisy":false,"ratio":0.993},)"
    R"({"iterations":100000,"median":1555.500,"repetitions":4,"noisy":true,"ratio":1.023}]})"
    "\n";

TEST(ToolRecordsNewFields, HeaderFieldsAreRead) {
    RunLog log = parse_run_log(kNewHeader);
    ASSERT_TRUE(log.header);
    EXPECT_TRUE(log.problems.empty()) << log.problems[0];
    const auto& h = *log.header;
    EXPECT_EQ(h.boot_us, 41234u);
    EXPECT_EQ(h.timer_cycles_milli, 31500);
    EXPECT_EQ(h.timer_mad_milli, 500);
    EXPECT_EQ(h.counter_read_cycles_milli, 4365692);
    EXPECT_EQ(h.counter_intercepted, true);
    EXPECT_EQ(h.smi_counter, false);
    EXPECT_EQ(h.iterations_mode, "adaptive");
    EXPECT_EQ(h.reps_mode, "adaptive");
    EXPECT_EQ(h.target_permille, 10u);
    EXPECT_EQ(h.target_min_cycles_milli, 1000);
    EXPECT_EQ(h.confidence_percent, 95u);
    EXPECT_EQ(h.budget_ms, 200u);
    EXPECT_EQ(h.min_reps, 6u);
    EXPECT_EQ(h.max_reps, 1000u);
    EXPECT_EQ(h.outlier_rule, "drop repetitions above median + 10 MAD");
    EXPECT_EQ(h.pinned, "vcpus");
    EXPECT_EQ(h.linearity, true);
    EXPECT_EQ(h.reps, 0u);  // adaptive
}

// Issue 22 gave the header's x86 names neutral ones (kernel/header_fields.h
// `old`): a header under either name reads into the same fields; where both
// are there, the new name wins.
std::string WithNeutralNames(std::string line) {
    const std::pair<std::string, std::string> renames[] = {
        {"\"tsc_hz\"", "\"timer_hz\""},
        {"\"tsc_source\"", "\"rate_source\""},
        {"\"invariant_tsc\"", "\"invariant_counter\""},
        {"\"apic\"", "\"intc\""},
        {"\"rdtsc_cycles\"", "\"counter_read_cycles\""},
        {"\"rdtsc_intercepted\"", "\"counter_intercepted\""}};
    for (const auto& [old_key, new_key] : renames) {
        size_t at = line.find(old_key);
        EXPECT_NE(at, std::string::npos) << old_key;
        if (at != std::string::npos) line.replace(at, old_key.size(), new_key);
    }
    return line;
}

TEST(ToolRecordsNeutralNames, OldAndNewHeaderNamesReadAlike) {
    for (const std::string& text : {std::string(kNewHeader), WithNeutralNames(kNewHeader)}) {
        RunLog log = parse_run_log(text);
        ASSERT_TRUE(log.header) << text;
        EXPECT_TRUE(log.problems.empty()) << log.problems[0];
        const auto& h = *log.header;
        EXPECT_EQ(h.timer_hz, 2000000000u);
        EXPECT_EQ(h.rate_source, "cpuid15");
        EXPECT_EQ(h.invariant_counter, true);
        EXPECT_EQ(h.intc, "x2apic");
        EXPECT_EQ(h.counter_read_cycles_milli, 4365692);
        EXPECT_EQ(h.counter_intercepted, true);
        EXPECT_EQ(h.timer_unit, "");  // not sent before issue 22
    }
    std::string both = kNewHeader;
    both.insert(both.find("\"tsc_hz\""), "\"timer_hz\":1000000000,\"intc\":\"gicv3\",");
    RunLog log = parse_run_log(both);
    ASSERT_TRUE(log.header);
    EXPECT_EQ(log.header->timer_hz, 1000000000u);
    EXPECT_EQ(log.header->intc, "gicv3");
    // A required field under neither name: the header is not read, and the
    // problem names the new one.
    std::string neither = kNewHeader;
    neither.replace(neither.find("\"tsc_source\""), 12, "\"rate_src\"");
    log = parse_run_log(neither);
    EXPECT_FALSE(log.header);
    ASSERT_EQ(log.problems.size(), 1u);
    EXPECT_NE(log.problems[0].find("missing or bad 'rate_source'"), std::string::npos) << log.problems[0];
}

// What the kernel writes now reads back whole, its unit with it; no old
// name is written.
TEST(ToolRecordsNeutralNames, TheKernelWritesTheNewNamesOnly) {
    hvb::HeaderRecord h{};
    h.cpu_vendor = h.cpu_model = h.hypervisor = h.boot = h.loader = h.cmdline = h.timer = h.timing = "x";
    h.timer_hz = 1000000000;
    h.timer_unit = "ns";
    h.rate_source = "cntfrq";
    h.invariant_counter = true;
    h.intc = "gicv3";
    h.timer_milli = 16000;
    h.counter_read_milli = 21000;
    h.counter_intercepted = true;
    std::string written;
    hvb::write_header(hvb::Sink{&Put, &written}, h);
    hvb::write_method(hvb::Sink{&Put, &written}, h);
    for (const char* old_key : {"tsc", "apic", "rdtsc"}) EXPECT_EQ(written.find(old_key), std::string::npos) << old_key;
    RunLog log = parse_run_log(written);
    ASSERT_TRUE(log.header) << written;
    EXPECT_TRUE(log.problems.empty()) << log.problems[0];
    EXPECT_EQ(log.header->timer_hz, 1000000000u);
    EXPECT_EQ(log.header->timer_unit, "ns");
    EXPECT_EQ(log.header->rate_source, "cntfrq");
    EXPECT_EQ(log.header->invariant_counter, true);
    EXPECT_EQ(log.header->intc, "gicv3");
    EXPECT_EQ(log.header->counter_read_cycles_milli, 21000);
    EXPECT_EQ(log.header->counter_intercepted, true);
}

// What a kernel wrote before issue 6 (a real TCG run, 162d311).
const char kOldStream[] =
    R"(@hvb {"type":"header","version":1,"cpu_vendor":"AuthenticAMD","cpu_model":"QEMU TCG CPU version 2.5+",)"
    R"("cpu_family":15,"cpu_model_id":107,"cpu_stepping":1,"hypervisor":"TCGTCGTCGTCG","tsc_hz":2393397300,)"
    R"("tsc_source":"pit","invariant_tsc":false,"cpus":2,"apic":"xapic","memory_bytes":268041216,"boot":"pvh",)"
    R"("loader":"qemu","cmdline":"only=idle","timer":"rdtsc","timing":"internal","reps":11,"benchmarks":1})"
    "\n"
    R"(@hvb {"type":"begin","name":"idle","index":1,"total":1})"
    "\n"
    R"(@hvb {"type":"result","name":"idle","category":"idle","status":"ok","reason":"","iterations":10,)"
    R"("repetitions":11,"cycles":{"min":-1934.800,"median":-1.200,"mean":-177.619,"mad":0.200},)"
    R"("control":{"median":12.800}})"
    "\n"
    R"(@hvb {"type":"end","counts":{"ok":1,"unsupported":0,"faulted":0,"skipped":0,"timeout":0},"errors":0,)"
    R"("exit_code":0})"
    "\n";

TEST(ToolRecordsNewFields, OlderStreamsLackThemAndParseAsBefore) {
    RunLog log = parse_run_log(kOldStream);
    ASSERT_TRUE(log.header);
    EXPECT_TRUE(log.problems.empty());
    EXPECT_TRUE(log.end);
    EXPECT_EQ(log.header->reps, 11u);
    EXPECT_FALSE(log.header->boot_us);
    EXPECT_FALSE(log.header->timer_cycles_milli);
    EXPECT_FALSE(log.header->linearity);
    EXPECT_EQ(log.header->pinned, "");
    EXPECT_EQ(log.header->iterations_mode, "");
    ASSERT_EQ(log.results.size(), 1u);
    const auto& r = log.results[0];
    EXPECT_EQ(r.median_milli, -1200);
    EXPECT_EQ(r.iterations_mode, "");
    EXPECT_FALSE(r.ci_low_milli);
    EXPECT_FALSE(r.ci_high_milli);
    EXPECT_FALSE(r.noisy);
    EXPECT_FALSE(r.outliers);
    EXPECT_FALSE(r.interrupts);
    EXPECT_FALSE(r.smis);
    EXPECT_FALSE(r.speed_permille);
    EXPECT_FALSE(r.timer_drift_permille);
    EXPECT_FALSE(r.elapsed_us);
    EXPECT_FALSE(r.init_us);
    EXPECT_TRUE(r.linearity.empty());
}

TEST(ToolRecordsNewFields, ResultFieldsAndLinearityAreRead) {
    RunLog log = parse_run_log(std::string(kNewHeader) + kNewResult);
    ASSERT_EQ(log.results.size(), 1u);
    EXPECT_TRUE(log.problems.empty()) << log.problems[0];
    const auto& r = log.results[0];
    EXPECT_EQ(r.iterations_mode, "adaptive");
    EXPECT_EQ(r.median_milli, 1520250);
    EXPECT_EQ(r.ci_low_milli, 1518000);
    EXPECT_EQ(r.ci_high_milli, 1523500);
    EXPECT_EQ(r.noisy, false);
    EXPECT_EQ(r.outliers, 2u);
    EXPECT_EQ(r.interrupts, 1u);
    EXPECT_EQ(r.smis, 0u);
    EXPECT_EQ(r.speed_permille, -12);
    EXPECT_EQ(r.timer_drift_permille, 31);
    EXPECT_EQ(r.elapsed_us, 180000u);
    EXPECT_EQ(r.t_us, 250000u);
    EXPECT_EQ(r.init_us, 1234u);
    ASSERT_EQ(r.linearity.size(), 3u);
    EXPECT_EQ(r.linearity[0].iterations, 1000u);
    EXPECT_EQ(r.linearity[0].ratio_milli, 1000);
    EXPECT_EQ(r.linearity[1].iterations, 10000u);
    EXPECT_EQ(r.linearity[1].median_milli, 1510000);
    EXPECT_EQ(r.linearity[1].ci_low_milli, 1509000);
    EXPECT_EQ(r.linearity[1].ratio_milli, 993);
    EXPECT_EQ(r.linearity[2].repetitions, 4u);
    EXPECT_TRUE(r.linearity[2].noisy);
    EXPECT_FALSE(r.linearity[2].ci_low_milli);  // no CI at that level
    EXPECT_FALSE(r.linearity[2].ci_high_milli);
    EXPECT_EQ(r.linearity[2].ratio_milli, 1023);
}

// Replaces the first `from` in `s` with `to`.
std::string Edit(std::string s, const std::string& from, const std::string& to) {
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
}

TEST(ToolRecordsNewFields, MalformedHeaderFieldIsAProblemNotALoss) {
    std::string h = Edit(kNewHeader, R"("timer_cycles":31.500)", R"("timer_cycles":"fast")");
    h = Edit(h, R"("iterations_mode":"adaptive")", R"("iterations_mode":"sometimes")");
    h = Edit(h, R"("budget_ms":200)", R"("budget_ms":-5)");
    h = Edit(h, R"("linearity":true)", R"("linearity":1)");
    RunLog log = parse_run_log(h + Begin("a", 1, 1) + Result("a", 5));
    ASSERT_TRUE(log.header);  // kept, with everything else it says
    EXPECT_EQ(log.header->cpu_model, "Test CPU");
    EXPECT_EQ(log.header->boot_us, 41234u);
    EXPECT_EQ(log.header->pinned, "vcpus");
    EXPECT_FALSE(log.header->timer_cycles_milli);
    EXPECT_EQ(log.header->iterations_mode, "");
    EXPECT_FALSE(log.header->budget_ms);
    EXPECT_FALSE(log.header->linearity);
    ASSERT_EQ(log.problems.size(), 4u);
    EXPECT_NE(log.problems[0].find("header record: bad timer_cycles (\"fast\")"), std::string::npos) << log.problems[0];
    EXPECT_NE(log.problems[1].find("iterations_mode"), std::string::npos);
    EXPECT_EQ(log.results.size(), 1u);
}

TEST(ToolRecordsNewFields, MalformedResultFieldIsAProblemNotALoss) {
    struct Case {
        std::string from, to, problem;
    } cases[] = {
        {R"("noisy":false,)", R"("noisy":"no",)", "bad noisy"},
        {R"("outliers":2)", R"("outliers":2.5)", "bad outliers"},
        {R"(,"ci_high":1523.500})", "}", "bad cycles.ci_high (missing)"},         // one without the other
        {R"("ci_low":1518.000)", R"("ci_low":1530.000)", "ci_low > ci_high"},     // inverted
        {R"("ci_low":1518.000)", R"("ci_low":1518.0001)", "bad cycles.ci_low"},    // 4 decimals
        {R"("iterations_mode":"adaptive")", R"("iterations_mode":3)", "bad iterations_mode"},
    };
    for (const auto& c : cases) {
        RunLog log = parse_run_log(std::string(kNewHeader) + Edit(kNewResult, c.from, c.to));
        ASSERT_EQ(log.results.size(), 1u) << c.to;
        ASSERT_EQ(log.problems.size(), 1u) << c.to;
        EXPECT_NE(log.problems[0].find(c.problem), std::string::npos) << log.problems[0];
        EXPECT_NE(log.problems[0].find("result record 'cpuid'"), std::string::npos) << log.problems[0];
        const auto& r = log.results[0];
        EXPECT_EQ(r.median_milli, 1520250) << c.to;  // the rest is kept
        EXPECT_EQ(r.linearity.size(), 3u) << c.to;
        EXPECT_EQ(r.elapsed_us, 180000u) << c.to;
        if (c.problem.find("ci_") != std::string::npos) {
            EXPECT_FALSE(r.ci_low_milli);  // both or neither
            EXPECT_FALSE(r.ci_high_milli);
        }
    }
}

TEST(ToolRecordsNewFields, MalformedLinearityKeepsTheGoodLevels) {
    // Not an array: no levels, one problem.
    std::string bad = Edit(kNewResult, R"("linearity":[)", R"("linearity":{"x":[)");
    bad = Edit(bad, "]}\n", "]}}\n");
    RunLog log = parse_run_log(bad);
    ASSERT_EQ(log.results.size(), 1u);
    EXPECT_TRUE(log.results[0].linearity.empty());
    ASSERT_EQ(log.problems.size(), 1u);
    EXPECT_NE(log.problems[0].find("bad linearity"), std::string::npos) << log.problems[0];
    // A level without its ratio, and a level that is not an object.
    std::string r = Edit(kNewResult, R"("noisy":false,"ratio":0.993})", R"("noisy":false})");
    r = Edit(r, R"([{"iterations":1000,)", R"([7,{"iterations":1000,)");
    log = parse_run_log(r);
    ASSERT_EQ(log.results.size(), 1u);
    ASSERT_EQ(log.results[0].linearity.size(), 2u);
    EXPECT_EQ(log.results[0].linearity[0].iterations, 1000u);
    EXPECT_EQ(log.results[0].linearity[1].iterations, 100000u);
    ASSERT_EQ(log.problems.size(), 2u);
    EXPECT_NE(log.problems[0].find("linearity[0] (not an object)"), std::string::npos) << log.problems[0];
    EXPECT_NE(log.problems[1].find("linearity[2].ratio (missing)"), std::string::npos) << log.problems[1];
}

TEST(ToolRecordsNewFields, GarbledNewStreamNeverThrows) {
    std::mt19937 rng(6);
    std::string s = std::string(kNewHeader) + kNewResult + End();
    for (int n = 0; n < 300; ++n) {
        std::string g = s;
        for (int k = 0; k < 3; ++k) g[rng() % g.size()] = char(rng() % 256);
        RunLog log = parse_run_log(g);
        EXPECT_LE(log.results.size(), 1u);
        for (const auto& r : log.results) {
            EXPECT_LE(r.linearity.size(), 3u);
            EXPECT_EQ(r.ci_low_milli.has_value(), r.ci_high_milli.has_value());
        }
    }
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

// ---- verify records (kernel verify=1) ------------------------------------

TEST(ToolRecordsVerify, ReadAndMalformed) {
    RunLog log = parse_run_log(
        "@hvb {\"type\":\"verify\",\"name\":\"int3\",\"iterations\":3304,\"measured\":true,\"median\":1322.700,"
        "\"repetitions\":5,\"agrees\":false}\n"
        "@hvb {\"type\":\"verify\",\"name\":\"mem_cold\",\"iterations\":256,\"measured\":false,"
        "\"reason\":\"needs 11 MiB of never-touched memory\",\"agrees\":false}\n"
        "@hvb {\"type\":\"verify\",\"name\":\"x\",\"iterations\":3,\"measured\":true,\"agrees\":true}\n");
    ASSERT_EQ(log.verifies.size(), 2u);
    EXPECT_EQ(log.verifies[0].name, "int3");
    EXPECT_EQ(log.verifies[0].median_milli, 1322700);
    EXPECT_EQ(log.verifies[0].repetitions, 5u);
    EXPECT_FALSE(log.verifies[0].agrees);
    EXPECT_FALSE(log.verifies[1].measured);
    EXPECT_EQ(log.verifies[1].reason, "needs 11 MiB of never-touched memory");
    ASSERT_EQ(log.problems.size(), 1u);  // measured without a median
    EXPECT_NE(log.problems[0].find("median"), std::string::npos) << log.problems[0];
}

namespace {
std::string Method(uint32_t target_permille, const char* pinned) {
    std::string out;
    hvb::HeaderRecord h{};
    h.timer_milli = 52000;
    h.target_permille = target_permille;
    h.outlier_rule = "rule";
    h.pinned = pinned;
    hvb::write_method(hvb::Sink{&Put, &out}, h);
    return out;
}
}  // namespace

// The kernel sends the header's measurement fields in a method record after
// pass 1's first benchmark: merged into the kept header, its raw JSON too;
// a later VM's method record does not overwrite the first one's; one before
// any header is a problem, not a crash.
TEST(ToolRecords, MethodRecordCompletesTheHeader) {
    std::string s = Header(3) + Begin("a", 1, 3) + Method(10, "vcpus") + Result("a", 1000) + Header(3) +
                    Method(30, "none") + End();
    RunLog log = parse_run_log(s, /*keep_raw=*/true);
    ASSERT_TRUE(log.header);
    EXPECT_TRUE(log.problems.empty()) << log.problems.front();
    EXPECT_EQ(log.methods, 2u);
    ASSERT_TRUE(log.header->timer_cycles_milli);
    EXPECT_EQ(*log.header->timer_cycles_milli, 52000);
    EXPECT_EQ(log.header->target_permille.value_or(0), 10u);
    EXPECT_EQ(log.header->pinned, "vcpus");
    ASSERT_TRUE(log.header->raw.get("outlier_rule"));
    EXPECT_EQ(log.header->raw.get_string("pinned").value_or(""), "vcpus");
    EXPECT_EQ(log.header->raw.get_string("type").value_or(""), "header");
    RunLog early = parse_run_log(Method(10, "none") + Header(1));
    ASSERT_TRUE(early.header);
    EXPECT_FALSE(early.header->timer_cycles_milli);
    ASSERT_EQ(early.problems.size(), 1u);
    EXPECT_NE(early.problems[0].find("method record before any header"), std::string::npos);
}

// A faulted result's "fault": where it was taken is "pc" (kernels before
// issue 22 wrote "rip"); either reads, a fault with neither is not read.
TEST(ToolRecordsNeutralNames, FaultPcUnderEitherName) {
    hvb::ResultRecord r{};
    r.name = "ud2";
    r.category = "exception";
    r.status = hvb::Status::faulted;
    r.reason = "#UD";
    r.iterations = 1;
    r.has_fault = true;
    r.fault = hvb::FaultInfo{6, 0xffffffff80001234ull, 0, false};
    std::string line;
    hvb::write_result(hvb::Sink{&Put, &line}, r);
    ASSERT_NE(line.find("\"pc\":\"0xffffffff80001234\""), std::string::npos) << line;
    std::string old_line = line;
    old_line.replace(old_line.find("\"pc\""), 4, "\"rip\"");
    for (const std::string& text : {line, old_line}) {
        RunLog log = parse_run_log(text);
        ASSERT_EQ(log.results.size(), 1u) << text;
        EXPECT_TRUE(log.results[0].has_fault);
        EXPECT_EQ(log.results[0].fault_vector, 6u);
        EXPECT_EQ(log.results[0].fault_pc, "0xffffffff80001234");
    }
    std::string neither = line;
    neither.replace(neither.find("\"pc\""), 4, "\"ip\"");
    RunLog log = parse_run_log(neither);
    EXPECT_TRUE(log.results.empty());
    ASSERT_EQ(log.bad_records.size(), 1u);
    EXPECT_NE(log.bad_records[0].why.find("fault.{vector,name,pc}"), std::string::npos) << log.bad_records[0].why;
}
