// arch/x86_64/boot/acpi.h — the ACPI table walk hvbench needs: find the
// RSDP, follow the XSDT (or RSDT) to a table by signature, and read the
// processors and interrupt controllers out of the MADT. No hardware access:
// all memory is read through a bounds-checked PhysView, so it is built into
// the host library too and the host tests feed it synthetic tables.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "posih/bootinfo.h"

namespace hvb {

struct AcpiError {
    char message[160];
};

// Validates an RSDP at `phys`: "RSD PTR " signature, the ACPI 1.0 checksum
// over 20 bytes, and for revision >= 2 the extended checksum over `length`
// bytes (length must be 36..4096 and inside the view). Sets *xsdt (0 for
// revision 0 or when the field is 0) and *rsdt.
bool acpi_check_rsdp(const PhysView& mem, uint64_t phys, uint64_t* rsdt, uint64_t* xsdt, AcpiError* err);

// The legacy BIOS search (ACPI 6.x, 5.2.5.1): the first KiB of the EBDA (its
// segment is the u16 at phys 0x40E) and 0xE0000..0xFFFFF, on 16-byte
// boundaries, for a valid RSDP. Returns its address or 0.
uint64_t acpi_scan_rsdp(const PhysView& mem);

// Finds the table with `signature` (4 chars) through the XSDT if the RSDP
// gives one, else the RSDT. Each table's header length must be >= 36, at
// most 64 KiB for the RSDT/XSDT, 256 KiB for the MADT and 16 MiB for any
// other table, and in the view, and its checksum must be valid; tables that fail are skipped
// (with the reason in *err if none is found). Returns the table's physical
// address (and its length in *length) or 0.
uint64_t acpi_find_table(const PhysView& mem, uint64_t rsdp_phys, const char* signature, uint32_t* length,
                         AcpiError* err);

// How to look: Xen before 4.20 (fixed in 4.20), building a PVH dom0's
// tables on firmware with only an RSDT (SeaBIOS), hands over an XSDT whose
// signature is garbage though its checksum and entries are valid. With
// accept_bad_xsdt_signature such an XSDT is used, and *quirk_seen is set.
struct AcpiLookup {
    bool accept_bad_xsdt_signature = false;
    bool* quirk_seen = nullptr;
};
uint64_t acpi_find_table(const PhysView& mem, uint64_t rsdp_phys, const char* signature, uint32_t* length,
                         AcpiError* err, const AcpiLookup& how);

struct MadtCpu {
    uint32_t apic_id;
    uint32_t acpi_uid;  // processor UID
    bool x2apic;        // described by a type-9 (x2APIC) entry
};

struct MadtInfo {
    static constexpr size_t kMaxCpus = 256;
    uint64_t lapic_phys;  // from the header, overridden by a type-5 entry
    bool pcat_compat;     // flags bit 0: legacy 8259 PICs present
    MadtCpu cpus[kMaxCpus];
    size_t cpu_count;     // usable processors: enabled, or online-capable
    bool cpus_truncated;  // more than kMaxCpus; the rest dropped
    uint64_t ioapic_phys; // first I/O APIC's address, 0 if none
    uint32_t ioapic_count;
};

// Parses the MADT at `phys` (ACPI 6.x, 5.2.12): local APIC (type 0) and
// local x2APIC (type 9) entries whose flags say enabled (bit 0) or
// online-capable (bit 1) count as CPUs, an x2APIC entry whose APIC ID a type-0
// entry already gave is not counted twice; I/O APICs (type 1); the local APIC
// address override (type 5). Entries with length < 2 or running past the
// table end are errors; unknown types are skipped by their length.
bool acpi_parse_madt(const PhysView& mem, uint64_t phys, MadtInfo& out, AcpiError* err);

}  // namespace hvb
