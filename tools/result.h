// tools/result.h — one benchmark's result as the host tool keeps it: the
// one struct the record reader fills (tools/records.h), the suite driver
// completes (tools/run.h) and every reporter reads: console, JSON, CSV,
// compare, aggregate (the role of google/benchmark's BenchmarkReporter::Run).
//
// Its scalar fields are the rows of kernel/record_fields.h, each a member by
// the row's name: a `req` field a plain value, an `opt` one an optional
// (a string: "" when unset), unset when a record, an older kernel's or a
// file's, lacks it. The structured parts follow by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/record_fields.h"

namespace hvb::tools {

// Statuses as the tool reports them: the kernel's five (kernel/record.h) and
// the tool's own "crashed" (the VM died while the benchmark ran). A hang is
// the kernel's "timeout".
inline constexpr const char kStatusCrashed[] = "crashed";
bool is_known_status(std::string_view s);

// One level of a linearity check: the benchmark timed at N, 10N, 100N
// iterations. ratio: this level's per-iteration median over level N's.
struct LinearityLevel {
    uint64_t iterations = 0;
    int64_t median_milli = 0;
    std::optional<int64_t> ci_low_milli, ci_high_milli;
    uint64_t repetitions = 0;
    bool noisy = false;
    int64_t ratio_milli = 0;  // 1000 = the same per-iteration cost as level N
    bool operator==(const LinearityLevel&) const = default;
};

// Per-iteration cost seen from the host, in thousandths of a host TSC cycle,
// across repetitions: (benchmark loop - control loop) / iterations.
struct ExternalStats {
    uint32_t samples = 0;     // repetitions with both loops timed by the host
    uint32_t unresolved = 0;  // repetitions left out: the benchmark loop's two markers came in one read
    int64_t min_milli = 0, median_milli = 0, mean_milli = 0, mad_milli = 0;
    int64_t control_median_milli = 0;  // the control loop alone, per iteration
    bool operator==(const ExternalStats&) const = default;
};

// A field's C++ type in the tool, by its kind and need (kernel/record_fields.h,
// kernel/header_fields.h).
namespace field_type {
using text = std::string;
using word = std::string;  // the header's short words (kernel/header_fields.h)
using status = std::string;
using mode = std::string;
using u32 = uint32_t;
using u64 = uint64_t;
using i64 = int64_t;
using milli = int64_t;
using flag = bool;
template <typename T>
struct need_req {
    using type = T;
};
template <typename T>
struct need_opt {
    using type = std::optional<T>;
};
template <>
struct need_opt<std::string> {
    using type = std::string;  // "" when unset
};
}  // namespace field_type

struct BenchResult {
    // The scalar fields of kernel/record_fields.h (status "ok" unless said).
#define HVB_TOOL_FIELD(member, kind, need, group, key, csv, unit, sent, decl, kernel, json_pos, csv_pos) \
    typename field_type::need_##need<field_type::kind>::type member{};
    HVB_RESULT_FIELDS(HVB_TOOL_FIELD)
#undef HVB_TOOL_FIELD
    std::vector<std::pair<std::string, uint64_t>> params;  // "params" {name: value}, in order
    std::vector<LinearityLevel> linearity;                  // levels N, 10N, 100N (kernel option linearity=1)
    uint64_t timer_hz = 0;  // the guest timer's rate, its VM's header's (0: the run's, RunInfo::timer_hz)
    std::optional<ExternalStats> external;  // host TSC cycles, --timing external
    std::string vmm_output;  // crashed/timeout: the VMM's last lines
    // run --runs N (tools/aggregate.h): every run's median of this benchmark
    // and its own noisy flag, in run order; empty for a single run.
    std::vector<int64_t> run_medians_milli;
    std::vector<bool> run_noisy;

    BenchResult() { status = "ok"; }
    bool ok() const { return status == "ok"; }
    bool is_noisy() const { return noisy.value_or(false); }
    // What tables, CSV, real_time, compare and --runs report: the estimate
    // when there is one, else the median ("typical").
    int64_t headline_milli() const { return estimate_milli.value_or(median_milli); }
    bool has_ci() const { return ci_low_milli && ci_high_milli; }
    bool operator==(const BenchResult&) const = default;
};

}  // namespace hvb::tools
