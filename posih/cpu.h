// posih/cpu.h — what the processor and platform are, and how to leave.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

struct CpuInfo {
    char vendor[13];          // "GenuineIntel", "AuthenticAMD", ...
    char model[49];           // brand string, trimmed; "" if the CPU has none
    uint32_t family, model_id, stepping;
    bool hypervisor_present;  // CPUID.1:ECX[31]
    char hypervisor[13];      // CPUID 0x40000000 signature, "none" on bare metal
    uint32_t hypervisor_max_leaf;
    bool has_rdtscp;
    bool invariant_tsc;
    uint64_t tsc_hz;          // 0 when no source below knows it
    const char* tsc_source;   // "cpuid15", "cpuid16", "hypervisor", "pit" (measured), "none"
};

// Fills the structure once, at boot; later calls return the same data.
const CpuInfo& cpu_info();

// System-management interrupts taken since reset, where the CPU counts them
// (Intel's MSR_SMI_COUNT); false when it cannot be read here.
bool smi_count(uint64_t* out);

// CPU feature queries for benchmarks' needs and the platform layer.
enum class CpuFeature : uint8_t {
    hypervisor,     // running under a hypervisor that says so
    rdtscp,
    invariant_tsc,
    x2apic,
    tsc_deadline,   // the local APIC timer's TSC-deadline mode
    xsave,
    pages_1g,
};
bool cpu_has(CpuFeature f);

struct BootInfo;
class PhysView;

// Discovers the platform at boot: the ACPI RSDP (from the boot protocol, else
// the BIOS-area scan) and, through the MADT, the processors. Writes what it
// could not find through `warn` (one line each) and carries on.
void platform_init(const BootInfo& boot, const PhysView& mem, void (*warn)(const char* message));

// Physical address of the ACPI table with `signature` (e.g. "HPET") and its
// length, or 0 when there is no valid one. Valid after platform_init.
uint64_t acpi_table(const char* signature, uint32_t* length);

// What the hypervisor says of itself beyond its CPUID signature: under Xen
// its version ("4.17") and this domain ("dom0", "domU"); "" where unknown.
// quirks: platform defects worked around, comma-separated ("" for none):
// "xen-xsdt-signature" (posih/acpi.h AcpiLookup). Valid after platform_init.
struct HypervisorDetail {
    const char* version;
    const char* domain;
    const char* quirks;
};
HypervisorDetail hypervisor_detail();

// The memory map from the hypervisor, for a boot protocol that gave none
// (Xen's PVH dom0: XENMEM_memory_map), appended to boot.regions. False with
// the reason in `why`.
bool hypervisor_memory_map(BootInfo& boot, char* why, size_t why_cap);

// Processors online: the boot processor plus every AP smp_init started.
uint32_t cpu_count();

// Where the list of processors came from: "madt" or "default" (no MADT).
const char* cpu_count_source();

// Leaves the machine with `code` (the kernel's exit codes:
// kernel/protocol.h): through QEMU's isa-debug-exit device when it is there
// (QEMU then exits with status (code << 1) | 1), else halts forever. With
// allow_device false it always halts (exit=halt).
[[noreturn]] void platform_exit(int code, bool allow_device);

// Stops this CPU for good, interrupts off.
[[noreturn]] void halt_forever();

}  // namespace hvb
