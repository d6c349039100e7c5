// arch/x86_64/io.cpp — port I/O (arch/x86_64/io.h) and POSIH memory-mapped
// I/O (posih/io.h).
#include "arch/x86_64/io.h"

#include "posih/io.h"

namespace hvb::x86 {

uint8_t io_in8(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
uint16_t io_in16(uint16_t port) {
    uint16_t v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
uint32_t io_in32(uint16_t port) {
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
void io_out8(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
void io_out16(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
void io_out32(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }

void io_in8_string(uint16_t port, void* buf, size_t n) {
    asm volatile("rep insb" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}
void io_out8_string(uint16_t port, const void* buf, size_t n) {
    asm volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}
void io_in16_string(uint16_t port, void* buf, size_t n) {
    asm volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}
void io_out16_string(uint16_t port, const void* buf, size_t n) {
    asm volatile("rep outsw" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}
void io_in32_string(uint16_t port, void* buf, size_t n) {
    asm volatile("rep insl" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}
void io_out32_string(uint16_t port, const void* buf, size_t n) {
    asm volatile("rep outsl" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

}  // namespace hvb::x86

namespace hvb {

// One access of exactly the named width: volatile pointers, which the
// compiler neither merges nor splits for naturally aligned scalars.
uint8_t mmio_read8(uintptr_t a) { return *reinterpret_cast<volatile uint8_t*>(a); }
uint16_t mmio_read16(uintptr_t a) { return *reinterpret_cast<volatile uint16_t*>(a); }
uint32_t mmio_read32(uintptr_t a) { return *reinterpret_cast<volatile uint32_t*>(a); }
uint64_t mmio_read64(uintptr_t a) { return *reinterpret_cast<volatile uint64_t*>(a); }
void mmio_write8(uintptr_t a, uint8_t v) { *reinterpret_cast<volatile uint8_t*>(a) = v; }
void mmio_write16(uintptr_t a, uint16_t v) { *reinterpret_cast<volatile uint16_t*>(a) = v; }
void mmio_write32(uintptr_t a, uint32_t v) { *reinterpret_cast<volatile uint32_t*>(a) = v; }
void mmio_write64(uintptr_t a, uint64_t v) { *reinterpret_cast<volatile uint64_t*>(a) = v; }

}  // namespace hvb
