// arch/aarch64/page_table.h — building and editing AArch64 translation
// tables: 4 KiB granule, 48-bit input addresses, so the walk starts at level
// 0 (ARM ARM D8.2: level 0 holds only tables, level 1 maps 1 GiB blocks,
// level 2 2 MiB blocks, level 3 4 KiB pages). Pure logic, no system registers: tables are reached through
// a TableMemory seam (the kernel gives it the identity map, the host tests a
// buffer). TLB maintenance and TTBR loads are the caller's (arch/aarch64/memory.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb::arm {

// Access to table memory by physical address (same seam as x86's).
struct TableMemory {
    uint64_t* (*table)(void* ctx, uint64_t phys);
    uint64_t (*alloc_table)(void* ctx);          // zeroed 4 KiB page, 0 when out of memory
    void (*free_table)(void* ctx, uint64_t phys);  // may be null (then leaked)
    void* ctx;
};

// Leaf attribute bits (the caller's choice of memory type and permissions);
// the valid, block/page and access-flag bits are added here.
inline constexpr uint64_t kLeafNormal = (1ull << 2) | (3ull << 8);  // MAIR index 1, inner shareable
inline constexpr uint64_t kLeafDevice = 0;                          // MAIR index 0
inline constexpr uint64_t kLeafNonCached = (2ull << 2) | (3ull << 8);
inline constexpr uint64_t kLeafUser = 1ull << 6;
inline constexpr uint64_t kLeafReadOnly = 1ull << 7;
inline constexpr uint64_t kLeafPxn = 1ull << 53;
inline constexpr uint64_t kLeafUxn = 1ull << 54;
inline constexpr uint64_t kOutputMask = 0x0000fffffffff000ull;
inline constexpr uint64_t kInputLimit = 1ull << 48;
inline constexpr uint64_t kInputLimitBytes = kInputLimit;

enum class MapResult { ok, misaligned, bad_size, out_of_range, already_mapped, out_of_memory };
const char* map_result_name(MapResult r);

class PageTable {
public:
    bool create(const TableMemory& mem);   // allocates the level-0 table
    void adopt(const TableMemory& mem, uint64_t root_phys);
    uint64_t root() const { return root_; }

    // One page or block of 4 KiB, 2 MiB or 1 GiB at virt -> phys.
    MapResult map(uint64_t virt, uint64_t phys, uint64_t size, uint64_t attrs);
    MapResult map_range(uint64_t virt, uint64_t phys, uint64_t length, uint64_t size, uint64_t attrs);
    // Unmaps whatever page or block holds virt; its size, 0 when none.
    uint64_t unmap(uint64_t virt);

    struct Translation {
        bool valid;
        uint64_t phys;
        uint64_t page_size;
        uint64_t attrs;  // the leaf's attribute bits (output address cleared)
        bool mapped() const { return valid; }
    };
    Translation translate(uint64_t virt) const;
    // Calls visit(phys) for every table page (the root included), once.
    void for_each_table(void (*visit)(void* ctx, uint64_t phys), void* ctx) const;

private:
    uint64_t* slot(uint64_t virt, unsigned level, bool create, MapResult* err);
    TableMemory mem_{};
    uint64_t root_ = 0;
};

}  // namespace hvb::arm
