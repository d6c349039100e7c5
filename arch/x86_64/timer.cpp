// arch/x86_64/timer.cpp — the timer sources (two ways to read the TSC),
// rdtimer and the timed call;
// the TSC as a clock; the LAPIC one-shot timer.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "posih/timer.h"

namespace hvb {
namespace {

// The two ways to read the TSC (DESIGN.md "Timing"). Index 0 is the default:
// LFENCE-bracketed RDTSC works everywhere; RDTSCP + LFENCE is the other,
// kept selectable because some hypervisors advertise RDTSCP and then fail on
// it.
enum Source : size_t { kRdtsc = 0, kRdtscp = 1, kSourceCount = 2 };

TimerSource sources[kSourceCount] = {
    {"rdtsc", "cycles", "TSC cycles, read LFENCE; RDTSC; LFENCE", 0, "none", false, nullptr},
    {"rdtscp", "cycles", "TSC cycles, read RDTSCP; LFENCE", 0, "none", false, nullptr},
};
size_t selected = kRdtsc;

template <size_t S>
inline uint64_t read() {
    if constexpr (S == kRdtscp) return x86::rdtscp_fenced();
    else return x86::rdtsc_fenced();
}

template <size_t S>
uint64_t timed(void (*fn)(uint64_t), uint64_t iterations) {
    uint64_t start = read<S>();
    fn(iterations);
    uint64_t end = read<S>();
    return end - start;
}

// Both sources read the one TSC: its rate and how it was found are the
// CPU's (arch/x86_64/platform.cpp), known once the PIT has been asked.
void refresh() {
    const x86::TscInfo& t = x86::tsc_info();
    for (TimerSource& s : sources) {
        s.hz = t.hz;
        s.hz_source = t.source;
        s.invariant = t.invariant;
    }
    sources[kRdtscp].unavailable = t.rdtscp ? nullptr : "this CPU does not advertise RDTSCP";
}

}  // namespace

size_t timer_source_count() { return kSourceCount; }

const TimerSource& timer_source(size_t index) {
    refresh();
    return sources[index < kSourceCount ? index : kRdtsc];
}

size_t timer_source_find(const char* name) {
    for (size_t i = 0; i < kSourceCount; ++i)
        if (__builtin_strcmp(sources[i].name, name) == 0) return i;
    return kSourceCount;
}

bool timer_select(size_t index) {
    if (index >= kSourceCount || timer_source(index).unavailable) return false;
    selected = index;
    return true;
}

const TimerSource& timer_selected() { return timer_source(selected); }

}  // namespace hvb

extern "C" uint64_t hvb_entry_tsc;  // arch/x86_64/boot.asm

namespace hvb {

uint64_t entry_timestamp() { return hvb_entry_tsc; }
uint64_t counter_now() { return x86::tsc_now(); }

uint64_t counter_read_cost() {
    uint64_t a = x86::tsc_now();
    uint64_t b = x86::tsc_now();
    return b - a;
}

uint64_t cycles_to_us(uint64_t cycles) {
    uint64_t hz = x86::tsc_hz();
    return cycles / hz * 1000000 + cycles % hz * 1000000 / hz;
}
uint64_t us_to_cycles(uint64_t us) { return x86::tsc_from_us(us); }

uint64_t rdtimer() { return selected == kRdtscp ? read<kRdtscp>() : read<kRdtsc>(); }

uint64_t time_call(void (*fn)(uint64_t), uint64_t iterations) {
    return selected == kRdtscp ? timed<kRdtscp>(fn, iterations) : timed<kRdtsc>(fn, iterations);
}

}  // namespace hvb

// ---- the one-shot timer ------------------------------------------------------
#include "arch/x86_64/apic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/vectors.h"
#include "posih/interrupt.h"

namespace hvb {
namespace {

constexpr uint32_t kDivideBy16 = 0x3;  // timer divide configuration (SDM vol. 3, 10.5.4)
uint64_t lapic_ticks_per_ms;  // 0: not calibrated

bool timer_interrupt(InterruptContext&) {
    void (*fn)() = x86::current_cpu().timer_fn;
    x86::current_cpu().timer_fn = nullptr;
    if (fn) fn();
    return true;
}

// Counts LAPIC timer ticks over 10 ms of TSC time.
void calibrate() {
    using namespace x86;
    apic_write(kApicTimerDivide, kDivideBy16);
    apic_write(kApicLvtTimer, (1u << 16) | kVectorTimer);  // masked while measuring
    apic_write(kApicTimerInitial, 0xFFFFFFFFu);
    uint64_t start = tsc_now();
    uint32_t first = apic_read(kApicTimerCurrent);
    while (tsc_now() - start < tsc_from_us(10000)) pause();
    uint32_t last = apic_read(kApicTimerCurrent);
    apic_write(kApicTimerInitial, 0);
    lapic_ticks_per_ms = (first - last) / 10;
}

}  // namespace

bool timer_oneshot(uint64_t ns, void (*on_expiry)()) {
    using namespace x86;
    if (!lapic_ticks_per_ms) {
        set_interrupt_handler(kVectorTimer, timer_interrupt);
        calibrate();
        if (!lapic_ticks_per_ms) return false;
    }
    uint64_t ticks = ns / 1000000 * lapic_ticks_per_ms + ns % 1000000 * lapic_ticks_per_ms / 1000000;
    if (ticks == 0) ticks = 1;
    if (ticks > 0xFFFFFFFFu) ticks = 0xFFFFFFFFu;
    current_cpu().timer_fn = on_expiry;
    apic_write(kApicTimerDivide, kDivideBy16);
    apic_write(kApicLvtTimer, kVectorTimer);  // one-shot, unmasked
    apic_write(kApicTimerInitial, uint32_t(ticks));
    return true;
}

void timer_cancel() {
    x86::apic_write(x86::kApicTimerInitial, 0);
    x86::current_cpu().timer_fn = nullptr;
}

const char* timer_oneshot_source() { return lapic_ticks_per_ms ? "lapic" : "none"; }

}  // namespace hvb
