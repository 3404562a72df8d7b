/* SPDX-License-Identifier: MIT */
/* Helpers shared by the tests that touch files or compare objects through
 * their text form: temporary directories, whole-file reads and writes, and
 * the file text of graphs, schedules and profiles. All abort the running
 * test on failure. */
#ifndef LEMICA_TEST_FILES_H
#define LEMICA_TEST_FILES_H

#include <stddef.h>

#include "lemica/lemica.h"

struct test_temp_dir {
    char path[64];
};

/* A new empty directory /tmp/lemica-<tag>-XXXXXX. */
void test_temp_dir_make(struct test_temp_dir *dir, const char *tag);
/* @dir's path joined with @name, into @path. */
void test_temp_dir_file(const struct test_temp_dir *dir, const char *name,
                        char *path, size_t size);
/* The number of entries in @dir, for checking that no temporary file is
 * left behind. */
int test_temp_dir_count(const struct test_temp_dir *dir);
/* Remove @dir and the files in it. */
void test_temp_dir_remove(const struct test_temp_dir *dir);

void test_write_file(const char *path, const char *text, size_t length);
/* The contents of @path as a new NUL-terminated string (free()). */
char *test_read_text(const char *path);

/* The file text of an object as a new NUL-terminated string (free()). */
char *test_graph_text(const lemica_graph *graph,
                      const lemica_metadata *metadata);
char *test_schedule_text(const lemica_schedule *schedule,
                         const lemica_metadata *metadata);
char *test_profile_text(const lemica_profiler *profiler,
                        const lemica_metadata *metadata);

#endif /* LEMICA_TEST_FILES_H */
