/* SPDX-License-Identifier: MIT */
/* Error metrics over buffers: half-float conversion and the test hooks of
 * the kernels (see lemica_metric_compute in lemica-profiler.h). */
#ifndef LEMICA_METRIC_INT_H
#define LEMICA_METRIC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "lemica/lemica-profiler.h"

/* The binary16 value with bit pattern @bits, exactly (every binary16 value,
 * subnormals included, is a binary32 value). Infinities and NaNs map to
 * infinities and NaNs of the same sign. */
float lemica_f16_to_float(uint16_t bits);

/* The bfloat16 value with bit pattern @bits, exactly. */
float lemica_bf16_to_float(uint16_t bits);

/* The size in bytes of one element of @dtype, or 0 for an unknown dtype. */
size_t lemica_dtype_size(lemica_dtype dtype);

/* The most capable kernels the library may pick, for tests and benchmarks
 * that compare the paths; each level still needs the CPU to support it.
 * Not thread-safe: tests only. */
enum lemica_kernels {
    LEMICA_KERNELS_PORTABLE,
    LEMICA_KERNELS_AVX2,
    LEMICA_KERNELS_AUTO
};
void lemica_metric_set_kernels(enum lemica_kernels kernels);

/* The name of the kernel that runs for @dtype under the current setting
 * and CPU: "avx512f", "avx2" or "portable". */
const char *lemica_metric_kernel_name(lemica_dtype dtype);

#endif /* LEMICA_METRIC_INT_H */
