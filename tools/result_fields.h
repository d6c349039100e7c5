// tools/result_fields.h — the rows of kernel/record_fields.h as the tool
// uses them: each scalar field of a BenchResult with its names and the
// conversions every format needs, so that the record reader
// (tools/records.cpp) and the JSON and CSV writers and readers
// (tools/results_json.cpp, tools/results_csv.cpp) are each one loop.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/json.h"
#include "tools/result.h"

namespace hvb::tools {

struct ResultField {
    const char* member;    // the BenchResult member
    const char* group;     // "top", "cycles", "control" or "host" (not on the wire)
    const char* key;       // the wire key inside `group`
    const char* json_key;  // the results JSON key (group_key)
    const char* csv;       // the CSV column ("" none)
    const char* unit;
    int json_pos, csv_pos;  // 0: not in that format
    bool required;          // need req
    bool text;              // free text: neutralised in the CSV
    bool on_wire() const { return std::string_view(group) != "host"; }
    // The field of r: set (an opt field that is unset, or "", is not).
    bool (*is_set)(const BenchResult& r);
    Json (*to_json)(const BenchResult& r);
    std::string (*to_csv)(const BenchResult& r);  // "" when unset
    // From a JSON value (the wire's or the results file's): false when it is
    // not one of this field's values. `wire`: the kernel's record, whose
    // statuses and modes are checked against the kernel's names.
    bool (*from_json)(const Json& v, BenchResult& r, bool wire);
    bool (*from_csv)(std::string_view cell, BenchResult& r);  // cell not empty
};

// Every row, in the table's (the wire's) order.
const std::vector<ResultField>& result_fields();
// The rows of one format, in its order: those with a JSON key / CSV column.
const std::vector<const ResultField*>& json_fields();
const std::vector<const ResultField*>& csv_fields();
// The row of a member ("ci_low_milli"); null when there is none.
// HVB_FIELD(ci_low_milli) names it without spelling a string.
const ResultField* result_field(std::string_view member);
#define HVB_FIELD(member) (*::hvb::tools::result_field(#member))

// The fields on the wire (a result record, kernel/record.cpp): false with
// `missing` naming the first required one absent or malformed ("cycles.min",
// or the group); an optional one malformed, an interval's ends apart or in
// the wrong order, or a p10 that is not the headline, is noted in `bad`
// ("cycles.ci_low (...)") and left unset.
bool read_wire_fields(const Json& record, BenchResult& r, std::string& missing, std::vector<std::string>& bad);

// Parsers shared by the CSV reader: unsigned and signed decimals without
// overflow.
bool parse_uint(std::string_view s, uint64_t& out);
bool parse_int(std::string_view s, int64_t& out);

}  // namespace hvb::tools
