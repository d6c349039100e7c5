// arch/x86_64/interrupts.cpp — exception and interrupt dispatch, the fault
// guard's exception side, the legacy PIC, and the fatal-exception dump.
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/vectors.h"
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

extern "C" char hvb_guard_landing[];
extern "C" bool hvb_guarded_call(void (*fn)(void*), void* arg, hvb::x86::GuardSlot* slot);

namespace hvb {
namespace {

InterruptHandler handlers[256];
void (*fatal_reporter)(const char*);
int fatal_exit_code = -1;  // -1: none set yet, halt

bool pushes_error_code(unsigned v) {
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

// The 8259 PICs come up (or are left by the firmware) delivering the PIT's
// IRQ 0 on vectors that alias CPU exceptions. Remap them to 0x20..0x2F so a
// stray one can never look like a fault, and mask every line: hvbench uses
// the local APIC.
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
    snformat(line, sizeof line, "fatal %s %s (vector %u) on CPU %u at rip 0x%016lx error 0x%lx cr2 0x%016lx",
             fault_mnemonic(unsigned(c.vector)), fault_description(unsigned(c.vector)), unsigned(c.vector),
             x86::current_cpu().index, c.rip, c.error_code, x86::read_cr2());
    if (fatal_reporter) fatal_reporter(line);
    kprintf("\n*** %s\n", line);
    kprintf("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", c.rax, c.rbx, c.rcx, c.rdx);
    kprintf("rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", c.rsi, c.rdi, c.rbp, c.rsp);
    kprintf("r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", c.r8, c.r9, c.r10, c.r11);
    kprintf("r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", c.r12, c.r13, c.r14, c.r15);
    kprintf("rip %016lx cs %04lx ss %04lx rflags %016lx\n", c.rip, c.cs, c.ss, c.rflags);
    kprintf("cr0 %016lx cr3 %016lx cr4 %016lx\n", x86::read_cr0(), x86::read_cr3(), x86::read_cr4());
    if (fatal_exit_code < 0) halt_forever();
    platform_exit(fatal_exit_code, true);
}

}  // namespace

unsigned context_number(const InterruptContext& c) { return unsigned(c.vector); }
uint64_t context_pc(const InterruptContext& c) { return c.rip; }
void context_set_pc(InterruptContext& c, uint64_t pc) { c.rip = pc; }
uint64_t context_fault_code(const InterruptContext& c) { return c.error_code; }

void interrupts_init() {
    x86::load_cpu_tables(0);
    mask_legacy_pic();
}

unsigned interrupt_number(InterruptRole role) {
    switch (role) {
    case InterruptRole::benchmark: return x86::kVectorBenchmarkIpi;
    case InterruptRole::call_function: return x86::kVectorCallFunction;
    case InterruptRole::timer: return x86::kVectorTimer;
    }
    return x86::kVectorBenchmarkIpi;  // only reachable with a value cast from outside the enum
}

unsigned fault_number(FaultKind kind) {
    switch (kind) {
    case FaultKind::page_fault: return x86::kVectorPageFault;
    }
    return x86::kVectorPageFault;
}

// CR2 holds the linear address of the last #PF (SDM vol. 3, 4.7); error
// code bit 0 (P) is clear when the entry was not present.
uint64_t fault_address(const InterruptContext&) { return x86::read_cr2(); }
bool fault_not_mapped(const InterruptContext& c) { return (c.error_code & 1) == 0; }

// Modes: auto (x2APIC when the CPU has it), xapic (the MMIO interface, what
// mmio_read_lapic measures), x2apic. A firmware that already switched to
// x2APIC cannot be taken back (SDM vol. 3, 10.12.5).
const char* interrupt_controller_choices() { return "xapic|x2apic"; }

bool interrupt_controller_init(const char* mode, char* why, size_t why_cap) {
    auto is = [mode](const char* m) { return __builtin_strcmp(mode, m) == 0; };
    if (why_cap) why[0] = '\0';
    bool xapic = is("xapic"), known = is("") || is("auto") || xapic || is("x2apic");
    x86::apic_init_bsp(!xapic);
    if (!known) {
        snformat(why, why_cap, "expected auto, xapic or x2apic");
        return false;
    }
    if (is("x2apic") && !x86::has_x2apic()) {
        snformat(why, why_cap, "this CPU has no x2APIC; using xAPIC");
        return false;
    }
    if (xapic && x86::apic_x2apic())
        snformat(why, why_cap, "the firmware left the APIC in x2APIC mode, which cannot be undone");
    return true;
}

void set_interrupt_handler(unsigned number, InterruptHandler handler) {
    if (number < 256) handlers[number] = handler;
}

void set_fatal_reporter(void (*report)(const char*), int exit_code) {
    fatal_reporter = report;
    fatal_exit_code = exit_code;
}

bool guarded_call(void (*fn)(void*), void* arg, CpuFault* fault) {
    // Guards nest (a benchmark's init may probe an instruction under its own
    // guard): the slot is per CPU, so the enclosing guard's state is saved
    // here and re-armed when the inner call is over, however it ended.
    x86::GuardSlot& guard = x86::current_cpu().guard;
    x86::GuardSlot outer = guard;
    guard.fault = CpuFault{};
    bool returned = hvb_guarded_call(fn, arg, &guard);
    if (!returned && fault) *fault = guard.fault;
    guard = outer;
    return returned;
}

InterruptsOff::InterruptsOff() : saved_(x86::read_rflags()) { x86::cli(); }
InterruptsOff::~InterruptsOff() {
    if (saved_ & x86::kRflagsIF) x86::sti();
}

uint64_t interrupts_taken() { return x86::current_cpu().interrupts; }

InterruptsOn::InterruptsOn() : saved_(x86::read_rflags()) { x86::sti(); }
InterruptsOn::~InterruptsOn() {
    if (!(saved_ & x86::kRflagsIF)) x86::cli();
}

}  // namespace hvb

extern "C" void hvb_interrupt_dispatch(hvb::InterruptContext* c) {
    using namespace hvb;
    unsigned v = unsigned(c->vector);
    if (v >= 32 || v == 2) {
        x86::PerCpu& cpu = x86::current_cpu();
        cpu.interrupts = cpu.interrupts + 1;  // only this CPU writes it
    }
    if (v >= 32) {
        // Device and IPI vectors: EOI first, then the handler, so a handler
        // that runs long (an on_cpu function that spins with interrupts on)
        // does not hold off every vector of lower priority (Linux's IPI
        // handlers acknowledge first for the same reason). The spurious
        // vector must not be acknowledged (SDM vol. 3, 10.9).
        if (v != x86::kVectorSpurious) x86::apic_eoi();
        if (handlers[v]) handlers[v](*c);
        return;
    }
    if (handlers[v] && handlers[v](*c)) return;
    x86::GuardSlot& guard = x86::current_cpu().guard;
    if (guard.armed) {
        // Resume at the guard's landing pad on the guard's stack, with the
        // flags the guarded call started with: hvb_guarded_call returns false.
        guard.armed = 0;
        guard.fault = CpuFault{v, c->rip, c->error_code, pushes_error_code(v)};
        c->rip = reinterpret_cast<uint64_t>(hvb_guard_landing);
        c->rsp = guard.rsp;
        c->rflags = guard.rflags;
        c->cs = x86::kCodeSelector;
        c->ss = x86::kDataSelector;
        return;
    }
    fatal(*c);
}
