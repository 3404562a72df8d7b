/* SPDX-License-Identifier: MIT */
/* A 5x7 bitmap font for labels on the demo's sample sheet, so the PNG
 * explains itself without a font library. */
#ifndef TESTBED_BITMAP_FONT_H
#define TESTBED_BITMAP_FONT_H

#include <stdint.h>

#define TESTBED_GLYPH_WIDTH 5
#define TESTBED_GLYPH_HEIGHT 7

/* The width in pixels of @text drawn at @scale: 6 * scale per character
 * (one column of spacing), less the trailing space. */
int testbed_text_width(const char *text, int scale);

/* Draw @text at (@x, @y), its top-left corner, into an RGB image of
 * @width x @height, each font pixel a @scale x @scale square of colour
 * @rgb (0xRRGGBB). Lower-case letters are drawn as capitals; characters
 * without a glyph as spaces. Pixels outside the image are clipped. */
void testbed_draw_text(uint8_t *pixels, int width, int height, int x, int y,
                       const char *text, int scale, uint32_t rgb);

#endif /* TESTBED_BITMAP_FONT_H */
