// arch/x86_64/boot/xen_facts.h — the parts of running under Xen that are
// no instruction: the memory map XENMEM_memory_map returns, and how the
// console route is chosen. No hardware access: built into the host library
// too and unit-tested. The hypercalls themselves are in arch/x86_64/xen.cpp.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "posih/bootinfo.h"
#include "posih/xen.h"

namespace hvb {

// XENMEM_memory_map (xen/include/public/memory.h) fills a buffer with
// E820 entries, each packed as {u64 addr, u64 size, u32 type}: 20 bytes.
inline constexpr size_t kXenE820EntrySize = 20;

// Adds the `entries` E820 entries in `buf` (`bytes` long) to out.regions
// (after any already there), E820 types mapped as the boot parsers map them.
// False, with a reason in `why`, when `entries` needs more bytes than `buf`
// has; regions past BootInfo::kMaxRegions set out.regions_truncated.
bool add_xen_e820(const uint8_t* buf, size_t bytes, uint32_t entries, BootInfo& out, char* why, size_t why_cap);

// Where the kernel's console goes, best first (posih/console.h console_route):
//  - uart: a 16550 answers on COM1 (bare metal, QEMU, KVM, a domU with an
//    emulated UART);
//  - xen_consoleio: the CONSOLEIO_write hypercall, which Xen passes byte for
//    byte to its own serial line for the hardware domain (dom0) only;
//  - xen_ring: a domU's PV console ring (HVM_PARAM_CONSOLE_PFN and its event
//    channel), which xenconsoled reads;
//  - port_e9: Xen's debug port, which works from any HVM/PVH domain but
//    reaches Xen's log as "(dN) " lines cut at kXenLogLineMax characters;
//  - screen: the VGA text screen, when nothing else is there.
enum class ConsoleRoute : uint8_t { uart, xen_consoleio, xen_ring, port_e9, screen };
const char* console_route_name(ConsoleRoute r);  // "uart", "xen-consoleio", "xen-ring", "port-e9", "screen"

struct ConsoleFacts {
    bool uart;            // the COM1 scratch register answers
    bool xen;             // Xen's CPUID leaves and a hypercall page
    bool xen_dom0;        // ... and this is the hardware domain
    bool xen_ring;        // a PV console ring was found (domU)
};
ConsoleRoute choose_console_route(const ConsoleFacts& f);

}  // namespace hvb
