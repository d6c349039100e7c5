// tools/arm64_hosts.h — the arm64 hypervisors hvbench runs under where the
// host has no arm64 virtualization of its own, each nested in QEMU (TCG,
// -M virt,virtualization=on: the guest's EL2 emulated):
//   Xen/arm64, with the aarch64 kernel as its dom0 (QEMU's guest-loader),
//   KVM/arm64: Debian's arm64 Linux as the KVM host, whose own
//   qemu-system-aarch64 runs the kernel with -accel kvm (tools/kvm_host.h,
//   with its x86 counterpart; its outer machine is this file's).
// Both come from Debian's arm64 packages, fetched into the cache of
// tools/xen.h by scripts/debian-foreign.sh (a private apt state: the host's
// package configuration is never changed) and only unpacked. Layout:
//   <cache>/arm64/apt/          the private apt state, lists and .debs
//   <cache>/arm64/xen/          kXenArm64Package unpacked (boot/xen-*-arm64)
//   <cache>/arm64/kvm-host/     scripts/kvm-host-image.sh's kernel and initrd (tools/kvm_host.h)
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/xen.h"

namespace hvb::tools {

inline constexpr const char kXenArm64Package[] = "xen-hypervisor-4.17-arm64";

// Where guest-loader puts the dom0 kernel: inside the RAM of kXenArm64Memory
// (virt's RAM starts at 1 GiB), above Xen and the DTB QEMU loads at its
// start; Xen copies it into the dom0's memory.
inline constexpr const char kXenArm64Dom0Address[] = "0x49000000";
// The outer machine's RAM: Xen, its heap and the dom0.
inline constexpr const char kXenArm64Memory[] = "1024M";

// QEMU option values are separated by commas: a comma in a value is doubled.
std::string qemu_option_value(std::string_view value);

// The Xen/arm64 image QEMU boots (-kernel: Xen on Arm is itself an Image):
// `given` when non-empty; else <cache>/arm64/xen/boot/xen-*-arm64, unpacked
// the first time from kXenArm64Package by `foreign_script`
// (scripts/debian-foreign.sh). nullopt with *error when it cannot.
std::optional<std::string> ensure_xen_arm64(const std::string& given, const std::string& foreign_script,
                                            const std::string& cache,
                                            const std::function<void(const std::string&)>& say, std::string* error);

// Xen's options for hvbench as its dom0: Xen's console on the DT's UART
// (QEMU's stdout), every log line, `dom0_mib` of memory and `vcpus` vCPUs.
std::vector<std::string> default_xen_arm64_args(unsigned dom0_mib, unsigned vcpus);

// The outer machine: -M virt with EL2 and the given GIC version (2 or 3),
// -cpu max (TCG).
std::vector<std::string> arm64_nested_machine_args(unsigned gic_version);

// The outer QEMU's whole command: `qemu`, the machine (GICv3), `smp` CPUs,
// `memory`, no display or monitor, its UART on stdout, no reboot, then
// `boot` (xen_arm64_boot_args, or the KVM host's: tools/kvm_host.h).
std::vector<std::string> arm64_nested_command(const std::string& qemu, unsigned smp, const std::string& memory,
                                              const std::vector<std::string>& boot);

// The QEMU arguments after the machine's: Xen (`xen`, its options
// `xen_cmdline`) with `image` as dom0 at kXenArm64Dom0Address, `cmdline` its
// bootargs (the kernel options; " " when there are none, since Xen gives a
// dom0 without bootargs its own command line).
std::vector<std::string> xen_arm64_boot_args(const std::string& xen, const std::string& xen_cmdline,
                                             const std::string& image, const std::string& cmdline);

}  // namespace hvb::tools
