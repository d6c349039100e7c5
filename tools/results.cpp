// tools/results.cpp — JSON (Google Benchmark schema) and CSV results files.
#include "tools/results.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "kernel/record.h"
#include "tools/sanitize.h"

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

std::string params_text(const std::vector<std::pair<std::string, uint64_t>>& params) {
    std::string s;
    for (const auto& [k, v] : params) s += (s.empty() ? "" : ";") + k + "=" + std::to_string(v);
    return s;
}

bool parse_uint(std::string_view s, uint64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, uint64_t(c - '0'), &v)) return false;
    }
    out = v;
    return true;
}

Json benchmark_json(const BenchResult& r, size_t index, uint64_t run_tsc_hz, uint64_t host_tsc_hz) {
    // Its own VM's TSC frequency when it had one: a later VM's header never
    // rescales another's results.
    uint64_t tsc_hz = r.tsc_hz ? r.tsc_hz : run_tsc_hz;
    Json b = Json::object();
    b.set("name", Json::string_value(r.name));
    b.set("family_index", Json::unsigned_integer(index));
    b.set("per_family_instance_index", Json::integer(0));
    b.set("run_name", Json::string_value(r.name));
    b.set("run_type", Json::string_value("iteration"));
    b.set("repetitions", Json::unsigned_integer(r.repetitions));
    b.set("repetition_index", Json::integer(0));
    b.set("threads", Json::integer(1));
    b.set("iterations", Json::unsigned_integer(r.iterations));
    Json t = tsc_hz ? Json::real(milli_cycles_to_ns(r.headline_milli(), tsc_hz), 3) : Json::milli(r.headline_milli());
    b.set("real_time", t);
    b.set("cpu_time", t);
    b.set("time_unit", Json::string_value(tsc_hz ? "ns" : "cycles"));
    if (!r.ok()) {
        b.set("error_occurred", Json::boolean_value(true));
        b.set("error_message", Json::string_value(r.status + (r.reason.empty() ? "" : ": " + r.reason)));
    }
    b.set("category", Json::string_value(r.category));
    b.set("status", Json::string_value(r.status));
    b.set("reason", Json::string_value(r.reason));
    if (r.estimate_milli) b.set("cycles_estimate", Json::milli(*r.estimate_milli));
    if (r.estimate_low_milli) b.set("cycles_estimate_low", Json::milli(*r.estimate_low_milli));
    if (r.estimate_high_milli) b.set("cycles_estimate_high", Json::milli(*r.estimate_high_milli));
    if (r.p50_milli) b.set("cycles_p50", Json::milli(*r.p50_milli));
    if (r.p90_milli) b.set("cycles_p90", Json::milli(*r.p90_milli));
    if (r.passes) b.set("passes", Json::unsigned_integer(*r.passes));
    b.set("cycles_median", Json::milli(r.median_milli));
    b.set("cycles_min", Json::milli(r.min_milli));
    b.set("cycles_mean", Json::milli(r.mean_milli));
    b.set("cycles_mad", Json::milli(r.mad_milli));
    if (r.ci_low_milli) b.set("cycles_ci_low", Json::milli(*r.ci_low_milli));
    if (r.ci_high_milli) b.set("cycles_ci_high", Json::milli(*r.ci_high_milli));
    b.set("control_median", Json::milli(r.control_median_milli));
    if (r.noisy) b.set("noisy", Json::boolean_value(*r.noisy));
    if (!r.noisy_cause.empty()) b.set("noisy_cause", Json::string_value(r.noisy_cause));
    if (r.outliers) b.set("outliers", Json::unsigned_integer(*r.outliers));
    if (r.interrupts) b.set("interrupts", Json::unsigned_integer(*r.interrupts));
    if (r.smis) b.set("smis", Json::unsigned_integer(*r.smis));
    if (!r.iterations_mode.empty()) b.set("iterations_mode", Json::string_value(r.iterations_mode));
    if (r.speed_permille) b.set("speed_permille", Json::integer(*r.speed_permille));
    if (r.timer_drift_permille) b.set("timer_drift_permille", Json::integer(*r.timer_drift_permille));
    if (r.verify_median_milli) b.set("verify_median", Json::milli(*r.verify_median_milli));
    if (r.verify_agrees) b.set("verify_agrees", Json::boolean_value(*r.verify_agrees));
    if (r.elapsed_us) b.set("elapsed_us", Json::unsigned_integer(*r.elapsed_us));
    if (r.t_us) b.set("t_us", Json::unsigned_integer(*r.t_us));
    b.set("timer", Json::string_value(r.timer));
    b.set("vm", Json::unsigned_integer(r.vm));
    if (r.tsc_hz && r.tsc_hz != run_tsc_hz) b.set("tsc_hz", Json::unsigned_integer(r.tsc_hz));
    if (!r.params.empty()) b.set("params", params_json(r.params));
    if (!r.linearity.empty()) {
        Json levels = Json::array();
        for (const LinearityLevel& l : r.linearity) {
            Json e = Json::object();
            e.set("iterations", Json::unsigned_integer(l.iterations));
            e.set("cycles_median", Json::milli(l.median_milli));
            if (l.ci_low_milli) e.set("cycles_ci_low", Json::milli(*l.ci_low_milli));
            if (l.ci_high_milli) e.set("cycles_ci_high", Json::milli(*l.ci_high_milli));
            e.set("repetitions", Json::unsigned_integer(l.repetitions));
            e.set("noisy", Json::boolean_value(l.noisy));
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

bool read_benchmark(const Json& b, BenchResult& r, std::string* error) {
    auto fail = [&](const std::string& what) {
        if (error) *error = "benchmark " + (r.name.empty() ? std::string("?") : r.name) + ": " + what;
        return false;
    };
    auto name = b.get_string("name");
    if (!name) return fail("no name");
    r.name = *name;
    r.category = b.get_string("category").value_or("");
    r.reason = b.get_string("reason").value_or("");
    if (auto status = b.get_string("status")) {
        r.status = *status;
    } else {
        // A plain Google Benchmark entry: ok unless it says otherwise.
        r.status = b.get_bool("error_occurred").value_or(false) ? "faulted" : "ok";
        if (r.reason.empty()) r.reason = b.get_string("error_message").value_or("");
    }
    r.iterations = b.get_uint("iterations").value_or(0);
    r.repetitions = uint32_t(b.get_uint("repetitions").value_or(0));
    auto cyc = [&](const char* key, int64_t& out) {
        if (const Json* v = b.get(key)) {
            auto m = b.get_milli(key);
            if (!m) return fail(std::string("bad ") + key + " '" + v->text + "'");
            out = *m;
        }
        return true;
    };
    if (!cyc("cycles_median", r.median_milli) || !cyc("cycles_min", r.min_milli) || !cyc("cycles_mean", r.mean_milli) ||
        !cyc("cycles_mad", r.mad_milli) || !cyc("control_median", r.control_median_milli))
        return false;
    if (!b.get("cycles_median")) {
        // No hvbench fields: take real_time as the figure, in its own unit.
        if (auto t = b.get_double("real_time")) r.median_milli = r.min_milli = r.mean_milli = int64_t(*t * 1000.0);
    }
    r.timer = b.get_string("timer").value_or("");
    r.vm = unsigned(b.get_uint("vm").value_or(0));
    r.tsc_hz = b.get_uint("tsc_hz").value_or(0);
    if (const Json* p = b.get("params")) {
        if (!p->is(Json::Kind::object)) return fail("params is not an object");
        for (const auto& [k, v] : p->members) {
            auto n = p->get_uint(k);
            if (!n) return fail("bad params." + k);
            r.params.emplace_back(k, *n);
        }
    }
    // An optional member read with `get`, one of Json's typed getters:
    // absent is fine, present and unreadable fails the whole file.
    auto opt = [&](const Json& o, const char* key, auto& out, auto get) {
        if (const Json* v = o.get(key)) {
            auto n = (o.*get)(key);
            if (!n) return fail(std::string("bad ") + key + " '" + serialize_json(*v) + "'");
            out = *n;
        }
        return true;
    };
    auto opt_milli = [&](const Json& o, const char* key, std::optional<int64_t>& out) {
        return opt(o, key, out, &Json::get_milli);
    };
    auto opt_uint = [&](const Json& o, const char* key, std::optional<uint64_t>& out) {
        return opt(o, key, out, &Json::get_uint);
    };
    auto opt_int = [&](const Json& o, const char* key, std::optional<int64_t>& out) {
        return opt(o, key, out, &Json::get_int);
    };
    auto opt_bool = [&](const Json& o, const char* key, std::optional<bool>& out) {
        return opt(o, key, out, &Json::get_bool);
    };
    if (!opt_milli(b, "cycles_ci_low", r.ci_low_milli) || !opt_milli(b, "cycles_ci_high", r.ci_high_milli) ||
        !opt_bool(b, "noisy", r.noisy) || !opt_uint(b, "outliers", r.outliers) ||
        !opt_uint(b, "interrupts", r.interrupts) || !opt_uint(b, "smis", r.smis) ||
        !opt_uint(b, "elapsed_us", r.elapsed_us) || !opt_uint(b, "t_us", r.t_us) ||
        !opt_int(b, "speed_permille", r.speed_permille) ||
        !opt_int(b, "timer_drift_permille", r.timer_drift_permille) ||
        !opt_milli(b, "verify_median", r.verify_median_milli) ||
        !opt_bool(b, "verify_agrees", r.verify_agrees) || !opt_milli(b, "cycles_estimate", r.estimate_milli) ||
        !opt_milli(b, "cycles_estimate_low", r.estimate_low_milli) ||
        !opt_milli(b, "cycles_estimate_high", r.estimate_high_milli) || !opt_milli(b, "cycles_p50", r.p50_milli) ||
        !opt_milli(b, "cycles_p90", r.p90_milli) || !opt_uint(b, "passes", r.passes))
        return false;
    r.noisy_cause = b.get_string("noisy_cause").value_or("");
    if (r.ci_low_milli.has_value() != r.ci_high_milli.has_value())
        return fail("cycles_ci_low and cycles_ci_high come together");
    r.iterations_mode = b.get_string("iterations_mode").value_or("");
    if (const Json* lin = b.get("linearity")) {
        if (!lin->is(Json::Kind::array)) return fail("linearity is not an array");
        for (const Json& e : lin->items) {
            if (!e.is(Json::Kind::object)) return fail("a linearity level is not an object");
            LinearityLevel l;
            std::optional<uint64_t> iterations, repetitions;
            std::optional<int64_t> median, ratio;
            std::optional<bool> noisy;
            if (!opt_uint(e, "iterations", iterations) || !opt_milli(e, "cycles_median", median) ||
                !opt_milli(e, "cycles_ci_low", l.ci_low_milli) || !opt_milli(e, "cycles_ci_high", l.ci_high_milli) ||
                !opt_uint(e, "repetitions", repetitions) || !opt_bool(e, "noisy", noisy) ||
                !opt_milli(e, "ratio", ratio))
                return false;
            if (!iterations || !median || !ratio) return fail("a linearity level lacks iterations, cycles_median or ratio");
            l.iterations = *iterations;
            l.median_milli = *median;
            l.repetitions = repetitions.value_or(0);
            l.noisy = noisy.value_or(false);
            l.ratio_milli = *ratio;
            r.linearity.push_back(l);
        }
    }
    if (const Json* rm = b.get("run_medians")) {
        const Json* rn = b.get("run_noisy");
        if (!rm->is(Json::Kind::array) || !rn || !rn->is(Json::Kind::array) || rn->items.size() != rm->items.size())
            return fail("run_medians and run_noisy are arrays of the same length");
        for (size_t i = 0; i < rm->items.size(); ++i) {
            auto m = parse_milli(rm->items[i].text);
            if (!rm->items[i].is(Json::Kind::number) || !m) return fail("bad run_medians entry");
            if (!rn->items[i].is(Json::Kind::boolean)) return fail("bad run_noisy entry");
            r.run_medians_milli.push_back(*m);
            r.run_noisy.push_back(rn->items[i].boolean);
        }
    }
    if (b.get("external_cycles_median")) {
        ExternalStats e;
        e.samples = uint32_t(b.get_uint("external_samples").value_or(0));
        e.unresolved = uint32_t(b.get_uint("external_unresolved").value_or(0));
        if (!cyc("external_cycles_median", e.median_milli) || !cyc("external_cycles_min", e.min_milli) ||
            !cyc("external_cycles_mean", e.mean_milli) || !cyc("external_cycles_mad", e.mad_milli) ||
            !cyc("external_control_median", e.control_median_milli))
            return false;
        r.external = e;
    }
    r.vmm_output = b.get_string("vmm_output").value_or("");
    return true;
}

const std::vector<std::string> kCsvColumns = {
    "name", "category", "status", "iterations", "repetitions", "cycles_median", "cycles_mad", "cycles_min",
    "cycles_mean", "control_median", "time_ns", "timer", "vm", "external_samples", "external_cycles_median",
    "external_cycles_mad", "external_cycles_min", "external_cycles_mean", "external_control_median", "params",
    "reason", "ci_low", "ci_high", "noisy", "outliers", "cycles_estimate", "estimate_low", "estimate_high",
    "cycles_p50", "cycles_p90", "noisy_cause"};

std::string opt_milli_text(const std::optional<int64_t>& v) { return v ? Json::milli(*v).text : ""; }

// Columns whose text comes from the guest or the user, not from the tool's
// number formatting: neutralised on writing (tools/sanitize.h).
bool is_text_column(const std::string& column) {
    for (const char* c : {"name", "category", "status", "timer", "params", "reason"})
        if (column == c) return true;
    return false;
}

}  // namespace

bool is_known_status(std::string_view s) {
    Status st;
    return s == kStatusCrashed || status_from_name(s.data(), s.size(), &st);
}

double milli_cycles_to_ns(int64_t milli, uint64_t hz) {
    return hz ? double(milli) / 1000.0 / double(hz) * 1e9 : 0.0;
}

std::string milli_text(int64_t milli) { return Json::milli(milli).text; }

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
    ctx.set("tsc_hz", Json::unsigned_integer(i.tsc_hz));
    ctx.set("accel", Json::string_value(i.accel));
    ctx.set("cpu_model", Json::string_value(i.cpu_model));
    ctx.set("boot", Json::string_value(i.boot));
    ctx.set("memory", Json::string_value(i.memory));
    ctx.set("vcpus", Json::unsigned_integer(i.vcpus));
    ctx.set("timing", Json::string_value(i.timing));
    ctx.set("timer", Json::string_value(i.timer));
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
    ctx.set("time_unit_note",
            Json::string_value("real_time/cpu_time: median cost per iteration in ns (cycles / tsc_hz), or in cycles "
                               "with time_unit \"cycles\" when tsc_hz is unknown; cycles_* are guest TSC cycles, "
                               "external_* host TSC cycles"));
    Json benches = Json::array();
    for (size_t n = 0; n < doc.benchmarks.size(); ++n)
        benches.push(benchmark_json(doc.benchmarks[n], n, i.tsc_hz, i.host_tsc_hz));
    Json root = Json::object();
    root.set("context", std::move(ctx));
    root.set("benchmarks", std::move(benches));
    return serialize_json(root, 2) + "\n";
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
        i.tsc_hz = c->get_uint("tsc_hz").value_or(0);
        i.accel = c->get_string("accel").value_or("");
        i.cpu_model = c->get_string("cpu_model").value_or("");
        i.boot = c->get_string("boot").value_or("");
        i.memory = c->get_string("memory").value_or("");
        i.vcpus = unsigned(c->get_uint("vcpus").value_or(0));
        i.timing = c->get_string("timing").value_or("internal");
        i.timer = c->get_string("timer").value_or("");
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

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos && (s.empty() || (s.front() != ' ' && s.back() != ' ')))
        return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string write_results_csv(const std::vector<BenchResult>& results, uint64_t tsc_hz) {
    std::string out;
    for (size_t i = 0; i < kCsvColumns.size(); ++i) {
        if (i) out += ',';
        out += kCsvColumns[i];
    }
    out += "\r\n";
    for (const auto& r : results) {
        const ExternalStats* e = r.external ? &*r.external : nullptr;
        std::vector<std::string> row = {
            r.name, r.category, r.status, std::to_string(r.iterations), std::to_string(r.repetitions),
            milli_text(r.median_milli), milli_text(r.mad_milli), milli_text(r.min_milli), milli_text(r.mean_milli),
            milli_text(r.control_median_milli),
            (r.tsc_hz ? r.tsc_hz : tsc_hz) ? Json::real(milli_cycles_to_ns(r.headline_milli(), r.tsc_hz ? r.tsc_hz : tsc_hz), 3).text : "",
            r.timer,
            std::to_string(r.vm), e ? std::to_string(e->samples) : "", e ? milli_text(e->median_milli) : "",
            e ? milli_text(e->mad_milli) : "", e ? milli_text(e->min_milli) : "", e ? milli_text(e->mean_milli) : "",
            e ? milli_text(e->control_median_milli) : "", params_text(r.params), r.reason,
            opt_milli_text(r.ci_low_milli), opt_milli_text(r.ci_high_milli),
            r.noisy ? (*r.noisy ? "true" : "false") : "", r.outliers ? std::to_string(*r.outliers) : "",
            opt_milli_text(r.estimate_milli), opt_milli_text(r.estimate_low_milli), opt_milli_text(r.estimate_high_milli),
            opt_milli_text(r.p50_milli), opt_milli_text(r.p90_milli), r.noisy_cause};
        for (size_t i = 0; i < row.size(); ++i) {
            if (i) out += ',';
            // Text from the guest (names, reasons, ...) is neutralised; the
            // figures are the tool's own and stay numbers.
            out += csv_field(is_text_column(kCsvColumns[i]) ? csv_text_cell(row[i]) : row[i]);
        }
        out += "\r\n";
    }
    return out;
}

std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, std::string* error,
                                                             CsvLayout* layout) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, was_quoted = false, any = false;
    size_t line = 1, row_line = 1;
    auto end_field = [&] {
        row.push_back(std::move(field));
        field.clear();
        was_quoted = false;
    };
    auto end_row = [&] {
        end_field();
        rows.push_back(std::move(row));
        row.clear();
        if (layout) layout->row_lines.push_back(row_line);
    };
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        any = true;
        if (c == '"') {
            if (!field.empty() || was_quoted) {
                if (error) *error = "line " + std::to_string(line) + ": stray quote";
                return std::nullopt;
            }
            quoted = was_quoted = true;
        } else if (c == ',') {
            end_field();
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            end_row();
            any = false;
            row_line = ++line;
        } else {
            if (was_quoted) {
                if (error) *error = "line " + std::to_string(line) + ": text after a closing quote";
                return std::nullopt;
            }
            field += c;
        }
    }
    if (quoted) {
        if (error) *error = "line " + std::to_string(row_line) + ": unterminated quoted field (the file was cut short?)";
        return std::nullopt;
    }
    if (any || !field.empty() || !row.empty()) {
        end_row();
        if (layout) layout->last_row_unterminated = true;
    }
    return rows;
}

std::optional<std::vector<BenchResult>> read_results_csv(std::string_view text, std::string* error) {
    CsvLayout layout;
    auto rows = parse_csv(text, error, &layout);
    if (!rows) return std::nullopt;
    if (rows->empty()) {
        if (error) *error = "empty CSV";
        return std::nullopt;
    }
    const auto& head = rows->front();
    auto col = [&](const std::string& name) -> int {
        for (size_t i = 0; i < head.size(); ++i)
            if (head[i] == name) return int(i);
        return -1;
    };
    int c_name = col("name"), c_median = col("cycles_median");
    if (c_name < 0 || c_median < 0) {
        if (error) *error = "CSV header lacks name or cycles_median";
        return std::nullopt;
    }
    std::vector<BenchResult> out;
    std::unordered_map<std::string, size_t> first_line;  // name -> its row's line
    for (size_t n = 1; n < rows->size(); ++n) {
        const auto& row = (*rows)[n];
        size_t line = layout.row_lines[n];
        auto fail = [&](const std::string& what) {
            if (error) *error = "line " + std::to_string(line) + ": " + what;
            return std::nullopt;
        };
        auto bad = [&](const std::string& what) { return fail("bad " + what); };
        if (row.size() == 1 && row[0].empty()) continue;  // blank line
        // A row cut short (a copy stopped mid-file) is an error, never a row
        // of zeros: every row has the header's fields and its line end.
        if (row.size() != head.size())
            return fail(std::to_string(row.size()) + " fields where the header has " + std::to_string(head.size()) +
                        (row.size() < head.size() ? ": the row is cut short" : ""));
        if (n + 1 == rows->size() && layout.last_row_unterminated)
            return fail("the last row has no line end: the file was cut short");
        auto get = [&](const char* name) -> std::string {
            int c = col(name);
            std::string v = c >= 0 && size_t(c) < row.size() ? row[size_t(c)] : "";
            return is_text_column(name) ? csv_text_value(v) : v;
        };
        BenchResult r;
        r.name = get("name");
        if (auto [it, fresh] = first_line.try_emplace(r.name, line); !fresh)
            return fail("a second row for " + r.name + " (the first is on line " + std::to_string(it->second) + ")");
        r.category = get("category");
        r.status = get("status");
        if (r.status.empty()) r.status = "ok";
        r.reason = get("reason");
        r.timer = get("timer");
        uint64_t u = 0;
        if (!get("iterations").empty()) {
            if (!parse_uint(get("iterations"), u)) return bad("iterations");
            r.iterations = u;
        }
        if (!get("repetitions").empty()) {
            if (!parse_uint(get("repetitions"), u)) return bad("repetitions");
            r.repetitions = uint32_t(u);
        }
        if (!get("vm").empty()) {
            if (!parse_uint(get("vm"), u)) return bad("vm");
            r.vm = unsigned(u);
        }
        auto milli = [&](const char* name, int64_t& out_v) {
            std::string s = get(name);
            if (s.empty()) return true;
            auto m = parse_milli(s);
            if (!m) return false;
            out_v = *m;
            return true;
        };
        if (!milli("cycles_median", r.median_milli) || !milli("cycles_mad", r.mad_milli) ||
            !milli("cycles_min", r.min_milli) || !milli("cycles_mean", r.mean_milli) ||
            !milli("control_median", r.control_median_milli))
            return bad("cycle figure");
        if (!get("external_cycles_median").empty()) {
            ExternalStats e;
            if (!parse_uint(get("external_samples"), u)) return bad("external_samples");
            e.samples = uint32_t(u);
            if (!milli("external_cycles_median", e.median_milli) || !milli("external_cycles_mad", e.mad_milli) ||
                !milli("external_cycles_min", e.min_milli) || !milli("external_cycles_mean", e.mean_milli) ||
                !milli("external_control_median", e.control_median_milli))
                return bad("external figure");
            r.external = e;
        }
        // Columns of newer runs (a file without them reads as before).
        for (auto [name, out_v] : {std::pair{"ci_low", &r.ci_low_milli}, std::pair{"ci_high", &r.ci_high_milli},
                                   std::pair{"cycles_estimate", &r.estimate_milli},
                                   std::pair{"estimate_low", &r.estimate_low_milli},
                                   std::pair{"estimate_high", &r.estimate_high_milli},
                                   std::pair{"cycles_p50", &r.p50_milli}, std::pair{"cycles_p90", &r.p90_milli}}) {
            std::string v = get(name);
            if (v.empty()) continue;
            auto m = parse_milli(v);
            if (!m) return bad(name);
            *out_v = *m;
        }
        if (r.ci_low_milli.has_value() != r.ci_high_milli.has_value()) return bad("ci_low/ci_high (one without the other)");
        if (std::string v = get("noisy"); !v.empty()) {
            if (v != "true" && v != "false") return bad("noisy");
            r.noisy = v == "true";
        }
        if (std::string v = get("outliers"); !v.empty()) {
            if (!parse_uint(v, u)) return bad("outliers");
            r.outliers = u;
        }
        r.noisy_cause = get("noisy_cause");
        std::string params = get("params");
        size_t pos = 0;
        while (pos < params.size()) {
            size_t semi = params.find(';', pos);
            std::string item = params.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
            size_t eq = item.find('=');
            if (eq == std::string::npos || !parse_uint(item.substr(eq + 1), u)) return bad("params");
            r.params.emplace_back(item.substr(0, eq), u);
            if (semi == std::string::npos) break;
            pos = semi + 1;
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::string format_linearity(const std::vector<BenchResult>& results) {
    std::string out;
    char line[256];
    for (const auto& r : results) {
        if (r.linearity.empty()) continue;
        if (out.empty()) {
            out = "linearity: per-iteration median at N, 10N, 100N iterations; ratio = that median / N's "
                  "(1.000: the cost per iteration does not depend on the iteration count); * noisy\n";
            snprintf(line, sizeof line, "%-24s %12s %14s %25s %6s %8s\n", "benchmark", "iterations", "median",
                     "95% CI", "reps", "ratio");
            out += line;
        }
        bool first = true;
        for (const LinearityLevel& l : r.linearity) {
            std::string ci = l.ci_low_milli && l.ci_high_milli
                                 ? "[" + milli_text(*l.ci_low_milli) + ", " + milli_text(*l.ci_high_milli) + "]"
                                 : "-";
            snprintf(line, sizeof line, "%-24s %12llu %14s %25s %6llu %8s%s\n", first ? r.name.c_str() : "",
                     static_cast<unsigned long long>(l.iterations), milli_text(l.median_milli).c_str(), ci.c_str(),
                     static_cast<unsigned long long>(l.repetitions), milli_text(l.ratio_milli).c_str(),
                     l.noisy ? " *" : "");
            out += line;
            first = false;
        }
    }
    return out;
}

std::optional<std::string> read_text_file(const std::string& path, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error) *error = path + ": " + strerror(errno);
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool write_text_file(const std::string& path, std::string_view content, std::string* error) {
    std::string tmp = path + ".tmp" + std::to_string(getpid());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (error) *error = path + ": " + strerror(errno);
        return false;
    }
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (error) *error = path + ": " + strerror(errno);
            close(fd);
            unlink(tmp.c_str());
            return false;
        }
        done += size_t(n);
    }
    close(fd);
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        if (error) *error = path + ": " + strerror(errno);
        unlink(tmp.c_str());
        return false;
    }
    return true;
}

std::optional<ResultsDoc> load_results(const std::string& path, std::string* error) {
    auto text = read_text_file(path, error);
    if (!text) return std::nullopt;
    size_t first = text->find_first_not_of(" \t\r\n");
    std::string err;
    std::optional<ResultsDoc> doc;
    if (first != std::string::npos && (*text)[first] == '{') {
        doc = read_results_json(*text, &err);
    } else if (auto rows = read_results_csv(*text, &err)) {
        doc = ResultsDoc{};
        doc->benchmarks = std::move(*rows);
    }
    if (!doc) {
        if (error) *error = path + ": " + err;
        return std::nullopt;
    }
    if (doc->info.label.empty()) {
        std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
        size_t dot = base.rfind('.');
        doc->info.label = dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
    }
    return doc;
}

}  // namespace hvb::tools
