// tools/header_fields.h — the rows of kernel/header_fields.h as the tool uses
// them: each field of the platform header with its names and conversions,
// so that the record reader (tools/records.cpp) and the results JSON's
// context writer and reader (tools/results_json.cpp) are each one loop.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/json.h"
#include "tools/records.h"
#include "tools/results.h"

namespace hvb::tools {

struct HeaderField {
    const char* member;       // the HeaderInfo member
    const char* key;          // on the wire
    const char* old_key;      // what older kernels called it ("" none): accepted on read
    const char* context_key;  // in the results JSON's context ("" not there: only in context.platform)
    const char* context_place;  // where among the context's keys: after "platform" or "timing"; "raw" none
    const char* unit;
    bool method;    // sent in the method record (older kernels: in the header)
    bool required;  // need req: a header without it is not read
    bool (*from_json)(const Json& v, HeaderInfo& h);  // false: not one of its values
    // Rows with a context key (null otherwise): RunInfo's member.
    void (*to_context)(const HeaderInfo& h, RunInfo& info);  // copied when set
    bool (*context_is_set)(const RunInfo& info);
    Json (*context_json)(const RunInfo& info);
    bool (*context_from_json)(const Json& v, RunInfo& info);
};

// Every row, in the table's (the wire's) order.
const std::vector<HeaderField>& header_fields();

// The value of f in a record or a context: under `key`, else under the old
// key; null when neither is there.
const Json* header_value(const Json& j, const HeaderField& f, const char* key);

// The header's fields in a header (method_only false: every row, as older
// kernels sent the method fields in it) or a method record (method_only:
// the method rows). False with `missing` naming the first required field
// absent or malformed; an optional one malformed is noted in `bad`
// ("timer_mad (...)") and left unset.
bool read_header_fields(const Json& record, HeaderInfo& h, bool method_only, std::string& missing,
                        std::vector<std::string>& bad);

// The context's share of a header: its `context` fields into info, each
// that is set.
void header_to_context(const HeaderInfo& h, RunInfo& info);
// The context's header fields of one place ("platform" or "timing": each
// written after that context key) written into the context object (a
// required one always, an optional one when set); and all of them read back
// (a malformed or absent one left as it was).
void write_context_fields(Json& context, const RunInfo& info, std::string_view place);
void read_context_fields(const Json& context, RunInfo& info);

}  // namespace hvb::tools
