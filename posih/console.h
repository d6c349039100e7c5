// posih/console.h — text output: the serial port (the result channel) and,
// where there is no serial port to read, whatever else the platform offers.
#pragma once

#include <stddef.h>

#include "posih/format.h"

namespace hvb {

// Chooses the route (the arch's: a UART where one answers, else a
// hypervisor's console or debug channel, else a screen), initializes the
// UART (115200 8N1) when it is the route, and decides whether to mirror to
// a screen: always when no UART answers, and on bare metal (no hypervisor),
// where a person may be watching. Under a hypervisor with a UART a screen
// is skipped, because each emulated write to it is a VM exit.
void console_init(bool running_on_hypervisor);

// Writes n bytes; "\n" becomes "\r\n" on the wire. Blocks until sent.
void console_write(const char* s, size_t n);

// One byte to the UART exactly as given (no newline translation, no screen
// mirror): the external-timing markers.
void console_put_raw(char c);

Sink console_sink();
size_t kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

bool console_has_uart();

// Where the console goes, in the arch's words ("uart" where a UART is the
// route; the header's "console").
const char* console_route();

}  // namespace hvb
