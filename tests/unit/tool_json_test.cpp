// tests/unit/tool_json_test.cpp — the host tools' JSON reader and writer.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tools/json.h"

namespace {

using hvb::tools::Json;
using hvb::tools::json_quote;
using hvb::tools::parse_json;
using hvb::tools::serialize_json;

Json Parse(const std::string& s) {
    std::string err;
    auto j = parse_json(s, &err);
    EXPECT_TRUE(j.has_value()) << s << ": " << err;
    return j ? *j : Json();
}

TEST(ToolJson, ParsesTheKernelsRecords) {
    Json j = Parse(R"({"type":"result","name":"cpuid","cycles":{"min":-1.180,"median":31.306},"ok":true,"n":null})");
    EXPECT_EQ(j.get_string("name"), "cpuid");
    EXPECT_EQ(j.get("cycles")->get_milli("median"), 31306);
    EXPECT_EQ(j.get("cycles")->get_milli("min"), -1180);
    EXPECT_EQ(j.get_bool("ok"), true);
    EXPECT_TRUE(j.get("n")->is(Json::Kind::null));
}

TEST(ToolJson, RejectsMalformedText) {
    for (const char* bad : {"{", "{\"a\":}", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "tru", "{} x", "\"a\nb\"",
                            "1.", "-", "1e", "\"\\u12\""}) {
        std::string err;
        EXPECT_FALSE(parse_json(bad, &err).has_value()) << bad;
        EXPECT_FALSE(err.empty());
    }
}

TEST(ToolJson, DepthIsLimited) {
    std::string deep(100, '[');
    deep += std::string(100, ']');
    std::string err;
    EXPECT_FALSE(parse_json(deep, &err).has_value());
}

TEST(ToolJson, QuoteEscapesToAscii) {
    EXPECT_EQ(json_quote("a\"b\\c\n\t\x01"), "\"a\\\"b\\\\c\\n\\t\\u0001\"");
    EXPECT_EQ(json_quote("\xc3\xa9"), "\"\\u00e9\"");                    // é
    EXPECT_EQ(json_quote("\xf0\x9f\x98\x80"), "\"\\ud83d\\ude00\"");      // U+1F600
    EXPECT_EQ(json_quote("\xff"), "\"\\ufffd\"");                         // not UTF-8
    EXPECT_EQ(json_quote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");              // overlong
}

TEST(ToolJson, SurrogatePairsDecodeToOneCodePoint) {
    Json j = Parse(R"(["\ud83d\ude00", "\u00e9", "\ud800x"])");
    ASSERT_EQ(j.items.size(), 3u);
    EXPECT_EQ(j.items[0].text, "\xf0\x9f\x98\x80");
    EXPECT_EQ(j.items[1].text, "\xc3\xa9");
    EXPECT_EQ(j.items[2].text.back(), 'x');
}

TEST(ToolJson, SerializeRoundTripsBothStyles) {
    Json doc = Json::object()
                   .set("s", Json::string_value("x\"y\n\xc3\xa9"))
                   .set("i", Json::integer(-42))
                   .set("u", Json::unsigned_integer(18446744073709551615ull))
                   .set("m", Json::milli(-1180))
                   .set("r", Json::real(3.14159, 3))
                   .set("b", Json::boolean_value(false))
                   .set("n", Json())
                   .set("a", Json::array().push(Json::integer(1)).push(Json::object()))
                   .set("e", Json::array());
    for (int indent : {-1, 0, 2}) {
        std::string text = serialize_json(doc, indent);
        Json back = Parse(text);
        EXPECT_EQ(serialize_json(back, -1), serialize_json(doc, -1)) << text;
        for (char c : text) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
    }
    EXPECT_EQ(serialize_json(doc.members[3].second), "-1.180");
    EXPECT_EQ(serialize_json(doc.members[4].second), "3.142");
    EXPECT_EQ(doc.get_milli("m"), -1180);
}

TEST(ToolJson, MilliAndRealFormatting) {
    EXPECT_EQ(Json::milli(0).text, "0.000");
    EXPECT_EQ(Json::milli(5).text, "0.005");
    EXPECT_EQ(Json::milli(-5).text, "-0.005");
    EXPECT_EQ(Json::milli(INT64_MIN).text, "-9223372036854775.808");
    EXPECT_EQ(hvb::tools::parse_milli(Json::milli(INT64_MIN).text), INT64_MIN);
    EXPECT_EQ(Json::real(-0.0001, 3).text, "0.000");
    EXPECT_TRUE(Json::real(1.0 / 0.0, 3).is(Json::Kind::null));
}

TEST(ToolJson, SetReplacesAnExistingMember) {
    Json o = Json::object().set("a", Json::integer(1)).set("a", Json::integer(2));
    ASSERT_EQ(o.members.size(), 1u);
    EXPECT_EQ(o.get_int("a"), 2);
}

TEST(ToolJson, RandomStringsRoundTrip) {
    std::mt19937 rng(7);
    for (int n = 0; n < 500; ++n) {
        std::string s;
        int len = int(rng() % 20);
        for (int i = 0; i < len; ++i) s += char(rng() % 128);  // ASCII round-trips exactly
        Json back = Parse(json_quote(s));
        EXPECT_EQ(back.text, s);
    }
}

TEST(ToolJson, GetDouble) {
    Json j = Parse(R"({"a":1.5e3,"b":"x"})");
    EXPECT_EQ(j.get_double("a"), 1500.0);
    EXPECT_FALSE(j.get_double("b"));
}

}  // namespace
