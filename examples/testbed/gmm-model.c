/* SPDX-License-Identifier: MIT */
/* A Gaussian mixture over 16x16 images and its exact flow-matching
 * velocity. Every component k is N(mu_k, s^2 I). Under the flow
 * x_t = (1 - t) x0 + t eps, given k, x_t ~ N(a mu_k, v I) with a = 1 - t and
 * v = a^2 s^2 + t^2, and (x0, eps, x_t) are jointly Gaussian, so
 *   E[x0 | x_t, k]  = mu_k + (a s^2 / v) (x_t - a mu_k)
 *   E[eps | x_t, k] = (t / v) (x_t - a mu_k)
 * and the velocity E[eps - x0 | x_t] is the posterior-weighted sum
 *   c x_t - (c a + 1) sum_k w_k mu_k,   c = (t - a s^2) / v,
 * with w_k the softmax of -|x_t - a mu_k|^2 / (2 v): the components share
 * one variance, so the normalising constants cancel. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "gmm-model.h"

struct testbed_model {
    int prototypes_per_class;
    int num_components;
    double sigma_data;
    double guidance;
    double *prototypes;   /* num_components * TESTBED_PIXELS */
    double *log_weights;  /* scratch, num_components */
    double *mean_scratch; /* scratch, TESTBED_PIXELS */
    double *cond_scratch; /* scratch for guidance, TESTBED_PIXELS */
};

static const char *const class_names[TESTBED_NUM_CLASSES] = {
    "disc",
    "ring",
    "bar",
    "cross",
};

/* The prototypes must be the same on every machine, so they come from a
 * fixed-sequence generator rather than rand(). */
static uint64_t
shape_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double
shape_uniform(uint64_t *state, double low, double high)
{
    double unit = (double)(shape_random(state) >> 11) * 0x1.0p-53;

    return low + (high - low) * unit;
}

struct shape {
    int kind;
    double cx, cy;
    double radius;    /* disc, ring outer radius, half length of bar/arms */
    double thickness; /* ring, bar, cross */
    double angle;     /* bar, cross */
};

static int
shape_contains(const struct shape *shape, double x, double y)
{
    double dx = x - shape->cx, dy = y - shape->cy;
    double dist = sqrt(dx * dx + dy * dy);
    double along = dx * cos(shape->angle) + dy * sin(shape->angle);
    double across = -dx * sin(shape->angle) + dy * cos(shape->angle);
    double half = shape->thickness / 2.0;

    switch (shape->kind) {
    case 0:
        return dist <= shape->radius;
    case 1:
        return dist <= shape->radius &&
               dist >= shape->radius - shape->thickness;
    case 2:
        return fabs(along) <= shape->radius && fabs(across) <= half;
    default:
        return (fabs(along) <= shape->radius && fabs(across) <= half) ||
               (fabs(across) <= shape->radius && fabs(along) <= half);
    }
}

static void
shape_draw(const struct shape *shape, double *image)
{
    /* 4x4 supersampling gives soft edges, so that prototypes at nearby
     * positions differ by degrees and not only by whole pixels. */
    enum { SUB = 4 };

    for (int py = 0; py < TESTBED_SIDE; py++)
        for (int px = 0; px < TESTBED_SIDE; px++) {
            int hits = 0;

            for (int sy = 0; sy < SUB; sy++)
                for (int sx = 0; sx < SUB; sx++)
                    hits += shape_contains(shape, px + (sx + 0.5) / SUB,
                                           py + (sy + 0.5) / SUB);
            image[py * TESTBED_SIDE + px] =
                -1.0 + 2.0 * (double)hits / (SUB * SUB);
        }
}

static void
shape_pick(int kind, uint64_t *state, struct shape *shape)
{
    const double pi = 3.14159265358979323846;
    double margin;

    shape->kind = kind;
    shape->angle = 0.0;
    shape->thickness = 0.0;
    switch (kind) {
    case 0:
        shape->radius = shape_uniform(state, 2.5, 5.0);
        break;
    case 1:
        shape->radius = shape_uniform(state, 3.5, 6.5);
        shape->thickness = shape_uniform(state, 1.3, 2.2);
        break;
    case 2:
        shape->radius = shape_uniform(state, 4.0, 6.5);
        shape->thickness = shape_uniform(state, 2.0, 3.5);
        shape->angle = (double)(shape_random(state) % 4) * pi / 4.0;
        break;
    default:
        shape->radius = shape_uniform(state, 3.5, 6.0);
        shape->thickness = shape_uniform(state, 1.8, 3.0);
        shape->angle = (double)(shape_random(state) % 2) * pi / 4.0;
        break;
    }
    /* Keep the whole shape inside the image. */
    margin = shape->radius + 0.5;
    if (kind >= 2)
        margin = shape->radius * (shape->angle == 0.0 ? 1.0 : 0.75) + 1.5;
    if (margin > TESTBED_SIDE / 2.0 - 0.5)
        margin = TESTBED_SIDE / 2.0 - 0.5;
    shape->cx = shape_uniform(state, margin, TESTBED_SIDE - margin);
    shape->cy = shape_uniform(state, margin, TESTBED_SIDE - margin);
}

int
testbed_model_new(int prototypes_per_class, double sigma_data,
                  testbed_model **out)
{
    testbed_model *model;
    uint64_t state = 0x4c654d6943615442ull;

    if (!out)
        return -1;
    *out = NULL;
    if (prototypes_per_class < 1 || prototypes_per_class > 4096 ||
        !(sigma_data > 0.0) || !isfinite(sigma_data))
        return -1;
    model = calloc(1, sizeof(*model));
    if (!model)
        return -1;
    model->prototypes_per_class = prototypes_per_class;
    model->num_components = prototypes_per_class * TESTBED_NUM_CLASSES;
    model->sigma_data = sigma_data;
    model->guidance = 1.0;
    model->prototypes =
        malloc((size_t)model->num_components * TESTBED_PIXELS * sizeof(double));
    model->log_weights = malloc((size_t)model->num_components * sizeof(double));
    model->mean_scratch = malloc(TESTBED_PIXELS * sizeof(double));
    model->cond_scratch = malloc(TESTBED_PIXELS * sizeof(double));
    if (!model->prototypes || !model->log_weights || !model->mean_scratch ||
        !model->cond_scratch) {
        testbed_model_free(model);
        return -1;
    }
    for (int c = 0; c < TESTBED_NUM_CLASSES; c++)
        for (int p = 0; p < prototypes_per_class; p++) {
            struct shape shape;
            int index = c * prototypes_per_class + p;

            shape_pick(c, &state, &shape);
            shape_draw(&shape,
                       model->prototypes + (size_t)index * TESTBED_PIXELS);
        }
    *out = model;
    return 0;
}

void
testbed_model_free(testbed_model *model)
{
    if (!model)
        return;
    free(model->prototypes);
    free(model->log_weights);
    free(model->mean_scratch);
    free(model->cond_scratch);
    free(model);
}

const char *
testbed_class_name(int class_id)
{
    if (class_id < 0 || class_id >= TESTBED_NUM_CLASSES)
        return "all";
    return class_names[class_id];
}

int
testbed_model_num_components(const testbed_model *model)
{
    return model->num_components;
}

double
testbed_model_sigma_data(const testbed_model *model)
{
    return model->sigma_data;
}

const double *
testbed_model_prototype(const testbed_model *model, int index)
{
    return model->prototypes + (size_t)index * TESTBED_PIXELS;
}

void
testbed_model_set_guidance(testbed_model *model, double guidance)
{
    model->guidance = guidance;
}

double
testbed_model_guidance(const testbed_model *model)
{
    return model->guidance;
}

/* The velocity of the components first .. first + count - 1. */
static void
mixture_velocity(testbed_model *model, int first, int count, const double *x,
                 double t, double *velocity)
{
    double a = 1.0 - t;
    double s2 = model->sigma_data * model->sigma_data;
    double v = a * a * s2 + t * t;
    double c = (t - a * s2) / v;
    double largest = -(double)INFINITY, total = 0.0;
    double *mean = model->mean_scratch;

    for (int k = 0; k < count; k++) {
        const double *mu = testbed_model_prototype(model, first + k);
        double dist2 = 0.0;

        for (int d = 0; d < TESTBED_PIXELS; d++) {
            double diff = x[d] - a * mu[d];

            dist2 += diff * diff;
        }
        model->log_weights[k] = -dist2 / (2.0 * v);
        if (model->log_weights[k] > largest)
            largest = model->log_weights[k];
    }
    /* Log-sum-exp: near t = 0 the exponents reach -1e4 and would all
     * underflow without the shift by the largest. */
    for (int k = 0; k < count; k++) {
        model->log_weights[k] = exp(model->log_weights[k] - largest);
        total += model->log_weights[k];
    }
    for (int d = 0; d < TESTBED_PIXELS; d++)
        mean[d] = 0.0;
    for (int k = 0; k < count; k++) {
        const double *mu = testbed_model_prototype(model, first + k);
        double weight = model->log_weights[k] / total;

        /* Late in sampling the posterior is one component; skipping the
         * weights that underflowed to zero saves work without changing a
         * bit of the result. */
        if (weight == 0.0)
            continue;
        for (int d = 0; d < TESTBED_PIXELS; d++)
            mean[d] += weight * mu[d];
    }
    for (int d = 0; d < TESTBED_PIXELS; d++)
        velocity[d] = c * x[d] - (c * a + 1.0) * mean[d];
}

void
testbed_model_velocity(testbed_model *model, int class_id, const double *x,
                       double t, double *velocity)
{
    int per_class = model->prototypes_per_class;

    if (class_id < 0 || class_id >= TESTBED_NUM_CLASSES) {
        mixture_velocity(model, 0, model->num_components, x, t, velocity);
        return;
    }
    mixture_velocity(model, class_id * per_class, per_class, x, t, velocity);
    if (model->guidance == 1.0)
        return;
    for (int d = 0; d < TESTBED_PIXELS; d++)
        model->cond_scratch[d] = velocity[d];
    mixture_velocity(model, 0, model->num_components, x, t, velocity);
    for (int d = 0; d < TESTBED_PIXELS; d++)
        velocity[d] += model->guidance * (model->cond_scratch[d] - velocity[d]);
}
