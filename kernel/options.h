// kernel/options.h — the kernel command line: words `key=value`, one key per
// row of kOptionRows (kernel/options.cpp: its name, parser, default and help)
// and `name.param=V`, a benchmark parameter (e.g. mem_hot.working_set=64M; V
// is decimal with an optional K, M or G suffix, powers of 1024, as
// parameters are mostly sizes). README.md lists the keys for users.
//
// Words are separated by spaces or tabs. A first word with no '=' that
// contains a '/' is the image path some loaders prepend, and is ignored.
// Any other word is an error: unknown key, missing '=', empty or malformed
// value, number out of range. Errors never stop parsing; every valid option
// still takes effect.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

// A non-owning slice of the command line.
struct Str {
    const char* ptr;
    size_t len;
    bool equals(const char* s) const;  // exact, case-sensitive
};

enum class ExitMode : uint8_t { automatic, halt };
enum class SelfCheck : uint8_t { none, smp, all };
const char* exit_mode_name(ExitMode m);    // "auto" / "halt"

struct Options {
    static constexpr size_t kMaxNames = 32;
    static constexpr uint32_t kMaxReps = 1000;
    static constexpr uint64_t kMaxIters = 1000000000000ULL;  // 1e12
    static constexpr uint32_t kMaxBudgetMs = 600000;
    static constexpr uint32_t kDefaultBudgetMs = 60;
    static constexpr uint32_t kMaxLoopUs = 1000000;
    static constexpr uint32_t kDefaultMinLoopUs = 250;
    static constexpr uint32_t kDefaultTargetPermille = 10;  // 1%
    static constexpr size_t kMaxToken = 31;

    Str only[kMaxNames] = {};
    size_t only_count = 0;
    Str skip[kMaxNames] = {};
    size_t skip_count = 0;

    uint64_t iters_all = 0;  // 0: each benchmark's default
    struct IterOverride {
        Str name;
        uint64_t iters;
    };
    IterOverride iters[kMaxNames] = {};
    size_t iters_count = 0;

    // name.param=value: a benchmark's parameter (checked against the table
    // by apply_params, kernel/params.h).
    struct ParamOverride {
        Str bench;
        Str param;
        uint64_t value;
        Str text;  // the whole word, for messages
    };
    ParamOverride params[kMaxNames] = {};
    size_t params_count = 0;

    uint32_t reps = 0;  // 0: adaptive
    // timer= and intc=: words only the architecture can check (posih/timer.h
    // timer_source_find, posih/interrupt.h interrupt_controller_init); the
    // kernel checks them once it runs. "" for timer: the arch's default.
    char timer[kMaxToken + 1] = "";
    bool timer_given = false;
    ExitMode exit = ExitMode::automatic;
    SelfCheck selfcheck = SelfCheck::smp;
    char intc[kMaxToken + 1] = "auto";
    const char* intc_key = "intc";  // the key that set it ("apic" is its old name)
    bool external_timing = false;
    uint32_t budget_ms = kDefaultBudgetMs;
    uint32_t min_loop_us = kDefaultMinLoopUs;
    uint32_t target_permille = kDefaultTargetPermille;
    bool linearity = false;
    bool verify = false;
    char pinned[kMaxToken + 1] = "unknown";

    // Per-benchmark iteration count: the matching iters=name:N, else
    // iters_all, else `fallback`.
    uint64_t iterations_for(const char* name, uint64_t fallback) const;
};

struct OptionError {
    char message[160];
};

// The defaults: Options' member initialisers, in one constant instance that
// every parse starts from.
extern const Options kDefaultOptions;

template <class Error>
struct ErrorList;  // kernel/message.h

// One command-line key: its name, the parser of a non-empty value (which
// sets a field of Options or reports an error naming row.name), the default
// as the command line would write it ("" for none) and a line of help.
struct OptionRow {
    const char* name;
    void (*parse)(const OptionRow& row, Str value, Options& out, ErrorList<OptionError>& errs);
    const char* default_text;
    const char* help;
};
extern const OptionRow kOptionRows[];
extern const size_t kOptionRowCount;

// The message for a word of an architecture's option that is none of the
// arch's `choices` ("timer=x: expected rdtsc or rdtscp").
void unknown_word_message(OptionError& out, const char* key, const char* word, const char* const* choices,
                          size_t count);

// Parses `cmdline` (which must outlive `out`: the Str fields point into it).
// Writes up to max_errors messages and returns the total number of errors
// found (which may exceed max_errors).
size_t parse_options(const char* cmdline, Options& out, OptionError* errors, size_t max_errors);

}  // namespace hvb
