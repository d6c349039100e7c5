// tests/unit/selection_test.cpp — unit tests for select_benchmarks (kernel/selection.cpp).
#include "kernel/selection.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

using hvb::Benchmark;
using hvb::Options;
using hvb::SelectionError;

using Names = std::vector<std::string>;

constexpr Benchmark bench(const char* name, const char* category, uint32_t flags = hvb::kFlagNone) {
    return Benchmark{.name = name, .category = category, .summary = "test", .iterations = 10, .flags = flags};
}

// Deliberately unsorted, with two categories, two opt-in entries and names
// that test strcmp order (uppercase before lowercase, prefix before longer).
const Benchmark kTable[] = {
    bench("vmcall", "sensitive"),
    bench("cpuid", "sensitive"),
    bench("nop", "baseline"),
    bench("rdtsc", "timer"),
    bench("ipi", "multicore", hvb::kFlagOptIn),
    bench("cpuid_ext", "sensitive"),
    bench("Zap", "baseline"),
    bench("tlb_shootdown", "multicore", hvb::kFlagOptIn),
};
constexpr size_t kN = sizeof kTable / sizeof kTable[0];

struct Selected {
    Options opts;
    std::vector<const Benchmark*> out;
    size_t count = 0;
    size_t error_count = 0;
    std::vector<std::string> errors;

    // `cmdline` must be a literal (or otherwise outlive this object).
    Selected(const char* cmdline, const Benchmark* table = kTable, size_t n = kN, size_t max_out = 32) {
        EXPECT_EQ(hvb::parse_options(cmdline, opts, nullptr, 0), 0u) << cmdline;
        out.assign(max_out + 1, nullptr);
        SelectionError errs[16];
        std::memset(errs, 0x5a, sizeof errs);
        error_count = 12345;
        count = hvb::select_benchmarks(table, n, opts, out.data(), max_out, errs, 16, &error_count);
        EXPECT_LE(count, max_out);
        EXPECT_EQ(out[max_out], nullptr) << "wrote past max_out";
        for (size_t i = 0; i < error_count && i < 16; ++i) {
            size_t len = strnlen(errs[i].message, sizeof errs[i].message);
            EXPECT_LT(len, sizeof errs[i].message);
            errors.emplace_back(errs[i].message, len);
        }
    }

    Names names() const {
        Names v;
        for (size_t i = 0; i < count; ++i) v.push_back(out[i]->name);
        return v;
    }
};

TEST(SelectionDefault, SortedByNameWithoutOptIn) {
    Selected s("");
    EXPECT_EQ(s.error_count, 0u) << ::testing::PrintToString(s.errors);
    EXPECT_EQ(s.names(), (Names{"Zap", "cpuid", "cpuid_ext", "nop", "rdtsc", "vmcall"}));
    // The pointers point into the table, not at copies.
    for (size_t i = 0; i < s.count; ++i) {
        EXPECT_GE(s.out[i], kTable);
        EXPECT_LT(s.out[i], kTable + kN);
    }
}

TEST(SelectionDefault, SortIsByUnsignedBytes) {
    const Benchmark table[] = {
        bench("b\xc3\xa9", "x"),  // a UTF-8 byte (>= 0x80) sorts after every ASCII byte
        bench("bz", "x"),
        bench("B", "x"),
        bench("b", "x"),
        bench("a", "x"),
    };
    Selected s("", table, 5);
    EXPECT_EQ(s.error_count, 0u);
    EXPECT_EQ(s.names(), (Names{"B", "a", "b", "bz", "b\xc3\xa9"}));
}

TEST(SelectionDefault, EmptyTable) {
    Selected s("", nullptr, 0);
    EXPECT_EQ(s.count, 0u);
    EXPECT_EQ(s.error_count, 0u);
}

TEST(SelectionOnly, ByName) {
    Selected s("only=vmcall,nop");
    EXPECT_EQ(s.error_count, 0u) << ::testing::PrintToString(s.errors);
    EXPECT_EQ(s.names(), (Names{"nop", "vmcall"}));
}

TEST(SelectionOnly, ByCategory) {
    Selected s("only=sensitive");
    EXPECT_EQ(s.error_count, 0u);
    EXPECT_EQ(s.names(), (Names{"cpuid", "cpuid_ext", "vmcall"}));
}

TEST(SelectionOnly, NameIsNotAPrefixMatch) {
    Selected s("only=cpuid");
    EXPECT_EQ(s.names(), Names{"cpuid"});
}

TEST(SelectionOnly, IsCaseSensitive) {
    Selected s("only=zap,Zap");
    EXPECT_EQ(s.names(), Names{"Zap"});
    ASSERT_EQ(s.error_count, 1u);
    EXPECT_EQ(s.errors[0], "only=: no benchmark or category named 'zap'");
}

TEST(SelectionOnly, NameAndItsCategoryGiveOneEntry) {
    Selected s("only=cpuid,sensitive,cpuid only=sensitive");
    EXPECT_EQ(s.error_count, 0u);
    EXPECT_EQ(s.names(), (Names{"cpuid", "cpuid_ext", "vmcall"}));
}

TEST(SelectionOptIn, OnlyWhenNamed) {
    Selected by_name("only=ipi");
    EXPECT_EQ(by_name.names(), Names{"ipi"});

    Selected by_category("only=multicore");
    EXPECT_EQ(by_category.names(), (Names{"ipi", "tlb_shootdown"}));

    Selected mixed("only=baseline,ipi");
    EXPECT_EQ(mixed.names(), (Names{"Zap", "ipi", "nop"}));

    // skip= alone never brings an opt-in benchmark in.
    Selected skipped("skip=nop");
    EXPECT_EQ(skipped.names(), (Names{"Zap", "cpuid", "cpuid_ext", "rdtsc", "vmcall"}));
}

TEST(SelectionSkip, ByName) {
    Selected s("skip=cpuid,rdtsc");
    EXPECT_EQ(s.error_count, 0u);
    EXPECT_EQ(s.names(), (Names{"Zap", "cpuid_ext", "nop", "vmcall"}));
}

TEST(SelectionSkip, ByCategory) {
    Selected s("skip=sensitive");
    EXPECT_EQ(s.error_count, 0u);
    EXPECT_EQ(s.names(), (Names{"Zap", "nop", "rdtsc"}));
}

TEST(SelectionSkip, OnlyAndSkip) {
    Selected category_minus_name("only=sensitive skip=vmcall");
    EXPECT_EQ(category_minus_name.names(), (Names{"cpuid", "cpuid_ext"}));

    Selected name_minus_category("only=cpuid,nop,ipi skip=sensitive");
    EXPECT_EQ(name_minus_category.names(), (Names{"ipi", "nop"}));

    Selected optin_skipped("only=multicore skip=tlb_shootdown");
    EXPECT_EQ(optin_skipped.names(), Names{"ipi"});

}

// A selection that leaves nothing to run is an error (it used to select
// nothing and say nothing, and the kernel exited 0).
TEST(SelectionErrors, NothingLeftToRun) {
    for (const char* cmdline : {"only=timer skip=rdtsc", "only=cpuid skip=cpuid", "only=cpuid skip=sensitive"}) {
        Selected s(cmdline);
        EXPECT_EQ(s.count, 0u) << cmdline;
        ASSERT_EQ(s.error_count, 1u) << cmdline << ::testing::PrintToString(s.errors);
        EXPECT_EQ(s.errors[0], "no benchmark selected: only= and skip= leave nothing to run");
    }
    Selected all_skipped("skip=sensitive,baseline,timer");
    ASSERT_EQ(all_skipped.error_count, 1u) << ::testing::PrintToString(all_skipped.errors);
    EXPECT_EQ(all_skipped.errors[0], "no benchmark selected: only= and skip= leave nothing to run");
    // An opt-in-only table run without only= selects nothing either.
    const Benchmark optin[] = {bench("ipi", "multicore", hvb::kFlagOptIn)};
    Selected none("", optin, 1);
    ASSERT_EQ(none.error_count, 1u);
    EXPECT_EQ(none.errors[0], "no benchmark selected");
}

TEST(SelectionErrors, UnknownNamesInEachList) {
    Selected s("only=cpuid,nope skip=gone iters=missing:5,cpuid:7,sensitive:3");
    ASSERT_EQ(s.error_count, 4u) << ::testing::PrintToString(s.errors);
    EXPECT_EQ(s.errors[0], "only=: no benchmark or category named 'nope'");
    EXPECT_EQ(s.errors[1], "skip=: no benchmark or category named 'gone'");
    EXPECT_EQ(s.errors[2], "iters=: no benchmark named 'missing'");
    // iterations_for only looks at names, so a category count would do nothing.
    EXPECT_EQ(s.errors[3], "iters=: no benchmark named 'sensitive' (categories cannot take a count)");
    EXPECT_EQ(s.names(), Names{"cpuid"});  // the valid names still select
}

TEST(SelectionErrors, RepeatedUnknownNameReportedOnce) {
    Selected s("only=nope,nope only=nope,cpuid");
    ASSERT_EQ(s.error_count, 1u);
    EXPECT_EQ(s.errors[0], "only=: no benchmark or category named 'nope'");
}

TEST(SelectionErrors, SkipOfOptInNameIsKnown) {
    Selected s("skip=ipi,multicore");
    EXPECT_EQ(s.error_count, 0u);
}

TEST(SelectionErrors, DuplicateTableNames) {
    const Benchmark table[] = {
        bench("b", "first"), bench("a", "x"), bench("b", "second"), bench("c", "x"), bench("b", "third"),
        bench("c", "x"),
    };
    Selected s("", table, 6);
    ASSERT_EQ(s.error_count, 2u) << ::testing::PrintToString(s.errors);
    EXPECT_EQ(s.errors[0], "duplicate benchmark name 'b'");
    EXPECT_EQ(s.errors[1], "duplicate benchmark name 'c'");
    ASSERT_EQ(s.names(), (Names{"a", "b", "c"}));  // each name once
    EXPECT_STREQ(s.out[1]->category, "first");      // the first entry wins
}

TEST(SelectionErrors, TooManyForOut) {
    Selected s("", kTable, kN, 4);
    ASSERT_EQ(s.count, 4u);
    ASSERT_EQ(s.error_count, 1u);
    EXPECT_EQ(s.errors[0], "too many benchmarks selected: 6 (max 4)");
    // The first max_out in name order are kept, even though the table is unsorted.
    EXPECT_EQ(s.names(), (Names{"Zap", "cpuid", "cpuid_ext", "nop"}));
}

TEST(SelectionErrors, OneTooManyForOut) {
    Selected s("", kTable, kN, 5);
    ASSERT_EQ(s.count, 5u);
    ASSERT_EQ(s.error_count, 1u);
    EXPECT_EQ(s.errors[0], "too many benchmarks selected: 6 (max 5)");
    EXPECT_EQ(s.names(), (Names{"Zap", "cpuid", "cpuid_ext", "nop", "rdtsc"}));
}

TEST(SelectionErrors, ExactlyFitsOut) {
    Selected s("", kTable, kN, 6);
    EXPECT_EQ(s.count, 6u);
    EXPECT_EQ(s.error_count, 0u);
}

TEST(SelectionErrors, ZeroCapacity) {
    Options opts;
    size_t errors = 99;
    EXPECT_EQ(hvb::select_benchmarks(kTable, kN, opts, nullptr, 0, nullptr, 0, &errors), 0u);
    EXPECT_EQ(errors, 1u);
}

TEST(SelectionErrors, CountBeyondMaxErrors) {
    Options opts;
    ASSERT_EQ(hvb::parse_options("only=a,b,c,cpuid", opts, nullptr, 0), 0u);
    const Benchmark* out[8] = {};
    SelectionError errs[3];
    std::memset(errs, 'Z', sizeof errs);
    size_t error_count = 0;
    size_t n = hvb::select_benchmarks(kTable, kN, opts, out, 8, errs, 2, &error_count);
    EXPECT_EQ(n, 1u);
    EXPECT_EQ(error_count, 3u);
    EXPECT_STREQ(errs[0].message, "only=: no benchmark or category named 'a'");
    EXPECT_STREQ(errs[1].message, "only=: no benchmark or category named 'b'");
    for (char c : errs[2].message) EXPECT_EQ(c, 'Z');  // never written

    // A null error_count is tolerated.
    EXPECT_EQ(hvb::select_benchmarks(kTable, kN, opts, out, 8, nullptr, 0, nullptr), 1u);
}

TEST(SelectionErrors, LongUnknownNameIsClipped) {
    static const std::string line = "only=" + std::string(300, 'q');
    Selected s(line.c_str());
    ASSERT_EQ(s.error_count, 1u);
    EXPECT_EQ(s.errors[0], "only=: no benchmark or category named '" + std::string(60, 'q') + "...'");
    EXPECT_LE(s.errors[0].size(), 159u);
}

}  // namespace
