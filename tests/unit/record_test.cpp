// tests/unit/record_test.cpp — tests for the "@hvb" record writers in kernel/record.
#include "kernel/record.h"
#include "posih/interrupt.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

// Records every put call separately, so tests can check a record is one call.
struct Capture {
    std::vector<std::string> puts;
    static void put(void* ctx, const char* s, size_t n) {
        static_cast<Capture*>(ctx)->puts.emplace_back(s, n);
    }
    hvb::Sink sink() { return hvb::Sink{&Capture::put, this}; }
    // The single record written; fails the test if there was not exactly one put.
    std::string only() const {
        EXPECT_EQ(puts.size(), 1u) << "a record must be exactly one put call";
        return puts.empty() ? std::string() : puts.back();
    }
};

std::string ErrorLine(const char* message) {
    Capture cap;
    hvb::write_error(cap.sink(), message);
    return cap.only();
}

// The escaped text of the message field of an error record.
std::string ErrorField(const char* message) {
    std::string line = ErrorLine(message);
    const std::string head = "@hvb {\"type\":\"error\",\"message\":\"";
    const std::string tail = "\"}\n";
    EXPECT_EQ(line.compare(0, head.size(), head), 0) << line;
    EXPECT_GE(line.size(), head.size() + tail.size());
    EXPECT_EQ(line.compare(line.size() - tail.size(), tail.size(), tail), 0) << line;
    return line.substr(head.size(), line.size() - head.size() - tail.size());
}

// Decodes the escapes this writer produces; fails on anything else, including
// an escape cut short (which would be a broken string).
bool Unescape(const std::string& esc, std::string* out) {
    out->clear();
    for (size_t i = 0; i < esc.size(); ++i) {
        char c = esc[i];
        if (c == '"') return false;  // must have been escaped
        if (c != '\\') {
            out->push_back(c);
            continue;
        }
        if (i + 1 >= esc.size()) return false;
        char k = esc[++i];
        if (k == '"' || k == '\\') {
            out->push_back(k);
        } else if (k == 'u') {
            if (i + 4 >= esc.size()) return false;  // cut-off \u escape
            std::string hex = esc.substr(i + 1, 4);
            if (hex.size() != 4 || hex[0] != '0' || hex[1] != '0') return false;
            out->push_back(static_cast<char>(std::stoi(hex, nullptr, 16)));
            i += 4;
        } else {
            return false;
        }
    }
    return true;
}

size_t EscapedLength(unsigned char c) {
    if (c == '"' || c == '\\') return 2;
    if (c < 0x20 || c >= 0x7f) return 6;
    return 1;
}

void ExpectPrintableAsciiLine(const std::string& line) {
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    EXPECT_LE(line.size(), hvb::kMaxRecordLine);
    for (size_t i = 0; i + 1 < line.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        ASSERT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << i << " is " << int(c);
    }
}

hvb::HeaderRecord SampleHeader() {
    hvb::HeaderRecord h{};
    h.cpu_vendor = "GenuineIntel";
    h.cpu_model = "Intel(R) Xeon(R) CPU @ 2.00GHz";
    h.cpu_family = 6;
    h.cpu_model_id = 85;
    h.cpu_stepping = 7;
    h.hypervisor = "KVMKVMKVM";
    h.hypervisor_version = "4.17";
    h.domain = "dom0";
    h.quirks = "xen-xsdt-signature";
    h.console = "xen-consoleio";
    h.timer_hz = 2000000000;
    h.timer_unit = "cycles";
    h.rate_source = "cpuid15";
    h.invariant_counter = true;
    h.cpus = 1;
    h.intc = "x2apic";
    h.memory_bytes = 134217728;
    h.boot = "pvh";
    h.loader = "qemu";
    h.cmdline = "reps=11 only=cpuid";
    h.timer = "rdtsc";
    h.timing = "internal";
    h.default_reps = 11;
    h.benchmarks = 3;
    h.boot_us = 91234;
    h.timer_milli = 19928000;
    h.timer_mad_milli = 54000;
    h.counter_read_milli = 5120000;
    h.counter_intercepted = true;
    h.smi_counter = true;
    h.iterations_adaptive = true;
    h.reps_adaptive = false;
    h.target_permille = 5;
    h.target_min_milli = 1000;
    h.confidence_percent = 95;
    h.budget_ms = 60;
    h.min_reps = 6;
    h.max_reps = 11;
    h.loop_target_cycles = 1992800;
    h.speed_check = true;
    h.speed_mad_permille = 2;
    h.outlier_rule = "rule";
    h.pinned = "vcpus";
    h.linearity = true;
    h.verify = true;
    return h;
}

hvb::ResultRecord SampleResult() {
    hvb::ResultRecord r{};
    r.name = "cpuid";
    r.category = "sensitive";
    r.status = hvb::Status::ok;
    r.reason = "";
    r.iterations = 10000;
    r.repetitions = 11;
    r.min_milli = 1250;
    r.median_milli = 1500;
    r.mean_milli = 1600;
    r.mad_milli = 100;
    r.control_median_milli = 2000;
    r.has_fault = false;
    return r;
}

TEST(RecordTest, Header) {
    Capture cap;
    hvb::write_header(cap.sink(), SampleHeader());
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"header\",\"version\":1,\"cpu_vendor\":\"GenuineIntel\","
              "\"cpu_model\":\"Intel(R) Xeon(R) CPU @ 2.00GHz\",\"cpu_family\":6,"
              "\"cpu_model_id\":85,\"cpu_stepping\":7,\"hypervisor\":\"KVMKVMKVM\","
              "\"hypervisor_version\":\"4.17\",\"domain\":\"dom0\",\"quirks\":\"xen-xsdt-signature\","
              "\"console\":\"xen-consoleio\","
              "\"timer_hz\":2000000000,\"timer_unit\":\"cycles\",\"rate_source\":\"cpuid15\",\"invariant_counter\":true,"
              "\"cpus\":1,\"intc\":\"x2apic\",\"memory_bytes\":134217728,\"boot\":\"pvh\",\"loader\":\"qemu\","
              "\"cmdline\":\"reps=11 only=cpuid\",\"timer\":\"rdtsc\",\"timing\":\"internal\",\"reps\":11,"
              "\"benchmarks\":3,\"boot_us\":91234}\n");
}

// The header's measurement fields, in a record of their own (sent after
// pass 1's first benchmark).
TEST(RecordTest, Method) {
    Capture cap;
    hvb::write_method(cap.sink(), SampleHeader());
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"method\",\"timer_cycles\":19928.000,\"timer_mad\":54.000,\"counter_read_cycles\":5120.000,"
              "\"counter_intercepted\":true,\"smi_counter\":true,\"iterations_mode\":\"adaptive\",\"reps_mode\":\"fixed\","
              "\"loop_target_cycles\":1992800,\"speed_check\":true,\"speed_mad_permille\":2,\"target_permille\":5,\"target_min_cycles\":1.000,\"confidence_percent\":95,"
              "\"budget_ms\":60,\"min_reps\":6,\"max_reps\":11,\"outlier_rule\":\"rule\",\"pinned\":\"vcpus\",\"linearity\":true,\"verify\":true}\n");
}

TEST(RecordTest, HeaderNullStringsAndExtremes) {
    hvb::HeaderRecord h{};  // every string null, every number zero
    h.invariant_counter = false;
    h.timer_hz = UINT64_MAX;
    h.cpu_family = UINT32_MAX;
    Capture cap;
    hvb::write_header(cap.sink(), h);
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"header\",\"version\":1,\"cpu_vendor\":\"\",\"cpu_model\":\"\","
              "\"cpu_family\":4294967295,\"cpu_model_id\":0,\"cpu_stepping\":0,"
              "\"hypervisor\":\"\",\"hypervisor_version\":\"\",\"domain\":\"\",\"quirks\":\"\",\"console\":\"\","
              "\"timer_hz\":18446744073709551615,\"timer_unit\":\"\",\"rate_source\":\"\","
              "\"invariant_counter\":false,\"cpus\":0,\"intc\":\"\",\"memory_bytes\":0,\"boot\":\"\","
              "\"loader\":\"\",\"cmdline\":\"\",\"timer\":\"\",\"timing\":\"\",\"reps\":0,\"benchmarks\":0,"
              "\"boot_us\":0}\n");
    Capture method;
    hvb::write_method(method.sink(), h);
    EXPECT_EQ(method.only(),
              "@hvb {\"type\":\"method\",\"timer_cycles\":0.000,\"timer_mad\":0.000,\"counter_read_cycles\":0.000,\"counter_intercepted\":false,"
              "\"smi_counter\":false,\"iterations_mode\":\"fixed\",\"reps_mode\":\"fixed\",\"loop_target_cycles\":0,\"speed_check\":false,\"speed_mad_permille\":0,"
              "\"target_permille\":0,\"target_min_cycles\":0.000,\"confidence_percent\":0,\"budget_ms\":0,\"min_reps\":0,"
              "\"max_reps\":0,\"outlier_rule\":\"\",\"pinned\":\"\",\"linearity\":false,\"verify\":false}\n");
}

TEST(RecordTest, Begin) {
    Capture cap;
    hvb::write_begin(cap.sink(), "cpuid", 1, 3);
    EXPECT_EQ(cap.only(), "@hvb {\"type\":\"begin\",\"name\":\"cpuid\",\"index\":1,\"total\":3}\n");
    Capture cap2;
    hvb::write_begin(cap2.sink(), nullptr, 0, UINT32_MAX);
    EXPECT_EQ(cap2.only(),
              "@hvb {\"type\":\"begin\",\"name\":\"\",\"index\":0,\"total\":4294967295}\n");
}

TEST(RecordTest, ResultOk) {
    Capture cap;
    hvb::write_result(cap.sink(), SampleResult());
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"result\",\"name\":\"cpuid\",\"category\":\"sensitive\","
              "\"status\":\"ok\",\"reason\":\"\",\"iterations\":10000,\"repetitions\":11,"
              "\"cycles\":{\"min\":1.250,\"median\":1.500,\"mean\":1.600,\"mad\":0.100},"
              "\"control\":{\"median\":2.000},\"iterations_mode\":\"fixed\",\"noisy\":false,\"outliers\":0,\"interrupts\":0,\"elapsed_us\":0,\"t_us\":0}\n");
}

TEST(RecordTest, ResultNegativeAndExtremeCycles) {
    hvb::ResultRecord r = SampleResult();
    r.min_milli = -500;
    r.median_milli = -1;
    r.mean_milli = INT64_MIN;
    r.mad_milli = INT64_MAX;
    r.control_median_milli = 0;
    r.iterations = UINT64_MAX;
    r.status = hvb::Status::timeout;
    r.reason = nullptr;
    r.name = nullptr;
    r.category = nullptr;
    Capture cap;
    hvb::write_result(cap.sink(), r);
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"result\",\"name\":\"\",\"category\":\"\","
              "\"status\":\"timeout\",\"reason\":\"\",\"iterations\":18446744073709551615,"
              "\"repetitions\":11,\"cycles\":{\"min\":-0.500,\"median\":-0.001,"
              "\"mean\":-9223372036854775.808,\"mad\":9223372036854775.807},"
              "\"control\":{\"median\":0.000},\"iterations_mode\":\"fixed\",\"noisy\":false,\"outliers\":0,\"interrupts\":0,\"elapsed_us\":0,\"t_us\":0}\n");
}

TEST(RecordTest, ResultWithFaultAndErrorCode) {
    hvb::ResultRecord r = SampleResult();
    r.status = hvb::Status::faulted;
    r.reason = "vmcall faulted";
    r.min_milli = r.median_milli = r.mean_milli = r.mad_milli = 0;
    r.control_median_milli = 0;
    r.has_fault = true;
    r.fault.vector = 13;
    r.fault.pc = 0xffffffff80001234ULL;
    r.fault.error_code = 0x18;
    r.fault.has_error_code = true;
    Capture cap;
    hvb::write_result(cap.sink(), r);
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"result\",\"name\":\"cpuid\",\"category\":\"sensitive\","
              "\"status\":\"faulted\",\"reason\":\"vmcall faulted\",\"iterations\":10000,"
              "\"repetitions\":11,\"cycles\":{\"min\":0.000,\"median\":0.000,\"mean\":0.000,"
              "\"mad\":0.000},\"control\":{\"median\":0.000},\"iterations_mode\":\"fixed\",\"noisy\":false,\"outliers\":0,\"interrupts\":0,\"elapsed_us\":0,\"t_us\":0,\"fault\":{\"vector\":13,"
              "\"name\":\"#GP\",\"pc\":\"0xffffffff80001234\",\"error_code\":24}}\n");
}

TEST(RecordTest, ResultWithFaultWithoutErrorCode) {
    hvb::ResultRecord r = SampleResult();
    r.status = hvb::Status::faulted;
    r.has_fault = true;
    r.fault.vector = 6;
    r.fault.pc = 0x1234;
    r.fault.error_code = 99;  // ignored: has_error_code is false
    r.fault.has_error_code = false;
    Capture cap;
    hvb::write_result(cap.sink(), r);
    std::string line = cap.only();
    const std::string tail =
        ",\"t_us\":0,\"fault\":{\"vector\":6,\"name\":\"#UD\",\"pc\":\"0x0000000000001234\"}}\n";
    ASSERT_GE(line.size(), tail.size());
    EXPECT_EQ(line.substr(line.size() - tail.size()), tail);
    EXPECT_EQ(line.find("error_code"), std::string::npos);
}

TEST(RecordTest, ResultFaultOutOfRangeVector) {
    hvb::ResultRecord r = SampleResult();
    r.has_fault = true;
    r.fault.vector = 200;
    Capture cap;
    hvb::write_result(cap.sink(), r);
    EXPECT_NE(cap.only().find("\"fault\":{\"vector\":200,\"name\":\"#??\",\"pc\":"
                              "\"0x0000000000000000\"}"),
              std::string::npos);
}

TEST(RecordTest, Error) {
    EXPECT_EQ(ErrorLine("unknown option: foo"),
              "@hvb {\"type\":\"error\",\"message\":\"unknown option: foo\"}\n");
    EXPECT_EQ(ErrorLine(nullptr), "@hvb {\"type\":\"error\",\"message\":\"\"}\n");
    EXPECT_EQ(ErrorLine(""), "@hvb {\"type\":\"error\",\"message\":\"\"}\n");
}

TEST(RecordTest, End) {
    hvb::EndRecord e{};
    e.counts[static_cast<size_t>(hvb::Status::ok)] = 3;
    e.counts[static_cast<size_t>(hvb::Status::unsupported)] = 1;
    e.counts[static_cast<size_t>(hvb::Status::faulted)] = 2;
    e.counts[static_cast<size_t>(hvb::Status::skipped)] = 4;
    e.counts[static_cast<size_t>(hvb::Status::timeout)] = 5;
    e.errors = 6;
    e.exit_code = 1;
    Capture cap;
    hvb::write_end(cap.sink(), e);
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"end\",\"counts\":{\"ok\":3,\"unsupported\":1,\"faulted\":2,"
              "\"skipped\":4,\"timeout\":5},\"errors\":6,\"exit_code\":1}\n");
}

TEST(RecordTest, EndZeroAndNegativeExit) {
    hvb::EndRecord e{};
    Capture cap;
    hvb::write_end(cap.sink(), e);
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"end\",\"counts\":{\"ok\":0,\"unsupported\":0,\"faulted\":0,"
              "\"skipped\":0,\"timeout\":0},\"errors\":0,\"exit_code\":0}\n");
    e.exit_code = -2147483647 - 1;
    Capture cap2;
    hvb::write_end(cap2.sink(), e);
    EXPECT_NE(cap2.only().find("\"exit_code\":-2147483648}\n"), std::string::npos);
}

TEST(RecordEscapeTest, QuotesBackslashesControlAndHighBytes) {
    EXPECT_EQ(ErrorField("say \"hi\""), "say \\\"hi\\\"");
    EXPECT_EQ(ErrorField("C:\\path\\"), "C:\\\\path\\\\");
    EXPECT_EQ(ErrorField("a\nb\tc\rd"), "a\\u000ab\\u0009c\\u000dd");
    EXPECT_EQ(ErrorField("\x01\x1f"), "\\u0001\\u001f");
    EXPECT_EQ(ErrorField("\x7f"), "\\u007f");
    EXPECT_EQ(ErrorField("\x80\xff\xc3\xa9"), "\\u0080\\u00ff\\u00c3\\u00a9");
    EXPECT_EQ(ErrorField(" ~/'{}[]:,"), " ~/'{}[]:,") << "printable ASCII passes through";
}

TEST(RecordEscapeTest, EveryByteRoundTrips) {
    std::string all;
    for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
    // 255 bytes escape to far more than the cap; check in parts.
    std::string a = all.substr(0, 60), b = all.substr(60, 60), c = all.substr(120, 60),
                d = all.substr(180);
    for (const std::string& part : {a, b, c, d}) {
        std::string field = ErrorField(part.c_str());
        std::string decoded;
        ASSERT_TRUE(Unescape(field, &decoded)) << field;
        // Either the whole part, or a cap-limited prefix of it.
        EXPECT_EQ(part.compare(0, decoded.size(), decoded), 0);
        EXPECT_LE(field.size(), hvb::kMaxStringField);
        ExpectPrintableAsciiLine(ErrorLine(part.c_str()));
    }
}

TEST(RecordEscapeTest, StringCapPlainText) {
    std::string s(500, 'a');
    EXPECT_EQ(ErrorField(s.c_str()), std::string(hvb::kMaxStringField, 'a'));
    std::string exact(hvb::kMaxStringField, 'b');
    EXPECT_EQ(ErrorField(exact.c_str()), exact);
}

TEST(RecordEscapeTest, StringCapNeverSplitsAnEscape) {
    const size_t cap = hvb::kMaxStringField;
    // A 2-byte escape with one byte of room is dropped whole.
    std::string q(cap - 1, 'a');
    q += "\"zzz";
    EXPECT_EQ(ErrorField(q.c_str()), std::string(cap - 1, 'a'));
    // A 2-byte escape that fits exactly is kept.
    std::string q2(cap - 2, 'a');
    q2 += "\\zzz";
    EXPECT_EQ(ErrorField(q2.c_str()), std::string(cap - 2, 'a') + "\\\\");
    // A 6-byte escape with 5 bytes of room is dropped whole...
    std::string u(cap - 5, 'a');
    u += "\x01zzz";
    EXPECT_EQ(ErrorField(u.c_str()), std::string(cap - 5, 'a'));
    // ...and with exactly 6 bytes of room it is kept.
    std::string u2(cap - 6, 'a');
    u2 += "\x01zzz";
    EXPECT_EQ(ErrorField(u2.c_str()), std::string(cap - 6, 'a') + "\\u0001");
    // Nothing after a dropped escape is added, even if it would fit.
    std::string after(cap - 1, 'a');
    after += "\"b";
    EXPECT_EQ(ErrorField(after.c_str()), std::string(cap - 1, 'a'));
}

TEST(RecordEscapeTest, RandomStringsStayWellFormed) {
    std::mt19937_64 rng(99);
    for (int round = 0; round < 400; ++round) {
        size_t n = rng() % 700;
        std::string s;
        for (size_t i = 0; i < n; ++i) {
            char c = static_cast<char>(1 + rng() % 255);
            if (rng() % 4 == 0) c = "\"\\\n\x01\xff"[rng() % 5];
            s.push_back(c);
        }
        std::string field = ErrorField(s.c_str());
        ASSERT_LE(field.size(), hvb::kMaxStringField);
        std::string decoded;
        ASSERT_TRUE(Unescape(field, &decoded)) << "round " << round;
        ASSERT_EQ(s.compare(0, decoded.size(), decoded), 0) << "round " << round;
        if (decoded.size() < s.size()) {
            // Truncated only because the next escape would not have fit.
            size_t next = EscapedLength(static_cast<unsigned char>(s[decoded.size()]));
            ASSERT_GT(field.size() + next, hvb::kMaxStringField) << "round " << round;
        }
        ExpectPrintableAsciiLine(ErrorLine(s.c_str()));
    }
}

TEST(RecordTest, WorstCaseRecordsFitInOneLineAndOnePut) {
    // Every string field at its worst: all 6-byte escapes, far past the cap.
    std::string worst(1000, '\x01');
    // Every field of the header table (kernel/header_fields.h) at its
    // longest: strings all escapes, numbers at their widest.
    hvb::HeaderRecord h = SampleHeader();
#define WORST_text(m) m = worst.c_str();
#define WORST_word(m) m = worst.c_str();
#define WORST_u32(m) m = UINT32_MAX;
#define WORST_u64(m) m = UINT64_MAX;
#define WORST_i64(m) m = INT64_MIN;
#define WORST_milli(m) m = INT64_MIN;
#define WORST_flag(m) m = false;
#define WORST_mode(m) m = false;
#define WORST_ROW(member, kind, record, sent, need, wire, old, json, ctx_key, unit, kernel) WORST_##kind(h.kernel)
    HVB_HEADER_FIELDS(WORST_ROW)
#undef WORST_ROW
    Capture cap;
    hvb::write_header(cap.sink(), h);
    std::string line = cap.only();
    ExpectPrintableAsciiLine(line);
    EXPECT_EQ(line.substr(line.size() - 2), "}\n") << "the record must not be truncated";
    EXPECT_NE(line.find("\"passes\":4294967295}"), std::string::npos) << line;
    Capture method;
    hvb::write_method(method.sink(), h);
    line = method.only();
    ExpectPrintableAsciiLine(line);
    EXPECT_NE(line.find("\"verify\":false}\n"), std::string::npos) << line;

    hvb::ResultRecord r = SampleResult();
    r.name = r.category = r.reason = worst.c_str();
    r.iterations = UINT64_MAX;
    r.min_milli = r.median_milli = r.mean_milli = r.mad_milli = INT64_MIN;
    r.control_median_milli = INT64_MIN;
    r.has_fault = true;
    r.fault = {255, UINT64_MAX, UINT64_MAX, true};
    Capture cap2;
    hvb::write_result(cap2.sink(), r);
    line = cap2.only();
    ExpectPrintableAsciiLine(line);
    EXPECT_NE(line.find("\"error_code\":18446744073709551615}}\n"), std::string::npos);

    Capture cap3;
    hvb::write_begin(cap3.sink(), worst.c_str(), UINT32_MAX, UINT32_MAX);
    ExpectPrintableAsciiLine(cap3.only());
    Capture cap4;
    hvb::write_error(cap4.sink(), worst.c_str());
    ExpectPrintableAsciiLine(cap4.only());
}

TEST(RecordTest, OnePutPerRecordInSequence) {
    Capture cap;
    hvb::write_header(cap.sink(), SampleHeader());
    hvb::write_begin(cap.sink(), "a", 1, 2);
    hvb::write_result(cap.sink(), SampleResult());
    hvb::write_error(cap.sink(), "oops");
    hvb::EndRecord e{};
    hvb::write_end(cap.sink(), e);
    ASSERT_EQ(cap.puts.size(), 5u);
    const char* types[] = {"header", "begin", "result", "error", "end"};
    for (size_t i = 0; i < 5; ++i) {
        const std::string& p = cap.puts[i];
        EXPECT_EQ(p.rfind(std::string("@hvb {\"type\":\"") + types[i] + "\"", 0), 0u) << p;
        EXPECT_EQ(p.find('\n'), p.size() - 1) << "exactly one newline, at the end";
    }
}

TEST(RecordStatusTest, NamesRoundTrip) {
    const char* expected[] = {"ok", "unsupported", "faulted", "skipped", "timeout"};
    static_assert(hvb::kStatusCount == 5);
    for (size_t i = 0; i < hvb::kStatusCount; ++i) {
        hvb::Status s = static_cast<hvb::Status>(i);
        const char* name = hvb::status_name(s);
        EXPECT_STREQ(name, expected[i]);
        hvb::Status back = hvb::Status::timeout;
        if (s == hvb::Status::timeout) back = hvb::Status::ok;
        ASSERT_TRUE(hvb::status_from_name(name, std::strlen(name), &back)) << name;
        EXPECT_EQ(back, s);
    }
}

TEST(RecordStatusTest, RejectsOtherNames) {
    hvb::Status out = hvb::Status::skipped;
    EXPECT_FALSE(hvb::status_from_name("OK", 2, &out));
    EXPECT_FALSE(hvb::status_from_name("okay", 4, &out));
    EXPECT_FALSE(hvb::status_from_name("o", 1, &out));
    EXPECT_FALSE(hvb::status_from_name("", 0, &out));
    EXPECT_FALSE(hvb::status_from_name("faulted ", 8, &out));
    EXPECT_FALSE(hvb::status_from_name("timeou", 6, &out));
    EXPECT_FALSE(hvb::status_from_name(nullptr, 0, &out));
    EXPECT_EQ(out, hvb::Status::skipped) << "out is untouched on failure";
}

TEST(RecordStatusTest, LengthDelimitedNotNulTerminated) {
    // The parser takes a slice of a larger buffer (no NUL after the name).
    const char line[] = "faultedXYZ";
    hvb::Status out = hvb::Status::ok;
    EXPECT_TRUE(hvb::status_from_name(line, 7, &out));
    EXPECT_EQ(out, hvb::Status::faulted);
    EXPECT_FALSE(hvb::status_from_name(line, 8, &out));
}

TEST(RecordStatusTest, OutOfRangeStatusHasAName) {
    EXPECT_STREQ(hvb::status_name(static_cast<hvb::Status>(5)), "unknown");
    EXPECT_STREQ(hvb::status_name(static_cast<hvb::Status>(255)), "unknown");
}

TEST(RecordVectorTest, AllThirtyTwoVectors) {
    const char* expected[32] = {
        "#DE",  "#DB",  "NMI",  "#BP",  "#OF",  "#BR",  "#UD",  "#NM",
        "#DF",  "CSO",  "#TS",  "#NP",  "#SS",  "#GP",  "#PF",  "#R15",
        "#MF",  "#AC",  "#MC",  "#XM",  "#VE",  "#CP",  "#R22", "#R23",
        "#R24", "#R25", "#R26", "#R27", "#HV",  "#VC",  "#SX",  "#R31",
    };
    for (unsigned v = 0; v < 32; ++v) {
        EXPECT_STREQ(hvb::vector_name(static_cast<uint8_t>(v)), expected[v]) << "vector " << v;
    }
}

TEST(RecordVectorTest, FatalDumpDescriptionsComeFromTheSameTable) {
    EXPECT_STREQ(hvb::fault_mnemonic(6), "#UD");
    EXPECT_STREQ(hvb::fault_description(6), "invalid opcode");
    EXPECT_STREQ(hvb::fault_description(14), "page fault");
    EXPECT_STREQ(hvb::fault_description(22), "reserved");
    EXPECT_STREQ(hvb::fault_description(32), "interrupt");
    for (unsigned v = 0; v < 32; ++v) EXPECT_STREQ(hvb::fault_mnemonic(v), hvb::vector_name(uint8_t(v)));
}

TEST(RecordVectorTest, OutOfRange) {
    EXPECT_STREQ(hvb::vector_name(32), "#??");
    EXPECT_STREQ(hvb::vector_name(128), "#??");
    EXPECT_STREQ(hvb::vector_name(255), "#??");
}

TEST(RecordVectorTest, NamesAreJsonSafe) {
    // Names are short, printable and need no escaping inside a record.
    for (unsigned v = 0; v < 256; ++v) {
        const char* n = hvb::vector_name(static_cast<uint8_t>(v));
        ASSERT_NE(n, nullptr);
        size_t len = std::strlen(n);
        EXPECT_GE(len, 3u);
        EXPECT_LE(len, 4u);
        for (size_t i = 0; i < len; ++i) EXPECT_TRUE(n[i] != '"' && n[i] != '\\');
    }
}

}  // namespace

TEST(RecordParams, WrittenAfterControlInOrder) {
    uint64_t ws = 4194304, ps = 4096;
    const hvb::BenchParam params[] = {{"working_set", &ws, 0, 0, ""}, {"page_size", &ps, 0, 0, ""}};
    hvb::ResultRecord r = SampleResult();
    r.params = params;
    r.param_count = 2;
    Capture cap;
    hvb::write_result(cap.sink(), r);
    EXPECT_NE(cap.only().find("\"t_us\":0,\"params\":{\"working_set\":4194304,\"page_size\":4096}}\n"),
              std::string::npos)
        << cap.only();
}

TEST(RecordQuality, IntervalNoiseHazardsAndLinearity) {
    hvb::ResultRecord r = SampleResult();
    r.iterations_adaptive = true;
    r.has_ci = true;
    r.ci_low_milli = 1450;
    r.ci_high_milli = 1525;
    r.noisy = true;
    r.outliers = 2;
    r.interrupts = 7;
    r.has_smis = true;
    r.smis = 1;
    r.has_speed_permille = true;
    r.speed_permille = -130;
    r.has_timer_drift_permille = true;
    r.timer_drift_permille = 412;
    r.elapsed_us = 61234;
    r.t_us = 987654;
    const hvb::LinearityLevel levels[] = {
        {100, 1500, true, 1450, 1525, 11, true, 1000},
        {1000, 1530, false, 0, 0, 3, true, 1020},
    };
    r.linearity = levels;
    r.linearity_count = 2;
    Capture cap;
    hvb::write_result(cap.sink(), r);
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"result\",\"name\":\"cpuid\",\"category\":\"sensitive\",\"status\":\"ok\","
              "\"reason\":\"\",\"iterations\":10000,\"repetitions\":11,\"cycles\":{\"min\":1.250,\"median\":1.500,"
              "\"mean\":1.600,\"mad\":0.100,\"ci_low\":1.450,\"ci_high\":1.525},\"control\":{\"median\":2.000},"
              "\"iterations_mode\":\"adaptive\",\"noisy\":true,\"outliers\":2,\"interrupts\":7,\"smis\":1,"
              "\"timer_drift_permille\":412,\"speed_permille\":-130,\"elapsed_us\":61234,\"t_us\":987654,\"linearity\":[{\"iterations\":100,\"median\":1.500,"
              "\"ci_low\":1.450,\"ci_high\":1.525,\"repetitions\":11,\"noisy\":true,\"ratio\":1.000},"
              "{\"iterations\":1000,\"median\":1.530,\"repetitions\":3,\"noisy\":true,\"ratio\":1.020}]}\n");
}

TEST(RecordQuality, InitTimeWhenItTookAMicrosecond) {
    hvb::ResultRecord r = SampleResult();
    Capture quick;
    hvb::write_result(quick.sink(), r);
    EXPECT_EQ(quick.only().find("init_us"), std::string::npos) << quick.only();
    r.init_us = 1234;
    Capture slow;
    hvb::write_result(slow.sink(), r);
    EXPECT_NE(slow.only().find("\"t_us\":0,\"init_us\":1234}"), std::string::npos) << slow.only();
}

TEST(RecordVerify, MeasuredAndFailed) {
    Capture cap;
    hvb::VerifyRecord v{"int3", 3304, true, 1322700, 5, false, ""};
    hvb::write_verify(cap.sink(), v);
    EXPECT_EQ(cap.only(),
              "@hvb {\"type\":\"verify\",\"name\":\"int3\",\"iterations\":3304,\"measured\":true,"
              "\"median\":1322.700,\"repetitions\":5,\"agrees\":false}\n");
    Capture cap2;
    hvb::VerifyRecord f{"mem_cold", 256, false, 0, 0, false, "no \"memory\""};
    hvb::write_verify(cap2.sink(), f);
    EXPECT_EQ(cap2.only(),
              "@hvb {\"type\":\"verify\",\"name\":\"mem_cold\",\"iterations\":256,\"measured\":false,"
              "\"reason\":\"no \\\"memory\\\"\",\"agrees\":false}\n");
}
