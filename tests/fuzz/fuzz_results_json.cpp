// tests/fuzz/fuzz_results_json.cpp — libFuzzer target: the JSON results
// reader of compare/import (tools/results.h read_results_json). A document
// it accepts is written back and must be read again.
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>

#include "tools/results.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    auto doc = hvb::tools::read_results_json(text, &error);
    if (!doc) {
        if (error.empty()) __builtin_trap();
        return 0;
    }
    std::string written = hvb::tools::write_results_json(*doc);
    if (!hvb::tools::read_results_json(written, &error)) __builtin_trap();
    (void)hvb::tools::write_results_csv(doc->benchmarks, doc->info.timer_hz);
    (void)hvb::tools::format_linearity(doc->benchmarks);
    return 0;
}
