// arch/x86_64/boot/boot_protocols.h — the x86 boot protocols hvbench is
// loaded by (multiboot1, multiboot2, PVH's hvm_start_info) and the parsers
// that turn what they hand over into a BootInfo (posih/bootinfo.h). No
// hardware access: built into the host library too, unit-tested and fuzzed.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "posih/bootinfo.h"

namespace hvb {

// Magic values handed to the 32-bit entry point in EAX (multiboot) or found in
// the start-info structure (PVH).
inline constexpr uint32_t kMultiboot1BootMagic = 0x2BADB002;
inline constexpr uint32_t kMultiboot2BootMagic = 0x36D76289;
inline constexpr uint32_t kPvhStartMagic = 0x336EC578;

enum class BootProtocol : uint8_t { unknown, multiboot1, multiboot2, pvh };
const char* protocol_name(BootProtocol p);  // "unknown", "mb1", "mb2", "pvh": BootInfo::protocol

// E820 types 1..5 have the MemType of the same value; any other is reserved.
MemType mem_type_from_e820(uint32_t type);

// Each parser fills `out` completely (it is reset first) and sets
// out.protocol. On failure `out` holds whatever was parsed before the error
// was found, and the result says why.
BootParseResult parse_multiboot1(const PhysView& mem, uint64_t info_phys, BootInfo& out);
BootParseResult parse_multiboot2(const PhysView& mem, uint64_t info_phys, BootInfo& out);
// PVH start_info version 0 (Xen's dom0 builder) carries no memory map: it
// parses with region_count 0, and the kernel asks the hypervisor.
BootParseResult parse_pvh(const PhysView& mem, uint64_t start_info_phys, BootInfo& out);

// Dispatches on the value the entry stub found: kMultiboot1BootMagic or
// kMultiboot2BootMagic (from EAX), or kPvhStartMagic (the PVH entry stub passes
// this constant). Anything else is an error naming the magic in hex.
BootParseResult parse_boot_info(uint32_t magic, uint64_t info_phys, const PhysView& mem, BootInfo& out);

}  // namespace hvb
