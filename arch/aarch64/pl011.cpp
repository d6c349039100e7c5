// arch/aarch64/pl011.cpp — polled PL011 output.
#include "arch/aarch64/pl011.h"

#include "arch/aarch64/sysreg.h"

namespace hvb::arm {
namespace {

constexpr uint64_t kDr = 0x00, kFr = 0x18, kLcrH = 0x2c, kCr = 0x30;
constexpr uint32_t kFrTxFull = 1u << 5;
constexpr uint32_t kLcrH8BitsFifo = (3u << 5) | (1u << 4);
constexpr uint32_t kCrEnable = (1u << 0) | (1u << 8) | (1u << 9);  // UARTEN, TXE, RXE

uint64_t g_base;

}  // namespace

void pl011_init(uint64_t base) {
    g_base = base;
    // Reprogramming line control needs the UART off (PL011 TRM 3.3.8).
    mmio_write32(base + kCr, 0);
    mmio_write32(base + kLcrH, kLcrH8BitsFifo);
    mmio_write32(base + kCr, kCrEnable);
}

bool pl011_present() { return g_base != 0; }

void pl011_write(const char* s, size_t n) {
    if (g_base == 0) return;
    for (size_t i = 0; i < n; ++i) {
        while (mmio_read32(g_base + kFr) & kFrTxFull) cpu_relax();
        mmio_write32(g_base + kDr, static_cast<uint8_t>(s[i]));
    }
}

}  // namespace hvb::arm
