/* SPDX-License-Identifier: MIT */
/* The Gaussian mixture behind the model interface: one closed-form call
 * per sample (a batch buys it nothing), in double. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

static int
gmm_velocity(struct testbed_net *net, size_t count, const double *x,
             const int *classes, double t, double *velocity, float *residual,
             double *signal)
{
    testbed_model *gmm = net->impl;

    (void)residual;
    for (size_t s = 0; s < count; s++)
        testbed_model_velocity(gmm, classes[s], x + s * TESTBED_PIXELS, t,
                               velocity + s * TESTBED_PIXELS);
    if (signal)
        memcpy(signal, x, count * TESTBED_PIXELS * sizeof(double));
    return 0;
}

static int
gmm_signal(struct testbed_net *net, size_t count, const double *x,
           const int *classes, double t, double *signal)
{
    (void)net;
    (void)classes;
    (void)t;
    memcpy(signal, x, count * TESTBED_PIXELS * sizeof(double));
    return 0;
}

static int
gmm_classify(struct testbed_net *net, size_t count, const double *x,
             int *classes)
{
    testbed_model *gmm = net->impl;
    int components = testbed_model_num_components(gmm);
    int per_class = components / TESTBED_NUM_CLASSES;

    for (size_t s = 0; s < count; s++) {
        double best = DBL_MAX;

        classes[s] = 0;
        for (int k = 0; k < components; k++) {
            const double *mu = testbed_model_prototype(gmm, k);
            double dist = 0.0;

            for (int d = 0; d < TESTBED_PIXELS; d++) {
                double diff = x[s * TESTBED_PIXELS + d] - mu[d];

                dist += diff * diff;
            }
            if (dist < best) {
                best = dist;
                classes[s] = k / per_class;
            }
        }
    }
    return 0;
}

static void
gmm_destroy(struct testbed_net *net)
{
    (void)net;
}

static const struct testbed_net_ops gmm_ops = {
    gmm_velocity, NULL, gmm_signal, gmm_classify, gmm_destroy,
};

int
testbed_net_new_gmm(testbed_model *gmm, struct testbed_net **out)
{
    struct testbed_net *net;

    if (!gmm || !out)
        return -1;
    net = calloc(1, sizeof(*net));
    if (!net)
        return -1;
    net->ops = &gmm_ops;
    net->name = "gmm";
    net->pixels = TESTBED_PIXELS;
    net->side = TESTBED_SIDE;
    net->num_classes = TESTBED_NUM_CLASSES;
    net->signal_size = TESTBED_PIXELS;
    net->residual_size = 0;
    net->residual_token_dim = 0;
    net->impl = gmm;
    *out = net;
    return 0;
}

void
testbed_net_free(struct testbed_net *net)
{
    if (!net)
        return;
    net->ops->destroy(net);
    free(net);
}

const char *
testbed_net_class_name(const struct testbed_net *net, int class_id)
{
    static const char *const digits[] = {"0", "1", "2", "3", "4",
                                         "5", "6", "7", "8", "9"};

    if (net && net->ops == &gmm_ops)
        return testbed_class_name(class_id);
    return class_id >= 0 && class_id < 10 ? digits[class_id] : "?";
}
