// kernel/options.cpp — parses the kernel command line: one table of keys (kOptionRows), their parsers
// and one set of defaults (kDefaultOptions).
//
// The same file runs freestanding in the kernel and under ASan/UBSan on the
// host, so it uses no libc, no heap and no static constructors. Messages are
// built with kernel/message.h, which clips and sanitizes echoed input.
#include "kernel/options.h"

#include "kernel/message.h"

namespace hvb {

namespace {

using Errors = ErrorList<OptionError>;

// Tabs and spaces separate words; CR/LF are accepted as well because some
// loaders and hand-edited config files leave a trailing newline.
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool same(Str a, Str b) {
    return a.len == b.len && (a.len == 0 || __builtin_memcmp(a.ptr, b.ptr, a.len) == 0);
}

// Returns the index of the first `c` in s, or s.len when absent.
size_t find(Str s, char c) {
    size_t i = 0;
    while (i < s.len && s.ptr[i] != c) ++i;
    return i;
}

Str slice(Str s, size_t from, size_t to) {
    return Str{s.ptr + from, to - from};
}

enum class Num { ok, empty, malformed, too_big };

// Decimal digits with an optional k/K (x1000) or m/M (x1000000) suffix. No
// sign, no spaces, no hex: anything unusual is more likely a typo than intent.
Num parse_number(Str s, uint64_t& value) {
    if (s.len == 0) return Num::empty;
    size_t digits = s.len;
    uint64_t scale = 1;
    char last = s.ptr[s.len - 1];
    if (last == 'k' || last == 'K') {
        scale = 1000;
        --digits;
    } else if (last == 'm' || last == 'M') {
        scale = 1000000;
        --digits;
    }
    if (digits == 0) return Num::malformed;
    for (size_t i = 0; i < digits; ++i) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9') return Num::malformed;
    }
    // Syntax is checked in full first so that "99999999999999999999x" is
    // reported as malformed rather than as too big.
    uint64_t v = 0;
    for (size_t i = 0; i < digits; ++i) {
        uint64_t d = static_cast<uint64_t>(s.ptr[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return Num::too_big;
        v = v * 10 + d;
    }
    if (v > UINT64_MAX / scale) return Num::too_big;
    value = v * scale;
    return Num::ok;
}

// Parses a count in 1..max; on failure reports "<key>=<shown>: <why>".
// `empty_why` lets iters=name: say "bad count" where reps= says it needs a value.
bool parse_count(Str text, uint64_t max, const char* key, Str shown, const char* empty_why,
                 Errors& errs, uint64_t& out) {
    uint64_t v = 0;
    Num r = parse_number(text, v);
    if (r == Num::ok && v >= 1 && v <= max) {
        out = v;
        return true;
    }
    Message m = errs.add();
    m.text(key).text("=").input(shown).text(": ");
    if (r == Num::empty) {
        m.text(empty_why);
    } else if (r == Num::malformed) {
        m.text("not a number");
    } else {
        m.text("must be 1..").number(max);
    }
    return false;
}

// target=P%: a percentage with at most one decimal, 0.1..100, in permille.
bool parse_percent(Str v, uint32_t& permille) {
    if (v.len < 2 || v.ptr[v.len - 1] != '%') return false;
    size_t i = 0, end = v.len - 1;
    uint64_t whole = 0, tenth = 0;
    size_t digits = 0;
    while (i < end && v.ptr[i] >= '0' && v.ptr[i] <= '9' && digits < 4) {
        whole = whole * 10 + uint64_t(v.ptr[i] - '0');
        ++i;
        ++digits;
    }
    if (digits == 0) return false;
    if (i < end && v.ptr[i] == '.') {
        ++i;
        if (i + 1 != end || v.ptr[i] < '0' || v.ptr[i] > '9') return false;
        tenth = uint64_t(v.ptr[i] - '0');
        ++i;
    }
    if (i != end) return false;
    uint64_t p = whole * 10 + tenth;
    if (p < 1 || p > 1000) return false;
    permille = uint32_t(p);
    return true;
}

// pinned=WORD: letters, digits, '-', '+', '_'; what the launcher did.
bool valid_token(Str v) {
    if (v.len == 0 || v.len > Options::kMaxToken) return false;
    for (size_t i = 0; i < v.len; ++i) {
        char c = v.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '+' || c == '_';
        if (!ok) return false;
    }
    return true;
}

// only=/skip=: appends every non-empty name. An empty element or overflow is
// reported once per word; the remaining names still count.
void parse_name_list(const char* key, Str value, Str* names, size_t& count, Errors& errs) {
    bool saw_empty = false;
    bool overflow = false;
    size_t pos = 0;
    while (pos <= value.len) {
        size_t end = pos + find(slice(value, pos, value.len), ',');
        Str name = slice(value, pos, end);
        if (name.len == 0) {
            saw_empty = true;
        } else if (count < Options::kMaxNames) {
            names[count++] = name;
        } else {
            overflow = true;
        }
        pos = end + 1;
    }
    if (saw_empty) errs.add().text(key).text("=").input(value).text(": empty name in list");
    if (overflow) {
        errs.add().text(key).text("=: too many names (max ").number(Options::kMaxNames).text(")");
    }
}

// iters=N, iters=name:N, or a comma list mixing both.
void parse_iters(Str value, Options& out, Errors& errs) {
    bool saw_empty = false;
    bool overflow = false;
    size_t pos = 0;
    while (pos <= value.len) {
        size_t end = pos + find(slice(value, pos, value.len), ',');
        Str item = slice(value, pos, end);
        pos = end + 1;
        if (item.len == 0) {
            saw_empty = true;
            continue;
        }
        size_t colon = find(item, ':');
        uint64_t n = 0;
        if (colon == item.len) {
            if (parse_count(item, Options::kMaxIters, "iters", item, "bad count", errs, n)) {
                out.iters_all = n;  // a later bare count overrides an earlier one
            }
            continue;
        }
        Str name = slice(item, 0, colon);
        if (name.len == 0) {
            errs.add().text("iters=").input(item).text(": missing benchmark name");
            continue;
        }
        Str count_text = slice(item, colon + 1, item.len);
        if (!parse_count(count_text, Options::kMaxIters, "iters", item, "bad count", errs, n)) {
            continue;
        }
        // A repeated name overrides in place instead of using another slot.
        size_t i = 0;
        while (i < out.iters_count && !same(out.iters[i].name, name)) ++i;
        if (i < out.iters_count) {
            out.iters[i].iters = n;
        } else if (out.iters_count < Options::kMaxNames) {
            out.iters[out.iters_count++] = Options::IterOverride{name, n};
        } else {
            overflow = true;
        }
    }
    if (saw_empty) errs.add().text("iters=").input(value).text(": empty item in list");
    if (overflow) {
        errs.add().text("iters=: too many names (max ").number(Options::kMaxNames).text(")");
    }
}

// A parameter value: decimal with an optional K/M/G suffix meaning 2^10,
// 2^20, 2^30 (parameters are mostly sizes). False on anything else or on
// overflow.
bool parse_param_value(Str v, uint64_t& out) {
    if (v.len == 0) return false;
    uint64_t scale = 1;
    char last = v.ptr[v.len - 1];
    if (last == 'K' || last == 'k') scale = 1ull << 10;
    if (last == 'M' || last == 'm') scale = 1ull << 20;
    if (last == 'G' || last == 'g') scale = 1ull << 30;
    size_t digits = scale == 1 ? v.len : v.len - 1;
    if (digits == 0) return false;
    uint64_t n = 0;
    for (size_t i = 0; i < digits; ++i) {
        char c = v.ptr[i];
        if (c < '0' || c > '9') return false;
        if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, uint64_t(c - '0'), &n)) return false;
    }
    return !__builtin_mul_overflow(n, scale, &out);
}

void parse_param(Str word, Str key, Str value, Options& out, Errors& errs) {
    size_t dot = find(key, '.');
    Str bench = slice(key, 0, dot);
    Str param = slice(key, dot + 1, key.len);
    if (bench.len == 0 || param.len == 0 || find(param, '.') < param.len) {
        errs.add().text("'").input(word).text("': a parameter is written benchmark.param=value");
        return;
    }
    uint64_t n = 0;
    if (!parse_param_value(value, n)) {
        errs.add().text("'").input(word).text("': value must be a number with an optional K, M or G suffix");
        return;
    }
    size_t i = 0;
    while (i < out.params_count && !(same(out.params[i].bench, bench) && same(out.params[i].param, param))) ++i;
    if (i < out.params_count) {
        out.params[i].value = n;
        out.params[i].text = word;
    } else if (out.params_count < Options::kMaxNames) {
        out.params[out.params_count++] = Options::ParamOverride{bench, param, n, word};
    } else {
        errs.add().text("too many parameters (max ").number(Options::kMaxNames).text(")");
    }
}

// ---- the parsers of the table's rows ----------------------------------------
// Each takes the row (for its name in messages), the non-empty value, and
// writes one field of `out` or reports why it cannot.

// A word a key accepts, and the field value it stands for. The first
// `listed` choices of a set are named in the error message; the rest are
// accepted spellings (on/off beside 1/0).
struct Choice {
    const char* word;
    uint8_t value;
};
struct ChoiceSet {
    const Choice* choices;
    size_t count;
    size_t listed;
};

// "expected a, b or c" from the listed words of a set.
void expected_choices(Message m, Str value, const char* key, const ChoiceSet& set) {
    m.text(key).text("=").input(value).text(": expected ");
    for (size_t i = 0; i < set.listed; ++i) {
        if (i > 0) m.text(i + 1 == set.listed ? " or " : ", ");
        m.text(set.choices[i].word);
    }
}

bool find_choice(Str value, const ChoiceSet& set, uint8_t& out) {
    for (size_t i = 0; i < set.count; ++i) {
        if (value.equals(set.choices[i].word)) {
            out = set.choices[i].value;
            return true;
        }
    }
    return false;
}

template <typename T, T Options::*Field, const ChoiceSet& Set>
void parse_choice(const OptionRow& row, Str value, Options& out, Errors& errs) {
    uint8_t v = 0;
    if (!find_choice(value, Set, v)) return expected_choices(errs.add(), value, row.name, Set);
    out.*Field = static_cast<T>(v);
}

// A word only the architecture can check (timer=, intc=): kept if it is a
// word at all; the kernel checks it against the arch's list once it runs.
bool parse_word(const OptionRow& row, Str value, char (&out)[Options::kMaxToken + 1], Errors& errs) {
    if (!valid_token(value)) {
        errs.add().text(row.name).text("=").input(value).text(": expected a word of letters, digits, -, + or _ (at most ")
            .number(Options::kMaxToken).text(")");
        return false;
    }
    __builtin_memcpy(out, value.ptr, value.len);
    out[value.len] = '\0';
    return true;
}

// timer= also records that the choice was the user's (main.cpp falls back
// from a source the CPU lacks, and says so only when it was asked for).
void parse_timer(const OptionRow& row, Str value, Options& out, Errors& errs) {
    if (parse_word(row, value, out.timer, errs)) out.timer_given = true;
}

// intc= (and apic=, its name before the aarch64 port): the interrupt
// controller's mode; the message about it names the key the user wrote.
void parse_intc(const OptionRow& row, Str value, Options& out, Errors& errs) {
    if (parse_word(row, value, out.intc, errs)) out.intc_key = row.name;
}

template <uint32_t Options::*Field, uint64_t Max>
void parse_bounded(const OptionRow& row, Str value, Options& out, Errors& errs) {
    uint64_t n = 0;
    if (parse_count(value, Max, row.name, value, "needs a value", errs, n)) out.*Field = static_cast<uint32_t>(n);
}

void parse_only(const OptionRow& row, Str value, Options& out, Errors& errs) {
    parse_name_list(row.name, value, out.only, out.only_count, errs);
}

void parse_skip(const OptionRow& row, Str value, Options& out, Errors& errs) {
    parse_name_list(row.name, value, out.skip, out.skip_count, errs);
}

void parse_iters_row(const OptionRow&, Str value, Options& out, Errors& errs) {
    parse_iters(value, out, errs);
}

void parse_target(const OptionRow& row, Str value, Options& out, Errors& errs) {
    if (!parse_percent(value, out.target_permille))
        errs.add().text(row.name).text("=").input(value).text(": expected a percentage 0.1%..100%, e.g. 1% or 0.5%");
}

void parse_pinned(const OptionRow& row, Str value, Options& out, Errors& errs) { parse_word(row, value, out.pinned, errs); }

constexpr Choice kExitChoices[] = {{"auto", uint8_t(ExitMode::automatic)}, {"halt", uint8_t(ExitMode::halt)}};
constexpr Choice kSelfCheckChoices[] = {
    {"none", uint8_t(SelfCheck::none)}, {"smp", uint8_t(SelfCheck::smp)}, {"all", uint8_t(SelfCheck::all)}};
constexpr Choice kTimingChoices[] = {{"internal", 0}, {"external", 1}};
constexpr Choice kSwitchChoices[] = {{"1", 1}, {"0", 0}, {"on", 1}, {"off", 0}};

constexpr ChoiceSet kExitSet{kExitChoices, 2, 2};
constexpr ChoiceSet kSelfCheckSet{kSelfCheckChoices, 3, 3};
constexpr ChoiceSet kTimingSet{kTimingChoices, 2, 2};
constexpr ChoiceSet kSwitchSet{kSwitchChoices, 4, 2};

const OptionRow* find_row(Str key) {
    for (size_t i = 0; i < kOptionRowCount; ++i) {
        if (key.equals(kOptionRows[i].name)) return &kOptionRows[i];
    }
    return nullptr;
}

void parse_word(Str word, bool first, Options& out, Errors& errs) {
    size_t eq = find(word, '=');
    if (eq == word.len) {
        // Loaders such as GRUB prepend the image path, e.g. "/boot/x.elf" or
        // "(hd0)/boot/x.elf"; only the first word gets this treatment so a
        // stray path later on is still reported.
        if (first && find(word, '/') < word.len) return;
        if (find_row(word) != nullptr) {
            errs.add().text("option '").input(word).text("' needs a value");
        } else {
            errs.add().text("stray word '").input(word).text("' (options are key=value)");
        }
        return;
    }
    Str key = slice(word, 0, eq);
    Str value = slice(word, eq + 1, word.len);
    if (find(key, '.') < key.len) return parse_param(word, key, value, out, errs);
    const OptionRow* row = find_row(key);
    if (row == nullptr) {
        errs.add().text("unknown option '").input(word).text("'");
        return;
    }
    if (value.len == 0) {
        errs.add().text("option '").input(key).text("' needs a value");
        return;
    }
    row->parse(*row, value, out, errs);
}

}  // namespace

constinit const Options kDefaultOptions{};

// The keys, in the order a reader meets them. Defaults are written as the
// command line would write them; the values themselves are Options' member
// initialisers (kDefaultOptions), and the unit tests check the two agree.
constinit const OptionRow kOptionRows[] = {
    {"only", parse_only, "", "a,b: run only these benchmarks or categories (opt-in ones too)"},
    {"skip", parse_skip, "", "a,b: do not run these benchmarks or categories"},
    {"iters", parse_iters_row, "",
     "N, or a:N,b:M, or both (iters=1000,cpuid:50): fixed iteration counts; default adaptive, within each "
     "benchmark's range"},
    {"reps", parse_bounded<&Options::reps, Options::kMaxReps>, "",
     "N: fixed repetitions of {control, benchmark} in all, spread over the passes, 1..1000; default adaptive, "
     "each pass a fifth of the budget"},
    {"timer", parse_timer, "",
     "the timer source a timed loop reads, by the architecture's name (x86_64: rdtsc|rdtscp); default the "
     "architecture's first, the one that works everywhere"},
    {"exit", parse_choice<ExitMode, &Options::exit, kExitSet>, "auto",
     "auto|halt: auto exits through QEMU's isa-debug-exit when there is one, else halts"},
    {"selfcheck", parse_choice<SelfCheck, &Options::selfcheck, kSelfCheckSet>, "smp",
     "none|smp|all: boot self-checks; smp proves every AP answers an on_cpu round trip, all adds the MMU check "
     "(map, touch, unmap and verify 64 MiB with 4 KiB and with 2 MiB pages)"},
    {"intc", parse_intc, "auto",
     "auto, or the interrupt controller's mode by the architecture's name (x86_64: xapic|x2apic; auto takes "
     "x2APIC when the CPU has it, xapic keeps the MMIO interface that mmio_read_lapic measures)"},
    {"apic", parse_intc, "auto", "the same as intc= (its name before the aarch64 port)"},
    {"timing", parse_choice<bool, &Options::external_timing, kTimingSet>, "internal",
     "internal|external: external also sends a marker byte on COM1 right before and after each timed loop of "
     "the first pass's repetitions (not calibration, later passes, linearity levels past N, or the verify pass), "
     "for a host to timestamp (HyperBench section 5.2)"},
    {"budget", parse_bounded<&Options::budget_ms, Options::kMaxBudgetMs>, "60",
     "MS: time budget per benchmark, over all the suite's passes (docs/measurement.md), 1..600000"},
    {"target", parse_target, "1%",
     "P%: precision target (or 1 cycle, whichever is larger): the headline's interval within 3x it, a second "
     "look or another run within 2x it, a linearity level's interval within it; 0.1%..100%"},
    {"linearity", parse_choice<bool, &Options::linearity, kSwitchSet>, "0",
     "1|0: measure each benchmark at N, 10N and 100N iterations (HyperBench section 6.2) and report the ratios"},
    {"pinned", parse_pinned, "unknown",
     "WORD: how the launcher pinned the vCPUs (none, vcpus, full...); only echoed in the header"},
    {"loop_us", parse_bounded<&Options::min_loop_us, Options::kMaxLoopUs>, "250",
     "N: adaptive iterations make one timed loop last at least N microseconds (besides the timer-cost rule); "
     "1..1000000"},
    {"verify", parse_choice<bool, &Options::verify, kSwitchSet>, "0",
     "1|0: after the suite, measure every established result once more and mark it noisy if it is cheaper (the "
     "passes are the second look)"},
};
constinit const size_t kOptionRowCount = sizeof kOptionRows / sizeof kOptionRows[0];

bool Str::equals(const char* s) const {
    if (s == nullptr) return false;
    // Walk both at once so `s` is never read past its NUL and `ptr` never
    // past len.
    for (size_t i = 0; i < len; ++i) {
        if (s[i] == '\0' || s[i] != ptr[i]) return false;
    }
    return s[len] == '\0';
}

void unknown_word_message(OptionError& out, const char* key, const char* word, const char* const* choices,
                          size_t count) {
    Message m(out.message, sizeof out.message);
    m.text(key).text("=").input(word).text(": expected ");
    for (size_t i = 0; i < count; ++i) {
        if (i > 0) m.text(i + 1 == count ? " or " : ", ");
        m.text(choices[i]);
    }
}

const char* exit_mode_name(ExitMode m) {
    switch (m) {
    case ExitMode::automatic: return "auto";
    case ExitMode::halt: return "halt";
    }
    return "?";
}

uint64_t Options::iterations_for(const char* name, uint64_t fallback) const {
    if (name != nullptr) {
        for (size_t i = 0; i < iters_count; ++i) {
            if (iters[i].name.equals(name)) return iters[i].iters;
        }
    }
    return iters_all != 0 ? iters_all : fallback;
}

size_t parse_options(const char* cmdline, Options& out, OptionError* errors, size_t max_errors) {
    // A copy of the one set of defaults, straight from static storage (no
    // temporary on the small kernel stack).
    out = kDefaultOptions;

    Errors errs{errors, max_errors, 0};
    const char* p = cmdline != nullptr ? cmdline : "";
    bool first = true;
    for (;;) {
        while (is_space(*p)) ++p;
        if (*p == '\0') break;
        const char* start = p;
        while (*p != '\0' && !is_space(*p)) ++p;
        parse_word(Str{start, static_cast<size_t>(p - start)}, first, out, errs);
        first = false;
    }
    return errs.count;
}

}  // namespace hvb
