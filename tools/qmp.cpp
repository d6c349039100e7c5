// tools/qmp.cpp — a line-oriented QMP client and vCPU pinning.
#include "tools/qmp.h"

#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tools/launch.h"

namespace hvb::tools {

QmpClient::~QmpClient() {
    if (fd_ >= 0) close(fd_);
}

bool QmpClient::connect(const std::string& socket_path, int timeout_ms, std::string* error,
                        bool (*alive)(void*), void* alive_ctx) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path) {
        if (error) *error = "QMP socket path too long: " + socket_path;
        return false;
    }
    memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            if (error) *error = std::string("socket: ") + strerror(errno);
            return false;
        }
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
            fd_ = fd;
            break;
        }
        int e = errno;
        close(fd);
        if (now_ms() >= deadline || (e != ENOENT && e != ECONNREFUSED)) {
            if (error) *error = "cannot connect to QMP at " + socket_path + ": " + strerror(e);
            return false;
        }
        if (alive && !alive(alive_ctx)) {
            if (error) *error = "the VMM exited before its QMP socket came up";
            return false;
        }
        usleep(20000);
    }
    auto greeting = read_message(error, std::max<int>(1000, int(deadline - now_ms())));
    if (!greeting) return false;
    if (!greeting->get("QMP")) {
        if (error) *error = "not a QMP greeting: " + serialize_json(*greeting);
        return false;
    }
    return execute("qmp_capabilities", error).has_value();
}

std::optional<Json> QmpClient::read_message(std::string* error, int timeout_ms) {
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        size_t nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
            std::string perr;
            auto j = parse_json(line, &perr);
            if (!j || !j->is(Json::Kind::object)) {
                if (error) *error = "bad QMP message (" + perr + "): " + line.substr(0, 200);
                return std::nullopt;
            }
            return j;
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            if (error) *error = "QMP: no answer in time";
            return std::nullopt;
        }
        pollfd p{fd_, POLLIN, 0};
        int n = poll(&p, 1, int(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) continue;
        char buf[4096];
        ssize_t got = read(fd_, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (error) *error = "QMP connection closed";
            return std::nullopt;
        }
        buffer_.append(buf, size_t(got));
    }
}

std::optional<Json> QmpClient::execute(const std::string& command, std::string* error, int timeout_ms) {
    if (fd_ < 0) {
        if (error) *error = "QMP not connected";
        return std::nullopt;
    }
    std::string msg = serialize_json(Json::object().set("execute", Json::string_value(command))) + "\n";
    size_t sent = 0;
    while (sent < msg.size()) {
        ssize_t n = send(fd_, msg.data() + sent, msg.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (error) *error = std::string("QMP send: ") + strerror(errno);
            return std::nullopt;
        }
        sent += size_t(n);
    }
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        auto m = read_message(error, int(std::max<int64_t>(1, deadline - now_ms())));
        if (!m) return std::nullopt;
        if (const Json* r = m->get("return")) return *r;
        if (const Json* e = m->get("error")) {
            if (error) *error = "QMP " + command + ": " + e->get_string("desc").value_or(serialize_json(*e));
            return std::nullopt;
        }
        // {"event": ...}: not ours.
    }
}

std::optional<std::vector<VcpuThread>> parse_vcpu_threads(const Json& reply, std::string* error) {
    if (!reply.is(Json::Kind::array)) {
        if (error) *error = "query-cpus-fast: expected an array";
        return std::nullopt;
    }
    std::vector<VcpuThread> out;
    for (const Json& cpu : reply.items) {
        auto index = cpu.get_int("cpu-index");
        auto tid = cpu.get_int("thread-id");
        if (!index || !tid || *tid <= 0) {
            if (error) *error = "query-cpus-fast: entry without cpu-index/thread-id: " + serialize_json(cpu);
            return std::nullopt;
        }
        out.push_back(VcpuThread{int(*index), pid_t(*tid)});
    }
    std::sort(out.begin(), out.end(), [](const VcpuThread& a, const VcpuThread& b) { return a.cpu_index < b.cpu_index; });
    return out;
}

std::vector<int> allowed_host_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> out;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
    for (int i = 0; i < CPU_SETSIZE; ++i)
        if (CPU_ISSET(i, &set)) out.push_back(i);
    return out;
}

std::optional<std::vector<int>> parse_cpu_list(const std::string& text) {
    std::vector<int> out;
    size_t pos = 0;
    if (text.empty()) return std::nullopt;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        size_t dash = item.find('-');
        auto number = [](const std::string& s) -> int {
            if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) return -1;
            int v = std::stoi(s);
            return v < CPU_SETSIZE ? v : -1;
        };
        int lo = number(item.substr(0, dash));
        int hi = dash == std::string::npos ? lo : number(item.substr(dash + 1));
        if (lo < 0 || hi < lo) return std::nullopt;
        for (int c = lo; c <= hi; ++c) out.push_back(c);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

PinPlan plan_pinning(unsigned vcpus, const std::vector<int>& pool_in, const std::vector<int>& allowed) {
    PinPlan p;
    std::vector<int> pool;
    for (int c : pool_in)
        if (std::find(pool.begin(), pool.end(), c) == pool.end()) pool.push_back(c);
    if (vcpus == 0 || pool.empty()) {
        p.word = "none";
        p.note = "no host CPUs to pin to";
        return p;
    }
    std::string vc = std::to_string(vcpus) + " vCPU" + (vcpus == 1 ? "" : "s");
    if (pool.size() < vcpus) {
        for (unsigned i = 0; i < vcpus; ++i) p.vcpu_cpus.push_back(pool[i % pool.size()]);
        p.word = "shared";
        p.note = "--pin: " + vc + " on " + std::to_string(pool.size()) + " host CPU(s) (" + cpu_list_text(pool) +
                 "): vCPUs share host CPUs and QEMU's other threads are not kept off them; isolation needs " +
                 std::to_string(vcpus + 1) + " host CPUs (pinned=shared)";
        return p;
    }
    p.vcpu_cpus.assign(pool.begin(), pool.begin() + vcpus);
    p.other_cpus.assign(pool.begin() + vcpus, pool.end());
    if (p.other_cpus.empty())
        for (int c : allowed)
            if (std::find(p.vcpu_cpus.begin(), p.vcpu_cpus.end(), c) == p.vcpu_cpus.end()) p.other_cpus.push_back(c);
    if (!p.other_cpus.empty()) {
        p.word = "full";
        return p;
    }
    p.word = "vcpus";
    p.note = "--pin: " + vc + " on " + std::to_string(pool.size()) + " host CPU(s) (" + cpu_list_text(pool) +
             "): each vCPU has a host CPU of its own, but QEMU's other threads (main loop, I/O) share them; keeping "
             "those off the vCPUs' CPUs needs " + std::to_string(vcpus + 1) + " host CPUs (pinned=vcpus)";
    return p;
}

std::vector<pid_t> process_threads(pid_t pid) {
    std::vector<pid_t> out;
    std::string dir = "/proc/" + std::to_string(pid) + "/task";
    DIR* d = opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        char* end = nullptr;
        long tid = strtol(e->d_name, &end, 10);
        if (end != e->d_name && *end == '\0' && tid > 0) out.push_back(pid_t(tid));
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<size_t> pin_other_threads(pid_t pid, const std::vector<VcpuThread>& vcpus, const std::vector<int>& cpus,
                                        std::vector<pid_t>* seen, std::string* error) {
    if (cpus.empty()) {
        if (error) *error = "no host CPUs for QEMU's other threads";
        return std::nullopt;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : cpus) CPU_SET(c, &set);
    size_t pinned = 0;
    for (pid_t tid : process_threads(pid)) {
        bool vcpu = std::any_of(vcpus.begin(), vcpus.end(), [&](const VcpuThread& v) { return v.thread_id == tid; });
        if (vcpu || (seen && std::find(seen->begin(), seen->end(), tid) != seen->end())) continue;
        if (sched_setaffinity(tid, sizeof set, &set) != 0) {
            if (errno == ESRCH) continue;  // it ended meanwhile
            if (error)
                *error = "cannot pin QEMU thread " + std::to_string(tid) + " to host CPUs " + cpu_list_text(cpus) +
                         ": " + strerror(errno);
            return std::nullopt;
        }
        if (seen) seen->push_back(tid);
        ++pinned;
    }
    return pinned;
}

std::string cpu_list_text(const std::vector<int>& cpus) {
    std::string out;
    for (size_t i = 0; i < cpus.size();) {
        size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(cpus[i]);
        if (j > i) {
            out += j > i + 1 ? '-' : ',';
            out += std::to_string(cpus[j]);
        }
        i = j + 1;
    }
    return out;
}

std::optional<std::vector<std::string>> pin_vcpus(const std::vector<VcpuThread>& vcpus,
                                                  const std::vector<int>& host_cpus, std::string* error) {
    if (host_cpus.empty()) {
        if (error) *error = "no host CPUs to pin to";
        return std::nullopt;
    }
    std::vector<std::string> lines;
    for (size_t i = 0; i < vcpus.size(); ++i) {
        int host = host_cpus[i % host_cpus.size()];
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(host, &set);
        if (sched_setaffinity(vcpus[i].thread_id, sizeof set, &set) != 0) {
            if (error)
                *error = "cannot pin vCPU " + std::to_string(vcpus[i].cpu_index) + " (thread " +
                         std::to_string(vcpus[i].thread_id) + ") to host CPU " + std::to_string(host) + ": " +
                         strerror(errno);
            return std::nullopt;
        }
        lines.push_back("vCPU " + std::to_string(vcpus[i].cpu_index) + " (thread " +
                        std::to_string(vcpus[i].thread_id) + ") -> host CPU " + std::to_string(host));
    }
    return lines;
}

}  // namespace hvb::tools
