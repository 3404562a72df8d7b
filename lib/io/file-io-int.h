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

/* Save what @produce writes to @path by the save rule of lemica-file.h:
 * a regular file or nothing at @path (after following symbolic links) is
 * replaced atomically through a temporary file beside it (fsync, rename,
 * fsync of the directory); a FIFO or character device is written straight;
 * a directory, socket or block device is refused. On failure the
 * temporary file is removed and @path is untouched; the message names
 * @path. A NULL or empty @path is LEMICA_ERR_INVALID_ARGUMENT. */
lemica_status lemica_save_atomic(const char *path, lemica_produce_fn produce,
                                 const void *object);

/* The checks every text parser makes first: skip a UTF-8 byte order mark
 * at the start of *@text (editors and spreadsheets write one), and refuse
 * a NUL byte, which no text format has, with LEMICA_ERR_PARSE and "line
 * L: NUL byte: this is not a text file". */
lemica_status lemica_text_begin(const char **text, size_t *length);

/* Read a whole file into a new buffer (lemica_dealloc it): at most
 * LEMICA_MAX_FILE_BYTES (else LEMICA_ERR_TOO_LARGE), and no further than
 * the first NUL byte (kept, for the parser to name its line). */
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

/* Test hook: the read limit in bytes instead of LEMICA_MAX_FILE_BYTES; 0
 * restores it. */
void lemica_read_limit_set(unsigned long long bytes);

/* Test hook: call @hook once a save has written @bytes more bytes (the
 * tests kill the process there); a negative value turns it off. */
void lemica_save_hook_after(long bytes, void (*hook)(void));

/* Test hook: 0 makes saves use named temporary files even where O_TMPFILE
 * exists, 1 (the default) lets them use it. */
void lemica_save_use_tmpfile(int enabled);

/* The start of the names of the temporary files of a save to @target
 * (".lemica-HASH-"; the tests look for leftovers by it). */
void lemica_save_temp_prefix(const char *target, char *prefix, size_t size);

#endif /* LEMICA_FILE_IO_INT_H */
