/* SPDX-License-Identifier: MIT */
/* The trained DiT (dit.h) behind the model interface. The sampler keeps
 * its states in double; the network runs in float32, so values are
 * converted at this boundary. dit.h lays a call's rows out branch-major
 * (all conditional rows, then all unconditional ones); the sampler keeps
 * each sample's rows together, so residuals are reordered here. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dit-classifier.h"
#include "dit.h"
#include "net.h"

/* Images per call of the network: large enough for efficient matrix
 * products, small enough that the work buffers stay in cache sizes. */
#define DIT_CHUNK 128
/* Threads a large batch is split over (dit.h: one context per thread,
 * shared weights), and the fewest images worth a second thread. */
#define DIT_WORKERS TESTBED_DIT_MAX_THREADS
#define DIT_MIN_PER_WORKER 8

struct dit_worker {
    testbed_dit_context *context;
    float *x, *t, *v, *residual, *modulated;
    int *classes;
};

struct dit_net {
    testbed_dit *dit;
    testbed_dit_classifier *classifier;
    float guidance;
    int rows; /* rows per image: 2 with CFG, 1 without */
    size_t row_size;
    int workers;
    struct dit_worker worker[DIT_WORKERS];
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
rows_to_samples(const struct dit_net *d, int batch, const float *in, float *out)
{
    for (int b = 0; b < d->rows; b++)
        for (int i = 0; i < batch; i++)
            memcpy(out + ((size_t)i * d->rows + b) * d->row_size,
                   in + ((size_t)b * batch + i) * d->row_size,
                   d->row_size * sizeof(float));
}

static void
samples_to_rows(const struct dit_net *d, int batch, const float *in, float *out)
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
dit_chunk(struct testbed_net *net, struct dit_worker *w, int mode, int batch,
          const double *x, const int *classes, double t, const float *cached,
          double *velocity, float *residual, double *signal)
{
    struct dit_net *d = net->impl;
    size_t pixels = (size_t)net->pixels;
    size_t per_sample = (size_t)d->rows * d->row_size;
    float *sample_rows = w->modulated + (size_t)batch * per_sample;
    int rc;

    to_float(x, w->x, (size_t)batch * pixels);
    for (int i = 0; i < batch; i++)
        w->t[i] = (float)t;
    memcpy(w->classes, classes, (size_t)batch * sizeof(int));
    if (mode == 2) {
        rc = testbed_dit_modulated_input(w->context, batch, w->x, w->t,
                                         w->classes, d->guidance, w->modulated);
    } else {
        if (mode == 1)
            samples_to_rows(d, batch, cached, w->residual);
        rc = testbed_dit_velocity(w->context, batch, w->x, w->t, w->classes,
                                  d->guidance, mode == 1 ? w->residual : NULL,
                                  mode == 0 && residual ? w->residual : NULL,
                                  signal ? w->modulated : NULL, w->v);
    }
    if (rc != 0)
        return -1;
    if (velocity)
        to_double(w->v, velocity, (size_t)batch * pixels);
    if (mode == 0 && residual)
        rows_to_samples(d, batch, w->residual, residual);
    if (signal) {
        rows_to_samples(d, batch, w->modulated, sample_rows);
        to_double(sample_rows, signal, (size_t)batch * per_sample);
    }
    return 0;
}

struct dit_job {
    struct testbed_net *net;
    struct dit_worker *worker;
    int mode;
    size_t first, count;
    const double *x;
    const int *classes;
    double t;
    const float *cached;
    double *velocity, *signal;
    float *residual;
    int result;
};

/* Images first .. first + count - 1, chunk by chunk, on one worker. */
static void *
dit_job_run(void *argument)
{
    struct dit_job *job = argument;
    struct testbed_net *net = job->net;
    size_t pixels = (size_t)net->pixels;
    size_t per_sample = net->residual_size;

    job->result = 0;
    for (size_t done = job->first; done < job->first + job->count;
         done += DIT_CHUNK) {
        size_t left = job->first + job->count - done;
        int batch = (int)(left < DIT_CHUNK ? left : DIT_CHUNK);

        if (dit_chunk(net, job->worker, job->mode, batch,
                      job->x + done * pixels, job->classes + done, job->t,
                      job->cached ? job->cached + done * per_sample : NULL,
                      job->velocity ? job->velocity + done * pixels : NULL,
                      job->residual ? job->residual + done * per_sample : NULL,
                      job->signal ? job->signal + done * per_sample : NULL) !=
            0) {
            job->result = -1;
            break;
        }
    }
    return NULL;
}

/* Split the batch over the workers; the caller's thread runs the first
 * share. Every image is computed on its own, so the split does not change
 * the results. */
static int
dit_run(struct testbed_net *net, int mode, size_t count, const double *x,
        const int *classes, double t, const float *cached, double *velocity,
        float *residual, double *signal)
{
    struct dit_net *d = net->impl;
    struct dit_job jobs[DIT_WORKERS];
    pthread_t threads[DIT_WORKERS];
    int started[DIT_WORKERS] = {0};
    int workers = d->workers, result = 0;
    size_t first = 0;

    if ((size_t)workers * DIT_MIN_PER_WORKER > count)
        workers = 1;
    for (int k = 0; k < workers; k++) {
        size_t share =
            count / (size_t)workers + ((size_t)k < count % (size_t)workers);

        jobs[k] = (struct dit_job){
            net, &d->worker[k], mode,     first,  share,    x, classes,
            t,   cached,        velocity, signal, residual, 0};
        first += share;
    }
    for (int k = 1; k < workers; k++)
        started[k] =
            pthread_create(&threads[k], NULL, dit_job_run, &jobs[k]) == 0;
    dit_job_run(&jobs[0]);
    for (int k = 1; k < workers; k++) {
        /* A thread that could not start runs here instead. */
        if (started[k])
            pthread_join(threads[k], NULL);
        else
            dit_job_run(&jobs[k]);
    }
    for (int k = 0; k < workers; k++)
        if (jobs[k].result != 0)
            result = -1;
    return result;
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

        to_float(x + done * pixels, d->worker[0].x, (size_t)batch * pixels);
        if (testbed_dit_classifier_predict(d->classifier, batch, d->worker[0].x,
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
    for (int k = 0; k < DIT_WORKERS; k++) {
        struct dit_worker *w = &d->worker[k];

        testbed_dit_context_free(w->context);
        free(w->x);
        free(w->t);
        free(w->v);
        free(w->residual);
        free(w->modulated);
        free(w->classes);
    }
    testbed_dit_classifier_free(d->classifier);
    testbed_dit_free(d->dit);
    free(d);
}

static const struct testbed_net_ops dit_ops = {
    dit_velocity, dit_velocity_from_residual, dit_signal, dit_classify,
    dit_destroy,
};

int
testbed_net_new_dit(const char *weights, const char *classifier,
                    double guidance, int threads, struct testbed_net **out,
                    char *error, size_t error_size)
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
    d->guidance = (float)guidance;
    d->rows = testbed_dit_rows(1, d->guidance);
    d->row_size = testbed_dit_row_size(d->dit);
    d->workers = threads < 1             ? 1
                 : threads > DIT_WORKERS ? DIT_WORKERS
                                         : threads;
    pixels = (size_t)testbed_dit_pixels(d->dit);
    rows_max = (size_t)DIT_CHUNK * (size_t)d->rows * d->row_size;
    for (int k = 0; k < d->workers; k++) {
        struct dit_worker *w = &d->worker[k];

        w->x = malloc(DIT_CHUNK * pixels * sizeof(float));
        w->t = malloc(DIT_CHUNK * sizeof(float));
        w->v = malloc(DIT_CHUNK * pixels * sizeof(float));
        w->residual = malloc(rows_max * sizeof(float));
        /* Twice: dit.h's row order, then the samples' order. */
        w->modulated = malloc(2 * rows_max * sizeof(float));
        w->classes = malloc(DIT_CHUNK * sizeof(int));
        if (testbed_dit_context_new(d->dit, DIT_CHUNK, &w->context) != 0 ||
            !w->x || !w->t || !w->v || !w->residual || !w->modulated ||
            !w->classes) {
            snprintf(error, error_size, "out of memory");
            goto fail;
        }
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
