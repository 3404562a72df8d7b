/* SPDX-License-Identifier: MIT */
/* Reading whole files, writing text through a sink, and atomic saves. */
#ifndef LEMICA_FILE_IO_INT_H
#define LEMICA_FILE_IO_INT_H

#include <stddef.h>

#include "lemica/lemica-status.h"

/* Text is produced once and sent to a sink: a caller's buffer (counting
 * what does not fit, so a size query costs no allocation) or a file
 * descriptor (so a graph of a billion bytes never sits in memory). */
typedef lemica_status (*lemica_sink_fn)(void *context, const char *data,
                                        size_t length);

#define LEMICA_WRITER_STAGING 8192

struct lemica_writer {
    lemica_sink_fn sink;
    void *context;
    size_t used;
    /* The first failure; later writes are skipped. */
    lemica_status status;
    char staging[LEMICA_WRITER_STAGING];
};

void lemica_writer_init(struct lemica_writer *writer, lemica_sink_fn sink,
                        void *context);
void lemica_writer_put(struct lemica_writer *writer, const char *data,
                       size_t length);
void lemica_writer_puts(struct lemica_writer *writer, const char *text);
void lemica_writer_int(struct lemica_writer *writer, long value);
/* The shortest exact text of a finite double (lemica_format_double). */
void lemica_writer_double(struct lemica_writer *writer, double value);
/* Send what is staged; returns the first failure of the writer's life. */
lemica_status lemica_writer_flush(struct lemica_writer *writer);

/* Produces a whole file into @writer; returns the writer's status or its
 * own failure. */
typedef lemica_status (*lemica_produce_fn)(const void *object,
                                           struct lemica_writer *writer);

/* Run @produce into @buffer of @size bytes with the buffer protocol of the
 * public format functions: the length is always counted and stored in
 * *@length (may be NULL); LEMICA_ERR_BUFFER_TOO_SMALL when the text and
 * its NUL do not fit. */
lemica_status lemica_produce_to_buffer(lemica_produce_fn produce,
                                       const void *object, char *buffer,
                                       size_t size, size_t *length);

/* Run @produce into a temporary file beside @path, fsync it and rename it
 * over @path. On failure the temporary file is removed and @path is
 * untouched; the message names @path. */
lemica_status lemica_save_atomic(const char *path, lemica_produce_fn produce,
                                 const void *object);

/* Read a whole file into a new buffer (lemica_dealloc it). */
lemica_status lemica_read_whole_file(const char *path, char **text,
                                     size_t *length);

/* Parse the text of a whole file; @context carries the parser's other
 * arguments. */
typedef lemica_status (*lemica_parse_text_fn)(const char *text, size_t length,
                                              void *context);

/* The body of every lemica_*_load: read @path whole, hand it to @parse,
 * and prefix a parse error's message with the path. */
lemica_status lemica_load_text_file(const char *path, lemica_parse_text_fn parse,
                                    void *context);

/* Rewrite the calling thread's message as "@path: <message>" and return
 * @status. */
lemica_status lemica_fail_with_path(lemica_status status, const char *path);

/* Test hook: make the save path's writes fail with ENOSPC once @bytes
 * bytes have been written to the temporary file; a negative value turns
 * the failure off. Not exported from the shared library. */
void lemica_save_fail_after(long bytes);

#endif /* LEMICA_FILE_IO_INT_H */
