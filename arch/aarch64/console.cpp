// arch/aarch64/console.cpp — posih/console.h on aarch64, over the console
// device the platform chose (platform.h console_device_write): the PL011 the
// device tree's /chosen/stdout-path names; without one, under Xen, Xen's
// console through CONSOLEIO_write (xen.h), as a dom0 writes it; else silent
// ("none"). There is no screen to mirror to.
#include <stdarg.h>

#include "arch/aarch64/pl011.h"
#include "arch/aarch64/platform.h"
#include "arch/aarch64/sysreg.h"
#include "posih/console.h"

namespace hvb {
namespace {

volatile uint32_t g_lock;

void out(const char* s, size_t n) {
    if (n != 0) arm::console_device_write(s, n);
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

const char* console_route() { return arm::console_device_name(); }

}  // namespace hvb
