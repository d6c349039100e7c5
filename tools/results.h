// tools/results.h — a run's results as the host tool keeps them, and the
// files it writes and reads back: JSON in Google Benchmark's schema (so its
// tooling reads it) with hvbench's own fields, and CSV.
//
// JSON (docs/running.md "Results files"):
//   {"context": {Google Benchmark's context fields ..., "hvbench": {...run}},
//    "benchmarks": [{"name", "family_index", "per_family_instance_index",
//                    "run_name", "run_type": "iteration", "repetitions",
//                    "repetition_index", "threads", "iterations",
//                    "real_time", "cpu_time", "time_unit",
//                    "error_occurred"/"error_message" (status not ok),
//                    "category", "status", "reason", "cycles_median",
//                    "cycles_min", "cycles_mean", "cycles_mad",
//                    "control_median", "timer", "vm", "params",
//                    "external_*", "vmm_output", and from newer kernels
//                    "cycles_ci_low", "cycles_ci_high", "noisy",
//                    "outliers", "interrupts", "smis", "speed_permille",
//                    "timer_drift_permille", "iterations_mode",
//                    "elapsed_us", "t_us", "init_us", "linearity": [{"iterations",
//                    "cycles_median", "cycles_ci_low", "cycles_ci_high",
//                    "repetitions", "noisy", "ratio"}],
//                    with run --runs N: "run_medians", "run_noisy"}]}
// Fields a file lacks (older runs) are left unset when it is read.
// real_time and cpu_time are the median cost per iteration in nanoseconds
// (cycles / the guest's tsc_hz); when the platform's TSC frequency is
// unknown they are cycles and time_unit is "cycles".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/json.h"
#include "tools/records.h"
#include "tools/timing.h"

namespace hvb::tools {

// Statuses as the tool reports them: the kernel's five (kernel/record.h) and
// the tool's own "crashed" (the VM died while the benchmark ran). A hang is
// the kernel's "timeout".
inline constexpr const char kStatusCrashed[] = "crashed";
bool is_known_status(std::string_view s);

// ResultNumbers (tools/records.h): the numeric fields of kernel/record_fields.h.
struct BenchResult : ResultNumbers {
    std::string name, category, status = "ok", reason;
    uint64_t iterations = 0;
    uint32_t repetitions = 0;
    // Per-iteration cost in thousandths of a guest TSC cycle.
    int64_t min_milli = 0, median_milli = 0, mean_milli = 0, mad_milli = 0, control_median_milli = 0;
    std::vector<std::pair<std::string, uint64_t>> params;
    std::string timer;  // the timer mode it was measured with
    unsigned vm = 0;    // which VM of the run (1-based) measured it
    uint64_t tsc_hz = 0;  // the guest TSC Hz of that VM's header (0: the run's, RunInfo::tsc_hz)
    std::optional<ExternalStats> external;  // host TSC cycles, --timing external
    std::string vmm_output;  // crashed/timeout: the VMM's last lines
    // From newer kernels (tools/records.h ResultInfo); unset when absent.
    std::string iterations_mode;                         // "adaptive" | "fixed" | ""
    std::optional<int64_t> ci_low_milli, ci_high_milli;  // 95% CI of the median, millicycles
    std::optional<bool> noisy;                           // the CI target was not met
    // verify=1: the median of the second look, and whether it agreed.
    std::optional<int64_t> verify_median_milli;
    std::optional<bool> verify_agrees;
    std::vector<LinearityLevel> linearity;
    // The headline (kernel/estimate.h, the header's `estimator`): the
    // uncontended cost, its interval, and the spread; unset from kernels
    // before it (the median is then the headline).
    std::optional<int64_t> estimate_milli, estimate_low_milli, estimate_high_milli, p50_milli, p90_milli;
    std::string noisy_cause;  // the kernel's (or the aggregate's) reason; "" when not noisy or not said
    // run --runs N (tools/aggregate.h): every run's median of this benchmark
    // and its own noisy flag, in run order; empty for a single run.
    std::vector<int64_t> run_medians_milli;
    std::vector<bool> run_noisy;
    bool ok() const { return status == "ok"; }
    bool is_noisy() const { return noisy.value_or(false); }
    // What tables, CSV, real_time, compare and --runs report: the estimate
    // when there is one, else the median ("typical").
    int64_t headline_milli() const { return estimate_milli.value_or(median_milli); }
    bool has_ci() const { return ci_low_milli && ci_high_milli; }
    bool operator==(const BenchResult&) const = default;
};

// What a run was: written as the JSON "context".
struct RunInfo {
    std::string label;  // the platform's name in comparisons
    std::string date;   // ISO 8601, local time with offset
    std::string host_name, executable;
    unsigned host_cpus = 0;
    std::optional<Json> platform;  // the kernel's header record, as sent
    uint64_t tsc_hz = 0;           // guest TSC Hz (from the header); 0: unknown
    std::string accel, cpu_model, boot, memory, timing = "internal", timer;
    unsigned vcpus = 0;
    uint64_t host_tsc_hz = 0;
    unsigned vms = 0;
    int exit_code = 0;
    bool complete = false;
    std::vector<std::string> notes, kernel_errors, problems;
    std::vector<std::string> command;
    // Pinning (run --pin): what the kernel was told (pinned=WORD: "none",
    // "full", "vcpus", "shared") and what the tool did, one line per step.
    std::string pinned;
    std::vector<std::string> pinning;
    std::string firmware;  // QEMU's -bios ("default": its own SeaBIOS); "" not recorded
    // The VMM process's address-space layout: "fixed" (the default) or
    // "randomized" (run --vmm-aslr); "" not recorded.
    std::string vmm_layout;
};

struct ResultsDoc {
    RunInfo info;
    std::vector<BenchResult> benchmarks;
};

// Nanoseconds for `milli` thousandths of a cycle at `hz` (hz > 0).
double milli_cycles_to_ns(int64_t milli, uint64_t hz);

std::string write_results_json(const ResultsDoc& doc);
// Two entries with one name are an error (which one is meant cannot be told).
std::optional<ResultsDoc> read_results_json(std::string_view text, std::string* error);

// CSV (RFC 4180, header row first); vmm_output is left out. Text cells are
// neutralised (tools/sanitize.h csv_text_cell). Reading refuses a row with
// fewer or more fields than the header, a last row without its line end (a
// file cut short) and a name on two rows, naming the line. time_ns needs
// the guest's TSC frequency (0: the column is empty).
std::string write_results_csv(const std::vector<BenchResult>& results, uint64_t tsc_hz);
std::optional<std::vector<BenchResult>> read_results_csv(std::string_view text, std::string* error);
std::string csv_field(std::string_view s);  // quoted when it must be
// Where parse_csv found its rows: the line each begins on (1-based), and
// whether the last one lacked its line end (a file cut short).
struct CsvLayout {
    std::vector<size_t> row_lines;
    bool last_row_unterminated = false;
};
std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, std::string* error,
                                                             CsvLayout* layout = nullptr);

// The per-benchmark linearity table (`run --linearity`): iterations of each
// level, per-iteration median, ratio to level N, noisy marks. "" when no
// result has linearity levels.
std::string format_linearity(const std::vector<BenchResult>& results);

// Reads a results file, JSON or CSV (by its first non-blank byte); a CSV's
// label is its file name without directory and extension.
std::optional<ResultsDoc> load_results(const std::string& path, std::string* error);

std::optional<std::string> read_text_file(const std::string& path, std::string* error);
// Writes through a temporary file and rename, so a reader never sees half.
bool write_text_file(const std::string& path, std::string_view content, std::string* error);

// "3.142" for 3142 (the kernel's own format).
std::string milli_text(int64_t milli);

}  // namespace hvb::tools
