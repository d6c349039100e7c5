// tests/fuzz/fuzz_multiboot2.cpp — libFuzzer target: the multiboot2 info (tags: cmdline, loader name, mmap, modules, RSDP)
// parser of posih/bootinfo.h; the input convention is in fuzz_bootinfo.h.
#include "tests/fuzz/fuzz_bootinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return hvb::fuzz::run_boot_parser(hvb::parse_multiboot2, data, size);
}
