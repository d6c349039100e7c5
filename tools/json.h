// tools/json.h — a small, strict JSON reader for the result stream (one
// object per line). Host-only: it uses the standard library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hvb::tools {

struct Json {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool boolean = false;
    std::string text;  // string value, or a number's literal text (exact)
    std::vector<Json> items;
    std::vector<std::pair<std::string, Json>> members;

    // Declared here and defaulted in json.cpp: left implicit, clang with
    // libstdc++ in C++20 mode instantiates the member vectors' (constexpr)
    // destructors while Json is still incomplete and rejects the header
    // (the fuzz targets, tests/fuzz, are built with clang).
    Json();
    Json(const Json&);
    Json(Json&&) noexcept;
    Json& operator=(const Json&);
    Json& operator=(Json&&) noexcept;
    ~Json();

    const Json* get(std::string_view key) const;  // object member or nullptr
    bool is(Kind k) const { return kind == k; }
    // Typed accessors for object members: nullopt when missing or of
    // another type (or, for integers, not an integer in range).
    std::optional<std::string> get_string(std::string_view key) const;
    std::optional<int64_t> get_int(std::string_view key) const;
    std::optional<uint64_t> get_uint(std::string_view key) const;
    std::optional<bool> get_bool(std::string_view key) const;
    // Fixed-point number in thousandths ("12.345" -> 12345): the kernel's
    // cycle figures. nullopt for non-numbers or more than 3 decimals.
    std::optional<int64_t> get_milli(std::string_view key) const;
    // A number member as a double (any JSON number); nullopt otherwise.
    std::optional<double> get_double(std::string_view key) const;

    // Builders, for writing documents (serialize_json below).
    static Json string_value(std::string_view s);
    static Json number_literal(std::string_view literal);  // must be a valid JSON number
    static Json integer(int64_t v);
    static Json unsigned_integer(uint64_t v);
    static Json milli(int64_t thousandths);  // 12345 -> 12.345
    static Json real(double v, int decimals);  // fixed notation; non-finite -> null
    static Json boolean_value(bool b);
    static Json object();
    static Json array();
    // Appends (or replaces) an object member; returns *this for chaining.
    Json& set(std::string key, Json value);
    Json& push(Json value);  // appends an array item
};

// Parses exactly one JSON value (surrounding whitespace allowed). On error
// returns nullopt and sets *error to a message with the byte offset.
std::optional<Json> parse_json(std::string_view text, std::string* error);

// Writes `value` as JSON text. indent < 0: one line, no spaces; otherwise
// pretty-printed with that many spaces per level. Strings are escaped to
// 7-bit ASCII (\uXXXX, with surrogate pairs, for anything else), so the output
// parses back to the same tree (invalid UTF-8 bytes become U+FFFD).
std::string serialize_json(const Json& value, int indent = -1);
// Appends `value` as serialize_json writes it at nesting level `depth` of a
// document indented by `indent`: a caller can write a long array one element
// at a time instead of building it whole.
void append_json(std::string& out, const Json& value, int indent, int depth);
// A JSON string literal (with the quotes) for `s`.
std::string json_quote(std::string_view s);

// Parses a decimal literal with at most three fractional digits into
// thousandths. Rejects exponents, overflow and malformed text.
std::optional<int64_t> parse_milli(std::string_view literal);

}  // namespace hvb::tools
