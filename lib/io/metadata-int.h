/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_METADATA_INT_H
#define LEMICA_METADATA_INT_H

#include <stddef.h>

#include "lemica/lemica-metadata.h"

struct lemica_metadata_entry {
    char *key;   /* NUL-terminated, checked by lemica_metadata_check_key() */
    char *value; /* NUL-terminated, no control characters */
};

struct lemica_metadata {
    struct lemica_metadata_entry *entries;
    size_t count;
    size_t capacity;
};

/* Whether @key[0 .. @length) is a well-formed key (characters and length);
 * reserved keys pass. */
int lemica_metadata_key_is_valid(const char *key, size_t length);

/* Whether every byte of @key[0 .. @length) may appear in a key, whatever
 * the length (a key of good characters but too long is "too large", not
 * malformed). */
int lemica_metadata_key_has_valid_characters(const char *key, size_t length);

/* Whether @key[0 .. @length) is one of the keys the file formats write
 * themselves (num_steps, budget, edges...). */
int lemica_metadata_key_is_reserved(const char *key, size_t length);

/* Whether @value[0 .. @length) has no control characters. */
int lemica_metadata_value_is_valid(const char *value, size_t length);

/* Append an entry whose key and value the caller has checked and which is
 * not yet in the list (the file parsers check both, to name the line). */
lemica_status lemica_metadata_append(lemica_metadata *metadata, const char *key,
                                     size_t key_length, const char *value,
                                     size_t value_length);

/* The index of @key[0 .. @length), or (size_t)-1. */
size_t lemica_metadata_find(const lemica_metadata *metadata, const char *key,
                            size_t length);

/* The end of a file parse: a parser fills the private list @parsed (on
 * the stack, initialised to {NULL, 0, 0}) and hands it over to the
 * caller's @metadata (may be NULL) only if @status is LEMICA_OK, so a
 * failed parse leaves the caller's list untouched. Frees what @parsed
 * still holds and returns @status. */
lemica_status lemica_metadata_finish_parse(lemica_metadata *parsed,
                                           lemica_metadata *metadata,
                                           lemica_status status);

#endif /* LEMICA_METADATA_INT_H */
