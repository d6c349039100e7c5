// tools/run_hosts.cpp — one run per libvirt host, then one comparison (see run_hosts.h).
#include "tools/run_hosts.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "tools/libvirt_domain.h"
#include "tools/run.h"

extern char** environ;

namespace hvb::tools {
namespace {

constexpr const char* kValueOptions[] = {"--connect", "--json", "--csv", "--log", "--label"};

// Starts `argv` with its stdout and stderr to `output` ("" : ours); -1 if it cannot.
pid_t start(const std::vector<std::string>& argv, const std::string& output) {
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (!output.empty()) {
        posix_spawn_file_actions_addopen(&fa, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    pid_t pid = -1;
    if (posix_spawn(&pid, a[0], &fa, nullptr, a.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

int wait_for(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return kExitIncomplete;
    return WIFEXITED(status) ? WEXITSTATUS(status) : kExitIncomplete;
}

std::string self_executable() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, size_t(n)) : "hvbench";
}

void print_file(const std::string& path) {
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) return;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
    fclose(f);
}

}  // namespace

std::vector<HostRun> plan_hosts(const RunConfig& cfg, const std::string& tmp) {
    std::vector<HostRun> hosts;
    for (const auto& uri : cfg.connect) {
        HostRun h;
        h.uri = uri;
        std::string base = (cfg.label.empty() ? "" : cfg.label + "-") + libvirt_host_label(uri);
        h.label = base;
        for (unsigned k = 2;; ++k) {
            bool taken = false;
            for (const auto& o : hosts) taken = taken || o.label == h.label;
            if (!taken) break;
            h.label = base + "-" + std::to_string(k);
        }
        h.json = cfg.json.empty() ? tmp + "/" + h.label + ".json" : path_for_host(cfg.json, h.label);
        if (!cfg.csv.empty()) h.csv = path_for_host(cfg.csv, h.label);
        if (!cfg.log.empty()) h.log = path_for_host(cfg.log, h.label);
        hosts.push_back(std::move(h));
    }
    return hosts;
}

std::vector<std::string> host_argv(const std::vector<std::string>& argv, const HostRun& host) {
    std::vector<std::string> out;
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        bool drop = a == "--parallel-hosts";
        for (const char* key : kValueOptions) {
            size_t n = strlen(key);
            if (a == key) {
                drop = true;
                ++i;  // and its value
            } else if (a.compare(0, n, key) == 0 && a.size() > n && a[n] == '=') {
                drop = true;
            }
        }
        if (!drop) out.push_back(a);
    }
    out.insert(out.end(), {"--connect", host.uri, "--label", host.label, "--json", host.json});
    if (!host.csv.empty()) out.insert(out.end(), {"--csv", host.csv});
    if (!host.log.empty()) out.insert(out.end(), {"--log", host.log});
    return out;
}

int run_hosts(const RunConfig& cfg, const std::vector<std::string>& argv) {
    char tmpl[] = "/tmp/hvbench-hosts.XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("hvbench: mkdtemp");
        return kExitIncomplete;
    }
    std::string tmp = tmpl, self = self_executable();
    std::vector<HostRun> hosts = plan_hosts(cfg, tmp);
    int code = 0;
    std::vector<pid_t> running;
    for (const auto& h : hosts) {
        std::vector<std::string> a = host_argv(argv, h);
        a[0] = self;
        if (!cfg.quiet) fprintf(stderr, "hvbench: host %s (%s)%s\n", h.label.c_str(), h.uri.c_str(),
                                cfg.parallel_hosts ? ": started" : "");
        fflush(stderr);
        pid_t pid = start(a, cfg.parallel_hosts ? tmp + "/" + h.label + ".out" : "");
        if (pid < 0) {
            fprintf(stderr, "hvbench: cannot start %s\n", self.c_str());
            code |= kExitIncomplete;
        } else if (cfg.parallel_hosts) {
            running.push_back(pid);
        } else {
            code |= wait_for(pid);
        }
    }
    for (size_t k = 0; k < running.size(); ++k) {
        code |= wait_for(running[k]);
        printf("==== host %s (%s)\n", hosts[k].label.c_str(), hosts[k].uri.c_str());
        fflush(stdout);
        print_file(tmp + "/" + hosts[k].label + ".out");
    }
    std::vector<std::string> compare = {self, "compare"};
    for (const auto& h : hosts) {
        struct stat st;
        if (stat(h.json.c_str(), &st) == 0) compare.push_back(h.json);
        else fprintf(stderr, "hvbench: host %s wrote no results: left out of the comparison\n", h.label.c_str());
    }
    if (compare.size() >= 4) {
        printf("\n==== the hosts compared (baseline: the first, %s)\n", compare[2].c_str());
        fflush(stdout);
        pid_t pid = start(compare, "");
        if (pid < 0 || wait_for(pid) != 0) code |= kExitIncomplete;
    }
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
    return code;
}

}  // namespace hvb::tools
