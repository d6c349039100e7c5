// tests/unit/tool_robust_test.cpp — issue 14's tool side: outputs that never
// destroy inputs, hostile text kept off terminals and out of CSV formulas,
// records that lie, and what one VM may claim.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "tools/compare.h"
#include "tools/image.h"
#include "tools/launch.h"
#include "tools/log_import.h"
#include "tools/results.h"
#include "tools/run.h"
#include "tools/safe_output.h"
#include "tools/sanitize.h"

namespace {

using namespace hvb::tools;

std::string TempDir() {
    char tmpl[] = "/tmp/hvb-robust.XXXXXX";
    return mkdtemp(tmpl);
}

std::string CleanLog(const std::string& benchmarks = "a,b,c") {
    return run_capture({HVB_FAKE_VMM, "--benchmarks", benchmarks}, 5000).out;
}

// The log's line that holds `needle`.
std::string LineWith(const std::string& log, const std::string& needle) {
    size_t at = log.find(needle);
    size_t start = log.rfind('\n', at) + 1, end = log.find('\n', at);
    return log.substr(start, end - start);
}

TEST(ToolSafeOutput, AnOutputThatIsAnInputOrAnotherOutputIsRefused) {
    std::string dir = TempDir();
    std::string log = dir + "/real.log";
    ASSERT_TRUE(write_text_file(log, "x\n", nullptr));
    auto clash = check_outputs({{"the log", log}}, {{"--json", dir + "/./real.log"}});
    ASSERT_TRUE(clash);
    EXPECT_NE(clash->find("same file as the log"), std::string::npos) << *clash;
    ASSERT_EQ(symlink(log.c_str(), (dir + "/link.json").c_str()), 0);
    EXPECT_TRUE(check_outputs({{"input", log}}, {{"--chart", dir + "/link.json"}}));
    // Two outputs that do not exist yet, one file.
    clash = check_outputs({}, {{"--json", dir + "/x"}, {"--csv", dir + "/../" + dir.substr(5) + "/x"}});
    ASSERT_TRUE(clash);
    EXPECT_NE(clash->find("--csv"), std::string::npos);
    EXPECT_FALSE(check_outputs({{"the log", log}}, {{"--json", dir + "/a.json"}, {"--csv", dir + "/a.csv"}}));
    EXPECT_TRUE(check_outputs({}, {{"--json", dir}}));  // a directory
}

TEST(ToolSafeOutput, WritabilityIsProbedWithoutLeavingAFile) {
    std::string dir = TempDir();
    std::string err;
    EXPECT_FALSE(probe_writable("/nonexistent/dir/x.json", &err));
    EXPECT_NE(err.find("/nonexistent/dir/x.json"), std::string::npos);
    EXPECT_TRUE(probe_writable(dir + "/x.json", &err));
    struct stat st;
    EXPECT_NE(stat((dir + "/x.json").c_str(), &st), 0);
}

TEST(ToolSafeOutput, RewritesArePaced) {
    RewritePacer p(1000);
    EXPECT_TRUE(p.changed(0));  // the first result at once
    p.written(0);
    EXPECT_FALSE(p.changed(10));
    EXPECT_FALSE(p.changed(900));
    EXPECT_FALSE(p.due(999));
    EXPECT_TRUE(p.due(1000));  // a tick writes what waited
    p.written(1000);
    EXPECT_FALSE(p.due(5000));  // nothing new
}

TEST(ToolSanitize, EscapesNeverReachATerminal) {
    std::string evil = "a\x1b]0;pwned\x07\x1b[2Jb\xc2\x9b" "c\xff\x00" "d";
    evil += std::string(1, '\0');
    std::string s = terminal_safe(evil);
    for (char c : s) EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 || c == '\n') << s;
    EXPECT_NE(s.find("\\x1b]0;pwned\\x07"), std::string::npos) << s;
    EXPECT_NE(s.find("\\xff"), std::string::npos);
    EXPECT_NE(s.find("\\xc2\\x9b"), std::string::npos);  // a C1 control (CSI)
    EXPECT_EQ(terminal_safe("caf\xc3\xa9 \xe2\x80\x94 ok\n"), "caf\xc3\xa9 \xe2\x80\x94 ok\n");
}

TEST(ToolSanitize, CsvCellsAreNeitherFormulasNorRawBytes) {
    EXPECT_EQ(csv_text_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
    EXPECT_EQ(csv_text_cell("@SUM(1)"), "'@SUM(1)");
    EXPECT_EQ(csv_text_cell(std::string("a\0b\xff", 4)), "a\\x00b\\xff");
    BenchResult r;
    r.name = "=1+1";
    r.category = "-2";
    r.reason = std::string("nul\0 and \x1b[2J", 14);
    auto csv = write_results_csv({r}, 0);
    EXPECT_EQ(csv.find('\0'), std::string::npos);
    EXPECT_EQ(csv.find('\x1b'), std::string::npos);
    EXPECT_NE(csv.find("'=1+1"), std::string::npos);
    std::string err;
    auto back = read_results_csv(csv, &err);
    ASSERT_TRUE(back) << err;
    EXPECT_EQ((*back)[0].name, "=1+1");
    EXPECT_EQ((*back)[0].category, "-2");
}

TEST(ToolSanitize, ShellQuotedCommandsPasteBackAsTheyWere) {
    EXPECT_EQ(shell_quoted({"qemu", "-append", "only=cpuid reps=3", "a;b", "it's", ""}),
              "qemu -append 'only=cpuid reps=3' 'a;b' 'it'\\''s' ''");
    EXPECT_EQ(shell_quoted({"x\ny"}), "$'x\\x0ay'");
}

TEST(ToolResultsFiles, ACsvCutMidRowIsAnErrorNamingTheLine) {
    BenchResult a, b;
    a.name = "cpuid";
    a.median_milli = 1500000;
    b.name = "pushf_popf";
    b.median_milli = 25000;
    std::string csv = write_results_csv({a, b}, 0);
    std::string err;
    ASSERT_TRUE(read_results_csv(csv, &err)) << err;
    for (size_t cut : {csv.size() - 2, csv.size() - 10, csv.find("pushf") + 3}) {
        EXPECT_FALSE(read_results_csv(csv.substr(0, cut), &err)) << cut;
        EXPECT_NE(err.find("line 3"), std::string::npos) << err;
    }
    std::string dup = csv + csv.substr(csv.find("cpuid"));
    EXPECT_FALSE(read_results_csv(dup, &err));
    EXPECT_NE(err.find("a second row for cpuid (the first is on line 2)"), std::string::npos) << err;
}

TEST(ToolResultsFiles, DuplicateJsonEntriesAreAnError) {
    BenchResult a;
    a.name = "cpuid";
    std::string json = write_results_json(ResultsDoc{RunInfo{}, {a, a}});
    std::string err;
    EXPECT_FALSE(read_results_json(json, &err));
    EXPECT_NE(err.find("benchmarks[1] repeats the name cpuid of benchmarks[0]"), std::string::npos) << err;
}

TEST(ToolRunLog, ASecondHeaderDoesNotRescaleEarlierResults) {
    std::string log = CleanLog("a");
    std::string header = LineWith(log, "\"type\":\"header\"");
    std::string hostile = header;
    size_t at = hostile.find("\"timer_hz\":");
    ASSERT_NE(at, std::string::npos) << hostile;
    hostile.replace(at, hostile.find(',', at) - at, "\"timer_hz\":1");
    RunReport r = read_log(log + hostile + "\n");
    ASSERT_TRUE(r.header);
    uint64_t hz = r.header->timer_hz;
    ASSERT_GT(hz, 1u);
    ASSERT_EQ(r.results.size(), 1u);
    EXPECT_EQ(r.results[0].timer_hz, hz);
    RunInfo info;
    info.timer_hz = hz;
    std::string json = write_results_json(ResultsDoc{info, r.results});
    EXPECT_EQ(json.find("\"tsc_hz\": 1,"), std::string::npos);
    bool noted = false;
    for (const auto& p : r.problems) noted = noted || p.find("timer_hz 1 after one with") != std::string::npos;
    EXPECT_TRUE(noted);
}

TEST(ToolRunLog, DuplicateResultsAreReportedAndTheFirstKept) {
    std::string log = CleanLog("a,b");
    std::string second_a = LineWith(log, "\"type\":\"result\"");
    RunReport r = read_log(log + second_a + "\n");
    ASSERT_EQ(r.results.size(), 2u);
    bool noted = false;
    for (const auto& p : r.problems) noted = noted || p.find("another result for a; the first (line") != std::string::npos;
    EXPECT_TRUE(noted);
}

TEST(ToolRunLog, AResultWithNanOrHugeValuesIsNamedByLineNotCalledACrash) {
    std::string log = CleanLog("a,b,c");
    std::string res = LineWith(log, "\"name\":\"b\",\"category\"");
    ASSERT_NE(res.find("\"type\":\"result\""), std::string::npos) << res;
    for (std::string bad : {"NaN", "1e999", "-5"}) {
        std::string forged = res;
        size_t at = forged.find("\"iterations\":");
        forged.replace(at, forged.find(',', at) - at, "\"iterations\":" + bad);
        std::string text = log;
        text.replace(text.find(res), res.size(), forged);
        RunReport r = read_log(text);
        EXPECT_EQ(r.find("b"), nullptr) << bad;
        EXPECT_EQ(r.unreadable_results, 1u);
        bool named = false;
        for (const auto& p : r.problems)
            named = named || (p.find("the result record of b could not be read") != std::string::npos && p.rfind("line ", 0) == 0);
        EXPECT_TRUE(named) << bad;
        EXPECT_TRUE(r.find("c") && r.find("c")->ok());
        EXPECT_NE(r.exit_code() & kExitIncomplete, 0);
    }
}

TEST(ToolRunLog, OneVmMayNotClaimThousandsOfResults) {
    std::string names;
    for (int i = 0; i < 600; ++i) names += (i ? "," : "") + std::string("b") + std::to_string(1000 + i);
    RunReport r = read_log(CleanLog(names));
    EXPECT_EQ(r.results.size(), kMaxResultsPerHeader);
    EXPECT_FALSE(r.complete);
    bool noted = false;
    for (const auto& p : r.problems) noted = noted || p.find("records after one header: a kernel has tens of benchmarks") != std::string::npos;
    EXPECT_TRUE(noted);

    VmLauncher l;
    l.command = [&](const VmPlan& p, std::string*) -> std::optional<std::vector<std::string>> {
        return std::vector<std::string>{HVB_FAKE_VMM, "--benchmarks", names, "--cmdline", p.cmdline};
    };
    RunSettings s;
    RunReport run = run_suite(s, l, nullptr);
    EXPECT_EQ(run.results.size(), kMaxResultsPerHeader);
    EXPECT_NE(run.fatal.find("claimed more than 512 results"), std::string::npos) << run.fatal;
}

// A kernel sends a begin record per benchmark per pass: 120 benchmarks in 5
// passes are 600 begins, which a header saying `passes: 5` allows.
TEST(ToolRunLog, BeginsPerPassAreNotAFlood) {
    const std::string header =
        "@hvb {\"type\":\"header\",\"version\":1,\"cpu_vendor\":\"x\",\"cpu_model\":\"x\",\"cpu_family\":1,"
        "\"cpu_model_id\":1,\"cpu_stepping\":1,\"hypervisor\":\"x\",\"tsc_hz\":1000000000,\"tsc_source\":\"pit\","
        "\"invariant_tsc\":false,\"cpus\":1,\"apic\":\"xapic\",\"memory_bytes\":1,\"boot\":\"pvh\",\"loader\":\"\","
        "\"cmdline\":\"\",\"timer\":\"rdtsc\",\"timing\":\"internal\",\"reps\":0,\"benchmarks\":120";
    std::string begins;
    for (int pass = 1; pass <= 5; ++pass)
        for (int i = 0; i < 120; ++i)
            begins += "@hvb {\"type\":\"begin\",\"name\":\"b" + std::to_string(i) + "\",\"index\":" +
                      std::to_string(i + 1) + ",\"total\":120,\"pass\":" + std::to_string(pass) + "}\n";
    RunLog with_passes = parse_run_log(header + ",\"passes\":5}\n" + begins);
    EXPECT_FALSE(with_passes.flooded);
    EXPECT_EQ(with_passes.begun.size(), 600u);
    RunLog without = parse_run_log(header + "}\n" + begins);  // an older kernel: one begin per benchmark
    EXPECT_TRUE(without.flooded);
    EXPECT_EQ(without.begun.size(), kMaxResultsPerHeader);
}

TEST(ToolKernelWords, ValuesCannotSmuggleOptionsOrGrubText) {
    EXPECT_TRUE(kernel_word_problem("cpuid verify=0"));
    EXPECT_TRUE(kernel_word_problem("5 reps=3"));
    EXPECT_TRUE(kernel_word_problem("x;reboot"));
    EXPECT_TRUE(kernel_word_problem(""));
    EXPECT_FALSE(kernel_word_problem("cpuid"));
    EXPECT_FALSE(kernel_word_problem("mem_hot.working_set=64M"));
    EXPECT_FALSE(kernel_word_problem("target=0.5%"));
    char bad = 0;
    EXPECT_TRUE(grub_safe_options("only=cpuid target=0.5%", &bad));  // --target works with image and ISO boots
    EXPECT_TRUE(grub_path_problem("/boot/x.elf; reboot"));
    EXPECT_TRUE(grub_path_problem("boot/x.elf"));
    EXPECT_TRUE(grub_path_problem("/boot/../x.elf"));
    EXPECT_FALSE(grub_path_problem("/boot/hvbench.elf"));
    EXPECT_FALSE(grub_path_problem("/hvbench.elf"));
}

}  // namespace

namespace {

using namespace hvb::tools;

TEST(ToolCompareChart, NoSolidRatioBarOnANoisyFigure) {
    BenchResult a, b;
    a.name = b.name = "mem_hot_2m";
    a.median_milli = 2852;
    a.mad_milli = b.mad_milli = 1;
    b.median_milli = 2989000;
    b.noisy = true;  // the guest's figure moved on its second look
    ResultsDoc da{RunInfo{}, {a}}, db{RunInfo{}, {b}};
    da.info.label = "native";
    db.info.label = "tcg";
    std::string svg = comparison_svg(compare_results({da, db}, 0), "t");
    EXPECT_EQ(svg.find("opacity=\"1\""), std::string::npos) << svg;
    EXPECT_NE(svg.find("× noisy"), std::string::npos);
}

}  // namespace
