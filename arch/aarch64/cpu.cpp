// arch/aarch64/cpu.cpp — posih/cpu.h on aarch64: identification from
// MIDR_EL1, the hypervisor as the device tree names it, the CPUs PSCI
// started, and leaving through PSCI SYSTEM_OFF.
#include "arch/aarch64/platform.h"
#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/xen.h"
#include "posih/bootinfo.h"
#include "posih/cpu.h"
#include "posih/format.h"

namespace hvb {
namespace {

CpuInfo g_info;
bool g_info_done;

// MIDR_EL1.Implementer (ARM ARM D17.2.100).
const char* implementer_name(uint32_t id) {
    switch (id) {
        case 0x00: return "Software";  // QEMU's -cpu max
        case 0x41: return "ARM";
        case 0x42: return "Broadcom";
        case 0x43: return "Cavium";
        case 0x46: return "Fujitsu";
        case 0x48: return "HiSilicon";
        case 0x4e: return "NVIDIA";
        case 0x51: return "Qualcomm";
        case 0x61: return "Apple";
        case 0xc0: return "Ampere";
        default: return "unknown";
    }
}

// KVM's vendor hypervisor service UID, 28b46fb6-2ec5-11e9-a9ca-4b564d003a74,
// as the four registers carry it (Linux, include/linux/arm-smccc.h,
// ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_0..3).
bool kvm_by_uid() {
    constexpr uint32_t kKvmUid[4] = {0xb66fb428u, 0xe911c52eu, 0x564bcaa9u, 0x743a004du};
    uint32_t uid[4];
    if (!arm::smccc_hypervisor_uid(uid)) return false;
    for (int i = 0; i < 4; ++i)
        if (uid[i] != kKvmUid[i]) return false;
    return true;
}

void copy(char* out, size_t cap, const char* s) {
    size_t i = 0;
    for (; i + 1 < cap && s[i] != 0; ++i) out[i] = s[i];
    out[i] = 0;
}

}  // namespace

const CpuInfo& cpu_info() {
    if (g_info_done) return g_info;
    const uint64_t midr = HVB_MRS(midr_el1);
    copy(g_info.vendor, sizeof g_info.vendor, implementer_name((midr >> 24) & 0xff));
    snformat(g_info.model, sizeof g_info.model, "part 0x%03x r%up%u", unsigned((midr >> 4) & 0xfff),
             unsigned((midr >> 20) & 0xf), unsigned(midr & 0xf));
    g_info.family = (midr >> 16) & 0xf;  // architecture
    g_info.model_id = (midr >> 4) & 0xfff;
    g_info.stepping = midr & 0xf;
    // Arm has no CPU bit saying "virtual machine"; a hypervisor that says
    // so does it in the device tree (Xen's /hypervisor node) or by its
    // vendor service's UID (KVM).
    const arm::Platform& p = arm::platform();
    const char* hypervisor = p.dt.has_hypervisor ? p.dt.hypervisor_compatible : kvm_by_uid() ? "kvm" : nullptr;
    g_info.hypervisor_present = hypervisor != nullptr;
    copy(g_info.hypervisor, sizeof g_info.hypervisor, hypervisor ? hypervisor : "none");
    g_info_done = true;
    return g_info;
}

bool smi_count(uint64_t*) { return false; }

const char* arch_feature_missing(unsigned feature) {
    const arm::Platform& p = arm::platform();
    switch (feature) {
        case arm::kFeatureGic: return p.gic_ok ? nullptr : "no GIC in the device tree";
        case arm::kFeaturePsci: return p.dt.psci != PsciConduit::none ? nullptr : "no PSCI in the device tree";
        case arm::kFeatureVirtioMmio:
            return p.dt.virtio_count != 0 ? nullptr : "no virtio-mmio device in the device tree";
        default: return "unknown aarch64 feature";
    }
}

void platform_init(const BootInfo&, void (*)(const char*)) {}  // done before the kernel started

HypervisorDetail hypervisor_detail() {
    return arm::xen_in_device_tree(arm::platform().dt) ? arm::xen_detail() : HypervisorDetail{"", "", ""};
}

bool hypervisor_memory_map(BootInfo&, char* why, size_t why_cap) {
    snformat(why, why_cap, "the device tree listed no memory");
    return false;
}

uint32_t cpu_count() { return arm::platform().cpus_online; }
const char* cpu_count_source() { return arm::platform().dt.cpu_count != 0 ? "devicetree" : "default"; }

[[noreturn]] void platform_exit(int, bool allow_device) {
    // The exit code travels in the end record: PSCI SYSTEM_OFF ends QEMU
    // with status 0 whatever the code.
    if (allow_device) arm::psci_system_off();
    halt_forever();
}

[[noreturn]] void halt_forever() {
    arm::irq_disable();
    for (;;) arm::wfi();
}

}  // namespace hvb
