// tests/fakes/fake_numbers.h — the values the fake VMM (fake_vmm.cpp
// --numbers) gives the numeric fields of kernel/record_fields.h, for the
// tests that follow each field from the record to the results files.
#pragma once

#include <cstddef>
#include <type_traits>

namespace hvb::fake {

// Row `row` (0-based, counting the `gen` rows of HVB_RESULT_FIELDS) of the `index`-th
// benchmark: distinct for every field and benchmark, negative when signed.
template <typename T>
constexpr T fake_number(int row, size_t index) {
    T v = T(T(row + 1) * 1000 + T(index));
    if constexpr (std::is_signed_v<T>) return T(-v);
    return v;
}

}  // namespace hvb::fake
