/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-file.h
 * @brief Versioned text files for graphs, schedules and profiles: load,
 *        save, parse and format.
 */
#ifndef LEMICA_FILE_H
#define LEMICA_FILE_H

#include <stddef.h>

#include "lemica-graph.h"
#include "lemica-metadata.h"
#include "lemica-profiler.h"
#include "lemica-schedule.h"
#include "lemica-status.h"

/**
 * @defgroup files Graph, schedule and profile files
 * @brief Store graphs, schedules and profiles without loss, and refuse a
 *        schedule planned for another step count.
 *
 * The formats are UTF-8 text with LF line ends, one item per line, fields
 * separated by one space:
 *
 * @code{.unparsed}
 * lemica-graph 1.0                lemica-schedule 1.0
 * num_steps 6                     num_steps 6
 * max_skip 3                      budget 4
 * model flux-dev                  model flux-dev
 * metric mean_abs                 comparator lexmax
 * edges 12                        steps 0,1,3,5
 * 0 1 0                           costs 0.3,0.1,0
 * 0 2 0.5                         sum 0.4
 * ...                             end
 * 3 5 0.1
 * end
 * @endcode
 *
 * - **Line 1** names the kind and the format version MAJOR.MINOR. A reader
 *   reads every minor version of its major version (minor versions only
 *   add metadata keys); a newer major version gives ::LEMICA_ERR_VERSION,
 *   a file of another kind ::LEMICA_ERR_MISMATCH.
 * - **Lines 2 and 3** are the sizes: `num_steps N` and `max_skip K`
 *   (graph, K as lemica_graph_max_skip() returns it) or `num_steps N` and
 *   `budget B` (schedule).
 * - **Metadata**: any number of `key value` lines (see @ref metadata), in
 *   the order of the ::lemica_metadata given to the saver.
 * - **Graph records**: `edges COUNT`, then COUNT lines `i j weight`, one
 *   per present edge (span-1 edges included: a file lists every edge the
 *   graph has, nothing is implied), sorted by i then j when saved, in any
 *   order when loaded; then `end`.
 * - **Profile files** (`lemica-profile 1.0`) hold a profiler's whole state,
 *   so that shards profiled on different machines and saved merge exactly
 *   as the profilers would have: lines 2 to 4 are `num_steps N`,
 *   `max_skip K` and `metric M` (`l1`, `mse` or `relative_l1`); after the
 *   metadata, `segments COUNT` and one line `i j count mean m2 min max` per
 *   segment with samples (m2: the sum of squared deviations from the mean,
 *   so the variance is m2 / (count - 1)); then `end`. The metadata key
 *   `metric` is taken by line 4. Each segment must be statistics samples
 *   can give: m2 >= 0, min <= mean <= max (a mean outside by its rounding,
 *   at most min(count, 2^20) * 2^-50 * max, is moved inside), and with
 *   count 1, m2 = 0 and min = max = mean.
 * - **Schedule records**: `steps` and the B computed steps as a step list;
 *   if the schedule has a cost vector, `costs` and its B - 1 values
 *   (descending) and `sum` and the path-order sum (`inf` if it
 *   overflowed); then `end`. The sum must be that of the costs within
 *   rounding: |sum - S| <= m * 2^-51 * max(sum, S) + m * 2^-1074, S the sum
 *   of the m = B - 1 costs added largest first (two sums of the same m
 *   terms in any orders differ by less), `inf` only if S reaches DBL_MAX
 *   within that tolerance.
 * - Numbers: integers in plain decimal without a leading zero (`0` but
 *   not `010`, as in step lists and the tool's options); weights in the shortest decimal
 *   text that reads back as the same double, with '.' whatever the
 *   locale, so every value round-trips bit for bit and saving a loaded
 *   file gives the same bytes.
 *
 * Parsing is strict: anything else (blank lines, comments, extra spaces
 * in edge, cost and size lines, a missing `end`, text after it, a
 * duplicate key or edge, a count that does not match, NaN or negative
 * weights, steps outside 0 .. N-1) is an error whose message
 * (lemica_last_error_message()) names the line: "line 7: edge (1, 4) is
 * listed twice", prefixed with the path by the loaders. The `steps` line
 * follows the step-list grammar of @ref schedule. A metadata value is
 * everything after the first space of its line, spaces included. CRLF
 * line ends are accepted. Sizes are checked against ::LEMICA_MAX_STEPS and
 * ::LEMICA_MAX_EDGE_SLOTS (::LEMICA_MAX_PROFILER_SLOTS for a profile)
 * before any storage is allocated, so an absurd N gives
 * ::LEMICA_ERR_TOO_LARGE and never a huge allocation; so do a size or
 * count above INT_MAX, a sample count above 2^64 - 1 and metadata past the
 * limits of @ref metadata (every limit is listed in @ref limits).
 *
 * **Saving** (every `lemica_*_save()` and lemica_save_text()) looks at
 * what is at the path first:
 * - **nothing, or a regular file**: replaced atomically. The text goes to
 *   a new file in the destination's directory, which is flushed to disk
 *   (fsync), renamed over the destination, and the directory is flushed
 *   too. A reader sees the old file or the new one, never a mix; on any
 *   failure the new file is removed and the old one is left as it was. A
 *   replaced file keeps its permission bits.
 * - **a symbolic link**: followed (through any chain of links) to the
 *   file it finally names, which is replaced as above; the link stays a
 *   link. A dangling link's target is created, as a shell's `>` would.
 * - **a FIFO or a character device** (`/dev/null`, a terminal):
 *   written straight, with no temporary file, no rename and no fsync; a
 *   device is never replaced by a regular file. A FIFO waits for its
 *   reader. `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and
 *   `/proc/self/fd/N` write to the process's descriptor N at its current
 *   offset, whatever it is open on, as shells do.
 * - **a directory, a socket or a block device**: refused with
 *   ::LEMICA_ERR_IO, nothing written.
 * - **an empty path**: ::LEMICA_ERR_INVALID_ARGUMENT, nothing written.
 *
 * Temporary files: on Linux the new file has no name (`O_TMPFILE`) until
 * it is complete, so a save killed midway leaves nothing behind. Where
 * that is missing (other systems, file systems without it, no `/proc`)
 * it is named `.lemica-HASH-PID-N.tmp` in the destination's directory,
 * HASH being 16 hex digits of a hash of the destination's name and PID
 * the saving process: a short name, so any name the system accepts
 * (up to NAME_MAX bytes) can be saved, and a findable one: each save
 * first removes the leftovers of earlier saves of the same destination
 * whose process is gone (`kill(PID, 0)` says so; on a directory shared by
 * several machines a leftover is kept when its PID lives here).
 *
 * **Reading**: the loaders read a file once, whole, into memory, and
 * refuse one longer than ::LEMICA_MAX_FILE_BYTES with
 * ::LEMICA_ERR_TOO_LARGE; the text formats never contain a NUL byte, so
 * reading stops at the first one and the parser names its line ("line 3:
 * NUL byte: this is not a text file"), which also ends the read of a
 * device like `/dev/zero` at once. A UTF-8 byte order mark at the start
 * of a file or CSV text is skipped.
 *
 * @code
 * // At run time: refuse a schedule planned for another step count.
 * lemica_schedule *schedule = NULL;
 * lemica_status rc = lemica_schedule_load("flux.lemica-schedule", 28, NULL,
 *                                         &schedule);
 * if (rc == LEMICA_ERR_MISMATCH)
 *     fprintf(stderr, "%s\n", lemica_last_error_message());
 *     // "flux.lemica-schedule: line 2: the schedule was planned for
 *     //  50 steps, not 28"
 * @endcode
 * @{
 */

/** @brief The major version of the graph, schedule and profile formats
 *        written. */
#define LEMICA_FILE_FORMAT_MAJOR 1

/** @brief The minor version of the graph, schedule and profile formats
 *        written. */
#define LEMICA_FILE_FORMAT_MINOR 0

/**
 * @brief The longest file the loaders read: 2^33 bytes (8 GiB).
 *
 * Larger than the largest graph or profile file the other limits allow
 * (about 5 GiB for a graph of ::LEMICA_MAX_EDGE_SLOTS edges), so that
 * whatever the library saves it loads again, but finite, so that an
 * endless input (a pipe, a device) ends with ::LEMICA_ERR_TOO_LARGE
 * instead of taking all memory. Where size_t is narrower, the address
 * space is the limit.
 * @since 0.2
 */
#define LEMICA_MAX_FILE_BYTES 8589934592ull

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Parse a graph file held in memory.
 * @param[in] text The text; need not be NUL-terminated.
 * @param[in] length Its length in bytes.
 * @param[out] metadata If not NULL, replaced by the file's metadata on
 *             success; untouched on failure.
 * @param[out] out The graph; NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_PARSE; ::LEMICA_ERR_VERSION (newer
 *         major version); ::LEMICA_ERR_MISMATCH (a schedule file);
 *         ::LEMICA_ERR_INVALID_VALUE (NaN, infinite or negative weight);
 *         ::LEMICA_ERR_OUT_OF_RANGE (an edge outside the graph);
 *         ::LEMICA_ERR_TOO_LARGE; ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_parse(const char *text, size_t length,
                                            lemica_metadata *metadata,
                                            lemica_graph **out);

/**
 * @brief Read a graph file.
 * @param[in] path The file.
 * @param[out] metadata As lemica_graph_parse().
 * @param[out] out The graph; NULL on failure.
 * @return As lemica_graph_parse(), plus ::LEMICA_ERR_IO.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_load(const char *path,
                                           lemica_metadata *metadata,
                                           lemica_graph **out);

/**
 * @brief Write a graph file into memory.
 *
 * Call with @p buffer NULL and @p size 0 to learn the length.
 * @param[in] graph The graph.
 * @param[in] metadata The metadata lines to write, or NULL for none.
 * @param[out] buffer Receives the text and a terminating NUL; may be NULL
 *             when @p size is 0.
 * @param[in] size The size of @p buffer in bytes.
 * @param[out] length The text's length without the NUL (may be NULL); set
 *             on success and on ::LEMICA_ERR_BUFFER_TOO_SMALL.
 * @return ::LEMICA_OK; ::LEMICA_ERR_BUFFER_TOO_SMALL (the buffer's contents
 *         are then unspecified); ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_format(const lemica_graph *graph,
                                             const lemica_metadata *metadata,
                                             char *buffer, size_t size,
                                             size_t *length);

/**
 * @brief Write a graph file, atomically.
 * @param[in] graph The graph.
 * @param[in] metadata The metadata lines to write, or NULL for none.
 * @param[in] path The destination; replaced if it exists.
 * @return ::LEMICA_OK; ::LEMICA_ERR_IO (the message names the path and the
 *         system's reason; the destination is unchanged);
 *         ::LEMICA_ERR_INVALID_ARGUMENT; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_save(const lemica_graph *graph,
                                           const lemica_metadata *metadata,
                                           const char *path);

/**
 * @brief Parse a schedule file held in memory.
 * @param[in] text The text; need not be NUL-terminated.
 * @param[in] length Its length in bytes.
 * @param[in] expected_num_steps The step count of the sampler that will use
 *            the schedule, or 0 to accept any.
 * @param[out] metadata If not NULL, replaced by the file's metadata on
 *             success; untouched on failure.
 * @param[out] out The schedule, with its cost vector if the file has one;
 *             NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_MISMATCH (planned for another step
 *         count than @p expected_num_steps, or a graph file);
 *         ::LEMICA_ERR_PARSE; ::LEMICA_ERR_VERSION;
 *         ::LEMICA_ERR_INVALID_VALUE (NaN or negative cost);
 *         ::LEMICA_ERR_TOO_LARGE; ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_parse(const char *text, size_t length,
                                               int expected_num_steps,
                                               lemica_metadata *metadata,
                                               lemica_schedule **out);

/**
 * @brief Read a schedule file.
 * @param[in] path The file.
 * @param[in] expected_num_steps As lemica_schedule_parse().
 * @param[out] metadata As lemica_schedule_parse().
 * @param[out] out The schedule; NULL on failure.
 * @return As lemica_schedule_parse(), plus ::LEMICA_ERR_IO.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_load(const char *path,
                                              int expected_num_steps,
                                              lemica_metadata *metadata,
                                              lemica_schedule **out);

/**
 * @brief Write a schedule file into memory.
 *
 * Same buffer protocol as lemica_graph_format().
 * @param[in] schedule The schedule.
 * @param[in] metadata The metadata lines to write, or NULL for none.
 * @param[out] buffer Receives the text and a terminating NUL.
 * @param[in] size The size of @p buffer in bytes.
 * @param[out] length The text's length without the NUL (may be NULL).
 * @return ::LEMICA_OK, ::LEMICA_ERR_BUFFER_TOO_SMALL or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_format(const lemica_schedule *schedule,
                                                const lemica_metadata *metadata,
                                                char *buffer, size_t size,
                                                size_t *length);

/**
 * @brief Write a schedule file, atomically.
 * @param[in] schedule The schedule.
 * @param[in] metadata The metadata lines to write, or NULL for none.
 * @param[in] path The destination; replaced if it exists.
 * @return As lemica_graph_save().
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_save(const lemica_schedule *schedule,
                                              const lemica_metadata *metadata,
                                              const char *path);

/**
 * @brief Parse a profile file held in memory.
 * @param[in] text The text; need not be NUL-terminated.
 * @param[in] length Its length in bytes.
 * @param[out] metadata If not NULL, replaced by the file's metadata on
 *             success; untouched on failure.
 * @param[out] out The profiler, with every segment's state exactly as
 *             saved; NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_PARSE; ::LEMICA_ERR_VERSION;
 *         ::LEMICA_ERR_MISMATCH (a graph or schedule file);
 *         ::LEMICA_ERR_INVALID_VALUE (NaN, infinite or negative statistic);
 *         ::LEMICA_ERR_OUT_OF_RANGE (a segment outside the profile);
 *         ::LEMICA_ERR_TOO_LARGE; ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_parse(const char *text, size_t length,
                                               lemica_metadata *metadata,
                                               lemica_profiler **out);

/**
 * @brief Read a profile file.
 * @param[in] path The file.
 * @param[out] metadata As lemica_profiler_parse().
 * @param[out] out The profiler; NULL on failure.
 * @return As lemica_profiler_parse(), plus ::LEMICA_ERR_IO.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_load(const char *path,
                                              lemica_metadata *metadata,
                                              lemica_profiler **out);

/**
 * @brief Write a profile file into memory.
 *
 * Same buffer protocol as lemica_graph_format().
 * @param[in] profiler The profiler.
 * @param[in] metadata The metadata lines to write, or NULL for none; it
 *            may not hold the key `metric`.
 * @param[out] buffer Receives the text and a terminating NUL.
 * @param[in] size The size of @p buffer in bytes.
 * @param[out] length The text's length without the NUL (may be NULL).
 * @return ::LEMICA_OK, ::LEMICA_ERR_BUFFER_TOO_SMALL or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_format(const lemica_profiler *profiler,
                                                const lemica_metadata *metadata,
                                                char *buffer, size_t size,
                                                size_t *length);

/**
 * @brief Write a profile file, atomically.
 * @param[in] profiler The profiler.
 * @param[in] metadata As lemica_profiler_format().
 * @param[in] path The destination; replaced if it exists.
 * @return As lemica_graph_save().
 * @since 0.1
 */
LEMICA_API lemica_status lemica_profiler_save(const lemica_profiler *profiler,
                                              const lemica_metadata *metadata,
                                              const char *path);

/**
 * @brief Write any text to a file by the library's save rule.
 *
 * For programs that write their own files (the `lemica plot` SVG) with
 * the same guarantees as the library's saves: atomic replacement of a
 * regular file, symbolic links followed, FIFOs and devices written
 * straight, directories refused (see @ref files).
 * @param[in] path The destination; not empty.
 * @param[in] text The bytes to write (may be NULL when @p length is 0).
 * @param[in] length Their number.
 * @return ::LEMICA_OK; ::LEMICA_ERR_IO (the message names the path and the
 *         system's reason; the destination is unchanged);
 *         ::LEMICA_ERR_INVALID_ARGUMENT (NULL or empty path, NULL text
 *         with a length); ::LEMICA_ERR_NO_MEMORY.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_save_text(const char *path, const char *text,
                                          size_t length);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_FILE_H */
