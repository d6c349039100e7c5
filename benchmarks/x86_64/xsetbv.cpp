// benchmarks/xsetbv.cpp — XSETBV rewriting XCR0 (the enabled XSAVE state
// components) with its current value. XSETBV exits unconditionally under
// VT-x, and SVM has an XSETBV intercept: the hypervisor must check the value
// and switch XCR0 itself. hvbench is built with -mgeneral-regs-only and never
// touches SSE/AVX state, so rewriting XCR0 is safe.
#include "kernel/benchmark.h"
#include "arch/x86_64/cpu.h"

namespace {

constexpr uint64_t kCr4Osxsave = 1u << 18;
bool set_osxsave;  // init turned CR4.OSXSAVE on; cleanup turns it off
uint32_t xcr0_lo, xcr0_hi;

void write_cr4(uint64_t v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

const char* xsetbv_init() {
    if (!(hvb::x86::cpuid(1).ecx & (1u << 26))) return "CPU has no XSAVE";
    uint64_t cr4 = hvb::x86::read_cr4();
    set_osxsave = !(cr4 & kCr4Osxsave);
    if (set_osxsave) {
        // With OSXSAVE clear nothing can read or use XCR0, so write its reset
        // value (x87 only) rather than read it: XGETBV stops the VM under an
        // instruction-emulating KVM, the way RDTSCP does.
        write_cr4(cr4 | kCr4Osxsave);
        xcr0_lo = 1;
        xcr0_hi = 0;
    } else {
        asm volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    }
    return nullptr;
}

void xsetbv_loop(uint64_t n) {
    const uint32_t lo = xcr0_lo, hi = xcr0_hi;
    for (uint64_t i = 0; i < n; ++i) asm volatile("xsetbv" ::"c"(0), "a"(lo), "d"(hi) : "memory");
}

void xsetbv_cleanup() {
    if (set_osxsave) write_cr4(hvb::x86::read_cr4() & ~kCr4Osxsave);
    set_osxsave = false;
}

}  // namespace

HVB_BENCHMARK(xsetbv,
    .category = "privileged",
    .summary = "XSETBV of XCR0 with its current value (always exits under VT-x)",
    .init = xsetbv_init,
    .benchmark = xsetbv_loop,
    .control = hvb::empty_loop,
    .cleanup = xsetbv_cleanup,
    .iterations = 10000,
    .min_iterations = 1,
    .max_iterations = 10000000);
