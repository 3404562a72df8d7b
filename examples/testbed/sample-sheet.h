/* SPDX-License-Identifier: MIT */
/* The demo's sample sheet: uncached samples beside cached ones, and the
 * error maps, as a labelled PNG. */
#ifndef TESTBED_SAMPLE_SHEET_H
#define TESTBED_SAMPLE_SHEET_H

#include <stddef.h>
#include <stdint.h>

struct testbed_sheet_column {
    const char *label;    /* upper case, at most 8 characters fit */
    uint32_t color;       /* 0xRRGGBB, the method's colour in the plot */
    const double *images; /* rows * TESTBED_PIXELS values in [-1, 1] */
};

/* One row per sample (the first @rows of each array). Columns: the
 * uncached @reference, then every column's images; after a gap, every
 * column's |image - reference| x 4 in red. @title goes top left. Returns
 * 0, or -1 with errno set. */
int testbed_sheet_write(const char *path, const char *title,
                        const double *reference,
                        const struct testbed_sheet_column *columns,
                        size_t num_columns, size_t rows);

#endif /* TESTBED_SAMPLE_SHEET_H */
