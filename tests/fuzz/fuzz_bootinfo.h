// tests/fuzz/fuzz_bootinfo.h — the input convention of the boot-info fuzz
// targets: the input is guest-physical memory starting at kFuzzPhysBase,
// with the boot information (multiboot1/2 info, PVH start_info) at its first
// byte. Pointers inside it are physical addresses; whatever they name outside
// [kFuzzPhysBase, kFuzzPhysBase + size) is outside the view. The input is
// copied into an exactly-sized buffer so AddressSanitizer sees any read past it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cstring>
#include <memory>

#include "arch/x86_64/boot/boot_protocols.h"
#include "posih/bootinfo.h"
#include "posih/memmap.h"

namespace hvb::fuzz {

inline constexpr uint64_t kFuzzPhysBase = 0x10000;

using Parser = BootParseResult (*)(const PhysView&, uint64_t, BootInfo&);

inline void check_result(const BootParseResult& r, const BootInfo& bi) {
    if (strnlen(r.message, sizeof r.message) >= sizeof r.message) __builtin_trap();
    if (strnlen(bi.cmdline, sizeof bi.cmdline) >= sizeof bi.cmdline) __builtin_trap();
    if (strnlen(bi.loader_name, sizeof bi.loader_name) >= sizeof bi.loader_name) __builtin_trap();
    if (bi.region_count > BootInfo::kMaxRegions || bi.module_count > BootInfo::kMaxModules) __builtin_trap();
    if (bi.firmware_table_copy_len > BootInfo::kFirmwareTableCopyMax) __builtin_trap();
    for (size_t i = 0; i < bi.module_count; ++i) {
        const char* c = bi.modules[i].cmdline;
        if (strnlen(c, sizeof bi.modules[i].cmdline) >= sizeof bi.modules[i].cmdline) __builtin_trap();
    }
}

// Parses the input with `parse` and, when it succeeds, hands its regions to
// the memory-map normalizer as the kernel does.
inline int run_boot_parser(Parser parse, const uint8_t* data, size_t size) {
    std::unique_ptr<uint8_t[]> copy(new uint8_t[size ? size : 1]);
    if (size) std::memcpy(copy.get(), data, size);
    PhysView view(reinterpret_cast<uintptr_t>(copy.get()), kFuzzPhysBase, size);
    static BootInfo bi;
    std::memset(&bi, 0xA5, sizeof bi);  // the parsers must reset everything
    BootParseResult r = parse(view, kFuzzPhysBase, bi);
    check_result(r, bi);
    if (r.ok) {
        static MemoryMap map;
        normalize_memory_map(bi.regions, bi.region_count, map);
        if (map.count > MemoryMap::kMaxRegions) __builtin_trap();
    }
    return 0;
}

}  // namespace hvb::fuzz
