/* SPDX-License-Identifier: MIT */
/* A minimal PNG writer: 8-bit RGB, no compression, no zlib needed. */
#ifndef TESTBED_PNG_H
#define TESTBED_PNG_H

#include <stddef.h>
#include <stdint.h>

/* Write @width x @height pixels of 3 bytes (R, G, B), rows top to bottom,
 * to @path. Returns 0, or -1 with errno set by the failing call. */
int testbed_png_write_rgb(const char *path, int width, int height,
                          const uint8_t *pixels);

/* CRC-32 (ISO 3309, as PNG and gzip use it) and Adler-32 (zlib), exposed
 * for the tests. */
uint32_t testbed_crc32(uint32_t crc, const uint8_t *data, size_t length);

uint32_t testbed_adler32(uint32_t adler, const uint8_t *data, size_t length);

#endif /* TESTBED_PNG_H */
