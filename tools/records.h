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
// (kMarkerStart/kMarkerEnd of kernel/protocol.h, docs/running.md "External timing") are dropped
// wherever they appear.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/header_fields.h"
#include "kernel/protocol.h"
#include "kernel/record.h"
#include "tools/json.h"
#include "tools/result.h"

namespace hvb::tools {

// The marker bytes of external timing (kernel/protocol.h), by their names
// here too.
using hvb::kMarkerEnd;
using hvb::kMarkerStart;

// The platform header as read: its fields are the rows of
// kernel/header_fields.h, each a member by the row's name (a `req` field a
// plain value, an `opt` one an optional, or "" for a string), read from the
// header and from the method record after it (older kernels sent the method
// fields in the header), under their name or the one older kernels gave
// them. An optional field absent is unset; present and malformed it is a
// `problem` and left unset, never a lost record. "milli" figures are
// thousandths, as the cycle fields.
struct HeaderInfo {
    Json raw;  // every field, as sent (the method record's merged in)
#define HVB_HEADER_INFO_MEMBER(member, kind, record, sent, need, wire, old, json, ctx_key, unit, kernel) \
    typename field_type::need_##need<field_type::kind>::type member{};
    HVB_HEADER_FIELDS(HVB_HEADER_INFO_MEMBER)
#undef HVB_HEADER_INFO_MEMBER

    // The measurement fields came: in the header (older kernels) or in the
    // method record after it.
    bool has_method() const { return timer_cycles_milli.has_value(); }
};

// A result record as read: the tool's result (tools/result.h), filled from
// the record, with where it came from and, for a faulted benchmark, the
// exception (the kernel's own words for it are in `reason`).
struct ResultInfo : BenchResult {
    Json raw;             // every field, as sent: only from a reader asked to keep it (tests)
    size_t line = 0;      // of the stream (1-based), for messages
    bool has_fault = false;
    uint32_t fault_vector = 0;
    std::string fault_name, fault_pc;  // fault_pc as sent: "0x" and 16 hex digits
};

struct EndInfo {
    uint32_t counts[kStatusCount] = {};
    uint32_t errors = 0;
    int exit_code = 0;
};

// A verify record (kernel option verify=1): a result that met its target,
// measured again after the suite; agrees = false makes it noisy.
struct VerifyInfo {
    std::string name;
    uint64_t iterations = 0;
    bool measured = false;
    int64_t median_milli = 0;
    uint32_t repetitions = 0;
    bool agrees = true;
    std::string reason;
};

// A record that could not be read: where it was, and what it claimed to be.
struct BadRecord {
    size_t line = 0;
    std::string type, name;  // "" when the record did not say (or did not parse)
    std::string why;
};

// What one VM may claim: a kernel has tens of benchmarks, so more results
// (or begin records) than this after one header is not the kernel's stream.
// The reader keeps the first kMaxResultsPerHeader, notes the rest as a
// problem, and sets RunLog::flooded.
inline constexpr size_t kMaxResultsPerHeader = 512;
inline constexpr size_t kMaxPassesPerHeader = 16;  // what a header's `passes` may multiply the begin cap by

struct RunLog {
    std::optional<HeaderInfo> header;  // the first header: the platform (a later one is another VM)
    std::vector<VerifyInfo> verifies;  // in stream order
    // pass and yardstick records (the suite's passes, kernel/record.h):
    // counted; the kernel's result records carry what they add up to.
    size_t pass_records = 0, yardstick_records = 0;
    // Each yardstick's timer call and empty loop per iteration (millicycles),
    // in stream order: the VM's pace (tools/agreement.h LaunchPace).
    std::vector<int64_t> yardstick_timer_milli, yardstick_empty_loop_milli;
    std::vector<std::string> begun;  // names from begin records, in order
    std::vector<size_t> begun_lines;  // the line of each begin record
    std::vector<ResultInfo> results;
    std::vector<std::string> errors;  // messages of error records
    std::optional<EndInfo> end;
    std::vector<std::string> problems;  // unreadable or incomplete records ("line N: ...")
    std::vector<BadRecord> bad_records;  // the records among those that could not be read at all
    size_t record_count = 0;
    size_t headers = 0;    // header records read
    size_t methods = 0;    // method records read (a header's measurement fields, sent after it)
    bool flooded = false;  // more than kMaxResultsPerHeader results or begins after one header

    const ResultInfo* find(std::string_view name) const;
    // A benchmark that began but has no result: where a crash happened.
    std::optional<std::string> unfinished() const;
};

// Parses a whole captured stream.
RunLog parse_run_log(std::string_view stream, bool keep_raw = false);  // keep_raw: see RunLogReader

// Incremental form: feed bytes as they arrive; complete lines are parsed at
// once (finish() parses a last line without a newline).
class RunLogReader {
public:
    // keep_raw: each ResultInfo also keeps its record's JSON (`raw`), for
    // tests that check fields the model does not carry; the tool does not
    // (a log of 200,000 records would hold them all).
    explicit RunLogReader(bool keep_raw = false) : keep_raw_(keep_raw) {}
    void feed(std::string_view bytes);
    void finish();
    const RunLog& log() const { return log_; }

private:
    void line(std::string_view text);
    void record(std::string_view body);
    void problem(const std::string& text);
    bool claim(size_t& count, const char* what, size_t cap = kMaxResultsPerHeader);  // one more after this header: false past the cap
    void header(const Json& json, std::string& missing);
    void method(const Json& json);
    void result(const Json& json, std::string& missing);
    std::string partial_;
    size_t line_no_ = 1;            // of the line being read
    size_t results_since_ = 0, begins_since_ = 0;  // since the last header
    size_t begins_cap_ = kMaxResultsPerHeader;     // x the header's passes
    uint64_t timer_hz_ = 0;         // of the last header
    bool keep_raw_;
    RunLog log_;
};

}  // namespace hvb::tools
