// tools/counterparts.cpp — the cross-architecture pairs (counterparts.h).
#include "tools/counterparts.h"

namespace hvb::tools {

const std::vector<Counterpart>& counterparts() {
    static const std::vector<Counterpart> pairs = {
        {"mmio_read_lapic", "mmio_read_gic"},  // a read trapped to the emulated interrupt controller
        {"cpuid", "sysreg_id"},                // the identification instruction hypervisors trap
        {"set_cr3", "set_ttbr"},               // switching the translation table root
        {"wbinvd", "dc_set_way"},              // whole-cache maintenance, trapped
    };
    return pairs;
}

std::string_view counterpart_key(std::string_view name) {
    for (const auto& p : counterparts())
        if (name == p.aarch64) return p.x86_64;
    return name;
}

const std::vector<DallRow>& dall_rows() {
    static const std::vector<DallRow> rows = {
        {"Hypercall", "hypercall"},
        {"Interrupt Controller Trap", "mmio_read_lapic"},
        {"Virtual IPI", "ipi"},
        {"Virtual IRQ Completion", "eoi"},
        {"VM Switch", ""},
        {"I/O Latency Out", "io_out"},
        {"I/O Latency In", "io_in"},
    };
    return rows;
}

}  // namespace hvb::tools
