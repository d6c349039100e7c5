// tests/unit/tool_results_test.cpp — results files: JSON in Google
// Benchmark's schema and CSV, written and read back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "tools/results.h"

namespace {

using namespace hvb::tools;

std::vector<BenchResult> Sample() {
    BenchResult a;
    a.name = "cpuid";
    a.category = "privileged";
    a.iterations = 1000;
    a.repetitions = 11;
    a.min_milli = -1180;
    a.median_milli = 31306;
    a.mean_milli = 31500;
    a.mad_milli = 618;
    a.control_median_milli = 3966;
    a.timer = "rdtsc";
    a.vm = 1;
    // A newer kernel's fields.
    a.iterations_mode = "adaptive";
    a.ci_low_milli = 31000;
    a.ci_high_milli = 31700;
    a.noisy = true;
    a.outliers = 2;
    a.interrupts = 1;
    a.smis = 0;
    a.speed_permille = 37;
    a.timer_drift_permille = 260;
    a.elapsed_us = 180000;
    a.t_us = 250000;
    LinearityLevel l1{1000, 31306, 31000, 31700, 11, false, 1000};
    LinearityLevel l2{10000, 31000, std::nullopt, std::nullopt, 4, true, 990};
    a.linearity = {l1, l2};
    BenchResult b;
    b.name = "rdtscp";
    b.category = "";
    b.status = "crashed";
    b.reason = "QEMU stopped the guest while rdtscp ran: KVM internal error. Suberror: 1, \"quoted\"";
    b.vmm_output = "@hvb {\"type\":\"begin\",\"name\":\"rdtscp\"}\n[vmm] KVM internal error. Suberror: 1";
    b.timer = "rdtscp";
    b.vm = 1;
    BenchResult c;
    c.name = "mem_hot";
    c.category = "memory";
    c.iterations = 64;
    c.repetitions = 5;
    c.median_milli = 123456789;
    c.params = {{"working_set", 4194304}, {"stride", 64}};
    ExternalStats e;
    e.samples = 5;
    e.unresolved = 2;
    e.min_milli = 100;
    e.median_milli = 300;
    e.mean_milli = 310;
    e.mad_milli = 40;
    e.control_median_milli = 5000;
    c.external = e;
    c.timer = "rdtsc";
    c.vm = 2;
    return {a, b, c};
}

ResultsDoc SampleDoc() {
    ResultsDoc d;
    d.info.label = "kvm";
    d.info.date = "2026-01-02T03:04:05+00:00";
    d.info.host_name = "box";
    d.info.executable = "build/hvbench";
    d.info.host_cpus = 8;
    d.info.platform = Json::object().set("type", Json::string_value("header")).set("tsc_hz", Json::integer(2000000000));
    d.info.timer_hz = 2000000000;
    d.info.accel = "kvm";
    d.info.cpu_model = "host";
    d.info.boot = "pvh";
    d.info.memory = "256M";
    d.info.vcpus = 1;
    d.info.timing = "external";
    d.info.timer = "rdtsc";
    d.info.host_tsc_hz = 3000000000;
    d.info.vms = 2;
    d.info.exit_code = 32;
    d.info.complete = true;
    d.info.notes = {"rdtscp crashed the VM"};
    d.info.kernel_errors = {"x"};
    d.info.command = {"hvbench", "run"};
    d.info.pinned = "vcpus";
    d.info.pinning = {"vCPU 0 (thread 12) -> host CPU 0"};
    d.info.firmware = "/usr/share/qemu/qboot.rom";
    d.benchmarks = Sample();
    return d;
}

TEST(ToolResultsJson, RoundTrip) {
    ResultsDoc d = SampleDoc();
    std::string text = write_results_json(d);
    std::string err;
    auto back = read_results_json(text, &err);
    ASSERT_TRUE(back) << err;
    EXPECT_EQ(back->benchmarks, d.benchmarks);
    EXPECT_EQ(back->info.label, "kvm");
    EXPECT_EQ(back->info.timer_hz, 2000000000u);
    EXPECT_EQ(back->info.timing, "external");
    EXPECT_EQ(back->info.vms, 2u);
    EXPECT_EQ(back->info.exit_code, 32);
    EXPECT_TRUE(back->info.complete);
    EXPECT_EQ(back->info.notes, d.info.notes);
    EXPECT_EQ(back->info.command, d.info.command);
    EXPECT_EQ(back->info.pinned, "vcpus");
    EXPECT_EQ(back->info.pinning, d.info.pinning);
    EXPECT_EQ(back->info.firmware, d.info.firmware);
    EXPECT_EQ(back->benchmarks[0].linearity.size(), 2u);
    EXPECT_EQ(back->benchmarks[0].ci_low_milli, 31000);
    ASSERT_TRUE(back->info.platform);
    EXPECT_EQ(back->info.platform->get_string("type"), "header");
    // Writing what was read gives the same text.
    EXPECT_EQ(write_results_json(*back), text);
}

TEST(ToolResultsJson, GoogleBenchmarkSchema) {
    std::string err;
    auto root = parse_json(write_results_json(SampleDoc()), &err);
    ASSERT_TRUE(root) << err;
    const Json* ctx = root->get("context");
    ASSERT_TRUE(ctx);
    for (const char* k : {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches",
                          "library_build_type"})
        EXPECT_TRUE(ctx->get(k)) << k;
    const Json* b = root->get("benchmarks");
    ASSERT_TRUE(b && b->items.size() == 3);
    const Json& cpuid = b->items[0];
    EXPECT_EQ(cpuid.get_string("name"), "cpuid");
    EXPECT_EQ(cpuid.get_string("run_name"), "cpuid");
    EXPECT_EQ(cpuid.get_string("run_type"), "iteration");
    EXPECT_EQ(cpuid.get_int("repetitions"), 11);
    EXPECT_EQ(cpuid.get_int("iterations"), 1000);
    EXPECT_EQ(cpuid.get_string("time_unit"), "ns");
    // 31.306 cycles at 2 GHz = 15.653 ns.
    EXPECT_EQ(cpuid.get("real_time")->text, "15.653");
    EXPECT_EQ(cpuid.get("cpu_time")->text, "15.653");
    EXPECT_EQ(cpuid.get("cycles_median")->text, "31.306");
    EXPECT_EQ(cpuid.get("cycles_min")->text, "-1.180");
    EXPECT_FALSE(cpuid.get("error_occurred"));
    const Json& crashed = b->items[1];
    EXPECT_EQ(crashed.get_bool("error_occurred"), true);
    EXPECT_EQ(crashed.get_string("status"), "crashed");
    EXPECT_NE(crashed.get_string("error_message")->find("KVM internal error"), std::string::npos);
    const Json& mem = b->items[2];
    EXPECT_EQ(mem.get("params")->get_uint("working_set"), 4194304u);
    EXPECT_EQ(mem.get("external_cycles_median")->text, "0.300");
    EXPECT_EQ(mem.get("external_time_ns")->text, "0.100");  // 0.3 cycles at 3 GHz
}

TEST(ToolResultsJson, NewFieldsAreWrittenOnlyWhenKnown) {
    std::string err;
    auto root = parse_json(write_results_json(SampleDoc()), &err);
    ASSERT_TRUE(root) << err;
    const Json& cpuid = root->get("benchmarks")->items[0];
    EXPECT_EQ(cpuid.get("cycles_ci_low")->text, "31.000");
    EXPECT_EQ(cpuid.get("cycles_ci_high")->text, "31.700");
    EXPECT_EQ(cpuid.get_bool("noisy"), true);
    EXPECT_EQ(cpuid.get_uint("outliers"), 2u);
    EXPECT_EQ(cpuid.get_uint("interrupts"), 1u);
    EXPECT_EQ(cpuid.get_uint("smis"), 0u);
    EXPECT_EQ(cpuid.get_string("iterations_mode"), "adaptive");
    EXPECT_EQ(cpuid.get_uint("elapsed_us"), 180000u);
    EXPECT_EQ(cpuid.get_int("speed_permille"), 37);
    EXPECT_EQ(cpuid.get_int("timer_drift_permille"), 260);
    const Json* lin = cpuid.get("linearity");
    ASSERT_TRUE(lin && lin->is(Json::Kind::array));
    ASSERT_EQ(lin->items.size(), 2u);
    EXPECT_EQ(lin->items[0].get_uint("iterations"), 1000u);
    EXPECT_EQ(lin->items[0].get("cycles_median")->text, "31.306");
    EXPECT_EQ(lin->items[0].get("cycles_ci_low")->text, "31.000");
    EXPECT_EQ(lin->items[1].get("ratio")->text, "0.990");
    EXPECT_EQ(lin->items[1].get_bool("noisy"), true);
    EXPECT_FALSE(lin->items[1].get("cycles_ci_low"));
    // An older kernel's result has none of them.
    const Json& mem = root->get("benchmarks")->items[2];
    for (const char* k : {"cycles_ci_low", "cycles_ci_high", "noisy", "outliers", "interrupts", "smis",
                          "speed_permille", "timer_drift_permille", "iterations_mode", "elapsed_us", "t_us",
                          "linearity"})
        EXPECT_FALSE(mem.get(k)) << k;
    const Json* ctx = root->get("context");
    EXPECT_EQ(ctx->get_string("pinned"), "vcpus");
    EXPECT_EQ(ctx->get("pinning")->items.size(), 1u);
}

TEST(ToolResultsJson, ReadsAnOlderFileWithoutTheNewFields) {
    // What the tool wrote before issue 6 (abridged from a real run).
    const char* old = R"({"context":{"date":"2026-01-01T00:00:00+00:00","label":"kvm","tsc_hz":2000000000,
        "accel":"kvm","vcpus":1,"timing":"internal","notes":[],"command":["hvbench","run"]},
      "benchmarks":[{"name":"cpuid","family_index":0,"per_family_instance_index":0,"run_name":"cpuid",
        "run_type":"iteration","repetitions":11,"repetition_index":0,"threads":1,"iterations":1000,
        "real_time":15.653,"cpu_time":15.653,"time_unit":"ns","category":"privileged","status":"ok","reason":"",
        "cycles_median":31.306,"cycles_min":-1.180,"cycles_mean":31.500,"cycles_mad":0.618,
        "control_median":3.966,"timer":"rdtsc","vm":1}]})";
    std::string err;
    auto d = read_results_json(old, &err);
    ASSERT_TRUE(d) << err;
    ASSERT_EQ(d->benchmarks.size(), 1u);
    const BenchResult& r = d->benchmarks[0];
    EXPECT_EQ(r.median_milli, 31306);
    EXPECT_FALSE(r.ci_low_milli);
    EXPECT_FALSE(r.noisy);
    EXPECT_FALSE(r.is_noisy());
    EXPECT_FALSE(r.has_ci());
    EXPECT_TRUE(r.linearity.empty());
    EXPECT_EQ(d->info.pinned, "");
}

TEST(ToolResultsJson, RejectsMalformedNewFields) {
    std::string err;
    const char* base = R"({"benchmarks":[{"name":"a","cycles_median":1.000,)";
    for (const char* bad : {R"("cycles_ci_low":"x","cycles_ci_high":2.000}]})",
                            R"("cycles_ci_low":0.500}]})",  // without its high end
                            R"("noisy":"yes"}]})", R"("outliers":-1}]})", R"("linearity":{}}]})",
                            R"("linearity":[{"iterations":10}]}]})", R"("linearity":[3]}]})"}) {
        EXPECT_FALSE(read_results_json(std::string(base) + bad, &err)) << bad;
        EXPECT_NE(err.find("benchmark a"), std::string::npos) << err;
    }
}

TEST(ToolResultsLinearity, Table) {
    EXPECT_EQ(format_linearity({}), "");
    std::string t = format_linearity(Sample());
    EXPECT_NE(t.find("ratio"), std::string::npos) << t;
    EXPECT_NE(t.find("cpuid"), std::string::npos) << t;
    EXPECT_NE(t.find("[31.000, 31.700]"), std::string::npos) << t;
    EXPECT_NE(t.find("0.990 *"), std::string::npos) << t;  // noisy level
    EXPECT_NE(t.find("10000"), std::string::npos) << t;
    EXPECT_EQ(t.find("mem_hot"), std::string::npos) << t;  // no levels: no rows
}

TEST(ToolResultsJson, UnknownTscFrequencyWritesCycles) {
    ResultsDoc d = SampleDoc();
    d.info.timer_hz = 0;
    auto root = parse_json(write_results_json(d), nullptr);
    ASSERT_TRUE(root);
    const Json& cpuid = root->get("benchmarks")->items[0];
    EXPECT_EQ(cpuid.get_string("time_unit"), "cycles");
    EXPECT_EQ(cpuid.get("real_time")->text, "31.306");
}

TEST(ToolResultsJson, ReadsPlainGoogleBenchmarkOutput) {
    const char* gb = R"({"context":{"date":"x"},"benchmarks":[
        {"name":"BM_a","run_name":"BM_a","run_type":"iteration","repetitions":1,"iterations":100,
         "real_time":12.5,"cpu_time":12.0,"time_unit":"ns"}]})";
    std::string err;
    auto d = read_results_json(gb, &err);
    ASSERT_TRUE(d) << err;
    ASSERT_EQ(d->benchmarks.size(), 1u);
    EXPECT_EQ(d->benchmarks[0].status, "ok");
    EXPECT_EQ(d->benchmarks[0].median_milli, 12500);
}

TEST(ToolResultsJson, RejectsNonResults) {
    std::string err;
    EXPECT_FALSE(read_results_json("{\"a\":1}", &err));
    EXPECT_FALSE(read_results_json("nope", &err));
    EXPECT_FALSE(read_results_json(R"({"benchmarks":[{"name":"a","cycles_median":"x"}]})", &err));
    EXPECT_FALSE(read_results_json(R"({"benchmarks":[{"name":"a","cycles_median":1.2345}]})", &err));
}

TEST(ToolResultsCsv, RoundTrip) {
    auto results = Sample();
    std::string text = write_results_csv(results, 2000000000);
    std::string err;
    auto back = read_results_csv(text, &err);
    ASSERT_TRUE(back) << err;
    ASSERT_EQ(back->size(), results.size());
    for (auto& r : results) {  // not in CSV
        r.vmm_output.clear();
        r.iterations_mode.clear();
        r.interrupts.reset();
        r.smis.reset();
        r.speed_permille.reset();
        r.timer_drift_permille.reset();
        r.elapsed_us.reset();
        r.t_us.reset();
        r.linearity.clear();
        if (r.external) r.external->unresolved = 0;
    }
    EXPECT_EQ(*back, results);
    EXPECT_NE(text.find("\"QEMU stopped the guest while rdtscp ran: KVM internal error. Suberror: 1, \"\"quoted\"\"\""),
              std::string::npos);
    EXPECT_NE(text.find(",15.653,"), std::string::npos);  // time_ns
    EXPECT_NE(text.find("working_set=4194304;stride=64"), std::string::npos);
    // The newer columns, at the end: ci_low, ci_high, noisy, outliers, then the headline's.
    EXPECT_NE(text.find(",params,reason,ci_low,ci_high,noisy,outliers,cycles_estimate,estimate_low,estimate_high,"
                        "cycles_p50,cycles_p90,noisy_cause\r\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(",31.000,31.700,true,2,,,,,,\r\n"), std::string::npos) << text;
}

TEST(ToolResultsCsv, OlderFilesAndBadNewColumns) {
    std::string err;
    // A file from before the new columns.
    auto old = read_results_csv("name,category,status,cycles_median,cycles_mad\r\ncpuid,privileged,ok,31.306,0.618\r\n",
                                &err);
    ASSERT_TRUE(old) << err;
    EXPECT_FALSE((*old)[0].ci_low_milli);
    EXPECT_FALSE((*old)[0].noisy);
    EXPECT_FALSE((*old)[0].outliers);
    // Empty new cells: unknown.
    auto empty = read_results_csv("name,cycles_median,ci_low,ci_high,noisy,outliers\na,1.000,,,,\n", &err);
    ASSERT_TRUE(empty) << err;
    EXPECT_FALSE((*empty)[0].has_ci());
    EXPECT_FALSE((*empty)[0].noisy);
    auto full = read_results_csv("name,cycles_median,ci_low,ci_high,noisy,outliers\na,1.000,0.900,1.100,false,0\n", &err);
    ASSERT_TRUE(full) << err;
    EXPECT_EQ((*full)[0].ci_high_milli, 1100);
    EXPECT_EQ((*full)[0].noisy, false);
    EXPECT_EQ((*full)[0].outliers, 0u);
    EXPECT_FALSE(read_results_csv("name,cycles_median,noisy\na,1.000,yes\n", &err));
    EXPECT_FALSE(read_results_csv("name,cycles_median,ci_low\na,1.000,0.5\n", &err));  // no ci_high
    EXPECT_FALSE(read_results_csv("name,cycles_median,ci_low,ci_high\na,1.000,x,1\n", &err));
    EXPECT_FALSE(read_results_csv("name,cycles_median,outliers\na,1.000,-2\n", &err));
}

TEST(ToolResultsCsv, Parser) {
    std::string err;
    auto rows = parse_csv("a,\"b,c\",\"d\"\"e\"\r\n\"multi\nline\",,x\nlast", &err);
    ASSERT_TRUE(rows) << err;
    ASSERT_EQ(rows->size(), 3u);
    EXPECT_EQ((*rows)[0], (std::vector<std::string>{"a", "b,c", "d\"e"}));
    EXPECT_EQ((*rows)[1], (std::vector<std::string>{"multi\nline", "", "x"}));
    EXPECT_EQ((*rows)[2], (std::vector<std::string>{"last"}));
    EXPECT_FALSE(parse_csv("\"open", &err));
    EXPECT_FALSE(parse_csv("a\"b", &err));
    EXPECT_FALSE(parse_csv("\"a\"b", &err));
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field(" lead"), "\" lead\"");
    EXPECT_EQ(csv_field("a\nb"), "\"a\nb\"");
}

TEST(ToolResultsCsv, RejectsBadRows) {
    std::string err;
    EXPECT_FALSE(read_results_csv("x,y\n1,2\n", &err));
    EXPECT_FALSE(read_results_csv("name,cycles_median\na,1.23456\n", &err));
    EXPECT_FALSE(read_results_csv("name,cycles_median,iterations\na,1.000,-3\n", &err));
    auto ok = read_results_csv("name,cycles_median\na,1.5\n\n", &err);
    ASSERT_TRUE(ok) << err;
    EXPECT_EQ((*ok)[0].median_milli, 1500);
}

TEST(ToolResultsFiles, LoadJsonOrCsvAndLabel) {
    char dir[] = "/tmp/hvb-results-test.XXXXXX";
    ASSERT_TRUE(mkdtemp(dir));
    std::string err;
    std::string json = std::string(dir) + "/kvm-run.json", csv = std::string(dir) + "/tcg.csv";
    ResultsDoc d = SampleDoc();
    d.info.label = "";
    ASSERT_TRUE(write_text_file(json, write_results_json(d), &err)) << err;
    ASSERT_TRUE(write_text_file(csv, write_results_csv(d.benchmarks, 0), &err)) << err;
    auto a = load_results(json, &err);
    ASSERT_TRUE(a) << err;
    EXPECT_EQ(a->info.label, "kvm-run");
    auto b = load_results(csv, &err);
    ASSERT_TRUE(b) << err;
    EXPECT_EQ(b->info.label, "tcg");
    EXPECT_EQ(b->benchmarks.size(), 3u);
    EXPECT_FALSE(load_results(std::string(dir) + "/missing.json", &err));
    unlink(json.c_str());
    unlink(csv.c_str());
    rmdir(dir);
}

TEST(ToolResultsStatus, KnownStatuses) {
    for (const char* s : {"ok", "unsupported", "faulted", "skipped", "timeout", "crashed"}) EXPECT_TRUE(is_known_status(s));
    EXPECT_FALSE(is_known_status("hung"));
}

}  // namespace
