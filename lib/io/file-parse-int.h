/* SPDX-License-Identifier: MIT */
/* The line grammar shared by the graph and schedule file formats (see
 * lemica-file.h): a header line, size lines, metadata lines, records and
 * "end". Every error message starts with "line L: ". */
#ifndef LEMICA_FILE_PARSE_INT_H
#define LEMICA_FILE_PARSE_INT_H

#include <stddef.h>

#include "lemica/lemica-metadata.h"
#include "lemica/lemica-status.h"

struct lemica_line_reader {
    const char *text;
    size_t length;
    size_t position;
    size_t line_number; /* of the line last returned, from 1 */
};

void lemica_line_reader_init(struct lemica_line_reader *reader,
                             const char *text, size_t length);

/* The next line without its "\n" or "\r\n". Returns 0 at the end of the
 * text (a final line terminator does not start another line). */
int lemica_line_next(struct lemica_line_reader *reader, const char **line,
                     size_t *length);

/* Whether @line is @key alone or @key followed by a space. */
int lemica_line_has_key(const char *line, size_t length, const char *key);

/* Check line 1: "@kind MAJOR.MINOR" with MAJOR == LEMICA_FILE_FORMAT_MAJOR.
 * A newer major version is LEMICA_ERR_VERSION, another known kind
 * LEMICA_ERR_MISMATCH. */
lemica_status lemica_file_check_header(const char *line, size_t length,
                                       const char *kind);

/* Parse "@key VALUE" with VALUE a decimal integer, on line @line_number;
 * values above INT_MAX give LEMICA_ERR_TOO_LARGE. */
lemica_status lemica_file_parse_int_line(const char *line, size_t length,
                                         size_t line_number, const char *key,
                                         int *value);

/* Start reading a file of @kind from @text: line 1 must be its header and
 * line 2 "num_steps N". Afterwards @reader stands before line 3. */
lemica_status lemica_file_begin(struct lemica_line_reader *reader,
                                const char *text, size_t length,
                                const char *kind, int *num_steps);

/* Read the next line as "@key VALUE" (an integer); a missing line reads as
 * an empty one, so the message says what was expected. */
lemica_status lemica_file_next_int_line(struct lemica_line_reader *reader,
                                        const char *key, int *value);

/* Parse "key value" (or "key" for an empty value) and append it to
 * @metadata; malformed, reserved or repeated keys and bad values are
 * errors. */
lemica_status lemica_file_parse_metadata_line(const char *line, size_t length,
                                              size_t line_number,
                                              lemica_metadata *metadata);

/* The next line must be "end" and nothing may follow it. @what names the
 * records before it, for the message. */
lemica_status lemica_file_expect_end(struct lemica_line_reader *reader,
                                     const char *what);

/* Parse a weight-like value: a finite double >= 0 in decimal text; NaN,
 * infinities and negative values are LEMICA_ERR_INVALID_VALUE. @what
 * names it in messages ("weight of edge (1, 3)"). */
lemica_status lemica_file_parse_weight(const char *text, size_t length,
                                       size_t line_number, const char *what,
                                       double *value);

/* Check the sizes of lines 2 and 3 of a graph or profile file: N in
 * 2 .. LEMICA_MAX_STEPS, K in 1 .. N - 1, N * K within
 * LEMICA_MAX_EDGE_SLOTS. @what names the kind ("graph"). */
lemica_status lemica_file_check_dag_size(int num_steps, int max_skip,
                                         const char *what);

/* The number of segments of spans @min_span .. @max_skip (<= N - 1) over
 * @num_steps steps: N - d of each span d. */
size_t lemica_file_possible_edges(int num_steps, int max_skip, int min_span);

struct lemica_writer;

/* Write the first line, "@kind MAJOR.MINOR", of the current format. */
void lemica_file_write_header(struct lemica_writer *writer, const char *kind);

/* Write one "@key @value" line. */
void lemica_file_write_int_line(struct lemica_writer *writer, const char *key,
                                long value);

/* Write the metadata lines of @metadata (may be NULL). */
void lemica_file_write_metadata(struct lemica_writer *writer,
                                const lemica_metadata *metadata);

#endif /* LEMICA_FILE_PARSE_INT_H */
