/* SPDX-License-Identifier: MIT */
/* lemica plot: one SVG with three panels — the edge errors as a heatmap
 * over start step and span (the paper's Figure 2b), the quality/compute
 * frontier (worst and total error against the budget), and one schedule
 * drawn over the steps. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

enum plot_option_id {
    OPTION_BUDGET,
    OPTION_SCHEDULE,
    OPTION_COMPARATOR,
    OPTION_MAX_SKIP,
    OPTION_NUM_STEPS,
    OPTION_OUTPUT,
    OPTION_HELP
};

static const struct lemica_cli_option plot_options[] = {
    {"budget", 0, 1, OPTION_BUDGET},
    {"schedule", 0, 1, OPTION_SCHEDULE},
    {"comparator", 0, 1, OPTION_COMPARATOR},
    {"max-skip", 0, 1, OPTION_MAX_SKIP},
    {"num-steps", 0, 1, OPTION_NUM_STEPS},
    {"output", 'o', 1, OPTION_OUTPUT},
    {"help", 'h', 0, OPTION_HELP},
    {NULL, 0, 0, 0},
};

/* Beyond this many edge slots the heatmap would be an unreadable and huge
 * file. */
#define PLOT_MAX_CELLS 250000

/* Page geometry, in SVG user units (pixels). */
#define PAGE_WIDTH 960.0
#define PLOT_LEFT 80.0
#define PLOT_RIGHT 850.0
#define HEAT_TOP 60.0
#define HEAT_BOTTOM 340.0
#define FRONT_TOP 420.0
#define FRONT_BOTTOM 650.0
/* The schedule's title; its arcs rise at most 70 above the row of steps. */
#define SCHED_TITLE 728.0
#define SCHED_BOTTOM 838.0
#define PAGE_HEIGHT 900.0

#define MAX_COLOR "#d62728"
#define SUM_COLOR "#1f77b4"

struct plot_settings {
    const char *path;
    const char *schedule_path;
    const char *output;
    int budget; /* 0: the middle of the feasible budgets */
    int max_skip;
    int num_steps;
    lemica_comparator comparator;
};

void
lemica_cli_plot_usage(FILE *stream)
{
    fputs("Usage: lemica plot [OPTIONS] GRAPH\n"
          "\n"
          "Draw a graph file or CSV edge list as one SVG image of three "
          "panels:\n"
          "- edge errors: a heatmap with the start step i across and the span\n"
          "  d = j - i up, one cell per edge (i, j), colored by its error "
          "(scale\n"
          "  at the right; absent edges are left blank);\n"
          "- the frontier: the worst (left axis) and total (right axis)\n"
          "  segment error of the best schedule of every feasible budget;\n"
          "- one schedule: the steps that call the model (dark) and the\n"
          "  cached segments as arcs colored by their error.\n"
          "Open the file in a web browser. Any finite weights plot (0 to\n"
          "DBL_MAX); the image has at most 250000 edge cells (N x K, larger\n"
          "graphs are refused: lower --max-skip) and 32 ticks an axis, so\n"
          "it stays under 40 MB.\n"
          "\n"
          "Options:\n"
          "      --budget B        the schedule to draw (default: the middle\n"
          "                        feasible budget); marked on the frontier\n"
          "      --schedule FILE   draw this schedule file instead\n"
          "      --comparator C    lexmax (default), sum or max\n"
          "      --max-skip K      ignore edges longer than K steps\n"
          "      --num-steps N     the number of sampling steps (CSV)\n"
          "  -o, --output OUT      write the SVG to OUT (default: standard\n"
          "                        output)\n"
          "  -h, --help            print this help and exit\n"
          "\n" LEMICA_CLI_EXIT_HELP,
          stream);
}

/* Viridis, sampled at five points and interpolated linearly: perceptually
 * ordered and readable in grey and by most colour-blind readers. */
static void
color_of(double fraction, char color[8])
{
    static const unsigned char anchors[5][3] = {
        {0x44, 0x01, 0x54}, {0x3b, 0x52, 0x8b}, {0x21, 0x91, 0x8c},
        {0x5e, 0xc9, 0x62}, {0xfd, 0xe7, 0x25},
    };
    double position;
    int index;
    double t;
    int rgb[3];

    if (!(fraction > 0.0))
        fraction = 0.0;
    if (fraction > 1.0)
        fraction = 1.0;
    position = fraction * 4.0;
    index = (int)position;
    if (index > 3)
        index = 3;
    t = position - index;
    for (int channel = 0; channel < 3; channel++)
        rgb[channel] = (int)lround(anchors[index][channel] * (1.0 - t) +
                                   anchors[index + 1][channel] * t);
    snprintf(color, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

/* A "nice" tick spacing (1, 2 or 5 times a power of ten) giving about
 * @count ticks over @range. */
static double
tick_step(double range, int count)
{
    double raw = range / count;
    double power;
    double fraction;

    if (!(raw > 0.0))
        return 1.0;
    power = pow(10.0, floor(log10(raw)));
    fraction = raw / power;
    if (fraction <= 1.0)
        return power;
    if (fraction <= 2.0)
        return 2.0 * power;
    if (fraction <= 5.0)
        return 5.0 * power;
    return 10.0 * power;
}

/* No axis gets more ticks than this, whatever its range: every tick loop
 * counts with an int up to a bound fixed before it starts, never steps a
 * double towards a limit that rounding or overflow can put out of reach
 * (a weight of DBL_MAX once made the bound infinite and the SVG endless).
 * tick_step() aims at 5 or 10 ticks and gives at most 2.5 times that. */
#define MAX_TICKS 32

/* The number of ticks first, first + step, ... up to @last, at most
 * MAX_TICKS. */
static int
tick_count(double first, double last, double step)
{
    double count = floor((last - first) / step * (1 + 1e-9)) + 1;

    if (!(count >= 1.0))
        return 1;
    return count > MAX_TICKS ? MAX_TICKS : (int)count;
}

static void
tick_label(double value, char *text, size_t size)
{
    if (fabs(value) < 1e-12)
        value = 0.0;
    snprintf(text, size, "%.3g", value);
}

static void
text_at(FILE *out, double x, double y, const char *anchor, int size,
        const char *extra, const char *text)
{
    fprintf(out,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
            "font-size=\"%d\"%s%s>%s</text>\n",
            x, y, anchor, size, extra ? " " : "", extra ? extra : "", text);
}

/* Integer ticks along the x axis for values lo .. hi at x = map(value). */
static void
x_axis(FILE *out, double bottom, double lo, double hi, double left,
       double right, double cell_center)
{
    double step = tick_step(hi - lo, 10);
    double first;
    int count;
    char label[32];

    if (step < 1.0)
        step = 1.0;
    first = ceil(lo / step) * step;
    count = tick_count(first, hi, step);
    fprintf(out,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#333\"/>\n",
            left, bottom, right, bottom);
    for (int tick = 0; tick < count; tick++) {
        double value = first + tick * step;
        double x = left + (value - lo + cell_center) /
                              (hi - lo + 2 * cell_center) * (right - left);

        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#333\"/>\n",
                x, bottom, x, bottom + 5);
        tick_label(value, label, sizeof(label));
        text_at(out, x, bottom + 19, "middle", 12, NULL, label);
    }
}

static double
weight_or_nan(const lemica_graph *graph, int from, int to)
{
    double weight;

    if (lemica_graph_has_edge(graph, from, to) != 1 ||
        lemica_graph_get_weight(graph, from, to, &weight) != LEMICA_OK)
        return (double)NAN;
    return weight;
}

static void
draw_heatmap(FILE *out, const lemica_graph *graph, double max_weight)
{
    int num_steps = lemica_graph_num_steps(graph);
    int max_skip = lemica_graph_max_skip(graph);
    double width = (PLOT_RIGHT - PLOT_LEFT) / num_steps;
    double height = (HEAT_BOTTOM - HEAT_TOP) / max_skip;
    double step;
    char label[64];
    char color[8];

    text_at(out, PLOT_LEFT, HEAT_TOP - 22, "start", 16, "font-weight=\"bold\"",
            "Edge errors: segment (i, i+d) computes at step i and reuses it "
            "until step i+d");
    fprintf(out,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"#f4f4f4\"/>\n",
            PLOT_LEFT, HEAT_TOP, PLOT_RIGHT - PLOT_LEFT,
            HEAT_BOTTOM - HEAT_TOP);
    for (int span = 1; span <= max_skip; span++)
        for (int from = 0; from + span < num_steps; from++) {
            double weight = weight_or_nan(graph, from, from + span);

            if (isnan(weight))
                continue;
            color_of(max_weight > 0.0 ? weight / max_weight : 0.0, color);
            /* Cells overlap by a hair so that no seams show. */
            fprintf(out,
                    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                    "height=\"%.2f\" fill=\"%s\"><title>(%d, %d): "
                    "%.6g</title></rect>\n",
                    PLOT_LEFT + from * width, HEAT_BOTTOM - span * height,
                    width + 0.6, height + 0.6, color, from, from + span,
                    weight);
        }
    x_axis(out, HEAT_BOTTOM, 0, num_steps - 1, PLOT_LEFT, PLOT_RIGHT, 0.5);
    text_at(out, (PLOT_LEFT + PLOT_RIGHT) / 2, HEAT_BOTTOM + 40, "middle", 14,
            NULL, "start step i");
    /* The span axis, d = 1 at the bottom. */
    step = tick_step(max_skip - 1 > 0 ? max_skip - 1 : 1, 6);
    if (step < 1.0)
        step = 1.0;
    fprintf(out,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#333\"/>\n",
            PLOT_LEFT, HEAT_TOP, PLOT_LEFT, HEAT_BOTTOM);
    for (int tick = 0, count = tick_count(1, max_skip, step); tick < count;
         tick++) {
        double span = 1 + tick * step;
        double y = HEAT_BOTTOM - (span - 0.5) * height;

        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#333\"/>\n",
                PLOT_LEFT - 5, y, PLOT_LEFT, y);
        snprintf(label, sizeof(label), "%d", (int)span);
        text_at(out, PLOT_LEFT - 8, y + 4, "end", 12, NULL, label);
    }
    snprintf(label, sizeof(label), "transform=\"rotate(-90 %.1f %.1f)\"",
             PLOT_LEFT - 45, (HEAT_TOP + HEAT_BOTTOM) / 2);
    text_at(out, PLOT_LEFT - 45, (HEAT_TOP + HEAT_BOTTOM) / 2, "middle", 14,
            label, "span d = j - i");

    /* The colour scale. */
    fputs("<defs><linearGradient id=\"scale\" x1=\"0\" y1=\"1\" x2=\"0\" "
          "y2=\"0\">\n",
          out);
    for (int stop = 0; stop <= 8; stop++) {
        color_of(stop / 8.0, color);
        fprintf(out, "<stop offset=\"%.3f\" stop-color=\"%s\"/>\n", stop / 8.0,
                color);
    }
    fputs("</linearGradient></defs>\n", out);
    fprintf(out,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"%.1f\" "
            "fill=\"url(#scale)\" stroke=\"#333\"/>\n",
            PLOT_RIGHT + 20, HEAT_TOP, HEAT_BOTTOM - HEAT_TOP);
    for (int tick = 0; tick <= 4; tick++) {
        double y = HEAT_BOTTOM - tick / 4.0 * (HEAT_BOTTOM - HEAT_TOP);

        /* max_weight * tick would overflow for weights near DBL_MAX. */
        tick_label(max_weight * (tick / 4.0), label, sizeof(label));
        text_at(out, PLOT_RIGHT + 40, y + 4, "start", 12, NULL, label);
    }
    text_at(out, PLOT_RIGHT + 28, HEAT_TOP - 8, "middle", 12, NULL, "error");
}

/* The top of an axis: the data maximum rounded up to a tick, or the
 * maximum itself where that would overflow (a maximum near DBL_MAX) or
 * underflow (subnormal maxima, whose tick step rounds to 0). Always finite
 * and > 0. */
static double
axis_top(double maximum)
{
    double step;
    double top;

    if (!(maximum > 0.0) || !isfinite(maximum))
        return 1.0;
    step = tick_step(maximum, 5);
    top = ceil(maximum / step * (1 - 1e-12)) * step;
    return isfinite(top) && top >= maximum ? top : maximum;
}

/* The y of @value on an axis 0 .. @top of the frontier panel: values above
 * the top (an infinite total error) at the top, NaN at the bottom. */
static double
frontier_y(double value, double top)
{
    double fraction = value / top;

    if (!(fraction > 0.0))
        fraction = 0.0;
    if (fraction > 1.0)
        fraction = 1.0;
    return FRONT_BOTTOM - fraction * (FRONT_BOTTOM - FRONT_TOP);
}

struct frontier_point {
    int budget;
    double max_cost;
    double sum_cost;
};

static void
draw_series(FILE *out, const struct frontier_point *points, size_t count,
            int use_sum, double lo_budget, double hi_budget, double top,
            const char *color)
{
    double width = PLOT_RIGHT - PLOT_LEFT;
    double span = hi_budget - lo_budget > 0 ? hi_budget - lo_budget : 1;

    fprintf(out,
            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
            "points=\"",
            color);
    for (size_t index = 0; index < count; index++) {
        double value =
            use_sum ? points[index].sum_cost : points[index].max_cost;

        fprintf(out, "%.1f,%.1f ",
                PLOT_LEFT + (points[index].budget - lo_budget) / span * width,
                frontier_y(value, top));
    }
    fputs("\"/>\n", out);
    for (size_t index = 0; index < count; index++) {
        double value =
            use_sum ? points[index].sum_cost : points[index].max_cost;

        fprintf(out,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\">"
                "<title>B = %d: %s %.6g</title></circle>\n",
                PLOT_LEFT + (points[index].budget - lo_budget) / span * width,
                frontier_y(value, top), color,
                points[index].budget, use_sum ? "sum" : "max", value);
    }
}

static void
y_axis(FILE *out, double x, double top_value, const char *color, int right,
       const char *title)
{
    double step = tick_step(top_value, 5);
    int count = tick_count(0.0, top_value, step);
    char label[64];

    fprintf(out,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"%s\"/>\n",
            x, FRONT_TOP, x, FRONT_BOTTOM, color);
    for (int tick = 0; tick < count; tick++) {
        double value = tick * step;
        double y = frontier_y(value, top_value);

        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"%s\"/>\n",
                x, y, right ? x + 5 : x - 5, y, color);
        tick_label(value, label, sizeof(label));
        fprintf(out,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
                "font-size=\"12\" fill=\"%s\">%s</text>\n",
                right ? x + 8 : x - 8, y + 4, right ? "start" : "end", color,
                label);
    }
    snprintf(label, sizeof(label),
             "transform=\"rotate(-90 %.1f %.1f)\" "
             "fill=\"%s\"",
             right ? x + 62 : x - 55, (FRONT_TOP + FRONT_BOTTOM) / 2, color);
    text_at(out, right ? x + 62 : x - 55, (FRONT_TOP + FRONT_BOTTOM) / 2,
            "middle", 14, label, title);
}

static int
draw_frontier(FILE *out, const lemica_frontier *frontier, int chosen)
{
    size_t count = lemica_frontier_count(frontier);
    struct frontier_point *points = calloc(count ? count : 1, sizeof(*points));
    double top_max = 0.0;
    double top_sum = 0.0;
    double lo;
    double hi;
    char title[128];

    if (!points) {
        lemica_cli_error("out of memory");
        return -1;
    }
    for (size_t index = 0; index < count; index++) {
        const lemica_schedule *schedule = NULL;

        lemica_frontier_get(frontier, index, &schedule);
        points[index].budget = lemica_schedule_budget(schedule);
        lemica_schedule_max_cost(schedule, &points[index].max_cost);
        lemica_schedule_sum_cost(schedule, &points[index].sum_cost);
        if (points[index].max_cost > top_max)
            top_max = points[index].max_cost;
        if (isfinite(points[index].sum_cost) &&
            points[index].sum_cost > top_sum)
            top_sum = points[index].sum_cost;
    }
    top_max = axis_top(top_max);
    top_sum = axis_top(top_sum);
    lo = points[0].budget;
    hi = points[count - 1].budget;
    if (hi == lo)
        hi = lo + 1;

    text_at(out, PLOT_LEFT, FRONT_TOP - 22, "start", 16, "font-weight=\"bold\"",
            "Frontier: the best schedule of every budget");
    fprintf(out,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"none\" stroke=\"#ddd\"/>\n",
            PLOT_LEFT, FRONT_TOP, PLOT_RIGHT - PLOT_LEFT,
            FRONT_BOTTOM - FRONT_TOP);
    if (chosen > 0) {
        double x =
            PLOT_LEFT + (chosen - lo) / (hi - lo) * (PLOT_RIGHT - PLOT_LEFT);

        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#888\" stroke-dasharray=\"4 4\"/>\n",
                x, FRONT_TOP, x, FRONT_BOTTOM);
        snprintf(title, sizeof(title), "B = %d (drawn below)", chosen);
        /* Below the legend when the label would run into it. */
        text_at(out, x + 4,
                x + 130 > PLOT_RIGHT - 160 ? FRONT_TOP + 76 : FRONT_TOP + 14,
                "start", 12, "fill=\"#555\"", title);
    }
    draw_series(out, points, count, 1, lo, hi, top_sum, SUM_COLOR);
    draw_series(out, points, count, 0, lo, hi, top_max, MAX_COLOR);
    y_axis(out, PLOT_LEFT, top_max, MAX_COLOR, 0, "worst segment error (max)");
    y_axis(out, PLOT_RIGHT, top_sum, SUM_COLOR, 1, "total error (sum)");
    x_axis(out, FRONT_BOTTOM, lo, hi, PLOT_LEFT, PLOT_RIGHT, 0.0);
    text_at(out, (PLOT_LEFT + PLOT_RIGHT) / 2, FRONT_BOTTOM + 40, "middle", 14,
            NULL, "budget B (model calls)");
    /* Legend, top right inside the plot. */
    fprintf(out,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"150\" height=\"48\" "
            "fill=\"white\" stroke=\"#999\"/>\n",
            PLOT_RIGHT - 160, FRONT_TOP + 10);
    fprintf(out,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"%s\" stroke-width=\"2\"/>\n",
            PLOT_RIGHT - 150, FRONT_TOP + 26, PLOT_RIGHT - 125, FRONT_TOP + 26,
            MAX_COLOR);
    text_at(out, PLOT_RIGHT - 118, FRONT_TOP + 30, "start", 12, NULL,
            "max (left axis)");
    fprintf(out,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"%s\" stroke-width=\"2\"/>\n",
            PLOT_RIGHT - 150, FRONT_TOP + 46, PLOT_RIGHT - 125, FRONT_TOP + 46,
            SUM_COLOR);
    text_at(out, PLOT_RIGHT - 118, FRONT_TOP + 50, "start", 12, NULL,
            "sum (right axis)");
    free(points);
    return 0;
}

static void
draw_schedule(FILE *out, const lemica_schedule *schedule,
              const lemica_graph *graph, double max_weight)
{
    int num_steps = lemica_schedule_num_steps(schedule);
    int max_skip = lemica_graph_max_skip(graph);
    double width = (PLOT_RIGHT - PLOT_LEFT) / num_steps;
    double row_top = SCHED_BOTTOM - 18;
    int previous = -1;
    char title[160];
    char color[8];
    double worst = 0.0;

    if (lemica_schedule_has_costs(schedule))
        lemica_schedule_max_cost(schedule, &worst);
    snprintf(title, sizeof(title),
             "Schedule: %d of %d steps call the model (worst segment error "
             "%.3g)",
             lemica_schedule_budget(schedule), num_steps, worst);
    text_at(out, PLOT_LEFT, SCHED_TITLE, "start", 16, "font-weight=\"bold\"",
            title);
    for (int step = 0; step < num_steps; step++) {
        int compute = lemica_schedule_should_compute(schedule, step) == 1;

        fprintf(out,
                "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"18\" "
                "fill=\"%s\" stroke=\"#999\" stroke-width=\"0.5\"/>\n",
                PLOT_LEFT + step * width, row_top, width,
                compute ? "#222" : "#fff");
        if (!compute)
            continue;
        if (previous >= 0 && step - previous > 1) {
            double weight = weight_or_nan(graph, previous, step);
            double x1 = PLOT_LEFT + (previous + 0.5) * width;
            double x2 = PLOT_LEFT + (step + 0.5) * width;
            double lift = 20 + 50.0 * (step - previous) / max_skip;

            color_of(max_weight > 0.0 && !isnan(weight) ? weight / max_weight
                                                        : 0.0,
                     color);
            fprintf(out,
                    "<path d=\"M %.1f %.1f Q %.1f %.1f %.1f %.1f\" "
                    "fill=\"none\" stroke=\"%s\" stroke-width=\"3\">"
                    "<title>(%d, %d): %.6g</title></path>\n",
                    x1, row_top, (x1 + x2) / 2, row_top - 2 * lift, x2, row_top,
                    color, previous, step, weight);
        }
        previous = step;
    }
    x_axis(out, SCHED_BOTTOM, 0, num_steps - 1, PLOT_LEFT, PLOT_RIGHT, 0.5);
    text_at(out, (PLOT_LEFT + PLOT_RIGHT) / 2, SCHED_BOTTOM + 40, "middle", 14,
            NULL,
            "step (dark: model call; arcs: cached segments, colored by "
            "error as above)");
}

/* Returns -1 to go on, or an exit status. */
static int
parse_settings(int argc, char **argv, struct plot_settings *settings)
{
    struct lemica_cli_args args = {.argc = argc,
                                   .argv = argv,
                                   .command = "plot",
                                   .options = plot_options,
                                   .operands = &settings->path,
                                   .max_operands = 1};
    enum lemica_cli_arg_kind kind;
    const char *value;
    int id = 0;

    while ((kind = lemica_cli_next_option(&args, &id, &value)) ==
           LEMICA_CLI_ARG_OPTION) {
        switch (id) {
        case OPTION_BUDGET:
            if (lemica_cli_parse_option_count("plot", "--budget", value, 2,
                                              &settings->budget) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_SCHEDULE:
            settings->schedule_path = value;
            break;
        case OPTION_COMPARATOR:
            if (lemica_cli_parse_comparator("plot", value,
                                            &settings->comparator) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_MAX_SKIP:
            if (lemica_cli_parse_option_count("plot", "--max-skip", value, 1,
                                              &settings->max_skip) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_NUM_STEPS:
            if (lemica_cli_parse_option_count("plot", "--num-steps", value, 2,
                                              &settings->num_steps) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_OUTPUT:
            settings->output = value;
            break;
        default:
            lemica_cli_plot_usage(stdout);
            return lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
        }
    }
    if (kind == LEMICA_CLI_ARG_ERROR)
        return LEMICA_CLI_EXIT_USAGE;
    if (settings->budget > 0 && settings->schedule_path)
        return lemica_cli_usage_error(
            "plot", "--budget and --schedule exclude each other");
    if (!settings->path)
        return lemica_cli_usage_error("plot", "GRAPH is missing");
    return -1;
}

/* The schedule to draw: the --schedule file evaluated on the graph, or the
 * frontier's schedule for the budget. Returns a copy the caller frees. */
static lemica_schedule *
chosen_schedule(const struct plot_settings *settings, const lemica_graph *graph,
                const lemica_frontier *frontier)
{
    const lemica_schedule *found = NULL;
    lemica_schedule *schedule = NULL;
    int budget = settings->budget;

    if (settings->schedule_path) {
        if (lemica_cli_load_schedule(settings->schedule_path,
                                     lemica_graph_num_steps(graph), NULL,
                                     &schedule) != 0)
            return NULL;
        if (lemica_schedule_evaluate(schedule, graph) != LEMICA_OK) {
            lemica_cli_error("%s", lemica_last_error_message());
            lemica_schedule_free(schedule);
            return NULL;
        }
        return schedule;
    }
    if (budget == 0) {
        const lemica_schedule *middle = NULL;

        lemica_frontier_get(frontier, lemica_frontier_count(frontier) / 2,
                            &middle);
        budget = lemica_schedule_budget(middle);
    }
    if (lemica_frontier_find(frontier, budget, &found) != LEMICA_OK) {
        lemica_cli_error("%s: budget %d is infeasible", settings->path, budget);
        return NULL;
    }
    if (lemica_schedule_copy(found, &schedule) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        return NULL;
    }
    return schedule;
}

int
lemica_cli_plot(int argc, char **argv)
{
    struct plot_settings settings = {
        NULL, NULL, NULL, 0, 0, 0, LEMICA_COMPARATOR_LEXMAX};
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    lemica_frontier *frontier = NULL;
    lemica_schedule *schedule = NULL;
    double max_weight = 0.0;
    FILE *out = stdout;
    int status = parse_settings(argc, argv, &settings);
    int exit_status = LEMICA_CLI_EXIT_INPUT;

    if (status >= 0)
        return status;
    if (lemica_cli_load_graph(settings.path, settings.num_steps,
                              settings.max_skip, NULL, &graph) != 0)
        return LEMICA_CLI_EXIT_INPUT;
    if ((size_t)lemica_graph_num_steps(graph) *
            (size_t)lemica_graph_max_skip(graph) >
        PLOT_MAX_CELLS) {
        lemica_cli_error("%s: %d steps with max skip %d is too large to "
                         "plot (at most %d edge cells); lower --max-skip",
                         settings.path, lemica_graph_num_steps(graph),
                         lemica_graph_max_skip(graph), PLOT_MAX_CELLS);
        goto out;
    }
    if (lemica_solver_new(&solver) != LEMICA_OK ||
        lemica_solver_set_comparator(solver, settings.comparator) !=
            LEMICA_OK ||
        lemica_solver_set_max_skip(solver, settings.max_skip) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    if (lemica_solver_solve_frontier(solver, graph, &frontier) != LEMICA_OK) {
        lemica_cli_error("%s: %s", settings.path, lemica_last_error_message());
        goto out;
    }
    schedule = chosen_schedule(&settings, graph, frontier);
    if (!schedule)
        goto out;
    for (int from = 0; from < lemica_graph_num_steps(graph); from++)
        for (int to = from + 1; to < lemica_graph_num_steps(graph) &&
                                to - from <= lemica_graph_max_skip(graph);
             to++) {
            double weight = weight_or_nan(graph, from, to);

            if (!isnan(weight) && weight > max_weight)
                max_weight = weight;
        }
    if (settings.output) {
        /* Drawn into an anonymous file first, then saved by the library's
         * save rule (atomic replacement, devices written straight). */
        out = tmpfile();
        if (!out) {
            lemica_cli_error("%s: cannot create a temporary file: %s",
                             settings.output, strerror(errno));
            goto out;
        }
    }
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
            "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            PAGE_WIDTH, PAGE_HEIGHT, PAGE_WIDTH, PAGE_HEIGHT);
    draw_heatmap(out, graph, max_weight);
    if (draw_frontier(out, frontier, lemica_schedule_budget(schedule)) != 0)
        goto out;
    draw_schedule(out, schedule, graph, max_weight);
    fputs("</svg>\n", out);
    if (out != stdout) {
        int saved = lemica_cli_save_stream(out, settings.output);

        out = stdout;
        if (saved != 0)
            goto out;
    }
    exit_status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
out:
    if (out != stdout)
        fclose(out);
    lemica_schedule_free(schedule);
    lemica_frontier_free(frontier);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    return exit_status;
}
