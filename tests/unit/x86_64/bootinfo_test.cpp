// tests/unit/bootinfo_test.cpp — unit tests for PhysView and the multiboot1/multiboot2/PVH boot-info parsers.
//
// Every blob is synthetic: a byte buffer placed at a chosen physical base, so
// each test controls exactly which addresses are inside the view. Truncated
// views copy the prefix into an exactly-sized heap buffer so that AddressSanitizer
// catches any read past the view's end.

#include "arch/x86_64/boot/boot_protocols.h"
#include "posih/bootinfo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using hvb::BootInfo;
using hvb::BootModule;
using hvb::BootParseResult;
using hvb::BootProtocol;
using hvb::MemType;
using hvb::PhysView;

// A chunk of synthetic guest-physical memory at [base, base + size).
class Blob {
public:
    Blob(uint64_t base, size_t size) : base_(base), bytes_(size, 0) {}

    uint64_t base() const { return base_; }
    size_t size() const { return bytes_.size(); }
    uint64_t end() const { return base_ + bytes_.size(); }

    void put8(uint64_t phys, uint8_t v) { std::memcpy(at(phys, 1), &v, 1); }
    void put32(uint64_t phys, uint32_t v) { std::memcpy(at(phys, 4), &v, 4); }
    void put64(uint64_t phys, uint64_t v) { std::memcpy(at(phys, 8), &v, 8); }
    void putbytes(uint64_t phys, const void* p, size_t n) {
        if (n != 0) std::memcpy(at(phys, n), p, n);
    }
    // Stores s with its NUL terminator.
    void putstr(uint64_t phys, const std::string& s) { putbytes(phys, s.c_str(), s.size() + 1); }
    // Stores s without a terminator.
    void putraw(uint64_t phys, const std::string& s) { putbytes(phys, s.data(), s.size()); }
    uint32_t get32(uint64_t phys) {
        uint32_t v;
        std::memcpy(&v, at(phys, 4), 4);
        return v;
    }

    PhysView view() const {
        return PhysView(reinterpret_cast<uintptr_t>(bytes_.data()), base_, bytes_.size());
    }

    // A view of only the first len bytes, backed by an exactly-sized copy.
    struct Prefix {
        std::unique_ptr<uint8_t[]> buf;
        PhysView view;
    };
    Prefix prefix(size_t len) const {
        std::unique_ptr<uint8_t[]> b(new uint8_t[len == 0 ? 1 : len]);
        if (len != 0) std::memcpy(b.get(), bytes_.data(), len);
        PhysView v(reinterpret_cast<uintptr_t>(b.get()), base_, len);
        return Prefix{std::move(b), v};
    }

private:
    uint8_t* at(uint64_t phys, size_t n) {
        EXPECT_GE(phys, base_);
        EXPECT_LE(phys - base_ + n, bytes_.size()) << "test helper write out of the blob";
        return bytes_.data() + (phys - base_);
    }

    uint64_t base_;
    std::vector<uint8_t> bytes_;
};

std::unique_ptr<BootInfo> make_info() {
    auto bi = std::make_unique<BootInfo>();
    std::memset(bi.get(), 0xA5, sizeof(BootInfo));  // parsers must reset everything
    return bi;
}

bool msg_has(const BootParseResult& r, const char* needle) {
    return std::strstr(r.message, needle) != nullptr;
}

void expect_message_sane(const BootParseResult& r) {
    size_t len = strnlen(r.message, sizeof r.message);
    ASSERT_LT(len, sizeof r.message) << "message not NUL-terminated";
    if (!r.ok) {
        EXPECT_GT(len, 0u) << "failure without a message";
    }
    EXPECT_EQ(std::strchr(r.message, '\n'), nullptr) << r.message;
}

void expect_region(const BootInfo& bi, size_t i, uint64_t base, uint64_t len, MemType type) {
    ASSERT_LT(i, bi.region_count);
    EXPECT_EQ(bi.regions[i].base, base) << "region " << i;
    EXPECT_EQ(bi.regions[i].length, len) << "region " << i;
    EXPECT_EQ(bi.regions[i].type, type) << "region " << i;
}

// ============================================================================
// PhysView
// ============================================================================

TEST(PhysView, ReadInsideAndAtExactEnd) {
    Blob b(0x1000, 16);
    for (int i = 0; i < 16; ++i) b.put8(0x1000 + i, static_cast<uint8_t>(i + 1));
    PhysView v = b.view();
    uint8_t out[16] = {};
    ASSERT_TRUE(v.read(0x1000, out, 16));
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[15], 16);
    uint32_t w = 0;
    ASSERT_TRUE(v.read(0x100C, &w, 4));  // last 4 bytes, ends exactly at the view end
    EXPECT_EQ(w, 0x100F0E0Du);
    uint8_t last = 0;
    ASSERT_TRUE(v.read(0x100F, &last, 1));
    EXPECT_EQ(last, 16);
}

TEST(PhysView, ReadOutsideLeavesOutputUntouched) {
    Blob b(0x1000, 16);
    PhysView v = b.view();
    uint32_t w = 0xDEADBEEF;
    EXPECT_FALSE(v.read(0x100D, &w, 4));  // one byte past the end
    EXPECT_FALSE(v.read(0x0FFF, &w, 4));  // one byte before the base
    EXPECT_FALSE(v.read(0x1010, &w, 1));  // first byte after the end
    EXPECT_FALSE(v.read(0, &w, 4));
    EXPECT_FALSE(v.read(UINT64_MAX, &w, 1));
    EXPECT_FALSE(v.read(0x1000, &w, SIZE_MAX));  // n so big that off + n would wrap
    EXPECT_EQ(w, 0xDEADBEEFu);
}

TEST(PhysView, ZeroLengthReads) {
    Blob b(0x1000, 16);
    PhysView v = b.view();
    uint8_t x = 0;
    EXPECT_TRUE(v.read(0x1000, &x, 0));
    EXPECT_TRUE(v.read(0x1010, &x, 0));  // empty range at the exact end
    EXPECT_FALSE(v.read(0x1011, &x, 0));
    EXPECT_FALSE(v.read(0xFFF, &x, 0));
}

TEST(PhysView, TopOfAddressSpace) {
    // A view ending exactly at 2^64: its last byte is readable, nothing wraps.
    std::vector<uint8_t> mem(16);
    for (size_t i = 0; i < mem.size(); ++i) mem[i] = static_cast<uint8_t>(0xF0 + i);
    const uint64_t base = UINT64_MAX - 15;
    PhysView v(reinterpret_cast<uintptr_t>(mem.data()), base, 16);
    uint8_t out[16] = {};
    ASSERT_TRUE(v.read(base, out, 16));
    EXPECT_EQ(out[15], 0xFF);
    uint8_t last = 0;
    ASSERT_TRUE(v.read(UINT64_MAX, &last, 1));
    EXPECT_EQ(last, 0xFF);
    uint16_t h = 0;
    EXPECT_FALSE(v.read(UINT64_MAX, &h, 2));  // would wrap to phys 0
    EXPECT_FALSE(v.read(base + 8, out, 9));
}

TEST(PhysView, ViewWhoseEndWrapsNeverYieldsWrappingRange) {
    // A malformed view [2^64-8, 2^64+8): ranges that wrap past 2^64 must be
    // refused even though their offsets are inside the view's size.
    std::vector<uint8_t> mem(16, 0x11);
    const uint64_t base = UINT64_MAX - 7;
    PhysView v(reinterpret_cast<uintptr_t>(mem.data()), base, 16);
    uint8_t out[16] = {};
    EXPECT_TRUE(v.read(base, out, 8));
    EXPECT_FALSE(v.read(base, out, 9));
    EXPECT_FALSE(v.read(UINT64_MAX, out, 2));
    EXPECT_FALSE(v.read(0, out, 1));  // phys 0 is below the base, not "wrapped inside"
}

TEST(PhysView, ReadCstrBasic) {
    Blob b(0x2000, 64);
    b.putstr(0x2000, "hello");
    PhysView v = b.view();
    char out[32];
    bool trunc = true;
    ASSERT_TRUE(v.read_cstr(0x2000, out, sizeof out, &trunc));
    EXPECT_STREQ(out, "hello");
    EXPECT_FALSE(trunc);
    ASSERT_TRUE(v.read_cstr(0x2003, out, sizeof out, nullptr));  // null truncated pointer is allowed
    EXPECT_STREQ(out, "lo");
    b.putstr(0x2010, "");
    ASSERT_TRUE(v.read_cstr(0x2010, out, sizeof out, &trunc));
    EXPECT_STREQ(out, "");
    EXPECT_FALSE(trunc);
}

TEST(PhysView, ReadCstrExactFitAndTruncation) {
    Blob b(0x2000, 64);
    b.putstr(0x2000, "abcdefg");  // 7 chars
    PhysView v = b.view();
    char out[8];
    bool trunc = true;
    ASSERT_TRUE(v.read_cstr(0x2000, out, 8, &trunc));  // exactly cap-1 chars
    EXPECT_STREQ(out, "abcdefg");
    EXPECT_FALSE(trunc);
    ASSERT_TRUE(v.read_cstr(0x2000, out, 7, &trunc));
    EXPECT_STREQ(out, "abcdef");
    EXPECT_TRUE(trunc);
    ASSERT_TRUE(v.read_cstr(0x2000, out, 1, &trunc));
    EXPECT_STREQ(out, "");
    EXPECT_TRUE(trunc);
}

TEST(PhysView, ReadCstrRunsOffView) {
    Blob b(0x2000, 8);
    b.putraw(0x2000, "abcdefgh");  // no NUL anywhere in the view
    PhysView v = b.view();
    char out[32];
    bool trunc = false;
    ASSERT_TRUE(v.read_cstr(0x2004, out, sizeof out, &trunc));
    EXPECT_STREQ(out, "efgh");
    EXPECT_TRUE(trunc);
    // Exact fit up to the view end but the NUL would be past it: still truncated.
    ASSERT_TRUE(v.read_cstr(0x2004, out, 5, &trunc));
    EXPECT_STREQ(out, "efgh");
    EXPECT_TRUE(trunc);
}

TEST(PhysView, ReadCstrFirstByteOutside) {
    Blob b(0x2000, 8);
    PhysView v = b.view();
    char out[8] = "keep";
    bool trunc = false;
    EXPECT_FALSE(v.read_cstr(0x2008, out, sizeof out, &trunc));
    EXPECT_FALSE(v.read_cstr(0x1FFF, out, sizeof out, &trunc));
    EXPECT_FALSE(v.read_cstr(0x2000, out, 0, &trunc));
}

TEST(PhysView, ReadCstrAtTopOfAddressSpace) {
    std::vector<uint8_t> mem(4, 'x');
    PhysView v(reinterpret_cast<uintptr_t>(mem.data()), UINT64_MAX - 3, 4);
    char out[16];
    bool trunc = false;
    ASSERT_TRUE(v.read_cstr(UINT64_MAX - 3, out, sizeof out, &trunc));
    EXPECT_STREQ(out, "xxxx");
    EXPECT_TRUE(trunc);
}

// ============================================================================
// BootInfo helpers
// ============================================================================

TEST(BootInfoNames, ProtocolAndMemType) {
    EXPECT_STREQ(hvb::protocol_name(BootProtocol::unknown), "unknown");
    EXPECT_STREQ(hvb::protocol_name(BootProtocol::multiboot1), "mb1");
    EXPECT_STREQ(hvb::protocol_name(BootProtocol::multiboot2), "mb2");
    EXPECT_STREQ(hvb::protocol_name(BootProtocol::pvh), "pvh");
    EXPECT_STREQ(hvb::protocol_name(static_cast<BootProtocol>(77)), "unknown");
    EXPECT_STREQ(hvb::mem_type_name(MemType::usable), "usable");
    EXPECT_STREQ(hvb::mem_type_name(MemType::reserved), "reserved");
    EXPECT_STREQ(hvb::mem_type_name(MemType::firmware_reclaimable), "firmware_reclaimable");
    EXPECT_STREQ(hvb::mem_type_name(MemType::firmware_nvs), "firmware_nvs");
    EXPECT_STREQ(hvb::mem_type_name(MemType::bad), "bad");
    EXPECT_STREQ(hvb::mem_type_name(static_cast<MemType>(99)), "unknown");
}

TEST(BootInfoUsableBytes, SumsOnlyUsableAndSaturates) {
    auto bi = std::make_unique<BootInfo>();
    std::memset(bi.get(), 0, sizeof(BootInfo));
    EXPECT_EQ(bi->usable_bytes(), 0u);
    bi->regions[0] = {0, 0x9F000, MemType::usable};
    bi->regions[1] = {0x9F000, 0x1000, MemType::reserved};
    bi->regions[2] = {0x100000, 0x7F00000, MemType::usable};
    bi->regions[3] = {0x8000000, 0x10000, MemType::firmware_reclaimable};
    bi->region_count = 4;
    EXPECT_EQ(bi->usable_bytes(), 0x9F000u + 0x7F00000u);
    bi->regions[4] = {0, UINT64_MAX, MemType::usable};
    bi->region_count = 5;
    EXPECT_EQ(bi->usable_bytes(), UINT64_MAX);
}

// ============================================================================
// Multiboot 1
// ============================================================================

constexpr uint32_t kMb1Mem = 1u << 0;
constexpr uint32_t kMb1Cmdline = 1u << 2;
constexpr uint32_t kMb1Mods = 1u << 3;
constexpr uint32_t kMb1Mmap = 1u << 6;
constexpr uint32_t kMb1Loader = 1u << 9;

struct Mb1Entry {
    uint64_t base, len;
    uint32_t type;
    uint32_t size = 20;  // the entry's size field (excludes itself)
};

// Writes mmap entries at phys; returns mmap_length.
uint32_t put_mb1_mmap(Blob& b, uint64_t phys, const std::vector<Mb1Entry>& es) {
    uint64_t p = phys;
    for (const auto& e : es) {
        b.put32(p, e.size);
        b.put64(p + 4, e.base);
        b.put64(p + 12, e.len);
        b.put32(p + 20, e.type);
        p += e.size + 4;
    }
    return static_cast<uint32_t>(p - phys);
}

// Layout of the full blob (base 0x9000): info 0x9000..0x9044, strings from
// 0x9100, module table at 0x9200, memory map at 0x9300 (last, so every
// truncation of the view cuts a structure the parser must read).
constexpr uint64_t kMb1Base = 0x9000;
const std::vector<Mb1Entry> kMb1Map = {
    {0x0, 0x9FC00, 1},
    {0x9FC00, 0x400, 2},
    {0xE0000, 0x20000, 2, 24},  // larger entry: stride must follow size
    {0x100000, 0x7EE0000, 1},
    {0x7FE0000, 0x20000, 3},
    {0x8000000, 0x1000, 4},
    {0x8001000, 0x1000, 5},
    {0xFEC00000, 0x1000, 12},   // unknown type -> reserved
    {0xFED00000, 0, 1},         // zero length -> dropped
};

Blob make_mb1_full(uint32_t* mmap_len_out = nullptr) {
    Blob b(kMb1Base, 0x400);
    const uint64_t info = kMb1Base;
    b.put32(info + 0, kMb1Mem | kMb1Cmdline | kMb1Mods | kMb1Mmap | kMb1Loader);
    b.put32(info + 4, 639);
    b.put32(info + 8, 130048);
    b.put32(info + 16, 0x9100);
    b.putstr(0x9100, "console=com1 bench=all");
    b.put32(info + 64, 0x9140);
    b.putstr(0x9140, "GRUB 0.97");
    b.putstr(0x9160, "initrd args");
    b.putstr(0x9180, "");
    // modules
    b.put32(info + 20, 2);
    b.put32(info + 24, 0x9200);
    b.put32(0x9200, 0x200000);
    b.put32(0x9204, 0x201000);
    b.put32(0x9208, 0x9160);
    b.put32(0x9210, 0x300000);
    b.put32(0x9214, 0x300000);  // empty module is fine
    b.put32(0x9218, 0x9180);
    // mmap
    uint32_t len = put_mb1_mmap(b, 0x9300, kMb1Map);
    b.put32(info + 44, len);
    b.put32(info + 48, 0x9300);
    if (mmap_len_out) *mmap_len_out = len;
    return b;
}

TEST(BootInfoMb1, FullValid) {
    Blob b = make_mb1_full();
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), kMb1Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    expect_message_sane(r);
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::multiboot1));
    EXPECT_STREQ(bi->cmdline, "console=com1 bench=all");
    EXPECT_FALSE(bi->cmdline_truncated);
    EXPECT_STREQ(bi->loader_name, "GRUB 0.97");
    EXPECT_EQ(bi->firmware_table, 0u);
    EXPECT_EQ(bi->firmware_table_copy_len, 0u);
    ASSERT_EQ(bi->module_count, 2u);
    EXPECT_EQ(bi->modules[0].start, 0x200000u);
    EXPECT_EQ(bi->modules[0].end, 0x201000u);
    EXPECT_STREQ(bi->modules[0].cmdline, "initrd args");
    EXPECT_EQ(bi->modules[1].start, 0x300000u);
    EXPECT_EQ(bi->modules[1].end, 0x300000u);
    EXPECT_STREQ(bi->modules[1].cmdline, "");
    // mmap wins over mem_lower/mem_upper; zero-length entry dropped.
    ASSERT_EQ(bi->region_count, 8u);
    EXPECT_FALSE(bi->regions_truncated);
    expect_region(*bi, 0, 0x0, 0x9FC00, MemType::usable);
    expect_region(*bi, 1, 0x9FC00, 0x400, MemType::reserved);
    expect_region(*bi, 2, 0xE0000, 0x20000, MemType::reserved);
    expect_region(*bi, 3, 0x100000, 0x7EE0000, MemType::usable);
    expect_region(*bi, 4, 0x7FE0000, 0x20000, MemType::firmware_reclaimable);
    expect_region(*bi, 5, 0x8000000, 0x1000, MemType::firmware_nvs);
    expect_region(*bi, 6, 0x8001000, 0x1000, MemType::bad);
    expect_region(*bi, 7, 0xFEC00000, 0x1000, MemType::reserved);
    EXPECT_EQ(bi->usable_bytes(), 0x9FC00u + 0x7EE0000u);
}

TEST(BootInfoMb1, MinimalFlagsZero) {
    Blob b(0x1000, 4);  // only the flags word exists
    b.put32(0x1000, 0);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::multiboot1));
    EXPECT_STREQ(bi->cmdline, "");
    EXPECT_STREQ(bi->loader_name, "");
    EXPECT_FALSE(bi->cmdline_truncated);
    EXPECT_EQ(bi->region_count, 0u);
    EXPECT_FALSE(bi->regions_truncated);
    EXPECT_EQ(bi->module_count, 0u);
    EXPECT_EQ(bi->firmware_table, 0u);
}

TEST(BootInfoMb1, BasicMeminfoSynthesizesRegions) {
    Blob b(0x1000, 12);
    b.put32(0x1000, kMb1Mem);
    b.put32(0x1004, 639);
    b.put32(0x1008, 64512);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    ASSERT_EQ(bi->region_count, 2u);
    expect_region(*bi, 0, 0, 639 * 1024ull, MemType::usable);
    expect_region(*bi, 1, 0x100000, 64512 * 1024ull, MemType::usable);
    EXPECT_EQ(bi->usable_bytes(), (639 + 64512) * 1024ull);
}

TEST(BootInfoMb1, BasicMeminfoZeroLowerDropped) {
    Blob b(0x1000, 12);
    b.put32(0x1000, kMb1Mem);
    b.put32(0x1004, 0);
    b.put32(0x1008, 0xFFFFFFFF);  // max upper: no overflow in KiB -> bytes
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_multiboot1(b.view(), 0x1000, *bi).ok);
    ASSERT_EQ(bi->region_count, 1u);
    expect_region(*bi, 0, 0x100000, 0xFFFFFFFFull * 1024, MemType::usable);
}

TEST(BootInfoMb1, NullPointersGiveEmptyStrings) {
    Blob b(0x1000, 0x44);
    b.put32(0x1000, kMb1Cmdline | kMb1Loader | kMb1Mods | kMb1Mmap);
    // cmdline, loader name, mods_count, mmap_length all 0
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->cmdline, "");
    EXPECT_STREQ(bi->loader_name, "");
    EXPECT_EQ(bi->module_count, 0u);
    EXPECT_EQ(bi->region_count, 0u);
}

TEST(BootInfoMb1, InfoOutsideView) {
    Blob b(0x1000, 0x44);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x5000, *bi);
    EXPECT_FALSE(r.ok);
    expect_message_sane(r);
    EXPECT_TRUE(msg_has(r, "0x5000")) << r.message;
    r = hvb::parse_multiboot1(b.view(), UINT64_MAX - 1, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::multiboot1));
}

TEST(BootInfoMb1, FlaggedFieldBeyondView) {
    // boot_loader_name flagged, but the view ends before offset 64.
    Blob b(0x1000, 60);
    b.put32(0x1000, kMb1Loader);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
    expect_message_sane(r);
    EXPECT_TRUE(msg_has(r, "boot_loader_name")) << r.message;
}

TEST(BootInfoMb1, CmdlinePointerOutsideView) {
    Blob b(0x1000, 0x44);
    b.put32(0x1000, kMb1Cmdline);
    b.put32(0x1010, 0x80000);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "cmdline")) << r.message;
    EXPECT_TRUE(msg_has(r, "0x80000")) << r.message;
}

TEST(BootInfoMb1, LoaderNamePointerOutsideView) {
    Blob b(0x1000, 0x44);
    b.put32(0x1000, kMb1Loader);
    b.put32(0x1040, 0x10);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "boot_loader_name")) << r.message;
}

TEST(BootInfoMb1, CmdlineTruncation) {
    Blob b(0x1000, 0x1000);
    b.put32(0x1000, kMb1Cmdline | kMb1Loader);
    std::string longcmd(2000, 'c');
    b.put32(0x1010, 0x1100);
    b.putstr(0x1100, longcmd);
    std::string longname(100, 'n');
    b.put32(0x1040, 0x1900);
    b.putstr(0x1900, longname);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_TRUE(bi->cmdline_truncated);
    EXPECT_EQ(std::strlen(bi->cmdline), BootInfo::kCmdlineMax - 1);
    EXPECT_EQ(std::string(bi->cmdline), longcmd.substr(0, BootInfo::kCmdlineMax - 1));
    EXPECT_EQ(std::string(bi->loader_name), longname.substr(0, BootInfo::kLoaderMax - 1));
}

TEST(BootInfoMb1, CmdlineExactlyMaxNotTruncated) {
    Blob b(0x1000, 0x1000);
    b.put32(0x1000, kMb1Cmdline);
    std::string cmd(BootInfo::kCmdlineMax - 1, 'x');
    b.put32(0x1010, 0x1100);
    b.putstr(0x1100, cmd);
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_multiboot1(b.view(), 0x1000, *bi).ok);
    EXPECT_FALSE(bi->cmdline_truncated);
    EXPECT_EQ(std::string(bi->cmdline), cmd);
}

TEST(BootInfoMb1, MmapEntrySizeTooSmall) {
    Blob b = make_mb1_full();
    b.put32(0x9300 + 24, 16);  // second entry's size field
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), kMb1Base, *bi);
    EXPECT_FALSE(r.ok);
    expect_message_sane(r);
    EXPECT_TRUE(msg_has(r, "size 16")) << r.message;
    EXPECT_EQ(bi->region_count, 1u);  // what was parsed before the error stays
}

TEST(BootInfoMb1, MmapLengthNotMatchingEntries) {
    uint32_t len = 0;
    Blob b = make_mb1_full(&len);
    auto bi = make_info();
    // Trailing bytes that do not form an entry.
    for (uint32_t extra : {1u, 3u, 4u, 10u, 23u}) {
        b.put32(kMb1Base + 44, len + extra);
        BootParseResult r = hvb::parse_multiboot1(b.view(), kMb1Base, *bi);
        EXPECT_FALSE(r.ok) << "extra " << extra;
        expect_message_sane(r);
    }
    // An mmap_length cutting the last entry in half.
    for (uint32_t cut = 1; cut < 24; ++cut) {
        b.put32(kMb1Base + 44, len - cut);
        BootParseResult r = hvb::parse_multiboot1(b.view(), kMb1Base, *bi);
        EXPECT_FALSE(r.ok) << "cut " << cut;
    }
    // Dropping exactly the last entry is fine.
    b.put32(kMb1Base + 44, len - 24);
    BootParseResult r = hvb::parse_multiboot1(b.view(), kMb1Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(bi->region_count, 8u);  // last entry was the zero-length one
}

TEST(BootInfoMb1, MmapEntrySizeRunsPastLength) {
    Blob b(0x1000, 0x100);
    b.put32(0x1000, kMb1Mmap);
    b.put32(0x1000 + 44, 24);
    b.put32(0x1000 + 48, 0x1080);
    b.put32(0x1080, 0xFFFFFFFF);  // huge size: must not wrap
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "mmap_length")) << r.message;
}

TEST(BootInfoMb1, MmapOutsideView) {
    Blob b(0x9000, 0x100);
    b.put32(0x9000, kMb1Mmap);
    b.put32(0x9000 + 44, 48);
    b.put32(0x9000 + 48, 0x90F8);  // first entry straddles the view end
    b.put32(0x90F8, 20);           // its size field is still inside
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x9000, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "mmap entry at 0x90f8 outside memory")) << r.message;
    b.put32(0x9000 + 48, 0xFFFFFFF0);
    r = hvb::parse_multiboot1(b.view(), 0x9000, *bi);
    EXPECT_FALSE(r.ok);
    b.put32(0x9000 + 48, 0);  // null with a length
    r = hvb::parse_multiboot1(b.view(), 0x9000, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "mmap_addr")) << r.message;
}

TEST(BootInfoMb1, RegionOverflow) {
    const size_t n = BootInfo::kMaxRegions + 70;
    Blob b(0x1000, 0x100 + n * 24);
    std::vector<Mb1Entry> es;
    for (size_t i = 0; i < n; ++i) es.push_back({i * 0x1000, 0x1000, 1});
    uint32_t len = put_mb1_mmap(b, 0x1100, es);
    b.put32(0x1000, kMb1Mmap);
    b.put32(0x1000 + 44, len);
    b.put32(0x1000 + 48, 0x1100);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(bi->region_count, BootInfo::kMaxRegions);
    EXPECT_TRUE(bi->regions_truncated);
    expect_region(*bi, BootInfo::kMaxRegions - 1, (BootInfo::kMaxRegions - 1) * 0x1000, 0x1000, MemType::usable);
}

TEST(BootInfoMb1, ExactlyMaxRegionsNotTruncated) {
    const size_t n = BootInfo::kMaxRegions;
    Blob b(0x1000, 0x100 + (n + 1) * 24);
    std::vector<Mb1Entry> es;
    for (size_t i = 0; i < n; ++i) es.push_back({i * 0x1000, 0x1000, 1});
    es.push_back({0x12345000, 0, 1});  // a zero-length extra does not count
    uint32_t len = put_mb1_mmap(b, 0x1100, es);
    b.put32(0x1000, kMb1Mmap);
    b.put32(0x1000 + 44, len);
    b.put32(0x1000 + 48, 0x1100);
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_multiboot1(b.view(), 0x1000, *bi).ok);
    EXPECT_EQ(bi->region_count, n);
    EXPECT_FALSE(bi->regions_truncated);
}

TEST(BootInfoMb1, RegionLengthClampedAt2To64) {
    Blob b(0x1000, 0x100);
    uint32_t len = put_mb1_mmap(b, 0x1080, {{0xFFFFFFFFFFFFF000ull, 0x10000, 2}});
    b.put32(0x1000, kMb1Mmap);
    b.put32(0x1000 + 44, len);
    b.put32(0x1000 + 48, 0x1080);
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_multiboot1(b.view(), 0x1000, *bi).ok);
    ASSERT_EQ(bi->region_count, 1u);
    EXPECT_EQ(bi->regions[0].base, 0xFFFFFFFFFFFFF000ull);
    EXPECT_EQ(bi->regions[0].length, 0xFFFull);  // base + length does not wrap
}

TEST(BootInfoMb1, ModuleOverflowKeepsFirst) {
    const uint32_t n = 11;
    Blob b(0x1000, 0x400);
    b.put32(0x1000, kMb1Mods);
    b.put32(0x1000 + 20, n);
    b.put32(0x1000 + 24, 0x1100);
    for (uint32_t i = 0; i < n; ++i) {
        b.put32(0x1100 + i * 16, 0x100000 + i * 0x1000);
        b.put32(0x1104 + i * 16, 0x100800 + i * 0x1000);
        b.put32(0x1108 + i * 16, 0x1300 + i * 8);
        b.putstr(0x1300 + i * 8, "m" + std::to_string(i));
    }
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    ASSERT_EQ(bi->module_count, BootInfo::kMaxModules);
    EXPECT_STREQ(bi->modules[7].cmdline, "m7");
    EXPECT_EQ(bi->modules[7].start, 0x107000u);
    EXPECT_EQ(bi->modules[7].end, 0x107800u);
}

TEST(BootInfoMb1, ModuleCmdlineTruncatedSilently) {
    Blob b(0x1000, 0x400);
    b.put32(0x1000, kMb1Mods);
    b.put32(0x1000 + 20, 1);
    b.put32(0x1000 + 24, 0x1100);
    b.put32(0x1100, 0x200000);
    b.put32(0x1104, 0x200010);
    b.put32(0x1108, 0x1200);
    b.putstr(0x1200, std::string(300, 'q'));
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_multiboot1(b.view(), 0x1000, *bi).ok);
    EXPECT_EQ(std::string(bi->modules[0].cmdline), std::string(sizeof(BootModule::cmdline) - 1, 'q'));
}

TEST(BootInfoMb1, ModuleTableProblems) {
    Blob b(0x1000, 0x200);
    b.put32(0x1000, kMb1Mods);
    b.put32(0x1000 + 24, 0x1100);
    auto bi = make_info();
    // Huge count: the table would extend far past the view.
    b.put32(0x1000 + 20, 0xFFFFFFFF);
    BootParseResult r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "module table")) << r.message;
    // Table straddling the view end by one entry.
    b.put32(0x1000 + 20, 17);  // 0x1100 + 17*16 = 0x1210 > 0x1200
    r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
    b.put32(0x1000 + 20, 16);  // exactly fits
    r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_TRUE(r.ok) << r.message;
    // Null table pointer.
    b.put32(0x1000 + 24, 0);
    b.put32(0x1000 + 20, 1);
    r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "mods_addr")) << r.message;
    // Module string outside the view.
    b.put32(0x1000 + 24, 0x1100);
    b.put32(0x1108, 0x7000);
    r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "module 0 string")) << r.message;
    // End before start.
    b.put32(0x1108, 0);
    b.put32(0x1100, 0x2000);
    b.put32(0x1104, 0x1000);
    r = hvb::parse_multiboot1(b.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
}

TEST(BootInfoMb1, TruncatedViewsFailCleanly) {
    Blob b = make_mb1_full();
    uint32_t len = b.get32(kMb1Base + 44);
    const size_t full = 0x300 + len;  // the mmap is the last structure
    auto bi = make_info();
    for (size_t cut = 0; cut < full; ++cut) {
        auto p = b.prefix(cut);
        BootParseResult r = hvb::parse_multiboot1(p.view, kMb1Base, *bi);
        EXPECT_FALSE(r.ok) << "view length " << cut;
        expect_message_sane(r);
    }
    auto p = b.prefix(full);
    BootParseResult r = hvb::parse_multiboot1(p.view, kMb1Base, *bi);
    EXPECT_TRUE(r.ok) << r.message;
    EXPECT_EQ(bi->region_count, 8u);
}

// ============================================================================
// Multiboot 2
// ============================================================================

// Builds a multiboot2 information structure (spec 3.6) tag by tag.
class Mb2Builder {
public:
    Mb2Builder() : data_(8, 0) {}

    // Appends a tag with the given payload; size = 8 + payload unless forced.
    size_t tag(uint32_t type, const std::vector<uint8_t>& payload, int64_t forced_size = -1) {
        align();
        size_t off = data_.size();
        uint32_t size = forced_size >= 0 ? static_cast<uint32_t>(forced_size)
                                         : static_cast<uint32_t>(8 + payload.size());
        append32(type);
        append32(size);
        data_.insert(data_.end(), payload.begin(), payload.end());
        return off;
    }
    size_t str_tag(uint32_t type, const std::string& s) {
        std::vector<uint8_t> p(s.begin(), s.end());
        p.push_back(0);
        return tag(type, p);
    }
    size_t module(uint32_t start, uint32_t end, const std::string& s) {
        std::vector<uint8_t> p;
        put32(p, start);
        put32(p, end);
        p.insert(p.end(), s.begin(), s.end());
        p.push_back(0);
        return tag(3, p);
    }
    size_t meminfo(uint32_t lower, uint32_t upper) {
        std::vector<uint8_t> p;
        put32(p, lower);
        put32(p, upper);
        return tag(4, p);
    }
    struct E {
        uint64_t base, len;
        uint32_t type;
    };
    size_t mmap(const std::vector<E>& es, uint32_t entry_size = 24) {
        std::vector<uint8_t> p;
        put32(p, entry_size);
        put32(p, 0);
        for (const auto& e : es) {
            size_t start = p.size();
            put64(p, e.base);
            put64(p, e.len);
            put32(p, e.type);
            p.resize(start + entry_size, 0xEE);  // reserved + any extension bytes
        }
        return tag(6, p);
    }
    size_t end_tag() { return tag(0, {}); }

    // Writes total_size (the real length unless forced) and returns the bytes.
    std::vector<uint8_t> finish(int64_t forced_total = -1) {
        uint32_t total = forced_total >= 0 ? static_cast<uint32_t>(forced_total)
                                           : static_cast<uint32_t>(data_.size());
        std::memcpy(data_.data(), &total, 4);
        return data_;
    }
    size_t size() const { return data_.size(); }

    static void put32(std::vector<uint8_t>& v, uint32_t x) {
        uint8_t b[4];
        std::memcpy(b, &x, 4);
        v.insert(v.end(), b, b + 4);
    }
    static void put64(std::vector<uint8_t>& v, uint64_t x) {
        uint8_t b[8];
        std::memcpy(b, &x, 8);
        v.insert(v.end(), b, b + 8);
    }

private:
    void align() {
        while (data_.size() % 8 != 0) data_.push_back(0);
    }
    void append32(uint32_t x) { put32(data_, x); }
    std::vector<uint8_t> data_;
};

constexpr uint64_t kMb2Base = 0x10000;

Blob place(const std::vector<uint8_t>& bytes, uint64_t base = kMb2Base, size_t extra = 0) {
    Blob b(base, bytes.size() + extra);
    b.putbytes(base, bytes.data(), bytes.size());
    return b;
}

std::vector<uint8_t> rsdp_bytes(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i);
    std::memcpy(v.data(), "RSD PTR ", 8);
    return v;
}

struct Mb2Full {
    std::vector<uint8_t> bytes;
    size_t rsdp_new_off;
};

Mb2Full make_mb2_full() {
    Mb2Builder m;
    m.str_tag(1, "bench=cpuid iters=1000");
    m.str_tag(2, "GRUB 2.06");
    m.module(0x400000, 0x401234, "mod0 arg");
    m.module(0x500000, 0x500000, "");
    m.meminfo(639, 1000);  // ignored: a memory map is present
    m.tag(21, {1, 2, 3, 4, 5});  // load base address: unknown to us, skipped
    size_t rsdp_new = m.tag(15, rsdp_bytes(36, 0x40));
    m.tag(14, rsdp_bytes(20, 0x80));  // after 15, must not override it
    m.mmap({{0, 0x9FC00, 1},
            {0x9FC00, 0x400, 2},
            {0x100000, 0x3FEE0000, 1},
            {0x3FFE0000, 0x20000, 3},
            {0x40000000, 0x1000, 4},
            {0x40001000, 0, 1},       // zero length: dropped
            {0xFEE00000, 0x1000, 0},  // type 0: reserved
            {0x41000000, 0x1000, 5}});
    m.end_tag();
    return {m.finish(), rsdp_new};
}

TEST(BootInfoMb2, FullValid) {
    Mb2Full f = make_mb2_full();
    Blob b = place(f.bytes);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    expect_message_sane(r);
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::multiboot2));
    EXPECT_STREQ(bi->cmdline, "bench=cpuid iters=1000");
    EXPECT_FALSE(bi->cmdline_truncated);
    EXPECT_STREQ(bi->loader_name, "GRUB 2.06");
    ASSERT_EQ(bi->module_count, 2u);
    EXPECT_EQ(bi->modules[0].start, 0x400000u);
    EXPECT_EQ(bi->modules[0].end, 0x401234u);
    EXPECT_STREQ(bi->modules[0].cmdline, "mod0 arg");
    EXPECT_EQ(bi->modules[1].start, 0x500000u);
    EXPECT_STREQ(bi->modules[1].cmdline, "");
    // RSDP: the v2 copy, at tag address + 8.
    EXPECT_EQ(bi->firmware_table, kMb2Base + f.rsdp_new_off + 8);
    ASSERT_EQ(bi->firmware_table_copy_len, 36u);
    auto want = rsdp_bytes(36, 0x40);
    EXPECT_EQ(std::memcmp(bi->firmware_table_copy, want.data(), 36), 0);
    // Memory map, meminfo ignored.
    ASSERT_EQ(bi->region_count, 7u);
    EXPECT_FALSE(bi->regions_truncated);
    expect_region(*bi, 0, 0, 0x9FC00, MemType::usable);
    expect_region(*bi, 1, 0x9FC00, 0x400, MemType::reserved);
    expect_region(*bi, 2, 0x100000, 0x3FEE0000, MemType::usable);
    expect_region(*bi, 3, 0x3FFE0000, 0x20000, MemType::firmware_reclaimable);
    expect_region(*bi, 4, 0x40000000, 0x1000, MemType::firmware_nvs);
    expect_region(*bi, 5, 0xFEE00000, 0x1000, MemType::reserved);
    expect_region(*bi, 6, 0x41000000, 0x1000, MemType::bad);
    EXPECT_EQ(bi->usable_bytes(), 0x9FC00u + 0x3FEE0000u);
}

TEST(BootInfoMb2, NewRsdpWinsInEitherOrder) {
    Mb2Builder m;
    m.tag(14, rsdp_bytes(20, 0x10));
    size_t off15 = m.tag(15, rsdp_bytes(36, 0x20));
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
    EXPECT_EQ(bi->firmware_table_copy_len, 36u);
    EXPECT_EQ(bi->firmware_table, kMb2Base + off15 + 8);
    EXPECT_EQ(bi->firmware_table_copy[8], 0x28);
}

TEST(BootInfoMb2, OldRsdpOnly) {
    Mb2Builder m;
    size_t off14 = m.tag(14, rsdp_bytes(20, 0x10));
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    ASSERT_EQ(bi->firmware_table_copy_len, 20u);
    EXPECT_EQ(bi->firmware_table, kMb2Base + off14 + 8);
    auto want = rsdp_bytes(20, 0x10);
    EXPECT_EQ(std::memcmp(bi->firmware_table_copy, want.data(), 20), 0);
    EXPECT_EQ(bi->firmware_table_copy[20], 0);  // rest stays zero
}

TEST(BootInfoMb2, RsdpTagsTooSmall) {
    for (uint32_t type : {14u, 15u}) {
        Mb2Builder m;
        m.tag(type, rsdp_bytes(type == 14 ? 19 : 35, 0));
        m.end_tag();
        Blob b = place(m.finish());
        auto bi = make_info();
        BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
        EXPECT_FALSE(r.ok) << type;
        expect_message_sane(r);
        EXPECT_EQ(bi->firmware_table, 0u);
    }
}

TEST(BootInfoMb2, Minimal) {
    Mb2Builder m;
    m.end_tag();
    std::vector<uint8_t> bytes = m.finish();
    ASSERT_EQ(bytes.size(), 16u);
    Blob b = place(bytes);
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::multiboot2));
    EXPECT_STREQ(bi->cmdline, "");
    EXPECT_STREQ(bi->loader_name, "");
    EXPECT_EQ(bi->region_count, 0u);
    EXPECT_EQ(bi->module_count, 0u);
    EXPECT_EQ(bi->firmware_table, 0u);
    EXPECT_EQ(bi->firmware_table_copy_len, 0u);
}

TEST(BootInfoMb2, BytesAfterEndTagIgnored) {
    Mb2Builder m;
    m.end_tag();
    m.tag(1, {'x'});  // junk after the end: never looked at
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->cmdline, "");
}

TEST(BootInfoMb2, BasicMeminfoOnly) {
    Mb2Builder m;
    m.meminfo(640, 2048);
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
    ASSERT_EQ(bi->region_count, 2u);
    expect_region(*bi, 0, 0, 640 * 1024, MemType::usable);
    expect_region(*bi, 1, 0x100000, 2048 * 1024, MemType::usable);
}

TEST(BootInfoMb2, MeminfoAfterMmapStillIgnored) {
    Mb2Builder m;
    m.mmap({{0x100000, 0x1000, 1}});
    m.meminfo(640, 2048);
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
    ASSERT_EQ(bi->region_count, 1u);
    expect_region(*bi, 0, 0x100000, 0x1000, MemType::usable);
}

TEST(BootInfoMb2, MmapEntrySizeIsStride) {
    Mb2Builder m;
    m.mmap({{0x1000, 0x2000, 1}, {0x5000, 0x3000, 3}, {0x9000, 0x1000, 77}}, 40);
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    ASSERT_EQ(bi->region_count, 3u);
    expect_region(*bi, 0, 0x1000, 0x2000, MemType::usable);
    expect_region(*bi, 1, 0x5000, 0x3000, MemType::firmware_reclaimable);
    expect_region(*bi, 2, 0x9000, 0x1000, MemType::reserved);
}

TEST(BootInfoMb2, MmapEntrySizeTooSmall) {
    for (uint32_t es : {0u, 1u, 20u, 23u}) {
        Mb2Builder m;
        std::vector<uint8_t> p;
        Mb2Builder::put32(p, es);
        Mb2Builder::put32(p, 0);
        p.resize(p.size() + 48, 0);
        m.tag(6, p);
        m.end_tag();
        Blob b = place(m.finish());
        auto bi = make_info();
        BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
        EXPECT_FALSE(r.ok) << es;
        EXPECT_TRUE(msg_has(r, "entry_size")) << r.message;
    }
}

TEST(BootInfoMb2, MmapPartialEntry) {
    Mb2Builder m;
    std::vector<uint8_t> p;
    Mb2Builder::put32(p, 24);
    Mb2Builder::put32(p, 0);
    p.resize(p.size() + 24 + 16, 0);  // one and two-thirds entries
    m.tag(6, p);
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    EXPECT_FALSE(r.ok);
    expect_message_sane(r);
}

TEST(BootInfoMb2, MmapTagTooSmallForHeader) {
    Mb2Builder m;
    m.tag(6, {24, 0, 0, 0});  // entry_size but no entry_version
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    EXPECT_FALSE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
}

TEST(BootInfoMb2, TotalSizeTooSmall) {
    for (uint32_t ts : {0u, 8u, 15u}) {
        Mb2Builder m;
        m.end_tag();
        Blob b = place(m.finish(ts));
        auto bi = make_info();
        BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
        EXPECT_FALSE(r.ok) << ts;
        EXPECT_TRUE(msg_has(r, "total_size")) << r.message;
    }
}

TEST(BootInfoMb2, TotalSizeBeyondView) {
    Mb2Builder m;
    m.end_tag();
    for (uint32_t ts : {17u, 24u, 0x10000u, 0xFFFFFFFFu}) {
        Blob b = place(m.finish(ts));
        auto bi = make_info();
        BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
        EXPECT_FALSE(r.ok) << ts;
        EXPECT_TRUE(msg_has(r, "outside memory")) << r.message;
    }
    // At the top of the address space the range would wrap.
    Blob b = place(m.finish(), UINT64_MAX - 15);
    auto bi = make_info();
    EXPECT_TRUE(hvb::parse_multiboot2(b.view(), UINT64_MAX - 15, *bi).ok);
    Blob b2 = place(m.finish(32), UINT64_MAX - 15);
    EXPECT_FALSE(hvb::parse_multiboot2(b2.view(), UINT64_MAX - 15, *bi).ok);
}

TEST(BootInfoMb2, InfoOutsideView) {
    Mb2Builder m;
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base + 0x100, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "0x10100")) << r.message;
    EXPECT_FALSE(hvb::parse_multiboot2(b.view(), UINT64_MAX - 2, *bi).ok);
}

TEST(BootInfoMb2, TagSizeBelowHeader) {
    for (int64_t sz : {0, 1, 7}) {
        Mb2Builder m;
        m.tag(1, {'a', 0, 0, 0, 0, 0, 0, 0}, sz);
        m.end_tag();
        Blob b = place(m.finish());
        auto bi = make_info();
        BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
        EXPECT_FALSE(r.ok) << sz;
        EXPECT_TRUE(msg_has(r, "< 8")) << r.message;
    }
}

TEST(BootInfoMb2, TagRunsPastTotalSize) {
    Mb2Builder m;
    m.tag(1, {'a', 0}, 4000);
    m.end_tag();
    Blob b = place(m.finish(), kMb2Base, 8192);  // the bytes exist, total_size says no
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "runs past total_size")) << r.message;
    // Huge tag size must not wrap the offset arithmetic.
    Mb2Builder m2;
    m2.tag(99, {}, 0xFFFFFFFF);
    m2.end_tag();
    Blob b2 = place(m2.finish());
    r = hvb::parse_multiboot2(b2.view(), kMb2Base, *bi);
    EXPECT_FALSE(r.ok);
}

TEST(BootInfoMb2, MissingEndTag) {
    Mb2Builder m;
    m.str_tag(1, "abc");
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "end tag")) << r.message;
    EXPECT_STREQ(bi->cmdline, "abc");  // parsed before the error was found
    // total_size not a multiple of 8, so the next tag offset lands past it.
    Mb2Builder m2;
    m2.tag(1, {'a', 'b', 0});
    std::vector<uint8_t> bytes = m2.finish();
    Blob b2 = place(bytes, kMb2Base, 16);
    r = hvb::parse_multiboot2(b2.view(), kMb2Base, *bi);
    EXPECT_FALSE(r.ok);
}

TEST(BootInfoMb2, UnterminatedStrings) {
    for (uint32_t type : {1u, 2u}) {
        Mb2Builder m;
        m.tag(type, {'a', 'b', 'c'});
        m.end_tag();
        Blob b = place(m.finish());
        auto bi = make_info();
        BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
        EXPECT_FALSE(r.ok);
        EXPECT_TRUE(msg_has(r, "not terminated")) << r.message;
        EXPECT_TRUE(msg_has(r, type == 1 ? "tag 1" : "tag 2")) << r.message;
        EXPECT_STREQ(type == 1 ? bi->cmdline : bi->loader_name, "abc");  // still copied
    }
    // Empty string payload (size 8): no NUL at all.
    Mb2Builder m;
    m.tag(1, {});
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    EXPECT_FALSE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
}

TEST(BootInfoMb2, ModuleTagProblems) {
    auto bi = make_info();
    {  // no string
        Mb2Builder m;
        std::vector<uint8_t> p;
        Mb2Builder::put32(p, 0x1000);
        Mb2Builder::put32(p, 0x2000);
        m.tag(3, p);
        m.end_tag();
        Blob b = place(m.finish());
        EXPECT_FALSE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
    }
    {  // too small for mod_end
        Mb2Builder m;
        m.tag(3, {0, 0, 1, 0});
        m.end_tag();
        Blob b = place(m.finish());
        EXPECT_FALSE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
    }
    {  // unterminated string
        Mb2Builder m;
        std::vector<uint8_t> p;
        Mb2Builder::put32(p, 0x1000);
        Mb2Builder::put32(p, 0x2000);
        p.push_back('z');
        m.tag(3, p);
        m.end_tag();
        Blob b = place(m.finish());
        BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
        EXPECT_FALSE(r.ok);
        EXPECT_TRUE(msg_has(r, "not terminated")) << r.message;
    }
    {  // end before start
        Mb2Builder m;
        m.module(0x2000, 0x1000, "x");
        m.end_tag();
        Blob b = place(m.finish());
        EXPECT_FALSE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
    }
}

TEST(BootInfoMb2, ModuleOverflowKeepsFirstButValidatesAll) {
    Mb2Builder m;
    for (uint32_t i = 0; i < 12; ++i) m.module(0x100000 * (i + 1), 0x100000 * (i + 1) + 0x10, "mod" + std::to_string(i));
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    ASSERT_EQ(bi->module_count, BootInfo::kMaxModules);
    EXPECT_STREQ(bi->modules[0].cmdline, "mod0");
    EXPECT_STREQ(bi->modules[7].cmdline, "mod7");
    EXPECT_EQ(bi->modules[7].start, 0x800000u);

    // A malformed module after the kept ones is still an error.
    Mb2Builder m2;
    for (uint32_t i = 0; i < 9; ++i) m2.module(0x1000, 0x2000, "ok");
    m2.tag(3, {0, 0x10, 0, 0, 0, 0x20, 0, 0, 'n', 'o'});
    m2.end_tag();
    Blob b2 = place(m2.finish());
    EXPECT_FALSE(hvb::parse_multiboot2(b2.view(), kMb2Base, *bi).ok);
}

TEST(BootInfoMb2, ModuleCmdlineTruncated) {
    Mb2Builder m;
    m.module(0x1000, 0x2000, std::string(500, 'k'));
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
    EXPECT_EQ(std::string(bi->modules[0].cmdline), std::string(sizeof(BootModule::cmdline) - 1, 'k'));
}

TEST(BootInfoMb2, CmdlineTruncation) {
    Mb2Builder m;
    std::string longcmd(3000, 'y');
    longcmd[1500] = 'Z';
    m.str_tag(1, longcmd);
    m.str_tag(2, std::string(200, 'L'));
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_TRUE(bi->cmdline_truncated);
    EXPECT_EQ(std::string(bi->cmdline), longcmd.substr(0, BootInfo::kCmdlineMax - 1));
    EXPECT_EQ(std::string(bi->loader_name), std::string(BootInfo::kLoaderMax - 1, 'L'));
}

TEST(BootInfoMb2, CmdlineTruncatedAndUnterminatedFails) {
    Mb2Builder m;
    std::string longcmd(3000, 'y');
    m.tag(1, std::vector<uint8_t>(longcmd.begin(), longcmd.end()));
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    EXPECT_FALSE(hvb::parse_multiboot2(b.view(), kMb2Base, *bi).ok);
}

TEST(BootInfoMb2, RegionOverflow) {
    std::vector<Mb2Builder::E> es;
    for (uint64_t i = 0; i < BootInfo::kMaxRegions + 5; ++i) es.push_back({i << 20, 1 << 20, 1});
    Mb2Builder m;
    m.mmap(es);
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(bi->region_count, BootInfo::kMaxRegions);
    EXPECT_TRUE(bi->regions_truncated);
    EXPECT_EQ(bi->usable_bytes(), BootInfo::kMaxRegions << 20);
}

TEST(BootInfoMb2, UnknownTagsSkippedWithAlignment) {
    Mb2Builder m;
    m.tag(8, {1, 2, 3});  // framebuffer-ish, odd size: next tag must be realigned
    m.tag(0x7777, std::vector<uint8_t>(13, 0xCC));
    m.str_tag(1, "after");
    m.end_tag();
    Blob b = place(m.finish());
    auto bi = make_info();
    BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->cmdline, "after");
}

TEST(BootInfoMb2, EveryTruncatedViewFails) {
    std::vector<uint8_t> bytes = make_mb2_full().bytes;
    Blob b = place(bytes);
    auto bi = make_info();
    for (size_t len = 0; len < bytes.size(); ++len) {
        auto p = b.prefix(len);
        BootParseResult r = hvb::parse_multiboot2(p.view, kMb2Base, *bi);
        EXPECT_FALSE(r.ok) << "view length " << len;
        expect_message_sane(r);
    }
    auto p = b.prefix(bytes.size());
    EXPECT_TRUE(hvb::parse_multiboot2(p.view, kMb2Base, *bi).ok);
}

TEST(BootInfoMb2, EveryShorterTotalSizeFails) {
    std::vector<uint8_t> bytes = make_mb2_full().bytes;
    auto bi = make_info();
    for (uint32_t ts = 0; ts < bytes.size(); ++ts) {
        std::memcpy(bytes.data(), &ts, 4);
        // Exactly-sized copy so ASan sees any read past total_size's bytes too.
        Blob b = place(std::vector<uint8_t>(bytes.begin(), bytes.begin() + std::max<size_t>(ts, 4)));
        BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
        EXPECT_FALSE(r.ok) << "total_size " << ts;
        expect_message_sane(r);
        // With the whole blob in view, a short total_size must still fail.
        Blob whole = place(bytes);
        r = hvb::parse_multiboot2(whole.view(), kMb2Base, *bi);
        EXPECT_FALSE(r.ok) << "total_size " << ts << " (whole view)";
    }
}

TEST(BootInfoMb2, RandomCorruptionNeverCrashes) {
    // Not a correctness check of each outcome: ASan/UBSan check that no
    // mutation makes the parser read outside the view or hit UB.
    std::vector<uint8_t> good = make_mb2_full().bytes;
    std::mt19937 rng(12345);
    auto bi = make_info();
    int ok = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        std::vector<uint8_t> bytes = good;
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) {
            size_t pos = rng() % bytes.size();
            bytes[pos] = (rng() % 3 == 0) ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>(bytes[pos] ^ (1u << (rng() % 8)));
        }
        Blob b = place(bytes);
        BootParseResult r = hvb::parse_multiboot2(b.view(), kMb2Base, *bi);
        expect_message_sane(r);
        if (r.ok) {
            ++ok;
            EXPECT_LE(bi->region_count, BootInfo::kMaxRegions);
            EXPECT_LE(bi->module_count, BootInfo::kMaxModules);
            EXPECT_LE(bi->firmware_table_copy_len, BootInfo::kFirmwareTableCopyMax);
        }
    }
    EXPECT_GT(ok, 0);  // some mutations (payload bytes) are harmless
}

// ============================================================================
// PVH
// ============================================================================

constexpr uint64_t kPvhBase = 0x6000;

struct PvhLayout {
    uint64_t modlist = 0x6100;
    uint64_t memmap = 0x6200;
    uint64_t strings = 0x6400;
};

// start_info at 0x6000, module list 0x6100, memmap 0x6200, strings 0x6400.
Blob make_pvh_full(uint32_t version = 1) {
    Blob b(kPvhBase, 0x500);
    const uint64_t s = kPvhBase;
    b.put32(s + 0, hvb::kPvhStartMagic);
    b.put32(s + 4, version);
    b.put32(s + 8, 0);
    b.put32(s + 12, 2);
    b.put64(s + 16, 0x6100);
    b.put64(s + 24, 0x6400);
    b.put64(s + 32, 0xF5A40);
    b.put64(s + 40, 0x6200);
    b.put32(s + 48, 5);
    b.putstr(0x6400, "bench=all console=hvc0");
    b.putstr(0x6440, "initrd.img x=1");
    // modules: paddr, size, cmdline_paddr, reserved
    b.put64(0x6100, 0x1000000);
    b.put64(0x6108, 0x2345);
    b.put64(0x6110, 0x6440);
    b.put64(0x6120, 0x2000000);
    b.put64(0x6128, 0x10);
    b.put64(0x6130, 0);
    // memmap: addr, size, type, reserved
    const struct {
        uint64_t a, sz;
        uint32_t t;
    } mm[] = {{0, 0x9F000, 1}, {0xF0000, 0x10000, 2}, {0x100000, 0x3FF00000, 1}, {0xFC000000, 0, 1},
              {0xFC001000, 0x1000, 9}};
    for (int i = 0; i < 5; ++i) {
        b.put64(0x6200 + i * 24, mm[i].a);
        b.put64(0x6208 + i * 24, mm[i].sz);
        b.put32(0x6210 + i * 24, mm[i].t);
    }
    return b;
}

TEST(BootInfoPvh, FullValid) {
    Blob b = make_pvh_full();
    auto bi = make_info();
    BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    expect_message_sane(r);
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::pvh));
    EXPECT_STREQ(bi->cmdline, "bench=all console=hvc0");
    EXPECT_FALSE(bi->cmdline_truncated);
    EXPECT_STREQ(bi->loader_name, "");
    EXPECT_EQ(bi->firmware_table, 0xF5A40u);
    EXPECT_EQ(bi->firmware_table_copy_len, 0u);
    ASSERT_EQ(bi->module_count, 2u);
    EXPECT_EQ(bi->modules[0].start, 0x1000000u);
    EXPECT_EQ(bi->modules[0].end, 0x1002345u);
    EXPECT_STREQ(bi->modules[0].cmdline, "initrd.img x=1");
    EXPECT_EQ(bi->modules[1].start, 0x2000000u);
    EXPECT_EQ(bi->modules[1].end, 0x2000010u);
    EXPECT_STREQ(bi->modules[1].cmdline, "");
    ASSERT_EQ(bi->region_count, 4u);
    expect_region(*bi, 0, 0, 0x9F000, MemType::usable);
    expect_region(*bi, 1, 0xF0000, 0x10000, MemType::reserved);
    expect_region(*bi, 2, 0x100000, 0x3FF00000, MemType::usable);
    expect_region(*bi, 3, 0xFC001000, 0x1000, MemType::reserved);
    EXPECT_FALSE(bi->regions_truncated);
}

TEST(BootInfoPvh, MinimalVersion1) {
    Blob b(0x1000, 56);
    b.put32(0x1000, hvb::kPvhStartMagic);
    b.put32(0x1004, 1);
    auto bi = make_info();
    BootParseResult r = hvb::parse_pvh(b.view(), 0x1000, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->cmdline, "");
    EXPECT_EQ(bi->module_count, 0u);
    EXPECT_EQ(bi->region_count, 0u);
    EXPECT_EQ(bi->firmware_table, 0u);
}

TEST(BootInfoPvh, LaterVersionAccepted) {
    Blob b = make_pvh_full(2);
    auto bi = make_info();
    BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(bi->region_count, 4u);
}

// Version 0 (Xen's PVH dom0 builder) has no memory map: it parses, with no
// regions, and the kernel asks the hypervisor (posih/xen.h add_xen_e820).
TEST(BootInfoPvh, Version0HasNoMemoryMap) {
    Blob b = make_pvh_full(0);
    auto bi = make_info();
    BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->cmdline, "bench=all console=hvc0");
    EXPECT_EQ(bi->module_count, 2u);
    EXPECT_EQ(bi->region_count, 0u);
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::pvh));
    // A version-0 structure is only 40 bytes: the (absent) v1 fields are
    // never read.
    Blob small(0x1000, 40);
    small.put32(0x1000, hvb::kPvhStartMagic);
    r = hvb::parse_pvh(small.view(), 0x1000, *bi);
    EXPECT_TRUE(r.ok) << r.message;
    EXPECT_EQ(bi->region_count, 0u);
}

TEST(BootInfoPvh, WrongMagic) {
    Blob b = make_pvh_full();
    b.put32(kPvhBase, hvb::kMultiboot2BootMagic);
    auto bi = make_info();
    BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "magic")) << r.message;
    EXPECT_TRUE(msg_has(r, "36d76289")) << r.message;
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::pvh));
}

// QEMU's PVH loader writes a command line of 4 KiB or more over start_info:
// the magic then reads as text, and the message names the limit (it used to
// say only that the magic was wrong).
TEST(BootInfoPvh, MagicOverwrittenByCommandLineNamesTheLimit) {
    Blob b = make_pvh_full();
    b.putraw(kPvhBase, "exit=auto exit=auto");
    auto bi = make_info();
    BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
    expect_message_sane(r);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "holds text (magic 0x74697865)")) << r.message;
    EXPECT_TRUE(msg_has(r, "a kernel command line overwrote it; keep it under 1024 bytes")) << r.message;
}

TEST(BootInfoPvh, StartInfoOutsideView) {
    Blob b = make_pvh_full();
    auto bi = make_info();
    EXPECT_FALSE(hvb::parse_pvh(b.view(), 0x100000, *bi).ok);
    EXPECT_FALSE(hvb::parse_pvh(b.view(), UINT64_MAX - 8, *bi).ok);
    Blob cut(0x1000, 50);  // v1 structure cut inside memmap_entries
    cut.put32(0x1000, hvb::kPvhStartMagic);
    cut.put32(0x1004, 1);
    BootParseResult r = hvb::parse_pvh(cut.view(), 0x1000, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "memmap_entries")) << r.message;
}

TEST(BootInfoPvh, MemmapBeyondView) {
    Blob b = make_pvh_full();
    auto bi = make_info();
    b.put32(kPvhBase + 48, 100);  // 100 * 24 bytes from 0x6200 runs past 0x6500
    BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "memmap")) << r.message;
    EXPECT_EQ(bi->region_count, 0u);  // checked before any entry is used
    b.put32(kPvhBase + 48, 0xFFFFFFFF);
    EXPECT_FALSE(hvb::parse_pvh(b.view(), kPvhBase, *bi).ok);
    b.put32(kPvhBase + 48, 5);
    b.put64(kPvhBase + 40, UINT64_MAX - 24);  // table would wrap past 2^64
    EXPECT_FALSE(hvb::parse_pvh(b.view(), kPvhBase, *bi).ok);
    b.put64(kPvhBase + 40, 0);
    r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(msg_has(r, "memmap_paddr")) << r.message;
}

TEST(BootInfoPvh, MemmapExactlyAtViewEnd) {
    Blob b = make_pvh_full();
    auto bi = make_info();
    // 0x6500 - 0x6200 = 0x300 = 32 entries of 24 bytes; all zero-length but the first 5.
    b.put32(kPvhBase + 48, 32);
    BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
    ASSERT_TRUE(r.ok) << r.message;  // (strings at 0x6400 parse as zero-ish entries)
    b.put32(kPvhBase + 48, 33);
    EXPECT_FALSE(hvb::parse_pvh(b.view(), kPvhBase, *bi).ok);
}

TEST(BootInfoPvh, ModuleListProblems) {
    auto bi = make_info();
    {
        Blob b = make_pvh_full();
        b.put32(kPvhBase + 12, 0xFFFFFFFF);
        BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
        EXPECT_FALSE(r.ok);
        EXPECT_TRUE(msg_has(r, "module list")) << r.message;
    }
    {
        Blob b = make_pvh_full();
        b.put64(kPvhBase + 16, UINT64_MAX - 16);  // wraps
        EXPECT_FALSE(hvb::parse_pvh(b.view(), kPvhBase, *bi).ok);
    }
    {
        Blob b = make_pvh_full();
        b.put64(kPvhBase + 16, 0);
        BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
        EXPECT_FALSE(r.ok);
        EXPECT_TRUE(msg_has(r, "modlist_paddr")) << r.message;
    }
    {
        Blob b = make_pvh_full();
        b.put64(0x6108, UINT64_MAX);  // paddr + size wraps
        BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
        EXPECT_FALSE(r.ok);
        EXPECT_TRUE(msg_has(r, "module 0")) << r.message;
    }
    {
        Blob b = make_pvh_full();
        b.put64(0x6130, 0x99999999);  // module cmdline outside view
        BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
        EXPECT_FALSE(r.ok);
        EXPECT_TRUE(msg_has(r, "module 1 cmdline")) << r.message;
    }
    {
        Blob b = make_pvh_full();
        b.put64(kPvhBase + 24, 0x123456789);  // cmdline outside view
        BootParseResult r = hvb::parse_pvh(b.view(), kPvhBase, *bi);
        EXPECT_FALSE(r.ok);
        EXPECT_TRUE(msg_has(r, "cmdline at 0x123456789")) << r.message;
    }
}

TEST(BootInfoPvh, ModuleOverflowKeepsFirst) {
    Blob b(0x1000, 0x1000);
    b.put32(0x1000, hvb::kPvhStartMagic);
    b.put32(0x1004, 1);
    b.put32(0x100C, 20);
    b.put64(0x1010, 0x1100);
    for (uint64_t i = 0; i < 20; ++i) {
        b.put64(0x1100 + i * 32, 0x100000 * (i + 1));
        b.put64(0x1108 + i * 32, 0x100);
    }
    auto bi = make_info();
    BootParseResult r = hvb::parse_pvh(b.view(), 0x1000, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    ASSERT_EQ(bi->module_count, BootInfo::kMaxModules);
    EXPECT_EQ(bi->modules[7].start, 0x800000u);
    EXPECT_EQ(bi->modules[7].end, 0x800100u);
}

TEST(BootInfoPvh, RegionOverflowAndE820Types) {
    const uint32_t n = BootInfo::kMaxRegions + 10;
    Blob b(0x1000, 0x100 + n * 24);
    b.put32(0x1000, hvb::kPvhStartMagic);
    b.put32(0x1004, 1);
    b.put64(0x1028, 0x1100);
    b.put32(0x1030, n);
    for (uint32_t i = 0; i < n; ++i) {
        b.put64(0x1100 + i * 24, uint64_t{i} << 12);
        b.put64(0x1108 + i * 24, 0x1000);
        b.put32(0x1110 + i * 24, i % 8);  // types 0..7: 0, 6, 7 -> reserved
    }
    auto bi = make_info();
    BootParseResult r = hvb::parse_pvh(b.view(), 0x1000, *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(bi->region_count, BootInfo::kMaxRegions);
    EXPECT_TRUE(bi->regions_truncated);
    const MemType want[8] = {MemType::reserved,  MemType::usable,   MemType::reserved,
                             MemType::firmware_reclaimable, MemType::firmware_nvs, MemType::bad,
                             MemType::reserved,  MemType::reserved};
    for (size_t i = 0; i < 16; ++i) EXPECT_EQ(bi->regions[i].type, want[i % 8]) << i;
}

TEST(BootInfoPvh, CmdlineTruncation) {
    Blob b(0x1000, 0x1000);
    b.put32(0x1000, hvb::kPvhStartMagic);
    b.put32(0x1004, 1);
    b.put64(0x1018, 0x1100);
    b.putstr(0x1100, std::string(BootInfo::kCmdlineMax, 'p'));  // one char too many
    auto bi = make_info();
    ASSERT_TRUE(hvb::parse_pvh(b.view(), 0x1000, *bi).ok);
    EXPECT_TRUE(bi->cmdline_truncated);
    EXPECT_EQ(std::strlen(bi->cmdline), BootInfo::kCmdlineMax - 1);
}

TEST(BootInfoPvh, TruncatedViewsFailCleanly) {
    Blob b = make_pvh_full();
    auto bi = make_info();
    // Everything up to the end of the memory map (0x6200 + 5*24) is required.
    const size_t required = 0x200 + 5 * 24;
    for (size_t len = 0; len < required; ++len) {
        auto p = b.prefix(len);
        BootParseResult r = hvb::parse_pvh(p.view, kPvhBase, *bi);
        EXPECT_FALSE(r.ok) << "view length " << len;
        expect_message_sane(r);
    }
    // Past that only the strings are cut: the parser truncates them, never fails or overreads.
    for (size_t len = required; len <= b.size(); ++len) {
        auto p = b.prefix(len);
        BootParseResult r = hvb::parse_pvh(p.view, kPvhBase, *bi);
        if (len <= 0x440) {
            // cmdline (0x6400) or module 0's cmdline (0x6440) starts outside the view
            EXPECT_FALSE(r.ok) << "view length " << len;
        } else {
            EXPECT_TRUE(r.ok) << "view length " << len << ": " << r.message;
        }
    }
}

// ============================================================================
// parse_boot_info dispatch
// ============================================================================

TEST(BootInfoDispatch, RoutesByMagic) {
    auto bi = make_info();
    Blob mb1 = make_mb1_full();
    BootParseResult r = hvb::parse_boot_info(hvb::kMultiboot1BootMagic, kMb1Base, mb1.view(), *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::multiboot1));
    EXPECT_STREQ(bi->loader_name, "GRUB 0.97");

    Blob mb2 = place(make_mb2_full().bytes);
    r = hvb::parse_boot_info(hvb::kMultiboot2BootMagic, kMb2Base, mb2.view(), *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::multiboot2));
    EXPECT_STREQ(bi->loader_name, "GRUB 2.06");
    EXPECT_EQ(bi->firmware_table_copy_len, 36u);

    Blob pvh = make_pvh_full();
    r = hvb::parse_boot_info(hvb::kPvhStartMagic, kPvhBase, pvh.view(), *bi);
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::pvh));
    EXPECT_STREQ(bi->loader_name, "");  // reset from the previous parse
    EXPECT_EQ(bi->firmware_table_copy_len, 0u);

    // The wrong parser for a blob fails rather than misreading it.
    r = hvb::parse_boot_info(hvb::kPvhStartMagic, kMb2Base, mb2.view(), *bi);
    EXPECT_FALSE(r.ok);
}

TEST(BootInfoDispatch, UnknownMagic) {
    auto bi = make_info();
    Blob mb1 = make_mb1_full();
    BootParseResult r = hvb::parse_boot_info(0x12345678, kMb1Base, mb1.view(), *bi);
    EXPECT_FALSE(r.ok);
    expect_message_sane(r);
    EXPECT_TRUE(msg_has(r, "0x12345678")) << r.message;
    EXPECT_STREQ(bi->protocol, hvb::protocol_name(hvb::BootProtocol::unknown));
    EXPECT_EQ(bi->region_count, 0u);
    EXPECT_STREQ(bi->cmdline, "");
    r = hvb::parse_boot_info(0, kMb1Base, mb1.view(), *bi);
    EXPECT_FALSE(r.ok);
}

}  // namespace
