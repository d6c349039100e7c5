// posih/interrupt.h — interrupt and exception handling, and the fault guard
// that turns a CPU exception inside a benchmark into a result.
#pragma once

#include <stdint.h>

namespace hvb {

// The saved state of an interrupted context; its layout is the arch's.
struct InterruptContext;
unsigned context_vector(const InterruptContext& c);
uint64_t context_pc(const InterruptContext& c);
void context_set_pc(InterruptContext& c, uint64_t pc);
uint64_t context_error_code(const InterruptContext& c);

// Returns true when it handled the event and the interrupted code may resume.
using InterruptHandler = bool (*)(InterruptContext& c);

// Installs the IDT (all 256 vectors, exceptions included) and the
// per-CPU tables it needs. Called once at boot.
void interrupts_init();

// HyperBench's set_idt_entry: route `vector` to `handler` (nullptr restores
// the default: guard, else fatal for exceptions; ignored for others).
void set_interrupt_handler(unsigned vector, InterruptHandler handler);

// The reporter called with a one-line description before a fatal exception
// (one outside any guard) stops the machine.
void set_fatal_reporter(void (*report)(const char* message));

struct CpuFault {
    uint8_t vector;
    uint64_t pc;
    uint64_t error_code;
    bool has_error_code;
};

// Calls fn(arg). Returns true if it returned normally; false if a CPU
// exception that no handler claimed hit during the call, in which case
// *fault says which and where. Not reentrant on one CPU.
bool guarded_call(void (*fn)(void*), void* arg, CpuFault* fault);

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

}  // namespace hvb
