// tests/fuzz/fuzz_proc_stat.cpp — libFuzzer target: the /proc/stat reader
// (tools/host_load.h). A failure says why; a sample's busy time never
// exceeds its total.
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>

#include "tools/host_load.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    auto s = hvb::tools::parse_proc_stat(text, &error);
    if (!s) {
        if (error.empty()) __builtin_trap();
        return 0;
    }
    if (s->busy_ticks > s->total_ticks) __builtin_trap();
    return 0;
}
