// tests/unit/page_table_test.cpp — tests for arch/x86_64/page_table: map/unmap/translate of 4 KiB, 2 MiB and 1 GiB pages over a fake physical memory.
#include "arch/x86_64/page_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace {

using hvb::x86::MapResult;
using hvb::x86::PageTable;
using hvb::x86::TableMemory;
using namespace hvb::x86;

constexpr uint64_t k4K = 1ull << 12;
constexpr uint64_t k2M = 1ull << 21;
constexpr uint64_t k1G = 1ull << 30;
constexpr uint64_t kSizes[] = {k4K, k2M, k1G};

// A fake physical memory: `pages` 4 KiB pages at physical kBase, handed out
// by a free list then a bump pointer. Counts allocations and frees, can be
// told to fail after a number of further allocations, and checks that only
// live pages are freed (and that they are empty when freed).
struct FakeMem {
    static constexpr uint64_t kBase = 0x10000000;
    std::vector<uint64_t> words;
    size_t pages;
    size_t bump = 0;
    std::vector<uint64_t> free_list;
    std::set<uint64_t> live;
    size_t allocs = 0;
    size_t frees = 0;
    long budget = -1;  // allocations still allowed; -1 = unlimited
    uint64_t scratch[512] = {};

    explicit FakeMem(size_t n = 256) : words(n * 512, 0), pages(n) {}

    uint64_t* table(uint64_t phys) {
        if (phys < kBase || phys >= kBase + pages * k4K || (phys & (k4K - 1)) != 0) {
            ADD_FAILURE() << "table() of a phys outside fake memory: 0x" << std::hex << phys;
            std::memset(scratch, 0, sizeof scratch);
            return scratch;
        }
        return &words[(phys - kBase) / 8];
    }

    uint64_t alloc() {
        if (budget == 0) return 0;
        uint64_t phys = 0;
        if (!free_list.empty()) {
            phys = free_list.back();
            free_list.pop_back();
        } else if (bump < pages) {
            phys = kBase + bump++ * k4K;
        } else {
            return 0;
        }
        if (budget > 0) --budget;
        ++allocs;
        live.insert(phys);
        std::memset(table(phys), 0, k4K);
        return phys;
    }

    void free(uint64_t phys) {
        if (live.erase(phys) != 1) {
            ADD_FAILURE() << "free of a page that is not live: 0x" << std::hex << phys;
            return;
        }
        const uint64_t* t = table(phys);
        for (int i = 0; i < 512; ++i) {
            EXPECT_EQ(t[i], 0u) << "freed table not empty at index " << i;
        }
        ++frees;
        free_list.push_back(phys);
    }

    TableMemory mem(bool with_free = true) {
        TableMemory m{};
        m.table = [](void* ctx, uint64_t phys) { return static_cast<FakeMem*>(ctx)->table(phys); };
        m.alloc_table = [](void* ctx) { return static_cast<FakeMem*>(ctx)->alloc(); };
        m.free_table = [](void* ctx, uint64_t phys) { static_cast<FakeMem*>(ctx)->free(phys); };
        if (!with_free) m.free_table = nullptr;
        m.ctx = this;
        return m;
    }

    size_t live_count() const { return live.size(); }

    // Entry `idx` of the table at `phys`.
    uint64_t& at(uint64_t phys, unsigned idx) { return table(phys)[idx]; }
};

unsigned idx(uint64_t virt, unsigned level) { return (virt >> (12 + 9 * (level - 1))) & 511; }

// Reads the entry at `level` for virt by walking the fake memory by hand
// (independent of the code under test). Returns 0 if the path is missing.
uint64_t raw_entry(FakeMem& fm, uint64_t root, uint64_t virt, unsigned level) {
    uint64_t table = root;
    for (unsigned l = 4; l > level; --l) {
        uint64_t e = fm.at(table, idx(virt, l));
        if (!(e & kPtePresent)) return 0;
        table = e & kPteAddrMask;
    }
    return fm.at(table, idx(virt, level));
}

unsigned level_of(uint64_t size) { return size == k4K ? 1 : size == k2M ? 2 : 3; }

// Addresses at which every page size is tried: low, the top of the lower
// half, the bottom of the higher half and the very top.
std::vector<uint64_t> virts_for(uint64_t size) {
    return {
        0,
        size * 3,
        0x0000000140000000ull,
        0x0000800000000000ull - size,  // top of the lower half
        0x00007F0000000000ull,
        0xFFFF800000000000ull,  // bottom of the higher half
        0xFFFF800000000000ull + size * 7,
        0xFFFFFFFF80000000ull & ~(size - 1),
        0ull - size,  // top of the address space
    };
}

std::vector<uint64_t> physs_for(uint64_t size) {
    return {
        0,
        size,
        0x0000000100000000ull,
        0x00000000FEC00000ull & ~(size - 1),
        0x000FFFFFFFFFF000ull & ~(size - 1),  // highest frame of the 52-bit space
    };
}

// ---------------------------------------------------------------------------

TEST(PageTableNames, AllResultsNamed) {
    EXPECT_STREQ(map_result_name(MapResult::ok), "ok");
    EXPECT_STREQ(map_result_name(MapResult::misaligned), "misaligned");
    EXPECT_STREQ(map_result_name(MapResult::bad_size), "bad_size");
    EXPECT_STREQ(map_result_name(MapResult::non_canonical), "non_canonical");
    EXPECT_STREQ(map_result_name(MapResult::already_mapped), "already_mapped");
    EXPECT_STREQ(map_result_name(MapResult::out_of_memory), "out_of_memory");
}

TEST(PageTableCreate, AllocatesOneZeroedPml4) {
    FakeMem fm;
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    EXPECT_EQ(fm.allocs, 1u);
    EXPECT_EQ(pt.root(), FakeMem::kBase);
    for (unsigned i = 0; i < 512; ++i) EXPECT_EQ(fm.at(pt.root(), i), 0u);
    EXPECT_FALSE(pt.translate(0).present);
}

TEST(PageTableCreate, FailsWithoutMemory) {
    FakeMem fm;
    fm.budget = 0;
    PageTable pt;
    EXPECT_FALSE(pt.create(fm.mem()));
    EXPECT_EQ(pt.root(), 0u);
    // A table without a root maps nothing and does not crash.
    EXPECT_EQ(pt.map(0x1000, 0x1000, k4K, kPteWritable), MapResult::out_of_memory);
    EXPECT_EQ(pt.unmap(0x1000), 0u);
    EXPECT_FALSE(pt.translate(0x1000).present);
    EXPECT_EQ(fm.allocs, 0u);
}

TEST(PageTableCreate, UncreatedTableIsInert) {
    PageTable pt;
    EXPECT_EQ(pt.root(), 0u);
    EXPECT_FALSE(pt.translate(0).present);
    EXPECT_EQ(pt.unmap(0), 0u);
    EXPECT_EQ(pt.map(0, 0, k4K, 0), MapResult::out_of_memory);
}

// The exact bits written, checked against the SDM layouts by hand.
TEST(PageTableEntries, ExactBits2M) {
    FakeMem fm;
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    const uint64_t virt = 0x40000000;
    ASSERT_EQ(pt.map(virt, 0x40000000, k2M, kPteWritable), MapResult::ok);
    // PML4E -> PDPT page, PDPTE -> PD page, both present+writable, no user.
    const uint64_t pml4e = fm.at(pt.root(), 0);
    EXPECT_EQ(pml4e, (FakeMem::kBase + 1 * k4K) | 0x3);
    const uint64_t pdpte = fm.at(pml4e & kPteAddrMask, 1);
    EXPECT_EQ(pdpte, (FakeMem::kBase + 2 * k4K) | 0x3);
    EXPECT_EQ(fm.at(pdpte & kPteAddrMask, 0), 0x40000083u);
    EXPECT_EQ(fm.allocs, 3u);
}

TEST(PageTableEntries, ExactBits4KAnd1G) {
    FakeMem fm;
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    // 4 KiB, writable + NX: PTE = addr | NX | W | P, PS (=PAT here) clear.
    ASSERT_EQ(pt.map(0x7000, 0x1234000, k4K, kPteWritable | kPteNoExecute), MapResult::ok);
    EXPECT_EQ(raw_entry(fm, pt.root(), 0x7000, 1), 0x8000000001234003ull);
    // 1 GiB, user, global: PDPTE = addr | G | PS | U | P.
    const uint64_t v1g = 0xFFFF808000000000ull;
    ASSERT_EQ(pt.map(v1g, 0x80000000, k1G, kPteUser | kPteGlobal), MapResult::ok);
    EXPECT_EQ(raw_entry(fm, pt.root(), v1g, 3), 0x80000185ull);
    // The PML4E above a user leaf is present+writable+user.
    EXPECT_EQ(raw_entry(fm, pt.root(), v1g, 4) & 0xFFF, 0x7u);
    // The intermediate entries above the kernel 4 KiB page have no user bit.
    EXPECT_EQ(raw_entry(fm, pt.root(), 0x7000, 4) & 0xFFF, 0x3u);
    EXPECT_EQ(raw_entry(fm, pt.root(), 0x7000, 3) & 0xFFF, 0x3u);
    EXPECT_EQ(raw_entry(fm, pt.root(), 0x7000, 2) & 0xFFF, 0x3u);
}

TEST(PageTableEntries, AddressBitsInFlagsAreIgnored) {
    FakeMem fm;
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    // Garbage in bits 51:12 and the PS bit must not leak into the entry.
    const uint64_t junk = 0x000ABCDEF0123000ull | kPteLarge;
    ASSERT_EQ(pt.map(0x5000, 0x9000, k4K, kPteWritable | junk), MapResult::ok);
    EXPECT_EQ(raw_entry(fm, pt.root(), 0x5000, 1), 0x9003u);
    ASSERT_EQ(pt.map(0x40000000, 0x80000000, k1G, junk), MapResult::ok);
    EXPECT_EQ(raw_entry(fm, pt.root(), 0x40000000, 3), 0x80000081u);
    auto t = pt.translate(0x40000000 + 0x1234567);
    ASSERT_TRUE(t.present);
    EXPECT_EQ(t.phys, 0x80000000u + 0x1234567);
}

TEST(PageTableMap, TranslateEachSizeAtManyAddresses) {
    for (uint64_t size : kSizes) {
        for (uint64_t virt : virts_for(size)) {
            for (uint64_t phys : physs_for(size)) {
                SCOPED_TRACE(testing::Message() << std::hex << "size 0x" << size << " virt 0x" << virt
                                                << " phys 0x" << phys);
                FakeMem fm(16);
                PageTable pt;
                ASSERT_TRUE(pt.create(fm.mem()));
                ASSERT_EQ(pt.map(virt, phys, size, kPteWritable), MapResult::ok);
                EXPECT_EQ(fm.allocs, 1u + (3 - (level_of(size) - 1)));
                for (uint64_t off : {uint64_t{0}, uint64_t{1}, uint64_t{0xABC}, size / 2 + 7, size - 8, size - 1}) {
                    auto t = pt.translate(virt + off);
                    ASSERT_TRUE(t.present) << "offset 0x" << off;
                    EXPECT_EQ(t.phys, phys + off);
                    EXPECT_EQ(t.page_size, size);
                    EXPECT_EQ(t.flags, kPtePresent | kPteWritable | (size > k4K ? kPteLarge : 0));
                }
                // The neighbours are not mapped.
                if (virt != 0 && virt != 0xFFFF800000000000ull) {
                    EXPECT_FALSE(pt.translate(virt - 1).present);
                }
                if (virt + size != 0 && virt + size != 0x0000800000000000ull) {
                    EXPECT_FALSE(pt.translate(virt + size).present);
                }
            }
        }
    }
}

TEST(PageTableMap, FlagsRoundTrip) {
    const uint64_t combos[] = {
        0,
        kPteWritable,
        kPteUser,
        kPteWritable | kPteUser,
        kPteNoExecute,
        kPteWritable | kPteNoExecute,
        kPteWriteThrough,
        kPteCacheDisable,
        kPteWriteThrough | kPteCacheDisable | kPteGlobal,
        kPteWritable | kPteUser | kPteGlobal | kPteNoExecute | kPteCacheDisable,
        kPteAccessed | kPteDirty,
        (0xFull << 59) | kPteNoExecute,  // protection key bits pass through
        (1ull << 9) | (1ull << 11) | (1ull << 52),  // ignored (software) bits
    };
    for (uint64_t size : kSizes) {
        for (uint64_t flags : combos) {
            SCOPED_TRACE(testing::Message() << std::hex << "size 0x" << size << " flags 0x" << flags);
            FakeMem fm(8);
            PageTable pt;
            ASSERT_TRUE(pt.create(fm.mem()));
            const uint64_t virt = 0xFFFF900000000000ull;
            const uint64_t phys = 0x0000004000000000ull;
            ASSERT_EQ(pt.map(virt, phys, size, flags), MapResult::ok);
            auto t = pt.translate(virt + 0x10);
            ASSERT_TRUE(t.present);
            EXPECT_EQ(t.flags, flags | kPtePresent | (size > k4K ? kPteLarge : 0));
            EXPECT_EQ(t.phys, phys + 0x10);
            EXPECT_EQ((raw_entry(fm, pt.root(), virt, level_of(size)) & kPteNoExecute) != 0,
                      (flags & kPteNoExecute) != 0);
        }
    }
}

TEST(PageTableMap, Misaligned) {
    for (uint64_t size : kSizes) {
        SCOPED_TRACE(testing::Message() << std::hex << "size 0x" << size);
        FakeMem fm(8);
        PageTable pt;
        ASSERT_TRUE(pt.create(fm.mem()));
        // virt off by a byte, by 4 KiB (for large pages), by half a page.
        EXPECT_EQ(pt.map(size + 1, 0, size, 0), MapResult::misaligned);
        EXPECT_EQ(pt.map(size / 2, 0, size, 0), MapResult::misaligned);
        EXPECT_EQ(pt.map(0xFFFF800000000000ull + size / 2, 0, size, 0), MapResult::misaligned);
        // phys off likewise.
        EXPECT_EQ(pt.map(size, 1, size, 0), MapResult::misaligned);
        EXPECT_EQ(pt.map(size, size / 2, size, 0), MapResult::misaligned);
        if (size > k4K) {
            EXPECT_EQ(pt.map(size, k4K, size, 0), MapResult::misaligned);
            EXPECT_EQ(pt.map(k4K, 0, size, 0), MapResult::misaligned);
        }
        // phys outside the 52-bit physical address space.
        EXPECT_EQ(pt.map(size, 1ull << 52, size, 0), MapResult::misaligned);
        EXPECT_EQ(pt.map(size, 0x8000000000000000ull, size, 0), MapResult::misaligned);
        EXPECT_EQ(fm.allocs, 1u) << "a rejected map allocated tables";
        for (unsigned i = 0; i < 512; ++i) EXPECT_EQ(fm.at(pt.root(), i), 0u);
    }
}

TEST(PageTableMap, BadSize) {
    FakeMem fm(8);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{3}, uint64_t{0x800}, uint64_t{0x2000},
                          uint64_t{0x100000}, uint64_t{0x400000}, uint64_t{1} << 39, ~uint64_t{0}}) {
        EXPECT_EQ(pt.map(0, 0, size, 0), MapResult::bad_size) << "size " << size;
        EXPECT_EQ(pt.map_range(0, 0, k1G, size, 0), MapResult::bad_size) << "size " << size;
    }
    EXPECT_EQ(fm.allocs, 1u);
}

TEST(PageTableMap, NonCanonical) {
    const uint64_t bad[] = {
        0x0000800000000000ull,  // first address past the lower half
        0xFFFF7FFFFFFFF000ull,  // last address before the higher half
        0x8000000000000000ull,
        0x0001000000000000ull,
        0x7FFFFFFFC0000000ull,
        0xFFFE000000000000ull,
    };
    for (uint64_t size : kSizes) {
        FakeMem fm(8);
        PageTable pt;
        ASSERT_TRUE(pt.create(fm.mem()));
        for (uint64_t v : bad) {
            const uint64_t virt = v & ~(size - 1);
            EXPECT_EQ(pt.map(virt, 0, size, 0), MapResult::non_canonical) << std::hex << virt;
            EXPECT_FALSE(pt.translate(virt).present);
            EXPECT_EQ(pt.unmap(virt), 0u);
        }
        EXPECT_EQ(fm.allocs, 1u);
    }
    // A non-canonical address does not alias the canonical one with the same
    // low 48 bits.
    FakeMem fm(8);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    ASSERT_EQ(pt.map(0x0000700000000000ull, 0x5000, k4K, 0), MapResult::ok);
    EXPECT_FALSE(pt.translate(0xFFFF700000000000ull).present);
    EXPECT_EQ(pt.unmap(0xFFFF700000000000ull), 0u);
    EXPECT_TRUE(pt.translate(0x0000700000000000ull).present);
}

// Snapshot of the whole fake memory, to prove that a failed map changed nothing.
std::vector<uint64_t> snapshot(const FakeMem& fm) { return fm.words; }

TEST(PageTableMap, AlreadyMappedLeavesTablesUnchanged) {
    struct Case {
        const char* name;
        uint64_t first_virt, first_size;
        uint64_t second_virt, second_size;
    };
    const uint64_t base = 0xFFFF800000000000ull;
    const Case cases[] = {
        {"same 4K", base + 0x5000, k4K, base + 0x5000, k4K},
        {"same 2M", base + k2M, k2M, base + k2M, k2M},
        {"same 1G", base + k1G, k1G, base + k1G, k1G},
        {"4K inside 2M", base + k2M, k2M, base + k2M + 0x7000, k4K},
        {"4K inside 1G", base, k1G, base + 0x3FFFF000, k4K},
        {"2M inside 1G", base, k1G, base + 5 * k2M, k2M},
        {"2M over a table of 4K", base + 0x1FF000, k4K, base, k2M},
        {"1G over a table of 4K", base + 0x12345000, k4K, base, k1G},
        {"1G over a table of 2M", base + 0x3FE00000, k2M, base, k1G},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        FakeMem fm(16);
        PageTable pt;
        ASSERT_TRUE(pt.create(fm.mem()));
        ASSERT_EQ(pt.map(c.first_virt, 0x200000000ull, c.first_size, kPteWritable), MapResult::ok);
        const auto before = snapshot(fm);
        const size_t allocs = fm.allocs;
        // Asking for user rights too must not widen the path on failure.
        EXPECT_EQ(pt.map(c.second_virt, 0x400000000ull, c.second_size, kPteWritable | kPteUser),
                  MapResult::already_mapped);
        EXPECT_EQ(fm.allocs, allocs);
        EXPECT_EQ(snapshot(fm), before);
        auto t = pt.translate(c.first_virt);
        ASSERT_TRUE(t.present);
        EXPECT_EQ(t.phys, 0x200000000ull);
        EXPECT_EQ(t.page_size, c.first_size);
    }
}

TEST(PageTableMap, EmptyTableWithoutFreeBlocksLargePage) {
    // Without free_table, unmap leaves the empty PT linked; a 2 MiB page at
    // that spot is then refused (the PDE is present), and nothing changes.
    FakeMem fm(16);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem(false)));
    ASSERT_EQ(pt.map(0x200000, 0x1000, k4K, 0), MapResult::ok);
    EXPECT_EQ(pt.unmap(0x200000), k4K);
    EXPECT_EQ(fm.frees, 0u);
    EXPECT_EQ(fm.live_count(), 4u);
    const auto before = snapshot(fm);
    EXPECT_EQ(pt.map(0x200000, 0x400000, k2M, 0), MapResult::already_mapped);
    EXPECT_EQ(snapshot(fm), before);
    // 4 KiB pages still go into the hanging table.
    EXPECT_EQ(pt.map(0x201000, 0x1000, k4K, 0), MapResult::ok);
    EXPECT_EQ(fm.allocs, 4u);
}

// Out of memory after k allocations, for every k, from several starting
// states: the tables must be exactly as before, nothing may leak, and the
// same map must succeed once memory is back.
TEST(PageTableMap, OutOfMemoryAtEveryStep) {
    struct Case {
        const char* name;
        uint64_t pre_virt;  // mapped first (0 = nothing), as a 4 KiB page
        uint64_t virt, size;
        unsigned needed;  // tables the map must create
    };
    const uint64_t base = 0xFFFF800000000000ull;
    const Case cases[] = {
        {"4K, empty", 0, base + 0x1000, k4K, 3},
        {"2M, empty", 0, base + k2M, k2M, 2},
        {"1G, empty", 0, base + k1G, k1G, 1},
        {"4K, PDPT exists", base + 5 * k1G, base + 0x1000, k4K, 2},
        {"4K, PD exists", base + 0x4000000, base + 0x1000, k4K, 1},
        {"4K, PT exists", base + 0x5000, base + 0x1000, k4K, 0},
        {"2M, PD exists", base + 0x4000000, base + 0x200000, k2M, 0},
        {"2M, PDPT exists", base + 7 * k1G, base + 0x200000, k2M, 1},
    };
    for (const Case& c : cases) {
        for (unsigned k = 0; k <= c.needed; ++k) {
            SCOPED_TRACE(testing::Message() << c.name << ", allocations allowed: " << k);
            FakeMem fm(16);
            PageTable pt;
            ASSERT_TRUE(pt.create(fm.mem()));
            if (c.pre_virt != 0) {
                ASSERT_EQ(pt.map(c.pre_virt, 0x3000, k4K, kPteWritable), MapResult::ok);
            }
            const auto before = snapshot(fm);
            const size_t live = fm.live_count();
            fm.budget = k;
            MapResult r = pt.map(c.virt, 0x80000000ull, c.size, kPteWritable | kPteUser);
            if (k < c.needed) {
                EXPECT_EQ(r, MapResult::out_of_memory);
                EXPECT_EQ(fm.live_count(), live) << "leaked tables";
                EXPECT_EQ(snapshot(fm), before) << "tables changed by a failed map";
                EXPECT_FALSE(pt.translate(c.virt).present);
                if (c.pre_virt != 0) {
                    EXPECT_TRUE(pt.translate(c.pre_virt).present);
                }
                fm.budget = -1;
                ASSERT_EQ(pt.map(c.virt, 0x80000000ull, c.size, kPteWritable | kPteUser), MapResult::ok);
            } else {
                EXPECT_EQ(r, MapResult::ok);
            }
            EXPECT_EQ(fm.live_count(), live + c.needed);
            auto t = pt.translate(c.virt + 0x123);
            ASSERT_TRUE(t.present);
            EXPECT_EQ(t.phys, 0x80000000ull + 0x123);
            EXPECT_EQ(t.page_size, c.size);
        }
    }
}

TEST(PageTableMap, OutOfMemoryWithoutFreeKeepsTablesConsistent) {
    // Without free_table the pages taken before the failure are lost (the
    // seam offers no way back), but the live tables still do not change.
    for (unsigned k = 0; k < 3; ++k) {
        FakeMem fm(16);
        PageTable pt;
        ASSERT_TRUE(pt.create(fm.mem(false)));
        fm.budget = k;
        EXPECT_EQ(pt.map(0x1000, 0x2000, k4K, 0), MapResult::out_of_memory);
        for (unsigned i = 0; i < 512; ++i) EXPECT_EQ(fm.at(pt.root(), i), 0u);
        EXPECT_EQ(fm.allocs, 1u + k);
        EXPECT_FALSE(pt.translate(0x1000).present);
    }
}

TEST(PageTableMap, PathRightsFollowTheLeaf) {
    FakeMem fm(16);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    const uint64_t a = 0x0000400000000000ull;
    ASSERT_EQ(pt.map(a, 0x1000, k4K, kPteWritable), MapResult::ok);
    for (unsigned l = 4; l >= 2; --l) EXPECT_EQ(raw_entry(fm, pt.root(), a, l) & kPteUser, 0u) << l;
    // A user page in the same PT: the whole path must grant user access
    // (SDM 4.6.1), the kernel page itself stays supervisor-only.
    ASSERT_EQ(pt.map(a + 0x1000, 0x2000, k4K, kPteUser), MapResult::ok);
    for (unsigned l = 4; l >= 2; --l) EXPECT_NE(raw_entry(fm, pt.root(), a, l) & kPteUser, 0u) << l;
    EXPECT_EQ(raw_entry(fm, pt.root(), a, 1) & kPteUser, 0u);
    EXPECT_EQ(pt.translate(a).flags & kPteUser, 0u);
    EXPECT_EQ(pt.translate(a + 0x1000).flags, kPtePresent | kPteUser);
    // An NX leaf does not put NX on the path: that would stop its
    // executable siblings from executing.
    ASSERT_EQ(pt.map(a + 0x2000, 0x3000, k4K, kPteNoExecute | kPteUser | kPteWritable), MapResult::ok);
    for (unsigned l = 4; l >= 2; --l) {
        EXPECT_EQ(raw_entry(fm, pt.root(), a, l) & (kPteNoExecute | 0xFFF), kPtePresent | kPteWritable | kPteUser)
            << l;
    }
    EXPECT_EQ(fm.allocs, 4u);
}

// A table built by hand: PML4[0] -> PDPT; PDPT[0] -> PD; PDPT[1] = 1 GiB page;
// PD[0] -> PT; PD[1] = 2 MiB page; PT[5] = 4 KiB page. Intermediates are
// read-only and the PD entry is NX, as boot code might leave them.
struct HandBuilt {
    FakeMem fm{32};
    uint64_t pml4, pdpt, pd, ptab;
    HandBuilt() {
        pml4 = fm.alloc();
        pdpt = fm.alloc();
        pd = fm.alloc();
        ptab = fm.alloc();
        fm.at(pml4, 0) = pdpt | kPtePresent;
        fm.at(pdpt, 0) = pd | kPtePresent | kPteAccessed;
        fm.at(pdpt, 1) = 0x0000000FC0000000ull | kPtePresent | kPteLarge | kPteWritable;
        fm.at(pd, 0) = ptab | kPtePresent | kPteNoExecute;
        // 2 MiB page at phys 0x7FE00000 with PAT (bit 12) set.
        fm.at(pd, 1) = 0x7FE00000ull | (1ull << 12) | kPtePresent | kPteLarge | kPteNoExecute;
        fm.at(ptab, 5) = 0xABCDE000ull | kPtePresent | kPteWritable | kPteDirty;
    }
};

TEST(PageTableAdopt, TranslatesAHandBuiltTable) {
    HandBuilt h;
    PageTable pt;
    // CR3 may carry PWT/PCD (bits 3, 4) and a PCID; adopt must ignore them.
    pt.adopt(h.fm.mem(), h.pml4 | 0x18);
    EXPECT_EQ(pt.root(), h.pml4);

    auto t = pt.translate(0x5000 + 0x321);
    ASSERT_TRUE(t.present);
    EXPECT_EQ(t.phys, 0xABCDE321u);
    EXPECT_EQ(t.page_size, k4K);
    EXPECT_EQ(t.flags, kPtePresent | kPteWritable | kPteDirty);

    // PAT (bit 12) of a 2 MiB page is a flag, not an address bit.
    t = pt.translate(k2M + 0x1F0123);
    ASSERT_TRUE(t.present);
    EXPECT_EQ(t.phys, 0x7FE00000u + 0x1F0123);
    EXPECT_EQ(t.page_size, k2M);
    EXPECT_EQ(t.flags, (1ull << 12) | kPtePresent | kPteLarge | kPteNoExecute);

    t = pt.translate(k1G + 0x3FFFFFFF);
    ASSERT_TRUE(t.present);
    EXPECT_EQ(t.phys, 0x0000000FC0000000ull + 0x3FFFFFFF);
    EXPECT_EQ(t.page_size, k1G);

    EXPECT_FALSE(pt.translate(0x4000).present);
    EXPECT_FALSE(pt.translate(2 * k2M).present);
    EXPECT_FALSE(pt.translate(2 * k1G).present);
    EXPECT_FALSE(pt.translate(0xFFFF800000005000ull).present);
}

TEST(PageTableAdopt, PatBitOf1GPageIsNotAddress) {
    FakeMem fm(8);
    uint64_t pml4 = fm.alloc(), pdpt = fm.alloc();
    fm.at(pml4, 511) = pdpt | kPtePresent | kPteWritable;
    fm.at(pdpt, 510) = 0x40000000ull | (1ull << 12) | kPtePresent | kPteLarge;
    PageTable pt;
    pt.adopt(fm.mem(), pml4);
    auto t = pt.translate(0xFFFFFFFF80000000ull + 0x1000);
    ASSERT_TRUE(t.present);
    EXPECT_EQ(t.phys, 0x40001000u);
    EXPECT_EQ(t.flags & (1ull << 12), 1ull << 12);
}

TEST(PageTableAdopt, MapAndUnmapInAHandBuiltTable) {
    HandBuilt h;
    PageTable pt;
    pt.adopt(h.fm.mem(), h.pml4);
    // Writable leaf under read-only intermediates: W is granted along the
    // path, the PD's NX is left alone (clearing it would make siblings
    // executable).
    ASSERT_EQ(pt.map(0x6000, 0x1000000, k4K, kPteWritable), MapResult::ok);
    EXPECT_EQ(h.fm.allocs, 4u);
    EXPECT_EQ(h.fm.at(h.pml4, 0), h.pdpt | kPtePresent | kPteWritable);
    EXPECT_EQ(h.fm.at(h.pdpt, 0), h.pd | kPtePresent | kPteAccessed | kPteWritable);
    EXPECT_EQ(h.fm.at(h.pd, 0), h.ptab | kPtePresent | kPteNoExecute | kPteWritable);
    EXPECT_EQ(h.fm.at(h.ptab, 6), 0x1000000u | 0x3);
    // Over the existing large pages: refused.
    EXPECT_EQ(pt.map(k2M + 0x3000, 0, k4K, 0), MapResult::already_mapped);
    EXPECT_EQ(pt.map(k1G + 4 * k2M, 0, k2M, 0), MapResult::already_mapped);
    // Unmap the two 4 KiB pages: the PT empties and is freed, the PD still
    // holds the 2 MiB page and stays.
    EXPECT_EQ(pt.unmap(0x5000), k4K);
    EXPECT_EQ(h.fm.frees, 0u);
    EXPECT_EQ(pt.unmap(0x6FFF), k4K);
    EXPECT_EQ(h.fm.frees, 1u);
    EXPECT_EQ(h.fm.live.count(h.ptab), 0u);
    EXPECT_EQ(h.fm.at(h.pd, 0), 0u);
    // Unmap the 2 MiB page: the PD empties and goes; the PDPT keeps the 1 GiB page.
    EXPECT_EQ(pt.unmap(k2M + 5), k2M);
    EXPECT_EQ(h.fm.frees, 2u);
    EXPECT_EQ(h.fm.at(h.pdpt, 0), 0u);
    EXPECT_EQ(pt.unmap(k1G), k1G);
    EXPECT_EQ(h.fm.frees, 3u);
    EXPECT_EQ(h.fm.at(h.pml4, 0), 0u);
    EXPECT_EQ(h.fm.live_count(), 1u);  // the PML4
}

TEST(PageTableRange, Map64MiBWith4K) {
    FakeMem fm(64);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    const uint64_t virt = 0xFFFF800040000000ull, phys = 0x100000000ull, len = 64ull << 20;
    ASSERT_EQ(pt.map_range(virt, phys, len, k4K, kPteWritable | kPteNoExecute), MapResult::ok);
    // PML4 + PDPT + PD + 32 PTs.
    EXPECT_EQ(fm.allocs, 35u);
    for (uint64_t off = 0; off < len; off += k4K) {
        auto t = pt.translate(virt + off + (off >> 12) % k4K);
        ASSERT_TRUE(t.present) << std::hex << off;
        ASSERT_EQ(t.phys, phys + off + (off >> 12) % k4K);
        ASSERT_EQ(t.page_size, k4K);
        ASSERT_EQ(t.flags, kPtePresent | kPteWritable | kPteNoExecute);
    }
    EXPECT_FALSE(pt.translate(virt - 1).present);
    EXPECT_FALSE(pt.translate(virt + len).present);
    // Unmapping everything frees every table but the PML4.
    for (uint64_t off = 0; off < len; off += k4K) ASSERT_EQ(pt.unmap(virt + off), k4K);
    EXPECT_EQ(fm.frees, 34u);
    EXPECT_EQ(fm.live_count(), 1u);
}

TEST(PageTableRange, Map64MiBWith2MAcrossA1GBoundary) {
    FakeMem fm(16);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    const uint64_t virt = 0x0000000040000000ull - (32ull << 20), phys = 0x2000000000ull, len = 64ull << 20;
    ASSERT_EQ(pt.map_range(virt, phys, len, k2M, kPteWritable), MapResult::ok);
    // PML4 + PDPT + two PDs (the range straddles 1 GiB).
    EXPECT_EQ(fm.allocs, 4u);
    for (uint64_t off = 0; off < len; off += k2M) {
        for (uint64_t in : {uint64_t{0}, uint64_t{0x1000}, k2M - 1}) {
            auto t = pt.translate(virt + off + in);
            ASSERT_TRUE(t.present) << std::hex << off;
            ASSERT_EQ(t.phys, phys + off + in);
            ASSERT_EQ(t.page_size, k2M);
        }
    }
    EXPECT_FALSE(pt.translate(virt - 1).present);
    EXPECT_FALSE(pt.translate(virt + len).present);
    for (uint64_t off = 0; off < len; off += k2M) ASSERT_EQ(pt.unmap(virt + off + 0x1234), k2M);
    EXPECT_EQ(fm.frees, 3u);
}

TEST(PageTableRange, RejectsBeforeMappingAnything) {
    FakeMem fm(16);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    EXPECT_EQ(pt.map_range(0, 0, 0, k4K, 0), MapResult::ok);
    EXPECT_EQ(pt.map_range(0x1000, 0, 0x1800, k4K, 0), MapResult::misaligned);  // length
    EXPECT_EQ(pt.map_range(0, 0, k4K, k2M, 0), MapResult::misaligned);
    EXPECT_EQ(pt.map_range(0x800, 0, k4K, k4K, 0), MapResult::misaligned);
    EXPECT_EQ(pt.map_range(0, 0x800, k4K, k4K, 0), MapResult::misaligned);
    EXPECT_EQ(pt.map_range(0x0000800000000000ull, 0, k4K, k4K, 0), MapResult::non_canonical);
    // Wrapping past 2^64 in virt or past the 52-bit physical space.
    EXPECT_EQ(pt.map_range(0xFFFFFFFFFFFFF000ull, 0, 0x2000, k4K, 0), MapResult::non_canonical);
    EXPECT_EQ(pt.map_range(0, 0x000FFFFFFFFFF000ull, 0x2000, k4K, 0), MapResult::misaligned);
    EXPECT_EQ(fm.allocs, 1u);
    EXPECT_FALSE(pt.translate(0xFFFFFFFFFFFFF000ull).present);
}

TEST(PageTableRange, StopsAtFirstFailure) {
    FakeMem fm(16);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    // Running into the non-canonical hole: the canonical pages stay mapped.
    EXPECT_EQ(pt.map_range(0x00007FFFFFFFD000ull, 0x1000, 0x5000, k4K, 0), MapResult::non_canonical);
    EXPECT_TRUE(pt.translate(0x00007FFFFFFFD000ull).present);
    EXPECT_TRUE(pt.translate(0x00007FFFFFFFF000ull).present);
    // Running into an existing page.
    ASSERT_EQ(pt.map(0x10003000, 0x99000, k4K, 0), MapResult::ok);
    EXPECT_EQ(pt.map_range(0x10000000, 0x50000000, 0x10000, k4K, 0), MapResult::already_mapped);
    for (uint64_t p = 0; p < 3; ++p) {
        auto t = pt.translate(0x10000000 + p * k4K);
        ASSERT_TRUE(t.present);
        EXPECT_EQ(t.phys, 0x50000000 + p * k4K);
    }
    EXPECT_EQ(pt.translate(0x10003000).phys, 0x99000u);
    EXPECT_FALSE(pt.translate(0x10004000).present);
    // Running out of memory half way: pages mapped before stay.
    fm.budget = 0;
    EXPECT_EQ(pt.map_range(0x101FE000, 0x60000000, 0x4000, k4K, 0), MapResult::out_of_memory);
    EXPECT_TRUE(pt.translate(0x101FF000).present);
    EXPECT_FALSE(pt.translate(0x10200000).present);
}

TEST(PageTableUnmap, EachSizeFreesItsEmptyTables) {
    struct Case {
        uint64_t size;
        size_t tables;
    };
    for (Case c : {Case{k4K, 3}, Case{k2M, 2}, Case{k1G, 1}}) {
        for (uint64_t virt : virts_for(c.size)) {
            SCOPED_TRACE(testing::Message() << std::hex << "size 0x" << c.size << " virt 0x" << virt);
            FakeMem fm(8);
            PageTable pt;
            ASSERT_TRUE(pt.create(fm.mem()));
            ASSERT_EQ(pt.map(virt, 0x40000000, c.size, kPteWritable), MapResult::ok);
            EXPECT_EQ(fm.live_count(), 1 + c.tables);
            // Any address inside the page unmaps it.
            EXPECT_EQ(pt.unmap(virt + c.size - 1), c.size);
            EXPECT_EQ(fm.frees, c.tables);
            EXPECT_EQ(fm.live_count(), 1u);
            EXPECT_TRUE(fm.live.count(pt.root()));
            for (unsigned i = 0; i < 512; ++i) EXPECT_EQ(fm.at(pt.root(), i), 0u);
            EXPECT_FALSE(pt.translate(virt).present);
            EXPECT_EQ(pt.unmap(virt), 0u);
            // And it can be mapped again.
            ASSERT_EQ(pt.map(virt, 0x40000000, c.size, 0), MapResult::ok);
            EXPECT_TRUE(pt.translate(virt).present);
        }
    }
}

TEST(PageTableUnmap, KeepsTablesThatStillHoldEntries) {
    FakeMem fm(16);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    const uint64_t base = 0xFFFFC00000000000ull;
    ASSERT_EQ(pt.map(base, 0x1000, k4K, 0), MapResult::ok);
    ASSERT_EQ(pt.map(base + 0x1000, 0x2000, k4K, 0), MapResult::ok);       // same PT
    ASSERT_EQ(pt.map(base + k2M, 0x3000, k4K, 0), MapResult::ok);          // other PT, same PD
    ASSERT_EQ(pt.map(base + k1G, 0x40000000, k2M, 0), MapResult::ok);      // other PD, same PDPT
    EXPECT_EQ(fm.live_count(), 6u);

    EXPECT_EQ(pt.unmap(base), k4K);
    EXPECT_EQ(fm.frees, 0u);
    EXPECT_EQ(pt.unmap(base + 0x1000), k4K);  // its PT empties; PD keeps the other PT
    EXPECT_EQ(fm.frees, 1u);
    EXPECT_TRUE(pt.translate(base + k2M).present);
    EXPECT_EQ(pt.unmap(base + k2M), k4K);  // PT and PD go; PDPT keeps the 2 MiB PD
    EXPECT_EQ(fm.frees, 3u);
    EXPECT_TRUE(pt.translate(base + k1G).present);
    EXPECT_EQ(pt.unmap(base + k1G + 77), k2M);  // PD and PDPT go
    EXPECT_EQ(fm.frees, 5u);
    EXPECT_EQ(fm.live_count(), 1u);
}

TEST(PageTableUnmap, NothingMappedReturnsZero) {
    FakeMem fm(16);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    EXPECT_EQ(pt.unmap(0), 0u);
    EXPECT_EQ(pt.unmap(0xFFFF800000000000ull), 0u);
    ASSERT_EQ(pt.map(0x5000, 0x1000, k4K, 0), MapResult::ok);
    const auto before = snapshot(fm);
    EXPECT_EQ(pt.unmap(0x6000), 0u);     // same PT, empty slot
    EXPECT_EQ(pt.unmap(0x200000), 0u);   // same PD, no PT
    EXPECT_EQ(pt.unmap(0x40000000), 0u); // same PDPT, no PD
    EXPECT_EQ(pt.unmap(0x0000008000000000ull), 0u);  // no PDPT
    EXPECT_EQ(fm.frees, 0u);
    EXPECT_EQ(snapshot(fm), before);
    EXPECT_TRUE(pt.translate(0x5000).present);
}

TEST(PageTableUnmap, WithoutFreeTableOnlyClearsTheLeaf) {
    FakeMem fm(16);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem(false)));
    ASSERT_EQ(pt.map(0x5000, 0x1000, k4K, 0), MapResult::ok);
    EXPECT_EQ(pt.unmap(0x5000), k4K);
    EXPECT_EQ(raw_entry(fm, pt.root(), 0x5000, 1), 0u);
    EXPECT_NE(raw_entry(fm, pt.root(), 0x5000, 2), 0u);
    EXPECT_EQ(fm.live_count(), 4u);
    EXPECT_FALSE(pt.translate(0x5000).present);
}

// Random maps and unmaps against a simple model; every table page must be
// accounted for at the end.
TEST(PageTableStress, RandomAgainstModel) {
    FakeMem fm(2048);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    std::mt19937_64 rng(12345);
    struct Page {
        uint64_t size, phys;
    };
    std::map<uint64_t, Page> model;  // virt -> page
    // A few small regions so that collisions and shared tables are common.
    const uint64_t regions[] = {0, 0x00007FFF80000000ull, 0xFFFF800000000000ull, 0xFFFFFFFF80000000ull};
    auto covering = [&](uint64_t v) -> const std::pair<const uint64_t, Page>* {
        auto it = model.upper_bound(v);
        if (it == model.begin()) return nullptr;
        --it;
        return v - it->first < it->second.size ? &*it : nullptr;
    };
    auto overlaps = [&](uint64_t v, uint64_t size) {
        auto it = model.lower_bound(v);
        if (it != model.end() && it->first - v < size) return true;  // v + size may wrap to 0
        return covering(v) != nullptr;
    };
    int mapped = 0, refused = 0, unmapped[4] = {0, 0, 0, 0}, hits = 0;
    for (int step = 0; step < 4000; ++step) {
        const uint64_t region = regions[rng() % 4];
        const uint64_t size = kSizes[rng() % 10 < 5 ? 0 : (rng() % 5 < 2 ? 2 : 1)];
        // Two 1 GiB slots per region; smaller pages crowd the first 16 MiB
        // of the first slot and sometimes land in the second, so 1 GiB pages
        // both fit and collide.
        const uint64_t slot = region + (size == k1G ? rng() % 2 : rng() % 16 == 0) * k1G;
        const uint64_t virt = size == k1G ? slot : (slot + rng() % (8 * k2M)) & ~(size - 1);
        if (rng() % 3 == 0) {
            // Mostly unmap somewhere inside a live page, else at random.
            uint64_t target = virt;
            if (!model.empty() && rng() % 4 != 0) {
                auto it = std::next(model.begin(), static_cast<long>(rng() % model.size()));
                target = it->first + rng() % it->second.size;
            }
            const auto* p = covering(target);
            const uint64_t expect = p ? p->second.size : 0;
            ASSERT_EQ(pt.unmap(target), expect) << std::hex << target;
            if (p) model.erase(p->first);
            ++unmapped[expect == 0 ? 0 : expect == k4K ? 1 : expect == k2M ? 2 : 3];
        } else {
            const uint64_t phys = (rng() & 0x000FFFFFFFFFFFFFull) & ~(size - 1);
            const MapResult r = pt.map(virt, phys, size, kPteWritable);
            // A large page is refused when any table hangs at its slot, even
            // an empty one; with free_table set, empty tables never linger,
            // so overlap with the model decides.
            ASSERT_EQ(r, overlaps(virt, size) ? MapResult::already_mapped : MapResult::ok) << std::hex << virt;
            if (r == MapResult::ok) model[virt] = Page{size, phys};
            ++(r == MapResult::ok ? mapped : refused);
        }
        const uint64_t probe = regions[rng() % 4] + (rng() % 2) * k1G + rng() % (rng() % 4 ? 8 * k2M : k1G);
        const auto* p = covering(probe);
        auto t = pt.translate(probe);
        ASSERT_EQ(t.present, p != nullptr);
        if (p) {
            ++hits;
            ASSERT_EQ(t.phys, p->second.phys + (probe - p->first));
            ASSERT_EQ(t.page_size, p->second.size);
        }
    }
    // The mix really exercised every path.
    EXPECT_GT(mapped, 500);
    EXPECT_GT(refused, 200);
    for (int n : unmapped) EXPECT_GT(n, 20);
    EXPECT_GT(hits, 100);
    for (const auto& [virt, page] : std::map<uint64_t, Page>(model)) ASSERT_EQ(pt.unmap(virt), page.size);
    EXPECT_EQ(fm.live_count(), 1u);
    EXPECT_EQ(fm.allocs, fm.frees + 1);
}

}  // namespace

// map_range fills the rest of a page table directly after its first page:
// an existing page in the middle must still stop it with already_mapped,
// leaving the pages before it mapped and the one found untouched; a range
// starting mid-table and crossing into the next table maps every page.
TEST(PageTableRange, FastFillStopsAtAnExistingPageAndCrossesTables) {
    FakeMem fm(16);
    PageTable pt;
    ASSERT_TRUE(pt.create(fm.mem()));
    const uint64_t virt = 0x40000000ull, phys = 0x80000000ull;
    ASSERT_EQ(pt.map(virt + 5 * k4K, 0x1234000, k4K, 0), MapResult::ok);
    EXPECT_EQ(pt.map_range(virt, phys, 16 * k4K, k4K, kPteWritable), MapResult::already_mapped);
    for (uint64_t i = 0; i < 5; ++i) EXPECT_EQ(pt.translate(virt + i * k4K).phys, phys + i * k4K) << i;
    EXPECT_EQ(pt.translate(virt + 5 * k4K).phys, 0x1234000u);
    EXPECT_EQ(pt.translate(virt + 5 * k4K).flags, kPtePresent);
    EXPECT_FALSE(pt.translate(virt + 6 * k4K).present);

    const uint64_t v2 = 0x7FE00000ull + 500 * k4K;  // 12 slots before a 2 MiB boundary
    ASSERT_EQ(pt.map_range(v2, phys, 40 * k4K, k4K, kPteWritable), MapResult::ok);
    for (uint64_t i = 0; i < 40; ++i) {
        auto t = pt.translate(v2 + i * k4K);
        ASSERT_TRUE(t.present) << i;
        EXPECT_EQ(t.phys, phys + i * k4K) << i;
        EXPECT_EQ(t.flags, kPtePresent | kPteWritable) << i;
    }
    EXPECT_FALSE(pt.translate(v2 + 40 * k4K).present);
}
