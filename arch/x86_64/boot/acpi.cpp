// arch/x86_64/boot/acpi.cpp — bounds-checked ACPI walk: RSDP validation and BIOS-area scan, XSDT/RSDT lookup, MADT parsing.
//
// Every byte comes from firmware we do not trust, so it is read through
// PhysView::read (which refuses ranges outside the view or wrapping at 2^64),
// every length is checked against the view before it drives a loop, and every
// address computation is an overflow-checked add. Multi-byte fields are
// copied out with memcpy because ACPI structures are byte-packed and the
// tables themselves are only byte-aligned (ACPI 6.x, 5.2). The same file is
// built into the freestanding kernel: no libc, no heap, no floating point,
// and MadtInfo (about 3 KiB) is only ever taken by reference.

#include "arch/x86_64/boot/acpi.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "posih/format.h"

namespace hvb {

namespace {

// ---- layout constants (ACPI 6.x) ---------------------------------------------

// 5.2.5.3 RSDP structure.
constexpr size_t kRsdpV1Size = 20;           // bytes covered by the 1.0 checksum
// Longest SDT believed, by kind: the root tables (a 64 KiB XSDT would list
// 8,187 tables; real ones list tens), the MADT (256 KiB: 16,000 x2APIC
// entries; real ones are a few KiB) and any other table (16 MiB: a large
// DSDT is hundreds of KiB). A corrupt length must not make the checksum walk
// gigabytes of the view, nor the entry loops run over garbage.
constexpr uint32_t kRootMaxLength = 64u << 10;
constexpr uint32_t kMadtMaxLength = 256u << 10;
constexpr uint32_t kSdtMaxLength = 16u << 20;
constexpr size_t kRsdpV2Size = 36;           // the full 2.0+ structure
constexpr uint32_t kRsdpMaxLength = 4096;    // sanity cap from acpi.h's contract
constexpr size_t kRsdpOffRevision = 15;
constexpr size_t kRsdpOffRsdt = 16;
constexpr size_t kRsdpOffLength = 20;
constexpr size_t kRsdpOffXsdt = 24;

// 5.2.6 System Description Table Header.
constexpr uint32_t kSdtHeaderSize = 36;
constexpr size_t kSdtOffLength = 4;

// 5.2.12 MADT: header, then local APIC address (u32) and flags (u32).
constexpr uint32_t kMadtOffLapic = 36;
constexpr uint32_t kMadtOffFlags = 40;
constexpr uint32_t kMadtEntriesStart = 44;
constexpr uint32_t kMadtPcatCompat = 1u << 0;

// 5.2.12.2 / 5.2.12.12 processor flags.
constexpr uint32_t kLapicEnabled = 1u << 0;
constexpr uint32_t kLapicOnlineCapable = 1u << 1;

// Interrupt controller structure types (5.2.12, Table 5.21) and the minimum
// length each must have for the fields we read.
constexpr uint8_t kMadtLocalApic = 0;       // 5.2.12.2, length 8
constexpr uint8_t kMadtIoApic = 1;          // 5.2.12.3, length 12
constexpr uint8_t kMadtLapicOverride = 5;   // 5.2.12.8, length 12
constexpr uint8_t kMadtLocalX2apic = 9;     // 5.2.12.12, length 16

// 5.2.5.1: the EBDA segment pointer lives in the BIOS data area at 0x40E, and
// the EBDA itself must sit below the 640 KiB boundary.
constexpr uint64_t kEbdaSegmentPtr = 0x40E;
constexpr uint64_t kEbdaLimit = 0xA0000;
constexpr uint64_t kEbdaSearchLen = 1024;
constexpr uint64_t kBiosAreaStart = 0xE0000;
constexpr uint64_t kBiosAreaEnd = 0x100000;  // exclusive
constexpr uint64_t kRsdpAlign = 16;

constexpr char kRsdpSignature[8] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};

// ---- helpers -----------------------------------------------------------------

__attribute__((format(printf, 2, 3))) void set_err(AcpiError* err, const char* fmt, ...) {
    if (err == nullptr) return;
    va_list ap;
    va_start(ap, fmt);
    vsnformat(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

bool add_ok(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_add_overflow(a, b, out); }

bool read_u16(const PhysView& mem, uint64_t phys, uint16_t* v) {
    uint8_t b[2];
    if (!mem.read(phys, b, sizeof b)) return false;
    __builtin_memcpy(v, b, sizeof b);  // x86 is little-endian, as ACPI is
    return true;
}

bool read_u32(const PhysView& mem, uint64_t phys, uint32_t* v) {
    uint8_t b[4];
    if (!mem.read(phys, b, sizeof b)) return false;
    __builtin_memcpy(v, b, sizeof b);
    return true;
}

bool read_u64(const PhysView& mem, uint64_t phys, uint64_t* v) {
    uint8_t b[8];
    if (!mem.read(phys, b, sizeof b)) return false;
    __builtin_memcpy(v, b, sizeof b);
    return true;
}

uint32_t get_u32(const uint8_t* p) {
    uint32_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

uint64_t get_u64(const uint8_t* p) {
    uint64_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

// True when every byte of [phys, phys + len) is in the view. The view is one
// contiguous window, so checking the first and last byte (and that the range
// does not wrap) is enough, and no loop ever runs over a length the view
// cannot back.
bool range_in_view(const PhysView& mem, uint64_t phys, uint64_t len) {
    if (len == 0) return true;
    uint64_t last;
    if (!add_ok(phys, len - 1, &last)) return false;
    uint8_t b;
    return mem.read(phys, &b, 1) && mem.read(last, &b, 1);
}

// Sum of the bytes of [phys, phys + len) modulo 256 (ACPI checksums make this
// zero, 5.2.5.3 and 5.2.6). False if the range is not entirely in the view.
bool byte_sum(const PhysView& mem, uint64_t phys, uint64_t len, uint8_t* sum) {
    if (!range_in_view(mem, phys, len)) return false;
    uint8_t s = 0;
    uint8_t chunk[256];
    uint64_t done = 0;
    while (done < len) {
        uint64_t left = len - done;
        size_t n = left < sizeof chunk ? static_cast<size_t>(left) : sizeof chunk;
        if (!mem.read(phys + done, chunk, n)) return false;  // cannot wrap: checked above
        for (size_t i = 0; i < n; ++i) s = static_cast<uint8_t>(s + chunk[i]);
        done += n;
    }
    *sum = s;
    return true;
}

// A printable copy of a 4-byte signature for messages: firmware garbage must
// not put control characters or a NUL into an error line.
struct Sig {
    char s[5];
};

Sig printable_sig(const uint8_t* p) {
    Sig out;
    for (int i = 0; i < 4; ++i) {
        uint8_t c = p[i];
        out.s[i] = (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
    }
    out.s[4] = '\0';
    return out;
}

// Reads and validates an SDT at `phys` (5.2.6): the header is in the view, its
// length is at least the header, the whole table is in the view and its
// checksum is zero. `what` names the table in messages ("XSDT", "APIC table").
bool check_sdt(const PhysView& mem, uint64_t phys, const char* what, uint8_t (&hdr)[kSdtHeaderSize],
               uint32_t* length, AcpiError* err) {
    if (!mem.read(phys, hdr, sizeof hdr)) {
        set_err(err, "%s at 0x%llx outside the memory view", what, ull(phys));
        return false;
    }
    uint32_t len = get_u32(hdr + kSdtOffLength);
    if (len < kSdtHeaderSize) {
        set_err(err, "%s at 0x%llx has length %u (< 36)", what, ull(phys), len);
        return false;
    }
    const bool root = __builtin_memcmp(hdr, "XSDT", 4) == 0 || __builtin_memcmp(hdr, "RSDT", 4) == 0;
    const bool madt = __builtin_memcmp(hdr, "APIC", 4) == 0;
    const uint32_t max_len = root ? kRootMaxLength : madt ? kMadtMaxLength : kSdtMaxLength;
    if (len > max_len) {
        set_err(err, "%s at 0x%llx has length 0x%x (> %s)", what, ull(phys), len,
                root ? "64 KiB" : madt ? "256 KiB" : "16 MiB");
        return false;
    }
    uint8_t sum = 0;
    if (!byte_sum(mem, phys, len, &sum)) {
        set_err(err, "%s at 0x%llx (length 0x%x) runs past the memory view", what, ull(phys), len);
        return false;
    }
    if (sum != 0) {
        set_err(err, "%s at 0x%llx checksum bad (sum 0x%x)", what, ull(phys), static_cast<unsigned>(sum));
        return false;
    }
    *length = len;
    return true;
}

// Records a usable processor, once per APIC ID: QEMU and real firmware may
// describe the same CPU by both a type-0 and a type-9 entry (5.2.12.12 says
// IDs below 255 use type 0, but nothing stops a duplicate), and counting it
// twice would have the caller try to start it twice.
void add_cpu(MadtInfo& out, uint32_t apic_id, uint32_t uid, bool x2apic) {
    for (size_t i = 0; i < out.cpu_count; ++i) {
        if (out.cpus[i].apic_id == apic_id) return;
    }
    if (out.cpu_count >= MadtInfo::kMaxCpus) {
        out.cpus_truncated = true;
        return;
    }
    MadtCpu& c = out.cpus[out.cpu_count++];
    c.apic_id = apic_id;
    c.acpi_uid = uid;
    c.x2apic = x2apic;
}

}  // namespace

// ---- RSDP --------------------------------------------------------------------

bool acpi_check_rsdp(const PhysView& mem, uint64_t phys, uint64_t* rsdt, uint64_t* xsdt, AcpiError* err) {
    // Outputs are zeroed first so a failed check never leaves stale pointers.
    if (rsdt != nullptr) *rsdt = 0;
    if (xsdt != nullptr) *xsdt = 0;

    uint8_t v1[kRsdpV1Size];
    if (!mem.read(phys, v1, sizeof v1)) {
        set_err(err, "RSDP at 0x%llx outside the memory view", ull(phys));
        return false;
    }
    if (__builtin_memcmp(v1, kRsdpSignature, sizeof kRsdpSignature) != 0) {
        set_err(err, "no RSDP signature at 0x%llx", ull(phys));
        return false;
    }
    // 5.2.5.3: the checksum field makes the first 20 bytes sum to zero.
    uint8_t sum = 0;
    for (size_t i = 0; i < sizeof v1; ++i) sum = static_cast<uint8_t>(sum + v1[i]);
    if (sum != 0) {
        set_err(err, "RSDP checksum bad (sum 0x%x)", static_cast<unsigned>(sum));
        return false;
    }
    const uint8_t revision = v1[kRsdpOffRevision];
    const uint32_t rsdt_addr = get_u32(v1 + kRsdpOffRsdt);
    uint64_t xsdt_addr = 0;

    // Revision 0 is ACPI 1.0 (20-byte RSDP). Revision 2 added Length, the
    // XSDT address and the extended checksum; later revisions keep that
    // layout (5.2.5.3), so everything >= 2 is treated as 2.0+.
    if (revision >= 2) {
        // Read the Length field together with the 20 bytes already checked,
        // so no separate (wrap-prone) address computation is needed.
        uint8_t v2[kRsdpOffLength + 4];
        if (!mem.read(phys, v2, sizeof v2)) {
            set_err(err, "RSDP at 0x%llx: revision %u but length field outside the view", ull(phys),
                    static_cast<unsigned>(revision));
            return false;
        }
        const uint32_t length = get_u32(v2 + kRsdpOffLength);
        if (length < kRsdpV2Size || length > kRsdpMaxLength) {
            set_err(err, "RSDP length %u out of range (36..4096)", length);
            return false;
        }
        uint8_t xsum = 0;
        if (!byte_sum(mem, phys, length, &xsum)) {
            set_err(err, "RSDP at 0x%llx (length %u) runs past the memory view", ull(phys), length);
            return false;
        }
        if (xsum != 0) {
            set_err(err, "RSDP extended checksum bad (sum 0x%x)", static_cast<unsigned>(xsum));
            return false;
        }
        if (!read_u64(mem, phys + kRsdpOffXsdt, &xsdt_addr)) {  // unreachable: length >= 36 is in view
            set_err(err, "RSDP at 0x%llx: XSDT address outside the view", ull(phys));
            return false;
        }
    }
    if (rsdt != nullptr) *rsdt = rsdt_addr;
    if (xsdt != nullptr) *xsdt = xsdt_addr;
    return true;
}

uint64_t acpi_scan_rsdp(const PhysView& mem) {
    // Checks the 16-byte-aligned candidates in [start, end); the cheap
    // signature compare runs first so only real candidates are checksummed.
    auto scan = [&mem](uint64_t start, uint64_t end) -> uint64_t {
        for (uint64_t p = start; p < end; p += kRsdpAlign) {
            uint8_t sig[sizeof kRsdpSignature];
            if (!mem.read(p, sig, sizeof sig)) continue;  // not in the view: skip
            if (__builtin_memcmp(sig, kRsdpSignature, sizeof sig) != 0) continue;
            AcpiError scratch;
            if (acpi_check_rsdp(mem, p, nullptr, nullptr, &scratch)) return p;
        }
        return 0;
    };

    // 5.2.5.1: first the first KiB of the EBDA. The segment word is only
    // trusted when it points into conventional memory below 0xA0000; zero
    // means "no EBDA" (and would otherwise make us search the IVT).
    uint16_t seg = 0;
    if (read_u16(mem, kEbdaSegmentPtr, &seg) && seg != 0) {
        const uint64_t ebda = static_cast<uint64_t>(seg) << 4;
        if (ebda < kEbdaLimit) {
            uint64_t end = ebda + kEbdaSearchLen;
            if (end > kEbdaLimit) end = kEbdaLimit;
            if (uint64_t found = scan(ebda, end)) return found;
        }
    }
    // Then the BIOS read-only area 0xE0000..0xFFFFF.
    return scan(kBiosAreaStart, kBiosAreaEnd);
}

// ---- XSDT / RSDT -------------------------------------------------------------

uint64_t acpi_find_table(const PhysView& mem, uint64_t rsdp_phys, const char* signature, uint32_t* length,
                         AcpiError* err) {
    return acpi_find_table(mem, rsdp_phys, signature, length, err, AcpiLookup{});
}

uint64_t acpi_find_table(const PhysView& mem, uint64_t rsdp_phys, const char* signature, uint32_t* length,
                         AcpiError* err, const AcpiLookup& how) {
    if (length != nullptr) *length = 0;
    if (signature == nullptr || signature[0] == '\0' || signature[1] == '\0' || signature[2] == '\0' ||
        signature[3] == '\0') {
        set_err(err, "table signature must be 4 characters");
        return 0;
    }
    uint8_t want[4];
    __builtin_memcpy(want, signature, sizeof want);
    const Sig want_s = printable_sig(want);

    uint64_t rsdt = 0;
    uint64_t xsdt = 0;
    if (!acpi_check_rsdp(mem, rsdp_phys, &rsdt, &xsdt, err)) return 0;

    // 5.2.5.3 / 5.2.8: an OS must use the XSDT when the RSDP gives one; the
    // RSDT (32-bit pointers) is the ACPI 1.0 fallback.
    const bool use_xsdt = xsdt != 0;
    const uint64_t root = use_xsdt ? xsdt : rsdt;
    const char* root_name = use_xsdt ? "XSDT" : "RSDT";
    const uint32_t entry_size = use_xsdt ? 8 : 4;
    if (root == 0) {
        set_err(err, "RSDP at 0x%llx gives neither an RSDT nor an XSDT", ull(rsdp_phys));
        return 0;
    }

    uint8_t hdr[kSdtHeaderSize];
    uint32_t root_len = 0;
    if (!check_sdt(mem, root, root_name, hdr, &root_len, err)) return 0;
    if (__builtin_memcmp(hdr, root_name, 4) != 0) {
        if (!use_xsdt || !how.accept_bad_xsdt_signature) {
            set_err(err, "%s at 0x%llx has signature \"%s\"", root_name, ull(root), printable_sig(hdr).s);
            return 0;
        }
        if (how.quirk_seen != nullptr) *how.quirk_seen = true;  // checksum valid: use it (acpi.h)
    }

    // 5.2.7 / 5.2.8: the entries fill the rest of the table. A trailing
    // partial entry is ignored rather than rejected: the checksum already
    // vouches for the bytes, and the whole pointers before it are usable.
    const uint32_t entries = (root_len - kSdtHeaderSize) / entry_size;

    // Why the lookup failed, kept for the final message: the last table with
    // the wanted signature that failed validation is the most useful reason;
    // otherwise, how many entries pointed outside the view.
    AcpiError reason;
    bool have_reason = false;
    uint32_t unreadable = 0;
    uint64_t first_unreadable = 0;

    for (uint32_t i = 0; i < entries; ++i) {
        // root + 36 + i*entry_size lies inside the checksummed table, so it
        // cannot overflow.
        const uint64_t at = root + kSdtHeaderSize + static_cast<uint64_t>(i) * entry_size;
        uint64_t table = 0;
        if (use_xsdt) {
            if (!read_u64(mem, at, &table)) break;  // unreachable: the table is in view
        } else {
            uint32_t t32 = 0;
            if (!read_u32(mem, at, &t32)) break;
            table = t32;
        }
        if (table == 0) continue;  // null entries occur in the wild; nothing to look at

        uint8_t sig[4];
        if (!mem.read(table, sig, sizeof sig)) {
            if (unreadable++ == 0) first_unreadable = table;
            continue;
        }
        if (__builtin_memcmp(sig, want, sizeof want) != 0) continue;

        uint8_t thdr[kSdtHeaderSize];
        uint32_t tlen = 0;
        char what[24];
        snformat(what, sizeof what, "%s table", want_s.s);
        if (!check_sdt(mem, table, what, thdr, &tlen, &reason)) {
            have_reason = true;  // skip it: a later copy may be valid
            continue;
        }
        if (length != nullptr) *length = tlen;
        return table;
    }

    if (have_reason) {
        set_err(err, "no valid %s table in %s: %s", want_s.s, root_name, reason.message);
    } else if (unreadable != 0) {
        set_err(err, "no %s table in %s (%u of %u entries outside the memory view, first 0x%llx)", want_s.s,
                root_name, unreadable, entries, ull(first_unreadable));
    } else {
        set_err(err, "no %s table in %s", want_s.s, root_name);
    }
    return 0;
}

// ---- MADT --------------------------------------------------------------------

namespace {

// Minimum lengths of the structures we understand; longer ones are accepted
// (later revisions may append fields), shorter ones would make us read a
// neighbour's bytes as ours. 0: a type we skip by its length.
uint8_t madt_entry_need(uint8_t type) {
    switch (type) {
        case kMadtLocalApic: return 8;
        case kMadtIoApic: return 12;
        case kMadtLapicOverride: return 12;
        case kMadtLocalX2apic: return 16;
        default: return 0;  // unknown or unused type
    }
}

// Takes in one entry of a type madt_entry_need knows, its bytes in `e`.
void apply_madt_entry(MadtInfo& out, uint8_t type, const uint8_t* e) {
    switch (type) {
        case kMadtLocalApic: {
            // 5.2.12.2: UID at 2, APIC ID at 3, flags at 4. Online-capable
            // CPUs are usable too (they can be brought up).
            const uint32_t f = get_u32(e + 4);
            if (f & (kLapicEnabled | kLapicOnlineCapable)) add_cpu(out, e[3], e[2], false);
            break;
        }
        case kMadtIoApic:
            // 5.2.12.3: ID at 2, reserved at 3, address at 4, GSI base at 8.
            if (out.ioapic_count == 0) out.ioapic_phys = get_u32(e + 4);
            if (out.ioapic_count != UINT32_MAX) ++out.ioapic_count;
            break;
        case kMadtLapicOverride:
            // 5.2.12.8: the 64-bit address replaces the header's.
            out.lapic_phys = get_u64(e + 4);
            break;
        case kMadtLocalX2apic: {
            // 5.2.12.12: reserved at 2, x2APIC ID at 4, flags at 8, UID at 12.
            const uint32_t f = get_u32(e + 8);
            if (f & (kLapicEnabled | kLapicOnlineCapable)) add_cpu(out, get_u32(e + 4), get_u32(e + 12), true);
            break;
        }
        default: break;
    }
}

}  // namespace

bool acpi_parse_madt(const PhysView& mem, uint64_t phys, MadtInfo& out, AcpiError* err) {
    __builtin_memset(&out, 0, sizeof out);

    // The caller normally got `phys` from acpi_find_table, but the table is
    // re-validated so this function is safe on its own.
    uint8_t hdr[kSdtHeaderSize];
    uint32_t len = 0;
    if (!check_sdt(mem, phys, "MADT", hdr, &len, err)) return false;
    if (__builtin_memcmp(hdr, "APIC", 4) != 0) {
        set_err(err, "table at 0x%llx is \"%s\", not APIC", ull(phys), printable_sig(hdr).s);
        return false;
    }
    if (len < kMadtEntriesStart) {
        set_err(err, "MADT length %u too small (need 44)", len);
        return false;
    }
    uint32_t lapic = 0;
    uint32_t flags = 0;
    if (!read_u32(mem, phys + kMadtOffLapic, &lapic) || !read_u32(mem, phys + kMadtOffFlags, &flags)) {
        set_err(err, "MADT at 0x%llx: header fields outside the view", ull(phys));  // unreachable
        return false;
    }
    out.lapic_phys = lapic;
    out.pcat_compat = (flags & kMadtPcatCompat) != 0;

    // 5.2.12: interrupt controller structures, each starting with type and
    // length bytes, fill the table to its end. Every step advances by at
    // least 2, and `len` is in the view, so the loop is bounded.
    uint32_t off = kMadtEntriesStart;
    while (off < len) {
        if (len - off < 2) {
            set_err(err, "MADT entry at offset 0x%x truncated: %u byte left before the table end", off, len - off);
            return false;
        }
        uint8_t th[2];
        if (!mem.read(phys + off, th, sizeof th)) {  // unreachable: inside the checked table
            set_err(err, "MADT entry at offset 0x%x outside the memory view", off);
            return false;
        }
        const uint8_t type = th[0];
        const uint8_t elen = th[1];
        if (elen < 2) {
            set_err(err, "MADT entry at offset 0x%x has length %u", off, static_cast<unsigned>(elen));
            return false;
        }
        if (elen > len - off) {
            set_err(err, "MADT entry at offset 0x%x (type %u, length %u) runs past the table end (0x%x)", off,
                    static_cast<unsigned>(type), static_cast<unsigned>(elen), len);
            return false;
        }

        const uint8_t need = madt_entry_need(type);
        if (need != 0) {
            if (elen < need) {
                set_err(err, "MADT type %u entry at offset 0x%x too short (length %u, need %u)",
                        static_cast<unsigned>(type), off, static_cast<unsigned>(elen), static_cast<unsigned>(need));
                return false;
            }
            uint8_t e[16];
            if (!mem.read(phys + off, e, need)) {  // unreachable: inside the checked table
                set_err(err, "MADT entry at offset 0x%x outside the memory view", off);
                return false;
            }
            apply_madt_entry(out, type, e);
        }
        off += elen;  // off < len <= UINT32_MAX and elen <= len - off: no overflow
    }
    return true;
}

}  // namespace hvb
