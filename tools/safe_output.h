// tools/safe_output.h — output files that never destroy what they should not.
//
// - check_outputs: no output may be an input or another output. Paths are
//   compared as the files they name (device and inode when the file exists,
//   else the resolved directory and name), so "a.json", "./a.json" and a
//   symlink to it are one file. An output that exists must be a regular file.
// - probe_writable: the directory takes a new file (the tool writes through
//   a temporary file and rename) -- checked before the first VM starts, so a
//   run never measures for an hour to find it cannot keep the results.
// - RewritePacer: a results file rewritten after every result costs O(n^2)
//   over a run; the pacer lets a rewrite through at most every `interval_ms`
//   (the first result at once), and the caller writes once more at the end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hvb::tools {

struct NamedPath {
    std::string what;  // how the user gave it, e.g. "--json" or "input"
    std::string path;
};

// nullopt when every output is a file of its own; else what clashes.
std::optional<std::string> check_outputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

// The file can be written (created in its directory and renamed over).
bool probe_writable(const std::string& path, std::string* error);

class RewritePacer {
public:
    explicit RewritePacer(int64_t interval_ms = 1000) : interval_ms_(interval_ms) {}
    // Something changed at `now_ms`: true when it is time to write it.
    bool changed(int64_t now_ms);
    // Still unwritten changes that are due at `now_ms` (call on idle ticks).
    bool due(int64_t now_ms) const { return dirty_ && now_ms - last_ms_ >= interval_ms_; }
    void written(int64_t now_ms);
    bool dirty() const { return dirty_; }

private:
    int64_t interval_ms_;
    int64_t last_ms_ = INT64_MIN / 2;
    bool dirty_ = false;
};

}  // namespace hvb::tools
