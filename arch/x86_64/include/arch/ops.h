// arch/x86_64/include/arch/ops.h — x86_64's half of posih/ops.h (included
// at its end; nothing else includes it).
#pragma once

#if !defined(__x86_64__)
#error "arch/x86_64/include/arch/ops.h is x86_64-only"
#endif

namespace hvb {

// PAUSE (Intel SDM vol. 2): the spin-wait hint; under VT-x/SVM pause-loop
// exiting may end a long spin with an exit, which is what a spinning vCPU
// should cost.
inline void cpu_relax() { asm volatile("pause" ::: "memory"); }

inline void load64(uintptr_t addr) { asm volatile("movq (%0), %%rax" ::"r"(addr) : "rax", "memory"); }

}  // namespace hvb
