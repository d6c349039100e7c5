// kernel/protocol.h — the wire protocol between the kernel and the host tool:
// everything one side writes and the other reads, defined once. The kernel
// writes it (kernel/record.cpp, runner.cpp, main.cpp); tools/ reads it and
// includes nothing else of the kernel's but its portable parsers
// (docs/architecture.md "Layers"; tests/build/layers.py checks).
//
// Plain constants only: no kernel types, so the host sees no kernel layout.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

// ---- records on the console --------------------------------------------------
// One record per line: kRecordPrefix and a one-line JSON object whose "type"
// is one of the names below (fields: docs/architecture.md "Result records").
inline constexpr const char kRecordPrefix[] = "@hvb ";
inline constexpr int kRecordVersion = 1;

inline constexpr const char kRecordHeader[] = "header";
inline constexpr const char kRecordMethod[] = "method";        // the header's measurement fields, after pass 1's first benchmark
inline constexpr const char kRecordBegin[] = "begin";
inline constexpr const char kRecordResult[] = "result";
inline constexpr const char kRecordVerify[] = "verify";
inline constexpr const char kRecordPass[] = "pass";            // one benchmark's repetitions in one pass
inline constexpr const char kRecordYardstick[] = "yardstick";  // the platform's pace at a pass's start
inline constexpr const char kRecordError[] = "error";
inline constexpr const char kRecordEnd[] = "end";

// ---- external timing (timing=external) ----------------------------------------
// Single bytes on COM1, outside any record line: right before and right
// after each timed loop of the repetitions, for the host to timestamp.
inline constexpr char kMarkerStart = '\x02';
inline constexpr char kMarkerEnd = '\x03';

// ---- exit codes ------------------------------------------------------------------
// The end record's exit_code, and the code given to QEMU's isa-debug-exit
// (QEMU then exits with (code << 1) | 1): a bit set per kind of failure,
// 0 when the suite ran. The host tool adds its own bits above these
// (tools/run.h).
enum ExitCode : int {
    kExitOk = 0,
    kExitFaulted = 1 << 0,    // a benchmark faulted
    kExitTimeout = 1 << 1,    // a benchmark timed out
    kExitBadInput = 1 << 2,   // command-line or selection errors
    kExitFatal = 1 << 3,      // fault outside a benchmark, unusable boot info
    kExitSelfCheck = 1 << 4,  // a boot self-check failed
};

// ---- the command line -----------------------------------------------------------
// The kernel keeps at most kCmdlineMax - 1 bytes of its command line (the
// rest is cut and reported); the host tool refuses a longer one.
inline constexpr size_t kCmdlineMax = 1024;

// ---- the benchmark table in an image ------------------------------------------
// An image's ELF section kDescriptorSection is an array of descriptors, each
// kDescriptorSize bytes, little-endian. A host reads three fields of each,
// at fixed offsets: name and category, the 64-bit guest addresses of
// NUL-terminated strings in the image's allocated sections, and flags (u32,
// kDescriptorOptIn: run only when only= names it or its category). The
// kernel's descriptor (kernel/benchmark.h) is checked against this layout at
// compile time; changing it is a protocol change.
// The section's name, for HVB_BENCHMARK's section attribute (which takes a
// string literal, not a constant) and for hosts; linker/kernel.ld spells it
// too (a linker script includes no header): the image's table is empty
// and every boot test fails if the two differ.
#define HVB_DESCRIPTOR_SECTION ".benchmarks"
inline constexpr const char kDescriptorSection[] = HVB_DESCRIPTOR_SECTION;
inline constexpr size_t kDescriptorSize = 112;
inline constexpr size_t kDescriptorNameOffset = 0;
inline constexpr size_t kDescriptorCategoryOffset = 8;
inline constexpr size_t kDescriptorFlagsOffset = 88;
inline constexpr uint32_t kDescriptorOptIn = 1u << 0;

}  // namespace hvb
