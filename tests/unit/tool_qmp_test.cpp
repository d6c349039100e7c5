// tests/unit/tool_qmp_test.cpp — the QMP client against a scripted QMP
// server on a UNIX socket, and vCPU pinning with sched_setaffinity.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "tools/qmp.h"

namespace {

using namespace hvb::tools;

// Accepts one connection and answers like QEMU: greeting, then one reply per
// command (with an event thrown in before the first real answer).
class FakeQmpServer {
public:
    explicit FakeQmpServer(std::string cpus_reply) : cpus_reply_(std::move(cpus_reply)) {
        char dir[] = "/tmp/hvb-qmp-test.XXXXXX";
        dir_ = mkdtemp(dir);
        path_ = dir_ + "/qmp.sock";
        fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        strcpy(a.sun_path, path_.c_str());
        EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(listen(fd_, 1), 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeQmpServer() {
        thread_.join();
        close(fd_);
        unlink(path_.c_str());
        rmdir(dir_.c_str());
    }
    const std::string& path() const { return path_; }
    std::string received() const { return received_; }

private:
    void send_line(int c, const std::string& s) {
        std::string line = s + "\r\n";
        EXPECT_EQ(write(c, line.data(), line.size()), ssize_t(line.size()));
    }
    void serve() {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        send_line(c, R"({"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": []}})");
        std::string buf;
        char tmp[512];
        int answered = 0;
        while (answered < 3) {
            ssize_t n = read(c, tmp, sizeof tmp);
            if (n <= 0) break;
            buf.append(tmp, size_t(n));
            size_t nl;
            while ((nl = buf.find('\n')) != std::string::npos) {
                std::string cmd = buf.substr(0, nl);
                buf.erase(0, nl + 1);
                received_ += cmd + "\n";
                if (cmd.find("qmp_capabilities") != std::string::npos) {
                    send_line(c, R"({"return": {}})");
                } else if (cmd.find("query-cpus-fast") != std::string::npos) {
                    send_line(c, R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "RESUME"})");
                    send_line(c, cpus_reply_);
                } else if (cmd.find("\"cont\"") != std::string::npos) {
                    send_line(c, R"({"return": {}})");
                } else {
                    send_line(c, R"({"error": {"class": "CommandNotFound", "desc": "The command x has not been found"}})");
                }
                ++answered;
            }
        }
        close(c);
    }
    std::string cpus_reply_, dir_, path_, received_;
    int fd_ = -1;
    std::thread thread_;
};

TEST(ToolQmp, QueryCpusAndCont) {
    FakeQmpServer server(
        R"({"return": [{"thread-id": 2222, "props": {"core-id": 0}, "qom-path": "/machine/unattached/device[0]", "cpu-index": 1, "target": "x86_64"},)"
        R"( {"thread-id": 1111, "cpu-index": 0, "target": "x86_64"}]})");
    QmpClient q;
    std::string err;
    ASSERT_TRUE(q.connect(server.path(), 2000, &err)) << err;
    auto reply = q.execute("query-cpus-fast", &err);
    ASSERT_TRUE(reply) << err;
    auto cpus = parse_vcpu_threads(*reply, &err);
    ASSERT_TRUE(cpus) << err;
    ASSERT_EQ(cpus->size(), 2u);
    EXPECT_EQ((*cpus)[0].cpu_index, 0);  // sorted by index
    EXPECT_EQ((*cpus)[0].thread_id, 1111);
    EXPECT_EQ((*cpus)[1].thread_id, 2222);
    EXPECT_TRUE(q.execute("cont", &err)) << err;
    EXPECT_NE(server.received().find(R"({"execute":"qmp_capabilities"})"), std::string::npos);
}

TEST(ToolQmp, ErrorsAreReported) {
    FakeQmpServer server(R"({"return": [{"cpu-index": 0}]})");
    QmpClient q;
    std::string err;
    ASSERT_TRUE(q.connect(server.path(), 2000, &err)) << err;
    auto reply = q.execute("query-cpus-fast", &err);
    ASSERT_TRUE(reply);
    EXPECT_FALSE(parse_vcpu_threads(*reply, &err));
    EXPECT_NE(err.find("thread-id"), std::string::npos);
    EXPECT_FALSE(q.execute("bogus", &err));
    EXPECT_NE(err.find("has not been found"), std::string::npos);
}

TEST(ToolQmp, ConnectGivesUpOnADeadVmm) {
    QmpClient q;
    std::string err;
    auto dead = [](void*) { return false; };
    EXPECT_FALSE(q.connect("/tmp/hvb-no-such-dir/qmp.sock", 5000, &err, dead, nullptr));
    EXPECT_NE(err.find("exited"), std::string::npos);
    EXPECT_FALSE(q.connect("/tmp/hvb-no-such-dir/qmp.sock", 50, &err));
}

TEST(ToolQmp, CpuLists) {
    EXPECT_EQ(parse_cpu_list("2,3"), (std::vector<int>{2, 3}));
    EXPECT_EQ(parse_cpu_list("0-3,6"), (std::vector<int>{0, 1, 2, 3, 6}));
    EXPECT_FALSE(parse_cpu_list(""));
    EXPECT_FALSE(parse_cpu_list("3-1"));
    EXPECT_FALSE(parse_cpu_list("a"));
    EXPECT_FALSE(parse_cpu_list("1,,2"));
    EXPECT_FALSE(allowed_host_cpus().empty());
}

TEST(ToolQmp, PinsAThreadToAHostCpu) {
    std::vector<int> cpus = allowed_host_cpus();
    ASSERT_FALSE(cpus.empty());
    std::atomic<pid_t> tid{0};
    std::atomic<bool> stop{false};
    std::thread t([&] {
        tid = pid_t(syscall(SYS_gettid));
        while (!stop) usleep(1000);
    });
    while (!tid) usleep(100);
    std::string err;
    auto lines = pin_vcpus({VcpuThread{0, tid}}, {cpus.back()}, &err);
    ASSERT_TRUE(lines) << err;
    EXPECT_EQ((*lines)[0], "vCPU 0 (thread " + std::to_string(tid) + ") -> host CPU " + std::to_string(cpus.back()));
    cpu_set_t set;
    CPU_ZERO(&set);
    ASSERT_EQ(sched_getaffinity(tid, sizeof set, &set), 0);
    EXPECT_EQ(CPU_COUNT(&set), 1);
    EXPECT_TRUE(CPU_ISSET(cpus.back(), &set));
    stop = true;
    t.join();
    EXPECT_FALSE(pin_vcpus({VcpuThread{0, 999999999}}, {0}, &err));
    EXPECT_FALSE(pin_vcpus({VcpuThread{0, 1}}, {}, &err));
}

}  // namespace
