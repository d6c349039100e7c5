// tests/unit/tool_counterparts_test.cpp — cross-architecture counterparts
// (tools/counterparts.h) and the compare rows they line up.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tools/compare.h"
#include "tools/counterparts.h"

namespace {

using namespace hvb::tools;

BenchResult R(const std::string& name, int64_t median) {
    BenchResult r;
    r.name = name;
    r.category = "cat";
    r.status = "ok";
    r.median_milli = median;
    return r;
}

ResultsDoc Doc(const std::string& label, std::vector<BenchResult> b) {
    ResultsDoc d;
    d.info.label = label;
    d.benchmarks = std::move(b);
    return d;
}

TEST(ToolCounterparts, KeysAreTheX86Names) {
    EXPECT_EQ(counterpart_key("mmio_read_gic"), "mmio_read_lapic");
    EXPECT_EQ(counterpart_key("mmio_read_lapic"), "mmio_read_lapic");
    EXPECT_EQ(counterpart_key("sysreg_id"), "cpuid");
    EXPECT_EQ(counterpart_key("hypercall"), "hypercall");  // one name on both: no entry
    // No name is on both sides of the table or in two pairs.
    std::set<std::string> names;
    for (const auto& p : counterparts()) {
        EXPECT_TRUE(names.insert(p.x86_64).second) << p.x86_64;
        EXPECT_TRUE(names.insert(p.aarch64).second) << p.aarch64;
    }
}

TEST(ToolCounterparts, DallRowsAreKeys) {
    ASSERT_EQ(dall_rows().size(), 7u);  // the paper's Table 2
    for (const auto& r : dall_rows()) {
        if (*r.key) {
            EXPECT_EQ(counterpart_key(r.key), r.key) << r.row;
        }
    }
}

TEST(ToolCounterparts, CompareLinesCounterpartsUpOnOneRow) {
    std::vector<ResultsDoc> docs = {
        Doc("kvm-x86", {R("hypercall", 1000000), R("mmio_read_lapic", 2000000), R("cpuid", 100000)}),
        Doc("kvm-arm", {R("hypercall", 3000000), R("mmio_read_gic", 4000000), R("eoi", 50000)}),
    };
    Comparison c = compare_results(docs, 0);
    ASSERT_EQ(c.rows.size(), 4u);  // cpuid, eoi, hypercall, the interrupt controller's row
    const CompareRow* gic = nullptr;
    for (const auto& r : c.rows)
        if (r.name == "mmio_read_lapic / mmio_read_gic") gic = &r;
    ASSERT_NE(gic, nullptr);
    ASSERT_TRUE(gic->cells[1].ok());
    EXPECT_DOUBLE_EQ(*gic->cells[1].ratio, 2.0);
    // A row only one architecture has keeps its own name.
    EXPECT_EQ(c.rows[0].name, "cpuid");
    EXPECT_FALSE(c.rows[0].cells[1].present);
    // Two runs of one architecture: names as they were.
    Comparison arm = compare_results({docs[1], docs[1]}, 0);
    for (const auto& r : arm.rows) EXPECT_EQ(r.name.find(" / "), std::string::npos) << r.name;
    bool gic_alone = false;
    for (const auto& r : arm.rows) gic_alone |= r.name == "mmio_read_gic";
    EXPECT_TRUE(gic_alone);
}

}  // namespace
