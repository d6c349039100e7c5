// arch/x86_64/platform.cpp — CPU identification, TSC frequency discovery and
// leaving the machine.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/firmware.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/xen.h"
#include "arch/x86_64/boot/acpi.h"
#include "arch/x86_64/boot/boot_protocols.h"
#include "posih/bootinfo.h"
#include "posih/cpu.h"
#include "posih/format.h"
#include "posih/interrupt.h"

namespace hvb {
namespace {

CpuInfo info;
bool info_ready;
x86::TscInfo tsc;                 // found with the CPU's identity
uint32_t hypervisor_max_leaf;     // CPUID 0x40000000.EAX
const char* cpus_source = "default";
uint64_t acpi_rsdp;
const PhysView* acpi_view;
MadtInfo madt;
bool xsdt_quirk;           // Xen < 4.20's XSDT signature (posih/acpi.h AcpiLookup)
AcpiLookup acpi_lookup;
uint32_t madt_ids[MadtInfo::kMaxCpus];
uint32_t madt_id_count;

void copy_regs(char* out, const uint32_t* regs, unsigned count) {
    for (unsigned i = 0; i < count; ++i)
        for (unsigned b = 0; b < 4; ++b) out[i * 4 + b] = char(regs[i] >> (8 * b));
}

void trim(char* s) {
    char* start = s;
    while (*start == ' ') ++start;
    char* out = s;
    while (*start) *out++ = *start++;
    *out = 0;
    while (out > s && out[-1] == ' ') *--out = 0;
}

void identify() {
    x86::CpuidResult r = x86::cpuid(0);
    uint32_t max_leaf = r.eax;
    uint32_t vendor[3] = {r.ebx, r.edx, r.ecx};
    copy_regs(info.vendor, vendor, 3);
    info.vendor[12] = 0;

    r = x86::cpuid(1);
    uint32_t base_family = (r.eax >> 8) & 0xF, base_model = (r.eax >> 4) & 0xF;
    info.family = base_family == 0xF ? base_family + ((r.eax >> 20) & 0xFF) : base_family;
    info.model_id = (base_family == 0x6 || base_family == 0xF) ? base_model | (((r.eax >> 16) & 0xF) << 4)
                                                                : base_model;
    info.stepping = r.eax & 0xF;
    info.hypervisor_present = (r.ecx >> 31) & 1;

    uint32_t max_ext = x86::cpuid(0x80000000).eax;
    if (max_ext >= 0x80000001) tsc.rdtscp = (x86::cpuid(0x80000001).edx >> 27) & 1;
    if (max_ext >= 0x80000004) {
        for (uint32_t leaf = 0; leaf < 3; ++leaf) {
            x86::CpuidResult b = x86::cpuid(0x80000002 + leaf);
            uint32_t regs[4] = {b.eax, b.ebx, b.ecx, b.edx};
            copy_regs(info.model + leaf * 16, regs, 4);
        }
        info.model[48] = 0;
        trim(info.model);
    }
    if (max_ext >= 0x80000007) tsc.invariant = (x86::cpuid(0x80000007).edx >> 8) & 1;

    // Hypervisor leaves (0x40000000.., only meaningful with the CPUID.1
    // hypervisor bit; see the KVM and Xen CPUID documentation).
    __builtin_memcpy(info.hypervisor, "none", 5);
    if (info.hypervisor_present) {
        x86::CpuidResult h = x86::cpuid(0x40000000);
        hypervisor_max_leaf = h.eax;
        uint32_t sig[3] = {h.ebx, h.ecx, h.edx};
        copy_regs(info.hypervisor, sig, 3);
        info.hypervisor[12] = 0;
        for (char& c : info.hypervisor)
            if (c && (c < 0x20 || c > 0x7E)) c = '?';
        if (!info.hypervisor[0]) __builtin_memcpy(info.hypervisor, "unknown", 8);
    }

    // TSC frequency: CPUID 0x15 (TSC/crystal ratio times crystal Hz), else
    // 0x16 (base MHz, Intel SDM vol. 2, CPUID), else the hypervisor timing
    // leaf 0x40000010 (EAX = TSC kHz; VMware, and KVM when asked).
    tsc.source = "none";
    // Under Xen the guest's TSC runs at the frequency Xen's leaf base+3
    // gives (it may scale or emulate it); the CPU's own leaves describe the
    // host's.
    if (const x86::XenInfo* xen = info.hypervisor_present ? x86::xen() : nullptr; xen && xen->tsc_khz) {
        tsc.hz = xen->tsc_khz * 1000;
        tsc.source = "hypervisor";
    }
    if (!tsc.hz && max_leaf >= 0x15) {
        x86::CpuidResult t = x86::cpuid(0x15);
        if (t.eax && t.ebx && t.ecx) {
            tsc.hz = uint64_t(t.ecx) * t.ebx / t.eax;
            tsc.source = "cpuid15";
        }
    }
    if (!tsc.hz && max_leaf >= 0x16) {
        uint32_t mhz = x86::cpuid(0x16).eax & 0xFFFF;
        if (mhz) {
            tsc.hz = uint64_t(mhz) * 1000000;
            tsc.source = "cpuid16";
        }
    }
    if (!tsc.hz && info.hypervisor_present && hypervisor_max_leaf >= 0x40000010) {
        uint32_t khz = x86::cpuid(0x40000010).eax;
        if (khz) {
            tsc.hz = uint64_t(khz) * 1000;
            tsc.source = "hypervisor";
        }
    }
    // None of them: the PIT will tell, over a window the boot's own work
    // fills (tsc_calibrate_pit, from platform_init).
    if (!tsc.hz) x86::pit_window_start();
}

// QEMU's isa-debug-exit reads as 0; an unclaimed port reads as all ones.
constexpr uint16_t kDebugExitPort = 0xF4;
bool debug_exit_present() { return info.hypervisor_present && x86::inb(kDebugExitPort) == 0; }

}  // namespace

// Guest-physical memory as the boot stub mapped it: the low 4 GiB, identity.
constinit PhysView low_memory(0, 0, 1ull << 32);

// boot.asm calls hvb_kmain(magic, info): the loader's magic from EAX (or
// the PVH constant) and the info pointer from EBX.
BootParseResult boot_info_parse(uint64_t magic, uint64_t info_phys, BootInfo& out) {
    return parse_boot_info(uint32_t(magic), info_phys, low_memory, out);
}

void platform_init(const BootInfo& boot, void (*warn)(const char*)) {
    const PhysView& mem = low_memory;
    // Timing first: starting APs needs delays.
    if (!tsc.hz && !x86::tsc_calibrate_pit()) warn("TSC frequency unknown: the PIT does not tick");
    AcpiError err{};
    char line[200];
    uint64_t rsdp = boot.firmware_table;
    uint64_t rsdt = 0, xsdt = 0;
    acpi_lookup.accept_bad_xsdt_signature = info.hypervisor_present && x86::xen();
    acpi_lookup.quirk_seen = &xsdt_quirk;
    if (rsdp && !acpi_check_rsdp(mem, rsdp, &rsdt, &xsdt, &err)) {
        snformat(line, sizeof line, "RSDP from the boot loader is invalid (%s); scanning the BIOS area", err.message);
        warn(line);
        rsdp = 0;
    }
    if (!rsdp) rsdp = acpi_scan_rsdp(mem);
    acpi_rsdp = rsdp;
    acpi_view = &mem;
    if (!rsdp) {
        warn("no ACPI RSDP found: assuming 1 CPU");
        return;
    }
    uint32_t length = 0;
    uint64_t madt_phys = acpi_find_table(mem, rsdp, "APIC", &length, &err, acpi_lookup);
    if (xsdt_quirk) warn("Xen's XSDT has a bad signature (Xen before 4.20 on RSDT-only firmware); its checksum is valid: used");
    if (!madt_phys) {
        snformat(line, sizeof line, "no usable ACPI MADT (%s): assuming 1 CPU", err.message);
        warn(line);
        return;
    }
    if (!acpi_parse_madt(mem, madt_phys, madt, &err)) {
        snformat(line, sizeof line, "ACPI MADT unreadable (%s): assuming 1 CPU", err.message);
        warn(line);
        return;
    }
    if (madt.cpu_count == 0) {
        warn("ACPI MADT lists no usable CPU: assuming 1");
        return;
    }
    madt_id_count = uint32_t(madt.cpu_count);
    for (uint32_t i = 0; i < madt_id_count; ++i) madt_ids[i] = madt.cpus[i].apic_id;
    cpus_source = "madt";
}

const char* cpu_count_source() { return cpus_source; }

HypervisorDetail hypervisor_detail() {
    HypervisorDetail d{"", "", xsdt_quirk ? "xen-xsdt-signature" : ""};
    if (const x86::XenInfo* xen = info.hypervisor_present ? x86::xen() : nullptr) {
        d.version = xen->version;
        d.domain = !xen->domid_known ? "" : xen->dom0 ? "dom0" : "domU";
    }
    return d;
}

bool hypervisor_memory_map(BootInfo& boot, char* why, size_t why_cap) {
    if (!info.hypervisor_present || !x86::xen()) {
        snformat(why, why_cap, "no hypervisor to ask for a memory map");
        return false;
    }
    return x86::xen_memory_map(boot, why, why_cap);
}

uint64_t x86::acpi_table(const char* signature, uint32_t* length) {
    if (!acpi_rsdp || !acpi_view) return 0;
    AcpiError err{};
    return acpi_find_table(*acpi_view, acpi_rsdp, signature, length, &err, acpi_lookup);
}

namespace {
constexpr uint32_t kMsrSmiCount = 0x34;  // Intel SDM vol. 4: MSR_SMI_COUNT (Nehalem on)
int smi_msr_state;                        // 0 unknown, 1 readable, -1 not
uint64_t smi_value;
void read_smi_msr(void*) { smi_value = x86::rdmsr(kMsrSmiCount) & 0xFFFFFFFFu; }
}  // namespace

bool smi_count(uint64_t* out) {
    if (smi_msr_state == 0) {
        // Only Intel defines it; elsewhere (and where a hypervisor does not
        // emulate it) the read raises #GP, which the guard turns into "no".
        const char* v = cpu_info().vendor;
        bool intel = __builtin_memcmp(v, "GenuineIntel", 12) == 0;
        CpuFault fault{};
        smi_msr_state = intel && guarded_call(read_smi_msr, nullptr, &fault) ? 1 : -1;
    }
    if (smi_msr_state < 0) return false;
    read_smi_msr(nullptr);
    *out = smi_value;
    return true;
}

const char* arch_feature_missing(unsigned feature) {
    switch (feature) {
    case x86::kFeatureRdtscp: return x86::tsc_info().rdtscp ? nullptr : "CPU does not advertise RDTSCP";
    }
    return "a feature x86_64 does not define";
}

namespace x86 {

const TscInfo& tsc_info() {
    (void)cpu_info();
    return tsc;
}

bool has_x2apic() { return (cpuid(1).ecx >> 21) & 1; }
bool has_1g_pages() { return cpuid(0x80000000).eax >= 0x80000001 && ((cpuid(0x80000001).edx >> 26) & 1); }

const uint32_t* madt_apic_ids(uint32_t* count) {
    *count = madt_id_count;
    return madt_ids;
}

namespace {

// PIT channel 2, gated through port 0x61, counts down at 1.193182 MHz; its
// output shows in port 0x61 bit 5 (mode 0 raises it at terminal count).
constexpr uint32_t kPitHz = 1193182;
constexpr uint8_t kPitOut = 0x20;

// Loads channel 2 in mode 0 with `count` and returns the TSC at the load
// (the midpoint of the reads around the last write).
uint8_t saved_gate;
bool gate_saved;
uint64_t pit_load(uint32_t count) {
    uint8_t gate = inb(0x61);
    if (!gate_saved) saved_gate = gate;
    gate_saved = true;
    outb(0x61, uint8_t((gate & ~0x02) | 0x01));  // gate on, speaker off
    outb(0x43, 0xB0);                            // channel 2, lo/hi, mode 0
    outb(0x42, uint8_t(count));
    uint64_t before = tsc_now();
    outb(0x42, uint8_t(count >> 8));
    uint64_t after = tsc_now();
    return before + (after - before) / 2;
}

// The classic calibration (Linux arch/x86/kernel/tsc.c does the same): the
// TSC delta from loading `ms` worth of ticks to the output's edge.
uint64_t pit_measure(uint32_t ms) {
    uint32_t count = kPitHz * ms / 1000;  // ms <= 54 keeps it in 16 bits
    uint64_t start = pit_load(count);
    uint64_t limit = start + (1ull << 36);  // give up after ~20 s at 3 GHz
    while (!(inb(0x61) & kPitOut)) {
        if (tsc_now() > limit) return 0;
    }
    return (tsc_now() - start) * 1000 / ms;
}

// The overlapped calibration: the PIT is loaded with its longest count as
// soon as the CPU is identified (pit_window_start), the boot goes on, and
// tsc_calibrate_pit reads the count back (a latch command) once at least
// kPitWindowTicks have passed: the TSC cycles over the ticks counted. Both
// clocks keep running while the host preempts the guest, so one long window
// needs no median; only the latch itself must not be interrupted (its
// bracket of TSC reads is checked). The boot's own work fills the window,
// where the classic way spent 3 x 2 ms waiting before anything else.
constexpr uint32_t kPitFullCount = 0xFFFF;  // 54.9 ms
constexpr uint32_t kPitWindowTicks = 2387;  // 2 ms: one tick is 0.04%
constexpr uint32_t kLatchTries = 8;
uint64_t window_start_tsc;  // 0: no window running

// Channel 2's count, latched; *tsc the TSC at the latch (the midpoint of
// the reads around it) and *spread their distance.
uint32_t pit_latch(uint64_t* tsc, uint64_t* spread) {
    uint64_t before = tsc_now();
    outb(0x43, 0x80);  // latch channel 2's count
    uint64_t after = tsc_now();
    *tsc = before + (after - before) / 2;
    *spread = after - before;
    uint32_t count = inb(0x42);
    return count | uint32_t(inb(0x42)) << 8;
}

uint64_t pit_window_read() {
    const uint64_t limit = window_start_tsc + (1ull << 36);  // as pit_measure: a PIT that does not count
    for (uint32_t tries = 0; tries < kLatchTries;) {
        if (inb(0x61) & kPitOut) return 0;  // past the full count: too late to use
        uint64_t at = 0, spread = 0;
        uint32_t ticks = kPitFullCount - pit_latch(&at, &spread);
        if (ticks < kPitWindowTicks) {  // too early: look again
            if (tsc_now() > limit) return 0;
            pause();
            continue;
        }
        ++tries;
        uint64_t cycles = at - window_start_tsc;
        // The latch's bracket within 0.05% of the window, else try again.
        if (spread * 2000 > cycles) continue;
        return cycles * kPitHz / ticks;
    }
    return 0;
}

}  // namespace

void pit_window_start() { window_start_tsc = pit_load(kPitFullCount); }

uint64_t tsc_calibrate_pit() {
    uint64_t hz = window_start_tsc ? pit_window_read() : 0;
    window_start_tsc = 0;
    if (!hz) {
        // No window, or one that ran out: 3 x 2 ms (2386 PIT ticks; the
        // median, so one run disturbed by a host preemption cannot skew it).
        uint64_t runs[3];
        for (uint64_t& r : runs) r = pit_measure(2);
        uint64_t a = runs[0], b = runs[1], c = runs[2];
        hz = a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
    }
    if (gate_saved) outb(0x61, saved_gate);
    gate_saved = false;
    if (hz && !tsc.hz) {
        tsc.hz = hz;
        tsc.source = "pit";
    }
    return hz;
}

uint64_t tsc_hz() { return tsc.hz ? tsc.hz : 1000000000ull; }
uint64_t tsc_from_us(uint64_t us) { return tsc_hz() / 1000000 * us + tsc_hz() % 1000000 * us / 1000000; }
void tsc_delay_us(uint64_t us) {
    uint64_t end = tsc_now() + tsc_from_us(us);
    while (tsc_now() < end) pause();
}

}  // namespace x86

const CpuInfo& cpu_info() {
    if (!info_ready) {
        identify();
        info_ready = true;
    }
    return info;
}

[[noreturn]] void halt_forever() {
    for (;;) {
        x86::cli();
        x86::hlt();
    }
}

[[noreturn]] void platform_exit(int code, bool allow_device) {
    if (allow_device && debug_exit_present()) x86::outb(kDebugExitPort, uint8_t(code));
    // A Xen domain without the device asks Xen to end it; the suite's code
    // is in the end record.
    if (allow_device && info.hypervisor_present && x86::xen()) x86::xen_shutdown();
    halt_forever();
}

}  // namespace hvb
