// tests/fuzz/fuzz_records.cpp — libFuzzer target: the `@hvb` record stream
// reader (tools/records.h), whole and fed in pieces as a serial port would
// deliver it; both must read the same records.
#include <stddef.h>
#include <stdint.h>

#include <string_view>

#include "tools/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    hvb::tools::RunLog whole = hvb::tools::parse_run_log(stream);
    (void)whole.unfinished();

    // The same bytes in chunks whose sizes come from the data itself.
    hvb::tools::RunLogReader reader;
    size_t pos = 0;
    while (pos < size) {
        size_t chunk = 1 + data[pos] % 97;
        if (chunk > size - pos) chunk = size - pos;
        reader.feed(stream.substr(pos, chunk));
        pos += chunk;
    }
    reader.finish();
    const hvb::tools::RunLog& pieces = reader.log();
    if (pieces.record_count != whole.record_count || pieces.results.size() != whole.results.size() ||
        pieces.problems.size() != whole.problems.size())
        __builtin_trap();
    return 0;
}
