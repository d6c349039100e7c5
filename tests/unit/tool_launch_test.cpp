// tests/unit/tool_launch_test.cpp — QEMU command construction, the kernel
// command line, GRUB text, and child processes started without a shell.
#include <gtest/gtest.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "tools/image.h"
#include "tools/launch.h"
#include "tools/run.h"
#include "tools/run_config.h"

namespace {

using namespace hvb::tools;

// The value after `flag` in argv, or "" when absent.
std::string After(const std::vector<std::string>& argv, const std::string& flag) {
    auto it = std::find(argv.begin(), argv.end(), flag);
    return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}

bool Has(const std::vector<std::string>& argv, const std::string& s) {
    return std::find(argv.begin(), argv.end(), s) != argv.end();
}

TEST(ToolLaunchCommand, PvhIsTheBootTestsCommandLine) {
    VmConfig c;
    c.accel = "kvm";
    c.cpu = "host,-arch-capabilities";
    c.smp = 2;
    c.image = "build/hvbench.elf";
    c.cmdline = "only=idle,cpuid skip=x";
    auto a = qemu_command(c);
    std::vector<std::string> expect = {"qemu-system-x86_64", "-display", "none", "-serial", "stdio", "-monitor", "none",
                                       "-no-reboot", "-m", "256M", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                       "-accel", "kvm", "-cpu", "host,-arch-capabilities", "-smp", "2",
                                       "-kernel", "build/hvbench.elf", "-append", "only=idle,cpuid skip=x"};
    EXPECT_EQ(a, expect);
}

TEST(ToolLaunchCommand, BootPaths) {
    VmConfig c;
    c.boot = BootPath::mb1;
    c.image = "build/hvbench32.elf";
    auto a = qemu_command(c);
    EXPECT_EQ(After(a, "-kernel"), "build/hvbench32.elf");
    EXPECT_FALSE(Has(a, "-append"));  // empty command line: no -append
    EXPECT_EQ(After(a, "-cpu"), "max");
    EXPECT_EQ(After(a, "-accel"), "tcg");

    c.boot = BootPath::iso_bios;
    c.image = "build/hvbench.iso";
    c.cmdline = "only=idle";
    a = qemu_command(c);
    EXPECT_EQ(After(a, "-cdrom"), "build/hvbench.iso");
    EXPECT_FALSE(Has(a, "-kernel"));
    EXPECT_FALSE(Has(a, "-append"));  // GRUB's command line is in the ISO
    EXPECT_FALSE(Has(a, "-bios"));

    c.boot = BootPath::iso_uefi;
    c.firmware = "/usr/share/ovmf/OVMF.fd";
    a = qemu_command(c);
    EXPECT_EQ(After(a, "-bios"), "/usr/share/ovmf/OVMF.fd");
    EXPECT_EQ(After(a, "-cdrom"), "build/hvbench.iso");
}

TEST(ToolLaunchCommand, DirectBootFirmware) {
    // pvh and mb1 with qboot: -machine pc -bios qboot.rom before -kernel.
    VmConfig c;
    c.image = "build/hvbench.elf";
    c.firmware = kQbootPath;
    auto a = qemu_command(c);
    EXPECT_EQ(After(a, "-bios"), "/usr/share/qemu/qboot.rom");
    EXPECT_EQ(After(a, "-machine"), "pc");
    EXPECT_EQ(After(a, "-kernel"), "build/hvbench.elf");
    c.boot = BootPath::mb1;
    EXPECT_EQ(After(qemu_command(c), "-bios"), "/usr/share/qemu/qboot.rom");
    // No firmware: QEMU's default (SeaBIOS), no -machine.
    c.firmware = "";
    a = qemu_command(c);
    EXPECT_FALSE(Has(a, "-bios"));
    EXPECT_FALSE(Has(a, "-machine"));
    // iso-bios takes a BIOS when given one.
    c.boot = BootPath::iso_bios;
    c.firmware = "/x/bios.bin";
    a = qemu_command(c);
    EXPECT_EQ(After(a, "-bios"), "/x/bios.bin");
    EXPECT_FALSE(Has(a, "-machine"));
    // The default is qboot exactly when QEMU ships it.
    struct stat st;
    bool there = stat(kQbootPath, &st) == 0 && S_ISREG(st.st_mode);
    EXPECT_EQ(find_direct_boot_firmware(), there ? kQbootPath : "");
}

TEST(ToolLaunchCommand, QmpAndPaused) {
    VmConfig c;
    c.image = "k.elf";
    c.qmp_socket = "/tmp/x/qmp.sock";
    c.paused = true;
    auto a = qemu_command(c);
    EXPECT_EQ(After(a, "-qmp"), "unix:/tmp/x/qmp.sock,server=on,wait=off");
    EXPECT_TRUE(Has(a, "-S"));
}

TEST(ToolLaunchCommand, BootPathNames) {
    for (BootPath b : {BootPath::pvh, BootPath::mb1, BootPath::iso_bios, BootPath::iso_uefi})
        EXPECT_EQ(boot_path_from_name(boot_path_name(b)), b);
    EXPECT_FALSE(boot_path_from_name("mb2"));
    EXPECT_TRUE(is_iso_boot(BootPath::iso_uefi));
    EXPECT_FALSE(is_iso_boot(BootPath::mb1));
}

TEST(ToolLaunchCommand, CpuModelsFallBack) {
    EXPECT_EQ(cpu_models_for("kvm"), (std::vector<std::string>{"host", "host,-arch-capabilities", "max"}));
    EXPECT_EQ(cpu_models_for("tcg"), (std::vector<std::string>{"max"}));
}

TEST(ToolLaunchCmdline, UserOptionsDoneAndTimer) {
    RunSettings s;
    EXPECT_EQ(kernel_cmdline(s, {}, ""), "");
    s.only = {"privileged", "idle"};
    s.skip = {"wbinvd"};
    s.kernel_args = {"iters=100", "reps=5", "apic=xapic"};
    EXPECT_EQ(kernel_cmdline(s, {}, "rdtscp"), "only=privileged,idle skip=wbinvd timer=rdtscp iters=100 reps=5 apic=xapic");
    // Done names join skip=, without duplicates.
    EXPECT_EQ(kernel_cmdline(s, {"cpuid", "wbinvd", "idle"}, ""),
              "only=privileged,idle skip=wbinvd,cpuid,idle iters=100 reps=5 apic=xapic");
    // A re-run of one benchmark: only that one, the user's other options kept.
    EXPECT_EQ(kernel_cmdline(s, {"cpuid"}, "rdtsc", "rdtscp"), "only=rdtscp timer=rdtsc iters=100 reps=5 apic=xapic");
    s = RunSettings{};
    s.external_timing = true;
    EXPECT_EQ(kernel_cmdline(s, {"a"}, ""), "skip=a timing=external");
}

TEST(ToolLaunchCmdline, PinnedWordAndIssue6Options) {
    RunSettings s;
    s.pinned = "none";
    EXPECT_EQ(kernel_cmdline(s, {}, ""), "pinned=none");
    s.pinned = "vcpus";
    s.kernel_args = {"linearity=1", "budget=200", "target=0.5%"};
    EXPECT_EQ(kernel_cmdline(s, {"a"}, "rdtsc"), "skip=a timer=rdtsc pinned=vcpus linearity=1 budget=200 target=0.5%");
    // A re-run alone keeps it: the kernel's header must say how it was pinned.
    EXPECT_EQ(kernel_cmdline(s, {"a"}, "rdtsc", "b"), "only=b timer=rdtsc pinned=vcpus linearity=1 budget=200 target=0.5%");
}

TEST(ToolLaunchCmdline, TargetOption) {
    EXPECT_EQ(target_option("1%"), "1%");
    EXPECT_EQ(target_option("0.5%"), "0.5%");
    EXPECT_EQ(target_option("2"), "2%");
    EXPECT_EQ(target_option("100%"), "100%");
    EXPECT_EQ(target_option("0.1"), "0.1%");
    for (const char* bad : {"", "%", "0", "0%", "0.0%", "0.05%", "1.%", ".5%", "-1%", "1e1%", "101%", "1%%", "abc", "1,5%"})
        EXPECT_FALSE(target_option(bad)) << bad;
}

TEST(ToolLaunchCmdline, TooManyToSkipNamesWhatIsLeft) {
    RunSettings s;
    std::vector<std::string> done;
    for (int i = 0; i < 40; ++i) {
        char name[8];
        snprintf(name, sizeof name, "b%02d", i);
        s.catalog.push_back(CatalogEntry{name, "c", 0});
        if (i < 33) done.push_back(name);
    }
    s.skip = {"x"};
    EXPECT_EQ(kernel_cmdline(s, {done.begin(), done.begin() + 31}, ""), "skip=x,b00,b01,b02,b03,b04,b05,b06,b07,b08,b09,"
              "b10,b11,b12,b13,b14,b15,b16,b17,b18,b19,b20,b21,b22,b23,b24,b25,b26,b27,b28,b29,b30");
    EXPECT_EQ(kernel_cmdline(s, done, "rdtsc"), "only=b33,b34,b35,b36,b37,b38,b39 timer=rdtsc");
    // Without the list it cannot be done.
    s.catalog.clear();
    std::string err;
    EXPECT_FALSE(kernel_cmdline(s, done, "", "", &err));
    EXPECT_EQ(err, "the kernel takes at most 32 names in skip=, 34 needed");
    // Nor when what is left is too long a list as well.
    for (int i = 0; i < 80; ++i) s.catalog.push_back(CatalogEntry{"c" + std::to_string(i), "c", 0});
    EXPECT_FALSE(kernel_cmdline(s, done, "", "", &err));
    EXPECT_NE(err.find("in only="), std::string::npos);
}

TEST(ToolLaunchCmdline, LongerThanTheKernelKeeps) {
    RunSettings s;
    s.kernel_args.push_back("iters=" + std::string(1100, '1'));
    std::string err;
    EXPECT_FALSE(kernel_cmdline(s, {}, "", "", &err));
    EXPECT_NE(err.find("the kernel keeps 1023"), std::string::npos) << err;
}

TEST(ToolLaunchProcess, CapturesBothStreamsAndStatus) {
    Captured c = run_capture({HVB_FAKE_VMM, "--benchmarks", "a", "--cpu", "host", "--refuse-cpu", "host"}, 5000);
    ASSERT_TRUE(c.spawn_error.empty()) << c.spawn_error;
    EXPECT_TRUE(c.status.exited);
    EXPECT_EQ(c.status.code, 1);
    EXPECT_TRUE(c.out.empty());
    EXPECT_NE(c.err.find("can't apply"), std::string::npos);
    c = run_capture({HVB_FAKE_VMM, "--benchmarks", "a"}, 5000);
    EXPECT_EQ(c.status.code, 1);  // (0 << 1) | 1, as QEMU's isa-debug-exit
    EXPECT_NE(c.out.find("\"type\":\"end\""), std::string::npos);
}

TEST(ToolLaunchProcess, NoShellIsInvolved) {
    // Shell syntax in an argument is just bytes: the fake VMM sees it verbatim
    // and puts it in its header's cmdline.
    Captured c = run_capture({HVB_FAKE_VMM, "--benchmarks", "a", "--cmdline", "only=a; echo pwned $(id) `x` > /tmp/x"},
                             5000);
    EXPECT_NE(c.out.find("only=a; echo pwned $(id) `x` > /tmp/x"), std::string::npos) << c.out;
    EXPECT_EQ(c.out.find("pwned uid"), std::string::npos);
}

TEST(ToolLaunchProcess, TimeoutKillsAndSignalsAreReported) {
    int64_t t0 = now_ms();
    Captured c = run_capture({HVB_FAKE_VMM, "--benchmarks", "a", "--hang", "a"}, 300);
    EXPECT_TRUE(c.timed_out);
    EXPECT_FALSE(c.status.exited);
    EXPECT_EQ(c.status.describe(), "killed by SIGKILL");
    EXPECT_LT(now_ms() - t0, 1500);
    c = run_capture({HVB_FAKE_VMM, "--benchmarks", "a", "--crash", "a"}, 5000);
    EXPECT_EQ(c.status.describe(), "killed by SIGABRT");
}

TEST(ToolLaunchProcess, MissingProgram) {
    std::string err;
    EXPECT_FALSE(Process::spawn({"/nonexistent/qemu"}, &err));
    EXPECT_NE(err.find("cannot start /nonexistent/qemu"), std::string::npos);
    Captured c = run_capture({"no-such-program-hvbench"}, 1000);
    EXPECT_FALSE(c.spawn_error.empty());
    EXPECT_FALSE(c.ok());
}

// What a child started with `layout` says its persona is (its own
// /proc/self/personality, hex), or -1.
long ChildPersona(AddressLayout layout) {
    std::string err;
    auto p = Process::spawn({"cat", "/proc/self/personality"}, &err, "", layout);
    if (!p) return -1;
    std::string out;
    char buf[64];
    for (ssize_t n; (n = read(p->stdout_fd(), buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
    p->wait();
    return out.empty() ? -1 : strtol(out.c_str(), nullptr, 16);
}

TEST(ToolLaunchProcess, FixedLayoutIsTheChildsAlone) {
    const int own = personality(0xffffffff);
    ASSERT_NE(own, -1);
    // A VMM started with a fixed layout runs without randomization ...
    long fixed = ChildPersona(AddressLayout::fixed);
    ASSERT_NE(fixed, -1);
    EXPECT_NE(fixed & ADDR_NO_RANDOMIZE, 0);
    // ... this process's persona is what it was ...
    EXPECT_EQ(personality(0xffffffff), own);
    // ... and a child started with the default layout has this process's.
    EXPECT_EQ(ChildPersona(AddressLayout::randomized), long(own));
}

// This machine lets a process ask for it (a container's seccomp filter may
// not: the run then goes on randomized and says so, tools/run_setup.cpp);
// asking leaves this process's persona as it was.
TEST(ToolLaunchProcess, FixedLayoutIsAvailableHere) {
    const int own = personality(0xffffffff);
    auto why = fixed_layout_unavailable();
    EXPECT_FALSE(why) << *why;
    EXPECT_EQ(personality(0xffffffff), own);
}

TEST(ToolLaunchProcess, ProgramDirectory) {
    std::string d = program_directory();
    EXPECT_FALSE(d.empty());
    EXPECT_EQ(access(d.c_str(), R_OK), 0);
}

TEST(ToolImage, GrubConfigAndMenuEntry) {
    std::string cfg = iso_grub_cfg("only=cpuid reps=21");
    EXPECT_NE(cfg.find("serial --unit=0 --speed=115200"), std::string::npos);
    EXPECT_NE(cfg.find("terminal_output serial console"), std::string::npos);
    EXPECT_NE(cfg.find("multiboot2 /boot/hvbench.elf only=cpuid reps=21\n"), std::string::npos);
    EXPECT_NE(cfg.find("multiboot /boot/hvbench.elf only=cpuid reps=21\n"), std::string::npos);
    EXPECT_NE(iso_grub_cfg("").find("multiboot2 /boot/hvbench.elf\n"), std::string::npos);
    std::string entry = grub_menu_entry("reps=5", "/boot/hvbench.elf");
    EXPECT_EQ(entry.rfind("menuentry \"hvbench\" {", 0), 0u);
    EXPECT_NE(entry.find("terminal_output --append serial"), std::string::npos);
    EXPECT_NE(entry.find("multiboot2 /boot/hvbench.elf reps=5\n"), std::string::npos);
    char bad = 0;
    EXPECT_TRUE(grub_safe_options("only=a,b iters=cpuid:10 mem_hot.working_set=64M", &bad));
    EXPECT_FALSE(grub_safe_options("only=a;reboot", &bad));
    EXPECT_EQ(bad, ';');
    EXPECT_FALSE(grub_safe_options("x=\"y\"", &bad));
    std::string err;
    EXPECT_FALSE(build_iso("/nonexistent.elf", "a=$b", "/tmp/x.iso", &err));
    EXPECT_NE(err.find("'$'"), std::string::npos);
    EXPECT_NE(cfg.find("insmod all_video\n"), std::string::npos);
    EXPECT_EQ(iso_grub_cfg("reps=5", false).find("all_video"), std::string::npos);
}

// The small BIOS ISO (Xen HVM domU): a real grub-mkrescue run when GRUB's
// BIOS modules are installed; a fraction of the full ISO's size.
TEST(ToolImage, SmallBiosIso) {
    if (access("/usr/lib/grub/i386-pc/moddep.lst", R_OK) != 0 || access("/usr/bin/grub-mkrescue", X_OK) != 0)
        GTEST_SKIP() << "grub-mkrescue or GRUB's i386-pc modules not installed";
    char dir[] = "/tmp/hvb-iso-test.XXXXXX";
    ASSERT_TRUE(mkdtemp(dir));
    std::string elf = std::string(dir) + "/k.elf", iso = std::string(dir) + "/k.iso";
    FILE* f = fopen(elf.c_str(), "w");
    ASSERT_TRUE(f);
    fputs("not really an ELF; GRUB only copies it\n", f);
    fclose(f);
    std::string err;
    bool ok = build_iso(elf, "only=idle", iso, &err, IsoKind::bios_small);
    struct stat st {};
    bool built = stat(iso.c_str(), &st) == 0;
    unlink(iso.c_str());
    unlink(elf.c_str());
    rmdir(dir);
    ASSERT_TRUE(ok) << err;
    ASSERT_TRUE(built);
    EXPECT_LT(st.st_size, 4 << 20);
}

}  // namespace
