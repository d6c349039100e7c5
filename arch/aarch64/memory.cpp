// arch/aarch64/memory.cpp — posih/memory.h on aarch64: the page allocator
// over the device tree's memory, address spaces built with
// arm::PageTable (arch/aarch64/page_table.h), TLB maintenance and TTBR0
// switches. Every page the allocator hands out is reachable 1:1 through the
// boot map (arch/aarch64/mmu.h: all RAM below 512 GiB).
#include "arch/aarch64/mmu.h"
#include "arch/aarch64/page_table.h"
#include "arch/aarch64/platform.h"
#include "arch/aarch64/sysreg.h"
#include "posih/address_space_tables.h"
#include "posih/format.h"
#include "posih/memory.h"

extern "C" char hvb_image_start[];
extern "C" char hvb_image_end[];

namespace hvb {
namespace {

using arm::PageTable;

constinit MemoryMap map{};
constinit PageAllocator allocator{};
using Reporter = void (*)(const char*);
constinit Reporter report = nullptr;

void release(uint64_t phys, PageSize size) {
    if (allocator.free(phys, size) || report == nullptr) return;
    char line[96];
    snformat(line, sizeof line, "page allocator refused to free 0x%lx (%lu bytes): not allocated", phys,
             uint64_t(size));
    report(line);
}

uint64_t* table_at(void*, uint64_t phys) { return reinterpret_cast<uint64_t*>(phys); }
uint64_t new_table(void*) { return alloc_page(PageSize::k4K); }
void free_table(void*, uint64_t phys) { release(phys, PageSize::k4K); }
constexpr arm::TableMemory kTables{table_at, new_table, free_table, nullptr};

uint64_t leaf_attrs(uint32_t flags) {
    uint64_t a = (flags & kMapUncached) ? arm::kLeafNonCached : arm::kLeafNormal;
    if (!(flags & kMapWritable)) a |= arm::kLeafReadOnly;
    if (flags & kMapUser) a |= arm::kLeafUser;
    if (flags & kMapNoExecute) a |= arm::kLeafPxn | arm::kLeafUxn;
    return a;
}

// install_pte, install_range, unmap_page and translate on arm::PageTable.
constexpr AddressSpaceTables<PageTable, arm::TableMemory> kAddressSpaces{kTables, leaf_attrs};

// Maps [base, end) 1:1 with the largest leaves up to `largest` alignment
// allows, skipping what is already mapped. False when tables run out.
bool map_identity(PageTable& pt, uint64_t base, uint64_t end, uint64_t largest, uint64_t attrs) {
    constexpr uint64_t kSizes[] = {uint64_t(PageSize::k1G), uint64_t(PageSize::k2M), kPageSize};
    base &= ~(kPageSize - 1);
    while (base < end) {
        uint64_t size = kPageSize;
        for (uint64_t s : kSizes) {
            if (s <= largest && base % s == 0 && end - base >= s) {
                size = s;
                break;
            }
        }
        const arm::MapResult r = pt.map(base, base, size, attrs);
        if (r == arm::MapResult::out_of_memory) return false;
        if (r != arm::MapResult::ok) {
            const auto t = pt.translate(base);
            if (!t.valid && size == kPageSize) return false;
            if (!t.valid) {
                largest = size / 512;  // something smaller inside: one size down
                continue;
            }
            size = t.page_size - (base & (t.page_size - 1));
        }
        if (base + size < base) break;
        base += size;
    }
    return true;
}

// The device registers the kernel touches: console, GIC, virtio-mmio.
bool map_devices(PageTable& pt) {
    const DtbInfo& dt = arm::platform().dt;
    const uint64_t device = arm::kLeafDevice | arm::kLeafPxn | arm::kLeafUxn;
    DtbRange ranges[4 + DtbInfo::kMaxVirtio] = {dt.uart, dt.gic_dist, dt.gic_cpu, dt.gic_redist};
    size_t n = 4;
    for (size_t i = 0; i < dt.virtio_count; ++i) ranges[n++] = dt.virtio[i];
    for (size_t i = 0; i < n; ++i) {
        if (ranges[i].base == 0 || ranges[i].size == 0) continue;
        if (!map_identity(pt, ranges[i].base, ranges[i].base + ranges[i].size, kPageSize, device)) return false;
    }
    return true;
}

void tlb_flush_local_all() {
    asm volatile("dsb ishst\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
}

}  // namespace

bool early_mem_init(const BootInfo& boot, void (*warn)(const char*)) {
    char line[160];
    report = warn;
    normalize_memory_map(boot.regions, boot.region_count, map);
    if (map.truncated) warn("memory map has more regions than hvbench keeps; the rest is ignored");
    const uint64_t image = reinterpret_cast<uint64_t>(hvb_image_start);
    reserve_range(map, image, reinterpret_cast<uint64_t>(hvb_image_end) - image);
    for (size_t i = 0; i < boot.module_count; ++i)
        reserve_range(map, boot.modules[i].start, boot.modules[i].end - boot.modules[i].start);
    if (PageAllocator::bitmap_bytes(map, 0) == 0) {
        warn("no usable RAM in the memory map");
        return false;
    }
    uint64_t bitmap_bytes = 0;
    const uint64_t bitmap = PageAllocator::reserve_bitmap(map, 0, arm::kInputLimitBytes, &bitmap_bytes);
    if (bitmap == 0 || !allocator.init(map, 0, reinterpret_cast<uint64_t*>(bitmap), bitmap_bytes)) {
        snformat(line, sizeof line, "no room for the page allocator's %lu-byte bitmap", PageAllocator::bitmap_bytes(map, 0));
        warn(line);
        return false;
    }
    return true;
}

const MemoryMap& memory_map() { return map; }
PageAllocator& page_allocator() { return allocator; }

uint64_t alloc_page(PageSize size) {
    const uint64_t phys = allocator.alloc(size);
    if (phys) __builtin_memset(reinterpret_cast<void*>(phys), 0, size_t(size));
    return phys;
}

void free_page(uint64_t phys, PageSize size) { release(phys, size); }

AddressSpace current_address_space() { return AddressSpace{HVB_MRS(ttbr0_el1) & arm::kOutputMask}; }

// A TTBR0_EL1 write, then the TLB flush that makes it take effect (no ASIDs:
// every entry is the old space's).
void switch_address_space(AddressSpace as) {
    asm volatile("dsb ishst" ::: "memory");
    HVB_MSR(ttbr0_el1, as.root);
    arm::isb();
    asm volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
}

bool setup_mmu(PageSize granularity, AddressSpace* out, uint64_t* tables, uint64_t limit) {
    PageTable pt;
    if (!pt.create(kTables)) return false;
    bool ok = true;
    for (size_t i = 0; ok && i < map.count; ++i) {
        const uint64_t base = map.regions[i].base;
        uint64_t end = base + map.regions[i].length;
        if (end > limit) end = limit;
        if (base < end) ok = map_identity(pt, base, end, uint64_t(granularity), arm::kLeafNormal);
    }
    ok = ok && map_devices(pt);
    if (!ok) {
        destroy_address_space(AddressSpace{pt.root()});
        return false;
    }
    if (tables != nullptr) {
        *tables = 0;
        pt.for_each_table([](void* c, uint64_t) { ++*static_cast<uint64_t*>(c); }, tables);
    }
    *out = AddressSpace{pt.root()};
    return true;
}

void destroy_address_space(AddressSpace as) {
    PageTable pt;
    pt.adopt(kTables, as.root);
    // Collect first: freeing while walking would read freed tables.
    constexpr size_t kMax = 4096;
    static uint64_t pages[kMax];
    struct Acc {
        uint64_t* p;
        size_t n;
    } acc{pages, 0};
    pt.for_each_table([](void* c, uint64_t phys) {
        auto* a = static_cast<Acc*>(c);
        if (a->n < kMax) a->p[a->n++] = phys;
    }, &acc);
    for (size_t i = 0; i < acc.n; ++i) release(pages[i], PageSize::k4K);
}

bool install_pte(AddressSpace as, uint64_t virt, uint64_t phys, PageSize size, uint32_t flags) {
    return kAddressSpaces.install(as, virt, phys, size, flags);
}

bool install_range(AddressSpace as, uint64_t virt, uint64_t phys, uint64_t length, PageSize size, uint32_t flags) {
    return kAddressSpaces.install_range(as, virt, phys, length, size, flags);
}

uint64_t unmap_page(AddressSpace as, uint64_t virt) { return kAddressSpaces.unmap(as, virt); }

uint64_t translate(AddressSpace as, uint64_t virt) { return kAddressSpaces.translate(as, virt); }

void tlb_flush_all() { tlb_flush_local_all(); }

void tlb_flush_page(uint64_t virt) {
    asm volatile("dsb ishst\n\ttlbi vae1is, %0\n\tdsb ish\n\tisb" ::"r"(virt >> 12) : "memory");
}

uint64_t alloc_untouched(uint64_t bytes) { return allocator.alloc_untouched(bytes); }

bool has_1g_pages() { return true; }

}  // namespace hvb
