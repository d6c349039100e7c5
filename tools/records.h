// tools/records.h — reading the kernel's result stream (kernel/record.h
// defines the format; the status names come from there too).
//
// The stream is whatever the serial port carried: human-readable lines,
// records ("@hvb {json}"), carriage returns, and possibly a line cut short
// when the VM died. Records are found anywhere in a line (a human line that
// lost its newline may precede one); a record that does not parse, or lacks a
// field its type requires, becomes a `problem`, never an exception, and
// nothing before or after it is lost. Two records run together on one line
// (the newline between them lost) are both read. The timing marker bytes
// (kMarkerStart/kMarkerEnd, docs/running.md "External timing") are dropped
// wherever they appear.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/record.h"
#include "tools/json.h"

namespace hvb::tools {

// Bytes the kernel may send outside of any line around each timed loop when
// asked for external timing: start, right before the loop; end, right after.
inline constexpr char kMarkerStart = '\x02';
inline constexpr char kMarkerEnd = '\x03';

struct HeaderInfo {
    Json raw;  // every field, as sent
    std::string cpu_vendor, cpu_model, hypervisor, boot, loader, cmdline, timer, tsc_source, apic;
    uint64_t tsc_hz = 0, memory_bytes = 0;
    uint32_t cpus = 0, reps = 0, benchmarks = 0;
};

struct ResultInfo {
    Json raw;
    std::string name, category, reason;
    Status status = Status::ok;
    uint64_t iterations = 0;
    uint32_t repetitions = 0;
    int64_t min_milli = 0, median_milli = 0, mean_milli = 0, mad_milli = 0, control_median_milli = 0;
    bool has_fault = false;
    uint32_t fault_vector = 0;
    std::string fault_name, fault_rip;
    std::vector<std::pair<std::string, uint64_t>> params;  // "params" {name: value}, in order
};

struct EndInfo {
    uint32_t counts[kStatusCount] = {};
    uint32_t errors = 0;
    int exit_code = 0;
};

struct RunLog {
    std::optional<HeaderInfo> header;
    std::vector<std::string> begun;  // names from begin records, in order
    std::vector<ResultInfo> results;
    std::vector<std::string> errors;  // messages of error records
    std::optional<EndInfo> end;
    std::vector<std::string> problems;  // unreadable or incomplete records
    size_t record_count = 0;

    const ResultInfo* find(std::string_view name) const;
    // A benchmark that began but has no result: where a crash happened.
    std::optional<std::string> unfinished() const;
};

// Parses a whole captured stream.
RunLog parse_run_log(std::string_view stream);

// Incremental form: feed bytes as they arrive; complete lines are parsed at
// once (finish() parses a last line without a newline).
class RunLogReader {
public:
    void feed(std::string_view bytes);
    void finish();
    const RunLog& log() const { return log_; }

private:
    void line(std::string_view text);
    void record(std::string_view body);
    std::string partial_;
    RunLog log_;
};

}  // namespace hvb::tools
