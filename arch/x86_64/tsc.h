// arch/x86_64/tsc.h — the TSC as a clock: frequency (from CPUID or measured
// against the PIT) and delays. Internal to arch/x86_64.
#pragma once

#include <stdint.h>

namespace hvb::x86 {

// What CPU identification found out about the TSC (platform.cpp).
struct TscInfo {
    uint64_t hz;         // 0 when no source knows it (yet: the PIT may tell)
    const char* source;  // "cpuid15", "cpuid16", "hypervisor", "pit" (measured), "none"
    bool invariant;      // CPUID.80000007:EDX[8]
    bool rdtscp;         // CPUID.80000001:EDX[27]
};
const TscInfo& tsc_info();

// CPU features the arch layer needs (CPUID.1:ECX[21]; CPUID.80000001:EDX[26]).
bool has_x2apic();
bool has_1g_pages();

// Starts PIT channel 2 on its longest count: the window the TSC frequency
// is measured over when CPUID does not give it (at CPU identification).
void pit_window_start();
// Measures the TSC frequency against PIT channel 2 (the window started
// above, else 3 x 2 ms of waiting). Returns the frequency (0 if the PIT
// does not tick).
uint64_t tsc_calibrate_pit();
uint64_t tsc_hz();  // best known frequency; a 1 GHz guess when unknown
inline uint64_t tsc_now() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}
uint64_t tsc_from_us(uint64_t us);
void tsc_delay_us(uint64_t us);

// Pieces of platform discovery the SMP code needs (arch/x86_64/platform.cpp
// and memory.cpp).
const uint32_t* madt_apic_ids(uint32_t* count);
uint64_t low_memory_page();

}  // namespace hvb::x86
