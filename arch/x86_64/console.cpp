// arch/x86_64/console.cpp — polled 16550 UART on COM1, the VGA text screen,
// and under Xen the CONSOLEIO_write hypercall (dom0) or debug port 0xE9.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/xen.h"
#include "posih/console.h"
#include "arch/x86_64/boot/xen_facts.h"

namespace hvb {
namespace {

// 16550 registers (offsets from the base port) and bits.
constexpr uint16_t kCom1 = 0x3F8;
constexpr uint16_t kThr = 0, kIer = 1, kIir = 2, kFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kScratch = 7;
// A 16550A's transmit FIFO: once the transmitter is empty, this many bytes
// can go without polling (one port read per 16 bytes instead of per byte:
// under a hypervisor each is a VM exit, and the header alone is 1-2 KB).
constexpr uint32_t kTxFifo = 16;
constexpr uint8_t kLsrThrEmpty = 1 << 5;
constexpr uint8_t kLcrDlab = 0x80;
// How long to wait for the transmitter before deciding it is gone: a byte
// takes ~87 us at 115200 baud; a few million polls is far beyond that.
constexpr uint32_t kTxSpinLimit = 1u << 22;

bool uart_present;
uint32_t tx_fifo = 1;  // bytes per empty transmitter (1 without a FIFO)
uint32_t tx_room;
bool vga_enabled;
ConsoleRoute route = ConsoleRoute::screen;
constexpr uint16_t kXenDebugPort = 0xE9;
size_t e9_column;  // characters since the last newline on port 0xE9

volatile uint16_t* const kVga = reinterpret_cast<volatile uint16_t*>(0xB8000);
constexpr unsigned kVgaCols = 80, kVgaRows = 25;
constexpr uint16_t kVgaAttr = 0x0700;  // light grey on black
unsigned vga_row, vga_col;

bool uart_probe() {
    // The scratch register holds what is written to it on every 16550; a
    // missing port reads back 0xFF.
    x86::outb(kCom1 + kScratch, 0x5A);
    if (x86::inb(kCom1 + kScratch) != 0x5A) return false;
    x86::outb(kCom1 + kScratch, 0xA5);
    return x86::inb(kCom1 + kScratch) == 0xA5;
}

void uart_init() {
    x86::outb(kCom1 + kIer, 0x00);      // no UART interrupts: we poll
    x86::outb(kCom1 + kLcr, kLcrDlab);  // divisor latch: 115200 / 1
    x86::outb(kCom1 + 0, 1);
    x86::outb(kCom1 + 1, 0);
    x86::outb(kCom1 + kLcr, 0x03);      // 8 data bits, no parity, 1 stop bit
    x86::outb(kCom1 + kFcr, 0xC7);      // FIFOs on and cleared
    x86::outb(kCom1 + kMcr, 0x03);      // DTR, RTS
    // IIR bits 7:6 read 11b when the FIFOs are on (a 16550A or later).
    tx_fifo = (x86::inb(kCom1 + kIir) & 0xC0) == 0xC0 ? kTxFifo : 1;
    tx_room = 0;
}

// Waits for an empty transmitter when the FIFO's room is used up.
void uart_wait_room() {
    if (tx_room) return;
    for (uint32_t i = 0; i < kTxSpinLimit; ++i) {
        if (x86::inb(kCom1 + kLsr) & kLsrThrEmpty) break;
        x86::pause();
    }
    tx_room = tx_fifo;
}

void uart_put(char c) {
    uart_wait_room();
    --tx_room;
    x86::outb(kCom1 + kThr, uint8_t(c));
}

// The bytes of s (newlines as "\r\n"), a FIFO's room at a time in one REP
// OUTSB: where every guest instruction is slow (a nested software
// hypervisor: about a microsecond each), a byte-by-byte loop cost twice
// what the port writes themselves do.
void uart_write(const char* s, size_t n) {
    while (n) {
        if (*s == '\n') {
            uart_put('\r');
            uart_put('\n');
            ++s;
            --n;
            continue;
        }
        uart_wait_room();
        size_t run = 0;
        while (run < n && run < tx_room && s[run] != '\n') ++run;
        x86::outsb(kCom1 + kThr, s, run);
        tx_room -= uint32_t(run);
        s += run;
        n -= run;
    }
}

// The screen wraps to the top instead of scrolling: scrolling rewrites the
// whole buffer for every line, and the screen is only a mirror.
void vga_newline() {
    vga_col = 0;
    vga_row = (vga_row + 1) % kVgaRows;
    for (unsigned c = 0; c < kVgaCols; ++c) kVga[vga_row * kVgaCols + c] = kVgaAttr | ' ';
}

void vga_put(char c) {
    if (c == '\n') return vga_newline();
    if (c == '\r') return;
    if (vga_col == kVgaCols) vga_newline();
    kVga[vga_row * kVgaCols + vga_col++] = kVgaAttr | uint8_t(c);
}

// Port 0xE9: Xen cuts a line after kXenLogLineMax characters, and the host
// tool joins a piece of exactly that length to the next; a line whose length
// is a multiple of it gets a trailing space so that a real line end is never
// taken for a cut (posih/xen.h).
void e9_put(char c) {
    if (c == '\n') {
        if (e9_column && e9_column % kXenLogLineMax == 0) x86::outb(kXenDebugPort, ' ');
        e9_column = 0;
    } else {
        ++e9_column;
    }
    x86::outb(kXenDebugPort, uint8_t(c));
}

// CONSOLEIO_write and the PV ring take the bytes as given; newlines become
// "\r\n" as on the UART, in pieces of a bounded buffer.
void xen_put(void (*write)(const char*, size_t), const char* s, size_t n) {
    char buf[256];
    size_t used = 0;
    for (size_t i = 0; i < n; ++i) {
        if (used + 2 > sizeof buf) {
            write(buf, used);
            used = 0;
        }
        if (s[i] == '\n') buf[used++] = '\r';
        buf[used++] = s[i];
    }
    if (used) write(buf, used);
}
void consoleio(const char* s, size_t n) { x86::xen_console_write(s, n); }
void xen_write(const char* s, size_t n) { xen_put(consoleio, s, n); }
void xen_ring_write(const char* s, size_t n) { xen_put(x86::xen_ring_write, s, n); }

void sink_put(void*, const char* s, size_t n) { console_write(s, n); }

}  // namespace

void console_init(bool running_on_hypervisor) {
    const x86::XenInfo* xen = running_on_hypervisor ? x86::xen() : nullptr;
    ConsoleFacts facts{};
    facts.xen = xen != nullptr;
    facts.xen_dom0 = xen && xen->dom0;
    // dom0's COM1 belongs to Xen: do not touch it.
    facts.uart = !facts.xen_dom0 && uart_probe();
    facts.xen_ring = facts.xen && !facts.xen_dom0 && !facts.uart && x86::xen_ring_open();
    route = choose_console_route(facts);
    // A record goes out in one console call; CONSOLEIO_write keeps it whole
    // only if Xen takes it: when the first write is refused, use port 0xE9.
    if (route == ConsoleRoute::xen_consoleio && !x86::xen_console_write("\r\n", 2)) route = ConsoleRoute::port_e9;
    uart_present = route == ConsoleRoute::uart;
    if (uart_present) uart_init();
    vga_enabled = route == ConsoleRoute::screen || !running_on_hypervisor;
    if (vga_enabled) {
        for (unsigned i = 0; i < kVgaCols * kVgaRows; ++i) kVga[i] = kVgaAttr | ' ';
        vga_row = vga_col = 0;
    }
}

bool console_has_uart() { return uart_present; }
const char* console_route() { return console_route_name(route); }

void console_write(const char* s, size_t n) {
    if (route == ConsoleRoute::xen_consoleio) xen_write(s, n);
    if (route == ConsoleRoute::xen_ring) xen_ring_write(s, n);
    if (uart_present) uart_write(s, n);
    if (route == ConsoleRoute::port_e9)
        for (size_t i = 0; i < n; ++i) e9_put(s[i]);
    if (vga_enabled)
        for (size_t i = 0; i < n; ++i) vga_put(s[i]);
}

void console_put_raw(char c) {
    if (uart_present) uart_put(c);
}

Sink console_sink() { return Sink{sink_put, nullptr}; }

size_t kprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(console_sink(), fmt, ap);
    va_end(ap);
    return n;
}

}  // namespace hvb
