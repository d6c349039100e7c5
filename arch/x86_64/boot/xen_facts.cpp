// arch/x86_64/boot/xen_facts.cpp — the parts of running under Xen that are
// no instruction: the hypercall's E820 buffer and the console route choice.
#include "arch/x86_64/boot/xen_facts.h"

#include "arch/x86_64/boot/boot_protocols.h"
#include "posih/format.h"

namespace hvb {
namespace {

uint64_t le64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

}  // namespace

bool add_xen_e820(const uint8_t* buf, size_t bytes, uint32_t entries, BootInfo& out, char* why, size_t why_cap) {
    if (entries > bytes / kXenE820EntrySize) {
        snformat(why, why_cap, "XENMEM_memory_map: %u entries do not fit the %lu-byte buffer", entries,
                 uint64_t(bytes));
        return false;
    }
    for (uint32_t i = 0; i < entries; ++i) {
        const uint8_t* e = buf + size_t(i) * kXenE820EntrySize;
        add_boot_region(out, le64(e), le64(e + 8), mem_type_from_e820(le32(e + 16)));
    }
    return true;
}

const char* console_route_name(ConsoleRoute r) {
    switch (r) {
        case ConsoleRoute::uart: return "uart";
        case ConsoleRoute::xen_consoleio: return "xen-consoleio";
        case ConsoleRoute::xen_ring: return "xen-ring";
        case ConsoleRoute::port_e9: return "port-e9";
        case ConsoleRoute::screen: return "screen";
    }
    return "?";
}

ConsoleRoute choose_console_route(const ConsoleFacts& f) {
    // Under Xen the hypervisor's own channels come first: dom0's COM1 is
    // Xen's (the probe usually fails, and when it does not, writing to it
    // would race Xen's own output).
    if (f.xen && f.xen_dom0) return ConsoleRoute::xen_consoleio;
    if (f.uart) return ConsoleRoute::uart;
    if (f.xen && f.xen_ring) return ConsoleRoute::xen_ring;
    if (f.xen) return ConsoleRoute::port_e9;
    return ConsoleRoute::screen;
}

}  // namespace hvb
