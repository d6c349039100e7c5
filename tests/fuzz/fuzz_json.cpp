// tests/fuzz/fuzz_json.cpp — libFuzzer target: the JSON reader
// (tools/json.h). What parses must serialize and parse back to the same text.
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>

#include "tools/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    auto value = hvb::tools::parse_json(text, &error);
    if (!value) {
        if (error.empty()) __builtin_trap();  // a failure always says why
        return 0;
    }
    std::string once = hvb::tools::serialize_json(*value);
    auto again = hvb::tools::parse_json(once, &error);
    if (!again) __builtin_trap();
    if (hvb::tools::serialize_json(*again) != once) __builtin_trap();
    (void)hvb::tools::serialize_json(*value, 2);
    return 0;
}
