// posih/page_alloc.cpp — the physical page allocator: two bits per managed
// 4 KiB page (free; ever handed out), searched a 64-page word at a time.
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

uint64_t words_for(uint64_t pages) { return (pages + 63) / 64; }

// The usable memory of a map at or above a floor, as page-aligned runs in
// address order with adjacent regions merged. Normalized maps are already
// page-aligned and clipped; this redoes it so that a hand-built map can
// never make the allocator hand out a partial page, and skips regions out
// of order or overlapping (the map was not normalized) rather than risk
// managing memory twice.
class UsableRuns {
public:
    UsableRuns(const MemoryMap& map, uint64_t floor) : map_(map) {
        n_ = map.count < MemoryMap::kMaxRegions ? map.count : MemoryMap::kMaxRegions;
        valid_ = align_up(floor, kPage, lowest_);  // false: floor above all memory
        // Page 0 can never be handed out: alloc* returns 0 for failure.
        if (lowest_ < kPage) lowest_ = kPage;
    }
    bool next(uint64_t& base, uint64_t& end) {
        if (!valid_ || !region(base, end)) return false;
        uint64_t b, e;
        size_t save = i_;
        while (region(b, e) && b == end) {
            end = e;
            save = i_;
        }
        i_ = save;
        last_end_ = end;
        return true;
    }

private:
    // The next usable region, clipped; advances past it.
    bool region(uint64_t& base, uint64_t& end) {
        for (; i_ < n_; ++i_) {
            const MemRegion& r = map_.regions[i_];
            if (r.type != MemType::usable || r.base >= kTop) continue;
            if (!align_up(r.base, kPage, base)) continue;
            end = (r.length > kTop - r.base ? kTop : r.base + r.length) & ~(kPage - 1);
            if (base < lowest_) base = lowest_;
            if (end <= base || base < last_end_) continue;
            ++i_;
            return true;
        }
        return false;
    }
    const MemoryMap& map_;
    size_t n_, i_ = 0;
    uint64_t lowest_ = 0, last_end_ = 0;
    bool valid_;
};

}  // namespace

uint64_t PageAllocator::bitmap_bytes(const MemoryMap& map, uint64_t floor) {
    UsableRuns runs(map, floor);
    uint64_t base, end, words = 0;
    for (size_t n = 0; n < MemoryMap::kMaxRegions && runs.next(base, end); ++n) words += words_for((end - base) / kPage);
    return words * 2 * 8;
}

uint64_t PageAllocator::reserve_bitmap(MemoryMap& map, uint64_t floor, uint64_t limit, uint64_t* bytes) {
    *bytes = 0;
    const uint64_t need = (bitmap_bytes(map, floor) + kPage - 1) & ~(kPage - 1);
    if (need == 0) return 0;
    UsableRuns runs(map, floor);
    uint64_t base, end;
    while (runs.next(base, end)) {
        if (end - base < need || base + need > limit) continue;
        // Taking a run's first pages splits nothing, so the map needs no
        // more bitmap than before.
        reserve_range(map, base, need);
        *bytes = need;
        return base;
    }
    return 0;
}

bool PageAllocator::init(const MemoryMap& map, uint64_t floor, uint64_t* bitmap, uint64_t bitmap_size) {
    bits_ = handed_ = nullptr;
    managed_count_ = 0;
    total_ = free_ = first_free_ = 0;

    UsableRuns runs(map, floor);
    uint64_t base, end, words = 0;
    while (managed_count_ < MemoryMap::kMaxRegions && runs.next(base, end)) {
        managed_[managed_count_++] = Range{base, end, words * 64};
        words += words_for((end - base) / kPage);
        total_ += end - base;  // disjoint ranges below 2^64: cannot overflow
    }
    if (words > bitmap_size / 16 || (words != 0 && bitmap == nullptr)) {
        managed_count_ = 0;
        total_ = 0;
        return false;
    }
    bits_ = bitmap;
    handed_ = bitmap + words;
    for (uint64_t w = 0; w < 2 * words; ++w) bitmap[w] = 0;
    for (size_t i = 0; i < managed_count_; ++i) {
        const Range& r = managed_[i];
        set_bits(bits_, r.first_bit, bit_of(r, r.end), true);
    }
    free_ = total_;
    return true;
}

uint64_t PageAllocator::alloc(PageSize size) { return alloc_contiguous(size, 1); }

uint64_t PageAllocator::alloc_contiguous(PageSize size, uint64_t count) {
    uint64_t bytes;
    if (!run_bytes(size, count, bytes) || bytes > free_) return 0;
    const uint64_t sz = static_cast<uint64_t>(size);
    const uint64_t pages = bytes / kPage;
    bool lowest_seen = false;
    for (size_t i = 0; i < managed_count_; ++i) {
        const Range& r = managed_[i];
        if (r.end <= first_free_) continue;
        const uint64_t stop = bit_of(r, r.end);
        uint64_t b = bit_of(r, r.base > first_free_ ? r.base : first_free_);
        for (;;) {
            b = next_bit(true, b, stop, false);
            if (b == stop) break;
            if (!lowest_seen) {
                // The search started at first_free_: this is the lowest free page.
                first_free_ = phys_of(r, b);
                lowest_seen = true;
            }
            uint64_t a;
            if (!align_up(phys_of(r, b), sz, a) || a >= r.end || r.end - a < bytes) break;
            const uint64_t first = bit_of(r, a);
            const uint64_t clear = next_bit(false, first, first + pages, false);
            if (clear == first + pages) {
                take(r, a, bytes);
                return a;
            }
            b = clear + 1;
        }
    }
    return 0;
}

bool PageAllocator::free(uint64_t phys, PageSize size, uint64_t count) {
    uint64_t bytes;
    if (!run_bytes(size, count, bytes)) return false;
    if ((phys & (static_cast<uint64_t>(size) - 1)) != 0) return false;  // never returned by alloc*
    if (phys > UINT64_MAX - bytes) return false;
    const uint64_t end = phys + bytes;
    const Range* r = range_of(phys, end);
    if (r == nullptr) return false;  // foreign memory
    const uint64_t first = bit_of(*r, phys), last = bit_of(*r, end);
    if (next_bit(true, first, last, false) != last) return false;  // double free (wholly or in part)
    set_bits(bits_, first, last, true);
    free_ += bytes;
    if (phys < first_free_) first_free_ = phys;
    return true;
}

uint64_t PageAllocator::alloc_untouched(uint64_t bytes) {
    if (bytes == 0 || bytes > kTop) return 0;
    const uint64_t want = ((bytes + (kPage - 1)) & ~(kPage - 1)) / kPage;

    // Highest range first: its runs of free, never handed out pages from
    // the top down; the first long enough gives its top pages.
    for (size_t i = managed_count_; i-- > 0;) {
        const Range& r = managed_[i];
        const uint64_t lo = r.first_bit;
        uint64_t hi = bit_of(r, r.end);
        uint64_t last, clear;
        while (hi > lo && last_bit(true, lo, hi, &last, true)) {
            const uint64_t run_end = last + 1;
            const uint64_t run_start = last_bit(false, lo, run_end, &clear, true) ? clear + 1 : lo;
            if (run_end - run_start >= want) {
                const uint64_t a = phys_of(r, run_end - want);
                take(r, a, want * kPage);
                return a;
            }
            hi = run_start;
        }
    }
    return 0;
}

uint64_t PageAllocator::free_bytes() const { return free_; }

uint64_t PageAllocator::total_bytes() const { return total_; }

const PageAllocator::Range* PageAllocator::range_of(uint64_t base, uint64_t end) const {
    // Adjacent managed ranges were merged at init, so a valid run lies
    // inside a single one.
    for (size_t i = 0; i < managed_count_; ++i) {
        if (managed_[i].base <= base && end <= managed_[i].end) return &managed_[i];
    }
    return nullptr;
}

void PageAllocator::take(const Range& r, uint64_t phys, uint64_t bytes) {
    set_bits(bits_, bit_of(r, phys), bit_of(r, phys + bytes), false);
    set_bits(handed_, bit_of(r, phys), bit_of(r, phys + bytes), true);
    free_ -= bytes;
}

uint64_t PageAllocator::next_bit(bool value, uint64_t lo, uint64_t hi, bool untouched) const {
    while (lo < hi) {
        const uint64_t bits = word(lo / 64, untouched);
        const uint64_t w = (value ? bits : ~bits) >> (lo % 64);
        if (w != 0) {
            const uint64_t b = lo + static_cast<uint64_t>(__builtin_ctzll(w));
            return b < hi ? b : hi;
        }
        lo = (lo / 64 + 1) * 64;
    }
    return hi;
}

bool PageAllocator::last_bit(bool value, uint64_t lo, uint64_t hi, uint64_t* out, bool untouched) const {
    while (hi > lo) {
        const uint64_t top = hi - 1;
        const uint64_t bits = word(top / 64, untouched);
        const uint64_t w = (value ? bits : ~bits) << (63 - top % 64);
        if (w != 0) {
            const uint64_t b = top - static_cast<uint64_t>(__builtin_clzll(w));
            if (b < lo) return false;
            *out = b;
            return true;
        }
        hi = top - top % 64;
    }
    return false;
}

void PageAllocator::set_bits(uint64_t* words, uint64_t lo, uint64_t hi, bool value) {
    while (lo < hi) {
        const uint64_t in_word = lo % 64;
        const uint64_t n = hi - lo < 64 - in_word ? hi - lo : 64 - in_word;
        const uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << in_word;
        if (value) {
            words[lo / 64] |= mask;
        } else {
            words[lo / 64] &= ~mask;
        }
        lo += n;
    }
}

}  // namespace hvb
