// tools/results_csv.cpp — the results CSV (RFC 4180; see results.h):
// written, parsed and read back.
#include <algorithm>
#include <unordered_map>

#include "tools/results.h"
#include "tools/sanitize.h"

namespace hvb::tools {
namespace {

std::string params_text(const std::vector<std::pair<std::string, uint64_t>>& params) {
    std::string s;
    for (const auto& [k, v] : params) s += (s.empty() ? "" : ";") + k + "=" + std::to_string(v);
    return s;
}

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

// Where a numeric field of kernel/record_fields.h has its CSV column.
enum class CsvAt { csv_none, csv_after_noisy, csv_end };
constexpr bool has_column(CsvAt at) { return at != CsvAt::csv_none; }

// The names of the numeric fields whose column is at `at`, in table order.
void add_number_columns(std::vector<std::string>& columns, CsvAt at) {
#define HVB_CSV_COLUMN(name, type, sent, json_at, csv_at) \
    if (at == CsvAt::csv_at) columns.push_back(#name);
    HVB_RESULT_NUMBERS(HVB_CSV_COLUMN)
#undef HVB_CSV_COLUMN
}

// Their cells for r, "" when unset.
void add_number_cells(std::vector<std::string>& row, const ResultNumbers& r, CsvAt at) {
#define HVB_CSV_CELL(name, type, sent, json_at, csv_at) \
    if (at == CsvAt::csv_at) row.push_back(r.name ? std::to_string(*r.name) : "");
    HVB_RESULT_NUMBERS(HVB_CSV_CELL)
#undef HVB_CSV_CELL
}

// The CSV's columns, in order: the first fixed ones, numeric fields placed
// after "noisy", the later fixed ones, numeric fields placed at the end.
const std::vector<std::string> kCsvColumns = [] {
    std::vector<std::string> c = {
        "name", "category", "status", "iterations", "repetitions", "cycles_median", "cycles_mad", "cycles_min",
        "cycles_mean", "control_median", "time_ns", "timer", "vm", "external_samples", "external_cycles_median",
        "external_cycles_mad", "external_cycles_min", "external_cycles_mean", "external_control_median", "params",
        "reason", "ci_low", "ci_high", "noisy"};
    add_number_columns(c, CsvAt::csv_after_noisy);
    for (const char* name : {"cycles_estimate", "estimate_low", "estimate_high", "cycles_p50", "cycles_p90", "noisy_cause"})
        c.push_back(name);
    add_number_columns(c, CsvAt::csv_end);
    return c;
}();

std::string opt_milli_text(const std::optional<int64_t>& v) { return v ? Json::milli(*v).text : ""; }

// Columns whose text comes from the guest or the user, not from the tool's
// number formatting: neutralised on writing (tools/sanitize.h).
bool is_text_column(const std::string& column) {
    for (const char* c : {"name", "category", "status", "timer", "params", "reason"})
        if (column == c) return true;
    return false;
}

}  // namespace

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos && (s.empty() || (s.front() != ' ' && s.back() != ' ')))
        return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string write_results_csv(const std::vector<BenchResult>& results, uint64_t tsc_hz) {
    std::string out;
    for (size_t i = 0; i < kCsvColumns.size(); ++i) {
        if (i) out += ',';
        out += kCsvColumns[i];
    }
    out += "\r\n";
    for (const auto& r : results) {
        const ExternalStats* e = r.external ? &*r.external : nullptr;
        std::vector<std::string> row = {
            r.name, r.category, r.status, std::to_string(r.iterations), std::to_string(r.repetitions),
            milli_text(r.median_milli), milli_text(r.mad_milli), milli_text(r.min_milli), milli_text(r.mean_milli),
            milli_text(r.control_median_milli),
            (r.tsc_hz ? r.tsc_hz : tsc_hz) ? Json::real(milli_cycles_to_ns(r.headline_milli(), r.tsc_hz ? r.tsc_hz : tsc_hz), 3).text : "",
            r.timer,
            std::to_string(r.vm), e ? std::to_string(e->samples) : "", e ? milli_text(e->median_milli) : "",
            e ? milli_text(e->mad_milli) : "", e ? milli_text(e->min_milli) : "", e ? milli_text(e->mean_milli) : "",
            e ? milli_text(e->control_median_milli) : "", params_text(r.params), r.reason,
            opt_milli_text(r.ci_low_milli), opt_milli_text(r.ci_high_milli),
            r.noisy ? (*r.noisy ? "true" : "false") : ""};
        add_number_cells(row, r, CsvAt::csv_after_noisy);
        for (const std::string& cell : {opt_milli_text(r.estimate_milli), opt_milli_text(r.estimate_low_milli),
                                        opt_milli_text(r.estimate_high_milli), opt_milli_text(r.p50_milli),
                                        opt_milli_text(r.p90_milli), r.noisy_cause})
            row.push_back(cell);
        add_number_cells(row, r, CsvAt::csv_end);
        for (size_t i = 0; i < row.size(); ++i) {
            if (i) out += ',';
            // Text from the guest (names, reasons, ...) is neutralised; the
            // figures are the tool's own and stay numbers.
            out += csv_field(is_text_column(kCsvColumns[i]) ? csv_text_cell(row[i]) : row[i]);
        }
        out += "\r\n";
    }
    return out;
}

std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, std::string* error,
                                                             CsvLayout* layout) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, was_quoted = false, any = false;
    size_t line = 1, row_line = 1;
    auto end_field = [&] {
        row.push_back(std::move(field));
        field.clear();
        was_quoted = false;
    };
    auto end_row = [&] {
        end_field();
        rows.push_back(std::move(row));
        row.clear();
        if (layout) layout->row_lines.push_back(row_line);
    };
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        any = true;
        if (c == '"') {
            if (!field.empty() || was_quoted) {
                if (error) *error = "line " + std::to_string(line) + ": stray quote";
                return std::nullopt;
            }
            quoted = was_quoted = true;
        } else if (c == ',') {
            end_field();
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            end_row();
            any = false;
            row_line = ++line;
        } else {
            if (was_quoted) {
                if (error) *error = "line " + std::to_string(line) + ": text after a closing quote";
                return std::nullopt;
            }
            field += c;
        }
    }
    if (quoted) {
        if (error) *error = "line " + std::to_string(row_line) + ": unterminated quoted field (the file was cut short?)";
        return std::nullopt;
    }
    if (any || !field.empty() || !row.empty()) {
        end_row();
        if (layout) layout->last_row_unterminated = true;
    }
    return rows;
}

namespace {

// One CSV row's cells by column name; text columns turned back from their
// neutralised form (tools/sanitize.h). "" for a column the file lacks.
struct CsvRow {
    const std::vector<std::string>& head;
    const std::vector<std::string>& cells;
    std::string get(const char* name) const {
        std::string v;
        for (size_t i = 0; i < head.size() && i < cells.size(); ++i)
            if (head[i] == name) {
                v = cells[i];
                break;
            }
        return is_text_column(name) ? csv_text_value(v) : v;
    }
};

bool parse_int(std::string_view s, int64_t& out) {
    bool negative = !s.empty() && s.front() == '-';
    uint64_t magnitude = 0;
    if (!parse_uint(negative ? s.substr(1) : s, magnitude)) return false;
    if (magnitude > (negative ? uint64_t(INT64_MAX) + 1 : uint64_t(INT64_MAX))) return false;
    out = negative ? int64_t(0 - magnitude) : int64_t(magnitude);
    return true;
}
// A numeric field of kernel/record_fields.h, by its type.
bool parse_number(std::string_view s, std::optional<uint64_t>& out) {
    uint64_t v = 0;
    if (!parse_uint(s, v)) return false;
    out = v;
    return true;
}
bool parse_number(std::string_view s, std::optional<int64_t>& out) {
    int64_t v = 0;
    if (!parse_int(s, v)) return false;
    out = v;
    return true;
}

// Each read_csv_* step reads some of a row's cells into r; on a bad cell it
// returns false with `bad` naming it. An empty cell leaves a field as it is.
bool read_csv_counts(const CsvRow& c, BenchResult& r, std::string& bad) {
    uint64_t u = 0;
    if (!c.get("iterations").empty()) {
        if (!parse_uint(c.get("iterations"), u)) return bad = "iterations", false;
        r.iterations = u;
    }
    if (!c.get("repetitions").empty()) {
        if (!parse_uint(c.get("repetitions"), u)) return bad = "repetitions", false;
        r.repetitions = uint32_t(u);
    }
    if (!c.get("vm").empty()) {
        if (!parse_uint(c.get("vm"), u)) return bad = "vm", false;
        r.vm = unsigned(u);
    }
    return true;
}

bool csv_milli(const CsvRow& c, const char* name, int64_t& out) {
    std::string s = c.get(name);
    if (s.empty()) return true;
    auto m = parse_milli(s);
    if (!m) return false;
    out = *m;
    return true;
}

// The guest's cost figures and, with --timing external, the host's.
bool read_csv_figures(const CsvRow& c, BenchResult& r, std::string& bad) {
    if (!csv_milli(c, "cycles_median", r.median_milli) || !csv_milli(c, "cycles_mad", r.mad_milli) ||
        !csv_milli(c, "cycles_min", r.min_milli) || !csv_milli(c, "cycles_mean", r.mean_milli) ||
        !csv_milli(c, "control_median", r.control_median_milli))
        return bad = "cycle figure", false;
    if (c.get("external_cycles_median").empty()) return true;
    ExternalStats e;
    uint64_t u = 0;
    if (!parse_uint(c.get("external_samples"), u)) return bad = "external_samples", false;
    e.samples = uint32_t(u);
    if (!csv_milli(c, "external_cycles_median", e.median_milli) || !csv_milli(c, "external_cycles_mad", e.mad_milli) ||
        !csv_milli(c, "external_cycles_min", e.min_milli) || !csv_milli(c, "external_cycles_mean", e.mean_milli) ||
        !csv_milli(c, "external_control_median", e.control_median_milli))
        return bad = "external figure", false;
    r.external = e;
    return true;
}

// Columns of newer runs (a file without them reads as before).
bool read_csv_quality(const CsvRow& c, BenchResult& r, std::string& bad) {
    for (auto [name, out_v] : {std::pair{"ci_low", &r.ci_low_milli}, std::pair{"ci_high", &r.ci_high_milli},
                               std::pair{"cycles_estimate", &r.estimate_milli},
                               std::pair{"estimate_low", &r.estimate_low_milli},
                               std::pair{"estimate_high", &r.estimate_high_milli},
                               std::pair{"cycles_p50", &r.p50_milli}, std::pair{"cycles_p90", &r.p90_milli}}) {
        std::string v = c.get(name);
        if (v.empty()) continue;
        auto m = parse_milli(v);
        if (!m) return bad = name, false;
        *out_v = *m;
    }
    if (r.ci_low_milli.has_value() != r.ci_high_milli.has_value())
        return bad = "ci_low/ci_high (one without the other)", false;
    if (std::string v = c.get("noisy"); !v.empty()) {
        if (v != "true" && v != "false") return bad = "noisy", false;
        r.noisy = v == "true";
    }
#define HVB_CSV_READ(name, type, sent, json_at, csv_at)                                      \
    if (has_column(CsvAt::csv_at))                                                           \
        if (std::string v = c.get(#name); !v.empty() && !parse_number(v, r.name)) return bad = #name, false;
    HVB_RESULT_NUMBERS(HVB_CSV_READ)
#undef HVB_CSV_READ
    r.noisy_cause = c.get("noisy_cause");
    return true;
}

// "name=value;name=value".
bool read_csv_params(const CsvRow& c, BenchResult& r, std::string& bad) {
    std::string params = c.get("params");
    size_t pos = 0;
    uint64_t u = 0;
    while (pos < params.size()) {
        size_t semi = params.find(';', pos);
        std::string item = params.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
        size_t eq = item.find('=');
        if (eq == std::string::npos || !parse_uint(item.substr(eq + 1), u)) return bad = "params", false;
        r.params.emplace_back(item.substr(0, eq), u);
        if (semi == std::string::npos) break;
        pos = semi + 1;
    }
    return true;
}

}  // namespace

std::optional<std::vector<BenchResult>> read_results_csv(std::string_view text, std::string* error) {
    CsvLayout layout;
    auto rows = parse_csv(text, error, &layout);
    if (!rows) return std::nullopt;
    if (rows->empty()) {
        if (error) *error = "empty CSV";
        return std::nullopt;
    }
    const auto& head = rows->front();
    auto has = [&](const std::string& name) { return std::find(head.begin(), head.end(), name) != head.end(); };
    if (!has("name") || !has("cycles_median")) {
        if (error) *error = "CSV header lacks name or cycles_median";
        return std::nullopt;
    }
    std::vector<BenchResult> out;
    std::unordered_map<std::string, size_t> first_line;  // name -> its row's line
    for (size_t n = 1; n < rows->size(); ++n) {
        const auto& row = (*rows)[n];
        size_t line = layout.row_lines[n];
        auto fail = [&](const std::string& what) {
            if (error) *error = "line " + std::to_string(line) + ": " + what;
            return std::nullopt;
        };
        if (row.size() == 1 && row[0].empty()) continue;  // blank line
        // A row cut short (a copy stopped mid-file) is an error, never a row
        // of zeros: every row has the header's fields and its line end.
        if (row.size() != head.size())
            return fail(std::to_string(row.size()) + " fields where the header has " + std::to_string(head.size()) +
                        (row.size() < head.size() ? ": the row is cut short" : ""));
        if (n + 1 == rows->size() && layout.last_row_unterminated)
            return fail("the last row has no line end: the file was cut short");
        CsvRow c{head, row};
        BenchResult r;
        r.name = c.get("name");
        if (auto [it, fresh] = first_line.try_emplace(r.name, line); !fresh)
            return fail("a second row for " + r.name + " (the first is on line " + std::to_string(it->second) + ")");
        r.category = c.get("category");
        r.status = c.get("status");
        if (r.status.empty()) r.status = "ok";
        r.reason = c.get("reason");
        r.timer = c.get("timer");
        std::string bad;
        if (!read_csv_counts(c, r, bad) || !read_csv_figures(c, r, bad) || !read_csv_quality(c, r, bad) ||
            !read_csv_params(c, r, bad))
            return fail("bad " + bad);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace hvb::tools
