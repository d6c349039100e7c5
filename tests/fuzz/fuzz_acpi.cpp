// tests/fuzz/fuzz_acpi.cpp — libFuzzer target: the ACPI walk of posih/acpi.h
// (RSDP check and BIOS-area scan, XSDT/RSDT lookup, MADT parse). The input is
// guest-physical memory at 0xE0000 (the BIOS area the RSDP scan searches);
// the RSDP is looked for at its first byte and by the scan, and the tables
// are wherever its pointers say.
#include <stddef.h>
#include <stdint.h>

#include <cstring>
#include <memory>

#include "arch/x86_64/boot/acpi.h"

namespace {

constexpr uint64_t kBase = 0xE0000;

void check(const hvb::AcpiError& e) {
    if (strnlen(e.message, sizeof e.message) >= sizeof e.message) __builtin_trap();
}

void walk(const hvb::PhysView& mem, uint64_t rsdp) {
    hvb::AcpiError err{};
    uint64_t rsdt = 0, xsdt = 0;
    if (!hvb::acpi_check_rsdp(mem, rsdp, &rsdt, &xsdt, &err)) {
        check(err);
        return;
    }
    for (const char* sig : {"APIC", "FACP", "HPET"}) {
        uint32_t length = 0;
        err = hvb::AcpiError{};
        uint64_t table = hvb::acpi_find_table(mem, rsdp, sig, &length, &err);
        check(err);
        if (table == 0) continue;
        if (length < 36) __builtin_trap();  // a found table has at least a header
        if (sig[0] != 'A') continue;
        static hvb::MadtInfo madt;
        if (hvb::acpi_parse_madt(mem, table, madt, &err)) {
            if (madt.cpu_count > hvb::MadtInfo::kMaxCpus) __builtin_trap();
        } else {
            check(err);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::unique_ptr<uint8_t[]> copy(new uint8_t[size ? size : 1]);
    if (size) std::memcpy(copy.get(), data, size);
    hvb::PhysView mem(reinterpret_cast<uintptr_t>(copy.get()), kBase, size);
    walk(mem, kBase);
    uint64_t found = hvb::acpi_scan_rsdp(mem);
    if (found != 0 && found != kBase) walk(mem, found);
    return 0;
}
