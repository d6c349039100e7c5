// benchmarks/cr4_write.cpp — two MOVs to CR4 per iteration: one toggling
// CR4.VME (bit 0; virtual-8086 extensions, inert in long mode), one restoring
// it. Under VT-x a MOV to CR4 exits when it changes a bit the hypervisor owns
// through the CR4 guest/host mask; VME is not among the bits KVM lets the
// guest own, so both writes exit. SVM has a CR4-write intercept.
#include "kernel/benchmark.h"
#include "arch/x86_64/cpu.h"

namespace {

constexpr uint64_t kCr4Vme = 1u << 0;
uint64_t saved_cr4, toggled_cr4;

const char* cr4_write_init() {
    if (!(hvb::x86::cpuid(1).edx & (1u << 1))) return "CPU has no VME (CPUID.1:EDX[1])";
    saved_cr4 = hvb::x86::read_cr4();
    toggled_cr4 = saved_cr4 ^ kCr4Vme;
    return nullptr;
}

// The values are loaded in the loop rather than once before it, so no MOV
// precedes the loop (the disassembly check looks for the first MOV); the
// control does the same loads without the writes.
uint64_t load(const uint64_t& v) { return *static_cast<const volatile uint64_t*>(&v); }

void cr4_write_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i)
        asm volatile("mov %0, %%cr4\n\tmov %1, %%cr4" ::"r"(load(toggled_cr4)), "r"(load(saved_cr4)) : "memory");
}

void cr4_write_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        (void)load(toggled_cr4);
        (void)load(saved_cr4);
        asm volatile("" ::: "memory");
    }
}

// Puts CR4 back even if the loop stopped between its two writes.
void cr4_write_cleanup() { asm volatile("mov %0, %%cr4" ::"r"(saved_cr4) : "memory"); }

}  // namespace

HVB_BENCHMARK(cr4_write,
    .category = "privileged",
    .summary = "two MOVs to CR4 per iteration: toggle CR4.VME, then restore it",
    .init = cr4_write_init,
    .benchmark = cr4_write_loop,
    .control = cr4_write_control,
    .cleanup = cr4_write_cleanup,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
