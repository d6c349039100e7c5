// tools/libvirt_host.h — `hvbench run --vmm libvirt`'s use of libvirt's C
// API (libvirt-dev): the host behind a URI (its driver, hypervisor, name, the
// domain type it can run), the kernel staged where that host can read it
// (uploaded into a storage volume for a remote URI), and the per-VM process
// (`hvbench libvirt-vm URI DOMAIN.xml`, tools/libvirt_vm.cpp) that the
// crash-and-resume driver (tools/run.h) starts for each VM as it starts QEMU.
//
// Built without libvirt-dev, these say so (libvirt_built() false) and fail.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace hvb::tools {

// False when this hvbench was configured without libvirt-dev.
bool libvirt_built();

struct LibvirtHost {
    std::string uri;            // as given ("" libvirt's default)
    std::string driver;         // virConnectGetType: "QEMU", "Xen", ...
    std::string hypervisor;     // the hypervisor's version ("7.2.22")
    std::string libvirt;        // the daemon's libvirt version
    std::string host_name;      // virConnectGetHostname
    std::string domain_type;    // qemu (TCG), kvm or xen
    std::string kernel;         // the kernel's path on that host
    std::string pool, volume;   // the upload (remote URIs): removed by libvirt_release
    bool pool_created = false;  // the tool defined the pool, and removes it
    std::string describe() const;  // one line for the results' notes
};

// Connects to `uri`, reads what the host is, chooses the domain type
// (`accel` "kvm" or "tcg" when given, else kvm where the host offers it),
// and stages `elf` there. nullopt with *error when it cannot.
std::optional<LibvirtHost> libvirt_prepare(const std::string& uri, const std::string& elf, const std::string& accel,
                                           const std::function<void(const std::string&)>& say, std::string* error);

// Deletes what libvirt_prepare uploaded.
void libvirt_release(const LibvirtHost& host);

// The per-VM process: creates the transient domain described by the XML
// file (started paused, destroyed with the connection), copies its console
// to stdout, says on stderr how it ended (a pause by the hypervisor,
// a crash, a stop), and exits: 0 after a stop, 3 after a pause or crash
// (the domain destroyed), 1 when the domain could not be made.
int libvirt_vm_main(const std::string& uri, const std::string& xml_path);

// What the per-VM process writes on stderr when the hypervisor paused or
// crashed the guest (tools/run.cpp counts it as the VMM stopping the guest).
inline constexpr const char* kLibvirtStopMessage = "libvirt: the hypervisor stopped the guest";

}  // namespace hvb::tools
