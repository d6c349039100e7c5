// benchmarks/int3.cpp — a guest-internal #BP round trip: INT3, the kernel's
// exception entry and dispatch, a handler that accepts it, IRET. INT3 is a
// trap (RIP already points past it), so the handler changes nothing. Under
// VT-x/SVM the guest takes it through its own IDT without an exit (no T_ext)
// unless the hypervisor intercepts #BP (e.g. for a guest debugger), which
// makes it a full exit; binary translators emulate the delivery.
#include "kernel/benchmark.h"
#include "posih/interrupt.h"

namespace {

uint64_t int3_resume;   // the address after the loop's INT3
uint64_t control_sink;  // the control's stand-in for it

// Claims only the loop's own INT3; any other #BP goes on to the fault guard.
bool on_breakpoint(hvb::InterruptContext& c) { return hvb::context_pc(c) == int3_resume; }

const char* int3_init() {
    hvb::set_interrupt_handler(3, on_breakpoint);
    return nullptr;
}

// The loop is one asm statement so that the address after INT3 is known
// (stored before the first one) and the compiler cannot duplicate it.
void int3_loop(uint64_t n) {
    if (!n) return;
    asm volatile("leaq 2f(%%rip), %%rax\n\tmovq %%rax, %[resume]\n"
                 "1:\n\tint3\n2:\n\tdec %[n]\n\tjnz 1b"
                 : [n] "+r"(n), [resume] "=m"(int3_resume) : : "rax", "cc", "memory");
}

void int3_control(uint64_t n) {
    if (!n) return;
    asm volatile("leaq 2f(%%rip), %%rax\n\tmovq %%rax, %[resume]\n"
                 "1:\n2:\n\tdec %[n]\n\tjnz 1b"
                 : [n] "+r"(n), [resume] "=m"(control_sink) : : "rax", "cc", "memory");
}

void int3_cleanup() { hvb::set_interrupt_handler(3, nullptr); }

}  // namespace

HVB_BENCHMARK(int3,
    .category = "exception",
    .summary = "INT3 taken by the kernel's #BP handler and returned from (guest-internal)",
    .init = int3_init,
    .benchmark = int3_loop,
    .control = int3_control,
    .cleanup = int3_cleanup,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
