// posih/format.cpp — printf-style formatter into a Sink (no heap, no libc, no FP).
#include "posih/format.h"

namespace hvb {

namespace {

// Counts what it forwards so vformat can report the full output length even
// when the sink discards (snformat truncation).
struct Out {
    Sink sink;
    size_t count;

    void put(const char* s, size_t n) {
        if (n == 0) return;  // sinks need not cope with empty runs
        sink.put(sink.ctx, s, n);
        count += n;
    }
    void put_char(char c) { put(&c, 1); }
    // Emits `n` copies of `c` in chunks; widths can be large and we have no heap.
    void repeat(char c, size_t n) {
        char chunk[32];
        __builtin_memset(chunk, c, sizeof chunk);
        while (n > 0) {
            size_t k = n < sizeof chunk ? n : sizeof chunk;
            put(chunk, k);
            n -= k;
        }
    }
};

enum class Len { none, hh, h, l, ll, z, j, t };

struct Spec {
    bool left = false;   // '-'
    bool zero = false;   // '0'
    bool plus = false;   // '+'
    bool space = false;  // ' '
    bool alt = false;    // '#' (not in the header's list, but harmless and cheap)
    size_t width = 0;
    bool has_prec = false;
    size_t prec = 0;
};

// Caps a parsed width/precision so digit accumulation cannot overflow; no real
// caller wants a field of more than a million bytes.
constexpr size_t kMaxField = 1000000;

size_t parse_num(const char*& p) {
    size_t v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v < kMaxField) v = v * 10 + static_cast<size_t>(*p - '0');
        ++p;
    }
    return v < kMaxField ? v : kMaxField;
}

// Converts an int from '*' into a magnitude without negating INT_MIN.
size_t star_magnitude(int v) {
    uint64_t m = v < 0 ? 0 - static_cast<uint64_t>(static_cast<int64_t>(v)) : static_cast<uint64_t>(v);
    return m < kMaxField ? static_cast<size_t>(m) : kMaxField;
}

// Writes `v` in `base` backwards, ending just before `end`; returns the digit
// count. 64-bit octal needs 22 digits, so callers reserve 24 bytes.
size_t to_digits(char* end, uint64_t v, unsigned base, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t n = 0;
    do {
        *--end = digits[v % base];
        v /= base;
        ++n;
    } while (v != 0);
    return n;
}

// Pads a finished piece of text to the field width (strings, chars, %p).
void emit_padded(Out& out, const Spec& sp, const char* s, size_t n) {
    size_t pad = sp.width > n ? sp.width - n : 0;
    if (!sp.left) out.repeat(' ', pad);
    out.put(s, n);
    if (sp.left) out.repeat(' ', pad);
}

void emit_integer(Out& out, const Spec& sp, uint64_t mag, bool negative, bool is_signed,
                  unsigned base, bool upper) {
    char buf[24];
    char* end = buf + sizeof buf;
    size_t ndig = to_digits(end, mag, base, upper);
    const char* dig = end - ndig;

    // C rule: precision 0 with value 0 prints no digits at all.
    if (sp.has_prec && sp.prec == 0 && mag == 0) ndig = 0;

    char prefix[2];
    size_t nprefix = 0;
    if (is_signed) {
        if (negative) prefix[nprefix++] = '-';
        else if (sp.plus) prefix[nprefix++] = '+';
        else if (sp.space) prefix[nprefix++] = ' ';
    } else if (sp.alt) {
        if (base == 16 && mag != 0) {
            prefix[nprefix++] = '0';
            prefix[nprefix++] = upper ? 'X' : 'x';
        }
    }

    size_t zeros = 0;
    if (sp.has_prec && sp.prec > ndig) zeros = sp.prec - ndig;
    // '#' with octal forces a leading zero, which precision zeros may already give.
    if (!is_signed && sp.alt && base == 8 && zeros == 0 && (ndig == 0 || dig[0] != '0')) zeros = 1;

    size_t body = nprefix + zeros + ndig;
    size_t pad = sp.width > body ? sp.width - body : 0;
    // '0' pads with zeros after the sign, unless left-justified or a precision is given.
    bool zero_pad = sp.zero && !sp.left && !sp.has_prec;
    if (zero_pad) {
        zeros += pad;
        pad = 0;
    }
    if (!sp.left) out.repeat(' ', pad);
    out.put(prefix, nprefix);
    out.repeat('0', zeros);
    out.put(dig, ndig);
    if (sp.left) out.repeat(' ', pad);
}

// The variadic arguments, passed by reference between the helpers below (a
// va_list itself may be an array type, which does not pass portably).
struct Args {
    va_list ap;
};

// Flags, width, precision and length modifier of the spec after a '%';
// leaves p on the conversion character.
Len parse_spec(const char*& p, Args& args, Spec& sp) {
    for (;; ++p) {
        if (*p == '-') sp.left = true;
        else if (*p == '0') sp.zero = true;
        else if (*p == '+') sp.plus = true;
        else if (*p == ' ') sp.space = true;
        else if (*p == '#') sp.alt = true;
        else break;
    }
    if (*p == '*') {
        int w = va_arg(args.ap, int);
        if (w < 0) sp.left = true;  // C: a negative '*' width means '-'
        sp.width = star_magnitude(w);
        ++p;
    } else {
        sp.width = parse_num(p);
    }
    if (*p == '.') {
        ++p;
        sp.has_prec = true;
        if (*p == '*') {
            int pr = va_arg(args.ap, int);
            ++p;
            // C: a negative '*' precision is taken as if omitted.
            if (pr < 0) sp.has_prec = false;
            else sp.prec = star_magnitude(pr);
        } else {
            sp.prec = parse_num(p);
        }
    }
    Len len = Len::none;
    if (*p == 'h') {
        ++p;
        if (*p == 'h') { len = Len::hh; ++p; } else len = Len::h;
    } else if (*p == 'l') {
        ++p;
        if (*p == 'l') { len = Len::ll; ++p; } else len = Len::l;
    } else if (*p == 'z') { len = Len::z; ++p; }
    else if (*p == 'j') { len = Len::j; ++p; }
    else if (*p == 't') { len = Len::t; ++p; }
    return len;
}

int64_t signed_arg(Args& args, Len len) {
    switch (len) {
    case Len::hh: return static_cast<signed char>(va_arg(args.ap, int));
    case Len::h: return static_cast<short>(va_arg(args.ap, int));
    case Len::l: return va_arg(args.ap, long);
    case Len::ll: return va_arg(args.ap, long long);
    // No ssize_t without libc headers; ptrdiff_t is the same width.
    case Len::z: return static_cast<int64_t>(va_arg(args.ap, ptrdiff_t));
    case Len::j: return va_arg(args.ap, intmax_t);
    case Len::t: return va_arg(args.ap, ptrdiff_t);
    default: return va_arg(args.ap, int);
    }
}

uint64_t unsigned_arg(Args& args, Len len) {
    switch (len) {
    case Len::hh: return static_cast<unsigned char>(va_arg(args.ap, unsigned));
    case Len::h: return static_cast<unsigned short>(va_arg(args.ap, unsigned));
    case Len::l: return va_arg(args.ap, unsigned long);
    case Len::ll: return va_arg(args.ap, unsigned long long);
    case Len::z: return va_arg(args.ap, size_t);
    case Len::j: return va_arg(args.ap, uintmax_t);
    case Len::t: return static_cast<uint64_t>(va_arg(args.ap, ptrdiff_t));
    default: return va_arg(args.ap, unsigned);
    }
}

void emit_pointer(Out& out, const Spec& sp, uint64_t v) {
    // Always 16 digits, so pointers line up in logs.
    char buf[18];
    buf[0] = '0';
    buf[1] = 'x';
    size_t nd = to_digits(buf + sizeof buf, v, 16, false);
    __builtin_memset(buf + 2, '0', 16 - nd);
    emit_padded(out, sp, buf, sizeof buf);
}

void emit_string(Out& out, const Spec& sp, const char* s) {
    if (s == nullptr) s = "(null)";
    // With a precision, the string need not be NUL-terminated: never read past it.
    size_t n = 0;
    if (sp.has_prec) {
        while (n < sp.prec && s[n] != '\0') ++n;
    } else {
        n = __builtin_strlen(s);
    }
    emit_padded(out, sp, s, n);
}

// One conversion; p is on its character. Returns false at a spec cut off by
// the end of the format (echoed as it was).
bool convert(Out& out, const char* spec_start, const char* p, const Spec& sp, Len len, Args& args) {
    char conv = *p;
    switch (conv) {
    case 'd':
    case 'i': {
        int64_t v = signed_arg(args, len);
        // Unsigned negation, so INT64_MIN is fine.
        uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        emit_integer(out, sp, mag, v < 0, true, 10, false);
        return true;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
        uint64_t v = unsigned_arg(args, len);
        unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
        emit_integer(out, sp, v, false, false, base, conv == 'X');
        return true;
    }
    case 'p':
        emit_pointer(out, sp, reinterpret_cast<uintptr_t>(va_arg(args.ap, void*)));
        return true;
    case 's':
        emit_string(out, sp, va_arg(args.ap, const char*));
        return true;
    case 'c': {
        char c = static_cast<char>(va_arg(args.ap, int));
        emit_padded(out, sp, &c, 1);
        return true;
    }
    case '%':
        out.put_char('%');
        return true;
    case '\0':
        // A trailing lone '%' (or a cut-off spec): echo what was there.
        out.put(spec_start, static_cast<size_t>(p - spec_start));
        return false;
    default:
        // Unknown conversion: printed literally, spec and all, never skipped.
        out.put(spec_start, static_cast<size_t>(p + 1 - spec_start));
        return true;
    }
}

}  // namespace

size_t vformat(Sink sink, const char* fmt, va_list ap_in) {
    Out out{sink, 0};
    Args args;
    va_copy(args.ap, ap_in);
    const char* p = fmt;
    while (*p != '\0') {
        // Literal run up to the next '%'.
        const char* run = p;
        while (*p != '\0' && *p != '%') ++p;
        out.put(run, static_cast<size_t>(p - run));
        if (*p == '\0') break;

        const char* spec_start = p;  // for echoing an unknown conversion
        ++p;
        Spec sp;
        Len len = parse_spec(p, args, sp);
        if (!convert(out, spec_start, p, sp, len, args)) break;  // the NUL ends the format
        ++p;
    }
    va_end(args.ap);
    return out.count;
}

size_t format(Sink sink, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(sink, fmt, ap);
    va_end(ap);
    return n;
}

namespace {

struct BufCtx {
    char* buf;
    size_t cap;  // bytes available for text (size - 1), 0 when size == 0
    size_t pos;
};

void buf_put(void* ctx, const char* s, size_t n) {
    BufCtx* b = static_cast<BufCtx*>(ctx);
    if (b->pos < b->cap) {
        size_t room = b->cap - b->pos;
        size_t k = n < room ? n : room;
        __builtin_memcpy(b->buf + b->pos, s, k);
        b->pos += k;
    }
}

}  // namespace

size_t vsnformat(char* buf, size_t size, const char* fmt, va_list ap) {
    BufCtx ctx{buf, size > 0 ? size - 1 : 0, 0};
    size_t n = vformat(Sink{buf_put, &ctx}, fmt, ap);
    if (size > 0) buf[ctx.pos] = '\0';
    return n;
}

size_t snformat(char* buf, size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = vsnformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

size_t format_milli(char* buf, int64_t milli) {
    // Unsigned magnitude so INT64_MIN needs no special case.
    uint64_t mag = milli < 0 ? 0 - static_cast<uint64_t>(milli) : static_cast<uint64_t>(milli);
    uint64_t whole = mag / 1000;
    unsigned frac = static_cast<unsigned>(mag % 1000);
    char tmp[24];
    size_t nd = to_digits(tmp + sizeof tmp, whole, 10, false);
    size_t n = 0;
    if (milli < 0) buf[n++] = '-';
    __builtin_memcpy(buf + n, tmp + sizeof tmp - nd, nd);
    n += nd;
    buf[n++] = '.';
    buf[n++] = static_cast<char>('0' + frac / 100);
    buf[n++] = static_cast<char>('0' + frac / 10 % 10);
    buf[n++] = static_cast<char>('0' + frac % 10);
    buf[n] = '\0';
    return n;
}

}  // namespace hvb
