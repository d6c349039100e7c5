// arch/x86_64/vectors.h — the IDT vectors hvbench assigns to the interrupt
// roles of posih/interrupt.h (interrupt_number), and the x86 exception
// vectors portable code asks for by kind (fault_number). Vectors 32..255 not
// named here are free for benchmarks.
#pragma once

namespace hvb::x86 {

inline constexpr unsigned kVectorPageFault = 14;       // #PF (SDM vol. 3, table 6-1)
inline constexpr unsigned kVectorBenchmarkIpi = 0xE0;  // InterruptRole::benchmark
inline constexpr unsigned kVectorTimer = 0xEF;         // InterruptRole::timer
inline constexpr unsigned kVectorCallFunction = 0xF0;  // InterruptRole::call_function
inline constexpr unsigned kVectorSpurious = 0xFF;      // the local APIC's spurious vector

}  // namespace hvb::x86
