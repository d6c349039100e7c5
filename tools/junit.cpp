// tools/junit.cpp — the gate's JUnit XML report (see junit.h).
#include "tools/junit.h"

#include "tools/sanitize.h"

namespace hvb::tools {
namespace {

const char* failure_type(GateOutcome o) {
    switch (o) {
        case GateOutcome::regression: return "regression";
        case GateOutcome::faster: return "faster";
        case GateOutcome::broken: return "broken";
        default: return "";
    }
}

std::string counts(size_t tests, size_t failures, size_t skipped) {
    return " tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
           "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\"";
}

std::string testcase(const GateCase& g) {
    std::string s = "    <testcase classname=\"hvbench." + xml_text(g.category.empty() ? "uncategorized" : g.category) +
                    "\" name=\"" + xml_text(g.name) + "\" time=\"0\"";
    if (g.failed())
        return s + ">\n      <failure type=\"" + failure_type(g.outcome) + "\" message=\"" + xml_text(g.text) + "\">" +
               xml_text(g.text) + "</failure>\n    </testcase>\n";
    if (g.outcome == GateOutcome::skipped)
        return s + ">\n      <skipped message=\"" + xml_text(g.text) + "\"/>\n    </testcase>\n";
    return s + ">\n      <system-out>" + xml_text(g.text) + "</system-out>\n    </testcase>\n";
}

}  // namespace

std::string junit_xml(const Comparison& c, const GateReport& r) {
    std::string suites;
    for (size_t i = 0; i < c.labels.size(); ++i) {
        if (i == c.baseline) continue;
        std::string cases;
        size_t tests = 0, failures = 0, skipped = 0;
        for (const GateCase& g : r.cases) {
            if (g.platform != i) continue;
            ++tests;
            failures += g.failed();
            skipped += g.outcome == GateOutcome::skipped;
            cases += testcase(g);
        }
        suites += "  <testsuite name=\"" + xml_text("hvbench gate: " + c.labels[i] + " vs " + c.labels[c.baseline]) +
                  "\"" + counts(tests, failures, skipped) + ">\n" + cases + "  </testsuite>\n";
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" + xml_text("hvbench compare " + r.rule) +
           "\"" + counts(r.cases.size(), r.failed, r.skipped) + ">\n" + suites + "</testsuites>\n";
}

}  // namespace hvb::tools
