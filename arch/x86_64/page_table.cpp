// arch/x86_64/page_table.cpp — building, walking and pruning x86-64 4-level page tables (Intel SDM vol. 3, 4.5).
//
// Levels are numbered as the SDM's walk goes down: 4 = PML4, 3 = PDPT, 2 = PD,
// 1 = PT. "The entry at level L" is the PML4E/PDPTE/PDE/PTE that the walk reads
// from the table of level L; its index is virt bits [12+9L-1 : 12+9(L-1)]
// (SDM vol. 3, 4.5.4, figures 4-8 to 4-10). A PDPTE or PDE with PS=1 is a leaf
// (1 GiB / 2 MiB page); a PTE is always a leaf; PS in a PML4E is reserved and
// is therefore never treated as a leaf here.
//
// Decisions worth knowing about (the header cannot say all of them):
//  * map() is all-or-nothing: it first walks read-only to learn how many tables
//    are missing, allocates all of them, and only then links them in. A failure
//    (already_mapped, out_of_memory) thus never leaves a half-built path behind;
//    pages allocated before an out_of_memory are given back through free_table
//    (or leaked when free_table is null, which cannot be helped).
//  * Leaf flags: bits 51:12 of `flags` are the address field and are ignored;
//    bit 7 is owned by map() (PS for 2 MiB/1 GiB leaves, and in a 4 KiB PTE it
//    would be PAT, so it is cleared there). PAT therefore always reads as 0 and
//    the memory type comes from PWT/PCD alone (SDM vol. 3, 11.12.3). NX (63),
//    the protection key (62:59) and the ignored bits are passed through.
//  * A phys that does not fit the entry's address field (bits above 51) is
//    reported as misaligned: it is "not aligned" to the representable frames,
//    and the header has no better code for it.
//  * Access rights combine across levels: writes need R/W=1 and user access
//    needs U/S=1 in every entry of the walk (SDM vol. 3, 4.6.1). So a leaf with
//    kPteWritable/kPteUser under an existing intermediate entry lacking them
//    would silently not get what was asked; map() sets W/U on the existing
//    intermediate entries of the path (after the leaf is known to be free).
//    That widens nothing else: sibling leaves must have W/U themselves. XD is
//    deliberately NOT cleared in intermediates: leaves are executable by
//    default, so clearing an intermediate XD would make every sibling
//    executable. No TLB flush is needed for raising rights (a stale entry
//    only causes a spurious fault, SDM vol. 3, 4.10.4.3); flushes are the
//    caller's anyway.
//  * A table is "empty" when all 512 entries are zero (not merely not present:
//    software may keep information in non-present entries). unmap() frees such
//    tables bottom-up, clearing the parent entry before handing the page back.
//    Tables shared between several parents (possible in adopted tables) cannot
//    be detected and must not be unmapped through.
//  * An empty table hanging where a large page is requested (possible when
//    free_table is null) still counts as already_mapped: the entry is present.
//  * A PageTable with no root (create() failed or never called) maps nothing:
//    map() returns out_of_memory, unmap() 0, translate() not present.

#include "arch/x86_64/page_table.h"

#include <stddef.h>
#include <stdint.h>

namespace hvb::x86 {
namespace {

constexpr uint64_t k4K = 1ull << 12;
constexpr uint64_t k2M = 1ull << 21;
constexpr uint64_t k1G = 1ull << 30;
constexpr unsigned kEntries = 512;  // 4 KiB / 8-byte entries (SDM vol. 3, 4.5.1)

// Physical-address fields of the three leaf kinds (SDM vol. 3, tables 4-16,
// 4-18, 4-20): bits 51:30, 51:21 and 51:12. For large pages bit 12 is PAT,
// which kPteAddrMask alone would wrongly fold into the address.
constexpr uint64_t kAddr1G = kPteAddrMask & ~(k1G - 1);
constexpr uint64_t kAddr2M = kPteAddrMask & ~(k2M - 1);

// Flag bits a caller may set in a leaf: everything but the address field and
// bit 7 (PS/PAT), see the file comment.
constexpr uint64_t kLeafFlagMask = ~kPteAddrMask & ~kPteLarge;

// Rights that intermediate entries must grant for the leaf's to take effect.
constexpr uint64_t kPathRights = kPteWritable | kPteUser;

inline unsigned index_at(uint64_t virt, unsigned level) {
    return static_cast<unsigned>((virt >> (12 + 9 * (level - 1))) & (kEntries - 1));
}

// Canonical = bits 63:47 all equal (SDM vol. 1, 3.3.7.1), with 48-bit linear
// addresses (4-level paging, CR4.LA57=0).
inline bool is_canonical(uint64_t virt) {
    uint64_t top = virt >> 47;
    return top == 0 || top == 0x1FFFF;
}

// Level whose entry is the leaf for a page of `size`, or 0 for a bad size.
inline unsigned leaf_level_for(uint64_t size) {
    switch (size) {
        case k4K: return 1;
        case k2M: return 2;
        case k1G: return 3;
        default: return 0;
    }
}

inline uint64_t page_size_at(unsigned level) { return 1ull << (12 + 9 * (level - 1)); }

inline uint64_t addr_mask_at(unsigned level) {
    return level == 3 ? kAddr1G : level == 2 ? kAddr2M : kPteAddrMask;
}

// Is `e`, read from the table of `level`, a leaf? A PTE always is; a PDPTE
// or PDE when PS=1 (SDM vol. 3, 4.5.4).
inline bool is_leaf(uint64_t e, unsigned level) {
    return level == 1 || ((level == 2 || level == 3) && (e & kPteLarge) != 0);
}

inline uint64_t* table_at(const TableMemory& mem, uint64_t phys) { return mem.table(mem.ctx, phys); }

// Whether every entry of `t` is zero, given that entry `cleared` just was.
// The scan goes outward from that entry, so unmapping a run of pages in
// either direction finds a live neighbour at once instead of rereading the
// whole table after every page (which made unmapping 64 MiB of 4 KiB pages
// quadratic: ~8 million reads).
bool table_is_empty(const uint64_t* t, unsigned cleared) {
    for (unsigned d = 1; d <= kEntries / 2; ++d) {
        if (t[(cleared + d) % kEntries] != 0 || t[(cleared + kEntries - d) % kEntries] != 0) return false;
    }
    return t[cleared] == 0;
}

// The entries a walk for `virt` went through: entry[L] is the entry read at
// level L (null if the walk stopped above L), table_phys[L] the physical
// address of the table holding it. `leaf` is the level of the present leaf
// found, or 0 if the walk hit a non-present entry.
struct Walk {
    uint64_t* entry[5];
    uint64_t table_phys[5];
    unsigned leaf;
};

Walk walk(const TableMemory& mem, uint64_t root, uint64_t virt) {
    Walk w{};
    uint64_t table_phys = root;
    for (unsigned level = 4; level >= 1; --level) {
        uint64_t* e = &table_at(mem, table_phys)[index_at(virt, level)];
        w.entry[level] = e;
        w.table_phys[level] = table_phys;
        if ((*e & kPtePresent) == 0) return w;
        if (is_leaf(*e, level)) {
            w.leaf = level;
            return w;
        }
        table_phys = *e & kPteAddrMask;
    }
    return w;  // not reached: level 1 entries are always leaves
}

}  // namespace

const char* map_result_name(MapResult r) {
    switch (r) {
        case MapResult::ok: return "ok";
        case MapResult::misaligned: return "misaligned";
        case MapResult::bad_size: return "bad_size";
        case MapResult::non_canonical: return "non_canonical";
        case MapResult::already_mapped: return "already_mapped";
        case MapResult::out_of_memory: return "out_of_memory";
    }
    return "unknown";
}

bool PageTable::create(const TableMemory& mem) {
    mem_ = mem;
    root_ = mem_.alloc_table(mem_.ctx);
    if (root_ == 0) return false;
    // The seam promises a zeroed page; zeroing again is 4 KiB once and makes
    // a stale page harmless rather than a set of wild mappings.
    __builtin_memset(table_at(mem_, root_), 0, k4K);
    return true;
}

void PageTable::adopt(const TableMemory& mem, uint64_t pml4_phys) {
    mem_ = mem;
    root_ = pml4_phys & kPteAddrMask;  // CR3 may carry PCID/PWT/PCD in its low bits
}

// Returns the entry at `level` for virt. With `create`, missing intermediate
// tables are created all-or-nothing (present+writable, +user if `flags` has
// it). Returns null with *err = already_mapped when a large page above
// `level` covers virt, out_of_memory when a table could not be allocated, or
// (without `create`) ok when the path is simply missing.
uint64_t* PageTable::entry_for(uint64_t virt, unsigned level, bool create, uint64_t flags, MapResult* err) {
    *err = MapResult::ok;
    if (root_ == 0) {
        *err = MapResult::out_of_memory;
        return nullptr;
    }

    // Read-only pass: find the first missing entry above `level`.
    uint64_t table_phys = root_;
    unsigned lvl = 4;
    for (; lvl > level; --lvl) {
        uint64_t e = table_at(mem_, table_phys)[index_at(virt, lvl)];
        if ((e & kPtePresent) == 0) break;
        if (is_leaf(e, lvl)) {
            *err = MapResult::already_mapped;
            return nullptr;
        }
        table_phys = e & kPteAddrMask;
    }
    if (lvl == level) return &table_at(mem_, table_phys)[index_at(virt, level)];
    if (!create) return nullptr;

    // Tables needed for levels lvl-1 .. level: at most 3 (PDPT, PD, PT).
    const unsigned needed = lvl - level;
    uint64_t fresh[3] = {0, 0, 0};
    for (unsigned i = 0; i < needed; ++i) {
        fresh[i] = mem_.alloc_table(mem_.ctx);
        if (fresh[i] == 0) {
            if (mem_.free_table != nullptr) {
                for (unsigned j = i; j > 0; --j) mem_.free_table(mem_.ctx, fresh[j - 1]);
            }
            *err = MapResult::out_of_memory;
            return nullptr;
        }
        __builtin_memset(table_at(mem_, fresh[i]), 0, k4K);
    }

    // Chain the new tables bottom-up and hook the top one in last, so the
    // live hierarchy only ever sees a complete path.
    const uint64_t inter = kPtePresent | kPteWritable | (flags & kPteUser);
    for (unsigned i = needed - 1; i > 0; --i) {
        table_at(mem_, fresh[i - 1])[index_at(virt, lvl - i)] = fresh[i] | inter;
    }
    table_at(mem_, table_phys)[index_at(virt, lvl)] = fresh[0] | inter;
    return &table_at(mem_, fresh[needed - 1])[index_at(virt, level)];
}

MapResult PageTable::map(uint64_t virt, uint64_t phys, uint64_t size, uint64_t flags) {
    const unsigned level = leaf_level_for(size);
    if (level == 0) return MapResult::bad_size;
    if (!is_canonical(virt)) return MapResult::non_canonical;
    if ((virt & (size - 1)) != 0 || (phys & ~addr_mask_at(level)) != 0) return MapResult::misaligned;

    MapResult err = MapResult::ok;
    uint64_t* e = entry_for(virt, level, true, flags, &err);
    if (e == nullptr) return err;
    // Present here means a page of this size, or (for level 2/3) a table of
    // smaller pages, already occupies the slot. If entry_for created any
    // table, the slot lies in a fresh zeroed table and cannot be present, so
    // nothing was changed.
    if ((*e & kPtePresent) != 0) return MapResult::already_mapped;

    // Grant the path the W/U the leaf asks for (see the file comment).
    const uint64_t want = flags & kPathRights;
    if (want != 0) {
        uint64_t table_phys = root_;
        for (unsigned lvl = 4; lvl > level; --lvl) {
            uint64_t* pe = &table_at(mem_, table_phys)[index_at(virt, lvl)];
            if ((*pe & want) != want) *pe |= want;
            table_phys = *pe & kPteAddrMask;
        }
    }

    *e = phys | (flags & kLeafFlagMask) | kPtePresent | (level > 1 ? kPteLarge : 0);
    return MapResult::ok;
}

MapResult PageTable::map_range(uint64_t virt, uint64_t phys, uint64_t length, uint64_t size, uint64_t flags) {
    const unsigned level = leaf_level_for(size);
    if (level == 0) return MapResult::bad_size;
    if (length == 0) return MapResult::ok;
    // Checks that would fail for every page, or that unsigned wrap-around
    // would hide, are done before anything is mapped.
    if (!is_canonical(virt)) return MapResult::non_canonical;
    if ((virt & (size - 1)) != 0 || (phys & ~addr_mask_at(level)) != 0 || (length & (size - 1)) != 0)
        return MapResult::misaligned;
    if (virt + (length - 1) < virt) return MapResult::non_canonical;  // wraps past 2^64
    if (phys + (length - 1) < phys || ((phys + (length - 1)) & ~kPteAddrMask & ~(k4K - 1)) != 0)
        return MapResult::misaligned;  // runs past the 52-bit physical space

    for (uint64_t off = 0; off < length;) {
        MapResult r = map(virt + off, phys + off, size, flags);
        if (r != MapResult::ok) return r;
        off += size;
        if (size != k4K) continue;
        // The rest of this page table's 512 slots take the same walk: fill
        // them directly with the leaf bits map() just chose, instead of
        // walking from the root for every page (setup_mmu of all RAM with
        // 4 KiB pages is HyperBench's Set Page Table benchmark).
        uint64_t* pte = walk(mem_, root_, virt + off - k4K).entry[1];
        const uint64_t leaf_bits = *pte & ~kPteAddrMask;
        for (unsigned i = index_at(virt + off - k4K, 1) + 1; i < kEntries && off < length; ++i, off += k4K) {
            ++pte;
            if (*pte != 0) return MapResult::already_mapped;
            *pte = ((phys + off) & kPteAddrMask) | leaf_bits;
        }
    }
    return MapResult::ok;
}

uint64_t PageTable::unmap(uint64_t virt) {
    if (root_ == 0 || !is_canonical(virt)) return 0;
    Walk w = walk(mem_, root_, virt);
    if (w.leaf == 0) return 0;

    *w.entry[w.leaf] = 0;
    if (mem_.free_table != nullptr) {
        // Free the leaf's table and its ancestors while they are empty; the
        // PML4 (level 4) is the root and is never freed.
        for (unsigned lvl = w.leaf; lvl < 4; ++lvl) {
            const uint64_t phys = w.table_phys[lvl];
            const unsigned cleared = unsigned(virt >> (12 + 9 * (lvl - 1))) % kEntries;
            if (!table_is_empty(table_at(mem_, phys), cleared)) break;
            *w.entry[lvl + 1] = 0;  // unlink first, then give the page back
            mem_.free_table(mem_.ctx, phys);
        }
    }
    return page_size_at(w.leaf);
}

PageTable::Translation PageTable::translate(uint64_t virt) const {
    Translation t{false, 0, 0, 0};
    if (root_ == 0 || !is_canonical(virt)) return t;
    Walk w = walk(mem_, root_, virt);
    if (w.leaf == 0) return t;

    const uint64_t e = *w.entry[w.leaf];
    const uint64_t size = page_size_at(w.leaf);
    const uint64_t mask = addr_mask_at(w.leaf);
    t.present = true;
    t.phys = (e & mask) | (virt & (size - 1));
    t.page_size = size;
    t.flags = e & ~mask;
    return t;
}

}  // namespace hvb::x86
