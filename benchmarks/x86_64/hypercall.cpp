// benchmarks/hypercall.cpp — HyperBench's Hypercall (Table 1): the guest
// calls the hypervisor with a call it answers without work, so the cost is a
// full VM exit and entry (T_ext in HyperBench's cost model) plus dispatch.
// KVM convention (Documentation/virt/kvm/x86/hypercalls.rst): VMCALL on
// Intel, VMMCALL on AMD, number in RAX, result in RAX; an unknown number is
// answered at once with -KVM_ENOSYS (-1000). Xen (signature XenVMMXenVMM,
// found like Linux's hypervisor_cpuid_base) is called through its hypercall
// page (arch/x86_64/xen.h, installed at boot): xen_version(XENVER_version,
// NULL), per xen/include/public/xen.h and version.h: Xen answers it from a
// field, so the cost is the exit, the dispatch and the return.
#include "kernel/benchmark.h"
#include "posih/cpu.h"
#include "posih/format.h"
#include "posih/interrupt.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/xen.h"

namespace {

constexpr uint64_t kUnknownKvmHypercall = 0xFFFFFFFF;  // no KVM_HC_* has it
const uint8_t* xen_entry;  // the xen_version stub in Xen's hypercall page
void (*selected_loop)(uint64_t);
char reason[96];

// RBX, RCX, RDX, RSI carry KVM's arguments: declared clobbered in case some
// other hypervisor answering VMCALL writes them.
void hypercall_vmcall_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t nr = kUnknownKvmHypercall;
        asm volatile("vmcall" : "+a"(nr) : : "rbx", "rcx", "rdx", "rsi", "memory");
    }
}

void hypercall_vmmcall_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t nr = kUnknownKvmHypercall;
        asm volatile("vmmcall" : "+a"(nr) : : "rbx", "rcx", "rdx", "rsi", "memory");
    }
}

// Arguments in RDI, RSI (Xen may clobber them and RDX, R10, R8), result in RAX.
void hypercall_xen_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t ret, cmd = 0 /* XENVER_version */, arg = 0 /* NULL */;
        asm volatile("call *%[entry]" : "=a"(ret), "+D"(cmd), "+S"(arg)
                     : [entry] "r"(xen_entry) : "rcx", "rdx", "r8", "r10", "r11", "memory");
    }
}

// The probe runs once under a guard with a 20 ms escape (a hypercall takes
// microseconds even where every exit is slow): a hypervisor that
// re-enters the guest at the hypercall without ever completing it (some
// nested, software KVMs do) would hang the
// suite. The one-shot timer sends a self-IPI, whose handler steps over a
// VMCALL/VMMCALL (0F 01 C1 / 0F 01 D9) it interrupted.
volatile bool stuck;
bool skip_stuck_hypercall(hvb::InterruptContext& c) {
    const uint8_t* pc = reinterpret_cast<const uint8_t*>(hvb::context_pc(c));
    if (pc[0] == 0x0F && pc[1] == 0x01 && (pc[2] == 0xC1 || pc[2] == 0xD9)) {
        hvb::context_set_pc(c, hvb::context_pc(c) + 3);
        stuck = true;
    }
    return true;
}
void kick() { hvb::send_ipi_self(hvb::InterruptRole::benchmark); }
void probe(void*) {
    hvb::InterruptsOn on;
    selected_loop(1);
}

const char* hypercall_init() {
    const hvb::CpuInfo& cpu = hvb::cpu_info();
    if (!cpu.hypervisor_present) return "no hypervisor to call";
    hvb::CpuFault fault{};
    const char* how = "xen_version through the Xen hypercall page";
    if (hvb::x86::xen()) {
        xen_entry = hvb::x86::xen_hypercall_page() + 32 * hvb::x86::kXenHypercallXenVersion;
        selected_loop = hypercall_xen_loop;
    } else {
        bool amd = !__builtin_memcmp(cpu.vendor, "AuthenticAMD", 13) ||
                   !__builtin_memcmp(cpu.vendor, "HygonGenuine", 13);
        selected_loop = amd ? hypercall_vmmcall_loop : hypercall_vmcall_loop;
        how = amd ? "VMMCALL" : "VMCALL";
    }
    stuck = false;
    hvb::set_interrupt_handler(hvb::InterruptRole::benchmark, skip_stuck_hypercall);
    hvb::timer_oneshot(20'000'000, kick);  // uncalibrated timer: no escape
    bool returned = hvb::guarded_call(probe, nullptr, &fault);
    hvb::timer_cancel();
    hvb::set_interrupt_handler(hvb::InterruptRole::benchmark, nullptr);
    if (returned && !stuck) return nullptr;
    if (returned)
        hvb::snformat(reason, sizeof reason, "%s never completes under %s (interrupted after 20 ms)", how,
                      cpu.hypervisor);
    else
        hvb::snformat(reason, sizeof reason, "%s raises %s(vector %u) under %s", how,
                      fault.number == 6 ? "#UD " : "", unsigned(fault.number), cpu.hypervisor);
    return reason;
}

void hypercall_loop(uint64_t n) { selected_loop(n); }

}  // namespace

HVB_BENCHMARK(hypercall,
    .category = "exception",
    .summary = "VMCALL/VMMCALL of an unknown KVM hypercall (Xen: xen_version via the hypercall page)",
    .init = hypercall_init,
    .benchmark = hypercall_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 100000);
