// tests/unit/tool_reporters_test.cpp — the run's reporters (tools/reporters.h)
// fed events by hand: the log's VM separators, the results files rewritten
// as results arrive, the console's progress lines.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tools/reporters.h"

namespace {

using namespace hvb::tools;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

BenchResult ok_result(const std::string& name) {
    BenchResult r;
    r.name = name;
    r.category = "test";
    r.status = "ok";
    r.iterations = 1000;
    r.repetitions = 5;
    r.median_milli = 10000;
    r.vm = 1;
    return r;
}

class ToolReporters : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/hvb-reporters-test.XXXXXX";
        ASSERT_TRUE(mkdtemp(tmpl));
        dir_ = tmpl;
    }
    void TearDown() override { (void)system(("rm -rf " + dir_).c_str()); }
    std::string dir_;
};

TEST_F(ToolReporters, LogSeparatesVms) {
    std::string path = dir_ + "/x.log";
    {
        LogTee log(fopen(path.c_str(), "wb"), false);
        log.output(1, "ab", false);
        log.output(1, "c", true);
        log.output(2, "d", false);
    }
    EXPECT_EQ(slurp(path), "\n==== hvbench: VM 1 ====\nabc\n==== hvbench: VM 2 ====\nd");
}

// The first result is written at once; the next within the second waits
// for the pacer (or the final write).
TEST_F(ToolReporters, FilesRewrittenAsResultsArrive) {
    std::string json = dir_ + "/x.json", csv = dir_ + "/x.csv";
    RunInfo info;
    info.label = "test";
    ResultsFiles files(json, csv, info, nullptr);
    BenchResult a = ok_result("a"), b = ok_result("b");
    RunEvent e{RunEvent::result, "", "a", 0, 0, &a};
    files.on_event(e);
    EXPECT_NE(slurp(json).find("\"name\": \"a\""), std::string::npos);
    EXPECT_NE(slurp(csv).find("\na,test,ok,"), std::string::npos);
    e.bench = &b;
    files.on_event(e);
    EXPECT_EQ(slurp(json).find("\"name\": \"b\""), std::string::npos);
    files.write({a, b});
    EXPECT_NE(slurp(json).find("\"name\": \"b\""), std::string::npos);
    EXPECT_TRUE(files.errors().empty());
    EXPECT_EQ(written_files_text(false, files.outputs()), ", JSON: " + json + ", CSV: " + csv);
}

TEST_F(ToolReporters, NoResultsLeaveFilesAlone) {
    std::string json = dir_ + "/x.json";
    ResultsFiles files(json, "", RunInfo{}, nullptr);
    files.write({});
    EXPECT_NE(access(json.c_str(), F_OK), 0);
    EXPECT_EQ(written_files_text(true, files.outputs()),
              ", JSON " + json + " not written (no results; an existing file is left as it was)");
}

TEST(ToolConsoleReporter, ProgressLines) {
    ::testing::internal::CaptureStderr();  // not a terminal: a line per step
    {
        ConsoleReporter console({false, false, "tcg", "none", 0});
        std::vector<std::string> argv = {"qemu"};
        RunEvent start{RunEvent::vm_start, "", "max"};
        start.text = "only=a";
        start.vm = 3;
        start.argv = &argv;
        console.on_event(start);
        console.on_event(RunEvent{RunEvent::begin, "", "a", 1, 2});
        BenchResult a = ok_result("a");
        console.on_event(RunEvent{RunEvent::result, "", "a", 0, 0, &a});
        console.on_event(RunEvent{RunEvent::note, "a note"});
    }
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(err.substr(0, err.find("  (")),
              "hvbench: VM 3: tcg -cpu max, kernel options 'only=a'\n[1/2] a ...\n"
              "[1/2] a                        ok          10.000 cycles");
    EXPECT_NE(err.find(" s)\nhvbench: a note\n"), std::string::npos);
}

TEST(ToolReporterText, Elapsed) {
    EXPECT_EQ(elapsed_text(1.25), "1.2 s");
    EXPECT_EQ(elapsed_text(125), "2:05");
}

}  // namespace
