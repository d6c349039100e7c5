// tests/fuzz/fuzz_dtb.cpp — libFuzzer target: the aarch64 DTB reader
// (arch/aarch64/dtb.h). The input is the blob itself, copied into a buffer
// of exactly its size so AddressSanitizer sees any read past it. Whatever is
// accepted must be internally consistent: counts within their arrays,
// strings terminated, a GIC version of 0, 2 or 3.
#include <stddef.h>
#include <stdint.h>

#include <cstring>
#include <memory>

#include "arch/aarch64/dtb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::unique_ptr<uint8_t[]> blob(new uint8_t[size]);
    if (size != 0) std::memcpy(blob.get(), data, size);
    static hvb::DtbInfo info;
    const char* error = nullptr;
    const bool ok = hvb::parse_dtb(blob.get(), size, info, &error);
    if (error == nullptr || (!ok && error[0] == 0)) __builtin_trap();  // a refusal always says why
    if (info.memory_count > hvb::DtbInfo::kMaxMemory || info.cpu_count > hvb::DtbInfo::kMaxCpus ||
        info.virtio_count > hvb::DtbInfo::kMaxVirtio)
        __builtin_trap();
    if (info.gic_version != 0 && info.gic_version != 2 && info.gic_version != 3) __builtin_trap();
    if (strnlen(info.bootargs, sizeof info.bootargs) == sizeof info.bootargs) __builtin_trap();
    if (strnlen(info.hypervisor_compatible, sizeof info.hypervisor_compatible) == sizeof info.hypervisor_compatible)
        __builtin_trap();
    if (size >= 8 && hvb::dtb_total_size(blob.get()) == 0 && ok) __builtin_trap();  // no magic, not accepted
    return 0;
}
