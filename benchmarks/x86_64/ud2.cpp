// benchmarks/ud2.cpp — a guest-internal #UD round trip: UD2 faults, the
// kernel's exception entry and dispatch run a handler that steps RIP over the
// 2-byte instruction, IRET. Under VT-x/SVM #UD is delivered through the
// guest's IDT without an exit (no T_ext) unless the hypervisor intercepts it
// (KVM does when it must emulate instructions the CPU lacks), in which case
// it is a full exit and reinjection.
#include "kernel/benchmark.h"
#include "posih/interrupt.h"

namespace {

uint64_t ud2_site;      // the address of the loop's UD2
uint64_t control_sink;  // the control's stand-in for it

// Claims only the loop's own UD2, so a genuine #UD anywhere else still
// reaches the fault guard (and becomes `faulted`).
bool on_invalid_opcode(hvb::InterruptContext& c) {
    if (hvb::context_pc(c) != ud2_site) return false;
    hvb::context_set_pc(c, ud2_site + 2);
    return true;
}

const char* ud2_init() {
    hvb::set_interrupt_handler(6, on_invalid_opcode);
    return nullptr;
}

// One asm statement: the UD2's address is stored before it first runs, and
// the compiler cannot duplicate it.
void ud2_loop(uint64_t n) {
    if (!n) return;
    asm volatile("leaq 1f(%%rip), %%rax\n\tmovq %%rax, %[site]\n"
                 "1:\n\tud2\n\tdec %[n]\n\tjnz 1b"
                 : [n] "+r"(n), [site] "=m"(ud2_site) : : "rax", "cc", "memory");
}

void ud2_control(uint64_t n) {
    if (!n) return;
    asm volatile("leaq 1f(%%rip), %%rax\n\tmovq %%rax, %[site]\n"
                 "1:\n\tdec %[n]\n\tjnz 1b"
                 : [n] "+r"(n), [site] "=m"(control_sink) : : "rax", "cc", "memory");
}

void ud2_cleanup() { hvb::set_interrupt_handler(6, nullptr); }

}  // namespace

HVB_BENCHMARK(ud2,
    .category = "exception",
    .summary = "UD2 taken by the kernel's #UD handler, which skips it (guest-internal)",
    .init = ud2_init,
    .benchmark = ud2_loop,
    .control = ud2_control,
    .cleanup = ud2_cleanup,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
