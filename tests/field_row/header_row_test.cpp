// tests/field_row/header_row_test.cpp — a header field added as one row of
// kernel/header_fields.h (the test-only row of HVB_HEADER_FIELDS_TEST, on in
// this build) goes from the kernel's method record through the tool's
// record reader into the results JSON's context and back, under its name or
// its old one, with no other code for it.
#include <gtest/gtest.h>

#include <string>

#include "kernel/record.h"
#include "tools/header_fields.h"
#include "tools/records.h"
#include "tools/results.h"

#ifndef HVB_HEADER_FIELDS_TEST_ROW
#error "built with HVB_HEADER_FIELDS_TEST_ROW (tests/CMakeLists.txt hvb_field_row_test)"
#endif

namespace {

void Put(void* ctx, const char* s, size_t n) { static_cast<std::string*>(ctx)->append(s, n); }

// A header and a method record, the row's value in the method record.
std::string Stream(uint64_t test_value) {
    hvb::HeaderRecord h{};
    h.cpu_vendor = h.cpu_model = h.hypervisor = h.boot = h.loader = h.cmdline = "x";
    h.timer = "rdtsc";
    h.rate_source = "cpuid15";
    h.intc = "xapic";
    h.timer_hz = 2000000000;
    h.timer_milli = 30000;
    h.test_header_field = test_value;  // declared from the row
    std::string out;
    hvb::write_header(hvb::Sink{&Put, &out}, h);
    hvb::write_method(hvb::Sink{&Put, &out}, h);
    return out;
}

std::string Renamed(std::string text, const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from << " in " << text;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

TEST(HeaderRow, AnAddedHeaderFieldGoesThroughWireAndContext) {
    std::string wire = Stream(4242);
    size_t method = wire.find("\"type\":\"method\"");
    ASSERT_NE(method, std::string::npos);
    EXPECT_NE(wire.find(",\"test_header_key\":4242}\n", method), std::string::npos) << wire;  // its record, last
    EXPECT_EQ(wire.find("test_header_key"), wire.find("test_header_key", method));          // not in the header

    // Read under its name, or the old one (a stream of an older kernel).
    for (const std::string& text : {wire, Renamed(wire, "\"test_header_key\"", "\"test_old_key\"")}) {
        hvb::tools::RunLog log = hvb::tools::parse_run_log(text);
        ASSERT_TRUE(log.header) << text;
        EXPECT_TRUE(log.problems.empty()) << log.problems[0];
        EXPECT_EQ(log.header->test_header_field, 4242u);
    }

    hvb::tools::RunLog log = hvb::tools::parse_run_log(wire);
    hvb::tools::ResultsDoc doc;
    hvb::tools::header_to_context(*log.header, doc.info);
    EXPECT_EQ(doc.info.test_header_field, 4242u);
    EXPECT_EQ(doc.info.timer_hz, 2000000000u);
    std::string json = hvb::tools::write_results_json(doc);
    // Its context key, placed with the timing (after "timer").
    EXPECT_NE(json.find("\"timer\": \"rdtsc\",\n    \"test_context_key\": 4242,"), std::string::npos) << json;
    std::string error;
    for (const std::string& text : {json, Renamed(json, "\"test_context_key\"", "\"test_old_key\"")}) {
        auto back = hvb::tools::read_results_json(text, &error);
        ASSERT_TRUE(back) << error;
        EXPECT_EQ(back->info.test_header_field, 4242u);
        EXPECT_EQ(back->info.timer_hz, 2000000000u);
        EXPECT_EQ(back->info.timer, "rdtsc");
    }
}

TEST(HeaderRow, ItsAbsenceAndAMalformedValueHold) {
    // An older kernel's stream lacks it: unset, and the context has no key.
    std::string wire = Renamed(Stream(7), ",\"test_header_key\":7", "");
    hvb::tools::RunLog log = hvb::tools::parse_run_log(wire);
    ASSERT_TRUE(log.header);
    EXPECT_FALSE(log.header->test_header_field.has_value());
    hvb::tools::ResultsDoc doc;
    hvb::tools::header_to_context(*log.header, doc.info);
    EXPECT_EQ(hvb::tools::write_results_json(doc).find("test_context_key"), std::string::npos);
    // Malformed: a problem naming it, the rest of the header kept.
    log = hvb::tools::parse_run_log(Renamed(Stream(7), "\"test_header_key\":7", "\"test_header_key\":-7"));
    ASSERT_TRUE(log.header);
    EXPECT_FALSE(log.header->test_header_field.has_value());
    EXPECT_TRUE(log.header->has_method());
    ASSERT_EQ(log.problems.size(), 1u);
    EXPECT_NE(log.problems[0].find("method record: bad test_header_key (-7)"), std::string::npos) << log.problems[0];
}

}  // namespace
