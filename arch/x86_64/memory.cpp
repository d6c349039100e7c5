// arch/x86_64/memory.cpp — POSIH memory on x86-64: the page allocator over the
// normalized memory map, address spaces built with x86::PageTable, TLB
// flushes and CR3 switches.
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/page_table.h"
#include "arch/x86_64/tsc.h"
#include "posih/address_space_tables.h"
#include "posih/cpu.h"
#include "posih/format.h"
#include "posih/memory.h"

extern "C" char hvb_image_start[];
extern "C" char hvb_image_end[];

namespace hvb {
namespace {

using x86::PageTable;

constexpr uint64_t kOneMiB = 1ull << 20;
constexpr uint64_t kFourGiB = 1ull << 32;
constexpr uint64_t k2MiB = 2ull << 20;

constinit MemoryMap map;
constinit PageAllocator allocator;
// Where early_mem_init's caller takes warnings (error records).
using Reporter = void (*)(const char*);
constinit Reporter report = nullptr;

// Frees through the allocator; a refusal (the memory was not allocated: a
// kernel bug) is reported, never ignored.
void release(uint64_t phys, PageSize size) {
    if (allocator.free(phys, size) || report == nullptr) return;
    char line[96];
    snformat(line, sizeof line, "page allocator refused to free 0x%lx (%lu bytes): not allocated", phys,
             uint64_t(size));
    report(line);
}

// Page-table memory is reached through the identity map: every page the
// allocator hands out is mapped 1:1 (the low 4 GiB by the boot stub, RAM
// above by early_mem_init).
uint64_t* table_at(void*, uint64_t phys) { return reinterpret_cast<uint64_t*>(phys); }
uint64_t new_table(void*) { return alloc_page(PageSize::k4K); }
void free_table(void*, uint64_t phys) { release(phys, PageSize::k4K); }
constexpr x86::TableMemory kTables{table_at, new_table, free_table, nullptr};

uint64_t pte_flags(uint32_t flags) {
    uint64_t f = x86::kPtePresent;
    if (flags & kMapWritable) f |= x86::kPteWritable;
    if (flags & kMapUser) f |= x86::kPteUser;
    if (flags & kMapNoExecute) f |= x86::kPteNoExecute;
    if (flags & kMapUncached) f |= x86::kPteCacheDisable | x86::kPteWriteThrough;
    return f;
}

// install_pte, install_range, unmap_page and translate on x86::PageTable.
constexpr AddressSpaceTables<x86::PageTable, x86::TableMemory> kAddressSpaces{kTables, pte_flags};

// Maps [base, end) 1:1 with the largest pages up to `largest` that alignment
// allows. Skips what is already mapped (a region may share a large page with
// its neighbour) and steps down a size where a large page would cover an
// existing smaller mapping. False when table memory runs out.
bool map_identity(PageTable& pt, uint64_t base, uint64_t end, uint64_t largest, uint64_t flags,
                  uint64_t* pages) {
    constexpr uint64_t kSizes[] = {uint64_t(PageSize::k1G), uint64_t(PageSize::k2M), kPageSize};
    base &= ~(kPageSize - 1);
    uint64_t limit = largest;
    while (base < end) {
        uint64_t size = kPageSize;
        for (uint64_t s : kSizes) {
            if (s <= limit && base % s == 0 && end - base >= s) {
                size = s;
                break;
            }
        }
        if (size == kPageSize) {
            // A run of small pages up to the next 2 MiB boundary in one
            // map_range call, which fills a page table without re-walking;
            // where something is already mapped, go page by page below.
            uint64_t run_end = (base | (k2MiB - 1)) + 1;
            if (run_end > end) run_end = (end + kPageSize - 1) & ~(kPageSize - 1);
            if (pt.map_range(base, base, run_end - base, kPageSize, flags) == x86::MapResult::ok) {
                if (pages) *pages += (run_end - base) / kPageSize;
                base = run_end;
                limit = largest;
                continue;
            }
        }
        x86::MapResult r = pt.map(base, base, size, flags);
        if (r == x86::MapResult::ok) {
            if (pages) ++*pages;
        } else if (r == x86::MapResult::out_of_memory) {
            return false;
        } else if (auto t = pt.translate(base); t.present) {
            size = t.page_size - (base & (t.page_size - 1));  // already mapped: skip it
        } else if (size > kPageSize) {
            limit = size / 512;  // a smaller mapping lives inside: one size down
            continue;
        } else {
            return false;  // cannot happen for a canonical, aligned 4 KiB page
        }
        limit = largest;
        if (base + size < base) break;
        base += size;
    }
    return true;
}

// Counts the table pages below `table` at `level` (4 = PML4) and, when
// `release_tables`, frees them. Leaves are not freed: they are the mapped
// memory.
uint64_t walk_tables(uint64_t table, unsigned level, bool release_tables) {
    uint64_t count = 1;
    if (level > 1) {
        auto* entries = reinterpret_cast<uint64_t*>(table);
        for (unsigned i = 0; i < 512; ++i) {
            uint64_t e = entries[i];
            if (!(e & x86::kPtePresent) || (level <= 3 && (e & x86::kPteLarge))) continue;
            count += walk_tables(e & x86::kPteAddrMask, level - 1, release_tables);
        }
    }
    if (release_tables) release(table, PageSize::k4K);
    return count;
}

}  // namespace

bool early_mem_init(const BootInfo& boot, void (*warn)(const char*)) {
    char line[160];
    report = warn;
    normalize_memory_map(boot.regions, boot.region_count, map);
    if (map.truncated) warn("memory map has more regions than hvbench keeps; the rest is ignored");
    uint64_t image = reinterpret_cast<uint64_t>(hvb_image_start);
    reserve_range(map, image, reinterpret_cast<uint64_t>(hvb_image_end) - image);
    for (size_t i = 0; i < boot.module_count; ++i)
        reserve_range(map, boot.modules[i].start, boot.modules[i].end - boot.modules[i].start);
    // The first MiB (real-mode structures, the AP trampoline) is never
    // handed out by the allocator.
    if (PageAllocator::bitmap_bytes(map, kOneMiB) == 0) {
        warn("no usable RAM above 1 MiB in the memory map");
        return false;
    }
    // The allocator's bitmap (a bit per page) lives in RAM the boot stub
    // mapped, taken out of the map before the allocator sees it.
    uint64_t bitmap_bytes = 0;
    uint64_t bitmap = PageAllocator::reserve_bitmap(map, kOneMiB, kFourGiB, &bitmap_bytes);
    if (bitmap == 0 || !allocator.init(map, kOneMiB, reinterpret_cast<uint64_t*>(bitmap), bitmap_bytes)) {
        snformat(line, sizeof line, "no room below 4 GiB for the page allocator's %lu-byte bitmap",
                 PageAllocator::bitmap_bytes(map, kOneMiB));
        warn(line);
        return false;
    }
    // The boot stub mapped the low 4 GiB; map RAM above it so every page the
    // allocator hands out is reachable 1:1.
    PageTable boot_tables;
    boot_tables.adopt(kTables, x86::read_cr3() & x86::kPteAddrMask);
    for (size_t i = 0; i < map.count; ++i) {
        const MemRegion& r = map.regions[i];
        if (r.type != MemType::usable || r.base + r.length <= kFourGiB) continue;
        uint64_t base = r.base < kFourGiB ? kFourGiB : r.base;
        if (!map_identity(boot_tables, base, r.base + r.length, uint64_t(PageSize::k2M),
                          x86::kPtePresent | x86::kPteWritable, nullptr)) {
            snformat(line, sizeof line, "out of memory mapping RAM at 0x%lx", base);
            warn(line);
            return false;
        }
    }
    x86::write_cr3(x86::read_cr3());
    return true;
}

const MemoryMap& memory_map() { return map; }
PageAllocator& page_allocator() { return allocator; }

uint64_t alloc_page(PageSize size) {
    uint64_t phys = allocator.alloc(size);
    if (phys) __builtin_memset(reinterpret_cast<void*>(phys), 0, size_t(size));
    return phys;
}

void free_page(uint64_t phys, PageSize size) { release(phys, size); }

AddressSpace current_address_space() { return AddressSpace{x86::read_cr3() & x86::kPteAddrMask}; }
void switch_address_space(AddressSpace as) { x86::write_cr3(as.root); }

bool setup_mmu(PageSize granularity, AddressSpace* out, uint64_t* tables, uint64_t limit) {
    PageTable pt;
    if (!pt.create(kTables)) return false;
    uint64_t flags = x86::kPtePresent | x86::kPteWritable;
    uint64_t largest = uint64_t(granularity);
    // Everything the kernel may touch after switching: the first MiB, every
    // region of the memory map (RAM, ACPI, reserved) and the local APIC.
    bool ok = map_identity(pt, 0, kOneMiB < limit ? kOneMiB : limit, largest, flags, nullptr);
    for (size_t i = 0; ok && i < map.count; ++i) {
        uint64_t base = map.regions[i].base, end = base + map.regions[i].length;
        if (end > limit) end = limit;
        if (base < end) ok = map_identity(pt, base, end, largest, flags, nullptr);
    }
    if (ok && x86::apic_mmio_base())
        ok = map_identity(pt, x86::apic_mmio_base(), x86::apic_mmio_base() + kPageSize, kPageSize,
                          flags | x86::kPteCacheDisable | x86::kPteWriteThrough, nullptr);
    if (!ok) {
        walk_tables(pt.root(), 4, true);
        return false;
    }
    out->root = pt.root();
    if (tables) *tables = walk_tables(pt.root(), 4, false);
    return true;
}

void destroy_address_space(AddressSpace as) {
    if (as.root == current_address_space().root) return;
    walk_tables(as.root, 4, true);
}

bool install_pte(AddressSpace as, uint64_t virt, uint64_t phys, PageSize size, uint32_t flags) {
    return kAddressSpaces.install(as, virt, phys, size, flags);
}

bool install_range(AddressSpace as, uint64_t virt, uint64_t phys, uint64_t length, PageSize size, uint32_t flags) {
    return kAddressSpaces.install_range(as, virt, phys, length, size, flags);
}

uint64_t unmap_page(AddressSpace as, uint64_t virt) { return kAddressSpaces.unmap(as, virt); }

uint64_t translate(AddressSpace as, uint64_t virt) { return kAddressSpaces.translate(as, virt); }

void tlb_flush_all() { x86::write_cr3(x86::read_cr3()); }
void tlb_flush_page(uint64_t virt) { asm volatile("invlpg (%0)" ::"r"(virt) : "memory"); }

uint64_t alloc_untouched(uint64_t bytes) { return allocator.alloc_untouched(bytes); }

bool has_1g_pages() { return x86::has_1g_pages(); }

namespace x86 {

uint64_t low_memory_page() {
    constexpr uint64_t kLowest = 0x1000, kEnd = 0xA0000;
    for (size_t i = 0; i < map.count; ++i) {
        const MemRegion& r = map.regions[i];
        if (r.type != MemType::usable) continue;
        uint64_t base = r.base < kLowest ? kLowest : r.base;
        if (base + kPageSize <= r.base + r.length && base + kPageSize <= kEnd) return base;
    }
    return 0;
}

}  // namespace x86
}  // namespace hvb
