// tools/vm_io.cpp — one VM's pipes read with deadlines (see vm_io.h).
#include "tools/vm_io.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>

#include "kernel/protocol.h"
#include "tools/run.h"

namespace hvb::tools {
namespace {

constexpr size_t kMaxStderr = 16 * 1024;

// QEMU's messages when it stops a guest it cannot run on (it may then sit
// paused instead of exiting).
constexpr const char* kVmmStopMessages[] = {"KVM internal error", "emulation failure", "KVM: entry failed",
                                            "hardware error 0x"};

// The last lines of both of the VMM's streams in arrival order.
class Tail {
public:
    void feed(std::string_view bytes, bool vmm) {
        std::string& partial = vmm ? err_ : out_;
        for (char c : bytes) {
            if (c == kMarkerStart || c == kMarkerEnd || c == '\r') continue;
            if (c == '\n') {
                push((vmm ? "[vmm] " : "") + partial);
                partial.clear();
            } else if (partial.size() < 1024) {
                partial += c;
            }
        }
    }
    std::vector<std::string> lines() const {
        std::vector<std::string> out(lines_.begin(), lines_.end());
        if (!out_.empty()) out.push_back(out_);
        if (!err_.empty()) out.push_back("[vmm] " + err_);
        if (out.size() > kVmmTailLines) out.erase(out.begin(), out.end() - kVmmTailLines);
        return out;
    }

private:
    void push(std::string line) {
        lines_.push_back(std::move(line));
        if (lines_.size() > kVmmTailLines) lines_.pop_front();
    }
    std::deque<std::string> lines_;
    std::string out_, err_;
};

bool mentions_stop(std::string_view err) {
    for (const char* m : kVmmStopMessages)
        if (err.find(m) != std::string_view::npos) return true;
    return false;
}

// Once QEMU's report is complete, this long for the guest's last bytes.
constexpr int kAfterReportMs = 100;

}  // namespace

std::string first_line(const std::string& s) {
    size_t start = s.find_first_not_of("\r\n ");
    if (start == std::string::npos) return "";
    size_t end = s.find('\n', start);
    std::string line = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

// The line of QEMU's messages that says why it stopped the guest.
std::string vmm_stop_line(const std::string& err) {
    size_t pos = 0;
    while (pos < err.size()) {
        size_t nl = err.find('\n', pos);
        std::string line = err.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        for (const char* m : kVmmStopMessages)
            if (line.find(m) != std::string::npos) return first_line(line);
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return first_line(err);
}

bool vmm_stop_report_complete(std::string_view err) {
    size_t stop = std::string_view::npos;
    for (const char* m : kVmmStopMessages) stop = std::min(stop, err.find(m));
    if (stop == std::string_view::npos) return false;
    // QEMU's register dump ends with the "Code=" line (the bytes at RIP).
    size_t code = err.find("\nCode=", stop);
    return code != std::string_view::npos && err.find('\n', code + 1) != std::string_view::npos;
}

namespace {

// One VM's two pipes read into its outcome: the console into the record
// stream (through the console filter, if any), the VMM's stderr kept and
// watched for a stop report, both into the tail and the raw-output hook.
class VmReader {
public:
    VmReader(Process& p, const RunSettings& s, unsigned vm_number, VmOutcome& o)
        : p_(p), s_(s), vm_(vm_number), o_(o), start_(now_ms()), last_out_(start_),
          filter_(s.console_filter ? s.console_filter() : nullptr) {}

    // When the VM is to be killed: no output for too long (hung), or QEMU
    // reported it stopped the guest (vmm_stopping).
    int64_t deadline() const {
        int64_t d = o_.stream.log().header ? last_out_ + s_.bench_timeout_ms : start_ + s_.boot_timeout_ms;
        if (vmm_stop_at_ >= 0) d = std::min(d, vmm_stop_at_ + s_.vmm_error_grace_ms);
        if (vmm_report_at_ >= 0) d = std::min(d, vmm_report_at_ + kAfterReportMs);
        return d;
    }
    bool vmm_stopping() const { return vmm_stop_at_ >= 0; }

    // Waits up to `timeout_ms` and reads what both pipes have; a pipe at its
    // end is closed. poll's result.
    int poll_pipes(int timeout_ms) {
        pollfd fds[2] = {{p_.stdout_fd(), POLLIN, 0}, {p_.stderr_fd(), POLLIN, 0}};
        int n = poll(fds, 2, timeout_ms);
        for (int i = 0; i < 2 && n > 0; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (!read_fd(fds[i].fd, i == 1)) {
                if (i == 0) p_.close_stdout();
                else p_.close_stderr();
            }
        }
        return n;
    }

    // After a kill: what the VMM wrote before it went, to the end of both
    // pipes (for at most a second).
    void drain() {
        int64_t until = now_ms() + 1000;
        while ((p_.stdout_fd() >= 0 || p_.stderr_fd() >= 0) && now_ms() < until) poll_pipes(100);
    }

    // The VMM is gone: the filter's last bytes, the stream's end, the tail.
    void finish() {
        if (filter_) o_.stream.feed(filter_({}, true), host_tsc());
        o_.stream.finish();
        o_.tail = tail_.lines();
        o_.seconds = double(now_ms() - start_) / 1000.0;
    }

private:
    bool read_fd(int fd, bool vmm) {
        ssize_t got = read(fd, buf_, sizeof buf_);
        if (got < 0 && errno == EINTR) return true;
        if (got <= 0) return false;
        std::string_view chunk(buf_, size_t(got));
        if (s_.raw_output) s_.raw_output(vm_, chunk, vmm);
        if (vmm) {
            if (o_.vmm_stderr.size() < kMaxStderr)
                o_.vmm_stderr.append(chunk.substr(0, kMaxStderr - o_.vmm_stderr.size()));
            if (vmm_stop_at_ < 0 && mentions_stop(o_.vmm_stderr)) vmm_stop_at_ = now_ms();
            if (vmm_stop_at_ >= 0 && vmm_report_at_ < 0 && vmm_stop_report_complete(o_.vmm_stderr))
                vmm_report_at_ = now_ms();
        } else {
            if (filter_) o_.stream.feed(filter_(chunk, false), host_tsc());
            else o_.stream.feed(chunk, host_tsc());
            last_out_ = now_ms();
        }
        tail_.feed(chunk, vmm);
        return true;
    }

    Process& p_;
    const RunSettings& s_;
    unsigned vm_;
    VmOutcome& o_;
    int64_t start_, last_out_;
    int64_t vmm_stop_at_ = -1, vmm_report_at_ = -1;  // QEMU's stop message began; its report is complete
    std::function<std::string(std::string_view, bool)> filter_;
    Tail tail_;
    char buf_[4096];
};

// Ends the VMM: at once when it is to be killed, else (both pipes closed:
// it is exiting) after a moment to do so. True if it was killed.
bool stop_vmm(Process& p, bool kill) {
    if (!kill) kill = !p.exits_within(5000);
    if (kill) p.kill_now();
    return kill;
}

}  // namespace

VmOutcome run_vm(Process& p, const RunSettings& s, const std::function<void(const SerialStream&)>& on_data,
                 unsigned vm_number) {
    VmOutcome o;
    o.started = true;
    VmReader reader(p, s, vm_number, o);
    while (p.stdout_fd() >= 0 || p.stderr_fd() >= 0) {
        if (s.interrupted && *s.interrupted) {
            o.interrupted = true;
            break;
        }
        int64_t now = now_ms(), deadline = reader.deadline();
        if (now >= deadline) {
            if (reader.vmm_stopping()) o.vmm_stopped = true;
            else o.hung = true;
            break;
        }
        int n = reader.poll_pipes(int(std::min<int64_t>(deadline - now, 500)));
        if (n < 0 && errno != EINTR) break;
        if (on_data) on_data(o.stream);
    }
    if (stop_vmm(p, o.hung || o.vmm_stopped || o.interrupted)) reader.drain();
    o.status = p.wait();
    reader.finish();
    if (on_data) on_data(o.stream);
    return o;
}

}  // namespace hvb::tools
