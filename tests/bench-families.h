/* SPDX-License-Identifier: MIT */
/* Weight models the benchmarks share (bench-solver.c, bench-output.c). */
#ifndef LEMICA_BENCH_FAMILIES_H
#define LEMICA_BENCH_FAMILIES_H

#include <math.h>

/* The "true" error of skipping from @i to @j of @n steps in a diffusion
 * model: it grows with the span and is larger for early starts (high
 * noise), in [0, 1]. */
static inline double
bench_diffusion_error(int i, int j, int n)
{
    double span = (double)(j - i) / (double)n;
    double early = 1.0 + 3.0 * exp(-4.0 * (double)i / (double)n);
    double e = 0.5 * pow(span, 1.5) * early * 8.0;

    return e < 1.0 ? e : 1.0;
}

#endif /* LEMICA_BENCH_FAMILIES_H */
