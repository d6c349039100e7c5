// kernel/verdict.h — the rules that call a measurement tight or noisy,
// shared by the kernel (kernel/measure.cpp, runner.cpp) and the host tool's
// agreement between runs (tools/aggregate.cpp), so both judge alike.
// Portable: no kernel types, compiled into the kernel and hvb_host.
#pragma once

#include <stdint.h>

namespace hvb {

// The target's floor: an interval within 1 cycle of the median is tight
// enough whatever the percentage says.
inline constexpr int64_t kTargetFloorMilli = 1000;

// More than 1/kMaxOutlierDen of the repetitions discarded: the target is
// not met, whatever the interval of the rest.
inline constexpr uint32_t kMaxOutlierDen = 4;

// A timer call dearer than the lowest seen in this VM by more than this
// (permille; and by more than kTimerDriftMads x the boot MAD, kernel/measure.h)
// means the host slowed and the result is noisy.
inline constexpr int64_t kTimerDriftPermille = 250;

// A benchmark whose control is hvb::empty_loop is noisy when that control
// ran more than this far (permille) from the platform's usual speed
// (conditions: kernel/runner.h).
inline constexpr int64_t kSpeedTolerancePermille = 100;

// Whether [lo, hi] lies within max(|median| * permille / 1000, min_milli)
// of the median on both sides.
bool within_target(int64_t median, int64_t lo, int64_t hi, uint32_t permille, int64_t min_milli);

// Whether a second measurement of the same thing (`again`) agrees with the
// first: within twice the target, floor included, around the first. The
// rule of the verify pass, of linearity's closing measurement and of the
// host tool's agreement between runs.
bool second_look_agrees(int64_t first, int64_t again, uint32_t target_permille, int64_t target_min_milli);

}  // namespace hvb
