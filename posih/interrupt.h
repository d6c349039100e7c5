// posih/interrupt.h — interrupt and exception handling, and the fault guard
// that turns a CPU exception inside a benchmark into a result.
#pragma once

#include <stdint.h>

namespace hvb {

// The arch's name for a CPU fault vector: a short mnemonic (x86: "#UD",
// "#R22" for a reserved one, "#??" beyond the exceptions) and a few words
// ("invalid opcode").
const char* fault_mnemonic(unsigned vector);
const char* fault_description(unsigned vector);

// The saved state of an interrupted context; its layout is the arch's.
struct InterruptContext;
unsigned context_vector(const InterruptContext& c);
uint64_t context_pc(const InterruptContext& c);
void context_set_pc(InterruptContext& c, uint64_t pc);
uint64_t context_error_code(const InterruptContext& c);

// Returns true when it handled the event and the interrupted code may resume.
using InterruptHandler = bool (*)(InterruptContext& c);

// Installs the IDT (all 256 vectors, exceptions included) and the boot
// CPU's tables, and masks the legacy PICs. Called first thing at boot.
void interrupts_init();
// Enables the boot CPU's local interrupt controller, through its register
// interface when the CPU has one, unless `keep_memory_mapped` asks for the
// memory-mapped interface. (A controller the firmware already switched to
// its register interface stays there.) Before smp_init.
void interrupt_controller_init(bool keep_memory_mapped);

// HyperBench's set_idt_entry: route `vector` to `handler` (nullptr restores
// the default: guard, else fatal for exceptions; ignored for others).
void set_interrupt_handler(unsigned vector, InterruptHandler handler);

// A fatal exception (one outside any guard) is described in one line to
// `report`, dumped on the console, and the machine leaves with `exit_code`
// (platform_exit, the device allowed). Until this is called it halts.
void set_fatal_reporter(void (*report)(const char* message), int exit_code);

// Vectors hvbench assigns (32..255 are free for benchmarks otherwise).
inline constexpr unsigned kVectorBenchmarkIpi = 0xE0;  // for benchmarks' own IPIs
inline constexpr unsigned kVectorTimer = 0xEF;         // the one-shot timer
inline constexpr unsigned kVectorCallFunction = 0xF0;  // on_cpu
inline constexpr unsigned kVectorSpurious = 0xFF;

// The local interrupt controller of each CPU: interrupt_controller_init
// enables the boot CPU's, each started AP enables its own in the same mode.
// The arch's name for that mode (x86: "x2apic" or "xapic"), and whether its
// registers are memory-mapped (what an MMIO benchmark on it needs).
const char* interrupt_controller_mode();
bool interrupt_controller_memory_mapped();
// Signals end of interrupt. The dispatcher does this itself, before calling
// the handler, for vectors 32..254; handlers need not.
void interrupt_eoi();
// Inter-processor interrupts with a fixed vector.
void send_ipi(uint32_t cpu, unsigned vector);
void send_ipi_all_others(unsigned vector);
void send_ipi_self(unsigned vector);

// A one-shot timer for timeouts: after `ns` nanoseconds, `on_expiry` runs in
// interrupt context on this CPU (if interrupts are on by then). Arming again
// replaces the previous request. False when the timer is not calibrated.
bool timer_oneshot(uint64_t ns, void (*on_expiry)());
void timer_cancel();
// The arch's name for the timer backing it (x86: "lapic", calibrated
// against the TSC), or "none".
const char* timer_oneshot_source();

struct CpuFault {
    uint8_t vector;
    uint64_t pc;
    uint64_t error_code;
    bool has_error_code;
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
