// arch/x86_64/platform.cpp — CPU identification, TSC frequency discovery and
// leaving the machine.
#include "arch/x86_64/cpu.h"
#include "posih/acpi.h"
#include "posih/bootinfo.h"
#include "posih/cpu.h"
#include "posih/format.h"

namespace hvb {
namespace {

CpuInfo info;
bool info_ready;
uint32_t cpus = 1;
const char* cpus_source = "default";
MadtInfo madt;

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
    if (max_ext >= 0x80000001) info.has_rdtscp = (x86::cpuid(0x80000001).edx >> 27) & 1;
    if (max_ext >= 0x80000004) {
        for (uint32_t leaf = 0; leaf < 3; ++leaf) {
            x86::CpuidResult b = x86::cpuid(0x80000002 + leaf);
            uint32_t regs[4] = {b.eax, b.ebx, b.ecx, b.edx};
            copy_regs(info.model + leaf * 16, regs, 4);
        }
        info.model[48] = 0;
        trim(info.model);
    }
    if (max_ext >= 0x80000007) info.invariant_tsc = (x86::cpuid(0x80000007).edx >> 8) & 1;

    // Hypervisor leaves (0x40000000.., only meaningful with the CPUID.1
    // hypervisor bit; see the KVM and Xen CPUID documentation).
    __builtin_memcpy(info.hypervisor, "none", 5);
    if (info.hypervisor_present) {
        x86::CpuidResult h = x86::cpuid(0x40000000);
        info.hypervisor_max_leaf = h.eax;
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
    info.tsc_source = "none";
    if (max_leaf >= 0x15) {
        x86::CpuidResult t = x86::cpuid(0x15);
        if (t.eax && t.ebx && t.ecx) {
            info.tsc_hz = uint64_t(t.ecx) * t.ebx / t.eax;
            info.tsc_source = "cpuid15";
        }
    }
    if (!info.tsc_hz && max_leaf >= 0x16) {
        uint32_t mhz = x86::cpuid(0x16).eax & 0xFFFF;
        if (mhz) {
            info.tsc_hz = uint64_t(mhz) * 1000000;
            info.tsc_source = "cpuid16";
        }
    }
    if (!info.tsc_hz && info.hypervisor_present && info.hypervisor_max_leaf >= 0x40000010) {
        uint32_t khz = x86::cpuid(0x40000010).eax;
        if (khz) {
            info.tsc_hz = uint64_t(khz) * 1000;
            info.tsc_source = "hypervisor";
        }
    }
}

// QEMU's isa-debug-exit reads as 0; an unclaimed port reads as all ones.
constexpr uint16_t kDebugExitPort = 0xF4;
bool debug_exit_present() { return info.hypervisor_present && x86::inb(kDebugExitPort) == 0; }

}  // namespace

void platform_init(const BootInfo& boot, const PhysView& mem, void (*warn)(const char*)) {
    AcpiError err{};
    char line[200];
    uint64_t rsdp = boot.rsdp_phys;
    uint64_t rsdt = 0, xsdt = 0;
    if (rsdp && !acpi_check_rsdp(mem, rsdp, &rsdt, &xsdt, &err)) {
        snformat(line, sizeof line, "RSDP from the boot loader is invalid (%s); scanning the BIOS area", err.message);
        warn(line);
        rsdp = 0;
    }
    if (!rsdp) rsdp = acpi_scan_rsdp(mem);
    if (!rsdp) {
        warn("no ACPI RSDP found: assuming 1 CPU");
        return;
    }
    uint32_t length = 0;
    uint64_t madt_phys = acpi_find_table(mem, rsdp, "APIC", &length, &err);
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
    cpus = uint32_t(madt.cpu_count);
    cpus_source = "madt";
}

uint32_t cpu_count() { return cpus; }
const char* cpu_count_source() { return cpus_source; }

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
    halt_forever();
}

}  // namespace hvb
