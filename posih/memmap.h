// posih/memmap.h — turns the loader's raw memory map into a clean one:
// sorted, non-overlapping, adjacent same-type regions merged, and usable
// RAM trimmed to whole pages. Portable and host-tested.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "posih/bootinfo.h"

namespace hvb {

inline constexpr uint64_t kPageSize = 4096;

struct MemoryMap {
    static constexpr size_t kMaxRegions = 256;
    MemRegion regions[kMaxRegions];
    size_t count;
    bool truncated;  // the input needed more regions than kMaxRegions

    uint64_t usable_bytes() const;
};

// Normalizes `in` (n regions, in any order, possibly overlapping) into `out`:
//   - where regions overlap, the more restrictive type wins, in the order
//     bad > reserved > firmware_nvs > firmware_reclaimable > usable (so firmware
//     memory is never handed out as RAM);
//   - the result is sorted by base, regions do not overlap, and adjacent
//     regions of the same type are merged;
//   - usable regions are shrunk to 4 KiB boundaries (base rounded up, end
//     rounded down); ones that vanish are dropped;
//   - zero-length input regions are ignored; a region running past 2^64 is
//     clipped to end at 2^64 - 1 page.
// Needs no heap; runs in O(n^2) over at most a few hundred regions.
void normalize_memory_map(const MemRegion* in, size_t n, MemoryMap& out);

// Marks [base, base+length) as reserved in `map` (used for the kernel image,
// boot modules and the AP trampoline) keeping the map normalized.
void reserve_range(MemoryMap& map, uint64_t base, uint64_t length);

}  // namespace hvb
