// arch/aarch64/probe_main.cpp — the aarch64 image's main until the kernel
// (kernel/main.cpp) links for aarch64 through the posih contract: brings the
// platform up, prints what it found, proves the fault guard and the CPUs,
// and powers off.
#include "arch/aarch64/exception.h"
#include "arch/aarch64/gic.h"
#include "arch/aarch64/platform.h"
#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"

extern "C" uint64_t hvb_arm_entry_counter;
uint64_t hvb_arm_entry_counter;

// The probe image (hvbench-aarch64-probe.img) links this instead of
// arch/aarch64/boot.cpp, and no kernel.

namespace {

using namespace hvb::arm;

void warn(const char* m) { console_printf("warning: %s\n", m); }

constexpr uint32_t kProbeSgi = 1;
volatile uint32_t g_sgis[kMaxCpus];

bool count_sgi(ArmFrame&) {
    __atomic_fetch_add(&g_sgis[cpu_index()], 1u, __ATOMIC_RELAXED);
    return true;
}

void secondary(uint32_t index) {
    console_printf("cpu %u up (MPIDR 0x%llx)\n", index, static_cast<unsigned long long>(HVB_MRS(mpidr_el1)));
    irq_enable();
}

// Waits up to 100 ms of counter time for the CPU's SGI count to reach n.
bool wait_sgis(uint32_t cpu, uint32_t n) {
    const uint64_t t0 = HVB_MRS(cntvct_el0), limit = counter_frequency() / 10;
    while (__atomic_load_n(&g_sgis[cpu], __ATOMIC_RELAXED) < n && HVB_MRS(cntvct_el0) - t0 < limit) cpu_relax();
    return __atomic_load_n(&g_sgis[cpu], __ATOMIC_RELAXED) >= n;
}

void probe_sgis(uint32_t cpus) {
    set_event_handler(kProbeSgi, count_sgi);
    irq_enable();
    gic_send_sgi_self(kProbeSgi);
    console_printf("self SGI: %s\n", wait_sgis(0, 1) ? "taken" : "not taken");
    for (uint32_t c = 1; c < cpus; ++c) {
        gic_send_sgi(kProbeSgi, platform().cpu_mpidr[c]);
        console_printf("SGI to cpu %u: %s\n", c, wait_sgis(c, 1) ? "taken" : "not taken");
    }
    irq_disable();
}

void undefined(void*) { asm volatile("udf #0"); }
void unmapped_load(void*) { (void)mmio_read32(1ull << 45); }  // beyond the 512 GiB the boot map covers

void psci_version_op() { psci_call(kPsciVersion, 0, 0, 0); }

void print_platform() {
    const Platform& p = platform();
    console_printf("hvbench aarch64: entered at EL%u, running at EL1; DTB at 0x%llx\n", p.entry_el,
                   static_cast<unsigned long long>(p.dtb_phys));
    for (size_t i = 0; i < p.dt.memory_count; ++i)
        console_printf("memory 0x%llx + 0x%llx\n", static_cast<unsigned long long>(p.dt.memory[i].base),
                       static_cast<unsigned long long>(p.dt.memory[i].size));
    console_printf("cpus %zu, psci %s, gic v%u dist 0x%llx (%s), virtio-mmio %zu, hypervisor node %s\n",
                   p.dt.cpu_count, psci_conduit_name(), gic_version(),
                   static_cast<unsigned long long>(p.dt.gic_dist.base), p.gic_ok ? "up" : "not set up",
                   p.dt.virtio_count, p.dt.has_hypervisor ? p.dt.hypervisor_compatible : "none");
    console_printf("PSCI_VERSION 0x%llx, CNTFRQ %llu Hz, bootargs \"%s\"\n",
                   static_cast<unsigned long long>(psci_call(kPsciVersion, 0, 0, 0)),
                   static_cast<unsigned long long>(counter_frequency()), p.dt.bootargs);
}

}  // namespace

extern "C" void hvb_arm_main(uint64_t dtb, uint64_t entry_el) {
    if (!platform_init(dtb, static_cast<uint32_t>(entry_el))) {
        console_printf("hvbench aarch64: device tree: %s\n", platform().dt_error);
        power_off();
    }
    print_platform();
    const ClockChoice c = choose_bench_clock(counter_frequency() / 200, psci_version_op);
    console_printf("timer %s, cycle rate %llu Hz (across exits %llu Hz)%s%s\n",
                   c.clock == BenchClock::pmccntr ? "pmccntr" : "cntvct", static_cast<unsigned long long>(c.cycle_hz),
                   static_cast<unsigned long long>(c.exit_hz), c.reason[0] ? ": " : "", c.reason);
    ArmFault f{};
    const bool ud = arm_guarded_call(undefined, nullptr, &f);
    console_printf("guarded udf: %s, %s at 0x%llx\n", ud ? "returned" : "caught", esr_class_name(f.ec),
                   static_cast<unsigned long long>(f.pc));
    const bool da = arm_guarded_call(unmapped_load, nullptr, &f);
    console_printf("guarded unmapped load: %s, %s, FAR 0x%llx\n", da ? "returned" : "caught", esr_class_name(f.ec),
                   static_cast<unsigned long long>(f.far));
    const uint32_t n = start_secondaries(secondary, warn);
    console_printf("%u CPUs online\n", n);
    if (platform().gic_ok) probe_sgis(n);
    power_off();
}
