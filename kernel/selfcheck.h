// kernel/selfcheck.h — boot self-checks of the platform layer: they prove
// that what the benchmarks rely on (other CPUs answering, the MMU doing what
// install_pte says) works on this machine before anything is measured.
#pragma once

#include <stdint.h>

namespace hvb {

// A self-IPI reaches its handler, and the one-shot timer fires after about
// the time it was armed for.
bool selfcheck_interrupts(void (*fail)(const char* message));

// Every AP runs a call through on_cpu and reports its own index back.
// Returns false (after reporting each failure through `fail`) if any AP did
// not answer or answered as the wrong CPU.
bool selfcheck_smp(void (*fail)(const char* message));

// Maps 64 MiB of RAM at an unused virtual address with 4 KiB pages, writes
// every page through the new mapping, checks each write landed in the right
// physical page, unmaps it all and checks that reading it now faults; then
// the same with 2 MiB pages. Then builds a 1:1 address space of all RAM with
// setup_mmu, runs on it and switches back.
bool selfcheck_mmu(void (*fail)(const char* message));

}  // namespace hvb
