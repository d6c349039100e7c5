// tests/unit/params_test.cpp — name.param=value parsing and application.
#include <gtest/gtest.h>

#include "kernel/options.h"
#include "kernel/params.h"

namespace {

uint64_t working_set = 4096;
uint64_t page_size = 4096;
const hvb::BenchParam kMemParams[] = {
    {"working_set", &working_set, 4096, 1ull << 30, "bytes"},
    {"page_size", &page_size, 4096, 2ull << 20, "bytes"},
};

void Noop(uint64_t) {}

hvb::Benchmark Table(size_t i) {
    hvb::Benchmark b{};
    b.name = i == 0 ? "mem_hot" : "cpuid";
    b.category = "x";
    b.benchmark = Noop;
    b.control = Noop;
    if (i == 0) {
        b.params = kMemParams;
        b.param_count = 2;
    }
    return b;
}

struct ParamsTest : ::testing::Test {
    void SetUp() override {
        working_set = 4096;
        page_size = 4096;
        table[0] = Table(0);
        table[1] = Table(1);
    }
    size_t Apply(const char* cmdline) {
        hvb::OptionError oerr[4];
        EXPECT_EQ(hvb::parse_options(cmdline, opts, oerr, 4), 0u) << oerr[0].message;
        return hvb::apply_params(table, 2, opts, errors, 4);
    }
    hvb::Benchmark table[2];
    hvb::Options opts;
    hvb::ParamError errors[4];
};

TEST_F(ParamsTest, SetsValuesWithBinarySuffixes) {
    EXPECT_EQ(Apply("mem_hot.working_set=64M mem_hot.page_size=2M"), 0u);
    EXPECT_EQ(working_set, 64ull << 20);
    EXPECT_EQ(page_size, 2ull << 20);
    EXPECT_EQ(Apply("mem_hot.working_set=8k"), 0u);
    EXPECT_EQ(working_set, 8192u);
    EXPECT_EQ(Apply("mem_hot.working_set=1G"), 0u);
    EXPECT_EQ(working_set, 1ull << 30);
}

TEST_F(ParamsTest, LaterOverrideWins) {
    EXPECT_EQ(Apply("mem_hot.working_set=8K mem_hot.working_set=16K"), 0u);
    EXPECT_EQ(working_set, 16384u);
    EXPECT_EQ(opts.params_count, 1u);
}

TEST_F(ParamsTest, UnknownBenchmarkAndParameter) {
    EXPECT_EQ(Apply("nothere.x=1 mem_hot.size=1 cpuid.x=2"), 3u);
    EXPECT_STREQ(errors[0].message, "'nothere.x=1': no benchmark named 'nothere'");
    EXPECT_STREQ(errors[1].message, "'mem_hot.size=1': mem_hot has no parameter 'size' (it has working_set, page_size)");
    EXPECT_STREQ(errors[2].message, "'cpuid.x=2': cpuid has no parameter 'x' (it has none)");
    EXPECT_EQ(working_set, 4096u);
}

TEST_F(ParamsTest, OutOfRangeIsNotApplied) {
    EXPECT_EQ(Apply("mem_hot.page_size=4M mem_hot.working_set=1"), 2u);
    EXPECT_STREQ(errors[0].message, "'mem_hot.page_size=4M': must be 4096..2097152");
    EXPECT_EQ(page_size, 4096u);
    EXPECT_EQ(working_set, 4096u);
}

TEST(ParamsParse, MalformedWordsAreErrors) {
    hvb::Options o;
    hvb::OptionError e[8];
    EXPECT_EQ(hvb::parse_options(".x=1 mem_hot.=1 a.b.c=1 mem_hot.ws=abc mem_hot.ws=M mem_hot.ws=99999999999999999999",
                                 o, e, 8),
              6u);
    EXPECT_STREQ(e[0].message, "'.x=1': a parameter is written benchmark.param=value");
    EXPECT_STREQ(e[2].message, "'a.b.c=1': a parameter is written benchmark.param=value");
    EXPECT_STREQ(e[3].message, "'mem_hot.ws=abc': value must be a number with an optional K, M or G suffix");
    EXPECT_STREQ(e[4].message, "'mem_hot.ws=M': value must be a number with an optional K, M or G suffix");
    EXPECT_EQ(o.params_count, 0u);
}

TEST(ParamsParse, SuffixOverflowIsAnError) {
    hvb::Options o;
    hvb::OptionError e[2];
    EXPECT_EQ(hvb::parse_options("x.y=17179869184G", o, e, 2), 1u);  // 2^34 GiB = 2^64
    EXPECT_EQ(hvb::parse_options("x.y=17179869183G", o, e, 2), 0u);
    EXPECT_EQ(o.params[0].value, 17179869183ull << 30);
}

}  // namespace
