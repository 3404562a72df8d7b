/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-metadata.h
 * @brief Ordered key-value metadata carried by graph and schedule files.
 */
#ifndef LEMICA_METADATA_H
#define LEMICA_METADATA_H

#include <stddef.h>

#include "lemica-status.h"

/**
 * @defgroup metadata Metadata
 * @brief What a file was made from: model, sampler, metric, and any key
 *        a user adds.
 *
 * A metadata handle is an ordered list of distinct keys, each with a text
 * value. The file loaders fill one with the `key value` lines of a file in
 * file order, and the savers write its entries back in the same order, so
 * keys the library does not know survive a load and a save unchanged.
 *
 * Rules:
 * - **Keys** are 1 .. ::LEMICA_METADATA_MAX_KEY bytes of `a-z`, `A-Z`,
 *   `0-9`, `_`, `-` and `.`. The keys that describe the records themselves
 *   (`num_steps`, `max_skip`, `budget`, `edges`, `steps`, `costs`, `sum`,
 *   `segments`, `end`) are written by the savers from the object and
 *   cannot be set.
 * - **Values** are 0 .. ::LEMICA_METADATA_MAX_VALUE bytes, any byte except
 *   the control characters (0x00 .. 0x1f and 0x7f), so one value is one
 *   line. UTF-8 text passes unchanged.
 * - At most ::LEMICA_METADATA_MAX_ENTRIES entries.
 *
 * Keys with a conventional meaning (see @ref files): `model`, `sampler`,
 * `metric`, `cfg` (the classifier-free guidance layout, for example
 * `separate` or `batched`), `comparator`, `warmup`, `tool` (the program
 * and version that wrote the file).
 *
 * Strings returned by the getters belong to the handle and stay valid
 * until the handle is changed or freed. Every function takes and returns
 * only pointers and integers, so ctypes and cffi call them directly.
 *
 * @code
 * lemica_metadata *metadata = NULL;
 * lemica_metadata_new(&metadata);
 * lemica_metadata_set(metadata, "model", "flux-dev");
 * lemica_metadata_set(metadata, "sampler", "euler");
 * lemica_graph_save(graph, metadata, "flux-50.lemica-graph");
 * lemica_metadata_free(metadata);
 * @endcode
 * @{
 */

/** @brief The longest metadata key, in bytes; longer is
 *         ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_METADATA_MAX_KEY 64

/** @brief The longest metadata value, in bytes; longer is
 *         ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_METADATA_MAX_VALUE 4096

/** @brief The largest number of metadata entries; one more is
 *         ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_METADATA_MAX_ENTRIES 1024

/**
 * @brief Opaque metadata handle.
 * @since 0.1
 */
typedef struct lemica_metadata lemica_metadata;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Create an empty metadata list.
 * @param[out] out The new handle; NULL on failure.
 * @return ::LEMICA_OK, ::LEMICA_ERR_INVALID_ARGUMENT or ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_metadata_new(lemica_metadata **out);

/**
 * @brief Free a metadata list. NULL is a no-op.
 * @param[in] metadata The handle, or NULL.
 * @since 0.1
 */
LEMICA_API void lemica_metadata_free(lemica_metadata *metadata);

/**
 * @brief Make an independent copy.
 * @param[in] metadata The list to copy.
 * @param[out] out The copy; NULL on failure.
 * @return ::LEMICA_OK, ::LEMICA_ERR_INVALID_ARGUMENT or ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_metadata_copy(const lemica_metadata *metadata,
                                              lemica_metadata **out);

/**
 * @brief Set a key's value: replaces the value of an existing key in
 *        place, or appends a new entry at the end.
 * @param[in,out] metadata The list.
 * @param[in] key The key, NUL-terminated.
 * @param[in] value The value, NUL-terminated.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for NULL pointers, a
 *         malformed or reserved key or a value with control characters;
 *         ::LEMICA_ERR_TOO_LARGE for a key or value above its limit or an
 *         entry beyond ::LEMICA_METADATA_MAX_ENTRIES;
 *         ::LEMICA_ERR_NO_MEMORY. On error the list is unchanged.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_metadata_set(lemica_metadata *metadata,
                                             const char *key,
                                             const char *value);

/**
 * @brief The value of a key.
 * @param[in] metadata The list.
 * @param[in] key The key.
 * @return The value (owned by @p metadata), or NULL if the key is absent
 *         or an argument is NULL.
 * @since 0.1
 */
LEMICA_API const char *lemica_metadata_get(const lemica_metadata *metadata,
                                           const char *key);

/**
 * @brief Remove a key. Removing an absent key succeeds.
 * @param[in,out] metadata The list; the entries after the key move up by
 *                one.
 * @param[in] key The key.
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_metadata_remove(lemica_metadata *metadata,
                                                const char *key);

/**
 * @brief Remove every entry.
 * @param[in,out] metadata The list (NULL is a no-op).
 * @since 0.1
 */
LEMICA_API void lemica_metadata_clear(lemica_metadata *metadata);

/**
 * @brief The number of entries.
 * @param[in] metadata The list.
 * @return The count, or 0 if @p metadata is NULL.
 * @since 0.1
 */
LEMICA_API size_t lemica_metadata_count(const lemica_metadata *metadata);

/**
 * @brief The key of entry @p index, in order.
 * @param[in] metadata The list.
 * @param[in] index 0 .. lemica_metadata_count() - 1.
 * @return The key (owned by @p metadata), or NULL if @p index is out of
 *         range or @p metadata is NULL.
 * @since 0.1
 */
LEMICA_API const char *lemica_metadata_key(const lemica_metadata *metadata,
                                           size_t index);

/**
 * @brief The value of entry @p index, in order.
 * @param[in] metadata The list.
 * @param[in] index 0 .. lemica_metadata_count() - 1.
 * @return The value (owned by @p metadata), or NULL if @p index is out of
 *         range or @p metadata is NULL.
 * @since 0.1
 */
LEMICA_API const char *lemica_metadata_value(const lemica_metadata *metadata,
                                             size_t index);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_METADATA_H */
