/* SPDX-License-Identifier: MIT */
/* The strict reader of the DiT test bed's binary files. Values are decoded
 * byte by byte, so the files read the same on any host byte order. */
#include "dit-file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t
testbed_dit_fnv1a64(const void *data, size_t size)
{
    const unsigned char *bytes = data;
    uint64_t hash = UINT64_C(0xcbf29ce484222325);

    for (size_t i = 0; i < size; i++) {
        hash ^= bytes[i];
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

__attribute__((format(printf, 3, 0))) static void
set_error(char *error, size_t error_size, const char *format, va_list args)
{
    if (error && error_size > 0)
        vsnprintf(error, error_size, format, args);
}

__attribute__((format(printf, 3, 4))) static int
fail_plain(char *error, size_t error_size, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    set_error(error, error_size, format, args);
    va_end(args);
    return -1;
}

int
testbed_dit_fail(struct testbed_dit_reader *reader, const char *format, ...)
{
    char reason[160];
    va_list args;

    va_start(args, format);
    vsnprintf(reason, sizeof(reason), format, args);
    va_end(args);
    return fail_plain(reader->error, reader->error_size, "%s: %s",
                      reader->what, reason);
}

int
testbed_dit_read_file(const char *path, unsigned char **data, size_t *size,
                      char *error, size_t error_size)
{
    FILE *file = fopen(path, "rb");
    unsigned char *buffer = NULL;
    size_t used = 0, capacity = 0;

    *data = NULL;
    *size = 0;
    if (!file)
        return fail_plain(error, error_size, "%s: cannot open: %s", path,
                          strerror(errno));
    for (;;) {
        size_t got;

        if (used == capacity) {
            /* Weight files are about a megabyte; refuse anything absurd
             * rather than trying to hold it. */
            size_t grown = capacity ? 2 * capacity : 1 << 16;
            unsigned char *bigger;

            if (grown > ((size_t)64 << 20)) {
                fclose(file);
                free(buffer);
                return fail_plain(error, error_size,
                                  "%s: larger than 64 MiB, not a test bed file",
                                  path);
            }
            bigger = realloc(buffer, grown);
            if (!bigger) {
                fclose(file);
                free(buffer);
                return fail_plain(error, error_size, "%s: out of memory", path);
            }
            buffer = bigger;
            capacity = grown;
        }
        got = fread(buffer + used, 1, capacity - used, file);
        used += got;
        if (got == 0)
            break;
    }
    if (ferror(file)) {
        fclose(file);
        free(buffer);
        return fail_plain(error, error_size, "%s: read error", path);
    }
    fclose(file);
    *data = buffer;
    *size = used;
    return 0;
}

static uint32_t
decode_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static int
need(struct testbed_dit_reader *reader, size_t bytes, const char *name)
{
    if (reader->size - reader->pos < bytes)
        return testbed_dit_fail(reader,
                                "truncated at %s (offset %zu, %zu bytes "
                                "needed, %zu left)",
                                name, reader->pos, bytes,
                                reader->size - reader->pos);
    return 0;
}

int
testbed_dit_reader_u32(struct testbed_dit_reader *reader, const char *name,
                       uint32_t *value)
{
    if (need(reader, 4, name) < 0)
        return -1;
    *value = decode_u32(reader->data + reader->pos);
    reader->pos += 4;
    return 0;
}

int
testbed_dit_reader_open(struct testbed_dit_reader *reader, const char *magic,
                        uint32_t version, uint32_t num_hparams,
                        uint32_t *hparams)
{
    uint32_t file_version, file_hparams;

    reader->pos = 0;
    if (reader->size < 8 || memcmp(reader->data, magic, 8) != 0)
        return testbed_dit_fail(reader, "bad magic (not this kind of file)");
    reader->pos = 8;
    if (testbed_dit_reader_u32(reader, "the version", &file_version) < 0)
        return -1;
    if (file_version != version)
        return testbed_dit_fail(reader,
                                "format version %lu, this reader knows %lu",
                                (unsigned long)file_version,
                                (unsigned long)version);
    if (testbed_dit_reader_u32(reader, "the hyper-parameter count",
                               &file_hparams) < 0)
        return -1;
    if (file_hparams != num_hparams)
        return testbed_dit_fail(reader, "%lu hyper-parameters, expected %lu",
                                (unsigned long)file_hparams,
                                (unsigned long)num_hparams);
    for (uint32_t i = 0; i < num_hparams; i++)
        if (testbed_dit_reader_u32(reader, "the hyper-parameters",
                                   &hparams[i]) < 0)
            return -1;
    return 0;
}

int
testbed_dit_reader_floats(struct testbed_dit_reader *reader, const char *name,
                          size_t count, float *values)
{
    const unsigned char *p;

    if (count > (reader->size - reader->pos) / 4)
        return need(reader, SIZE_MAX, name);
    p = reader->data + reader->pos;
    if (values)
        for (size_t i = 0; i < count; i++) {
            uint32_t bits = decode_u32(p + 4 * i);

            memcpy(&values[i], &bits, sizeof(bits));
        }
    reader->pos += 4 * count;
    return 0;
}

int
testbed_dit_reader_tensor(struct testbed_dit_reader *reader, const char *name,
                          uint32_t ndim, const uint32_t *dims, float *values)
{
    uint32_t file_ndim;
    size_t count = 1;

    if (testbed_dit_reader_u32(reader, name, &file_ndim) < 0)
        return -1;
    if (file_ndim != ndim)
        return testbed_dit_fail(reader, "%s has %lu dimensions, expected %lu",
                                name, (unsigned long)file_ndim,
                                (unsigned long)ndim);
    for (uint32_t d = 0; d < ndim; d++) {
        uint32_t extent;

        if (testbed_dit_reader_u32(reader, name, &extent) < 0)
            return -1;
        if (extent != dims[d])
            return testbed_dit_fail(reader,
                                    "%s has extent %lu in dimension %lu, "
                                    "expected %lu",
                                    name, (unsigned long)extent,
                                    (unsigned long)d, (unsigned long)dims[d]);
        count *= dims[d];
    }
    return testbed_dit_reader_floats(reader, name, count, values);
}

int
testbed_dit_reader_finish(struct testbed_dit_reader *reader)
{
    uint64_t stored = 0;

    if (reader->size - reader->pos < 8)
        return testbed_dit_fail(reader, "truncated: the checksum is missing");
    if (reader->size - reader->pos > 8)
        return testbed_dit_fail(reader, "%zu unexpected bytes after the data",
                                reader->size - reader->pos - 8);
    for (int i = 7; i >= 0; i--)
        stored = stored << 8 | reader->data[reader->pos + (size_t)i];
    if (stored != testbed_dit_fnv1a64(reader->data, reader->pos))
        return testbed_dit_fail(reader, "checksum mismatch (corrupted file)");
    reader->pos += 8;
    return 0;
}
