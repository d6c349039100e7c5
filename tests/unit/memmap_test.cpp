// tests/unit/memmap_test.cpp — tests for memory map normalization and reserve_range (posih/memmap).
#include "posih/memmap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <random>
#include <vector>

namespace {

using hvb::kPageSize;
using hvb::MemoryMap;
using hvb::MemRegion;
using hvb::MemType;

constexpr MemType U = MemType::usable;
constexpr MemType RES = MemType::reserved;
constexpr MemType ACPI = MemType::firmware_reclaimable;
constexpr MemType NVS = MemType::firmware_nvs;
constexpr MemType BAD = MemType::bad;
constexpr MemType kAllTypes[] = {U, RES, ACPI, NVS, BAD};

// The address clipping limit documented in memmap.h: 2^64 - one page.
constexpr uint64_t kLimit = 0ull - kPageSize;

// Precedence from memmap.h, spelled out independently of the implementation:
// bad > reserved > acpi_nvs > acpi_reclaimable > usable; unknown = reserved.
int Prec(MemType t) {
    switch (t) {
        case MemType::usable: return 0;
        case MemType::firmware_reclaimable: return 1;
        case MemType::firmware_nvs: return 2;
        case MemType::bad: return 4;
        default: return 3;
    }
}
MemType FromPrec(int p) {
    static const MemType kOrder[] = {U, ACPI, NVS, RES, BAD};
    return kOrder[p];
}

// Comparable, printable copy of a region.
struct R {
    uint64_t base, length;
    int type;
    bool operator==(const R&) const = default;
};
std::ostream& operator<<(std::ostream& os, const R& r) {
    return os << "{0x" << std::hex << r.base << ", 0x" << r.length << std::dec << ", " << r.type << "}";
}
R Rg(uint64_t base, uint64_t length, MemType t) { return R{base, length, static_cast<int>(t)}; }

std::vector<R> Regions(const MemoryMap& m) {
    std::vector<R> v;
    for (size_t i = 0; i < m.count; ++i) v.push_back(Rg(m.regions[i].base, m.regions[i].length, m.regions[i].type));
    return v;
}

std::unique_ptr<MemoryMap> Normalize(const std::vector<MemRegion>& in) {
    auto m = std::make_unique<MemoryMap>();
    hvb::normalize_memory_map(in.data(), in.size(), *m);
    return m;
}

// Checks the invariants every normalized map must satisfy.
void ExpectNormalized(const MemoryMap& m) {
    ASSERT_LE(m.count, MemoryMap::kMaxRegions);
    for (size_t i = 0; i < m.count; ++i) {
        const MemRegion& r = m.regions[i];
        SCOPED_TRACE(::testing::Message() << "region " << i << " " << Rg(r.base, r.length, r.type));
        EXPECT_GT(r.length, 0u);
        EXPECT_LE(r.base, kLimit);
        EXPECT_LE(r.length, kLimit - r.base);
        EXPECT_TRUE(r.type == U || r.type == RES || r.type == ACPI || r.type == NVS || r.type == BAD);
        if (r.type == U) {
            EXPECT_EQ(r.base % kPageSize, 0u);
            EXPECT_EQ(r.length % kPageSize, 0u);
        }
        if (i > 0) {
            const MemRegion& p = m.regions[i - 1];
            EXPECT_LE(p.base + p.length, r.base) << "unsorted or overlapping";
            if (p.base + p.length == r.base) {
                EXPECT_NE(p.type, r.type) << "adjacent same-type regions not merged";
            }
        }
    }
}

// Appends a region run [b, e) of type t to v, merging with the last one.
void Append(std::vector<R>& v, uint64_t b, uint64_t e, MemType t) {
    if (b >= e) return;
    if (!v.empty() && v.back().base + v.back().length == b && v.back().type == static_cast<int>(t)) {
        v.back().length += e - b;
        return;
    }
    v.push_back(Rg(b, e - b, t));
}

// Reference normalizer over a grid of `cell`-byte cells starting at `origin`
// (cells must divide the page size; regions are given in cells). Cells at or
// above kLimit are cut off as memmap.h specifies; cells past 2^64 do not exist.
std::vector<R> ReferenceNormalize(const std::vector<MemRegion>& in, uint64_t origin, uint64_t cell, size_t ncells) {
    std::vector<int> best(ncells, -1);
    for (const MemRegion& r : in) {
        for (size_t c = 0; c < ncells; ++c) {
            if (c * cell > UINT64_MAX - origin) break;
            const uint64_t a = origin + c * cell;
            // a in [base, base+length) computed without overflow.
            if (a >= r.base && a - r.base < r.length && a < kLimit) best[c] = std::max(best[c], Prec(r.type));
        }
    }
    std::vector<R> runs;
    for (size_t c = 0; c < ncells; ++c) {
        if (best[c] >= 0) Append(runs, origin + c * cell, origin + (c + 1) * cell, FromPrec(best[c]));
    }
    std::vector<R> out;
    for (R r : runs) {
        if (r.type == static_cast<int>(U)) {
            uint64_t b = (r.base + kPageSize - 1) / kPageSize * kPageSize;
            uint64_t e = (r.base + r.length) / kPageSize * kPageSize;
            if (e <= b) continue;
            r.base = b;
            r.length = e - b;
        }
        out.push_back(r);
    }
    return out;
}

// ---- normalize_memory_map ---------------------------------------------------

TEST(MemoryMapNormalize, EmptyInput) {
    auto m = std::make_unique<MemoryMap>();
    m->count = 77;  // garbage from a previous use must be reset
    m->truncated = true;
    hvb::normalize_memory_map(nullptr, 0, *m);
    EXPECT_EQ(m->count, 0u);
    EXPECT_FALSE(m->truncated);
    EXPECT_EQ(m->usable_bytes(), 0u);

    MemRegion one{0x1000, 0x1000, U};
    hvb::normalize_memory_map(&one, 0, *m);
    EXPECT_EQ(m->count, 0u);
}

TEST(MemoryMapNormalize, ZeroLengthRegionsIgnored) {
    auto m = Normalize({{0x0, 0, BAD}, {0x100000, 0x100000, U}, {0x180000, 0, BAD}, {0x500000, 0, RES}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x100000, U)}));
    EXPECT_FALSE(m->truncated);
}

TEST(MemoryMapNormalize, UnsortedInputIsSorted) {
    auto m = Normalize({{0x100000000, 0x40000000, U},
                        {0xF0000, 0x10000, RES},
                        {0x100000, 0x7EE0000, U},
                        {0x0, 0x9F000, U},
                        {0xFEC00000, 0x1000, RES}});
    ExpectNormalized(*m);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x0, 0x9F000, U), Rg(0xF0000, 0x10000, RES),
                                           Rg(0x100000, 0x7EE0000, U), Rg(0xFEC00000, 0x1000, RES),
                                           Rg(0x100000000, 0x40000000, U)}));
    EXPECT_EQ(m->usable_bytes(), 0x9F000u + 0x7EE0000u + 0x40000000u);
}

// Two partially overlapping regions, for every ordered pair of types, in
// both input orders: the overlap gets the more restrictive type.
TEST(MemoryMapNormalize, OverlapEveryTypePair) {
    for (MemType a : kAllTypes) {
        for (MemType b : kAllTypes) {
            SCOPED_TRACE(::testing::Message() << "a=" << int(a) << " b=" << int(b));
            const MemType win = Prec(a) >= Prec(b) ? a : b;
            std::vector<R> want;
            Append(want, 0x10000, 0x20000, a);
            Append(want, 0x20000, 0x30000, win);
            Append(want, 0x30000, 0x40000, b);
            EXPECT_EQ(Regions(*Normalize({{0x10000, 0x20000, a}, {0x20000, 0x20000, b}})), want);
            EXPECT_EQ(Regions(*Normalize({{0x20000, 0x20000, b}, {0x10000, 0x20000, a}})), want);
        }
    }
}

// The explicit precedence chain, so a table typo cannot hide in a loop.
TEST(MemoryMapNormalize, PrecedenceChain) {
    auto m = Normalize({{0x0, 0x50000, U},
                        {0x10000, 0x40000, ACPI},
                        {0x20000, 0x30000, NVS},
                        {0x30000, 0x20000, RES},
                        {0x40000, 0x10000, BAD}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x0, 0x10000, U), Rg(0x10000, 0x10000, ACPI), Rg(0x20000, 0x10000, NVS),
                                           Rg(0x30000, 0x10000, RES), Rg(0x40000, 0x10000, BAD)}));
}

TEST(MemoryMapNormalize, NestedRegions) {
    for (MemType outer : kAllTypes) {
        for (MemType inner : kAllTypes) {
            SCOPED_TRACE(::testing::Message() << "outer=" << int(outer) << " inner=" << int(inner));
            std::vector<R> want;
            const MemType mid = Prec(inner) > Prec(outer) ? inner : outer;
            Append(want, 0x100000, 0x200000, outer);
            Append(want, 0x200000, 0x300000, mid);
            Append(want, 0x300000, 0x500000, outer);
            EXPECT_EQ(Regions(*Normalize({{0x100000, 0x400000, outer}, {0x200000, 0x100000, inner}})), want);
            EXPECT_EQ(Regions(*Normalize({{0x200000, 0x100000, inner}, {0x100000, 0x400000, outer}})), want);
        }
    }
}

TEST(MemoryMapNormalize, IdenticalDuplicates) {
    EXPECT_EQ(Regions(*Normalize({{0x100000, 0x100000, U}, {0x100000, 0x100000, U}, {0x100000, 0x100000, U}})),
              (std::vector<R>{Rg(0x100000, 0x100000, U)}));
    // Same extent, different types: one region of the winning type.
    EXPECT_EQ(Regions(*Normalize({{0x100000, 0x100000, U}, {0x100000, 0x100000, NVS}, {0x100000, 0x100000, ACPI}})),
              (std::vector<R>{Rg(0x100000, 0x100000, NVS)}));
}

TEST(MemoryMapNormalize, AdjacentMerge) {
    // Same type touching: merged, also across an overlap chain and unordered.
    auto m = Normalize({{0x300000, 0x100000, U}, {0x100000, 0x100000, U}, {0x200000, 0x100000, U},
                        {0x600000, 0x1000, RES}, {0x601000, 0x1000, RES}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x300000, U), Rg(0x600000, 0x2000, RES)}));
    // Different types touching: kept apart. Same type with a gap: kept apart.
    m = Normalize({{0x100000, 0x100000, U}, {0x200000, 0x100000, ACPI}, {0x301000, 0x1000, ACPI}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x100000, U), Rg(0x200000, 0x100000, ACPI),
                                           Rg(0x301000, 0x1000, ACPI)}));
}

TEST(MemoryMapNormalize, ReservedHolesPunchedInUsable) {
    auto m = Normalize({{0x0, 0x40000000, U}, {0x9F000, 0x61000, RES}, {0x1000000, 0x800, NVS},
                        {0x3FFFF000, 0x1000, BAD}});
    ExpectNormalized(*m);
    // The NVS hole is 2 KiB, but the usable neighbors are trimmed to pages,
    // so the page holding it is lost to usable RAM either way.
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x0, 0x9F000, U), Rg(0x9F000, 0x61000, RES), Rg(0x100000, 0xF00000, U),
                                           Rg(0x1000000, 0x800, NVS), Rg(0x1001000, 0x3EFFE000, U),
                                           Rg(0x3FFFF000, 0x1000, BAD)}));
    EXPECT_EQ(m->usable_bytes(), 0x9F000u + 0xF00000u + 0x3EFFE000u);
}

TEST(MemoryMapNormalize, UsablePageTrimming) {
    auto m = Normalize({{0x1234, 0x4444, U},        // [0x1234, 0x5678) -> [0x2000, 0x5000)
                        {0x10100, 0xE00, U},        // inside one page: vanishes
                        {0x20800, 0x1000, U},       // straddles two pages, covers neither
                        {0x30000, 0xFFF, U},        // one byte short of a page
                        {0x40123, 0x100, ACPI},     // non-usable: kept exact
                        {0x50000, 0x1000, U}});     // exactly one page
    ExpectNormalized(*m);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x2000, 0x3000, U), Rg(0x40123, 0x100, ACPI), Rg(0x50000, 0x1000, U)}));
    EXPECT_EQ(m->usable_bytes(), 0x4000u);
}

TEST(MemoryMapNormalize, TrimAfterMerge) {
    // Neither piece holds a whole page alone; merged they hold two.
    auto m = Normalize({{0x1800, 0x1000, U}, {0x2800, 0x1800, U}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x2000, 0x2000, U)}));
    // Trimming usable leaves a gap next to an unaligned reserved region.
    m = Normalize({{0x0, 0x10000, U}, {0x4100, 0x100, RES}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x0, 0x4000, U), Rg(0x4100, 0x100, RES), Rg(0x5000, 0xB000, U)}));
}

TEST(MemoryMapNormalize, UnknownTypeIsReserved) {
    auto m = Normalize({{0x0, 0x10000, U}, {0x4000, 0x1000, static_cast<MemType>(7)}, {0x5000, 0x1000, RES},
                        {0x8000, 0x1000, static_cast<MemType>(0)}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x0, 0x4000, U), Rg(0x4000, 0x2000, RES), Rg(0x6000, 0x2000, U),
                                           Rg(0x8000, 0x1000, RES), Rg(0x9000, 0x7000, U)}));
}

TEST(MemoryMapNormalize, TopOfAddressSpace) {
    // Runs past 2^64: clipped to end at 2^64 - 1 page.
    auto m = Normalize({{0xFFFFFFFFFFFF0000, 0x20000, U}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0xFFFFFFFFFFFF0000, 0xF000, U)}));
    // Length of all ones from a low base.
    m = Normalize({{0x1000, UINT64_MAX, U}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x1000, kLimit - 0x1000, U)}));
    m = Normalize({{0x0, UINT64_MAX, RES}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x0, kLimit, RES)}));
    // Ends exactly at 2^64 (base + length wraps to 0).
    m = Normalize({{0xFFFFFFFFFFFFE000, 0x2000, RES}, {0xFFFFFFFFFFFFD800, 0x800, ACPI}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0xFFFFFFFFFFFFD800, 0x800, ACPI), Rg(0xFFFFFFFFFFFFE000, 0x1000, RES)}));
    // Entirely in the last page: nothing is left of it.
    m = Normalize({{0xFFFFFFFFFFFFF000, 0x1000, RES}, {0xFFFFFFFFFFFFFFFF, 1, BAD}, {0xFFFFFFFFFFFFF800, UINT64_MAX, U}});
    EXPECT_EQ(m->count, 0u);
    // Usable clipped at the limit and trimmed.
    m = Normalize({{0xFFFFFFFFFFFFD800, 0x10000, U}});
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0xFFFFFFFFFFFFE000, 0x1000, U)}));
    ExpectNormalized(*m);
}

TEST(MemoryMapNormalize, TooManyRegionsTruncates) {
    std::vector<MemRegion> in;
    // 300 disjoint regions, given highest first.
    for (int i = 299; i >= 0; --i) in.push_back({0x100000 + uint64_t(i) * 0x10000, 0x8000, i % 2 ? RES : U});
    auto m = Normalize(in);
    EXPECT_TRUE(m->truncated);
    ASSERT_EQ(m->count, MemoryMap::kMaxRegions);
    ExpectNormalized(*m);
    // The lowest ones are kept.
    for (size_t i = 0; i < m->count; ++i) EXPECT_EQ(m->regions[i].base, 0x100000 + i * 0x10000);

    // Exactly full: not truncated.
    in.clear();
    for (int i = 0; i < 256; ++i) in.push_back({uint64_t(i) * 0x10000, 0x8000, U});
    m = Normalize(in);
    EXPECT_FALSE(m->truncated);
    EXPECT_EQ(m->count, 256u);

    // 257 inputs where the last output piece vanishes in page trimming: fits.
    in.push_back({0x2000000, 0x800, U});
    m = Normalize(in);
    EXPECT_FALSE(m->truncated);
    EXPECT_EQ(m->count, 256u);

    // Many inputs that merge into few: not truncated.
    in.clear();
    for (int i = 0; i < 1000; ++i) in.push_back({uint64_t(i) * 0x1000, 0x1000, U});
    m = Normalize(in);
    EXPECT_FALSE(m->truncated);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0, 1000 * 0x1000, U)}));
}

// Randomized comparison with a cell-by-cell reference, low in memory and
// against the top of the address space (where clipping kicks in).
TEST(MemoryMapNormalize, RandomAgainstReference) {
    std::mt19937_64 rng(20240611);
    constexpr uint64_t kCell = 0x100;
    constexpr size_t kCells = 512;
    for (uint64_t origin : {uint64_t{0}, uint64_t{0x7FFF0000}, uint64_t{0ull - kCells * kCell}}) {
        for (int iter = 0; iter < 1500; ++iter) {
            std::vector<MemRegion> in;
            const int n = static_cast<int>(rng() % 14);
            for (int i = 0; i < n; ++i) {
                const uint64_t b = rng() % kCells;
                uint64_t len = rng() % 80;
                if (rng() % 4 == 0) len = rng() % 8;
                static const MemType kTypes[] = {U, U, U, RES, ACPI, NVS, BAD, static_cast<MemType>(9)};
                MemRegion r{origin + b * kCell, len * kCell, kTypes[rng() % 8]};
                if (origin > (1ull << 63) && rng() % 8 == 0) r.length = UINT64_MAX - rng() % 0x1000;  // past 2^64
                in.push_back(r);
            }
            auto m = Normalize(in);
            ExpectNormalized(*m);
            EXPECT_FALSE(m->truncated);
            // Regions start in the first kCells cells and are < 80 cells long.
            ASSERT_EQ(Regions(*m), ReferenceNormalize(in, origin, kCell, kCells + 80)) << "iteration " << iter;
        }
    }
}

TEST(MemoryMapNormalize, UsableBytes) {
    auto m = Normalize({{0x0, 0x9FC00, U}, {0x100000, 0x3FF00000, U}, {0x40000000, 0x1000, ACPI},
                        {0x100000000, 0x100000000, U}});
    EXPECT_EQ(m->usable_bytes(), 0x9F000u + 0x3FF00000u + 0x100000000u);
}

// ---- reserve_range ----------------------------------------------------------

// What reserve_range must equal: normalizing the map plus the range.
std::unique_ptr<MemoryMap> NormalizeWith(const MemoryMap& m, uint64_t base, uint64_t length) {
    std::vector<MemRegion> in(m.regions, m.regions + m.count);
    in.push_back({base, length, RES});
    auto out = Normalize(in);
    out->truncated = out->truncated || m.truncated;
    return out;
}

TEST(MemoryMapReserve, SplitsUsableRegion) {
    auto m = Normalize({{0x100000, 0x7F00000, U}});
    hvb::reserve_range(*m, 0x200000, 0x123456);  // kernel image, unaligned end
    ExpectNormalized(*m);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x100000, U), Rg(0x200000, 0x123456, RES),
                                           Rg(0x324000, 0x7F00000 - 0x224000, U)}));
    EXPECT_FALSE(m->truncated);
}

TEST(MemoryMapReserve, AtTheEndsOfRegions) {
    auto m = Normalize({{0x100000, 0x100000, U}, {0x300000, 0x100000, U}});
    hvb::reserve_range(*m, 0x100000, 0x1000);  // first page of the first region
    hvb::reserve_range(*m, 0x3FF000, 0x1000);  // last page of the last region
    ExpectNormalized(*m);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x1000, RES), Rg(0x101000, 0xFF000, U),
                                           Rg(0x300000, 0xFF000, U), Rg(0x3FF000, 0x1000, RES)}));
    // Grows an existing reserved region from either side: merges, no new region.
    hvb::reserve_range(*m, 0x101000, 0x1000);
    hvb::reserve_range(*m, 0x3FE000, 0x1000);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x2000, RES), Rg(0x102000, 0xFE000, U),
                                           Rg(0x300000, 0xFE000, U), Rg(0x3FE000, 0x2000, RES)}));
    // Whole region.
    hvb::reserve_range(*m, 0x102000, 0xFE000);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x100000, RES), Rg(0x300000, 0xFE000, U),
                                           Rg(0x3FE000, 0x2000, RES)}));
    // Before everything and after everything, in gaps, touching nothing.
    hvb::reserve_range(*m, 0x1000, 0x1000);
    hvb::reserve_range(*m, 0x800000, 0x10);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x1000, 0x1000, RES), Rg(0x100000, 0x100000, RES),
                                           Rg(0x300000, 0xFE000, U), Rg(0x3FE000, 0x2000, RES),
                                           Rg(0x800000, 0x10, RES)}));
}

TEST(MemoryMapReserve, SpanningSeveralRegions) {
    auto m = Normalize({{0x100000, 0x100000, U},
                        {0x200000, 0x10000, ACPI},
                        {0x300000, 0x1000, BAD},
                        {0x302000, 0x1000, NVS},
                        {0x400000, 0x400000, U},
                        {0x900000, 0x1000, RES}});
    hvb::reserve_range(*m, 0x180000, 0x500000);  // [1.5M, 6.5M)
    ExpectNormalized(*m);
    // bad outranks reserved and survives; everything else in range is reserved.
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x80000, U), Rg(0x180000, 0x180000, RES),
                                           Rg(0x300000, 0x1000, BAD), Rg(0x301000, 0x380000 - 0x1000, RES),
                                           Rg(0x680000, 0x180000, U), Rg(0x900000, 0x1000, RES)}));
    // A range covering a bad region's edges: bad kept whole.
    m = Normalize({{0x100000, 0x100000, BAD}, {0x200000, 0x100000, U}});
    hvb::reserve_range(*m, 0x180000, 0x100000);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x100000, BAD), Rg(0x200000, 0x80000, RES),
                                           Rg(0x280000, 0x80000, U)}));
}

TEST(MemoryMapReserve, BridgesReservedNeighbors) {
    auto m = Normalize({{0x100000, 0x1000, RES}, {0x101000, 0x3000, U}, {0x104000, 0x1000, RES}});
    hvb::reserve_range(*m, 0x101000, 0x3000);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x5000, RES)}));
    // Gap between two reserved regions.
    m = Normalize({{0x100000, 0x1000, RES}, {0x110000, 0x1000, RES}});
    hvb::reserve_range(*m, 0x101000, 0xF000);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x11000, RES)}));
    // Inside an existing reserved region: no change.
    hvb::reserve_range(*m, 0x104000, 0x10);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x11000, RES)}));
}

TEST(MemoryMapReserve, UnalignedTrimsUsableRemainders) {
    auto m = Normalize({{0x0, 0x10000, U}});
    hvb::reserve_range(*m, 0x4100, 0x100);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x0, 0x4000, U), Rg(0x4100, 0x100, RES), Rg(0x5000, 0xB000, U)}));
    EXPECT_EQ(m->usable_bytes(), 0xF000u);
    // A remainder smaller than a page disappears.
    m = Normalize({{0x0, 0x2000, U}});
    hvb::reserve_range(*m, 0x800, 0x1000);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x800, 0x1000, RES)}));
}

TEST(MemoryMapReserve, ZeroLengthAndTopOfAddressSpace) {
    auto m = Normalize({{0x100000, 0x100000, U}, {0xFFFFFFFFFFF00000, 0x200000, U}});
    const auto before = Regions(*m);
    hvb::reserve_range(*m, 0x180000, 0);
    EXPECT_EQ(Regions(*m), before);
    hvb::reserve_range(*m, 0xFFFFFFFFFFFFF000, 0x1000);  // beyond the limit: nothing to do
    hvb::reserve_range(*m, UINT64_MAX, UINT64_MAX);
    EXPECT_EQ(Regions(*m), before);
    // Runs past 2^64: clipped.
    hvb::reserve_range(*m, 0xFFFFFFFFFFF80000, UINT64_MAX);
    ExpectNormalized(*m);
    EXPECT_EQ(Regions(*m), (std::vector<R>{Rg(0x100000, 0x100000, U), Rg(0xFFFFFFFFFFF00000, 0x80000, U),
                                           Rg(0xFFFFFFFFFFF80000, kLimit - 0xFFFFFFFFFFF80000, RES)}));
}

TEST(MemoryMapReserve, FullMapTruncatesFromTheTop) {
    std::vector<MemRegion> in;
    for (int i = 0; i < 256; ++i) in.push_back({0x100000 + uint64_t(i) * 0x10000, 0x8000, U});
    auto m = Normalize(in);
    ASSERT_EQ(m->count, 256u);
    ASSERT_FALSE(m->truncated);
    // Merging with nothing but fitting exactly: a whole region becomes reserved.
    hvb::reserve_range(*m, 0x100000, 0x8000);
    EXPECT_EQ(m->count, 256u);
    EXPECT_FALSE(m->truncated);
    // Splitting one region in the middle needs two more slots: the top two go.
    const uint64_t top = m->regions[253].base;
    hvb::reserve_range(*m, 0x200000 + 0x2000, 0x1000);
    EXPECT_TRUE(m->truncated);
    EXPECT_EQ(m->count, 256u);
    ExpectNormalized(*m);
    EXPECT_EQ(m->regions[255].base, top);
    EXPECT_EQ(Regions(*m)[16], Rg(0x200000, 0x2000, U));
    EXPECT_EQ(Regions(*m)[17], Rg(0x202000, 0x1000, RES));
    EXPECT_EQ(Regions(*m)[18], Rg(0x203000, 0x5000, U));
    // A range beyond all regions on a full map: dropped, still truncated.
    const auto before = Regions(*m);
    hvb::reserve_range(*m, 0x10000000, 0x1000);
    EXPECT_EQ(Regions(*m), before);
    EXPECT_TRUE(m->truncated);
}

// Randomized: reserve_range must equal normalizing the map plus the range,
// including on nearly full maps (truncation) and near the top of memory.
TEST(MemoryMapReserve, RandomMatchesNormalize) {
    std::mt19937_64 rng(7777);
    static const MemType kTypes[] = {U, U, U, RES, ACPI, NVS, BAD, BAD};
    for (int iter = 0; iter < 3000; ++iter) {
        const bool crowded = iter % 10 == 0;
        const uint64_t origin = iter % 5 == 0 ? 0ull - 0x100000 : 0x100000;
        const uint64_t cell = crowded ? 0x400 : 0x100;
        const uint64_t span = crowded ? 0x100000 / cell : 0x200;
        std::vector<MemRegion> in;
        const int n = crowded ? 200 + static_cast<int>(rng() % 200) : static_cast<int>(rng() % 12);
        for (int i = 0; i < n; ++i) {
            in.push_back({origin + (rng() % span) * cell, (1 + rng() % (crowded ? 3 : 40)) * cell, kTypes[rng() % 8]});
        }
        auto m = Normalize(in);
        for (int k = 0; k < 3; ++k) {
            uint64_t b = origin + (rng() % (span + 8)) * cell;
            uint64_t len = (rng() % (span / 2)) * cell;
            if (rng() % 3 == 0) {  // unaligned
                b += rng() % cell;
                len += rng() % cell;
            }
            if (rng() % 16 == 0) len = UINT64_MAX;
            auto want = NormalizeWith(*m, b, len);
            hvb::reserve_range(*m, b, len);
            ExpectNormalized(*m);
            ASSERT_EQ(Regions(*m), Regions(*want)) << "iteration " << iter << " reserve 0x" << std::hex << b << "+0x" << len;
            ASSERT_EQ(m->truncated, want->truncated) << "iteration " << iter;
        }
    }
}

}  // namespace
