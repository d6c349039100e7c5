// tools/run_setup.cpp — a run's configuration completed from the host (see run_setup.h).
#include "tools/run_setup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>

#include "tools/arm64_hosts.h"
#include "tools/catalog.h"
#include "tools/image.h"
#include "tools/launch.h"
#include "tools/libvirt_domain.h"
#include "tools/libvirt_launch.h"
#include "tools/pinning.h"
#include "tools/run_setup_arm64.h"
#include "tools/safe_output.h"
#include "tools/xen.h"
#include "tools/xl.h"

namespace hvb::tools {

bool file_exists(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

namespace {

bool in_path(const std::string& name) {
    const char* path = getenv("PATH");
    if (!path) return false;
    std::string p = path;
    size_t pos = 0;
    while (pos <= p.size()) {
        size_t colon = p.find(':', pos);
        std::string dir = p.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
        if (dir.empty()) dir = ".";
        if (access((dir + "/" + name).c_str(), X_OK) == 0) return true;
        if (colon == std::string::npos) break;
        pos = colon + 1;
    }
    return false;
}

// --guest pvh|hvm: the Linux dom0 image whose xl starts the kernel as a
// domU (built into the cache the first time). An HVM domU boots a GRUB ISO
// built per VM, so it needs grub-mkrescue and GRUB's BIOS modules, and a
// longer boot time limit: hvmloader, SeaBIOS and GRUB under nested TCG take
// ~20 s on an idle host and minutes on a loaded one. False (after saying
// why, as "Xen unavailable") when the domU cannot be run.
bool prepare_domu(RunConfig& cli, const std::string& scripts, const std::function<void(const std::string&)>& say) {
    bool hvm = cli.guest == "hvm";
    if (hvm && (!in_path("grub-mkrescue") || !std::filesystem::is_directory("/usr/lib/grub/i386-pc"))) {
        fprintf(stderr, "hvbench: Xen unavailable: --guest hvm boots a GRUB ISO: needs grub-mkrescue and "
                        "/usr/lib/grub/i386-pc (packages grub-common, grub-pc-bin, xorriso)\n");
        return false;
    }
    std::string err;
    auto dom0 = ensure_dom0_image(scripts + "/xen-dom0-image.sh", default_xen_cache(), say, &err,
                                  hvm ? DomuType::hvm : DomuType::pvh);
    if (!dom0) {
        fprintf(stderr, "hvbench: Xen unavailable: no dom0 image: %s\n", err.c_str());
        return false;
    }
    cli.dom0 = *dom0;
    if (hvm && !cli.boot_timeout_given) cli.settings.boot_timeout_ms = 600 * 1000;
    return true;
}

// --vmm xen: Xen's image (fetched into the cache the first time), TCG, the
// memory Xen and its dom0 need, SeaBIOS (x86), and Xen's console lines
// filtered back into the kernel's. On aarch64 Xen/arm64 nested in QEMU TCG,
// the kernel its dom0 (tools/run_setup_arm64.h). False (after saying why)
// when Xen is unavailable.
bool prepare_xen(RunConfig& cli, const std::string& scripts) {
    const bool arm = cli.arch == "aarch64";
    if (std::string why = arm ? nested_problem(cli) : ""; !why.empty()) {
        fprintf(stderr, "hvbench: %s\n", why.c_str());
        return false;
    }
    if (cli.accel.empty()) cli.accel = "tcg";
    if (!cli.memory_given) cli.memory = arm ? kXenArm64Memory : "1024M";
    if (cli.boot != BootPath::pvh) {
        fprintf(stderr, "hvbench: --vmm xen boots the PVH kernel (hvbench.elf) as dom0: --boot must be pvh\n");
        return false;
    }
    if (!arm && cli.firmware.empty()) cli.firmware = "default";  // SeaBIOS: Xen needs its ACPI tables and E820
    std::string err;
    auto say = [&](const std::string& m) {
        if (!cli.quiet) fprintf(stderr, "hvbench: %s\n", m.c_str());
    };
    auto xen = arm ? xen_arm64_image(cli, scripts, say, &err) : ensure_xen(cli.xen_given, default_xen_cache(), say, &err);
    if (!xen) {
        fprintf(stderr, "hvbench: Xen unavailable: %s\n", err.c_str());
        return false;
    }
    cli.xen = *xen;
    if (cli.guest != "dom0" && !prepare_domu(cli, scripts, say)) return false;
    std::vector<std::string> args =
        arm ? default_xen_arm64_args(kXenArm64Dom0Mib, cli.smp) : default_xen_args(cli.guest != "dom0");
    args.insert(args.end(), cli.xen_args.begin(), cli.xen_args.end());
    cli.xen_args = args;
    cli.settings.console_filter = [] {
        auto filter = std::make_shared<XenLogFilter>();
        return [filter](std::string_view bytes, bool end) { return end ? filter->finish() : filter->feed(bytes); };
    };
    if (cli.label.empty()) cli.label = "xen";
    return true;
}

// Accelerator: KVM when usable, else TCG (said); --accel kvm without KVM
// is an error.
bool choose_accel(RunConfig& cli) {
    std::string why;
    bool kvm = kvm_usable(&why);
    if (kvm && cli.arch != host_arch()) {
        kvm = false;  // KVM runs guests of the host's architecture only
        why = std::string("a ") + cli.arch + " guest on a " + host_arch() + " host";
    }
    if (cli.accel.empty()) {
        cli.accel = kvm ? "kvm" : "tcg";
        if (!kvm) fprintf(stderr, "hvbench: KVM is not usable (%s); running under TCG (software emulation)\n", why.c_str());
    } else if (cli.accel == "kvm" && !kvm) {
        fprintf(stderr, "hvbench: --accel kvm, but KVM is not usable: %s\n", why.c_str());
        return false;
    }
    return true;
}

// The ISO paths: a given ISO (its kernel options fixed), or one built per
// VM from the ELF when grub-mkrescue is there; UEFI firmware for iso-uefi.
bool find_iso(RunConfig& cli, RunSetup& setup, const std::string& dir) {
    std::string given = cli.kernel;
    bool given_iso = given.size() > 4 && given.compare(given.size() - 4, 4, ".iso") == 0;
    if (given_iso) {
        setup.iso = given;
    } else {
        setup.elf = !given.empty() ? given : dir + "/hvbench.elf";
        setup.iso = dir + "/hvbench.iso";
        setup.build_isos = in_path("grub-mkrescue") && file_exists(setup.elf);
    }
    if (!setup.build_isos) {
        cli.settings.can_pass_options = false;
        if (!file_exists(setup.iso)) {
            fprintf(stderr, "hvbench: ISO %s not found\n", setup.iso.c_str());
            return false;
        }
        fprintf(stderr,
                "hvbench: warning: %s boots %s with the command line fixed in its grub.cfg: kernel options "
                "(--only, --skip, ..., and skip= to resume after a crash) cannot be passed%s\n",
                boot_path_name(cli.boot), setup.iso.c_str(),
                given_iso ? "" : " (grub-mkrescue is not installed, so no ISO can be built per VM)");
    }
    if (cli.boot == BootPath::iso_uefi) {
        if (cli.firmware == "default") {
            fprintf(stderr, "hvbench: iso-uefi needs UEFI firmware: --firmware PATH (an OVMF.fd)\n");
            return false;
        }
        if (cli.firmware.empty()) cli.firmware = find_uefi_firmware();
        if (cli.firmware.empty() || !file_exists(cli.firmware)) {
            fprintf(stderr, "hvbench: no UEFI firmware found (install ovmf, or pass --firmware)\n");
            return false;
        }
    }
    return true;
}

bool find_images(RunConfig& cli, RunSetup& setup) {
    std::string dir = program_directory();
    if (cli.arch == "aarch64") {
        // The Image boots by QEMU's -kernel only (or Xen's guest-loader, or
        // the KVM host's QEMU): the direct path.
        if (cli.boot != BootPath::pvh || cli.vmm == "libvirt") {
            fprintf(stderr, "hvbench: --arch aarch64 boots build/hvbench-aarch64.img directly: no --boot, no --vmm "
                            "libvirt\n");
            return false;
        }
        setup.elf = !cli.kernel.empty() ? cli.kernel : dir + "/hvbench-aarch64.img";
        if (!file_exists(setup.elf)) {
            fprintf(stderr, "hvbench: kernel image %s not found (build it: cmake --build build)\n", setup.elf.c_str());
            return false;
        }
        return true;
    }
    if (is_iso_boot(cli.boot)) return find_iso(cli, setup, dir);
    setup.elf = !cli.kernel.empty() ? cli.kernel : dir + (cli.boot == BootPath::mb1 ? "/hvbench32.elf" : "/hvbench.elf");
    if (!file_exists(setup.elf)) {
        fprintf(stderr, "hvbench: kernel image %s not found (build it: cmake --build build)\n", setup.elf.c_str());
        return false;
    }
    return true;
}

// Firmware: the direct-kernel paths boot fastest through qboot.
// A remote libvirt host gets QEMU's own (its qboot may not be where ours is).
bool find_firmware(RunConfig& cli) {
    bool remote = cli.vmm == "libvirt" && !cli.connect.empty() && libvirt_uri_is_remote(cli.connect.front());
    if (cli.firmware == "default") {
        cli.firmware.clear();
    } else if (cli.firmware.empty()) {
        if (!is_iso_boot(cli.boot) && !remote && cli.arch != "aarch64") cli.firmware = find_direct_boot_firmware();
    } else if (!file_exists(cli.firmware)) {
        fprintf(stderr, "hvbench: firmware %s not found\n", cli.firmware.c_str());
        return false;
    }
    return true;
}

// Pinning, decided before launch from the host CPUs there are, so the
// kernel's header can say what the run had (pinned=WORD).
bool plan_run_pinning(RunConfig& cli, RunSetup& setup) {
    PinPlan& pin_plan = setup.pin_plan;
    pin_plan.word = "none";
    if (cli.pin) {
        std::vector<int> allowed = allowed_host_cpus();
        pin_plan = plan_pinning(cli.smp, cli.pin_cpus.empty() ? allowed : cli.pin_cpus, allowed);
        if (pin_plan.vcpu_cpus.empty()) {
            fprintf(stderr, "hvbench: --pin: %s\n", pin_plan.note.c_str());
            return false;
        }
        if (!pin_plan.note.empty()) fprintf(stderr, "hvbench: note: %s\n", pin_plan.note.c_str());
    }
    cli.settings.pinned = pin_plan.word;
    return true;
}

// Outputs: none may be an input or another output, and each must be
// writable -- checked before the first VM, not after an hour of measuring.
bool check_run_outputs(const RunConfig& cli, const RunSetup& setup, std::string* usage) {
    std::vector<NamedPath> inputs, outputs = {{"--json", cli.json}, {"--csv", cli.csv}, {"--log", cli.log}};
    for (const auto& [what, path] : {std::pair{"the kernel image", setup.elf}, std::pair{"the ISO", setup.iso},
                                     std::pair{"--firmware", cli.firmware}})
        if (!path.empty()) inputs.push_back({what, path});
    if (auto clash = check_outputs(inputs, outputs)) {
        *usage = "run: " + *clash;
        return false;
    }
    for (const auto& o : outputs) {
        std::string err;
        if (!o.path.empty() && !probe_writable(o.path, &err)) {
            fprintf(stderr, "hvbench: %s: cannot write %s\n", o.what.c_str(), err.c_str());
            return false;
        }
    }
    return true;
}

// What the kernel will run, read from the image: lets a resumed run name
// what is left when there is too much to skip.
bool read_catalog(RunConfig& cli, const RunSetup& setup) {
    std::string image = !setup.elf.empty() ? setup.elf : program_directory() + "/hvbench.elf";
    std::string err;
    auto cmdline = kernel_cmdline(cli.settings, {}, cli.settings.timer, "", &err);
    if (!cmdline) {
        fprintf(stderr, "hvbench: %s\n", err.c_str());
        return false;
    }
    if (auto table = read_benchmark_table(image, &err)) cli.settings.catalog = select_from_catalog(*table, *cmdline);
    else if (cli.verbose) fprintf(stderr, "hvbench: no benchmark list from the image (%s)\n", err.c_str());
    return true;
}

// A scratch directory for the QMP socket and per-VM ISOs.
bool make_scratch(const RunConfig& cli, RunSetup& setup) {
    if (cli.pin || setup.build_isos || cli.guest != "dom0" || cli.vmm == "libvirt" || cli.vmm == "kvm-nested" ||
        cli.vmm == "xl") {
        char tmpl[] = "/tmp/hvbench.XXXXXX";
        if (!mkdtemp(tmpl)) {
            perror("hvbench: mkdtemp");
            return false;
        }
        setup.scratch = tmpl;
    }
    return true;
}

// One VM's QEMU command.
std::optional<std::vector<std::string>> vm_command(const RunConfig& cli, const RunSetup& setup, const VmPlan& plan,
                                                   std::string* err) {
    if ((cli.arch == "aarch64" && cli.vmm != "qemu") || cli.vmm == "kvm-nested")
        return nested_vm_command(cli, setup.elf, setup.scratch, plan, err);
    VmConfig cfg;
    cfg.arch = cli.arch;
    cfg.qemu = cli.qemu;
    cfg.accel = cli.accel;
    cfg.cpu = plan.cpu_model;
    cfg.smp = cli.smp;
    cfg.memory = cli.memory;
    cfg.boot = cli.boot;
    cfg.firmware = cli.firmware;
    cfg.cmdline = plan.cmdline;
    cfg.image = is_iso_boot(cli.boot) ? setup.iso : setup.elf;
    cfg.xen = cli.xen;
    for (const auto& a : cli.xen_args) cfg.xen_cmdline += (cfg.xen_cmdline.empty() ? "" : " ") + a;
    if (cli.guest != "dom0") {
        // The dom0 starts the kernel from its initrd, with this VM's options:
        // the ELF for PVH, for HVM a small BIOS ISO whose grub.cfg has them.
        std::string vm = setup.scratch + "/vm" + std::to_string(plan.number);
        bool ok = cli.guest == "hvm"
                      ? build_iso(setup.elf, plan.cmdline, vm + ".iso", err, IsoKind::bios_small) &&
                            write_hvm_domu_initrd(cli.dom0.initrd, vm + ".iso", plan.cmdline, cli.smp, 256,
                                                  vm + ".initrd", err)
                      : write_domu_initrd(cli.dom0.initrd, setup.elf, plan.cmdline, cli.smp, 256, vm + ".initrd", err);
        if (!ok) return std::nullopt;
        cfg.xen_modules = {multiboot_module(cli.dom0.kernel, "console=hvc0 quiet"), multiboot_module(vm + ".initrd", "")};
    }
    if (setup.build_isos && !plan.cmdline.empty()) {
        cfg.image = setup.scratch + "/vm" + std::to_string(plan.number) + ".iso";
        if (!build_iso(setup.elf, plan.cmdline, cfg.image, err)) return std::nullopt;
    }
    if (cli.pin) {
        cfg.qmp_socket = setup.scratch + "/qmp.sock";
        unlink(cfg.qmp_socket.c_str());
        cfg.paused = true;
    }
    return qemu_command(cfg);
}

// --vmm xl: xl answers on this host (a Xen dom0); the domUs' configs go
// in the scratch directory. Xen places the vCPUs and no QEMU is ours.
int prepare_xl(RunConfig& cli, RunSetup& setup, std::string* usage) {
    std::string why;
    if (!xl_usable(cli.xl, &why)) {
        fprintf(stderr, "hvbench: --vmm xl: %s\n", why.c_str());
        return kExitIncomplete;
    }
    if (cli.accel.empty()) cli.accel = "xen";
    if (cli.label.empty()) cli.label = "xl";
    cli.vmm_aslr = true;
    setup.layout_note = "xl: Xen's toolstack starts the domain; there is no VMM process of the tool's";
    if (cli.smp == 0) cli.smp = 2;
    if (!find_images(cli, setup) || !check_run_outputs(cli, setup, usage) || !read_catalog(cli, setup) ||
        !make_scratch(cli, setup)) {
        remove_scratch(setup);
        return kExitIncomplete;
    }
    return 0;
}

}  // namespace

int prepare_run(RunConfig& cli, RunSetup& setup, const std::string& scripts, std::string* usage) {
    // vCPUs: two by default, so the IPI benchmarks (which need a second CPU)
    // run, unless the host has a single CPU to give.
    if (cli.smp == 0) cli.smp = allowed_host_cpus().size() >= 2 ? 2 : 1;
    if (cli.vmm == "xen" && !prepare_xen(cli, scripts)) return kExitIncomplete;
    if (cli.vmm != "xen" && (!cli.xen_given.empty() || !cli.xen_args.empty() || cli.guest != "dom0")) {
        *usage = "run: --xen, --xen-arg and --guest need --vmm xen";
        return kExitIncomplete;
    }
    if (cli.vmm == "kvm-nested" && !prepare_kvm_nested(cli, scripts)) return kExitIncomplete;
    setup.nesting_note = nesting_note(cli);
    if (!setup.nesting_note.empty() && !cli.quiet) fprintf(stderr, "hvbench: %s\n", setup.nesting_note.c_str());
    bool libvirt = cli.vmm == "libvirt";
    if (cli.vmm == "xl") return prepare_xl(cli, setup, usage);
    if (!(libvirt ? find_images(cli, setup) && prepare_libvirt(cli, setup) : choose_accel(cli) && find_images(cli, setup)))
        return kExitIncomplete;
    if (libvirt) {
        cli.vmm_aslr = true;
        setup.layout_note = "libvirt's daemon starts the VMM: its address-space layout is the daemon's (randomized)";
    }
    // A fixed VMM layout where this process may ask for one; else the run
    // goes on randomized, and says so (the results' context too).
    if (!cli.vmm_aslr)
        if (auto why = fixed_layout_unavailable()) {
            cli.vmm_aslr = true;
            setup.layout_note = "the VMM runs with a randomized address-space layout: " + *why +
                                " (docs/measurement.md, \"The VMM's layout\")";
            fprintf(stderr, "hvbench: note: %s\n", setup.layout_note.c_str());
        }
    if (!find_firmware(cli) || !plan_run_pinning(cli, setup) || !check_run_outputs(cli, setup, usage) ||
        !read_catalog(cli, setup) || !make_scratch(cli, setup)) {
        remove_scratch(setup);
        return kExitIncomplete;
    }
    return 0;
}

VmLauncher run_launcher(const RunConfig& cli, const RunSetup& setup, VmPinning* pinning) {
    if (setup.libvirt) return libvirt_launcher(cli, setup);
    if (cli.vmm == "xl") return xl_launcher(cli, setup.elf, setup.scratch);
    VmLauncher launcher;
    launcher.cpu_models = cli.cpu.empty() ? cpu_models_for(cli.accel, cli.arch) : std::vector<std::string>{cli.cpu};
    launcher.layout = cli.vmm_aslr ? AddressLayout::randomized : AddressLayout::fixed;
    launcher.command = [&cli, &setup](const VmPlan& plan, std::string* err) { return vm_command(cli, setup, plan, err); };
    if (pinning)
        launcher.started = [pinning](Process& p, const VmPlan& plan, std::string* err) {
            return pinning->started(p, plan, err);
        };
    launcher.finished = [&setup, pinning](const VmPlan& plan) {
        if (pinning) pinning->finished();
        if (!setup.scratch.empty()) {
            unlink((setup.scratch + "/vm" + std::to_string(plan.number) + ".iso").c_str());
            unlink((setup.scratch + "/vm" + std::to_string(plan.number) + ".initrd").c_str());
            unlink((setup.scratch + "/qmp.sock").c_str());
        }
    };
    return launcher;
}

void remove_scratch(const RunSetup& setup) {
    if (setup.libvirt) libvirt_release(*setup.libvirt);
    if (setup.scratch.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(setup.scratch, ec);
}

}  // namespace hvb::tools
