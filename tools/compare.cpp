// tools/compare.cpp — GNR math, the comparison table and its chart.
#include "tools/compare.h"
#include "tools/counterparts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "tools/sanitize.h"

namespace hvb::tools {
namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// Cycles, with fewer decimals as they grow.
std::string cycles_text(int64_t milli) {
    double v = double(milli) / 1000.0;
    double a = std::fabs(v);
    return a >= 10000 ? fmt("%.0f", v) : a >= 100 ? fmt("%.1f", v) : fmt("%.3f", v);
}

std::string ratio_text(double r) {
    return r >= 100 ? fmt("%.0f", r) : r >= 10 ? fmt("%.1f", r) : fmt("%.2f", r);
}

std::string pad(const std::string& s, size_t w, bool right = false) {
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

const char* kColors[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};

// A log10 axis from 10^lo to 10^hi mapped onto [x0, x1].
struct LogAxis {
    int lo = 0, hi = 1;
    double x0 = 0, x1 = 1;
    double at(double v) const {
        double l = std::log10(v);
        double t = (l - lo) / double(hi - lo);
        return x0 + std::clamp(t, 0.0, 1.0) * (x1 - x0);
    }
    static LogAxis fit(double min, double max, double x0, double x1) {
        LogAxis a;
        a.lo = int(std::floor(std::log10(min)));
        a.hi = int(std::ceil(std::log10(max)));
        if (a.hi <= a.lo) a.hi = a.lo + 1;
        a.x0 = x0;
        a.x1 = x1;
        return a;
    }
};

// 10^exp as 1, 10, 100, 1k, 10k, ..., 1M, ..., 1G, ...; 0.1, 0.01, 0.001; else 1eN.
std::string tick_label(int exp) {
    static const char* const kSuffix[] = {"", "k", "M", "G", "T", "P"};
    if (exp >= 0 && exp < 18) return std::to_string(int(std::pow(10.0, exp % 3) + 0.5)) + kSuffix[exp / 3];
    if (exp < 0 && exp >= -3) return fmt("%g", std::pow(10.0, exp));
    return "1e" + std::to_string(exp);
}

}  // namespace

std::optional<double> gnr(int64_t guest_milli, int64_t native_milli) {
    if (guest_milli <= 0 || native_milli <= 0) return std::nullopt;
    return double(guest_milli) / double(native_milli);
}

bool spreads_overlap(int64_t a, int64_t a_mad, int64_t b, int64_t b_mad) {
    a_mad = a_mad < 0 ? -a_mad : a_mad;
    b_mad = b_mad < 0 ? -b_mad : b_mad;
    // Compare in __int128: medians and MADs may be anywhere in int64.
    __int128 a_lo = __int128(a) - a_mad, a_hi = __int128(a) + a_mad;
    __int128 b_lo = __int128(b) - b_mad, b_hi = __int128(b) + b_mad;
    return a_lo <= b_hi && b_lo <= a_hi;
}

bool intervals_overlap(int64_t a_low, int64_t a_high, int64_t b_low, int64_t b_high) {
    if (a_low > a_high) std::swap(a_low, a_high);
    if (b_low > b_high) std::swap(b_low, b_high);
    return a_low <= b_high && b_low <= a_high;
}

namespace {

// The unit of each doc's counts ("" in files from before timer_unit: cycles).
std::string doc_unit(const ResultsDoc& d) { return d.info.timer_unit.empty() ? "cycles" : d.info.timer_unit; }

// Chooses the comparison's unit (Comparison::unit, mixed_units) and which
// docs' cycles cannot be converted (no timer rate).
void choose_unit(const std::vector<ResultsDoc>& docs, Comparison& c) {
    c.unconverted.assign(docs.size(), false);
    if (docs.empty()) return;
    c.unit = doc_unit(docs[0]);
    for (const auto& d : docs)
        if (doc_unit(d) != c.unit) c.mixed_units = true;
    if (!c.mixed_units) return;
    c.unit = "ns";
    for (size_t i = 0; i < docs.size(); ++i) c.unconverted[i] = doc_unit(docs[i]) != "ns" && !docs[i].info.timer_hz;
}

// `milli` counts of doc `i`'s result `r` in the comparison's unit: its
// cycles in ns at the result's own rate (its VM's) where it has one, else
// its run's; as they are when nothing is to be converted.
int64_t in_unit(int64_t milli, const BenchResult& r, const std::vector<ResultsDoc>& docs, size_t i,
                const Comparison& c) {
    if (!c.mixed_units || c.unconverted[i] || doc_unit(docs[i]) == "ns") return milli;
    uint64_t hz = r.timer_hz ? r.timer_hz : docs[i].info.timer_hz;
    return int64_t(std::llround(milli_cycles_to_ns(milli, hz) * 1000.0));
}

}  // namespace

Comparison compare_results(const std::vector<ResultsDoc>& docs, size_t baseline) {
    Comparison c;
    c.baseline = baseline < docs.size() ? baseline : 0;
    choose_unit(docs, c);
    std::map<std::string, int> seen;
    for (const auto& d : docs) {
        std::string label = d.info.label.empty() ? "run" : d.info.label;
        int n = ++seen[label];
        c.labels.push_back(n == 1 ? label : label + "#" + std::to_string(n));
    }
    std::vector<std::string> names;
    for (const auto& d : docs)
        for (const auto& r : d.benchmarks)
            if (std::string key(counterpart_key(r.name)); std::find(names.begin(), names.end(), key) == names.end())
                names.push_back(key);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        CompareRow row;
        std::vector<std::string> shown;
        for (size_t di = 0; di < docs.size(); ++di) {
            const ResultsDoc& d = docs[di];
            auto unit = [&](int64_t milli, const BenchResult& r) { return in_unit(milli, r, docs, di, c); };
            CompareCell cell;
            for (const auto& r : d.benchmarks) {
                if (counterpart_key(r.name) != name) continue;
                // Counterparts share a row (tools/counterparts.h), named "a / b".
                if (std::find(shown.begin(), shown.end(), r.name) == shown.end()) shown.push_back(r.name);
                cell.present = true;
                cell.status = r.status;
                cell.reason = r.reason;
                cell.median_milli = unit(r.headline_milli(), r);
                cell.mad_milli = unit(r.mad_milli, r);
                // The headline's interval (kernel/estimate.h), else the median's.
                if (r.estimate_milli) {
                    if (r.estimate_low_milli && r.estimate_high_milli) {
                        cell.ci_low_milli = unit(*r.estimate_low_milli, r);
                        cell.ci_high_milli = unit(*r.estimate_high_milli, r);
                    }
                } else if (r.has_ci()) {
                    cell.ci_low_milli = unit(*r.ci_low_milli, r);
                    cell.ci_high_milli = unit(*r.ci_high_milli, r);
                }
                cell.noisy = r.ok() && r.is_noisy();
                if (row.category.empty()) row.category = r.category;
                break;
            }
            row.cells.push_back(cell);
        }
        for (const auto& n : shown) row.name += (row.name.empty() ? "" : " / ") + n;
        if (!docs.empty()) {
            const CompareCell& base = row.cells[c.baseline];
            for (size_t i = 0; i < row.cells.size(); ++i) {
                CompareCell& cell = row.cells[i];
                if (i == c.baseline || !cell.ok() || !base.ok() || c.unconverted[i] || c.unconverted[c.baseline])
                    continue;
                cell.ratio = gnr(cell.median_milli, base.median_milli);
                cell.by_ci = cell.ci_low_milli && base.ci_low_milli;
                cell.overlaps = cell.by_ci ? intervals_overlap(*cell.ci_low_milli, *cell.ci_high_milli,
                                                               *base.ci_low_milli, *base.ci_high_milli)
                                           : spreads_overlap(cell.median_milli, cell.mad_milli, base.median_milli,
                                                             base.mad_milli);
            }
        }
        c.rows.push_back(std::move(row));
    }
    c.geomean.assign(docs.size(), std::nullopt);
    std::vector<double> log_sum(docs.size(), 0.0);
    for (const auto& row : c.rows) {
        bool all = true;
        for (size_t i = 0; i < row.cells.size(); ++i)
            if (i != c.baseline && !row.cells[i].ratio) all = false;
        if (!all) continue;
        ++c.geomean_count;
        for (size_t i = 0; i < row.cells.size(); ++i)
            if (i != c.baseline) log_sum[i] += std::log(*row.cells[i].ratio);
    }
    if (c.geomean_count)
        for (size_t i = 0; i < docs.size(); ++i)
            if (i != c.baseline) c.geomean[i] = std::exp(log_sum[i] / double(c.geomean_count));
    return c;
}

std::string format_comparison(const Comparison& c) {
    size_t n = c.labels.size();
    const std::string& base = c.labels.empty() ? std::string() : c.labels[c.baseline];
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> head = {"benchmark", "category"};
    for (const auto& l : c.labels) head.push_back(l);
    for (size_t i = 0; i < n; ++i)
        if (i != c.baseline) head.push_back(c.labels[i] + "/" + base);
    table.push_back(head);
    for (const auto& row : c.rows) {
        std::vector<std::string> line = {row.name, row.category};
        for (const auto& cell : row.cells)
            line.push_back(!cell.present ? "-"
                           : cell.ok()   ? cycles_text(cell.median_milli) + " ±" + cycles_text(cell.mad_milli) +
                                             (cell.noisy ? " noisy" : "")
                                         : cell.status);
        for (size_t i = 0; i < n; ++i) {
            if (i == c.baseline) continue;
            const CompareCell& cell = row.cells[i];
            line.push_back(cell.ratio ? ratio_text(*cell.ratio) + (cell.overlaps ? " ~" : "") : "-");
        }
        table.push_back(line);
    }
    std::vector<std::string> geo = {"geomean", "(" + std::to_string(c.geomean_count) + " benchmarks)"};
    for (size_t i = 0; i < n; ++i) geo.push_back("");
    for (size_t i = 0; i < n; ++i)
        if (i != c.baseline) geo.push_back(c.geomean[i] ? ratio_text(*c.geomean[i]) : "-");
    table.push_back(geo);

    // Widths count bytes; "±" is two bytes but one column, so count it once.
    auto width = [](const std::string& s) {
        size_t w = 0;
        for (unsigned char ch : s) w += (ch & 0xC0) != 0x80;
        return w;
    };
    std::vector<size_t> widths(head.size(), 0);
    for (const auto& line : table)
        for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], width(line[i]));
    bool any_ci = false, any_mad = false, any_noisy = false;
    for (const auto& row : c.rows)
        for (const auto& cell : row.cells) {
            if (cell.ratio) (cell.by_ci ? any_ci : any_mad) = true;
            any_noisy = any_noisy || cell.noisy;
        }
    std::string rule = any_ci && any_mad ? "the 95% intervals (for --runs files: the runs' ranges) overlap "
                                           "where both have one, else the spreads (headline ±MAD) do"
                       : any_ci          ? "the 95% intervals overlap (for --runs files: the runs' ranges)"
                                         : "the spreads (headline ±MAD) overlap";
    std::string unit = c.unit == "ns" ? "nanoseconds" : "cycles";
    std::string out = unit + " per iteration: headline (the run's estimate, kernel/estimate.h; the median for older "
                      "runs) ±MAD; ratio = " + unit + " / " + base + "'s " + unit +
                      (c.unit == "cycles" ? " (GNR when the baseline is native)" : "") + "; ~ = within noise: " + rule +
                      " (no clear difference)" +
                      (any_noisy ? "; noisy = the run flagged the figure (its table says why): treat with care" : "") + "\n";
    if (c.mixed_units) {
        out += "the runs measured in different units (cycles of their timers, or nanoseconds): each run's cycles are "
               "converted to ns at its own timer rate";
        for (size_t i = 0; i < n; ++i)
            if (c.unconverted[i]) out += "; " + c.labels[i] + " has no timer rate: its cycles are shown, without ratios";
        out += "\n";
    }
    for (size_t r = 0; r < table.size(); ++r) {
        std::string line;
        for (size_t i = 0; i < table[r].size(); ++i) {
            const std::string& cellText = table[r][i];
            size_t w = widths[i] + (cellText.size() - width(cellText));
            line += (i ? "  " : "") + pad(cellText, w, i >= 2 && r > 0);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
        if (r == 0 || r + 2 == table.size()) {
            size_t total = 0;
            for (size_t w : widths) total += w + 2;
            out += std::string(total - 2, '-') + "\n";
        }
    }
    for (const auto& row : c.rows)
        for (size_t i = 0; i < row.cells.size(); ++i)
            if (row.cells[i].present && !row.cells[i].ok() && !row.cells[i].reason.empty())
                out += "  " + c.labels[i] + " " + row.name + ": " + row.cells[i].status + " — " + row.cells[i].reason +
                       "\n";
    return out;
}

namespace {

// The chart: a legend, then one band per benchmark with a bar per platform
// in two panels, the cost per iteration (log scale) and the ratio to the
// baseline (log scale), and a footer.
struct SvgChart {
    static constexpr double bar_h = 12, gap = 10, top = 96, name_w = 190;
    static constexpr double p1_x0 = name_w + 20, p1_x1 = 640, p2_x0 = 720, p2_x1 = 1080, width = 1120;
    size_t n = 0, others = 0;  // platforms; those that are not the baseline
    double row_h = 0, height = 0;
    LogAxis ca, ra;  // the cost panel's axis, the ratio panel's
    std::string s;
    void add(const std::string& t) { s += t + "\n"; }
};

// Sizes the chart and fits both axes to the figures it will draw.
SvgChart svg_layout(const Comparison& c) {
    SvgChart g;
    g.n = c.labels.size();
    g.others = g.n ? g.n - 1 : 0;
    g.row_h = double(std::max<size_t>(g.n, 1)) * g.bar_h + g.gap;
    g.height = g.top + double(c.rows.size()) * g.row_h + 60;
    double cmin = 1e300, cmax = 0, rmin = 1, rmax = 1;
    for (const auto& row : c.rows)
        for (const auto& cell : row.cells) {
            if (cell.ok() && cell.median_milli > 0) {
                double v = double(cell.median_milli) / 1000.0;
                cmin = std::min(cmin, v);
                cmax = std::max(cmax, v + double(std::abs(cell.mad_milli)) / 1000.0);
            }
            if (cell.ratio) {
                rmin = std::min(rmin, *cell.ratio);
                rmax = std::max(rmax, *cell.ratio);
            }
        }
    if (cmax <= 0) cmin = 1, cmax = 10;
    g.ca = LogAxis::fit(cmin, cmax, g.p1_x0, g.p1_x1);
    g.ra = LogAxis::fit(rmin, rmax, g.p2_x0, g.p2_x1);
    return g;
}

// The opening tag, title, legend and the panels' captions.
void svg_head(SvgChart& g, const Comparison& c, const std::string& title) {
    g.add("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", g.width) + "\" height=\"" +
          fmt("%.0f", g.height) + "\" viewBox=\"0 0 " + fmt("%.0f", g.width) + " " + fmt("%.0f", g.height) +
          "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">");
    g.add("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    g.add("<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">" + xml_text(title) + "</text>");
    double lx = 10;
    for (size_t i = 0; i < g.n; ++i) {
        std::string label = c.labels[i] + (i == c.baseline ? " (baseline)" : "");
        g.add("<rect x=\"" + fmt("%.0f", lx) + "\" y=\"34\" width=\"12\" height=\"12\" fill=\"" + kColors[i % 8] +
              "\"/>");
        g.add("<text x=\"" + fmt("%.0f", lx + 16) + "\" y=\"44\">" + xml_text(label) + "</text>");
        lx += 30 + 7.0 * double(label.size());
    }
    g.add("<text x=\"" + fmt("%.0f", g.p1_x0) + "\" y=\"70\" font-weight=\"bold\">" +
          (c.unit == "ns" ? "nanoseconds" : "cycles") + " per iteration (headline, whisker ±MAD, log scale" +
          (c.mixed_units ? "; cycles converted at each run's timer rate" : "") + ")</text>");
    if (g.others)
        g.add("<text x=\"" + fmt("%.0f", g.p2_x0) + "\" y=\"70\" font-weight=\"bold\">ratio to " +
              xml_text(c.labels[c.baseline]) + " (GNR, log scale; ~ within noise)</text>");
}

// One panel's vertical grid lines and tick labels (the ratio panel's 1x
// line darker).
void svg_grid(SvgChart& g, const LogAxis& a, bool ratio, size_t rows) {
    double grid_bottom = g.top + double(rows) * g.row_h;
    for (int e = a.lo; e <= a.hi; ++e) {
        double x = a.at(std::pow(10.0, e));
        bool one = ratio && e == 0;
        g.add("<line x1=\"" + fmt("%.1f", x) + "\" y1=\"" + fmt("%.0f", g.top - 8) + "\" x2=\"" + fmt("%.1f", x) +
              "\" y2=\"" + fmt("%.0f", grid_bottom) + "\" stroke=\"" + (one ? "#333" : "#ddd") +
              "\" stroke-width=\"" + (one ? "1.5" : "1") + "\"/>");
        g.add("<text x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.0f", g.top - 12) +
              "\" text-anchor=\"middle\" fill=\"#555\">" + tick_label(e) + (ratio ? "×" : "") + "</text>");
    }
}

// Platform i's cost bar at height y: the median with a ±MAD whisker, or
// why there is none.
void svg_cost_bar(SvgChart& g, const Comparison& c, const CompareRow& row, size_t i, double y) {
    const CompareCell& cell = row.cells[i];
    std::string color = kColors[i % 8];
    const double bar_h = g.bar_h, p1_x0 = g.p1_x0;
    if (!cell.present) {
        g.add("<text x=\"" + fmt("%.0f", p1_x0 + 4) + "\" y=\"" + fmt("%.1f", y + 9) + "\" fill=\"#999\">no result</text>");
    } else if (!cell.ok()) {
        g.add("<text x=\"" + fmt("%.0f", p1_x0 + 4) + "\" y=\"" + fmt("%.1f", y + 9) + "\" fill=\"" +
              (cell.status == kStatusCrashed || cell.status == "timeout" ? "#c00" : "#888") + "\">" +
              xml_text(cell.status) + "</text>");
    } else if (cell.median_milli <= 0) {
        g.add("<text x=\"" + fmt("%.0f", p1_x0 + 4) + "\" y=\"" + fmt("%.1f", y + 9) + "\" fill=\"" + color +
              "\">" + xml_text(cycles_text(cell.median_milli)) + " (≤ 0: within noise)</text>");
    } else {
        double v = double(cell.median_milli) / 1000.0, mad = double(std::abs(cell.mad_milli)) / 1000.0;
        double x = g.ca.at(v);
        g.add("<rect x=\"" + fmt("%.1f", p1_x0) + "\" y=\"" + fmt("%.1f", y + 1) + "\" width=\"" +
              fmt("%.1f", std::max(1.0, x - p1_x0)) + "\" height=\"" + fmt("%.0f", bar_h - 2) + "\" fill=\"" +
              color + "\"" + (cell.noisy ? " opacity=\"0.55\"" : "") + "><title>" +
              xml_text(c.labels[i] + " " + row.name + ": " + cycles_text(cell.median_milli) + " ±" +
                  cycles_text(cell.mad_milli) + " cycles" +
                  (cell.ci_low_milli ? ", 95% CI [" + cycles_text(*cell.ci_low_milli) + ", " +
                                           cycles_text(*cell.ci_high_milli) + "]"
                                     : "") +
                  (cell.noisy ? " (noisy)" : "")) +
              "</title></rect>");
        double xl = v - mad > 0 ? g.ca.at(v - mad) : p1_x0, xh = g.ca.at(v + mad);
        if (mad > 0)
            g.add("<line x1=\"" + fmt("%.1f", xl) + "\" y1=\"" + fmt("%.1f", y + bar_h / 2) + "\" x2=\"" +
                  fmt("%.1f", xh) + "\" y2=\"" + fmt("%.1f", y + bar_h / 2) + "\" stroke=\"#222\"/>");
        g.add("<text x=\"" + fmt("%.1f", std::max(x, xh) + 4) + "\" y=\"" + fmt("%.1f", y + 9) + "\">" +
              xml_text(cycles_text(cell.median_milli)) + (cell.noisy ? " noisy" : "") + "</text>");
    }
}

// Platform i's ratio to the baseline, a bar of height hr at yr from the 1x
// line, or "n/a".
void svg_ratio_bar(SvgChart& g, const Comparison& c, const CompareRow& row, size_t i, double yr, double hr) {
    const CompareCell& cell = row.cells[i];
    if (!cell.ratio) {
        g.add("<text x=\"" + fmt("%.1f", g.p2_x0 + 4) + "\" y=\"" + fmt("%.1f", yr + hr / 2 + 5) +
              "\" fill=\"#999\">n/a</text>");
        return;
    }
    // A ratio built on a noisy figure (either side) is never a solid bar.
    bool pale = cell.overlaps || cell.noisy || row.cells[c.baseline].noisy;
    double x1 = g.ra.at(1.0), x = g.ra.at(*cell.ratio);
    g.add("<rect x=\"" + fmt("%.1f", std::min(x, x1)) + "\" y=\"" + fmt("%.1f", yr + 1) + "\" width=\"" +
          fmt("%.1f", std::max(1.0, std::fabs(x - x1))) + "\" height=\"" + fmt("%.1f", hr) + "\" fill=\"" +
          kColors[i % 8] + "\" opacity=\"" + (pale ? "0.45" : "1") + "\"/>");
    g.add("<text x=\"" + fmt("%.1f", std::max(x, x1) + 4) + "\" y=\"" + fmt("%.1f", yr + hr / 2 + 5) + "\">" +
          ratio_text(*cell.ratio) + "×" + (cell.overlaps ? " ~" : "") +
          (cell.noisy || row.cells[c.baseline].noisy ? " noisy" : "") + "</text>");
}

// Benchmark r's band: shaded on odd rows, its name, each platform's bars.
void svg_row(SvgChart& g, const Comparison& c, size_t r) {
    const CompareRow& row = c.rows[r];
    double y0 = g.top + double(r) * g.row_h;
    if (r % 2)
        g.add("<rect x=\"0\" y=\"" + fmt("%.1f", y0 - g.gap / 2) + "\" width=\"" + fmt("%.0f", g.width) +
              "\" height=\"" + fmt("%.1f", g.row_h) + "\" fill=\"#f6f6f6\" opacity=\"0.6\"/>");
    g.add("<text x=\"10\" y=\"" + fmt("%.1f", y0 + double(g.n) * g.bar_h / 2 + 4) + "\" font-weight=\"bold\">" +
          xml_text(row.name) + "</text>");
    size_t slot = 0;
    for (size_t i = 0; i < g.n; ++i) {
        svg_cost_bar(g, c, row, i, y0 + double(i) * g.bar_h);
        if (i == c.baseline) continue;
        double yr = y0 + double(slot++) * g.bar_h * double(g.n) / double(std::max<size_t>(g.others, 1));
        double hr = g.bar_h * double(g.n) / double(std::max<size_t>(g.others, 1)) - 2;
        svg_ratio_bar(g, c, row, i, yr, hr);
    }
}

}  // namespace

std::string comparison_svg(const Comparison& c, const std::string& title) {
    SvgChart g = svg_layout(c);
    svg_head(g, c, title);
    svg_grid(g, g.ca, false, c.rows.size());
    if (g.others) svg_grid(g, g.ra, true, c.rows.size());
    for (size_t r = 0; r < c.rows.size(); ++r) svg_row(g, c, r);
    std::string foot = "hvbench compare";
    if (c.geomean_count) {
        foot += " — geometric mean of ratios over " + std::to_string(c.geomean_count) + " benchmarks:";
        for (size_t i = 0; i < g.n; ++i)
            if (c.geomean[i]) foot += " " + c.labels[i] + " " + ratio_text(*c.geomean[i]) + "×";
    }
    g.add("<text x=\"10\" y=\"" + fmt("%.0f", g.height - 20) + "\" fill=\"#555\">" + xml_text(foot) + "</text>");
    g.add("</svg>");
    return g.s;
}

std::string comparison_html(const Comparison& c, const std::string& title) {
    std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + xml_text(title) +
                    "</title>\n<style>body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:16px}"
                    "pre{font-size:12px}</style></head><body>\n";
    h += comparison_svg(c, title);
    h += "<pre>" + xml_text(format_comparison(c)) + "</pre>\n</body></html>\n";
    return h;
}

}  // namespace hvb::tools
