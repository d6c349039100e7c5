// tests/unit/page_alloc_test.cpp — tests for the physical page allocator (posih/page_alloc).
#include "posih/page_alloc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <utility>
#include <vector>

namespace {

using hvb::MemoryMap;
using hvb::MemRegion;
using hvb::MemType;
using hvb::PageAllocator;
using hvb::PageSize;

constexpr MemType U = MemType::usable;
constexpr MemType RES = MemType::reserved;
constexpr MemType ACPI = MemType::firmware_reclaimable;
constexpr MemType NVS = MemType::firmware_nvs;
constexpr MemType BAD = MemType::bad;

constexpr uint64_t K4 = 0x1000;
constexpr uint64_t M1 = 0x100000;
constexpr uint64_t M2 = 0x200000;
constexpr uint64_t G1 = 0x40000000;

uint64_t Bytes(PageSize s) { return static_cast<uint64_t>(s); }

// A raw (loader-style) map, its normalized form and an allocator over it;
// the map and allocator are several KiB, so they live on the heap.
struct World {
    std::vector<MemRegion> raw;
    uint64_t floor;
    std::unique_ptr<MemoryMap> map = std::make_unique<MemoryMap>();
    std::unique_ptr<PageAllocator> pa = std::make_unique<PageAllocator>();
    // The allocator's bitmap, exactly as large as it asks for, so that
    // AddressSanitizer catches any access past it.
    std::unique_ptr<uint64_t[]> bits;

    World(std::vector<MemRegion> r, uint64_t f) : raw(std::move(r)), floor(f) {
        hvb::normalize_memory_map(raw.data(), raw.size(), *map);
        reinit();
    }
    void reinit() {
        const uint64_t bytes = PageAllocator::bitmap_bytes(*map, floor);
        bits.reset(new uint64_t[bytes / 8 + (bytes == 0)]);
        EXPECT_TRUE(pa->init(*map, floor, bits.get(), bytes));
    }
};

uint64_t RawEnd(const MemRegion& r) { return r.length > UINT64_MAX - r.base ? UINT64_MAX : r.base + r.length; }

// The ground truth for "may this page be handed out": at or above the floor,
// covered by usable regions of the raw map, touching no other region of it.
bool PageOk(const std::vector<MemRegion>& raw, uint64_t floor, uint64_t a, uint64_t bytes) {
    if (a < floor || bytes == 0 || a > UINT64_MAX - bytes) return false;
    const uint64_t e = a + bytes;
    for (const MemRegion& r : raw) {
        if (r.type != U && r.length > 0 && r.base < e && a < RawEnd(r)) return false;
    }
    uint64_t c = a;
    bool progress = true;
    while (c < e && progress) {
        progress = false;
        for (const MemRegion& r : raw) {
            if (r.type == U && r.base <= c && c < RawEnd(r)) {
                c = RawEnd(r);
                progress = true;
            }
        }
    }
    return c >= e;
}

// Allocates pages of `size` until none is left; checks each against the map.
std::vector<uint64_t> DrainAndCheck(World& s, PageSize size) {
    std::vector<uint64_t> got;
    for (;;) {
        const uint64_t a = s.pa->alloc(size);
        if (a == 0) break;
        EXPECT_EQ(a % Bytes(size), 0u) << std::hex << a;
        EXPECT_TRUE(PageOk(s.raw, s.floor, a, Bytes(size))) << std::hex << "page 0x" << a << " size 0x" << Bytes(size);
        got.push_back(a);
        if (got.size() > 4000000) {
            ADD_FAILURE() << "allocator does not run out";
            break;
        }
    }
    std::vector<uint64_t> sorted = got;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 1; i < sorted.size(); ++i) EXPECT_GE(sorted[i], sorted[i - 1] + Bytes(size)) << "overlap";
    return got;
}

// Number of aligned pages of `size` below `limit` that PageOk accepts.
uint64_t BruteForceCount(const World& s, PageSize size, uint64_t limit) {
    uint64_t n = 0;
    for (uint64_t a = 0; a < limit; a += Bytes(size)) n += PageOk(s.raw, s.floor, a, Bytes(size));
    return n;
}

const std::vector<MemRegion> kSmallMap = {
    {0x0, 0x9FC00, U},          {0x9FC00, 0x400, RES},   {0xE0000, 0x20000, RES},
    {0x100000, 0x700000, U},    // [1M, 8M)
    {0x300800, 0x800, NVS},     // punches one page
    {0x7FF800, 0x1000, ACPI},   // overlaps the end
    {0x1000000, 0x10, U},       // vanishes
    {0x2000100, 0x200000, U},   // unaligned both ends
};

const std::vector<MemRegion> kBigMap = {
    {0x0, 0xA0000, U},
    {0xF0000, 0x10000, RES},
    {0x100000, 0xBFF00000, U},    // [1M, 3G)
    {0x3FF000, 0x2000, RES},      // kills the 2M pages at 2M and 4M
    {0x40001000, 0x1000, BAD},    // kills the 1G page at 1G
    {0xBFF00000, 0x100000, ACPI}, // overlaps the end: kills the 1G page at 2G
    {0x100000800, 0x7FFFF800, U}, // [4G + 2K, 6G): the only whole GiB is [5G, 6G)
    {0x1FFFFF000, 0x2000, NVS},
    {0x200000000, 0x800, U},      // vanishes
};

// ---- init -------------------------------------------------------------------

TEST(PageAllocInit, TotalsUsableAboveFloor) {
    const std::vector<MemRegion> raw = {{0x0, 0x9F000, U},        {0x9F000, 0x61000, RES},
                                        {0x100000, 0x7F00000, U}, {0x7FF0000, 0x10000, ACPI},
                                        {0x100000000, G1, U}};
    {
        World s(raw, M1);
        EXPECT_EQ(s.pa->total_bytes(), (0x7FF0000 - M1) + G1);
        EXPECT_EQ(s.pa->free_bytes(), s.pa->total_bytes());
        EXPECT_EQ(s.pa->alloc(PageSize::k4K), M1);
    }
    {
        // No floor: low memory is managed too, except page 0 (0 means failure).
        World s(raw, 0);
        EXPECT_EQ(s.pa->total_bytes(), 0x9F000 - K4 + (0x7FF0000 - M1) + G1);
        EXPECT_EQ(s.pa->alloc(PageSize::k4K), K4);
    }
    {
        World s(raw, 0x180800);  // unaligned floor cuts the region straddling it
        EXPECT_EQ(s.pa->total_bytes(), (0x7FF0000 - 0x181000) + G1);
        EXPECT_EQ(s.pa->alloc(PageSize::k4K), 0x181000u);
    }
    for (uint64_t f : {uint64_t{0x200000000}, uint64_t{0xFFFFFFFFFFFFF000}, UINT64_MAX}) {
        World s(raw, f);
        EXPECT_EQ(s.pa->total_bytes(), 0u);
        EXPECT_EQ(s.pa->free_bytes(), 0u);
        EXPECT_EQ(s.pa->alloc(PageSize::k4K), 0u);
    }
    {
        // Re-init forgets everything.
        World s(raw, M1);
        ASSERT_NE(s.pa->alloc(PageSize::k2M), 0u);
        s.reinit();
        EXPECT_EQ(s.pa->free_bytes(), s.pa->total_bytes());
        EXPECT_EQ(s.pa->alloc(PageSize::k2M), M2);
    }
}

TEST(PageAllocInit, UninitializedAllocatorIsEmpty) {
    auto pa = std::make_unique<PageAllocator>();
    EXPECT_EQ(pa->alloc(PageSize::k4K), 0u);
    EXPECT_EQ(pa->alloc_untouched(K4), 0u);
    EXPECT_FALSE(pa->free(M1, PageSize::k4K));
    EXPECT_EQ(pa->free_bytes(), 0u);
    EXPECT_EQ(pa->total_bytes(), 0u);
}

// ---- alloc ------------------------------------------------------------------

TEST(PageAllocAlloc, LowestFirstFit) {
    World s({{M1, 0x1000000, U}}, M1);
    EXPECT_EQ(s.pa->alloc(PageSize::k4K), M1);
    EXPECT_EQ(s.pa->alloc(PageSize::k4K), M1 + K4);
    EXPECT_EQ(s.pa->alloc(PageSize::k2M), M2);
    EXPECT_EQ(s.pa->alloc(PageSize::k4K), M1 + 2 * K4);  // the gap below the 2M page first
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 0xFD), M1 + 3 * K4);  // exactly fills the gap
    EXPECT_EQ(s.pa->alloc(PageSize::k4K), 2 * M2);
    EXPECT_EQ(s.pa->alloc(PageSize::k2M), 3 * M2);
}

TEST(PageAllocAlloc, Every4KPageOnceAndOnlyInUsableMemory) {
    World s(kSmallMap, M1);
    const auto got = DrainAndCheck(s, PageSize::k4K);
    EXPECT_EQ(got.size(), BruteForceCount(s, PageSize::k4K, 0x2400000));
    EXPECT_EQ(got.size() * K4, s.pa->total_bytes());
    EXPECT_EQ(s.pa->free_bytes(), 0u);
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 1), 0u);
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end())) << "4 KiB pages come lowest first";
}

TEST(PageAllocAlloc, Every2MPageAlignedAndInsideUsableMemory) {
    World s(kBigMap, M1);
    const auto got = DrainAndCheck(s, PageSize::k2M);
    EXPECT_EQ(got.size(), BruteForceCount(s, PageSize::k2M, 8 * G1));
    EXPECT_EQ(s.pa->free_bytes(), s.pa->total_bytes() - got.size() * M2);
    // 4 KiB pages remain in the leftovers.
    EXPECT_EQ(s.pa->alloc(PageSize::k4K), M1);
}

TEST(PageAllocAlloc, Every1GPageAlignedAndInsideUsableMemory) {
    World s(kBigMap, M1);
    const auto got = DrainAndCheck(s, PageSize::k1G);
    EXPECT_EQ(got, (std::vector<uint64_t>{5 * G1}));
    EXPECT_EQ(BruteForceCount(s, PageSize::k1G, 8 * G1), 1u);
}

TEST(PageAllocAlloc, LargePagesOnlyWhereAWholeAlignedPageFits) {
    {
        World s({{M1, G1 + M1, U}}, M1);  // [1M, 1G + 2M)
        EXPECT_EQ(s.pa->alloc(PageSize::k1G), 0u);
        EXPECT_EQ(DrainAndCheck(s, PageSize::k2M).size(), 512u);  // [2M, 1G + 2M)
        EXPECT_EQ(s.pa->free_bytes(), M1);
    }
    {
        World s({{G1 - K4, G1 + 2 * K4, U}}, M1);  // [1G - 4K, 2G + 4K)
        EXPECT_EQ(s.pa->alloc(PageSize::k1G), G1);
        EXPECT_EQ(s.pa->alloc(PageSize::k1G), 0u);
        EXPECT_EQ(s.pa->alloc(PageSize::k2M), 0u);
        EXPECT_EQ(s.pa->free_bytes(), 2 * K4);
    }
    {
        // Two touching usable entries together hold a whole GiB.
        World s({{G1, G1 / 2, U}, {G1 + G1 / 2, G1 / 2, U}}, M1);
        EXPECT_EQ(s.pa->alloc(PageSize::k1G), G1);
    }
    {
        // A GiB with one firmware page in it is no 1G page; 2M pages around it are.
        World s({{G1, G1, U}, {G1 + 0x12345000, 0x1000, NVS}}, M1);
        EXPECT_EQ(s.pa->alloc(PageSize::k1G), 0u);
        EXPECT_EQ(DrainAndCheck(s, PageSize::k2M).size(), 511u);
    }
    {
        // Nothing big enough at all.
        World s({{M1, M2 - K4, U}, {2 * M2 + K4, M2, U}}, M1);
        EXPECT_EQ(s.pa->alloc(PageSize::k2M), 0u);
        EXPECT_EQ(s.pa->alloc(PageSize::k4K), M1);
    }
}

TEST(PageAllocAlloc, ContiguousRuns) {
    World s({{M1, 4 * M1, U}, {6 * M1, 8 * M1, U}}, M1);  // [1M, 5M), [6M, 14M)
    const uint64_t total = s.pa->total_bytes();
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 16), M1);
    EXPECT_EQ(s.pa->alloc(PageSize::k4K), M1 + 16 * K4);
    // Two aligned 2M pages do not fit in [1M, 5M); they do at 6M.
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k2M, 2), 6 * M1);
    // 4M of 4K pages: only [10M, 14M) is left that large.
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 1024), 10 * M1);
    EXPECT_EQ(s.pa->free_bytes(), total - 17 * K4 - 4 * M1 - 4 * M1);
    // Too large, zero, overflowing counts, bogus sizes: nothing changes.
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 1024), 0u);
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 0), 0u);
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, UINT64_MAX), 0u);
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k1G, (1ull << 34) + 1), 0u);  // bytes wrap to 1G
    EXPECT_EQ(s.pa->alloc(static_cast<PageSize>(0)), 0u);
    EXPECT_EQ(s.pa->alloc(static_cast<PageSize>(0x3000)), 0u);
    EXPECT_EQ(s.pa->alloc_contiguous(static_cast<PageSize>(1ull << 21 | 1), 1), 0u);
    EXPECT_EQ(s.pa->free_bytes(), total - 17 * K4 - 4 * M1 - 4 * M1);
    // Freed runs come back and are reused.
    EXPECT_TRUE(s.pa->free(6 * M1, PageSize::k2M, 2));
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 1024), 6 * M1);
}

// ---- free -------------------------------------------------------------------

TEST(PageAllocFree, FreeInRandomOrderCoalescesBackToWhole) {
    // 1024 pages in two regions: even the worst fragmentation (every other
    // page free) needs only 512 ranges, so no free can fail for lack of room.
    World s({{M2, M2, U}, {16 * M1, M2, U}, {0x900000, K4, RES}}, M1);
    const uint64_t total = s.pa->total_bytes();
    std::mt19937_64 rng(42);
    for (int round = 0; round < 3; ++round) {
        auto pages = DrainAndCheck(s, PageSize::k4K);
        ASSERT_EQ(pages.size() * K4, total);
        std::shuffle(pages.begin(), pages.end(), rng);
        for (uint64_t p : pages) ASSERT_TRUE(s.pa->free(p, PageSize::k4K)) << std::hex << p;
        EXPECT_EQ(s.pa->free_bytes(), total);
        // Fully coalesced: each usable region is one run again.
        EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, M2 / K4), M2);
        EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k2M, 1), 16 * M1);
        EXPECT_EQ(s.pa->free_bytes(), 0u);
        ASSERT_TRUE(s.pa->free(M2, PageSize::k4K, M2 / K4));
        ASSERT_TRUE(s.pa->free(16 * M1, PageSize::k2M));
    }
    // 2M pages given back as 4K pages, in random order, become 2M pages again.
    auto big = DrainAndCheck(s, PageSize::k2M);
    ASSERT_EQ(big, (std::vector<uint64_t>{M2, 16 * M1}));
    std::vector<uint64_t> small;
    for (uint64_t b : big) {
        for (uint64_t o = 0; o < M2; o += K4) small.push_back(b + o);
    }
    std::shuffle(small.begin(), small.end(), rng);
    for (uint64_t p : small) ASSERT_TRUE(s.pa->free(p, PageSize::k4K));
    EXPECT_EQ(DrainAndCheck(s, PageSize::k2M), big);
}

TEST(PageAllocFree, RejectsDoubleAndForeignFrees) {
    World s({{0x0, 0x9F000, U}, {0x9F000, 0x61000, RES}, {M1, 7 * M1, U}, {8 * M1, K4, ACPI},
             {8 * M1 + K4, 8 * M1 - K4, U}},
            M1);
    const uint64_t total = s.pa->total_bytes();
    const uint64_t p = s.pa->alloc(PageSize::k4K);
    ASSERT_EQ(p, M1);
    EXPECT_TRUE(s.pa->free(p, PageSize::k4K));
    EXPECT_FALSE(s.pa->free(p, PageSize::k4K)) << "double free";
    EXPECT_EQ(s.pa->free_bytes(), total);

    // A run of which one page was already given back.
    const uint64_t run = s.pa->alloc_contiguous(PageSize::k4K, 4);
    ASSERT_EQ(run, M1);
    EXPECT_TRUE(s.pa->free(run + 2 * K4, PageSize::k4K));
    EXPECT_FALSE(s.pa->free(run, PageSize::k4K, 4));
    EXPECT_EQ(s.pa->free_bytes(), total - 3 * K4);
    EXPECT_TRUE(s.pa->free(run, PageSize::k4K, 2));
    EXPECT_TRUE(s.pa->free(run + 3 * K4, PageSize::k4K));
    EXPECT_EQ(s.pa->free_bytes(), total);

    // Never free memory: free.
    EXPECT_FALSE(s.pa->free(3 * M1, PageSize::k4K));
    EXPECT_FALSE(s.pa->free(M2, PageSize::k2M));

    const uint64_t q = s.pa->alloc(PageSize::k2M);
    ASSERT_EQ(q, M2);
    const uint64_t before = s.pa->free_bytes();
    EXPECT_FALSE(s.pa->free(0x1000, PageSize::k4K)) << "usable but below the floor";
    EXPECT_FALSE(s.pa->free(0x0, PageSize::k4K)) << "address 0";
    EXPECT_FALSE(s.pa->free(0xA0000, PageSize::k4K)) << "reserved";
    EXPECT_FALSE(s.pa->free(8 * M1, PageSize::k4K)) << "ACPI";
    EXPECT_FALSE(s.pa->free(64 * M1, PageSize::k4K)) << "beyond memory";
    EXPECT_FALSE(s.pa->free(0xFFFFFFFFFFFFF000, PageSize::k4K)) << "top of the address space";
    EXPECT_FALSE(s.pa->free(0xFFFFFFFFC0000000, PageSize::k1G, 2)) << "wraps past 2^64";
    EXPECT_FALSE(s.pa->free(q + 0x800, PageSize::k4K)) << "misaligned";
    EXPECT_FALSE(s.pa->free(q + K4, PageSize::k2M)) << "misaligned for its size";
    EXPECT_FALSE(s.pa->free(0, PageSize::k1G)) << "1G page mostly not managed";
    EXPECT_FALSE(s.pa->free(q, static_cast<PageSize>(0x3000)));
    EXPECT_FALSE(s.pa->free(q, static_cast<PageSize>(0)));
    EXPECT_FALSE(s.pa->free(q, PageSize::k4K, 0));
    EXPECT_FALSE(s.pa->free(q, PageSize::k2M, UINT64_MAX));
    EXPECT_FALSE(s.pa->free(q, PageSize::k4K, 0x10000000000000ull)) << "count * size wraps";
    EXPECT_EQ(s.pa->free_bytes(), before);

    // A run straddling the ACPI page between two managed ranges.
    while (true) {
        uint64_t a = s.pa->alloc(PageSize::k4K);
        ASSERT_NE(a, 0u);
        if (a == 8 * M1 + K4) break;
    }
    EXPECT_FALSE(s.pa->free(8 * M1 - K4, PageSize::k4K, 3));
    EXPECT_TRUE(s.pa->free(8 * M1 - K4, PageSize::k4K, 1));
    EXPECT_TRUE(s.pa->free(8 * M1 + K4, PageSize::k4K, 1));
    EXPECT_TRUE(s.pa->free(q, PageSize::k2M));
}

// ---- alloc_untouched --------------------------------------------------------

TEST(PageAllocUntouched, TakesFromTheTopAndRoundsUp) {
    World s({{M1, 99 * M1, U}, {128 * M1, 64 * M1, U}}, M1);  // [1M, 100M), [128M, 192M)
    const uint64_t total = s.pa->total_bytes();
    EXPECT_EQ(s.pa->alloc(PageSize::k4K), M1);
    EXPECT_EQ(s.pa->alloc_untouched(10000), 192 * M1 - 3 * K4);
    EXPECT_EQ(s.pa->alloc_untouched(1), 192 * M1 - 4 * K4);
    EXPECT_EQ(s.pa->alloc_untouched(0), 0u);
    EXPECT_EQ(s.pa->alloc_untouched(UINT64_MAX), 0u);
    EXPECT_EQ(s.pa->alloc_untouched(0xFFFFFFFFFFFFF001), 0u);
    EXPECT_EQ(s.pa->alloc_untouched(128 * M1), 0u) << "no range is that large";
    EXPECT_EQ(s.pa->free_bytes(), total - 5 * K4);
    // Larger than what is left of the highest range: the next one down.
    const uint64_t big = 64 * M1 - 3 * K4;
    EXPECT_EQ(s.pa->alloc_untouched(big), 100 * M1 - big);
    // Smaller requests still fit in what is left of the highest range.
    EXPECT_EQ(s.pa->alloc_untouched(K4), 192 * M1 - 5 * K4);
    EXPECT_EQ(s.pa->free_bytes(), total - 6 * K4 - big);
    // None of it is ever handed out by alloc.
    const auto rest = DrainAndCheck(s, PageSize::k4K);
    for (uint64_t a : rest) {
        EXPECT_TRUE(a < 100 * M1 - big || (a >= 100 * M1 && a < 192 * M1 - 5 * K4)) << std::hex << a;
    }
    EXPECT_EQ(rest.size() * K4, total - 6 * K4 - big);
}

TEST(PageAllocUntouched, NeverOverlapsWhatAllocReturnedBeforeOrAfter) {
    World s({{M1, 8 * M1, U}}, M1);  // [1M, 9M)
    // Touch the lower half, give it all back.
    ASSERT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 1024), M1);
    ASSERT_TRUE(s.pa->free(M1, PageSize::k4K, 1024));
    ASSERT_EQ(s.pa->free_bytes(), 8 * M1);
    // Only [5M, 9M) has never been handed out.
    EXPECT_EQ(s.pa->alloc_untouched(4 * M1 + K4), 0u);
    const uint64_t u = s.pa->alloc_untouched(2 * M1);
    EXPECT_EQ(u, 7 * M1);
    const uint64_t v = s.pa->alloc_untouched(2 * M1);
    EXPECT_EQ(v, 5 * M1);
    EXPECT_EQ(s.pa->alloc_untouched(K4), 0u) << "all the rest has been touched";
    EXPECT_EQ(s.pa->free_bytes(), 4 * M1);
    // alloc after: never inside the untouched memory.
    for (;;) {
        const uint64_t a = s.pa->alloc(PageSize::k4K);
        if (a == 0) break;
        EXPECT_LT(a, 5 * M1) << std::hex << a;
    }
    EXPECT_EQ(s.pa->free_bytes(), 0u);
}

TEST(PageAllocUntouched, LargePageAllocationsAreTouched) {
    World s({{M1, 8 * M1, U}}, M1);  // [1M, 9M)
    EXPECT_EQ(s.pa->alloc(PageSize::k2M), M2);
    EXPECT_EQ(s.pa->alloc_untouched(K4), 9 * M1 - K4);
    // Everything in [4M, 9M - 4K) is untouched, and so is [1M, 2M) below
    // the 2M page: nobody had it.
    EXPECT_EQ(s.pa->alloc_untouched(5 * M1 - K4), 4 * M1);
    EXPECT_EQ(s.pa->alloc_untouched(2 * M1), 0u);
    EXPECT_EQ(s.pa->alloc_untouched(M1), M1);
    EXPECT_EQ(s.pa->free_bytes(), 0u);
}

TEST(PageAllocUntouched, FreedUntouchedMemoryIsNotReissued) {
    World s({{M1, 8 * M1, U}}, M1);
    const uint64_t u = s.pa->alloc_untouched(8 * K4);
    ASSERT_EQ(u, 9 * M1 - 8 * K4);
    const uint64_t v = s.pa->alloc_untouched(K4);
    ASSERT_EQ(v, u - K4);
    EXPECT_TRUE(s.pa->free(u, PageSize::k4K, 8));
    // It was handed out once: untouched memory now comes from below v.
    EXPECT_EQ(s.pa->alloc_untouched(8 * K4), v - 8 * K4);
    EXPECT_EQ(s.pa->alloc_untouched(M1), v - 8 * K4 - M1);
    // alloc may have it: everything but v and the two untouched runs.
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 2048 - 9 - 8 - 256), M1);
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 8), u);
    EXPECT_EQ(s.pa->free_bytes(), 0u);
    EXPECT_EQ(s.pa->alloc_untouched(K4), 0u);
}

// A cold-memory pool given back (mem_cold's cleanup) is ordinary memory for
// everyone else, while untouched memory still comes from what nobody had:
// with 16 MiB of RAM, mem_cold's 11 MiB pool used to stay allocated and
// leave mem_hot no 4 MiB run.
TEST(PageAllocUntouched, ColdPoolGivenBackServesLaterRuns) {
    World s({{M1, 15 * M1, U}}, M1);  // [1M, 16M)
    const uint64_t pool = s.pa->alloc_untouched(11 * M1);
    ASSERT_EQ(pool, 5 * M1);
    ASSERT_TRUE(s.pa->free(pool, PageSize::k4K, 11 * M1 / K4));
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k2M, 2), M2);        // mem_hot_2m's 4 MiB
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 1024), 6 * M1);  // mem_hot's (above its 2M pages)
    // What nobody had: [1M, 2M) only.
    EXPECT_EQ(s.pa->alloc_untouched(M1 + K4), 0u);
    EXPECT_EQ(s.pa->alloc_untouched(M1), M1);
}

// ---- the bitmap -------------------------------------------------------------

// B: 4096 pages at 16M. Freeing every other page leaves 2048 separate free
// runs (a range list of 512 entries used to refuse frees past ~510 of them
// and leak the pages).
constexpr uint64_t kB = 16 * M1;
const std::vector<MemRegion> kScatterMap = {{kB, 4096 * K4, U}, {64 * M1 - 2 * K4, M2 + 4 * K4, U}};

TEST(PageAllocBitmap, ScatteredFreesNeverFail) {
    World s(kScatterMap, M1);
    for (int i = 0; i < 4096; ++i) ASSERT_EQ(s.pa->alloc(PageSize::k4K), kB + i * K4);
    for (int i = 0; i < 4096; i += 2) ASSERT_TRUE(s.pa->free(kB + i * K4, PageSize::k4K)) << i;
    EXPECT_EQ(s.pa->free_bytes(), s.pa->total_bytes() - 2048 * K4);
    // No two free pages of B touch: a two-page run must come from above B.
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 2), 64 * M1 - 2 * K4);
    EXPECT_EQ(s.pa->alloc(PageSize::k4K), kB);  // the lowest isolated page
    for (int i = 1; i < 4096; i += 2) ASSERT_TRUE(s.pa->free(kB + i * K4, PageSize::k4K)) << i;
    EXPECT_FALSE(s.pa->free(kB + 3 * K4, PageSize::k4K));  // double free still refused
    ASSERT_TRUE(s.pa->free(kB, PageSize::k4K));
    ASSERT_TRUE(s.pa->free(64 * M1 - 2 * K4, PageSize::k4K, 2));
    // All of B is one run again.
    EXPECT_EQ(s.pa->free_bytes(), s.pa->total_bytes());
    EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 4096), kB);
    EXPECT_EQ(s.pa->alloc(PageSize::k2M), 64 * M1);  // A's only whole 2M page
}

TEST(PageAllocBitmap, SizeAndTooSmallBitmap) {
    auto map = std::make_unique<MemoryMap>();
    hvb::normalize_memory_map(kScatterMap.data(), kScatterMap.size(), *map);
    // Two bits per page, each run rounded up to whole 64-bit words.
    EXPECT_EQ(PageAllocator::bitmap_bytes(*map, M1), 2 * (4096u / 8 + (516u + 63) / 64 * 8));
    EXPECT_EQ(PageAllocator::bitmap_bytes(*map, 256 * M1), 0u);
    std::vector<uint64_t> bits(PageAllocator::bitmap_bytes(*map, M1) / 8);
    auto pa = std::make_unique<PageAllocator>();
    EXPECT_FALSE(pa->init(*map, M1, bits.data(), bits.size() * 8 - 8));
    EXPECT_EQ(pa->total_bytes(), 0u);
    EXPECT_EQ(pa->alloc(PageSize::k4K), 0u);
    EXPECT_FALSE(pa->init(*map, M1, nullptr, 4096));
    EXPECT_TRUE(pa->init(*map, M1, bits.data(), bits.size() * 8));
    EXPECT_EQ(pa->total_bytes(), (4096 + 516) * K4);
}

TEST(PageAllocBitmap, ReserveBitmapTakesLowestRoomBelowLimit) {
    const std::vector<MemRegion> raw = {{0x0, 0x9F000, U}, {M1, 3 * K4, U}, {8 * M1, 56 * M1, U},
                                        {0x100000000, 4 * G1, U}};
    auto map = std::make_unique<MemoryMap>();
    hvb::normalize_memory_map(raw.data(), raw.size(), *map);
    const uint64_t need = PageAllocator::bitmap_bytes(*map, M1);
    ASSERT_GT(need, 3 * K4);  // 4 GiB and more: does not fit the 12 KiB at 1M
    uint64_t bytes = 0;
    const uint64_t at = PageAllocator::reserve_bitmap(*map, M1, 1ull << 32, &bytes);
    EXPECT_EQ(at, 8 * M1);
    EXPECT_EQ(bytes, (need + K4 - 1) / K4 * K4);
    EXPECT_LE(PageAllocator::bitmap_bytes(*map, M1), bytes);
    std::vector<uint64_t> bits(bytes / 8);
    auto pa = std::make_unique<PageAllocator>();
    ASSERT_TRUE(pa->init(*map, M1, bits.data(), bytes));
    // The allocator never hands out its own bitmap.
    EXPECT_EQ(pa->alloc_contiguous(PageSize::k4K, 3), M1);
    EXPECT_EQ(pa->alloc(PageSize::k4K), 8 * M1 + bytes);
    // No room below the limit, or nothing to manage: 0.
    auto small = std::make_unique<MemoryMap>();
    hvb::normalize_memory_map(raw.data(), raw.size(), *small);
    EXPECT_EQ(PageAllocator::reserve_bitmap(*small, M1, 2 * M1, &bytes), 0u);
    EXPECT_EQ(bytes, 0u);
    EXPECT_EQ(PageAllocator::reserve_bitmap(*small, 64 * G1, 1ull << 32, &bytes), 0u);
}

// ---- randomized model check --------------------------------------------------

// A page-by-page reference: which pages are managed, free, ever handed out,
// and the obvious-but-slow version of every allocator rule.
class BitmapModel {
public:
    BitmapModel(const std::vector<MemRegion>& raw, uint64_t floor, uint64_t limit)
        : limit_(limit), managed_(limit / K4), free_(limit / K4), handed_(limit / K4) {
        for (uint64_t p = 0; p < limit / K4; ++p) managed_[p] = free_[p] = PageOk(raw, floor, p * K4, K4);
    }

    uint64_t free_bytes() const { return std::count(free_.begin(), free_.end(), true) * K4; }

    bool all(uint64_t a, uint64_t bytes, bool want_free) const {
        if (a % K4 || bytes == 0 || a + bytes > limit_ || a + bytes < a) return false;
        for (uint64_t p = a / K4; p < (a + bytes) / K4; ++p) {
            if (!managed_[p] || free_[p] != want_free) return false;
        }
        return true;
    }

    uint64_t predict_alloc(uint64_t size, uint64_t count) const {
        for (uint64_t a = 0; a + size * count <= limit_; a += size) {
            if (all(a, size * count, true)) return a;
        }
        return 0;
    }

    uint64_t predict_untouched(uint64_t bytes) const {
        const uint64_t want = (bytes + K4 - 1) / K4;
        const uint64_t top = limit_ / K4;
        uint64_t run_end = 0, run = 0;
        for (uint64_t p = top; p-- > 0;) {
            if (free_[p] && !handed_[p]) {
                if (run == 0) run_end = p + 1;
                if (++run >= want) return (run_end - want) * K4;
            } else {
                run = 0;
            }
        }
        return 0;
    }

    // The untouched rule: a page counts as untouched until anything
    // (alloc* or alloc_untouched) hands it out.
    void take(uint64_t a, uint64_t bytes, bool) {
        for (uint64_t p = a / K4; p < (a + bytes) / K4; ++p) {
            free_[p] = false;
            handed_[p] = true;
        }
    }
    void give_back(uint64_t a, uint64_t bytes) {
        for (uint64_t p = a / K4; p < (a + bytes) / K4; ++p) free_[p] = true;
    }
    bool ever_handed(uint64_t a, uint64_t bytes) const {
        for (uint64_t p = a / K4; p < (a + bytes) / K4; ++p) {
            if (handed_[p]) return true;
        }
        return false;
    }

private:
    uint64_t limit_;
    std::vector<bool> managed_, free_, handed_;
};

TEST(PageAllocModel, RandomOperationsMatchBitmapReference) {
    // Every answer is predictable; one whole 2M page at [2M, 4M).
    const std::vector<MemRegion> raw = {
        {0x0, 0xA0000, U},       {0x80000, 0x380000, U},   // [0, 4M), straddles the floor
        {0x400000, 0x2000, RES}, {0x402000, 0x3E000, U},   // [4M + 8K, 4M + 256K)
        {0x500800, 0x7F800, U},  {0x5FF000, 0x1000, BAD},  // [5M + 4K, 5.5M) after trimming
    };
    constexpr uint64_t kLimit = 0x600000;
    std::mt19937_64 rng(0x5EED);
    struct Live {
        uint64_t a, size, count;
    };
    int ops = 0, allocs_ok = 0, frees_ok = 0, untouched_ok = 0, rejected = 0;
    for (int episode = 0; episode < 16; ++episode) {
        World s(raw, M1);
        BitmapModel m(raw, M1, kLimit);
        ASSERT_EQ(s.pa->total_bytes(), m.free_bytes());
        ASSERT_EQ(s.pa->total_bytes(), 957 * K4);
        std::vector<Live> live;
        for (int step = 0; step < 300; ++step, ++ops) {
            SCOPED_TRACE(::testing::Message() << "episode " << episode << " step " << step);
            const unsigned r = rng() % 100;
            if (r < 60) {
                PageSize size = PageSize::k4K;
                uint64_t count = 1;
                if (r < 8) size = PageSize::k2M;
                else if (r < 9) size = PageSize::k1G;
                else if (r < 11) size = PageSize::k2M, count = 1 + rng() % 2;
                else if (r < 25) count = 1 + rng() % 32;
                const uint64_t want = m.predict_alloc(Bytes(size), count);
                const uint64_t got = count == 1 && rng() % 2 ? s.pa->alloc(size) : s.pa->alloc_contiguous(size, count);
                ASSERT_EQ(got, want) << "alloc size 0x" << std::hex << Bytes(size) << " count " << count;
                if (got) {
                    m.take(got, Bytes(size) * count, false);
                    live.push_back({got, Bytes(size), count});
                    ++allocs_ok;
                }
            } else if (r < 66) {
                const uint64_t bytes = 1 + rng() % (r < 63 ? 0x10000 : 0x200000);
                const uint64_t want = m.predict_untouched(bytes);
                const uint64_t got = s.pa->alloc_untouched(bytes);
                ASSERT_EQ(got, want) << "untouched 0x" << std::hex << bytes;
                if (got) {
                    const uint64_t len = (bytes + K4 - 1) / K4 * K4;
                    ASSERT_FALSE(m.ever_handed(got, len));
                    m.take(got, len, true);
                    live.push_back({got, K4, len / K4});
                    ++untouched_ok;
                }
            } else if (r < 93) {
                if (live.empty()) continue;
                const size_t i = rng() % live.size();
                const Live l = live[i];
                live.erase(live.begin() + static_cast<long>(i));
                if (rng() % 4 == 0) {
                    // Piecewise, as 4 KiB pages in random order.
                    std::vector<uint64_t> pages;
                    for (uint64_t o = 0; o < l.size * l.count; o += K4) pages.push_back(l.a + o);
                    std::shuffle(pages.begin(), pages.end(), rng);
                    for (uint64_t p : pages) {
                        ASSERT_TRUE(s.pa->free(p, PageSize::k4K)) << std::hex << p;
                        m.give_back(p, K4);
                    }
                } else {
                    ASSERT_TRUE(s.pa->free(l.a, static_cast<PageSize>(l.size), l.count));
                    m.give_back(l.a, l.size * l.count);
                    if (rng() % 3 == 0) {
                        EXPECT_FALSE(s.pa->free(l.a, static_cast<PageSize>(l.size), l.count)) << "double free";
                        ++rejected;
                    }
                }
                ++frees_ok;
            } else {
                // A made-up free: must be refused unless every page of it is
                // managed and allocated (then skip it, it belongs to `live`).
                const PageSize size = rng() % 4 ? PageSize::k4K : PageSize::k2M;
                const uint64_t count = 1 + rng() % 3;
                const uint64_t a = (rng() % (kLimit + M1)) / K4 * K4;
                const bool aligned = a % Bytes(size) == 0;
                if (aligned && m.all(a, Bytes(size) * count, false)) continue;
                EXPECT_FALSE(s.pa->free(a, size, count)) << std::hex << a;
                ++rejected;
            }
            ASSERT_EQ(s.pa->free_bytes(), m.free_bytes());
        }
        // Give everything back: all memory is one piece per region again.
        for (const Live& l : live) ASSERT_TRUE(s.pa->free(l.a, static_cast<PageSize>(l.size), l.count));
        EXPECT_EQ(s.pa->free_bytes(), s.pa->total_bytes());
        EXPECT_EQ(s.pa->alloc_contiguous(PageSize::k4K, 768), M1);
    }
    // The mix really exercised every path.
    EXPECT_GT(allocs_ok, 1000);
    EXPECT_GT(frees_ok, 800);
    EXPECT_GT(untouched_ok, 25);
    EXPECT_GT(rejected, 200);
    EXPECT_GE(ops, 4000);
}

}  // namespace
