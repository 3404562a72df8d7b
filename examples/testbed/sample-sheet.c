/* SPDX-License-Identifier: MIT */
/* Each 16x16 sample is drawn 6x larger, nearest neighbour, so pixels stay
 * visible as pixels; labels use the built-in bitmap font. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap-font.h"
#include "gmm-model.h"
#include "png.h"
#include "sample-sheet.h"

enum {
    SCALE = 6,
    CELL = TESTBED_SIDE * SCALE,
    GAP = 6,
    FONT = 2,
    TEXT = TESTBED_GLYPH_HEIGHT * FONT,
    BAR = 6,
    BAR_TOP = GAP + TEXT + GAP + TEXT + 4,
    HEADER = BAR_TOP + BAR + GAP
};

static uint8_t
to_byte(double value)
{
    double scaled = (value + 1.0) * 127.5;

    if (!(scaled > 0.0))
        return 0;
    if (scaled > 255.0)
        return 255;
    return (uint8_t)(scaled + 0.5);
}

static void
fill(uint8_t *pixels, int width, int left, int top, int w, int h, uint32_t rgb)
{
    for (int y = top; y < top + h; y++)
        for (int x = left; x < left + w; x++) {
            uint8_t *p = pixels + ((size_t)y * (size_t)width + (size_t)x) * 3;

            p[0] = (uint8_t)(rgb >> 16);
            p[1] = (uint8_t)(rgb >> 8);
            p[2] = (uint8_t)rgb;
        }
}

/* One sample, or with @reference its error map: white for none, full red
 * at an error of 0.25 and above. */
static void
draw_cell(uint8_t *pixels, int width, int left, int top, const double *image,
          const double *reference)
{
    for (int y = 0; y < CELL; y++)
        for (int x = 0; x < CELL; x++) {
            int d = (y / SCALE) * TESTBED_SIDE + x / SCALE;
            uint8_t *p =
                pixels +
                ((size_t)(top + y) * (size_t)width + (size_t)(left + x)) * 3;

            if (reference) {
                double error = fabs(image[d] - reference[d]) * 4.0;
                uint8_t fade = (uint8_t)(255.0 * (1.0 - fmin(1.0, error)));

                p[0] = 255;
                p[1] = fade;
                p[2] = fade;
            } else {
                p[0] = p[1] = p[2] = to_byte(image[d]);
            }
        }
}

static void
draw_column(uint8_t *pixels, int width, int height, int left, const char *label,
            uint32_t color, const double *images, const double *reference,
            size_t rows)
{
    testbed_draw_text(pixels, width, height,
                      left + (CELL - testbed_text_width(label, FONT)) / 2,
                      GAP + TEXT + GAP, label, FONT, 0x000000);
    fill(pixels, width, left, BAR_TOP, CELL, BAR, color);
    for (size_t row = 0; row < rows; row++)
        draw_cell(pixels, width, left, HEADER + (int)row * (CELL + GAP),
                  images + row * TESTBED_PIXELS,
                  reference ? reference + row * TESTBED_PIXELS : NULL);
}

int
testbed_sheet_write(const char *path, const char *title,
                    const double *reference,
                    const struct testbed_sheet_column *columns,
                    size_t num_columns, size_t rows)
{
    int samples_width, width, height, result;
    uint8_t *pixels;

    if (!path || !reference || (!columns && num_columns > 0) || rows == 0 ||
        num_columns > 64 || rows > 1024) {
        errno = EINVAL;
        return -1;
    }
    samples_width = GAP + (int)(num_columns + 1) * (CELL + GAP);
    width = samples_width + 2 * GAP + (int)num_columns * (CELL + GAP);
    height = HEADER + (int)rows * (CELL + GAP);
    pixels = malloc((size_t)width * (size_t)height * 3);
    if (!pixels)
        return -1;
    memset(pixels, 255, (size_t)width * (size_t)height * 3);
    testbed_draw_text(pixels, width, height, GAP, GAP, title ? title : "", FONT,
                      0x000000);
    testbed_draw_text(pixels, width, height, samples_width + 2 * GAP, GAP,
                      "|ERROR| X4", FONT, 0x000000);
    draw_column(pixels, width, height, GAP, "UNCACHED", 0x444444, reference,
                NULL, rows);
    for (size_t c = 0; c < num_columns; c++) {
        draw_column(pixels, width, height, GAP + (int)(c + 1) * (CELL + GAP),
                    columns[c].label, columns[c].color, columns[c].images, NULL,
                    rows);
        draw_column(pixels, width, height,
                    samples_width + 2 * GAP + (int)c * (CELL + GAP),
                    columns[c].label, columns[c].color, columns[c].images,
                    reference, rows);
    }
    result = testbed_png_write_rgb(path, width, height, pixels);
    free(pixels);
    return result;
}
