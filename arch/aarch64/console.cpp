// arch/aarch64/console.cpp — posih/console.h on aarch64: the PL011 the
// device tree's /chosen/stdout-path names (arch/aarch64/pl011.h); without
// one, under Xen (the tree's /hypervisor is "xen,..."), Xen's console through
// the CONSOLEIO_write hypercall, as a dom0 writes it; else silent ("none").
// There is no screen to mirror to.
#include <stdarg.h>

#include "arch/aarch64/pl011.h"
#include "arch/aarch64/platform.h"
#include "arch/aarch64/sysreg.h"
#include "posih/console.h"

namespace hvb {
namespace {

volatile uint32_t g_lock;

constexpr uint64_t kXenConsoleIo = 18, kConsoleIoWrite = 0;  // xen/include/public/xen.h

bool xen_console() {
    const DtbInfo& dt = arm::platform().dt;
    const char* c = dt.hypervisor_compatible;
    return !arm::pl011_present() && dt.has_hypervisor && c[0] == 'x' && c[1] == 'e' && c[2] == 'n' && c[3] == ',';
}

// Xen on Arm: HVC #0xEA1, the hypercall number in x16, arguments in x0..x2.
void xen_write(const char* s, size_t n) {
    register uint64_t x0 asm("x0") = kConsoleIoWrite;
    register uint64_t x1 asm("x1") = n;
    register uint64_t x2 asm("x2") = reinterpret_cast<uint64_t>(s);
    register uint64_t x16 asm("x16") = kXenConsoleIo;
    asm volatile("hvc #0xea1" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x16)::"memory");
}

void out(const char* s, size_t n) {
    if (n == 0) return;
    if (xen_console())
        xen_write(s, n);
    else
        arm::pl011_write(s, n);
}

void lock() {
    while (__atomic_exchange_n(&g_lock, 1u, __ATOMIC_ACQUIRE) != 0) arm::cpu_relax();
}
void unlock() { __atomic_store_n(&g_lock, 0u, __ATOMIC_RELEASE); }

// "\n" becomes "\r\n"; runs between newlines go out whole.
void write_translated(const char* s, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i < n; ++i) {
        if (s[i] != '\n') continue;
        out(s + start, i - start);
        out("\r\n", 2);
        start = i + 1;
    }
    out(s + start, n - start);
}

void sink_put(void*, const char* s, size_t n) { console_write(s, n); }
void sink_put_locked(void*, const char* s, size_t n) { write_translated(s, n); }

}  // namespace

// The PL011 was set up from the device tree by the platform bring-up
// (arch/aarch64/platform.cpp), before the MMU: nothing is left to choose.
void console_init(bool) {}

void console_write(const char* s, size_t n) {
    const uint64_t daif = arm::irq_save();
    lock();
    write_translated(s, n);
    unlock();
    arm::irq_restore(daif);
}

void console_put_raw(char c) { out(&c, 1); }

Sink console_sink() { return Sink{sink_put, nullptr}; }

// One lock for the whole line, so CPUs' lines never interleave.
size_t kprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const uint64_t daif = arm::irq_save();
    lock();
    const size_t n = vformat(Sink{sink_put_locked, nullptr}, fmt, ap);
    unlock();
    arm::irq_restore(daif);
    va_end(ap);
    return n;
}

bool console_has_uart() { return arm::pl011_present(); }

const char* console_route() { return arm::pl011_present() ? "uart" : xen_console() ? "xen-consoleio" : "none"; }

}  // namespace hvb
