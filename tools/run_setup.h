// tools/run_setup.h — `hvbench run`'s configuration completed from the host,
// before the first VM: Xen fetched (--vmm xen), the KVM/arm64 host built
// (--vmm kvm-nested), the accelerator, the kernel image or ISO, the firmware, the pinning plan, outputs checked writable,
// the benchmarks the image will run (tools/catalog.h), a scratch directory;
// then the VmLauncher that turns each VM's plan into a QEMU command.
#pragma once

#include <optional>
#include <string>

#include "tools/libvirt_host.h"
#include "tools/qmp.h"
#include "tools/run.h"
#include "tools/run_config.h"

namespace hvb::tools {

class VmPinning;

// What prepare_run found.
struct RunSetup {
    std::string elf, iso;     // the images to boot (iso: the iso-* paths)
    bool build_isos = false;  // iso-*: an ISO per VM, with its kernel options, from `elf`
    PinPlan pin_plan;         // word "none" without --pin
    std::string scratch;      // QMP socket, per-VM ISOs and initrds; "" if none is needed
    std::string layout_note;  // why the VMM's layout is randomized without --vmm-aslr; "" if it is not
    std::string nesting_note;  // the hypervisor nested in QEMU TCG (--arch aarch64 --vmm xen|kvm-nested); "" if none
    std::optional<LibvirtHost> libvirt;  // --vmm libvirt: the host and the kernel's path there
};

// Completes `cfg` from the host and fills `setup`. 0 when the run can
// start; otherwise the exit status, after saying why on stderr -- or, with
// *usage set, a usage error for the caller to report. `scripts` is the
// directory of the scripts that fetch and build what the nested hypervisors
// need (scripts/: xen-dom0-image.sh for --vmm xen --guest pvh|hvm,
// debian-foreign.sh for Xen/arm64, kvm-host-image.sh for --vmm
// kvm-nested).
int prepare_run(RunConfig& cfg, RunSetup& setup, const std::string& scripts, std::string* usage);

// The launcher for `cfg`'s VMs: QEMU commands (a fresh ISO or initrd per VM
// where the kernel options must be built in), pinning by `pinning` (may be
// null without --pin), and the scratch files removed after each VM.
VmLauncher run_launcher(const RunConfig& cfg, const RunSetup& setup, VmPinning* pinning);

// Removes the scratch directory, if any, and what was uploaded to a libvirt host.
void remove_scratch(const RunSetup& setup);

// A regular file at `path`.
bool file_exists(const std::string& path);

}  // namespace hvb::tools
