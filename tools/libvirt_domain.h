// tools/libvirt_domain.h — what `hvbench run --vmm libvirt` asks of libvirt,
// as plain text: the transient domain's XML for one VM (direct kernel boot of
// hvbench.elf, the serial console, pinning, the QEMU exit device), and what
// a connection URI says (remote or local, the host's label). No libvirt
// call is made here, so this part is built and tested everywhere.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hvb::tools {

// One VM's domain, in the terms of the tool's options.
struct LibvirtDomainSpec {
    std::string name;         // unique per VM: hvbench-<pid>-<vm>
    std::string type = "qemu";  // <domain type=...>: qemu (TCG), kvm, xen
    std::string kernel;       // the kernel's path on the libvirt host
    std::string cmdline;      // the kernel command line
    std::string cpu_model;    // a QEMU -cpu word ("host,-arch-capabilities", "max", ...); "" the default
    std::string firmware;     // QEMU's -bios on the libvirt host; "" its own
    std::string memory = "256M";
    unsigned vcpus = 1;
    std::vector<int> pin_cpus;  // host CPU of vCPU k; empty: unpinned
};

// The <domain> document for libvirt's QEMU driver (type qemu or kvm) or its
// libxl driver (type xen: a PVH guest, its PV console). Text fields are
// escaped; nullopt-free: a spec always gives a document (libvirt judges it).
std::string libvirt_domain_xml(const LibvirtDomainSpec& spec);

// "256M", "1G", "512" (MiB) as MiB; 0 when malformed.
unsigned long memory_mib(std::string_view text);

// A URI naming a transport or a server ("qemu+tcp://h/system",
// "qemu+ssh://root@h/system", "qemu://h/system"): the kernel must be
// uploaded to that host. "qemu:///system", "xen:///system" are local.
bool libvirt_uri_is_remote(std::string_view uri);

// The label of a host's results: its driver and server, "qemu@127.0.0.1",
// or "qemu@local"; characters unsafe in a file name become '_'.
std::string libvirt_host_label(std::string_view uri);

// `path` ("out.json") with `label` before its extension ("out.LABEL.json").
std::string path_for_host(const std::string& path, const std::string& label);

}  // namespace hvb::tools
