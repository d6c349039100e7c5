// arch/x86_64/apic.h — the local APIC behind one interface, in xAPIC (MMIO)
// or x2APIC (MSR) mode. Register numbers are the xAPIC MMIO offsets; in
// x2APIC mode register r is MSR 0x800 + r/16 (Intel SDM vol. 3, 10.12.1.2).
#pragma once

#if !defined(__x86_64__)
#error "arch/x86_64/apic.h is x86_64-only"
#endif

#include <stdint.h>

namespace hvb::x86 {

enum ApicReg : uint32_t {
    kApicId = 0x20,
    kApicVersion = 0x30,
    kApicTpr = 0x80,
    kApicEoi = 0xB0,
    kApicSvr = 0xF0,
    kApicEsr = 0x280,
    kApicIcrLow = 0x300,
    kApicIcrHigh = 0x310,
    kApicLvtTimer = 0x320,
    kApicLvtLint0 = 0x350,
    kApicLvtLint1 = 0x360,
    kApicLvtError = 0x370,
    kApicTimerInitial = 0x380,
    kApicTimerCurrent = 0x390,
    kApicTimerDivide = 0x3E0,
};

// ICR bits (SDM vol. 3, 10.6.1).
inline constexpr uint32_t kIcrFixed = 0u << 8;
inline constexpr uint32_t kIcrInit = 5u << 8;
inline constexpr uint32_t kIcrStartup = 6u << 8;
inline constexpr uint32_t kIcrDeliveryPending = 1u << 12;
inline constexpr uint32_t kIcrAssert = 1u << 14;
inline constexpr uint32_t kIcrLevelTrigger = 1u << 15;
inline constexpr uint32_t kIcrSelf = 1u << 18;
inline constexpr uint32_t kIcrAllButSelf = 3u << 18;

// Enables the boot processor's APIC: x2APIC when the CPU has it and
// prefer_x2apic, else xAPIC at the address IA32_APIC_BASE gives.
void apic_init_bsp(bool prefer_x2apic);
// Enables an AP's APIC in the mode the BSP chose.
void apic_init_ap();
bool apic_x2apic();
uintptr_t apic_mmio_base();  // xAPIC register page (0 in x2APIC mode)

uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t value);
uint32_t apic_id();  // this processor's
// Sends an IPI: `icr_low` holds vector, delivery mode and shorthand;
// `dest` is the APIC ID (ignored with a shorthand). Waits for delivery in
// xAPIC mode.
void apic_send(uint32_t dest, uint32_t icr_low);
void apic_eoi();

}  // namespace hvb::x86
