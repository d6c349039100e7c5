// kernel/message.h — builds the one-line error messages of the command-line
// parser and the benchmark selection into fixed buffers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/options.h"  // Str

namespace hvb {

// At most this many bytes of user input are echoed into a message, so one
// absurdly long word cannot crowd the explanation out of the 160-byte buffer.
inline constexpr size_t kQuoteMax = 60;

// Appends text to a fixed buffer, always leaving it NUL-terminated and
// silently dropping what does not fit. A null buffer discards everything,
// which lets errors beyond max_errors be counted without being written.
// Echoed input is clipped to kQuoteMax bytes (marked "...") and control or
// non-ASCII bytes show as '?', because messages end up on a serial console.
class Message {
public:
    Message(char* buf, size_t cap) : buf_(buf), cap_(cap) {
        if (buf_ != nullptr && cap_ > 0) buf_[0] = '\0';
    }

    Message& text(const char* s) {
        while (*s != '\0') put(*s++);
        return *this;
    }

    // Echoes a name, clipped and with unprintable bytes shown as '?' so a
    // corrupt table or command line cannot garble the console.
    Message& input(const char* s, size_t n) {
        size_t shown = n > kQuoteMax ? kQuoteMax : n;
        for (size_t i = 0; i < shown; ++i) {
            char c = s[i];
            put(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (shown < n) text("...");
        return *this;
    }
    Message& input(Str s) { return input(s.ptr, s.len); }
    Message& input(const char* s) { return input(s, __builtin_strlen(s)); }

    Message& number(uint64_t v) {
        char digits[20];  // UINT64_MAX has 20 decimal digits
        size_t k = 0;
        do {
            digits[k++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (k > 0) put(digits[--k]);
        return *this;
    }

private:
    void put(char c) {
        if (buf_ == nullptr || len_ + 1 >= cap_) return;
        buf_[len_++] = c;
        buf_[len_] = '\0';
    }

    char* buf_;
    size_t cap_;
    size_t len_ = 0;
};

// Counts every error but writes only the first `max` of them.
template <class Error>
struct ErrorList {
    Error* list;
    size_t max;
    size_t count;

    Message add() {
        char* buf = (list != nullptr && count < max) ? list[count].message : nullptr;
        ++count;
        return Message(buf, sizeof(Error::message));
    }
};

}  // namespace hvb
