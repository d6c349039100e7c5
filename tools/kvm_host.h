// tools/kvm_host.h — the Linux KVM host that `hvbench run --vmm kvm-nested`
// boots in QEMU TCG where this machine has no KVM for the guest's
// architecture, and whose own QEMU runs the kernel with -accel kvm:
//   aarch64: Debian's arm64 Linux (KVM built in, VHE) under -M
//            virt,virtualization=on -cpu max (EL2 emulated);
//   x86_64:  Debian's amd64 Linux with kvm_amd under -cpu max (SVM with
//            nested paging emulated), its qemu-system-x86_64 booting
//            hvbench.elf (PVH) with qboot.
// scripts/kvm-host-image.sh builds each once into <cache>/<debian arch>/
// kvm-host/ from Debian packages of that architecture (a private apt state;
// the host's package configuration is never changed). Per VM the tool
// appends the kernel image and the QEMU command that runs it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tools/xen.h"

namespace hvb::tools {

// The KVM host's RAM: its kernel, initramfs (QEMU and its libraries, ~100
// MiB unpacked) and the guest (at most kKvmGuestMaxMib).
inline constexpr const char kKvmHostMemory[] = "2048M";
inline constexpr unsigned long kKvmGuestMaxMib = 1024;

// Debian's name of the guest architecture `arch` (aarch64 -> arm64,
// x86_64 -> amd64): the KVM host's packages and its cache directory.
std::string debian_arch(const std::string& arch);

// The KVM host (vmlinuz, initrd.img) for `arch` in <cache>/<debian
// arch>/kvm-host, built by `script` (scripts/kvm-host-image.sh) the first
// time and again when the script changes.
std::optional<Dom0Image> ensure_kvm_host(const std::string& script, const std::string& arch, const std::string& cache,
                                         const std::function<void(const std::string&)>& say, std::string* error);

// The QEMU command the KVM host runs for one VM: tools/launch.h's
// qemu_command for `arch` with -accel kvm -cpu host, `vcpus`, `memory`,
// the kernel at /hvbench/hvbench.img with `cmdline`, on x86_64 qboot at
// kQbootPath (the image carries it there); -nodefaults (the host has none
// of the default devices' option ROMs).
std::vector<std::string> kvm_host_guest_command(const std::string& arch, unsigned vcpus, const std::string& memory,
                                                const std::string& cmdline);

// The KVM host's per-VM initrd: its initrd.img with /hvbench/hvbench.img
// (read from `image`) and /hvbench/qemu-args (`command`, one argument a
// line, as its /init reads them), written to `out`. False with *error.
bool write_kvm_host_initrd(const std::string& host_initrd, const std::string& image,
                           const std::vector<std::string>& command, const std::string& out, std::string* error);

// The outer QEMU's whole command for the KVM host of `arch`: `qemu` (TCG,
// -cpu max, the machine that offers EL2 or SVM), `smp` CPUs, kKvmHostMemory,
// no display or monitor, its console on stdout, no reboot, the host's kernel
// with the per-VM initrd, quiet.
std::vector<std::string> kvm_host_command(const std::string& arch, const std::string& qemu, unsigned smp,
                                          const Dom0Image& host, const std::string& vm_initrd);

// The KVM host's /init says what it did in lines starting with this; the
// guest's own output comes between them.
inline constexpr const char kKvmHostLinePrefix[] = "hvbench-kvm-host: ";

}  // namespace hvb::tools
