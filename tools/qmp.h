// tools/qmp.h — the few QMP (QEMU Machine Protocol) exchanges hvbench needs,
// over QEMU's UNIX-socket QMP server (-qmp unix:PATH,server=on,wait=off):
// the vCPU thread ids (query-cpus-fast), to pin each vCPU to a host CPU, and
// "cont" for a VM started paused (-S).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "tools/json.h"

namespace hvb::tools {

class QmpClient {
public:
    QmpClient() = default;
    QmpClient(const QmpClient&) = delete;
    QmpClient& operator=(const QmpClient&) = delete;
    ~QmpClient();

    // Connects to the socket (retrying while it does not exist yet or refuses
    // connections, up to timeout_ms), reads the greeting and negotiates
    // capabilities. `alive`, when given, is asked between retries so a VMM
    // that died at startup is not waited for.
    bool connect(const std::string& socket_path, int timeout_ms, std::string* error,
                 bool (*alive)(void*) = nullptr, void* alive_ctx = nullptr);
    // Sends {"execute": command} and returns the "return" member of the
    // answer (asynchronous events in between are skipped).
    std::optional<Json> execute(const std::string& command, std::string* error, int timeout_ms = 5000);

private:
    std::optional<Json> read_message(std::string* error, int timeout_ms);
    int fd_ = -1;
    std::string buffer_;
};

struct VcpuThread {
    int cpu_index = 0;
    pid_t thread_id = 0;
};

// Reads query-cpus-fast's answer: [{"cpu-index": 0, "thread-id": 1234, ...}].
std::optional<std::vector<VcpuThread>> parse_vcpu_threads(const Json& reply, std::string* error);

// The host CPUs this process may run on, ascending.
std::vector<int> allowed_host_cpus();
// Parses "2,3" or "0-3,6" into CPU numbers; nullopt if malformed.
std::optional<std::vector<int>> parse_cpu_list(const std::string& text);

// How a run is pinned (HyperBench section 5.2: each vCPU on a host CPU of
// its own, and the rest of the VMM elsewhere), decided before launch from the
// host CPUs there are. `word` is what the kernel is told (pinned=WORD):
//   "full"   every vCPU on its own host CPU, QEMU's other threads (main loop,
//            I/O, RCU, ...) on other CPUs (needs vcpus + 1 host CPUs);
//   "vcpus"  every vCPU on its own host CPU, QEMU's other threads left to
//            share them (exactly vcpus host CPUs);
//   "shared" fewer host CPUs than vCPUs: vCPUs share host CPUs.
struct PinPlan {
    std::string word;
    std::vector<int> vcpu_cpus;   // host CPU of vCPU i (i < vcpus)
    std::vector<int> other_cpus;  // where QEMU's other threads go; empty: left alone
    std::string note;             // non-empty when the isolation is less than full: why
};
// `pool`: the CPUs to use (--pin-cpus, else `allowed`), in order; vCPUs take
// the first ones. QEMU's other threads take the rest of the pool, or when the
// pool has none left, the allowed CPUs no vCPU has.
PinPlan plan_pinning(unsigned vcpus, const std::vector<int>& pool, const std::vector<int>& allowed);

// The thread ids of process `pid` (/proc/<pid>/task), ascending; empty if it
// is gone.
std::vector<pid_t> process_threads(pid_t pid);

// Pins every thread of `pid` that is not a vCPU thread and not yet in `*seen`
// to `cpus` (any of them), adding it to `*seen`. A thread that exits meanwhile
// is skipped. Returns how many were pinned, or nullopt with *error.
std::optional<size_t> pin_other_threads(pid_t pid, const std::vector<VcpuThread>& vcpus, const std::vector<int>& cpus,
                                        std::vector<pid_t>* seen, std::string* error);

// "0", "2,3", "0-3,6": a CPU list as --pin-cpus takes it.
std::string cpu_list_text(const std::vector<int>& cpus);

// Pins vCPU i to host_cpus[i % size] with sched_setaffinity on its thread id.
// Returns one line per vCPU ("vCPU 0 (thread 1234) -> host CPU 2"), or
// nullopt with *error on the first failure.
std::optional<std::vector<std::string>> pin_vcpus(const std::vector<VcpuThread>& vcpus,
                                                  const std::vector<int>& host_cpus, std::string* error);

}  // namespace hvb::tools
