// tools/host_load.h — how much other work the host ran while a launch's VMs
// did: the busy time of all the host's CPUs (/proc/stat, steal time
// included: another tenant's work on a cloud VM) less the CPU time of this
// program and of the VMMs it waited for (getrusage), per second of wall time.
//
// A benchmark that keeps two vCPUs busy at once (ipi_running: one vCPU
// waits for the other's answer) measures the host's scheduler instead of
// the platform when the host has no CPU for each of them: on this 2-core
// host, with a second QEMU TCG guest looping, ipi_running read 16.7 million
// cycles (an 8 ms time slice) against 8,211 quiet, in two launches that
// agreed (selfbench --loaded, 2026-12-07). The guest cannot see it; the host
// can.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hvb::tools {

struct HostCpuSample {
    uint64_t busy_ticks = 0, total_ticks = 0;  // all CPUs, USER_HZ ticks (/proc/stat "cpu")
    double own_cpu_s = 0;                      // this process and its waited-for children
    double wall_s = 0;                         // a monotonic clock
};

// The "cpu" line of /proc/stat's text: busy = every field but idle and
// iowait. nullopt, with `error` set, when it is not there or malformed.
std::optional<HostCpuSample> parse_proc_stat(std::string_view text, std::string* error);

// Now; nullopt where /proc/stat cannot be read (then no check is made).
std::optional<HostCpuSample> sample_host_cpu();

// CPUs' worth of work outside this program and its VMMs between two samples
// (e.g. 1.02: another guest looping on one CPU); nullopt if no time passed.
std::optional<double> other_work_cpus(const HostCpuSample& before, const HostCpuSample& after, long ticks_per_s);

// The host had no CPU for each of the VM's vCPUs while it ran: the other
// work took more than half a CPU beyond what the vCPUs left (`host_cpus` -
// `vcpus`). Returns the cause a user reads, e.g. "host overcommitted: 1.0
// CPUs of other work beside 2 vCPUs on 2 CPUs", or "" when it was not.
std::string overcommit_cause(double other_cpus, unsigned vcpus, unsigned host_cpus);

// overcommit_cause from `before` to now, on this host's online CPUs; "" where
// /proc/stat cannot be read.
std::string overcommit_since(const HostCpuSample& before, unsigned vcpus);

}  // namespace hvb::tools
