// arch/x86_64/interrupts.cpp — GDT with a TSS, the IDT, exception dispatch,
// the fault guard's exception side, and the fatal-exception register dump.
#include "arch/x86_64/cpu.h"
#include "posih/console.h"
#include "posih/cpu.h"
#include "posih/format.h"
#include "posih/interrupt.h"

// The frame isr_common builds (arch/x86_64/isr.asm): general registers in
// reverse push order, then the vector and error code, then what the CPU
// pushed (Intel SDM vol. 3, 6.14.1).
struct hvb::InterruptContext {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(hvb::InterruptContext) == 22 * 8);

extern "C" const uint64_t hvb_isr_stubs[256];
extern "C" char hvb_guard_landing[];

namespace hvb {
namespace {

constexpr uint16_t kCodeSelector = 0x08;
constexpr uint16_t kDataSelector = 0x10;
constexpr uint16_t kTssSelector = 0x18;
constexpr unsigned kIstFault = 1;  // IST slot for #DF, NMI and #MC

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

struct [[gnu::packed]] IdtGate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(IdtGate) == 16);

struct [[gnu::packed]] TablePointer {
    uint16_t limit;
    uint64_t base;
};

// The fault guard's state (layout shared with isr.asm: rsp, rflags, armed),
// followed by what the dispatcher found.
struct GuardSlot {
    uint64_t rsp;
    uint64_t rflags;
    uint64_t armed;
    CpuFault fault;
};

alignas(16) uint64_t gdt[5];
alignas(16) Tss tss;
alignas(16) IdtGate idt[256];
alignas(16) uint8_t fault_stack[8192];
GuardSlot guard;
InterruptHandler handlers[256];
void (*fatal_reporter)(const char*);

bool pushes_error_code(unsigned v) {
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

const char* exception_name(unsigned v) {
    static const char* const names[32] = {
        "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
        "#BR bound range", "#UD invalid opcode", "#NM device not available",
        "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
        "#NP segment not present", "#SS stack fault", "#GP general protection",
        "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
        "#MC machine check", "#XM SIMD error", "#VE virtualization exception",
        "#CP control protection", "reserved 22", "reserved 23", "reserved 24",
        "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
        "#VC VMM communication", "#SX security exception", "reserved 31"};
    return v < 32 ? names[v] : "interrupt";
}

void load_tables() {
    // Flat 64-bit code and data, then the 16-byte TSS descriptor
    // (SDM vol. 3, 8.2.3).
    gdt[0] = 0;
    gdt[1] = 0x00AF9A000000FFFFull;
    gdt[2] = 0x00CF92000000FFFFull;
    uint64_t base = reinterpret_cast<uint64_t>(&tss);
    uint64_t limit = sizeof(Tss) - 1;
    gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[4] = base >> 32;
    tss.ist[kIstFault - 1] = reinterpret_cast<uint64_t>(fault_stack + sizeof(fault_stack));
    tss.iomap_base = sizeof(Tss);  // no I/O bitmap

    TablePointer gp{sizeof(gdt) - 1, reinterpret_cast<uint64_t>(gdt)};
    asm volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "ltr %w3"
        :
        : "m"(gp), "i"(kCodeSelector), "r"(uint32_t(kDataSelector)), "r"(uint32_t(kTssSelector))
        : "rax", "memory");

    for (unsigned v = 0; v < 256; ++v) {
        uint64_t target = hvb_isr_stubs[v];
        IdtGate& g = idt[v];
        g.offset_low = target & 0xFFFF;
        g.selector = kCodeSelector;
        g.ist = (v == 2 || v == 8 || v == 18) ? kIstFault : 0;
        g.type_attr = 0x8E;  // present, DPL 0, 64-bit interrupt gate
        g.offset_mid = (target >> 16) & 0xFFFF;
        g.offset_high = uint32_t(target >> 32);
        g.reserved = 0;
    }
    TablePointer ip{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lidt %0" ::"m"(ip) : "memory");
}

// The 8259 PICs come up (or are left by the firmware) delivering the PIT's
// IRQ 0 on vectors that alias CPU exceptions. Remap them to 0x20..0x2F so a
// stray one can never look like a fault, and mask every line: hvbench uses
// the local APIC. Masking also matters for measurement: with an interrupt
// pending while IF=0, some hypervisors single-step the guest to find the
// interrupt window, making every instruction cost an exit.
void mask_legacy_pic() {
    constexpr uint16_t kMasterCmd = 0x20, kMasterData = 0x21, kSlaveCmd = 0xA0, kSlaveData = 0xA1;
    x86::outb(kMasterCmd, 0x11);   // ICW1: init, ICW4 follows
    x86::outb(kSlaveCmd, 0x11);
    x86::outb(kMasterData, 0x20);  // ICW2: vector base
    x86::outb(kSlaveData, 0x28);
    x86::outb(kMasterData, 0x04);  // ICW3: slave on IRQ 2
    x86::outb(kSlaveData, 0x02);
    x86::outb(kMasterData, 0x01);  // ICW4: 8086 mode
    x86::outb(kSlaveData, 0x01);
    x86::outb(kMasterData, 0xFF);  // OCW1: mask all
    x86::outb(kSlaveData, 0xFF);
}

[[noreturn]] void fatal(const InterruptContext& c) {
    char line[160];
    snformat(line, sizeof line, "fatal %s (vector %u) at rip 0x%016lx error 0x%lx cr2 0x%016lx",
             exception_name(unsigned(c.vector)), unsigned(c.vector), c.rip, c.error_code,
             x86::read_cr2());
    if (fatal_reporter) fatal_reporter(line);
    kprintf("\n*** %s\n", line);
    kprintf("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", c.rax, c.rbx, c.rcx, c.rdx);
    kprintf("rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", c.rsi, c.rdi, c.rbp, c.rsp);
    kprintf("r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", c.r8, c.r9, c.r10, c.r11);
    kprintf("r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", c.r12, c.r13, c.r14, c.r15);
    kprintf("rip %016lx cs %04lx ss %04lx rflags %016lx\n", c.rip, c.cs, c.ss, c.rflags);
    kprintf("cr0 %016lx cr3 %016lx cr4 %016lx\n", x86::read_cr0(), x86::read_cr3(), x86::read_cr4());
    platform_exit(kExitFatal, true);
}

}  // namespace
}  // namespace hvb

extern "C" bool hvb_guarded_call(void (*fn)(void*), void* arg, hvb::GuardSlot* slot);

namespace hvb {

unsigned context_vector(const InterruptContext& c) { return unsigned(c.vector); }
uint64_t context_pc(const InterruptContext& c) { return c.rip; }
void context_set_pc(InterruptContext& c, uint64_t pc) { c.rip = pc; }
uint64_t context_error_code(const InterruptContext& c) { return c.error_code; }

void interrupts_init() {
    load_tables();
    mask_legacy_pic();
}

void set_interrupt_handler(unsigned vector, InterruptHandler handler) {
    if (vector < 256) handlers[vector] = handler;
}

void set_fatal_reporter(void (*report)(const char*)) { fatal_reporter = report; }

bool guarded_call(void (*fn)(void*), void* arg, CpuFault* fault) {
    guard.fault = CpuFault{};
    bool returned = hvb_guarded_call(fn, arg, &guard);
    if (!returned && fault) *fault = guard.fault;
    return returned;
}

InterruptsOff::InterruptsOff() : saved_(x86::read_rflags()) { x86::cli(); }
InterruptsOff::~InterruptsOff() {
    if (saved_ & x86::kRflagsIF) x86::sti();
}

}  // namespace hvb

extern "C" void hvb_interrupt_dispatch(hvb::InterruptContext* c) {
    using namespace hvb;
    unsigned v = unsigned(c->vector);
    if (handlers[v] && handlers[v](*c)) return;
    if (v >= 32) return;  // stray interrupt: nothing unmasked is expected yet
    if (guard.armed) {
        // Resume at the guard's landing pad on the guard's stack, with the
        // flags the guarded call started with: hvb_guarded_call returns false.
        guard.armed = 0;
        guard.fault = CpuFault{uint8_t(v), c->rip, c->error_code, pushes_error_code(v)};
        c->rip = reinterpret_cast<uint64_t>(hvb_guard_landing);
        c->rsp = guard.rsp;
        c->rflags = guard.rflags;
        c->cs = kCodeSelector;
        c->ss = kDataSelector;
        return;
    }
    fatal(*c);
}
