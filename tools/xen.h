// tools/xen.h — running the kernel under Xen nested in QEMU: the Xen
// hypervisor from Debian's package, fetched into a cache and never installed
// on the host; the QEMU arguments that boot it with the kernel as its dom0;
// and the reader that turns Xen's console lines back into the kernel's.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hvb::tools {

inline constexpr const char kXenPackage[] = "xen-hypervisor-4.17-amd64";

// Xen's options on QEMU. hvbench as dom0 (pv_dom0 false): a PVH dom0
// without an IOMMU (QEMU offers none, and Xen refuses a PVH dom0 without one
// unless told), 256 MiB. For a domU (pv_dom0 true): the Linux PV dom0 of
// scripts/xen-dom0-image.sh with 512 MiB, and smap=0 smep=0 (without them
// that dom0 dies at once under TCG). Both: Xen's console on COM1 (QEMU's
// stdout), every log line.
std::vector<std::string> default_xen_args(bool pv_dom0);

// The kind of domU the Linux dom0 starts: PVH (the ELF, no device model) or
// HVM (the GRUB ISO, booted by hvmloader and SeaBIOS with Debian's
// qemu-system-xen as device model in the dom0).
enum class DomuType { pvh, hvm };

// hvbench as a domU: the dom0 image (vmlinuz, initrd.img) in <cache>/dom0
// (PVH) or <cache>/dom0-hvm (HVM: `script --hvm`, which adds the device
// model, hvmloader and SeaBIOS), built by scripts/xen-dom0-image.sh
// (`script`) the first time. nullopt with *error when it cannot be built.
struct Dom0Image {
    std::string kernel, initrd;
};
std::optional<Dom0Image> ensure_dom0_image(const std::string& script, const std::string& cache,
                                           const std::function<void(const std::string&)>& say, std::string* error,
                                           DomuType type = DomuType::pvh);

// A kernel and initrd that a script builds into `dir` (dir/vmlinuz,
// dir/initrd.img), built the first time by running `argv` ("bash", the
// script, its arguments) and again when the script has changed since
// (dir/script.stamp). `what` names the image in what `say` is told.
std::optional<Dom0Image> ensure_script_image(const std::vector<std::string>& argv, const std::string& dir,
                                             const std::string& what,
                                             const std::function<void(const std::string&)>& say, std::string* error);

// A cpio archive in the "newc" format Linux unpacks into its initramfs:
// entries in order, a name ending in '/' a directory, else a file with the
// given contents (mode 0644). Appended to a dom0 initrd at a 4-byte
// boundary, it adds files to the dom0's root (tools/xen.cpp domu_initrd).
std::string newc_archive(const std::vector<std::pair<std::string, std::string>>& entries);

// `base_initrd`, zero bytes to a 4-byte boundary (where Linux looks for the
// next archive), then newc_archive(entries), written to `out`. False with
// *error.
bool write_initrd_with(const std::string& base_initrd, const std::vector<std::pair<std::string, std::string>>& entries,
                       const std::string& out, std::string* error);

// The domU's per-VM initrd: `dom0_initrd`, zero bytes to a 4-byte boundary,
// then a newc archive with /hvbench/hvbench.elf (read from `kernel`),
// /hvbench/type "pvh", /hvbench/cmdline and /hvbench/hvbench.cfg, the
// domain's xl configuration (tools/xl.h xl_config: vcpus, memory in MiB),
// written to `out`. False with *error.
bool write_domu_initrd(const std::string& dom0_initrd, const std::string& kernel, const std::string& cmdline,
                       unsigned vcpus, unsigned memory_mib, const std::string& out, std::string* error);

// The HVM domU's per-VM initrd, the same way: /hvbench/type "hvm",
// /hvbench/hvbench.iso (read from `iso`, which carries the kernel options in
// its grub.cfg), /hvbench/cmdline (only shown by the dom0) and
// /hvbench/hvbench.cfg.
bool write_hvm_domu_initrd(const std::string& dom0_initrd, const std::string& iso, const std::string& cmdline,
                           unsigned vcpus, unsigned memory_mib, const std::string& out, std::string* error);

// The cache for the Xen hypervisor: $HVB_XEN_CACHE, else
// $XDG_CACHE_HOME/hvbench/xen, else ~/.cache/hvbench/xen.
std::string default_xen_cache();

// The Xen image QEMU boots (an ELF with a multiboot1 header): `given` when
// non-empty (an ELF, or a .gz of one, which is decompressed into the cache);
// else <cache>/xen-4.17.elf, made the first time by `apt-get download
// kXenPackage` and `dpkg-deb -x` into the cache and decompressing its
// boot/xen-*.gz. `say` reports what it does. nullopt with *error when it
// cannot: the package cannot be fetched, or has no hypervisor in it.
std::optional<std::string> ensure_xen(const std::string& given, const std::string& cache,
                                      const std::function<void(const std::string&)>& say, std::string* error);

// A QEMU multiboot -initrd module with its command line: "path words", a
// comma in the words doubled (QEMU separates modules with commas).
std::string multiboot_module(const std::string& path, const std::string& cmdline);

// Xen's serial console carries its own log ("(XEN) ..."), dom0's
// CONSOLEIO_write bytes as written, and what domains write to port 0xE9 as
// "(dN) " lines (after an optional "[timestamp] "), cut after
// kXenLogLineMax characters (posih/xen.h). The filter gives back the lines
// with Xen's prefixes and timestamps stripped and cut lines joined again: a
// piece of exactly kXenLogLineMax characters continues with the next piece
// from the same domain. It works on whole lines: feed() returns the lines
// completed so far, finish() the rest.
class XenLogFilter {
public:
    std::string feed(std::string_view bytes);
    std::string finish();

private:
    std::string line(std::string_view text);  // one line without its "\n"
    std::string partial_;
    std::map<std::string, std::string> cut_;  // per "(dN)": a piece waiting for its continuation
};

// Strips "(XEN) ", then a "[timestamp] "; sets *domain to "dN" (and strips
// it, and a timestamp after it) when the line is a domain's "(dN) " line.
std::string_view strip_xen_prefixes(std::string_view line, std::string* domain);

}  // namespace hvb::tools
