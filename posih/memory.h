// posih/memory.h — physical memory and the MMU (HyperBench's early_mem_init,
// setup_mmu, install_pte, heap_alloc_page, mem_tlb_flush).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "posih/bootinfo.h"
#include "posih/memmap.h"
#include "posih/page_alloc.h"

namespace hvb {

// Builds the normalized memory map from the boot information, reserves the
// kernel image, boot modules and the first MiB, starts the page allocator
// and maps all RAM above 4 GiB 1:1 (the boot stub maps the low 4 GiB).
// Returns false (with the reason through `warn`) if no usable RAM remains.
bool early_mem_init(const BootInfo& boot, void (*warn)(const char* message));

const MemoryMap& memory_map();
PageAllocator& page_allocator();
// heap_alloc_page: one zeroed page of `size`, or 0.
uint64_t alloc_page(PageSize size);
void free_page(uint64_t phys, PageSize size);

// Mapping flags, portable names for the arch's page-table entry bits.
enum MapFlag : uint32_t {
    kMapWritable = 1u << 0,
    kMapUser = 1u << 1,
    kMapNoExecute = 1u << 2,
    kMapUncached = 1u << 3,
};

// An address space: a page-table root. The kernel starts in the boot one.
struct AddressSpace {
    uint64_t root;
};
AddressSpace current_address_space();
// Switches to `as` (the arch's page-table root switch; it flushes the
// TLB's non-global entries).
void switch_address_space(AddressSpace as);

// setup_mmu: a new address space mapping all of RAM 1:1 (and the devices the
// kernel uses) with pages of `granularity`, where alignment allows;
// smaller pages fill the edges. Returns false when memory runs out (the
// partial tables are freed). *tables (unless null: counting walks every
// table once more) receives the number of table pages used.
// With `limit`, only physical addresses below it are mapped (plus the
// interrupt controller's registers): a fixed amount of page-table work
// whatever the machine's RAM.
bool setup_mmu(PageSize granularity, AddressSpace* out, uint64_t* tables, uint64_t limit = ~0ull);
// Frees every table page of an address space made by setup_mmu (never the
// current one).
void destroy_address_space(AddressSpace as);

// install_pte: maps one page of `size` at virt -> phys in `as`.
// Returns false (with nothing changed) if the slot is taken, misaligned or
// tables cannot be allocated.
bool install_pte(AddressSpace as, uint64_t virt, uint64_t phys, PageSize size, uint32_t flags);
// Maps [virt, virt+length) -> [phys, ...) with pages of `size` (length a
// multiple of it). On failure the pages mapped so far stay mapped.
bool install_range(AddressSpace as, uint64_t virt, uint64_t phys, uint64_t length, PageSize size, uint32_t flags);
// Unmaps the page holding virt; returns its size (0 if none was mapped).
// The caller flushes the TLB.
uint64_t unmap_page(AddressSpace as, uint64_t virt);
// Physical address `virt` translates to in `as`, or ~0 when unmapped.
uint64_t translate(AddressSpace as, uint64_t virt);

void tlb_flush_all();
void tlb_flush_page(uint64_t virt);

// Never-touched memory for cold-memory benchmarks (see PageAllocator).
uint64_t alloc_untouched(uint64_t bytes);

// Whether the CPU can map 1 GiB pages.
bool has_1g_pages();

}  // namespace hvb
