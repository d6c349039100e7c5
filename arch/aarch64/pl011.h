// arch/aarch64/pl011.h — the ARM PrimeCell UART (PL011 TRM DDI 0183),
// QEMU virt's and most arm64 servers' console.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb::arm {

// Enables the transmitter at `base` (MMIO, identity-mapped); keeps the
// firmware's baud rate. Until it is called, pl011_write drops its bytes.
void pl011_init(uint64_t base);
bool pl011_present();
void pl011_write(const char* s, size_t n);

}  // namespace hvb::arm
