// tools/reference.h — the per-host pace reference of the default run
// (docs/measurement.md "Agreement across launches"): the cheapest empty
// loop per iteration (the median of a launch's yardsticks) this host has
// shown for an accelerator and CPU model, with when and by what it was
// measured. A run whose every launch is at least kSlowPhasePermille dearer
// than it ran in the host's slow phase throughout: launches that agree
// cannot see that, the reference can. The file is printed with its date and
// provenance whenever it is used, lowered when a run is faster, and ignored
// with --no-reference; one from another host or CPU model is replaced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/agreement.h"

namespace hvb::tools {

struct PaceReference {
    std::string host, accel, cpu_model;
    int64_t empty_loop_milli = 0;  // per iteration
    int64_t timer_milli = 0;       // the timer call of the same launch
    std::string date, provenance;  // ISO 8601; the tool's version and the run's kernel options
};

// $HVB_REFERENCE_DIR, else $XDG_CACHE_HOME/hvbench, else ~/.cache/hvbench;
// one file per guest architecture and accelerator: reference-<arch>-<accel>.json
// (an aarch64 TCG guest and an x86 one run at different paces).
std::string reference_path(const std::string& arch, const std::string& accel);

std::optional<PaceReference> read_reference(const std::string& path, std::string* error);
bool write_reference(const std::string& path, const PaceReference& ref, std::string* error);

// What the reference says of a run whose launches had these paces: the
// notes to print and, when every launch ran at least kSlowPhasePermille
// dearer than the reference, the cause to flag each established result
// with. `updated`: the reference to write (none, or this run's cheapest
// launch when it is cheaper than the reference or the reference is absent
// or another platform's).
struct ReferenceVerdict {
    std::vector<std::string> notes;
    std::string slow_cause;
    std::optional<PaceReference> updated;
};
ReferenceVerdict judge_reference(const std::optional<PaceReference>& ref, const std::string& path,
                                 const std::vector<LaunchPace>& paces, const PaceReference& here);

// Flags every ok result not already noisy with `cause`.
void flag_established(std::vector<BenchResult>& results, const std::string& cause);

}  // namespace hvb::tools
