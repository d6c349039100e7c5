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

void insertion_sort(int64_t* values, size_t n) {
    for (size_t i = 1; i < n; ++i) {
        int64_t v = values[i];
        size_t j = i;
        for (; j > 0 && values[j - 1] > v; --j) values[j] = values[j - 1];
        values[j] = v;
    }
}

void heap_sort(int64_t* values, size_t n) {
    for (size_t i = n / 2; i-- > 0;) sift_down(values, i, n);
    for (size_t end = n - 1; end > 0; --end) {
        int64_t t = values[0];
        values[0] = values[end];
        values[end] = t;
        sift_down(values, 0, end);
    }
}

void swap_i64(int64_t& a, int64_t& b) {
    int64_t t = a;
    a = b;
    b = t;
}

// Hoare's partition around the median of the first, middle and last value
// (moved to the front, so each side is non-empty): returns the size of the
// left part, whose values are all <= those of the right.
size_t partition(int64_t* v, size_t n) {
    size_t mid = n / 2;
    if (v[mid] < v[0]) swap_i64(v[mid], v[0]);
    if (v[n - 1] < v[0]) swap_i64(v[n - 1], v[0]);
    if (v[n - 1] < v[mid]) swap_i64(v[n - 1], v[mid]);
    swap_i64(v[0], v[mid]);
    const int64_t pivot = v[0];
    ptrdiff_t i = -1, j = ptrdiff_t(n);
    for (;;) {
        do ++i;
        while (v[i] < pivot);
        do --j;
        while (v[j] > pivot);
        if (i >= j) return size_t(j) + 1;
        swap_i64(v[i], v[j]);
    }
}

}  // namespace

// Introsort without recursion (the kernel stack is small): quicksort that
// keeps the larger part on a stack of at most log2(n) entries and works on
// the smaller, heapsort for a part that partitions badly too often, and
// insertion sort for parts of at most kInsertionSortMax. Fewer instructions
// than heapsort alone (about half at 50 values), which counts where the
// guest's own instructions are slow (about a microsecond each under a nested
// software hypervisor): the estimator sorts every benchmark's repetitions.
void sort_i64(int64_t* values, size_t n) {
    struct Part {
        int64_t* v;
        size_t n;
        unsigned depth;
    };
    Part stack[64];
    size_t top = 0;
    unsigned depth = 0;
    for (size_t m = n; m > 1; m >>= 1) depth += 2;
    Part cur{values, n, depth};
    for (;;) {
        if (cur.n <= kInsertionSortMax) {
            insertion_sort(cur.v, cur.n);
        } else if (cur.depth == 0) {
            heap_sort(cur.v, cur.n);
        } else {
            size_t left = partition(cur.v, cur.n);
            Part a{cur.v, left, cur.depth - 1}, b{cur.v + left, cur.n - left, cur.depth - 1};
            if (a.n < b.n) {
                Part t = a;
                a = b;
                b = t;
            }
            stack[top++] = a;  // the larger: each entry at most half its parent
            cur = b;
            continue;
        }
        if (top == 0) return;
        cur = stack[--top];
    }
}

int64_t median_sorted(const int64_t* sorted, size_t n) {
    if (n == 0) return 0;  // documented precondition; be harmless anyway
    if (n % 2 == 1) return sorted[n / 2];
    // 128-bit sum: the two middle values may add past the int64 range.
    __int128 sum = static_cast<__int128>(sorted[n / 2 - 1]) + sorted[n / 2];
    return floor_div_sat(sum, 2);  // lies between the two, so never saturates
}

uint64_t mad_sorted(const int64_t* sorted, size_t n, int64_t center) {
    if (n == 0) return 0;
    // Left of `up` the values are below the center (their deviations grow
    // walking down), from it on at or above (growing walking up): merging
    // the two walks yields the deviations in ascending order.
    size_t up = 0;
    while (up < n && sorted[up] < center) ++up;
    size_t down = up;  // next on the left is sorted[down - 1]
    const size_t want = n / 2;  // ranks want - 1 (even n) and want
    uint64_t prev = 0, cur = 0;
    for (size_t rank = 0; rank <= want; ++rank) {
        bool left = down > 0;
        uint64_t dl = left ? uint64_t(center) - uint64_t(sorted[down - 1]) : 0;
        uint64_t dr = up < n ? uint64_t(sorted[up]) - uint64_t(center) : 0;
        prev = cur;
        if (left && (up >= n || dl < dr)) {
            cur = dl;
            --down;
        } else {
            cur = dr;
            ++up;
        }
    }
    if (n % 2 == 1) return cur;
    return prev / 2 + cur / 2 + (prev & cur & 1);  // floor((a+b)/2) without overflow
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

    // A deviation can reach 2^64 - 1 (e.g. INT64_MIN vs INT64_MAX): unsigned.
    uint64_t mad = mad_sorted(sorted, n, s.median);
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

namespace hvb {

size_t quantile_index(size_t n, uint32_t q_permille) {
    size_t rank = (uint64_t(n) * q_permille + 999) / 1000;  // ceil(q n)
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return rank - 1;
}

bool quantile_ci_ranks(size_t n, uint32_t q_permille, size_t* lo, size_t* hi, bool* lo_open) {
    if (n == 0 || q_permille == 0 || q_permille >= 1000) return false;
    size_t l = 0, u = 0;  // 1-based ranks; 0: none
    // P(Bin = i) in fixed point (2^60 = 1), 64-bit only (no 128-bit
    // division in the kernel). Each step's true result is a probability
    // (<= 2^60), so (p / d) * m + (p % d) * m / d cannot overflow.
    const uint64_t one = 1ull << 60;
    const uint64_t keep = 1000 - q_permille;
    uint64_t p = one;  // P(Bin = 0) = (1-q)^n
    for (size_t i = 0; i < n && n <= 400; ++i) p = p / 1000 * keep + p % 1000 * keep / 1000;
    if (n <= 400 && p >= (1ull << 20)) {
        // Exact while P(Bin = 0) keeps 20 bits (for q = 10%: n <= 263):
        // P(i+1) = P(i) (n-i) q / ((i+1) (1-q)).
        const uint64_t tail = one / 40;  // 2.5%
        uint64_t below = 0;  // P(Bin < i)
        for (size_t i = 0; i <= n; ++i) {
            if (below <= tail) l = i;  // x(i) a valid lower end (i >= 1)
            uint64_t upto = below + p > one ? one : below + p;  // P(Bin <= i)
            if (u == 0 && one - upto <= tail) u = i + 1;  // P(Bin >= i+1) <= 2.5%
            below = upto;
            if (i < n) {
                uint64_t m = uint64_t(n - i) * q_permille, d = uint64_t(i + 1) * keep;
                p = p / d * m + p % d * m / d;
            }
        }
    } else {
        // n q -+ 1.96 sqrt(n q (1-q)), in thousandths, the root rounded up.
        uint64_t var = uint64_t(n) * q_permille * (1000 - q_permille);  // (1000 sd)^2
        uint64_t sd = isqrt_u64(var);
        if (sd * sd < var) ++sd;
        uint64_t mean = uint64_t(n) * q_permille;  // 1000 n q
        uint64_t reach = 196 * sd / 100;
        l = mean > reach ? size_t((mean - reach) / 1000) : 0;
        u = size_t((mean + reach + 999) / 1000) + 1;
    }
    if (u == 0 || u > n) return false;
    *lo_open = l < 1;
    *lo = l < 1 ? 0 : l - 1;
    *hi = u - 1;
    return true;
}

}  // namespace hvb
