// arch/x86_64/boot/boot_protocols.cpp — bounds-checked parsers turning
// multiboot1, multiboot2 and PVH boot information into a BootInfo.
//
// Everything the loader handed over is untrusted: every field is read through
// PhysView::read (which refuses ranges outside the view or wrapping at 2^64),
// every length is checked against the view and against the structure that
// contains it, and every address computation is an overflow-checked add. The
// same file is compiled into the freestanding kernel, so it uses no libc, no
// heap and no floating point, and keeps BootInfo (about 5 KiB) off the stack.

#include "arch/x86_64/boot/boot_protocols.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "posih/format.h"

namespace hvb {

const char* protocol_name(BootProtocol p) {
    switch (p) {
        case BootProtocol::multiboot1: return "mb1";
        case BootProtocol::multiboot2: return "mb2";
        case BootProtocol::pvh: return "pvh";
        case BootProtocol::unknown: break;
    }
    return "unknown";
}

namespace {

using ull = unsigned long long;  // for %llx: uint64_t is not always unsigned long long

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kOneMiB = 1024 * 1024;

BootParseResult ok_result() {
    BootParseResult r{};
    r.ok = true;
    r.message[0] = '\0';
    return r;
}

BootParseResult fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
BootParseResult fail(const char* fmt, ...) {
    BootParseResult r{};
    r.ok = false;
    va_list ap;
    va_start(ap, fmt);
    vsnformat(r.message, sizeof r.message, fmt, ap);
    va_end(ap);
    return r;
}

void reset(BootInfo& out, BootProtocol p) {
    // BootInfo is trivially copyable; all-zero is "nothing handed over"
    // (empty strings, no regions, no modules, firmware_table 0).
    __builtin_memset(&out, 0, sizeof out);
    out.protocol = protocol_name(p);
}

// Reads a little-endian field at base+off (x86 is little-endian, so a memcpy
// is the decode); false if the address wraps or is outside the view.
bool rd32(const PhysView& m, uint64_t base, uint64_t off, uint32_t& v) {
    uint64_t a = 0;
    if (__builtin_add_overflow(base, off, &a)) return false;
    return m.read(a, &v, sizeof v);
}

bool rd64(const PhysView& m, uint64_t base, uint64_t off, uint64_t& v) {
    uint64_t a = 0;
    if (__builtin_add_overflow(base, off, &a)) return false;
    return m.read(a, &v, sizeof v);
}

// True if all of [phys, phys+len) is inside the view. The view is one
// contiguous window, so the first and last bytes being readable (with no wrap
// in between) means every byte is.
bool range_ok(const PhysView& m, uint64_t phys, uint64_t len) {
    if (len == 0) return true;
    uint64_t last = 0;
    if (__builtin_add_overflow(phys, len - 1, &last)) return false;
    uint8_t b = 0;
    return m.read(phys, &b, 1) && m.read(last, &b, 1);
}

// E820 types 1..5 have a MemType of the same value (ACPI 6.x, table 15-374);
// anything else must not be used, so it is reported as reserved.
MemType map_e820(uint32_t t) {
    if (t >= 1 && t <= 5) return static_cast<MemType>(t);
    return MemType::reserved;
}

// Multiboot 0.6.96 section 3.3 / multiboot2 section 3.6.4 basic memory
// information: mem_lower KiB from 0, mem_upper KiB from 1 MiB. Used only when
// the loader gave no full memory map.
void synthesize_basic_meminfo(BootInfo& out, uint32_t mem_lower, uint32_t mem_upper) {
    add_boot_region(out, 0, static_cast<uint64_t>(mem_lower) * kKiB, MemType::usable);
    add_boot_region(out, kOneMiB, static_cast<uint64_t>(mem_upper) * kKiB, MemType::usable);
}

// Reads a NUL-terminated string referenced by pointer; 0 means "none" and
// yields "". False only if the string's first byte is outside the view.
bool read_ptr_string(const PhysView& m, uint64_t phys, char* out, size_t cap, bool* truncated) {
    if (truncated != nullptr) *truncated = false;
    if (phys == 0) {
        out[0] = '\0';
        return true;
    }
    return m.read_cstr(phys, out, cap, truncated);
}

// Copies the string stored inline in [phys, phys+len) (a multiboot2 tag's
// payload). *terminated says whether a NUL was found within len bytes; the
// copy is always NUL-terminated and *truncated says it did not fit in cap-1.
bool read_inline_string(const PhysView& m, uint64_t phys, uint64_t len, char* out, size_t cap,
                        bool* truncated, bool* terminated) {
    size_t n = 0;
    *truncated = false;
    *terminated = false;
    for (uint64_t i = 0; i < len; ++i) {
        char c = 0;
        uint64_t a = 0;
        if (__builtin_add_overflow(phys, i, &a) || !m.read(a, &c, 1)) {
            out[n] = '\0';
            return false;
        }
        if (c == '\0') {
            *terminated = true;
            break;
        }
        if (n + 1 < cap) {
            out[n++] = c;
        } else {
            *truncated = true;  // keep scanning: the NUL must still be inside the tag
        }
    }
    out[n] = '\0';
    return true;
}

// ---- multiboot 1 ----------------------------------------------------------------
// Multiboot Specification 0.6.96, section 3.3 "Boot information format".

constexpr uint32_t kMb1FlagMem = 1u << 0;
constexpr uint32_t kMb1FlagCmdline = 1u << 2;
constexpr uint32_t kMb1FlagMods = 1u << 3;
constexpr uint32_t kMb1FlagMmap = 1u << 6;
constexpr uint32_t kMb1FlagLoaderName = 1u << 9;

constexpr uint64_t kMb1OffMemLower = 4;
constexpr uint64_t kMb1OffMemUpper = 8;
constexpr uint64_t kMb1OffCmdline = 16;
constexpr uint64_t kMb1OffModsCount = 20;
constexpr uint64_t kMb1OffModsAddr = 24;
constexpr uint64_t kMb1OffMmapLength = 44;
constexpr uint64_t kMb1OffMmapAddr = 48;
constexpr uint64_t kMb1OffLoaderName = 64;
constexpr uint64_t kMb1ModSize = 16;       // mod_start, mod_end, string, reserved
constexpr uint32_t kMb1MmapMinEntry = 20;  // base_addr(8) + length(8) + type(4)

// info + off for messages only; saturates instead of wrapping.
uint64_t msg_addr(uint64_t base, uint64_t off) {
    uint64_t a = 0;
    return __builtin_add_overflow(base, off, &a) ? UINT64_MAX : a;
}

BootParseResult mb1_field(uint64_t info, const char* field, uint64_t off) {
    return fail("multiboot1 %s at 0x%llx outside memory", field, static_cast<ull>(msg_addr(info, off)));
}

BootParseResult mb1_modules(const PhysView& mem, uint64_t info, BootInfo& out) {
    uint32_t count = 0, addr = 0;
    if (!rd32(mem, info, kMb1OffModsCount, count)) return mb1_field(info, "mods_count", kMb1OffModsCount);
    if (!rd32(mem, info, kMb1OffModsAddr, addr)) return mb1_field(info, "mods_addr", kMb1OffModsAddr);
    if (count == 0) return ok_result();
    if (addr == 0) return fail("multiboot1 mods_addr is 0 with mods_count %u", count);
    // The whole table must exist even though only kMaxModules are kept: a
    // table running off memory means mods_count is garbage.
    const uint64_t table_len = static_cast<uint64_t>(count) * kMb1ModSize;  // < 2^36, no wrap
    if (!range_ok(mem, addr, table_len))
        return fail("multiboot1 module table at 0x%x (%u entries) outside memory", addr, count);
    for (uint32_t i = 0; i < count && out.module_count < BootInfo::kMaxModules; ++i) {
        const uint64_t e = static_cast<uint64_t>(addr) + static_cast<uint64_t>(i) * kMb1ModSize;
        uint32_t start = 0, end = 0, str = 0;
        if (!rd32(mem, e, 0, start) || !rd32(mem, e, 4, end) || !rd32(mem, e, 8, str))
            return fail("multiboot1 module %u entry at 0x%llx outside memory", i, static_cast<ull>(e));
        if (end < start)
            return fail("multiboot1 module %u ends (0x%x) before it starts (0x%x)", i, end, start);
        BootModule& m = out.modules[out.module_count];
        m.start = start;
        m.end = end;
        bool trunc = false;
        if (!read_ptr_string(mem, str, m.cmdline, sizeof m.cmdline, &trunc))
            return fail("multiboot1 module %u string at 0x%x outside memory", i, str);
        ++out.module_count;
    }
    return ok_result();
}

BootParseResult mb1_mmap(const PhysView& mem, uint64_t info, BootInfo& out) {
    uint32_t length = 0, addr = 0;
    if (!rd32(mem, info, kMb1OffMmapLength, length)) return mb1_field(info, "mmap_length", kMb1OffMmapLength);
    if (!rd32(mem, info, kMb1OffMmapAddr, addr)) return mb1_field(info, "mmap_addr", kMb1OffMmapAddr);
    if (length != 0 && addr == 0) return fail("multiboot1 mmap_addr is 0 with mmap_length %u", length);
    // Each entry is "u32 size" followed by size bytes; size excludes itself,
    // so the next entry is at +size+4 (section 3.3, mmap_* fields).
    uint64_t off = 0;
    uint32_t index = 0;
    while (off < length) {
        const uint64_t e = static_cast<uint64_t>(addr) + off;  // both < 2^32, no wrap
        if (length - off < 4)
            return fail("multiboot1 mmap entry %u at 0x%llx: %llu trailing bytes do not hold an entry", index,
                        static_cast<ull>(e), static_cast<ull>(length - off));
        uint32_t size = 0;
        if (!rd32(mem, e, 0, size))
            return fail("multiboot1 mmap entry at 0x%llx outside memory", static_cast<ull>(e));
        if (size < kMb1MmapMinEntry)
            return fail("multiboot1 mmap entry %u at 0x%llx has size %u < 20", index, static_cast<ull>(e), size);
        const uint64_t stride = static_cast<uint64_t>(size) + 4;
        if (stride > length - off)
            return fail("multiboot1 mmap entry %u at 0x%llx (size %u) runs past mmap_length %u", index,
                        static_cast<ull>(e), size, length);
        uint64_t base = 0, len = 0;
        uint32_t type = 0;
        if (!rd64(mem, e, 4, base) || !rd64(mem, e, 12, len) || !rd32(mem, e, 20, type) ||
            !range_ok(mem, e, stride))
            return fail("multiboot1 mmap entry at 0x%llx outside memory", static_cast<ull>(e));
        add_boot_region(out, base, len, map_e820(type));
        off += stride;
        ++index;
    }
    return ok_result();
}

}  // namespace

MemType mem_type_from_e820(uint32_t type) { return map_e820(type); }

BootParseResult parse_multiboot1(const PhysView& mem, uint64_t info_phys, BootInfo& out) {
    reset(out, BootProtocol::multiboot1);
    const uint64_t info = info_phys;
    uint32_t flags = 0;
    if (!rd32(mem, info, 0, flags)) return fail("multiboot1 info at 0x%llx outside memory", static_cast<ull>(info));

    if (flags & kMb1FlagCmdline) {
        uint32_t p = 0;
        if (!rd32(mem, info, kMb1OffCmdline, p)) return mb1_field(info, "cmdline field", kMb1OffCmdline);
        if (!read_ptr_string(mem, p, out.cmdline, sizeof out.cmdline, &out.cmdline_truncated))
            return fail("multiboot1 cmdline at 0x%x outside memory", p);
    }
    if (flags & kMb1FlagLoaderName) {
        uint32_t p = 0;
        bool trunc = false;
        if (!rd32(mem, info, kMb1OffLoaderName, p))
            return mb1_field(info, "boot_loader_name field", kMb1OffLoaderName);
        if (!read_ptr_string(mem, p, out.loader_name, sizeof out.loader_name, &trunc))
            return fail("multiboot1 boot_loader_name at 0x%x outside memory", p);
    }
    if (flags & kMb1FlagMods) {
        BootParseResult r = mb1_modules(mem, info, out);
        if (!r.ok) return r;
    }
    if (flags & kMb1FlagMmap) {
        BootParseResult r = mb1_mmap(mem, info, out);
        if (!r.ok) return r;
    } else if (flags & kMb1FlagMem) {
        // No full map: fall back to the basic lower/upper memory sizes.
        uint32_t lower = 0, upper = 0;
        if (!rd32(mem, info, kMb1OffMemLower, lower)) return mb1_field(info, "mem_lower", kMb1OffMemLower);
        if (!rd32(mem, info, kMb1OffMemUpper, upper)) return mb1_field(info, "mem_upper", kMb1OffMemUpper);
        synthesize_basic_meminfo(out, lower, upper);
    }
    // Multiboot 1 has no way to hand over the RSDP; firmware_table stays 0 and the
    // kernel has to scan for it.
    return ok_result();
}

// ---- multiboot 2 ----------------------------------------------------------------
// Multiboot2 Specification, section 3.6 "Boot information format".

namespace {

constexpr uint32_t kMb2TagEnd = 0;
constexpr uint32_t kMb2TagCmdline = 1;
constexpr uint32_t kMb2TagLoaderName = 2;
constexpr uint32_t kMb2TagModule = 3;
constexpr uint32_t kMb2TagBasicMeminfo = 4;
constexpr uint32_t kMb2TagMmap = 6;
constexpr uint32_t kMb2TagAcpiOld = 14;
constexpr uint32_t kMb2TagAcpiNew = 15;

constexpr uint64_t kMb2HeaderSize = 8;     // total_size, reserved
constexpr uint64_t kMb2TagHeader = 8;      // type, size
constexpr uint32_t kMb2MmapMinEntry = 24;  // base(8) length(8) type(4) reserved(4)
constexpr uint64_t kRsdpV1Len = 20;        // ACPI 6.x 5.2.5.3: RSDP revision 0 length
constexpr uint64_t kRsdpV2Len = 36;        // ... and the revision 2+ length

struct Mb2Tag {
    uint64_t phys;  // address of the tag header
    uint64_t off;   // offset from the info start, for messages
    uint32_t type;
    uint32_t size;  // includes the 8-byte header
};

struct Mb2State {
    bool have_mmap = false;
    bool have_basic = false;
    bool have_new_rsdp = false;
    uint32_t mem_lower = 0;
    uint32_t mem_upper = 0;
};

BootParseResult mb2_tag_small(const Mb2Tag& t, uint64_t need) {
    return fail("multiboot2 tag %u at offset %llu has size %u < %llu", t.type, static_cast<ull>(t.off), t.size,
                static_cast<ull>(need));
}

BootParseResult mb2_tag_unreadable(const Mb2Tag& t) {
    return fail("multiboot2 tag %u at 0x%llx outside memory", t.type, static_cast<ull>(t.phys));
}

// Tags 1 and 2 (3.6.2, 3.6.3) and the tail of tag 3 (3.6.6) are
// zero-terminated UTF-8 strings stored inside the tag; one without its NUL
// inside the tag is a malformed tag (what was there is still copied).
BootParseResult mb2_string(const PhysView& mem, const Mb2Tag& t, uint64_t str_off, char* dst, size_t cap,
                           bool* truncated) {
    bool trunc = false, term = false;
    if (!read_inline_string(mem, t.phys + str_off, t.size - str_off, dst, cap, &trunc, &term))
        return mb2_tag_unreadable(t);
    if (truncated != nullptr) *truncated = trunc;
    if (!term)
        return fail("multiboot2 tag %u at offset %llu string not terminated", t.type, static_cast<ull>(t.off));
    return ok_result();
}

BootParseResult mb2_module(const PhysView& mem, const Mb2Tag& t, BootInfo& out) {
    constexpr uint64_t kFixed = 16;  // header + mod_start + mod_end
    if (t.size < kFixed + 1) return mb2_tag_small(t, kFixed + 1);  // room for at least the NUL
    uint32_t start = 0, end = 0;
    if (!rd32(mem, t.phys, 8, start) || !rd32(mem, t.phys, 12, end)) return mb2_tag_unreadable(t);
    if (end < start)
        return fail("multiboot2 module tag at offset %llu ends (0x%x) before it starts (0x%x)",
                    static_cast<ull>(t.off), end, start);
    // Beyond kMaxModules the tag is still validated but not stored.
    char scratch[sizeof(BootModule::cmdline)];
    const bool keep = out.module_count < BootInfo::kMaxModules;
    BootModule* m = keep ? &out.modules[out.module_count] : nullptr;
    char* dst = keep ? m->cmdline : scratch;
    BootParseResult r = mb2_string(mem, t, kFixed, dst, sizeof scratch, nullptr);
    if (!r.ok) return r;
    if (keep) {
        m->start = start;
        m->end = end;
        ++out.module_count;
    }
    return ok_result();
}

// 3.6.8 "Memory map": u32 entry_size, u32 entry_version, then entries with
// entry_size as the stride (future versions may append fields).
BootParseResult mb2_mmap(const PhysView& mem, const Mb2Tag& t, BootInfo& out) {
    constexpr uint64_t kFixed = 16;
    if (t.size < kFixed) return mb2_tag_small(t, kFixed);
    uint32_t entry_size = 0;
    if (!rd32(mem, t.phys, 8, entry_size)) return mb2_tag_unreadable(t);
    if (entry_size < kMb2MmapMinEntry)
        return fail("multiboot2 mmap tag at offset %llu has entry_size %u < 24", static_cast<ull>(t.off),
                    entry_size);
    const uint64_t bytes = t.size - kFixed;
    if (bytes % entry_size != 0)
        return fail("multiboot2 mmap tag at offset %llu: %llu bytes of entries is not a multiple of entry_size %u",
                    static_cast<ull>(t.off), static_cast<ull>(bytes), entry_size);
    const uint64_t count = bytes / entry_size;
    for (uint64_t i = 0; i < count; ++i) {
        const uint64_t e = t.phys + kFixed + i * entry_size;  // inside the checked tag
        uint64_t base = 0, len = 0;
        uint32_t type = 0;
        if (!rd64(mem, e, 0, base) || !rd64(mem, e, 8, len) || !rd32(mem, e, 16, type))
            return fail("multiboot2 mmap entry %llu at 0x%llx outside memory", static_cast<ull>(i),
                        static_cast<ull>(e));
        add_boot_region(out, base, len, map_e820(type));
    }
    return ok_result();
}

// 3.6.13 / 3.6.14: the tags hold a copy of the RSDP (v1: 20 bytes, v2: 36).
// The copy is what the kernel should use; firmware_table points at it inside the
// tag so code that wants "an RSDP address" also works.
BootParseResult mb2_rsdp(const PhysView& mem, const Mb2Tag& t, BootInfo& out, Mb2State& st) {
    const bool is_new = t.type == kMb2TagAcpiNew;
    const uint64_t need = is_new ? kRsdpV2Len : kRsdpV1Len;
    if (t.size - kMb2TagHeader < need) return mb2_tag_small(t, kMb2TagHeader + need);
    if (!is_new && st.have_new_rsdp) return ok_result();  // prefer the ACPI 2.0+ RSDP
    uint8_t buf[BootInfo::kFirmwareTableCopyMax];
    static_assert(kRsdpV2Len <= BootInfo::kFirmwareTableCopyMax, "firmware_table_copy must hold an RSDPv2");
    const uint64_t at = t.phys + kMb2TagHeader;
    if (!mem.read(at, buf, static_cast<size_t>(need))) return mb2_tag_unreadable(t);
    __builtin_memset(out.firmware_table_copy, 0, sizeof out.firmware_table_copy);
    __builtin_memcpy(out.firmware_table_copy, buf, static_cast<size_t>(need));
    out.firmware_table_copy_len = static_cast<size_t>(need);
    out.firmware_table = at;
    if (is_new) st.have_new_rsdp = true;
    return ok_result();
}

}  // namespace

BootParseResult parse_multiboot2(const PhysView& mem, uint64_t info_phys, BootInfo& out) {
    reset(out, BootProtocol::multiboot2);
    const uint64_t info = info_phys;
    uint32_t total_size = 0;
    if (!rd32(mem, info, 0, total_size))
        return fail("multiboot2 info at 0x%llx outside memory", static_cast<ull>(info));
    // The smallest valid info is the 8-byte header plus the 8-byte end tag.
    if (total_size < kMb2HeaderSize + kMb2TagHeader)
        return fail("multiboot2 total_size %u < 16", total_size);
    if (!range_ok(mem, info, total_size))
        return fail("multiboot2 info at 0x%llx (total_size %u) outside memory", static_cast<ull>(info), total_size);

    // From here on every tag lies in [info, info+total_size), which is in the
    // view and does not wrap, so info + off (off <= total_size) cannot wrap.
    Mb2State st;
    uint64_t off = kMb2HeaderSize;
    for (;;) {
        if (off > total_size || total_size - off < kMb2TagHeader)
            return fail("multiboot2 info has no end tag within total_size %u", total_size);
        Mb2Tag t;
        t.off = off;
        t.phys = info + off;
        if (!rd32(mem, t.phys, 0, t.type) || !rd32(mem, t.phys, 4, t.size))
            return fail("multiboot2 tag at 0x%llx outside memory", static_cast<ull>(t.phys));
        if (t.size < kMb2TagHeader)
            return fail("multiboot2 tag %u at offset %llu has size %u < 8", t.type, static_cast<ull>(off), t.size);
        if (t.size > total_size - off)
            return fail("multiboot2 tag %u at offset %llu (size %u) runs past total_size %u", t.type,
                        static_cast<ull>(off), t.size, total_size);
        if (t.type == kMb2TagEnd) break;

        BootParseResult r = ok_result();
        switch (t.type) {
            case kMb2TagCmdline:
                r = mb2_string(mem, t, kMb2TagHeader, out.cmdline, sizeof out.cmdline, &out.cmdline_truncated);
                break;
            case kMb2TagLoaderName:
                r = mb2_string(mem, t, kMb2TagHeader, out.loader_name, sizeof out.loader_name, nullptr);
                break;
            case kMb2TagModule:
                r = mb2_module(mem, t, out);
                break;
            case kMb2TagBasicMeminfo:
                if (t.size < 16) {
                    r = mb2_tag_small(t, 16);
                } else if (!rd32(mem, t.phys, 8, st.mem_lower) || !rd32(mem, t.phys, 12, st.mem_upper)) {
                    r = mb2_tag_unreadable(t);
                } else {
                    st.have_basic = true;
                }
                break;
            case kMb2TagMmap:
                st.have_mmap = true;
                r = mb2_mmap(mem, t, out);
                break;
            case kMb2TagAcpiOld:
            case kMb2TagAcpiNew:
                r = mb2_rsdp(mem, t, out, st);
                break;
            default:
                break;  // 3.6: tags the OS does not understand must be skipped
        }
        if (!r.ok) return r;
        // 3.6: every tag starts on an 8-byte boundary; off + size <= total_size
        // < 2^32, so rounding up cannot wrap.
        off = (off + t.size + 7) & ~static_cast<uint64_t>(7);
    }
    if (!st.have_mmap && st.have_basic) synthesize_basic_meminfo(out, st.mem_lower, st.mem_upper);
    return ok_result();
}

// ---- PVH ------------------------------------------------------------------------
// Xen xen/include/public/arch-x86/hvm/start_info.h (struct hvm_start_info,
// hvm_modlist_entry, hvm_memmap_table_entry).

namespace {

constexpr uint64_t kPvhOffVersion = 4;
constexpr uint64_t kPvhOffNrModules = 12;
constexpr uint64_t kPvhOffModlist = 16;
constexpr uint64_t kPvhOffCmdline = 24;
constexpr uint64_t kPvhOffRsdp = 32;
constexpr uint64_t kPvhOffMemmap = 40;
constexpr uint64_t kPvhOffMemmapEntries = 48;
constexpr uint64_t kPvhModEntrySize = 32;     // paddr, size, cmdline_paddr, reserved
constexpr uint64_t kPvhMemmapEntrySize = 24;  // addr, size, type, reserved

BootParseResult pvh_field(uint64_t info, const char* field, uint64_t off) {
    return fail("pvh start_info %s at 0x%llx outside memory", field, static_cast<ull>(msg_addr(info, off)));
}

// Checks that count entries of entry_size bytes at table fit in the view;
// the multiplication is checked so a huge count cannot wrap into a small one.
bool table_ok(const PhysView& mem, uint64_t table, uint64_t count, uint64_t entry_size) {
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(count, entry_size, &bytes)) return false;
    return range_ok(mem, table, bytes);
}

BootParseResult pvh_modules(const PhysView& mem, uint64_t list, uint32_t count, BootInfo& out) {
    if (count == 0) return ok_result();
    if (list == 0) return fail("pvh modlist_paddr is 0 with nr_modules %u", count);
    if (!table_ok(mem, list, count, kPvhModEntrySize))
        return fail("pvh module list at 0x%llx (%u entries) outside memory", static_cast<ull>(list), count);
    for (uint32_t i = 0; i < count && out.module_count < BootInfo::kMaxModules; ++i) {
        const uint64_t e = list + static_cast<uint64_t>(i) * kPvhModEntrySize;  // inside the checked table
        uint64_t paddr = 0, size = 0, cmd = 0;
        if (!rd64(mem, e, 0, paddr) || !rd64(mem, e, 8, size) || !rd64(mem, e, 16, cmd))
            return fail("pvh module %u entry at 0x%llx outside memory", i, static_cast<ull>(e));
        uint64_t end = 0;
        if (__builtin_add_overflow(paddr, size, &end))
            return fail("pvh module %u at 0x%llx size 0x%llx wraps past 2^64", i, static_cast<ull>(paddr),
                        static_cast<ull>(size));
        BootModule& m = out.modules[out.module_count];
        m.start = paddr;
        m.end = end;
        bool trunc = false;
        if (!read_ptr_string(mem, cmd, m.cmdline, sizeof m.cmdline, &trunc))
            return fail("pvh module %u cmdline at 0x%llx outside memory", i, static_cast<ull>(cmd));
        ++out.module_count;
    }
    return ok_result();
}

// A start_info whose magic reads as text was written over by the loader's
// copy of the command line: QEMU's PVH loader does that with one of 4 KiB or
// more (the kernel keeps BootInfo::kCmdlineMax - 1 bytes anyway).
BootParseResult pvh_bad_magic(uint64_t info, uint32_t magic) {
    bool text = true;
    for (int i = 0; i < 4; ++i) {
        const uint32_t c = (magic >> (8 * i)) & 0xFF;
        text = text && c >= 0x20 && c < 0x7F;
    }
    if (!text) return fail("pvh start_info magic 0x%08x, expected 0x%08x", magic, kPvhStartMagic);
    return fail("pvh start_info at 0x%llx holds text (magic 0x%08x): a kernel command line overwrote it; keep it "
                "under %u bytes",
                static_cast<ull>(info), magic, static_cast<unsigned>(BootInfo::kCmdlineMax));
}

}  // namespace

BootParseResult parse_pvh(const PhysView& mem, uint64_t start_info_phys, BootInfo& out) {
    reset(out, BootProtocol::pvh);
    const uint64_t info = start_info_phys;
    uint32_t magic = 0, version = 0, nr_modules = 0;
    uint64_t modlist = 0, cmdline = 0, rsdp = 0;
    if (!rd32(mem, info, 0, magic)) return fail("pvh start_info at 0x%llx outside memory", static_cast<ull>(info));
    if (magic != kPvhStartMagic) return pvh_bad_magic(info, magic);
    if (!rd32(mem, info, kPvhOffVersion, version)) return pvh_field(info, "version", kPvhOffVersion);
    if (!rd32(mem, info, kPvhOffNrModules, nr_modules)) return pvh_field(info, "nr_modules", kPvhOffNrModules);
    if (!rd64(mem, info, kPvhOffModlist, modlist)) return pvh_field(info, "modlist_paddr", kPvhOffModlist);
    if (!rd64(mem, info, kPvhOffCmdline, cmdline)) return pvh_field(info, "cmdline_paddr", kPvhOffCmdline);
    if (!rd64(mem, info, kPvhOffRsdp, rsdp)) return pvh_field(info, "rsdp_paddr", kPvhOffRsdp);

    if (!read_ptr_string(mem, cmdline, out.cmdline, sizeof out.cmdline, &out.cmdline_truncated))
        return fail("pvh cmdline at 0x%llx outside memory", static_cast<ull>(cmdline));
    // PVH passes the RSDP's address, not a copy (0 = none given).
    out.firmware_table = rsdp;
    // There is no loader name in the protocol; loader_name stays "".
    BootParseResult r = pvh_modules(mem, modlist, nr_modules, out);
    if (!r.ok) return r;

    // The memory map fields only exist from version 1 on. Xen's PVH dom0
    // builder hands over version 0: the map then comes from the hypervisor
    // (XENMEM_memory_map), and region_count stays 0.
    if (version == 0) return ok_result();
    uint64_t memmap = 0;
    uint32_t entries = 0;
    if (!rd64(mem, info, kPvhOffMemmap, memmap)) return pvh_field(info, "memmap_paddr", kPvhOffMemmap);
    if (!rd32(mem, info, kPvhOffMemmapEntries, entries))
        return pvh_field(info, "memmap_entries", kPvhOffMemmapEntries);
    if (entries != 0 && memmap == 0) return fail("pvh memmap_paddr is 0 with memmap_entries %u", entries);
    if (!table_ok(mem, memmap, entries, kPvhMemmapEntrySize))
        return fail("pvh memmap at 0x%llx (%u entries) outside memory", static_cast<ull>(memmap), entries);
    for (uint32_t i = 0; i < entries; ++i) {
        const uint64_t e = memmap + static_cast<uint64_t>(i) * kPvhMemmapEntrySize;  // inside the checked table
        uint64_t addr = 0, size = 0;
        uint32_t type = 0;
        if (!rd64(mem, e, 0, addr) || !rd64(mem, e, 8, size) || !rd32(mem, e, 16, type))
            return fail("pvh memmap entry %u at 0x%llx outside memory", i, static_cast<ull>(e));
        add_boot_region(out, addr, size, map_e820(type));
    }
    return ok_result();
}

BootParseResult parse_boot_info(uint32_t magic, uint64_t info_phys, const PhysView& mem, BootInfo& out) {
    switch (magic) {
        case kMultiboot1BootMagic: return parse_multiboot1(mem, info_phys, out);
        case kMultiboot2BootMagic: return parse_multiboot2(mem, info_phys, out);
        case kPvhStartMagic: return parse_pvh(mem, info_phys, out);
        default: break;
    }
    reset(out, BootProtocol::unknown);
    return fail("unknown boot magic 0x%08x", magic);
}

}  // namespace hvb
