// benchmarks/page_fault.cpp — a not-present #PF round trip: each iteration
// unmaps a page (PTE cleared, INVLPG) and reads it; the #PF handler checks
// CR2, maps the page again and returns, and the read is retried. Under
// nested paging (EPT/NPT) the guest takes the fault through its own IDT with
// no exit; under shadow paging #PF is intercepted (T_ext) and the PTE writes
// trap too. The control unmaps, flushes and maps the page itself, then reads
// it, so the page-table work cancels and what remains is the exception
// round trip (fault, dispatch, handler, IRET, retried load).
#include "kernel/benchmark.h"
#include "posih/interrupt.h"
#include "posih/memory.h"

namespace {

constexpr uint64_t kPage = 0x0000020000000000;  // 2 TiB: nothing lives there
// A second mapping in the same page table keeps that table (and those above)
// from being freed by every unmap_page and rebuilt by every install_pte.
constexpr uint64_t kAnchor = kPage + 4096;
uint64_t frame;  // the physical page behind both

bool map(uint64_t virt) {
    return hvb::install_pte(hvb::current_address_space(), virt, frame, hvb::PageSize::k4K, hvb::kMapWritable);
}

// Not-present faults on kPage only; anything else goes on to the fault guard.
bool on_page_fault(hvb::InterruptContext& c) {
    if (hvb::fault_address(c) != kPage || !hvb::fault_not_mapped(c)) return false;
    return map(kPage);  // not-present entries are never cached: no flush
}

void unmap(uint64_t virt) {
    hvb::unmap_page(hvb::current_address_space(), virt);
    hvb::tlb_flush_page(virt);
}

void page_fault_cleanup() {
    hvb::set_fault_handler(hvb::FaultKind::page_fault, nullptr);
    unmap(kPage);
    unmap(kAnchor);
    if (frame) hvb::free_page(frame, hvb::PageSize::k4K);
    frame = 0;
}

const char* page_fault_init() {
    hvb::AddressSpace as = hvb::current_address_space();
    if (hvb::translate(as, kPage) != ~0ull || hvb::translate(as, kAnchor) != ~0ull) return "2 TiB is already mapped";
    frame = hvb::alloc_page(hvb::PageSize::k4K);
    if (!frame) return "out of memory";
    if (!map(kAnchor) || !map(kPage)) {
        page_fault_cleanup();
        return "install_pte failed";
    }
    hvb::set_fault_handler(hvb::FaultKind::page_fault, on_page_fault);
    return nullptr;
}

void page_fault_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        unmap(kPage);
        (void)*reinterpret_cast<volatile uint64_t*>(kPage);
    }
}

void page_fault_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        unmap(kPage);
        map(kPage);
        (void)*reinterpret_cast<volatile uint64_t*>(kPage);
    }
}

}  // namespace

HVB_BENCHMARK(page_fault,
    .category = "exception",
    .summary = "read of an unmapped page; the #PF handler maps it and the read is retried",
    .init = page_fault_init,
    .benchmark = page_fault_loop,
    .control = page_fault_control,
    .cleanup = page_fault_cleanup,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
