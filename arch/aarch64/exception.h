// arch/aarch64/exception.h — what vectors.S saves, the IRQ routing by
// INTID, and the fault guard.
#pragma once

#include <stdint.h>

namespace hvb::arm {

// Laid out as vectors.S stores it (304 bytes, 16-aligned).
struct ArmFrame {
    uint64_t x[31];
    uint64_t sp;
    uint64_t elr;
    uint64_t spsr;
    uint64_t esr;
    uint64_t far;
    uint64_t kind;  // vector table entry: 0..15 (5: IRQ at EL1h, 4: synchronous at EL1h)
    uint64_t pad;
};
static_assert(sizeof(ArmFrame) == 304, "vectors.S FRAME_SIZE");

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

// An IRQ handler for one INTID; the dispatcher acknowledges the interrupt
// and signals its end around the call.
using IrqHandler = void (*)(uint32_t intid);
inline constexpr uint32_t kMaxRoutedIntid = 64;
void set_irq_handler(uint32_t intid, IrqHandler handler);

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
