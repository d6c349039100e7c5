// tools/image.cpp — GRUB rescue ISOs and menu entries.
#include "tools/image.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "tools/launch.h"
#include "tools/results.h"

namespace hvb::tools {

bool grub_safe_options(const std::string& options, char* bad) {
    for (char c : options) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
                  (c != 0 && std::strchr("_=,.:/+-%", c) != nullptr);
        if (!ok) {
            if (bad) *bad = c;
            return false;
        }
    }
    return true;
}

namespace {

std::string shown(char c) {
    if (c >= 0x21 && c < 0x7F) return std::string("'") + c + "'";
    char buf[16];
    snprintf(buf, sizeof buf, "byte 0x%02x", static_cast<unsigned char>(c));
    return buf;
}

}  // namespace

std::optional<std::string> kernel_word_problem(std::string_view word) {
    if (word.empty()) return "it is empty";
    char bad = 0;
    std::string w(word);
    if (w.find(' ') != std::string::npos) bad = ' ';
    else if (grub_safe_options(w, &bad)) return std::nullopt;
    if (bad == ' ') return "it holds a space: one option word at a time";
    return "it holds " + shown(bad) + "; kernel options are letters, digits and _ = , . : / + - %";
}

std::optional<std::string> grub_path_problem(std::string_view path) {
    if (path.empty() || path[0] != '/') return "it must be an absolute path, e.g. /boot/hvbench.elf";
    for (char c : path) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c != 0 && std::strchr("_./+-", c) != nullptr);
        if (!ok) return "it holds " + shown(c) + "; a GRUB path here is letters, digits and _ . / + -";
    }
    if (path.find("..") != std::string_view::npos) return "it holds '..'";
    return std::nullopt;
}

std::string iso_grub_cfg(const std::string& options, bool all_video) {
    std::string args = options.empty() ? "" : " " + options;
    return "# hvbench ISO (built by hvbench image). The serial console is on so the\n"
           "# results (COM1) and GRUB itself can be read over the same line.\n"
           "set timeout=0\n" +
           std::string(all_video ? "insmod all_video\n" : "") +
           "set default=0\n"
           "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n"
           "terminal_input serial console\n"
           "terminal_output serial console\n"
           "\n"
           "menuentry \"hvbench (multiboot2)\" {\n"
           "    multiboot2 /boot/hvbench.elf" + args + "\n"
           "    boot\n"
           "}\n"
           "\n"
           "menuentry \"hvbench (multiboot1)\" {\n"
           "    multiboot /boot/hvbench.elf" + args + "\n"
           "    boot\n"
           "}\n";
}

std::string grub_menu_entry(const std::string& options, const std::string& elf_path) {
    std::string args = options.empty() ? "" : " " + options;
    return "menuentry \"hvbench\" {\n"
           "    serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n"
           "    terminal_input --append serial\n"
           "    terminal_output --append serial\n"
           "    insmod all_video\n"
           "    search --no-floppy --file --set=root " + elf_path + "\n"
           "    multiboot2 " + elf_path + args + "\n"
           "    boot\n"
           "}\n";
}

bool build_iso(const std::string& elf, const std::string& options, const std::string& output, std::string* error,
               IsoKind kind) {
    namespace fs = std::filesystem;
    char bad = 0;
    if (!grub_safe_options(options, &bad)) {
        if (error) *error = std::string("kernel options contain '") + bad + "', which GRUB would not pass as is";
        return false;
    }
    char tmpl[] = "/tmp/hvbench-iso.XXXXXX";
    if (!mkdtemp(tmpl)) {
        if (error) *error = std::string("mkdtemp: ") + strerror(errno);
        return false;
    }
    fs::path dir(tmpl);
    std::error_code ec;
    bool ok = false;
    do {
        fs::create_directories(dir / "boot" / "grub", ec);
        if (ec) {
            if (error) *error = ec.message();
            break;
        }
        fs::copy_file(elf, dir / "boot" / "hvbench.elf", ec);
        if (ec) {
            if (error) *error = elf + ": " + ec.message();
            break;
        }
        bool small = kind == IsoKind::bios_small;
        if (!write_text_file((dir / "boot" / "grub" / "grub.cfg").string(), iso_grub_cfg(options, !small), error)) break;
        std::vector<std::string> argv = {"grub-mkrescue", "--quiet"};
        if (small)
            argv.insert(argv.end(), {"-d", "/usr/lib/grub/i386-pc",
                                     "--install-modules=multiboot2 multiboot iso9660 normal serial terminal biosdisk",
                                     "--fonts=", "--locales=", "--themes="});
        argv.insert(argv.end(), {"-o", output, dir.string()});
        Captured c = run_capture(argv, 120000);
        if (!c.spawn_error.empty()) {
            if (error) *error = c.spawn_error + " (install grub-common, grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools)";
            break;
        }
        if (!c.ok()) {
            if (error) *error = "grub-mkrescue failed (" + c.status.describe() + "): " + c.err.substr(0, 2000);
            break;
        }
        ok = true;
    } while (false);
    fs::remove_all(dir, ec);
    return ok;
}

}  // namespace hvb::tools
