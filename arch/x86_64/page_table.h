// arch/x86_64/page_table.h — building and editing x86-64 4-level page tables
// (Intel SDM vol. 3, 4.5). Pure logic, no privileged instructions: the tables
// are reached through a TableMemory seam, so the kernel gives it the identity
// map and the host tests give it a buffer. TLB flushes and CR3 loads are the
// caller's job (posih/memory.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb::x86 {

// PTE bits used here (SDM vol. 3, tables 4-19 and 4-20).
inline constexpr uint64_t kPtePresent = 1ull << 0;
inline constexpr uint64_t kPteWritable = 1ull << 1;
inline constexpr uint64_t kPteUser = 1ull << 2;
inline constexpr uint64_t kPteWriteThrough = 1ull << 3;
inline constexpr uint64_t kPteCacheDisable = 1ull << 4;
inline constexpr uint64_t kPteAccessed = 1ull << 5;
inline constexpr uint64_t kPteDirty = 1ull << 6;
inline constexpr uint64_t kPteLarge = 1ull << 7;  // PS in a PDPTE/PDE
inline constexpr uint64_t kPteGlobal = 1ull << 8;
inline constexpr uint64_t kPteNoExecute = 1ull << 63;
inline constexpr uint64_t kPteAddrMask = 0x000FFFFFFFFFF000ull;

// Access to page-table memory by physical address.
struct TableMemory {
    // A pointer through which the 4 KiB table at `phys` can be read/written.
    uint64_t* (*table)(void* ctx, uint64_t phys);
    // A zeroed, 4 KiB-aligned page for a new table, or 0 when out of memory.
    uint64_t (*alloc_table)(void* ctx);
    // Gives back a table page that became empty (may be null: then leaked).
    void (*free_table)(void* ctx, uint64_t phys);
    void* ctx;
};

enum class MapResult {
    ok,
    misaligned,       // virt or phys not aligned to the page size
    bad_size,         // not 4 KiB, 2 MiB or 1 GiB
    non_canonical,    // virt is not a canonical 48-bit address
    already_mapped,   // something is mapped there (or a large page covers it)
    out_of_memory,    // alloc_table returned 0
};
const char* map_result_name(MapResult r);

class PageTable {
public:
    // An empty table: allocates the PML4. Returns false when out of memory.
    bool create(const TableMemory& mem);
    // Adopts an existing PML4 (e.g. the one CR3 holds).
    void adopt(const TableMemory& mem, uint64_t pml4_phys);
    uint64_t root() const { return root_; }

    // Maps one page of `size` bytes (4 KiB, 2 MiB or 1 GiB) at virt -> phys
    // with `flags` (kPtePresent is implied). Intermediate tables are created
    // present+writable (+user if flags has kPteUser).
    MapResult map(uint64_t virt, uint64_t phys, uint64_t size, uint64_t flags);
    // Maps [virt, virt+length) -> [phys, ...) with pages of `size`; stops at
    // the first failure and returns it (pages mapped before stay mapped).
    MapResult map_range(uint64_t virt, uint64_t phys, uint64_t length, uint64_t size, uint64_t flags);

    // Removes the mapping of the page containing virt, whatever its size.
    // Returns the size unmapped (0 if nothing was mapped). Tables left empty
    // are freed (and unlinked) when free_table is provided.
    uint64_t unmap(uint64_t virt);

    struct Translation {
        bool present;
        uint64_t phys;       // physical address of `virt` itself
        uint64_t page_size;  // 4 KiB, 2 MiB or 1 GiB
        uint64_t flags;      // the leaf entry's flag bits
        bool mapped() const { return present; }
    };
    Translation translate(uint64_t virt) const;

private:
    uint64_t* entry_for(uint64_t virt, unsigned level, bool create, uint64_t flags, MapResult* err);
    TableMemory mem_{};
    uint64_t root_ = 0;
};

}  // namespace hvb::x86
