// tools/records.cpp — the host-side reader of the kernel's result stream.
#include "tools/records.h"

#include "tools/header_fields.h"
#include "tools/result_fields.h"

namespace hvb::tools {
namespace {

std::string_view trim_line(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    return s;
}

std::string quote(std::string_view s) {
    constexpr size_t kMax = 120;
    std::string out(s.substr(0, kMax));
    if (s.size() > kMax) out += "...";
    return "'" + out + "'";
}

// A linearity level's fields: absent is fine here (the caller requires
// them), present and malformed is noted (by name and value) in `bad` and
// leaves the field unset.
class OptionalFields {
public:
    OptionalFields(const Json& j, std::vector<std::string>& bad) : j_(j), bad_(bad) {}
    void uint(const char* key, std::optional<uint64_t>& out) { read(key, out, &Json::get_uint); }
    void milli(const char* key, std::optional<int64_t>& out) { read(key, out, &Json::get_milli); }
    void boolean(const char* key, std::optional<bool>& out) { read(key, out, &Json::get_bool); }
    // ci_low/ci_high (any prefix): both or neither, low <= high.
    void interval(const char* low_key, const char* high_key, std::optional<int64_t>& low,
                  std::optional<int64_t>& high) {
        const Json* l = j_.get(low_key);
        const Json* h = j_.get(high_key);
        if (!l && !h) return;
        auto lv = j_.get_milli(low_key), hv = j_.get_milli(high_key);
        if (!l || !lv) return note(low_key);
        if (!h || !hv) return note(high_key);
        if (*lv > *hv) return note(low_key, std::string(low_key) + " > " + high_key);
        low = *lv;
        high = *hv;
    }
    void note(const char* key, const std::string& why = "") {
        const Json* v = j_.get(key);
        std::string text = v ? serialize_json(*v) : "missing";
        if (text.size() > 60) text = text.substr(0, 60) + "...";
        bad_.push_back(std::string(key) + " (" + (why.empty() ? text : why) + ")");
    }

private:
    // `get`: one of Json's typed getters.
    template <typename T>
    void read(const char* key, std::optional<T>& out, std::optional<T> (Json::*get)(std::string_view) const) {
        if (!j_.get(key)) return;
        if (auto v = (j_.*get)(key)) out = *v;
        else note(key);
    }

    const Json& j_;
    std::vector<std::string>& bad_;
};

// One entry of a result's "linearity" array; false (noted in `bad`) when it
// lacks a field or has a malformed one.
bool read_linearity_level(const Json& e, size_t index, LinearityLevel& out, std::vector<std::string>& bad) {
    std::string where = "linearity[" + std::to_string(index) + "]";
    if (!e.is(Json::Kind::object)) {
        bad.push_back(where + " (not an object)");
        return false;
    }
    std::vector<std::string> inner;
    OptionalFields f(e, inner);
    std::optional<uint64_t> iterations, repetitions;
    std::optional<int64_t> median, ratio;
    std::optional<bool> noisy;
    f.uint(result_key::iterations, iterations);
    f.milli(result_key::median_milli, median);
    f.uint(result_key::repetitions, repetitions);
    f.boolean(result_key::noisy, noisy);
    f.milli("ratio", ratio);
    f.interval(result_key::ci_low_milli, result_key::ci_high_milli, out.ci_low_milli, out.ci_high_milli);
    for (const char* key : {result_key::iterations, result_key::median_milli, result_key::repetitions,
                            result_key::noisy, "ratio"})
        if (!e.get(key)) inner.push_back(std::string(key) + " (missing)");
    if (!inner.empty()) {
        for (const auto& b : inner) bad.push_back(where + "." + b);
        return false;
    }
    out.iterations = *iterations;
    out.median_milli = *median;
    out.repetitions = *repetitions;
    out.noisy = *noisy;
    out.ratio_milli = *ratio;
    return true;
}

// The structured parts: linearity levels, fault, params.
void read_linearity(const Json& j, ResultInfo& r, std::vector<std::string>& bad) {
    const Json* lin = j.get("linearity");
    if (!lin) return;
    if (!lin->is(Json::Kind::array)) {
        bad.push_back(std::string("linearity (") + serialize_json(*lin).substr(0, 60) + ")");
        return;
    }
    for (size_t i = 0; i < lin->items.size(); ++i) {
        LinearityLevel level;
        if (read_linearity_level(lin->items[i], i, level, bad)) r.linearity.push_back(level);
    }
}

// A verify record (the kernel's second look); false with `missing` set when
// a field it needs is absent or malformed.
bool read_verify(const Json& j, VerifyInfo& v, std::string& missing) {
    auto name = j.get_string(result_key::name);
    auto iterations = j.get_uint(result_key::iterations);
    auto measured = j.get_bool("measured");
    auto agrees = j.get_bool("agrees");
    if (!name || !iterations || !measured || !agrees) {
        missing = !name ? result_key::name : !iterations ? result_key::iterations : !measured ? "measured" : "agrees";
        return false;
    }
    v.name = *name;
    v.iterations = *iterations;
    v.measured = *measured;
    v.agrees = *agrees;
    v.reason = j.get_string(result_key::reason).value_or("");
    auto median = j.get_milli(result_key::median_milli);
    auto reps = j.get_uint(result_key::repetitions);
    if (v.measured && (!median || !reps)) {
        missing = !median ? result_key::median_milli : result_key::repetitions;
        return false;
    }
    if (median) v.median_milli = *median;
    if (reps) v.repetitions = uint32_t(*reps);
    return true;
}

bool read_result(const Json& j, ResultInfo& r, std::string& missing, std::vector<std::string>& bad) {
    if (!read_wire_fields(j, r, missing, bad)) return false;
    if (const Json* fault = j.get("fault")) {
        auto vector = fault->get_uint("vector");
        auto fname = fault->get_string(result_key::name);
        // "pc"; kernels before the aarch64 port (issue 22) called it "rip".
        auto pc = fault->get("pc") ? fault->get_string("pc") : fault->get_string("rip");
        if (!vector || !fname || !pc) return missing = "fault.{vector,name,pc}", false;
        r.has_fault = true;
        r.fault_vector = static_cast<uint32_t>(*vector);
        r.fault_name = *fname;
        r.fault_pc = *pc;
    }
    if (const Json* params = j.get("params")) {
        if (!params->is(Json::Kind::object)) return missing = "params", false;
        for (const auto& [key, value] : params->members) {
            auto v = params->get_uint(key);
            if (!v) return missing = "params." + key, false;
            r.params.emplace_back(key, *v);
        }
    }
    read_linearity(j, r, bad);
    return true;
}

bool read_end(const Json& j, EndInfo& e, std::string& missing) {
    const Json* counts = j.get("counts");
    auto errors = j.get_uint("errors");
    auto code = j.get_int("exit_code");
    if (!counts || !counts->is(Json::Kind::object)) return missing = "counts", false;
    for (size_t s = 0; s < kStatusCount; ++s) {
        const char* key = status_name(static_cast<Status>(s));
        auto n = counts->get_uint(key);
        if (!n) return missing = std::string("counts.") + key, false;
        e.counts[s] = static_cast<uint32_t>(*n);
    }
    if (!errors) return missing = "errors", false;
    if (!code) return missing = "exit_code", false;
    e.errors = static_cast<uint32_t>(*errors);
    e.exit_code = static_cast<int>(*code);
    return true;
}

}  // namespace

const ResultInfo* RunLog::find(std::string_view name) const {
    for (const auto& r : results)
        if (r.name == name) return &r;
    return nullptr;
}

std::optional<std::string> RunLog::unfinished() const {
    if (begun.empty()) return std::nullopt;
    const std::string& last = begun.back();
    for (auto it = results.rbegin(); it != results.rend(); ++it)
        if (it->name == last) return std::nullopt;
    return last;
}

void RunLogReader::feed(std::string_view bytes) {
    for (char c : bytes) {
        if (c == kMarkerStart || c == kMarkerEnd) continue;
        if (c == '\n') {
            line(partial_);
            partial_.clear();
            ++line_no_;
        } else {
            partial_ += c;
            // A stream with no newlines at all (garbage, a wedged console)
            // must not grow without bound: far past any record's length,
            // read what there is as a line.
            if (partial_.size() >= 16 * kMaxRecordLine) {
                line(partial_);
                partial_.clear();
            }
        }
    }
}

void RunLogReader::finish() {
    if (!partial_.empty()) line(partial_);
    partial_.clear();
}

void RunLogReader::line(std::string_view raw) {
    std::string_view text = trim_line(raw);
    std::string_view prefix(kRecordPrefix);
    size_t at = text.find(prefix);
    if (at == std::string_view::npos) return;  // a human-readable line
    text.remove_prefix(at);
    // Usually one record per line. When a record does not parse and another
    // prefix follows, the newline between two records was lost (or a record
    // was cut short and another began): read each piece on its own.
    size_t next = text.find(prefix, prefix.size());
    if (next != std::string_view::npos) {
        std::string error;
        if (!parse_json(text.substr(prefix.size()), &error)) {
            while (next != std::string_view::npos) {
                record(trim_line(text.substr(prefix.size(), next - prefix.size())));
                text.remove_prefix(next);
                next = text.find(prefix, prefix.size());
            }
        }
    }
    record(text.substr(prefix.size()));
}

void RunLogReader::problem(const std::string& text) {
    // A hostile stream can be nothing but bad records: list the first ones.
    constexpr size_t kMaxProblems = 1000;
    if (log_.problems.size() < kMaxProblems)
        log_.problems.push_back("line " + std::to_string(line_no_) + ": " + text);
    else if (log_.problems.size() == kMaxProblems)
        log_.problems.push_back("line " + std::to_string(line_no_) + ": more problems; the rest are not listed");
}

bool RunLogReader::claim(size_t& count, const char* what, size_t cap) {
    if (++count <= cap) return true;
    if (!log_.flooded)
        problem(std::string("more than ") + std::to_string(cap) + " " + what +
                " records after one header: a kernel has tens of benchmarks, so this is not its stream; the rest "
                "of them is not read");
    log_.flooded = true;
    return false;
}

void RunLogReader::header(const Json& json, std::string& missing) {
    HeaderInfo h;
    h.raw = json;
    std::vector<std::string> bad_fields;
    if (!read_header_fields(json, h, false, missing, bad_fields)) return;
    for (const auto& b : bad_fields) problem("header record: bad " + b + "; the rest is kept");
    ++log_.headers;
    results_since_ = begins_since_ = 0;
    // A begin per benchmark per pass (the header's `passes`).
    uint64_t passes = h.passes.value_or(1);
    begins_cap_ = kMaxResultsPerHeader * size_t(passes < 1 ? 1 : passes > kMaxPassesPerHeader ? kMaxPassesPerHeader : passes);
    // Each header starts a VM (a log of several VMs has several): results
    // after it are converted with its own timer rate, never those before it.
    if (log_.header && h.timer_hz != log_.header->timer_hz)
        problem(std::string("a header with ") + header_key::timer_hz + " " + std::to_string(h.timer_hz) +
                " after one with " + std::to_string(log_.header->timer_hz) +
                " (another VM): the results after it keep their own");
    timer_hz_ = h.timer_hz;
    if (!log_.header) log_.header = std::move(h);
}

// The header's measurement fields, sent by kernels since 2026-12-05 after
// pass 1's first benchmark: merged into the kept header (the first VM's)
// while it lacks them, its raw JSON included; older kernels put them in
// the header itself.
void RunLogReader::method(const Json& json) {
    ++log_.methods;
    if (!log_.header) {
        problem("a method record before any header: not kept");
        return;
    }
    HeaderInfo& h = *log_.header;
    if (h.has_method()) return;  // the kept header has its own
    std::vector<std::string> bad_fields;
    std::string unused;  // the method rows are all optional
    read_header_fields(json, h, true, unused, bad_fields);
    for (const auto& b : bad_fields) problem("method record: bad " + b + "; the rest is kept");
    for (const auto& [key, value] : json.members)
        if (key != "type" && !h.raw.get(key)) h.raw.members.emplace_back(key, value);
}

void RunLogReader::result(const Json& json, std::string& missing) {
    ResultInfo r;
    std::vector<std::string> bad_fields;
    if (!read_result(json, r, missing, bad_fields)) {
        if (log_.bad_records.size() < kMaxResultsPerHeader * 4)
            log_.bad_records.push_back(
                BadRecord{line_no_, std::string(kRecordResult), r.name, "missing or bad '" + missing + "'"});
        return;
    }
    for (const auto& b : bad_fields) problem("result record " + quote(r.name) + ": bad " + b + "; the rest is kept");
    r.line = line_no_;
    r.timer_hz = timer_hz_;
    if (keep_raw_) r.raw = json;
    if (claim(results_since_, "result")) log_.results.push_back(std::move(r));
}

void RunLogReader::record(std::string_view body) {
    ++log_.record_count;
    std::string error;
    auto json = parse_json(body, &error);
    auto bad = [&](std::string type, std::string name, std::string why) {
        if (log_.bad_records.size() < kMaxResultsPerHeader * 4)
            log_.bad_records.push_back(BadRecord{line_no_, std::move(type), std::move(name), std::move(why)});
    };
    if (!json || !json->is(Json::Kind::object)) {
        std::string why = json ? std::string("not an object") : error;
        problem("unreadable record (" + why + "): " + quote(body));
        bad("", "", why);
        return;
    }
    auto type = json->get_string("type");
    std::string missing;
    if (!type) {
        problem("record without a type: " + quote(body));
        bad("", "", "no type");
    } else if (*type == kRecordHeader) {
        header(*json, missing);
    } else if (*type == kRecordMethod) {
        method(*json);
    } else if (*type == kRecordBegin) {
        if (auto name = json->get_string(result_key::name)) {
            if (claim(begins_since_, "begin", begins_cap_)) {
                log_.begun.push_back(*name);
                log_.begun_lines.push_back(line_no_);
            }
        } else {
            missing = result_key::name;
        }
    } else if (*type == kRecordResult) {
        result(*json, missing);
    } else if (*type == kRecordVerify) {
        VerifyInfo v;
        if (read_verify(*json, v, missing) && log_.verifies.size() < kMaxResultsPerHeader * 4)
            log_.verifies.push_back(std::move(v));
    } else if (*type == kRecordPass) {
        ++log_.pass_records;
    } else if (*type == kRecordYardstick) {
        ++log_.yardstick_records;
        auto timer = json->get_milli(header_key::timer_cycles_milli);
        auto loop = json->get_milli("empty_loop_cycles");
        if (timer && loop && log_.yardstick_timer_milli.size() < kMaxResultsPerHeader) {
            log_.yardstick_timer_milli.push_back(*timer);
            log_.yardstick_empty_loop_milli.push_back(*loop);
        }
    } else if (*type == kRecordError) {
        if (auto message = json->get_string("message")) {
            if (log_.errors.size() < kMaxResultsPerHeader) log_.errors.push_back(*message);
        } else {
            missing = "message";
        }
    } else if (*type == kRecordEnd) {
        EndInfo e;
        if (read_end(*json, e, missing)) log_.end = e;
    } else {
        problem("unknown record type " + quote(*type));
    }
    if (!missing.empty()) problem(*type + " record missing or bad '" + missing + "': " + quote(body));
}

RunLog parse_run_log(std::string_view stream, bool keep_raw) {
    RunLogReader reader(keep_raw);
    reader.feed(stream);
    reader.finish();
    return reader.log();
}

}  // namespace hvb::tools
