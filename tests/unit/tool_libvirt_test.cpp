// tests/unit/tool_libvirt_test.cpp — --vmm libvirt's plain parts: the domain
// XML (tools/libvirt_domain.h), the URI rules, and the per-host command
// lines of several --connect (tools/run_hosts.h).
#include <gtest/gtest.h>

#include "tools/libvirt_domain.h"
#include "tools/run_config.h"
#include "tools/run_hosts.h"

namespace hvb::tools {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

LibvirtDomainSpec spec() {
    LibvirtDomainSpec d;
    d.name = "hvbench-1-2";
    d.type = "kvm";
    d.kernel = "/k/hvbench.elf";
    d.cmdline = "only=cpuid skip=a&b";
    d.cpu_model = "host,-arch-capabilities";
    d.firmware = "/usr/share/qemu/qboot.rom";
    d.memory = "1G";
    d.vcpus = 2;
    d.pin_cpus = {3, 5};
    return d;
}

TEST(ToolLibvirt, DomainXmlForQemu) {
    std::string x = libvirt_domain_xml(spec());
    EXPECT_TRUE(has(x, "<domain type='kvm' xmlns:qemu="));
    EXPECT_TRUE(has(x, "<name>hvbench-1-2</name>"));
    EXPECT_TRUE(has(x, "<memory unit='MiB'>1024</memory>"));
    EXPECT_TRUE(has(x, "<vcpu placement='static'>2</vcpu>"));
    EXPECT_TRUE(has(x, "<vcpupin vcpu='0' cpuset='3'/>"));
    EXPECT_TRUE(has(x, "<vcpupin vcpu='1' cpuset='5'/>"));
    EXPECT_TRUE(has(x, "<kernel>/k/hvbench.elf</kernel>"));
    EXPECT_TRUE(has(x, "<cmdline>only=cpuid skip=a&amp;b</cmdline>"));  // escaped
    EXPECT_TRUE(has(x, "<loader type='rom'>/usr/share/qemu/qboot.rom</loader>"));
    EXPECT_TRUE(has(x, "<cpu mode='host-passthrough'>"));
    EXPECT_TRUE(has(x, "<feature policy='disable' name='arch-capabilities'/>"));
    EXPECT_TRUE(has(x, "isa-debug-exit,iobase=0xf4,iosize=0x04"));
    EXPECT_TRUE(has(x, "<serial type='pty'>"));
    EXPECT_TRUE(has(x, "<on_crash>destroy</on_crash>"));
}

TEST(ToolLibvirt, CpuModels) {
    LibvirtDomainSpec d = spec();
    d.cpu_model = "max";
    EXPECT_TRUE(has(libvirt_domain_xml(d), "<cpu mode='maximum'/>"));
    d.cpu_model = "Skylake-Server,+x2apic";
    std::string x = libvirt_domain_xml(d);
    EXPECT_TRUE(has(x, "<model fallback='forbid'>Skylake-Server</model>"));
    EXPECT_TRUE(has(x, "<feature policy='require' name='x2apic'/>"));
    d.cpu_model = "";
    EXPECT_FALSE(has(libvirt_domain_xml(d), "<cpu mode"));
    d.pin_cpus.clear();
    EXPECT_FALSE(has(libvirt_domain_xml(d), "<cputune>"));
}

TEST(ToolLibvirt, DomainXmlForXenIsPvh) {
    LibvirtDomainSpec d = spec();
    d.type = "xen";
    std::string x = libvirt_domain_xml(d);
    EXPECT_TRUE(has(x, "<type arch='x86_64' machine='xenpvh'>xenpvh</type>"));
    EXPECT_TRUE(has(x, "<target type='xen' port='0'/>"));
    EXPECT_FALSE(has(x, "qemu:"));
    EXPECT_FALSE(has(x, "<loader"));
    EXPECT_FALSE(has(x, "<cpu mode"));
    EXPECT_TRUE(has(x, "<cputune>"));  // pinning holds under libxl too
}

TEST(ToolLibvirt, MemoryMib) {
    EXPECT_EQ(memory_mib("256M"), 256u);
    EXPECT_EQ(memory_mib("2G"), 2048u);
    EXPECT_EQ(memory_mib("512"), 512u);
    EXPECT_EQ(memory_mib("12k"), 0u);
    EXPECT_EQ(memory_mib(""), 0u);
    EXPECT_EQ(memory_mib("M"), 0u);
}

TEST(ToolLibvirt, Uris) {
    EXPECT_FALSE(libvirt_uri_is_remote("qemu:///system"));
    EXPECT_FALSE(libvirt_uri_is_remote("qemu:///system?socket=/tmp/s/libvirt-sock"));
    EXPECT_FALSE(libvirt_uri_is_remote("xen:///system"));
    EXPECT_FALSE(libvirt_uri_is_remote(""));
    EXPECT_TRUE(libvirt_uri_is_remote("qemu+tcp://127.0.0.1/system"));
    EXPECT_TRUE(libvirt_uri_is_remote("qemu+ssh://root@host/system"));
    EXPECT_TRUE(libvirt_uri_is_remote("qemu://host/system"));
    EXPECT_EQ(libvirt_host_label("qemu:///system"), "qemu@local");
    EXPECT_EQ(libvirt_host_label("qemu+ssh://root@h1.example/system"), "qemu@h1.example");
    EXPECT_EQ(libvirt_host_label("qemu+tcp://127.0.0.1:16509/system"), "qemu@127.0.0.1_16509");
    EXPECT_EQ(libvirt_host_label("xen:///system"), "xen@local");
    EXPECT_EQ(path_for_host("out.json", "qemu@a"), "out.qemu@a.json");
    EXPECT_EQ(path_for_host("d.x/out", "b"), "d.x/out.b");
}

TEST(ToolLibvirt, HostsAndTheirCommandLines) {
    RunConfig cfg;
    cfg.connect = {"qemu:///system", "qemu+tcp://h/system", "qemu+ssh://root@h/system"};
    cfg.json = "r.json";
    cfg.csv = "r.csv";
    auto hosts = plan_hosts(cfg, "/tmp/x");
    ASSERT_EQ(hosts.size(), 3u);
    EXPECT_EQ(hosts[0].label, "qemu@local");
    EXPECT_EQ(hosts[1].label, "qemu@h");
    EXPECT_EQ(hosts[2].label, "qemu@h-2");  // made unique
    EXPECT_EQ(hosts[1].json, "r.qemu@h.json");
    EXPECT_EQ(hosts[2].csv, "r.qemu@h-2.csv");
    std::vector<std::string> argv = {"hvbench", "run", "--vmm", "libvirt", "--connect", "a", "--connect=b",
                                     "--json", "r.json", "--csv=r.csv", "--parallel-hosts", "--only", "cpuid"};
    std::vector<std::string> want = {"hvbench", "run", "--vmm", "libvirt", "--only", "cpuid", "--connect",
                                     "qemu+tcp://h/system", "--label", "qemu@h", "--json", "r.qemu@h.json",
                                     "--csv", "r.qemu@h.csv"};
    EXPECT_EQ(host_argv(argv, hosts[1]), want);
    cfg.json.clear();
    EXPECT_EQ(plan_hosts(cfg, "/tmp/x")[0].json, "/tmp/x/qemu@local.json");
}

TEST(ToolLibvirt, RunOptions) {
    auto parse = [](std::vector<const char*> words, std::string* err) {
        words.insert(words.begin(), {"hvbench", "run"});
        Args args(int(words.size()), const_cast<char**>(words.data()), 2);
        return parse_run_args(args, err);
    };
    std::string err;
    auto cfg = parse({"--vmm", "libvirt", "--connect", "a", "--connect", "b", "--parallel-hosts"}, &err);
    ASSERT_TRUE(cfg) << err;
    EXPECT_EQ(cfg->connect.size(), 2u);
    EXPECT_TRUE(cfg->parallel_hosts);
    EXPECT_FALSE(parse({"--connect", "a"}, &err));
    EXPECT_EQ(err, "--connect needs --vmm libvirt");
    EXPECT_FALSE(parse({"--vmm", "libvirt", "--connect", "a", "--parallel-hosts"}, &err));
    EXPECT_FALSE(parse({"--vmm", "libvirt", "--boot", "mb1"}, &err));
    EXPECT_FALSE(parse({"--vmm", "libvirt", "--pin", "--connect", "a", "--connect", "b"}, &err));
}

}  // namespace
}  // namespace hvb::tools
