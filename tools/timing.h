// tools/timing.h — external measurement (HyperBench section 5.2): the host
// timestamps the marker bytes the kernel sends right before (0x02) and right
// after (0x03) each timed loop, so a loop's duration is also known in host
// TSC cycles, independent of the guest's own (possibly virtualized) TSC.
//
// SerialStream is what the VMM's stdout (the guest's COM1) is fed through:
// it strips the markers from the text, stamps each with the host TSC taken
// when the read that carried it returned, pairs them into loop durations
// and files them under the benchmark that was running (between its `begin`
// and `result` records), and passes the text on to the record reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/records.h"

namespace hvb::tools {

// The host's TSC, serialized: LFENCE; RDTSC; LFENCE.
uint64_t host_tsc();
// Host TSC ticks per second, measured against CLOCK_MONOTONIC over `ms`.
uint64_t calibrate_host_tsc_hz(int ms = 50);

// The same measurement without waiting for it: started once, read whenever
// (over a whole run it is also more precise than a short busy wait).
class HostTscRate {
public:
    HostTscRate();
    // Ticks per second since construction; 0 until `min_ms` have passed.
    uint64_t hz(int min_ms = 20) const;

private:
    int64_t t0_;
    uint64_t c0_;
};

// ExternalStats (tools/result.h): what external_stats makes of the loops.

// One timed loop as the host saw it. `one_read`: both its markers arrived in
// the same read from the VMM, so they carry the same stamp and the host did
// not time the loop at all (its reader was late by more than the loop).
struct HostLoop {
    uint64_t cycles = 0;
    bool one_read = false;
    bool operator==(const HostLoop&) const = default;
};

// Loop durations alternate control, benchmark (the runner's order); a
// trailing unpaired control is ignored. A pair whose benchmark loop the host
// did not time is counted in `unresolved` and left out; a control loop the
// host did not time is shorter than it can see and counts as 0 cycles.
// nullopt when no pair is left (see unresolved_pairs for why).
std::optional<ExternalStats> external_stats(const std::vector<HostLoop>& loops, uint64_t iterations);
// Pairs left out of external_stats: their benchmark loop was not timed.
uint32_t unresolved_pairs(const std::vector<HostLoop>& loops);

class SerialStream {
public:
    struct Timed {
        std::string name;             // the benchmark
        std::vector<HostLoop> loops;  // host TSC cycles per timed loop, in order
        uint32_t unpaired = 0;        // a start without an end or the reverse
    };

    // `bytes` as read from the VMM, `tsc` the host TSC right after the read.
    void feed(std::string_view bytes, uint64_t tsc);
    void finish();  // end of stream: reads a last line without a newline

    const RunLog& log() const { return reader_.log(); }
    const std::vector<Timed>& timed() const { return timed_; }
    const Timed* timed_for(std::string_view name) const;
    size_t markers() const { return markers_; }
    size_t stray_markers() const { return stray_; }  // outside any benchmark
    size_t bytes() const { return bytes_; }          // text bytes (markers excluded)
    // The last `n` lines of text (markers stripped), the last one possibly
    // without its newline.
    std::vector<std::string> last_lines(size_t n) const;

private:
    void text(std::string_view t);
    void marker(char m, uint64_t tsc);
    RunLogReader reader_;
    std::vector<Timed> timed_;
    struct Stamp {
        uint64_t tsc;
        size_t read;  // which feed() carried the marker
    };
    std::optional<Stamp> open_start_;
    size_t reads_ = 0;
    size_t markers_ = 0, stray_ = 0, bytes_ = 0;
    std::vector<std::string> lines_;  // ring of recent lines
    std::string partial_line_;
};

}  // namespace hvb::tools
