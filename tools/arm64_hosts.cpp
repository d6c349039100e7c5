// tools/arm64_hosts.cpp — Xen/arm64 and the KVM/arm64 host from Debian's
// arm64 packages, and the QEMU arguments that nest them.
#include "tools/arm64_hosts.h"

#include <sys/stat.h>

#include <filesystem>

#include "tools/launch.h"
#include "tools/results.h"

namespace hvb::tools {
namespace {

bool is_file(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

// boot/xen-<version>-arm64 in an unpacked kXenArm64Package ("" if none):
// the Image, not its .config or .efi.
std::string find_xen_image(const std::string& tree) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(tree + "/boot", ec)) {
        std::string name = e.path().filename().string();
        if (name.rfind("xen-", 0) == 0 && name.size() > 6 && name.compare(name.size() - 6, 6, "-arm64") == 0 &&
            is_file(e.path().string()))
            return e.path().string();
    }
    return "";
}

}  // namespace

std::string qemu_option_value(std::string_view value) {
    std::string out;
    for (char c : value) {
        out += c;
        if (c == ',') out += ',';
    }
    return out;
}

std::optional<std::string> ensure_xen_arm64(const std::string& given, const std::string& foreign_script,
                                            const std::string& cache,
                                            const std::function<void(const std::string&)>& say, std::string* error) {
    if (!given.empty()) {
        if (is_file(given)) return given;
        *error = "Xen image " + given + " not found";
        return std::nullopt;
    }
    const std::string tree = cache + "/arm64/xen";
    if (std::string xen = find_xen_image(tree); !xen.empty()) return xen;
    if (say)
        say(std::string("fetching ") + kXenArm64Package + " (arm64) into " + tree + " with " + foreign_script +
            " (a private apt state; nothing installed)");
    Captured c = run_capture({"bash", foreign_script, "arm64", cache, tree, kXenArm64Package}, 600000);
    std::string xen = find_xen_image(tree);
    if (!c.ok() || xen.empty()) {
        std::string why = !c.spawn_error.empty() ? c.spawn_error : c.timed_out ? "timed out" : c.status.describe();
        while (!c.err.empty() && c.err.back() == '\n') c.err.pop_back();
        size_t last = c.err.rfind('\n');
        if (!c.err.empty()) why += ": " + c.err.substr(last == std::string::npos ? 0 : last + 1);
        *error = c.ok() ? std::string(kXenArm64Package) + " has no boot/xen-*-arm64"
                        : "cannot fetch " + std::string(kXenArm64Package) + " with " + foreign_script + " (" + why + ")";
        return std::nullopt;
    }
    if (say) say("Xen/arm64 hypervisor: " + xen);
    return xen;
}

std::vector<std::string> default_xen_arm64_args(unsigned dom0_mib, unsigned vcpus) {
    return {"console=dtuart", "loglvl=all", "guest_loglvl=all",
            "dom0_mem=" + std::to_string(dom0_mib) + "M,max:" + std::to_string(dom0_mib) + "M",
            "dom0_max_vcpus=" + std::to_string(vcpus)};
}

std::vector<std::string> arm64_nested_machine_args(unsigned gic_version) {
    return {"-M", "virt,virtualization=on,gic-version=" + std::to_string(gic_version), "-accel", "tcg", "-cpu", "max"};
}

std::vector<std::string> arm64_nested_command(const std::string& qemu, unsigned smp, const std::string& memory,
                                              const std::vector<std::string>& boot) {
    std::vector<std::string> a = {qemu};
    for (auto& w : arm64_nested_machine_args(3)) a.push_back(w);
    a.insert(a.end(), {"-smp", std::to_string(smp), "-m", memory, "-display", "none", "-serial", "stdio", "-monitor",
                       "none", "-no-reboot"});
    a.insert(a.end(), boot.begin(), boot.end());
    return a;
}

std::vector<std::string> xen_arm64_boot_args(const std::string& xen, const std::string& xen_cmdline,
                                             const std::string& image, const std::string& cmdline) {
    // Xen hands a dom0 whose bootargs are empty its own command line: a
    // space keeps the kernel from reading Xen's options as its own.
    return {"-kernel", xen, "-append", xen_cmdline, "-device",
            std::string("guest-loader,addr=") + kXenArm64Dom0Address + ",kernel=" + qemu_option_value(image) +
                ",bootargs=" + (cmdline.empty() ? std::string(" ") : qemu_option_value(cmdline))};
}

}  // namespace hvb::tools
