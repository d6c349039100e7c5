// benchmarks/ipi_running.cpp — an IPI to a CPU that is running, not halted:
// CPU 1 spins with interrupts on; each iteration CPU 0 sends it a fixed IPI
// (InterruptRole::benchmark) and waits until its handler has counted it. Compared
// with `ipi`, the target needs no wakeup from a halt exit: under a hypervisor
// the sender's ICR write exits (T_ext) and the target vCPU is kicked out of
// guest mode to have the interrupt injected (or gets it posted, without an
// exit, with posted interrupts), then its EOI may exit too.
#include "kernel/benchmark.h"
#include "posih/cpu.h"
#include "posih/interrupt.h"
#include "posih/smp.h"
#include "posih/ops.h"
#include "posih/timer.h"

namespace {

volatile uint64_t acks;        // counted by CPU 1's handler
volatile bool spinning, stop;  // CPU 1 is in spin(); tells it to leave

bool count_ack(hvb::InterruptContext&) {
    acks = acks + 1;
    return true;
}

// Runs on CPU 1 inside the call-function IPI's handler (the dispatcher has
// already sent its EOI, so the benchmark interrupt, of lower priority, gets
// through once interrupts are on). No PAUSE in the spin: pause-loop exiting (VT-x PLE, SVM pause filter) would
// take the target vCPU out of guest mode, and it is to stay running.
void spin(void*) {
    hvb::InterruptsOn on;
    spinning = true;
    while (!stop) asm volatile("" ::: "memory");
    spinning = false;
}

void idle(void*) {}

void ipi_running_cleanup();

const char* ipi_running_init() {
    acks = 0;
    stop = false;
    hvb::set_interrupt_handler(hvb::InterruptRole::benchmark, count_ack);
    if (!hvb::on_cpu(1, spin, nullptr, false)) return "CPU 1 does not take on_cpu calls";
    for (uint64_t deadline = hvb::rdtimer() + hvb::us_to_cycles(1000000); !spinning;) {
        if (hvb::rdtimer() > deadline) {
            ipi_running_cleanup();
            return "CPU 1 did not start spinning within 1 s";
        }
        hvb::cpu_relax();
    }
    return nullptr;
}

void ipi_running_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t before = acks;
        hvb::send_ipi(1, hvb::InterruptRole::benchmark);
        while (acks == before) hvb::cpu_relax();
    }
}

void ipi_running_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) (void)acks;
}

// Back to idle: once CPU 1 has left spin(), it takes the next on_cpu call.
void ipi_running_cleanup() {
    stop = true;
    hvb::on_cpu(1, idle, nullptr, true);
    hvb::set_interrupt_handler(hvb::InterruptRole::benchmark, nullptr);
}

}  // namespace

HVB_BENCHMARK(ipi_running,
    .category = "exception",
    .summary = "fixed IPI to CPU 1 spinning with interrupts on, waiting for its handler's count",
    .init = ipi_running_init,
    .benchmark = ipi_running_loop,
    .control = ipi_running_control,
    .cleanup = ipi_running_cleanup,
    .iterations = 100,
    .min_iterations = 1,
    .max_iterations = 100000,
    .min_cpus = 2);
