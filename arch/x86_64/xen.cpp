// arch/x86_64/xen.cpp — Xen detection, the hypercall page and the
// hypercalls the kernel makes as a PVH guest.
#include "arch/x86_64/xen.h"

#include "arch/x86_64/cpu.h"
#include "posih/bootinfo.h"
#include "posih/format.h"
#include "posih/xen.h"

namespace hvb::x86 {
namespace {

constexpr uint32_t kSigEbx = 0x566E6558, kSigEcx = 0x65584D4D, kSigEdx = 0x4D4D566E;  // "XenVMMXenVMM"
constexpr uint32_t kDomidPresent = 1u << 4;  // XEN_HVM_CPUID_DOMID_PRESENT (base+4 EAX)
constexpr uint64_t kConsoleIoWrite = 0;      // CONSOLEIO_write
constexpr uint64_t kXenMemMemoryMap = 9;     // XENMEM_memory_map
constexpr uint64_t kSchedOpShutdown = 2;     // SCHEDOP_shutdown
constexpr uint32_t kShutdownPoweroff = 0, kShutdownCrash = 3;
constexpr uint64_t kXenVerVersion = 0;       // XENVER_version: major << 16 | minor

alignas(4096) uint8_t hypercall_page[4096];  // Xen writes its call stubs here
XenInfo info;
int state;  // 0 not looked yet, 1 Xen, -1 not Xen

uint32_t find_base() {
    if (!((cpuid(1).ecx >> 31) & 1)) return 0;  // no hypervisor bit
    for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
        CpuidResult r = cpuid(base);
        if (r.ebx == kSigEbx && r.ecx == kSigEcx && r.edx == kSigEdx && r.eax - base >= 2) return base;
    }
    return 0;
}

bool detect() {
    info.base = find_base();
    if (!info.base) return false;
    uint32_t max = cpuid(info.base).eax;
    // The page is guest-physical: the kernel image is identity-mapped
    // (linker/kernel.ld), so its address is its physical address.
    wrmsr(cpuid(info.base + 2).ebx, reinterpret_cast<uint64_t>(hypercall_page));
    if (hypercall_page[0] == 0) return false;  // Xen did not fill it
    int64_t v = xen_hypercall(kXenHypercallXenVersion, kXenVerVersion, 0, 0);
    if (v < 0) return false;
    info.major = uint32_t(v) >> 16;
    info.minor = uint32_t(v) & 0xFFFF;
    snformat(info.version, sizeof info.version, "%u.%u", info.major, info.minor);
    if (max >= info.base + 3) info.tsc_khz = cpuid(info.base + 3, 0).ecx;
    if (max >= info.base + 4) {
        CpuidResult h = cpuid(info.base + 4, 0);
        if (h.eax & kDomidPresent) {
            info.domid = h.ecx;
            info.domid_known = true;
        }
    }
    info.dom0 = info.domid_known && info.domid == 0;
    return true;
}

}  // namespace

const XenInfo* xen() {
    if (state == 0) state = detect() ? 1 : -1;
    return state > 0 ? &info : nullptr;
}

const uint8_t* xen_hypercall_page() { return hypercall_page; }

int64_t xen_hypercall(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3) {
    int64_t ret;
    // Xen may clobber the argument registers it does not use (and R10, R8).
    asm volatile("call *%[entry]"
                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3)
                 : [entry] "r"(hypercall_page + 32 * nr)
                 : "rcx", "r8", "r10", "r11", "memory");
    return ret;
}

bool xen_console_write(const char* s, size_t n) {
    return xen_hypercall(kXenHypercallConsoleIo, kConsoleIoWrite, n, reinterpret_cast<uint64_t>(s)) >= 0;
}

bool xen_memory_map(BootInfo& boot, char* why, size_t why_cap) {
    static uint8_t buffer[BootInfo::kMaxRegions * kXenE820EntrySize];
    struct {
        uint32_t nr_entries;  // in: capacity; out: entries written
        uint32_t pad;
        uint64_t buffer;
    } map{BootInfo::kMaxRegions, 0, reinterpret_cast<uint64_t>(buffer)};
    int64_t rc = xen_hypercall(kXenHypercallMemoryOp, kXenMemMemoryMap, reinterpret_cast<uint64_t>(&map), 0);
    if (rc < 0) {
        snformat(why, why_cap, "XENMEM_memory_map failed (%ld)", rc);
        return false;
    }
    return add_xen_e820(buffer, sizeof buffer, map.nr_entries, boot, why, why_cap);
}

void xen_shutdown(bool crashed) {
    uint32_t reason = crashed ? kShutdownCrash : kShutdownPoweroff;
    xen_hypercall(kXenHypercallSchedOp, kSchedOpShutdown, reinterpret_cast<uint64_t>(&reason), 0);
}

}  // namespace hvb::x86
