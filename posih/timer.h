// posih/timer.h — the serialized cycle counter the runner measures with.
#pragma once

#include <stdint.h>

namespace hvb {

// How the counter is read: LFENCE-bracketed RDTSC (works everywhere) or
// RDTSCP + LFENCE (some hypervisors advertise RDTSCP and then fail on it).
enum class TimerMode : uint8_t { rdtsc, rdtscp };

// HyperBench's rdtimer: one serialized read in the given mode.
uint64_t rdtimer(TimerMode mode);

// Reads the timer, calls fn(iterations), reads it again; returns the elapsed
// count. Both reads are serialized, so fn's work falls between them.
uint64_t time_call(TimerMode mode, void (*fn)(uint64_t), uint64_t iterations);

// The cycle counter read at the kernel's first instruction.
uint64_t entry_timestamp();
// The counter now, unserialized (a clock for budgets and time stamps).
uint64_t counter_now();
// Two back-to-back unserialized counter reads: what one read costs (a read
// the hypervisor traps costs thousands of cycles).
uint64_t counter_read_cost();
// Counter cycles <-> microseconds at the best known counter frequency.
uint64_t cycles_to_us(uint64_t cycles);
uint64_t us_to_cycles(uint64_t us);

}  // namespace hvb
