// arch/aarch64/mmu.h — the boot identity map: 4 KiB granule, 48-bit VA
// (TTBR0 only, the walk starting at level 0, as arch/aarch64/page_table.h
// builds them), every address below 512 GiB mapped to itself. RAM (the device tree's memory ranges) is Normal
// write-back, inner shareable; everything else is Device-nGnRnE and never
// executable. 1 GiB blocks where a GiB is all RAM or all device, 2 MiB
// blocks where a range boundary falls inside a GiB.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/aarch64/dtb.h"

namespace hvb::arm {

// Descriptor bits (ARM ARM D8.3).
inline constexpr uint64_t kDescValid = 1ull << 0;
inline constexpr uint64_t kDescTable = 3ull;  // table (levels 0-2) or page (level 3)
inline constexpr uint64_t kDescBlock = 1ull;
inline constexpr uint64_t kDescAttrNormal = 1ull << 2;  // MAIR index 1
inline constexpr uint64_t kDescAttrDevice = 0ull << 2;  // MAIR index 0
inline constexpr uint64_t kDescAttrNonCached = 2ull << 2;  // MAIR index 2
inline constexpr uint64_t kDescInnerShareable = 3ull << 8;
inline constexpr uint64_t kDescAccessFlag = 1ull << 10;
inline constexpr uint64_t kDescReadOnly = 1ull << 7;  // AP[2]
inline constexpr uint64_t kDescUser = 1ull << 6;      // AP[1]
inline constexpr uint64_t kDescPxn = 1ull << 53;
inline constexpr uint64_t kDescUxn = 1ull << 54;
inline constexpr uint64_t kDescAddrMask = 0x0000fffffffff000ull;

inline constexpr unsigned kVaBits = 48;

// Builds the tables from `memory` and turns the MMU and caches on for the
// calling CPU. The boot CPU calls it once, before anything but the console
// setup; secondaries call mmu_enable_this_cpu.
bool mmu_init(const DtbRange* memory, size_t count);
void mmu_enable_this_cpu();
// The level-0 table's physical address (TTBR0_EL1 of the boot map).
uint64_t mmu_boot_root();
// Whether [base, base+size) is RAM in the boot map's view.
bool mmu_is_ram(uint64_t base, uint64_t size);

}  // namespace hvb::arm
