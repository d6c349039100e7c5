// tools/safe_output.cpp — output-path checks and paced rewrites (see safe_output.h).
#include "tools/safe_output.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hvb::tools {
namespace {

// What a path names: "dev:ino" for an existing file, else the resolved
// directory and the name in it; "" when even the directory does not exist.
std::string identity(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) == 0) return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    char resolved[PATH_MAX];
    if (!realpath(dir.c_str(), resolved)) return "";
    return std::string(resolved) + "/" + name;
}

}  // namespace

std::optional<std::string> check_outputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
    std::vector<std::pair<std::string, const NamedPath*>> seen;
    for (const auto& in : inputs)
        if (in.path != "-") seen.emplace_back(identity(in.path), &in);
    for (const auto& out : outputs) {
        if (out.path.empty()) continue;
        struct stat st;
        if (stat(out.path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
            return out.what + " " + out.path + " exists and is not a regular file";
        std::string id = identity(out.path);
        for (const auto& [other_id, other] : seen)
            if (!id.empty() && id == other_id)
                return out.what + " " + out.path + " is the same file as " + other->what + " " + other->path +
                       ": writing it would destroy that";
        seen.emplace_back(id, &out);
    }
    return std::nullopt;
}

bool probe_writable(const std::string& path, std::string* error) {
    std::string tmp = path + ".probe" + std::to_string(getpid());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (error) *error = path + ": " + strerror(errno);
        return false;
    }
    close(fd);
    unlink(tmp.c_str());
    if (access(path.c_str(), F_OK) == 0 && access(path.c_str(), W_OK) != 0) {
        if (error) *error = path + ": " + strerror(errno);
        return false;
    }
    return true;
}

bool RewritePacer::changed(int64_t now_ms) {
    dirty_ = true;
    return due(now_ms);
}

void RewritePacer::written(int64_t now_ms) {
    dirty_ = false;
    last_ms_ = now_ms;
}

}  // namespace hvb::tools
