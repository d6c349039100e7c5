// kernel/verdict.cpp — the target and agreement rules (kernel/verdict.h).
#include "kernel/verdict.h"

#include "posih/stats.h"

namespace hvb {

namespace {

uint64_t abs_u64(int64_t v) { return v < 0 ? 0 - uint64_t(v) : uint64_t(v); }

// max(|value| x permille / 1000, floor_milli), without overflow: the
// tolerance every rule here puts around a figure.
uint64_t tolerance(int64_t value, uint64_t permille, uint64_t floor_milli) {
    uint64_t mag = abs_u64(value);
    uint64_t tol = mag / 1000 * permille + mag % 1000 * permille / 1000;
    return tol < floor_milli ? floor_milli : tol;
}

}  // namespace

int64_t headline_tolerance(int64_t headline, uint32_t target_permille, int64_t target_min_milli) {
    uint64_t floor = target_min_milli > 0 ? uint64_t(target_min_milli) * kHeadlineTolFactor : 0;
    return saturate_i64(tolerance(headline, uint64_t(target_permille) * kHeadlineTolFactor, floor));
}

bool within_target(int64_t median, int64_t lo, int64_t hi, uint32_t permille, int64_t min_milli) {
    uint64_t tol = tolerance(median, permille, min_milli > 0 ? uint64_t(min_milli) : 0);
    if (lo > median || hi < median) return false;
    uint64_t below = uint64_t(median) - uint64_t(lo);
    uint64_t above = uint64_t(hi) - uint64_t(median);
    return below <= tol && above <= tol;
}

bool second_look_agrees(int64_t first, int64_t again, uint32_t target_permille, int64_t target_min_milli) {
    return within_target(first, first < again ? first : again, first < again ? again : first, 2 * target_permille,
                         2 * target_min_milli);
}

}  // namespace hvb
