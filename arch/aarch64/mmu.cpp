// arch/aarch64/mmu.cpp — the boot identity map (mmu.h).
#include "arch/aarch64/mmu.h"

#include "arch/aarch64/sysreg.h"

extern "C" char hvb_image_start[], hvb_bss_end[];

namespace hvb::arm {
namespace {

constexpr uint64_t kGiB = 1ull << 30, kMiB2 = 2ull << 20;
constexpr size_t kMaxL2 = 16;
constexpr size_t kMaxRanges = DtbInfo::kMaxMemory;

// MAIR_EL1: 0 Device-nGnRnE, 1 Normal write-back RW-allocate, 2 Normal non-cacheable.
constexpr uint64_t kMair = 0x00ull | (0xffull << 8) | (0x44ull << 16);
// TCR_EL1: T0SZ = 64 - 48, inner/outer write-back walks, inner shareable,
// 4 KiB granule; EPD1: no walks through TTBR1. IPS is set from the CPU.
constexpr uint64_t kTcr = (64 - kVaBits) | (1ull << 8) | (1ull << 10) | (3ull << 12) | (1ull << 23);
constexpr uint64_t kSctlrMmuCaches = (1ull << 0) | (1ull << 2) | (1ull << 12);  // M, C, I

alignas(4096) uint64_t g_l0[512];  // entry 0: g_l1, the first 512 GiB
alignas(4096) uint64_t g_l1[512];
alignas(4096) uint64_t g_l2[kMaxL2][512];
size_t g_l2_used;
DtbRange g_ram[kMaxRanges];
size_t g_ram_count;

constexpr uint64_t kNormal = kDescAttrNormal | kDescInnerShareable | kDescAccessFlag;
constexpr uint64_t kDevice = kDescAttrDevice | kDescAccessFlag | kDescPxn | kDescUxn;

// How [base, base+size) relates to RAM: 2 all RAM, 0 none, 1 partly.
int ram_cover(uint64_t base, uint64_t size) {
    uint64_t covered = 0;
    for (size_t i = 0; i < g_ram_count; ++i) {
        const uint64_t lo = g_ram[i].base > base ? g_ram[i].base : base;
        const uint64_t r_end = g_ram[i].base + g_ram[i].size;
        const uint64_t hi = r_end < base + size ? r_end : base + size;
        if (hi > lo) covered += hi - lo;
    }
    return covered == 0 ? 0 : covered >= size ? 2 : 1;
}

void fill_l2(uint64_t* l2, uint64_t gib_base) {
    for (uint64_t j = 0; j < 512; ++j) {
        const uint64_t pa = gib_base + j * kMiB2;
        // A 2 MiB block only part RAM is mapped as RAM: device registers are
        // not laid out inside RAM's 2 MiB on any platform hvbench knows.
        l2[j] = pa | kDescBlock | (ram_cover(pa, kMiB2) != 0 ? kNormal : kDevice);
    }
}

// With the MMU off the tables and everything written so far went straight to
// memory; lines the loader left in the caches for those addresses must not
// shadow them once the caches are on.
void invalidate_range(uint64_t start, uint64_t end) {
    const uint64_t line = 4ull << ((HVB_MRS(ctr_el0) >> 16) & 0xf);  // DminLine, in words
    for (uint64_t a = start & ~(line - 1); a < end; a += line) asm volatile("dc ivac, %0" ::"r"(a) : "memory");
    dsb_sy();
}

}  // namespace

bool mmu_init(const DtbRange* memory, size_t count) {
    g_ram_count = 0;
    for (size_t i = 0; i < count && i < kMaxRanges; ++i) g_ram[g_ram_count++] = memory[i];
    g_l2_used = 0;
    bool ok = true;
    for (uint64_t i = 0; i < 512; ++i) {
        const uint64_t base = i * kGiB;
        const int cover = ram_cover(base, kGiB);
        if (cover == 1 && g_l2_used < kMaxL2) {
            uint64_t* l2 = g_l2[g_l2_used++];
            fill_l2(l2, base);
            g_l1[i] = reinterpret_cast<uint64_t>(l2) | kDescTable;
        } else {
            ok = ok && cover != 1;
            g_l1[i] = base | kDescBlock | (cover != 0 ? kNormal : kDevice);
        }
    }
    g_l0[0] = reinterpret_cast<uint64_t>(g_l1) | kDescTable;
    dsb_sy();
    invalidate_range(reinterpret_cast<uint64_t>(hvb_image_start), reinterpret_cast<uint64_t>(hvb_bss_end));
    mmu_enable_this_cpu();
    return ok;
}

void mmu_enable_this_cpu() {
    const uint64_t pa_range = HVB_MRS(id_aa64mmfr0_el1) & 7;
    HVB_MSR(mair_el1, kMair);
    HVB_MSR(tcr_el1, kTcr | (pa_range << 32));
    HVB_MSR(ttbr0_el1, reinterpret_cast<uint64_t>(g_l0));
    isb();
    asm volatile("tlbi vmalle1" ::: "memory");
    dsb_sy();
    isb();
    HVB_MSR(sctlr_el1, HVB_MRS(sctlr_el1) | kSctlrMmuCaches);
    isb();
}

uint64_t mmu_boot_root() { return reinterpret_cast<uint64_t>(g_l0); }

bool mmu_is_ram(uint64_t base, uint64_t size) { return ram_cover(base, size) == 2; }

}  // namespace hvb::arm
