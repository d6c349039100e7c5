// arch/x86_64/xen.h — hvbench as a Xen PVH guest (dom0 or domU): finding Xen
// through its CPUID leaves, the hypercall page, and the few hypercalls the
// kernel makes (xen/include/public/xen.h, version.h, memory.h, sched.h,
// arch-x86/cpuid.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {
struct BootInfo;
}

namespace hvb::x86 {

struct XenInfo {
    uint32_t base;            // first Xen CPUID leaf (0x40000000, or higher next to Viridian)
    uint32_t major, minor;    // XENVER_version
    bool dom0;                // the hardware domain (domid 0)
    uint32_t domid;
    bool domid_known;         // CPUID base+4 said
    uint64_t tsc_khz;         // CPUID base+3 sub-leaf 0 ECX: the guest's TSC, 0 when not given
    char version[16];         // "4.17"
};

// Xen's details when running under Xen with a working hypercall page, else
// nullptr. The first call finds the leaves and installs the page (the MSR
// CPUID base+2 names); later calls return the same.
const XenInfo* xen();

// The hypercall page (valid when xen() is not null): the stub for
// hypercall `nr` is at page + 32 * nr.
const uint8_t* xen_hypercall_page();

// A hypercall through the page with up to three arguments (RDI, RSI, RDX);
// Xen's return value (negative errno on failure).
int64_t xen_hypercall(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3);

inline constexpr unsigned kXenHypercallXenVersion = 17;  // __HYPERVISOR_xen_version
inline constexpr unsigned kXenHypercallConsoleIo = 18;
inline constexpr unsigned kXenHypercallMemoryOp = 12;
inline constexpr unsigned kXenHypercallSchedOp = 29;
inline constexpr unsigned kXenHypercallHvmOp = 34;
inline constexpr unsigned kXenHypercallEventChannelOp = 32;

// CONSOLEIO_write: the bytes on Xen's console. False when Xen refuses
// (a domU, under the default policy).
bool xen_console_write(const char* s, size_t n);

// XENMEM_memory_map into boot.regions; false with a reason in `why`.
bool xen_memory_map(BootInfo& boot, char* why, size_t why_cap);

// A domU's PV console (HVM_PARAM_CONSOLE_PFN and _EVTCHN, read by
// xenconsoled): true when this domain has one; after that
// xen_ring_write puts bytes on it (waiting while the ring is full, up to a
// bound, then dropping them) and kicks the event channel.
bool xen_ring_open();
void xen_ring_write(const char* s, size_t n);

// SCHEDOP_shutdown (poweroff: the suite's code is in its end record);
// returns only if Xen refused. A domU with a PV console first waits, up to
// a bound, until its reader has taken everything off the ring: the domain is
// destroyed at once, and bytes still on the ring (the end record) are lost.
void xen_shutdown();

}  // namespace hvb::x86
