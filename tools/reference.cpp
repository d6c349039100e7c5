// tools/reference.cpp — see reference.h.
#include "tools/reference.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "tools/json.h"
#include "tools/results.h"

namespace hvb::tools {

std::string reference_path(const std::string& arch, const std::string& accel) {
    std::string dir;
    if (const char* d = getenv("HVB_REFERENCE_DIR"); d && *d) {
        dir = d;
    } else if (const char* x = getenv("XDG_CACHE_HOME"); x && *x) {
        dir = std::string(x) + "/hvbench";
    } else {
        const char* home = getenv("HOME");
        dir = std::string(home && *home ? home : "/tmp") + "/.cache/hvbench";
    }
    return dir + "/reference-" + arch + "-" + accel + ".json";
}

std::optional<PaceReference> read_reference(const std::string& path, std::string* error) {
    auto text = read_text_file(path, error);
    if (!text) return std::nullopt;
    auto json = parse_json(*text, error);
    if (!json) return std::nullopt;
    PaceReference r;
    auto host = json->get_string("host"), accel = json->get_string("accel"), cpu = json->get_string("cpu_model");
    auto loop = json->get_milli("empty_loop_cycles"), timer = json->get_milli("timer_cycles");
    auto date = json->get_string("date"), prov = json->get_string("provenance");
    if (!host || !accel || !cpu || !loop || !timer || !date || !prov || *loop <= 0) {
        if (error) *error = path + ": not an hvbench pace reference";
        return std::nullopt;
    }
    r.host = *host;
    r.accel = *accel;
    r.cpu_model = *cpu;
    r.empty_loop_milli = *loop;
    r.timer_milli = *timer;
    r.date = *date;
    r.provenance = *prov;
    return r;
}

bool write_reference(const std::string& path, const PaceReference& ref, std::string* error) {
    Json j = Json::object();
    j.set("host", Json::string_value(ref.host))
        .set("accel", Json::string_value(ref.accel))
        .set("cpu_model", Json::string_value(ref.cpu_model))
        .set("empty_loop_cycles", Json::milli(ref.empty_loop_milli))
        .set("timer_cycles", Json::milli(ref.timer_milli))
        .set("date", Json::string_value(ref.date))
        .set("provenance", Json::string_value(ref.provenance));
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (ec) {
        if (error) *error = "cannot create the directory of " + path + ": " + ec.message();
        return false;
    }
    return write_text_file(path, serialize_json(j, 2) + "\n", error);
}

namespace {
std::string ratio_text(int64_t num, int64_t den) {
    int64_t hundredths = int64_t(__int128(num) * 100 / den);
    char buf[32];
    snprintf(buf, sizeof buf, "%lld.%02lld", (long long)(hundredths / 100), (long long)(hundredths % 100));
    return buf;
}
}  // namespace

ReferenceVerdict judge_reference(const std::optional<PaceReference>& ref, const std::string& path,
                                 const std::vector<LaunchPace>& paces, const PaceReference& here) {
    ReferenceVerdict v;
    const LaunchPace* best = nullptr;
    for (const LaunchPace& p : paces)
        if (p.empty_loop_milli && *p.empty_loop_milli > 0 && (!best || *p.empty_loop_milli < *best->empty_loop_milli))
            best = &p;
    if (!best) return v;  // kernels without yardsticks: nothing to compare
    PaceReference mine = here;
    mine.empty_loop_milli = *best->empty_loop_milli;
    mine.timer_milli = best->timer_milli.value_or(0);
    bool same = ref && ref->host == here.host && ref->accel == here.accel && ref->cpu_model == here.cpu_model;
    if (!same) {
        v.updated = mine;
        v.notes.push_back(std::string(ref ? "pace reference " + path + " was another platform's (" + ref->host + ", " +
                                                ref->accel + ", " + ref->cpu_model + "): replaced"
                                          : "no pace reference yet: " + path + " written") +
                          " with this run's empty loop " + milli_text(mine.empty_loop_milli) + " cycles");
        return v;
    }
    v.notes.push_back("pace reference " + path + " (" + ref->date + ", " + ref->provenance + "): empty loop " +
                      milli_text(ref->empty_loop_milli) + " cycles; this run's cheapest launch " +
                      milli_text(mine.empty_loop_milli) + " (" + ratio_text(mine.empty_loop_milli, ref->empty_loop_milli) +
                      "x)");
    if (__int128(mine.empty_loop_milli) * 1000 >= __int128(ref->empty_loop_milli) * kSlowPhasePermille)
        v.slow_cause = "host in a slow phase: empty loop " + ratio_text(mine.empty_loop_milli, ref->empty_loop_milli) +
                       "x its reference (" + path + ", " + ref->date + ") in every launch";
    if (mine.empty_loop_milli < ref->empty_loop_milli) {
        v.updated = mine;
        v.notes.push_back("pace reference lowered to " + milli_text(mine.empty_loop_milli) + " cycles");
    }
    return v;
}

void flag_established(std::vector<BenchResult>& results, const std::string& cause) {
    for (auto& r : results)
        if (r.ok() && !r.is_noisy()) {
            r.noisy = true;
            r.noisy_cause = cause;
        }
}

}  // namespace hvb::tools
