// tools/field_kinds.h — the kinds of the field tables (kernel/record_fields.h,
// kernel/header_fields.h) as the tool holds them: each kind's value type and
// how it is written to and read from JSON and CSV, shared by the result
// fields (tools/result_fields.cpp) and the header fields
// (tools/header_fields.cpp).
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "kernel/record.h"
#include "tools/json.h"
#include "tools/result_fields.h"

namespace hvb::tools::field_kinds {

// A JSON number's text as an integer (as Json::get_uint and get_int read it).
template <typename T>
bool whole(const std::string& text, T& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// Each kind of the tables: its value type, and how it is written to and
// read from JSON and CSV.
namespace kind {
struct text {
    using type = std::string;
    static constexpr bool is_text = true;  // free text: neutralised in the CSV
    static Json json(const type& v) { return Json::string_value(v); }
    static std::string csv(const type& v) { return v; }
    static std::optional<type> from_json(const Json& v, bool) {
        if (!v.is(Json::Kind::string)) return std::nullopt;
        return v.text;
    }
    static std::optional<type> from_csv(std::string_view s) { return std::string(s); }
};
// A short word of the header (kernel/header_fields.h): text to the tool.
struct word : text {};
// The kernel's statuses on the wire; the tool's (with "crashed") in files.
struct status : text {
    static std::optional<type> from_json(const Json& v, bool wire) {
        if (!v.is(Json::Kind::string)) return std::nullopt;
        if (wire && !status_from_name(v.text.data(), v.text.size(), nullptr)) return std::nullopt;
        return v.text;
    }
};
// "adaptive" | "fixed".
struct mode : text {
    static constexpr bool is_text = false;
    static std::optional<type> from_json(const Json& v, bool) {
        if (!v.is(Json::Kind::string) || (v.text != "adaptive" && v.text != "fixed")) return std::nullopt;
        return v.text;
    }
};
struct u64 {
    static constexpr bool is_text = false;
    using type = uint64_t;
    static Json json(type v) { return Json::unsigned_integer(v); }
    static std::string csv(type v) { return std::to_string(v); }
    static std::optional<type> from_json(const Json& v, bool) {
        uint64_t out = 0;
        if (!v.is(Json::Kind::number) || v.text.empty() || v.text[0] == '-' || !whole(v.text, out))
            return std::nullopt;
        return out;
    }
    static std::optional<type> from_csv(std::string_view s) {
        uint64_t out = 0;
        if (!parse_uint(s, out)) return std::nullopt;
        return out;
    }
};
struct u32 {
    static constexpr bool is_text = false;
    using type = uint32_t;
    static Json json(type v) { return Json::unsigned_integer(v); }
    static std::string csv(type v) { return std::to_string(v); }
    static std::optional<type> from_json(const Json& v, bool wire) {
        auto n = u64::from_json(v, wire);
        if (!n || *n > UINT32_MAX) return std::nullopt;
        return uint32_t(*n);
    }
    static std::optional<type> from_csv(std::string_view s) {
        auto n = u64::from_csv(s);
        if (!n || *n > UINT32_MAX) return std::nullopt;
        return uint32_t(*n);
    }
};
struct i64 {
    static constexpr bool is_text = false;
    using type = int64_t;
    static Json json(type v) { return Json::integer(v); }
    static std::string csv(type v) { return std::to_string(v); }
    static std::optional<type> from_json(const Json& v, bool) {
        int64_t out = 0;
        if (!v.is(Json::Kind::number) || !whole(v.text, out)) return std::nullopt;
        return out;
    }
    static std::optional<type> from_csv(std::string_view s) {
        int64_t out = 0;
        if (!parse_int(s, out)) return std::nullopt;
        return out;
    }
};
struct milli {
    static constexpr bool is_text = false;
    using type = int64_t;
    static Json json(type v) { return Json::milli(v); }
    static std::string csv(type v) { return Json::milli(v).text; }
    static std::optional<type> from_json(const Json& v, bool) {
        if (!v.is(Json::Kind::number)) return std::nullopt;
        return parse_milli(v.text);
    }
    static std::optional<type> from_csv(std::string_view s) { return parse_milli(s); }
};
struct flag {
    static constexpr bool is_text = false;
    using type = bool;
    static Json json(type v) { return Json::boolean_value(v); }
    static std::string csv(type v) { return v ? "true" : "false"; }
    static std::optional<type> from_json(const Json& v, bool) {
        if (!v.is(Json::Kind::boolean)) return std::nullopt;
        return v.boolean;
    }
    static std::optional<type> from_csv(std::string_view s) {
        if (s != "true" && s != "false") return std::nullopt;
        return s == "true";
    }
};
}  // namespace kind

// A member's value whether it is a plain value or an optional ("" is an
// unset string).
template <typename T>
bool has(const T&) { return true; }
template <typename T>
bool has(const std::optional<T>& v) { return v.has_value(); }
inline bool has(const std::string& v) { return !v.empty(); }
template <typename T>
const T& value(const T& v) { return v; }
template <typename T>
const T& value(const std::optional<T>& v) { return *v; }

}  // namespace hvb::tools::field_kinds
