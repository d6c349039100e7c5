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
};

// Parses exactly one JSON value (surrounding whitespace allowed). On error
// returns nullopt and sets *error to a message with the byte offset.
std::optional<Json> parse_json(std::string_view text, std::string* error);

// Parses a decimal literal with at most three fractional digits into
// thousandths. Rejects exponents, overflow and malformed text.
std::optional<int64_t> parse_milli(std::string_view literal);

}  // namespace hvb::tools
