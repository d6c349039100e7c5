// kernel/record.cpp — writers for the "@hvb {json}" result records.
#include "kernel/record.h"

#include "posih/interrupt.h"

namespace hvb {

namespace {

// One record under construction. Everything is built here first so the sink
// gets the whole line in a single put and records never interleave.
struct Line {
    char buf[kMaxRecordLine];
    size_t len;

    // The bounded string fields keep every record far below kMaxRecordLine;
    // the check only makes an impossible overflow harmless. One byte is
    // always kept back for the final '\n'.
    void raw(const char* s, size_t n) {
        size_t room = sizeof buf - 1 - len;
        if (n > room) n = room;
        __builtin_memcpy(buf + len, s, n);
        len += n;
    }
    void raw(const char* s) { raw(s, __builtin_strlen(s)); }

    void u64(uint64_t v) {
        char tmp[20];
        size_t n = 0;
        do {
            tmp[sizeof tmp - 1 - n] = static_cast<char>('0' + v % 10);
            v /= 10;
            ++n;
        } while (v != 0);
        raw(tmp + sizeof tmp - n, n);
    }
    void i64(int64_t v) {
        if (v < 0) raw("-", 1);
        u64(v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v));
    }
    void boolean(bool v) { raw(v ? "true" : "false"); }
    void milli(int64_t v) {
        char tmp[32];
        size_t n = format_milli(tmp, v);
        raw(tmp, n);
    }
    // "0x" + 16 lowercase hex digits, as a JSON string: JSON numbers cannot
    // carry a 64-bit address exactly in most readers.
    void hex_string(uint64_t v) {
        char tmp[20];
        tmp[0] = '"';
        tmp[1] = '0';
        tmp[2] = 'x';
        for (int i = 0; i < 16; ++i) tmp[3 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
        tmp[19] = '"';
        raw(tmp, sizeof tmp);
    }
    // A quoted, escaped string of at most `limit` escaped bytes; an escape
    // that would not fit whole is dropped with everything after it.
    void str(const char* s, size_t limit = kMaxStringField) {
        raw("\"", 1);
        size_t used = 0;
        if (s != nullptr) {
            for (; *s != '\0'; ++s) {
                unsigned char c = static_cast<unsigned char>(*s);
                char esc[6];
                size_t n;
                if (c == '"' || c == '\\') {
                    esc[0] = '\\';
                    esc[1] = static_cast<char>(c);
                    n = 2;
                } else if (c < 0x20 || c >= 0x7f) {
                    // Controls, DEL and high bytes: keeps every record 7-bit
                    // printable ASCII whatever the firmware strings contain.
                    esc[0] = '\\';
                    esc[1] = 'u';
                    esc[2] = '0';
                    esc[3] = '0';
                    esc[4] = "0123456789abcdef"[c >> 4];
                    esc[5] = "0123456789abcdef"[c & 0xf];
                    n = 6;
                } else {
                    esc[0] = static_cast<char>(c);
                    n = 1;
                }
                if (used + n > limit) break;
                raw(esc, n);
                used += n;
            }
        }
        raw("\"", 1);
    }
    // ,"ci_low":lo,"ci_high":hi — only when there is an interval.
    void interval(bool has, int64_t lo, int64_t hi) {
        if (!has) return;
        raw(",\"ci_low\":");
        milli(lo);
        raw(",\"ci_high\":");
        milli(hi);
    }
    // ,"key": — every field after the first is introduced this way.
    void key(const char* k) {
        raw(",\"", 2);
        raw(k);
        raw("\":", 2);
    }

    void emit(Sink sink) {
        buf[len++] = '\n';  // raw() reserved this byte
        sink.put(sink.ctx, buf, len);
    }
};

// Starts a record: prefix plus {"type":"<type>" (the rest adds ,"k":v).
void begin_record(Line& l, const char* type) {
    l.len = 0;
    l.raw(kRecordPrefix, sizeof kRecordPrefix - 1);
    l.raw("{\"type\":\"");
    l.raw(type);
    l.raw("\"", 1);
}

constexpr const char* kStatusNames[kStatusCount] = {"ok", "unsupported", "faulted", "skipped",
                                                    "timeout"};

}  // namespace

const char* status_name(Status s) {
    size_t i = static_cast<size_t>(s);
    return i < kStatusCount ? kStatusNames[i] : "unknown";
}

bool status_from_name(const char* s, size_t len, Status* out) {
    if (s == nullptr) return false;
    for (size_t i = 0; i < kStatusCount; ++i) {
        const char* name = kStatusNames[i];
        if (__builtin_strlen(name) == len && __builtin_memcmp(name, s, len) == 0) {
            if (out != nullptr) *out = static_cast<Status>(i);
            return true;
        }
    }
    return false;
}

const char* vector_name(unsigned vector) { return fault_mnemonic(vector); }

namespace {

// The platform: CPU, hypervisor, console, TSC, memory and how it booted.
void write_platform(Line& l, const HeaderRecord& h) {
    l.key("cpu_vendor");
    l.str(h.cpu_vendor, kMaxPlatformWord);
    l.key("cpu_model");
    l.str(h.cpu_model);
    l.key("cpu_family");
    l.u64(h.cpu_family);
    l.key("cpu_model_id");
    l.u64(h.cpu_model_id);
    l.key("cpu_stepping");
    l.u64(h.cpu_stepping);
    l.key("hypervisor");
    l.str(h.hypervisor, kMaxPlatformWord);
    // Short platform words (kMaxPlatformWord: CPUID's 12-byte vendor and
    // hypervisor signatures, the kernel's own names, Xen's version and
    // domain), so the header stays within kMaxRecordLine with the free-form
    // strings (model, loader, command line) at their longest.
    l.key("hypervisor_version");
    l.str(h.hypervisor_version, kMaxPlatformWord);
    l.key("domain");
    l.str(h.domain, kMaxPlatformWord);
    l.key("quirks");
    l.str(h.quirks, kMaxPlatformWord);
    l.key("console");
    l.str(h.console, kMaxPlatformWord);
    l.key("tsc_hz");
    l.u64(h.tsc_hz);
    l.key("tsc_source");
    l.str(h.tsc_source, kMaxPlatformWord);
    l.key("invariant_tsc");
    l.boolean(h.invariant_tsc);
    l.key("cpus");
    l.u64(h.cpus);
    l.key("apic");
    l.str(h.apic);
    l.key("memory_bytes");
    l.u64(h.memory_bytes);
    l.key("boot");
    l.str(h.boot);
    l.key("loader");
    l.str(h.loader);
    l.key("cmdline");
    l.str(h.cmdline);
}

// What the run will do: the timer, the repetitions, the suite's size.
void write_run(Line& l, const HeaderRecord& h) {
    l.key("timer");
    l.str(h.timer, kMaxPlatformWord);
    l.key("timing");
    l.str(h.timing);
    l.key("reps");
    l.u64(h.default_reps);
    l.key("benchmarks");
    l.u64(h.benchmarks);
    l.key("boot_us");
    l.u64(h.boot_us);
}

// The measurement method and its hazards (docs/measurement.md).
void write_method_fields(Line& l, const HeaderRecord& h) {
    l.key("timer_cycles");
    l.milli(h.timer_milli);
    l.key("timer_mad");
    l.milli(h.timer_mad_milli);
    l.key("rdtsc_cycles");
    l.milli(h.counter_read_milli);
    l.key("rdtsc_intercepted");
    l.boolean(h.counter_intercepted);
    l.key("smi_counter");
    l.boolean(h.smi_counter);
    l.key("iterations_mode");
    l.str(h.iterations_adaptive ? "adaptive" : "fixed");
    l.key("reps_mode");
    l.str(h.reps_adaptive ? "adaptive" : "fixed");
    l.key("loop_target_cycles");
    l.u64(h.loop_target_cycles);
    l.key("speed_check");
    l.boolean(h.speed_check);
    l.key("speed_mad_permille");
    l.i64(h.speed_mad_permille);
    l.key("target_permille");
    l.u64(h.target_permille);
    l.key("target_min_cycles");
    l.milli(h.target_min_milli);
    l.key("confidence_percent");
    l.u64(h.confidence_percent);
    l.key("budget_ms");
    l.u64(h.budget_ms);
    l.key("min_reps");
    l.u64(h.min_reps);
    l.key("max_reps");
    l.u64(h.max_reps);
    l.key("outlier_rule");
    l.str(h.outlier_rule);
    l.key("pinned");
    l.str(h.pinned);
    l.key("linearity");
    l.boolean(h.linearity);
    l.key("verify");
    l.boolean(h.verify);
}

}  // namespace

void write_header(Sink sink, const HeaderRecord& h) {
    Line l;
    begin_record(l, kRecordHeader);
    l.key("version");
    l.i64(kRecordVersion);
    write_platform(l, h);
    write_run(l, h);
    if (h.estimator) {
        l.key("estimator");
        l.str(h.estimator);
        l.key("passes");
        l.u64(h.passes);
    }
    l.raw("}", 1);
    l.emit(sink);
}

void write_method(Sink sink, const HeaderRecord& h) {
    Line l;
    begin_record(l, kRecordMethod);
    write_method_fields(l, h);
    l.raw("}", 1);
    l.emit(sink);
}

void write_begin(Sink sink, const char* name, uint32_t index, uint32_t total, uint32_t pass, uint64_t t_us) {
    Line l;
    begin_record(l, kRecordBegin);
    l.key("name");
    l.str(name);
    l.key("index");
    l.u64(index);
    l.key("total");
    l.u64(total);
    if (pass) {
        l.key("pass");
        l.u64(pass);
        l.key("t_us");
        l.u64(t_us);
    }
    l.raw("}", 1);
    l.emit(sink);
}

void write_pass(Sink sink, const PassRecord& p) {
    Line l;
    begin_record(l, "pass");
    l.key("name");
    l.str(p.name);
    l.key("pass");
    l.u64(p.pass);
    l.key("iterations");
    l.u64(p.iterations);
    l.key("t_us");
    l.u64(p.t_us);
    l.raw(",\"costs\":[");
    uint32_t n = p.count < kMaxPassCosts ? p.count : kMaxPassCosts;
    for (uint32_t i = 0; i < n; ++i) {
        if (i) l.raw(",", 1);
        l.milli(p.costs[i]);
    }
    l.raw("]}", 2);
    l.emit(sink);
}

void write_yardstick(Sink sink, const YardstickRecord& y) {
    Line l;
    begin_record(l, "yardstick");
    l.key("pass");
    l.u64(y.pass);
    l.key("t_us");
    l.u64(y.t_us);
    l.key("timer_cycles");
    l.milli(y.timer_milli);
    l.key("empty_loop_cycles");
    l.milli(y.empty_loop_milli);
    l.key("empty_loop_iterations");
    l.u64(y.empty_loop_iterations);
    l.raw("}", 1);
    l.emit(sink);
}

namespace {

// "cycles":{...}: the per-iteration cost across repetitions, its interval
// and, from the interleaved passes, the headline (kernel/estimate.h); then
// "control":{...}, the control loop's own cost.
void write_cycles(Line& l, const ResultRecord& r) {
    l.raw(",\"cycles\":{\"min\":");
    l.milli(r.min_milli);
    l.raw(",\"median\":");
    l.milli(r.median_milli);
    l.raw(",\"mean\":");
    l.milli(r.mean_milli);
    l.raw(",\"mad\":");
    l.milli(r.mad_milli);
    l.interval(r.has_ci, r.ci_low_milli, r.ci_high_milli);
    if (r.has_estimate) {
        l.raw(",\"estimate\":");
        l.milli(r.estimate_milli);
        if (r.estimate_has_interval) {
            l.raw(",\"estimate_low\":");
            l.milli(r.estimate_low_milli);
            l.raw(",\"estimate_high\":");
            l.milli(r.estimate_high_milli);
        }
        l.raw(",\"p10\":");
        l.milli(r.estimate_milli);
        l.raw(",\"p50\":");
        l.milli(r.p50_milli);
        l.raw(",\"p90\":");
        l.milli(r.p90_milli);
    }
    l.raw("},\"control\":{\"median\":");
    l.milli(r.control_median_milli);
    l.raw("}", 1);
}

// The numeric fields of kernel/record_fields.h, each when its row says it
// is sent.
#define HVB_SENT_always(r, name) true
#define HVB_SENT_nonzero(r, name) ((r).name != 0)
#define HVB_SENT_flagged(r, name) ((r).has_##name)
void write_numbers(Line& l, const ResultRecord& r) {
#define HVB_WRITE_NUMBER(name, type, sent, json_at, csv_at) \
    if (HVB_SENT_##sent(r, name)) {                         \
        l.key(#name);                                       \
        l.type(r.name);                                     \
    }
    HVB_RESULT_NUMBERS(HVB_WRITE_NUMBER)
#undef HVB_WRITE_NUMBER
}
#undef HVB_SENT_always
#undef HVB_SENT_nonzero
#undef HVB_SENT_flagged

// "linearity":[{...}, ...]: each level of a linearity run.
void write_linearity(Line& l, const LinearityLevel* levels, uint32_t count) {
    l.raw(",\"linearity\":[");
    for (uint32_t i = 0; i < count; ++i) {
        const LinearityLevel& v = levels[i];
        if (i) l.raw(",", 1);
        l.raw("{\"iterations\":");
        l.u64(v.iterations);
        l.raw(",\"median\":");
        l.milli(v.median_milli);
        l.interval(v.has_ci, v.ci_low_milli, v.ci_high_milli);
        l.raw(",\"repetitions\":");
        l.u64(v.repetitions);
        l.raw(",\"noisy\":");
        l.boolean(v.noisy);
        l.raw(",\"ratio\":");
        l.milli(v.ratio_milli);
        l.raw("}", 1);
    }
    l.raw("]", 1);
}

// "params":{"name":value, ...}: the values the benchmark ran with.
void write_params(Line& l, const BenchParam* params, uint32_t count) {
    l.raw(",\"params\":{");
    for (uint32_t i = 0; i < count; ++i) {
        if (i) l.raw(",", 1);
        l.str(params[i].name);
        l.raw(":", 1);
        l.u64(*params[i].value);
    }
    l.raw("}", 1);
}

// "fault":{...}: the exception that ended a faulted benchmark.
void write_fault(Line& l, const FaultInfo& f) {
    l.raw(",\"fault\":{\"vector\":");
    l.u64(f.vector);
    l.key("name");
    l.str(vector_name(f.vector));
    l.key("rip");
    l.hex_string(f.rip);
    if (f.has_error_code) {
        l.key("error_code");
        l.u64(f.error_code);
    }
    l.raw("}", 1);
}

}  // namespace

void write_result(Sink sink, const ResultRecord& r) {
    Line l;
    begin_record(l, kRecordResult);
    l.key("name");
    l.str(r.name);
    l.key("category");
    l.str(r.category);
    l.key("status");
    l.str(status_name(r.status));
    l.key("reason");
    l.str(r.reason);
    l.key("iterations");
    l.u64(r.iterations);
    l.key("repetitions");
    l.u64(r.repetitions);
    write_cycles(l, r);
    l.key("iterations_mode");
    l.str(r.iterations_adaptive ? "adaptive" : "fixed");
    l.key("noisy");
    l.boolean(r.noisy);
    if (r.noisy && r.noisy_cause && r.noisy_cause[0]) {
        l.key("noisy_cause");
        l.str(r.noisy_cause);
    }
    write_numbers(l, r);
    if (r.linearity && r.linearity_count) write_linearity(l, r.linearity, r.linearity_count);
    if (r.params && r.param_count) write_params(l, r.params, r.param_count);
    if (r.has_fault) write_fault(l, r.fault);
    l.raw("}", 1);
    l.emit(sink);
}

void write_verify(Sink sink, const VerifyRecord& v) {
    Line l;
    begin_record(l, kRecordVerify);
    l.key("name");
    l.str(v.name);
    l.key("iterations");
    l.u64(v.iterations);
    l.key("measured");
    l.boolean(v.measured);
    if (v.measured) {
        l.key("median");
        l.milli(v.median_milli);
        l.key("repetitions");
        l.u64(v.repetitions);
    } else {
        l.key("reason");
        l.str(v.reason);
    }
    l.key("agrees");
    l.boolean(v.agrees);
    l.raw("}", 1);
    l.emit(sink);
}

void write_error(Sink sink, const char* message) {
    Line l;
    begin_record(l, kRecordError);
    l.key("message");
    l.str(message);
    l.raw("}", 1);
    l.emit(sink);
}

void write_end(Sink sink, const EndRecord& e) {
    Line l;
    begin_record(l, kRecordEnd);
    l.raw(",\"counts\":{");
    for (size_t i = 0; i < kStatusCount; ++i) {
        if (i > 0) l.raw(",", 1);
        l.raw("\"", 1);
        l.raw(kStatusNames[i]);
        l.raw("\":", 2);
        l.u64(e.counts[i]);
    }
    l.raw("}", 1);
    l.key("errors");
    l.u64(e.errors);
    l.key("exit_code");
    l.i64(e.exit_code);
    l.raw("}", 1);
    l.emit(sink);
}

}  // namespace hvb
