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

// Pins vCPU i to host_cpus[i % size] with sched_setaffinity on its thread id.
// Returns one line per vCPU ("vCPU 0 (thread 1234) -> host CPU 2"), or
// nullopt with *error on the first failure.
std::optional<std::vector<std::string>> pin_vcpus(const std::vector<VcpuThread>& vcpus,
                                                  const std::vector<int>& host_cpus, std::string* error);

}  // namespace hvb::tools
