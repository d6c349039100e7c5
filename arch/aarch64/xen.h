// arch/aarch64/xen.h — Xen on Arm, as hvbench sees it from its dom0: Xen is
// found through the device tree (a /hypervisor node compatible with
// "xen,xen"; Xen's docs/misc/arm/device-tree/guest.txt), and called with
// HVC #0xEA1, the hypercall number in x16 and the arguments in x0..x4
// (xen/include/public/arch-arm.h, "Hypercall calling convention").
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/aarch64/counters.h"
#include "arch/aarch64/dtb.h"
#include "posih/cpu.h"

namespace hvb::arm {

// Hypercall numbers and sub-commands (xen/include/public/xen.h, version.h,
// sched.h).
inline constexpr uint64_t kXenHypercallXenVersion = 17;
inline constexpr uint64_t kXenHypercallConsoleIo = 18;
inline constexpr uint64_t kXenHypercallSchedOp = 29;
inline constexpr uint64_t kXenConsoleIoWrite = 0;
inline constexpr uint64_t kXenVersionVersion = 0;  // XENVER_version: major << 16 | minor
inline constexpr uint64_t kXenVersionGetFeatures = 6;
inline constexpr uint32_t kXenFeatureDom0 = 11;  // in submap 0
inline constexpr uint64_t kXenSchedOpShutdown = 2;
inline constexpr uint32_t kXenShutdownPoweroff = 0;
inline constexpr uint32_t kXenShutdownCrash = 3;

// The tree's /hypervisor node names Xen ("xen,xen" or "xen,xen-<version>").
bool xen_in_device_tree(const DtbInfo& dt);

// One hypercall; returns x0.
int64_t xen_hypercall(uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2);

// XENVER_version: major << 16 | minor (0x40011 for 4.17).
uint32_t xen_version();

// CONSOLEIO_write: Xen writes the bytes to its own console for the hardware
// domain (dom0). Writes in pieces Xen accepts whole.
void xen_console_write(const char* s, size_t n);

// The header's hypervisor detail under Xen: its version ("4.17", from
// XENVER_version) and the domain ("dom0" when XENVER_get_features has
// XENFEAT_dom0, else "domU").
HypervisorDetail xen_detail();

// The benchmark clock under Xen: CNTVCT_EL0. Xen gives its guests no PMU
// (PMCR_EL0 reads 0, PMCCNTR_EL0 reads as zero, PMCCFILTR_EL0 is undefined),
// so choose_bench_clock's probe is not run there.
ClockChoice xen_bench_clock();

// SCHEDOP_shutdown with `reason`: Xen halts the machine when dom0 goes
// (QEMU exits). Returns only when Xen refused.
void xen_shutdown(uint32_t reason);

}  // namespace hvb::arm
