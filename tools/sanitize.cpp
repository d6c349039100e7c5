// tools/sanitize.cpp — terminal and CSV-safe text (see sanitize.h).
#include "tools/sanitize.h"

#include <cstdio>
#include <cstring>

namespace hvb::tools {
namespace {

// Length of the valid UTF-8 sequence at s[i] (1..4), 0 if there is none.
// C1 controls (U+0080..U+009F) count as invalid: terminals obey them.
size_t utf8_length(std::string_view s, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    if (c < 0x80) return 1;
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((b(i + k) & 0xC0) != 0x80) return 0;
    if (c == 0xC2 && b(i + 1) < 0xA0) return 0;    // C1 control
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;    // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;   // surrogate
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;    // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;   // above U+10FFFF
    return n;
}

std::string escaped(std::string_view s, bool keep_newline) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        bool keep = (c == '\n' && keep_newline) || c == '\t' || (c >= 0x20 && c != 0x7F);
        size_t n = c < 0x80 ? (keep ? 1 : 0) : utf8_length(s, i);
        if (n == 0) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

bool formula_start(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

}  // namespace

std::string terminal_safe(std::string_view s) { return escaped(s, true); }

std::string csv_text_cell(std::string_view s) {
    std::string out = escaped(s, true);
    if (!out.empty() && formula_start(out[0])) out.insert(out.begin(), '\'');
    return out;
}

std::string csv_text_value(std::string_view cell) {
    if (cell.size() >= 2 && cell[0] == '\'' && formula_start(cell[1])) cell.remove_prefix(1);
    return std::string(cell);
}

std::string xml_text(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        // U+FFFE and U+FFFF are valid UTF-8 but no XML character.
        auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
        if (i + 2 < s.size() && b(i) == 0xEF && b(i + 1) == 0xBF && (b(i + 2) == 0xBE || b(i + 2) == 0xBF)) {
            out += b(i + 2) == 0xBE ? "\\xef\\xbf\\xbe" : "\\xef\\xbf\\xbf";
            i += 2;
            continue;
        }
        out += s[i];
    }
    std::string e = escaped(out, true), x;
    x.reserve(e.size());
    for (char c : e) {
        switch (c) {
            case '&': x += "&amp;"; break;
            case '<': x += "&lt;"; break;
            case '>': x += "&gt;"; break;
            case '"': x += "&quot;"; break;
            case '\'': x += "&apos;"; break;
            default: x += c;
        }
    }
    return x;
}

std::string shell_quoted(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        bool bare = !a.empty(), plain = true;
        for (char ch : a) {
            unsigned char c = static_cast<unsigned char>(ch);
            bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        (c != 0 && std::strchr("_./:=,+%@-", c) != nullptr);
            bare = bare && word;
            plain = plain && c >= 0x20 && c < 0x7F;
        }
        if (bare) {
            out += a;
        } else if (plain) {
            out += '\'';
            for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
            out += '\'';
        } else {
            out += "$'";
            for (char ch : a) {
                unsigned char c = static_cast<unsigned char>(ch);
                if (c == '\'' || c == '\\') {
                    out += '\\';
                    out += ch;
                } else if (c >= 0x20 && c < 0x7F) {
                    out += ch;
                } else {
                    char buf[8];
                    snprintf(buf, sizeof buf, "\\x%02x", c);
                    out += buf;
                }
            }
            out += '\'';
        }
    }
    return out;
}

}  // namespace hvb::tools
