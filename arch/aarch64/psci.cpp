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

int64_t psci_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3) {
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
        return kPsciNotSupported;
    }
    return static_cast<int64_t>(x0);
}

int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context) {
    return psci_call(g_cpu_on, mpidr, entry, context);
}

void psci_system_off() { psci_call(kPsciSystemOff, 0, 0, 0); }

}  // namespace hvb::arm
