/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-profiler.h
 * @brief Error metrics over tensors, and the accumulator that turns
 *        measured segment errors into a graph.
 */
#ifndef LEMICA_PROFILER_H
#define LEMICA_PROFILER_H

#include <stddef.h>
#include <stdint.h>

#include "lemica-graph.h"
#include "lemica-status.h"

/**
 * @defgroup metric Error metrics
 * @brief The distance between a cached and a reference final sample.
 *
 * lemica_metric_compute() reads two buffers of the same dtype and length,
 * the final sample of a replay with one segment cached (@c a) and the
 * final sample of the full reference pass (@c b), and returns:
 * - ::LEMICA_METRIC_L1: mean |a - b| (the paper's eq. 4; the default);
 * - ::LEMICA_METRIC_MSE: mean (a - b)^2;
 * - ::LEMICA_METRIC_RELATIVE_L1: sum |a - b| / sum |b| (the relative L1
 *   distance of TeaCache, the paper's eq. 3).
 *
 * **Accuracy.** Elements are converted exactly to double (f16 and bf16
 * included); differences are formed and summed in double, by blocks whose
 * sums are added with compensation. The result is within about 1e-13
 * relative of the exact metric of the given values, whatever the length
 * (2e-15 for the L1 of 10^8 f32 elements). The order of the additions
 * depends on the length and on the kernel the CPU gets (AVX-512, AVX2 or
 * portable), so two machines may differ in the last bits; one machine
 * always gives the same result for the same buffers.
 *
 * **Rules.** Both buffers hold @c count elements of the same ::lemica_dtype,
 * native byte order, no alignment required. NaN or infinite elements, a
 * result that overflows a double (possible only with huge f64 values) and
 * a relative L1 whose reference sums to zero give ::LEMICA_ERR_INVALID_VALUE;
 * the message names the first bad element.
 *
 * **Speed.** Built with GCC or Clang for x86-64, the library picks vector
 * kernels at run time from what the CPU has: AVX2 with F16C, and AVX-512F
 * for f16 and bf16 (whose double conversion is the bottleneck); elsewhere
 * a portable loop runs. The f32 and f64 kernels stream at close to the
 * machine's memory read speed (tests/bench-metric.c measures it).
 * A thread that turned on denormals-are-zero in its floating-point control
 * sees subnormal f32 and bf16 elements counted as zero.
 *
 * **Threads.** The function keeps no state; any number of threads may call
 * it at once.
 *
 * @code
 * double error;
 * if (lemica_metric_compute(LEMICA_METRIC_L1, cached, reference,
 *                           64 * 64 * 4, LEMICA_DTYPE_F16, &error) != LEMICA_OK)
 *     fprintf(stderr, "%s\n", lemica_last_error_message());
 * @endcode
 * @{
 */

/**
 * @brief The error between a cached and a reference sample.
 *
 * The numeric values are part of the ABI.
 * @since 0.1
 */
typedef enum lemica_metric {
    /** mean |a - b| over all elements: the paper's eq. 4, the default. */
    LEMICA_METRIC_L1 = 0,
    /** mean (a - b)^2 over all elements. */
    LEMICA_METRIC_MSE = 1,
    /** sum |a - b| / sum |b|; undefined when b is all zeros. */
    LEMICA_METRIC_RELATIVE_L1 = 2
} lemica_metric;

/**
 * @brief The element type of a buffer.
 *
 * The numeric values are part of the ABI.
 * @since 0.1
 */
typedef enum lemica_dtype {
    /** IEEE 754 binary32 (float). */
    LEMICA_DTYPE_F32 = 0,
    /** IEEE 754 binary64 (double). */
    LEMICA_DTYPE_F64 = 1,
    /** IEEE 754 binary16 (half, numpy float16, torch.float16). */
    LEMICA_DTYPE_F16 = 2,
    /** bfloat16 (torch.bfloat16): the upper 16 bits of a binary32. */
    LEMICA_DTYPE_BF16 = 3
} lemica_dtype;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Compute an error metric between two buffers.
 * @param[in] metric The metric.
 * @param[in] a The cached sample: @p count elements of @p dtype.
 * @param[in] b The reference sample: @p count elements of @p dtype.
 * @param[in] count The number of elements in each buffer, >= 1.
 * @param[in] dtype The element type of both buffers.
 * @param[out] out The metric; untouched on error.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for a NULL pointer,
 *         @p count 0 or larger than memory, or an unknown metric or dtype;
 *         ::LEMICA_ERR_INVALID_VALUE for a NaN or infinite element, a
 *         result that overflows, or a relative L1 with sum |b| = 0.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_metric_compute(lemica_metric metric,
                                               const void *a, const void *b,
                                               size_t count, lemica_dtype dtype,
                                               double *out);

#ifdef __cplusplus
}
#endif

/** @} */

/**
 * @defgroup profiler Profiler
 * @brief Per-segment error statistics, mergeable across processes, and the
 *        graph they give.
 *
 * A profiler holds, for every cache segment (i, j) with 2 <= j - i <= K,
 * the statistics of the errors measured for it (one sample per replay, that
 * is per prompt and seed): count, mean, variance, min and max. Span-1
 * segments reuse no step, have no error and take no samples.
 *
 * **Adding samples.** lemica_profiler_add_buffers() computes the
 * profiler's metric from two buffers (see @ref metric);
 * lemica_profiler_add_error() takes an error the engine computed itself,
 * for example on its GPU, which must be finite and >= 0. A failing call
 * (bad segment, NULL, count 0, unknown dtype, non-finite element or value)
 * changes nothing: the metric is computed before the statistics are
 * touched.
 *
 * **Statistics.** Running mean and variance by Welford's update. The
 * variance is the *sample* variance, sum (x - mean)^2 / (n - 1), the
 * unbiased estimate of the spread of errors between prompts; with one
 * sample it is 0.
 *
 * **Merge.** lemica_profiler_merge() adds the samples of one profiler to
 * another of the same N, K and metric with Chan's pairwise update, scaled
 * so that it overflows only where the merged statistics themselves would:
 * the samples one profiler accepts also merge from any sharding (samples
 * {0, 1.5e154} in two shards included; a merged sum of squared deviations
 * that rounds past DBL_MAX by less than the accuracy bound below is stored
 * as DBL_MAX). This is how profiling is
 * spread over GPUs and nodes by whatever
 * runs the engine (Slurm, Ray, Dask, torch.distributed): every worker
 * fills its own profiler; across processes, each segment's summary
 * travels as five numbers, read with lemica_profiler_edge_stats() and
 * merged on the other side with lemica_profiler_add_stats().
 *
 * **Accuracy.** Counts, min and max are exact. For a segment of n samples
 * with largest sample M, exact mean m and exact sample variance v
 * (s = sqrt(v)), write g = n * 2^-50 and d = n * 2^-1074 (the smallest
 * subnormal, n times). After any sequence of additions, merges and
 * summaries, in any sharding and order, the mean and variance returned
 * satisfy
 *
 *     |mean - m|     <= g * M + d
 *     |variance - v| <= g * v  +  g * M * s + (g * M)^2 + d
 *
 * a relative part (g * v) and an absolute part that scales with the
 * magnitude of the samples. For samples with real spread the relative
 * part dominates (about 1e-15 * v for n = 10). For nearly constant
 * samples the absolute part does: samples near 1 that differ in their
 * last bits have a variance of about 1e-32, and a merge may return a
 * variance differing from a single pass's by 100% of it (both within
 * about 1e-32 of the truth). Compare variances from different shardings
 * with this bound, not a relative tolerance. The mean always lies in
 * [min, max].
 *
 * **To graph.** lemica_profiler_to_graph() builds a graph of the same N and
 * K whose weight on each measured segment is an aggregate of its samples:
 * the mean (the paper), the max, or mean + z * standard deviation (robust
 * when samples are few). Span-1 edges keep weight 0. Segments without
 * samples are absent, so the solver routes around them, unless every
 * segment is required.
 *
 * **Limits.** N in 2 .. ::LEMICA_MAX_STEPS and K >= 1 clamped to N - 1, as
 * for the graph. Storage is 40 * N * K bytes, so N * K is at most
 * ::LEMICA_MAX_PROFILER_SLOTS (2^25 slots, 1.25 GiB), a quarter of the
 * graph's ::LEMICA_MAX_EDGE_SLOTS. A segment's sample count stops at
 * 2^64 - 1: more gives ::LEMICA_ERR_TOO_LARGE, never a wrap.
 *
 * **Threads.** A profiler is used by one thread at a time; distinct
 * profilers may be used on distinct threads concurrently, and const calls
 * (statistics, copy, to_graph, the @c src of a merge) may run concurrently
 * on one profiler that nobody modifies. To profile in parallel within one
 * process, give each thread its own profiler and merge them at the end.
 *
 * @code
 * lemica_profiler *total = NULL, *shard = NULL;
 * lemica_graph *graph = NULL;
 * lemica_profiler_new(50, 8, LEMICA_METRIC_L1, &total);
 * lemica_profiler_new(50, 8, LEMICA_METRIC_L1, &shard);
 * // for each replay of segment (i, j) on this worker:
 * lemica_profiler_add_buffers(shard, i, j, cached, reference, count,
 *                             LEMICA_DTYPE_BF16);
 * lemica_profiler_merge(total, shard);   // once per worker
 * lemica_profiler_to_graph(total, LEMICA_AGGREGATE_MEAN, 0.0, 1, &graph);
 * lemica_profiler_free(shard);
 * lemica_profiler_free(total);
 * @endcode
 * @{
 */

/** @brief The largest N * K (after clamping K) of a profiler: 2^25 slots,
 *         1.25 GiB of statistics; above it ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_MAX_PROFILER_SLOTS 33554432

/**
 * @brief How a segment's samples become one edge weight.
 *
 * The numeric values are part of the ABI.
 * @since 0.1
 */
typedef enum lemica_aggregate {
    /** The mean of the samples (the paper). */
    LEMICA_AGGREGATE_MEAN = 0,
    /** The largest sample. */
    LEMICA_AGGREGATE_MAX = 1,
    /** mean + z * sqrt(sample variance), z >= 0. */
    LEMICA_AGGREGATE_MEAN_PLUS_Z_STD = 2
} lemica_aggregate;

/**
 * @brief Opaque profiler handle.
 * @since 0.1
 */
typedef struct lemica_profiler lemica_profiler;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Create an empty profiler.
 * @param[in] num_steps N, the number of sampling steps: 2 .. ::LEMICA_MAX_STEPS.
 * @param[in] max_skip K, the longest segment span, >= 1; above N - 1 it is
 *            clamped to N - 1. With K = 1 no segment can take samples.
 * @param[in] metric The metric lemica_profiler_add_buffers() computes.
 * @param[out] out The new profiler; set to NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for a NULL @p out,
 *         N < 2, K < 1 or an unknown metric; ::LEMICA_ERR_TOO_LARGE for N
 *         above ::LEMICA_MAX_STEPS or N * K above
 *         ::LEMICA_MAX_PROFILER_SLOTS; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_new(int num_steps, int max_skip,
                                             lemica_metric metric,
                                             lemica_profiler **out);

/**
 * @brief Free a profiler. NULL is a no-op.
 * @param[in] profiler The profiler, or NULL.
 * @since 0.1
 */
LEMICA_API void lemica_profiler_free(lemica_profiler *profiler);

/**
 * @brief Make an independent copy of a profiler, samples included.
 * @param[in] profiler The profiler to copy.
 * @param[out] out The copy; set to NULL on failure.
 * @return ::LEMICA_OK, ::LEMICA_ERR_INVALID_ARGUMENT or ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_copy(const lemica_profiler *profiler,
                                              lemica_profiler **out);

/**
 * @brief The number of steps N.
 * @param[in] profiler The profiler.
 * @return N, or 0 if @p profiler is NULL.
 * @since 0.1
 */
LEMICA_API int lemica_profiler_num_steps(const lemica_profiler *profiler);

/**
 * @brief The max skip K after clamping to N - 1.
 * @param[in] profiler The profiler.
 * @return K, or 0 if @p profiler is NULL.
 * @since 0.1
 */
LEMICA_API int lemica_profiler_max_skip(const lemica_profiler *profiler);

/**
 * @brief The metric the profiler computes.
 * @param[in] profiler The profiler.
 * @return The metric, or ::LEMICA_METRIC_L1 if @p profiler is NULL.
 * @since 0.1
 */
LEMICA_API lemica_metric
lemica_profiler_metric(const lemica_profiler *profiler);

/**
 * @brief Add one sample to segment (from, to), computed from two buffers.
 *
 * The sample is lemica_metric_compute() of the profiler's metric over
 * @p cached and @p reference.
 * @param[in,out] profiler The profiler.
 * @param[in] from i, the step whose model output the replay reused.
 * @param[in] to j, the next computed step; 2 <= j - i <= K, j <= N - 1.
 * @param[in] cached The final sample of the replay with (i, j) cached.
 * @param[in] reference The final sample of the reference pass.
 * @param[in] count The number of elements in each buffer, >= 1.
 * @param[in] dtype The element type of both buffers.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE for a bad segment;
 *         the errors of lemica_metric_compute(); ::LEMICA_ERR_INVALID_VALUE
 *         if the statistics would overflow. On error the profiler is
 *         unchanged.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_add_buffers(lemica_profiler *profiler,
                                                     int from, int to,
                                                     const void *cached,
                                                     const void *reference,
                                                     size_t count,
                                                     lemica_dtype dtype);

/**
 * @brief Add one sample to segment (from, to): an error the engine computed.
 * @param[in,out] profiler The profiler.
 * @param[in] from i.
 * @param[in] to j; 2 <= j - i <= K, j <= N - 1.
 * @param[in] error The error: finite and >= 0 (-0.0 counts as 0).
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE for a bad segment;
 *         ::LEMICA_ERR_INVALID_VALUE for NaN, infinite or negative errors
 *         or statistics that would overflow; ::LEMICA_ERR_INVALID_ARGUMENT
 *         for a NULL profiler. On error the profiler is unchanged.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_add_error(lemica_profiler *profiler,
                                                   int from, int to,
                                                   double error);

/**
 * @brief Merge a summary of samples into segment (from, to).
 *
 * The counterpart of lemica_profiler_edge_stats() for moving statistics
 * between processes with any transport (files, MPI, torch.distributed):
 * read every segment's summary on one side, add it here on the other.
 * The result is that of adding the samples themselves, within the
 * accuracy bound above (the variance goes through one multiplication by
 * count - 1). The summary must be one that samples can give:
 * min <= mean <= max (a mean outside by its own rounding, at most
 * min(count, 2^20) * 2^-50 * max, is accepted and moved inside), and with
 * one sample variance 0 and min == max == mean.
 * @param[in,out] profiler The profiler.
 * @param[in] from i.
 * @param[in] to j; 2 <= j - i <= K, j <= N - 1.
 * @param[in] count The number of samples; 0 adds nothing (the other values
 *            are then ignored).
 * @param[in] mean Their mean.
 * @param[in] variance Their sample variance (0 for one sample).
 * @param[in] min The smallest sample.
 * @param[in] max The largest sample.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE for a bad segment;
 *         ::LEMICA_ERR_INVALID_VALUE if a value is NaN, infinite or
 *         negative, @p min > @p max, the summary is inconsistent (above),
 *         or the statistics would overflow;
 *         ::LEMICA_ERR_TOO_LARGE if the count would pass 2^64 - 1;
 *         ::LEMICA_ERR_INVALID_ARGUMENT for a NULL profiler. On error the
 *         profiler is unchanged.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_add_stats(lemica_profiler *profiler,
                                                   int from, int to,
                                                   uint64_t count, double mean,
                                                   double variance, double min,
                                                   double max);

/**
 * @brief The statistics of segment (from, to).
 *
 * A segment without samples gives count 0, mean and variance 0, and min
 * and max NaN.
 * @param[in] profiler The profiler.
 * @param[in] from i.
 * @param[in] to j; 2 <= j - i <= K, j <= N - 1.
 * @param[out] count The number of samples, or NULL.
 * @param[out] mean Their mean, or NULL.
 * @param[out] variance Their sample variance (divided by count - 1; 0 for
 *             one sample), or NULL.
 * @param[out] min The smallest sample, or NULL.
 * @param[out] max The largest sample, or NULL.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE;
 *         ::LEMICA_ERR_INVALID_ARGUMENT for a NULL profiler. Nothing is
 *         written on error.
 * @since 0.1
 */
LEMICA_API lemica_status
lemica_profiler_edge_stats(const lemica_profiler *profiler, int from, int to,
                           uint64_t *count, double *mean, double *variance,
                           double *min, double *max);

/**
 * @brief The number of segments with at least one sample.
 * @param[in] profiler The profiler.
 * @return The count, or 0 if @p profiler is NULL.
 * @since 0.1
 */
LEMICA_API size_t lemica_profiler_num_measured(const lemica_profiler *profiler);

/**
 * @brief Add every sample of @p src to @p dst (Chan's parallel update).
 *
 * @p src may be @p dst: every sample then counts twice.
 * @param[in,out] dst The profiler that receives the samples.
 * @param[in] src The profiler whose samples are added; unchanged.
 * @return ::LEMICA_OK; ::LEMICA_ERR_MISMATCH if N, K or the metric differ;
 *         ::LEMICA_ERR_INVALID_VALUE if a merged statistic would
 *         overflow (a sum of squared deviations above DBL_MAX);
 *         ::LEMICA_ERR_TOO_LARGE if a count would pass 2^64 - 1;
 *         ::LEMICA_ERR_INVALID_ARGUMENT for NULL. On error @p dst is
 *         unchanged.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_merge(lemica_profiler *dst,
                                               const lemica_profiler *src);

/**
 * @brief Build a graph of the same N and K from the statistics.
 *
 * Every segment with samples becomes an edge weighted by @p aggregate;
 * span-1 edges have weight 0 as in every new graph.
 * @param[in] profiler The profiler.
 * @param[in] aggregate How samples become a weight.
 * @param[in] z The number of standard deviations added by
 *            ::LEMICA_AGGREGATE_MEAN_PLUS_Z_STD: finite and >= 0; ignored
 *            by the other aggregates.
 * @param[in] require_all 0: segments without samples are absent from the
 *            graph. Non-zero: every segment 2 <= j - i <= K must have a
 *            sample, else the call fails.
 * @param[out] out The new graph; set to NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_STATE when @p require_all is set and a
 *         segment has no sample (the message names it);
 *         ::LEMICA_ERR_INVALID_ARGUMENT for NULL pointers, an unknown
 *         aggregate or a bad @p z; ::LEMICA_ERR_INVALID_VALUE if a weight
 *         overflows; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status
lemica_profiler_to_graph(const lemica_profiler *profiler,
                         lemica_aggregate aggregate, double z, int require_all,
                         lemica_graph **out);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_PROFILER_H */
