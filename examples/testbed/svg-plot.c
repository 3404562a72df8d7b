/* SPDX-License-Identifier: MIT */
/* Hand-written SVG: axes with round-number ticks, a log scale for errors
 * that span decades, and a legend. Text is plain ASCII from the demo. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svg-plot.h"

#define PANEL_WIDTH 440.0
#define PANEL_HEIGHT 400.0
#define MARGIN_LEFT 78.0
#define MARGIN_RIGHT 18.0
#define MARGIN_TOP 70.0
#define MARGIN_BOTTOM 100.0

struct axis {
    double low, high; /* in axis units: log10 of the value on a log axis */
    int log;
};

/* 1, 2 or 5 times a power of ten, about range / 6. */
static double
nice_step(double range)
{
    double raw = range / 6.0;
    double power = pow(10.0, floor(log10(raw)));
    double unit = raw / power;

    if (unit < 1.5)
        return power;
    if (unit < 3.5)
        return 2.0 * power;
    if (unit < 7.5)
        return 5.0 * power;
    return 10.0 * power;
}

static double
axis_value(const struct axis *axis, double value)
{
    return axis->log ? log10(value) : value;
}

static int
usable(const struct axis *axis, double value)
{
    return isfinite(value) && (!axis->log || value > 0.0);
}

static void
fit_axes(const struct testbed_panel *panel, struct axis *x, struct axis *y)
{
    x->low = y->low = (double)INFINITY;
    x->high = y->high = -(double)INFINITY;
    x->log = 0;
    y->log = panel->log_y;
    for (size_t s = 0; s < panel->num_series; s++)
        for (size_t i = 0; i < panel->series[s].count; i++) {
            double xv = panel->series[s].x[i], yv = panel->series[s].y[i];

            if (!isfinite(xv) || !usable(y, yv))
                continue;
            if (xv < x->low)
                x->low = xv;
            if (xv > x->high)
                x->high = xv;
            if (axis_value(y, yv) < y->low)
                y->low = axis_value(y, yv);
            if (axis_value(y, yv) > y->high)
                y->high = axis_value(y, yv);
        }
    if (!(x->low <= x->high)) {
        x->low = 0.0;
        x->high = 1.0;
    }
    if (!(y->low <= y->high)) {
        y->low = 0.0;
        y->high = 1.0;
    }
    /* Round outwards to whole ticks (whole decades on a log axis) so the
     * data never touches the frame. */
    if (y->log) {
        y->low = floor(y->low);
        y->high = ceil(y->high);
        if (y->high - y->low < 1.0)
            y->high = y->low + 1.0;
    } else {
        double step;

        if (y->high - y->low < 1e-12)
            y->high = y->low + 1.0;
        step = nice_step(y->high - y->low);
        y->low = floor(y->low / step) * step;
        y->high = ceil(y->high / step) * step;
    }
    {
        double step;

        if (x->high - x->low < 1e-12)
            x->high = x->low + 1.0;
        step = nice_step(x->high - x->low);
        x->low = floor(x->low / step) * step - step / 2.0;
        x->high = ceil(x->high / step) * step + step / 2.0;
    }
}

static void
write_panel(FILE *file, const struct testbed_panel *panel, double left)
{
    struct axis x, y;
    double plot_left = left + MARGIN_LEFT;
    double plot_width = PANEL_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
    double plot_top = MARGIN_TOP;
    double plot_height = PANEL_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
    double step;

    fit_axes(panel, &x, &y);
#define PX(v) (plot_left + ((v)-x.low) / (x.high - x.low) * plot_width)
#define PY(v)                                                                  \
    (plot_top + plot_height - ((v)-y.low) / (y.high - y.low) * plot_height)
    fprintf(file,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"#ffffff\" stroke=\"#444444\"/>\n",
            plot_left, plot_top, plot_width, plot_height);
    fprintf(file,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
            "font-size=\"15\" font-weight=\"bold\">%s</text>\n",
            plot_left + plot_width / 2.0, plot_top - 12.0, panel->title);

    /* x ticks */
    step = nice_step(x.high - x.low);
    for (double v = ceil(x.low / step) * step; v <= x.high; v += step) {
        fprintf(file,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#dddddd\"/>\n",
                PX(v), plot_top, PX(v), plot_top + plot_height);
        fprintf(file,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                "font-size=\"13\">%g</text>\n",
                PX(v), plot_top + plot_height + 18.0, v);
    }
    /* y ticks: 1, 2, 5 per decade on a log axis */
    if (y.log) {
        static const double mantissas[3] = {1.0, 2.0, 5.0};
        int decades = (int)(y.high - y.low);

        for (double e = y.low; e <= y.high; e += 1.0)
            for (int m = 0; m < 3; m++) {
                double v = e + log10(mantissas[m]);

                if (v > y.high + 1e-9)
                    break;
                fprintf(file,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                        "stroke=\"%s\"/>\n",
                        plot_left, PY(v), plot_left + plot_width, PY(v),
                        m == 0 ? "#cccccc" : "#eeeeee");
                if (m == 0 || decades <= 2)
                    fprintf(file,
                            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                            "font-size=\"13\">%g</text>\n",
                            plot_left - 6.0, PY(v) + 4.0,
                            mantissas[m] * pow(10.0, e));
            }
    } else {
        step = nice_step(y.high - y.low);
        for (double v = y.low; v <= y.high + step * 1e-9; v += step) {
            fprintf(file,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                    "stroke=\"#dddddd\"/>\n",
                    plot_left, PY(v), plot_left + plot_width, PY(v));
            fprintf(file,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                    "font-size=\"13\">%g</text>\n",
                    plot_left - 6.0, PY(v) + 4.0, v);
        }
    }
    fprintf(file,
            "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" "
            "text-anchor=\"middle\" font-size=\"14\">%s</text>\n",
            left + 18.0, plot_top + plot_height / 2.0, panel->y_label);

    /* The first series is drawn first and wider: where two lines coincide
     * (LEXMAX and SUM often pick the same schedule), both stay visible. */
    for (size_t s = 0; s < panel->num_series; s++) {
        const struct testbed_series *series = &panel->series[s];
        double line_width = s == 0 ? 4.0 : 2.2, radius = s == 0 ? 6.5 : 4.0;
        int started = 0;

        fprintf(file,
                "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s "
                "d=\"",
                series->color, line_width,
                series->dashed ? " stroke-dasharray=\"7,4\"" : "");
        for (size_t i = 0; i < series->count; i++) {
            if (!usable(&y, series->y[i]) || !isfinite(series->x[i]))
                continue;
            fprintf(file, "%s%.1f,%.1f ", started ? "L" : "M", PX(series->x[i]),
                    PY(axis_value(&y, series->y[i])));
            started = 1;
        }
        fprintf(file, "\"/>\n");
        for (size_t i = 0; i < series->count; i++) {
            if (!usable(&y, series->y[i]) || !isfinite(series->x[i]))
                continue;
            fprintf(file,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" "
                    "fill=\"%s\"/>\n",
                    PX(series->x[i]), PY(axis_value(&y, series->y[i])), radius,
                    series->color);
        }
    }
#undef PX
#undef PY
}

int
testbed_svg_write(const char *path, const char *title, const char *x_label,
                  const struct testbed_panel *panels, size_t num_panels)
{
    double width = PANEL_WIDTH * (double)num_panels;
    double legend_y = PANEL_HEIGHT - MARGIN_BOTTOM + 70.0;
    FILE *file;

    if (!path || !panels || num_panels == 0)
        return -1;
    file = fopen(path, "w");
    if (!file)
        return -1;
    fprintf(file,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
            "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
            width, PANEL_HEIGHT, width, PANEL_HEIGHT);
    fprintf(file,
            "<text x=\"%.1f\" y=\"28\" text-anchor=\"middle\" "
            "font-size=\"18\" font-weight=\"bold\">%s</text>\n",
            width / 2.0, title);
    for (size_t p = 0; p < num_panels; p++) {
        write_panel(file, &panels[p], PANEL_WIDTH * (double)p);
        fprintf(file,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                "font-size=\"14\">%s</text>\n",
                PANEL_WIDTH * (double)p + MARGIN_LEFT +
                    (PANEL_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / 2.0,
                PANEL_HEIGHT - MARGIN_BOTTOM + 42.0, x_label);
    }
    /* One legend for all panels, centred under them; entries are as wide
     * as their names (about 8.5 px per character at this size). */
    {
        const struct testbed_panel *first = &panels[0];
        double total = 0.0, x;

        for (size_t s = 0; s < first->num_series; s++)
            total += 72.0 + 8.5 * (double)strlen(first->series[s].name);
        x = width / 2.0 - total / 2.0;
        for (size_t s = 0; s < first->num_series; s++) {
            const struct testbed_series *series = &first->series[s];

            fprintf(file,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                    "stroke=\"%s\" stroke-width=\"3\"%s/>\n"
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n"
                    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\">%s</text>\n",
                    x, legend_y, x + 34.0, legend_y, series->color,
                    series->dashed ? " stroke-dasharray=\"7,4\"" : "", x + 17.0,
                    legend_y, series->color, x + 42.0, legend_y + 5.0,
                    series->name);
            x += 72.0 + 8.5 * (double)strlen(series->name);
        }
    }
    fprintf(file, "</svg>\n");
    if (ferror(file)) {
        fclose(file);
        return -1;
    }
    return fclose(file) == 0 ? 0 : -1;
}
