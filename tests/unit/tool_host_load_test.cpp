// tests/unit/tool_host_load_test.cpp — tools/host_load.h: the /proc/stat
// reader, the other work between two samples, and when the host counts as
// overcommitted for a VM's vCPUs.
#include <gtest/gtest.h>

#include "tools/host_load.h"

namespace hvb::tools {
namespace {

TEST(ToolHostLoad, ReadsTheAggregateCpuLine) {
    std::string error;
    // user nice system idle iowait irq softirq steal guest guest_nice: guest
    // time is in user already, idle and iowait are not busy, steal is.
    auto s = parse_proc_stat("cpu  100 5 20 1000 30 1 2 7 50 0\ncpu0 1 2 3 4\nintr 1\n", &error);
    ASSERT_TRUE(s) << error;
    EXPECT_EQ(s->busy_ticks, 100u + 5 + 20 + 1 + 2 + 7);
    EXPECT_EQ(s->total_ticks, 100u + 5 + 20 + 1000 + 30 + 1 + 2 + 7);
    // Old kernels: four fields.
    s = parse_proc_stat("cpu  1 2 3 4", &error);
    ASSERT_TRUE(s) << error;
    EXPECT_EQ(s->busy_ticks, 6u);
}

TEST(ToolHostLoad, MalformedInputSaysWhy) {
    for (const char* bad : {"", "cpu0 1 2 3 4\n", "cpu  1 2 3\n", "cpu  1 x 3 4\n", "cpu  1 -2 3 4\n",
                            "cpu  99999999999999999999 1 2 3\n", "intr 1\ncpu  1 2 3 4\n"}) {
        std::string error;
        EXPECT_FALSE(parse_proc_stat(bad, &error)) << bad;
        EXPECT_EQ(error.rfind("/proc/stat: ", 0), 0u) << bad << ": " << error;
    }
}

TEST(ToolHostLoad, OtherWorkIsTheHostsBusyTimeLessOurOwn) {
    HostCpuSample a, b;
    a.busy_ticks = 1000, a.own_cpu_s = 2.0, a.wall_s = 10.0;
    // 4 s: the host's CPUs were busy 12 s (1200 ticks at 100 Hz), 7.9 s of
    // it this program and its QEMUs: 4.1 s of other work, 1.0 CPU's worth.
    b.busy_ticks = 2200, b.own_cpu_s = 9.9, b.wall_s = 14.0;
    auto other = other_work_cpus(a, b, 100);
    ASSERT_TRUE(other);
    EXPECT_NEAR(*other, 1.025, 1e-9);
    // Our children's time is counted once they are waited for; never below 0.
    b.own_cpu_s = 20;
    EXPECT_EQ(*other_work_cpus(a, b, 100), 0.0);
    // No time passed, or counters that went back: no figure.
    EXPECT_FALSE(other_work_cpus(a, a, 100));
    b.busy_ticks = 10;
    EXPECT_FALSE(other_work_cpus(a, b, 100));
}

TEST(ToolHostLoad, OvercommittedWhenTheOtherWorkLeavesNoCpuPerVcpu) {
    // This host: 2 CPUs, a VM with 2 vCPUs. Quiet (0.1 CPU of other work):
    // fine; a second TCG guest looping (1.0): overcommitted.
    EXPECT_EQ(overcommit_cause(0.1, 2, 2), "");
    EXPECT_EQ(overcommit_cause(0.5, 2, 2), "");
    EXPECT_EQ(overcommit_cause(1.02, 2, 2), "host overcommitted: 1.0 CPUs of other work beside 2 vCPUs on 2 CPUs");
    // Spare CPUs absorb other work: 8 CPUs, 2 vCPUs, 5 CPUs busy elsewhere.
    EXPECT_EQ(overcommit_cause(5.0, 2, 8), "");
    EXPECT_NE(overcommit_cause(6.6, 2, 8), "");
    // More vCPUs than CPUs: any other work beyond half a CPU.
    EXPECT_NE(overcommit_cause(0.6, 4, 2), "");
}

TEST(ToolHostLoad, ThisHostCanBeSampled) {
    // Linux: /proc/stat is there; its counters only grow.
    auto a = sample_host_cpu();
    ASSERT_TRUE(a);
    auto b = sample_host_cpu();
    ASSERT_TRUE(b);
    EXPECT_GE(b->total_ticks, a->total_ticks);
    EXPECT_GE(b->wall_s, a->wall_s);
}

}  // namespace
}  // namespace hvb::tools
