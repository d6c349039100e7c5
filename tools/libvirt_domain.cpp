// tools/libvirt_domain.cpp — the domain XML and URI rules (see libvirt_domain.h).
#include "tools/libvirt_domain.h"

#include <cctype>

#include "tools/sanitize.h"

namespace hvb::tools {
namespace {

// QEMU's -cpu word as libvirt's <cpu>: "host" is host-passthrough, "max"
// the "maximum" mode, any other name a custom model; "+f"/"-f" after a comma
// require or disable a feature.
std::string cpu_xml(const std::string& word) {
    if (word.empty()) return "";
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= word.size()) {
        size_t comma = word.find(',', pos);
        parts.push_back(word.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    const std::string& model = parts[0];
    std::string out = model == "host"  ? "  <cpu mode='host-passthrough'"
                      : model == "max" ? "  <cpu mode='maximum'"
                                       : "  <cpu mode='custom' match='exact'";
    std::string inner;
    if (model != "host" && model != "max") inner += "    <model fallback='forbid'>" + xml_text(model) + "</model>\n";
    for (size_t k = 1; k < parts.size(); ++k) {
        const std::string& f = parts[k];
        if (f.size() < 2 || (f[0] != '+' && f[0] != '-')) continue;
        inner += std::string("    <feature policy='") + (f[0] == '+' ? "require" : "disable") + "' name='" +
                 xml_text(f.substr(1)) + "'/>\n";
    }
    return inner.empty() ? out + "/>\n" : out + ">\n" + inner + "  </cpu>\n";
}

std::string cputune_xml(const std::vector<int>& cpus) {
    if (cpus.empty()) return "";
    std::string out = "  <cputune>\n";
    for (size_t k = 0; k < cpus.size(); ++k)
        out += "    <vcpupin vcpu='" + std::to_string(k) + "' cpuset='" + std::to_string(cpus[k]) + "'/>\n";
    return out + "  </cputune>\n";
}

}  // namespace

unsigned long memory_mib(std::string_view text) {
    if (text.empty()) return 0;
    unsigned long scale = 1;
    char last = char(std::toupper(static_cast<unsigned char>(text.back())));
    if (last == 'M') text.remove_suffix(1);
    else if (last == 'G') scale = 1024, text.remove_suffix(1);
    if (text.empty() || text.size() > 9) return 0;
    unsigned long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return 0;
        v = v * 10 + unsigned(c - '0');
    }
    return v * scale;
}

std::string libvirt_domain_xml(const LibvirtDomainSpec& d) {
    bool xen = d.type == "xen";
    std::string x = "<domain type='" + xml_text(d.type) + "'" +
                    (xen ? "" : " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'") + ">\n";
    x += "  <name>" + xml_text(d.name) + "</name>\n";
    x += "  <memory unit='MiB'>" + std::to_string(memory_mib(d.memory)) + "</memory>\n";
    x += "  <vcpu placement='static'>" + std::to_string(d.vcpus) + "</vcpu>\n";
    x += cputune_xml(d.pin_cpus);
    x += "  <os>\n";
    // libxl's PVH guest; QEMU's direct kernel boot reads the ELF's PVH note.
    x += xen ? "    <type arch='x86_64' machine='xenpvh'>xenpvh</type>\n"
             : "    <type arch='x86_64' machine='pc'>hvm</type>\n";
    if (!xen && !d.firmware.empty()) x += "    <loader type='rom'>" + xml_text(d.firmware) + "</loader>\n";
    x += "    <kernel>" + xml_text(d.kernel) + "</kernel>\n";
    if (!d.cmdline.empty()) x += "    <cmdline>" + xml_text(d.cmdline) + "</cmdline>\n";
    x += "  </os>\n";
    if (!xen) x += "  <features>\n    <acpi/>\n  </features>\n" + cpu_xml(d.cpu_model);
    // Any end is the end of this VM: the tool starts the next one.
    x += "  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n  <on_crash>destroy</on_crash>\n";
    x += "  <devices>\n";
    if (xen) {
        x += "    <console type='pty'>\n      <target type='xen' port='0'/>\n    </console>\n";
    } else {
        x += "    <serial type='pty'>\n      <target port='0'/>\n    </serial>\n";
        x += "    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n";
        x += "    <memballoon model='none'/>\n";
    }
    x += "  </devices>\n";
    // The kernel's exit status (docs/architecture.md): QEMU's isa-debug-exit
    // at port 0xf4, which libvirt has no element for.
    if (!xen)
        x += "  <qemu:commandline>\n    <qemu:arg value='-device'/>\n"
             "    <qemu:arg value='isa-debug-exit,iobase=0xf4,iosize=0x04'/>\n  </qemu:commandline>\n";
    return x + "</domain>\n";
}

bool libvirt_uri_is_remote(std::string_view uri) {
    size_t colon = uri.find("://");
    if (colon == std::string_view::npos) return false;
    if (uri.substr(0, colon).find('+') != std::string_view::npos) return true;
    std::string_view rest = uri.substr(colon + 3);
    return !rest.empty() && rest[0] != '/';
}

std::string libvirt_host_label(std::string_view uri) {
    size_t colon = uri.find("://");
    std::string_view scheme = uri.substr(0, colon == std::string_view::npos ? uri.find(':') : colon);
    std::string driver(scheme.substr(0, scheme.find('+')));
    std::string server;
    if (colon != std::string_view::npos) {
        std::string_view rest = uri.substr(colon + 3);
        rest = rest.substr(0, rest.find_first_of("/?"));
        size_t at = rest.rfind('@');
        if (at != std::string_view::npos) rest.remove_prefix(at + 1);
        server = rest;
    }
    std::string label = (driver.empty() ? "libvirt" : driver) + "@" + (server.empty() ? "local" : server);
    for (char& c : label)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '@' && c != '_') c = '_';
    return label;
}

std::string path_for_host(const std::string& path, const std::string& label) {
    size_t slash = path.rfind('/');
    size_t dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1)
        return path + "." + label;
    return path.substr(0, dot) + "." + label + path.substr(dot);
}

}  // namespace hvb::tools
