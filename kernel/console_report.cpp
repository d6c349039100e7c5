// kernel/console_report.cpp — the kernel's console lines (see
// console_report.h).
#include "kernel/console_report.h"

#include "posih/console.h"
#include "posih/format.h"

namespace hvb {
namespace {

// The headline's interval as the distance of its upper end: "+1.4%" of the
// headline, or in cycles ("+0.812") under 100 cycles; "-" without one.
void format_interval(char* buf, size_t size, const ResultRecord& r) {
    if (!r.estimate_has_interval) {
        snformat(buf, size, "-");
        return;
    }
    uint64_t above = uint64_t(r.estimate_high_milli - r.estimate_milli);
    uint64_t mag = uint64_t(r.estimate_milli < 0 ? -r.estimate_milli : r.estimate_milli);
    if (mag < 100000) {
        char c[32];
        format_milli(c, int64_t(above));
        snformat(buf, size, "+%s", c);
        return;
    }
    uint64_t tenths = (above * 1000 + mag / 2) / mag;
    snformat(buf, size, "+%lu.%lu%%", tenths / 10, tenths % 10);
}

void print_row(const ResultRecord& r) {
    if (r.status != Status::ok) {
        kprintf("%-22s %-12s %-8s %s\n", r.name, r.category, status_name(r.status), r.reason);
        return;
    }
    char est[32], iv[32], p50[32], p90[32], ctl[32];
    format_milli(est, r.estimate_milli);
    format_interval(iv, sizeof iv, r);
    format_milli(p50, r.p50_milli);
    format_milli(p90, r.p90_milli);
    format_milli(ctl, r.control_median_milli);
    kprintf("%-22s %-12s %-8s %10lu %5u %12s %9s %12s %12s %12s %s%s%s\n", r.name, r.category,
            r.noisy ? "noisy" : "ok", r.iterations, r.repetitions, est, iv, p50, p90, ctl,
            r.outliers ? "gaps " : "", r.interrupts ? "irqs " : "", r.noisy ? r.noisy_cause : "");
}

}  // namespace

void report_table_head() {
    kprintf("\n%-22s %-12s %-8s %10s %5s %12s %9s %12s %12s %12s\n", "benchmark", "category", "status",
            "iterations", "reps", "p10", "interval", "p50 (typ.)", "p90", "control");
}

void report_result(const ResultRecord& r) { print_row(r); }

void report_error(const char* message) { kprintf("hvbench: %s\n", message); }

void report_linearity_moved(const char* name, int64_t first_milli, int64_t last_milli) {
    char a_text[32], b_text[32];
    format_milli(a_text, first_milli);
    format_milli(b_text, last_milli);
    kprintf("%-22s linearity: N again at the end, %s cycles against %s: every level noisy\n", name, b_text,
            a_text);
}

void report_linearity_stop(const char* name, uint64_t iterations, uint64_t want, uint64_t ms) {
    kprintf("%-22s linearity stops at %lu iterations: three pairs at %lu would take %lu ms\n", name, iterations,
            want, ms);
}

void report_verify_head() { kprintf("\nverify: each established result, measured again at the same count\n"); }

void report_verify(const char* name, int64_t headline_milli, const VerifyRecord& v) {
    char first[32], second[32];
    format_milli(first, headline_milli);
    format_milli(second, v.median_milli);
    kprintf("%-22s %14s %14s  %s\n", name, first, v.measured ? second : "-",
            !v.measured ? v.reason : v.agrees ? "agrees" : "CHEAPER: noisy");
}

}  // namespace hvb
