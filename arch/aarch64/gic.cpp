// arch/aarch64/gic.cpp — GICv2 and GICv3 (gic.h).
#include "arch/aarch64/gic.h"

#include "arch/aarch64/sysreg.h"

namespace hvb::arm {
namespace {

// Distributor (both versions).
constexpr uint64_t kGicdCtlr = 0x000, kGicdIsenabler = 0x100, kGicdIpriority = 0x400, kGicdSgir = 0xf00;
constexpr uint64_t kGicdIgroupr = 0x080;
// GICv2 CPU interface.
constexpr uint64_t kGiccCtlr = 0x00, kGiccPmr = 0x04, kGiccIar = 0x0c, kGiccEoir = 0x10;
// GICv3 redistributor: RD_base frame, then the SGI_base frame 64 KiB on.
constexpr uint64_t kGicrWaker = 0x14, kGicrTyper = 0x08, kGicrSgiFrame = 0x10000;
constexpr uint32_t kWakerProcessorSleep = 1u << 1, kWakerChildrenAsleep = 1u << 2;
constexpr uint32_t kRwp = 1u << 31;
constexpr uint8_t kDefaultPriority = 0xa0;
constexpr uint8_t kOpenMask = 0xf0;

uint8_t g_version;
uint64_t g_dist, g_cpu, g_redist, g_redist_size;
uint64_t g_my_redist[64];  // per CPU index (TPIDR_EL1), set by gic_init_this_cpu

uint32_t this_index() { return static_cast<uint32_t>(HVB_MRS(tpidr_el1)); }

void wait_rwp(uint64_t reg) {
    for (int i = 0; i < 1000000 && (mmio_read32(reg) & kRwp); ++i) cpu_relax();
}

// GICR_TYPER[63:32] is the redistributor's affinity Aff3.Aff2.Aff1.Aff0.
uint64_t find_redistributor() {
    const uint64_t mpidr = HVB_MRS(mpidr_el1);
    const uint64_t aff = ((mpidr >> 8) & 0xff000000) | (mpidr & 0xffffff);
    for (uint64_t rd = g_redist; rd + 0x20000 <= g_redist + g_redist_size;) {
        const uint64_t typer = mmio_read64(rd + kGicrTyper);
        if ((typer >> 32) == aff) return rd;
        if (typer & (1u << 4)) break;                    // Last
        rd += (typer & (1u << 1)) ? 0x40000 : 0x20000;   // VLPIS: GICv4 has two more frames
    }
    return 0;
}

void private_priorities(uint64_t ipriority) {
    for (uint32_t i = 0; i < 32; i += 4)
        mmio_write32(ipriority + i, 0x01010101u * kDefaultPriority);
}

bool v3_cpu_init() {
    const uint64_t rd = find_redistributor();
    if (rd == 0) return false;
    g_my_redist[this_index() % 64] = rd;
    mmio_write32(rd + kGicrWaker, mmio_read32(rd + kGicrWaker) & ~kWakerProcessorSleep);
    for (int i = 0; i < 1000000 && (mmio_read32(rd + kGicrWaker) & kWakerChildrenAsleep); ++i) cpu_relax();
    const uint64_t sgi = rd + kGicrSgiFrame;
    mmio_write32(sgi + kGicdIgroupr, 0xffffffffu);  // SGIs and PPIs in group 1
    private_priorities(sgi + kGicdIpriority);
    mmio_write32(sgi + kGicdIsenabler, 0x0000ffffu);  // the SGIs
    wait_rwp(rd);
    HVB_MSR(HVB_ICC_SRE_EL1, HVB_MRS(HVB_ICC_SRE_EL1) | 1);
    isb();
    HVB_MSR(HVB_ICC_PMR_EL1, kOpenMask);
    HVB_MSR(HVB_ICC_CTLR_EL1, 0);  // EOImode 0: EOIR both drops priority and deactivates
    HVB_MSR(HVB_ICC_IGRPEN1_EL1, 1);
    isb();
    return true;
}

bool v2_cpu_init() {
    mmio_write32(g_dist + kGicdIgroupr, 0);  // banked: group 0 ... as the NS view sees it
    private_priorities(g_dist + kGicdIpriority);
    mmio_write32(g_dist + kGicdIsenabler, 0x0000ffffu);
    mmio_write32(g_cpu + kGiccPmr, kOpenMask);
    mmio_write32(g_cpu + kGiccCtlr, 1);
    return true;
}

}  // namespace

bool gic_init(const DtbInfo& dt) {
    g_version = 0;
    if (dt.gic_version == 0) return false;
    g_dist = dt.gic_dist.base;
    g_cpu = dt.gic_cpu.base;
    g_redist = dt.gic_redist.base;
    g_redist_size = dt.gic_redist.size;
    if (dt.gic_version == 3) {
        // ARE and both group-1 enables (bit meanings differ with the
        // security state; this value is right in each: IHI 0069 12.9.4).
        mmio_write32(g_dist + kGicdCtlr, 0);
        wait_rwp(g_dist + kGicdCtlr);
        mmio_write32(g_dist + kGicdCtlr, (1u << 4) | (1u << 1) | (1u << 0));
        wait_rwp(g_dist + kGicdCtlr);
    } else {
        mmio_write32(g_dist + kGicdCtlr, 1);
    }
    g_version = dt.gic_version;
    if (!gic_init_this_cpu()) {
        g_version = 0;
        return false;
    }
    return true;
}

bool gic_init_this_cpu() {
    if (g_version == 3) return v3_cpu_init();
    if (g_version == 2) return v2_cpu_init();
    return false;
}

uint8_t gic_version() { return g_version; }
uint64_t gic_dist_base() { return g_dist; }

uint32_t gic_ack() {
    if (g_version == 3) {
        const uint32_t id = static_cast<uint32_t>(HVB_MRS(HVB_ICC_IAR1_EL1)) & 0xffffff;
        dsb_sy();
        return id;
    }
    return mmio_read32(g_cpu + kGiccIar);  // v2: bits 12:10 name an SGI's source, kept for EOIR
}

void gic_eoi(uint32_t intid) {
    if (g_version == 3)
        HVB_MSR(HVB_ICC_EOIR1_EL1, intid);
    else
        mmio_write32(g_cpu + kGiccEoir, intid);
}

void gic_set_priority_mask(uint8_t mask) {
    if (g_version == 3)
        HVB_MSR(HVB_ICC_PMR_EL1, mask);
    else
        mmio_write32(g_cpu + kGiccPmr, mask);
}

void gic_enable_private(uint32_t intid) {
    if (intid >= 32) return;
    if (g_version == 3)
        mmio_write32(g_my_redist[this_index() % 64] + kGicrSgiFrame + kGicdIsenabler, 1u << intid);
    else
        mmio_write32(g_dist + kGicdIsenabler, 1u << intid);
}

void gic_send_sgi(uint32_t intid, uint64_t mpidr) {
    dsb_ish();  // stores before the SGI are visible to its handler
    if (g_version == 3) {
        const uint64_t v = (uint64_t{intid & 0xf} << 24) | (((mpidr >> 32) & 0xff) << 48) |
                           (((mpidr >> 16) & 0xff) << 32) | (((mpidr >> 8) & 0xff) << 16) |
                           (1ull << (mpidr & 0xf));
        HVB_MSR(HVB_ICC_SGI1R_EL1, v);
        isb();
        return;
    }
    // GICv2 targets by CPU interface number; QEMU and GIC-400 number them by
    // Aff0 within one cluster.
    mmio_write32(g_dist + kGicdSgir, ((1u << (mpidr & 7)) << 16) | (intid & 0xf));
}

void gic_send_sgi_others(uint32_t intid) {
    dsb_ish();
    if (g_version == 3) {
        HVB_MSR(HVB_ICC_SGI1R_EL1, (uint64_t{intid & 0xf} << 24) | (1ull << 40));  // IRM: all but self
        isb();
        return;
    }
    mmio_write32(g_dist + kGicdSgir, (1u << 24) | (intid & 0xf));
}

void gic_send_sgi_self(uint32_t intid) {
    dsb_ish();
    if (g_version == 3) {
        gic_send_sgi(intid, HVB_MRS(mpidr_el1));
        return;
    }
    mmio_write32(g_dist + kGicdSgir, (2u << 24) | (intid & 0xf));
}

}  // namespace hvb::arm
