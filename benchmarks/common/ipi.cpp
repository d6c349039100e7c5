// benchmarks/ipi.cpp — HyperBench's IPI (Table 1): CPU 0 sends an IPI to
// CPU 1 while CPU 1 is halted in HLT, and waits for its answer. Through
// on_cpu(wait): a call-function IPI (vector 0xF0), CPU 1 wakes, runs an empty
// function, stores its completion flag and halts again. Under a hypervisor
// the ICR write exits (unless posted-interrupt/IPI virtualization handles
// it), the target vCPU is woken from its halt exit and re-entered, and its
// EOI and HLT exit again: several T_ext terms and a host wakeup per round.
#include "kernel/benchmark.h"
#include "posih/smp.h"

namespace {

void answer(void*) {}

void ipi_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) hvb::on_cpu(1, answer, nullptr, true);
}

const char* ipi_init() { return hvb::on_cpu(1, answer, nullptr, true) ? nullptr : "CPU 1 does not answer on_cpu"; }

}  // namespace

HVB_BENCHMARK(ipi,
    .category = "exception",
    .summary = "IPI to halted CPU 1 through on_cpu, waiting for its answer",
    .init = ipi_init,
    .benchmark = ipi_loop,
    .control = hvb::empty_loop,  // the same loop without the on_cpu call
    .iterations = 100,
    .min_iterations = 1,
    .max_iterations = 100000,
    .min_cpus = 2);
