// kernel/record.h — the machine-readable result stream (docs/architecture.md
// "Result records"; prefix, record types and markers in kernel/protocol.h), shared by the kernel (which writes it) and the host tools (which
// read it through tools/records.h). One record per line:
//
//   @hvb {"type":"header",...}
//   @hvb {"type":"begin","name":"cpuid","index":2,"total":3}
//   @hvb {"type":"result","name":"cpuid",...,"params":{"working_set":4194304}}
//   @hvb {"type":"error","message":"..."}
//   @hvb {"type":"end","counts":{...},"exit_code":0}
//
// Cycle figures are per iteration, written as decimals with three fractional
// digits (they are kept in thousandths of a cycle: "millicycles").
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/benchmark.h"
#include "kernel/header_fields.h"
#include "kernel/protocol.h"
#include "kernel/record_fields.h"
#include "posih/format.h"

namespace hvb {


enum class Status : uint8_t { ok, unsupported, faulted, skipped, timeout };
inline constexpr size_t kStatusCount = 5;
const char* status_name(Status s);  // "ok", "unsupported", ...
// Parses a status name; false if it is none of them.
bool status_from_name(const char* s, size_t len, Status* out);

// The platform header: its fields are the rows of kernel/header_fields.h,
// each a member by the row's `kernel` name (a text or word a const char*,
// null written as ""; a mode a bool, true for "adaptive").
namespace header_field {
using text = const char*;
using word = const char*;
using u32 = uint32_t;
using u64 = uint64_t;
using i64 = int64_t;
using milli = int64_t;
using flag = bool;
using mode = bool;
}  // namespace header_field
struct HeaderRecord {
#define HVB_HEADER_MEMBER(member, kind, record, sent, need, wire, old, json, ctx_key, unit, kernel) \
    header_field::kind kernel;
    HVB_HEADER_FIELDS(HVB_HEADER_MEMBER)
#undef HVB_HEADER_MEMBER
};

// A read of the cycle counter that costs more than this is taken to be
// trapped by the hypervisor (a native RDTSC costs tens of cycles).
inline constexpr uint64_t kInterceptedReadCycles = 500;

// One level of a linearity run: the same benchmark at another count.
struct LinearityLevel {
    uint64_t iterations;
    int64_t median_milli;
    bool has_ci;
    int64_t ci_low_milli, ci_high_milli;
    uint32_t repetitions;
    bool noisy;
    int64_t ratio_milli;  // this level's median / the first level's, x1000
};
inline constexpr size_t kLinearityLevels = 3;

struct FaultInfo {
    uint32_t vector;  // the arch's exception number (posih/interrupt.h CpuFault::number)
    uint64_t pc;      // where it was taken
    uint64_t error_code;
    bool has_error_code;
};

struct ResultRecord {
    const char* name;
    const char* category;
    Status status;
    const char* reason;  // "" for ok; why it is unsupported/skipped/faulted
    uint64_t iterations;
    uint32_t repetitions;  // timed {control, benchmark} pairs kept
    // Per-iteration cost in millicycles, across repetitions.
    int64_t min_milli, median_milli, mean_milli, mad_milli;
    int64_t control_median_milli;  // the control loop's own cost per iteration
    bool has_fault;
    FaultInfo fault;
    const BenchParam* params;  // the values it ran with; may be null
    uint32_t param_count;
    // Measurement quality (status ok).
    bool iterations_adaptive;
    bool has_ci;
    int64_t ci_low_milli, ci_high_milli;  // 95% interval of the median
    bool noisy;                           // the interval missed the target
    // The fields of kernel/record_fields.h declared from the table (`gen`
    // rows: outliers, interrupts, passes, ...), each a member by its name, a
    // flagged one with its has_<name>.
#define HVB_RECORD_MEMBER(member, kind, need, group, key, csv, unit, sent, decl, kernel, json_pos, csv_pos) \
    HVB_RECORD_DECL_##decl(member, kind, sent)
#define HVB_RECORD_DECL_hand(member, kind, sent)
#define HVB_RECORD_DECL_none(member, kind, sent)
#define HVB_RECORD_DECL_gen(member, kind, sent) HVB_RECORD_DECL_##sent(member, record_field::kind)
#define HVB_RECORD_DECL_always(name, T) T name;
#define HVB_RECORD_DECL_nonzero(name, T) T name;
#define HVB_RECORD_DECL_flagged(name, T) \
    bool has_##name;                     \
    T name;
    HVB_RESULT_FIELDS(HVB_RECORD_MEMBER)
#undef HVB_RECORD_MEMBER
#undef HVB_RECORD_DECL_hand
#undef HVB_RECORD_DECL_none
#undef HVB_RECORD_DECL_gen
#undef HVB_RECORD_DECL_always
#undef HVB_RECORD_DECL_nonzero
#undef HVB_RECORD_DECL_flagged
    const LinearityLevel* linearity;      // linearity=1: the levels; else null
    uint32_t linearity_count;
    // The headline (kernel/estimate.h): the p10 of the per-repetition costs
    // over all passes, its 95% interval, and the spread (p50, p90).
    bool has_estimate;
    int64_t estimate_milli;
    bool estimate_has_interval;
    int64_t estimate_low_milli, estimate_high_milli;
    int64_t p50_milli, p90_milli;
    const char* noisy_cause;  // why noisy ("" when not)
};

// One benchmark's repetitions in one pass, streamed as they are measured
// (a VM that dies later loses none of them): per-repetition costs in
// millicycles per iteration, at most kMaxPassCosts of them.
inline constexpr uint32_t kMaxPassCosts = 120;  // x 25 bytes at most: within kMaxRecordLine
struct PassRecord {
    const char* name;
    uint32_t pass;  // 1-based
    uint64_t iterations;
    const int64_t* costs;
    uint32_t count;
    uint64_t t_us;
};

// The platform's pace at the start of each pass: one timed call around
// nothing and the empty loop per iteration (docs/measurement.md).
struct YardstickRecord {
    uint32_t pass;  // 1-based
    uint64_t t_us;
    int64_t timer_milli;       // median of the timer call
    int64_t empty_loop_milli;  // per iteration, median of a few loops
    uint64_t empty_loop_iterations;
};

// verify=1: a result that claimed to be within its target, measured again
// after the whole suite. agrees = false makes that result noisy.
struct VerifyRecord {
    const char* name;
    uint64_t iterations;
    bool measured;          // false: the second look failed (reason says why)
    int64_t median_milli;
    uint32_t repetitions;
    bool agrees;
    const char* reason;
};

struct EndRecord {
    uint32_t counts[kStatusCount];  // indexed by Status
    uint32_t errors;                // error records written
    int exit_code;
};

// Each writer emits one complete line ("@hvb {...}\n") through `sink` in a
// single call of sink.put, so a record is never split by another writer.
// Strings are JSON-escaped (", \, control bytes as \u00XX; bytes >= 0x80 as
// \u00XX too, so a record is always 7-bit ASCII) and each string field is cut
// to at most kMaxStringField bytes of escaped text, never inside an escape, so
// that every record fits in kMaxRecordLine bytes.
inline constexpr size_t kMaxRecordLine = 4096;
inline constexpr size_t kMaxStringField = 400;
inline constexpr size_t kMaxPlatformWord = 24;  // the header's short words (kernel/header_fields.h kind `word`): keeps the header within kMaxRecordLine
// The header carries the platform, the run's shape (timer, reps,
// benchmarks, boot_us) and the estimator with its passes; write_method the
// rest of a HeaderRecord (the timer probe, the targets, the rules), sent
// after pass 1's first benchmark so that fewer bytes cross an emulated UART
// before the first measurement (the host tool merges it into the header).
void write_header(Sink sink, const HeaderRecord& h);
void write_method(Sink sink, const HeaderRecord& h);
// pass (1-based) and t_us (since kernel entry) are written when pass != 0.
void write_begin(Sink sink, const char* name, uint32_t index, uint32_t total, uint32_t pass = 0, uint64_t t_us = 0);
void write_pass(Sink sink, const PassRecord& p);
void write_yardstick(Sink sink, const YardstickRecord& y);
void write_result(Sink sink, const ResultRecord& r);
void write_error(Sink sink, const char* message);
void write_verify(Sink sink, const VerifyRecord& v);
void write_end(Sink sink, const EndRecord& e);

// Exception vector mnemonic: 6 -> "#UD", 13 -> "#GP", out of range -> "#??".
const char* vector_name(unsigned vector);

}  // namespace hvb
