// tools/results.cpp — the results model's helpers: statuses, units, the
// linearity table (see results.h; the files in results_json.cpp,
// results_csv.cpp and results_file.cpp).
#include "tools/results.h"

#include <cstdio>

#include "kernel/record.h"

namespace hvb::tools {

bool is_known_status(std::string_view s) {
    Status st;
    return s == kStatusCrashed || status_from_name(s.data(), s.size(), &st);
}

double milli_cycles_to_ns(int64_t milli, uint64_t hz) {
    return hz ? double(milli) / 1000.0 / double(hz) * 1e9 : 0.0;
}

std::string milli_text(int64_t milli) { return Json::milli(milli).text; }

std::string format_linearity(const std::vector<BenchResult>& results) {
    std::string out;
    char line[256];
    for (const auto& r : results) {
        if (r.linearity.empty()) continue;
        if (out.empty()) {
            out = "linearity: per-iteration median at N, 10N, 100N iterations; ratio = that median / N's "
                  "(1.000: the cost per iteration does not depend on the iteration count); * noisy\n";
            snprintf(line, sizeof line, "%-24s %12s %14s %25s %6s %8s\n", "benchmark", "iterations", "median",
                     "95% CI", "reps", "ratio");
            out += line;
        }
        bool first = true;
        for (const LinearityLevel& l : r.linearity) {
            std::string ci = l.ci_low_milli && l.ci_high_milli
                                 ? "[" + milli_text(*l.ci_low_milli) + ", " + milli_text(*l.ci_high_milli) + "]"
                                 : "-";
            snprintf(line, sizeof line, "%-24s %12llu %14s %25s %6llu %8s%s\n", first ? r.name.c_str() : "",
                     static_cast<unsigned long long>(l.iterations), milli_text(l.median_milli).c_str(), ci.c_str(),
                     static_cast<unsigned long long>(l.repetitions), milli_text(l.ratio_milli).c_str(),
                     l.noisy ? " *" : "");
            out += line;
            first = false;
        }
    }
    return out;
}

}  // namespace hvb::tools
