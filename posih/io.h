// posih/io.h — port and memory-mapped I/O (HyperBench's in/out and
// read/write). Out-of-line calls: a benchmark that must time the bare
// instruction writes it inline in its own file.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

uint8_t io_in8(uint16_t port);
uint16_t io_in16(uint16_t port);
uint32_t io_in32(uint16_t port);
void io_out8(uint16_t port, uint8_t value);
void io_out16(uint16_t port, uint16_t value);
void io_out32(uint16_t port, uint32_t value);
// String forms: `count` elements to or from `buf` through one port.
void io_in8_string(uint16_t port, void* buf, size_t count);
void io_out8_string(uint16_t port, const void* buf, size_t count);
void io_in16_string(uint16_t port, void* buf, size_t count);
void io_out16_string(uint16_t port, const void* buf, size_t count);
void io_in32_string(uint16_t port, void* buf, size_t count);
void io_out32_string(uint16_t port, const void* buf, size_t count);

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
