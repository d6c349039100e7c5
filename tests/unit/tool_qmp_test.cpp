// tests/unit/tool_qmp_test.cpp — the QMP client against a scripted QMP
// server on a UNIX socket, and vCPU pinning with sched_setaffinity.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "tools/launch.h"
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

TEST(ToolQmpPinning, PlanFromTheHostCpus) {
    // Enough CPUs: vCPUs on their own, the rest of QEMU on what is left.
    PinPlan p = plan_pinning(2, {0, 1, 2, 3}, {0, 1, 2, 3});
    EXPECT_EQ(p.word, "full");
    EXPECT_EQ(p.vcpu_cpus, (std::vector<int>{0, 1}));
    EXPECT_EQ(p.other_cpus, (std::vector<int>{2, 3}));
    EXPECT_EQ(p.note, "");
    p = plan_pinning(1, {0, 1}, {0, 1});
    EXPECT_EQ(p.word, "full");
    EXPECT_EQ(p.vcpu_cpus, (std::vector<int>{0}));
    EXPECT_EQ(p.other_cpus, (std::vector<int>{1}));
    // This machine: 2 host CPUs, 2 vCPUs.
    p = plan_pinning(2, {0, 1}, {0, 1});
    EXPECT_EQ(p.word, "vcpus");
    EXPECT_EQ(p.vcpu_cpus, (std::vector<int>{0, 1}));
    EXPECT_TRUE(p.other_cpus.empty());
    EXPECT_NE(p.note.find("QEMU's other threads (main loop, I/O) share them"), std::string::npos) << p.note;
    EXPECT_NE(p.note.find("needs 3 host CPUs"), std::string::npos) << p.note;
    // Fewer host CPUs than vCPUs.
    p = plan_pinning(4, {0, 1}, {0, 1});
    EXPECT_EQ(p.word, "shared");
    EXPECT_EQ(p.vcpu_cpus, (std::vector<int>{0, 1, 0, 1}));
    EXPECT_TRUE(p.other_cpus.empty());
    EXPECT_NE(p.note.find("vCPUs share host CPUs"), std::string::npos) << p.note;
    // --pin-cpus 2,3 on an 8-CPU host with 2 vCPUs: the rest of QEMU goes to
    // the CPUs no vCPU has; --pin-cpus 4-6 with 1 vCPU: to the rest of the list.
    p = plan_pinning(2, {2, 3}, {0, 1, 2, 3, 4, 5, 6, 7});
    EXPECT_EQ(p.word, "full");
    EXPECT_EQ(p.vcpu_cpus, (std::vector<int>{2, 3}));
    EXPECT_EQ(p.other_cpus, (std::vector<int>{0, 1, 4, 5, 6, 7}));
    p = plan_pinning(1, {4, 5, 6}, {0, 1, 2, 3, 4, 5, 6, 7});
    EXPECT_EQ(p.other_cpus, (std::vector<int>{5, 6}));
    // Duplicates in the list count once.
    p = plan_pinning(2, {1, 1}, {1});
    EXPECT_EQ(p.word, "shared");
    EXPECT_EQ(p.vcpu_cpus, (std::vector<int>{1, 1}));
    p = plan_pinning(1, {}, {});
    EXPECT_EQ(p.word, "none");
    EXPECT_TRUE(p.vcpu_cpus.empty());
}

TEST(ToolQmpPinning, CpuListText) {
    EXPECT_EQ(cpu_list_text({}), "");
    EXPECT_EQ(cpu_list_text({3}), "3");
    EXPECT_EQ(cpu_list_text({0, 1}), "0,1");
    EXPECT_EQ(cpu_list_text({0, 1, 2, 3, 6, 8, 9, 10}), "0-3,6,8-10");
    for (const char* t : {"0-3,6,8-10", "2,3", "5"}) EXPECT_EQ(cpu_list_text(*parse_cpu_list(t)), t);
}

TEST(ToolQmpPinning, ThreadsOfAProcess) {
    std::atomic<bool> stop{false};
    std::atomic<pid_t> tid{0};
    std::thread t([&] {
        tid = pid_t(syscall(SYS_gettid));
        while (!stop) usleep(1000);
    });
    while (!tid) usleep(100);
    auto threads = process_threads(getpid());
    EXPECT_NE(std::find(threads.begin(), threads.end(), getpid()), threads.end());
    EXPECT_NE(std::find(threads.begin(), threads.end(), tid.load()), threads.end());
    stop = true;
    t.join();
    EXPECT_TRUE(process_threads(999999999).empty());
}

TEST(ToolQmpPinning, OtherThreadsOfAChildGoElsewhere) {
    std::vector<int> cpus = allowed_host_cpus();
    ASSERT_FALSE(cpus.empty());
    std::string err;
    auto child = Process::spawn({HVB_FAKE_VMM, "--hang-at-boot"}, &err);
    ASSERT_TRUE(child) << err;
    pid_t pid = child->pid();
    size_t threads = process_threads(pid).size();
    ASSERT_GE(threads, 1u);
    // Its main thread counted as a vCPU: every other thread is pinned.
    std::vector<pid_t> seen;
    auto n = pin_other_threads(pid, {VcpuThread{0, pid}}, {cpus.back()}, &seen, &err);
    ASSERT_TRUE(n) << err;
    EXPECT_EQ(*n, threads - 1);
    EXPECT_EQ(std::find(seen.begin(), seen.end(), pid), seen.end());
    // As a non-vCPU thread: pinned to the given CPU, once.
    n = pin_other_threads(pid, {}, {cpus.back()}, &seen, &err);
    ASSERT_TRUE(n) << err;
    EXPECT_EQ(*n, 1u);
    EXPECT_NE(std::find(seen.begin(), seen.end(), pid), seen.end());
    cpu_set_t set;
    CPU_ZERO(&set);
    ASSERT_EQ(sched_getaffinity(pid, sizeof set, &set), 0);
    EXPECT_EQ(CPU_COUNT(&set), 1);
    EXPECT_TRUE(CPU_ISSET(cpus.back(), &set));
    n = pin_other_threads(pid, {}, {cpus.back()}, &seen, &err);  // a later sweep: nothing new
    ASSERT_TRUE(n) << err;
    EXPECT_EQ(*n, 0u);
    EXPECT_FALSE(pin_other_threads(pid, {}, {}, nullptr, &err));
    child->kill_now();
    child->wait();
    // A process that is not there has no threads to pin.
    n = pin_other_threads(999999999, {}, {cpus.back()}, nullptr, &err);
    ASSERT_TRUE(n) << err;
    EXPECT_EQ(*n, 0u);
}

}  // namespace
