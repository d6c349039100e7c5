// arch/aarch64/timer.cpp — aarch64's timer sources (posih/timer.h), the
// counter as a clock, and the one-shot timer on the virtual timer.
//
// Two sources. "cntvct" (index 0, works everywhere): the generic timer's
// virtual count, which includes the time the hypervisor spends, read
// ISB; MRS CNTVCT_EL0; ISB and scaled to CPU cycles at the rate PMCCNTR_EL0
// showed in a guest-only loop (counters.h choose_bench_clock), or to
// nanoseconds where no cycle rate could be measured: at 62.5 MHz a tick is
// 16 ns, a unit nobody reports. "pmccntr": the PMU cycle counter itself, read
// the same way, available only where it kept its rate across exits (TCG;
// not KVM, whose virtual PMU stops while the host runs; not Xen, where it
// reads zero).
#include "arch/aarch64/counters.h"
#include "arch/aarch64/exception.h"
#include "arch/aarch64/gic.h"
#include "arch/aarch64/platform.h"
#include "posih/interrupt.h"
#include "posih/timer.h"

extern "C" uint64_t hvb_arm_entry_counter;  // CNTVCT_EL0 at start.S's first instructions

namespace hvb {
namespace {

enum Source : size_t { kCntvct = 0, kPmccntr = 1, kSourceCount = 2 };

TimerSource sources[kSourceCount] = {
    {"cntvct", "ns", "CNTVCT_EL0 ticks scaled to the unit, read ISB; MRS; ISB", 0, "none", true, nullptr},
    {"pmccntr", "cycles", "PMCCNTR_EL0 cycles, read ISB; MRS; ISB", 0, "none", false, "not measured yet"},
};
size_t selected = kCntvct;

// cntvct's scale: out = ((ticks - base) * mult) >> 24, mult = (out_hz << 24) / CNTFRQ.
uint64_t g_base, g_mult, g_out_hz;

inline uint64_t scale(uint64_t ticks) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(ticks - g_base) * g_mult) >> 24);
}

inline uint64_t read_cntvct() { return scale(arm::cntvct_serialized()); }

}  // namespace

// Called once by the arch's platform bring-up, after choose_bench_clock.
void arm_timer_init(const arm::ClockChoice& c) {
    const uint64_t freq = arm::counter_frequency();
    g_base = hvb_arm_entry_counter;
    g_out_hz = c.cycle_hz != 0 ? c.cycle_hz : 1000000000ull;
    g_mult = freq != 0 ? (g_out_hz << 24) / freq : (1ull << 24);
    sources[kCntvct].unit = c.cycle_hz != 0 ? "cycles" : "ns";
    sources[kCntvct].hz = g_out_hz;
    sources[kCntvct].hz_source = c.cycle_hz != 0 ? "pmccntr-vs-cntvct" : "cntfrq";
    sources[kPmccntr].hz = c.cycle_hz;
    sources[kPmccntr].hz_source = c.cycle_hz != 0 ? "pmccntr-vs-cntvct" : "none";
    sources[kPmccntr].unavailable = c.clock == arm::BenchClock::pmccntr ? nullptr : c.reason;
}

size_t timer_source_count() { return kSourceCount; }
const TimerSource& timer_source(size_t index) { return sources[index < kSourceCount ? index : kCntvct]; }

size_t timer_source_find(const char* name) {
    for (size_t i = 0; i < kSourceCount; ++i)
        if (__builtin_strcmp(sources[i].name, name) == 0) return i;
    return kSourceCount;
}

bool timer_select(size_t index) {
    if (index >= kSourceCount || sources[index].unavailable != nullptr) return false;
    selected = index;
    return true;
}

const TimerSource& timer_selected() { return sources[selected]; }

uint64_t rdtimer() { return selected == kPmccntr ? arm::pmccntr_serialized() : read_cntvct(); }

uint64_t time_call(void (*fn)(uint64_t), uint64_t iterations) {
    if (selected == kPmccntr) {
        const uint64_t a = arm::pmccntr_serialized();
        fn(iterations);
        return arm::pmccntr_serialized() - a;
    }
    const uint64_t a = read_cntvct();
    fn(iterations);
    return read_cntvct() - a;
}

// The clock functions count in cntvct's scaled unit whatever is selected,
// except that with pmccntr selected they use its cycles (same rate).
uint64_t entry_timestamp() { return selected == kPmccntr ? 0 : scale(hvb_arm_entry_counter); }
uint64_t counter_now() {
    if (selected == kPmccntr) return HVB_MRS(pmccntr_el0);
    return scale(HVB_MRS(cntvct_el0));
}
uint64_t counter_read_cost() {
    const uint64_t a = counter_now();
    const uint64_t b = counter_now();
    return b - a;
}
uint64_t cycles_to_us(uint64_t cycles) {
    const uint64_t hz = timer_selected().hz != 0 ? timer_selected().hz : 1000000000ull;
    return cycles / hz * 1000000 + cycles % hz * 1000000 / hz;
}
uint64_t us_to_cycles(uint64_t us) {
    const uint64_t hz = timer_selected().hz != 0 ? timer_selected().hz : 1000000000ull;
    return us * (hz / 1000000) + us * (hz % 1000000) / 1000000;
}

}  // namespace hvb
