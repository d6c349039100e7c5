// arch/x86_64/cpu.h — x86 instruction intrinsics. Only arch/x86_64/ (and
// benchmarks, which are instruction sequences by nature) include this.
#pragma once

#if !defined(__x86_64__)
#error "arch/x86_64/cpu.h is x86_64-only"
#endif

#include <stddef.h>
#include <stdint.h>

namespace hvb::x86 {

// The features x86_64 numbers for benchmarks' needs (kernel/benchmark.h
// need_arch_feature; posih/cpu.h arch_feature_missing).
inline constexpr unsigned kFeatureRdtscp = 0;  // CPUID.80000001:EDX[27]

struct CpuidResult {
    uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult cpuid(uint32_t leaf, uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t(hi) << 32) | lo;
}

inline void wrmsr(uint32_t msr, uint64_t value) {
    asm volatile("wrmsr" ::"c"(msr), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)) : "memory");
}

inline uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
// REP OUTSB: n bytes from p to one port, in a single instruction.
inline void outsb(uint16_t port, const char* p, size_t n) {
    asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(port) : "memory");
}

inline uint64_t read_rflags() {
    uint64_t f;
    asm volatile("pushfq; popq %0" : "=r"(f));
    return f;
}
inline void write_rflags(uint64_t f) { asm volatile("pushq %0; popfq" ::"r"(f) : "memory", "cc"); }

inline void cli() { asm volatile("cli" ::: "memory"); }
inline void sti() { asm volatile("sti" ::: "memory"); }
inline void hlt() { asm volatile("hlt" ::: "memory"); }
inline void pause() { asm volatile("pause"); }

inline uint64_t read_cr0() { uint64_t v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
inline uint64_t read_cr2() { uint64_t v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
inline uint64_t read_cr3() { uint64_t v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
inline uint64_t read_cr4() { uint64_t v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
inline void write_cr3(uint64_t v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }

inline constexpr uint64_t kRflagsIF = 1u << 9;

// Serialized TSC reads (Intel SDM vol. 3, 18.17; Paoloni 2010). LFENCE waits
// for every earlier instruction to complete locally and keeps later ones from
// starting, so a bracketed RDTSC reads the counter at a precise point.
inline uint64_t rdtsc_fenced() {
    uint32_t lo, hi;
    asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t(hi) << 32) | lo;
}
// RDTSCP waits for earlier instructions itself; the LFENCE after it keeps the
// timed code from starting early.
inline uint64_t rdtscp_fenced() {
    uint32_t lo, hi, aux;
    asm volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    return (uint64_t(hi) << 32) | lo;
}

}  // namespace hvb::x86
