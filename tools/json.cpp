// tools/json.cpp — recursive-descent JSON parser (RFC 8259), depth-limited.
#include "tools/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace hvb::tools {

Json::Json() = default;
Json::Json(const Json&) = default;
Json::Json(Json&&) noexcept = default;
Json& Json::operator=(const Json&) = default;
Json& Json::operator=(Json&&) noexcept = default;
Json::~Json() = default;

namespace {

constexpr int kMaxDepth = 32;

class Parser {
public:
    explicit Parser(std::string_view s) : s_(s) {}

    std::optional<Json> document(std::string* error) {
        skip_ws();
        Json v;
        if (!value(v, 0)) return fail(error);
        skip_ws();
        if (pos_ != s_.size()) {
            err_ = "trailing characters";
            return fail(error);
        }
        return v;
    }

private:
    std::optional<Json> fail(std::string* error) {
        if (error) *error = err_ + " at byte " + std::to_string(pos_);
        return std::nullopt;
    }
    bool error(const char* what) {
        if (err_.empty()) err_ = what;
        return false;
    }
    void skip_ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n'))
            ++pos_;
    }
    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return error("invalid literal");
        pos_ += word.size();
        return true;
    }

    bool value(Json& out, int depth) {
        if (depth > kMaxDepth) return error("nesting too deep");
        if (pos_ >= s_.size()) return error("unexpected end");
        char c = s_[pos_];
        switch (c) {
            case '{': return object(out, depth);
            case '[': return array(out, depth);
            case '"': out.kind = Json::Kind::string; return string(out.text);
            case 't': out.kind = Json::Kind::boolean; out.boolean = true; return literal("true");
            case 'f': out.kind = Json::Kind::boolean; out.boolean = false; return literal("false");
            case 'n': out.kind = Json::Kind::null; return literal("null");
            default: return number(out);
        }
    }

    bool object(Json& out, int depth) {
        out.kind = Json::Kind::object;
        ++pos_;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return true; }
        for (;;) {
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != '"') return error("expected member name");
            std::string key;
            if (!string(key)) return false;
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != ':') return error("expected ':'");
            ++pos_;
            skip_ws();
            Json v;
            if (!value(v, depth + 1)) return false;
            out.members.emplace_back(std::move(key), std::move(v));
            skip_ws();
            if (pos_ >= s_.size()) return error("unterminated object");
            if (s_[pos_] == ',') { ++pos_; continue; }
            if (s_[pos_] == '}') { ++pos_; return true; }
            return error("expected ',' or '}'");
        }
    }

    bool array(Json& out, int depth) {
        out.kind = Json::Kind::array;
        ++pos_;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return true; }
        for (;;) {
            skip_ws();
            Json v;
            if (!value(v, depth + 1)) return false;
            out.items.push_back(std::move(v));
            skip_ws();
            if (pos_ >= s_.size()) return error("unterminated array");
            if (s_[pos_] == ',') { ++pos_; continue; }
            if (s_[pos_] == ']') { ++pos_; return true; }
            return error("expected ',' or ']'");
        }
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool hex4(uint32_t& cp) {
        if (pos_ + 4 > s_.size()) return error("short \\u escape");
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            int h = hex(s_[pos_ + i]);
            if (h < 0) return error("bad \\u escape");
            cp = cp * 16 + uint32_t(h);
        }
        pos_ += 4;
        return true;
    }

    void put_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    bool string(std::string& out) {
        ++pos_;  // opening quote
        for (;;) {
            if (pos_ >= s_.size()) return error("unterminated string");
            char c = s_[pos_++];
            if (c == '"') return true;
            if (static_cast<unsigned char>(c) < 0x20) return error("control character in string");
            if (c != '\\') { out += c; continue; }
            if (pos_ >= s_.size()) return error("unterminated escape");
            char e = s_[pos_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    uint32_t cp = 0;
                    if (!hex4(cp)) return false;
                    // A high surrogate followed by an escaped low one is one
                    // code point; a lone surrogate is kept as it is.
                    if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
                        size_t save = pos_;
                        pos_ += 2;
                        uint32_t low = 0;
                        if (!hex4(low)) return false;
                        if (low >= 0xDC00 && low < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        else pos_ = save;
                    }
                    put_utf8(out, cp);
                    break;
                }
                default: return error("bad escape");
            }
        }
    }

    bool number(Json& out) {
        size_t start = pos_;
        if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
        size_t digits = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        if (pos_ == digits) return error("expected a value");
        if (s_[digits] == '0' && pos_ - digits > 1) return error("leading zero");
        if (pos_ < s_.size() && s_[pos_] == '.') {
            size_t frac = ++pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            if (pos_ == frac) return error("digits expected after '.'");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            size_t exp = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            if (pos_ == exp) return error("digits expected in exponent");
        }
        out.kind = Json::Kind::number;
        out.text = std::string(s_.substr(start, pos_ - start));
        return true;
    }

    std::string_view s_;
    size_t pos_ = 0;
    std::string err_;
};

}  // namespace

const Json* Json::get(std::string_view key) const {
    if (kind != Kind::object) return nullptr;
    for (const auto& [k, v] : members)
        if (k == key) return &v;
    return nullptr;
}

std::optional<std::string> Json::get_string(std::string_view key) const {
    const Json* v = get(key);
    if (!v || v->kind != Kind::string) return std::nullopt;
    return v->text;
}

std::optional<int64_t> Json::get_int(std::string_view key) const {
    const Json* v = get(key);
    if (!v || v->kind != Kind::number) return std::nullopt;
    int64_t out = 0;
    auto [end, ec] = std::from_chars(v->text.data(), v->text.data() + v->text.size(), out);
    if (ec != std::errc() || end != v->text.data() + v->text.size()) return std::nullopt;
    return out;
}

std::optional<uint64_t> Json::get_uint(std::string_view key) const {
    const Json* v = get(key);
    if (!v || v->kind != Kind::number || v->text.empty() || v->text[0] == '-') return std::nullopt;
    uint64_t out = 0;
    auto [end, ec] = std::from_chars(v->text.data(), v->text.data() + v->text.size(), out);
    if (ec != std::errc() || end != v->text.data() + v->text.size()) return std::nullopt;
    return out;
}

std::optional<bool> Json::get_bool(std::string_view key) const {
    const Json* v = get(key);
    if (!v || v->kind != Kind::boolean) return std::nullopt;
    return v->boolean;
}

std::optional<int64_t> Json::get_milli(std::string_view key) const {
    const Json* v = get(key);
    if (!v || v->kind != Kind::number) return std::nullopt;
    return parse_milli(v->text);
}

std::optional<double> Json::get_double(std::string_view key) const {
    const Json* v = get(key);
    if (!v || v->kind != Kind::number) return std::nullopt;
    double out = 0;
    auto [end, ec] = std::from_chars(v->text.data(), v->text.data() + v->text.size(), out);
    if (ec != std::errc() || end != v->text.data() + v->text.size()) return std::nullopt;
    return out;
}

Json Json::string_value(std::string_view s) {
    Json j;
    j.kind = Kind::string;
    j.text = std::string(s);
    return j;
}

Json Json::number_literal(std::string_view literal) {
    Json j;
    j.kind = Kind::number;
    j.text = std::string(literal);
    return j;
}

Json Json::integer(int64_t v) { return number_literal(std::to_string(v)); }
Json Json::unsigned_integer(uint64_t v) { return number_literal(std::to_string(v)); }

Json Json::milli(int64_t thousandths) {
    // Same text as the kernel's format_milli: sign, whole part, three decimals.
    uint64_t mag = thousandths < 0 ? uint64_t(0) - uint64_t(thousandths) : uint64_t(thousandths);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%llu.%03u", thousandths < 0 ? "-" : "", static_cast<unsigned long long>(mag / 1000),
                  unsigned(mag % 1000));
    return number_literal(buf);
}

Json Json::real(double v, int decimals) {
    if (!std::isfinite(v)) return Json();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals < 0 ? 0 : decimals > 17 ? 17 : decimals, v);
    std::string text = buf;
    // "-0.000" is zero: drop the sign.
    if (text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
    return number_literal(text);
}

Json Json::boolean_value(bool b) {
    Json j;
    j.kind = Kind::boolean;
    j.boolean = b;
    return j;
}

Json Json::object() {
    Json j;
    j.kind = Kind::object;
    return j;
}

Json Json::array() {
    Json j;
    j.kind = Kind::array;
    return j;
}

Json& Json::set(std::string key, Json value) {
    kind = Kind::object;
    for (auto& [k, v] : members)
        if (k == key) {
            v = std::move(value);
            return *this;
        }
    members.emplace_back(std::move(key), std::move(value));
    return *this;
}

Json& Json::push(Json value) {
    kind = Kind::array;
    items.push_back(std::move(value));
    return *this;
}

namespace {

// Decodes one UTF-8 sequence at s[i]; returns U+FFFD (consuming one byte) for
// anything malformed: stray continuation bytes, overlongs, surrogates, > U+10FFFF.
uint32_t next_code_point(std::string_view s, size_t& i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 1) {
        ++i;
        return c;
    }
    if (len == 0 || i + len > s.size()) {
        ++i;
        return 0xFFFD;
    }
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
        ++i;
        return 0xFFFD;
    }
    i += len;
    return cp;
}

void append_u(std::string& out, uint32_t unit) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(unit));
    out += buf;
}

void write_value(std::string& out, const Json& v, int indent, int depth) {
    auto newline = [&](int d) {
        if (indent < 0) return;
        out += '\n';
        out.append(size_t(indent) * size_t(d), ' ');
    };
    switch (v.kind) {
        case Json::Kind::null: out += "null"; break;
        case Json::Kind::boolean: out += v.boolean ? "true" : "false"; break;
        case Json::Kind::number: out += v.text.empty() ? "0" : v.text; break;
        case Json::Kind::string: out += json_quote(v.text); break;
        case Json::Kind::array:
            if (v.items.empty()) {
                out += "[]";
                break;
            }
            out += '[';
            for (size_t i = 0; i < v.items.size(); ++i) {
                if (i) out += ',';
                newline(depth + 1);
                write_value(out, v.items[i], indent, depth + 1);
            }
            newline(depth);
            out += ']';
            break;
        case Json::Kind::object:
            if (v.members.empty()) {
                out += "{}";
                break;
            }
            out += '{';
            for (size_t i = 0; i < v.members.size(); ++i) {
                if (i) out += ',';
                newline(depth + 1);
                out += json_quote(v.members[i].first);
                out += indent < 0 ? ":" : ": ";
                write_value(out, v.members[i].second, indent, depth + 1);
            }
            newline(depth);
            out += '}';
            break;
    }
}

}  // namespace

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    size_t i = 0;
    while (i < s.size()) {
        uint32_t cp = next_code_point(s, i);
        switch (cp) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            default: break;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            out += char(cp);
        } else if (cp < 0x10000) {
            append_u(out, cp);
        } else {
            cp -= 0x10000;
            append_u(out, 0xD800 + (cp >> 10));
            append_u(out, 0xDC00 + (cp & 0x3FF));
        }
    }
    out += '"';
    return out;
}

std::string serialize_json(const Json& value, int indent) {
    std::string out;
    write_value(out, value, indent, 0);
    return out;
}

void append_json(std::string& out, const Json& value, int indent, int depth) { write_value(out, value, indent, depth); }

std::optional<int64_t> parse_milli(std::string_view s) {
    bool negative = !s.empty() && s[0] == '-';
    if (negative) s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    if (whole.empty() || frac.size() > 3 || (dot != std::string_view::npos && frac.empty())) return std::nullopt;
    // Accumulate as a negative number so INT64_MIN round-trips.
    int64_t value = 0;
    auto accumulate = [&value](char c) {
        if (c < '0' || c > '9') return false;
        return !__builtin_mul_overflow(value, 10, &value) && !__builtin_sub_overflow(value, c - '0', &value);
    };
    for (char c : whole)
        if (!accumulate(c)) return std::nullopt;
    for (size_t i = 0; i < 3; ++i)
        if (!accumulate(i < frac.size() ? frac[i] : '0')) return std::nullopt;
    if (negative) return value;
    if (value == INT64_MIN) return std::nullopt;
    return -value;
}

std::optional<Json> parse_json(std::string_view text, std::string* error) {
    return Parser(text).document(error);
}

}  // namespace hvb::tools
