// tests/unit/aarch64/dtb_test.cpp — the aarch64 DTB reader (arch/aarch64/dtb.h) on
// QEMU virt's own trees and a hand-made one (tests/unit/aarch64/dtb/*.dts, compiled
// by dtc at build time into HVB_TEST_DTB_DIR), and on broken blobs.
#include "arch/aarch64/dtb.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using hvb::DtbInfo;
using hvb::PsciConduit;

std::vector<uint8_t> load(const std::string& name) {
    std::ifstream in(std::string(HVB_TEST_DTB_DIR) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    b[at] = v >> 24;
    b[at + 1] = v >> 16;
    b[at + 2] = v >> 8;
    b[at + 3] = v;
}
uint32_t get32(const std::vector<uint8_t>& b, size_t at) {
    return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}

bool parse(const std::vector<uint8_t>& b, DtbInfo& info, std::string* error = nullptr) {
    const char* why = nullptr;
    const bool ok = hvb::parse_dtb(b.data(), b.size(), info, &why);
    EXPECT_NE(why, nullptr);
    if (error != nullptr) *error = why;
    return ok;
}

TEST(Dtb, QemuVirtGicV2) {
    const auto blob = load("qemu-virt-gicv2-smp2.dtb");
    DtbInfo d;
    ASSERT_TRUE(parse(blob, d));
    EXPECT_EQ(hvb::dtb_total_size(blob.data()), blob.size());
    ASSERT_EQ(d.memory_count, 1u);
    EXPECT_EQ(d.memory[0].base, 0x40000000u);
    EXPECT_EQ(d.memory[0].size, 0x10000000u);
    ASSERT_EQ(d.cpu_count, 2u);
    EXPECT_EQ(d.cpu_ids[0], 0u);
    EXPECT_EQ(d.cpu_ids[1], 1u);
    EXPECT_EQ(d.psci, PsciConduit::hvc);
    EXPECT_EQ(d.psci_cpu_on, 0xC4000003u);
    EXPECT_EQ(d.gic_version, 2);
    EXPECT_EQ(d.gic_dist.base, 0x08000000u);
    EXPECT_EQ(d.gic_cpu.base, 0x08010000u);
    EXPECT_TRUE(d.uart_is_pl011);
    EXPECT_EQ(d.uart.base, 0x09000000u);
    EXPECT_EQ(d.virtio_count, 32u);
    EXPECT_EQ(d.virtio[0].base & 0xff000000u, 0x0a000000u);
    EXPECT_FALSE(d.has_hypervisor);
    EXPECT_STREQ(d.bootargs, "");
    EXPECT_EQ(d.timer_virt_ppi, 27u);
}

TEST(Dtb, QemuVirtGicV3AtEl2) {
    const auto blob = load("qemu-virt-gicv3-el2-smp4.dtb");
    DtbInfo d;
    ASSERT_TRUE(parse(blob, d));
    EXPECT_EQ(d.memory[0].size, 0x20000000u);
    ASSERT_EQ(d.cpu_count, 4u);
    EXPECT_EQ(d.cpu_ids[3], 3u);
    EXPECT_EQ(d.psci, PsciConduit::smc);  // virtualization=on: firmware behind SMC
    EXPECT_EQ(d.gic_version, 3);
    EXPECT_EQ(d.gic_dist.base, 0x08000000u);
    EXPECT_EQ(d.gic_redist.base, 0x080a0000u);
    EXPECT_EQ(d.gic_redist.size, 0x00f60000u);
    EXPECT_EQ(d.uart.base, 0x09000000u);
    EXPECT_STREQ(d.bootargs, "only=hypercall x=1");
}

TEST(Dtb, AliasesXenPsci01) {
    const auto blob = load("xen-aliases-psci01.dtb");
    DtbInfo d;
    ASSERT_TRUE(parse(blob, d));
    ASSERT_EQ(d.memory_count, 2u);  // one node, two ranges
    EXPECT_EQ(d.memory[1].base, 0xa0000000u);
    EXPECT_EQ(d.memory[1].size, 0x10000000u);
    ASSERT_EQ(d.cpu_count, 2u);  // the disabled one left out
    EXPECT_EQ(d.cpu_ids[1], 0x100u);
    EXPECT_EQ(d.psci, PsciConduit::hvc);
    EXPECT_EQ(d.psci_cpu_on, 0x84000012u);  // PSCI 0.1: the tree's own ID
    EXPECT_EQ(d.gic_version, 2);
    EXPECT_EQ(d.gic_cpu.base, 0x2c002000u);
    EXPECT_EQ(d.uart.base, 0x1c090000u);  // serial0, not the first PL011
    EXPECT_TRUE(d.uart_is_pl011);
    EXPECT_EQ(d.virtio_count, 1u);  // the disabled one left out
    EXPECT_TRUE(d.has_hypervisor);
    EXPECT_STREQ(d.hypervisor_compatible, "xen,xen-4.17");
    EXPECT_STREQ(d.bootargs, "only=hypercall,ipi verbose=1");
    EXPECT_EQ(d.timer_virt_ppi, 28u);  // PPI 12
}

TEST(Dtb, RefusesWhatIsNoTree) {
    DtbInfo d;
    std::string why;
    std::vector<uint8_t> junk(64, 0xab);
    EXPECT_FALSE(parse(junk, d, &why));
    EXPECT_NE(why.find("magic"), std::string::npos) << why;
    EXPECT_EQ(hvb::dtb_total_size(junk.data()), 0u);
    std::vector<uint8_t> tiny(8, 0);
    EXPECT_FALSE(parse(tiny, d, &why));
    EXPECT_NE(why.find("header"), std::string::npos) << why;
}

TEST(Dtb, RefusesBlocksOutsideTheBlob) {
    const auto good = load("xen-aliases-psci01.dtb");
    DtbInfo d;
    std::string why;
    auto b = good;
    put32(b, 4, static_cast<uint32_t>(b.size() + 1));  // totalsize beyond what we have
    EXPECT_FALSE(parse(b, d, &why));
    EXPECT_NE(why.find("totalsize"), std::string::npos) << why;
    b = good;
    put32(b, 36, static_cast<uint32_t>(b.size()));  // structure block running past the blob's end
    EXPECT_FALSE(parse(b, d, &why));
    EXPECT_NE(why.find("structure block"), std::string::npos) << why;
    b = good;
    put32(b, 32, get32(b, 32) + 4096);  // strings block likewise
    EXPECT_FALSE(parse(b, d, &why));
    EXPECT_NE(why.find("strings block"), std::string::npos) << why;
}

TEST(Dtb, RefusesBrokenStructure) {
    const auto good = load("xen-aliases-psci01.dtb");
    const uint32_t off = get32(good, 8), size = get32(good, 36);
    DtbInfo d;
    std::string why;
    // An unknown token where the root node begins.
    auto b = good;
    put32(b, off, 7);
    EXPECT_FALSE(parse(b, d, &why));
    EXPECT_NE(why.find("unknown token"), std::string::npos) << why;
    // The end token replaced by a NOP: the walk runs off the block.
    b = good;
    put32(b, off + size - 4, 4);
    EXPECT_FALSE(parse(b, d, &why));
    EXPECT_NE(why.find("no end token"), std::string::npos) << why;
    // The first property's length made huge.
    b = good;
    const uint32_t root_prop = off + 8;  // BEGIN_NODE, "" padded to 4, then PROP
    ASSERT_EQ(get32(b, root_prop), 3u);
    put32(b, root_prop + 4, 0x7fffffff);
    EXPECT_FALSE(parse(b, d, &why));
    EXPECT_NE(why.find("property value"), std::string::npos) << why;
    // Its name offset outside the strings block.
    b = good;
    put32(b, root_prop + 8, 0x7fffffff);
    EXPECT_FALSE(parse(b, d, &why));
    EXPECT_NE(why.find("strings block"), std::string::npos) << why;
}

TEST(Dtb, RefusesDeepNesting) {
    // Header, then 20 nested BEGIN_NODE "a" and their ENDs: deeper than the reader keeps.
    std::vector<uint8_t> b(40, 0);
    std::vector<uint8_t> st;
    auto push = [&](uint32_t v) {
        st.resize(st.size() + 4);
        put32(st, st.size() - 4, v);
    };
    for (int i = 0; i < 20; ++i) push(1), push(0x61000000);
    for (int i = 0; i < 20; ++i) push(2);
    push(9);
    b.insert(b.end(), st.begin(), st.end());
    put32(b, 0, 0xd00dfeed);
    put32(b, 4, static_cast<uint32_t>(b.size()));
    put32(b, 8, 40);
    put32(b, 12, static_cast<uint32_t>(b.size()));
    put32(b, 20, 17);
    put32(b, 24, 16);
    put32(b, 32, 0);
    put32(b, 36, static_cast<uint32_t>(st.size()));
    DtbInfo d;
    std::string why;
    EXPECT_FALSE(parse(b, d, &why));
    EXPECT_NE(why.find("too deep"), std::string::npos) << why;
}

TEST(Dtb, EveryTruncationIsRefusedOrParsedWithinBounds) {
    // Each prefix of a real tree, with totalsize claiming the whole: refused
    // (the header says more than there is); with totalsize patched to the
    // prefix: never a read outside (AddressSanitizer watches the copy).
    const auto good = load("qemu-virt-gicv2-smp2.dtb");
    for (size_t n = 0; n < good.size(); n += 7) {
        std::vector<uint8_t> b(good.begin(), good.begin() + n);
        DtbInfo d;
        EXPECT_FALSE(parse(b, d)) << n;
        if (n >= 40) {
            put32(b, 4, static_cast<uint32_t>(n));
            const char* why = nullptr;
            (void)hvb::parse_dtb(b.data(), b.size(), d, &why);
        }
    }
}

}  // namespace
