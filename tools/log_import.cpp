// tools/log_import.cpp — a kernel's serial log into a report (see log_import.h).
#include "tools/log_import.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "kernel/protocol.h"

namespace hvb::tools {
namespace {

// The result record of a benchmark begun on line `begun` (the next begin on
// line `next`, 0: none) that could not be read, if there is one.
const BadRecord* unreadable_result(const RunLog& log, size_t begun, size_t next) {
    for (const auto& b : log.bad_records)  // few: a kernel's stream has none
        if (b.line > begun && (next == 0 || b.line < next) && (b.type.empty() || b.type == kRecordResult)) return &b;
    return nullptr;
}

RunReport report_from_log(const SerialStream& stream) {
    RunReport rep;
    const RunLog& log = stream.log();
    rep.header = log.header;
    if (log.header) {
        rep.total = log.header->benchmarks;
        rep.timer = log.header->timer;
    }
    rep.vms = log.header ? 1 : 0;
    rep.problems = log.problems;
    std::unordered_map<std::string, size_t> index;  // name -> its entry in rep.results
    std::unordered_map<std::string, size_t> first_line;  // name -> the line of its result kept
    size_t duplicates = 0;
    constexpr size_t kListed = 10;
    for (const auto& r : log.results) {
        auto [it, fresh] = index.try_emplace(r.name, rep.results.size());
        if (!fresh) {
            // A log of several runs (run --runs N --log) or a forged one: the
            // first result of a name is kept, and that is said.
            if (++duplicates <= kListed)
                rep.problems.push_back("line " + std::to_string(r.line) + ": another result for " + r.name +
                                       "; the first (line " + std::to_string(first_line[r.name]) +
                                       ") is kept (a log of several runs? import each run's log on its own)");
            continue;
        }
        first_line[r.name] = r.line;
        BenchResult b = result_from_record(r, rep.timer, 1, stream);
        b.external.reset();  // a log has no host timestamps
        rep.results.push_back(std::move(b));
    }
    for (const auto& v : log.verifies) {
        auto it = index.find(v.name);
        if (it == index.end()) continue;
        BenchResult& b = rep.results[it->second];
        if (v.measured) b.verify_median_milli = v.median_milli;
        b.verify_agrees = v.agrees;
        if (!v.agrees) b.noisy = true;
    }
    // Every benchmark begun without a result: the VM died there (a log of
    // several VMs, like `hvbench run --log`, can hold more than one) -- or
    // its result record is there but could not be read: then it is left out
    // and named, never called a crash.
    std::string last = log.unfinished().value_or("");
    for (size_t k = 0; k < log.begun.size(); ++k) {
        const std::string& name = log.begun[k];
        if (index.count(name)) continue;
        size_t next = k + 1 < log.begun_lines.size() ? log.begun_lines[k + 1] : 0;
        if (const BadRecord* bad = unreadable_result(log, log.begun_lines[k], next)) {
            rep.problems.push_back("line " + std::to_string(bad->line) + ": the result record of " + name +
                                   " could not be read (" + bad->why + "); it is left out");
            ++rep.unreadable_results;
            index.emplace(name, size_t(-1));
            continue;
        }
        BenchResult b;
        b.name = name;
        b.status = kStatusCrashed;
        b.reason = name == last ? "the log ends while " + name + " ran"
                                : "the log has no result for " + name + " (its VM died)";
        if (name == last) b.vmm_output = join(stream.last_lines(kVmmTailLines), "\n");
        b.timer = rep.timer;
        b.vm = 1;
        index.emplace(name, rep.results.size());
        rep.results.push_back(std::move(b));
    }
    if (duplicates > kListed)
        rep.problems.push_back(std::to_string(duplicates) + " results repeat a name in all; the first of each is kept");
    rep.kernel_errors = log.errors;
    if (log.end) rep.kernel_exit_bits = log.end->exit_code;
    rep.complete = log.end.has_value() && !log.flooded;
    if (!log.header) rep.fatal = "no header record in the log";
    return rep;
}

}  // namespace

RunReport read_log_chunks(const std::function<size_t(char* buf, size_t size)>& read) {
    SerialStream stream;
    std::vector<char> buf(size_t(1) << 16);
    for (size_t n; (n = read(buf.data(), buf.size())) > 0;) stream.feed(std::string_view(buf.data(), n), 0);
    stream.finish();
    return report_from_log(stream);
}

RunReport read_log(std::string_view text) {
    size_t pos = 0;
    return read_log_chunks([&](char* out, size_t size) {
        size_t n = std::min(size, text.size() - pos);
        std::copy_n(text.data() + pos, n, out);
        pos += n;
        return n;
    });
}

std::string platform_label(const HeaderInfo& h) {
    const std::string& sig = h.hypervisor;
    if (sig.empty() || sig == "none") return "native";
    if (sig.rfind("KVMKVMKVM", 0) == 0) return "kvm";
    if (sig.rfind("XenVMMXenVMM", 0) == 0) return "xen";
    if (sig.rfind("TCGTCGTCGTCG", 0) == 0) return "tcg";
    if (sig.rfind("Microsoft Hv", 0) == 0) return "hyper-v";
    if (sig.rfind("VMwareVMware", 0) == 0) return "vmware";
    if (sig.rfind("VBoxVBoxVBox", 0) == 0) return "virtualbox";
    if (sig.rfind("ACRNACRNACRN", 0) == 0) return "acrn";
    if (sig.rfind("bhyve bhyve", 0) == 0) return "bhyve";
    std::string out;
    for (char c : sig) out += (std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '-');
    return out;
}

}  // namespace hvb::tools
