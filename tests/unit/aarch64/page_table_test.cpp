// tests/unit/aarch64/page_table_test.cpp — AArch64 translation tables
// (arch/aarch64/page_table.h) in a host buffer standing in for memory.
#include "arch/aarch64/page_table.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

namespace {

using hvb::arm::MapResult;
using hvb::arm::PageTable;

// 64 table pages at fake physical 0x100000.
struct FakeMemory {
    static constexpr uint64_t kBase = 0x100000, kPages = 64;
    std::unique_ptr<uint64_t[]> buf{new uint64_t[kPages * 512]()};
    uint64_t next = 0;
    static uint64_t* table(void* ctx, uint64_t phys) {
        auto* m = static_cast<FakeMemory*>(ctx);
        EXPECT_GE(phys, kBase);
        EXPECT_LT(phys, kBase + kPages * 4096);
        EXPECT_EQ(phys % 4096, 0u);
        return m->buf.get() + (phys - kBase) / 8;
    }
    static uint64_t alloc(void* ctx) {
        auto* m = static_cast<FakeMemory*>(ctx);
        if (m->next == kPages) return 0;
        return kBase + 4096 * m->next++;
    }
    hvb::arm::TableMemory seam() { return {table, alloc, nullptr, this}; }
};

TEST(ArmPageTable, MapsEachSizeAndTranslates) {
    FakeMemory m;
    PageTable pt;
    ASSERT_TRUE(pt.create(m.seam()));
    EXPECT_EQ(pt.map(0x40000000, 0x40000000, 1ull << 30, hvb::arm::kLeafNormal), MapResult::ok);
    EXPECT_EQ(pt.map(0x80200000, 0x90000000, 2ull << 20, hvb::arm::kLeafNormal), MapResult::ok);
    EXPECT_EQ(pt.map(0x9000000, 0x9000000, 4096, hvb::arm::kLeafDevice | hvb::arm::kLeafPxn), MapResult::ok);
    auto t = pt.translate(0x40001234);
    EXPECT_TRUE(t.valid);
    EXPECT_EQ(t.phys, 0x40001234u);
    EXPECT_EQ(t.page_size, 1ull << 30);
    t = pt.translate(0x80212345);
    EXPECT_EQ(t.phys, 0x90012345u);
    EXPECT_EQ(t.page_size, 2ull << 20);
    t = pt.translate(0x9000010);
    EXPECT_EQ(t.phys, 0x9000010u);
    EXPECT_EQ(t.page_size, 4096u);
    EXPECT_TRUE(t.attrs & hvb::arm::kLeafPxn);
    // Descriptor encodings (ARM ARM D8.3): a level-3 page has bits 1:0 = 11,
    // a block 01; both carry the access flag.
    const uint64_t* l0 = FakeMemory::table(&m, pt.root());
    EXPECT_EQ(l0[0] & 3, 3u);  // level 0 holds tables only
    const uint64_t* l1 = FakeMemory::table(&m, l0[0] & hvb::arm::kOutputMask);
    EXPECT_EQ(l1[1] & 3, 1u);  // the 1 GiB block at 0x40000000
    EXPECT_TRUE(l1[1] & (1ull << 10));
    EXPECT_EQ(l1[0] & 3, 3u);  // a table for the 4 KiB page
    EXPECT_FALSE(pt.translate(0x9001000).valid);
}

TEST(ArmPageTable, RefusesBadRequests) {
    FakeMemory m;
    PageTable pt;
    ASSERT_TRUE(pt.create(m.seam()));
    EXPECT_EQ(pt.map(0x1000, 0x1000, 8192, 0), MapResult::bad_size);
    EXPECT_EQ(pt.map(0x1000, 0x1000, 2ull << 20, 0), MapResult::misaligned);
    EXPECT_EQ(pt.map(1ull << 48, 0, 4096, 0), MapResult::out_of_range);
    EXPECT_EQ(pt.map(0x20000000000ull, 0x40000000, 4096, 0), MapResult::ok);  // 2 TiB: beyond level 0's first entry
    EXPECT_EQ(pt.map(0x40000000, 0x40000000, 1ull << 30, 0), MapResult::ok);
    EXPECT_EQ(pt.map(0x40001000, 0x1000, 4096, 0), MapResult::already_mapped);  // inside the block
    EXPECT_EQ(pt.map(0x40000000, 0, 1ull << 30, 0), MapResult::already_mapped);
}

TEST(ArmPageTable, UnmapAndOutOfMemory) {
    FakeMemory m;
    PageTable pt;
    ASSERT_TRUE(pt.create(m.seam()));
    ASSERT_EQ(pt.map_range(0x200000, 0x200000, 16 * 4096, 4096, hvb::arm::kLeafNormal), MapResult::ok);
    EXPECT_EQ(pt.unmap(0x203000), 4096u);
    EXPECT_FALSE(pt.translate(0x203000).valid);
    EXPECT_TRUE(pt.translate(0x204000).valid);
    EXPECT_EQ(pt.unmap(0x203000), 0u);
    int tables = 0;
    pt.for_each_table([](void* c, uint64_t) { ++*static_cast<int*>(c); }, &tables);
    EXPECT_EQ(tables, 4);  // L0, L1, L2, L3
    // Each GiB apart needs a new L2 and L3: memory runs out, and says so.
    MapResult r = MapResult::ok;
    for (uint64_t g = 1; g < 100 && r == MapResult::ok; ++g) r = pt.map(g << 30, 0, 4096, 0);
    EXPECT_EQ(r, MapResult::out_of_memory);
}

}  // namespace
