// tools/libvirt_launch.h — `hvbench run --vmm libvirt`'s VM backend for the
// crash-and-resume driver (tools/run.h): each VM is this program's per-VM
// process (`hvbench libvirt-vm URI FILE.xml`, tools/libvirt_vm.cpp) with the
// VM's domain XML (tools/libvirt_domain.h) written to the scratch directory.
#pragma once

#include "tools/run_setup.h"

namespace hvb::tools {

// The launcher for `cfg`'s VMs on `setup.libvirt`'s host.
VmLauncher libvirt_launcher(const RunConfig& cfg, const RunSetup& setup);

// Connects to the host (cfg.connect's one URI), chooses the domain type and
// stages the kernel (setup.elf); fills setup.libvirt and cfg.accel. False
// after saying why on stderr.
bool prepare_libvirt(RunConfig& cfg, RunSetup& setup);

}  // namespace hvb::tools
