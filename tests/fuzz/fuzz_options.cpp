// tests/fuzz/fuzz_options.cpp — libFuzzer target: the kernel command line
// (kernel/options.h) and what consumes its lists: benchmark selection
// (only=/skip=/iters=name:N, kernel/selection.h) and name.param=V overrides
// (kernel/params.h), against a small table shaped like the real one.
#include <stddef.h>
#include <stdint.h>

#include <cstring>
#include <vector>

#include "kernel/options.h"
#include "kernel/params.h"
#include "kernel/selection.h"

namespace {

void nop(uint64_t) {}

uint64_t working_set = 4096, page_size = 4096, spin = 1;
const hvb::BenchParam kHotParams[] = {
    {"working_set", &working_set, 4096, 1ull << 30, "bytes"},
    {"page_size", &page_size, 4096, 2ull << 20, "4K or 2M"},
};
const hvb::BenchParam kIdleParams[] = {{"spin", &spin, 0, 100, "loops"}};

const hvb::Benchmark kTable[] = {
    {.name = "cpuid", .category = "instruction", .benchmark = nop, .control = nop, .iterations = 100},
    {.name = "mem_hot", .category = "memory", .benchmark = nop, .control = nop, .iterations = 1024,
     .params = kHotParams, .param_count = 2},
    {.name = "idle", .category = "baseline", .benchmark = nop, .control = nop, .iterations = 1,
     .params = kIdleParams, .param_count = 1},
    {.name = "ipi", .category = "interrupt", .benchmark = nop, .control = nop, .iterations = 10, .min_cpus = 2,
     .flags = hvb::kFlagOptIn},
    {.name = "cpuid", .category = "instruction", .benchmark = nop, .control = nop, .iterations = 5},  // duplicate
};
constexpr size_t kTableSize = sizeof kTable / sizeof kTable[0];

void check_message(const char* m, size_t cap) {
    if (strnlen(m, cap) >= cap) __builtin_trap();  // every message is NUL-terminated
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The kernel gets a NUL-terminated string: an embedded NUL ends it.
    std::vector<char> cmdline(data, data + size);
    cmdline.push_back('\0');

    static hvb::Options opts;  // large: keep it off the stack
    opts = hvb::Options{};
    hvb::OptionError errors[4];
    size_t n = hvb::parse_options(cmdline.data(), opts, errors, 4);
    for (size_t i = 0; i < n && i < 4; ++i) check_message(errors[i].message, sizeof errors[i].message);

    const hvb::Benchmark* selected[kTableSize];
    hvb::SelectionError sel_errors[4];
    size_t sel_error_count = 0;
    size_t count = hvb::select_benchmarks(kTable, kTableSize, opts, selected, kTableSize, sel_errors, 4,
                                          &sel_error_count);
    if (count > kTableSize) __builtin_trap();
    for (size_t i = 0; i < sel_error_count && i < 4; ++i) check_message(sel_errors[i].message, 160);

    hvb::ParamError param_errors[4];
    size_t pe = hvb::apply_params(kTable, kTableSize, opts, param_errors, 4);
    for (size_t i = 0; i < pe && i < 4; ++i) check_message(param_errors[i].message, 160);
    // A value apply_params set is within its declared range.
    if (working_set < 4096 || working_set > (1ull << 30) || page_size > (2ull << 20) || spin > 100) __builtin_trap();
    working_set = 4096;
    page_size = 4096;
    spin = 1;
    return 0;
}
