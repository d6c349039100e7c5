// tools/run_context.h — the results' context of `hvbench run` as far as
// it is known before the first VM: label, date, host, accelerator, the boot
// path (which VMM and guest type), memory, vCPUs, timing, pinning, the
// VMM's layout, firmware and the tool's own notes (pinning, layout, nesting,
// libvirt host). The header's fields join it when the first VM sends one.
#pragma once

#include <string>
#include <vector>

#include "tools/results.h"
#include "tools/run_config.h"
#include "tools/run_setup.h"

namespace hvb::tools {

// The tool's own notes on a run, before the run's: the pinning plan's, why
// the VMM's layout is randomized, the nesting, the libvirt host.
std::vector<std::string> tool_notes(const RunSetup& setup);

RunInfo run_context(const RunConfig& cfg, const RunSetup& setup, const std::vector<std::string>& command_line);

}  // namespace hvb::tools
