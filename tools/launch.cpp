// tools/launch.cpp — QEMU command construction and child processes.
#include "tools/launch.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "tools/xen.h"

extern char** environ;

namespace hvb::tools {

const char* boot_path_name(BootPath b) {
    switch (b) {
        case BootPath::pvh: return "pvh";
        case BootPath::mb1: return "mb1";
        case BootPath::iso_bios: return "iso-bios";
        case BootPath::iso_uefi: return "iso-uefi";
    }
    return "?";
}

std::optional<BootPath> boot_path_from_name(std::string_view name) {
    for (BootPath b : {BootPath::pvh, BootPath::mb1, BootPath::iso_bios, BootPath::iso_uefi})
        if (name == boot_path_name(b)) return b;
    return std::nullopt;
}

bool kvm_usable(std::string* why) {
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (why) *why = std::string("/dev/kvm: ") + strerror(errno);
        return false;
    }
    int version = ioctl(fd, KVM_GET_API_VERSION, 0);
    close(fd);
    if (version != KVM_API_VERSION) {
        if (why) *why = "/dev/kvm answers KVM_GET_API_VERSION with " + std::to_string(version);
        return false;
    }
    return true;
}

std::vector<std::string> cpu_models_for(std::string_view accel, std::string_view arch) {
    if (arch == "aarch64") return {accel == "kvm" ? "host" : "max"};
    if (accel == "kvm") return {"host", "host,-arch-capabilities", "max"};
    return {"max"};
}

// aarch64: QEMU's virt machine (GICv2 under TCG, the host's GIC under KVM);
// the kernel leaves through PSCI SYSTEM_OFF, so there is no exit device.
std::vector<std::string> qemu_command_aarch64(const VmConfig& cfg) {
    std::vector<std::string> a = {cfg.qemu, "-M", cfg.accel == "kvm" ? "virt,gic-version=host" : "virt",
                                  "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
                                  "-m", cfg.memory, "-accel", cfg.accel, "-cpu", cfg.cpu,
                                  "-smp", std::to_string(cfg.smp), "-kernel", cfg.image};
    if (!cfg.cmdline.empty()) a.insert(a.end(), {"-append", cfg.cmdline});
    if (!cfg.qmp_socket.empty()) a.insert(a.end(), {"-qmp", "unix:" + cfg.qmp_socket + ",server=on,wait=off"});
    if (cfg.paused) a.push_back("-S");
    return a;
}

std::vector<std::string> qemu_command(const VmConfig& cfg) {
    if (cfg.arch == "aarch64") return qemu_command_aarch64(cfg);
    std::vector<std::string> a = {cfg.qemu, "-display", "none", "-serial", "stdio", "-monitor", "none",
                                  "-no-reboot", "-m", cfg.memory,
                                  "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                  "-accel", cfg.accel, "-cpu", cfg.cpu, "-smp", std::to_string(cfg.smp)};
    switch (cfg.boot) {
        case BootPath::pvh:
        case BootPath::mb1:
            if (!cfg.xen.empty()) {
                std::string modules = multiboot_module(cfg.image, cfg.cmdline);
                if (!cfg.xen_modules.empty()) {
                    modules.clear();
                    for (const auto& m : cfg.xen_modules) modules += (modules.empty() ? "" : ",") + m;
                }
                a.insert(a.end(), {"-kernel", cfg.xen, "-append", cfg.xen_cmdline, "-initrd", modules});
                break;
            }
            if (!cfg.firmware.empty()) a.insert(a.end(), {"-machine", "pc", "-bios", cfg.firmware});
            a.insert(a.end(), {"-kernel", cfg.image});
            if (!cfg.cmdline.empty()) a.insert(a.end(), {"-append", cfg.cmdline});
            break;
        case BootPath::iso_uefi:
        case BootPath::iso_bios:
            if (!cfg.firmware.empty()) a.insert(a.end(), {"-bios", cfg.firmware});
            a.insert(a.end(), {"-cdrom", cfg.image});
            break;
    }
    if (!cfg.qmp_socket.empty()) a.insert(a.end(), {"-qmp", "unix:" + cfg.qmp_socket + ",server=on,wait=off"});
    if (cfg.paused) a.push_back("-S");
    return a;
}

std::string program_directory() {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    std::string path(buf, size_t(n));
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

std::string find_uefi_firmware() {
    for (const char* p : {"/usr/share/ovmf/OVMF.fd", "/usr/share/qemu/OVMF.fd", "/usr/share/OVMF/OVMF.fd",
                          "/usr/share/edk2/ovmf/OVMF.fd", "/usr/share/edk2-ovmf/OVMF.fd"}) {
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) return p;
    }
    return "";
}

std::string find_direct_boot_firmware() {
    struct stat st;
    return stat(kQbootPath, &st) == 0 && S_ISREG(st.st_mode) ? kQbootPath : "";
}

std::string ExitStatus::describe() const {
    if (exited) return "exit status " + std::to_string(code);
    const char* name = sigabbrev_np(signal);
    return std::string("killed by ") + (name ? std::string("SIG") + name : "signal " + std::to_string(signal));
}

ExitStatus decode_wait_status(int status) {
    ExitStatus s;
    if (WIFEXITED(status)) {
        s.exited = true;
        s.code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        s.signal = WTERMSIG(status);
    }
    return s;
}

Process::Process(Process&& o) noexcept
    : pid_(o.pid_), out_(o.out_), err_(o.err_), status_(o.status_) {
    o.pid_ = -1;
    o.out_ = o.err_ = -1;
}

Process& Process::operator=(Process&& o) noexcept {
    if (this != &o) {
        release();
        pid_ = o.pid_;
        out_ = o.out_;
        err_ = o.err_;
        status_ = o.status_;
        o.pid_ = -1;
        o.out_ = o.err_ = -1;
    }
    return *this;
}

Process::~Process() { release(); }

void Process::release() {
    close_stdout();
    close_stderr();
    if (pid_ > 0 && !status_) {
        kill_now();
        wait();
    }
    pid_ = -1;
    status_.reset();
}

namespace {

// Sets this thread's ADDR_NO_RANDOMIZE for a child about to be spawned (a
// persona is inherited by the child and applied at its execve) and puts the
// old persona back when it goes; error() says why when the persona cannot
// be set.
class FixedLayoutForChild {
public:
    explicit FixedLayoutForChild(AddressLayout layout) {
        if (layout != AddressLayout::fixed) return;
        int old = personality(0xffffffff);
        if (old == -1 || personality(static_cast<unsigned long>(old) | ADDR_NO_RANDOMIZE) == -1) {
            error_ = std::string("cannot turn off address-space randomization for it: ") + strerror(errno);
            return;
        }
        old_ = old;
    }
    ~FixedLayoutForChild() {
        if (old_ != -1) personality(static_cast<unsigned long>(old_));
    }
    FixedLayoutForChild(const FixedLayoutForChild&) = delete;
    FixedLayoutForChild& operator=(const FixedLayoutForChild&) = delete;
    const std::string& error() const { return error_; }

private:
    int old_ = -1;
    std::string error_;
};

}  // namespace

std::optional<std::string> fixed_layout_unavailable() {
    FixedLayoutForChild probe(AddressLayout::fixed);
    if (probe.error().empty()) return std::nullopt;
    return probe.error();
}

std::optional<Process> Process::spawn(const std::vector<std::string>& argv, std::string* error,
                                      const std::string& cwd, AddressLayout layout) {
    if (argv.empty()) {
        if (error) *error = "empty command";
        return std::nullopt;
    }
    FixedLayoutForChild persona(layout);
    if (!persona.error().empty()) {
        if (error) *error = "cannot start " + argv[0] + ": " + persona.error();
        return std::nullopt;
    }
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        if (error) *error = std::string("pipe: ") + strerror(errno);
        return std::nullopt;
    }
    if (pipe2(err, O_CLOEXEC) != 0) {
        if (error) *error = std::string("pipe: ") + strerror(errno);
        close(out[0]);
        close(out[1]);
        return std::nullopt;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    // The child gets default signal dispositions and an empty mask, whatever
    // this process has set up for itself.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> args;
    for (const auto& s : argv) args.push_back(const_cast<char*>(s.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        if (error) *error = "cannot start " + argv[0] + ": " + strerror(rc);
        close(out[0]);
        close(err[0]);
        return std::nullopt;
    }
    Process p;
    p.pid_ = pid;
    p.out_ = out[0];
    p.err_ = err[0];
    return p;
}

void Process::close_stdout() {
    if (out_ >= 0) close(out_);
    out_ = -1;
}

void Process::close_stderr() {
    if (err_ >= 0) close(err_);
    err_ = -1;
}

bool Process::running() {
    if (pid_ <= 0 || status_) return false;
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = decode_wait_status(st);
        return false;
    }
    return true;
}

void Process::kill_now() {
    if (pid_ > 0 && !status_) ::kill(pid_, SIGKILL);
}

bool Process::exits_within(int ms) {
    const int64_t until = now_ms() + ms;
    while (running() && now_ms() < until) usleep(5000);
    return !running();
}

ExitStatus Process::wait() {
    if (status_) return *status_;
    if (pid_ <= 0) return ExitStatus{};
    int st = 0;
    while (waitpid(pid_, &st, 0) < 0) {
        if (errno != EINTR) {
            status_ = ExitStatus{};
            return *status_;
        }
    }
    status_ = decode_wait_status(st);
    return *status_;
}

int64_t now_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

Captured run_capture(const std::vector<std::string>& argv, int timeout_ms, const std::string& cwd) {
    Captured c;
    auto p = Process::spawn(argv, &c.spawn_error, cwd);
    if (!p) return c;
    int64_t deadline = now_ms() + timeout_ms;
    char buf[4096];
    while (p->stdout_fd() >= 0 || p->stderr_fd() >= 0) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            c.timed_out = true;
            p->kill_now();
            break;
        }
        pollfd fds[2] = {{p->stdout_fd(), POLLIN, 0}, {p->stderr_fd(), POLLIN, 0}};
        int n = poll(fds, 2, int(left));
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < 2 && n > 0; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t got = read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                (i == 0 ? c.out : c.err).append(buf, size_t(got));
            } else if (got == 0 || errno != EINTR) {
                if (i == 0) p->close_stdout();
                else p->close_stderr();
            }
        }
    }
    c.status = p->wait();
    return c;
}

}  // namespace hvb::tools
