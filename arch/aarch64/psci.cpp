// arch/aarch64/psci.cpp — PSCI calls (SMC Calling Convention, ARM DEN 0028:
// arguments and result in x0..x3, x4..x17 may be clobbered).
#include "arch/aarch64/psci.h"

namespace hvb::arm {
namespace {

PsciConduit g_conduit = PsciConduit::none;
uint32_t g_cpu_on;

}  // namespace

void psci_init(PsciConduit conduit, uint32_t cpu_on_function) {
    g_conduit = conduit;
    g_cpu_on = cpu_on_function;
}

PsciConduit psci_conduit() { return g_conduit; }

const char* psci_conduit_name() {
    switch (g_conduit) {
        case PsciConduit::hvc: return "hvc";
        case PsciConduit::smc: return "smc";
        default: return "none";
    }
}

SmcccResult smccc_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3) {
    register uint64_t x0 asm("x0") = function;
    register uint64_t x1 asm("x1") = a1;
    register uint64_t x2 asm("x2") = a2;
    register uint64_t x3 asm("x3") = a3;
    if (g_conduit == PsciConduit::hvc) {
        asm volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
                       "x17", "memory");
    } else if (g_conduit == PsciConduit::smc) {
        asm volatile("smc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
                       "x17", "memory");
    } else {
        return {static_cast<uint64_t>(kPsciNotSupported), 0, 0, 0};
    }
    return {x0, x1, x2, x3};
}

int64_t psci_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3) {
    return static_cast<int64_t>(smccc_call(function, a1, a2, a3).x0);
}

bool smccc_hypervisor_uid(uint32_t uid[4]) {
    // PSCI 1.0 brought PSCI_FEATURES; SMCCC_VERSION is callable when it
    // answers 0 for it, and the vendor UID call from SMCCC 1.1 on.
    if (g_conduit == PsciConduit::none || (static_cast<uint64_t>(psci_call(kPsciVersion, 0, 0, 0)) >> 16) < 1 ||
        psci_call(kPsciFeatures, kSmcccVersion, 0, 0) != 0 || psci_call(kSmcccVersion, 0, 0, 0) < 0x10001)
        return false;
    const SmcccResult r = smccc_call(kSmcccVendorHypUid, 0, 0, 0);
    if (static_cast<int64_t>(r.x0) == kPsciNotSupported) return false;
    uid[0] = static_cast<uint32_t>(r.x0);
    uid[1] = static_cast<uint32_t>(r.x1);
    uid[2] = static_cast<uint32_t>(r.x2);
    uid[3] = static_cast<uint32_t>(r.x3);
    return true;
}

int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context) {
    return psci_call(g_cpu_on, mpidr, entry, context);
}

void psci_system_off() { psci_call(kPsciSystemOff, 0, 0, 0); }

}  // namespace hvb::arm
