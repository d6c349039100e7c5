// tests/fuzz/fuzz_memmap.cpp — libFuzzer target: the memory-map normalizer
// and reserve_range (posih/memmap.h), then the page allocator
// (posih/page_alloc.h) over the result, driven by the rest of the input.
//
// Input: a u8 region count n, then n regions of 17 bytes (u64 base, u64
// length, u8 E820 type), then operations of 10 bytes each (u8 op, u8 size,
// u64 argument): alloc, alloc_contiguous, free of an earlier allocation,
// alloc_untouched, reserve_range. After each, the allocator's books must
// balance: free + allocated == managed, and no two live allocations overlap.
#include <stddef.h>
#include <stdint.h>

#include <cstring>
#include <map>
#include <memory>

#include "posih/memmap.h"
#include "posih/page_alloc.h"

namespace {

struct Reader {
    const uint8_t* p;
    size_t left;
    bool take(void* out, size_t n) {
        if (left < n) return false;
        std::memcpy(out, p, n);
        p += n;
        left -= n;
        return true;
    }
};

hvb::MemType type_of(uint8_t t) {
    switch (t % 6) {
        case 1: return hvb::MemType::usable;
        case 3: return hvb::MemType::firmware_reclaimable;
        case 4: return hvb::MemType::firmware_nvs;
        case 5: return hvb::MemType::bad;
        default: return hvb::MemType::reserved;
    }
}

void check_map(const hvb::MemoryMap& map) {
    if (map.count > hvb::MemoryMap::kMaxRegions) __builtin_trap();
    for (size_t i = 0; i < map.count; ++i) {
        const hvb::MemRegion& r = map.regions[i];
        if (r.length == 0) __builtin_trap();
        if (r.type == hvb::MemType::usable && ((r.base | r.length) & (hvb::kPageSize - 1)) != 0) __builtin_trap();
        if (i > 0) {
            const hvb::MemRegion& p = map.regions[i - 1];
            if (p.base + p.length > r.base) __builtin_trap();  // sorted, disjoint
            if (p.base + p.length == r.base && p.type == r.type) __builtin_trap();  // merged
        }
    }
}

constexpr hvb::PageSize kSizes[] = {hvb::PageSize::k4K, hvb::PageSize::k2M, hvb::PageSize::k1G};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Reader in{data, size};
    uint8_t n = 0;
    if (!in.take(&n, 1)) return 0;
    hvb::MemRegion raw[255];
    size_t count = 0;
    for (; count < n; ++count) {
        uint8_t type;
        if (!in.take(&raw[count].base, 8) || !in.take(&raw[count].length, 8) || !in.take(&type, 1)) break;
        raw[count].type = type_of(type);
    }
    static hvb::MemoryMap map;
    hvb::normalize_memory_map(raw, count, map);
    check_map(map);

    static hvb::PageAllocator alloc;
    const uint64_t bitmap = hvb::PageAllocator::bitmap_bytes(map, 1ull << 20);
    // Maps claiming more than 16 GiB of RAM (a 1 MiB bitmap) are left to the
    // normalizer: the fuzzer's memory and speed are the limit here, not the
    // allocator's.
    if (bitmap > (1ull << 20)) return 0;
    std::unique_ptr<uint64_t[]> bits(new uint64_t[bitmap / 8 + 1]);
    if (!alloc.init(map, 1ull << 20, bits.get(), bitmap)) __builtin_trap();
    const uint64_t total = alloc.total_bytes();
    if (alloc.free_bytes() != total) __builtin_trap();
    std::map<uint64_t, uint64_t> live;  // base -> bytes, every live allocation
    uint64_t used = 0;

    struct Op {
        uint8_t op, size;
        uint64_t arg;
    } op;
    for (int steps = 0; steps < 4096 && in.take(&op.op, 1) && in.take(&op.size, 1) && in.take(&op.arg, 8);
         ++steps) {
        const hvb::PageSize ps = kSizes[op.size % 3];
        const uint64_t sz = static_cast<uint64_t>(ps);
        uint64_t got = 0, bytes = 0;
        switch (op.op % 5) {
            case 0:
                got = alloc.alloc(ps);
                bytes = sz;
                break;
            case 1: {
                const uint64_t pages = 1 + op.arg % 64;
                got = alloc.alloc_contiguous(ps, pages);
                bytes = sz * pages;
                break;
            }
            case 2: {  // free the live allocation at or after arg (or a bogus one)
                if (live.empty()) break;
                auto it = live.lower_bound(op.arg);
                if (it == live.end()) it = live.begin();
                // Freed in 4 KiB units it is always a valid free.
                if (!alloc.free(it->first, hvb::PageSize::k4K, it->second / 4096)) __builtin_trap();
                used -= it->second;
                live.erase(it);
                break;
            }
            case 3:
                bytes = (op.arg % (64ull << 20) + 4095) & ~4095ull;
                got = alloc.alloc_untouched(op.arg % (64ull << 20));
                break;
            case 4:  // with nothing allocated, every free is foreign or double: refused
                if (live.empty() && alloc.free(op.arg & ~4095ull, hvb::PageSize::k4K, 1)) __builtin_trap();
                break;
        }
        if (got != 0) {
            if (got % (op.op % 5 == 3 ? 4096 : sz) != 0) __builtin_trap();
            auto next = live.lower_bound(got);
            if (next != live.end() && next->first < got + bytes) __builtin_trap();  // overlaps a live one
            if (next != live.begin() && std::prev(next)->first + std::prev(next)->second > got) __builtin_trap();
            live[got] = bytes;
            used += bytes;
        }
        if (op.op % 5 != 4 && alloc.free_bytes() + used != total) __builtin_trap();
    }
    return 0;
}
