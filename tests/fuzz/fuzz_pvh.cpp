// tests/fuzz/fuzz_pvh.cpp — libFuzzer target: the PVH hvm_start_info (memmap, modules, cmdline, RSDP)
// parser of posih/bootinfo.h; the input convention is in fuzz_bootinfo.h.
#include "tests/fuzz/fuzz_bootinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return hvb::fuzz::run_boot_parser(hvb::parse_pvh, data, size);
}
