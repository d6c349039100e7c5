// kernel/record.h — the machine-readable result stream (DESIGN.md "Result
// records"), shared by the kernel (which writes it) and the host tools (which
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
#include "posih/format.h"

namespace hvb {

inline constexpr const char kRecordPrefix[] = "@hvb ";
inline constexpr int kRecordVersion = 1;

enum class Status : uint8_t { ok, unsupported, faulted, skipped, timeout };
inline constexpr size_t kStatusCount = 5;
const char* status_name(Status s);  // "ok", "unsupported", ...
// Parses a status name; false if it is none of them.
bool status_from_name(const char* s, size_t len, Status* out);

struct HeaderRecord {
    const char* cpu_vendor;   // "GenuineIntel"
    const char* cpu_model;    // brand string, trimmed
    uint32_t cpu_family, cpu_model_id, cpu_stepping;
    const char* hypervisor;   // CPUID 0x40000000 signature, or "none"
    uint64_t tsc_hz;          // 0 when unknown
    const char* tsc_source;   // "cpuid15", "cpuid16", "hypervisor", "none"
    bool invariant_tsc;
    uint32_t cpus;            // online
    const char* apic;         // local APIC mode: "x2apic" or "xapic"
    uint64_t memory_bytes;    // usable RAM as reported by the loader
    const char* boot;         // "mb1", "mb2", "pvh"
    const char* loader;       // loader name, "" when none
    const char* cmdline;
    const char* timer;        // "rdtsc" / "rdtscp"
    const char* timing;       // "internal" / "external" (marker bytes sent)
    uint32_t default_reps;
    uint32_t benchmarks;      // how many are selected to run
};

struct FaultInfo {
    uint8_t vector;
    uint64_t rip;
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
void write_header(Sink sink, const HeaderRecord& h);
void write_begin(Sink sink, const char* name, uint32_t index, uint32_t total);
void write_result(Sink sink, const ResultRecord& r);
void write_error(Sink sink, const char* message);
void write_end(Sink sink, const EndRecord& e);

// Exception vector mnemonic: 6 -> "#UD", 13 -> "#GP", out of range -> "#??".
const char* vector_name(uint8_t vector);

}  // namespace hvb
