// tools/timing.cpp — host TSC stamps for the kernel's timing markers.
#include "tools/timing.h"

#include <time.h>
#include <x86intrin.h>

#include "posih/stats.h"

namespace hvb::tools {
namespace {

constexpr size_t kKeptLines = 64;

int64_t mono_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

uint64_t host_tsc() {
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}

HostTscRate::HostTscRate() : t0_(mono_ns()), c0_(host_tsc()) {}

uint64_t HostTscRate::hz(int min_ms) const {
    int64_t t1 = mono_ns();
    uint64_t c1 = host_tsc();
    if (t1 - t0_ < int64_t(min_ms) * 1000000 || t1 <= t0_ || c1 <= c0_) return 0;
    return uint64_t((unsigned __int128)(c1 - c0_) * 1000000000u / uint64_t(t1 - t0_));
}

uint64_t calibrate_host_tsc_hz(int ms) {
    int64_t t0 = mono_ns();
    uint64_t c0 = host_tsc();
    int64_t t1;
    do {
        t1 = mono_ns();
    } while (t1 - t0 < int64_t(ms) * 1000000);
    uint64_t c1 = host_tsc();
    if (t1 <= t0 || c1 <= c0) return 0;
    return uint64_t((unsigned __int128)(c1 - c0) * 1000000000u / uint64_t(t1 - t0));
}

uint32_t unresolved_pairs(const std::vector<HostLoop>& loops) {
    uint32_t n = 0;
    for (size_t i = 0; i + 1 < loops.size(); i += 2) n += loops[i + 1].one_read;
    return n;
}

std::optional<ExternalStats> external_stats(const std::vector<HostLoop>& loops, uint64_t iterations) {
    if (iterations == 0) return std::nullopt;
    std::vector<int64_t> cost, control;
    for (size_t i = 0; i + 1 < loops.size(); i += 2) {
        const HostLoop& k = loops[i];
        const HostLoop& b = loops[i + 1];
        if (b.one_read) continue;
        // A control loop inside one read is shorter than the host can see
        // (the empty loop often lasts microseconds): it counts as 0.
        uint64_t kc = k.one_read ? 0 : k.cycles;
        cost.push_back(per_iteration_milli(b.cycles, kc, iterations));
        control.push_back(per_iteration_milli(kc, 0, iterations));
    }
    size_t pairs = cost.size();
    if (pairs == 0) return std::nullopt;
    std::vector<int64_t> scratch(pairs);
    Summary c = summarize(cost.data(), pairs, scratch.data());
    Summary k = summarize(control.data(), pairs, scratch.data());
    ExternalStats s;
    s.samples = uint32_t(pairs);
    s.unresolved = unresolved_pairs(loops);
    s.min_milli = c.min;
    s.median_milli = c.median;
    s.mean_milli = c.mean;
    s.mad_milli = c.mad;
    s.control_median_milli = k.median;
    return s;
}

void SerialStream::feed(std::string_view bytes, uint64_t tsc) {
    ++reads_;
    size_t from = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
        char c = bytes[i];
        if (c != kMarkerStart && c != kMarkerEnd) continue;
        // Everything before the marker first, so the record reader knows
        // which benchmark is running when it arrived.
        text(bytes.substr(from, i - from));
        marker(c, tsc);
        from = i + 1;
    }
    text(bytes.substr(from));
}

void SerialStream::finish() {
    reader_.finish();
    if (!partial_line_.empty()) {
        lines_.push_back(partial_line_);
        partial_line_.clear();
    }
}

void SerialStream::text(std::string_view t) {
    if (t.empty()) return;
    bytes_ += t.size();
    reader_.feed(t);
    for (char c : t) {
        if (c == '\n') {
            if (!partial_line_.empty() && partial_line_.back() == '\r') partial_line_.pop_back();
            lines_.push_back(std::move(partial_line_));
            partial_line_.clear();
            if (lines_.size() > 2 * kKeptLines) lines_.erase(lines_.begin(), lines_.begin() + kKeptLines);
        } else if (partial_line_.size() < 4 * kMaxRecordLine) {
            partial_line_ += c;
        }
    }
}

void SerialStream::marker(char m, uint64_t tsc) {
    ++markers_;
    auto running = reader_.log().unfinished();
    if (!running) {
        ++stray_;
        open_start_.reset();
        return;
    }
    Timed* t = timed_.empty() || timed_.back().name != *running ? nullptr : &timed_.back();
    if (!t) {
        timed_.push_back(Timed{*running, {}, 0});
        t = &timed_.back();
        open_start_.reset();
    }
    if (m == kMarkerStart) {
        if (open_start_) ++t->unpaired;
        open_start_ = Stamp{tsc, reads_};
    } else if (open_start_) {
        t->loops.push_back(HostLoop{tsc - open_start_->tsc, open_start_->read == reads_});
        open_start_.reset();
    } else {
        ++t->unpaired;
    }
}

const SerialStream::Timed* SerialStream::timed_for(std::string_view name) const {
    for (const auto& t : timed_)
        if (t.name == name) return &t;
    return nullptr;
}

std::vector<std::string> SerialStream::last_lines(size_t n) const {
    std::vector<std::string> out;
    if (n == 0) return out;
    size_t have = lines_.size() + (partial_line_.empty() ? 0 : 1);
    size_t skip = have > n ? have - n : 0;
    for (size_t i = skip; i < lines_.size(); ++i) out.push_back(lines_[i]);
    if (!partial_line_.empty()) out.push_back(partial_line_);
    return out;
}

}  // namespace hvb::tools
