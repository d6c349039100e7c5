// benchmarks/common/tlb_settle.h — a defined state of the platform's translation
// caches before a benchmark whose cost depends on their size.
//
// QEMU's TCG keeps a software TLB per address-space index and sizes it at
// each flush by how full it was: doubled when over 70% used, halved only
// when under 30% for a whole 100 ms window. A full flush costs in
// proportion to that size, so set_cr3 and tlb_flush measured what ran before
// them: set_cr3 alone 3,470-3,680 cycles, right after mem_hot (whose warm-up
// grows the TLB to 2048 entries) 4,330-4,540, and in the default suite one
// mode or the other by whether a shrink window had passed (selfbench
// 2026-12-07: 3,733 in one invocation, 4,434-4,520 in the others, unflagged).
// Calling this in a benchmark's init gives every pass the same start: the
// TLB sized for a 1024-page working set, whatever ran before, with a window
// just refilled so no shrink comes within the pass. On hardware it reads
// 4 MiB once more, outside the timed loops. A header of benchmarks/common,
// not a benchmark.
#pragma once

#include "posih/memory.h"
#include "posih/ops.h"

namespace hvb {
namespace tlb_settle_detail {

inline constexpr uint64_t kWindow = 0x0000050000000000ull;  // 5 TiB: nothing else lives there
inline constexpr uint64_t kPage = 4096;
inline constexpr uint64_t kPages = 1024;  // mem_hot's default working set (4 MiB)
// Flush-and-read rounds: from TCG's smallest TLB (64 entries) to 2048 is
// five doublings, one per flush; a sixth finds it steady.
inline constexpr int kRounds = 6;

inline bool mapped = false;

}  // namespace tlb_settle_detail

// Reads one word of each 4 KiB page of [virt, virt + bytes) after each of
// `rounds` full TLB flushes: what grows QEMU's software TLB (one doubling
// per flush while over 70% full) until the working set fits, and on
// hardware refills the TLB once more.
inline void reread_after_flushes(uint64_t virt, uint64_t bytes, int rounds) {
    for (int round = 0; round < rounds; ++round) {
        tlb_flush_all();
        for (uint64_t p = virt; p < virt + bytes; p += tlb_settle_detail::kPage) load64(p);
    }
}

// Reads one word of each page of a 4 MiB working set (mapped at the first
// call, in a window of its own, and kept) after each of a few full TLB
// flushes. Returns nullptr, or why the working set could not be set up.
inline const char* settle_translation_caches() {
    using namespace tlb_settle_detail;
    if (!mapped) {
        uint64_t phys = page_allocator().alloc_contiguous(PageSize::k4K, kPages);
        if (!phys) return "not enough free memory to settle the TLB (4 MiB)";
        if (!install_range(current_address_space(), kWindow, phys, kPages * kPage, PageSize::k4K, kMapWritable))
            return "could not map the TLB settling area";
        mapped = true;
    }
    reread_after_flushes(kWindow, kPages * kPage, kRounds);
    return nullptr;
}

}  // namespace hvb
