// tools/pinning.h — `hvbench run --pin` in each VM: the VM starts paused,
// its vCPU threads are read over QMP and each pinned to its host CPU, QEMU's
// other threads are moved off those CPUs, and the VM is let run; while it
// runs, threads QEMU starts later (which inherit their creator's CPUs,
// possibly a vCPU's) are moved off too. The plan comes from tools/qmp.h
// plan_pinning; this is its execution, VM by VM.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/launch.h"
#include "tools/qmp.h"
#include "tools/run.h"

namespace hvb::tools {

class VmPinning {
public:
    // `qmp_socket`: where the VM's QMP server listens; `quiet`: no report of
    // the first VM's pinning on stderr.
    VmPinning(const PinPlan& plan, std::string qmp_socket, bool quiet)
        : plan_(plan), socket_(std::move(qmp_socket)), quiet_(quiet) {}

    // VmLauncher::started: pins the paused VM `p` and lets it run; false
    // with *error ("--pin: ...") when that failed.
    bool started(Process& p, const VmPlan& plan, std::string* error);
    // VmLauncher::finished: the VM is gone.
    void finished() { vm_ = Vm{}; }
    // While the VM runs (at most once a second, from `now_ms`): moves QEMU's
    // new threads off the vCPUs' CPUs. The error, the first time a sweep
    // fails (sweeps stop then).
    std::optional<std::string> sweep(int64_t now_ms);

    const PinPlan& plan() const { return plan_; }
    // What the first VM's pinning was, one line each (the results' context).
    const std::vector<std::string>& lines() const { return lines_; }
    // A sweep that failed mid-run; "" if none.
    const std::string& error() const { return error_; }

private:
    // What --pin did in the current VM: its vCPU threads and the other
    // threads already moved off their CPUs (new ones are moved as they appear).
    struct Vm {
        Process* proc = nullptr;  // while its VM runs (not yet reaped: its pid is still its own)
        pid_t pid = -1;
        std::vector<VcpuThread> vcpus;
        std::vector<pid_t> others;
    };
    PinPlan plan_;
    std::string socket_;
    bool quiet_;
    Vm vm_;
    std::vector<std::string> lines_;
    std::string error_;
    int64_t last_sweep_ = 0;
};

}  // namespace hvb::tools
