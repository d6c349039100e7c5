// tests/unit/tool_run_test.cpp — the crash-and-resume driver against a fake
// VMM (tests/fakes/fake_vmm.cpp) that dies, hangs or reports a KVM error on
// cue. Timeouts are a few hundred milliseconds so each test stays short.
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <thread>

#include "kernel/record_fields.h"
#include "tests/fakes/fake_numbers.h"
#include "tools/log_import.h"
#include "tools/results.h"
#include "tools/run.h"

namespace {

using namespace hvb::tools;

struct Recorder {
    std::vector<std::string> cmdlines, cpus, notes, begins;
    std::vector<std::pair<size_t, size_t>> positions;  // begin: k of N
    ProgressFn fn() {
        return [this](const RunEvent& e) {
            if (e.kind == RunEvent::vm_start) {
                cmdlines.push_back(e.text);
                cpus.push_back(e.name);
            } else if (e.kind == RunEvent::note) {
                notes.push_back(e.text);
            } else if (e.kind == RunEvent::begin) {
                begins.push_back(e.name);
                positions.emplace_back(e.index, e.total);
            }
        };
    }
    bool noted(const std::string& text) const {
        for (const auto& n : notes)
            if (n.find(text) != std::string::npos) return true;
        return false;
    }
};

VmLauncher Fake(std::vector<std::string> args, std::vector<std::string> models = {""}) {
    VmLauncher l;
    l.cpu_models = std::move(models);
    l.command = [args](const VmPlan& p, std::string*) -> std::optional<std::vector<std::string>> {
        std::vector<std::string> argv = {HVB_FAKE_VMM, "--benchmarks", "a,b,c,d"};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.insert(argv.end(), {"--cmdline", p.cmdline});
        if (!p.cpu_model.empty()) argv.insert(argv.end(), {"--cpu", p.cpu_model});
        return argv;
    };
    return l;
}

RunSettings Fast() {
    RunSettings s;
    s.bench_timeout_ms = 300;
    s.boot_timeout_ms = 1000;
    s.vmm_error_grace_ms = 100;
    return s;
}

std::vector<std::string> Names(const RunReport& r) {
    std::vector<std::string> v;
    for (const auto& b : r.results) v.push_back(b.name + ":" + b.status);
    return v;
}

TEST(ToolRun, CleanRunIsOneVm) {
    Recorder rec;
    RunReport r = run_suite(Fast(), Fake({}), rec.fn());
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:ok", "c:ok", "d:ok"}));
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.vms, 1u);
    EXPECT_EQ(r.exit_code(), 0);
    EXPECT_EQ(r.total, 4u);
    ASSERT_TRUE(r.header);
    EXPECT_EQ(r.header->cpu_model, "Fake CPU");
    EXPECT_EQ(r.results[1].median_milli, 11000);
    EXPECT_EQ(r.results[1].timer, "rdtsc");
    EXPECT_EQ(r.results[1].vm, 1u);
    EXPECT_EQ(rec.cmdlines, (std::vector<std::string>{""}));
    EXPECT_EQ(rec.positions, (std::vector<std::pair<size_t, size_t>>{{1, 4}, {2, 4}, {3, 4}, {4, 4}}));
}

// Every numeric field of kernel/record_fields.h, as the kernel's writer sends
// it, reaches the tool's results and comes back from its JSON and (where it
// has a column) its CSV: a field added to the table is tested here too.
// A suite in passes: a later pass is announced when its yardstick record
// arrives (passes that arrive together: the latest), not kept among the
// report's notes, and each benchmark is shown beginning once, not once per
// pass. The fake VMM leaves 30 ms between passes, so on an unloaded host
// each is announced.
TEST(ToolRun, LaterPassesAreAnnounced) {
    Recorder rec;
    RunReport r = run_suite(Fast(), Fake({"--passes", "5"}), rec.fn());
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:ok", "c:ok", "d:ok"}));
    EXPECT_EQ(rec.begins, (std::vector<std::string>{"a", "b", "c", "d"}));
    ASSERT_FALSE(rec.notes.empty());
    EXPECT_LE(rec.notes.size(), 4u);
    EXPECT_EQ(rec.notes.back(), "pass 5 of 5: every benchmark again");
    for (size_t k = 0; k < rec.notes.size(); ++k) {
        EXPECT_EQ(rec.notes[k].find("pass 1 "), std::string::npos);
        if (k) {
            EXPECT_LT(rec.notes[k - 1], rec.notes[k]);  // in order (one digit)
        }
    }
    for (const auto& n : r.notes) EXPECT_EQ(n.find("pass "), std::string::npos) << n;
}

TEST(ToolRun, EveryNumericFieldReachesTheResultsFiles) {
    RunReport r = run_suite(Fast(), Fake({"--numbers"}), nullptr);
    ASSERT_EQ(r.results.size(), 4u);
    ResultsDoc doc;
    doc.benchmarks = r.results;
    std::string error;
    auto json = read_results_json(write_results_json(doc), &error);
    ASSERT_TRUE(json) << error;
    auto csv = read_results_csv(write_results_csv(r.results, 0), &error);
    ASSERT_TRUE(csv) << error;
    for (size_t i = 0; i < r.results.size(); ++i) {
        int row = 0;
#define HVB_EXPECT_hand(member, kind, column)
#define HVB_EXPECT_none(member, kind, column)
#define HVB_EXPECT_gen(member, kind, column)                                         \
    {                                                                               \
        auto want = hvb::fake::fake_number<hvb::record_field::kind>(row++, i);      \
        EXPECT_EQ(r.results[i].member, want) << #member << " of result " << i;      \
        EXPECT_EQ(json->benchmarks[i].member, want) << #member << " from the JSON"; \
        if (std::string(column) != "") {                                            \
            EXPECT_EQ((*csv)[i].member, want) << #member << " from the CSV";        \
        }                                                                           \
    }
#define HVB_EXPECT_NUMBER(member, kind, need, group, key, csv_column, unit, sent, decl, kernel, json_pos, csv_pos) \
    HVB_EXPECT_##decl(member, kind, csv_column)
        HVB_RESULT_FIELDS(HVB_EXPECT_NUMBER)
#undef HVB_EXPECT_hand
#undef HVB_EXPECT_none
#undef HVB_EXPECT_gen
#undef HVB_EXPECT_NUMBER
    }
}

TEST(ToolRun, CrashResumesInAFreshVmWithoutLosingResults) {
    Recorder rec;
    RunReport r = run_suite(Fast(), Fake({"--crash", "b"}), rec.fn());
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:crashed", "c:ok", "d:ok"}));
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.vms, 2u);
    EXPECT_EQ(r.exit_code(), kExitCrashed);
    EXPECT_EQ(rec.cmdlines, (std::vector<std::string>{"", "skip=a,b"}));
    const BenchResult* b = r.find("b");
    EXPECT_NE(b->reason.find("the VM died while b ran (killed by SIGABRT)"), std::string::npos) << b->reason;
    EXPECT_NE(b->reason.find("guest died in b"), std::string::npos) << b->reason;
    EXPECT_NE(b->vmm_output.find("[vmm] fake_vmm: guest died in b"), std::string::npos) << b->vmm_output;
    EXPECT_NE(b->vmm_output.find("\"type\":\"begin\",\"name\":\"b\""), std::string::npos) << b->vmm_output;
    EXPECT_EQ(r.find("c")->vm, 2u);
    // Progress counts across VMs: d, in the second VM, is the fourth of four.
    EXPECT_EQ(rec.positions.back(), (std::pair<size_t, size_t>{4, 4}));
    EXPECT_TRUE(rec.noted("continuing in a fresh VM"));
}

TEST(ToolRun, SeveralCrashesIncludingTheLast) {
    RunReport r = run_suite(Fast(), Fake({"--crash", "a", "--crash", "c", "--crash", "d"}), nullptr);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:crashed", "b:ok", "c:crashed", "d:crashed"}));
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.vms, 3u);  // a | b c | d, and no fourth VM just to find nothing left
}

TEST(ToolRun, HangIsATimeoutAndTheRunGoesOn) {
    int64_t t0 = now_ms();
    RunReport r = run_suite(Fast(), Fake({"--hang", "c"}), nullptr);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:ok", "c:timeout", "d:ok"}));
    EXPECT_NE(r.find("c")->reason.find("no output for 0 s while c ran; the VM was killed"), std::string::npos)
        << r.find("c")->reason;
    EXPECT_EQ(r.exit_code(), 2);
    EXPECT_LT(now_ms() - t0, 1800);
}

TEST(ToolRun, VmmThatStopsTheGuestAndSitsPausedIsACrash) {
    int64_t t0 = now_ms();
    RunSettings s = Fast();
    s.bench_timeout_ms = 10000;  // must not be what ends it
    RunReport r = run_suite(s, Fake({"--vmm-stop", "b"}), nullptr);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:crashed", "c:ok", "d:ok"}));
    const BenchResult* b = r.find("b");
    EXPECT_NE(b->reason.find("QEMU stopped the guest while b ran: KVM internal error. Suberror: 1"), std::string::npos)
        << b->reason;
    EXPECT_NE(b->vmm_output.find("[vmm] emulation failure"), std::string::npos);
    EXPECT_LT(now_ms() - t0, 1800);
}

TEST(ToolRun, AStopReportEndingInItsCodeLineEndsTheVmAtOnce) {
    // The grace period is long here; the Code= line must cut it short
    // (0.1 s after the report is complete).
    RunSettings s = Fast();
    s.bench_timeout_ms = 10000;
    s.vmm_error_grace_ms = 2000;
    int64_t t0 = now_ms();
    RunReport r = run_suite(s, Fake({"--vmm-stop", "b", "--vmm-stop-code"}), nullptr);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:crashed", "c:ok", "d:ok"}));
    EXPECT_NE(r.find("b")->vmm_output.find("Code="), std::string::npos);
    EXPECT_LT(now_ms() - t0, 1500);  // not the 2 s grace
    // Without the line the grace period is what ends it.
    t0 = now_ms();
    r = run_suite(s, Fake({"--vmm-stop", "b"}), nullptr);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:crashed", "c:ok", "d:ok"}));
    EXPECT_GE(now_ms() - t0, 2000);
}

TEST(ToolRun, QemuStopReportIsCompleteAtItsCodeLine) {
    // As QEMU 7.2 writes it when KVM stops the guest with an internal error
    // (abridged).
    std::string report =
        "KVM internal error. Suberror: 1\n"
        "extra data[0]: 0x0000000000000001\n"
        "emulation failure\n"
        "RAX=0000000000118d14 RBX=000000000012cd38 RCX=0000000000000000 RDX=00000000001341b8\n"
        "EFER=0000000000000500\n"
        "Code=00 48 85 ff 74 14 48 8d 05 08 00 00 00 48 89 05 f5 02 07 00 <cc> 48 ff cf 75 fa c3\n";
    EXPECT_TRUE(vmm_stop_report_complete(report));
    EXPECT_FALSE(vmm_stop_report_complete(report.substr(0, report.size() - 1)));  // Code= line not ended yet
    EXPECT_FALSE(vmm_stop_report_complete(report.substr(0, report.find("Code="))));
    EXPECT_FALSE(vmm_stop_report_complete("qemu: warning: x\nCode=00\n"));  // no stop message
    EXPECT_FALSE(vmm_stop_report_complete(""));
    EXPECT_TRUE(vmm_stop_report_complete("qemu-system-x86_64: warning: y\nKVM: entry failed, hardware error 0x80000021\n"
                                         "RAX=0\nCode=00 00\n"));
}

TEST(ToolRun, RdtscpTimerThatKillsTheVmIsReplacedByRdtsc) {
    Recorder rec;
    RunSettings s = Fast();
    s.timer = "rdtscp";
    RunReport r = run_suite(s, Fake({"--crash-if-rdtscp", "b"}), rec.fn());
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:ok", "c:ok", "d:ok"}));
    EXPECT_EQ(rec.cmdlines, (std::vector<std::string>{"timer=rdtscp", "only=b timer=rdtsc", "skip=a,b timer=rdtsc"}));
    EXPECT_EQ(r.find("a")->timer, "rdtscp");
    EXPECT_EQ(r.find("b")->timer, "rdtsc");
    EXPECT_EQ(r.find("c")->timer, "rdtsc");
    EXPECT_EQ(r.timer, "rdtsc");
    EXPECT_TRUE(rec.noted("running it again alone with timer=rdtsc"));
    EXPECT_TRUE(rec.noted("the RDTSCP timer is what kills this VM"));
    EXPECT_EQ(r.exit_code(), 0);
}

TEST(ToolRun, BenchmarkThatCrashesWithEitherTimerStaysCrashed) {
    Recorder rec;
    RunSettings s = Fast();
    s.timer = "rdtscp";
    RunReport r = run_suite(s, Fake({"--crash", "b"}), rec.fn());
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:crashed", "c:ok", "d:ok"}));
    EXPECT_EQ(rec.cmdlines, (std::vector<std::string>{"timer=rdtscp", "only=b timer=rdtsc", "skip=a,b timer=rdtscp"}));
    EXPECT_NE(r.find("b")->reason.find("(again with timer=rdtsc)"), std::string::npos);
    EXPECT_TRUE(rec.noted("the benchmark itself kills the VM"));
    EXPECT_EQ(r.timer, "rdtscp");
}

TEST(ToolRun, CpuModelsAreTriedUntilOneStarts) {
    Recorder rec;
    RunReport r = run_suite(Fast(), Fake({"--refuse-cpu", "host"}, {"host", "host,-arch-capabilities", "max"}), rec.fn());
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.cpu_model, "host,-arch-capabilities");
    EXPECT_EQ(rec.cpus, (std::vector<std::string>{"host", "host,-arch-capabilities"}));
    EXPECT_TRUE(rec.noted("did not start with -cpu host (qemu-system-x86_64: can't apply global"));
    EXPECT_EQ(r.vms, 1u);
    // With no model left to try, the run stops.
    r = run_suite(Fast(), Fake({"--refuse-cpu", "max"}, {"max"}), nullptr);
    EXPECT_FALSE(r.complete);
    EXPECT_NE(r.fatal.find("exited without any guest output (exit status 1)"), std::string::npos) << r.fatal;
    EXPECT_EQ(r.exit_code(), kExitIncomplete);
}

// --pin's start step fails ("QMP connection closed") when QEMU refuses the
// -cpu model and exits: that VMM is still running when the step returns, so
// the refusal must be waited for and the next model tried, not the run
// stopped (KVM's -cpu host aborts ~30 ms in on this machine). A step that
// fails for a VMM that does not exit still stops the run.
TEST(ToolRun, StartStepFailingAsTheVmmRefusesItsCpuModel) {
    Recorder rec;
    VmLauncher l = Fake({"--refuse-cpu", "host", "--refuse-after-ms", "50"}, {"host", "max"});
    l.started = [](Process& p, const VmPlan& plan, std::string* err) {
        if (plan.cpu_model != "host") return true;
        EXPECT_TRUE(p.running());
        *err = "--pin: QMP connection closed";
        return false;
    };
    // The grace must outlast the fake's own start (an ASan binary: ~60 ms
    // here) plus its 50 ms before refusing; Fast()'s 100 ms did not always.
    RunSettings s = Fast();
    s.vmm_error_grace_ms = 2000;
    RunReport r = run_suite(s, l, rec.fn());
    EXPECT_TRUE(r.fatal.empty()) << r.fatal;
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.cpu_model, "max");
    EXPECT_EQ(rec.cpus, (std::vector<std::string>{"host", "max"}));
    l.started = [](Process&, const VmPlan&, std::string* err) {
        *err = "--pin: QMP connection closed";
        return false;
    };
    l.command = [](const VmPlan&, std::string*) -> std::optional<std::vector<std::string>> {
        return std::vector<std::string>{HVB_FAKE_VMM, "--benchmarks", "a", "--hang-at-boot"};
    };
    r = run_suite(s, l, nullptr);
    EXPECT_EQ(r.fatal, "--pin: QMP connection closed");
}

TEST(ToolRun, DeathOrHangBeforeTheHeaderStopsTheRun) {
    RunReport r = run_suite(Fast(), Fake({"--die-at-boot"}), nullptr);
    EXPECT_TRUE(r.results.empty());
    EXPECT_NE(r.fatal.find("died before the kernel reported its platform"), std::string::npos) << r.fatal;
    EXPECT_EQ(r.vms, 1u);
    EXPECT_EQ(r.exit_code(), kExitIncomplete);
    RunSettings s = Fast();
    s.boot_timeout_ms = 300;
    r = run_suite(s, Fake({"--hang-at-boot"}), nullptr);
    EXPECT_NE(r.fatal.find("hung before the kernel reported its platform"), std::string::npos) << r.fatal;
}

TEST(ToolRun, LostEndRecordAfterTheLastResult) {
    Recorder rec;
    RunReport r = run_suite(Fast(), Fake({"--lose-end"}), rec.fn());
    EXPECT_EQ(r.results.size(), 4u);
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.vms, 1u);
    EXPECT_TRUE(rec.noted("without an end record"));
    EXPECT_EQ(r.exit_code(), 0);
}

TEST(ToolRun, ExternalTimingFromMarkers) {
    RunSettings s = Fast();
    s.external_timing = true;
    // 10 ms against 20 ms: far beyond a busy host's scheduling jitter (at
    // 1 ms against 2 it failed once on a loaded 2-core host).
    RunReport r = run_suite(s, Fake({"--loop-us", "20000"}), nullptr);
    ASSERT_EQ(r.results.size(), 4u);
    EXPECT_EQ(r.markers, 4u * 20u);
    for (const auto& b : r.results) {
        ASSERT_TRUE(b.external) << b.name;
        EXPECT_EQ(b.external->samples, 5u);
        // The "benchmark" loop sleeps 10 ms longer than the "control" one:
        // per iteration (1000 of them) that is well above zero host cycles.
        EXPECT_GT(b.external->median_milli, 0) << b.name;
        EXPECT_GT(b.external->control_median_milli, 0);
    }
}

TEST(ToolRun, InterruptKeepsWhatWasMeasured) {
    static volatile std::sig_atomic_t flag = 0;
    flag = 0;
    RunSettings s = Fast();
    s.bench_timeout_ms = 10000;
    s.interrupted = &flag;
    std::thread t([] {
        usleep(300000);
        flag = 1;
    });
    RunReport r = run_suite(s, Fake({"--hang", "c"}), nullptr);
    t.join();
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:ok"}));
    EXPECT_TRUE(r.exit_code() & kExitIncomplete);
}

TEST(ToolRun, NoisyConsoleAndCategories) {
    RunSettings s = Fast();
    s.only = {"even"};
    VmLauncher l;
    l.command = [](const VmPlan& p, std::string*) -> std::optional<std::vector<std::string>> {
        return std::vector<std::string>{HVB_FAKE_VMM, "--benchmarks", "a:odd,b:even,c:odd,d:even", "--noise", "--crash",
                                        "b", "--cmdline", p.cmdline};
    };
    Recorder rec;
    RunReport r = run_suite(s, l, rec.fn());
    EXPECT_EQ(Names(r), (std::vector<std::string>{"b:crashed", "d:ok"}));
    EXPECT_EQ(rec.cmdlines, (std::vector<std::string>{"only=even", "only=even skip=b"}));
    EXPECT_TRUE(r.problems.empty());
    EXPECT_EQ(r.find("d")->category, "even");
}

TEST(ToolRun, FixedCommandLineCannotResume) {
    RunSettings s = Fast();
    s.can_pass_options = false;
    RunReport r = run_suite(s, Fake({"--crash", "b"}), nullptr);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:crashed"}));
    EXPECT_NE(r.fatal.find("cannot resume"), std::string::npos);
    EXPECT_EQ(r.exit_code(), kExitCrashed | kExitIncomplete);
}

// 40 benchmarks b00..b39: past the kernel's 32 names, the resume needs the list.
VmLauncher Forty(std::vector<std::string> args) {
    std::string list;
    for (int i = 0; i < 40; ++i) list += (i ? ",b" : "b") + std::string(i < 10 ? "0" : "") + std::to_string(i);
    VmLauncher l;
    l.command = [args, list](const VmPlan& p, std::string*) -> std::optional<std::vector<std::string>> {
        std::vector<std::string> argv = {HVB_FAKE_VMM, "--benchmarks", list, "--cmdline", p.cmdline};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    };
    return l;
}

TEST(ToolRun, LateCrashInALongSuiteResumesWithOnly) {
    RunSettings s = Fast();
    for (int i = 0; i < 40; ++i)
        s.catalog.push_back(CatalogEntry{"b" + std::string(i < 10 ? "0" : "") + std::to_string(i), "late", 0});
    Recorder rec;
    RunReport r = run_suite(s, Forty({"--crash", "b05", "--crash", "b35"}), rec.fn());
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.results.size(), 40u);
    EXPECT_EQ(r.find("b35")->status, "crashed");
    EXPECT_EQ(r.find("b35")->category, "late");  // from the catalog
    EXPECT_EQ(r.find("b39")->status, "ok");
    ASSERT_EQ(rec.cmdlines.size(), 3u);
    EXPECT_EQ(rec.cmdlines[1].rfind("skip=b00,b01,b02,b03,b04,b05", 0), 0u);
    EXPECT_EQ(rec.cmdlines[2], "only=b36,b37,b38,b39");
    // Without the list the run stops, keeping all it has.
    s.catalog.clear();
    r = run_suite(s, Forty({"--crash", "b35"}), nullptr);
    EXPECT_EQ(r.results.size(), 36u);
    EXPECT_NE(r.fatal.find("cannot resume: the kernel takes at most 32 names in skip="), std::string::npos) << r.fatal;
}

TEST(ToolRun, LauncherFailures) {
    VmLauncher l = Fake({});
    l.started = [](Process&, const VmPlan&, std::string* err) {
        *err = "QMP said no";
        return false;
    };
    int64_t t0 = now_ms();
    RunReport r = run_suite(Fast(), l, nullptr);
    EXPECT_EQ(r.fatal, "QMP said no");
    EXPECT_LT(now_ms() - t0, 1500);
    l = Fake({});
    l.command = [](const VmPlan&, std::string* err) -> std::optional<std::vector<std::string>> {
        *err = "no ISO";
        return std::nullopt;
    };
    r = run_suite(Fast(), l, nullptr);
    EXPECT_EQ(r.fatal, "no ISO");
    l.command = [](const VmPlan&, std::string*) -> std::optional<std::vector<std::string>> {
        return std::vector<std::string>{"/nonexistent/vmm"};
    };
    r = run_suite(Fast(), l, nullptr);
    EXPECT_NE(r.fatal.find("cannot start /nonexistent/vmm"), std::string::npos);
}

}  // namespace

namespace {

TEST(ToolRunLog, ImportsACapturedLogOfSeveralVms) {
    // Two VMs' output back to back, as `hvbench run --log` writes it: b died
    // in the first, the second skipped it.
    Captured first = run_capture({HVB_FAKE_VMM, "--benchmarks", "a,b,c", "--crash", "b"}, 5000);
    Captured second = run_capture({HVB_FAKE_VMM, "--benchmarks", "a,b,c", "--cmdline", "skip=a,b"}, 5000);
    RunReport r = read_log(first.out + "\n==== hvbench: VM 2 ====\n" + second.out);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "c:ok", "b:crashed"}));
    EXPECT_NE(r.find("b")->reason.find("no result for b"), std::string::npos);
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.exit_code(), kExitCrashed);
    ASSERT_TRUE(r.header);
    EXPECT_EQ(platform_label(*r.header), "kvm");
}

TEST(ToolRunLog, CarriesTheIssue6FieldsIntoTheResults) {
    std::string log =
        R"(@hvb {"type":"header","version":1,"cpu_vendor":"GenuineIntel","cpu_model":"X","hypervisor":"KVMKVMKVM",)"
        R"("tsc_hz":2000000000,"tsc_source":"cpuid15","cpus":1,"apic":"x2apic","memory_bytes":1,"boot":"pvh",)"
        R"("loader":"","cmdline":"pinned=full","timer":"rdtsc","reps":0,"benchmarks":1,"pinned":"full"})"
        "\n"
        R"(@hvb {"type":"begin","name":"cpuid","index":1,"total":1})"
        "\n"
        R"(@hvb {"type":"result","name":"cpuid","category":"privileged","status":"ok","reason":"","iterations":100,)"
        R"("repetitions":12,"iterations_mode":"fixed","cycles":{"min":1.000,"median":2.000,"mean":2.000,"mad":0.100,)"
        R"("ci_low":1.900,"ci_high":2.100},"control":{"median":0.500},"noisy":true,"outliers":1,"interrupts":3,)"
        R"("smis":0,"elapsed_us":1500,"t_us":90000,"linearity":[{"iterations":100,"median":2.000,"repetitions":12,)"
        R"("noisy":true,"ratio":1.000}]})"
        "\n";
    RunReport r = read_log(log);
    ASSERT_EQ(r.results.size(), 1u);
    ASSERT_TRUE(r.header);
    EXPECT_EQ(r.header->pinned, "full");
    const BenchResult& b = r.results[0];
    EXPECT_EQ(b.iterations_mode, "fixed");
    EXPECT_EQ(b.ci_low_milli, 1900);
    EXPECT_EQ(b.ci_high_milli, 2100);
    EXPECT_TRUE(b.is_noisy());
    EXPECT_EQ(b.outliers, 1u);
    EXPECT_EQ(b.interrupts, 3u);
    EXPECT_EQ(b.smis, 0u);
    EXPECT_EQ(b.elapsed_us, 1500u);
    EXPECT_EQ(b.t_us, 90000u);
    ASSERT_EQ(b.linearity.size(), 1u);
    EXPECT_EQ(b.linearity[0].ratio_milli, 1000);
}

TEST(ToolRunLog, AVerifyThatMovedMakesTheResultNoisy) {
    std::string log =
        R"(@hvb {"type":"header","version":1,"cpu_vendor":"GenuineIntel","cpu_model":"X","hypervisor":"KVMKVMKVM",)"
        R"("tsc_hz":2000000000,"tsc_source":"cpuid15","cpus":1,"apic":"x2apic","memory_bytes":1,"boot":"pvh",)"
        R"("loader":"","cmdline":"","timer":"rdtsc","reps":0,"benchmarks":2,"verify":true})"
        "\n"
        R"(@hvb {"type":"result","name":"int3","category":"exception","status":"ok","reason":"","iterations":100,)"
        R"("repetitions":12,"cycles":{"min":1.000,"median":1322.700,"mean":2.000,"mad":0.100},"control":{"median":0.500},)"
        R"("noisy":false})"
        "\n"
        R"(@hvb {"type":"result","name":"ud2","category":"exception","status":"ok","reason":"","iterations":100,)"
        R"("repetitions":12,"cycles":{"min":1.000,"median":700.000,"mean":2.000,"mad":0.100},"control":{"median":0.500},)"
        R"("noisy":false})"
        "\n"
        R"(@hvb {"type":"verify","name":"int3","iterations":100,"measured":true,"median":661.000,"repetitions":5,)"
        R"("agrees":false})"
        "\n"
        R"(@hvb {"type":"verify","name":"ud2","iterations":100,"measured":true,"median":702.000,"repetitions":5,)"
        R"("agrees":true})"
        "\n";
    RunReport r = read_log(log);
    ASSERT_EQ(r.results.size(), 2u);
    const BenchResult* int3 = r.find("int3");
    const BenchResult* ud2 = r.find("ud2");
    ASSERT_TRUE(int3 && ud2);
    EXPECT_TRUE(int3->is_noisy());
    EXPECT_EQ(int3->verify_median_milli, 661000);
    EXPECT_EQ(int3->verify_agrees, false);
    EXPECT_FALSE(ud2->is_noisy());
    EXPECT_EQ(ud2->verify_agrees, true);
    // Both reach the results file and come back.
    ResultsDoc doc;
    doc.benchmarks = r.results;
    std::string err;
    auto back = read_results_json(write_results_json(doc), &err);
    ASSERT_TRUE(back) << err;
    EXPECT_EQ(back->benchmarks[0].verify_median_milli, 661000);
    EXPECT_EQ(back->benchmarks[0].verify_agrees, false);
}

TEST(ToolRunLog, ALogCutShort) {
    Captured c = run_capture({HVB_FAKE_VMM, "--benchmarks", "a,b,c", "--crash", "b"}, 5000);
    RunReport r = read_log(c.out);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:crashed"}));
    EXPECT_NE(r.find("b")->reason.find("the log ends while b ran"), std::string::npos);
    EXPECT_FALSE(r.complete);
    EXPECT_TRUE(read_log("nothing here\n").fatal.size());
}

TEST(ToolRunLog, PlatformLabels) {
    HeaderInfo h;
    for (auto [sig, label] : std::vector<std::pair<std::string, std::string>>{
             {"none", "native"}, {"", "native"}, {"KVMKVMKVM", "kvm"}, {"XenVMMXenVMM", "xen"},
             {"TCGTCGTCGTCG", "tcg"}, {"Microsoft Hv", "hyper-v"}, {"VMwareVMware", "vmware"}, {"Odd Sig 1", "odd-sig-1"}}) {
        h.hypervisor = sig;
        EXPECT_EQ(platform_label(h), label) << sig;
    }
}

}  // namespace

namespace {

TEST(ToolRun, AKernelThatIgnoresSkipDoesNotLoopForever) {
    VmLauncher l;
    l.command = [](const VmPlan&, std::string*) -> std::optional<std::vector<std::string>> {
        return std::vector<std::string>{HVB_FAKE_VMM, "--benchmarks", "a,b,c", "--crash", "b"};  // no --cmdline
    };
    RunReport r = run_suite(Fast(), l, nullptr);
    EXPECT_EQ(Names(r), (std::vector<std::string>{"a:ok", "b:crashed"}));
    EXPECT_EQ(r.vms, 2u);
    EXPECT_NE(r.fatal.find("ran b again though told to skip it"), std::string::npos) << r.fatal;
}

}  // namespace
