// tools/xl.cpp — see xl.h.
#include "tools/xl.h"

#include <unistd.h>

#include <fstream>

#include "tools/launch.h"
#include "tools/libvirt_domain.h"

namespace hvb::tools {

namespace {

// xl.cfg strings are double-quoted; refuse what they cannot hold as is.
bool plain(const std::string& what, const std::string& v, std::string* error) {
    if (v.find_first_of("\"\\\n\r") == std::string::npos) return true;
    if (error) *error = "xl: the " + what + " holds a double quote, backslash or line break: " + v;
    return false;
}

std::string quoted(const std::string& v) { return "\"" + v + "\""; }

std::string vm_name(unsigned number) { return "hvbench-" + std::to_string(getpid()) + "-" + std::to_string(number); }

std::string vm_config_path(const std::string& scratch, unsigned number) {
    return scratch + "/vm" + std::to_string(number) + ".cfg";
}

}  // namespace

std::optional<std::string> xl_config(const XlGuest& g, std::string* error) {
    if (g.type != "pvh" && g.type != "hvm") {
        if (error) *error = "xl: a guest type must be pvh or hvm, not " + g.type;
        return std::nullopt;
    }
    if (!plain("name", g.name, error) || !plain("kernel path", g.kernel, error) ||
        !plain("kernel command line", g.cmdline, error) || !plain("ISO path", g.iso, error))
        return std::nullopt;
    std::string c = "name = " + quoted(g.name) + "\ntype = " + quoted(g.type) + "\n";
    if (g.type == "pvh") {
        c += "kernel = " + quoted(g.kernel) + "\ncmdline = " + quoted(g.cmdline) + "\n";
    } else {
        // No COM1: every byte to it would be a round trip to the device
        // model; the kernel writes its PV console ring instead.
        c += "disk = [ " + quoted("file:" + g.iso + ",hdc:cdrom,r") + " ]\nboot = \"d\"\nserial = \"none\"\n"
             "vga = \"none\"\nvnc = 0\n";
    }
    c += "memory = " + std::to_string(g.memory_mib) + "\nvcpus = " + std::to_string(g.vcpus) +
         "\non_poweroff = \"destroy\"\non_reboot = \"destroy\"\non_crash = \"destroy\"\n";
    return c;
}

bool xl_usable(const std::string& xl, std::string* why) {
    Captured c = run_capture({xl, "info"}, 30000);
    if (c.ok()) return true;
    if (!c.spawn_error.empty()) *why = "cannot run " + xl + ": " + c.spawn_error + " (Debian: xen-utils)";
    else if (c.timed_out) *why = "`" + xl + " info` did not answer within 30 s";
    else
        *why = "`" + xl + " info` failed (is this host a Xen dom0, and are you root?): " +
               (c.err.empty() ? c.out : c.err);
    while (!why->empty() && why->back() == '\n') why->pop_back();
    return false;
}

VmLauncher xl_launcher(const RunConfig& cfg, const std::string& elf, const std::string& scratch) {
    VmLauncher launcher;
    const std::string xl = cfg.xl;
    unsigned vcpus = cfg.smp, memory = unsigned(memory_mib(cfg.memory));
    if (memory == 0) memory = 256;
    launcher.command = [xl, elf, scratch, vcpus, memory](const VmPlan& plan,
                                                         std::string* err) -> std::optional<std::vector<std::string>> {
        XlGuest g;
        g.name = vm_name(plan.number);
        g.kernel = elf;
        g.cmdline = plan.cmdline;
        g.vcpus = vcpus;
        g.memory_mib = memory;
        std::optional<std::string> text = xl_config(g, err);
        if (!text) return std::nullopt;
        std::string path = vm_config_path(scratch, plan.number);
        std::ofstream out(path, std::ios::trunc);
        out << *text;
        if (!out.flush()) {
            *err = "cannot write " + path;
            return std::nullopt;
        }
        return std::vector<std::string>{xl, "create", "-c", path};
    };
    launcher.finished = [xl, scratch](const VmPlan& plan) {
        run_capture({xl, "destroy", vm_name(plan.number)}, 30000);  // gone already, normally
        unlink(vm_config_path(scratch, plan.number).c_str());
    };
    return launcher;
}

}  // namespace hvb::tools
