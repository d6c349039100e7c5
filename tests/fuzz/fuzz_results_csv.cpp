// tests/fuzz/fuzz_results_csv.cpp — libFuzzer target: the CSV results reader
// of compare/import (tools/results.h read_results_csv, parse_csv). Results
// it accepts are written back as CSV and must be read again.
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>

#include "tools/results.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    (void)hvb::tools::parse_csv(text, &error);
    auto results = hvb::tools::read_results_csv(text, &error);
    if (!results) {
        if (error.empty()) __builtin_trap();
        return 0;
    }
    std::string written = hvb::tools::write_results_csv(*results, 0);
    if (!hvb::tools::read_results_csv(written, &error)) __builtin_trap();
    return 0;
}
