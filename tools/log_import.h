// tools/log_import.h — `hvbench import`: a captured serial log (bare metal
// over a null-modem cable, another VMM's console, `hvbench run --log`) read
// into a report as `run` would have made it (tools/run.h RunReport).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "tools/records.h"
#include "tools/run.h"

namespace hvb::tools {

// Every result once, a benchmark begun without a result as crashed. A
// second result of a name is a problem ("line N: ...") and the first is
// kept; a result record that cannot be read is named with its line and left
// out (unreadable_results), not called a crash. Linear in the log's size;
// read_log_chunks reads it piece by piece (`read` fills up to `size` bytes
// and returns how many, 0 at the end).
RunReport read_log(std::string_view text);
RunReport read_log_chunks(const std::function<size_t(char* buf, size_t size)>& read);

// A name for the platform a header describes: "native" when there is no
// hypervisor, else "kvm", "xen", "tcg", "hyper-v", "vmware", ... or the
// CPUID signature itself (an imported log's label unless --label gives one).
std::string platform_label(const HeaderInfo& h);

}  // namespace hvb::tools
