// tools/run_context.cpp — see run_context.h.
#include "tools/run_context.h"

#include <unistd.h>

#include "tools/launch.h"
#include "tools/reporters.h"

namespace hvb::tools {

// The tool's own notes on a run, before the run's: the pinning plan's, why
// the VMM's layout is randomized, the nesting, the libvirt host.
std::vector<std::string> tool_notes(const RunSetup& setup) {
    std::vector<std::string> notes;
    for (const std::string* n : {&setup.pin_plan.note, &setup.layout_note, &setup.nesting_note})
        if (!n->empty()) notes.push_back(*n);
    if (setup.libvirt) notes.push_back(setup.libvirt->describe());
    return notes;
}

// The results' context, as far as it is known before the first VM.
RunInfo run_context(const RunConfig& cfg, const RunSetup& setup, const std::vector<std::string>& command_line) {
    const PinPlan& pin_plan = setup.pin_plan;
    RunInfo info;
    info.label = cfg.label.empty() ? cfg.accel : cfg.label;
    info.date = iso_date();
    info.host_name = host_name();
    info.executable = command_line.empty() ? "hvbench" : command_line[0];
    info.host_cpus = unsigned(sysconf(_SC_NPROCESSORS_ONLN));
    info.accel = cfg.accel;
    const bool arm = cfg.arch == "aarch64";
    info.boot = cfg.vmm == "kvm-nested"        ? (arm ? "kvm-arm64-nested" : "kvm-x86_64-nested")
                : cfg.vmm == "xl"              ? "xl-pvh-domu"
                : cfg.vmm != "xen"             ? boot_path_name(cfg.boot)
                : arm                          ? "xen-arm64-dom0"
                : cfg.guest == "pvh"           ? "xen-pvh-domu"
                : cfg.guest == "hvm"           ? "xen-hvm-domu"
                                               : "xen-pvh-dom0";
    info.memory = cfg.memory;
    info.vcpus = cfg.smp;
    info.timing = cfg.settings.external_timing ? "external" : "internal";
    info.command = command_line;
    info.pinned = pin_plan.word;
    info.vmm_layout = cfg.vmm_aslr ? "randomized" : "fixed";
    info.firmware = cfg.firmware.empty() ? "default" : cfg.firmware;
    info.notes = tool_notes(setup);
    if (setup.libvirt) {  // the platform is libvirt's host: its name, driver and hypervisor
        info.host_name = setup.libvirt->host_name;
        info.boot = "libvirt-" + setup.libvirt->domain_type + "-pvh";
    }
    return info;
}

}  // namespace hvb::tools
