// tools/image.h — GRUB images: a rescue ISO for BIOS and UEFI with hvbench
// and a chosen kernel command line (grub-mkrescue), and the menu entry that
// adds hvbench to a GRUB that is already installed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hvb::tools {

// True when every word of `options` is safe to put on a GRUB `multiboot`
// line unquoted (letters, digits and _ = , . : / + - %; none of them is
// special to GRUB's script parser, so GRUB passes the words as they are);
// otherwise *bad is the first character that is not.
bool grub_safe_options(const std::string& options, char* bad);

// One kernel option word as the tool passes it (--only, --iters,
// --kernel-arg, ...): not empty, GRUB-safe characters and no space, so a
// value can never smuggle a second option onto the command line or text
// into grub.cfg. nullopt when fine, else why not.
std::optional<std::string> kernel_word_problem(std::string_view word);

// A --grub-path: absolute, letters, digits and _ . / + - only, no "..".
// nullopt when fine, else why not.
std::optional<std::string> grub_path_problem(std::string_view path);

// grub.cfg of the ISO: serial console on COM1 at 115200 8N1 (and the
// screen), no menu delay, a multiboot2 entry (default) and a multiboot1 one;
// `all_video` loads GRUB's video drivers first (the small BIOS ISO has none).
std::string iso_grub_cfg(const std::string& options, bool all_video = true);

// The menuentry to append to an installed GRUB (e.g. /etc/grub.d/40_custom,
// then update-grub), with the serial console on. `elf_path` is where the
// kernel will be, as GRUB sees it ("/boot/hvbench.elf").
std::string grub_menu_entry(const std::string& options, const std::string& elf_path);

// What the ISO boots on: BIOS and UEFI with every GRUB module (~21 MB), or
// BIOS only with the few modules the menu needs (~2 MB), for a guest whose
// disk reads are slow: a Xen HVM domU nested under TCG, where each of GRUB's
// reads is a round trip to the device model in dom0 (on a loaded host GRUB
// took ~125 s there with the full ISO, 23-29 s with the small one).
enum class IsoKind { bios_uefi, bios_small };

// Builds `output` from the kernel `elf` with grub-mkrescue (run without a
// shell). False with *error when grub-mkrescue is missing or fails.
bool build_iso(const std::string& elf, const std::string& options, const std::string& output, std::string* error,
               IsoKind kind = IsoKind::bios_uefi);

}  // namespace hvb::tools
