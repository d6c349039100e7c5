// arch/aarch64/platform.h — the machine as the boot found it: the device
// tree's contents, the EL the kernel was entered at, the CPUs brought up.
#pragma once

#include <stdint.h>

#include "arch/aarch64/counters.h"
#include "arch/aarch64/dtb.h"

namespace hvb::arm {

inline constexpr uint32_t kMaxCpus = HVB_MAX_CPUS;

// The aarch64 features a benchmark may need (kernel/benchmark.h
// need_arch_feature; posih/cpu.h arch_feature_missing).
inline constexpr unsigned kFeatureGic = 0;
inline constexpr unsigned kFeaturePsci = 1;
inline constexpr unsigned kFeatureVirtioMmio = 2;

struct Platform {
    DtbInfo dt;
    const char* dt_error;   // "" when the tree parsed
    uint64_t dtb_phys;
    uint32_t entry_el;      // 2 when the loader entered at EL2 (then dropped to EL1)
    bool mmu_ok;
    bool gic_ok;
    uint32_t cpus_online;
    uint64_t cpu_mpidr[kMaxCpus];
    ClockChoice clock;
};

const Platform& platform();

// The boot CPU, in order: device tree, console, MMU, exceptions, GIC, PSCI.
// Returns false when there is no usable device tree (nothing else can be
// found then; the console may still be silent).
bool platform_init(uint64_t dtb, uint32_t entry_el);
// Starts every CPU the tree lists through PSCI CPU_ON; each runs
// `secondary_main(index)` once it is set up. Returns the CPUs online.
uint32_t start_secondaries(void (*secondary_main)(uint32_t), void (*warn)(const char*));

void console_out(const char* s, uint64_t n);
// The console device, unlocked: the DT's PL011, or under Xen (whose dom0 gets
// no UART: Xen keeps it) Xen's console through CONSOLEIO_write (xen.h).
void console_device_write(const char* s, size_t n);
// "uart", "xen-consoleio", or "none" when there is neither.
const char* console_device_name();
void console_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Leaves through PSCI SYSTEM_OFF; parks the CPU if that returns.
[[noreturn]] void power_off();

uint32_t cpu_index();  // TPIDR_EL1, set at each CPU's start

}  // namespace hvb::arm
