// tools/results_file.cpp — results files on disk: read whole, written
// through a temporary file and rename, and loaded as JSON or CSV by their
// first byte (see results.h).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tools/results.h"

namespace hvb::tools {

std::optional<std::string> read_text_file(const std::string& path, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error) *error = path + ": " + strerror(errno);
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool write_text_file(const std::string& path, std::string_view content, std::string* error) {
    std::string tmp = path + ".tmp" + std::to_string(getpid());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (error) *error = path + ": " + strerror(errno);
        return false;
    }
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (error) *error = path + ": " + strerror(errno);
            close(fd);
            unlink(tmp.c_str());
            return false;
        }
        done += size_t(n);
    }
    close(fd);
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        if (error) *error = path + ": " + strerror(errno);
        unlink(tmp.c_str());
        return false;
    }
    return true;
}

std::optional<ResultsDoc> load_results(const std::string& path, std::string* error) {
    auto text = read_text_file(path, error);
    if (!text) return std::nullopt;
    size_t first = text->find_first_not_of(" \t\r\n");
    std::string err;
    std::optional<ResultsDoc> doc;
    if (first != std::string::npos && (*text)[first] == '{') {
        doc = read_results_json(*text, &err);
    } else if (auto rows = read_results_csv(*text, &err)) {
        doc = ResultsDoc{};
        doc->benchmarks = std::move(*rows);
    }
    if (!doc) {
        if (error) *error = path + ": " + err;
        return std::nullopt;
    }
    if (doc->info.label.empty()) {
        std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
        size_t dot = base.rfind('.');
        doc->info.label = dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
    }
    return doc;
}

}  // namespace hvb::tools
