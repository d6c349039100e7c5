// tests/unit/format_test.cpp — tests for the printf-style formatter and format_milli.
#include "posih/format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

// Deliberately not declared with the printf format attribute, so tests can
// pass conversions the compiler's checker rejects (unknown ones like %q).
std::string F(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = hvb::vsnformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    EXPECT_LT(n, sizeof buf);
    EXPECT_EQ(std::strlen(buf), n) << "return value must equal the output length";
    return std::string(buf);
}

// Reference: the host libc. Only for conversions where hvb promises C semantics.
std::string C(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    EXPECT_GE(n, 0);
    return std::string(buf);
}

struct Capture {
    std::string text;
    std::vector<size_t> runs;
    static void put(void* ctx, const char* s, size_t n) {
        auto* c = static_cast<Capture*>(ctx);
        c->text.append(s, n);
        c->runs.push_back(n);
    }
    hvb::Sink sink() { return hvb::Sink{&Capture::put, this}; }
};

std::string Milli(int64_t v) {
    char buf[40];
    std::memset(buf, 'Z', sizeof buf);
    size_t n = hvb::format_milli(buf, v);
    EXPECT_LT(n, 32u);
    EXPECT_EQ(buf[n], '\0');
    EXPECT_EQ(std::strlen(buf), n);
    for (size_t i = 32; i < sizeof buf; ++i) EXPECT_EQ(buf[i], 'Z') << "wrote past 32 bytes";
    return std::string(buf);
}

TEST(FormatTest, LiteralsAndPercent) {
    EXPECT_EQ(F(""), "");
    EXPECT_EQ(F("hello"), "hello");
    EXPECT_EQ(F("100%%"), "100%");
    EXPECT_EQ(F("%%%%"), "%%");
    EXPECT_EQ(F("a%%b%%c"), "a%b%c");
}

TEST(FormatTest, SignedDecimal) {
    EXPECT_EQ(F("%d", 0), "0");
    EXPECT_EQ(F("%d", 42), "42");
    EXPECT_EQ(F("%d", -42), "-42");
    EXPECT_EQ(F("%i", -7), "-7");
    EXPECT_EQ(F("%d", INT_MAX), "2147483647");
    EXPECT_EQ(F("%d", INT_MIN), "-2147483648");
    EXPECT_EQ(F("[%d|%i]", 1, 2), "[1|2]");
}

TEST(FormatTest, Int64Extremes) {
    EXPECT_EQ(F("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(F("%ld", static_cast<long>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(F("%jd", static_cast<intmax_t>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(F("%lld", static_cast<long long>(INT64_MAX)), "9223372036854775807");
    EXPECT_EQ(F("%llu", static_cast<unsigned long long>(UINT64_MAX)), "18446744073709551615");
    EXPECT_EQ(F("%lu", static_cast<unsigned long>(UINT64_MAX)), "18446744073709551615");
    EXPECT_EQ(F("%llx", static_cast<unsigned long long>(UINT64_MAX)), "ffffffffffffffff");
    EXPECT_EQ(F("%llX", static_cast<unsigned long long>(UINT64_MAX)), "FFFFFFFFFFFFFFFF");
    EXPECT_EQ(F("%llo", static_cast<unsigned long long>(UINT64_MAX)), "1777777777777777777777");
    EXPECT_EQ(F("%+lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(F("%025lld", static_cast<long long>(INT64_MIN)), "-000009223372036854775808");
}

TEST(FormatTest, UnsignedHexOctal) {
    EXPECT_EQ(F("%u", 0u), "0");
    EXPECT_EQ(F("%u", 4294967295u), "4294967295");
    EXPECT_EQ(F("%x", 0xdeadbeefu), "deadbeef");
    EXPECT_EQ(F("%X", 0xdeadbeefu), "DEADBEEF");
    EXPECT_EQ(F("%o", 8u), "10");
    EXPECT_EQ(F("%o", 0u), "0");
    EXPECT_EQ(F("%x", 0u), "0");
    // %u of a negative int reinterprets the bits, as in C.
    EXPECT_EQ(F("%u", -1), "4294967295");
}

TEST(FormatTest, LengthModifiers) {
    EXPECT_EQ(F("%hhd", 255), "-1");
    EXPECT_EQ(F("%hhd", 127), "127");
    EXPECT_EQ(F("%hhu", 261), "5");
    EXPECT_EQ(F("%hhx", 0x1ff), "ff");
    EXPECT_EQ(F("%hd", 65535), "-1");
    EXPECT_EQ(F("%hd", -32768), "-32768");
    EXPECT_EQ(F("%hu", 65536), "0");
    EXPECT_EQ(F("%hx", 0x12345), "2345");
    EXPECT_EQ(F("%zu", static_cast<size_t>(SIZE_MAX)), "18446744073709551615");
    EXPECT_EQ(F("%zx", static_cast<size_t>(0xabc)), "abc");
    EXPECT_EQ(F("%zd", static_cast<ptrdiff_t>(-5)), "-5");
    EXPECT_EQ(F("%td", static_cast<ptrdiff_t>(-123456789012LL)), "-123456789012");
    EXPECT_EQ(F("%tx", static_cast<ptrdiff_t>(0x10)), "10");
    EXPECT_EQ(F("%ju", static_cast<uintmax_t>(UINT64_MAX)), "18446744073709551615");
    EXPECT_EQ(F("%jx", static_cast<uintmax_t>(0xfeedULL << 40)), "feed0000000000");
    // A 32-bit %d must read only an int, not the following argument.
    EXPECT_EQ(F("%d %lld %d", -1, static_cast<long long>(1) << 40, 7), "-1 1099511627776 7");
}

TEST(FormatTest, Flags) {
    EXPECT_EQ(F("[%5d]", 42), "[   42]");
    EXPECT_EQ(F("[%-5d]", 42), "[42   ]");
    EXPECT_EQ(F("[%05d]", 42), "[00042]");
    EXPECT_EQ(F("[%05d]", -42), "[-0042]");
    EXPECT_EQ(F("[%-05d]", 42), "[42   ]") << "'-' overrides '0'";
    EXPECT_EQ(F("[%+d]", 42), "[+42]");
    EXPECT_EQ(F("[%+d]", -42), "[-42]");
    EXPECT_EQ(F("[%+d]", 0), "[+0]");
    EXPECT_EQ(F("[% d]", 42), "[ 42]");
    EXPECT_EQ(F("[% d]", -42), "[-42]");
    EXPECT_EQ(F("[%+ d]", 42), "[+42]") << "'+' overrides ' '";
    EXPECT_EQ(F("[%+05d]", 42), "[+0042]");
    EXPECT_EQ(F("[% 5d]", 42), "[   42]");
    EXPECT_EQ(F("[%+u]", 42u), "[42]") << "'+' only applies to signed conversions";
    EXPECT_EQ(F("[%08x]", 0xbeefu), "[0000beef]");
    EXPECT_EQ(F("[%-8X]", 0xbeefu), "[BEEF    ]");
    EXPECT_EQ(F("[%2d]", 12345), "[12345]") << "width never truncates";
}

TEST(FormatTest, AlternateForm) {
    EXPECT_EQ(F("%#x", 0x1fu), "0x1f");
    EXPECT_EQ(F("%#X", 0x1fu), "0X1F");
    EXPECT_EQ(F("%#x", 0u), "0");
    EXPECT_EQ(F("%#o", 8u), "010");
    EXPECT_EQ(F("%#o", 0u), "0");
    EXPECT_EQ(F("%#.3o", 8u), "010");
    EXPECT_EQ(F("%#08x", 0x1fu), "0x00001f");
}

TEST(FormatTest, Precision) {
    EXPECT_EQ(F("%.3d", 7), "007");
    EXPECT_EQ(F("%.3d", -7), "-007");
    EXPECT_EQ(F("%.3d", 12345), "12345");
    EXPECT_EQ(F("[%.0d]", 0), "[]");
    EXPECT_EQ(F("[%.d]", 0), "[]") << "'.' alone means precision 0";
    EXPECT_EQ(F("[%5.0d]", 0), "[     ]");
    EXPECT_EQ(F("[%.0x]", 0u), "[]");
    EXPECT_EQ(F("[%.0d]", 1), "[1]");
    EXPECT_EQ(F("[%8.3d]", 7), "[     007]");
    EXPECT_EQ(F("[%08.3d]", 7), "[     007]") << "a precision disables '0'";
    EXPECT_EQ(F("[%-8.3d]", -7), "[-007    ]");
    EXPECT_EQ(F("[%+.2d]", 3), "[+03]");
    EXPECT_EQ(F("%.10x", 0xabcu), "0000000abc");
    EXPECT_EQ(F("%.40d", 1).size(), 40u);
}

TEST(FormatTest, StarWidthAndPrecision) {
    EXPECT_EQ(F("[%*d]", 6, 42), "[    42]");
    EXPECT_EQ(F("[%*d]", -6, 42), "[42    ]") << "negative '*' width means '-'";
    EXPECT_EQ(F("[%.*d]", 4, 42), "[0042]");
    EXPECT_EQ(F("[%.*d]", -1, 42), "[42]") << "negative '*' precision is ignored";
    EXPECT_EQ(F("[%*.*d]", 7, 3, 5), "[    005]");
    EXPECT_EQ(F("[%-*.*s]", 6, 2, "abcdef"), "[ab    ]");
    EXPECT_EQ(F("[%.*s]", 3, "abcdef"), "[abc]");
    EXPECT_EQ(F("[%*s|%d]", 3, "x", 9), "[  x|9]") << "args after '*' stay aligned";
    EXPECT_EQ(F("[%0*d]", 5, -3), "[-0003]");
}

TEST(FormatTest, StarIntMinWidthIsSafe) {
    // INT_MIN cannot be negated as an int; the formatter must not overflow.
    // Widths are capped, so the return value is finite and the output is padded.
    char buf[8];
    volatile int width = INT_MIN;  // hidden from the compiler's format checker
    size_t n = hvb::snformat(buf, sizeof buf, "%*d", width, 1);
    EXPECT_EQ(std::string(buf), "1      ");
    EXPECT_GT(n, 1000u);
    EXPECT_LE(n, 2147483648u);
}

TEST(FormatTest, LargeWidthsPadInChunks) {
    std::string s = F("%100d|", 5);
    ASSERT_EQ(s.size(), 101u);
    EXPECT_EQ(s, std::string(99, ' ') + "5|");
    s = F("%-70s|", "x");
    EXPECT_EQ(s, "x" + std::string(69, ' ') + "|");
    s = F("%065d", -1);
    EXPECT_EQ(s, "-" + std::string(63, '0') + "1");
}

TEST(FormatTest, Pointer) {
    EXPECT_EQ(F("%p", static_cast<void*>(nullptr)), "0x0000000000000000");
    EXPECT_EQ(F("%p", reinterpret_cast<void*>(uintptr_t{0x1234})), "0x0000000000001234");
    EXPECT_EQ(F("%p", reinterpret_cast<void*>(uintptr_t{0xffffffff80001234ULL})),
              "0xffffffff80001234");
    EXPECT_EQ(F("[%20p]", reinterpret_cast<void*>(uintptr_t{1})), "[  0x0000000000000001]");
    EXPECT_EQ(F("[%-20p]", reinterpret_cast<void*>(uintptr_t{1})), "[0x0000000000000001  ]");
}

TEST(FormatTest, Strings) {
    EXPECT_EQ(F("%s", "abc"), "abc");
    EXPECT_EQ(F("%s", ""), "");
    EXPECT_EQ(F("%s", static_cast<const char*>(nullptr)), "(null)");
    EXPECT_EQ(F("[%8s]", static_cast<const char*>(nullptr)), "[  (null)]");
    EXPECT_EQ(F("[%5s]", "ab"), "[   ab]");
    EXPECT_EQ(F("[%-5s]", "ab"), "[ab   ]");
    EXPECT_EQ(F("[%05s]", "ab"), "[   ab]") << "'0' does not zero-pad strings";
    EXPECT_EQ(F("[%.2s]", "abcdef"), "[ab]");
    EXPECT_EQ(F("[%.0s]", "abcdef"), "[]");
    EXPECT_EQ(F("[%.10s]", "abc"), "[abc]");
    EXPECT_EQ(F("[%6.2s]", "abcdef"), "[    ab]");
}

TEST(FormatTest, PrecisionStringIsNotReadPastPrecision) {
    // Not NUL-terminated: reading a byte past the precision is an ASan error.
    char* raw = new char[3]{'x', 'y', 'z'};
    EXPECT_EQ(F("%.3s", raw), "xyz");
    delete[] raw;
}

TEST(FormatTest, Chars) {
    EXPECT_EQ(F("%c", 'A'), "A");
    EXPECT_EQ(F("%c%c%c", 'a', 'b', 'c'), "abc");
    EXPECT_EQ(F("[%3c]", 'x'), "[  x]");
    EXPECT_EQ(F("[%-3c]", 'x'), "[x  ]");
    EXPECT_EQ(F("%c", 0x141), "A") << "the int is converted to char";
    // A NUL character is output and counted like any other byte.
    Capture cap;
    size_t n = hvb::format(cap.sink(), "a%cb", 0);
    EXPECT_EQ(n, 3u);
    EXPECT_EQ(cap.text, std::string("a\0b", 3));
}

TEST(FormatTest, UnknownConversionIsPrintedLiterally) {
    EXPECT_EQ(F("%q"), "%q");
    EXPECT_EQ(F("a%qb"), "a%qb");
    EXPECT_EQ(F("%5q"), "%5q");
    EXPECT_EQ(F("%-08.3q"), "%-08.3q");
    EXPECT_EQ(F("%lq"), "%lq");
    EXPECT_EQ(F("%Lf"), "%Lf");
    EXPECT_EQ(F("%f"), "%f") << "no floating point in the kernel";
    EXPECT_EQ(F("%n"), "%n") << "%n must never write anything";
    // The arguments after an unknown conversion are still consumed in order.
    EXPECT_EQ(F("%q %d", 5), "%q 5");
}

TEST(FormatTest, TrailingPercentIsPrinted) {
    EXPECT_EQ(F("abc%"), "abc%");
    EXPECT_EQ(F("%"), "%");
    EXPECT_EQ(F("x%5"), "x%5");
    EXPECT_EQ(F("x%ll"), "x%ll");
}

TEST(FormatTest, MatchesLibcForStandardConversions) {
    const int ints[] = {0, 1, -1, 7, -7, 42, 999, -1000, INT_MAX, INT_MIN};
    const char* int_fmts[] = {"%d",   "%5d",   "%-5d",  "%05d",   "%+d",   "% d",   "%.3d",
                              "%8.3d", "%-8.3d", "%+08d", "%.0d",  "%x",    "%#x",   "%08X",
                              "%o",   "%#o",   "%u",    "%12u",   "%-12x", "%+.5d", "%hhd",
                              "%hd",  "%hhx",  "%hu",   "%#10.4x", "% 07d"};
    for (const char* f : int_fmts) {
        for (int v : ints) {
            EXPECT_EQ(F(f, v), C(f, v)) << "format " << f << " value " << v;
        }
    }
    const long long lls[] = {0, -1, INT64_MIN, INT64_MAX, 1234567890123LL, -98765432109LL};
    const char* ll_fmts[] = {"%lld", "%25lld", "%-25lld", "%025lld", "%+lld",
                             "%.20lld", "%llx", "%llo", "%#llX", "%llu"};
    for (const char* f : ll_fmts) {
        for (long long v : lls) {
            EXPECT_EQ(F(f, v), C(f, v)) << "format " << f << " value " << v;
        }
    }
    const char* strs[] = {"", "a", "hello", "exactly10!"};
    const char* s_fmts[] = {"%s", "%8s", "%-8s", "%.3s", "%8.3s", "%-8.3s", "%.0s"};
    for (const char* f : s_fmts) {
        for (const char* s : strs) {
            EXPECT_EQ(F(f, s), C(f, s)) << "format " << f << " value " << s;
        }
    }
}

TEST(FormatTest, SnformatTruncatesAndReturnsFullLength) {
    char buf[16];
    std::memset(buf, '#', sizeof buf);
    size_t n = hvb::snformat(buf, 5, "hello %s", "world");
    EXPECT_EQ(n, 11u);
    EXPECT_STREQ(buf, "hell");
    EXPECT_EQ(buf[5], '#') << "nothing written past size";

    std::memset(buf, '#', sizeof buf);
    n = hvb::snformat(buf, 1, "abc");
    EXPECT_EQ(n, 3u);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], '#');

    std::memset(buf, '#', sizeof buf);
    n = hvb::snformat(buf, 0, "abc%d", 12345);
    EXPECT_EQ(n, 8u);
    EXPECT_EQ(buf[0], '#') << "size 0 writes nothing, not even a NUL";

    n = hvb::snformat(nullptr, 0, "%s-%d", "xyz", -1);
    EXPECT_EQ(n, 6u) << "size 0 with a null buffer only measures";

    // Exactly fitting: size = len + 1.
    std::memset(buf, '#', sizeof buf);
    n = hvb::snformat(buf, 4, "abc");
    EXPECT_EQ(n, 3u);
    EXPECT_STREQ(buf, "abc");
    std::memset(buf, '#', sizeof buf);
    n = hvb::snformat(buf, 3, "abc");
    EXPECT_EQ(n, 3u);
    EXPECT_STREQ(buf, "ab");

    // Truncation in the middle of padding and of a number.
    std::memset(buf, '#', sizeof buf);
    n = hvb::snformat(buf, 6, "%10d", 123);
    EXPECT_EQ(n, 10u);
    EXPECT_STREQ(buf, "     ");
    n = hvb::snformat(buf, 3, "%d", -12345);
    EXPECT_EQ(n, 6u);
    EXPECT_STREQ(buf, "-1");
}

TEST(FormatTest, SinkGetsEverythingAndCountIsExact) {
    Capture cap;
    size_t n = hvb::format(cap.sink(), "x=%d y=%s z=%5x%%", -3, "ok", 0xabcu);
    EXPECT_EQ(cap.text, "x=-3 y=ok z=  abc%");
    EXPECT_EQ(n, cap.text.size());
    size_t sum = 0;
    for (size_t r : cap.runs) {
        EXPECT_GT(r, 0u) << "no empty runs";
        sum += r;
    }
    EXPECT_EQ(sum, n);

    Capture empty;
    EXPECT_EQ(hvb::format(empty.sink(), "%s", ""), 0u);
    EXPECT_TRUE(empty.runs.empty());
}

size_t VformatHelper(hvb::Sink sink, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = hvb::vformat(sink, fmt, ap);
    va_end(ap);
    return n;
}

TEST(FormatTest, VformatMatchesSnformat) {
    Capture cap;
    size_t n = VformatHelper(cap.sink(), "%s:%llu:%p", "k", 18446744073709551615ULL,
                             reinterpret_cast<void*>(uintptr_t{0xabc}));
    char buf[128];
    size_t m = hvb::snformat(buf, sizeof buf, "%s:%llu:%p", "k", 18446744073709551615ULL,
                             reinterpret_cast<void*>(uintptr_t{0xabc}));
    EXPECT_EQ(n, m);
    EXPECT_EQ(cap.text, buf);
    EXPECT_EQ(cap.text, "k:18446744073709551615:0x0000000000000abc");
}

TEST(FormatMilliTest, Basics) {
    EXPECT_EQ(Milli(0), "0.000");
    EXPECT_EQ(Milli(7), "0.007");
    EXPECT_EQ(Milli(70), "0.070");
    EXPECT_EQ(Milli(999), "0.999");
    EXPECT_EQ(Milli(1000), "1.000");
    EXPECT_EQ(Milli(3000), "3.000");
    EXPECT_EQ(Milli(1250), "1.250");
    EXPECT_EQ(Milli(12345), "12.345");
    EXPECT_EQ(Milli(1000001), "1000.001");
}

TEST(FormatMilliTest, Negatives) {
    EXPECT_EQ(Milli(-1), "-0.001");
    EXPECT_EQ(Milli(-500), "-0.500") << "the sign survives a zero integer part";
    EXPECT_EQ(Milli(-999), "-0.999");
    EXPECT_EQ(Milli(-1000), "-1.000");
    EXPECT_EQ(Milli(-12345), "-12.345");
}

TEST(FormatMilliTest, Extremes) {
    EXPECT_EQ(Milli(INT64_MAX), "9223372036854775.807");
    EXPECT_EQ(Milli(INT64_MIN), "-9223372036854775.808");
    EXPECT_EQ(Milli(INT64_MIN + 1), "-9223372036854775.807");
}

TEST(FormatMilliTest, ReturnValueIsLength) {
    char buf[32];
    EXPECT_EQ(hvb::format_milli(buf, 0), 5u);
    EXPECT_EQ(hvb::format_milli(buf, -500), 6u);
    EXPECT_EQ(hvb::format_milli(buf, INT64_MIN), 21u);
}

}  // namespace
