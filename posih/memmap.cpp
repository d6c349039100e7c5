// posih/memmap.cpp — normalizes the loader's memory map and punches reserved ranges into it.
#include "posih/memmap.h"

namespace hvb {

namespace {

// Every region is clipped to end at or below this address (2^64 - 1 page).
// Keeping one page of headroom makes every end representable as a uint64_t
// and lets page rounding of any base or end proceed without overflow.
constexpr uint64_t kAddrLimit = 0ull - kPageSize;

uint64_t page_down(uint64_t v) { return v & ~(kPageSize - 1); }

// Only called on values <= kAddrLimit, so the addition cannot wrap.
uint64_t page_up(uint64_t v) { return page_down(v + (kPageSize - 1)); }

// Overlap precedence, higher wins. Unknown type values (the loader's or a
// caller's) are treated as reserved: memory of unknown purpose is never RAM.
int rank(MemType t) {
    switch (t) {
        case MemType::usable: return 0;
        case MemType::firmware_reclaimable: return 1;
        case MemType::firmware_nvs: return 2;
        case MemType::reserved: return 3;
        case MemType::bad: return 4;
    }
    return 3;
}

MemType type_of_rank(int r) {
    switch (r) {
        case 0: return MemType::usable;
        case 1: return MemType::firmware_reclaimable;
        case 2: return MemType::firmware_nvs;
        case 4: return MemType::bad;
        default: return MemType::reserved;
    }
}

MemType canonical(MemType t) { return type_of_rank(rank(t)); }

// [b, e) of a region after clipping to kAddrLimit; false when nothing is left.
bool clip(uint64_t base, uint64_t length, uint64_t& b, uint64_t& e) {
    if (length == 0 || base >= kAddrLimit) return false;
    b = base;
    e = length > kAddrLimit - base ? kAddrLimit : base + length;
    return true;
}

// End of a region already in a map; saturates instead of wrapping in case the
// caller hands in a map that did not come from normalize_memory_map.
uint64_t end_of(const MemRegion& r) {
    return r.length > UINT64_MAX - r.base ? UINT64_MAX : r.base + r.length;
}

// Usable RAM is only ever handed out in whole pages, so a usable piece is cut
// to page boundaries; false when no whole page remains.
bool trim(MemType t, uint64_t& b, uint64_t& e) {
    if (t != MemType::usable) return b < e;
    const uint64_t nb = page_up(b);
    const uint64_t ne = page_down(e);
    if (ne <= nb) return false;
    b = nb;
    e = ne;
    return true;
}

MemRegion make(uint64_t b, uint64_t e, MemType t) { return MemRegion{b, e - b, t}; }

// Collects the swept pieces in address order. The last piece is held back
// (pending) so that following pieces of the same type that touch it merge
// into it, and it is page-trimmed only once complete: trimming per piece
// would lose the partial pages at the seams of usable pieces that merge.
struct Emitter {
    MemoryMap* out;
    bool has_pending;
    bool stopped;  // the output is full: truncated, stop sweeping
    uint64_t pb, pe;
    MemType pt;

    void flush() {
        if (!has_pending) return;
        has_pending = false;
        if (!trim(pt, pb, pe)) return;
        if (out->count == MemoryMap::kMaxRegions) {
            out->truncated = true;
            stopped = true;
            return;
        }
        out->regions[out->count++] = make(pb, pe, pt);
    }

    void add(uint64_t b, uint64_t e, MemType t) {
        if (has_pending && pe == b && pt == t) {
            pe = e;
            return;
        }
        flush();
        has_pending = true;
        pb = b;
        pe = e;
        pt = t;
    }
};

// Copies n regions from src to dst inside one array; safe for overlapping
// ranges in either direction.
void move_regions(MemRegion* a, size_t dst, size_t src, size_t n) {
    if (dst < src) {
        for (size_t i = 0; i < n; ++i) a[dst + i] = a[src + i];
    } else if (dst > src) {
        for (size_t i = n; i-- > 0;) a[dst + i] = a[src + i];
    }
}

}  // namespace

uint64_t MemoryMap::usable_bytes() const {
    // Regions are disjoint and below 2^64, so the sum cannot overflow.
    uint64_t sum = 0;
    const size_t n = count < kMaxRegions ? count : kMaxRegions;
    for (size_t i = 0; i < n; ++i) {
        if (regions[i].type == MemType::usable) sum += regions[i].length;
    }
    return sum;
}

// A boundary sweep: the start and end of every input region are the only
// places the winning type can change, so the address space is walked from one
// boundary to the next (each step scans all inputs for the next boundary and
// for the regions covering the current piece). That is O(n^2) with no
// scratch storage, which is what lets it run before any allocator exists.
void normalize_memory_map(const MemRegion* in, size_t n, MemoryMap& out) {
    out.count = 0;
    out.truncated = false;
    if (in == nullptr) return;

    bool any = false;
    uint64_t cur = 0;
    for (size_t i = 0; i < n; ++i) {
        uint64_t b, e;
        if (clip(in[i].base, in[i].length, b, e) && (!any || b < cur)) {
            cur = b;
            any = true;
        }
    }
    if (!any) return;

    Emitter em{&out, false, false, 0, 0, MemType::reserved};
    while (!em.stopped) {
        bool has_next = false;
        uint64_t next = 0;
        int best = -1;
        for (size_t i = 0; i < n; ++i) {
            uint64_t b, e;
            if (!clip(in[i].base, in[i].length, b, e)) continue;
            if (b > cur && (!has_next || b < next)) {
                next = b;
                has_next = true;
            }
            if (e > cur && (!has_next || e < next)) {
                next = e;
                has_next = true;
            }
            // No boundary lies strictly inside [cur, next), so covering cur
            // means covering the whole piece.
            if (b <= cur && cur < e && rank(in[i].type) > best) best = rank(in[i].type);
        }
        if (!has_next) break;
        if (best >= 0) em.add(cur, next, type_of_rank(best));
        cur = next;
    }
    em.flush();
}

namespace {

// What stays outside the range [ob, oe) of a region straddling one of its
// edges: a usable region keeps that part (trimmed to its type's alignment);
// a reserved one instead widens the reserved stretch, whose edge `stretch`
// moves to `far`, the region's far end; a bad one stays whole inside the
// window.
struct Outside {
    bool has = false;
    uint64_t b = 0, e = 0;
    MemType t = MemType::reserved;
};
Outside outside_part(const MemRegion& reg, uint64_t ob, uint64_t oe, uint64_t& stretch, uint64_t far) {
    Outside o;
    o.t = canonical(reg.type);
    if (o.t == MemType::reserved) {
        stretch = far;
    } else if (o.t != MemType::bad) {
        o.b = ob;
        o.e = oe;
        o.has = trim(o.t, o.b, o.e);
    }
    return o;
}

}  // namespace

// Works in place on a normalized map (sorted, disjoint, merged). Only the
// window of regions intersecting [b, e) changes; its replacement is
//   [L] piece0 bad0 piece1 bad1 ... bad(q-1) piece(q) [R]
// where L/R are the parts of straddling regions outside the range, bad
// regions survive untouched (bad outranks reserved) and the pieces are the
// reserved remainder between them (empty ones omitted). Reserved regions that
// straddle or touch the range are folded into the adjacent piece. The result
// is what normalize_memory_map would give for the map plus the range, without
// needing a second map-sized buffer.
//
// The output can be longer than the window, so the bad regions are first
// packed to the front of the window and the output is then written right to
// left: each item's output slot is at or after the slot its source occupies,
// so no unread bad region is overwritten.
void reserve_range(MemoryMap& map, uint64_t base, uint64_t length) {
    uint64_t b, e;
    if (!clip(base, length, b, e)) return;

    constexpr size_t kMax = MemoryMap::kMaxRegions;
    MemRegion* r = map.regions;
    const size_t n = map.count < kMax ? map.count : kMax;

    // Window [i0, i1): the regions intersecting [b, e).
    size_t i0 = 0;
    while (i0 < n && end_of(r[i0]) <= b) ++i0;
    size_t i1 = i0;
    while (i1 < n && r[i1].base < e) ++i1;

    // Straddlers. lo/hi bound the reserved stretch before it is cut by bad
    // regions; a reserved straddler just widens it.
    uint64_t lo = b, hi = e;
    Outside left, right;
    if (i0 < i1 && r[i0].base < b) left = outside_part(r[i0], r[i0].base, b, lo, r[i0].base);
    if (i0 < i1 && end_of(r[i1 - 1]) > e) right = outside_part(r[i1 - 1], e, end_of(r[i1 - 1]), hi, end_of(r[i1 - 1]));

    // Pack the window's bad regions to its front; everything else in the
    // window is about to become reserved.
    size_t q = 0;
    for (size_t j = i0; j < i1; ++j) {
        if (canonical(r[j].type) == MemType::bad) r[i0 + q++] = r[j];
    }

    // A reserved neighbor touching the outermost piece merges with it.
    size_t pre_end = i0;   // regions [0, pre_end) stay where they are
    size_t suf_start = i1; // regions [suf_start, n) move behind the window
    const bool first_piece = q > 0 ? lo < r[i0].base : lo < hi;
    const bool last_piece = q > 0 ? end_of(r[i0 + q - 1]) < hi : lo < hi;
    if (first_piece && i0 > 0 && canonical(r[i0 - 1].type) == MemType::reserved &&
        end_of(r[i0 - 1]) == lo) {
        lo = r[i0 - 1].base;
        pre_end = i0 - 1;
    }
    if (last_piece && i1 < n && canonical(r[i1].type) == MemType::reserved && r[i1].base == hi) {
        hi = end_of(r[i1]);
        suf_start = i1 + 1;
    }

    size_t pieces = 0;
    uint64_t c = lo;
    for (size_t j = 0; j < q; ++j) {
        if (c < r[i0 + j].base) ++pieces;
        c = end_of(r[i0 + j]);
    }
    if (c < hi) ++pieces;
    const size_t out_len = (left.has ? 1 : 0) + q + pieces + (right.has ? 1 : 0);

    // Whatever does not fit is dropped from the top, like normalize does.
    const size_t room = kMax - pre_end;
    const size_t win_keep = out_len < room ? out_len : room;
    const size_t suf_len = n - suf_start;
    const size_t suf_keep = suf_len < room - win_keep ? suf_len : room - win_keep;
    if (win_keep < out_len || suf_keep < suf_len) map.truncated = true;

    // The suffix lands at or after i0 + q (out_len >= q, and >= q + 1 when a
    // left merge moved pre_end down), so the packed bad regions survive.
    if (suf_keep > 0) move_regions(r, pre_end + out_len, suf_start, suf_keep);

    size_t k = out_len;
    auto put = [&](uint64_t pb, uint64_t pe, MemType t) {
        --k;
        if (pre_end + k < kMax) r[pre_end + k] = make(pb, pe, t);
    };
    if (right.has) put(right.b, right.e, right.t);
    uint64_t piece_end = hi;
    for (size_t j = q; j-- > 0;) {
        const MemRegion bad = r[i0 + j];  // read before its slot can be reused
        const uint64_t bad_end = end_of(bad);
        if (bad_end < piece_end) put(bad_end, piece_end, MemType::reserved);
        put(bad.base, bad_end, MemType::bad);
        piece_end = bad.base;
    }
    if (lo < piece_end) put(lo, piece_end, MemType::reserved);
    if (left.has) put(left.b, left.e, left.t);

    map.count = pre_end + win_keep + suf_keep;
}

}  // namespace hvb
