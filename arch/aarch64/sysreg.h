// arch/aarch64/sysreg.h — system register access and barriers. Registers
// the assembler may not know by name (GICv3's ICC_*) are given by their
// encoding (ARM ARM C5.3).
#pragma once

#include <stdint.h>

// Two levels, so that a register given as a macro (HVB_ICC_*) expands first.
#define HVB_STR_(x) #x
#define HVB_STR(x) HVB_STR_(x)
#define HVB_MRS(reg)                                          \
    ({                                                        \
        uint64_t hvb_v_;                                      \
        asm volatile("mrs %0, " HVB_STR(reg) : "=r"(hvb_v_)); \
        hvb_v_;                                               \
    })
#define HVB_MSR(reg, value) \
    asm volatile("msr " HVB_STR(reg) ", %0" ::"r"(static_cast<uint64_t>(value)) : "memory")

#define HVB_ICC_IAR1_EL1 S3_0_C12_C12_0
#define HVB_ICC_EOIR1_EL1 S3_0_C12_C12_1
#define HVB_ICC_PMR_EL1 S3_0_C4_C6_0
#define HVB_ICC_SGI1R_EL1 S3_0_C12_C11_5
#define HVB_ICC_SRE_EL1 S3_0_C12_C12_5
#define HVB_ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define HVB_ICC_CTLR_EL1 S3_0_C12_C12_4

namespace hvb::arm {

inline void isb() { asm volatile("isb" ::: "memory"); }
inline void dsb_sy() { asm volatile("dsb sy" ::: "memory"); }
inline void dsb_ish() { asm volatile("dsb ish" ::: "memory"); }
inline void wfi() { asm volatile("wfi" ::: "memory"); }
inline void wfe() { asm volatile("wfe" ::: "memory"); }
inline void sev() { asm volatile("sev" ::: "memory"); }
inline void cpu_relax() { asm volatile("yield" ::: "memory"); }

inline uint32_t mmio_read32(uint64_t addr) {
    uint32_t v;
    asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}
inline void mmio_write32(uint64_t addr, uint32_t v) {
    asm volatile("str %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
}
inline uint64_t mmio_read64(uint64_t addr) {
    uint64_t v;
    asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}
inline void mmio_write8(uint64_t addr, uint8_t v) {
    asm volatile("strb %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
}

// DAIF.I: IRQs masked?
inline uint64_t irq_save() {
    const uint64_t daif = HVB_MRS(daif);
    asm volatile("msr daifset, #2" ::: "memory");
    return daif;
}
inline void irq_restore(uint64_t daif) { HVB_MSR(daif, daif); }
inline void irq_enable() { asm volatile("msr daifclr, #2" ::: "memory"); }
inline void irq_disable() { asm volatile("msr daifset, #2" ::: "memory"); }

}  // namespace hvb::arm
