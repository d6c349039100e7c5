// posih/bootinfo.h — the boot-protocol-neutral description of the machine the
// kernel was handed. Each architecture's parsers build it from what its boot
// protocols hand over (arch/x86_64/boot/boot_protocols.h).
//
// The parsers read guest-physical memory only through a PhysView, which bounds
// every access; on the kernel the view is the memory the boot code mapped, in
// the host tests it is a synthetic buffer. Nothing trusts a length field.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

// What a range of physical memory is, as the firmware describes it.
enum class MemType : uint8_t {
    usable = 1,
    reserved = 2,              // and any type the firmware's map names that we do not know
    firmware_reclaimable = 3,  // the firmware's tables: usable once they are read
    firmware_nvs = 4,          // the firmware's, kept across sleep states
    bad = 5,
};
const char* mem_type_name(MemType t);

struct MemRegion {
    uint64_t base;
    uint64_t length;
    MemType type;
};

struct BootModule {
    uint64_t start;  // physical, [start, end)
    uint64_t end;
    char cmdline[128];  // truncated copy, always NUL-terminated
};

struct BootInfo {
    static constexpr size_t kMaxRegions = 128;
    static constexpr size_t kMaxModules = 8;
    static constexpr size_t kCmdlineMax = 1024;
    static constexpr size_t kLoaderMax = 64;

    // How the kernel was booted, the arch's word (the header's "boot");
    // null until a parser has run.
    const char* protocol;
    char cmdline[kCmdlineMax];   // always NUL-terminated; "" when none given
    char loader_name[kLoaderMax];  // "" when the loader gave none
    bool cmdline_truncated;
    // Where the firmware's description of the machine starts (the arch's root
    // table), 0 if the loader did not hand it over.
    uint64_t firmware_table;
    // A loader may hand a copy of that root instead of (or as well as) its
    // address; when it does, the first kFirmwareTableCopyMax bytes are copied
    // here and firmware_table_copy_len says how many.
    static constexpr size_t kFirmwareTableCopyMax = 36;
    uint8_t firmware_table_copy[kFirmwareTableCopyMax];
    size_t firmware_table_copy_len;
    MemRegion regions[kMaxRegions];  // as the loader gave them (raw, not normalized)
    size_t region_count;
    bool regions_truncated;  // more regions than kMaxRegions; the rest dropped
    BootModule modules[kMaxModules];
    size_t module_count;

    // Sum of usable region lengths, as given (overlaps are not resolved here).
    uint64_t usable_bytes() const;
};

// Bounds-checked window onto guest-physical memory: phys [phys_base,
// phys_base + size) is readable at host address host_base.
class PhysView {
public:
    constexpr PhysView(uintptr_t host_base, uint64_t phys_base, uint64_t size)
        : host_base_(host_base), phys_base_(phys_base), size_(size) {}
    // Copies n bytes at phys into out; false (out untouched) if any byte of
    // [phys, phys+n) is outside the view or the range wraps.
    bool read(uint64_t phys, void* out, size_t n) const;
    // Copies a NUL-terminated string at phys into out (capacity cap >= 1),
    // always NUL-terminating. Returns false if the string's first byte is
    // outside the view. Sets *truncated when the string did not fit in cap-1
    // bytes or ran off the end of the view before its NUL.
    bool read_cstr(uint64_t phys, char* out, size_t cap, bool* truncated) const;

private:
    uintptr_t host_base_;
    uint64_t phys_base_;
    uint64_t size_;
};

// Result of a parse: ok, or a human-readable reason ("info truncated: tag at
// offset 48 runs past total_size 40"-style messages are welcome; they are
// written into `message`).
struct BootParseResult {
    bool ok;
    char message[160];
};

// The boot hand-off: the arch's entry code calls hvb_kmain(handoff0,
// handoff1) (kernel/main.cpp) with what its loader handed over, two words
// whose meaning is the arch's; this parses them into `out` (reset first; on
// failure it holds what was parsed before the error, and the result says
// why).
BootParseResult boot_info_parse(uint64_t handoff0, uint64_t handoff1, BootInfo& out);

// Appends a region as given to out.regions: zero-length regions are dropped,
// a length running past 2^64 is clamped, and one past kMaxRegions sets
// regions_truncated.
void add_boot_region(BootInfo& out, uint64_t base, uint64_t length, MemType type);

}  // namespace hvb
