// tests/unit/options_test.cpp — unit tests for the kernel command-line parser (kernel/options.cpp).
#include "kernel/options.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

using hvb::ExitMode;
using hvb::OptionError;
using hvb::Options;
using hvb::Str;

std::string str(Str s) {
    return std::string(s.ptr, s.len);
}

// Parses `cmdline` and keeps every message, so tests can assert on both the
// returned count and the exact text. `cmdline` must outlive `opts`.
struct Parsed {
    Options opts;
    size_t count = 0;
    std::vector<std::string> errors;

    explicit Parsed(const char* cmdline) {
        OptionError errs[16];
        std::memset(errs, 0x5a, sizeof errs);  // catches a missing NUL
        count = hvb::parse_options(cmdline, opts, errs, 16);
        for (size_t i = 0; i < count && i < 16; ++i) {
            size_t len = strnlen(errs[i].message, sizeof errs[i].message);
            EXPECT_LT(len, sizeof errs[i].message) << "message " << i << " is not NUL-terminated";
            errors.emplace_back(errs[i].message, len);
        }
    }

    std::vector<std::string> only() const {
        std::vector<std::string> v;
        for (size_t i = 0; i < opts.only_count; ++i) v.push_back(str(opts.only[i]));
        return v;
    }
    std::vector<std::string> skip() const {
        std::vector<std::string> v;
        for (size_t i = 0; i < opts.skip_count; ++i) v.push_back(str(opts.skip[i]));
        return v;
    }
};

using Names = std::vector<std::string>;

void expect_defaults(const Options& o) {
    EXPECT_EQ(o.only_count, 0u);
    EXPECT_EQ(o.skip_count, 0u);
    EXPECT_EQ(o.iters_all, 0u);
    EXPECT_EQ(o.iters_count, 0u);
    EXPECT_EQ(o.reps, 0u);
    EXPECT_STREQ(o.timer, "");
    EXPECT_FALSE(o.timer_given);
    EXPECT_STREQ(o.intc, "auto");
    EXPECT_EQ(o.exit, ExitMode::automatic);
}

// ---- Str and the name helpers ----------------------------------------------

TEST(OptionsStr, EqualsIsExactAndCaseSensitive) {
    const char* text = "cpuidXYZ";
    Str s{text, 5};
    EXPECT_TRUE(s.equals("cpuid"));
    EXPECT_FALSE(s.equals("cpui"));
    EXPECT_FALSE(s.equals("cpuidX"));
    EXPECT_FALSE(s.equals("CPUID"));
    EXPECT_FALSE(s.equals(""));
    EXPECT_FALSE(s.equals(nullptr));
    Str empty{text, 0};
    EXPECT_TRUE(empty.equals(""));
    EXPECT_FALSE(empty.equals("c"));
    Str null_empty{nullptr, 0};
    EXPECT_TRUE(null_empty.equals(""));
}

TEST(OptionsNames, ExitModeNames) {
    EXPECT_STREQ(hvb::exit_mode_name(ExitMode::automatic), "auto");
    EXPECT_STREQ(hvb::exit_mode_name(ExitMode::halt), "halt");
}

// ---- defaults and word splitting --------------------------------------------

TEST(OptionsParse, EmptyAndBlankLinesGiveDefaults) {
    for (const char* line : {"", "   ", "\t \t", " \r\n"}) {
        Parsed p(line);
        EXPECT_EQ(p.count, 0u) << '"' << line << '"';
        expect_defaults(p.opts);
    }
    Options o;
    EXPECT_EQ(hvb::parse_options(nullptr, o, nullptr, 0), 0u);
    expect_defaults(o);
}

TEST(OptionsParse, ResetsStateFromAnEarlierParse) {
    Options o;
    EXPECT_EQ(hvb::parse_options("only=a skip=b iters=5,x:3 reps=2 timer=rdtscp exit=halt", o, nullptr, 0), 0u);
    EXPECT_EQ(hvb::parse_options("", o, nullptr, 0), 0u);
    expect_defaults(o);
}

TEST(OptionsParse, TabsAndRepeatedSpacesSeparateWords) {
    Parsed p("\t only=a  \t\tskip=b\t\treps=3   timer=rdtscp\t");
    EXPECT_EQ(p.count, 0u) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.only(), Names{"a"});
    EXPECT_EQ(p.skip(), Names{"b"});
    EXPECT_EQ(p.opts.reps, 3u);
    EXPECT_STREQ(p.opts.timer, "rdtscp");
}

TEST(OptionsParse, LoaderPathFirstWordIsIgnored) {
    Parsed a("/boot/hvbench.elf only=cpuid");
    EXPECT_EQ(a.count, 0u) << ::testing::PrintToString(a.errors);
    EXPECT_EQ(a.only(), Names{"cpuid"});

    Parsed b("(hd0)/boot/x.elf reps=7");
    EXPECT_EQ(b.count, 0u) << ::testing::PrintToString(b.errors);
    EXPECT_EQ(b.opts.reps, 7u);

    Parsed c("  \t/boot/x.elf");  // leading blanks do not make it a second word
    EXPECT_EQ(c.count, 0u);
}

TEST(OptionsParse, PathIsOnlyIgnoredAsTheFirstWord) {
    Parsed p("reps=2 /boot/x.elf");
    ASSERT_EQ(p.count, 1u);
    EXPECT_EQ(p.errors[0], "stray word '/boot/x.elf' (options are key=value)");
    EXPECT_EQ(p.opts.reps, 2u);
}

TEST(OptionsParse, FirstWordWithoutSlashIsStray) {
    Parsed p("verbose only=a");
    ASSERT_EQ(p.count, 1u);
    EXPECT_EQ(p.errors[0], "stray word 'verbose' (options are key=value)");
    EXPECT_EQ(p.only(), Names{"a"});
}

// ---- only= / skip= ------------------------------------------------------------

TEST(OptionsOnlySkip, ListsAndRepeatsAppend) {
    Parsed p("only=cpuid,sensitive skip=rdtsc only=vmcall skip=io,mmio");
    EXPECT_EQ(p.count, 0u) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.only(), (Names{"cpuid", "sensitive", "vmcall"}));
    EXPECT_EQ(p.skip(), (Names{"rdtsc", "io", "mmio"}));
}

TEST(OptionsOnlySkip, NamesPointIntoTheCommandLine) {
    const char* line = "only=abc";
    Parsed p(line);
    ASSERT_EQ(p.opts.only_count, 1u);
    EXPECT_EQ(p.opts.only[0].ptr, line + 5);
    EXPECT_EQ(p.opts.only[0].len, 3u);
}

TEST(OptionsOnlySkip, EmptyElementsAreErrorsButOtherNamesStay) {
    Parsed p("only=a,,b skip=x, only=,c");
    ASSERT_EQ(p.count, 3u);
    EXPECT_EQ(p.errors[0], "only=a,,b: empty name in list");
    EXPECT_EQ(p.errors[1], "skip=x,: empty name in list");
    EXPECT_EQ(p.errors[2], "only=,c: empty name in list");
    EXPECT_EQ(p.only(), (Names{"a", "b", "c"}));
    EXPECT_EQ(p.skip(), Names{"x"});
}

TEST(OptionsOnlySkip, OnlyCommasIsOneError) {
    Parsed p("skip=,,,");
    ASSERT_EQ(p.count, 1u);
    EXPECT_EQ(p.errors[0], "skip=,,,: empty name in list");
    EXPECT_EQ(p.opts.skip_count, 0u);
}

TEST(OptionsOnlySkip, TooManyNames) {
    std::string line = "only=";
    for (int i = 0; i < 34; ++i) line += (i ? "," : "") + std::string("n") + std::to_string(i);
    Parsed p(line.c_str());
    ASSERT_EQ(p.count, 1u);
    EXPECT_EQ(p.errors[0], "only=: too many names (max 32)");
    ASSERT_EQ(p.opts.only_count, Options::kMaxNames);
    EXPECT_EQ(str(p.opts.only[0]), "n0");
    EXPECT_EQ(str(p.opts.only[31]), "n31");
}

TEST(OptionsOnlySkip, TooManyNamesAcrossWords) {
    std::string line;
    for (int i = 0; i < 33; ++i) line += " skip=s" + std::to_string(i);
    Parsed p(line.c_str());
    ASSERT_EQ(p.count, 1u);
    EXPECT_EQ(p.errors[0], "skip=: too many names (max 32)");
    EXPECT_EQ(p.opts.skip_count, Options::kMaxNames);
}

TEST(OptionsOnlySkip, ExactlyMaxNamesIsFine) {
    std::string line = "only=";
    for (int i = 0; i < 32; ++i) line += (i ? "," : "") + std::to_string(i);
    Parsed p(line.c_str());
    EXPECT_EQ(p.count, 0u);
    EXPECT_EQ(p.opts.only_count, 32u);
}

// ---- iters= -------------------------------------------------------------------

TEST(OptionsIters, BareCount) {
    Parsed p("iters=12345");
    EXPECT_EQ(p.count, 0u);
    EXPECT_EQ(p.opts.iters_all, 12345u);
    EXPECT_EQ(p.opts.iters_count, 0u);
}

TEST(OptionsIters, Suffixes) {
    EXPECT_EQ(Parsed("iters=10k").opts.iters_all, 10000u);
    EXPECT_EQ(Parsed("iters=10K").opts.iters_all, 10000u);
    EXPECT_EQ(Parsed("iters=3m").opts.iters_all, 3000000u);
    EXPECT_EQ(Parsed("iters=3M").opts.iters_all, 3000000u);
    EXPECT_EQ(Parsed("iters=007").opts.iters_all, 7u);
}

TEST(OptionsIters, RangeLimits) {
    EXPECT_EQ(Parsed("iters=1").opts.iters_all, 1u);
    EXPECT_EQ(Parsed("iters=1000000000000").opts.iters_all, Options::kMaxIters);
    EXPECT_EQ(Parsed("iters=1000000M").opts.iters_all, Options::kMaxIters);

    Parsed zero("iters=0");
    ASSERT_EQ(zero.count, 1u);
    EXPECT_EQ(zero.errors[0], "iters=0: must be 1..1000000000000");
    EXPECT_EQ(zero.opts.iters_all, 0u);

    Parsed big("iters=1000000000001");
    ASSERT_EQ(big.count, 1u);
    EXPECT_EQ(big.errors[0], "iters=1000000000001: must be 1..1000000000000");

    Parsed big_m("iters=1000001m");
    ASSERT_EQ(big_m.count, 1u);
    EXPECT_EQ(big_m.errors[0], "iters=1000001m: must be 1..1000000000000");
}

TEST(OptionsIters, Overflow) {
    // 2^64 = 18446744073709551616 and UINT64_MAX * 1000 both overflow uint64_t.
    // 2^64 + 1 would wrap to the valid count 1 without the overflow check.
    for (const char* line : {"iters=18446744073709551616", "iters=18446744073709551617",
                             "iters=36893488147419103233", "iters=99999999999999999999999",
                             "iters=18446744073709551615k", "iters=18446744073709552m"}) {
        Parsed p(line);
        ASSERT_EQ(p.count, 1u) << line;
        EXPECT_EQ(p.errors[0], std::string(line) + ": must be 1..1000000000000");
        EXPECT_EQ(p.opts.iters_all, 0u);
    }
}

TEST(OptionsIters, MalformedNumbers) {
    for (const char* v : {"abc", "+5", "-1", "5x", "k", "10kk", "0x10", "1.5", "k10", "1_000"}) {
        std::string line = std::string("iters=") + v;
        Parsed p(line.c_str());
        ASSERT_EQ(p.count, 1u) << line;
        EXPECT_EQ(p.errors[0], line + ": not a number");
        EXPECT_EQ(p.opts.iters_all, 0u) << line;
    }
}

TEST(OptionsIters, PerBenchmarkCountsMixedWithBareCount) {
    Parsed p("iters=1000,cpuid:50,vmcall:2k");
    EXPECT_EQ(p.count, 0u) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.opts.iters_all, 1000u);
    ASSERT_EQ(p.opts.iters_count, 2u);
    EXPECT_EQ(str(p.opts.iters[0].name), "cpuid");
    EXPECT_EQ(p.opts.iters[0].iters, 50u);
    EXPECT_EQ(str(p.opts.iters[1].name), "vmcall");
    EXPECT_EQ(p.opts.iters[1].iters, 2000u);
}

TEST(OptionsIters, LaterValuesOverride) {
    Parsed p("iters=5 iters=cpuid:1 iters=7 iters=cpuid:9,other:3");
    EXPECT_EQ(p.count, 0u);
    EXPECT_EQ(p.opts.iters_all, 7u);
    ASSERT_EQ(p.opts.iters_count, 2u);  // cpuid reuses its slot
    EXPECT_EQ(str(p.opts.iters[0].name), "cpuid");
    EXPECT_EQ(p.opts.iters[0].iters, 9u);
    EXPECT_EQ(p.opts.iterations_for("cpuid", 1), 9u);
}

TEST(OptionsIters, BadPerBenchmarkCounts) {
    Parsed p("iters=cpuid:,a:xyz,b:0,:5,c:1:2,d:3");
    ASSERT_EQ(p.count, 5u) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.errors[0], "iters=cpuid:: bad count");
    EXPECT_EQ(p.errors[1], "iters=a:xyz: not a number");
    EXPECT_EQ(p.errors[2], "iters=b:0: must be 1..1000000000000");
    EXPECT_EQ(p.errors[3], "iters=:5: missing benchmark name");
    EXPECT_EQ(p.errors[4], "iters=c:1:2: not a number");
    ASSERT_EQ(p.opts.iters_count, 1u);  // the valid item still applies
    EXPECT_EQ(str(p.opts.iters[0].name), "d");
    EXPECT_EQ(p.opts.iters[0].iters, 3u);
}

TEST(OptionsIters, EmptyItems) {
    Parsed p("iters=5,,a:1,");
    ASSERT_EQ(p.count, 1u);
    EXPECT_EQ(p.errors[0], "iters=5,,a:1,: empty item in list");
    EXPECT_EQ(p.opts.iters_all, 5u);
    EXPECT_EQ(p.opts.iters_count, 1u);
}

TEST(OptionsIters, TooManyNames) {
    std::string line = "iters=";
    for (int i = 0; i < 33; ++i) line += (i ? "," : "") + std::string("b") + std::to_string(i) + ":1";
    line += ",b0:4";  // an existing name still updates when the table is full
    Parsed p(line.c_str());
    ASSERT_EQ(p.count, 1u);
    EXPECT_EQ(p.errors[0], "iters=: too many names (max 32)");
    EXPECT_EQ(p.opts.iters_count, Options::kMaxNames);
    EXPECT_EQ(p.opts.iterations_for("b0", 0), 4u);
    EXPECT_EQ(p.opts.iterations_for("b32", 0), 0u);
}

// ---- reps= --------------------------------------------------------------------

TEST(OptionsReps, ValidAndOverride) {
    EXPECT_EQ(Parsed("reps=1").opts.reps, 1u);
    EXPECT_EQ(Parsed("reps=1000").opts.reps, 1000u);
    EXPECT_EQ(Parsed("reps=1k").opts.reps, 1000u);
    Parsed p("reps=3 reps=9");
    EXPECT_EQ(p.count, 0u);
    EXPECT_EQ(p.opts.reps, 9u);
}

TEST(OptionsReps, Errors) {
    struct Case {
        const char* line;
        const char* message;
    } cases[] = {
        {"reps=0", "reps=0: must be 1..1000"},
        {"reps=1001", "reps=1001: must be 1..1000"},
        {"reps=2k", "reps=2k: must be 1..1000"},
        {"reps=99999999999999999999", "reps=99999999999999999999: must be 1..1000"},
        {"reps=abc", "reps=abc: not a number"},
        {"reps=+5", "reps=+5: not a number"},
        {"reps=-1", "reps=-1: not a number"},
        {"reps=", "option 'reps' needs a value"},
        {"reps", "option 'reps' needs a value"},
    };
    for (const Case& c : cases) {
        Parsed p(c.line);
        ASSERT_EQ(p.count, 1u) << c.line;
        EXPECT_EQ(p.errors[0], c.message);
        EXPECT_EQ(p.opts.reps, 0u) << c.line;
    }
    Parsed kept("reps=4 reps=0");  // a bad later value leaves the good one
    EXPECT_EQ(kept.count, 1u);
    EXPECT_EQ(kept.opts.reps, 4u);
}

// ---- timer= and exit= --------------------------------------------------------

TEST(OptionsTimer, Values) {
    Parsed a("timer=rdtscp");
    EXPECT_EQ(a.count, 0u);
    EXPECT_STREQ(a.opts.timer, "rdtscp");
    EXPECT_TRUE(a.opts.timer_given);

    Parsed b("timer=rdtscp timer=rdtsc");
    EXPECT_EQ(b.count, 0u);
    EXPECT_STREQ(b.opts.timer, "rdtsc");
    EXPECT_TRUE(b.opts.timer_given);
}

// timer= names a source only the architecture knows: the parser keeps any
// word (the kernel checks it, unknown_word_message below) and refuses what
// is no word.
TEST(OptionsTimer, Errors) {
    for (const char* v : {"hpet", "RDTSC", "rdtscpp", "rdts"}) {
        std::string line = std::string("timer=") + v;
        Parsed p(line.c_str());
        EXPECT_EQ(p.count, 0u) << line;
        EXPECT_STREQ(p.opts.timer, v);
    }
    for (const char* v : {"a.b", "x/y", "0123456789012345678901234567890123"}) {
        std::string line = std::string("timer=") + v;
        Parsed p(line.c_str());
        ASSERT_EQ(p.count, 1u) << line;
        EXPECT_EQ(p.errors[0], line + ": expected a word of letters, digits, -, + or _ (at most 31)");
        EXPECT_FALSE(p.opts.timer_given);
        EXPECT_STREQ(p.opts.timer, "");
    }
    Parsed empty("timer=");
    ASSERT_EQ(empty.count, 1u);
    EXPECT_EQ(empty.errors[0], "option 'timer' needs a value");
}

TEST(OptionsExit, Values) {
    EXPECT_EQ(Parsed("exit=halt").opts.exit, ExitMode::halt);
    EXPECT_EQ(Parsed("exit=auto").opts.exit, ExitMode::automatic);
    EXPECT_EQ(Parsed("exit=halt exit=auto").opts.exit, ExitMode::automatic);
    EXPECT_EQ(Parsed("exit=auto exit=halt").count, 0u);
}

TEST(OptionsExit, Errors) {
    Parsed p("exit=reboot exit=Halt exit= exit");
    ASSERT_EQ(p.count, 4u);
    EXPECT_EQ(p.errors[0], "exit=reboot: expected auto or halt");
    EXPECT_EQ(p.errors[1], "exit=Halt: expected auto or halt");
    EXPECT_EQ(p.errors[2], "option 'exit' needs a value");
    EXPECT_EQ(p.errors[3], "option 'exit' needs a value");
    EXPECT_EQ(p.opts.exit, ExitMode::automatic);
}

// ---- unknown and malformed words ---------------------------------------------

TEST(OptionsErrors, UnknownKeys) {
    Parsed p("foo=1 ONLY=a =5 only_x=b reps=2");
    ASSERT_EQ(p.count, 4u);
    EXPECT_EQ(p.errors[0], "unknown option 'foo=1'");
    EXPECT_EQ(p.errors[1], "unknown option 'ONLY=a'");
    EXPECT_EQ(p.errors[2], "unknown option '=5'");
    EXPECT_EQ(p.errors[3], "unknown option 'only_x=b'");
    EXPECT_EQ(p.opts.only_count, 0u);
    EXPECT_EQ(p.opts.reps, 2u);
}

TEST(OptionsErrors, EveryKeyNeedsAValue) {
    Parsed p("only= skip= iters= reps= timer= exit= only skip iters timer");
    ASSERT_EQ(p.count, 10u);
    const char* keys[] = {"only", "skip", "iters", "reps", "timer", "exit", "only", "skip", "iters", "timer"};
    for (size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(p.errors[i], std::string("option '") + keys[i] + "' needs a value");
    }
    expect_defaults(p.opts);
}

TEST(OptionsErrors, ParsingContinuesAfterErrors) {
    Parsed p("bogus only=a reps=x skip=b timer=no.pe iters=3 exit=halt reps=5 timer=rdtscp");
    EXPECT_EQ(p.count, 3u);
    EXPECT_EQ(p.only(), Names{"a"});
    EXPECT_EQ(p.skip(), Names{"b"});
    EXPECT_EQ(p.opts.iters_all, 3u);
    EXPECT_EQ(p.opts.reps, 5u);
    EXPECT_EQ(p.opts.exit, ExitMode::halt);
    EXPECT_STREQ(p.opts.timer, "rdtscp");
}

TEST(OptionsErrors, CountBeyondMaxErrors) {
    Options o;
    OptionError errs[3];
    std::memset(errs, 'Z', sizeof errs);
    size_t n = hvb::parse_options("a b c d e reps=2", o, errs, 2);
    EXPECT_EQ(n, 5u);
    EXPECT_STREQ(errs[0].message, "stray word 'a' (options are key=value)");
    EXPECT_STREQ(errs[1].message, "stray word 'b' (options are key=value)");
    for (char c : errs[2].message) EXPECT_EQ(c, 'Z');  // never written
    EXPECT_EQ(o.reps, 2u);

    EXPECT_EQ(hvb::parse_options("a b c", o, nullptr, 0), 3u);
    EXPECT_EQ(hvb::parse_options("a b c", o, errs, 0), 3u);
}

TEST(OptionsErrors, LongInputIsClippedAndMessagesFit) {
    std::string word(500, 'x');
    std::string line = "only=" + word + " " + word + "=1 reps=" + word + " " + word;
    Options o;
    OptionError errs[4];
    std::memset(errs, 'Z', sizeof errs);
    ASSERT_EQ(hvb::parse_options(line.c_str(), o, errs, 4), 3u);
    for (int i = 0; i < 3; ++i) {
        size_t len = strnlen(errs[i].message, sizeof errs[i].message);
        ASSERT_LE(len, 159u) << i;
    }
    // The echo is clipped to 60 bytes of input and marked.
    EXPECT_EQ(std::string(errs[0].message), "unknown option '" + std::string(60, 'x') + "...'");
    EXPECT_EQ(std::string(errs[1].message), "reps=" + std::string(60, 'x') + "...: not a number");
    EXPECT_EQ(std::string(errs[2].message), "stray word '" + std::string(60, 'x') + "...' (options are key=value)");
    EXPECT_EQ(o.only_count, 1u);  // a long name is valid; only its echo is clipped
    EXPECT_EQ(o.only[0].len, 500u);
}

TEST(OptionsErrors, InputAtTheClipLimitIsNotMarked) {
    std::string word(60, 'y');
    std::string line = word + " " + std::string(61, 'y');
    Parsed p(line.c_str());
    ASSERT_EQ(p.count, 2u);
    EXPECT_EQ(p.errors[0], "stray word '" + word + "' (options are key=value)");
    EXPECT_EQ(p.errors[1], "stray word '" + word + "...' (options are key=value)");
}

TEST(OptionsErrors, UnprintableBytesAreMasked) {
    Parsed p("timer=\x01x\x7f\xff");
    ASSERT_EQ(p.count, 1u);
    EXPECT_EQ(p.errors[0], "timer=?x??: expected a word of letters, digits, -, + or _ (at most 31)");
}

// ---- iterations_for ---------------------------------------------------------

TEST(OptionsIterationsFor, Precedence) {
    Parsed none("");
    EXPECT_EQ(none.opts.iterations_for("cpuid", 42), 42u);

    Parsed all("iters=100");
    EXPECT_EQ(all.opts.iterations_for("cpuid", 42), 100u);

    Parsed both("iters=cpuid:7,100");
    EXPECT_EQ(both.opts.iterations_for("cpuid", 42), 7u);   // name beats bare count
    EXPECT_EQ(both.opts.iterations_for("vmcall", 42), 100u);
    EXPECT_EQ(both.opts.iterations_for("CPUID", 42), 100u);  // exact match only
    EXPECT_EQ(both.opts.iterations_for("cpui", 42), 100u);
    EXPECT_EQ(both.opts.iterations_for("cpuidx", 42), 100u);
    EXPECT_EQ(both.opts.iterations_for(nullptr, 42), 100u);

    Parsed named_only("iters=cpuid:7");
    EXPECT_EQ(named_only.opts.iterations_for("cpuid", 42), 7u);
    EXPECT_EQ(named_only.opts.iterations_for("vmcall", 42), 42u);
}

}  // namespace

TEST(OptionsSelfCheck, DefaultIsSmpAndEveryValueParses) {
    hvb::Options o;
    hvb::OptionError errs[4];
    EXPECT_EQ(hvb::parse_options("", o, errs, 4), 0u);
    EXPECT_EQ(o.selfcheck, hvb::SelfCheck::smp);
    EXPECT_EQ(hvb::parse_options("selfcheck=all", o, errs, 4), 0u);
    EXPECT_EQ(o.selfcheck, hvb::SelfCheck::all);
    EXPECT_EQ(hvb::parse_options("selfcheck=none", o, errs, 4), 0u);
    EXPECT_EQ(o.selfcheck, hvb::SelfCheck::none);
    EXPECT_EQ(hvb::parse_options("selfcheck=smp", o, errs, 4), 0u);
    EXPECT_EQ(o.selfcheck, hvb::SelfCheck::smp);
}

TEST(OptionsSelfCheck, BadValueIsAnError) {
    hvb::Options o;
    hvb::OptionError errs[4];
    EXPECT_EQ(hvb::parse_options("selfcheck=mmu", o, errs, 4), 1u);
    EXPECT_STREQ(errs[0].message, "selfcheck=mmu: expected none, smp or all");
    EXPECT_EQ(o.selfcheck, hvb::SelfCheck::smp);
}

// intc= (apic= is its old name) keeps the word and the key it came by; the
// architecture checks the word (posih/interrupt.h interrupt_controller_init).
TEST(OptionsIntc, KeepsTheWordAndItsKey) {
    hvb::Options o;
    hvb::OptionError errs[4];
    EXPECT_EQ(hvb::parse_options("", o, errs, 4), 0u);
    EXPECT_STREQ(o.intc, "auto");
    EXPECT_STREQ(o.intc_key, "intc");
    EXPECT_EQ(hvb::parse_options("apic=xapic", o, errs, 4), 0u);
    EXPECT_STREQ(o.intc, "xapic");
    EXPECT_STREQ(o.intc_key, "apic");
    EXPECT_EQ(hvb::parse_options("intc=gicv3", o, errs, 4), 0u);
    EXPECT_STREQ(o.intc, "gicv3");
    EXPECT_STREQ(o.intc_key, "intc");
    EXPECT_EQ(hvb::parse_options("apic=io/apic", o, errs, 4), 1u);
    EXPECT_STREQ(errs[0].message, "apic=io/apic: expected a word of letters, digits, -, + or _ (at most 31)");
    EXPECT_STREQ(o.intc, "auto");
}

// The kernel's message for a word none of the arch's choices matches.
TEST(OptionsArchWords, UnknownWordMessageListsTheChoices) {
    hvb::OptionError e;
    const char* two[] = {"rdtsc", "rdtscp"};
    hvb::unknown_word_message(e, "timer", "nope", two, 2);
    EXPECT_STREQ(e.message, "timer=nope: expected rdtsc or rdtscp");
    const char* three[] = {"a", "b", "c"};
    hvb::unknown_word_message(e, "intc", "x\x01", three, 3);
    EXPECT_STREQ(e.message, "intc=x?: expected a, b or c");
    const char* one[] = {"only"};
    hvb::unknown_word_message(e, "timer", "y", one, 1);
    EXPECT_STREQ(e.message, "timer=y: expected only");
}

// Regression: the defaults of selfcheck= and apic= were once reset inside the
// exit=auto branch, so "exit=auto" after them silently undid them, and a
// fresh parse did not reset them.
TEST(OptionsSelfCheck, LaterExitAutoKeepsEarlierChoicesAndReparseResets) {
    hvb::Options o;
    hvb::OptionError errs[4];
    EXPECT_EQ(hvb::parse_options("selfcheck=all apic=xapic exit=auto", o, errs, 4), 0u);
    EXPECT_EQ(o.selfcheck, hvb::SelfCheck::all);
    EXPECT_STREQ(o.intc, "xapic");
    EXPECT_EQ(hvb::parse_options("only=idle", o, errs, 4), 0u);
    EXPECT_EQ(o.selfcheck, hvb::SelfCheck::smp);
    EXPECT_STREQ(o.intc, "auto");
}

TEST(OptionsTiming, InternalExternalAndBad) {
    hvb::Options o;
    hvb::OptionError errs[2];
    EXPECT_EQ(hvb::parse_options("timing=external", o, errs, 2), 0u);
    EXPECT_TRUE(o.external_timing);
    EXPECT_EQ(hvb::parse_options("timing=internal", o, errs, 2), 0u);
    EXPECT_FALSE(o.external_timing);
    EXPECT_EQ(hvb::parse_options("timing=host", o, errs, 2), 1u);
    EXPECT_STREQ(errs[0].message, "timing=host: expected internal or external");
    EXPECT_EQ(hvb::parse_options("", o, errs, 2), 0u);
    EXPECT_FALSE(o.external_timing);
}

// ---- measurement options (issue 6) -------------------------------------

namespace {

TEST(OptionsMeasurement, Defaults) {
    Parsed p("");
    EXPECT_EQ(p.opts.budget_ms, Options::kDefaultBudgetMs);
    EXPECT_EQ(p.opts.target_permille, 10u);
    EXPECT_FALSE(p.opts.linearity);
    EXPECT_STREQ(p.opts.pinned, "unknown");
}

TEST(OptionsMeasurement, BudgetTargetLinearityPinned) {
    Parsed p("budget=250 target=0.5% linearity=1 pinned=vcpus+qemu_2");
    EXPECT_EQ(p.count, 0u);
    EXPECT_EQ(p.opts.budget_ms, 250u);
    EXPECT_EQ(p.opts.target_permille, 5u);
    EXPECT_TRUE(p.opts.linearity);
    EXPECT_STREQ(p.opts.pinned, "vcpus+qemu_2");

    Parsed q("target=2% linearity=0");
    EXPECT_EQ(q.count, 0u);
    EXPECT_EQ(q.opts.target_permille, 20u);
    EXPECT_FALSE(q.opts.linearity);
    Parsed r("target=100%");
    EXPECT_EQ(r.opts.target_permille, 1000u);
}

TEST(OptionsMeasurement, BadValuesAreErrorsAndKeepDefaults) {
    Parsed p("budget=0 budget=600001 target=1 target=0% target=1.25% target=101% target=x% linearity=2 "
             "pinned=a/b pinned=abcdefghijklmnopqrstuvwxyz0123456");
    EXPECT_EQ(p.count, 10u);
    EXPECT_EQ(p.opts.budget_ms, Options::kDefaultBudgetMs);
    EXPECT_EQ(p.opts.target_permille, 10u);
    EXPECT_FALSE(p.opts.linearity);
    EXPECT_STREQ(p.opts.pinned, "unknown");
    ASSERT_EQ(p.errors.size(), 10u);
    EXPECT_EQ(p.errors[0], "budget=0: must be 1..600000");
    EXPECT_EQ(p.errors[2], "target=1: expected a percentage 0.1%..100%, e.g. 1% or 0.5%");
    EXPECT_EQ(p.errors[7], "linearity=2: expected 1 or 0");
    EXPECT_EQ(p.errors[8].rfind("pinned=a/b: expected a word", 0), 0u) << p.errors[8];
}

TEST(OptionsMeasurement, Verify) {
    EXPECT_FALSE(Parsed("").opts.verify);  // the passes are the second look
    EXPECT_FALSE(Parsed("verify=0").opts.verify);
    EXPECT_TRUE(Parsed("verify=0 verify=1").opts.verify);
    Parsed p("verify=maybe");
    ASSERT_EQ(p.errors.size(), 1u);
    EXPECT_EQ(p.errors[0], "verify=maybe: expected 1 or 0");
}

// Issue 13: linearity=0 used to switch verify back on (a stray assignment in
// its branch), and a second parse did not reset verify.
TEST(OptionsMeasurement, LinearityOffLeavesVerifyAlone) {
    for (const char* line : {"verify=0 linearity=0", "linearity=0 verify=0", "verify=off linearity=off",
                             "verify=0 linearity=1 linearity=0"}) {
        Parsed p(line);
        EXPECT_EQ(p.count, 0u) << line;
        EXPECT_FALSE(p.opts.verify) << line;
        EXPECT_FALSE(p.opts.linearity) << line;
    }
    EXPECT_FALSE(Parsed("linearity=0").opts.verify);  // verify is off by default
    EXPECT_TRUE(Parsed("verify=1 linearity=0").opts.verify);
    EXPECT_TRUE(Parsed("linearity=0 verify=1").opts.verify);
}

TEST(OptionsMeasurement, VerifyIsResetBetweenParses) {
    Options o;
    EXPECT_EQ(hvb::parse_options("verify=1", o, nullptr, 0), 0u);
    EXPECT_TRUE(o.verify);
    EXPECT_EQ(hvb::parse_options("", o, nullptr, 0), 0u);
    EXPECT_FALSE(o.verify);  // the default, not the last parse's value
}

TEST(OptionsMeasurement, MinimumLoopTime) {
    EXPECT_EQ(Parsed("").opts.min_loop_us, 250u);
    Parsed p("loop_us=250");
    EXPECT_EQ(p.count, 0u);
    EXPECT_EQ(p.opts.min_loop_us, 250u);
    Parsed q("loop_us=0 loop_us=1000001");
    EXPECT_EQ(q.count, 2u);
    EXPECT_EQ(q.opts.min_loop_us, 250u);
    ASSERT_EQ(q.errors.size(), 2u);
    EXPECT_EQ(q.errors[0], "loop_us=0: must be 1..1000000");
}

TEST(OptionsMeasurement, ResetBetweenParses) {
    Options o;
    OptionError errs[4];
    hvb::parse_options("budget=5 target=3% linearity=1 pinned=full loop_us=7", o, errs, 4);
    hvb::parse_options("", o, errs, 4);
    EXPECT_EQ(o.budget_ms, Options::kDefaultBudgetMs);
    EXPECT_EQ(o.target_permille, 10u);
    EXPECT_FALSE(o.linearity);
    EXPECT_STREQ(o.pinned, "unknown");
    EXPECT_EQ(o.min_loop_us, Options::kDefaultMinLoopUs);
}

}  // namespace

// ---- the table of keys (issue 13) -----------------------------------------

namespace {

// Every scalar field; the lists are checked through their counts.
void expect_same_settings(const Options& a, const Options& b, const char* what) {
    EXPECT_EQ(a.only_count, b.only_count) << what;
    EXPECT_EQ(a.skip_count, b.skip_count) << what;
    EXPECT_EQ(a.iters_all, b.iters_all) << what;
    EXPECT_EQ(a.iters_count, b.iters_count) << what;
    EXPECT_EQ(a.params_count, b.params_count) << what;
    EXPECT_EQ(a.reps, b.reps) << what;
    EXPECT_STREQ(a.timer, b.timer) << what;
    EXPECT_EQ(a.exit, b.exit) << what;
    EXPECT_EQ(a.selfcheck, b.selfcheck) << what;
    EXPECT_STREQ(a.intc, b.intc) << what;
    EXPECT_EQ(a.external_timing, b.external_timing) << what;
    EXPECT_EQ(a.budget_ms, b.budget_ms) << what;
    EXPECT_EQ(a.min_loop_us, b.min_loop_us) << what;
    EXPECT_EQ(a.target_permille, b.target_permille) << what;
    EXPECT_EQ(a.linearity, b.linearity) << what;
    EXPECT_EQ(a.verify, b.verify) << what;
    EXPECT_STREQ(a.pinned, b.pinned) << what;
}

TEST(OptionsTable, ParsingNothingGivesTheDefaultInstance) {
    Parsed p("");
    expect_same_settings(p.opts, hvb::kDefaultOptions, "empty line");
    EXPECT_FALSE(p.opts.timer_given);
    Options fresh;
    expect_same_settings(fresh, hvb::kDefaultOptions, "Options{}");
}

// The default a row shows is the one the parser starts from: writing it on
// the command line changes nothing.
TEST(OptionsTable, EveryShownDefaultParsesToTheDefaultInstance) {
    ASSERT_GE(hvb::kOptionRowCount, 15u);
    for (size_t i = 0; i < hvb::kOptionRowCount; ++i) {
        const hvb::OptionRow& row = hvb::kOptionRows[i];
        ASSERT_NE(row.name, nullptr);
        ASSERT_NE(row.parse, nullptr) << row.name;
        ASSERT_NE(row.help, nullptr) << row.name;
        EXPECT_GT(std::strlen(row.help), 10u) << row.name;
        ASSERT_NE(row.default_text, nullptr) << row.name;
        if (row.default_text[0] == '\0') continue;
        std::string line = std::string(row.name) + "=" + row.default_text;
        Parsed p(line.c_str());
        EXPECT_EQ(p.count, 0u) << line;
        expect_same_settings(p.opts, hvb::kDefaultOptions, line.c_str());
    }
}

TEST(OptionsTable, NamesAreUniqueAndEveryRowIsReachable) {
    for (size_t i = 0; i < hvb::kOptionRowCount; ++i) {
        for (size_t j = i + 1; j < hvb::kOptionRowCount; ++j)
            EXPECT_STRNE(hvb::kOptionRows[i].name, hvb::kOptionRows[j].name);
        // A bare key is "needs a value", not "stray word": the key is known.
        Parsed p((std::string("x ") + hvb::kOptionRows[i].name).c_str());
        ASSERT_EQ(p.errors.size(), 2u);
        EXPECT_EQ(p.errors[1], std::string("option '") + hvb::kOptionRows[i].name + "' needs a value");
    }
}

TEST(OptionsTable, ChoiceErrorsNameTheListedWords) {
    Parsed p("timer=x exit=x selfcheck=x apic=x timing=x linearity=x verify=x");
    ASSERT_EQ(p.errors.size(), 5u);  // timer= and apic= words are the arch's to check
    EXPECT_EQ(p.errors[0], "exit=x: expected auto or halt");
    EXPECT_EQ(p.errors[1], "selfcheck=x: expected none, smp or all");
    EXPECT_EQ(p.errors[2], "timing=x: expected internal or external");
    EXPECT_EQ(p.errors[3], "linearity=x: expected 1 or 0");
    EXPECT_EQ(p.errors[4], "verify=x: expected 1 or 0");
    Parsed q("linearity=on verify=off timing=external");
    EXPECT_EQ(q.count, 0u);
    EXPECT_TRUE(q.opts.linearity);
    EXPECT_FALSE(q.opts.verify);
    EXPECT_TRUE(q.opts.external_timing);
}

}  // namespace
