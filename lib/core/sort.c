/* SPDX-License-Identifier: MIT */
/* The descending sort of cost vectors: see sort-int.h.
 *
 * Why a sorting network: a frontier writes out one sorted cost vector a
 * budget, the same work for every comparator, and at N = 50 (vectors of
 * 1 .. 48 values) the Shell sort took 4.6 of the MAX frontier's 11.6 us
 * of wall time here, its comparisons' branches unpredictable. Up to 128
 * values a bitonic network in AVX-512 registers (8 doubles each, up to 16
 * of the 32) sorts without a branch. Other machines keep the Shell sort:
 * an AVX (4-wide) network looped over memory measured about as many
 * instructions as it (docs/solver-performance-log.md). */
#include "sort-int.h"

#include <math.h>
#include <stdint.h>

/* x86-64 only: the lane masks are two 64-bit words. */
#if defined(__x86_64__) && defined(__GNUC__)
#define LEMICA_HAVE_SORT_AVX512 1
#include <immintrin.h>
#endif

/* Sift values[root] down a min-heap of @count values: the smallest value
 * rises to the root, so repeatedly moving the root to the end of the array
 * leaves the array in descending order. */
static void
sift_down_min(double *values, size_t root, size_t count)
{
    double moving = values[root];

    for (;;) {
        size_t child = 2 * root + 1;

        if (child >= count)
            break;
        if (child + 1 < count && values[child + 1] < values[child])
            child++;
        if (!(values[child] < moving))
            break;
        values[root] = values[child];
        root = child;
    }
    values[root] = moving;
}

static void
sort_descending_scalar(double *values, size_t count)
{
    /* No allocation, unlike qsort, which may call malloc (repeated solves
     * must allocate nothing). Cost vectors (one entry per segment) are
     * mostly short: Shell sort with Ciura's gaps is fastest there; long
     * ones use heapsort, O(n log n) in the worst case. */
    static const size_t gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};

    if (count <= 1000) {
        for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
            size_t gap = gaps[g];

            for (size_t i = gap; i < count; i++) {
                double moving = values[i];
                size_t j = i;

                for (; j >= gap && values[j - gap] < moving; j -= gap)
                    values[j] = values[j - gap];
                values[j] = moving;
            }
        }
        return;
    }
    for (size_t root = count / 2; root-- > 0;)
        sift_down_min(values, root, count);
    for (size_t end = count - 1; end > 0; end--) {
        double smallest = values[0];

        values[0] = values[end];
        values[end] = smallest;
        sift_down_min(values, 0, end);
    }
}

#ifdef LEMICA_HAVE_SORT_AVX512
#define SORT_AVX512_INLINE                                                     \
    __attribute__((target("avx512f"), always_inline)) static inline

/* One compare-exchange stage inside a register at lane distance @j (1, 2
 * or 4): each lane meets lane i ^ j; the lanes in @min_lanes keep the
 * smaller value, the others the larger. */
SORT_AVX512_INLINE __m512d
network_stage(__m512d z, int j, __mmask8 min_lanes)
{
    __m512d partner = j == 1   ? _mm512_permute_pd(z, 0x55)
                      : j == 2 ? _mm512_permutex_pd(z, 0x4E)
                               : _mm512_shuffle_f64x2(z, z, 0x4E);

    return _mm512_mask_blend_pd(min_lanes, _mm512_max_pd(z, partner),
                                _mm512_min_pd(z, partner));
}

/* A register's eight lanes into a descending four and an ascending four:
 * the bitonic network's stages k = 2 and k = 4. */
SORT_AVX512_INLINE __m512d
network_fours(__m512d z)
{
    z = network_stage(z, 1, 0x66);
    z = network_stage(z, 2, 0x3c);
    return network_stage(z, 1, 0x5a);
}

/* A bitonic register sorted descending (@descending) or ascending. */
SORT_AVX512_INLINE __m512d
network_clean(__m512d z, int descending)
{
    z = network_stage(z, 4, descending ? 0xf0 : 0x0f);
    z = network_stage(z, 2, descending ? 0xcc : 0x33);
    return network_stage(z, 1, descending ? 0xaa : 0x55);
}

/* The network's stages below are for @count registers (1, 2, 4, 8 or 16:
 * a constant at each call, so every loop unrolls, every branch on r folds
 * and every mask is an immediate). Lane i of register r is element
 * 8 r + i; a block of the stage k sorts descending when (element & k) ==
 * 0, which for k >= 8, counted below in registers, is the same for the
 * whole register. */

/* The compare-exchanges between registers @rj apart in the stage @k. */
SORT_AVX512_INLINE void
network_across(__m512d *z, const int count, const int k, const int rj)
{
#pragma GCC unroll 16
    for (int r = 0; r < count; r++) {
        __m512d larger, smaller;

        /* The second test never holds; it shows the compiler the bound. */
        if ((r & rj) || r + rj >= count)
            continue;
        larger = _mm512_max_pd(z[r], z[r + rj]);
        smaller = _mm512_min_pd(z[r], z[r + rj]);
        z[r] = (r & k) == 0 ? larger : smaller;
        z[r + rj] = (r & k) == 0 ? smaller : larger;
    }
}

/* The stage @k (in registers): bitonic runs of k registers merged. */
SORT_AVX512_INLINE void
network_merge(__m512d *z, const int count, const int k)
{
    if (k >= 16)
        network_across(z, count, k, 8);
    if (k >= 8)
        network_across(z, count, k, 4);
    if (k >= 4)
        network_across(z, count, k, 2);
    network_across(z, count, k, 1);
#pragma GCC unroll 16
    for (int r = 0; r < count; r++)
        z[r] = network_clean(z[r], (r & k) == 0);
}

/* Bitonic sort of @count registers, descending across them. */
SORT_AVX512_INLINE void
network_sort(__m512d *z, const int count)
{
#pragma GCC unroll 16
    for (int r = 0; r < count; r++)
        z[r] = network_clean(network_fours(z[r]), (r & 1) == 0);
    if (count >= 2)
        network_merge(z, count, 2);
    if (count >= 4)
        network_merge(z, count, 4);
    if (count >= 8)
        network_merge(z, count, 8);
    if (count >= 16)
        network_merge(z, count, 16);
}

/* Bit i set when element i is one of @count (<= 128) values: the lanes
 * of register r are bits 8 r .. 8 r + 7. Shifts, not a test a register,
 * so that the network's code has no branch that depends on the count. */
static inline void
network_lane_bits(size_t count, uint64_t bits[2])
{
    bits[0] = count >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << count) - 1;
    bits[1] = count >= 128  ? ~(uint64_t)0
              : count <= 64 ? 0
                            : ((uint64_t)1 << (count - 64)) - 1;
}

#define NETWORK_LANES(bits, r) ((__mmask8)((bits)[(r) / 8] >> (8 * ((r) % 8))))

/* Sort @count <= 8 @REGISTERS values: the lanes past them hold -inf, below
 * every value, so the first @count lanes of the result are the values. */
#define DEFINE_NETWORK_SORT(REGISTERS)                                        \
    __attribute__((target("avx512f"))) static void                            \
    network_sort_##REGISTERS(double *values, size_t count)                    \
    {                                                                         \
        const __m512d below = _mm512_set1_pd(-HUGE_VAL);                      \
        __m512d z[REGISTERS];                                                 \
        uint64_t bits[2];                                                     \
                                                                              \
        network_lane_bits(count, bits);                                       \
        _Pragma("GCC unroll 16")                                              \
        for (int r = 0; r < REGISTERS; r++)                                   \
            z[r] = _mm512_mask_loadu_pd(below, NETWORK_LANES(bits, r),        \
                                        values + 8 * r);                      \
        network_sort(z, REGISTERS);                                           \
        _Pragma("GCC unroll 16")                                              \
        for (int r = 0; r < REGISTERS; r++)                                   \
            _mm512_mask_storeu_pd(values + 8 * r, NETWORK_LANES(bits, r),     \
                                  z[r]);                                      \
    }
DEFINE_NETWORK_SORT(1)
DEFINE_NETWORK_SORT(2)
DEFINE_NETWORK_SORT(4)
DEFINE_NETWORK_SORT(8)
DEFINE_NETWORK_SORT(16)

static int sort_avx512_allowed = 1;

/* 1 when the network sorted @values (2 <= count <= 128, AVX-512). */
static int
sort_descending_network(double *values, size_t count)
{
    /* libgcc's CPU model, one load (see cpu_has_avx() in solver-dp.c). */
    if (count > 128 || !sort_avx512_allowed ||
        !__builtin_cpu_supports("avx512f"))
        return 0;
    if (count <= 8)
        network_sort_1(values, count);
    else if (count <= 16)
        network_sort_2(values, count);
    else if (count <= 32)
        network_sort_4(values, count);
    else if (count <= 64)
        network_sort_8(values, count);
    else
        network_sort_16(values, count);
    return 1;
}
#endif

void
lemica_sort_descending(double *values, size_t count)
{
    if (count < 2)
        return;
#ifdef LEMICA_HAVE_SORT_AVX512
    if (sort_descending_network(values, count))
        return;
#endif
    sort_descending_scalar(values, count);
}

void
lemica_sort_set_avx512(int allowed)
{
#ifdef LEMICA_HAVE_SORT_AVX512
    sort_avx512_allowed = allowed;
#else
    (void)allowed;
#endif
}
