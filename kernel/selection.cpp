// kernel/selection.cpp — sorts and filters the `.benchmarks` table by only=/skip= and checks the names.
//
// Runs freestanding in the kernel and under sanitizers on the host: no libc,
// no heap, no scratch arrays. The table holds tens of entries, so the simple
// quadratic scans below cost nothing measurable and need no extra memory.
#include "kernel/selection.h"

#include "kernel/message.h"

namespace hvb {

namespace {

using Errors = ErrorList<SelectionError>;

// A descriptor with a null name or category is a bug elsewhere; treating null
// as "" keeps the checks total instead of crashing the kernel.
const char* or_empty(const char* s) {
    return s != nullptr ? s : "";
}

// strcmp order (bytes compared as unsigned char), as the header promises.
int compare(const char* a, const char* b) {
    const unsigned char* x = reinterpret_cast<const unsigned char*>(a);
    const unsigned char* y = reinterpret_cast<const unsigned char*>(b);
    while (*x != '\0' && *x == *y) {
        ++x;
        ++y;
    }
    return static_cast<int>(*x) - static_cast<int>(*y);
}

bool same_name(const Benchmark& a, const Benchmark& b) {
    return compare(or_empty(a.name), or_empty(b.name)) == 0;
}

bool same(Str a, Str b) {
    return a.len == b.len && (a.len == 0 || __builtin_memcmp(a.ptr, b.ptr, a.len) == 0);
}

// Whether any of names[0..count) is the benchmark's name or its category.
bool named_by(const Benchmark& b, const Str* names, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        if (names[i].equals(or_empty(b.name))) return true;
        if (b.category != nullptr && names[i].equals(b.category)) return true;
    }
    return false;
}

// Index of the first entry sharing table[i]'s name (i itself when unique so far).
size_t first_with_name(const Benchmark* table, size_t i) {
    size_t j = 0;
    while (j < i && !same_name(table[j], table[i])) ++j;
    return j;
}

bool matches_any(const Benchmark* table, size_t n, Str name, bool categories_too) {
    for (size_t i = 0; i < n; ++i) {
        if (name.equals(or_empty(table[i].name))) return true;
        if (categories_too && table[i].category != nullptr && name.equals(table[i].category)) {
            return true;
        }
    }
    return false;
}

// Reports each distinct name in names[] that matches nothing in the table.
void check_list(const Benchmark* table, size_t n, const char* key, const Str* names, size_t count,
                Errors& errs) {
    for (size_t i = 0; i < count; ++i) {
        bool repeated = false;
        for (size_t j = 0; j < i && !repeated; ++j) repeated = same(names[j], names[i]);
        if (repeated || matches_any(table, n, names[i], true)) continue;
        errs.add().text(key).text("=: no benchmark or category named '").input(names[i]).text("'");
    }
}

}  // namespace

size_t select_benchmarks(const Benchmark* table, size_t n, const Options& opts,
                         const Benchmark** out, size_t max_out,
                         SelectionError* errors, size_t max_errors, size_t* error_count) {
    Errors errs{errors, max_errors, 0};
    if (table == nullptr) n = 0;
    if (out == nullptr) max_out = 0;

    // The linker would reject duplicates made with HVB_BENCHMARK, but a table
    // assembled another way must not yield two records with one name. Report
    // each duplicated name once, at its first occurrence.
    for (size_t i = 0; i < n; ++i) {
        if (first_with_name(table, i) != i) continue;
        for (size_t j = i + 1; j < n; ++j) {
            if (same_name(table[i], table[j])) {
                errs.add().text("duplicate benchmark name '").input(or_empty(table[i].name)).text("'");
                break;
            }
        }
    }

    check_list(table, n, "only", opts.only, opts.only_count, errs);
    check_list(table, n, "skip", opts.skip, opts.skip_count, errs);
    // iters=name:N is looked up by benchmark name only (Options::iterations_for
    // never sees the category), so a category there would silently do nothing;
    // it is reported instead.
    for (size_t i = 0; i < opts.iters_count; ++i) {
        Str name = opts.iters[i].name;
        if (matches_any(table, n, name, false)) continue;
        Message m = errs.add();
        m.text("iters=: no benchmark named '").input(name).text("'");
        if (matches_any(table, n, name, true)) m.text(" (categories cannot take a count)");
    }

    // Insertion into `out` kept sorted; once full, whatever sorts last falls
    // off, so a too-small `out` still holds the first max_out names in order.
    size_t kept = 0;
    size_t wanted = 0;
    for (size_t i = 0; i < n; ++i) {
        const Benchmark& b = table[i];
        if (first_with_name(table, i) != i) continue;  // duplicate: first entry wins
        bool keep;
        if (opts.only_count == 0) {
            keep = (b.flags & kFlagOptIn) == 0;
        } else {
            keep = named_by(b, opts.only, opts.only_count);
        }
        if (!keep || named_by(b, opts.skip, opts.skip_count)) continue;
        ++wanted;

        const char* name = or_empty(b.name);
        size_t pos = kept;
        while (pos > 0 && compare(name, or_empty(out[pos - 1]->name)) < 0) --pos;
        if (pos >= max_out) continue;  // sorts after everything and no room left
        size_t last = kept < max_out ? kept : max_out - 1;
        for (size_t j = last; j > pos; --j) out[j] = out[j - 1];
        out[pos] = &b;
        if (kept < max_out) ++kept;
    }
    // Nothing to run is a mistake (only=cpuid skip=cpuid), never a silent
    // success; an unknown name already said why.
    if (wanted == 0 && n != 0 && errs.count == 0) {
        Message m = errs.add();
        m.text("no benchmark selected");
        if (opts.only_count != 0 || opts.skip_count != 0) m.text(": only= and skip= leave nothing to run");
    }
    if (wanted > max_out) {
        errs.add().text("too many benchmarks selected: ").number(wanted).text(" (max ").number(max_out).text(")");
    }

    if (error_count != nullptr) *error_count = errs.count;
    return kept;
}

}  // namespace hvb
