/* SPDX-License-Identifier: MIT */
/* PNG with the image data in a zlib stream of stored deflate blocks: a
 * valid PNG every viewer reads, about the size of the raw pixels, which
 * is small for the demo's sample sheet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "png.h"

uint32_t
testbed_crc32(uint32_t crc, const uint8_t *data, size_t length)
{
    /* Bitwise, reflected polynomial 0xEDB88320: a table would be faster,
     * but the sheet is a few hundred kilobytes. */
    crc = ~crc;
    for (size_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

uint32_t
testbed_adler32(uint32_t adler, const uint8_t *data, size_t length)
{
    uint32_t a = adler & 0xffffu, b = adler >> 16;

    for (size_t i = 0; i < length; i++) {
        a = (a + data[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    return (b << 16) | a;
}

static void
put_be32(uint8_t *out, uint32_t value)
{
    out[0] = (uint8_t)(value >> 24);
    out[1] = (uint8_t)(value >> 16);
    out[2] = (uint8_t)(value >> 8);
    out[3] = (uint8_t)value;
}

/* One chunk: length, type, data, CRC of type and data. */
static int
write_chunk(FILE *file, const char *type, const uint8_t *data, size_t length)
{
    uint8_t header[8], trailer[4];
    uint32_t crc;

    put_be32(header, (uint32_t)length);
    memcpy(header + 4, type, 4);
    crc = testbed_crc32(0, header + 4, 4);
    crc = testbed_crc32(crc, data, length);
    put_be32(trailer, crc);
    if (fwrite(header, 1, 8, file) != 8 ||
        (length > 0 && fwrite(data, 1, length, file) != length) ||
        fwrite(trailer, 1, 4, file) != 4)
        return -1;
    return 0;
}

int
testbed_png_write_rgb(const char *path, int width, int height,
                      const uint8_t *pixels)
{
    static const uint8_t signature[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1a, '\n'};
    size_t row_bytes, raw_size, blocks, zlib_size;
    uint8_t *raw = NULL, *zlib = NULL, *out;
    uint8_t header[13];
    FILE *file = NULL;
    int result = -1;

    if (!path || !pixels || width < 1 || height < 1 || width > 16384 ||
        height > 16384) {
        errno = EINVAL;
        return -1;
    }
    /* Every row starts with its filter type, 0 (none). */
    row_bytes = (size_t)width * 3 + 1;
    raw_size = row_bytes * (size_t)height;
    raw = malloc(raw_size);
    blocks = (raw_size + 65534) / 65535;
    /* zlib header, 5 bytes per stored block, Adler-32. */
    zlib_size = 2 + raw_size + 5 * blocks + 4;
    zlib = malloc(zlib_size);
    if (!raw || !zlib)
        goto out;
    for (int y = 0; y < height; y++) {
        raw[(size_t)y * row_bytes] = 0;
        memcpy(raw + (size_t)y * row_bytes + 1,
               pixels + (size_t)y * (size_t)width * 3, (size_t)width * 3);
    }
    out = zlib;
    /* CMF 0x78: deflate, 32K window; FLG 0x01 makes 0x7801 a multiple of
     * 31 as the format requires. */
    *out++ = 0x78;
    *out++ = 0x01;
    for (size_t done = 0; done < raw_size;) {
        size_t length = raw_size - done < 65535 ? raw_size - done : 65535;

        *out++ = done + length == raw_size ? 1 : 0; /* BFINAL, BTYPE 00 */
        *out++ = (uint8_t)(length & 0xff);
        *out++ = (uint8_t)(length >> 8);
        *out++ = (uint8_t)(~length & 0xff);
        *out++ = (uint8_t)((~length >> 8) & 0xff);
        memcpy(out, raw + done, length);
        out += length;
        done += length;
    }
    put_be32(out, testbed_adler32(1, raw, raw_size));

    put_be32(header, (uint32_t)width);
    put_be32(header + 4, (uint32_t)height);
    header[8] = 8;  /* bits per channel */
    header[9] = 2;  /* colour type: RGB */
    header[10] = 0; /* deflate */
    header[11] = 0; /* adaptive filtering */
    header[12] = 0; /* no interlace */
    file = fopen(path, "wb");
    if (!file)
        goto out;
    if (fwrite(signature, 1, 8, file) != 8 ||
        write_chunk(file, "IHDR", header, sizeof(header)) != 0 ||
        write_chunk(file, "IDAT", zlib, zlib_size) != 0 ||
        write_chunk(file, "IEND", NULL, 0) != 0)
        goto out;
    result = 0;

out:
    if (file && fclose(file) != 0)
        result = -1;
    free(raw);
    free(zlib);
    return result;
}
