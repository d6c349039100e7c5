// arch/aarch64/smp.cpp — posih/smp.h on aarch64: the CPUs the device tree
// lists, started with PSCI CPU_ON (arch/aarch64/platform.cpp), each idle in
// WFI with IRQs on; on_cpu through a mailbox and the call-function SGI.
#include "arch/aarch64/exception.h"
#include "arch/aarch64/platform.h"
#include "arch/aarch64/sysreg.h"
#include "posih/interrupt.h"
#include "posih/smp.h"

namespace hvb {
namespace {

struct Mailbox {
    void (*fn)(void*);
    void* arg;
    uint64_t seq;   // requests posted
    uint64_t done;  // requests finished
    uint32_t busy;  // a caller is posting
};
Mailbox g_box[arm::kMaxCpus];

bool deadline_passed(uint64_t start) { return HVB_MRS(cntvct_el0) - start > HVB_MRS(cntfrq_el0); }  // 1 s

bool call_function(InterruptContext&) {
    Mailbox& b = g_box[this_cpu()];
    const uint64_t seq = __atomic_load_n(&b.seq, __ATOMIC_ACQUIRE);
    if (seq == b.done) return true;
    b.fn(b.arg);
    __atomic_store_n(&b.done, seq, __ATOMIC_RELEASE);
    return true;
}

// A secondary, set up: takes requests until the machine stops.
void secondary_idle(uint32_t) {
    arm::irq_enable();
    for (;;) arm::wfi();
}

}  // namespace

uint32_t smp_init(void (*warn)(const char*)) {
    set_interrupt_handler(InterruptRole::call_function, call_function);
    if (!arm::platform().gic_ok) {
        warn("no GIC: running on 1 CPU (the others could not be sent work)");
        return 1;
    }
    return arm::start_secondaries(secondary_idle, warn);
}

uint32_t this_cpu() { return arm::cpu_index(); }

uint64_t cpu_hardware_id(uint32_t cpu) { return cpu < arm::kMaxCpus ? arm::platform().cpu_mpidr[cpu] : 0; }

bool on_cpu(uint32_t cpu, void (*fn)(void*), void* arg, bool wait) {
    if (cpu >= arm::platform().cpus_online) return false;
    if (cpu == this_cpu()) {
        fn(arg);
        return true;
    }
    Mailbox& b = g_box[cpu];
    const uint64_t start = HVB_MRS(cntvct_el0);
    while (__atomic_exchange_n(&b.busy, 1u, __ATOMIC_ACQUIRE)) {
        if (deadline_passed(start)) return false;
        arm::cpu_relax();
    }
    while (__atomic_load_n(&b.done, __ATOMIC_ACQUIRE) != b.seq) {  // the previous request
        if (deadline_passed(start)) {
            __atomic_store_n(&b.busy, 0u, __ATOMIC_RELEASE);
            return false;
        }
        arm::cpu_relax();
    }
    b.fn = fn;
    b.arg = arg;
    const uint64_t seq = b.seq + 1;
    __atomic_store_n(&b.seq, seq, __ATOMIC_RELEASE);
    __atomic_store_n(&b.busy, 0u, __ATOMIC_RELEASE);
    send_ipi(cpu, InterruptRole::call_function);
    if (!wait) return true;
    while (__atomic_load_n(&b.done, __ATOMIC_ACQUIRE) != seq) {
        if (deadline_passed(start)) return false;
        arm::cpu_relax();
    }
    return true;
}

bool on_all_cpus(void (*fn)(void*), void* arg, bool wait) {
    bool ok = true;
    for (uint32_t c = 0; c < arm::platform().cpus_online; ++c)
        if (c != this_cpu()) ok = on_cpu(c, fn, arg, false) && ok;
    fn(arg);
    if (!wait) return ok;
    const uint64_t start = HVB_MRS(cntvct_el0);
    for (uint32_t c = 0; c < arm::platform().cpus_online; ++c) {
        if (c == this_cpu()) continue;
        while (__atomic_load_n(&g_box[c].done, __ATOMIC_ACQUIRE) != __atomic_load_n(&g_box[c].seq, __ATOMIC_ACQUIRE)) {
            if (deadline_passed(start)) return false;
            arm::cpu_relax();
        }
    }
    return ok;
}

void Spinlock::lock() {
    while (__atomic_exchange_n(&locked_, 1u, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&locked_, __ATOMIC_RELAXED)) arm::cpu_relax();
}
bool Spinlock::try_lock() { return !__atomic_exchange_n(&locked_, 1u, __ATOMIC_ACQUIRE); }
void Spinlock::unlock() { __atomic_store_n(&locked_, 0u, __ATOMIC_RELEASE); }

}  // namespace hvb
