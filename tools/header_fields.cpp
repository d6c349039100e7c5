// tools/header_fields.cpp — the header table's rows with their conversions
// (see header_fields.h).
#include "tools/header_fields.h"

#include "tools/field_kinds.h"

namespace hvb::tools {
namespace {

using namespace field_kinds;

// A header row: kind K, HeaderInfo member M.
template <typename K, auto M>
struct HeaderRow {
    static bool from_json(const Json& v, HeaderInfo& h) {
        auto x = K::from_json(v, true);
        if (x) h.*M = *x;
        return x.has_value();
    }
};

// A context row: kind K, HeaderInfo member M, RunInfo member C.
template <typename K, auto M, auto C>
struct ContextRow {
    static void to_context(const HeaderInfo& h, RunInfo& info) {
        if (has(h.*M)) info.*C = value(h.*M);
    }
    static bool is_set(const RunInfo& info) { return has(info.*C); }
    static Json json(const RunInfo& info) { return K::json(value(info.*C)); }
    static bool from_json(const Json& v, RunInfo& info) {
        auto x = K::from_json(v, false);
        if (x) info.*C = *x;
        return x.has_value();
    }
};

// A context row's functions (json: platform or timing), or none (raw).
#define HVB_CONTEXT_FNS_timing(kind_, member) HVB_CONTEXT_FNS_platform(kind_, member)
#define HVB_CONTEXT_FNS_platform(kind_, member)                                                             \
    &ContextRow<kind::kind_, &HeaderInfo::member, &RunInfo::member>::to_context,                            \
        &ContextRow<kind::kind_, &HeaderInfo::member, &RunInfo::member>::is_set,                            \
        &ContextRow<kind::kind_, &HeaderInfo::member, &RunInfo::member>::json,                              \
        &ContextRow<kind::kind_, &HeaderInfo::member, &RunInfo::member>::from_json
#define HVB_CONTEXT_FNS_raw(kind_, member) nullptr, nullptr, nullptr, nullptr

std::vector<HeaderField> make_fields() {
    std::vector<HeaderField> rows;
#define HVB_TOOL_HEADER_ROW(member, kind_, record, sent, need, wire, old, json, ctx_key, unit, kernel)              \
    rows.push_back(HeaderField{#member, HVB_HEADER_NAME(wire), HVB_HEADER_NAME(old), HVB_HEADER_NAME(ctx_key), #json, unit, \
                               std::string_view(#record) == "method", std::string_view(#need) == "req",          \
                               &HeaderRow<kind::kind_, &HeaderInfo::member>::from_json,                          \
                               HVB_CONTEXT_FNS_##json(kind_, member)});
    HVB_HEADER_FIELDS(HVB_TOOL_HEADER_ROW)
#undef HVB_TOOL_HEADER_ROW
    return rows;
}

std::string shown(const Json& v) {
    std::string text = serialize_json(v);
    return text.size() > 60 ? text.substr(0, 60) + "..." : text;
}

}  // namespace

const std::vector<HeaderField>& header_fields() {
    static const std::vector<HeaderField> rows = make_fields();
    return rows;
}

const Json* header_value(const Json& j, const HeaderField& f, const char* key) {
    if (const Json* v = j.get(key)) return v;
    return f.old_key[0] ? j.get(f.old_key) : nullptr;
}

bool read_header_fields(const Json& j, HeaderInfo& h, bool method_only, std::string& missing,
                        std::vector<std::string>& bad) {
    for (const HeaderField& f : header_fields()) {
        if (method_only && !f.method) continue;
        const Json* v = header_value(j, f, f.key);
        if (v && f.from_json(*v, h)) continue;
        if (f.required) {
            if (missing.empty()) missing = f.key;
        } else if (v) {
            bad.push_back(std::string(j.get(f.key) ? f.key : f.old_key) + " (" + shown(*v) + ")");
        }
    }
    return missing.empty();
}

void header_to_context(const HeaderInfo& h, RunInfo& info) {
    for (const HeaderField& f : header_fields())
        if (f.to_context) f.to_context(h, info);
}

void write_context_fields(Json& context, const RunInfo& info, std::string_view place) {
    for (const HeaderField& f : header_fields())
        if (f.context_json && place == f.context_place && (f.required || f.context_is_set(info)))
            context.set(f.context_key, f.context_json(info));
}

void read_context_fields(const Json& context, RunInfo& info) {
    for (const HeaderField& f : header_fields())
        if (f.context_from_json)
            if (const Json* v = header_value(context, f, f.context_key)) f.context_from_json(*v, info);
}

}  // namespace hvb::tools
