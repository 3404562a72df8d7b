/* SPDX-License-Identifier: MIT */
/* Ordered key-value metadata (see lemica-metadata.h). Lists are short (a
 * handful of keys, at most LEMICA_METADATA_MAX_ENTRIES), so lookups are
 * linear scans that keep the file order for free. */
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "metadata-int.h"

/* The keys the savers write from the objects themselves; a user value
 * under one of them would make the file ambiguous. */
static const char *const reserved_keys[] = {
    "num_steps", "max_skip", "budget",   "edges", "steps",
    "costs",     "sum",      "segments", "end",
};

int
lemica_metadata_key_has_valid_characters(const char *key, size_t length)
{
    for (size_t pos = 0; pos < length; pos++) {
        char c = key[pos];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

int
lemica_metadata_key_is_valid(const char *key, size_t length)
{
    if (length == 0 || length > LEMICA_METADATA_MAX_KEY)
        return 0;
    return lemica_metadata_key_has_valid_characters(key, length);
}

int
lemica_metadata_key_is_reserved(const char *key, size_t length)
{
    for (size_t index = 0;
         index < sizeof(reserved_keys) / sizeof(reserved_keys[0]); index++)
        if (strlen(reserved_keys[index]) == length &&
            memcmp(reserved_keys[index], key, length) == 0)
            return 1;
    return 0;
}

int
lemica_metadata_value_is_valid(const char *value, size_t length)
{
    for (size_t pos = 0; pos < length; pos++) {
        unsigned char byte = (unsigned char)value[pos];

        if (byte < 0x20 || byte == 0x7f)
            return 0;
    }
    return 1;
}

lemica_status
lemica_metadata_new(lemica_metadata **out)
{
    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = lemica_alloc_zeroed(1, sizeof(**out));
    if (!*out)
        return lemica_fail_no_memory("metadata");
    return LEMICA_OK;
}

void
lemica_metadata_clear(lemica_metadata *metadata)
{
    if (!metadata)
        return;
    for (size_t index = 0; index < metadata->count; index++) {
        lemica_dealloc(metadata->entries[index].key);
        lemica_dealloc(metadata->entries[index].value);
    }
    metadata->count = 0;
}

void
lemica_metadata_free(lemica_metadata *metadata)
{
    if (!metadata)
        return;
    lemica_metadata_clear(metadata);
    lemica_dealloc(metadata->entries);
    lemica_dealloc(metadata);
}

static char *
copy_text(const char *text, size_t length)
{
    char *copy = lemica_alloc_array(length + 1, 1);

    if (!copy)
        return NULL;
    if (length > 0)
        memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

lemica_status
lemica_metadata_append(lemica_metadata *metadata, const char *key,
                       size_t key_length, const char *value,
                       size_t value_length)
{
    struct lemica_metadata_entry entry;

    if (metadata->count >= LEMICA_METADATA_MAX_ENTRIES)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "more than %d metadata entries",
                           LEMICA_METADATA_MAX_ENTRIES);
    if (metadata->count == metadata->capacity) {
        size_t capacity = metadata->capacity ? metadata->capacity * 2 : 8;
        struct lemica_metadata_entry *grown =
            lemica_realloc_array(metadata->entries, capacity, sizeof(*grown));

        if (!grown)
            return lemica_fail_no_memory("metadata entries");
        metadata->entries = grown;
        metadata->capacity = capacity;
    }
    entry.key = copy_text(key, key_length);
    entry.value = copy_text(value, value_length);
    if (!entry.key || !entry.value) {
        lemica_dealloc(entry.key);
        lemica_dealloc(entry.value);
        return lemica_fail_no_memory("a metadata entry");
    }
    metadata->entries[metadata->count++] = entry;
    return LEMICA_OK;
}

size_t
lemica_metadata_find(const lemica_metadata *metadata, const char *key,
                     size_t length)
{
    for (size_t index = 0; index < metadata->count; index++) {
        const char *candidate = metadata->entries[index].key;

        if (strlen(candidate) == length && memcmp(candidate, key, length) == 0)
            return index;
    }
    return (size_t)-1;
}

lemica_status
lemica_metadata_finish_parse(lemica_metadata *parsed, lemica_metadata *metadata,
                             lemica_status status)
{
    if (status == LEMICA_OK && metadata) {
        lemica_metadata saved = *metadata;

        *metadata = *parsed;
        *parsed = saved;
    }
    lemica_metadata_clear(parsed);
    lemica_dealloc(parsed->entries);
    parsed->entries = NULL;
    parsed->capacity = 0;
    return status;
}

lemica_status
lemica_metadata_copy(const lemica_metadata *metadata, lemica_metadata **out)
{
    lemica_metadata *copy = NULL;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!metadata)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "metadata is NULL");
    status = lemica_metadata_new(&copy);
    if (status != LEMICA_OK)
        return status;
    for (size_t index = 0; index < metadata->count; index++) {
        const struct lemica_metadata_entry *entry = &metadata->entries[index];

        status = lemica_metadata_append(copy, entry->key, strlen(entry->key),
                                        entry->value, strlen(entry->value));
        if (status != LEMICA_OK) {
            lemica_metadata_free(copy);
            return status;
        }
    }
    *out = copy;
    return LEMICA_OK;
}

static lemica_status
check_key(const char *key)
{
    size_t length;

    if (!key)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "key is NULL");
    length = strlen(key);
    if (length > LEMICA_METADATA_MAX_KEY)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "metadata key of %zu bytes; the limit is %d", length,
                           LEMICA_METADATA_MAX_KEY);
    if (!lemica_metadata_key_is_valid(key, length))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "metadata key \"%.*s\" is not 1 or more of "
                           "a-z A-Z 0-9 _ - .",
                           (int)length, key);
    if (lemica_metadata_key_is_reserved(key, length))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "metadata key \"%s\" is reserved: the file "
                           "formats write it from the object",
                           key);
    return LEMICA_OK;
}

lemica_status
lemica_metadata_set(lemica_metadata *metadata, const char *key,
                    const char *value)
{
    lemica_status status;
    size_t value_length;
    size_t index;
    char *copy;

    if (!metadata)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "metadata is NULL");
    status = check_key(key);
    if (status != LEMICA_OK)
        return status;
    if (!value)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "value is NULL");
    value_length = strlen(value);
    if (value_length > LEMICA_METADATA_MAX_VALUE)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "value of metadata key \"%s\" has %zu bytes; the "
                           "limit is %d",
                           key, value_length, LEMICA_METADATA_MAX_VALUE);
    if (!lemica_metadata_value_is_valid(value, value_length))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "value of metadata key \"%s\" has a control "
                           "character: a value is one line of text",
                           key);
    index = lemica_metadata_find(metadata, key, strlen(key));
    if (index == (size_t)-1)
        return lemica_metadata_append(metadata, key, strlen(key), value,
                                      value_length);
    copy = copy_text(value, value_length);
    if (!copy)
        return lemica_fail_no_memory("a metadata value");
    lemica_dealloc(metadata->entries[index].value);
    metadata->entries[index].value = copy;
    return LEMICA_OK;
}

const char *
lemica_metadata_get(const lemica_metadata *metadata, const char *key)
{
    size_t index;

    if (!metadata || !key)
        return NULL;
    index = lemica_metadata_find(metadata, key, strlen(key));
    return index == (size_t)-1 ? NULL : metadata->entries[index].value;
}

lemica_status
lemica_metadata_remove(lemica_metadata *metadata, const char *key)
{
    size_t index;

    if (!metadata || !key)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "metadata or key is NULL");
    index = lemica_metadata_find(metadata, key, strlen(key));
    if (index == (size_t)-1)
        return LEMICA_OK;
    lemica_dealloc(metadata->entries[index].key);
    lemica_dealloc(metadata->entries[index].value);
    memmove(&metadata->entries[index], &metadata->entries[index + 1],
            (metadata->count - index - 1) * sizeof(metadata->entries[0]));
    metadata->count--;
    return LEMICA_OK;
}

size_t
lemica_metadata_count(const lemica_metadata *metadata)
{
    return metadata ? metadata->count : 0;
}

const char *
lemica_metadata_key(const lemica_metadata *metadata, size_t index)
{
    if (!metadata || index >= metadata->count)
        return NULL;
    return metadata->entries[index].key;
}

const char *
lemica_metadata_value(const lemica_metadata *metadata, size_t index)
{
    if (!metadata || index >= metadata->count)
        return NULL;
    return metadata->entries[index].value;
}
