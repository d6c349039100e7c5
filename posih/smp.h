// posih/smp.h — processors: starting them, naming them, running code on them
// (HyperBench's startothers, spinlock/spinunlock and on_cpu).
#pragma once

#include <stdint.h>

namespace hvb {

// Starts every processor the firmware lists (the arch's start-up sequence);
// each ends up idle, waiting for an interrupt with interrupts on, ready for
// work.
// Returns how many processors are online afterwards (the BSP included) and
// reports each one that did not start through `warn`.
uint32_t smp_init(void (*warn)(const char* message));

// Index of the calling processor: 0 for the boot processor, then 1.. in the
// order the firmware lists them. cpu_count() (posih/cpu.h) is the number
// online.
uint32_t this_cpu();
// The processor's hardware id: the number its interrupt controller and the
// firmware know it by (the arch's).
uint64_t cpu_hardware_id(uint32_t cpu);

// Runs fn(arg) on processor `cpu` through a call-function IPI (directly when
// cpu is the caller). With wait, returns once fn has returned there; without,
// once the request is posted. False when `cpu` is not online or did not take
// or finish the call within a second.
bool on_cpu(uint32_t cpu, void (*fn)(void*), void* arg, bool wait);
// Runs fn(arg) on every online processor: the others through IPIs, then the
// caller. With wait, returns once all have finished. False if any failed.
bool on_all_cpus(void (*fn)(void*), void* arg, bool wait);

// A test-and-set lock; spinners cpu_relax (posih/ops.h). Not recursive;
// interrupts unchanged.
class Spinlock {
public:
    void lock();
    bool try_lock();
    void unlock();

private:
    volatile uint32_t locked_ = 0;
};

class SpinlockGuard {
public:
    explicit SpinlockGuard(Spinlock& l) : lock_(l) { lock_.lock(); }
    ~SpinlockGuard() { lock_.unlock(); }
    SpinlockGuard(const SpinlockGuard&) = delete;
    SpinlockGuard& operator=(const SpinlockGuard&) = delete;

private:
    Spinlock& lock_;
};

}  // namespace hvb
