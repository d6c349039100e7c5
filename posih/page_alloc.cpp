// posih/page_alloc.cpp — the physical page allocator: a sorted, coalesced list of free ranges.
#include "posih/page_alloc.h"

namespace hvb {

namespace {

constexpr uint64_t kPage = static_cast<uint64_t>(PageSize::k4K);

// Managed memory ends at or below this (as normalize_memory_map clips), so
// page rounding of any managed address cannot wrap.
constexpr uint64_t kTop = 0ull - kPage;

bool valid_size(PageSize s) {
    return s == PageSize::k4K || s == PageSize::k2M || s == PageSize::k1G;
}

// v rounded up to a multiple of the power of two a; false if that wraps.
bool align_up(uint64_t v, uint64_t a, uint64_t& out) {
    if (v > UINT64_MAX - (a - 1)) return false;
    out = (v + (a - 1)) & ~(a - 1);
    return true;
}

// size * count in bytes; false for a bad size, a zero count or overflow.
bool run_bytes(PageSize size, uint64_t count, uint64_t& bytes) {
    if (!valid_size(size) || count == 0) return false;
    const uint64_t sz = static_cast<uint64_t>(size);
    if (count > UINT64_MAX / sz) return false;
    bytes = count * sz;
    return true;
}

}  // namespace

void PageAllocator::init(const MemoryMap& map, uint64_t floor) {
    count_ = 0;
    total_ = 0;
    managed_count_ = 0;
    hi_mark_ = 0;

    uint64_t lowest;
    if (!align_up(floor, kPage, lowest)) return;  // floor above all memory
    // Page 0 can never be handed out: alloc* returns 0 for failure.
    if (lowest < kPage) lowest = kPage;

    const size_t n = map.count < MemoryMap::kMaxRegions ? map.count : MemoryMap::kMaxRegions;
    for (size_t i = 0; i < n; ++i) {
        const MemRegion& r = map.regions[i];
        if (r.type != MemType::usable) continue;
        // Normalized maps are already page-aligned and clipped; redo it so a
        // hand-built map can never make us hand out a partial page.
        if (r.base >= kTop) continue;
        uint64_t base;
        if (!align_up(r.base, kPage, base)) continue;
        uint64_t end = r.length > kTop - r.base ? kTop : r.base + r.length;
        end &= ~(kPage - 1);
        if (base < lowest) base = lowest;
        if (end <= base) continue;

        if (managed_count_ > 0) {
            Range& last = managed_[managed_count_ - 1];
            // Out of order or overlapping: the map was not normalized. Skip
            // rather than risk managing (and handing out) memory twice.
            if (base < last.end) continue;
            if (base == last.end) {
                // At init the free list mirrors the managed list.
                last.end = end;
                free_[count_ - 1].end = end;
                total_ += end - base;
                continue;
            }
        }
        if (managed_count_ == MemoryMap::kMaxRegions || count_ == kMaxRanges) break;
        managed_[managed_count_++] = Range{base, end};
        free_[count_++] = Range{base, end};
        total_ += end - base;  // disjoint ranges below 2^64: cannot overflow
    }
}

uint64_t PageAllocator::alloc(PageSize size) { return alloc_contiguous(size, 1); }

uint64_t PageAllocator::alloc_contiguous(PageSize size, uint64_t count) {
    uint64_t bytes;
    if (!run_bytes(size, count, bytes)) return 0;
    const uint64_t sz = static_cast<uint64_t>(size);
    const bool table_full = count_ == kMaxRanges;

    // Ranges are sorted, so the first that fits holds the lowest address.
    for (size_t i = 0; i < count_; ++i) {
        const Range rg = free_[i];
        uint64_t a;
        if (!align_up(rg.base, sz, a) || a >= rg.end || rg.end - a < bytes) continue;
        if (table_full && a != rg.base && a + bytes != rg.end) {
            // Carving from the middle needs a new slot. Rather than fail,
            // try the top of this range, which leaves only a left remainder
            // when its end happens to be aligned; else look further up.
            const uint64_t top = rg.end - bytes;
            if ((top & (sz - 1)) != 0) continue;
            a = top;
        }
        take(i, a, a + bytes);
        if (a + bytes > hi_mark_) hi_mark_ = a + bytes;
        return a;
    }
    return 0;
}

bool PageAllocator::free(uint64_t phys, PageSize size, uint64_t count) {
    uint64_t bytes;
    if (!run_bytes(size, count, bytes)) return false;
    if ((phys & (static_cast<uint64_t>(size) - 1)) != 0) return false;  // never returned by alloc*
    if (phys > UINT64_MAX - bytes) return false;
    const uint64_t end = phys + bytes;
    if (!is_managed(phys, end)) return false;  // foreign memory
    if (is_free(phys, end)) return false;      // double free (wholly or in part)
    // False when the range table is full and nothing coalesces: the pages
    // then stay allocated, which leaks them but keeps the state sound.
    if (!insert_free(phys, end)) return false;
    // Freed memory has been handed out; keep alloc_untouched away from it.
    if (end > hi_mark_) hi_mark_ = end;
    return true;
}

uint64_t PageAllocator::alloc_untouched(uint64_t bytes) {
    if (bytes == 0 || bytes > kTop) return 0;
    const uint64_t want = (bytes + (kPage - 1)) & ~(kPage - 1);

    // Highest range first; only its part above the mark qualifies, and a
    // range wholly below the mark means all lower ones are too.
    for (size_t i = count_; i-- > 0;) {
        const Range rg = free_[i];
        if (rg.end <= hi_mark_) return 0;
        const uint64_t bottom = rg.base > hi_mark_ ? rg.base : hi_mark_;
        if (rg.end - bottom < want) continue;
        // Cut at the range's end: leaves at most a left remainder, so the
        // range table never needs a new slot here.
        const uint64_t a = rg.end - want;
        take(i, a, rg.end);
        return a;
    }
    return 0;
}

uint64_t PageAllocator::free_bytes() const {
    uint64_t sum = 0;
    for (size_t i = 0; i < count_; ++i) sum += free_[i].end - free_[i].base;
    return sum;
}

uint64_t PageAllocator::total_bytes() const { return total_; }

void PageAllocator::take(size_t i, uint64_t base, uint64_t end) {
    const bool left = base > free_[i].base;
    const bool right = end < free_[i].end;
    if (left && right) {
        for (size_t j = count_; j > i + 1; --j) free_[j] = free_[j - 1];
        free_[i + 1] = Range{end, free_[i].end};
        free_[i].end = base;
        ++count_;
    } else if (left) {
        free_[i].end = base;
    } else if (right) {
        free_[i].base = end;
    } else {
        for (size_t j = i; j + 1 < count_; ++j) free_[j] = free_[j + 1];
        --count_;
    }
}

bool PageAllocator::insert_free(uint64_t base, uint64_t end) {
    // The caller checked [base, end) overlaps no free range, so the ranges
    // before position p end at or below base and the rest start at or above end.
    size_t p = 0;
    while (p < count_ && free_[p].end <= base) ++p;
    const bool merge_left = p > 0 && free_[p - 1].end == base;
    const bool merge_right = p < count_ && free_[p].base == end;
    if (merge_left && merge_right) {
        free_[p - 1].end = free_[p].end;
        for (size_t j = p; j + 1 < count_; ++j) free_[j] = free_[j + 1];
        --count_;
    } else if (merge_left) {
        free_[p - 1].end = end;
    } else if (merge_right) {
        free_[p].base = base;
    } else {
        if (count_ == kMaxRanges) return false;
        for (size_t j = count_; j > p; --j) free_[j] = free_[j - 1];
        free_[p] = Range{base, end};
        ++count_;
    }
    return true;
}

bool PageAllocator::is_free(uint64_t base, uint64_t end) const {
    for (size_t i = 0; i < count_; ++i) {
        if (free_[i].base < end && base < free_[i].end) return true;
    }
    return false;
}

bool PageAllocator::is_managed(uint64_t base, uint64_t end) const {
    // Adjacent managed ranges were merged at init, so a valid run lies
    // inside a single one.
    for (size_t i = 0; i < managed_count_; ++i) {
        if (managed_[i].base <= base && end <= managed_[i].end) return true;
    }
    return false;
}

}  // namespace hvb
