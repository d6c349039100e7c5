// tests/unit/xen_test.cpp — running under Xen: the E820 buffer of
// XENMEM_memory_map (posih/xen.h), the console route choice, Xen's console
// lines read back (tools/xen.h) and the QEMU module argument.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "arch/x86_64/boot/xen_facts.h"
#include "tools/launch.h"
#include "tools/xen.h"

namespace {

using hvb::BootInfo;
using hvb::MemType;

void put_entry(std::vector<uint8_t>& buf, uint64_t addr, uint64_t size, uint32_t type) {
    uint8_t e[20];
    std::memcpy(e, &addr, 8);
    std::memcpy(e + 8, &size, 8);
    std::memcpy(e + 16, &type, 4);
    buf.insert(buf.end(), e, e + 20);
}

std::unique_ptr<BootInfo> fresh() {
    auto b = std::make_unique<BootInfo>();
    std::memset(b.get(), 0, sizeof *b);
    return b;
}

TEST(XenE820, EntriesArePacked20Bytes) {
    std::vector<uint8_t> buf;
    put_entry(buf, 0, 0x9f000, 1);
    put_entry(buf, 0x9f000, 0x1000, 2);
    put_entry(buf, 0x100000, 0xff00000, 1);
    put_entry(buf, 0xfee00000, 0x1000, 7);  // unknown type: reserved
    put_entry(buf, 0x10000000, 0x20000, 3);
    put_entry(buf, 0x10020000, 0x1000, 4);
    auto b = fresh();
    char why[96] = "";
    ASSERT_TRUE(hvb::add_xen_e820(buf.data(), buf.size(), 6, *b, why, sizeof why)) << why;
    ASSERT_EQ(b->region_count, 6u);
    EXPECT_EQ(b->regions[1].base, 0x9f000u);
    EXPECT_EQ(b->regions[1].type, MemType::reserved);
    EXPECT_EQ(b->regions[2].base, 0x100000u);
    EXPECT_EQ(b->regions[2].length, 0xff00000u);
    EXPECT_EQ(b->regions[2].type, MemType::usable);
    EXPECT_EQ(b->regions[3].type, MemType::reserved);
    EXPECT_EQ(b->regions[4].type, MemType::firmware_reclaimable);
    EXPECT_EQ(b->regions[5].type, MemType::firmware_nvs);
    EXPECT_EQ(b->usable_bytes(), 0x9f000u + 0xff00000u);
}

TEST(XenE820, FewerEntriesThanTheBufferHolds) {
    std::vector<uint8_t> buf;
    put_entry(buf, 0x100000, 0x100000, 1);
    put_entry(buf, 0x200000, 0x100000, 1);
    auto b = fresh();
    char why[96] = "";
    ASSERT_TRUE(hvb::add_xen_e820(buf.data(), buf.size(), 1, *b, why, sizeof why));
    EXPECT_EQ(b->region_count, 1u);
    // Zero entries: nothing added, not an error.
    ASSERT_TRUE(hvb::add_xen_e820(buf.data(), buf.size(), 0, *b, why, sizeof why));
    EXPECT_EQ(b->region_count, 1u);
}

TEST(XenE820, CountBeyondTheBufferIsAnError) {
    std::vector<uint8_t> buf;
    put_entry(buf, 0x100000, 0x100000, 1);
    auto b = fresh();
    char why[96] = "";
    EXPECT_FALSE(hvb::add_xen_e820(buf.data(), buf.size(), 2, *b, why, sizeof why));
    EXPECT_STREQ(why, "XENMEM_memory_map: 2 entries do not fit the 20-byte buffer");
    EXPECT_EQ(b->region_count, 0u);
    // A partial trailing entry does not count.
    buf.resize(39);
    EXPECT_FALSE(hvb::add_xen_e820(buf.data(), buf.size(), 2, *b, why, sizeof why));
}

TEST(XenE820, ZeroLengthDroppedAndTruncationFlagged) {
    std::vector<uint8_t> buf;
    put_entry(buf, 0x1000, 0, 1);
    for (size_t i = 0; i < BootInfo::kMaxRegions + 3; ++i) put_entry(buf, 0x100000 * (i + 1), 0x1000, 1);
    auto b = fresh();
    char why[96] = "";
    ASSERT_TRUE(hvb::add_xen_e820(buf.data(), buf.size(), uint32_t(buf.size() / 20), *b, why, sizeof why));
    EXPECT_EQ(b->region_count, BootInfo::kMaxRegions);
    EXPECT_EQ(b->regions[0].base, 0x100000u);
    EXPECT_TRUE(b->regions_truncated);
}

TEST(XenConsoleRoute, Choice) {
    using hvb::ConsoleRoute;
    using F = hvb::ConsoleFacts;
    // Bare metal, QEMU, KVM: the UART, else the screen.
    EXPECT_EQ(hvb::choose_console_route(F{true, false, false, false}), ConsoleRoute::uart);
    EXPECT_EQ(hvb::choose_console_route(F{false, false, false, false}), ConsoleRoute::screen);
    // dom0: CONSOLEIO_write, even if something answers on COM1 (Xen's).
    EXPECT_EQ(hvb::choose_console_route(F{false, true, true, false}), ConsoleRoute::xen_consoleio);
    EXPECT_EQ(hvb::choose_console_route(F{true, true, true, false}), ConsoleRoute::xen_consoleio);
    // domU: its own UART if it has one, else the PV ring, else port 0xE9.
    EXPECT_EQ(hvb::choose_console_route(F{true, true, false, true}), ConsoleRoute::uart);
    EXPECT_EQ(hvb::choose_console_route(F{false, true, false, true}), ConsoleRoute::xen_ring);
    EXPECT_EQ(hvb::choose_console_route(F{false, true, false, false}), ConsoleRoute::port_e9);
    EXPECT_STREQ(hvb::console_route_name(ConsoleRoute::xen_consoleio), "xen-consoleio");
    EXPECT_STREQ(hvb::console_route_name(ConsoleRoute::port_e9), "port-e9");
}

TEST(XenLog, StripsPrefixes) {
    std::string dom;
    EXPECT_EQ(hvb::tools::strip_xen_prefixes("(XEN) HVM: SVM enabled", &dom), "HVM: SVM enabled");
    EXPECT_EQ(dom, "");
    EXPECT_EQ(hvb::tools::strip_xen_prefixes("(XEN) [    1.050123] Brought up 2 CPUs", &dom), "Brought up 2 CPUs");
    EXPECT_EQ(hvb::tools::strip_xen_prefixes("(d0) @hvb {\"type\":\"end\"}", &dom), "@hvb {\"type\":\"end\"}");
    EXPECT_EQ(dom, "d0");
    EXPECT_EQ(hvb::tools::strip_xen_prefixes("(d12) [2026-12-04 16:00:01] hello", &dom), "hello");
    EXPECT_EQ(dom, "d12");
    EXPECT_EQ(hvb::tools::strip_xen_prefixes("(XEN) (d1) text", &dom), "text");
    EXPECT_EQ(dom, "d1");
    // dom0's CONSOLEIO_write bytes come as written.
    EXPECT_EQ(hvb::tools::strip_xen_prefixes("@hvb {\"type\":\"begin\"}", &dom), "@hvb {\"type\":\"begin\"}");
    EXPECT_EQ(dom, "");
    // Not a domain prefix, not a timestamp: left alone.
    EXPECT_EQ(hvb::tools::strip_xen_prefixes("(dx) y", &dom), "(dx) y");
    EXPECT_EQ(hvb::tools::strip_xen_prefixes("(d1)x", &dom), "(d1)x");
    EXPECT_EQ(hvb::tools::strip_xen_prefixes("(XEN) [not a time] x", &dom), "[not a time] x");
}

TEST(XenLog, JoinsLinesCutAt199) {
    std::string record = "@hvb {\"type\":\"result\",\"name\":\"" + std::string(400, 'x') + "\"}";
    std::string wire;
    for (size_t at = 0; at < record.size(); at += hvb::kXenLogLineMax)
        wire += "(d1) [ 3.5] " + record.substr(at, hvb::kXenLogLineMax) + "\n";
    wire += "(XEN) something else\r\n";
    hvb::tools::XenLogFilter f;
    // Fed a byte at a time, as a pipe may deliver it.
    std::string out;
    for (char c : wire) out += f.feed(std::string_view(&c, 1));
    out += f.finish();
    EXPECT_EQ(out, record + "\nsomething else\n");
}

TEST(XenLog, CutPiecesOfTwoDomainsDoNotMix) {
    std::string a(hvb::kXenLogLineMax, 'a'), b(hvb::kXenLogLineMax, 'b');
    hvb::tools::XenLogFilter f;
    std::string out = f.feed("(d1) " + a + "\n(d2) " + b + "\n(XEN) x\n(d2) B\n(d1) A\n");
    EXPECT_EQ(out, "x\n" + b + "B\n" + a + "A\n");
    // A kernel line of exactly 199 characters is sent with a trailing space
    // (posih/xen.h), so a real end arrives as a 200-character piece.
    out = f.feed("(d1) " + a + "\n(d1)  \n(d1) next\n");
    EXPECT_EQ(out, a + " \nnext\n");
    // What is left at the end is given back, cut or not.
    out = f.feed("(d3) " + a + "\ntail without newline");
    EXPECT_EQ(out, "");
    EXPECT_EQ(f.finish(), "tail without newline\n" + a + "\n");
}

TEST(XenLaunch, ModuleCommasDoubled) {
    EXPECT_EQ(hvb::tools::multiboot_module("build/hvbench.elf", "only=idle,cpuid skip=a,b"),
              "build/hvbench.elf only=idle,,cpuid skip=a,,b");
    EXPECT_EQ(hvb::tools::multiboot_module("/x,y/h.elf", ""), "/x,,y/h.elf");
}

TEST(XenLaunch, QemuCommandBootsXenWithTheKernelAsModule) {
    hvb::tools::VmConfig cfg;
    cfg.image = "/b/hvbench.elf";
    cfg.cmdline = "only=idle,cpuid";
    cfg.xen = "/c/xen-4.17.elf";
    cfg.xen_cmdline = "dom0=pvh dom0-iommu=none";
    cfg.memory = "1024M";
    cfg.smp = 2;
    auto a = hvb::tools::qemu_command(cfg);
    auto at = [&](const std::string& flag) {
        for (size_t i = 0; i + 1 < a.size(); ++i)
            if (a[i] == flag) return a[i + 1];
        return std::string("<none>");
    };
    EXPECT_EQ(at("-kernel"), "/c/xen-4.17.elf");
    EXPECT_EQ(at("-append"), "dom0=pvh dom0-iommu=none");
    EXPECT_EQ(at("-initrd"), "/b/hvbench.elf only=idle,,cpuid");
    EXPECT_EQ(at("-m"), "1024M");
    EXPECT_EQ(at("-bios"), "<none>");
}

TEST(XenLaunch, DefaultArgs) {
    auto a = hvb::tools::default_xen_args(false);
    auto has = [&](const std::string& w) { return std::find(a.begin(), a.end(), w) != a.end(); };
    EXPECT_TRUE(has("dom0=pvh"));
    EXPECT_TRUE(has("dom0-iommu=none"));
    EXPECT_TRUE(has("dom0_mem=256M,max:256M"));
    EXPECT_TRUE(has("console=com1"));
    EXPECT_FALSE(has("noreboot"));  // a dom0 crash must end QEMU (-no-reboot), not hang it
}

TEST(XenLaunch, PvDom0Args) {
    auto a = hvb::tools::default_xen_args(true);
    auto has = [&](const std::string& w) { return std::find(a.begin(), a.end(), w) != a.end(); };
    EXPECT_TRUE(has("smap=0"));
    EXPECT_TRUE(has("smep=0"));
    EXPECT_FALSE(has("dom0=pvh"));
    EXPECT_TRUE(has("console=com1"));
}

TEST(XenLaunch, NewcArchive) {
    std::string a = hvb::tools::newc_archive({{"hvbench/", ""}, {"hvbench/cmdline", "only=idle\n"}});
    // Every header is 110 bytes of "070701" and 13 hex fields; names and data
    // are padded to 4 bytes; the archive ends with TRAILER!!!.
    ASSERT_EQ(a.substr(0, 6), "070701");
    EXPECT_EQ(a.size() % 4, 0u);
    // Directory: mode 040755, no data, name "hvbench" (8 bytes with NUL).
    EXPECT_EQ(a.substr(14, 8), "000041ED");
    EXPECT_EQ(a.substr(94, 8), "00000008");
    EXPECT_EQ(a.substr(110, 8), std::string("hvbench\0", 8));
    // File: after 110 + 8 bytes; size 10, name "hvbench/cmdline" + NUL = 16.
    std::string f = a.substr(120);
    ASSERT_EQ(f.substr(0, 6), "070701");
    EXPECT_EQ(f.substr(14, 8), "000081A4");
    EXPECT_EQ(f.substr(54, 8), "0000000A");
    EXPECT_EQ(f.substr(94, 8), "00000010");
    EXPECT_EQ(f.substr(110, 16), std::string("hvbench/cmdline\0", 16));
    EXPECT_EQ(f.substr(128, 10), "only=idle\n");  // name padded to 128
    EXPECT_NE(a.find("TRAILER!!!"), std::string::npos);
}

// The per-VM initrds: the dom0's initrd as it was, then /hvbench/ with the
// image under the name the dom0's /init looks for and the guest type.
std::string domu_initrd(bool hvm) {
    char dir[] = "/tmp/hvb-xen-test.XXXXXX";
    if (!mkdtemp(dir)) return "";
    std::string base = std::string(dir) + "/initrd", image = std::string(dir) + "/image", out = std::string(dir) + "/out";
    std::ofstream(base, std::ios::binary) << "dom0-initrd";  // 11 bytes: padded to 12
    std::ofstream(image, std::ios::binary) << "IMAGE";
    std::string err;
    bool ok = hvm ? hvb::tools::write_hvm_domu_initrd(base, image, "only=idle", 2, 256, out, &err)
                  : hvb::tools::write_domu_initrd(base, image, "only=idle", 2, 256, out, &err);
    std::ifstream f(out, std::ios::binary);
    std::string got((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (const auto& p : {out, image, base}) unlink(p.c_str());
    rmdir(dir);
    return ok ? got : "error: " + err;
}

TEST(XenLaunch, DomuInitrds) {
    for (bool hvm : {false, true}) {
        std::string a = domu_initrd(hvm);
        ASSERT_EQ(a.substr(0, 12), std::string("dom0-initrd\0", 12));
        EXPECT_EQ(a.substr(12, 6), "070701");
        std::string name = hvm ? "hvbench/hvbench.iso" : "hvbench/hvbench.elf";
        EXPECT_NE(a.find(name + '\0'), std::string::npos) << name;
        EXPECT_NE(a.find("IMAGE"), std::string::npos);
        size_t type = a.find(std::string("hvbench/type") + '\0');
        ASSERT_NE(type, std::string::npos);
        EXPECT_EQ(a.substr(type + 14, 4), hvm ? "hvm\n" : "pvh\n");  // 110-byte header + 13-byte name, padded to 4
        EXPECT_NE(a.find("only=idle\n"), std::string::npos);
        // The domain's xl.cfg, from tools/xl.h (the one --vmm xl writes).
        EXPECT_NE(a.find(std::string("hvbench/hvbench.cfg") + '\0'), std::string::npos);
        EXPECT_NE(a.find(hvm ? "disk = [ \"file:/hvbench/hvbench.iso,hdc:cdrom,r\" ]"
                             : "kernel = \"/hvbench/hvbench.elf\"\ncmdline = \"only=idle\"\n"),
                  std::string::npos);
    }
}

TEST(XenLaunch, GivenImageMissingIsAClearError) {
    std::string err;
    auto r = hvb::tools::ensure_xen("/nonexistent/xen.elf", "/tmp", nullptr, &err);
    EXPECT_FALSE(r);
    EXPECT_EQ(err, "Xen image /nonexistent/xen.elf not found");
}

}  // namespace

namespace {

// Random input (under the sanitizers): the parsers never read out of bounds
// and keep their promises whatever Xen or the wire hands them.
TEST(XenFuzz, E820RandomBuffersAndCounts) {
    std::mt19937 rng(11);
    for (int round = 0; round < 2000; ++round) {
        std::vector<uint8_t> buf(rng() % 200);
        for (auto& b : buf) b = uint8_t(rng());
        uint32_t entries = rng() % 16;
        auto b = fresh();
        char why[96] = "";
        bool ok = hvb::add_xen_e820(buf.data(), buf.size(), entries, *b, why, sizeof why);
        EXPECT_EQ(ok, entries <= buf.size() / 20);
        EXPECT_LE(b->region_count, size_t(entries));
        for (size_t i = 0; i < b->region_count; ++i) EXPECT_NE(b->regions[i].length, 0u);
    }
}

TEST(XenFuzz, LogFilterRandomBytes) {
    std::mt19937 rng(12);
    const std::string alphabet = "(XEN) (d0) (d12) [1.5] @hvb {}\r\n\n\nx";
    for (int round = 0; round < 500; ++round) {
        std::string in;
        size_t n = rng() % 2000;
        for (size_t i = 0; i < n; ++i) in += rng() % 4 ? alphabet[rng() % alphabet.size()] : char(rng());
        hvb::tools::XenLogFilter f;
        std::string out;
        for (size_t at = 0; at < in.size();) {
            size_t len = 1 + rng() % 64;
            out += f.feed(std::string_view(in).substr(at, len));
            at += len;
        }
        out += f.finish();
        // Only prefixes, timestamps and "\r" are taken away; the rest is kept.
        EXPECT_LE(out.size(), in.size() + 1 + in.size() / 100);
        EXPECT_TRUE(out.empty() || out.back() == '\n');
    }
}

}  // namespace
