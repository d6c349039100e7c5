// benchmarks/cr0_write.cpp — two MOVs to CR0 per iteration: one toggling
// CR0.MP (bit 1; harmless, hvbench never uses the FPU), one restoring it.
// Under VT-x a MOV to CR0 exits when it changes a bit the hypervisor owns
// through the CR0 guest/host mask (compared with the read shadow); MP is not
// a bit KVM lets the guest own, so both writes exit. SVM has CR0-write and
// selective-CR0-write intercepts.
#include "kernel/benchmark.h"
#include "arch/x86_64/cpu.h"

namespace {

constexpr uint64_t kCr0Mp = 1u << 1;
uint64_t saved_cr0, toggled_cr0;

const char* cr0_write_init() {
    saved_cr0 = hvb::x86::read_cr0();
    toggled_cr0 = saved_cr0 ^ kCr0Mp;
    return nullptr;
}

// The values are loaded in the loop rather than once before it, so no MOV
// precedes the loop (the disassembly check looks for the first MOV); the
// control does the same loads without the writes.
uint64_t load(const uint64_t& v) { return *static_cast<const volatile uint64_t*>(&v); }

void cr0_write_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i)
        asm volatile("mov %0, %%cr0\n\tmov %1, %%cr0" ::"r"(load(toggled_cr0)), "r"(load(saved_cr0)) : "memory");
}

void cr0_write_control(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        (void)load(toggled_cr0);
        (void)load(saved_cr0);
        asm volatile("" ::: "memory");
    }
}

// Puts CR0 back even if the loop stopped between its two writes.
void cr0_write_cleanup() { asm volatile("mov %0, %%cr0" ::"r"(saved_cr0) : "memory"); }

}  // namespace

HVB_BENCHMARK(cr0_write,
    .category = "privileged",
    .summary = "two MOVs to CR0 per iteration: toggle CR0.MP, then restore it",
    .init = cr0_write_init,
    .benchmark = cr0_write_loop,
    .control = cr0_write_control,
    .cleanup = cr0_write_cleanup,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
