// kernel/options.cpp — parses the kernel command line (only=, skip=, iters=, reps=, timer=, exit=).
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

enum class Key { unknown, only, skip, iters, reps, timer, exit, selfcheck, apic, timing, budget, target, linearity, pinned, loop_us, verify };

Key lookup_key(Str k) {
    if (k.equals("only")) return Key::only;
    if (k.equals("skip")) return Key::skip;
    if (k.equals("iters")) return Key::iters;
    if (k.equals("reps")) return Key::reps;
    if (k.equals("timer")) return Key::timer;
    if (k.equals("exit")) return Key::exit;
    if (k.equals("selfcheck")) return Key::selfcheck;
    if (k.equals("apic")) return Key::apic;
    if (k.equals("timing")) return Key::timing;
    if (k.equals("budget")) return Key::budget;
    if (k.equals("target")) return Key::target;
    if (k.equals("linearity")) return Key::linearity;
    if (k.equals("pinned")) return Key::pinned;
    if (k.equals("loop_us")) return Key::loop_us;
    if (k.equals("verify")) return Key::verify;
    return Key::unknown;
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

void parse_word(Str word, bool first, Options& out, Errors& errs) {
    size_t eq = find(word, '=');
    if (eq == word.len) {
        // Loaders such as GRUB prepend the image path, e.g. "/boot/x.elf" or
        // "(hd0)/boot/x.elf"; only the first word gets this treatment so a
        // stray path later on is still reported.
        if (first && find(word, '/') < word.len) return;
        if (lookup_key(word) != Key::unknown) {
            errs.add().text("option '").input(word).text("' needs a value");
        } else {
            errs.add().text("stray word '").input(word).text("' (options are key=value)");
        }
        return;
    }
    Str key = slice(word, 0, eq);
    Str value = slice(word, eq + 1, word.len);
    if (find(key, '.') < key.len) return parse_param(word, key, value, out, errs);
    Key k = lookup_key(key);
    if (k == Key::unknown) {
        errs.add().text("unknown option '").input(word).text("'");
        return;
    }
    if (value.len == 0) {
        errs.add().text("option '").input(key).text("' needs a value");
        return;
    }
    switch (k) {
    case Key::only:
        parse_name_list("only", value, out.only, out.only_count, errs);
        break;
    case Key::skip:
        parse_name_list("skip", value, out.skip, out.skip_count, errs);
        break;
    case Key::iters:
        parse_iters(value, out, errs);
        break;
    case Key::reps: {
        uint64_t n = 0;
        if (parse_count(value, Options::kMaxReps, "reps", value, "needs a value", errs, n)) {
            out.reps = static_cast<uint32_t>(n);
        }
        break;
    }
    case Key::timer:
        if (value.equals("rdtscp")) {
            out.timer = TimerMode::rdtscp;
            out.timer_given = true;
        } else if (value.equals("rdtsc")) {
            out.timer = TimerMode::rdtsc;
            out.timer_given = true;
        } else {
            errs.add().text("timer=").input(value).text(": expected rdtscp or rdtsc");
        }
        break;
    case Key::exit:
        if (value.equals("auto")) {
            out.exit = ExitMode::automatic;
        } else if (value.equals("halt")) {
            out.exit = ExitMode::halt;
        } else {
            errs.add().text("exit=").input(value).text(": expected auto or halt");
        }
        break;
    case Key::selfcheck:
        if (value.equals("none")) {
            out.selfcheck = SelfCheck::none;
        } else if (value.equals("smp")) {
            out.selfcheck = SelfCheck::smp;
        } else if (value.equals("all")) {
            out.selfcheck = SelfCheck::all;
        } else {
            errs.add().text("selfcheck=").input(value).text(": expected none, smp or all");
        }
        break;
    case Key::apic:
        if (value.equals("auto")) {
            out.apic = ApicChoice::automatic;
        } else if (value.equals("xapic")) {
            out.apic = ApicChoice::xapic;
        } else if (value.equals("x2apic")) {
            out.apic = ApicChoice::x2apic;
        } else {
            errs.add().text("apic=").input(value).text(": expected auto, xapic or x2apic");
        }
        break;
    case Key::timing:
        if (value.equals("internal")) {
            out.external_timing = false;
        } else if (value.equals("external")) {
            out.external_timing = true;
        } else {
            errs.add().text("timing=").input(value).text(": expected internal or external");
        }
        break;
    case Key::budget: {
        uint64_t n = 0;
        if (parse_count(value, Options::kMaxBudgetMs, "budget", value, "needs a value", errs, n))
            out.budget_ms = static_cast<uint32_t>(n);
        break;
    }
    case Key::loop_us: {
        uint64_t n = 0;
        if (parse_count(value, Options::kMaxLoopUs, "loop_us", value, "needs a value", errs, n))
            out.min_loop_us = static_cast<uint32_t>(n);
        break;
    }
    case Key::target:
        if (!parse_percent(value, out.target_permille))
            errs.add().text("target=").input(value).text(": expected a percentage 0.1%..100%, e.g. 1% or 0.5%");
        break;
    case Key::verify:
        if (value.equals("1") || value.equals("on")) {
            out.verify = true;
        } else if (value.equals("0") || value.equals("off")) {
            out.verify = false;
        } else {
            errs.add().text("verify=").input(value).text(": expected 1 or 0");
        }
        break;
    case Key::linearity:
        if (value.equals("1") || value.equals("on")) {
            out.linearity = true;
        } else if (value.equals("0") || value.equals("off")) {
            out.linearity = false;
        } else {
            errs.add().text("linearity=").input(value).text(": expected 1 or 0");
        }
        break;
    case Key::pinned:
        if (valid_token(value)) {
            __builtin_memcpy(out.pinned, value.ptr, value.len);
            out.pinned[value.len] = '\0';
        } else {
            errs.add().text("pinned=").input(value).text(": expected a word of letters, digits, -, + or _ (at most ")
                .number(Options::kMaxToken).text(")");
        }
        break;
    case Key::unknown:
        break;
    }
}

}  // namespace

bool Str::equals(const char* s) const {
    if (s == nullptr) return false;
    // Walk both at once so `s` is never read past its NUL and `ptr` never
    // past len.
    for (size_t i = 0; i < len; ++i) {
        if (s[i] == '\0' || s[i] != ptr[i]) return false;
    }
    return s[len] == '\0';
}

const char* timer_mode_name(TimerMode m) {
    switch (m) {
    case TimerMode::rdtsc: return "rdtsc";
    case TimerMode::rdtscp: return "rdtscp";
    }
    return "?";  // only reachable with a value cast from outside the enum
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
    // Reset field by field: `out = Options{}` would build a ~2 KiB temporary
    // on the small kernel stack. The arrays need no clearing; counts guard them.
    out.only_count = 0;
    out.skip_count = 0;
    out.iters_all = 0;
    out.iters_count = 0;
    out.params_count = 0;
    out.reps = 0;
    out.timer = TimerMode::rdtsc;
    out.timer_given = false;
    out.exit = ExitMode::automatic;
    out.selfcheck = SelfCheck::smp;
    out.apic = ApicChoice::automatic;
    out.external_timing = false;
    out.budget_ms = Options::kDefaultBudgetMs;
    out.min_loop_us = Options::kDefaultMinLoopUs;
    out.target_permille = Options::kDefaultTargetPermille;
    out.linearity = false;
    out.verify = Options{}.verify;
    __builtin_memcpy(out.pinned, "unknown", 8);

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
