// posih/smp.h — processors: starting them, naming them, running code on them
// (HyperBench's startothers, spinlock/spinunlock and on_cpu).
#pragma once

#include <stdint.h>

namespace hvb {

// Starts every processor the MADT lists (INIT-SIPI-SIPI through a real-mode
// trampoline); each ends up idle in HLT with interrupts on, waiting for work.
// Returns how many processors are online afterwards (the BSP included) and
// reports each one that did not start through `warn`.
uint32_t smp_init(void (*warn)(const char* message));

// Index of the calling processor: 0 for the boot processor, then 1.. in
// MADT order. cpu_count() (posih/cpu.h) is the number online.
uint32_t this_cpu();
// The processor's local APIC ID.
uint32_t cpu_apic_id(uint32_t cpu);

// Runs fn(arg) on processor `cpu` through a call-function IPI (directly when
// cpu is the caller). With wait, returns once fn has returned there; without,
// once the request is posted. False when `cpu` is not online or did not take
// or finish the call within a second.
bool on_cpu(uint32_t cpu, void (*fn)(void*), void* arg, bool wait);
// Runs fn(arg) on every online processor: the others through IPIs, then the
// caller. With wait, returns once all have finished. False if any failed.
bool on_all_cpus(void (*fn)(void*), void* arg, bool wait);

// A test-and-set lock; spinners PAUSE. Not recursive; interrupts unchanged.
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
