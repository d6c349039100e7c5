// posih/cpu.h — what the processor and platform are, and how to leave.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

struct CpuInfo {
    char vendor[13];          // the CPU's maker as the CPU names it
    char model[49];           // brand string, trimmed; "" if the CPU has none
    // The arch's identification numbers (the header's cpu_family,
    // cpu_model_id, cpu_stepping); what they mean is the arch's.
    uint32_t family, model_id, stepping;
    bool hypervisor_present;  // the CPU says it runs under a hypervisor
    char hypervisor[13];      // the hypervisor's signature, "none" on bare metal
};

// Fills the structure once, at boot; later calls return the same data.
const CpuInfo& cpu_info();

// System-management interrupts taken since reset, where the CPU counts them;
// false when it cannot be read here.
bool smi_count(uint64_t* out);

// Features an architecture numbers (0..15) for its benchmarks' needs
// (kernel/benchmark.h need_arch_feature): nullptr when this machine has
// feature `feature`, else why not, in a few words (the `unsupported` reason).
const char* arch_feature_missing(unsigned feature);

struct BootInfo;

// Discovers the platform at boot from the firmware's description of the
// machine: the processors, the devices the kernel uses, the timer's rate.
// Writes what it could not find through `warn` (one line each) and carries
// on.
void platform_init(const BootInfo& boot, void (*warn)(const char* message));

// What the hypervisor says of itself beyond its signature: under Xen its
// version ("4.17") and this domain ("dom0", "domU"); "" where unknown.
// quirks: platform defects worked around, comma-separated ("" for none; the
// arch's words). Valid after platform_init.
struct HypervisorDetail {
    const char* version;
    const char* domain;
    const char* quirks;
};
HypervisorDetail hypervisor_detail();

// The memory map from the hypervisor, for a boot protocol that gave none
// (Xen's dom0 may be handed none), appended to boot.regions. False with the
// reason in `why`.
bool hypervisor_memory_map(BootInfo& boot, char* why, size_t why_cap);

// Processors online: the boot processor plus every AP smp_init started.
uint32_t cpu_count();

// Where the list of processors came from: the firmware table's name in the
// arch's words, or "default" (none found: the boot processor alone).
const char* cpu_count_source();

// Leaves the machine with `code` (the kernel's exit codes:
// kernel/protocol.h): through a device or firmware call that ends the VM
// and hands its VMM the code where there is one (QEMU on x86_64: status
// (code << 1) | 1), else halts forever. With allow_device false it always
// halts (exit=halt).
[[noreturn]] void platform_exit(int code, bool allow_device);

// Stops this CPU for good, interrupts off.
[[noreturn]] void halt_forever();

}  // namespace hvb
