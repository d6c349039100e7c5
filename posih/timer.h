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

}  // namespace hvb
