// tools/junit.h — the regression gate's verdicts (tools/gate.h) as a JUnit
// XML report, the format CI systems (Jenkins, GitLab, GitHub actions that
// publish test results) display: <testsuites> with one <testsuite> per file
// compared with the baseline, one <testcase> per benchmark (classname
// "hvbench.<category>", name the benchmark), a <failure> for a regression,
// a result faster than --fail-below or a benchmark that broke, <skipped>
// for one not gated (with the reason), and the figures in <system-out>.
// Counts (tests, failures, errors = 0, skipped) on both levels; text goes
// through xml_text (tools/sanitize.h), so any name or reason is well-formed.
#pragma once

#include <string>

#include "tools/compare.h"
#include "tools/gate.h"

namespace hvb::tools {

std::string junit_xml(const Comparison& c, const GateReport& r);

}  // namespace hvb::tools
