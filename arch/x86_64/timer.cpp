// arch/x86_64/timer.cpp — rdtimer and the timed call, in both TSC modes.
#include "arch/x86_64/cpu.h"
#include "posih/timer.h"

namespace hvb {
namespace {

template <TimerMode M>
inline uint64_t read() {
    if constexpr (M == TimerMode::rdtscp) return x86::rdtscp_fenced();
    else return x86::rdtsc_fenced();
}

template <TimerMode M>
uint64_t timed(void (*fn)(uint64_t), uint64_t iterations) {
    uint64_t start = read<M>();
    fn(iterations);
    uint64_t end = read<M>();
    return end - start;
}

}  // namespace

uint64_t rdtimer(TimerMode mode) {
    return mode == TimerMode::rdtscp ? read<TimerMode::rdtscp>() : read<TimerMode::rdtsc>();
}

uint64_t time_call(TimerMode mode, void (*fn)(uint64_t), uint64_t iterations) {
    return mode == TimerMode::rdtscp ? timed<TimerMode::rdtscp>(fn, iterations)
                                     : timed<TimerMode::rdtsc>(fn, iterations);
}

}  // namespace hvb
