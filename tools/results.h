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
// real_time and cpu_time are the headline cost per iteration in nanoseconds
// (counts / the guest timer's rate, context "tsc_hz"); when the rate is
// unknown they are counts and time_unit is "cycles". The context's
// timer_unit says what the kernel's counts are ("cycles", or "ns" where it
// could not tell the CPU's cycle rate).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/header_fields.h"
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
    // The header's fields the context carries (kernel/header_fields.h rows
    // placed in it): timer_hz (the guest timer's counts per second; 0:
    // unknown), timer_unit ("cycles" | "ns"; "" unknown), timer (the timer
    // source, or the one the tool asked for).
#define HVB_RUN_INFO_MEMBER(member, kind, record, sent, need, wire, old, json, ctx_key, unit, kernel) \
    HVB_RUN_INFO_##json(member, kind, need)
#define HVB_RUN_INFO_raw(member, kind, need)
#define HVB_RUN_INFO_platform(member, kind, need) typename field_type::need_##need<field_type::kind>::type member{};
#define HVB_RUN_INFO_timing(member, kind, need) HVB_RUN_INFO_platform(member, kind, need)
    HVB_HEADER_FIELDS(HVB_RUN_INFO_MEMBER)
#undef HVB_RUN_INFO_MEMBER
#undef HVB_RUN_INFO_raw
#undef HVB_RUN_INFO_platform
#undef HVB_RUN_INFO_timing
    std::string accel, cpu_model, boot, memory, timing = "internal";
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
// the guest timer's rate (0: the column is empty).
std::string write_results_csv(const std::vector<BenchResult>& results, uint64_t timer_hz);
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
