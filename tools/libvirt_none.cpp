// tools/libvirt_none.cpp — libvirt_host.h for a build without libvirt-dev:
// every entry says so.
#include "tools/libvirt_host.h"

#include <cstdio>

namespace hvb::tools {
namespace {
constexpr const char* kNotBuilt =
    "this hvbench was built without libvirt (install libvirt-dev, then configure and build again)";
}

bool libvirt_built() { return false; }

std::string LibvirtHost::describe() const { return uri; }

std::optional<LibvirtHost> libvirt_prepare(const std::string&, const std::string&, const std::string&,
                                           const std::function<void(const std::string&)>&, std::string* error) {
    *error = kNotBuilt;
    return std::nullopt;
}

void libvirt_release(const LibvirtHost&) {}

int libvirt_vm_main(const std::string&, const std::string&) {
    fprintf(stderr, "libvirt: %s\n", kNotBuilt);
    return 1;
}

}  // namespace hvb::tools
