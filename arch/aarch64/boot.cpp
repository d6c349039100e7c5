// arch/aarch64/boot.cpp — from start.S to the kernel: the platform brought
// up from the device tree (arch/aarch64/platform.h), the benchmark clock
// chosen, then hvb_kmain (kernel/main.cpp) with the tree's address; and
// boot_info_parse (posih/bootinfo.h), which describes the machine to the
// kernel from the tree: hvb_kmain(dtb, 0).
#include "arch/aarch64/counters.h"
#include "arch/aarch64/platform.h"
#include "arch/aarch64/psci.h"
#include "arch/aarch64/xen.h"
#include "posih/bootinfo.h"

extern "C" uint64_t hvb_arm_entry_counter;
uint64_t hvb_arm_entry_counter;
extern "C" [[noreturn]] void hvb_kmain(uint64_t handoff0, uint64_t handoff1);

namespace hvb {

void arm_timer_init(const arm::ClockChoice& c);  // arch/aarch64/timer.cpp

namespace {

// An operation the hypervisor (or firmware) handles: PSCI_VERSION.
void psci_version_op() { arm::psci_call(arm::kPsciVersion, 0, 0, 0); }

void copy(char* out, size_t cap, const char* s, bool* truncated) {
    size_t i = 0;
    for (; i + 1 < cap && s[i] != 0; ++i) out[i] = s[i];
    out[i] = 0;
    if (truncated != nullptr) *truncated = s[i] != 0;
}

}  // namespace

// handoff0: the DTB's physical address (x0 at entry); handoff1 unused.
BootParseResult boot_info_parse(uint64_t info_phys, uint64_t, BootInfo& out) {
    out = BootInfo{};
    out.protocol = "devicetree";
    const arm::Platform& p = arm::platform();
    BootParseResult r{true, ""};
    if (p.dt_error[0] != 0) {
        r.ok = false;
        copy(r.message, sizeof r.message, p.dt_error, nullptr);
        return r;
    }
    copy(out.cmdline, sizeof out.cmdline, p.dt.bootargs, &out.cmdline_truncated);
    for (size_t i = 0; i < p.dt.memory_count; ++i)
        add_boot_region(out, p.dt.memory[i].base, p.dt.memory[i].size, MemType::usable);
    // The tree itself stays where the loader put it: reserved like a module.
    out.modules[0].start = info_phys;
    out.modules[0].end = info_phys + dtb_total_size(reinterpret_cast<const void*>(info_phys));
    copy(out.modules[0].cmdline, sizeof out.modules[0].cmdline, "devicetree", nullptr);
    out.module_count = 1;
    return r;
}

}  // namespace hvb

extern "C" [[noreturn]] void hvb_arm_main(uint64_t dtb, uint64_t entry_el) {
    using namespace hvb;
    if (!arm::platform_init(dtb, static_cast<uint32_t>(entry_el))) {
        arm::console_printf("hvbench: device tree: %s\n", arm::platform().dt_error);
        arm::power_off();
    }
    // 5 ms rounds: long enough that TCG's rates agree within 1 %.
    arm_timer_init(arm::xen_in_device_tree(arm::platform().dt)
                       ? arm::xen_bench_clock()
                       : arm::choose_bench_clock(arm::counter_frequency() / 200, psci_version_op));
    hvb_kmain(dtb, 0);
}
