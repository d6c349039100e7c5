// tests/unit/arm64_hosts_test.cpp — the nested hypervisors
// (tools/arm64_hosts.h, tools/kvm_host.h): QEMU's arguments for Xen/arm64
// and the KVM hosts of arm64 and x86, the KVM host's per-VM initrd, and
// fetching and building through stand-in scripts (the real ones need the
// network: the aarch64 boot tests run them).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tools/arm64_hosts.h"
#include "tools/kvm_host.h"
#include "tools/launch.h"
#include "tools/run_setup_arm64.h"

namespace {

namespace fs = std::filesystem;
using namespace hvb::tools;

struct TempDir {
    TempDir() {
        char t[] = "/tmp/hvb-arm64-test.XXXXXX";
        path = mkdtemp(t) ? t : "";
    }
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) fs::remove_all(path, ec);
    }
    std::string write(const std::string& name, const std::string& text) const {
        std::string p = path + "/" + name;
        fs::create_directories(fs::path(p).parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }
    std::string path;
};

std::string slurp(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

bool has(const std::vector<std::string>& v, const std::string& w) { return std::find(v.begin(), v.end(), w) != v.end(); }

TEST(Arm64Hosts, QemuOptionValueDoublesCommas) {
    EXPECT_EQ(qemu_option_value("only=a,b,c"), "only=a,,b,,c");
    EXPECT_EQ(qemu_option_value(""), "");
    EXPECT_EQ(qemu_option_value(",,"), ",,,,");
}

TEST(Arm64Hosts, MachineHasEl2AndTheGic) {
    auto m = arm64_nested_machine_args(3);
    EXPECT_TRUE(has(m, "virt,virtualization=on,gic-version=3"));
    EXPECT_TRUE(has(m, "max"));
    EXPECT_TRUE(has(arm64_nested_machine_args(2), "virt,virtualization=on,gic-version=2"));
}

TEST(Arm64Hosts, XenBootsTheKernelAsDom0ThroughGuestLoader) {
    auto a = xen_arm64_boot_args("/c/xen-4.17-arm64", "console=dtuart dom0_mem=256M", "/b/hvbench-aarch64.img",
                                 "only=hypercall,eoi iters=10");
    ASSERT_EQ(a.size(), 6u);
    EXPECT_EQ(a[0], "-kernel");
    EXPECT_EQ(a[1], "/c/xen-4.17-arm64");
    EXPECT_EQ(a[3], "console=dtuart dom0_mem=256M");
    EXPECT_EQ(a[4], "-device");
    // The kernel options' comma doubled: QEMU would read "eoi iters=10" as
    // an option of the device otherwise.
    EXPECT_EQ(a[5], "guest-loader,addr=0x49000000,kernel=/b/hvbench-aarch64.img,bootargs=only=hypercall,,eoi iters=10");
    // No options: a space, or Xen would pass its own command line on.
    EXPECT_EQ(xen_arm64_boot_args("x", "", "i", "")[5], "guest-loader,addr=0x49000000,kernel=i,bootargs= ");
}

TEST(Arm64Hosts, XenArgs) {
    auto a = default_xen_arm64_args(256, 2);
    EXPECT_TRUE(has(a, "console=dtuart"));
    EXPECT_TRUE(has(a, "guest_loglvl=all"));
    EXPECT_TRUE(has(a, "dom0_mem=256M,max:256M"));
    EXPECT_TRUE(has(a, "dom0_max_vcpus=2"));
}

TEST(Arm64Hosts, NestedCommandIsTheOuterMachine) {
    auto a = arm64_nested_command("qemu-system-aarch64", 2, "1024M", {"-kernel", "K"});
    EXPECT_EQ(a, (std::vector<std::string>{"qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
                                           "-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", "1024M", "-display",
                                           "none", "-serial", "stdio", "-monitor", "none", "-no-reboot", "-kernel",
                                           "K"}));
}

// tools/run_setup_arm64.h: what `hvbench run --arch aarch64 --vmm
// xen|kvm-nested` refuses, says of the nesting, and launches per VM.
TEST(Arm64Hosts, RunRefusesWhatCannotNest) {
    RunConfig c;
    c.arch = "aarch64";
    c.vmm = "xen";
    EXPECT_EQ(nested_problem(c), "");
    c.accel = "kvm";
    EXPECT_NE(nested_problem(c).find("--accel must be tcg"), std::string::npos);
    c.accel = "tcg";
    c.guest = "pvh";
    EXPECT_NE(nested_problem(c).find("dom0 only"), std::string::npos);
    c.guest = "dom0";
    c.pin = true;
    EXPECT_NE(nested_problem(c).find("no --pin"), std::string::npos);
    c.pin = false;
    c.boot = BootPath::mb1;
    EXPECT_NE(nested_problem(c).find("no --boot"), std::string::npos);
    c.arch = "x86_64";
    c.vmm = "kvm-nested";
    EXPECT_EQ(nested_problem(c), "--vmm kvm-nested boots hvbench.elf (PVH) directly: no --boot");
    c.boot = BootPath::pvh;
    EXPECT_EQ(nested_problem(c), "");
}

TEST(Arm64Hosts, RunNamesTheNesting) {
    RunConfig c;
    EXPECT_EQ(nesting_note(c), "");  // x86_64 under QEMU: nothing nested
    c.arch = "aarch64";
    EXPECT_EQ(nesting_note(c), "");
    c.vmm = "xen";
    c.xen = "/c/xen-4.17-arm64";
    EXPECT_EQ(nesting_note(c).rfind("Xen/arm64 (/c/xen-4.17-arm64) with the kernel as its dom0, nested in QEMU TCG", 0),
              0u);
    c.vmm = "kvm-nested";
    c.dom0 = {"/c/vmlinuz", "/c/initrd.img"};
    EXPECT_NE(nesting_note(c).find("KVM/arm64: Debian's arm64 Linux (/c/vmlinuz) as KVM host"), std::string::npos);
    EXPECT_NE(nesting_note(c).find("nested in QEMU TCG"), std::string::npos);
    c.arch = "x86_64";
    EXPECT_NE(nesting_note(c).find("KVM/x86: Debian's amd64 Linux (/c/vmlinuz) as KVM host (kvm_amd)"),
              std::string::npos);
    EXPECT_NE(nesting_note(c).find("nested in QEMU TCG (-cpu max: SVM"), std::string::npos);
    c.vmm = "xen";
    EXPECT_EQ(nesting_note(c), "");  // x86 Xen names its nesting in its own notes
}

TEST(Arm64Hosts, RunCommandPerVm) {
    TempDir d;
    RunConfig c;
    c.arch = "aarch64";
    c.qemu = "qemu-system-aarch64";
    c.smp = 2;
    c.memory = "1024M";
    c.vmm = "xen";
    c.xen = "/c/xen";
    c.xen_args = {"console=dtuart", "dom0_max_vcpus=2"};
    VmPlan plan{3, "only=eoi,wfi", "max"};
    std::string err, image = d.write("img", "IMAGE");
    auto xen = nested_vm_command(c, image, d.path, plan, &err);
    ASSERT_TRUE(xen) << err;
    EXPECT_EQ(*xen, arm64_nested_command("qemu-system-aarch64", 2, "1024M",
                                         xen_arm64_boot_args("/c/xen", "console=dtuart dom0_max_vcpus=2", image,
                                                             "only=eoi,wfi")));
    // The KVM host: its own memory, the guest's in the QEMU command of the
    // per-VM initrd.
    c.vmm = "kvm-nested";
    c.memory = "128M";
    c.dom0 = {"/c/vmlinuz", d.write("initrd.img", "host")};
    auto kvm = nested_vm_command(c, image, d.path, plan, &err);
    ASSERT_TRUE(kvm) << err;
    const std::string initrd = d.path + "/vm3.initrd";
    EXPECT_EQ(*kvm, kvm_host_command("aarch64", "qemu-system-aarch64", 2, c.dom0, initrd));
    std::string a = slurp(initrd);
    EXPECT_NE(a.find(std::string("hvbench/qemu-args\0", 18)), std::string::npos);
    EXPECT_NE(a.find("\n-m\n128M\n"), std::string::npos);
    EXPECT_NE(a.find("\n-append\nonly=eoi,wfi\n"), std::string::npos);
    // x86_64: the same through its own machine and QEMU.
    c.arch = "x86_64";
    c.qemu = "qemu-system-x86_64";
    kvm = nested_vm_command(c, image, d.path, plan, &err);
    ASSERT_TRUE(kvm) << err;
    EXPECT_EQ(*kvm, kvm_host_command("x86_64", "qemu-system-x86_64", 2, c.dom0, initrd));
    a = slurp(initrd);
    EXPECT_NE(a.find("qemu-system-x86_64\n"), std::string::npos);
    EXPECT_NE(a.find("\n-accel\nkvm\n"), std::string::npos);
    c.dom0.initrd = d.path + "/none";
    EXPECT_FALSE(nested_vm_command(c, image, d.path, plan, &err));
    EXPECT_EQ(err, "cannot read " + d.path + "/none");
}

// The outer machine of each KVM host: EL2 (arm) or SVM (x86) emulated by
// TCG's -cpu max, the host's console on stdout.
TEST(Arm64Hosts, KvmHostCommand) {
    Dom0Image host{"/c/vmlinuz", "/c/initrd.img"};
    auto arm = kvm_host_command("aarch64", "qa", 2, host, "/s/vm1.initrd");
    EXPECT_EQ(arm, arm64_nested_command("qa", 2, kKvmHostMemory,
                                        {"-kernel", "/c/vmlinuz", "-initrd", "/s/vm1.initrd", "-append",
                                         "console=ttyAMA0 quiet"}));
    auto x86 = kvm_host_command("x86_64", "qx", 2, host, "/s/vm1.initrd");
    EXPECT_EQ(x86, (std::vector<std::string>{"qx", "-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", kKvmHostMemory,
                                             "-nodefaults", "-display", "none", "-serial", "stdio", "-monitor", "none",
                                             "-no-reboot", "-kernel", "/c/vmlinuz", "-initrd", "/s/vm1.initrd",
                                             "-append", "console=ttyS0 quiet"}));
}

// What the KVM host runs: tools/launch.h's command with -accel kvm -cpu
// host, the image where the initrd puts it; x86 boots with qboot, which the
// image carries at the host's path.
TEST(Arm64Hosts, KvmHostGuestCommand) {
    auto x86 = kvm_host_guest_command("x86_64", 2, "256M", "only=ipi");
    VmConfig cfg;
    cfg.arch = "x86_64";
    cfg.qemu = "qemu-system-x86_64";
    cfg.accel = "kvm";
    cfg.cpu = "host";
    cfg.smp = 2;
    cfg.memory = "256M";
    cfg.firmware = kQbootPath;
    cfg.image = "/hvbench/hvbench.img";
    cfg.cmdline = "only=ipi";
    auto expect = qemu_command(cfg);
    expect.push_back("-nodefaults");
    EXPECT_EQ(x86, expect);
    auto arm = kvm_host_guest_command("aarch64", 1, "128M", "");
    EXPECT_EQ(arm.front(), "qemu-system-aarch64");
    EXPECT_NE(std::find(arm.begin(), arm.end(), "virt,gic-version=host"), arm.end());
    EXPECT_EQ(std::find(arm.begin(), arm.end(), "-bios"), arm.end());
    EXPECT_EQ(std::find(arm.begin(), arm.end(), "-append"), arm.end());
}

TEST(Arm64Hosts, KvmHostInitrdCarriesTheGuestAndItsCommand) {
    TempDir d;
    std::string base = d.write("initrd.img", "host-initrd"), image = d.write("img", "IMAGE"), out = d.path + "/out";
    std::string err;
    const std::vector<std::string> command = {"qemu-system-aarch64", "-append", "only=eoi x=1"};
    ASSERT_TRUE(write_kvm_host_initrd(base, image, command, out, &err)) << err;
    std::string a = slurp(out);
    // The host's archive as it was, zeros to a 4-byte boundary (Linux looks
    // for the next archive there), then the newc archive.
    ASSERT_EQ(a.substr(0, 12), std::string("host-initrd\0", 12));
    EXPECT_EQ(a.substr(12, 6), "070701");
    auto file = [&](const std::string& name) {
        size_t at = a.find(name + '\0');
        if (at == std::string::npos) return std::string("<missing>");
        // The 110-byte header before the name; its c_filesize at 54, 8 hex digits.
        const size_t size = std::stoul(a.substr(at - 110 + 54, 8), nullptr, 16);
        size_t data = at + name.size() + 1;
        data += (4 - (data - 12) % 4) % 4;  // names padded from the archive's start
        return a.substr(data, size);
    };
    EXPECT_EQ(file("hvbench/hvbench.img"), "IMAGE");
    EXPECT_EQ(file("hvbench/qemu-args"), "qemu-system-aarch64\n-append\nonly=eoi x=1\n");
    EXPECT_FALSE(write_kvm_host_initrd(base, d.path + "/none", {}, out, &err));
    EXPECT_EQ(err, "cannot read " + d.path + "/none");
    // One argument a line: a line break in one cannot be carried.
    EXPECT_FALSE(write_kvm_host_initrd(base, image, {"-append", "a\nb"}, out, &err));
    EXPECT_NE(err.find("line break"), std::string::npos) << err;
}

TEST(Arm64Hosts, XenFetchedOnceThroughTheScript) {
    TempDir d;
    // A stand-in for scripts/debian-foreign.sh: unpacks a "package" into
    // DEST (its third argument) and counts its runs.
    std::string script = d.write("fetch.sh",
                                 "[ \"$1\" = arm64 ] && [ \"$4\" = xen-hypervisor-4.17-arm64 ] || exit 9\n"
                                 "echo run >> \"$2/runs\"\n"
                                 "mkdir -p \"$3/boot\" && echo X > \"$3/boot/xen-4.17-arm64\" &&"
                                 " echo C > \"$3/boot/xen-4.17-arm64.config\"\n");
    std::string err, cache = d.path + "/cache";
    fs::create_directories(cache);
    std::vector<std::string> said;
    auto say = [&](const std::string& s) { said.push_back(s); };
    auto xen = ensure_xen_arm64("", script, cache, say, &err);
    ASSERT_TRUE(xen) << err;
    EXPECT_EQ(*xen, cache + "/arm64/xen/boot/xen-4.17-arm64");
    EXPECT_FALSE(said.empty());
    ASSERT_TRUE(ensure_xen_arm64("", script, cache, say, &err));
    EXPECT_EQ(slurp(cache + "/runs"), "run\n");  // cached: fetched once
}

TEST(Arm64Hosts, XenFetchFailureSaysWhy) {
    TempDir d;
    std::string script = d.write("fetch.sh", "echo 'debian-foreign: no package xen for arm64' >&2; exit 1\n");
    std::string err;
    EXPECT_FALSE(ensure_xen_arm64("", script, d.path, nullptr, &err));
    EXPECT_EQ(err, "cannot fetch xen-hypervisor-4.17-arm64 with " + script +
                       " (exit status 1: debian-foreign: no package xen for arm64)");
    EXPECT_FALSE(ensure_xen_arm64("/nonexistent/xen", script, d.path, nullptr, &err));
    EXPECT_EQ(err, "Xen image /nonexistent/xen not found");
}

TEST(Arm64Hosts, KvmHostBuiltOnceAndAgainWhenTheScriptChanges) {
    TempDir d;
    // A stand-in for scripts/kvm-host-image.sh ARCH CACHE.
    std::string body = "mkdir -p \"$2/$1/kvm-host\" && echo K > \"$2/$1/kvm-host/vmlinuz\" &&"
                       " echo I > \"$2/$1/kvm-host/initrd.img\" && echo $1 >> \"$2/builds\"\n";
    std::string script = d.write("build.sh", body), err;
    auto host = ensure_kvm_host(script, "aarch64", d.path, nullptr, &err);
    ASSERT_TRUE(host) << err;
    EXPECT_EQ(host->kernel, d.path + "/arm64/kvm-host/vmlinuz");
    EXPECT_EQ(host->initrd, d.path + "/arm64/kvm-host/initrd.img");
    ASSERT_TRUE(ensure_kvm_host(script, "aarch64", d.path, nullptr, &err));
    EXPECT_EQ(slurp(d.path + "/builds"), "arm64\n");
    host = ensure_kvm_host(script, "x86_64", d.path, nullptr, &err);
    ASSERT_TRUE(host) << err;
    EXPECT_EQ(host->kernel, d.path + "/amd64/kvm-host/vmlinuz");
    EXPECT_EQ(slurp(d.path + "/builds"), "arm64\namd64\n");
    d.write("build.sh", "# changed\n" + body);
    ASSERT_TRUE(ensure_kvm_host(script, "aarch64", d.path, nullptr, &err));
    EXPECT_EQ(slurp(d.path + "/builds"), "arm64\namd64\narm64\n");
}

}  // namespace
