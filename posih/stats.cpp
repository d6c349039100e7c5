// posih/stats.cpp — integer-only order statistics (sort, median, MAD, mean).
#include "posih/stats.h"

namespace hvb {

namespace {

constexpr int64_t kI64Max = 0x7fffffffffffffffLL;
constexpr int64_t kI64Min = -kI64Max - 1;
constexpr uint64_t kSignBit = 0x8000000000000000ULL;
constexpr size_t kInsertionSortMax = 32;

void sift_down(int64_t* a, size_t root, size_t n) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && a[child + 1] > a[child]) ++child;
        if (a[root] >= a[child]) return;
        int64_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

// Unsigned 128/64 division by shift-and-subtract. The compiler would call
// libgcc's __udivti3 for a 128-bit '/', which the kernel does not link; these
// are a handful of divisions per benchmark, so speed does not matter.
unsigned __int128 udiv128(unsigned __int128 num, uint64_t den, uint64_t* rem) {
    if ((num >> 64) == 0) {
        uint64_t n64 = static_cast<uint64_t>(num);
        *rem = n64 % den;
        return n64 / den;
    }
    unsigned __int128 q = 0;
    unsigned __int128 r = 0;
    for (int bit = 127; bit >= 0; --bit) {
        r = (r << 1) | ((num >> bit) & 1);
        if (r >= den) {
            r -= den;
            q |= static_cast<unsigned __int128>(1) << bit;
        }
    }
    *rem = static_cast<uint64_t>(r);
    return q;
}

// floor(num / den) for den > 0, saturated to the int64 range. C division
// truncates toward zero; every caller here wants toward negative infinity.
int64_t floor_div_sat(__int128 num, uint64_t den) {
    uint64_t rem;
    if (num >= 0) {
        unsigned __int128 q = udiv128(static_cast<unsigned __int128>(num), den, &rem);
        return q > static_cast<unsigned __int128>(kI64Max) ? kI64Max : static_cast<int64_t>(q);
    }
    // Unsigned negation: fine even for the most negative __int128.
    unsigned __int128 mag = 0 - static_cast<unsigned __int128>(num);
    unsigned __int128 q = udiv128(mag, den, &rem);
    if (rem != 0) ++q;  // round the magnitude up = round the value down
    if (q >= static_cast<unsigned __int128>(kSignBit)) return kI64Min;
    return -static_cast<int64_t>(q);
}

}  // namespace

// Heapsort: O(n log n) worst case, in place, no recursion (the kernel stack is
// small); insertion sort up to kInsertionSortMax elements.
void sort_i64(int64_t* values, size_t n) {
    if (n < 2) return;
    // Insertion sort for the small arrays the measurement sorts at every
    // checkpoint (6 to a few dozen repetitions): a third of heapsort's
    // instructions there, which counts where the guest's own instructions
    // are slow (about a microsecond each under a nested software hypervisor).
    if (n <= kInsertionSortMax) {
        for (size_t i = 1; i < n; ++i) {
            int64_t v = values[i];
            size_t j = i;
            for (; j > 0 && values[j - 1] > v; --j) values[j] = values[j - 1];
            values[j] = v;
        }
        return;
    }
    for (size_t i = n / 2; i-- > 0;) sift_down(values, i, n);
    for (size_t end = n - 1; end > 0; --end) {
        int64_t t = values[0];
        values[0] = values[end];
        values[end] = t;
        sift_down(values, 0, end);
    }
}

int64_t median_sorted(const int64_t* sorted, size_t n) {
    if (n == 0) return 0;  // documented precondition; be harmless anyway
    if (n % 2 == 1) return sorted[n / 2];
    // 128-bit sum: the two middle values may add past the int64 range.
    __int128 sum = static_cast<__int128>(sorted[n / 2 - 1]) + sorted[n / 2];
    return floor_div_sat(sum, 2);  // lies between the two, so never saturates
}

Summary summarize(const int64_t* values, size_t n, int64_t* scratch) {
    Summary s{};
    if (n == 0) return s;
    s.n = n;

    int64_t* sorted = scratch;
    __builtin_memcpy(sorted, values, n * sizeof(int64_t));
    sort_i64(sorted, n);
    s.min = sorted[0];
    s.max = sorted[n - 1];
    s.median = median_sorted(sorted, n);

    // |sum| <= 2^63 * n < 2^127, so 128 bits cannot overflow.
    __int128 sum = 0;
    for (size_t i = 0; i < n; ++i) sum += sorted[i];
    s.mean = floor_div_sat(sum, n);  // lies within [min, max], so never saturates

    // A deviation can reach 2^64 - 1 (e.g. INT64_MIN vs INT64_MAX), so keep
    // it unsigned and store it with the sign bit flipped: signed order of the
    // stored values is then the unsigned order of the deviations, and
    // sort_i64 can be reused.
    int64_t* dev = scratch + n;
    for (size_t i = 0; i < n; ++i) {
        uint64_t d = sorted[i] >= s.median
                         ? static_cast<uint64_t>(sorted[i]) - static_cast<uint64_t>(s.median)
                         : static_cast<uint64_t>(s.median) - static_cast<uint64_t>(sorted[i]);
        dev[i] = static_cast<int64_t>(d ^ kSignBit);
    }
    sort_i64(dev, n);
    uint64_t mad;
    if (n % 2 == 1) {
        mad = static_cast<uint64_t>(dev[n / 2]) ^ kSignBit;
    } else {
        uint64_t a = static_cast<uint64_t>(dev[n / 2 - 1]) ^ kSignBit;
        uint64_t b = static_cast<uint64_t>(dev[n / 2]) ^ kSignBit;
        mad = a / 2 + b / 2 + (a & b & 1);  // floor((a+b)/2) without overflow
    }
    // Only a spread wider than the int64 range can exceed this; saturate.
    s.mad = mad > static_cast<uint64_t>(kI64Max) ? kI64Max : static_cast<int64_t>(mad);
    return s;
}

int64_t per_iteration_milli(uint64_t bench_cycles, uint64_t control_cycles, uint64_t iterations) {
    if (iterations == 0) return 0;
    // |delta| < 2^64 and 1000 < 2^10, so the product fits easily in 128 bits.
    __int128 delta = static_cast<__int128>(bench_cycles) - static_cast<__int128>(control_cycles);
    return floor_div_sat(delta * 1000, iterations);
}

uint64_t isqrt_u64(uint64_t v) {
    // Newton's iteration from above; converges to floor(sqrt(v)).
    if (v < 2) return v;
    uint64_t x = v / 2 + 1;
    if (x > 0xFFFFFFFFull) x = 0xFFFFFFFFull;  // sqrt(2^64) < 2^32
    for (;;) {
        uint64_t y = (x + v / x) / 2;
        if (y >= x) return x;
        x = y;
    }
}

bool median_ci_ranks(size_t n, size_t* lo, size_t* hi) {
    if (n < kMinCiSamples) return false;
    size_t k = 0;  // 1-based rank of the lower bound
    if (n <= 60) {
        // Largest k with sum_{i<k} C(n,i) <= 2^n / 40. C(60, i) * (60 - i)
        // stays below 2^64 for every i reached here (i < n/2).
        uint64_t c = 1;  // C(n, i)
        unsigned __int128 below = 0;  // sum_{j<i} C(n, j)
        const unsigned __int128 limit = static_cast<unsigned __int128>(1) << n;
        for (size_t i = 0; i < n / 2; ++i) {
            below += c;
            if (below * 40 > limit) break;
            k = i + 1;
            c = c * (n - i) / (i + 1);
        }
    } else {
        // n/2 - 0.98 sqrt(n), in hundredths: 50n - sqrt(9604 n), with the
        // square root rounded up so the interval never gets narrower.
        uint64_t s = isqrt_u64(9604ull * n);
        if (s * s < 9604ull * n) ++s;
        k = (50 * n - s) / 100;
    }
    if (k < 1) return false;
    *lo = k - 1;
    *hi = n - k;
    return true;
}

}  // namespace hvb
