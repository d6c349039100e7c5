// tools/xen.cpp — the Xen hypervisor from Debian's package, its QEMU
// arguments, and Xen's console lines read back.
#include "tools/xen.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "posih/xen.h"
#include "tools/launch.h"
#include "tools/results.h"
#include "tools/xl.h"

namespace hvb::tools {
namespace {

// FNV-1a of the dom0 image script: which version built a cached image.
std::string script_stamp(const std::string& script) {
    uint64_t h = 14695981039346656037ull;
    for (unsigned char c : read_text_file(script, nullptr).value_or("")) h = (h ^ c) * 1099511628211ull;
    char buf[24];
    snprintf(buf, sizeof buf, "%016llx\n", static_cast<unsigned long long>(h));
    return buf;
}

bool is_file(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// gzip -dc `gz` into `out` (through a temporary name, so a half-written
// image is never taken for the real one).
bool gunzip_to(const std::string& gz, const std::string& out, std::string* error) {
    Captured c = run_capture({"gzip", "-dc", gz}, 60000);
    if (!c.ok()) {
        *error = "gzip -dc " + gz + " failed: " + (c.spawn_error.empty() ? c.err + c.status.describe() : c.spawn_error);
        return false;
    }
    std::string tmp = out + ".part";
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(c.out.data(), std::streamsize(c.out.size()));
    f.close();
    if (!f || std::rename(tmp.c_str(), out.c_str()) != 0) {
        *error = "cannot write " + out;
        return false;
    }
    return true;
}

std::string describe(const Captured& c) {
    if (!c.spawn_error.empty()) return c.spawn_error;
    if (c.timed_out) return "timed out";
    std::string e = c.err.empty() ? c.out : c.err;
    while (!e.empty() && (e.back() == '\n' || e.back() == '\r')) e.pop_back();
    return c.status.describe() + (e.empty() ? "" : ": " + e);
}

bool is_timestamp(std::string_view s, size_t* len) {
    if (s.empty() || s[0] != '[') return false;
    size_t close = s.find(']');
    if (close == std::string_view::npos || close > 32) return false;
    for (size_t i = 1; i < close; ++i)
        if (!std::isdigit(static_cast<unsigned char>(s[i])) && std::string_view(" .:-").find(s[i]) == std::string_view::npos)
            return false;
    *len = close + 1 < s.size() && s[close + 1] == ' ' ? close + 2 : close + 1;
    return true;
}

std::string_view strip_timestamp(std::string_view s) {
    size_t n = 0;
    return is_timestamp(s, &n) ? s.substr(n) : s;
}

}  // namespace

std::vector<std::string> default_xen_args(bool pv_dom0) {
    std::vector<std::string> a = {"console=com1", "com1=115200,8n1", "loglvl=all", "guest_loglvl=all"};
    if (pv_dom0) a.insert(a.end(), {"dom0_mem=512M,max:512M", "smap=0", "smep=0"});
    else a.insert(a.end(), {"dom0=pvh", "dom0-iommu=none", "dom0_mem=256M,max:256M"});
    return a;
}

std::optional<Dom0Image> ensure_script_image(const std::vector<std::string>& argv, const std::string& dir,
                                             const std::string& what,
                                             const std::function<void(const std::string&)>& say, std::string* error) {
    Dom0Image d{dir + "/vmlinuz", dir + "/initrd.img"};
    const std::string& script = argv.at(1);
    // The image is what this script built: a cached one from another
    // version of the script is built again.
    const std::string stamp_path = dir + "/script.stamp", stamp = script_stamp(script);
    if (is_file(d.kernel) && is_file(d.initrd) && read_text_file(stamp_path, nullptr).value_or("") == stamp) return d;
    std::filesystem::remove(d.kernel);
    std::filesystem::remove(d.initrd);
    if (say) say("building " + what + " into " + dir + " with " + script);
    Captured c = run_capture(argv, 900000);
    if (!c.ok() || !is_file(d.kernel) || !is_file(d.initrd)) {
        *error = script + " failed: " + describe(c);
        return std::nullopt;
    }
    std::ofstream(stamp_path) << stamp;
    return d;
}

std::optional<Dom0Image> ensure_dom0_image(const std::string& script, const std::string& cache,
                                           const std::function<void(const std::string&)>& say, std::string* error,
                                           DomuType type) {
    bool hvm = type == DomuType::hvm;
    std::vector<std::string> argv = {"bash", script};
    if (hvm) argv.push_back("--hvm");
    argv.push_back(cache);
    return ensure_script_image(argv, cache + (hvm ? "/dom0-hvm" : "/dom0"),
                               std::string("the dom0 image (Linux, xl, busybox") +
                                   (hvm ? ", qemu-system-xen, hvmloader, SeaBIOS" : "") + " from Debian packages)",
                               say, error);
}

std::string newc_archive(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out;
    auto pad4 = [&] { out.append((4 - out.size() % 4) % 4, '\0'); };
    auto entry = [&](const std::string& name, uint32_t mode, const std::string& data, uint32_t ino) {
        char h[111];
        snprintf(h, sizeof h, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0u, 0u,
                 (mode & 0040000) ? 2u : 1u, 0u, uint32_t(data.size()), 0u, 0u, 0u, 0u, uint32_t(name.size() + 1), 0u);
        out.append(h, 110);
        out += name;
        out += '\0';
        pad4();
        out += data;
        pad4();
    };
    uint32_t ino = 1;
    for (const auto& [name, data] : entries) {
        bool dir = !name.empty() && name.back() == '/';
        entry(dir ? name.substr(0, name.size() - 1) : name, dir ? 0040755 : 0100644, dir ? "" : data, ino++);
    }
    entry("TRAILER!!!", 0, "", 0);
    return out;
}

bool write_initrd_with(const std::string& base_initrd, const std::vector<std::pair<std::string, std::string>>& entries,
                       const std::string& out, std::string* error) {
    std::optional<std::string> base = read_text_file(base_initrd, nullptr);
    if (!base) {
        *error = "cannot read " + base_initrd;
        return false;
    }
    std::string& archive = *base;
    archive.append((4 - archive.size() % 4) % 4, '\0');
    archive += newc_archive(entries);
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    f.write(archive.data(), std::streamsize(archive.size()));
    f.close();
    if (!f) {
        *error = "cannot write " + out;
        return false;
    }
    return true;
}

namespace {

// `dom0_initrd` with /hvbench/: `image` (read from `image_path`) under
// `image_name` and the VM's settings, written to `out`.
bool write_domu_archive(const std::string& dom0_initrd, const std::string& image_path, const std::string& image_name,
                        const char* type, const std::string& cmdline, unsigned vcpus, unsigned memory_mib,
                        const std::string& out, std::string* error) {
    std::optional<std::string> image = read_text_file(image_path, nullptr);
    if (!image || image->empty()) {
        *error = "cannot read " + image_path;
        return false;
    }
    // The domain the dom0's xl creates: the config --vmm xl writes (tools/xl.h).
    XlGuest guest;
    guest.type = type;
    (guest.type == "hvm" ? guest.iso : guest.kernel) = "/hvbench/" + image_name;
    guest.cmdline = cmdline;
    guest.vcpus = vcpus;
    guest.memory_mib = memory_mib;
    std::optional<std::string> config = xl_config(guest, error);
    if (!config) return false;
    return write_initrd_with(dom0_initrd,
                             {{"hvbench/", ""},
                              {"hvbench/" + image_name, *image},
                              {"hvbench/type", std::string(type) + "\n"},
                              {"hvbench/cmdline", cmdline + "\n"},
                              {"hvbench/hvbench.cfg", *config}},
                             out, error);
}

}  // namespace

bool write_domu_initrd(const std::string& dom0_initrd, const std::string& kernel, const std::string& cmdline,
                       unsigned vcpus, unsigned memory_mib, const std::string& out, std::string* error) {
    return write_domu_archive(dom0_initrd, kernel, "hvbench.elf", "pvh", cmdline, vcpus, memory_mib, out, error);
}

bool write_hvm_domu_initrd(const std::string& dom0_initrd, const std::string& iso, const std::string& cmdline,
                           unsigned vcpus, unsigned memory_mib, const std::string& out, std::string* error) {
    return write_domu_archive(dom0_initrd, iso, "hvbench.iso", "hvm", cmdline, vcpus, memory_mib, out, error);
}

std::string default_xen_cache() {
    if (const char* c = getenv("HVB_XEN_CACHE"); c && *c) return c;
    if (const char* x = getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/hvbench/xen";
    const char* home = getenv("HOME");
    return std::string(home && *home ? home : "/tmp") + "/.cache/hvbench/xen";
}

std::optional<std::string> ensure_xen(const std::string& given, const std::string& cache,
                                      const std::function<void(const std::string&)>& say, std::string* error) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!given.empty() && !ends_with(given, ".gz")) {
        if (is_file(given)) return given;
        *error = "Xen image " + given + " not found";
        return std::nullopt;
    }
    fs::create_directories(cache, ec);
    if (ec) {
        *error = "cannot create " + cache + ": " + ec.message();
        return std::nullopt;
    }
    if (!given.empty()) {
        std::string out = cache + "/" + fs::path(given).stem().string() + ".elf";
        if (!is_file(given)) {
            *error = "Xen image " + given + " not found";
            return std::nullopt;
        }
        if (!gunzip_to(given, out, error)) return std::nullopt;
        return out;
    }
    std::string elf = cache + "/xen-4.17.elf";
    if (is_file(elf)) return elf;
    // One fetch at a time (two boot tests may start together); the lock goes
    // with the descriptor.
    int lock = open((cache + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock >= 0) flock(lock, LOCK_EX);
    struct Unlock {
        int fd;
        ~Unlock() {
            if (fd >= 0) close(fd);
        }
    } unlock{lock};
    if (is_file(elf)) return elf;

    // apt-get download writes the .deb into its working directory.
    if (say) say(std::string("fetching ") + kXenPackage + " into " + cache + " (apt-get download; not installed)");
    Captured dl = run_capture({"apt-get", "download", "-q", kXenPackage}, 300000, cache);
    std::string deb;
    for (const auto& e : fs::directory_iterator(cache, ec))
        if (e.path().filename().string().rfind(std::string(kXenPackage) + "_", 0) == 0 && e.path().extension() == ".deb")
            deb = e.path().string();
    if (deb.empty()) {
        *error = "apt-get download " + std::string(kXenPackage) + " failed (" + describe(dl) +
                 "); a Debian 12 host with its package lists (apt-get update) has it";
        return std::nullopt;
    }
    std::string tree = cache + "/package";
    Captured x = run_capture({"dpkg-deb", "-x", deb, tree}, 120000);
    if (!x.ok()) {
        *error = "dpkg-deb -x " + deb + " failed: " + describe(x);
        return std::nullopt;
    }
    std::string gz;
    for (const auto& e : fs::directory_iterator(tree + "/boot", ec)) {
        std::string name = e.path().filename().string();
        if (name.rfind("xen-", 0) == 0 && ends_with(name, ".gz")) gz = e.path().string();
    }
    if (gz.empty()) {
        *error = deb + " has no boot/xen-*.gz";
        return std::nullopt;
    }
    if (!gunzip_to(gz, elf, error)) return std::nullopt;
    if (say) say("Xen hypervisor: " + elf + " (from " + fs::path(deb).filename().string() + ")");
    return elf;
}

std::string multiboot_module(const std::string& path, const std::string& cmdline) {
    std::string m = path;
    if (!cmdline.empty()) m += " " + cmdline;
    std::string out;
    for (char c : m) {
        out += c;
        if (c == ',') out += ',';
    }
    return out;
}

std::string_view strip_xen_prefixes(std::string_view s, std::string* domain) {
    domain->clear();
    if (s.rfind("(XEN) ", 0) == 0) s = strip_timestamp(s.substr(6));
    if (s.size() > 4 && s[0] == '(' && s[1] == 'd' && std::isdigit(static_cast<unsigned char>(s[2]))) {
        size_t close = s.find(") ");
        bool digits = close != std::string_view::npos;
        for (size_t i = 2; digits && i < close; ++i) digits = std::isdigit(static_cast<unsigned char>(s[i]));
        if (digits) {
            *domain = std::string(s.substr(1, close - 1));
            s = strip_timestamp(s.substr(close + 2));
        }
    }
    return s;
}

std::string XenLogFilter::line(std::string_view text) {
    bool cr = !text.empty() && text.back() == '\r';
    if (cr) text.remove_suffix(1);
    std::string domain;
    std::string_view body = strip_xen_prefixes(text, &domain);
    if (domain.empty()) return std::string(body) + "\n";
    std::string& cut = cut_[domain];
    cut += body;
    if (body.size() == kXenLogLineMax) return "";  // continues on the next piece
    std::string whole = std::move(cut) + "\n";
    cut.clear();
    return whole;
}

std::string XenLogFilter::feed(std::string_view bytes) {
    std::string out;
    for (char c : bytes) {
        if (c != '\n') {
            partial_ += c;
            continue;
        }
        out += line(partial_);
        partial_.clear();
    }
    return out;
}

std::string XenLogFilter::finish() {
    std::string out;
    if (!partial_.empty()) out = line(partial_);
    partial_.clear();
    for (auto& [domain, cut] : cut_)
        if (!cut.empty()) out += cut + "\n";
    cut_.clear();
    return out;
}

}  // namespace hvb::tools
