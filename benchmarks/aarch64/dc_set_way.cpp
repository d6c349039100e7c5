// benchmarks/aarch64/dc_set_way.cpp — DC CISW (clean and invalidate by
// set/way) of level 1, set 0, way 0: set/way maintenance cannot be
// virtualized, so KVM traps it (HCR_EL2.TSW) and emulates it by flushing
// the guest's memory. x86 counterpart: wbinvd.
#include "kernel/benchmark.h"

namespace {

void dc_set_way_loop(uint64_t n) {
    const uint64_t level1_set0_way0 = 0;  // Level field (bits 3:1) 0 = L1
    for (uint64_t i = 0; i < n; ++i) asm volatile("dc cisw, %0" ::"r"(level1_set0_way0) : "memory");
}

}  // namespace

HVB_BENCHMARK(dc_set_way,
    .category = "privileged",
    .summary = "DC CISW of one L1 line by set/way (trapped by KVM: HCR_EL2.TSW)",
    .benchmark = dc_set_way_loop,
    .control = hvb::empty_loop,
    .iterations = 1000,
    .min_iterations = 1,
    .max_iterations = 1000000);
