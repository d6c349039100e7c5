// tools/kvm_host.cpp — the nested KVM host's image, per-VM initrd and QEMU
// commands (see kvm_host.h).
#include "tools/kvm_host.h"

#include "tools/arm64_hosts.h"
#include "tools/launch.h"
#include "tools/results.h"

namespace hvb::tools {

std::string debian_arch(const std::string& arch) { return arch == "aarch64" ? "arm64" : "amd64"; }

std::optional<Dom0Image> ensure_kvm_host(const std::string& script, const std::string& arch, const std::string& cache,
                                         const std::function<void(const std::string&)>& say, std::string* error) {
    const std::string deb = debian_arch(arch);
    const std::string qemu = arch == "aarch64" ? "qemu-system-aarch64" : "qemu-system-x86_64";
    return ensure_script_image({"bash", script, deb, cache}, cache + "/" + deb + "/kvm-host",
                               "the KVM host (Linux, " + qemu + ", busybox from Debian " + deb + " packages)", say,
                               error);
}

std::vector<std::string> kvm_host_guest_command(const std::string& arch, unsigned vcpus, const std::string& memory,
                                                const std::string& cmdline) {
    VmConfig cfg;
    cfg.arch = arch;
    cfg.qemu = arch == "aarch64" ? "qemu-system-aarch64" : "qemu-system-x86_64";
    cfg.accel = "kvm";
    cfg.cpu = "host";
    cfg.smp = vcpus;
    cfg.memory = memory;
    cfg.boot = BootPath::pvh;
    if (arch != "aarch64") cfg.firmware = kQbootPath;
    cfg.image = "/hvbench/hvbench.img";
    cfg.cmdline = cmdline;
    std::vector<std::string> a = qemu_command(cfg);
    a.push_back("-nodefaults");
    return a;
}

bool write_kvm_host_initrd(const std::string& host_initrd, const std::string& image,
                           const std::vector<std::string>& command, const std::string& out, std::string* error) {
    std::optional<std::string> kernel = read_text_file(image, nullptr);
    if (!kernel || kernel->empty()) {
        *error = "cannot read " + image;
        return false;
    }
    std::string args;
    for (const auto& a : command) {
        if (a.find('\n') != std::string::npos) {
            *error = "a QEMU argument with a line break cannot go to the KVM host: " + a;
            return false;
        }
        args += a + "\n";
    }
    return write_initrd_with(host_initrd,
                             {{"hvbench/", ""}, {"hvbench/hvbench.img", *kernel}, {"hvbench/qemu-args", args}}, out,
                             error);
}

std::vector<std::string> kvm_host_command(const std::string& arch, const std::string& qemu, unsigned smp,
                                          const Dom0Image& host, const std::string& vm_initrd) {
    const bool arm = arch == "aarch64";
    std::vector<std::string> boot = {"-kernel", host.kernel, "-initrd", vm_initrd, "-append",
                                     arm ? "console=ttyAMA0 quiet" : "console=ttyS0 quiet"};
    if (arm) return arm64_nested_command(qemu, smp, kKvmHostMemory, boot);
    std::vector<std::string> a = {qemu, "-accel", "tcg", "-cpu", "max", "-smp", std::to_string(smp), "-m",
                                  kKvmHostMemory, "-nodefaults", "-display", "none", "-serial", "stdio", "-monitor",
                                  "none", "-no-reboot"};
    a.insert(a.end(), boot.begin(), boot.end());
    return a;
}

}  // namespace hvb::tools
