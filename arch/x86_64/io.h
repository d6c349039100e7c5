// arch/x86_64/io.h — x86 port I/O (HyperBench's in/out). Out-of-line calls:
// a benchmark that must time the bare instruction writes it inline in its
// own file (arch/x86_64/cpu.h has inb/outb for the arch's own use).
#pragma once

#if !defined(__x86_64__)
#error "arch/x86_64/io.h is x86_64-only"
#endif

#include <stddef.h>
#include <stdint.h>

namespace hvb::x86 {

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

}  // namespace hvb::x86
