// arch/aarch64/interrupts.cpp — posih/interrupt.h on aarch64: events
// numbered as arch/aarch64/exception.h says (GIC INTIDs; 1024 + ESR.EC for
// exceptions), the GIC as the interrupt controller, SGIs as IPIs, the
// virtual timer (CNTV_*) as the one-shot timer.
#include "arch/aarch64/counters.h"
#include "arch/aarch64/exception.h"
#include "arch/aarch64/gic.h"
#include "arch/aarch64/platform.h"
#include "arch/aarch64/sysreg.h"
#include "posih/cpu.h"
#include "posih/format.h"
#include "posih/interrupt.h"

namespace hvb {
namespace {

constexpr unsigned kSgiBenchmark = 1;
constexpr unsigned kSgiCallFunction = 2;
constexpr uint64_t kCntvCtlEnable = 1u << 0;

struct ExceptionName {
    uint32_t ec;
    const char* mnemonic;
};
constexpr ExceptionName kNames[] = {
    {0x00, "UNDEF"}, {0x01, "WFx"},   {0x07, "FPACC"}, {0x0e, "ILLEGAL"}, {0x15, "SVC"},  {0x16, "HVC"},
    {0x17, "SMC"},   {0x18, "SYSREG"}, {0x21, "IABT"}, {0x22, "PCALIGN"}, {0x25, "DABT"}, {0x26, "SPALIGN"},
    {0x2f, "SERROR"}, {0x3c, "BRK"},
};

void (*g_timer_fn[arm::kMaxCpus])();
void (*g_fatal_report)(const char*);
int g_fatal_code;

constexpr uint64_t kCntvCtlIstatus = 1u << 2;

bool timer_fired(InterruptContext&) {
    // A PPI left pending from before this arming is no expiry: only the
    // timer's own status says the deadline passed.
    if (!(HVB_MRS(cntv_ctl_el0) & kCntvCtlIstatus)) return true;
    HVB_MSR(cntv_ctl_el0, 0);
    void (*fn)() = g_timer_fn[arm::cpu_index()];
    g_timer_fn[arm::cpu_index()] = nullptr;
    if (fn != nullptr) fn();
    return true;
}

void fatal_line(const char* line) {
    if (g_fatal_report != nullptr) g_fatal_report(line);
}

}  // namespace

const char* fault_mnemonic(unsigned number) {
    for (const ExceptionName& n : kNames)
        if (number == arm::exception_number(n.ec)) return n.mnemonic;
    return "#??";
}

const char* fault_description(unsigned number) {
    if (number < arm::kExceptionBase || number >= arm::kExceptionBase + 64) return "not an exception";
    return arm::esr_class_name(number - arm::kExceptionBase);
}

unsigned context_number(const InterruptContext& c) { return arm::frame_number(c); }
uint64_t context_pc(const InterruptContext& c) { return c.elr; }
const char* context_pc_name() { return "ELR_EL1"; }
void context_set_pc(InterruptContext& c, uint64_t pc) { c.elr = pc; }
uint64_t context_fault_code(const InterruptContext& c) { return c.esr; }

void interrupts_init() {}  // vectors installed by start.S; the GIC by the platform bring-up

bool interrupt_controller_init(const char* mode, char* why, size_t why_cap) {
    if (why_cap > 0) why[0] = 0;
    if (mode != nullptr && mode[0] != 0 && __builtin_strcmp(mode, "auto") != 0) {
        snformat(why, why_cap, "this machine's GICv%u has no other mode", arm::gic_version());
        return false;
    }
    if (!arm::platform().gic_ok) {
        snformat(why, why_cap, "no GIC found in the device tree");
        return false;
    }
    return true;
}

const char* interrupt_controller_choices() { return ""; }

unsigned interrupt_number(InterruptRole role) {
    switch (role) {
        case InterruptRole::benchmark: return kSgiBenchmark;
        case InterruptRole::call_function: return kSgiCallFunction;
        case InterruptRole::timer: return arm::platform().dt.timer_virt_ppi;
    }
    return kSgiBenchmark;
}

unsigned fault_number(FaultKind) { return arm::exception_number(arm::kEcDataAbortSame); }

uint64_t fault_address(const InterruptContext& c) { return c.far; }

// ESR_EL1.ISS.DFSC 0b0001LL: a translation fault at level LL (D17.2.40).
bool fault_not_mapped(const InterruptContext& c) { return (c.esr & 0x3c) == 0x04; }

void set_interrupt_handler(unsigned number, InterruptHandler handler) {
    arm::set_event_handler(number, handler);
}

void set_fatal_reporter(void (*report)(const char*), int exit_code) {
    g_fatal_report = report;
    g_fatal_code = exit_code;
    arm::set_fatal_hooks(fatal_line, [] { platform_exit(g_fatal_code, true); });
}

const char* interrupt_controller_mode() {
    switch (arm::gic_version()) {
        case 2: return "gicv2";
        case 3: return "gicv3";
        default: return "none";
    }
}

bool interrupt_controller_memory_mapped() { return arm::gic_version() == 2; }

void interrupt_eoi() {}  // the dispatcher completed it before the handler

void send_ipi(uint32_t cpu, unsigned number) {
    if (cpu < arm::platform().cpus_online) arm::gic_send_sgi(number, arm::platform().cpu_mpidr[cpu]);
}
void send_ipi_all_others(unsigned number) { arm::gic_send_sgi_others(number); }
void send_ipi_self(unsigned number) { arm::gic_send_sgi_self(number); }

bool timer_oneshot(uint64_t ns, void (*on_expiry)()) {
    const uint64_t freq = arm::counter_frequency();
    if (freq == 0 || !arm::platform().gic_ok) return false;
    const unsigned ppi = interrupt_number(InterruptRole::timer);
    g_timer_fn[arm::cpu_index()] = on_expiry;
    arm::set_event_handler(ppi, timer_fired);
    arm::gic_enable_private(ppi);
    const uint64_t ticks = ns / 1000 * freq / 1000000 + 1;
    HVB_MSR(cntv_ctl_el0, 0);
    HVB_MSR(cntv_cval_el0, HVB_MRS(cntvct_el0) + ticks);
    arm::isb();
    HVB_MSR(cntv_ctl_el0, kCntvCtlEnable);
    arm::isb();
    return true;
}

void timer_cancel() {
    HVB_MSR(cntv_ctl_el0, 0);
    g_timer_fn[arm::cpu_index()] = nullptr;
}

const char* timer_oneshot_source() { return arm::platform().gic_ok ? "cntv" : "none"; }

bool guarded_call(void (*fn)(void*), void* arg, CpuFault* fault) {
    arm::ArmFault f{};
    const bool returned = arm::arm_guarded_call(fn, arg, &f);
    if (!returned && fault != nullptr) *fault = CpuFault{arm::exception_number(f.ec), f.pc, f.esr, true};
    return returned;
}

uint64_t interrupts_taken() { return arm::irqs_taken(); }

InterruptsOff::InterruptsOff() : saved_(arm::irq_save()) {}
InterruptsOff::~InterruptsOff() { arm::irq_restore(saved_); }
InterruptsOn::InterruptsOn() : saved_(HVB_MRS(daif)) { arm::irq_enable(); }
InterruptsOn::~InterruptsOn() { arm::irq_restore(saved_); }

}  // namespace hvb
