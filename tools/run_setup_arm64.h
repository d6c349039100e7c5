// tools/run_setup_arm64.h — `hvbench run` under a hypervisor nested in QEMU
// TCG: what tools/run_setup adds for --arch aarch64 --vmm xen (Xen/arm64,
// the kernel as its dom0; tools/arm64_hosts.h) and for --vmm kvm-nested on
// either architecture (Debian's arm64 or amd64 Linux as KVM host, the kernel
// its KVM guest; tools/kvm_host.h), and each VM's outer QEMU command.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tools/run.h"
#include "tools/run_config.h"

namespace hvb::tools {

// The memory Xen/arm64 gives hvbench as its dom0.
inline constexpr unsigned kXenArm64Dom0Mib = 256;

// Why `cli` cannot run nested (--accel other than tcg, --boot, --guest
// other than dom0, --pin), or "" when it can.
std::string nested_problem(const RunConfig& cli);

// What the results say of the nesting: the hypervisor, nested in QEMU TCG
// with EL2 or SVM emulated; "" when `cli` runs no nested hypervisor (x86
// --vmm xen says its own, tools/xen.h).
std::string nesting_note(const RunConfig& cli);

// Xen/arm64's image for `cli` (--xen, else fetched into the cache with
// `scripts`/debian-foreign.sh); nullopt with *error naming the script when
// it cannot be had.
std::optional<std::string> xen_arm64_image(const RunConfig& cli, const std::string& scripts,
                                           const std::function<void(const std::string&)>& say, std::string* error);

// --vmm kvm-nested: TCG, the KVM host (built into the cache the first time
// by `scripts`/kvm-host-image.sh for cli.arch) in cli.dom0, a boot time limit for
// a Linux booting under TCG, the label. False after saying why on stderr.
bool prepare_kvm_nested(RunConfig& cli, const std::string& scripts);

// One VM's outer QEMU command: under Xen/arm64 the kernel `image` as dom0
// with the plan's options; under the KVM host a per-VM initrd written in
// `scratch` (vm<N>.initrd) carrying the image and the QEMU command that runs
// it with the plan's options. nullopt with *error.
std::optional<std::vector<std::string>> nested_vm_command(const RunConfig& cli, const std::string& image,
                                                             const std::string& scratch, const VmPlan& plan,
                                                             std::string* error);

}  // namespace hvb::tools
