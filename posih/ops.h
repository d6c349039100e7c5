// posih/ops.h — the operations a measured loop or a spin-wait needs inline,
// where a call would be part of what is measured.
//
// Declared here; each architecture defines them in its own "arch/ops.h"
// (arch/<arch>/include/arch/ops.h), which the kernel build of that
// architecture finds on its include path: the one place where the
// architecture is chosen (littlekernel's arch/include/arch/ops.h ends the
// same way). Only kernel code includes this: the host library has no
// architecture to supply it.
#pragma once

#include <stdint.h>

namespace hvb {

// A spin-wait hint: this CPU is polling memory (lets a sibling thread or
// the hypervisor know; never a serializing or trapping instruction).
inline void cpu_relax();

// Exactly one 8-byte load from `addr`, its value discarded: the compiler may
// neither drop it nor merge it with another (the memory benchmarks' access).
inline void load64(uintptr_t addr);

}  // namespace hvb

#include "arch/ops.h"
