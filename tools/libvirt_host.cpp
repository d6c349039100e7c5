// tools/libvirt_host.cpp — a libvirt host and the kernel staged there (see libvirt_host.h).
#include "tools/libvirt_host.h"

#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "tools/libvirt_domain.h"
#include "tools/sanitize.h"

namespace hvb::tools {
namespace {

// libvirt prints every error on stderr by default; the tool says them once.
void quiet_errors(void*, virErrorPtr) {}

std::string last_error() {
    const char* m = virGetLastErrorMessage();
    return m ? m : "unknown libvirt error";
}

std::string version_text(unsigned long v) {
    return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." + std::to_string(v % 1000);
}

struct ConnClose {
    void operator()(virConnectPtr c) const { virConnectClose(c); }
};
using Conn = std::unique_ptr<virConnect, ConnClose>;

Conn open_conn(const std::string& uri, std::string* error) {
    virSetErrorFunc(nullptr, quiet_errors);
    Conn c(virConnectOpen(uri.empty() ? nullptr : uri.c_str()));
    if (!c) *error = "cannot connect to " + (uri.empty() ? std::string("libvirt's default URI") : uri) + ": " + last_error();
    return c;
}

// kvm when the host's QEMU can use it, else qemu (TCG); xen for libxl.
std::string choose_type(virConnectPtr c, const std::string& driver, const std::string& accel, std::string* error) {
    if (driver == "Xen" || driver == "xenlight") return "xen";
    if (accel == "tcg") return "qemu";
    char* caps = virConnectGetDomainCapabilities(c, nullptr, "x86_64", nullptr, "kvm", 0);
    bool kvm = caps != nullptr;
    free(caps);
    if (accel == "kvm" && !kvm) {
        *error = "--accel kvm, but the libvirt host offers no kvm domains: " + last_error();
        return "";
    }
    return kvm ? "kvm" : "qemu";
}

// The pool to upload into: "default" when the host has it running, else a
// transient directory pool the tool makes (and destroys afterwards).
virStoragePoolPtr upload_pool(virConnectPtr c, LibvirtHost& h, std::string* error) {
    if (virStoragePoolPtr p = virStoragePoolLookupByName(c, "default")) {
        if (virStoragePoolIsActive(p) == 1) {
            h.pool = "default";
            return p;
        }
        virStoragePoolFree(p);
    }
    h.pool = "hvbench-upload-" + std::to_string(getpid());
    std::string xml = "<pool type='dir'><name>" + xml_text(h.pool) +
                      "</name><target><path>/var/lib/libvirt/images/" + xml_text(h.pool) + "</path></target></pool>";
    // Defined, not transient, so that libvirt_release can delete its
    // directory (virStoragePoolDelete wants a defined, inactive pool).
    virStoragePoolPtr p = virStoragePoolDefineXML(c, xml.c_str(), 0);
    if (p) h.pool_created = true;
    if (!p || virStoragePoolCreate(p, VIR_STORAGE_POOL_CREATE_WITH_BUILD) != 0) {
        *error = "no storage pool to upload the kernel into (no active 'default', and " + last_error() + ")";
        if (p) virStoragePoolFree(p);
        return nullptr;
    }
    return p;
}

int send_file(virStreamPtr, char* buf, size_t n, void* fd) { return int(read(*static_cast<int*>(fd), buf, n)); }

// The kernel into a fresh volume of the host's pool; h.kernel its path there.
bool upload_kernel(virConnectPtr c, const std::string& elf, LibvirtHost& h, std::string* error) {
    int fd = open(elf.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *error = "cannot read " + elf;
        if (fd >= 0) close(fd);
        return false;
    }
    virStoragePoolPtr pool = upload_pool(c, h, error);
    bool ok = false;
    if (pool) {
        h.volume = "hvbench-" + std::to_string(getpid()) + ".elf";
        std::string xml = "<volume><name>" + xml_text(h.volume) + "</name><capacity unit='bytes'>" +
                          std::to_string(st.st_size) +
                          "</capacity><target><format type='raw'/><permissions><mode>0644</mode></permissions>"
                          "</target></volume>";
        virStorageVolPtr vol = virStorageVolCreateXML(pool, xml.c_str(), 0);
        virStreamPtr s = vol ? virStreamNew(c, 0) : nullptr;
        ok = s && virStorageVolUpload(vol, s, 0, (unsigned long long)st.st_size, 0) == 0 &&
             virStreamSendAll(s, send_file, &fd) == 0 && virStreamFinish(s) == 0;
        if (!ok) *error = "uploading the kernel into pool " + h.pool + ": " + last_error();
        if (s) virStreamFree(s);
        if (char* path = ok ? virStorageVolGetPath(vol) : nullptr) {
            h.kernel = path;
            free(path);
        }
        if (vol) virStorageVolFree(vol);
        virStoragePoolFree(pool);
    }
    close(fd);
    return ok && !h.kernel.empty();
}

}  // namespace

bool libvirt_built() { return true; }

std::string LibvirtHost::describe() const {
    return "libvirt " + (uri.empty() ? std::string("(default URI)") : uri) + ": " + driver + " " + hypervisor +
           " on host " + host_name + " (libvirt " + libvirt + "), domain type " + domain_type + ", kernel " + kernel +
           (volume.empty() ? "" : " (uploaded into pool " + pool + ")");
}

std::optional<LibvirtHost> libvirt_prepare(const std::string& uri, const std::string& elf, const std::string& accel,
                                           const std::function<void(const std::string&)>& say, std::string* error) {
    Conn c = open_conn(uri, error);
    if (!c) return std::nullopt;
    LibvirtHost h;
    h.uri = uri;
    if (const char* t = virConnectGetType(c.get())) h.driver = t;
    unsigned long v = 0;
    if (virConnectGetVersion(c.get(), &v) == 0) h.hypervisor = version_text(v);
    if (virConnectGetLibVersion(c.get(), &v) == 0) h.libvirt = version_text(v);
    if (char* name = virConnectGetHostname(c.get())) {
        h.host_name = name;
        free(name);
    }
    h.domain_type = choose_type(c.get(), h.driver, accel, error);
    if (h.domain_type.empty()) return std::nullopt;
    if (!libvirt_uri_is_remote(uri)) {
        h.kernel = elf;
    } else {
        say("uploading " + elf + " to " + uri);
        if (!upload_kernel(c.get(), elf, h, error)) {
            libvirt_release(h);
            return std::nullopt;
        }
    }
    return h;
}

void libvirt_release(const LibvirtHost& h) {
    if (h.pool.empty()) return;
    std::string ignored;
    Conn c = open_conn(h.uri, &ignored);
    if (!c) return;
    if (virStoragePoolPtr p = virStoragePoolLookupByName(c.get(), h.pool.c_str())) {
        if (virStorageVolPtr v = h.volume.empty() ? nullptr : virStorageVolLookupByName(p, h.volume.c_str())) {
            virStorageVolDelete(v, 0);
            virStorageVolFree(v);
        }
        if (h.pool_created) {
            virStoragePoolDestroy(p);
            virStoragePoolDelete(p, 0);  // its directory
            virStoragePoolUndefine(p);
        }
        virStoragePoolFree(p);
    }
}

}  // namespace hvb::tools
