// arch/x86_64/xen.cpp — Xen detection, the hypercall page and the
// hypercalls the kernel makes as a PVH guest.
#include "arch/x86_64/xen.h"

#include "arch/x86_64/cpu.h"
#include "posih/bootinfo.h"
#include "posih/format.h"
#include "arch/x86_64/boot/xen_facts.h"

namespace hvb::x86 {
namespace {

constexpr uint32_t kSigEbx = 0x566E6558, kSigEcx = 0x65584D4D, kSigEdx = 0x4D4D566E;  // "XenVMMXenVMM"
constexpr uint32_t kDomidPresent = 1u << 4;  // XEN_HVM_CPUID_DOMID_PRESENT (base+4 EAX)
constexpr uint64_t kConsoleIoWrite = 0;      // CONSOLEIO_write
constexpr uint64_t kXenMemMemoryMap = 9;     // XENMEM_memory_map
constexpr uint64_t kSchedOpShutdown = 2;     // SCHEDOP_shutdown
constexpr uint32_t kShutdownPoweroff = 0;      // SHUTDOWN_poweroff
constexpr uint64_t kXenVerVersion = 0;       // XENVER_version: major << 16 | minor

constexpr uint64_t kHvmOpGetParam = 1;      // HVMOP_get_param (hvm/hvm_op.h)
constexpr uint32_t kHvmParamConsolePfn = 17, kHvmParamConsoleEvtchn = 18;  // hvm/params.h
constexpr uint16_t kDomidSelf = 0x7FF0;
constexpr uint64_t kEvtchnSend = 4;          // EVTCHNOP_send (event_channel.h)

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

namespace {

// xen/include/public/io/console.h: struct xencons_interface.
struct ConsoleRing {
    char in[1024];
    char out[2048];
    volatile uint32_t in_cons, in_prod;
    volatile uint32_t out_cons, out_prod;
};
ConsoleRing* ring;
uint32_t ring_port;

bool hvm_param(uint32_t index, uint64_t* value) {
    struct {
        uint16_t domid;
        uint16_t pad;
        uint32_t index;
        uint64_t value;
    } p{kDomidSelf, 0, index, 0};
    if (xen_hypercall(kXenHypercallHvmOp, kHvmOpGetParam, reinterpret_cast<uint64_t>(&p), 0) < 0) return false;
    *value = p.value;
    return true;
}

void ring_kick() {
    uint32_t port = ring_port;
    xen_hypercall(kXenHypercallEventChannelOp, kEvtchnSend, reinterpret_cast<uint64_t>(&port), 0);
}

}  // namespace

bool xen_ring_open() {
    if (!xen() || info.dom0) return false;
    uint64_t pfn = 0, port = 0;
    if (!hvm_param(kHvmParamConsolePfn, &pfn) || !hvm_param(kHvmParamConsoleEvtchn, &port) || pfn == 0) return false;
    if (pfn >= (1ull << 20)) return false;  // above 4 GiB: not in the boot stub's identity map
    ring = reinterpret_cast<ConsoleRing*>(pfn << 12);
    ring_port = uint32_t(port);
    return true;
}

// Kicks xenconsoled until `done()`, again every 2^16 spins: a reader that
// stopped draining (its own buffer to the console's pty full, the one kick
// consumed while it could not take more) is asked again, instead of the
// writer dropping the rest after one kick (under Xen nested in TCG the HVM
// domU's output was lost whole, boot.xen-domu-hvm-tcg, 2026-12-07). False
// after 2^26 spins: a console nobody reads must not hang the suite.
template <typename Done>
bool ring_wait(Done done) {
    for (uint64_t spins = 0; spins < (1ull << 26); ++spins) {
        if (done()) return true;
        if (spins % (1u << 16) == 0) ring_kick();
        pause();
    }
    return done();
}

void xen_ring_write(const char* s, size_t n) {
    if (!ring) return;
    constexpr uint32_t kSize = sizeof ring->out;
    for (size_t i = 0; i < n;) {
        uint32_t prod = ring->out_prod;
        uint32_t room = kSize - (prod - ring->out_cons);
        if (room == 0) {
            // xenconsoled drains the ring when kicked; wait for it, but not
            // forever (a console nobody reads must not hang the suite).
            if (!ring_wait([] { return kSize - (ring->out_prod - ring->out_cons) != 0; })) return;
            continue;
        }
        for (; room && i < n; --room, ++i) ring->out[prod++ % kSize] = s[i];
        asm volatile("" ::: "memory");  // x86: stores are not reordered with stores; keep the compiler's order
        ring->out_prod = prod;
    }
    ring_kick();
}

void xen_shutdown() {
    if (ring) ring_wait([] { return ring->out_cons == ring->out_prod; });
    uint32_t reason = kShutdownPoweroff;
    xen_hypercall(kXenHypercallSchedOp, kSchedOpShutdown, reinterpret_cast<uint64_t>(&reason), 0);
}

}  // namespace hvb::x86
