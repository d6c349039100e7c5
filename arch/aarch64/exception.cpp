// arch/aarch64/exception.cpp — hvb_arm_exception, called by every vector
// (vectors.S): IRQs go to the handler of their INTID, synchronous
// exceptions inside a guard to the guard's landing pad, anything else is
// fatal.
#include "arch/aarch64/exception.h"

#include "arch/aarch64/gic.h"
#include "arch/aarch64/sysreg.h"
#include "posih/format.h"

extern "C" int hvb_arm_setjmp(hvb::arm::ArmJumpBuffer* buf) __attribute__((returns_twice));
extern "C" void hvb_arm_longjmp(hvb::arm::ArmJumpBuffer* buf);

namespace hvb::arm {
namespace {

constexpr uint32_t kMaxCpuSlots = 64;

struct Guard {
    ArmJumpBuffer buf;
    ArmFault fault;
    Guard* outer;
};

Guard* g_guard[kMaxCpuSlots];
EventHandler g_irq[kMaxRoutedIntid];
EventHandler g_sync[64];  // by EC
uint32_t g_current_intid[kMaxCpuSlots];
uint64_t g_irqs[kMaxCpuSlots];
void (*g_report)(const char*);
void (*g_die)();

uint32_t slot() { return static_cast<uint32_t>(HVB_MRS(tpidr_el1)) % kMaxCpuSlots; }

void irq(ArmFrame& f) {
    const uint32_t iar = gic_ack();
    const uint32_t intid = iar & 0x3ff;
    if (intid >= 1020) return;  // spurious: nothing to complete
    ++g_irqs[slot()];
    gic_eoi(iar);  // before the handler (posih/interrupt.h): it may wait for the next one
    g_current_intid[slot()] = intid;
    if (intid < kMaxRoutedIntid && g_irq[intid] != nullptr) g_irq[intid](f);
}

[[noreturn]] void fatal(const ArmFrame& f) {
    char line[160];
    const uint32_t ec = esr_class(f.esr);
    snformat(line, sizeof line, "exception at EL1: vector %llu, %s (EC 0x%x), ESR 0x%llx, ELR 0x%llx, FAR 0x%llx",
             static_cast<unsigned long long>(f.kind), esr_class_name(ec), ec, static_cast<unsigned long long>(f.esr),
             static_cast<unsigned long long>(f.elr), static_cast<unsigned long long>(f.far));
    if (g_report != nullptr) g_report(line);
    for (int i = 0; i < 31 && g_report != nullptr; i += 4) {
        snformat(line, sizeof line, "x%-2d %016llx %016llx %016llx %016llx", i,
                 static_cast<unsigned long long>(f.x[i]), static_cast<unsigned long long>(f.x[i + 1 < 31 ? i + 1 : i]),
                 static_cast<unsigned long long>(f.x[i + 2 < 31 ? i + 2 : i]),
                 static_cast<unsigned long long>(f.x[i + 3 < 31 ? i + 3 : i]));
        g_report(line);
    }
    if (g_die != nullptr) g_die();
    for (;;) wfe();
}

}  // namespace

const char* esr_class_name(uint32_t ec) {
    switch (ec) {
        case kEcUnknown: return "undefined instruction";
        case 0x01: return "WFI/WFE trapped";
        case 0x07: return "FP/SIMD access trapped";
        case 0x0e: return "illegal execution state";
        case 0x15: return "SVC";
        case 0x16: return "HVC";
        case 0x17: return "SMC";
        case kEcSysreg: return "system register access trapped";
        case 0x20: return "instruction abort from EL0";
        case kEcInstrAbortSame: return "instruction abort";
        case 0x22: return "PC alignment fault";
        case 0x24: return "data abort from EL0";
        case kEcDataAbortSame: return "data abort";
        case 0x26: return "SP alignment fault";
        case 0x2f: return "SError";
        case kEcBrk: return "BRK";
        default: return "exception";
    }
}

void set_event_handler(unsigned number, EventHandler handler) {
    if (number < kMaxRoutedIntid) g_irq[number] = handler;
    if (number >= kExceptionBase && number < kExceptionBase + 64) g_sync[number - kExceptionBase] = handler;
}

unsigned frame_number(const ArmFrame& f) {
    if (f.kind == kVectorIrqEl1h) return g_current_intid[slot()];
    return exception_number(esr_class(f.esr));
}

void set_fatal_hooks(void (*report)(const char*), void (*die)()) {
    g_report = report;
    g_die = die;
}

uint64_t irqs_taken() { return g_irqs[slot()]; }

bool arm_guarded_call(void (*fn)(void*), void* arg, ArmFault* fault) {
    Guard guard{};
    Guard** top = &g_guard[slot()];
    guard.outer = *top;
    *top = &guard;
    if (hvb_arm_setjmp(&guard.buf) == 0) {
        fn(arg);
        *top = guard.outer;
        return true;
    }
    *top = guard.outer;
    if (fault != nullptr) *fault = guard.fault;
    return false;
}

}  // namespace hvb::arm

extern "C" void hvb_arm_exception(hvb::arm::ArmFrame* frame, uint64_t kind) {
    using namespace hvb::arm;
    (void)kind;
    if (frame->kind == kVectorIrqEl1h) {
        irq(*frame);
        return;
    }
    const uint32_t ec = esr_class(frame->esr);
    if (frame->kind == kVectorSyncEl1h && g_sync[ec] != nullptr && g_sync[ec](*frame)) return;
    Guard* guard = g_guard[slot()];
    if (frame->kind == kVectorSyncEl1h && guard != nullptr) {
        guard->fault = ArmFault{esr_class(frame->esr), frame->esr, frame->far, frame->elr};
        // ERET into the landing pad with the buffer in x0: it restores the
        // guard's registers and stack, so guarded_call sees setjmp return 1.
        frame->elr = reinterpret_cast<uint64_t>(&hvb_arm_longjmp);
        frame->x[0] = reinterpret_cast<uint64_t>(&guard->buf);
        return;
    }
    fatal(*frame);
}
