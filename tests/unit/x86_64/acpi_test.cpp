// tests/unit/acpi_test.cpp — tests for the ACPI walk in posih/acpi: RSDP checks, BIOS-area scan, XSDT/RSDT lookup, MADT parsing.
#include "arch/x86_64/boot/acpi.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "posih/bootinfo.h"

namespace {

using Bytes = std::vector<uint8_t>;

// A synthetic guest-physical window: `bytes` appear at physical `base`.
struct Mem {
    uint64_t base;
    Bytes bytes;

    Mem(uint64_t b, size_t size) : base(b), bytes(size, 0) {}

    hvb::PhysView view() const {
        return hvb::PhysView(reinterpret_cast<uintptr_t>(bytes.data()), base, bytes.size());
    }

    uint8_t* at(uint64_t phys, size_t n) {
        if (phys < base || phys - base > bytes.size() || n > bytes.size() - (phys - base)) {
            std::fprintf(stderr, "test bug: access to [0x%llx, +%zu) outside the test buffer\n",
                         static_cast<unsigned long long>(phys), n);
            std::abort();
        }
        return bytes.data() + (phys - base);
    }
    void put(uint64_t phys, const void* p, size_t n) { std::memcpy(at(phys, n), p, n); }
    void put(uint64_t phys, const Bytes& b) { put(phys, b.data(), b.size()); }
    void put8(uint64_t phys, uint8_t v) { put(phys, &v, 1); }
    void put16(uint64_t phys, uint16_t v) { put(phys, &v, 2); }
    void put32(uint64_t phys, uint32_t v) { put(phys, &v, 4); }
    void put64(uint64_t phys, uint64_t v) { put(phys, &v, 8); }
    uint8_t get8(uint64_t phys) { return *at(phys, 1); }

    // Sets the byte at phys + cksum_off so [phys, phys + len) sums to zero.
    void fix_checksum(uint64_t phys, size_t len, size_t cksum_off) {
        uint8_t* p = at(phys, len);
        p[cksum_off] = 0;
        uint8_t sum = 0;
        for (size_t i = 0; i < len; ++i) sum = static_cast<uint8_t>(sum + p[i]);
        p[cksum_off] = static_cast<uint8_t>(0x100 - sum);
    }
};

void Append(Bytes& b, const void* p, size_t n) {
    const uint8_t* s = static_cast<const uint8_t*>(p);
    b.insert(b.end(), s, s + n);
}
void Append16(Bytes& b, uint16_t v) { Append(b, &v, 2); }
void Append32(Bytes& b, uint32_t v) { Append(b, &v, 4); }
void Append64(Bytes& b, uint64_t v) { Append(b, &v, 8); }

// Writes an SDT (ACPI 6.x 5.2.6) with a correct checksum; returns its length.
uint32_t WriteSdt(Mem& m, uint64_t phys, const char* sig, const Bytes& body) {
    Bytes t;
    Append(t, sig, 4);
    Append32(t, static_cast<uint32_t>(36 + body.size()));
    t.push_back(1);                  // revision
    t.push_back(0);                  // checksum, fixed below
    Append(t, "HVBTST", 6);          // OEMID
    Append(t, "HVBTABLE", 8);        // OEM table ID
    Append32(t, 1);                  // OEM revision
    Append(t, "HVBC", 4);            // creator ID
    Append32(t, 1);                  // creator revision
    EXPECT_EQ(t.size(), 36u);
    t.insert(t.end(), body.begin(), body.end());
    m.put(phys, t);
    m.fix_checksum(phys, t.size(), 9);
    return static_cast<uint32_t>(t.size());
}

uint32_t WriteRsdt(Mem& m, uint64_t phys, const std::vector<uint32_t>& ptrs) {
    Bytes body;
    for (uint32_t p : ptrs) Append32(body, p);
    return WriteSdt(m, phys, "RSDT", body);
}

uint32_t WriteXsdt(Mem& m, uint64_t phys, const std::vector<uint64_t>& ptrs) {
    Bytes body;
    for (uint64_t p : ptrs) Append64(body, p);
    return WriteSdt(m, phys, "XSDT", body);
}

// ACPI 1.0 RSDP (revision 0, 20 bytes).
void WriteRsdpV1(Mem& m, uint64_t phys, uint32_t rsdt) {
    Bytes r;
    Append(r, "RSD PTR ", 8);
    r.push_back(0);
    Append(r, "HVBTST", 6);
    r.push_back(0);  // revision
    Append32(r, rsdt);
    m.put(phys, r);
    m.fix_checksum(phys, 20, 8);
}

// ACPI 2.0+ RSDP (revision 2, 36 bytes).
void WriteRsdpV2(Mem& m, uint64_t phys, uint32_t rsdt, uint64_t xsdt) {
    Bytes r;
    Append(r, "RSD PTR ", 8);
    r.push_back(0);
    Append(r, "HVBTST", 6);
    r.push_back(2);
    Append32(r, rsdt);
    Append32(r, 36);
    Append64(r, xsdt);
    r.push_back(0);  // extended checksum
    r.push_back(0);
    r.push_back(0);
    r.push_back(0);
    m.put(phys, r);
    m.fix_checksum(phys, 20, 8);
    m.fix_checksum(phys, 36, 32);
}

// MADT entries (ACPI 6.x 5.2.12.x).
Bytes Lapic(uint8_t uid, uint8_t apic_id, uint32_t flags) {
    Bytes e{0, 8, uid, apic_id};
    Append32(e, flags);
    return e;
}
Bytes X2apic(uint32_t id, uint32_t flags, uint32_t uid) {
    Bytes e{9, 16};
    Append16(e, 0);
    Append32(e, id);
    Append32(e, flags);
    Append32(e, uid);
    return e;
}
Bytes Ioapic(uint8_t id, uint32_t addr, uint32_t gsi) {
    Bytes e{1, 12, id, 0};
    Append32(e, addr);
    Append32(e, gsi);
    return e;
}
Bytes LapicOverride(uint64_t addr) {
    Bytes e{5, 12};
    Append16(e, 0);
    Append64(e, addr);
    return e;
}

Bytes MadtBody(uint32_t lapic, uint32_t flags, const std::vector<Bytes>& entries) {
    Bytes b;
    Append32(b, lapic);
    Append32(b, flags);
    for (const Bytes& e : entries) b.insert(b.end(), e.begin(), e.end());
    return b;
}

constexpr uint32_t kEnabled = 1;
constexpr uint32_t kOnlineCapable = 2;

// Standard layout of the table tests: a 64 KiB window at an odd-ish base.
constexpr uint64_t kBase = 0x7fe0000;
constexpr size_t kSize = 0x10000;
constexpr uint64_t kRsdp = kBase + 0x10;
constexpr uint64_t kRsdt = kBase + 0x100;
constexpr uint64_t kXsdt = kBase + 0x200;
constexpr uint64_t kFacp = kBase + 0x400;
constexpr uint64_t kMadt = kBase + 0x1000;
constexpr uint64_t kMadt2 = kBase + 0x6000;

std::unique_ptr<hvb::MadtInfo> NewInfo() {
    auto p = std::make_unique<hvb::MadtInfo>();
    std::memset(p.get(), 0xA5, sizeof *p);  // garbage: the parser must reset it
    return p;
}

bool Contains(const hvb::AcpiError& e, const char* what) {
    return std::string(e.message).find(what) != std::string::npos;
}

// Every message must be one NUL-terminated line.
void ExpectSaneMessage(const hvb::AcpiError& e) {
    size_t n = strnlen(e.message, sizeof e.message);
    ASSERT_LT(n, sizeof e.message);
    EXPECT_GT(n, 0u);
    EXPECT_EQ(std::string(e.message).find('\n'), std::string::npos);
}

hvb::AcpiError FreshErr() {
    hvb::AcpiError e;
    std::memset(e.message, 0, sizeof e.message);
    return e;
}

// Builds RSDP -> (RSDT | XSDT) -> [FACP, MADT] and returns the RSDP address.
uint64_t BuildChain(Mem& m, bool v2, const Bytes& madt_body) {
    WriteSdt(m, kFacp, "FACP", Bytes(80, 0x11));
    WriteSdt(m, kMadt, "APIC", madt_body);
    if (v2) {
        WriteXsdt(m, kXsdt, {kFacp, kMadt});
        WriteRsdt(m, kRsdt, {static_cast<uint32_t>(kFacp)});  // no MADT: proves the XSDT is used
        WriteRsdpV2(m, kRsdp, static_cast<uint32_t>(kRsdt), kXsdt);
    } else {
        WriteRsdt(m, kRsdt, {static_cast<uint32_t>(kFacp), static_cast<uint32_t>(kMadt)});
        WriteRsdpV1(m, kRsdp, static_cast<uint32_t>(kRsdt));
    }
    return kRsdp;
}

// ---- RSDP ---------------------------------------------------------------------

TEST(AcpiRsdp, ValidV1) {
    Mem m(kBase, kSize);
    WriteRsdpV1(m, kRsdp, 0x12345678);
    uint64_t rsdt = 1, xsdt = 1;
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_check_rsdp(m.view(), kRsdp, &rsdt, &xsdt, &err)) << err.message;
    EXPECT_EQ(rsdt, 0x12345678u);
    EXPECT_EQ(xsdt, 0u);
}

TEST(AcpiRsdp, ValidV2) {
    Mem m(kBase, kSize);
    WriteRsdpV2(m, kRsdp, 0x1000, 0x1122334455667788ull);
    uint64_t rsdt = 0, xsdt = 0;
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_check_rsdp(m.view(), kRsdp, &rsdt, &xsdt, &err)) << err.message;
    EXPECT_EQ(rsdt, 0x1000u);
    EXPECT_EQ(xsdt, 0x1122334455667788ull);
}

TEST(AcpiRsdp, V2WithZeroXsdt) {
    Mem m(kBase, kSize);
    WriteRsdpV2(m, kRsdp, 0x1000, 0);
    uint64_t rsdt = 0, xsdt = 7;
    ASSERT_TRUE(hvb::acpi_check_rsdp(m.view(), kRsdp, &rsdt, &xsdt, nullptr));
    EXPECT_EQ(rsdt, 0x1000u);
    EXPECT_EQ(xsdt, 0u);
}

TEST(AcpiRsdp, NullOutputsAndErrorAreAllowed) {
    Mem m(kBase, kSize);
    WriteRsdpV2(m, kRsdp, 0x1000, 0x2000);
    EXPECT_TRUE(hvb::acpi_check_rsdp(m.view(), kRsdp, nullptr, nullptr, nullptr));
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), kRsdp + 16, nullptr, nullptr, nullptr));
}

TEST(AcpiRsdp, BadSignature) {
    Mem m(kBase, kSize);
    WriteRsdpV1(m, kRsdp, 0x1000);
    m.put8(kRsdp + 7, 'X');
    m.fix_checksum(kRsdp, 20, 8);
    uint64_t rsdt = 5, xsdt = 5;
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), kRsdp, &rsdt, &xsdt, &err));
    EXPECT_TRUE(Contains(err, "signature")) << err.message;
    EXPECT_EQ(rsdt, 0u);
    EXPECT_EQ(xsdt, 0u);
    ExpectSaneMessage(err);
}

TEST(AcpiRsdp, BadChecksum) {
    Mem m(kBase, kSize);
    WriteRsdpV1(m, kRsdp, 0x1000);
    m.put8(kRsdp + 8, static_cast<uint8_t>(m.get8(kRsdp + 8) + 3));
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), kRsdp, nullptr, nullptr, &err));
    EXPECT_STREQ(err.message, "RSDP checksum bad (sum 0x3)");
}

TEST(AcpiRsdp, BadChecksumInV2FirstTwentyBytes) {
    Mem m(kBase, kSize);
    WriteRsdpV2(m, kRsdp, 0x1000, 0x2000);
    // Change the RSDT address and only fix the extended checksum: the 1.0
    // checksum must still be checked for a v2 RSDP.
    m.put32(kRsdp + 16, 0x1001);
    m.fix_checksum(kRsdp, 36, 32);
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), kRsdp, nullptr, nullptr, &err));
    EXPECT_TRUE(Contains(err, "RSDP checksum bad")) << err.message;
}

TEST(AcpiRsdp, BadExtendedChecksum) {
    Mem m(kBase, kSize);
    WriteRsdpV2(m, kRsdp, 0x1000, 0x2000);
    m.put64(kRsdp + 24, 0x3000);  // outside the 20-byte checksum, inside the extended one
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), kRsdp, nullptr, nullptr, &err));
    EXPECT_TRUE(Contains(err, "extended checksum bad")) << err.message;
    ExpectSaneMessage(err);
}

TEST(AcpiRsdp, V2LengthOutOfRange) {
    for (uint32_t len : {0u, 20u, 35u, 4097u, 0xFFFFFFFFu}) {
        Mem m(kBase, kSize);
        WriteRsdpV2(m, kRsdp, 0x1000, 0x2000);
        m.put32(kRsdp + 20, len);
        m.fix_checksum(kRsdp, 20, 8);
        auto err = FreshErr();
        EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), kRsdp, nullptr, nullptr, &err)) << len;
        EXPECT_TRUE(Contains(err, "out of range")) << err.message;
    }
}

TEST(AcpiRsdp, V2LongerLengthIsChecksummed) {
    Mem m(kBase, kSize);
    WriteRsdpV2(m, kRsdp, 0x1000, 0x2000);
    m.put32(kRsdp + 20, 64);
    m.put8(kRsdp + 50, 0x42);
    m.fix_checksum(kRsdp, 20, 8);
    m.fix_checksum(kRsdp, 64, 32);
    EXPECT_TRUE(hvb::acpi_check_rsdp(m.view(), kRsdp, nullptr, nullptr, nullptr));
    m.put8(kRsdp + 60, 1);  // inside Length, beyond 36: must be covered
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), kRsdp, nullptr, nullptr, nullptr));
}

TEST(AcpiRsdp, V2LengthPastView) {
    Mem m(kBase, 0x40);
    const uint64_t at = kBase + 0x10;  // 48 bytes left in the view
    WriteRsdpV2(m, at, 0x1000, 0x2000);
    m.put32(at + 20, 64);
    m.fix_checksum(at, 20, 8);
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), at, nullptr, nullptr, &err));
    EXPECT_TRUE(Contains(err, "runs past the memory view")) << err.message;
}

TEST(AcpiRsdp, OutsideView) {
    Mem m(kBase, kSize);
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), 0x1000, nullptr, nullptr, &err));
    EXPECT_TRUE(Contains(err, "outside the memory view")) << err.message;
    // Straddling the end of the view.
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), kBase + kSize - 10, nullptr, nullptr, &err));
    // Wrapping at 2^64.
    EXPECT_FALSE(hvb::acpi_check_rsdp(m.view(), UINT64_MAX - 5, nullptr, nullptr, &err));
}

TEST(AcpiRsdp, V1AtEndOfViewNeedsOnlyTwentyBytes) {
    Mem m(kBase, 0x40);
    const uint64_t at = kBase + 0x40 - 20;
    WriteRsdpV1(m, at, 0x1000);
    EXPECT_TRUE(hvb::acpi_check_rsdp(m.view(), at, nullptr, nullptr, nullptr));
}

// ---- BIOS-area scan --------------------------------------------------------------

struct LowMem : Mem {
    LowMem() : Mem(0, 0x100000) {}
};

TEST(AcpiScan, NothingFound) {
    auto m = std::make_unique<LowMem>();
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0u);
}

TEST(AcpiScan, FindsInEbda) {
    auto m = std::make_unique<LowMem>();
    m->put16(0x40E, 0x9FC0);  // EBDA at 0x9FC00
    WriteRsdpV2(*m, 0x9FC40, 0x1000, 0x2000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0x9FC40u);
}

TEST(AcpiScan, FindsAtEbdaStart) {
    auto m = std::make_unique<LowMem>();
    m->put16(0x40E, 0x9000);
    WriteRsdpV1(*m, 0x90000, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0x90000u);
}

TEST(AcpiScan, EbdaSearchesOnlyTheFirstKiB) {
    auto m = std::make_unique<LowMem>();
    m->put16(0x40E, 0x9000);
    WriteRsdpV1(*m, 0x90400, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0u);
    WriteRsdpV1(*m, 0x903F0, 0x1000);  // the last 16-byte slot of the KiB
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0x903F0u);
}

TEST(AcpiScan, FindsInE0000Segment) {
    auto m = std::make_unique<LowMem>();
    WriteRsdpV1(*m, 0xE1230, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0xE1230u);
}

TEST(AcpiScan, FindsAtTopOfBiosArea) {
    auto m = std::make_unique<LowMem>();
    WriteRsdpV1(*m, 0xFFFE0, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0xFFFE0u);
}

TEST(AcpiScan, EbdaPreferredOverBiosArea) {
    auto m = std::make_unique<LowMem>();
    m->put16(0x40E, 0x9FC0);
    WriteRsdpV1(*m, 0x9FC00, 0x1000);
    WriteRsdpV1(*m, 0xE0000, 0x2000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0x9FC00u);
}

TEST(AcpiScan, RejectsBadChecksumBeforeGood) {
    auto m = std::make_unique<LowMem>();
    WriteRsdpV1(*m, 0xE0010, 0x1000);
    m->put8(0xE0010 + 8, static_cast<uint8_t>(m->get8(0xE0010 + 8) ^ 0xFF));
    WriteRsdpV2(*m, 0xE0100, 0x1000, 0x2000);
    m->put8(0xE0100 + 32, static_cast<uint8_t>(m->get8(0xE0100 + 32) + 1));  // bad extended checksum
    WriteRsdpV1(*m, 0xF0000, 0x3000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0xF0000u);
}

TEST(AcpiScan, BadCandidateInEbdaFallsBackToBiosArea) {
    auto m = std::make_unique<LowMem>();
    m->put16(0x40E, 0x9FC0);
    WriteRsdpV1(*m, 0x9FC00, 0x1000);
    m->put8(0x9FC00 + 12, 0x77);  // OEMID byte changed, checksum now wrong
    WriteRsdpV1(*m, 0xEFFF0, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0xEFFF0u);
}

TEST(AcpiScan, IgnoresUnalignedSignature) {
    auto m = std::make_unique<LowMem>();
    WriteRsdpV1(*m, 0xE0008, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0u);
}

TEST(AcpiScan, IgnoresEbdaSegmentAtOrAbove640K) {
    auto m = std::make_unique<LowMem>();
    m->put16(0x40E, 0xA000);
    WriteRsdpV1(*m, 0xA0000, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0u);
}

TEST(AcpiScan, ZeroEbdaSegmentDoesNotSearchLowMemory) {
    auto m = std::make_unique<LowMem>();
    WriteRsdpV1(*m, 0x100, 0x1000);  // would be found if segment 0 were searched
    m->put16(0x40E, 0);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0u);
}

TEST(AcpiScan, OutsideRangesNotSearched) {
    auto m = std::make_unique<LowMem>();
    WriteRsdpV1(*m, 0xD0000, 0x1000);
    WriteRsdpV1(*m, 0x80000, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m->view()), 0u);
}

TEST(AcpiScan, ViewWithoutLowMemory) {
    Mem m(0xE0000, 0x20000);
    WriteRsdpV1(m, 0xF5000, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m.view()), 0xF5000u);
}

TEST(AcpiScan, ViewCoveringOnlyPartOfBiosArea) {
    Mem m(0xF8000, 0x4000);  // ends at 0xFC000
    // A candidate whose signature is in the view but whose 20 bytes are not
    // is skipped, not read past the end.
    m.put(0xFBFF0, "RSD PTR \0HVBTST\0", 16);
    WriteRsdpV1(m, 0xF9000, 0x1000);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m.view()), 0xF9000u);
}

TEST(AcpiScan, EmptyView) {
    Mem m(0x100000, 0);
    EXPECT_EQ(hvb::acpi_scan_rsdp(m.view()), 0u);
}

// ---- table lookup -----------------------------------------------------------------

TEST(AcpiFindTable, V1RsdtChain) {
    Mem m(kBase, kSize);
    uint64_t rsdp = BuildChain(m, false, MadtBody(0xFEE00000, 1, {Lapic(0, 0, kEnabled)}));
    uint32_t len = 0;
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), rsdp, "APIC", &len, &err), kMadt) << err.message;
    EXPECT_EQ(len, 36u + 8 + 8);
    EXPECT_EQ(hvb::acpi_find_table(m.view(), rsdp, "FACP", &len, &err), kFacp) << err.message;
    EXPECT_EQ(len, 36u + 80);
}

TEST(AcpiFindTable, V2XsdtChainPreferredOverRsdt) {
    Mem m(kBase, kSize);
    uint64_t rsdp = BuildChain(m, true, MadtBody(0xFEE00000, 1, {Lapic(0, 0, kEnabled)}));
    // The RSDT (built without a MADT) must not be consulted.
    uint32_t len = 0;
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), rsdp, "APIC", &len, &err), kMadt) << err.message;

    // And a different MADT behind the RSDT is ignored in favour of the XSDT's.
    WriteSdt(m, kMadt2, "APIC", MadtBody(0xFEE00000, 0, {}));
    WriteRsdt(m, kRsdt, {static_cast<uint32_t>(kMadt2)});
    EXPECT_EQ(hvb::acpi_find_table(m.view(), rsdp, "APIC", &len, &err), kMadt) << err.message;
}

TEST(AcpiFindTable, NotFoundInXsdt) {
    Mem m(kBase, kSize);
    uint64_t rsdp = BuildChain(m, true, MadtBody(0xFEE00000, 0, {}));
    uint32_t len = 99;
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), rsdp, "HPET", &len, &err), 0u);
    EXPECT_STREQ(err.message, "no HPET table in XSDT");
    EXPECT_EQ(len, 0u);
}

TEST(AcpiFindTable, NotFoundInRsdt) {
    Mem m(kBase, kSize);
    WriteSdt(m, kFacp, "FACP", Bytes(4, 0));
    WriteRsdt(m, kRsdt, {static_cast<uint32_t>(kFacp)});
    WriteRsdpV1(m, kRsdp, static_cast<uint32_t>(kRsdt));
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_STREQ(err.message, "no APIC table in RSDT");
}

TEST(AcpiFindTable, BadTableChecksumIsSkipped) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 0, {Lapic(0, 0, kEnabled)}));
    m.put8(kMadt + 40, 0x55);  // corrupt after the checksum was fixed
    WriteSdt(m, kMadt2, "APIC", MadtBody(0xFEE00000, 0, {Lapic(0, 1, kEnabled)}));
    WriteXsdt(m, kXsdt, {kMadt, kMadt2});
    WriteRsdpV2(m, kRsdp, 0, kXsdt);
    uint32_t len = 0;
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", &len, &err), kMadt2) << err.message;
    EXPECT_EQ(len, 52u);
}

TEST(AcpiFindTable, BadTableChecksumReportedWhenNothingElseMatches) {
    Mem m(kBase, kSize);
    WriteSdt(m, kFacp, "FACP", Bytes(8, 0));
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 0, {Lapic(0, 0, kEnabled)}));
    m.put8(kMadt + 45, static_cast<uint8_t>(m.get8(kMadt + 45) + 3));
    WriteXsdt(m, kXsdt, {kFacp, kMadt});
    WriteRsdpV2(m, kRsdp, 0, kXsdt);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "no valid APIC table in XSDT")) << err.message;
    EXPECT_TRUE(Contains(err, "checksum bad (sum 0x3)")) << err.message;
    ExpectSaneMessage(err);
}

TEST(AcpiFindTable, TableTooShortOrPastViewIsSkipped) {
    Mem m(kBase, kSize);
    // One APIC table with length 20 (< 36), one whose length runs past the view.
    const uint64_t short_t = kBase + 0x3000;
    const uint64_t long_t = kBase + kSize - 0x40;
    WriteSdt(m, short_t, "APIC", {});
    m.put32(short_t + 4, 20);
    WriteSdt(m, long_t, "APIC", {});
    m.put32(long_t + 4, 0x1000);  // 4 KiB from 0x40 before the view's end
    WriteXsdt(m, kXsdt, {short_t, long_t});
    WriteRsdpV2(m, kRsdp, 0, kXsdt);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "runs past the memory view")) << err.message;

    WriteXsdt(m, kXsdt, {long_t, short_t});
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "length 20")) << err.message;

    // A good one after both is still found.
    WriteSdt(m, kMadt, "APIC", MadtBody(0, 0, {}));
    WriteXsdt(m, kXsdt, {long_t, short_t, kMadt});
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), kMadt) << err.message;
}

TEST(AcpiFindTable, RsdtOutsideView) {
    Mem m(kBase, kSize);
    WriteRsdpV1(m, kRsdp, 0x1000);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_STREQ(err.message, "RSDT at 0x1000 outside the memory view");
}

TEST(AcpiFindTable, XsdtOutsideView) {
    Mem m(kBase, kSize);
    WriteRsdpV2(m, kRsdp, static_cast<uint32_t>(kRsdt), 0x100000000ull);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "XSDT at 0x100000000 outside the memory view")) << err.message;
}

TEST(AcpiFindTable, RootLengthPastView) {
    Mem m(kBase, kSize);
    WriteXsdt(m, kXsdt, {kMadt});
    m.put32(kXsdt + 4, 0xFFFFFFFF);  // must not loop over 4 GiB
    WriteRsdpV2(m, kRsdp, 0, kXsdt);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "XSDT")) << err.message;
    EXPECT_TRUE(Contains(err, "(> 64 KiB)")) << err.message;
    // Within the plausible size but past the end of the view.
    m.put32(kXsdt + 4, uint32_t(kBase + kSize - kXsdt + 8));
    err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "runs past the memory view")) << err.message;
}

TEST(AcpiFindTable, ImplausiblyLongTableIsRejectedWithoutReadingIt) {
    // An APIC table that claims 32 MiB (the view is 64 KiB): a corrupt
    // length, refused before any checksum loop runs over it.
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", {});
    m.put32(kMadt + 4, 32u << 20);
    WriteXsdt(m, kXsdt, {kMadt});
    WriteRsdpV2(m, kRsdp, 0, kXsdt);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "has length 0x2000000 (> 256 KiB)")) << err.message;
}

// Lengths inside the view and the old 16 MiB cap, checksums valid, but far
// past any real root table or MADT: refused (they used to be walked).
TEST(AcpiFindTable, RootAndMadtLengthsCappedPerKind) {
    constexpr uint64_t base = 0x1000000, rsdp = base, xsdt = base + 0x1000, madt = base + 0x40000;
    Mem m(base, 1u << 20);
    Bytes madt_body;
    Append32(madt_body, 0xFEE00000);
    Append32(madt_body, 0);
    for (int i = 0; i < 2; ++i) madt_body.insert(madt_body.end(), {0, 8, uint8_t(i), uint8_t(i), 1, 0, 0, 0});
    WriteSdt(m, madt, "APIC", madt_body);
    std::vector<uint64_t> ptrs(8187, 0);  // 36 + 8187 * 8 = 65532 bytes: at the cap
    ptrs.back() = madt;
    WriteXsdt(m, xsdt, ptrs);
    WriteRsdpV2(m, rsdp, 0, xsdt);
    auto err = FreshErr();
    uint32_t len = 0;
    EXPECT_EQ(hvb::acpi_find_table(m.view(), rsdp, "APIC", &len, &err), madt) << err.message;

    ptrs.insert(ptrs.begin(), 0);  // 65540 bytes: past it
    WriteXsdt(m, xsdt, ptrs);
    err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), rsdp, "APIC", &len, &err), 0u);
    EXPECT_TRUE(Contains(err, "XSDT at 0x1001000 has length 0x10004 (> 64 KiB)")) << err.message;

    // An MADT of 300 KiB of reserved-type entries.
    Bytes big = madt_body;
    while (big.size() < 300u * 1024) big.insert(big.end(), {0x7F, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    WriteSdt(m, madt, "APIC", big);
    static hvb::MadtInfo info;
    err = FreshErr();
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), madt, info, &err));
    EXPECT_TRUE(Contains(err, "(> 256 KiB)")) << err.message;
}

TEST(AcpiFindTable, XsdtBadChecksum) {
    Mem m(kBase, kSize);
    BuildChain(m, true, MadtBody(0, 0, {}));
    m.put8(kXsdt + 10, static_cast<uint8_t>(m.get8(kXsdt + 10) + 3));
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "XSDT")) << err.message;
    EXPECT_TRUE(Contains(err, "checksum bad (sum 0x3)")) << err.message;
}

TEST(AcpiFindTable, RootWithWrongSignature) {
    Mem m(kBase, kSize);
    WriteSdt(m, kRsdt, "FACP", Bytes(4, 0));
    WriteRsdpV1(m, kRsdp, static_cast<uint32_t>(kRsdt));
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "signature \"FACP\"")) << err.message;
}

// Xen < 4.20 on RSDT-only firmware: a PVH dom0's XSDT with a garbage
// signature but a valid checksum. Refused by default; with the lookup's
// accept_bad_xsdt_signature used, and the quirk reported.
TEST(AcpiFindTable, XenXsdtSignatureQuirk) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", MadtBody(0, 0, {}));
    Bytes body;
    Append64(body, kMadt);
    WriteSdt(m, kXsdt, "\x01\x9c\x7fX", body);  // checksum fixed over the bad signature
    WriteRsdpV2(m, kRsdp, 0, kXsdt);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "XSDT")) << err.message;
    bool quirk = false;
    hvb::AcpiLookup how{true, &quirk};
    uint32_t len = 0;
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", &len, &err, how), kMadt);
    EXPECT_TRUE(quirk);
    // A good XSDT does not set it; a bad checksum is still refused.
    quirk = false;
    WriteXsdt(m, kXsdt, {kMadt});
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", &len, &err, how), kMadt);
    EXPECT_FALSE(quirk);
    WriteSdt(m, kXsdt, "\x01\x9c\x7fX", body);
    m.put8(kXsdt + 40, static_cast<uint8_t>(m.get8(kXsdt + 40) + 1));
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", &len, &err, how), 0u);
    EXPECT_FALSE(quirk);
}

TEST(AcpiFindTable, BadRsdpPropagates) {
    Mem m(kBase, kSize);
    BuildChain(m, true, MadtBody(0, 0, {}));
    m.put8(kRsdp + 33, 1);  // reserved byte: breaks the extended checksum
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "extended checksum bad")) << err.message;
}

TEST(AcpiFindTable, NoRootPointer) {
    Mem m(kBase, kSize);
    WriteRsdpV2(m, kRsdp, 0, 0);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "neither")) << err.message;
}

TEST(AcpiFindTable, V2WithoutXsdtUsesRsdt) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", MadtBody(0, 0, {}));
    WriteRsdt(m, kRsdt, {static_cast<uint32_t>(kMadt)});
    WriteRsdpV2(m, kRsdp, static_cast<uint32_t>(kRsdt), 0);
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, nullptr), kMadt);
}

TEST(AcpiFindTable, NullAndOutOfViewEntriesAreSkipped) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", MadtBody(0, 0, {}));
    WriteXsdt(m, kXsdt, {0, 0x1000, UINT64_MAX - 1, kMadt});
    WriteRsdpV2(m, kRsdp, 0, kXsdt);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), kMadt) << err.message;

    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "SRAT", nullptr, &err), 0u);
    EXPECT_TRUE(Contains(err, "no SRAT table in XSDT")) << err.message;
    EXPECT_TRUE(Contains(err, "2 of 4 entries outside the memory view")) << err.message;
    ExpectSaneMessage(err);
}

TEST(AcpiFindTable, TrailingPartialEntryIgnored) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", MadtBody(0, 0, {}));
    Bytes body;
    Append64(body, kMadt);
    Append32(body, 0xDEADBEEF);  // half an entry
    WriteSdt(m, kXsdt, "XSDT", body);
    WriteRsdpV2(m, kRsdp, 0, kXsdt);
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), kMadt) << err.message;

    // And a partial entry holding the only pointer is not followed.
    Bytes body2;
    Append32(body2, static_cast<uint32_t>(kMadt));
    WriteSdt(m, kXsdt, "XSDT", body2);
    EXPECT_EQ(hvb::acpi_find_table(m.view(), kRsdp, "APIC", nullptr, &err), 0u);
    EXPECT_STREQ(err.message, "no APIC table in XSDT");
}

TEST(AcpiFindTable, RejectsBadSignatureArgument) {
    Mem m(kBase, kSize);
    uint64_t rsdp = BuildChain(m, true, MadtBody(0, 0, {}));
    auto err = FreshErr();
    EXPECT_EQ(hvb::acpi_find_table(m.view(), rsdp, "API", nullptr, &err), 0u);
    EXPECT_EQ(hvb::acpi_find_table(m.view(), rsdp, nullptr, nullptr, &err), 0u);
    ExpectSaneMessage(err);
}

// ---- MADT ---------------------------------------------------------------------------

// The full chain, for N CPUs described by type-0 entries (QEMU's way).
void CheckChainWithCpus(bool v2, unsigned n) {
    SCOPED_TRACE(testing::Message() << (v2 ? "XSDT" : "RSDT") << " with " << n << " CPUs");
    Mem m(kBase, kSize);
    std::vector<Bytes> entries;
    for (unsigned i = 0; i < n; ++i) {
        entries.push_back(Lapic(static_cast<uint8_t>(i), static_cast<uint8_t>(i), kEnabled));
    }
    entries.push_back(Ioapic(0, 0xFEC00000, 0));
    uint64_t rsdp = BuildChain(m, v2, MadtBody(0xFEE00000, 1, entries));
    auto err = FreshErr();
    uint32_t len = 0;
    uint64_t madt = hvb::acpi_find_table(m.view(), rsdp, "APIC", &len, &err);
    ASSERT_EQ(madt, kMadt) << err.message;
    EXPECT_EQ(len, 44u + 8 * n + 12);
    auto info = NewInfo();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), madt, *info, &err)) << err.message;
    EXPECT_EQ(info->cpu_count, n);
    EXPECT_FALSE(info->cpus_truncated);
    EXPECT_EQ(info->lapic_phys, 0xFEE00000u);
    EXPECT_TRUE(info->pcat_compat);
    EXPECT_EQ(info->ioapic_count, 1u);
    EXPECT_EQ(info->ioapic_phys, 0xFEC00000u);
    for (unsigned i = 0; i < n && i < info->cpu_count; ++i) {
        EXPECT_EQ(info->cpus[i].apic_id, i);
        EXPECT_EQ(info->cpus[i].acpi_uid, i);
        EXPECT_FALSE(info->cpus[i].x2apic);
    }
}

TEST(AcpiMadt, RsdtChainWithNCpus) {
    for (unsigned n : {1u, 2u, 4u, 255u}) CheckChainWithCpus(false, n);
}

TEST(AcpiMadt, XsdtChainWithNCpus) {
    for (unsigned n : {1u, 2u, 4u, 255u}) CheckChainWithCpus(true, n);
}

TEST(AcpiMadt, DisabledAndOnlineCapable) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC",
             MadtBody(0xFEE00000, 0,
                      {Lapic(0, 0, kEnabled), Lapic(1, 1, 0), Lapic(2, 2, kOnlineCapable),
                       Lapic(3, 3, kEnabled | kOnlineCapable), Lapic(4, 4, 0xFFFFFFFC),
                       X2apic(300, 0, 5), X2apic(301, kOnlineCapable, 6)}));
    auto info = NewInfo();
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    ASSERT_EQ(info->cpu_count, 4u);
    EXPECT_EQ(info->cpus[0].apic_id, 0u);
    EXPECT_EQ(info->cpus[1].apic_id, 2u);
    EXPECT_EQ(info->cpus[2].apic_id, 3u);
    EXPECT_EQ(info->cpus[3].apic_id, 301u);
    EXPECT_EQ(info->cpus[3].acpi_uid, 6u);
    EXPECT_TRUE(info->cpus[3].x2apic);
    EXPECT_FALSE(info->pcat_compat);
    EXPECT_EQ(info->ioapic_count, 0u);
    EXPECT_EQ(info->ioapic_phys, 0u);
}

TEST(AcpiMadt, X2apicEntries) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC",
             MadtBody(0xFEE00000, 1,
                      {Lapic(0, 0, kEnabled), Lapic(1, 1, kEnabled), X2apic(255, kEnabled, 2),
                       X2apic(0x12345, kEnabled, 0xABCDEF)}));
    auto info = NewInfo();
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    ASSERT_EQ(info->cpu_count, 4u);
    EXPECT_EQ(info->cpus[2].apic_id, 255u);
    EXPECT_EQ(info->cpus[2].acpi_uid, 2u);
    EXPECT_TRUE(info->cpus[2].x2apic);
    EXPECT_EQ(info->cpus[3].apic_id, 0x12345u);
    EXPECT_EQ(info->cpus[3].acpi_uid, 0xABCDEFu);
    EXPECT_TRUE(info->cpus[3].x2apic);
}

TEST(AcpiMadt, X2apicDuplicatingLocalApicIdCountsOnce) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC",
             MadtBody(0xFEE00000, 1,
                      {Lapic(0, 0, kEnabled), Lapic(1, 1, kEnabled), X2apic(1, kEnabled, 1), X2apic(2, kEnabled, 2)}));
    auto info = NewInfo();
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    ASSERT_EQ(info->cpu_count, 3u);
    EXPECT_EQ(info->cpus[1].apic_id, 1u);
    EXPECT_FALSE(info->cpus[1].x2apic);  // the type-0 entry came first and is kept
    EXPECT_EQ(info->cpus[2].apic_id, 2u);
    EXPECT_TRUE(info->cpus[2].x2apic);

    // The other order: x2APIC entry first, then the type-0 duplicate.
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {X2apic(5, kEnabled, 9), Lapic(9, 5, kEnabled)}));
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    ASSERT_EQ(info->cpu_count, 1u);
    EXPECT_TRUE(info->cpus[0].x2apic);
}

TEST(AcpiMadt, DisabledDuplicateDoesNotHideEnabledEntry) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {Lapic(0, 7, 0), X2apic(7, kEnabled, 0)}));
    auto info = NewInfo();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, nullptr));
    ASSERT_EQ(info->cpu_count, 1u);
    EXPECT_EQ(info->cpus[0].apic_id, 7u);
    EXPECT_TRUE(info->cpus[0].x2apic);
}

TEST(AcpiMadt, IoapicAndLapicOverride) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC",
             MadtBody(0xFEE00000, 1,
                      {Ioapic(2, 0xFEC00000, 0), Lapic(0, 0, kEnabled), Ioapic(3, 0xFEC01000, 24),
                       LapicOverride(0x1234FEE00000ull)}));
    auto info = NewInfo();
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    EXPECT_EQ(info->ioapic_count, 2u);
    EXPECT_EQ(info->ioapic_phys, 0xFEC00000u);
    EXPECT_EQ(info->lapic_phys, 0x1234FEE00000ull);
    EXPECT_EQ(info->cpu_count, 1u);
}

TEST(AcpiMadt, UnknownAndOtherTypesSkipped) {
    Mem m(kBase, kSize);
    Bytes nmi{4, 6, 0xFF, 5, 0, 1};                 // local APIC NMI (type 4)
    Bytes iso{2, 10, 0, 0, 2, 0, 0, 0, 0, 0};       // interrupt source override (type 2)
    Bytes odd{0x7F, 3, 0xEE};                       // reserved type, odd length
    Bytes oem{0x80, 2};                             // OEM type, minimal length
    WriteSdt(m, kMadt, "APIC",
             MadtBody(0xFEE00000, 1, {nmi, Lapic(0, 0, kEnabled), iso, odd, oem, Lapic(1, 1, kEnabled)}));
    auto info = NewInfo();
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    EXPECT_EQ(info->cpu_count, 2u);
}

TEST(AcpiMadt, LongerKnownEntriesAccepted) {
    Mem m(kBase, kSize);
    Bytes l = Lapic(3, 4, kEnabled);
    l[1] = 10;
    l.push_back(0xAA);
    l.push_back(0xBB);
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {l, Lapic(5, 6, kEnabled)}));
    auto info = NewInfo();
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    ASSERT_EQ(info->cpu_count, 2u);
    EXPECT_EQ(info->cpus[0].apic_id, 4u);
    EXPECT_EQ(info->cpus[0].acpi_uid, 3u);
    EXPECT_EQ(info->cpus[1].apic_id, 6u);
}

TEST(AcpiMadt, ZeroCpus) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {Lapic(0, 0, 0), Ioapic(0, 0xFEC00000, 0)}));
    auto info = NewInfo();
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    EXPECT_EQ(info->cpu_count, 0u);
    EXPECT_FALSE(info->cpus_truncated);

    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 0, {}));  // no entries at all
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    EXPECT_EQ(info->cpu_count, 0u);
    EXPECT_EQ(info->ioapic_count, 0u);
}

TEST(AcpiMadt, MoreThanMaxCpus) {
    Mem m(kBase, kSize);
    std::vector<Bytes> entries;
    for (uint32_t i = 0; i < 300; ++i) entries.push_back(X2apic(i, kEnabled, i));
    entries.push_back(Ioapic(0, 0xFEC00000, 0));  // entries after the limit are still parsed
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, entries));
    auto info = NewInfo();
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << err.message;
    EXPECT_EQ(info->cpu_count, hvb::MadtInfo::kMaxCpus);
    EXPECT_TRUE(info->cpus_truncated);
    EXPECT_EQ(info->cpus[hvb::MadtInfo::kMaxCpus - 1].apic_id, 255u);
    EXPECT_EQ(info->ioapic_count, 1u);
}

TEST(AcpiMadt, ExactlyMaxCpusNotTruncated) {
    Mem m(kBase, kSize);
    std::vector<Bytes> entries;
    for (uint32_t i = 0; i < hvb::MadtInfo::kMaxCpus; ++i) entries.push_back(X2apic(i, kEnabled, i));
    entries.push_back(X2apic(0, kEnabled, 0));  // duplicate once full: not a truncation
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, entries));
    auto info = NewInfo();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), kMadt, *info, nullptr));
    EXPECT_EQ(info->cpu_count, hvb::MadtInfo::kMaxCpus);
    EXPECT_FALSE(info->cpus_truncated);
}

TEST(AcpiMadt, TruncatedPastView) {
    Mem m(kBase, kSize);
    const uint64_t at = kBase + kSize - 60;
    WriteSdt(m, at, "APIC", MadtBody(0xFEE00000, 1, {Lapic(0, 0, kEnabled)}));  // 52 bytes fit
    m.put32(at + 4, 200);  // but the header claims 200
    auto info = NewInfo();
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), at, *info, &err));
    EXPECT_TRUE(Contains(err, "runs past the memory view")) << err.message;
    EXPECT_EQ(info->cpu_count, 0u);  // reset even on failure
    ExpectSaneMessage(err);

    m.put32(at + 4, 0xFFFFFFFF);
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), at, *info, &err));
}

TEST(AcpiMadt, MadtOutsideView) {
    Mem m(kBase, kSize);
    auto info = NewInfo();
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), 0x1000, *info, &err));
    EXPECT_TRUE(Contains(err, "outside the memory view")) << err.message;
}

TEST(AcpiMadt, EntryLengthZeroOrOne) {
    for (uint8_t len : {0, 1}) {
        Mem m(kBase, kSize);
        Bytes bad{0x7F, len, 0, 0, 0, 0, 0, 0};
        WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {bad}));
        auto info = NewInfo();
        auto err = FreshErr();
        EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err));
        std::string want = "MADT entry at offset 0x2c has length " + std::to_string(len);
        EXPECT_EQ(std::string(err.message), want);
    }
    // After a good entry the offset reported moves on.
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {Lapic(0, 0, kEnabled), Bytes{0, 0, 0, 0}}));
    auto info = NewInfo();
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err));
    EXPECT_STREQ(err.message, "MADT entry at offset 0x34 has length 0");
}

TEST(AcpiMadt, EntryRunsPastTableEnd) {
    Mem m(kBase, kSize);
    Bytes l = Lapic(1, 1, kEnabled);
    l.resize(6);  // claims length 8, only 6 bytes left in the table
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {Lapic(0, 0, kEnabled), l}));
    auto info = NewInfo();
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err));
    EXPECT_TRUE(Contains(err, "offset 0x34")) << err.message;
    EXPECT_TRUE(Contains(err, "runs past the table end")) << err.message;
    ExpectSaneMessage(err);
}

TEST(AcpiMadt, SingleTrailingByte) {
    Mem m(kBase, kSize);
    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {Lapic(0, 0, kEnabled), Bytes{0}}));
    auto info = NewInfo();
    auto err = FreshErr();
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err));
    EXPECT_TRUE(Contains(err, "MADT entry at offset 0x34 truncated")) << err.message;
}

TEST(AcpiMadt, KnownEntryTooShort) {
    struct Case {
        Bytes entry;
        const char* what;
    };
    const Case cases[] = {
        {Bytes{0, 6, 0, 0, 1, 0}, "type 0"},
        {Bytes{1, 8, 0, 0, 0, 0, 0xC0, 0xFE}, "type 1"},
        {Bytes{5, 8, 0, 0, 0, 0, 0, 0}, "type 5"},
        {Bytes{9, 12, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}, "type 9"},
    };
    for (const Case& c : cases) {
        Mem m(kBase, kSize);
        WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {c.entry}));
        auto info = NewInfo();
        auto err = FreshErr();
        EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err)) << c.what;
        EXPECT_TRUE(Contains(err, c.what)) << err.message;
        EXPECT_TRUE(Contains(err, "too short")) << err.message;
    }
}

TEST(AcpiMadt, WrongSignatureBadChecksumShortHeader) {
    Mem m(kBase, kSize);
    auto info = NewInfo();
    auto err = FreshErr();

    WriteSdt(m, kMadt, "FACP", MadtBody(0xFEE00000, 1, {}));
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err));
    EXPECT_TRUE(Contains(err, "not APIC")) << err.message;

    WriteSdt(m, kMadt, "APIC", MadtBody(0xFEE00000, 1, {Lapic(0, 0, kEnabled)}));
    m.put8(kMadt + 47, static_cast<uint8_t>(m.get8(kMadt + 47) + 3));
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err));
    EXPECT_TRUE(Contains(err, "checksum bad (sum 0x3)")) << err.message;

    WriteSdt(m, kMadt, "APIC", Bytes{0, 0, 0xE0, 0xFE});  // 40 bytes: no flags field
    EXPECT_FALSE(hvb::acpi_parse_madt(m.view(), kMadt, *info, &err));
    EXPECT_TRUE(Contains(err, "too small")) << err.message;
}

TEST(AcpiMadt, UnalignedTable) {
    Mem m(kBase, kSize);
    const uint64_t at = kMadt + 3;
    WriteSdt(m, at, "APIC", MadtBody(0xFEE00000, 1, {Lapic(0, 0, kEnabled), Bytes{0x7F, 3, 0}, X2apic(400, 1, 7)}));
    auto info = NewInfo();
    auto err = FreshErr();
    ASSERT_TRUE(hvb::acpi_parse_madt(m.view(), at, *info, &err)) << err.message;
    ASSERT_EQ(info->cpu_count, 2u);
    EXPECT_EQ(info->cpus[1].apic_id, 400u);
}

// Random corruptions of a valid MADT (with the checksum repaired, so the
// entry walk itself is exercised) must never read out of bounds or hang; the
// sanitizers turn any stray access into a failure.
TEST(AcpiMadt, RandomCorruptionIsSafe) {
    std::mt19937 rng(12345);
    int parsed_ok = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        Mem m(kBase, 0x800);
        const uint64_t at = kBase + 0x100;
        std::vector<Bytes> entries = {Lapic(0, 0, kEnabled), Ioapic(0, 0xFEC00000, 0), X2apic(300, 1, 3),
                                      LapicOverride(0xFEE00000), Lapic(1, 1, kOnlineCapable)};
        uint32_t len = WriteSdt(m, at, "APIC", MadtBody(0xFEE00000, 1, entries));
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) {
            uint32_t off = 4 + rng() % (len - 4);  // keep the signature
            if (off == 9) continue;
            m.put8(at + off, static_cast<uint8_t>(rng()));
        }
        if (rng() % 2) m.fix_checksum(at, len, 9);
        auto info = NewInfo();
        auto err = FreshErr();
        if (hvb::acpi_parse_madt(m.view(), at, *info, &err)) {
            ++parsed_ok;
            EXPECT_LE(info->cpu_count, hvb::MadtInfo::kMaxCpus);
        } else {
            ExpectSaneMessage(err);
        }
    }
    EXPECT_GT(parsed_ok, 0);
}

}  // namespace
