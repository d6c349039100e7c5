// tests/fuzz/fuzz_multiboot1.cpp — libFuzzer target: the multiboot1 info (flags, mmap, modules, strings)
// parser of posih/bootinfo.h; the input convention is in fuzz_bootinfo.h.
#include "tests/fuzz/fuzz_bootinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return hvb::fuzz::run_boot_parser(hvb::parse_multiboot1, data, size);
}
