// benchmarks/aarch64/eoi.cpp — a self-SGI taken by hand with IRQs masked:
// send it, acknowledge it (IAR) and complete it (EOIR), per iteration. Under
// KVM with GICv2 the CPU interface is the hardware's virtual one (no exit
// for IAR/EOIR) but the SGI write to the distributor traps; with GICv3 the
// ICC_SGI1R write traps and IAR/EOIR do not. Dall's "virtual IRQ
// completion" row, with the send included (an SGI must be pending to be
// completed). x86 counterpart: eoi.
#include "arch/aarch64/gic.h"
#include "kernel/benchmark.h"

namespace {

constexpr uint32_t kSgi = 3;  // not one the kernel routes: nothing else takes it

// One round: send, acknowledge (polling a bounded while the SGI becomes
// pending), complete. False when it never arrived.
bool round_trip() {
    hvb::arm::gic_send_sgi_self(kSgi);
    uint32_t iar = hvb::arm::gic_ack();
    for (int tries = 0; (iar & 0x3ff) == hvb::arm::kGicSpurious && tries < 1000; ++tries) iar = hvb::arm::gic_ack();
    if ((iar & 0x3ff) == hvb::arm::kGicSpurious) return false;
    hvb::arm::gic_eoi(iar);
    return true;
}

const char* eoi_init() {
    if (hvb::arm::gic_version() == 0) return "no GIC set up";
    if (!round_trip()) return "a self-SGI never became pending";
    return nullptr;
}

void eoi_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) (void)round_trip();
}

// The send alone is not a control: an unacknowledged SGI stays pending. The
// control is the empty loop; the summary says what the cost includes.
}  // namespace

HVB_BENCHMARK(eoi,
    .category = "interrupt",
    .summary = "self-SGI, IAR and EOIR with IRQs masked (virtual interrupt round trip, no exception)",
    .init = eoi_init,
    .benchmark = eoi_loop,
    .control = hvb::empty_loop,
    .iterations = 100,
    .min_iterations = 1,
    .max_iterations = 100000);
