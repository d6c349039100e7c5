// tools/xl.h — Xen's `xl` toolstack: the configuration of the domain that
// runs the kernel, one definition for both places that start one:
//   --vmm xl: this host is a Xen dom0; each VM of the run is a PVH domU
//     that `xl create -c` starts, its PV console on xl's stdout (no device
//     model, no log file to scrape), destroyed after it ends or hangs;
//   --vmm xen --guest pvh|hvm: the nested Linux dom0 the tool builds
//     (scripts/xen-dom0-image.sh) runs `xl create` of the same file, which
//     the tool puts in its initramfs (tools/xen.h write_domu_initrd).
#pragma once

#include <optional>
#include <string>

#include "tools/run.h"
#include "tools/run_config.h"

namespace hvb::tools {

struct XlGuest {
    std::string name = "hvbench";
    std::string type = "pvh";  // "pvh": `kernel` with `cmdline`; "hvm": `iso` as a cdrom, no serial, no VGA
    std::string kernel, cmdline, iso;  // paths as the dom0 sees them
    unsigned vcpus = 2, memory_mib = 256;
};

// The xl.cfg text; nullopt (and why) for a value xl's string syntax cannot
// carry (a double quote, backslash or line break) or a type not pvh/hvm.
std::optional<std::string> xl_config(const XlGuest& guest, std::string* error);

// Whether `xl` (a path or a name on PATH) answers `xl info`, i.e. this host
// is a Xen dom0 with its toolstack; if not, why, in words.
bool xl_usable(const std::string& xl, std::string* why);

// --vmm xl: per VM a config file in the scratch directory and the command
// `xl create -c FILE` (the domain named hvbench-PID-N); after each VM
// `xl destroy` of that name (the domain is normally gone: it powered off,
// crashed or was left hung when the tool killed `xl create`).
VmLauncher xl_launcher(const RunConfig& cfg, const std::string& elf, const std::string& scratch);

}  // namespace hvb::tools
