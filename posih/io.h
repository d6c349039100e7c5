// posih/io.h — memory-mapped I/O (HyperBench's read/write). Out-of-line
// calls: a benchmark that must time the bare access writes it inline in its
// own file. (Port I/O, where an architecture has it, is the arch's:
// arch/x86_64/io.h.)
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

// Memory-mapped I/O at a (mapped) address; exactly one access of that width.
uint8_t mmio_read8(uintptr_t addr);
uint16_t mmio_read16(uintptr_t addr);
uint32_t mmio_read32(uintptr_t addr);
uint64_t mmio_read64(uintptr_t addr);
void mmio_write8(uintptr_t addr, uint8_t value);
void mmio_write16(uintptr_t addr, uint16_t value);
void mmio_write32(uintptr_t addr, uint32_t value);
void mmio_write64(uintptr_t addr, uint64_t value);

}  // namespace hvb
