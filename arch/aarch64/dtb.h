// arch/aarch64/dtb.h — what hvbench needs from a flattened device tree
// (the Devicetree Specification v0.4, chapter 5: header, structure block of
// FDT_BEGIN_NODE/FDT_PROP/FDT_END_NODE tokens, strings block).
//
// Portable: compiled into the kernel and into hvb_host, unit-tested on the
// host (tests/unit/aarch64/dtb_test.cpp) and fuzzed (tests/fuzz/fuzz_dtb.cpp). It
// reads only inside the blob's stated size and never trusts an offset or a
// length it has not checked against it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace hvb {

struct DtbRange {
    uint64_t base;
    uint64_t size;
};

enum class PsciConduit : uint8_t { none, hvc, smc };

struct DtbInfo {
    static constexpr size_t kMaxMemory = 8;
    static constexpr size_t kMaxCpus = 64;
    static constexpr size_t kMaxVirtio = 32;
    static constexpr size_t kMaxBootargs = 512;

    DtbRange memory[kMaxMemory];  // /memory* nodes' reg, in order found
    size_t memory_count;

    uint64_t cpu_ids[kMaxCpus];   // each /cpus/cpu node's reg: its MPIDR affinity
    size_t cpu_count;
    bool cpus_truncated;

    PsciConduit psci;             // /psci method (or none)
    uint32_t psci_cpu_on;         // function ID from /psci cpu_on, else the PSCI 0.2 one

    uint8_t gic_version;          // 2 or 3 (0: none found)
    DtbRange gic_dist;            // distributor
    DtbRange gic_cpu;             // GICv2 CPU interface
    DtbRange gic_redist;          // GICv3 first redistributor region

    DtbRange uart;                // /chosen stdout-path's node reg when it is a PL011
    bool uart_is_pl011;

    DtbRange virtio[kMaxVirtio];  // virtio,mmio nodes' reg
    size_t virtio_count;

    bool has_hypervisor;          // a /hypervisor node
    char hypervisor_compatible[32];  // its first compatible string

    char bootargs[kMaxBootargs];  // /chosen bootargs (empty when none)
    uint32_t timer_virt_ppi;      // arm,armv8-timer: the virtual timer's PPI (INTID), 0 if unknown
};

// Parses the blob (at most `max_size` bytes are read; the header's
// totalsize must fit). False, with a reason in *error, when it is not a
// valid device tree; then `out` holds whatever was found before the error.
bool parse_dtb(const void* blob, size_t max_size, DtbInfo& out, const char** error);

// The blob's totalsize from its header, 0 when there is no FDT magic.
uint32_t dtb_total_size(const void* blob);

}  // namespace hvb
