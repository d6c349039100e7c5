// arch/aarch64/xen.cpp — Xen hypercalls from an Arm guest (xen.h).
#include "arch/aarch64/xen.h"

#include "posih/format.h"

namespace hvb::arm {
namespace {

bool starts_with(const char* s, const char* prefix) {
    while (*prefix != '\0')
        if (*s++ != *prefix++) return false;
    return true;
}

}  // namespace

bool xen_in_device_tree(const DtbInfo& dt) {
    const char* c = dt.hypervisor_compatible;
    return dt.has_hypervisor && starts_with(c, "xen,xen") && (c[7] == '\0' || c[7] == '-');
}

int64_t xen_hypercall(uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2) {
    register uint64_t x0 asm("x0") = a0;
    register uint64_t x1 asm("x1") = a1;
    register uint64_t x2 asm("x2") = a2;
    register uint64_t x16 asm("x16") = op;
    // Xen preserves every register but x0 (and x1..x4 when the call takes
    // that many arguments, which it may clobber): arch-arm.h.
    asm volatile("hvc #0xEA1" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x16) : : "x3", "x4", "memory");
    return static_cast<int64_t>(x0);
}

uint32_t xen_version() {
    return static_cast<uint32_t>(xen_hypercall(kXenHypercallXenVersion, kXenVersionVersion, 0, 0));
}

HypervisorDetail xen_detail() {
    static char version[16];
    const uint32_t v = xen_version();
    snformat(version, sizeof version, "%u.%u", v >> 16, v & 0xffff);
    struct {
        uint32_t submap_idx;
        uint32_t submap;
    } features = {0, 0};
    const bool dom0 = xen_hypercall(kXenHypercallXenVersion, kXenVersionGetFeatures,
                                    reinterpret_cast<uint64_t>(&features), 0) == 0 &&
                      (features.submap >> kXenFeatureDom0) & 1;
    return HypervisorDetail{version, dom0 ? "dom0" : "domU", ""};
}

ClockChoice xen_bench_clock() {
    return {BenchClock::cntvct, 0, 0, "Xen gives its guests no PMU (PMCCNTR_EL0 reads as zero)"};
}

void xen_console_write(const char* s, size_t n) {
    // Xen copies at most what its console ring takes per call; the return is
    // the count written (negative: an error, then stop rather than spin).
    while (n > 0) {
        const size_t piece = n > 1024 ? 1024 : n;
        const int64_t r = xen_hypercall(kXenHypercallConsoleIo, kXenConsoleIoWrite, piece, reinterpret_cast<uint64_t>(s));
        if (r < 0) return;
        s += piece;
        n -= piece;
    }
}

void xen_shutdown(uint32_t reason) {
    struct {
        uint32_t reason;
    } shutdown = {reason};
    xen_hypercall(kXenHypercallSchedOp, kXenSchedOpShutdown, reinterpret_cast<uint64_t>(&shutdown), 0);
}

}  // namespace hvb::arm
