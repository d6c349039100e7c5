// tests/unit/tool_run_config_test.cpp — `hvbench run`'s command line into a
// RunConfig (tools/run_config.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/run_config.h"

namespace {

using namespace hvb::tools;

// parse_run_args over the words after "run".
std::optional<RunConfig> parse(std::vector<std::string> words, std::string* error = nullptr) {
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    Args args(int(argv.size()), argv.data(), 0);
    return parse_run_args(args, error);
}

TEST(ToolRunConfig, Defaults) {
    auto c = parse({});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->memory, "256M");
    EXPECT_EQ(c->qemu, "qemu-system-x86_64");
    EXPECT_EQ(c->smp, 0u);
    EXPECT_EQ(c->runs, 1u);
    EXPECT_EQ(c->vmm, "qemu");
    EXPECT_EQ(c->guest, "dom0");
    EXPECT_FALSE(c->pin);
    EXPECT_FALSE(c->vmm_aslr);  // the VMM's layout is fixed unless asked
    EXPECT_EQ(c->settings.bench_timeout_ms, 300000);
    EXPECT_EQ(c->settings.boot_timeout_ms, 240000);
    EXPECT_FALSE(c->boot_timeout_given);
}

// The default run is launches that agree (tools/agreement.h); --quick,
// --runs, --linearity and Xen make it one launch (or --runs' N).
TEST(ToolRunConfig, AgreeingLaunchesByDefault) {
    EXPECT_TRUE(agreeing_launches(*parse({})));
    EXPECT_TRUE(agreeing_launches(*parse({"--budget-ms", "100", "--only", "cpuid"})));
    auto q = parse({"--quick"});
    ASSERT_TRUE(q);
    EXPECT_TRUE(q->quick);
    EXPECT_FALSE(agreeing_launches(*q));
    auto r = parse({"--runs", "1"});
    EXPECT_TRUE(r->runs_given);
    EXPECT_FALSE(agreeing_launches(*r));
    EXPECT_FALSE(agreeing_launches(*parse({"--linearity"})));
    EXPECT_FALSE(agreeing_launches(*parse({"--vmm", "xen"})));
    EXPECT_FALSE(agreeing_launches(*parse({"--arch", "aarch64", "--vmm", "kvm-nested"})));
    EXPECT_FALSE(agreeing_launches(*parse({"--timing", "external"})));
}

// --guest takes the three Xen guests; a given --boot-timeout is marked so
// that --guest hvm's longer default (tools/run_setup.cpp) does not replace it.
TEST(ToolRunConfig, XenGuests) {
    for (const char* g : {"dom0", "pvh", "hvm"}) {
        auto c = parse({"--vmm", "xen", "--guest", g});
        ASSERT_TRUE(c) << g;
        EXPECT_EQ(c->guest, g);
        EXPECT_FALSE(c->boot_timeout_given);
    }
    auto c = parse({"--vmm", "xen", "--guest", "hvm", "--boot-timeout", "30"});
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->boot_timeout_given);
    EXPECT_EQ(c->settings.boot_timeout_ms, 30000);
}

// --vmm kvm-nested is the kernel under a Linux KVM host of its own
// architecture nested in TCG: aarch64 or x86_64.
TEST(ToolRunConfig, KvmNestedOnEitherArchitecture) {
    auto c = parse({"--arch", "aarch64", "--vmm", "kvm-nested"});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->vmm, "kvm-nested");
    EXPECT_EQ(c->qemu, "qemu-system-aarch64");
    c = parse({"--vmm", "kvm-nested", "--arch", "x86_64"});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->vmm, "kvm-nested");
    EXPECT_EQ(c->qemu, "qemu-system-x86_64");
    std::string error;
    EXPECT_FALSE(parse({"--vmm", "kvm"}, &error));
    EXPECT_EQ(error, "--vmm must be qemu, xen, kvm-nested, libvirt or xl");
}

TEST(ToolRunConfig, VmmAslr) {
    auto c = parse({"--vmm-aslr"});
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->vmm_aslr);
    std::string error;
    EXPECT_FALSE(parse({"--vmm-aslr=1"}, &error));
    EXPECT_FALSE(error.empty());
}

TEST(ToolRunConfig, EveryKindOfOption) {
    auto c = parse({"--accel=tcg", "--smp", "2", "--memory", "512M", "--only", "a,b", "--skip=c", "--reps", "5",
                    "--linearity", "--timer", "rdtscp", "--kernel-arg", "apic=xapic", "--pin-cpus", "2-3",
                    "--timeout", "10", "--boot-timeout=20", "--timing", "external", "--runs", "3", "--json", "x.json",
                    "--csv", "x.csv", "--log", "x.log", "--label", "L", "--quiet", "--boot", "mb1"});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->accel, "tcg");
    EXPECT_EQ(c->smp, 2u);
    EXPECT_EQ(c->memory, "512M");
    EXPECT_TRUE(c->memory_given);
    EXPECT_EQ(c->settings.only, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(c->settings.skip, (std::vector<std::string>{"c"}));
    EXPECT_EQ(c->settings.kernel_args, (std::vector<std::string>{"reps=5", "linearity=1", "apic=xapic"}));
    EXPECT_EQ(c->settings.timer, "rdtscp");
    EXPECT_TRUE(c->pin);
    EXPECT_EQ(c->pin_cpus, (std::vector<int>{2, 3}));
    EXPECT_EQ(c->settings.bench_timeout_ms, 10000);
    EXPECT_EQ(c->settings.boot_timeout_ms, 20000);
    EXPECT_TRUE(c->settings.external_timing);
    EXPECT_EQ(c->runs, 3u);
    EXPECT_EQ(c->json, "x.json");
    EXPECT_EQ(c->csv, "x.csv");
    EXPECT_EQ(c->log, "x.log");
    EXPECT_EQ(c->label, "L");
    EXPECT_TRUE(c->quiet);
    EXPECT_EQ(c->boot, BootPath::mb1);
}

TEST(ToolRunConfig, ErrorsNameTheOption) {
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{"--smp", "0"}, "--smp needs 1..288"},
        {{"--bogus"}, "unknown argument '--bogus'"},
        {{"--json"}, "--json needs a value"},
        {{"--accel", "hvf"}, "--accel must be kvm or tcg"},
        {{"--runs", "101"}, "--runs needs 1..100"},
        {{"--kernel-arg", "pinned=full"}, "--kernel-arg pinned=...: the tool sets it (use --pin)"},
        {{"--kernel-arg", "only=a"}, "--kernel-arg only=...: use --only (the tool adds to it when it resumes)"},
        {{"--xen-arg", "a b"}, "--xen-arg takes one word"},
        {{"--boot", "floppy"}, "--boot must be pvh, mb1, iso-bios or iso-uefi"},
        {{"--guest", "pv"}, "--guest must be dom0, pvh or hvm"},
    };
    for (const auto& [words, want] : cases) {
        std::string error;
        EXPECT_FALSE(parse(words, &error)) << want;
        EXPECT_EQ(error, want);
    }
}

// The first bad argument stops parsing: what follows is not read.
TEST(ToolRunConfig, StopsAtTheFirstError) {
    std::string error;
    EXPECT_FALSE(parse({"--smp", "x", "--bogus"}, &error));
    EXPECT_EQ(error, "--smp needs 1..288");
}

}  // namespace

namespace {

TEST(ToolRunConfig, Arch) {
    auto c = parse({});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->arch, hvb::tools::host_arch());
    c = parse({"--arch", "aarch64"});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->arch, "aarch64");
    EXPECT_EQ(c->qemu, "qemu-system-aarch64");
    c = parse({"--arch", "aarch64", "--qemu", "/opt/qemu"});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->qemu, "/opt/qemu");  // given: kept
    std::string error;
    EXPECT_FALSE(parse({"--arch", "riscv64"}, &error));
    EXPECT_EQ(error, "--arch must be x86_64 or aarch64");
}

}  // namespace
