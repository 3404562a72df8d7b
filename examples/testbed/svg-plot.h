/* SPDX-License-Identifier: MIT */
/* Line plots as SVG: error against model calls, one line per method. */
#ifndef TESTBED_SVG_PLOT_H
#define TESTBED_SVG_PLOT_H

#include <stddef.h>

struct testbed_series {
    const char *name;
    const char *color; /* an SVG colour, "#1f77b4" */
    int dashed;
    size_t count;
    const double *x;
    const double *y; /* points with y <= 0 on a log axis are left out */
};

struct testbed_panel {
    const char *title;
    const char *y_label;
    int log_y;
    const struct testbed_series *series;
    size_t num_series;
};

/* Write the panels side by side under one title, with a shared x label and
 * one legend (the series names of the first panel). Returns 0 or -1. */
int testbed_svg_write(const char *path, const char *title, const char *x_label,
                      const struct testbed_panel *panels, size_t num_panels);

#endif /* TESTBED_SVG_PLOT_H */
