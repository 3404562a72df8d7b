/* SPDX-License-Identifier: MIT */
/* A lane-wise select of four doubles by one vblendvpd, for the AVX
 * lexicographic scans (solver-blocked-scan.c, solver-row-lex.c). */
#ifndef LEMICA_AVX_SELECT_INT_H
#define LEMICA_AVX_SELECT_INT_H

#include "blocked-scan-int.h" /* LEMICA_HAVE_AVX_SCAN */

#ifdef LEMICA_HAVE_AVX_SCAN
#include <immintrin.h>

/* @a where @mask, else @b. Written out because GCC 12 lowers
 * _mm256_blendv_pd's sign test without AVX2 to per-lane branches; one
 * vblendvpd is an instruction less than and, andnot, or (or than a masked
 * index's max). */
__attribute__((target("avx"), always_inline)) static inline __m256d
lemica_select_pd(__m256d mask, __m256d a, __m256d b)
{
    __m256d r;

    /* Both operand orders ({AT&T|Intel}): builds may pass -masm=intel. */
    __asm__("vblendvpd {%3, %2, %1, %0|%0, %1, %2, %3}"
            : "=x"(r)
            : "x"(b), "x"(a), "x"(mask));
    return r;
}

/* lemica_select_pd() with @a allowed in memory (vblendvpd's third operand
 * may be one): where the operands outnumber the 16 registers (the
 * encoding's few-values pass with 8 keys or more), GCC otherwise reloaded
 * the spilled ones into registers first. */
__attribute__((target("avx"), always_inline)) static inline __m256d
lemica_select_pd_mem(__m256d mask, __m256d a, __m256d b)
{
    __m256d r;

    __asm__("vblendvpd {%3, %2, %1, %0|%0, %1, %2, %3}"
            : "=x"(r)
            : "x"(b), "xm"(a), "x"(mask));
    return r;
}
#endif

#endif /* LEMICA_AVX_SELECT_INT_H */
