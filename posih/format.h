// posih/format.h — printf-style formatting into a sink, with no heap and no libc.
//
// Shared by the kernel (console, records) and the host tools/tests. Supported
// conversions: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ', a field
// width and precision (number or '*'), and the length modifiers hh h l ll z j t.
// %p prints 0x followed by 16 hex digits. A null %s prints "(null)". An
// unknown conversion is printed literally (e.g. "%q"), never skipped.
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

namespace hvb {

// Where formatted text goes. `put` receives runs of bytes (not NUL-terminated).
struct Sink {
    void (*put)(void* ctx, const char* s, size_t n);
    void* ctx;
};

// Formats into `sink`; returns the number of bytes produced.
size_t vformat(Sink sink, const char* fmt, va_list ap);
size_t format(Sink sink, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// snprintf semantics: writes at most size-1 bytes plus a NUL (if size > 0) and
// returns the length the full output would have had.
size_t vsnformat(char* buf, size_t size, const char* fmt, va_list ap);
size_t snformat(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Fixed-point helper: `milli` is a value in thousandths; writes it as a decimal
// with exactly three fractional digits ("-12.345", "0.007", "3.000").
// Returns the length written (excluding the NUL); buf must hold 32 bytes.
size_t format_milli(char* buf, int64_t milli);

}  // namespace hvb
