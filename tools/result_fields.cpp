// tools/result_fields.cpp — the field table's rows with their conversions
// (see result_fields.h).
#include "tools/result_fields.h"

#include <algorithm>

#include "tools/field_kinds.h"

namespace hvb::tools {

bool parse_uint(std::string_view s, uint64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, uint64_t(c - '0'), &v)) return false;
    }
    out = v;
    return true;
}

bool parse_int(std::string_view s, int64_t& out) {
    bool negative = !s.empty() && s.front() == '-';
    uint64_t magnitude = 0;
    if (!parse_uint(negative ? s.substr(1) : s, magnitude)) return false;
    if (magnitude > (negative ? uint64_t(INT64_MAX) + 1 : uint64_t(INT64_MAX))) return false;
    out = negative ? int64_t(0 - magnitude) : int64_t(magnitude);
    return true;
}

namespace {

using namespace field_kinds;

// The conversions of one row: kind K, member M.
template <typename K, auto M>
struct Row {
    static bool is_set(const BenchResult& r) { return has(r.*M); }
    static Json to_json(const BenchResult& r) { return K::json(value(r.*M)); }
    static std::string to_csv(const BenchResult& r) { return has(r.*M) ? K::csv(value(r.*M)) : ""; }
    static bool from_json(const Json& v, BenchResult& r, bool wire) {
        auto x = K::from_json(v, wire);
        if (x) r.*M = *x;
        return x.has_value();
    }
    static bool from_csv(std::string_view s, BenchResult& r) {
        auto x = K::from_csv(s);
        if (x) r.*M = *x;
        return x.has_value();
    }
};

std::vector<ResultField> make_fields() {
    std::vector<ResultField> rows;
#define HVB_TOOL_ROW(member, kind_, need, group, key, csv, unit, sent, decl, kernel, json_pos, csv_pos)         \
    {                                                                                                           \
        using R = Row<kind::kind_, &BenchResult::member>;                                                       \
        rows.push_back(ResultField{#member, #group, HVB_FIELD_WIRE_KEY(group, key),                             \
                                   HVB_FIELD_JSON_KEY(group, key), csv, unit, json_pos, csv_pos,                \
                                   std::string_view(#need) == "req", kind::kind_::is_text, &R::is_set, &R::to_json, \
                                   &R::to_csv, &R::from_json, &R::from_csv});                                   \
    }
    HVB_RESULT_FIELDS(HVB_TOOL_ROW)
#undef HVB_TOOL_ROW
    return rows;
}

std::vector<const ResultField*> by_pos(int ResultField::*pos) {
    std::vector<const ResultField*> out;
    for (const ResultField& f : result_fields())
        if (f.*pos) out.push_back(&f);
    std::sort(out.begin(), out.end(), [&](const ResultField* a, const ResultField* b) { return a->*pos < b->*pos; });
    return out;
}

}  // namespace

const std::vector<ResultField>& result_fields() {
    static const std::vector<ResultField> rows = make_fields();
    return rows;
}

const std::vector<const ResultField*>& json_fields() {
    static const std::vector<const ResultField*> rows = by_pos(&ResultField::json_pos);
    return rows;
}

const std::vector<const ResultField*>& csv_fields() {
    static const std::vector<const ResultField*> rows = by_pos(&ResultField::csv_pos);
    return rows;
}

const ResultField* result_field(std::string_view member) {
    for (const ResultField& f : result_fields())
        if (member == f.member) return &f;
    return nullptr;
}

namespace {

// A group of the record ("cycles", "control"), or the record itself.
const Json* group_of(const Json& j, std::string_view group) {
    if (group == "top") return &j;
    const Json* g = j.get(group);
    return g && g->is(Json::Kind::object) ? g : nullptr;
}

std::string wire_name(const ResultField& f) {
    return std::string_view(f.group) == "top" ? std::string(f.key) : std::string(f.group) + "." + f.key;
}

// An interval's two ends: both or neither, low <= high; else both are
// dropped and `bad` says why (unless an end was dropped as malformed,
// `noted`, which `bad` says already).
void check_interval(BenchResult& r, std::optional<int64_t> BenchResult::*low, std::optional<int64_t> BenchResult::*high,
                    const ResultField& lo, const ResultField& hi, const std::vector<const ResultField*>& noted,
                    std::vector<std::string>& bad) {
    auto was_noted = [&](const ResultField& f) { return std::find(noted.begin(), noted.end(), &f) != noted.end(); };
    if (!(r.*low) && !(r.*high)) return;
    if (!(r.*low)) {
        if (!was_noted(lo)) bad.push_back(wire_name(lo) + " (missing)");
    } else if (!(r.*high)) {
        if (!was_noted(hi)) bad.push_back(wire_name(hi) + " (missing)");
    } else if (*(r.*low) > *(r.*high)) {
        bad.push_back(wire_name(lo) + " (" + lo.key + " > " + hi.key + ")");
    } else {
        return;
    }
    r.*low = std::nullopt;
    r.*high = std::nullopt;
}

}  // namespace

// The scalar fields of kernel/record_fields.h (those on the wire): false with
// `missing` naming the first required one absent or malformed; an optional
// one malformed is noted in `bad` and left unset.
bool read_wire_fields(const Json& j, BenchResult& r, std::string& missing, std::vector<std::string>& bad) {
    std::vector<const ResultField*> noted;  // dropped as malformed
    for (const ResultField& f : result_fields()) {
        if (!f.on_wire()) continue;
        const Json* g = group_of(j, f.group);
        if (!g && j.get(f.group)) bad.push_back(std::string(f.group) + " (not an object)");
        const Json* v = g ? g->get(f.key) : nullptr;
        if (v && f.from_json(*v, r, true)) continue;
        if (f.required) {
            missing = g ? wire_name(f) : std::string(f.group);
            return false;
        }
        if (v) {
            std::string text = serialize_json(*v);
            if (text.size() > 60) text = text.substr(0, 60) + "...";
            bad.push_back(wire_name(f) + " (" + text + ")");
            noted.push_back(&f);
        }
    }
    check_interval(r, &BenchResult::ci_low_milli, &BenchResult::ci_high_milli, HVB_FIELD(ci_low_milli),
                   HVB_FIELD(ci_high_milli), noted, bad);
    check_interval(r, &BenchResult::estimate_low_milli, &BenchResult::estimate_high_milli,
                   HVB_FIELD(estimate_low_milli), HVB_FIELD(estimate_high_milli), noted, bad);
    // p10 is the headline again (docs/architecture.md): a record where it is
    // not says so.
    if (r.p10_milli && r.estimate_milli != r.p10_milli)
        bad.push_back(wire_name(HVB_FIELD(p10_milli)) + " (" + Json::milli(*r.p10_milli).text + ", not " +
                      wire_name(HVB_FIELD(estimate_milli)) + ")");
    return true;
}


}  // namespace hvb::tools
