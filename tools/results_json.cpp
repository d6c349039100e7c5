// tools/results_json.cpp — the results JSON (Google Benchmark's schema
// with hvbench's fields; see results.h): written and read back.
#include <climits>
#include <unordered_map>

#include "tools/header_fields.h"
#include "tools/result_fields.h"
#include "tools/results.h"

namespace hvb::tools {
namespace {

constexpr const char kVersion[] = "0.1.0";

Json string_array(const std::vector<std::string>& v) {
    Json a = Json::array();
    for (const auto& s : v) a.push(Json::string_value(s));
    return a;
}

std::vector<std::string> read_string_array(const Json* j) {
    std::vector<std::string> out;
    if (!j || !j->is(Json::Kind::array)) return out;
    for (const auto& item : j->items)
        if (item.is(Json::Kind::string)) out.push_back(item.text);
    return out;
}

Json params_json(const std::vector<std::pair<std::string, uint64_t>>& params) {
    Json o = Json::object();
    for (const auto& [k, v] : params) o.set(k, Json::unsigned_integer(v));
    return o;
}

// The table's fields (kernel/record_fields.h) whose place in the JSON is in
// [from, to), in that order: an optional one when it is set.
void put_fields(Json& b, const BenchResult& r, int from, int to) {
    for (const ResultField* f : json_fields())
        if (f->json_pos >= from && f->json_pos < to && (f->required || f->is_set(r)))
            b.set(f->json_key, f->to_json(r));
}

Json benchmark_json(const BenchResult& r, size_t index, uint64_t run_timer_hz, uint64_t host_tsc_hz) {
    // Its own VM's timer rate when it had one: a later VM's header never
    // rescales another's results.
    uint64_t hz = r.timer_hz ? r.timer_hz : run_timer_hz;
    Json b = Json::object();
    // Google Benchmark's keys around the first table fields (name,
    // repetitions, iterations), then hvbench's.
    put_fields(b, r, 1, 2);
    b.set("family_index", Json::unsigned_integer(index));
    b.set("per_family_instance_index", Json::integer(0));
    b.set("run_name", Json::string_value(r.name));
    b.set("run_type", Json::string_value("iteration"));
    put_fields(b, r, 2, 3);
    b.set("repetition_index", Json::integer(0));
    b.set("threads", Json::integer(1));
    put_fields(b, r, 3, 4);
    Json t = hz ? Json::real(milli_cycles_to_ns(r.headline_milli(), hz), 3) : Json::milli(r.headline_milli());
    b.set("real_time", t);
    b.set("cpu_time", t);
    b.set("time_unit", Json::string_value(hz ? "ns" : "cycles"));
    if (!r.ok()) {
        b.set("error_occurred", Json::boolean_value(true));
        b.set("error_message", Json::string_value(r.status + (r.reason.empty() ? "" : ": " + r.reason)));
    }
    put_fields(b, r, 4, INT_MAX);
    // A result's own rate (its VM's differs from the run's) under the
    // context's key for it.
    if (r.timer_hz && r.timer_hz != run_timer_hz) b.set(header_context_key::timer_hz, Json::unsigned_integer(r.timer_hz));
    if (!r.params.empty()) b.set("params", params_json(r.params));
    if (!r.linearity.empty()) {
        Json levels = Json::array();
        for (const LinearityLevel& l : r.linearity) {
            Json e = Json::object();
            e.set(result_json_key::iterations, Json::unsigned_integer(l.iterations));
            e.set(result_json_key::median_milli, Json::milli(l.median_milli));
            if (l.ci_low_milli) e.set(result_json_key::ci_low_milli, Json::milli(*l.ci_low_milli));
            if (l.ci_high_milli) e.set(result_json_key::ci_high_milli, Json::milli(*l.ci_high_milli));
            e.set(result_json_key::repetitions, Json::unsigned_integer(l.repetitions));
            e.set(result_json_key::noisy, Json::boolean_value(l.noisy));
            e.set("ratio", Json::milli(l.ratio_milli));
            levels.push(std::move(e));
        }
        b.set("linearity", std::move(levels));
    }
    if (!r.run_medians_milli.empty()) {
        Json medians = Json::array(), noisy = Json::array();
        for (int64_t m : r.run_medians_milli) medians.push(Json::milli(m));
        for (bool n : r.run_noisy) noisy.push(Json::boolean_value(n));
        b.set("run_medians", std::move(medians));
        b.set("run_noisy", std::move(noisy));
    }
    if (r.external) {
        const ExternalStats& e = *r.external;
        b.set("external_samples", Json::unsigned_integer(e.samples));
        if (e.unresolved) b.set("external_unresolved", Json::unsigned_integer(e.unresolved));
        b.set("external_cycles_median", Json::milli(e.median_milli));
        b.set("external_cycles_min", Json::milli(e.min_milli));
        b.set("external_cycles_mean", Json::milli(e.mean_milli));
        b.set("external_cycles_mad", Json::milli(e.mad_milli));
        b.set("external_control_median", Json::milli(e.control_median_milli));
        if (host_tsc_hz) b.set("external_time_ns", Json::real(milli_cycles_to_ns(e.median_milli, host_tsc_hz), 3));
    }
    if (!r.vmm_output.empty()) b.set("vmm_output", Json::string_value(r.vmm_output));
    return b;
}

// Reads the members of one entry of "benchmarks": absent is fine (older or
// plain Google Benchmark files), present and unreadable fails the whole
// file, naming the benchmark and the member in `error`.
class EntryReader {
public:
    EntryReader(const BenchResult& r, std::string* error) : r_(r), error_(error) {}
    bool fail(const std::string& what) const {
        if (error_) *error_ = "benchmark " + (r_.name.empty() ? std::string("?") : r_.name) + ": " + what;
        return false;
    }
    // A cycle figure (thousandths) that has a default: kept when absent.
    bool cycles(const Json& o, const char* key, int64_t& out) const {
        if (const Json* v = o.get(key)) {
            auto m = o.get_milli(key);
            if (!m) return fail(std::string("bad ") + key + " '" + v->text + "'");
            out = *m;
        }
        return true;
    }
    bool milli(const Json& o, const char* key, std::optional<int64_t>& out) const { return opt(o, key, out, &Json::get_milli); }
    bool uint(const Json& o, const char* key, std::optional<uint64_t>& out) const { return opt(o, key, out, &Json::get_uint); }
    bool boolean(const Json& o, const char* key, std::optional<bool>& out) const { return opt(o, key, out, &Json::get_bool); }

private:
    // `get`: one of Json's typed getters.
    template <typename T>
    bool opt(const Json& o, const char* key, std::optional<T>& out,
             std::optional<T> (Json::*get)(std::string_view) const) const {
        if (const Json* v = o.get(key)) {
            auto n = (o.*get)(key);
            if (!n) return fail(std::string("bad ") + key + " '" + serialize_json(*v) + "'");
            out = *n;
        }
        return true;
    }
    const BenchResult& r_;
    std::string* error_;
};

// The table's fields (kernel/record_fields.h); then, for a plain Google
// Benchmark entry, what it says in its own keys: no "status" is ok unless
// error_occurred says otherwise, no cycles_median is real_time in its unit.
bool read_entry_fields(const Json& b, BenchResult& r, const EntryReader& in) {
    for (const ResultField* f : json_fields()) {
        const Json* v = b.get(f->json_key);
        if (v && !f->from_json(*v, r, false))
            return in.fail(std::string("bad ") + f->json_key + " '" + serialize_json(*v) + "'");
    }
    if (!b.get(result_json_key::name)) return in.fail("no name");
    if (!b.get(result_json_key::status)) {
        r.status = b.get_bool("error_occurred").value_or(false) ? "faulted" : "ok";
        if (r.reason.empty()) r.reason = b.get_string("error_message").value_or("");
    }
    if (!b.get(result_json_key::median_milli)) {
        if (auto t = b.get_double("real_time")) r.median_milli = r.min_milli = r.mean_milli = int64_t(*t * 1000.0);
    }
    if (r.ci_low_milli.has_value() != r.ci_high_milli.has_value())
        return in.fail(std::string(result_json_key::ci_low_milli) + " and " + result_json_key::ci_high_milli +
                       " come together");
    return true;
}

bool read_entry_params(const Json& b, BenchResult& r, const EntryReader& in) {
    const Json* p = b.get("params");
    if (!p) return true;
    if (!p->is(Json::Kind::object)) return in.fail("params is not an object");
    for (const auto& [k, v] : p->members) {
        auto n = p->get_uint(k);
        if (!n) return in.fail("bad params." + k);
        r.params.emplace_back(k, *n);
    }
    return true;
}

bool read_entry_linearity(const Json& b, BenchResult& r, const EntryReader& in) {
    const Json* lin = b.get("linearity");
    if (!lin) return true;
    if (!lin->is(Json::Kind::array)) return in.fail("linearity is not an array");
    for (const Json& e : lin->items) {
        if (!e.is(Json::Kind::object)) return in.fail("a linearity level is not an object");
        LinearityLevel l;
        std::optional<uint64_t> iterations, repetitions;
        std::optional<int64_t> median, ratio;
        std::optional<bool> noisy;
        if (!in.uint(e, result_json_key::iterations, iterations) ||
            !in.milli(e, result_json_key::median_milli, median) ||
            !in.milli(e, result_json_key::ci_low_milli, l.ci_low_milli) ||
            !in.milli(e, result_json_key::ci_high_milli, l.ci_high_milli) ||
            !in.uint(e, result_json_key::repetitions, repetitions) || !in.boolean(e, result_json_key::noisy, noisy) ||
            !in.milli(e, "ratio", ratio))
            return false;
        if (!iterations || !median || !ratio)
            return in.fail(std::string("a linearity level lacks ") + result_json_key::iterations + ", " +
                           result_json_key::median_milli + " or ratio");
        l.iterations = *iterations;
        l.median_milli = *median;
        l.repetitions = repetitions.value_or(0);
        l.noisy = noisy.value_or(false);
        l.ratio_milli = *ratio;
        r.linearity.push_back(l);
    }
    return true;
}

// run --runs N: every run's median and noisy flag.
bool read_entry_runs(const Json& b, BenchResult& r, const EntryReader& in) {
    const Json* rm = b.get("run_medians");
    if (!rm) return true;
    const Json* rn = b.get("run_noisy");
    if (!rm->is(Json::Kind::array) || !rn || !rn->is(Json::Kind::array) || rn->items.size() != rm->items.size())
        return in.fail("run_medians and run_noisy are arrays of the same length");
    for (size_t i = 0; i < rm->items.size(); ++i) {
        auto m = parse_milli(rm->items[i].text);
        if (!rm->items[i].is(Json::Kind::number) || !m) return in.fail("bad run_medians entry");
        if (!rn->items[i].is(Json::Kind::boolean)) return in.fail("bad run_noisy entry");
        r.run_medians_milli.push_back(*m);
        r.run_noisy.push_back(rn->items[i].boolean);
    }
    return true;
}

// --timing external: the host's figures.
bool read_entry_external(const Json& b, BenchResult& r, const EntryReader& in) {
    if (!b.get("external_cycles_median")) return true;
    ExternalStats e;
    e.samples = uint32_t(b.get_uint("external_samples").value_or(0));
    e.unresolved = uint32_t(b.get_uint("external_unresolved").value_or(0));
    if (!in.cycles(b, "external_cycles_median", e.median_milli) || !in.cycles(b, "external_cycles_min", e.min_milli) ||
        !in.cycles(b, "external_cycles_mean", e.mean_milli) || !in.cycles(b, "external_cycles_mad", e.mad_milli) ||
        !in.cycles(b, "external_control_median", e.control_median_milli))
        return false;
    r.external = e;
    return true;
}

bool read_benchmark(const Json& b, BenchResult& r, std::string* error) {
    EntryReader in(r, error);
    r.timer_hz = b.get_uint(header_context_key::timer_hz).value_or(0);
    if (!read_entry_fields(b, r, in) || !read_entry_params(b, r, in) || !read_entry_linearity(b, r, in) ||
        !read_entry_runs(b, r, in) || !read_entry_external(b, r, in))
        return false;
    r.vmm_output = b.get_string("vmm_output").value_or("");
    return true;
}

}  // namespace

std::string write_results_json(const ResultsDoc& doc) {
    const RunInfo& i = doc.info;
    Json ctx = Json::object();
    ctx.set("date", Json::string_value(i.date));
    ctx.set("host_name", Json::string_value(i.host_name));
    ctx.set("executable", Json::string_value(i.executable));
    ctx.set("num_cpus", Json::unsigned_integer(i.host_cpus));
    ctx.set("mhz_per_cpu", Json::unsigned_integer(i.host_tsc_hz / 1000000));
    ctx.set("cpu_scaling_enabled", Json::boolean_value(false));
    ctx.set("caches", Json::array());
    ctx.set("load_avg", Json::array());
    ctx.set("library_build_type", Json::string_value("release"));
    ctx.set("hvbench_version", Json::string_value(kVersion));
    ctx.set("label", Json::string_value(i.label));
    ctx.set("platform", i.platform ? *i.platform : Json());
    write_context_fields(ctx, i, "platform");
    ctx.set("accel", Json::string_value(i.accel));
    ctx.set("cpu_model", Json::string_value(i.cpu_model));
    ctx.set("boot", Json::string_value(i.boot));
    ctx.set("memory", Json::string_value(i.memory));
    ctx.set("vcpus", Json::unsigned_integer(i.vcpus));
    ctx.set("timing", Json::string_value(i.timing));
    write_context_fields(ctx, i, "timing");
    ctx.set("host_tsc_hz", Json::unsigned_integer(i.host_tsc_hz));
    ctx.set("vms", Json::unsigned_integer(i.vms));
    ctx.set("exit_code", Json::integer(i.exit_code));
    ctx.set("complete", Json::boolean_value(i.complete));
    ctx.set("notes", string_array(i.notes));
    ctx.set("kernel_errors", string_array(i.kernel_errors));
    ctx.set("problems", string_array(i.problems));
    ctx.set("command", string_array(i.command));
    if (!i.firmware.empty()) ctx.set("firmware", Json::string_value(i.firmware));
    if (!i.pinned.empty()) ctx.set("pinned", Json::string_value(i.pinned));
    if (!i.pinning.empty()) ctx.set("pinning", string_array(i.pinning));
    if (!i.vmm_layout.empty()) ctx.set("vmm_layout", Json::string_value(i.vmm_layout));
    // The kernel's unit (timer_unit): cycles of its timer, or nanoseconds
    // where it could not tell the CPU's cycle rate (aarch64).
    if (i.timer_unit == "ns")
        ctx.set("time_unit_note",
                Json::string_value("real_time/cpu_time: the headline cost per iteration (cycles_estimate) in ns; "
                                   "this kernel measured in ns (timer_unit), so cycles_* are guest nanoseconds too, "
                                   "external_* host TSC cycles"));
    else
        ctx.set("time_unit_note",
                Json::string_value("real_time/cpu_time: the headline cost per iteration (cycles_estimate; cycles_median "
                                   "from a kernel without one) in ns (cycles / tsc_hz), or in cycles "
                                   "with time_unit \"cycles\" when tsc_hz is unknown; cycles_* are guest TSC cycles, "
                                   "external_* host TSC cycles"));
    // What serialize_json(root, 2) writes for {"context": ..., "benchmarks":
    // [...]}, one entry at a time: a log of 200,000 results never holds all
    // their JSON trees at once.
    std::string out = "{\n  \"context\": ";
    append_json(out, ctx, 2, 1);
    out += ",\n  \"benchmarks\": ";
    if (doc.benchmarks.empty()) out += "[]";
    for (size_t n = 0; n < doc.benchmarks.size(); ++n) {
        out += n ? ",\n    " : "[\n    ";
        append_json(out, benchmark_json(doc.benchmarks[n], n, i.timer_hz, i.host_tsc_hz), 2, 2);
    }
    if (!doc.benchmarks.empty()) out += "\n  ]";
    out += "\n}\n";
    return out;
}

std::optional<ResultsDoc> read_results_json(std::string_view text, std::string* error) {
    std::string perr;
    auto root = parse_json(text, &perr);
    if (!root) {
        if (error) *error = "not JSON: " + perr;
        return std::nullopt;
    }
    const Json* benches = root->get("benchmarks");
    if (!benches || !benches->is(Json::Kind::array)) {
        if (error) *error = "no \"benchmarks\" array";
        return std::nullopt;
    }
    ResultsDoc doc;
    if (const Json* c = root->get("context"); c && c->is(Json::Kind::object)) {
        RunInfo& i = doc.info;
        i.date = c->get_string("date").value_or("");
        i.host_name = c->get_string("host_name").value_or("");
        i.executable = c->get_string("executable").value_or("");
        i.host_cpus = unsigned(c->get_uint("num_cpus").value_or(0));
        i.label = c->get_string("label").value_or("");
        if (const Json* p = c->get("platform"); p && p->is(Json::Kind::object)) i.platform = *p;
        i.accel = c->get_string("accel").value_or("");
        i.cpu_model = c->get_string("cpu_model").value_or("");
        i.boot = c->get_string("boot").value_or("");
        i.memory = c->get_string("memory").value_or("");
        i.vcpus = unsigned(c->get_uint("vcpus").value_or(0));
        i.timing = c->get_string("timing").value_or("internal");
        i.host_tsc_hz = c->get_uint("host_tsc_hz").value_or(0);
        i.vms = unsigned(c->get_uint("vms").value_or(0));
        i.exit_code = int(c->get_int("exit_code").value_or(0));
        i.complete = c->get_bool("complete").value_or(false);
        i.notes = read_string_array(c->get("notes"));
        i.kernel_errors = read_string_array(c->get("kernel_errors"));
        i.problems = read_string_array(c->get("problems"));
        i.command = read_string_array(c->get("command"));
        i.firmware = c->get_string("firmware").value_or("");
        i.pinned = c->get_string("pinned").value_or("");
        i.pinning = read_string_array(c->get("pinning"));
        i.vmm_layout = c->get_string("vmm_layout").value_or("");
        read_context_fields(*c, i);
    }
    std::unordered_map<std::string, size_t> seen;
    for (const Json& b : benches->items) {
        BenchResult r;
        if (!read_benchmark(b, r, error)) return std::nullopt;
        auto [it, fresh] = seen.try_emplace(r.name, doc.benchmarks.size());
        if (!fresh) {
            // Which one is meant cannot be told: say so rather than pick.
            if (error)
                *error = "benchmarks[" + std::to_string(doc.benchmarks.size()) + "] repeats the name " + r.name +
                         " of benchmarks[" + std::to_string(it->second) + "]";
            return std::nullopt;
        }
        doc.benchmarks.push_back(std::move(r));
    }
    return doc;
}

}  // namespace hvb::tools
