/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-int.h"
#include "file-io-int.h"
#include "test-common.h"
#include "test-files.h"

void
test_temp_dir_make(struct test_temp_dir *dir, const char *tag)
{
    snprintf(dir->path, sizeof(dir->path), "/tmp/lemica-%s-XXXXXX", tag);
    ck_assert_ptr_nonnull(mkdtemp(dir->path));
}

void
test_temp_dir_file(const struct test_temp_dir *dir, const char *name,
                   char *path, size_t size)
{
    int length = snprintf(path, size, "%s/%s", dir->path, name);

    ck_assert_int_lt(length, (int)size);
}

int
test_temp_dir_count(const struct test_temp_dir *dir)
{
    DIR *handle = opendir(dir->path);
    struct dirent *entry;
    int count = 0;

    ck_assert_ptr_nonnull(handle);
    while ((entry = readdir(handle)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            count++;
    closedir(handle);
    return count;
}

void
test_temp_dir_remove(const struct test_temp_dir *dir)
{
    DIR *handle = opendir(dir->path);
    struct dirent *entry;

    ck_assert_ptr_nonnull(handle);
    while ((entry = readdir(handle)) != NULL) {
        char path[320];

        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir->path, entry->d_name);
        unlink(path);
    }
    closedir(handle);
    ck_assert_int_eq(rmdir(dir->path), 0);
}

void
test_write_file(const char *path, const char *text, size_t length)
{
    FILE *file = fopen(path, "wb");

    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(fwrite(text, 1, length, file), length);
    ck_assert_int_eq(fclose(file), 0);
}

char *
test_read_text(const char *path)
{
    char *text = NULL;
    size_t length = 0;
    char *copy;

    ck_assert_ok(lemica_read_whole_file(path, &text, &length));
    copy = malloc(length + 1);
    ck_assert_ptr_nonnull(copy);
    if (length > 0)
        memcpy(copy, text, length);
    copy[length] = '\0';
    lemica_dealloc(text);
    return copy;
}

/* Formats once to learn the length and once into a buffer of that size;
 * the three formats share the signature. */
typedef lemica_status (*format_fn)(const void *object,
                                   const lemica_metadata *metadata,
                                   char *buffer, size_t size, size_t *length);

static char *
format_text(format_fn format, const void *object,
            const lemica_metadata *metadata)
{
    size_t length = 0;
    char *text;

    ck_assert_ok(format(object, metadata, NULL, 0, &length));
    text = malloc(length + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_ok(format(object, metadata, text, length + 1, NULL));
    ck_assert_uint_eq(strlen(text), length);
    return text;
}

static lemica_status
format_graph(const void *object, const lemica_metadata *metadata, char *buffer,
             size_t size, size_t *length)
{
    return lemica_graph_format(object, metadata, buffer, size, length);
}

static lemica_status
format_schedule(const void *object, const lemica_metadata *metadata,
                char *buffer, size_t size, size_t *length)
{
    return lemica_schedule_format(object, metadata, buffer, size, length);
}

static lemica_status
format_profile(const void *object, const lemica_metadata *metadata,
               char *buffer, size_t size, size_t *length)
{
    return lemica_profiler_format(object, metadata, buffer, size, length);
}

char *
test_graph_text(const lemica_graph *graph, const lemica_metadata *metadata)
{
    return format_text(format_graph, graph, metadata);
}

char *
test_schedule_text(const lemica_schedule *schedule,
                   const lemica_metadata *metadata)
{
    return format_text(format_schedule, schedule, metadata);
}

char *
test_profile_text(const lemica_profiler *profiler,
                  const lemica_metadata *metadata)
{
    return format_text(format_profile, profiler, metadata);
}
