// tests/field_row/field_row_test.cpp — a scalar field added as one row of
// kernel/record_fields.h (the test-only row of HVB_RESULT_FIELDS_TEST, on in
// this build) goes from the kernel's writer through the tool's record
// reader, the results JSON and the CSV, with no other code for it.
#include <gtest/gtest.h>

#include <string>

#include "kernel/record.h"
#include "tools/records.h"
#include "tools/results.h"

#ifndef HVB_RESULT_FIELDS_TEST_ROW
#error "built with HVB_RESULT_FIELDS_TEST_ROW (tests/CMakeLists.txt hvb_field_row_test)"
#endif

namespace {

void Put(void* ctx, const char* s, size_t n) { static_cast<std::string*>(ctx)->append(s, n); }

std::string Record(uint64_t test_field) {
    hvb::ResultRecord r{};
    r.name = "a";
    r.category = "c";
    r.status = hvb::Status::ok;
    r.reason = "";
    r.iterations = 10;
    r.repetitions = 3;
    r.median_milli = 1500;
    r.test_field = test_field;  // declared from the row
    std::string out;
    hvb::write_result(hvb::Sink{&Put, &out}, r);
    return out;
}

TEST(FieldRow, AnAddedScalarFieldGoesThroughWireJsonAndCsv) {
    std::string wire = Record(4242);
    EXPECT_NE(wire.find(",\"test_field\":4242"), std::string::npos) << wire;
    hvb::tools::RunLog log = hvb::tools::parse_run_log(wire);
    ASSERT_EQ(log.results.size(), 1u) << wire;
    EXPECT_TRUE(log.problems.empty());
    EXPECT_EQ(log.results[0].test_field, 4242u);

    hvb::tools::BenchResult b = log.results[0];
    hvb::tools::ResultsDoc doc;
    doc.benchmarks = {b};
    std::string json = hvb::tools::write_results_json(doc);
    EXPECT_NE(json.find("\"test_field\": 4242"), std::string::npos) << json;
    std::string error;
    auto from_json = hvb::tools::read_results_json(json, &error);
    ASSERT_TRUE(from_json) << error;
    EXPECT_EQ(from_json->benchmarks[0].test_field, 4242u);

    std::string csv = hvb::tools::write_results_csv(doc.benchmarks, 0);
    EXPECT_NE(csv.find(",test_col\r\n"), std::string::npos) << csv;  // its column, last (csv_pos 30)
    auto from_csv = hvb::tools::read_results_csv(csv, &error);
    ASSERT_TRUE(from_csv) << error;
    EXPECT_EQ((*from_csv)[0].test_field, 4242u);
}

TEST(FieldRow, ItsSentRuleAndAbsenceHold) {
    // `nonzero`: a zero is not sent, and the tool keeps it unset.
    std::string wire = Record(0);
    EXPECT_EQ(wire.find("test_field"), std::string::npos) << wire;
    hvb::tools::RunLog log = hvb::tools::parse_run_log(wire);
    ASSERT_EQ(log.results.size(), 1u);
    EXPECT_FALSE(log.results[0].test_field.has_value());
    // Malformed: a problem, the rest of the record kept.
    std::string bad = Record(7);
    bad.replace(bad.find("\"test_field\":7"), 14, "\"test_field\":-7");
    log = hvb::tools::parse_run_log(bad);
    ASSERT_EQ(log.results.size(), 1u);
    EXPECT_FALSE(log.results[0].test_field.has_value());
    ASSERT_EQ(log.problems.size(), 1u);
    EXPECT_NE(log.problems[0].find("bad test_field (-7)"), std::string::npos) << log.problems[0];
}

}  // namespace
