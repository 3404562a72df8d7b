/* SPDX-License-Identifier: MIT */
/* Replays a fuzz corpus through a fuzz target without libFuzzer, so that
 * `meson test` (with any compiler, under valgrind or the sanitizers) checks
 * that every input once found or written by hand still passes.
 * Usage: replay-TARGET DIRECTORY|FILE... */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz-target.h"

static int
replay_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t size = 0;
    size_t capacity = 0;
    size_t got;

    if (!file) {
        perror(path);
        return -1;
    }
    do {
        if (size == capacity) {
            unsigned char *grown;

            capacity = capacity ? capacity * 2 : 4096;
            grown = realloc(data, capacity);
            if (!grown) {
                fclose(file);
                free(data);
                fprintf(stderr, "%s: out of memory\n", path);
                return -1;
            }
            data = grown;
        }
        got = fread(data + size, 1, capacity - size, file);
        size += got;
    } while (got > 0);
    fclose(file);
    /* An exact-size copy, so a read past the end is caught by valgrind and
     * ASan as it would be by libFuzzer. */
    {
        unsigned char *exact = malloc(size ? size : 1);

        if (!exact) {
            free(data);
            return -1;
        }
        memcpy(exact, data, size);
        free(data);
        LLVMFuzzerTestOneInput(exact, size);
        free(exact);
    }
    return 0;
}

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files in name order, so runs are reproducible. */
static int
replay_directory(const char *path, int *count)
{
    DIR *directory = opendir(path);
    struct dirent *entry;
    char **names = NULL;
    size_t used = 0;
    int status = 0;

    if (!directory) {
        perror(path);
        return -1;
    }
    while ((entry = readdir(directory)) != NULL) {
        char **grown;

        if (entry->d_name[0] == '.')
            continue;
        grown = realloc(names, (used + 1) * sizeof(*names));
        if (!grown) {
            status = -1;
            break;
        }
        names = grown;
        names[used] = malloc(strlen(path) + strlen(entry->d_name) + 2);
        if (!names[used]) {
            status = -1;
            break;
        }
        sprintf(names[used], "%s/%s", path, entry->d_name);
        used++;
    }
    closedir(directory);
    qsort(names, used, sizeof(*names), compare_names);
    for (size_t index = 0; index < used; index++) {
        if (status == 0 && replay_file(names[index]) != 0)
            status = -1;
        else
            (*count)++;
        free(names[index]);
    }
    free(names);
    return status;
}

int
main(int argc, char **argv)
{
    int count = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s DIRECTORY|FILE...\n", argv[0]);
        return 2;
    }
    for (int index = 1; index < argc; index++) {
        struct stat info;

        if (stat(argv[index], &info) != 0) {
            perror(argv[index]);
            return 1;
        }
        if (S_ISDIR(info.st_mode)) {
            if (replay_directory(argv[index], &count) != 0)
                return 1;
        } else {
            if (replay_file(argv[index]) != 0)
                return 1;
            count++;
        }
    }
    printf("%d inputs replayed\n", count);
    return count > 0 ? 0 : 1;
}
