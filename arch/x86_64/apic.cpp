// arch/x86_64/apic.cpp — local APIC access, enabling, EOI and IPIs.
#include "arch/x86_64/apic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vectors.h"
#include "posih/interrupt.h"

namespace hvb::x86 {
namespace {

constexpr uint32_t kMsrApicBase = 0x1B;
constexpr uint64_t kApicBaseEnable = 1ull << 11;
constexpr uint64_t kApicBaseX2 = 1ull << 10;
constexpr uint32_t kMsrX2ApicFirst = 0x800;
constexpr uint32_t kMsrX2Icr = 0x830;
constexpr uint32_t kSvrEnable = 1u << 8;
constexpr uint32_t kLvtMasked = 1u << 16;

bool x2;
uintptr_t mmio;

void enable_here() {
    uint64_t base = rdmsr(kMsrApicBase);
    base |= kApicBaseEnable;
    // xAPIC -> x2APIC is a legal transition; x2APIC -> xAPIC is not without
    // a disable in between (SDM vol. 3, 10.12.5), which we never need.
    if (x2) base |= kApicBaseX2;
    wrmsr(kMsrApicBase, base);
    apic_write(kApicTpr, 0);                      // accept every priority
    apic_write(kApicLvtTimer, kLvtMasked | kVectorTimer);
    apic_write(kApicLvtError, kLvtMasked);
    apic_write(kApicSvr, kSvrEnable | kVectorSpurious);
}

}  // namespace

void apic_init_bsp(bool prefer_x2apic) {
    bool has_x2 = (cpuid(1).ecx >> 21) & 1;
    bool already_x2 = rdmsr(kMsrApicBase) & kApicBaseX2;  // firmware may have enabled it
    x2 = already_x2 || (prefer_x2apic && has_x2);
    mmio = x2 ? 0 : uintptr_t(rdmsr(kMsrApicBase) & 0x000FFFFFFFFFF000ull);
    enable_here();
}

void apic_init_ap() { enable_here(); }

bool apic_x2apic() { return x2; }
uintptr_t apic_mmio_base() { return mmio; }

uint32_t apic_read(uint32_t reg) {
    if (x2) return uint32_t(rdmsr(kMsrX2ApicFirst + (reg >> 4)));
    return *reinterpret_cast<volatile uint32_t*>(mmio + reg);
}

void apic_write(uint32_t reg, uint32_t value) {
    if (x2) {
        wrmsr(kMsrX2ApicFirst + (reg >> 4), value);
        return;
    }
    *reinterpret_cast<volatile uint32_t*>(mmio + reg) = value;
}

uint32_t apic_id() { return x2 ? apic_read(kApicId) : apic_read(kApicId) >> 24; }

void apic_send(uint32_t dest, uint32_t icr_low) {
    if (x2) {
        // One 64-bit write; the destination is the full x2APIC ID.
        wrmsr(kMsrX2Icr, (uint64_t(dest) << 32) | icr_low);
        return;
    }
    apic_write(kApicIcrHigh, dest << 24);
    apic_write(kApicIcrLow, icr_low);
    while (apic_read(kApicIcrLow) & kIcrDeliveryPending) pause();
}

void apic_eoi() { apic_write(kApicEoi, 0); }

}  // namespace hvb::x86
