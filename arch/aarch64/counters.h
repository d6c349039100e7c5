// arch/aarch64/counters.h — the clocks: the generic timer's virtual count
// (CNTVCT_EL0, at CNTFRQ_EL0: 62.5 MHz on QEMU virt, 16 ns a tick) and the
// PMU cycle counter (PMCCNTR_EL0), and which of them times the benchmarks.
//
// CNTVCT_EL0 always counts, the hypervisor's time included. PMCCNTR_EL0
// counts CPU cycles under TCG, stops while KVM's host runs (its virtual PMU)
// and reads zero under Xen. So the benchmark timer is PMCCNTR only where it
// keeps its rate against CNTVCT across exits to the hypervisor; elsewhere
// CNTVCT, its ticks reported as cycles where PMCCNTR's rate could be measured
// in a guest-only loop, as nanoseconds where not.
#pragma once

#include <stdint.h>

#include "arch/aarch64/sysreg.h"

namespace hvb::arm {

enum class BenchClock : uint8_t { cntvct, pmccntr };

// ISB before and after, as the x86 side brackets RDTSC with LFENCE: the read
// neither runs ahead of earlier instructions nor lets later ones start first.
inline uint64_t cntvct_serialized() {
    uint64_t v;
    asm volatile("isb\n\tmrs %0, cntvct_el0\n\tisb" : "=r"(v)::"memory");
    return v;
}
inline uint64_t pmccntr_serialized() {
    uint64_t v;
    asm volatile("isb\n\tmrs %0, pmccntr_el0\n\tisb" : "=r"(v)::"memory");
    return v;
}

uint64_t counter_frequency();  // CNTFRQ_EL0, Hz

// Turns the cycle counter on (PMCR_EL0.E and LC, PMCNTENSET_EL0 bit 31,
// counting at EL0 and EL1) when the CPU has a PMU. False without one.
bool pmu_enable();

struct ClockChoice {
    BenchClock clock;
    uint64_t cycle_hz;     // PMCCNTR's rate in a guest-only loop (0: not measurable)
    uint64_t exit_hz;      // its rate across exits (0: not measured)
    const char* reason;    // why PMCCNTR was not chosen ("" when it was)
};
// Measures PMCCNTR against CNTVCT over `ticks` counter ticks: twice in a
// guest-only loop (the rates must agree within 1 %: the cycle rate), then
// in a loop calling `exit_op` (an operation the hypervisor handles, nullptr
// when there is none): PMCCNTR is chosen only when that rate agrees too.
ClockChoice choose_bench_clock(uint64_t ticks, void (*exit_op)());

}  // namespace hvb::arm
