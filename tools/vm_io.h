// tools/vm_io.h — one VM's I/O: its two pipes (the guest's console and the
// VMM's stderr) read as they fill, with the deadlines that make a silent VM
// "hung", QEMU's messages that say it stopped the guest, and the last lines
// of both streams kept for a benchmark that took its VM down. The suite
// driver (tools/run.h) calls run_vm once per VM.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/launch.h"
#include "tools/timing.h"

namespace hvb::tools {

struct RunSettings;  // tools/run.h

// The VMM's last lines kept with a benchmark whose VM died or hung
// (BenchResult::vmm_output): enough for the guest's last records and all of
// QEMU's KVM error report (about 30 lines: the error, "extra data", the
// register dump).
inline constexpr size_t kVmmTailLines = 40;

// QEMU's stderr holds a stop message ("KVM internal error", ...) and the whole
// register dump after it (up to its last line, "Code=...").
bool vmm_stop_report_complete(std::string_view vmm_stderr);

// The line of QEMU's messages that says why it stopped the guest (else its
// first line).
std::string vmm_stop_line(const std::string& vmm_stderr);

// The first non-blank line of `s`, without its line end.
std::string first_line(const std::string& s);

// One VM, start to end: what came out and how it ended.
struct VmOutcome {
    SerialStream stream;
    ExitStatus status;
    bool started = false;       // it was spawned
    bool hung = false;          // killed: no output for too long
    bool vmm_stopped = false;   // killed after QEMU reported stopping the guest
    bool interrupted = false;
    std::string spawn_error;
    std::string vmm_stderr;     // QEMU's own messages (first 16 KiB)
    std::vector<std::string> tail;  // last lines, guest and VMM ("[vmm] " prefixed), arrival order
    double seconds = 0;
};
VmOutcome run_vm(Process& p, const RunSettings& s, const std::function<void(const SerialStream&)>& on_data,
                 unsigned vm_number = 0);

}  // namespace hvb::tools
