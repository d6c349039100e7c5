// tools/libvirt_launch.cpp — each VM as a libvirt domain (see libvirt_launch.h).
#include "tools/libvirt_launch.h"

#include <limits.h>
#include <unistd.h>

#include <cstdio>

#include "tools/libvirt_domain.h"
#include "tools/safe_output.h"

namespace hvb::tools {
namespace {

std::string self_executable() {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, size_t(n)) : program_directory() + "/hvbench";
}

std::string xml_path(const RunSetup& setup, const VmPlan& plan) {
    return setup.scratch + "/vm" + std::to_string(plan.number) + ".xml";
}

std::optional<std::vector<std::string>> vm_command(const RunConfig& cfg, const RunSetup& setup, const VmPlan& plan,
                                                   std::string* err) {
    const LibvirtHost& host = *setup.libvirt;
    LibvirtDomainSpec d;
    d.name = "hvbench-" + std::to_string(getpid()) + "-" + std::to_string(plan.number);
    d.type = host.domain_type;
    d.kernel = host.kernel;
    // The kernel halts after its end record and tools/libvirt_vm.cpp ends
    // the domain once the console has carried it: a QEMU that exits at once
    // closes the console pty with its last bytes unread.
    d.cmdline = plan.cmdline + (plan.cmdline.empty() ? "" : " ") + "exit=halt";
    d.cpu_model = plan.cpu_model;
    d.firmware = cfg.firmware;
    d.memory = cfg.memory;
    d.vcpus = cfg.smp;
    if (cfg.pin) d.pin_cpus = setup.pin_plan.vcpu_cpus;
    std::string path = xml_path(setup, plan);
    FILE* f = fopen(path.c_str(), "wb");
    std::string xml = libvirt_domain_xml(d);
    bool ok = f && fwrite(xml.data(), 1, xml.size(), f) == xml.size();
    if (f && fclose(f) != 0) ok = false;
    if (!ok) {
        *err = "cannot write " + path;
        return std::nullopt;
    }
    return std::vector<std::string>{self_executable(), "libvirt-vm", host.uri, path};
}

}  // namespace

bool prepare_libvirt(RunConfig& cfg, RunSetup& setup) {
    if (!libvirt_built()) {
        std::string ignored;
        libvirt_prepare("", "", "", nullptr, &ignored);
        fprintf(stderr, "hvbench: --vmm libvirt: %s\n", ignored.c_str());
        return false;
    }
    std::string uri = cfg.connect.empty() ? "" : cfg.connect.front();
    std::string err;
    auto say = [&](const std::string& m) {
        if (!cfg.quiet) fprintf(stderr, "hvbench: %s\n", m.c_str());
    };
    auto host = libvirt_prepare(uri, setup.elf, cfg.accel, say, &err);
    if (!host) {
        fprintf(stderr, "hvbench: libvirt unavailable: %s\n", err.c_str());
        return false;
    }
    setup.libvirt = *host;
    cfg.accel = host->domain_type == "kvm" ? "kvm" : host->domain_type == "qemu" ? "tcg" : host->domain_type;
    if (!cfg.quiet) fprintf(stderr, "hvbench: %s\n", host->describe().c_str());
    return true;
}

VmLauncher libvirt_launcher(const RunConfig& cfg, const RunSetup& setup) {
    VmLauncher launcher;
    const std::string& type = setup.libvirt->domain_type;
    launcher.cpu_models = !cfg.cpu.empty() ? std::vector<std::string>{cfg.cpu}
                          : type == "xen"  ? std::vector<std::string>{""}
                                           : cpu_models_for(cfg.accel);
    launcher.command = [&cfg, &setup](const VmPlan& plan, std::string* err) {
        return vm_command(cfg, setup, plan, err);
    };
    launcher.finished = [&setup](const VmPlan& plan) { unlink(xml_path(setup, plan).c_str()); };
    return launcher;
}

}  // namespace hvb::tools
