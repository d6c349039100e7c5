// benchmarks/self_ipi.cpp — a fixed IPI a CPU sends itself (InterruptRole::benchmark
// through the ICR's self shorthand), taken with interrupts on, then waited
// for. No other vCPU is involved: under a hypervisor the ICR write exits
// (T_ext) unless APIC virtualization handles it, the interrupt is injected on
// the next entry, and the handler's EOI may exit again.
#include "kernel/benchmark.h"
#include "posih/interrupt.h"
#include "posih/ops.h"

namespace {

volatile uint64_t delivered;

bool count_delivery(hvb::InterruptContext&) {
    delivered = delivered + 1;
    return true;
}

const char* self_ipi_init() {
    hvb::set_interrupt_handler(hvb::InterruptRole::benchmark, count_delivery);
    return nullptr;
}

// Runs with interrupts on (kFlagInterruptsOn), so the IPI is taken at once.
void self_ipi_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t before = delivered;
        hvb::send_ipi_self(hvb::InterruptRole::benchmark);
        while (delivered == before) hvb::cpu_relax();
    }
}

// The same loop without the IPI: the counter read.
void self_ipi_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) (void)delivered;
}

void self_ipi_cleanup() { hvb::set_interrupt_handler(hvb::InterruptRole::benchmark, nullptr); }

}  // namespace

HVB_BENCHMARK(self_ipi,
    .category = "exception",
    .summary = "fixed IPI to the sending CPU itself, interrupts on, waiting for its handler",
    .init = self_ipi_init,
    .benchmark = self_ipi_loop,
    .control = self_ipi_control,
    .cleanup = self_ipi_cleanup,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000,
    .flags = hvb::kFlagInterruptsOn);
