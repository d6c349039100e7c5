// arch/x86_64/percpu.h — what each processor owns: its tables (GDT, TSS and
// the IST stack for #DF/NMI/#MC), its fault guard, its on_cpu mailbox. GS
// base points at the processor's PerCpu, whose first word points at itself,
// so `mov %gs:0` finds it in one instruction.
#pragma once

#if !defined(__x86_64__)
#error "arch/x86_64/percpu.h is x86_64-only"
#endif

#include <stdint.h>

#include "posih/interrupt.h"

namespace hvb::x86 {

inline constexpr uint32_t kMaxCpus = 64;

// Selectors of the per-CPU GDT that load_cpu_tables builds.
inline constexpr uint16_t kCodeSelector = 0x08;
inline constexpr uint16_t kDataSelector = 0x10;
inline constexpr uint16_t kTssSelector = 0x18;

struct [[gnu::packed]] Tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

// The fault guard's state. The first three words are read and written by
// hvb_guarded_call in isr.asm: saved RSP, saved RFLAGS, armed flag.
struct GuardSlot {
    uint64_t rsp;
    uint64_t rflags;
    uint64_t armed;
    CpuFault fault;
};
static_assert(__builtin_offsetof(GuardSlot, armed) == 16);

struct PerCpu {
    PerCpu* self;  // must stay first: %gs:0
    uint32_t index;
    uint32_t apic_id;
    volatile uint32_t online;
    GuardSlot guard;
    // on_cpu mailbox: the caller owns it between claiming `busy` and the
    // target's `done` catching up with `seq`.
    volatile uint32_t busy;
    void (*volatile call_fn)(void*);
    void* volatile call_arg;
    volatile uint64_t seq;
    volatile uint64_t done;
    // One-shot timer callback (interrupt context).
    void (*volatile timer_fn)();
    // Device interrupts, IPIs and NMIs taken on this CPU (not exceptions).
    volatile uint64_t interrupts;
    alignas(16) uint64_t gdt[5];
    alignas(16) Tss tss;
    alignas(16) uint8_t fault_stack[4096];
};

PerCpu& cpu_data(uint32_t index);

inline PerCpu& current_cpu() {
    PerCpu* p;
    asm volatile("movq %%gs:0, %0" : "=r"(p));
    return *p;
}

// Loads GDT, TSS and IDT for processor `index` and points GS at its PerCpu.
void load_cpu_tables(uint32_t index);

}  // namespace hvb::x86
