// arch/aarch64/counters.cpp — the PMU cycle counter and the clock choice.
#include "arch/aarch64/counters.h"

namespace hvb::arm {
namespace {

constexpr uint64_t kPmcrEnable = 1u << 0, kPmcrLongCycle = 1u << 6;
constexpr uint64_t kCycleCounterBit = 1ull << 31;

// One round: spin (guest-only work, no exits) for `ticks` of CNTVCT; the
// cycle counter's rate in Hz over it.
uint64_t cycle_rate(uint64_t ticks, void (*op)()) {
    const uint64_t c0 = pmccntr_serialized(), t0 = cntvct_serialized();
    uint64_t t1 = t0;
    while (t1 - t0 < ticks) {
        if (op != nullptr) op();
        t1 = cntvct_serialized();
    }
    const uint64_t c1 = pmccntr_serialized();
    const uint64_t dt = t1 - t0, dc = c1 - c0;
    if (dt == 0 || dc == 0) return 0;
    // dc * freq / dt without overflow: dc < 2^40 for any round under a second.
    return dc * counter_frequency() / dt;
}

}  // namespace

uint64_t counter_frequency() { return HVB_MRS(cntfrq_el0); }

bool pmu_enable() {
    const uint64_t pmuver = (HVB_MRS(id_aa64dfr0_el1) >> 8) & 0xf;
    if (pmuver == 0 || pmuver == 0xf) return false;  // none, or IMPLEMENTATION DEFINED
    HVB_MSR(pmccfiltr_el0, 0);                       // count at EL1 and EL0
    HVB_MSR(pmcr_el0, HVB_MRS(pmcr_el0) | kPmcrEnable | kPmcrLongCycle);
    HVB_MSR(pmcntenset_el0, kCycleCounterBit);
    isb();
    return true;
}

static bool agree(uint64_t a, uint64_t b) { return (a > b ? a - b : b - a) * 100 <= a; }

ClockChoice choose_bench_clock(uint64_t ticks, void (*exit_op)()) {
    if (!pmu_enable()) return {BenchClock::cntvct, 0, 0, "no PMU"};
    const uint64_t a = cycle_rate(ticks, nullptr), b = cycle_rate(ticks, nullptr);
    if (a == 0 || b == 0) return {BenchClock::cntvct, 0, 0, "PMCCNTR_EL0 does not count"};
    if (!agree(a, b)) return {BenchClock::cntvct, 0, 0, "PMCCNTR_EL0 rate unsteady"};
    const uint64_t rate = (a + b) / 2;
    if (exit_op == nullptr) return {BenchClock::cntvct, rate, 0, "no exit to check PMCCNTR_EL0 across"};
    const uint64_t across = cycle_rate(ticks, exit_op);
    if (!agree(rate, across)) return {BenchClock::cntvct, rate, across, "PMCCNTR_EL0 stops across exits"};
    return {BenchClock::pmccntr, rate, across, ""};
}

}  // namespace hvb::arm
