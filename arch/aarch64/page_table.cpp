// arch/aarch64/page_table.cpp — AArch64 translation tables (page_table.h).
#include "arch/aarch64/page_table.h"

namespace hvb::arm {
namespace {

constexpr uint64_t kValid = 1ull << 0;
constexpr uint64_t kTableOrPage = 1ull << 1;  // with kValid: table (levels 1-2) or page (level 3)
constexpr uint64_t kAccessFlag = 1ull << 10;
constexpr uint64_t kAttrMask = ~kOutputMask & ~3ull;

// Level 0: 512 GiB per entry (tables only), 1: 1 GiB, 2: 2 MiB, 3: 4 KiB.
constexpr uint64_t level_size(unsigned level) { return 1ull << (12 + 9 * (3 - level)); }
constexpr unsigned index_at(uint64_t virt, unsigned level) { return (virt >> (12 + 9 * (3 - level))) & 511; }

int level_for(uint64_t size) {
    for (unsigned l = 1; l <= 3; ++l)
        if (size == level_size(l)) return int(l);
    return -1;
}

bool is_table(uint64_t e, unsigned level) { return level < 3 && (e & 3) == (kValid | kTableOrPage); }

void visit_tables(const TableMemory& mem, uint64_t phys, unsigned level, void (*visit)(void*, uint64_t), void* ctx) {
    visit(ctx, phys);
    if (level == 3) return;
    const uint64_t* t = mem.table(mem.ctx, phys);
    for (unsigned i = 0; i < 512; ++i)
        if (is_table(t[i], level)) visit_tables(mem, t[i] & kOutputMask, level + 1, visit, ctx);
}

}  // namespace

const char* map_result_name(MapResult r) {
    switch (r) {
        case MapResult::ok: return "ok";
        case MapResult::misaligned: return "misaligned";
        case MapResult::bad_size: return "bad page size";
        case MapResult::out_of_range: return "beyond the 48-bit input range";
        case MapResult::already_mapped: return "already mapped";
        case MapResult::out_of_memory: return "out of memory";
    }
    return "?";
}

bool PageTable::create(const TableMemory& mem) {
    mem_ = mem;
    root_ = mem.alloc_table(mem.ctx);
    return root_ != 0;
}

void PageTable::adopt(const TableMemory& mem, uint64_t root_phys) {
    mem_ = mem;
    root_ = root_phys;
}

// The entry for virt at `level`, creating tables on the way when asked.
uint64_t* PageTable::slot(uint64_t virt, unsigned level, bool create, MapResult* err) {
    uint64_t* t = mem_.table(mem_.ctx, root_);
    for (unsigned l = 0; l < level; ++l) {
        uint64_t& e = t[index_at(virt, l)];
        if (!is_table(e, l)) {
            if (e & kValid) {
                if (err) *err = MapResult::already_mapped;  // a block covers it
                return nullptr;
            }
            if (!create) return nullptr;
            const uint64_t next = mem_.alloc_table(mem_.ctx);
            if (next == 0) {
                if (err) *err = MapResult::out_of_memory;
                return nullptr;
            }
            e = next | kValid | kTableOrPage;
        }
        t = mem_.table(mem_.ctx, e & kOutputMask);
    }
    return &t[index_at(virt, level)];
}

MapResult PageTable::map(uint64_t virt, uint64_t phys, uint64_t size, uint64_t attrs) {
    const int level = level_for(size);
    if (level < 0) return MapResult::bad_size;
    if (((virt | phys) & (size - 1)) != 0) return MapResult::misaligned;
    if (virt >= kInputLimit || (phys & ~kOutputMask & ~(size - 1)) != 0) return MapResult::out_of_range;
    MapResult err = MapResult::ok;
    uint64_t* e = slot(virt, unsigned(level), true, &err);
    if (e == nullptr) return err;
    if (*e & kValid) return MapResult::already_mapped;
    *e = phys | (attrs & kAttrMask) | kAccessFlag | kValid | (level == 3 ? kTableOrPage : 0);
    return MapResult::ok;
}

MapResult PageTable::map_range(uint64_t virt, uint64_t phys, uint64_t length, uint64_t size, uint64_t attrs) {
    for (uint64_t off = 0; off < length; off += size) {
        const MapResult r = map(virt + off, phys + off, size, attrs);
        if (r != MapResult::ok) return r;
    }
    return MapResult::ok;
}

uint64_t PageTable::unmap(uint64_t virt) {
    if (virt >= kInputLimit) return 0;
    uint64_t* t = mem_.table(mem_.ctx, root_);
    for (unsigned l = 0; l <= 3; ++l) {
        uint64_t& e = t[index_at(virt, l)];
        if (!(e & kValid)) return 0;
        if (!is_table(e, l)) {
            e = 0;
            return level_size(l);
        }
        t = mem_.table(mem_.ctx, e & kOutputMask);
    }
    return 0;
}

PageTable::Translation PageTable::translate(uint64_t virt) const {
    if (virt >= kInputLimit || root_ == 0) return {};
    const uint64_t* t = mem_.table(mem_.ctx, root_);
    for (unsigned l = 0; l <= 3; ++l) {
        const uint64_t e = t[index_at(virt, l)];
        if (!(e & kValid)) return {};
        if (!is_table(e, l)) {
            if (l == 3 && !(e & kTableOrPage)) return {};  // reserved encoding at level 3
            const uint64_t size = level_size(l);
            return {true, (e & kOutputMask & ~(size - 1)) | (virt & (size - 1)), size, e & kAttrMask};
        }
        t = mem_.table(mem_.ctx, e & kOutputMask);
    }
    return {};
}

void PageTable::for_each_table(void (*visit)(void*, uint64_t), void* ctx) const {
    if (root_ != 0) visit_tables(mem_, root_, 0, visit, ctx);
}

}  // namespace hvb::arm
