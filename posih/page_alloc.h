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
    static constexpr size_t kMaxRanges = 512;

    // Takes the usable regions of `map` at or above `floor` (memory below it,
    // e.g. the first MiB, is never handed out). Reserved ranges must already
    // be marked in the map (reserve_range).
    void init(const MemoryMap& map, uint64_t floor);

    // One naturally aligned page of `size`, or 0 when none is left. Pages
    // come from the lowest free address that fits.
    uint64_t alloc(PageSize size);
    // `count` contiguous pages of `size`, aligned to `size`, or 0.
    uint64_t alloc_contiguous(PageSize size, uint64_t count);
    // Returns a page (or contiguous run) obtained from alloc*. Freeing
    // something not allocated, or twice, is detected and returns false.
    bool free(uint64_t phys, PageSize size, uint64_t count = 1);

    // Never-touched memory for cold-memory benchmarks: `bytes` (rounded up to
    // 4 KiB) taken from the top of the highest free range, so it is memory
    // no earlier allocation has handed out in this boot. It stays allocated.
    // Returns 0 when no free range is large enough.
    uint64_t alloc_untouched(uint64_t bytes);

    uint64_t free_bytes() const;
    uint64_t total_bytes() const;  // managed at init

private:
    struct Range {
        uint64_t base, end;  // [base, end), page-aligned
    };
    bool insert_free(uint64_t base, uint64_t end);
    bool is_free(uint64_t base, uint64_t end) const;
    bool is_managed(uint64_t base, uint64_t end) const;
    // Removes [base, end) (inside free_[i]) from the free list. The caller
    // checked there is a spare slot if both ends of free_[i] remain.
    void take(size_t i, uint64_t base, uint64_t end);
    // Every member has an initializer so that a global PageAllocator is
    // constant-initialized even at -O0: the kernel's linker script rejects
    // global constructors.
    Range free_[kMaxRanges]{};  // sorted, disjoint, never touching (coalesced)
    size_t count_ = 0;
    uint64_t total_ = 0;
    // Bounds of everything managed, to reject frees of foreign memory.
    Range managed_[MemoryMap::kMaxRegions]{};
    size_t managed_count_ = 0;
    // alloc_untouched bookkeeping: the end of the highest run alloc* ever
    // returned or anyone ever freed. Free memory at or above it has never
    // been handed out since init (alloc_untouched's own memory only becomes
    // free again through free, which raises the mark over it).
    uint64_t hi_mark_ = 0;
};

}  // namespace hvb
