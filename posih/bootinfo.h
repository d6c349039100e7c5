// posih/bootinfo.h — the boot-protocol-neutral description of the machine the
// kernel was handed, and the parsers that build it from multiboot1,
// multiboot2 and PVH (hvm_start_info) boot information.
//
// The parsers read guest-physical memory only through a PhysView, which bounds
// every access; on the kernel the view is the identity-mapped low 4 GiB, in the
// host tests it is a synthetic buffer. Nothing here trusts a length field.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

// Magic values handed to the 32-bit entry point in EAX (multiboot) or found in
// the start-info structure (PVH).
inline constexpr uint32_t kMultiboot1BootMagic = 0x2BADB002;
inline constexpr uint32_t kMultiboot2BootMagic = 0x36D76289;
inline constexpr uint32_t kPvhStartMagic = 0x336EC578;

// devicetree: the loader handed over a flattened device tree, which the
// architecture reads itself (arch_boot_info).
enum class BootProtocol : uint8_t { unknown, multiboot1, multiboot2, pvh, devicetree };
const char* protocol_name(BootProtocol p);  // "unknown", "mb1", "mb2", "pvh", "devicetree"

enum class MemType : uint8_t {
    usable = 1,            // E820 type 1
    reserved = 2,          // E820 type 2 and any unknown type
    acpi_reclaimable = 3,  // E820 type 3
    acpi_nvs = 4,          // E820 type 4
    bad = 5,               // E820 type 5
};
const char* mem_type_name(MemType t);
// E820 types 1..5 have the MemType of the same value; any other is reserved.
MemType mem_type_from_e820(uint32_t type);

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

    BootProtocol protocol;
    char cmdline[kCmdlineMax];   // always NUL-terminated; "" when none given
    char loader_name[kLoaderMax];  // "" when the loader gave none
    bool cmdline_truncated;
    uint64_t rsdp_phys;  // physical address of the ACPI RSDP, 0 if not handed over
    // multiboot2 hands a copy of the RSDP inside its tag; when it does, the
    // first kRsdpCopyMax bytes are copied here and rsdp_copy_len says how many.
    static constexpr size_t kRsdpCopyMax = 36;
    uint8_t rsdp_copy[kRsdpCopyMax];
    size_t rsdp_copy_len;
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

// Result of a parse: ok, or a static, human-readable reason ("multiboot2 info
// truncated: tag at offset 48 runs past total_size 40"-style messages are
// welcome; they are written into `message`).
struct BootParseResult {
    bool ok;
    char message[160];
};

// Each parser fills `out` completely (it is reset first) and sets
// out.protocol. On failure `out` holds whatever was parsed before the error
// was found, and the result says why.
BootParseResult parse_multiboot1(const PhysView& mem, uint64_t info_phys, BootInfo& out);
BootParseResult parse_multiboot2(const PhysView& mem, uint64_t info_phys, BootInfo& out);
// PVH start_info version 0 (Xen's dom0 builder) carries no memory map: it
// parses with region_count 0, and the kernel asks the hypervisor.
BootParseResult parse_pvh(const PhysView& mem, uint64_t start_info_phys, BootInfo& out);

// Appends a region as given to out.regions: zero-length regions are dropped,
// a length running past 2^64 is clamped, and one past kMaxRegions sets
// regions_truncated.
void add_boot_region(BootInfo& out, uint64_t base, uint64_t length, MemType type);

// Dispatches on the value the entry stub found: kMultiboot1BootMagic or
// kMultiboot2BootMagic (from EAX), or kPvhStartMagic (the PVH entry stub passes
// this constant). Anything else is an error naming the magic in hex.
BootParseResult parse_boot_info(uint32_t magic, uint64_t info_phys, const PhysView& mem, BootInfo& out);

// The architecture's boot information, as its entry stub handed it to the
// kernel: the protocols above where the arch boots by them (parse_boot_info),
// else the arch's own description of the machine. Defined under arch/.
BootParseResult arch_boot_info(uint32_t magic, uint64_t info_phys, const PhysView& mem, BootInfo& out);

}  // namespace hvb
