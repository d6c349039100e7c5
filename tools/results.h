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
#include "tools/result.h"
#include "tools/timing.h"

namespace hvb::tools {

// The results: BenchResult (tools/result.h), one per benchmark.

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
