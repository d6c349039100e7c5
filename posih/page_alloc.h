// posih/page_alloc.h — the physical page allocator (HyperBench's
// heap_alloc_page): 4 KiB, 2 MiB and 1 GiB pages, naturally aligned, from the
// usable RAM of a normalized memory map. Portable and host-tested: it only
// does bookkeeping on addresses and never touches the memory it manages.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "posih/memmap.h"

namespace hvb {

enum class PageSize : uint64_t {
    k4K = 4096,
    k2M = 2ull << 20,
    k1G = 1ull << 30,
};

class PageAllocator {
public:
    // Bookkeeping is two bits per 4 KiB page managed (free; ever handed
    // out), in storage the caller hands to init: the kernel carves it from RAM
    // (reserve_bitmap), the host tests take it from the heap. Whatever the
    // pattern of allocations and frees, it never needs more: a valid free
    // always succeeds.
    //
    // Bytes of bitmap init(map, floor, ...) needs (a multiple of 8).
    static uint64_t bitmap_bytes(const MemoryMap& map, uint64_t floor);
    // Finds room for that bitmap in the map's own usable memory: the lowest
    // whole pages at or above `floor` that end at or below `limit` (memory the
    // caller can address), marks them reserved in `map` and returns their
    // address, with the bytes reserved in *bytes; 0 when no region has room
    // (or there is nothing to manage).
    static uint64_t reserve_bitmap(MemoryMap& map, uint64_t floor, uint64_t limit, uint64_t* bytes);

    // Takes the usable regions of `map` at or above `floor` (memory below it,
    // e.g. the first MiB, is never handed out). Reserved ranges must already
    // be marked in the map (reserve_range). `bitmap` (8-byte aligned,
    // `bitmap_size` bytes) belongs to the allocator from now on. False, and
    // nothing managed, when it is smaller than bitmap_bytes(map, floor).
    bool init(const MemoryMap& map, uint64_t floor, uint64_t* bitmap, uint64_t bitmap_size);

    // One naturally aligned page of `size`, or 0 when none is left. Pages
    // come from the lowest free address that fits.
    uint64_t alloc(PageSize size);
    // `count` contiguous pages of `size`, aligned to `size`, or 0.
    uint64_t alloc_contiguous(PageSize size, uint64_t count);
    // Returns a page (or contiguous run) obtained from alloc*. Freeing
    // something not allocated (wholly or in part), or twice, is detected and
    // returns false; any other free succeeds.
    bool free(uint64_t phys, PageSize size, uint64_t count = 1);

    // Never-touched memory for cold-memory benchmarks: `bytes` (rounded up to
    // 4 KiB) of pages no allocation has handed out since init, from the top
    // of the highest run of such pages that is large enough. Freed, they are
    // ordinary memory again (alloc* may hand them out, this never again).
    // Returns 0 when no run is large enough.
    uint64_t alloc_untouched(uint64_t bytes);

    uint64_t free_bytes() const;
    uint64_t total_bytes() const;  // managed at init

private:
    struct Range {
        uint64_t base, end;  // [base, end), page-aligned
        uint64_t first_bit;  // its first page's bit in the bitmap
    };
    const Range* range_of(uint64_t base, uint64_t end) const;  // the managed range holding it, or null
    uint64_t bit_of(const Range& r, uint64_t phys) const { return r.first_bit + (phys - r.base) / 4096; }
    uint64_t phys_of(const Range& r, uint64_t bit) const { return r.base + (bit - r.first_bit) * 4096; }
    void take(const Range& r, uint64_t phys, uint64_t bytes);
    // Word w of the pages to look for: free ones, or (untouched) free ones
    // never handed out.
    uint64_t word(uint64_t w, bool untouched) const { return untouched ? bits_[w] & ~handed_[w] : bits_[w]; }
    // Bit searches over [lo, hi) for a bit equal to `value` (set: a page to
    // look for): the first such bit, or hi; the last one into *out, or false.
    uint64_t next_bit(bool value, uint64_t lo, uint64_t hi, bool untouched) const;
    bool last_bit(bool value, uint64_t lo, uint64_t hi, uint64_t* out, bool untouched) const;
    static void set_bits(uint64_t* words, uint64_t lo, uint64_t hi, bool value);
    // Every member has an initializer so that a global PageAllocator is
    // constant-initialized even at -O0: the kernel's linker script rejects
    // global constructors.
    uint64_t* bits_ = nullptr;    // set: free
    uint64_t* handed_ = nullptr;  // set: handed out by alloc* since init
    Range managed_[MemoryMap::kMaxRegions]{};  // sorted, disjoint, never touching
    size_t managed_count_ = 0;
    uint64_t total_ = 0, free_ = 0;
    // Every page below it is allocated: where the lowest-first search starts.
    uint64_t first_free_ = 0;
};

}  // namespace hvb
