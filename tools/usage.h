// tools/usage.h — `hvbench help`: every command and option in one text
// (docs/running.md says the same at length).
#pragma once

namespace hvb::tools {

extern const char kUsage[];

}  // namespace hvb::tools
