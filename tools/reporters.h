// tools/reporters.h — what `hvbench run` reports, each reporter fed the one
// stream of events the driver emits (tools/run.h RunEvent; the VM numbers
// already counted across --runs):
//   ConsoleReporter  progress on stderr (a live line on a terminal, a line
//                    per benchmark otherwise) and the closing account;
//   ResultsFiles     the JSON and CSV files, rewritten as results arrive
//                    (at most once a second) and once at the end;
//   LogTee           every byte the VMM wrote, VM by VM (--log), and the
//                    guest's console echoed (--verbose).
// Also the results table on stdout (print_table), which `import` prints too.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "tools/aggregate.h"
#include "tools/results.h"
#include "tools/run.h"
#include "tools/safe_output.h"
#include "tools/timing.h"

namespace hvb::tools {

std::string elapsed_text(double seconds);  // "12.3 s", "4:05"
std::string iso_date();                    // now, ISO 8601 with the local offset
std::string host_name();
// What a finished run adds to its context.
void fill_info(RunInfo& info, const RunReport& rep);

struct OutputFile {
    const char* kind;
    std::string path;
    bool written;
};
// The summary's account of the results files: only what was written is
// named as written; with no results none is touched (an existing one keeps
// what it had).
std::string written_files_text(bool no_results, const std::vector<OutputFile>& files);

// The results table, on stdout. unit: the kernel's (its header's
// timer_unit; "" unknown, cycles): a kernel that measured in ns says so
// above the table.
void print_table(const std::vector<BenchResult>& results, bool external, unsigned runs,
                 const AggregatePolicy& policy, std::string_view unit);

// A consumer of the driver's events (tools/run.h ProgressFn), as Google
// Benchmark's reporters consume its runs: each reads the same stream and
// keeps what it needs.
class RunReporter {
public:
    virtual ~RunReporter() = default;
    virtual void on_event(const RunEvent& e) = 0;
};

// The end of a run, as the console reports it (ConsoleReporter::print_end).
struct RunEnd {
    const RunReport& report;
    unsigned runs = 1;          // whole runs made (--runs)
    bool external = false;      // --timing external
    bool want_linearity = false;
    std::string linearity;      // format_linearity's table
    std::string pin_note, pin_error;
    std::vector<std::string> file_errors;
    std::string files;          // written_files_text
    int exit_code = 0;
};

class ConsoleReporter : public RunReporter {
public:
    struct Options {
        bool quiet = false, verbose = false;
        std::string accel;         // named in each VM's line
        std::string pinned;        // the pinned= word the tool passed
        int64_t tool_start_ms = 0;
    };
    explicit ConsoleReporter(Options o);

    void start_run() { results_ = 0; }  // --runs: counting starts again
    void on_event(const RunEvent& e) override;
    // A line of its own ("hvbench: TEXT"), the progress line redrawn after it.
    void say(const std::string& text);
    void clear_line();
    // The table on stdout; on stderr what went wrong and the closing line.
    void print_end(const RunEnd& end, const AggregatePolicy& policy) const;

private:
    void draw();
    void on_vm_start(const RunEvent& e);
    void on_header(const HeaderInfo& h);
    void check_pinned(const HeaderInfo& h);
    void on_result(const BenchResult& r);
    void print_account(const RunEnd& end) const;
    Options o_;
    bool tty_;
    int64_t run_start_, bench_start_, vm_started_ms_, last_draw_ = 0;
    std::string current_;  // the benchmark running, "" between them
    size_t current_index_ = 0, current_total_ = 0;
    size_t results_ = 0;   // in this run
    bool line_open_ = false;
    bool pinned_checked_ = false;
    std::string unit_ = "cycles";  // the kernel's (the header's timer_unit)
};

class ResultsFiles : public RunReporter {
public:
    // `pinning`: the tool's pinning lines, filled in by the first VM (may be null).
    ResultsFiles(std::string json, std::string csv, RunInfo info, const std::vector<std::string>* pinning);

    RunInfo& info() { return info_; }
    const AggregatePolicy& policy() const { return policy_; }
    void start_run() { live_.clear(); }
    // --runs: a whole run's results, aggregated with the later runs' as they come.
    void end_run(const std::vector<BenchResult>& results) { finished_runs_.push_back(results); }
    void on_event(const RunEvent& e) override;
    // Rewrites both files with `results` (none: leaves them as they are).
    void write(const std::vector<BenchResult>& results);
    const std::vector<std::string>& errors() const { return errors_; }
    std::vector<OutputFile> outputs() const { return {{"JSON", json_, json_written_}, {"CSV", csv_, csv_written_}}; }

private:
    std::vector<BenchResult> snapshot() const;
    std::string json_, csv_;
    RunInfo info_;
    const std::vector<std::string>* pinning_;
    HostTscRate host_rate_;                                // the host TSC's rate, measured over the run
    std::vector<BenchResult> live_;                        // the current run's results so far
    std::vector<std::vector<BenchResult>> finished_runs_;  // --runs: the runs before it
    AggregatePolicy policy_;                               // from the first header
    RewritePacer pacer_{1000};
    std::vector<std::string> errors_;
    bool json_written_ = false, csv_written_ = false;
};

class LogTee {
public:
    LogTee(FILE* log, bool verbose) : log_(log), verbose_(verbose) {}
    LogTee(const LogTee&) = delete;
    LogTee& operator=(const LogTee&) = delete;
    ~LogTee() { close(); }
    // RunSettings::raw_output, with `vm` counted across --runs.
    void output(unsigned vm, std::string_view bytes, bool vmm);
    void close();

private:
    FILE* log_;
    bool verbose_;
    unsigned last_vm_ = 0;
};

}  // namespace hvb::tools
