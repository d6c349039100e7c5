// tools/run_setup_arm64.cpp — the nested hypervisors' part of a run's setup
// (see run_setup_arm64.h).
#include "tools/run_setup_arm64.h"

#include <cstdio>

#include "tools/arm64_hosts.h"
#include "tools/kvm_host.h"
#include "tools/libvirt_domain.h"
#include "tools/xen.h"

namespace hvb::tools {

std::string nested_problem(const RunConfig& cli) {
    const bool arm = cli.arch == "aarch64";
    const std::string mode = (arm ? "--arch aarch64 --vmm " : "--vmm ") + cli.vmm;
    if (!cli.accel.empty() && cli.accel != "tcg")
        return mode + " runs the hypervisor nested in QEMU TCG: --accel must be tcg (on a host with /dev/kvm, " +
               (arm ? "--arch aarch64 " : "") + "--accel kvm runs the kernel under KVM directly)";
    if (cli.boot != BootPath::pvh)
        return mode + " boots " + (arm ? "hvbench-aarch64.img" : "hvbench.elf (PVH)") + " directly: no --boot";
    if (cli.guest != "dom0")
        return mode + ": the kernel runs as Xen's dom0 only (--guest pvh and hvm are x86 domUs)";
    if (cli.pin) return mode + ": no --pin (the outer QEMU's vCPUs are not the guest's)";
    return "";
}

std::string nesting_note(const RunConfig& cli) {
    if (cli.arch != "aarch64") {
        if (cli.vmm != "kvm-nested") return "";
        return "KVM/x86: Debian's amd64 Linux (" + cli.dom0.kernel + ") as KVM host (kvm_amd), its "
               "qemu-system-x86_64 -accel kvm running the kernel, nested in QEMU TCG (-cpu max: SVM with nested "
               "paging emulated; cycles are not a hardware's, the order of costs and what traps are)";
    }
    const std::string outer = " nested in QEMU TCG (-M virt,virtualization=on: EL2 emulated; cycles are not a "
                              "hardware's, the order of costs and what traps are)";
    if (cli.vmm == "xen") return "Xen/arm64 (" + cli.xen + ") with the kernel as its dom0," + outer;
    if (cli.vmm == "kvm-nested")
        return "KVM/arm64: Debian's arm64 Linux (" + cli.dom0.kernel + ") as KVM host, its qemu-system-aarch64 "
               "-accel kvm running the kernel," + outer;
    return "";
}

std::optional<std::string> xen_arm64_image(const RunConfig& cli, const std::string& scripts,
                                           const std::function<void(const std::string&)>& say, std::string* error) {
    return ensure_xen_arm64(cli.xen_given, scripts + "/debian-foreign.sh", default_xen_cache(), say, error);
}

bool prepare_kvm_nested(RunConfig& cli, const std::string& scripts) {
    if (std::string why = nested_problem(cli); !why.empty()) {
        fprintf(stderr, "hvbench: %s\n", why.c_str());
        return false;
    }
    const unsigned long guest_mib = memory_mib(cli.memory);
    if (guest_mib == 0 || guest_mib > kKvmGuestMaxMib) {
        fprintf(stderr, "hvbench: --vmm kvm-nested: --memory is the guest's, 1M..%luM (the KVM host has %s)\n",
                kKvmGuestMaxMib, kKvmHostMemory);
        return false;
    }
    cli.accel = "tcg";
    auto say = [&](const std::string& m) {
        if (!cli.quiet) fprintf(stderr, "hvbench: %s\n", m.c_str());
    };
    std::string err;
    auto host = ensure_kvm_host(scripts + "/kvm-host-image.sh", cli.arch, default_xen_cache(), say, &err);
    if (!host) {
        fprintf(stderr, "hvbench: the KVM/%s host is unavailable: %s\n", cli.arch == "aarch64" ? "arm64" : "x86",
                err.c_str());
        return false;
    }
    cli.dom0 = *host;
    // The KVM host is a whole Linux booting under TCG before the kernel's
    // header comes: 20 s on an idle host here, minutes on a loaded one.
    if (!cli.boot_timeout_given) cli.settings.boot_timeout_ms = 600 * 1000;
    if (cli.label.empty()) cli.label = "kvm-nested";
    return true;
}

std::optional<std::vector<std::string>> nested_vm_command(const RunConfig& cli, const std::string& image,
                                                             const std::string& scratch, const VmPlan& plan,
                                                             std::string* error) {
    if (cli.vmm == "xen") {
        std::string xen_cmdline;
        for (const auto& a : cli.xen_args) xen_cmdline += (xen_cmdline.empty() ? "" : " ") + a;
        return arm64_nested_command(cli.qemu, cli.smp, cli.memory,
                                    xen_arm64_boot_args(cli.xen, xen_cmdline, image, plan.cmdline));
    }
    const std::string initrd = scratch + "/vm" + std::to_string(plan.number) + ".initrd";
    const auto guest = kvm_host_guest_command(cli.arch, cli.smp, cli.memory, plan.cmdline);
    if (!write_kvm_host_initrd(cli.dom0.initrd, image, guest, initrd, error)) return std::nullopt;
    return kvm_host_command(cli.arch, cli.qemu, cli.smp, cli.dom0, initrd);
}

}  // namespace hvb::tools
