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
        key(result_key::ci_low_milli);
        milli(lo);
        key(result_key::ci_high_milli);
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

// The rows of kernel/header_fields.h of one record, in the table's order,
// each when its `sent` says so.
#define HVB_HPUT_text(l, v) (l).str(v)
#define HVB_HPUT_word(l, v) (l).str(v, kMaxPlatformWord)
#define HVB_HPUT_u32(l, v) (l).u64(v)
#define HVB_HPUT_u64(l, v) (l).u64(v)
#define HVB_HPUT_i64(l, v) (l).i64(v)
#define HVB_HPUT_milli(l, v) (l).milli(v)
#define HVB_HPUT_flag(l, v) (l).boolean(v)
#define HVB_HPUT_mode(l, v) (l).str((v) ? "adaptive" : "fixed")
#define HVB_HSENT_always(h, ...) __VA_ARGS__
#define HVB_HSENT_estimator(h, ...) \
    if ((h).estimator) {           \
        __VA_ARGS__                \
    }
// Only the rows of record `want`.
#define HVB_HONLY_header_header(...) __VA_ARGS__
#define HVB_HONLY_header_method(...)
#define HVB_HONLY_method_header(...)
#define HVB_HONLY_method_method(...) __VA_ARGS__
#define HVB_HEADER_PUT(want, h, l, kind, record, sent, wire, kernel) \
    HVB_HONLY_##want##_##record(HVB_HSENT_##sent(h, (l).key(HVB_HEADER_NAME(wire)); HVB_HPUT_##kind(l, (h).kernel);))

void write_header_fields(Line& l, const HeaderRecord& h) {
#define HVB_HEADER_ROW(member, kind, record, sent, need, wire, old, json, ctx_key, unit, kernel) \
    HVB_HEADER_PUT(header, h, l, kind, record, sent, wire, kernel)
    HVB_HEADER_FIELDS(HVB_HEADER_ROW)
#undef HVB_HEADER_ROW
}

void write_method_fields(Line& l, const HeaderRecord& h) {
#define HVB_METHOD_ROW(member, kind, record, sent, need, wire, old, json, ctx_key, unit, kernel) \
    HVB_HEADER_PUT(method, h, l, kind, record, sent, wire, kernel)
    HVB_HEADER_FIELDS(HVB_METHOD_ROW)
#undef HVB_METHOD_ROW
}

}  // namespace

// The header carries the platform and the run's shape (the rows of record
// `header`), led by the protocol's version.
void write_header(Sink sink, const HeaderRecord& h) {
    Line l;
    begin_record(l, kRecordHeader);
    l.key("version");
    l.i64(kRecordVersion);
    write_header_fields(l, h);
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
    l.key(result_key::name);
    l.str(name);
    l.key("index");
    l.u64(index);
    l.key("total");
    l.u64(total);
    if (pass) {
        l.key("pass");
        l.u64(pass);
        l.key(result_key::t_us);
        l.u64(t_us);
    }
    l.raw("}", 1);
    l.emit(sink);
}

void write_pass(Sink sink, const PassRecord& p) {
    Line l;
    begin_record(l, "pass");
    l.key(result_key::name);
    l.str(p.name);
    l.key("pass");
    l.u64(p.pass);
    l.key(result_key::iterations);
    l.u64(p.iterations);
    l.key(result_key::t_us);
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
    l.key(result_key::t_us);
    l.u64(y.t_us);
    l.key(header_key::timer_cycles_milli);  // the same call, timed again at the pass's start
    l.milli(y.timer_milli);
    l.key("empty_loop_cycles");
    l.milli(y.empty_loop_milli);
    l.key("empty_loop_iterations");
    l.u64(y.empty_loop_iterations);
    l.raw("}", 1);
    l.emit(sink);
}

namespace {

// The fields of kernel/record_fields.h in the table's order, each when its
// row says it is sent, a group's inside "group":{...}: the identity, the
// "cycles" and "control" objects, the mode, noisy and the counts.
class Fields {
public:
    explicit Fields(Line& l) : l_(l) {}
    // ,"key": (or "key": as a group's first), opening or closing a group.
    Line& at(const char* group, const char* key) {
        bool top = same(group, "top");
        if (open_ && (top || !same(open_, group))) close();
        if (!top && !open_) {
            l_.key(group);
            l_.raw("{", 1);
            open_ = group;
            first_ = true;
        }
        if (first_) {
            l_.raw("\"", 1);
            l_.raw(key);
            l_.raw("\":", 2);
            first_ = false;
        } else {
            l_.key(key);
        }
        return l_;
    }
    void close() {
        if (open_) l_.raw("}", 1);
        open_ = nullptr;
    }

private:
    // The kernel has no strcmp (nor does the compiler fold one here).
    static bool same(const char* a, const char* b) {
        while (*a && *a == *b) ++a, ++b;
        return *a == *b;
    }
    Line& l_;
    const char* open_ = nullptr;  // the group being written; null: the record's top level
    bool first_ = false;          // no key in it yet
};

// A value by its kind.
#define HVB_PUT_text(l, v) (l).str(v)
#define HVB_PUT_status(l, v) (l).str(status_name(v))
#define HVB_PUT_mode(l, v) (l).str((v) ? "adaptive" : "fixed")
#define HVB_PUT_u32(l, v) (l).u64(v)
#define HVB_PUT_u64(l, v) (l).u64(v)
#define HVB_PUT_i64(l, v) (l).i64(v)
#define HVB_PUT_milli(l, v) (l).milli(v)
#define HVB_PUT_flag(l, v) (l).boolean(v)
// The statements, when the row's `sent` says so.
#define HVB_IF_SENT_always(r, k, ...) __VA_ARGS__
#define HVB_IF_SENT_nonzero(r, k, ...) \
    if ((r).k != 0) {                  \
        __VA_ARGS__                    \
    }
#define HVB_IF_SENT_flagged(r, k, ...) \
    if ((r).has_##k) {                 \
        __VA_ARGS__                    \
    }
#define HVB_IF_SENT_ci(r, k, ...) \
    if ((r).has_ci) {             \
        __VA_ARGS__               \
    }
#define HVB_IF_SENT_estimate(r, k, ...) \
    if ((r).has_estimate) {             \
        __VA_ARGS__                     \
    }
#define HVB_IF_SENT_estimate_interval(r, k, ...)          \
    if ((r).has_estimate && (r).estimate_has_interval) { \
        __VA_ARGS__                                       \
    }
#define HVB_IF_SENT_cause(r, k, ...)                              \
    if ((r).noisy && (r).noisy_cause && (r).noisy_cause[0]) {     \
        __VA_ARGS__                                               \
    }
#define HVB_IF_SENT_never(r, k, ...)
void write_fields(Line& l, const ResultRecord& r) {
    Fields f(l);
#define HVB_WRITE_FIELD(member, kind, need, group, key, csv, unit, sent, decl, kernel, json_pos, csv_pos) \
    HVB_IF_SENT_##sent(r, kernel, HVB_PUT_##kind(f.at(#group, HVB_FIELD_WIRE_KEY(group, key)), r.kernel);)
    HVB_RESULT_FIELDS(HVB_WRITE_FIELD)
#undef HVB_WRITE_FIELD
    f.close();
}

// "linearity":[{...}, ...]: each level of a linearity run.
void write_linearity(Line& l, const LinearityLevel* levels, uint32_t count) {
    l.raw(",\"linearity\":[");
    for (uint32_t i = 0; i < count; ++i) {
        const LinearityLevel& v = levels[i];
        if (i) l.raw(",", 1);
        l.raw("{\"", 2);
        l.raw(result_key::iterations);
        l.raw("\":", 2);
        l.u64(v.iterations);
        l.key(result_key::median_milli);
        l.milli(v.median_milli);
        l.interval(v.has_ci, v.ci_low_milli, v.ci_high_milli);
        l.key(result_key::repetitions);
        l.u64(v.repetitions);
        l.key(result_key::noisy);
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
    l.key(result_key::name);
    l.str(vector_name(f.vector));
    l.key("pc");
    l.hex_string(f.pc);
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
    write_fields(l, r);
    if (r.linearity && r.linearity_count) write_linearity(l, r.linearity, r.linearity_count);
    if (r.params && r.param_count) write_params(l, r.params, r.param_count);
    if (r.has_fault) write_fault(l, r.fault);
    l.raw("}", 1);
    l.emit(sink);
}

void write_verify(Sink sink, const VerifyRecord& v) {
    Line l;
    begin_record(l, kRecordVerify);
    l.key(result_key::name);
    l.str(v.name);
    l.key(result_key::iterations);
    l.u64(v.iterations);
    l.key("measured");
    l.boolean(v.measured);
    if (v.measured) {
        l.key(result_key::median_milli);
        l.milli(v.median_milli);
        l.key(result_key::repetitions);
        l.u64(v.repetitions);
    } else {
        l.key(result_key::reason);
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
