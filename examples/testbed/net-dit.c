/* SPDX-License-Identifier: MIT */
/* The trained DiT (dit.h) behind the model interface. The sampler keeps
 * its states in double; the network runs in float32, so values are
 * converted at this boundary. dit.h lays a call's rows out branch-major
 * (all conditional rows, then all unconditional ones); the sampler keeps
 * each sample's rows together, so residuals are reordered here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dit-classifier.h"
#include "dit.h"
#include "net.h"

/* Images per call of the network: large enough for efficient matrix
 * products, small enough that the work buffers stay in cache sizes. */
#define DIT_CHUNK 128

struct dit_net {
    testbed_dit *dit;
    testbed_dit_classifier *classifier;
    testbed_dit_context *context;
    float guidance;
    int rows;       /* rows per image: 2 with CFG, 1 without */
    size_t row_size;
    float *x, *t, *v, *residual, *modulated;
    int *classes;
};

static void
to_float(const double *in, float *out, size_t count)
{
    for (size_t i = 0; i < count; i++)
        out[i] = (float)in[i];
}

static void
to_double(const float *in, double *out, size_t count)
{
    for (size_t i = 0; i < count; i++)
        out[i] = (double)in[i];
}

/* Between dit.h's [branch][image][row] and the sampler's
 * [image][branch][row] for @batch images. */
static void
rows_to_samples(const struct dit_net *d, int batch, const float *in,
                float *out)
{
    for (int b = 0; b < d->rows; b++)
        for (int i = 0; i < batch; i++)
            memcpy(out + ((size_t)i * d->rows + b) * d->row_size,
                   in + ((size_t)b * batch + i) * d->row_size,
                   d->row_size * sizeof(float));
}

static void
samples_to_rows(const struct dit_net *d, int batch, const float *in,
                float *out)
{
    for (int b = 0; b < d->rows; b++)
        for (int i = 0; i < batch; i++)
            memcpy(out + ((size_t)b * batch + i) * d->row_size,
                   in + ((size_t)i * d->rows + b) * d->row_size,
                   d->row_size * sizeof(float));
}

/* One chunk: convert, run, convert back. @mode 0 = full call, 1 = from a
 * cached residual, 2 = signal only. */
static int
dit_chunk(struct testbed_net *net, int mode, int batch, const double *x,
          const int *classes, double t, const float *cached, double *velocity,
          float *residual, double *signal)
{
    struct dit_net *d = net->impl;
    size_t pixels = (size_t)net->pixels;
    size_t per_sample = (size_t)d->rows * d->row_size;
    float *sample_rows = d->modulated + (size_t)batch * per_sample;
    int rc;

    to_float(x, d->x, (size_t)batch * pixels);
    for (int i = 0; i < batch; i++)
        d->t[i] = (float)t;
    memcpy(d->classes, classes, (size_t)batch * sizeof(int));
    if (mode == 2) {
        rc = testbed_dit_modulated_input(d->context, batch, d->x, d->t,
                                         d->classes, d->guidance,
                                         d->modulated);
    } else {
        if (mode == 1)
            samples_to_rows(d, batch, cached, d->residual);
        rc = testbed_dit_velocity(d->context, batch, d->x, d->t, d->classes,
                                  d->guidance, mode == 1 ? d->residual : NULL,
                                  mode == 0 && residual ? d->residual : NULL,
                                  signal ? d->modulated : NULL, d->v);
    }
    if (rc != 0)
        return -1;
    if (velocity)
        to_double(d->v, velocity, (size_t)batch * pixels);
    if (mode == 0 && residual)
        rows_to_samples(d, batch, d->residual, residual);
    if (signal) {
        rows_to_samples(d, batch, d->modulated, sample_rows);
        to_double(sample_rows, signal, (size_t)batch * per_sample);
    }
    return 0;
}

static int
dit_run(struct testbed_net *net, int mode, size_t count, const double *x,
        const int *classes, double t, const float *cached, double *velocity,
        float *residual, double *signal)
{
    size_t pixels = (size_t)net->pixels;
    size_t per_sample = net->residual_size;

    for (size_t done = 0; done < count; done += DIT_CHUNK) {
        int batch = (int)(count - done < DIT_CHUNK ? count - done : DIT_CHUNK);

        if (dit_chunk(net, mode, batch, x + done * pixels, classes + done, t,
                      cached ? cached + done * per_sample : NULL,
                      velocity ? velocity + done * pixels : NULL,
                      residual ? residual + done * per_sample : NULL,
                      signal ? signal + done * per_sample : NULL) != 0)
            return -1;
    }
    return 0;
}

static int
dit_velocity(struct testbed_net *net, size_t count, const double *x,
             const int *classes, double t, double *velocity, float *residual,
             double *signal)
{
    return dit_run(net, 0, count, x, classes, t, NULL, velocity, residual,
                   signal);
}

static int
dit_velocity_from_residual(struct testbed_net *net, size_t count,
                           const double *x, const int *classes, double t,
                           const float *residual, double *velocity)
{
    return dit_run(net, 1, count, x, classes, t, residual, velocity, NULL,
                   NULL);
}

static int
dit_signal(struct testbed_net *net, size_t count, const double *x,
           const int *classes, double t, double *signal)
{
    return dit_run(net, 2, count, x, classes, t, NULL, NULL, NULL, signal);
}

static int
dit_classify(struct testbed_net *net, size_t count, const double *x,
             int *classes)
{
    struct dit_net *d = net->impl;
    size_t pixels = (size_t)net->pixels;

    for (size_t done = 0; done < count; done += DIT_CHUNK) {
        int batch = (int)(count - done < DIT_CHUNK ? count - done : DIT_CHUNK);

        to_float(x + done * pixels, d->x, (size_t)batch * pixels);
        if (testbed_dit_classifier_predict(d->classifier, batch, d->x,
                                           classes + done, NULL) != 0)
            return -1;
    }
    return 0;
}

static void
dit_destroy(struct testbed_net *net)
{
    struct dit_net *d = net->impl;

    if (!d)
        return;
    testbed_dit_context_free(d->context);
    testbed_dit_classifier_free(d->classifier);
    testbed_dit_free(d->dit);
    free(d->x);
    free(d->t);
    free(d->v);
    free(d->residual);
    free(d->modulated);
    free(d->classes);
    free(d);
}

static const struct testbed_net_ops dit_ops = {
    dit_velocity, dit_velocity_from_residual, dit_signal, dit_classify,
    dit_destroy,
};

int
testbed_net_new_dit(const char *weights, const char *classifier,
                    double guidance, struct testbed_net **out, char *error,
                    size_t error_size)
{
    struct testbed_net *net = calloc(1, sizeof(*net));
    struct dit_net *d = calloc(1, sizeof(*d));
    size_t pixels, rows_max;

    *out = NULL;
    if (!net || !d) {
        snprintf(error, error_size, "out of memory");
        goto fail;
    }
    net->ops = &dit_ops;
    net->impl = d;
    if (testbed_dit_load(weights, &d->dit, error, error_size) != 0 ||
        testbed_dit_classifier_load(classifier, &d->classifier, error,
                                    error_size) != 0)
        goto fail;
    if (testbed_dit_context_new(d->dit, DIT_CHUNK, &d->context) != 0) {
        snprintf(error, error_size, "out of memory");
        goto fail;
    }
    d->guidance = (float)guidance;
    d->rows = testbed_dit_rows(1, d->guidance);
    d->row_size = testbed_dit_row_size(d->dit);
    pixels = (size_t)testbed_dit_pixels(d->dit);
    rows_max = (size_t)DIT_CHUNK * (size_t)d->rows * d->row_size;
    d->x = malloc(DIT_CHUNK * pixels * sizeof(float));
    d->t = malloc(DIT_CHUNK * sizeof(float));
    d->v = malloc(DIT_CHUNK * pixels * sizeof(float));
    d->residual = malloc(rows_max * sizeof(float));
    /* Twice: dit.h's row order, then the samples' order. */
    d->modulated = malloc(2 * rows_max * sizeof(float));
    d->classes = malloc(DIT_CHUNK * sizeof(int));
    if (!d->x || !d->t || !d->v || !d->residual || !d->modulated ||
        !d->classes) {
        snprintf(error, error_size, "out of memory");
        goto fail;
    }
    net->name = "dit";
    net->pixels = (int)pixels;
    net->side = testbed_dit_image_side(d->dit);
    net->num_classes = testbed_dit_num_classes(d->dit);
    net->signal_size = (size_t)d->rows * d->row_size;
    net->residual_size = (size_t)d->rows * d->row_size;
    net->residual_token_dim = (size_t)testbed_dit_dim(d->dit);
    *out = net;
    return 0;

fail:
    if (net && d)
        dit_destroy(net);
    else
        free(d);
    free(net);
    return -1;
}
