// posih/console.h — text output: the COM1 UART (the result channel) and, where
// there is no serial port to read, the screen.
#pragma once

#include <stddef.h>

#include "posih/format.h"

namespace hvb {

// Chooses the route (posih/xen.h choose_console_route: under Xen, dom0
// writes through CONSOLEIO_write and a domU without a UART to port 0xE9),
// initializes the UART (115200 8N1) when it is the route, and decides
// whether to mirror to the screen: always when no UART answers, and on bare metal (no hypervisor),
// where a person may be watching. Under a hypervisor with a UART the screen
// is skipped, because each emulated VGA write is a VM exit.
void console_init(bool running_on_hypervisor);

// Writes n bytes; "\n" becomes "\r\n" on the wire. Blocks until sent.
void console_write(const char* s, size_t n);

// One byte to the UART exactly as given (no newline translation, no screen
// mirror): the external-timing markers.
void console_put_raw(char c);

Sink console_sink();
size_t kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

bool console_has_uart();

// Where the console goes (posih/xen.h ConsoleRoute): "uart", "xen-consoleio",
// "xen-ring", "port-e9" or "screen".
const char* console_route();

}  // namespace hvb
