// arch/x86_64/firmware.h — the firmware's tables as the platform layer found
// them at boot (arch/x86_64/platform.cpp), for x86 code and benchmarks that
// use a device the tables describe.
#pragma once

#include <stdint.h>

namespace hvb::x86 {

// Physical address of the ACPI table with `signature` (e.g. "HPET") and its
// length, or 0 when there is no valid one. Valid after platform_init.
uint64_t acpi_table(const char* signature, uint32_t* length);

}  // namespace hvb::x86
