// posih/bootinfo.cpp — the boot-protocol-neutral model: the bounds-checked
// view onto guest-physical memory, and BootInfo's helpers. The parsers that
// fill a BootInfo are the arch's (arch/x86_64/boot/boot_protocols.cpp).
#include "posih/bootinfo.h"

#include <stddef.h>
#include <stdint.h>

namespace hvb {

// ---- PhysView ---------------------------------------------------------------

bool PhysView::read(uint64_t phys, void* out, size_t n) const {
    if (phys < phys_base_) return false;
    const uint64_t off = phys - phys_base_;
    if (off > size_) return false;
    if (static_cast<uint64_t>(n) > size_ - off) return false;
    // The range's last byte is phys + n - 1; it must not wrap past 2^64 (a
    // view whose own end wraps must not make a wrapping range readable).
    if (n != 0 && static_cast<uint64_t>(n - 1) > UINT64_MAX - phys) return false;
    if (n == 0) return true;
    __builtin_memcpy(out, reinterpret_cast<const void*>(host_base_ + static_cast<uintptr_t>(off)), n);
    return true;
}

bool PhysView::read_cstr(uint64_t phys, char* out, size_t cap, bool* truncated) const {
    if (cap == 0) return false;
    char c = 0;
    if (!read(phys, &c, 1)) return false;
    bool trunc = false;
    size_t i = 0;
    // Byte-at-a-time so a string ending just before the view's end is read
    // exactly; the strings involved are at most a few KiB.
    for (;;) {
        if (c == '\0') break;
        if (i == cap - 1) {  // no room for c: the string is longer than cap-1
            trunc = true;
            break;
        }
        out[i++] = c;
        uint64_t next = 0;
        if (__builtin_add_overflow(phys, static_cast<uint64_t>(i), &next) || !read(next, &c, 1)) {
            trunc = true;  // ran off the end of the view before the NUL
            break;
        }
    }
    out[i] = '\0';
    if (truncated != nullptr) *truncated = trunc;
    return true;
}

// ---- BootInfo helpers -----------------------------------------------------------

uint64_t BootInfo::usable_bytes() const {
    uint64_t sum = 0;
    const size_t n = region_count < kMaxRegions ? region_count : kMaxRegions;
    for (size_t i = 0; i < n; ++i) {
        if (regions[i].type != MemType::usable) continue;
        // Saturate: the regions are raw loader data and may overlap or be
        // absurd; a wrapped sum would be worse than a clamped one.
        if (__builtin_add_overflow(sum, regions[i].length, &sum)) return UINT64_MAX;
    }
    return sum;
}

const char* mem_type_name(MemType t) {
    switch (t) {
        case MemType::usable: return "usable";
        case MemType::reserved: return "reserved";
        case MemType::firmware_reclaimable: return "firmware_reclaimable";
        case MemType::firmware_nvs: return "firmware_nvs";
        case MemType::bad: return "bad";
    }
    return "unknown";
}


// Appends a region as given. Zero-length regions carry no information and are
// dropped; a length running past 2^64 is clamped so that base+length never
// wraps for the code that consumes the map.
void add_boot_region(BootInfo& out, uint64_t base, uint64_t len, MemType type) {
    if (len > UINT64_MAX - base) len = UINT64_MAX - base;
    if (len == 0) return;  // given as zero, or base is 2^64-1
    if (out.region_count >= BootInfo::kMaxRegions) {
        out.regions_truncated = true;
        return;
    }
    MemRegion& r = out.regions[out.region_count++];
    r.base = base;
    r.length = len;
    r.type = type;
}

}  // namespace hvb
