// arch/aarch64/platform.cpp — bringing the machine up (platform.h).
#include "arch/aarch64/platform.h"

#include <stdarg.h>

#include "arch/aarch64/exception.h"
#include "arch/aarch64/gic.h"
#include "arch/aarch64/mmu.h"
#include "arch/aarch64/pl011.h"
#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/xen.h"
#include "posih/format.h"

extern "C" char hvb_secondary_entry[];

namespace hvb::arm {
namespace {

constexpr uint64_t kMaxDtbSize = 2u << 20;  // the booting protocol's limit
constexpr uint64_t kMpidrAffinity = 0xff00ffffffull;

Platform g_platform;
volatile uint32_t g_online;
void (*g_secondary_main)(uint32_t);
volatile uint32_t g_console_lock;

void lock_console() {
    while (__atomic_exchange_n(&g_console_lock, 1u, __ATOMIC_ACQUIRE) != 0) cpu_relax();
}
void unlock_console() { __atomic_store_n(&g_console_lock, 0u, __ATOMIC_RELEASE); }

void (*g_console_write)(const char*, size_t) = pl011_write;  // console_device_write

void sink_put(void*, const char* s, size_t n) { g_console_write(s, n); }

void fatal_line(const char* line) {
    console_printf("%s\n", line);
}

}  // namespace

const Platform& platform() { return g_platform; }

uint32_t cpu_index() { return static_cast<uint32_t>(HVB_MRS(tpidr_el1)); }

void console_device_write(const char* s, size_t n) { g_console_write(s, n); }

const char* console_device_name() {
    return g_console_write == xen_console_write ? "xen-consoleio" : pl011_present() ? "uart" : "none";
}

void console_out(const char* s, uint64_t n) {
    lock_console();
    g_console_write(s, n);
    unlock_console();
}

void console_printf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lock_console();
    vformat(Sink{sink_put, nullptr}, fmt, ap);
    unlock_console();
    va_end(ap);
}

bool platform_init(uint64_t dtb, uint32_t entry_el) {
    HVB_MSR(tpidr_el1, 0);
    Platform& p = g_platform;
    p.dtb_phys = dtb;
    p.entry_el = entry_el;
    p.dt_error = "";
    const void* blob = reinterpret_cast<const void*>(dtb);
    if (dtb == 0 || dtb_total_size(blob) == 0) {
        p.dt_error = "no device tree at x0";
        return false;
    }
    const bool parsed = parse_dtb(blob, kMaxDtbSize, p.dt, &p.dt_error);
    if (p.dt.uart_is_pl011) pl011_init(p.dt.uart.base);
    if (!p.dt.uart_is_pl011 && xen_in_device_tree(p.dt)) g_console_write = xen_console_write;
    if (!parsed) return false;
    p.mmu_ok = mmu_init(p.dt.memory, p.dt.memory_count);
    set_fatal_hooks(fatal_line, power_off);
    psci_init(p.dt.psci, p.dt.psci_cpu_on);
    p.gic_ok = gic_init(p.dt);
    p.cpus_online = 1;
    p.cpu_mpidr[0] = HVB_MRS(mpidr_el1) & kMpidrAffinity;
    return true;
}

uint32_t start_secondaries(void (*secondary_main)(uint32_t), void (*warn)(const char*)) {
    Platform& p = g_platform;
    g_secondary_main = secondary_main;
    g_online = 1;
    uint32_t next = 1;
    for (size_t i = 0; i < p.dt.cpu_count && next < kMaxCpus; ++i) {
        const uint64_t mpidr = p.dt.cpu_ids[i];
        if (mpidr == p.cpu_mpidr[0]) continue;
        p.cpu_mpidr[next] = mpidr;
        const int64_t r = psci_cpu_on(mpidr, reinterpret_cast<uint64_t>(hvb_secondary_entry), next);
        char line[96];
        if (r != 0) {
            snformat(line, sizeof line, "CPU with MPIDR 0x%llx: PSCI CPU_ON returned %lld",
                     static_cast<unsigned long long>(mpidr), static_cast<long long>(r));
            warn(line);
            continue;
        }
        // Wait up to ~1 s of counter time for it to report.
        const uint64_t freq = HVB_MRS(cntfrq_el0), t0 = HVB_MRS(cntvct_el0);
        while (__atomic_load_n(&g_online, __ATOMIC_ACQUIRE) <= next && HVB_MRS(cntvct_el0) - t0 < freq) cpu_relax();
        if (__atomic_load_n(&g_online, __ATOMIC_ACQUIRE) <= next) {
            snformat(line, sizeof line, "CPU with MPIDR 0x%llx did not come up within 1 s",
                     static_cast<unsigned long long>(mpidr));
            warn(line);
            continue;
        }
        ++next;
    }
    if (p.dt.cpus_truncated || p.dt.cpu_count > kMaxCpus) warn("more CPUs in the device tree than hvbench supports");
    p.cpus_online = next;
    return next;
}

[[noreturn]] void power_off() {
    psci_system_off();
    for (;;) wfe();
}

}  // namespace hvb::arm

// Each secondary, from start.S with its index: the boot CPU's translation
// tables and its own GIC interface, then the caller's function.
extern "C" void hvb_arm_secondary_main(uint64_t index) {
    using namespace hvb::arm;
    HVB_MSR(tpidr_el1, index);
    mmu_enable_this_cpu();
    gic_init_this_cpu();
    __atomic_store_n(&g_online, static_cast<uint32_t>(index) + 1, __ATOMIC_RELEASE);
    if (g_secondary_main != nullptr) g_secondary_main(static_cast<uint32_t>(index));
    for (;;) wfi();
}
