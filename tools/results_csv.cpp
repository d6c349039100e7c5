// tools/results_csv.cpp — the results CSV (RFC 4180; see results.h):
// written, parsed and read back.
#include <algorithm>
#include <unordered_map>

#include "tools/result_fields.h"
#include "tools/results.h"
#include "tools/sanitize.h"

namespace hvb::tools {
namespace {

// The CSV's columns, in order: the table's (kernel/record_fields.h, by
// csv_pos) and, after its columns 10 and 12, the tool's own: time_ns (the
// headline in ns), the host's external figures and params.
enum class Own { none, time_ns, external_samples, external_median, external_mad, external_min, external_mean,
                 external_control, params };
struct Column {
    const char* name;
    const ResultField* field;  // null: one of the tool's own
    Own own;
    bool text;  // from the guest or the user: neutralised (tools/sanitize.h)
};
constexpr int kTimeAfter = 10, kOwnAfter = 12;

const std::vector<Column>& columns() {
    static const std::vector<Column> cols = [] {
        std::vector<Column> c;
        for (const ResultField* f : csv_fields()) {
            c.push_back(Column{f->csv, f, Own::none, f->text});
            if (f->csv_pos == kTimeAfter) c.push_back(Column{"time_ns", nullptr, Own::time_ns, false});
            if (f->csv_pos == kOwnAfter) {
                for (auto [name, own] :
                     {std::pair{"external_samples", Own::external_samples},
                      std::pair{"external_cycles_median", Own::external_median},
                      std::pair{"external_cycles_mad", Own::external_mad},
                      std::pair{"external_cycles_min", Own::external_min},
                      std::pair{"external_cycles_mean", Own::external_mean},
                      std::pair{"external_control_median", Own::external_control}})
                    c.push_back(Column{name, nullptr, own, false});
                c.push_back(Column{"params", nullptr, Own::params, true});
            }
        }
        return c;
    }();
    return cols;
}

const char* column_name(Own own) {
    for (const Column& c : columns())
        if (c.own == own) return c.name;
    return "";
}

// A tool's own cell for r; timer_hz: the run's guest timer rate.
std::string own_cell(Own own, const BenchResult& r, uint64_t timer_hz) {
    const ExternalStats* e = r.external ? &*r.external : nullptr;
    uint64_t hz = r.timer_hz ? r.timer_hz : timer_hz;
    switch (own) {
    case Own::time_ns: return hz ? Json::real(milli_cycles_to_ns(r.headline_milli(), hz), 3).text : "";
    case Own::external_samples: return e ? std::to_string(e->samples) : "";
    case Own::external_median: return e ? milli_text(e->median_milli) : "";
    case Own::external_mad: return e ? milli_text(e->mad_milli) : "";
    case Own::external_min: return e ? milli_text(e->min_milli) : "";
    case Own::external_mean: return e ? milli_text(e->mean_milli) : "";
    case Own::external_control: return e ? milli_text(e->control_median_milli) : "";
    case Own::params: {
        std::string s;
        for (const auto& [k, v] : r.params) s += (s.empty() ? "" : ";") + k + "=" + std::to_string(v);
        return s;
    }
    case Own::none: break;
    }
    return "";
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

std::string write_results_csv(const std::vector<BenchResult>& results, uint64_t timer_hz) {
    std::string out;
    for (const Column& c : columns()) {
        if (&c != &columns().front()) out += ',';
        out += c.name;
    }
    out += "\r\n";
    for (const auto& r : results) {
        for (const Column& c : columns()) {
            if (&c != &columns().front()) out += ',';
            std::string cell = c.field ? c.field->to_csv(r) : own_cell(c.own, r, timer_hz);
            // Text from the guest (names, reasons, ...) is neutralised; the
            // figures are the tool's own and stay numbers.
            out += csv_field(c.text ? csv_text_cell(cell) : cell);
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
    std::string get(const char* name, bool text = false) const {
        for (size_t i = 0; i < head.size() && i < cells.size(); ++i)
            if (head[i] == name) return text ? csv_text_value(cells[i]) : cells[i];
        return "";
    }
    std::string get(Own own) const { return get(column_name(own), own == Own::params); }
};

// Each read_csv_* step reads some of a row's cells into r; on a bad cell it
// returns false with `bad` naming it. An empty cell leaves a field as it is.
bool read_csv_fields(const CsvRow& c, BenchResult& r, std::string& bad) {
    for (const ResultField* f : csv_fields()) {
        std::string v = c.get(f->csv, f->text);
        if (!v.empty() && !f->from_csv(v, r)) return bad = f->csv, false;
    }
    if (r.status.empty()) r.status = "ok";
    if (r.ci_low_milli.has_value() != r.ci_high_milli.has_value())
        return bad = std::string(HVB_FIELD(ci_low_milli).csv) + "/" + HVB_FIELD(ci_high_milli).csv +
                     " (one without the other)",
               false;
    return true;
}

bool csv_milli(const CsvRow& c, Own own, int64_t& out) {
    std::string s = c.get(own);
    if (s.empty()) return true;
    auto m = parse_milli(s);
    if (!m) return false;
    out = *m;
    return true;
}

// With --timing external, the host's figures.
bool read_csv_external(const CsvRow& c, BenchResult& r, std::string& bad) {
    if (c.get(Own::external_median).empty()) return true;
    ExternalStats e;
    uint64_t u = 0;
    if (!parse_uint(c.get(Own::external_samples), u)) return bad = column_name(Own::external_samples), false;
    e.samples = uint32_t(u);
    if (!csv_milli(c, Own::external_median, e.median_milli) || !csv_milli(c, Own::external_mad, e.mad_milli) ||
        !csv_milli(c, Own::external_min, e.min_milli) || !csv_milli(c, Own::external_mean, e.mean_milli) ||
        !csv_milli(c, Own::external_control, e.control_median_milli))
        return bad = "external figure", false;
    r.external = e;
    return true;
}

// "name=value;name=value".
bool read_csv_params(const CsvRow& c, BenchResult& r, std::string& bad) {
    std::string params = c.get(Own::params);
    size_t pos = 0;
    uint64_t u = 0;
    while (pos < params.size()) {
        size_t semi = params.find(';', pos);
        std::string item = params.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
        size_t eq = item.find('=');
        if (eq == std::string::npos || !parse_uint(item.substr(eq + 1), u)) return bad = column_name(Own::params), false;
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
    const char* name_column = HVB_FIELD(name).csv;
    const char* median_column = HVB_FIELD(median_milli).csv;
    if (!has(name_column) || !has(median_column)) {
        if (error) *error = std::string("CSV header lacks ") + name_column + " or " + median_column;
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
        r.name = c.get(name_column, true);
        if (auto [it, fresh] = first_line.try_emplace(r.name, line); !fresh)
            return fail("a second row for " + r.name + " (the first is on line " + std::to_string(it->second) + ")");
        std::string bad;
        if (!read_csv_fields(c, r, bad) || !read_csv_external(c, r, bad) || !read_csv_params(c, r, bad))
            return fail("bad " + bad);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace hvb::tools
