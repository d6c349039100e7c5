// tools/host_load.cpp — see host_load.h.
#include "tools/host_load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace hvb::tools {

std::optional<HostCpuSample> parse_proc_stat(std::string_view text, std::string* error) {
    auto fail = [&](const std::string& why) -> std::optional<HostCpuSample> {
        if (error) *error = "/proc/stat: " + why;
        return std::nullopt;
    };
    if (text.substr(0, 4) != "cpu ") return fail("no aggregate \"cpu\" line first");
    size_t end = text.find('\n');
    std::string_view line = text.substr(4, end == std::string_view::npos ? text.size() - 4 : end - 4);
    std::vector<uint64_t> fields;
    size_t i = 0;
    while (i < line.size()) {
        if (line[i] == ' ') {
            ++i;
            continue;
        }
        uint64_t v = 0;
        size_t start = i;
        for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
            if (v > (UINT64_MAX - 9) / 10) return fail("a counter out of range");
            v = v * 10 + uint64_t(line[i] - '0');
        }
        if (i == start || (i < line.size() && line[i] != ' ')) return fail("a field that is not a number");
        fields.push_back(v);
    }
    // user nice system idle iowait irq softirq steal [guest guest_nice]:
    // guest time is counted in user already.
    if (fields.size() < 4) return fail("fewer than 4 fields on the \"cpu\" line");
    HostCpuSample s;
    for (size_t k = 0; k < fields.size() && k < 8; ++k) {
        if (fields[k] > UINT64_MAX - s.total_ticks) return fail("counters out of range");
        s.total_ticks += fields[k];
        if (k != 3 && k != 4) s.busy_ticks += fields[k];
    }
    return s;
}

namespace {
double seconds(const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; }
}  // namespace

std::optional<HostCpuSample> sample_host_cpu() {
    std::ifstream in("/proc/stat");
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    std::optional<HostCpuSample> s = parse_proc_stat(text.str(), nullptr);
    if (!s) return std::nullopt;
    rusage self{}, children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    s->own_cpu_s = seconds(self.ru_utime) + seconds(self.ru_stime) + seconds(children.ru_utime) +
                   seconds(children.ru_stime);
    s->wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    return s;
}

std::optional<double> other_work_cpus(const HostCpuSample& before, const HostCpuSample& after, long ticks_per_s) {
    double wall = after.wall_s - before.wall_s;
    if (wall <= 0 || ticks_per_s <= 0 || after.busy_ticks < before.busy_ticks) return std::nullopt;
    double busy = double(after.busy_ticks - before.busy_ticks) / double(ticks_per_s);
    double other = busy - (after.own_cpu_s - before.own_cpu_s);
    return other > 0 ? other / wall : 0.0;
}

std::string overcommit_cause(double other_cpus, unsigned vcpus, unsigned host_cpus) {
    double spare = double(host_cpus) - double(vcpus);
    if (other_cpus <= (spare > 0 ? spare : 0) + 0.5) return "";
    char buf[160];
    snprintf(buf, sizeof buf, "host overcommitted: %.1f CPUs of other work beside %u vCPUs on %u CPUs", other_cpus,
             vcpus, host_cpus);
    return buf;
}

std::string overcommit_since(const HostCpuSample& before, unsigned vcpus) {
    std::optional<HostCpuSample> after = sample_host_cpu();
    long host_cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (!after || host_cpus <= 0) return "";
    std::optional<double> other = other_work_cpus(before, *after, sysconf(_SC_CLK_TCK));
    return other ? overcommit_cause(*other, vcpus, unsigned(host_cpus)) : "";
}

}  // namespace hvb::tools
