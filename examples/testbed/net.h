/* SPDX-License-Identifier: MIT */
/* The test bed's model interface: what the sampler, the profiler loop, the
 * baselines and the demo need from a denoising network, whatever it is.
 * Two implementations: the closed-form Gaussian mixture (gmm-model.h, in
 * double) and the trained DiT (dit.h, in float32). Every entry point is
 * batched: @count samples at the same time t, each with its own class. */
#ifndef TESTBED_NET_H
#define TESTBED_NET_H

#include <stddef.h>

#include "gmm-model.h"

struct testbed_net;

struct testbed_net_ops {
    /* The guided velocity of @count samples at time @t: @x and @velocity
     * hold count * pixels values. @residual, if not NULL, receives the
     * block stack's output minus its input per CFG branch
     * (count * residual_size floats); @signal, if not NULL, TeaCache's
     * signal (count * signal_size values). Returns 0 or -1. */
    int (*velocity)(struct testbed_net *net, size_t count, const double *x,
                    const int *classes, double t, double *velocity,
                    float *residual, double *signal);
    /* The velocity at a skipped step of residual reuse: embeddings, the
     * cached block-stack residual, final layer, CFG. NULL when the model
     * has no residual to reuse. */
    int (*velocity_from_residual)(struct testbed_net *net, size_t count,
                                  const double *x, const int *classes, double t,
                                  const float *residual, double *velocity);
    /* TeaCache's signal alone, the cheap head of a forward pass. */
    int (*signal)(struct testbed_net *net, size_t count, const double *x,
                  const int *classes, double t, double *signal);
    /* The class a classifier sees in each of @count samples. */
    int (*classify)(struct testbed_net *net, size_t count, const double *x,
                    int *classes);
    void (*destroy)(struct testbed_net *net);
};

struct testbed_net {
    const struct testbed_net_ops *ops;
    const char *name;
    int pixels; /* values per sample, a side x side image */
    int side;
    int num_classes;      /* the classes that play the part of prompts */
    size_t signal_size;   /* values per sample of TeaCache's signal */
    size_t residual_size; /* floats per sample of the residual; 0: none */
    /* The residual is residual_size / residual_token_dim vectors (tokens of
     * both CFG branches) of residual_token_dim floats: MagCache's
     * magnitude is the mean over them of their L2 norms' ratio. */
    size_t residual_token_dim;
    void *impl;
};

/* Wrap a Gaussian mixture (not owned: free it after the net). Its signal
 * is the model input x_t itself, the only thing it has, and it has no
 * residual: output reuse only. The classifier is the class of the
 * nearest prototype. Returns 0 or -1. */
int testbed_net_new_gmm(testbed_model *gmm, struct testbed_net **out);

/* The most threads the DiT splits a batch over. */
#define TESTBED_DIT_MAX_THREADS 8

/* Load the trained DiT from @weights and its classifier from
 * @classifier, with guidance scale @guidance; batches of at least 8
 * images per thread run on @threads threads (1 .. 8). On failure writes
 * a reason to @error (size @error_size) and returns -1. */
int testbed_net_new_dit(const char *weights, const char *classifier,
                        double guidance, int threads, struct testbed_net **out,
                        char *error, size_t error_size);

void testbed_net_free(struct testbed_net *net);

const char *testbed_net_class_name(const struct testbed_net *net, int class_id);

#endif /* TESTBED_NET_H */
