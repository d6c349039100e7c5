// arch/aarch64/include/arch/ops.h — aarch64's half of posih/ops.h (included
// at its end; nothing else includes it).
#pragma once

#if !defined(__aarch64__)
#error "arch/aarch64/include/arch/ops.h is aarch64-only"
#endif

namespace hvb {

// YIELD (ARM ARM C6.2.400): the spin-wait hint; never traps.
inline void cpu_relax() { asm volatile("yield" ::: "memory"); }

inline void load64(uintptr_t addr) {
    uint64_t v;
    asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
}

}  // namespace hvb
