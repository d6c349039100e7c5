// arch/aarch64/gic.h — the Generic Interrupt Controller, v2 (memory-mapped
// CPU interface: ARM IHI 0048B) or v3 (system-register CPU interface,
// redistributors: ARM IHI 0069), as the device tree describes it.
//
// INTIDs 0-15 are SGIs (software-generated: IPIs), 16-31 PPIs (per CPU: the
// timers), 1020-1023 special (1023: spurious).
#pragma once

#include <stdint.h>

#include "arch/aarch64/dtb.h"

namespace hvb::arm {

inline constexpr uint32_t kGicSpurious = 1023;

// Sets up the distributor and the calling CPU's interface. False (and the
// GIC unused) when the tree names none or the redistributor is not found.
bool gic_init(const DtbInfo& dt);
// Each secondary CPU: its redistributor (v3) and CPU interface.
bool gic_init_this_cpu();
uint8_t gic_version();
uint64_t gic_dist_base();

// Acknowledge (IAR) and complete (EOIR) the highest-priority pending interrupt.
uint32_t gic_ack();
void gic_eoi(uint32_t intid);
// The priority mask: interrupts of priority value >= mask are held back.
void gic_set_priority_mask(uint8_t mask);
// Enables a PPI or SGI on this CPU.
void gic_enable_private(uint32_t intid);
// SGI `intid` to the CPU with MPIDR `mpidr`, to all others, or to itself.
void gic_send_sgi(uint32_t intid, uint64_t mpidr);
void gic_send_sgi_others(uint32_t intid);
void gic_send_sgi_self(uint32_t intid);

}  // namespace hvb::arm
