// posih/interrupt.h — interrupt and exception handling, and the fault guard
// that turns a CPU exception inside a benchmark into a result.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

// Interrupts and exceptions are named by numbers each architecture assigns
// (its own numbering: whatever its exception table or interrupt controller
// calls them). Portable code never writes such a number: it asks for the one
// that plays a role (interrupt_number, fault_number) and passes it on.

// The arch's name for a CPU exception number: a short mnemonic (what a
// `fault` record's "name" says; "#??" beyond the exceptions it knows) and a
// few words ("invalid opcode").
const char* fault_mnemonic(unsigned number);
const char* fault_description(unsigned number);

// The saved state of an interrupted context; its layout is the arch's.
struct InterruptContext;
unsigned context_number(const InterruptContext& c);  // what was taken
uint64_t context_pc(const InterruptContext& c);
// The arch's name for the program counter, as a fault's reason names it.
const char* context_pc_name();
void context_set_pc(InterruptContext& c, uint64_t pc);
// What the CPU reported about the exception's cause with it, in the arch's
// encoding (0 where it reports nothing).
uint64_t context_fault_code(const InterruptContext& c);

// Returns true when it handled the event and the interrupted code may resume.
using InterruptHandler = bool (*)(InterruptContext& c);

// Installs the exception and interrupt entry points and the boot CPU's
// tables, and silences any legacy interrupt controller. Called first thing
// at boot.
void interrupts_init();
// Enables the boot CPU's local interrupt controller in `mode`, the word of
// the `intc=` option: "" or "auto" for the arch's best, else one of
// interrupt_controller_choices. False, with the reason in `why`, when the
// word is none of them or the mode cannot be had here (an error in the
// command line; the controller then runs in the arch's best mode). True with
// a note in `why` when the mode was had only in part (a warning), else true
// with `why` empty. Before smp_init.
bool interrupt_controller_init(const char* mode, char* why, size_t why_cap);
// The modes interrupt_controller_init accepts besides "auto", separated by
// '|' ("" when there is no choice).
const char* interrupt_controller_choices();

// What an interrupt is for; each arch gives every role its own number.
enum class InterruptRole : uint8_t {
    benchmark,      // benchmarks' (and the self-checks') own IPIs and self-interrupts
    call_function,  // on_cpu's requests (posih/smp.h)
    timer,          // the one-shot timer below
};
unsigned interrupt_number(InterruptRole role);

// Exceptions a portable benchmark or check handles itself.
enum class FaultKind : uint8_t {
    page_fault,  // a data access to an address with no (or no valid) translation
};
unsigned fault_number(FaultKind kind);
// In a handler for FaultKind::page_fault: the data address the access
// faulted on, and whether it faulted because nothing was mapped there (as
// opposed to a permission fault).
uint64_t fault_address(const InterruptContext& c);
bool fault_not_mapped(const InterruptContext& c);

// HyperBench's interrupt-table entry setter: route interrupt or exception `number` (the
// arch's numbering) to `handler` (nullptr restores the default: guard, else
// fatal for exceptions; ignored for others).
void set_interrupt_handler(unsigned number, InterruptHandler handler);
inline void set_interrupt_handler(InterruptRole role, InterruptHandler handler) {
    set_interrupt_handler(interrupt_number(role), handler);
}
inline void set_fault_handler(FaultKind kind, InterruptHandler handler) {
    set_interrupt_handler(fault_number(kind), handler);
}

// A fatal exception (one outside any guard) is described in one line to
// `report`, dumped on the console, and the machine leaves with `exit_code`
// (platform_exit, the device allowed). Until this is called it halts.
void set_fatal_reporter(void (*report)(const char* message), int exit_code);

// The local interrupt controller of each CPU: interrupt_controller_init
// enables the boot CPU's, each started secondary CPU enables its own in the
// same mode. The arch's name for that mode (the header's interrupt
// controller word), and whether its registers are memory-mapped (what an
// MMIO benchmark on it needs).
const char* interrupt_controller_mode();
bool interrupt_controller_memory_mapped();
// Signals end of interrupt. The dispatcher does this itself, before calling
// the handler, for every interrupt (not exception); handlers need not.
void interrupt_eoi();
// Inter-processor interrupts: interrupt `number` (the arch's numbering), or
// the one of a role, to one CPU (by index, posih/smp.h), to all others, or
// to the sender itself.
void send_ipi(uint32_t cpu, unsigned number);
void send_ipi_all_others(unsigned number);
void send_ipi_self(unsigned number);
inline void send_ipi(uint32_t cpu, InterruptRole role) { send_ipi(cpu, interrupt_number(role)); }
inline void send_ipi_all_others(InterruptRole role) { send_ipi_all_others(interrupt_number(role)); }
inline void send_ipi_self(InterruptRole role) { send_ipi_self(interrupt_number(role)); }

// A one-shot timer for timeouts: after `ns` nanoseconds, `on_expiry` runs in
// interrupt context on this CPU (if interrupts are on by then). Arming again
// replaces the previous request. False when the timer is not calibrated.
bool timer_oneshot(uint64_t ns, void (*on_expiry)());
void timer_cancel();
// The arch's name for the timer backing it, or "none" (not calibrated).
const char* timer_oneshot_source();

struct CpuFault {
    unsigned number;  // the exception, in the arch's numbering (fault_mnemonic)
    uint64_t pc;
    uint64_t code;  // what the CPU reported about its cause (context_fault_code)
    bool has_code;  // the CPU reports one for this exception
};

// Calls fn(arg). Returns true if it returned normally; false if a CPU
// exception that no handler claimed hit during the call, in which case
// *fault says which and where. Calls nest: a fault is caught by the
// innermost guard, and the enclosing one is armed again afterwards.
bool guarded_call(void (*fn)(void*), void* arg, CpuFault* fault);

// Interrupts (device, IPI, timer) and NMIs this CPU has taken since boot;
// exceptions are not counted.
uint64_t interrupts_taken();

// Interrupts off for the lifetime of the guard, restored (not forced on)
// after.
class InterruptsOff {
public:
    InterruptsOff();
    ~InterruptsOff();
    InterruptsOff(const InterruptsOff&) = delete;
    InterruptsOff& operator=(const InterruptsOff&) = delete;

private:
    uint64_t saved_;
};

// Interrupts on for the lifetime of the guard (to let a handler run while
// waiting), restored after.
class InterruptsOn {
public:
    InterruptsOn();
    ~InterruptsOn();
    InterruptsOn(const InterruptsOn&) = delete;
    InterruptsOn& operator=(const InterruptsOn&) = delete;

private:
    uint64_t saved_;
};

}  // namespace hvb
