/* SPDX-License-Identifier: MIT */
/* The strict reader of the DiT test bed's binary files (weights,
 * classifier, test vectors): magic, u32 version, u32 hyper-parameters,
 * shaped float32 tensors, and an FNV-1a 64 checksum of every byte before
 * it at the very end (layout: dit.h). Every read is bounds-checked; a
 * failure leaves a one-line reason in the caller's error buffer. */
#ifndef TESTBED_DIT_FILE_H
#define TESTBED_DIT_FILE_H

#include <stddef.h>
#include <stdint.h>

struct testbed_dit_reader {
    const unsigned char *data;
    size_t size;
    size_t pos;
    const char *what; /* the file's kind, for messages */
    char *error;
    size_t error_size;
};

/* FNV-1a 64 of @size bytes. */
uint64_t testbed_dit_fnv1a64(const void *data, size_t size);

/* Read a whole file into a malloc'ed buffer. Returns 0, or -1 with a
 * reason in @error. */
int testbed_dit_read_file(const char *path, unsigned char **data, size_t *size,
                          char *error, size_t error_size);

/* Write a reason (printf-style) into the reader's error buffer; returns -1. */
int testbed_dit_fail(struct testbed_dit_reader *reader, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Check the 8-byte @magic, the format version (@version), the checksum,
 * and read the @num_hparams hyper-parameters into @hparams. Leaves the
 * reader after them. Returns 0 or -1. */
int testbed_dit_reader_open(struct testbed_dit_reader *reader,
                            const char *magic, uint32_t version,
                            uint32_t num_hparams, uint32_t *hparams);

int testbed_dit_reader_u32(struct testbed_dit_reader *reader, const char *name,
                           uint32_t *value);

/* @count float32 values (no shape header) into @values (may be NULL to
 * skip). */
int testbed_dit_reader_floats(struct testbed_dit_reader *reader,
                              const char *name, size_t count, float *values);

/* A shaped tensor: u32 ndim, dims, values. The shape must be exactly
 * @ndim x @dims. Values go to @values row-major as stored. */
int testbed_dit_reader_tensor(struct testbed_dit_reader *reader,
                              const char *name, uint32_t ndim,
                              const uint32_t *dims, float *values);

/* The reader must stand exactly before the 8-byte checksum. */
int testbed_dit_reader_finish(struct testbed_dit_reader *reader);

#endif /* TESTBED_DIT_FILE_H */
