// posih/timer.h — the benchmark timer: serialized reads of a counter the
// runner measures with, and that counter as a clock.
//
// An architecture may have more than one way to read a counter (the `timer=`
// option chooses); each is a TimerSource, described as data (name, rate,
// unit, what it counts), so that the kernel, the header record and the host
// tool need no list of them.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

struct TimerSource {
    const char* name;       // the `timer=` word and the header's "timer"
    const char* unit;       // what one count is: "cycles" or "ns"
    const char* counts;     // a few words on what it counts, for people
    uint64_t hz;            // counts per second; 0 while unknown
    const char* hz_source;  // how hz was found: the arch's word, "none" when unknown
    bool invariant;         // keeps its rate whatever the CPU's power state
    const char* unavailable;  // why it cannot be used here, or nullptr
};

// The arch's timer sources, in a fixed order; index 0 is the default, the
// one that works everywhere. Complete (rates found) after platform_init.
size_t timer_source_count();
const TimerSource& timer_source(size_t index);
// The index of the source called `name`, or timer_source_count() if none is.
size_t timer_source_find(const char* name);

// Chooses the source that rdtimer, time_call and the clock functions below
// use (source 0 until then). False, and nothing changed, when the index is
// out of range or the source is unavailable.
bool timer_select(size_t index);
const TimerSource& timer_selected();

// HyperBench's rdtimer: one serialized read of the selected source: work
// before it has completed, work after it has not begun.
uint64_t rdtimer();

// Reads the timer, calls fn(iterations), reads it again; returns the elapsed
// count. Both reads are serialized, so fn's work falls between them.
uint64_t time_call(void (*fn)(uint64_t), uint64_t iterations);

// In the selected source's counts:
// the counter read at the kernel's first instruction;
uint64_t entry_timestamp();
// the counter now, unserialized (a clock for budgets and time stamps);
uint64_t counter_now();
// two back-to-back unserialized reads: what one read costs (a read the
// hypervisor traps costs thousands of cycles);
uint64_t counter_read_cost();
// counts <-> microseconds at the source's rate (a 1 GHz guess while it is
// unknown).
uint64_t cycles_to_us(uint64_t cycles);
uint64_t us_to_cycles(uint64_t us);

}  // namespace hvb
