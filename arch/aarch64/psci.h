// arch/aarch64/psci.h — the Power State Coordination Interface (ARM DEN
// 0022): firmware (or the hypervisor) called with HVC or SMC, whichever the
// device tree's /psci method names.
#pragma once

#include <stdint.h>

#include "arch/aarch64/dtb.h"

namespace hvb::arm {

inline constexpr uint32_t kPsciVersion = 0x84000000;
inline constexpr uint32_t kPsciSystemOff = 0x84000008;
inline constexpr uint32_t kPsciFeatures = 0x8400000a;
inline constexpr int64_t kPsciNotSupported = -1;
// SMC Calling Convention (ARM DEN 0028) calls through the same conduit.
inline constexpr uint32_t kSmcccVersion = 0x80000000;
inline constexpr uint32_t kSmcccVendorHypUid = 0x8600ff01;  // Vendor Specific Hypervisor Service Call UID

void psci_init(PsciConduit conduit, uint32_t cpu_on_function);
PsciConduit psci_conduit();
const char* psci_conduit_name();
// One call through the conduit: x0 = function, x1..x3 = arguments; returns
// x0..x3 (x0 = kPsciNotSupported without a conduit).
struct SmcccResult {
    uint64_t x0, x1, x2, x3;
};
SmcccResult smccc_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3);
// The same, x0 only.
int64_t psci_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3);
// The hypervisor's UID from its vendor service (SMCCC 1.1 and later, found
// through PSCI_FEATURES as the convention says: a call the firmware does not
// know would be an undefined instruction under QEMU's own PSCI); false when
// there is none.
bool smccc_hypervisor_uid(uint32_t uid[4]);
// Starts the CPU with MPIDR affinity `mpidr` at physical `entry`, x0 = context.
int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
// Never returns when PSCI works; returns when there is no conduit or it failed.
void psci_system_off();

}  // namespace hvb::arm
