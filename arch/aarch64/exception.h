// arch/aarch64/exception.h — what vectors.S saves, the IRQ routing by
// INTID, and the fault guard.
#pragma once

#include <stdint.h>

namespace hvb {

// posih/interrupt.h's InterruptContext on aarch64: laid out as vectors.S
// stores it (304 bytes, 16-aligned).
struct InterruptContext {
    uint64_t x[31];
    uint64_t sp;
    uint64_t elr;
    uint64_t spsr;
    uint64_t esr;
    uint64_t far;
    uint64_t kind;  // vector table entry: 0..15 (5: IRQ at EL1h, 4: synchronous at EL1h)
    uint64_t pad;
};
static_assert(sizeof(InterruptContext) == 304, "vectors.S FRAME_SIZE");

}  // namespace hvb

namespace hvb::arm {

using ArmFrame = hvb::InterruptContext;

// x19..x30 and SP, as hvb_arm_setjmp saves them.
struct ArmJumpBuffer {
    uint64_t regs[13];
};

inline constexpr uint64_t kVectorSyncEl1h = 4;
inline constexpr uint64_t kVectorIrqEl1h = 5;

// ESR_ELx.EC values hvbench names (ARM ARM D17.2.37).
inline constexpr uint32_t kEcUnknown = 0x00;
inline constexpr uint32_t kEcDataAbortSame = 0x25;
inline constexpr uint32_t kEcInstrAbortSame = 0x21;
inline constexpr uint32_t kEcSysreg = 0x18;
inline constexpr uint32_t kEcBrk = 0x3c;

inline uint32_t esr_class(uint64_t esr) { return static_cast<uint32_t>(esr >> 26) & 0x3f; }
const char* esr_class_name(uint32_t ec);

// Event numbers (posih/interrupt.h's "the arch's numbering"): an interrupt
// is its GIC INTID (0-1019), an exception 1024 + its ESR_EL1.EC.
inline constexpr unsigned kExceptionBase = 1024;
inline constexpr unsigned kMaxRoutedIntid = 64;  // SGIs, PPIs and the first SPIs
inline constexpr unsigned exception_number(uint32_t ec) { return kExceptionBase + ec; }

// A handler for one event: true when it handled it and the interrupted code
// may resume. For an interrupt the dispatcher has acknowledged it and
// signalled its end before the call.
using EventHandler = bool (*)(ArmFrame& frame);
void set_event_handler(unsigned number, EventHandler handler);

// The number of the event a frame holds: its INTID for an IRQ (valid in
// the handler), 1024 + EC for a synchronous exception.
unsigned frame_number(const ArmFrame& f);

// What a caught fault was.
struct ArmFault {
    uint32_t ec;
    uint64_t esr, far, pc;
};

// Calls fn(arg); true if it returned, false (with *fault) if an exception
// that was not an IRQ hit inside. Guards nest per CPU.
bool arm_guarded_call(void (*fn)(void*), void* arg, ArmFault* fault);

// A fatal (unguarded) exception: prints a dump through `report` and calls `die`.
void set_fatal_hooks(void (*report)(const char* line), void (*die)());

uint64_t irqs_taken();

}  // namespace hvb::arm
