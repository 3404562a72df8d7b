/* SPDX-License-Identifier: MIT */
/* The digit classifier (layout: dit-classifier.h): a two-layer MLP, run
 * in plain loops (it is called once per generated sample). */
#include "dit-classifier.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "dit-file.h"

#define CLASSIFIER_NUM_HPARAMS 4
#define CLASSIFIER_MAX_HIDDEN 4096

struct testbed_dit_classifier {
    int pixels, hidden, num_classes;
    float *fc1_w, *fc1_b; /* [H][pixels], [H] */
    float *fc2_w, *fc2_b; /* [classes][H], [classes] */
};

int
testbed_dit_classifier_load_memory(const void *data, size_t size,
                                   testbed_dit_classifier **out, char *error,
                                   size_t error_size)
{
    struct testbed_dit_reader reader = {data, size, 0, "classifier file",
                                        error, error_size};
    uint32_t h[CLASSIFIER_NUM_HPARAMS], num_tensors;
    testbed_dit_classifier *cl;
    uint32_t d1[2], d2[2];
    size_t total;

    if (error && error_size)
        error[0] = '\0';
    if (!out)
        return -1;
    *out = NULL;
    if (!data)
        return testbed_dit_fail(&reader, "no data");
    if (testbed_dit_reader_open(&reader, TESTBED_DIT_CLASSIFIER_MAGIC, 1,
                                CLASSIFIER_NUM_HPARAMS, h) < 0)
        return -1;
    if (h[0] != 256 || h[1] < 1 || h[1] > CLASSIFIER_MAX_HIDDEN ||
        h[2] != 10 || h[3] != 0)
        return testbed_dit_fail(&reader,
                                "hyper-parameters %lu, %lu, %lu: expected "
                                "256 pixels, 1..%d hidden units, 10 classes",
                                (unsigned long)h[0], (unsigned long)h[1],
                                (unsigned long)h[2], CLASSIFIER_MAX_HIDDEN);
    if (testbed_dit_reader_u32(&reader, "the tensor count", &num_tensors) < 0)
        return -1;
    if (num_tensors != 4)
        return testbed_dit_fail(&reader, "%lu tensors, expected 4",
                                (unsigned long)num_tensors);
    cl = calloc(1, sizeof(*cl));
    if (!cl)
        return testbed_dit_fail(&reader, "out of memory");
    cl->pixels = (int)h[0];
    cl->hidden = (int)h[1];
    cl->num_classes = (int)h[2];
    total = (size_t)cl->hidden * (cl->pixels + 1) +
            (size_t)cl->num_classes * (cl->hidden + 1);
    cl->fc1_w = malloc(total * sizeof(float));
    if (!cl->fc1_w) {
        free(cl);
        return testbed_dit_fail(&reader, "out of memory");
    }
    cl->fc1_b = cl->fc1_w + (size_t)cl->hidden * cl->pixels;
    cl->fc2_w = cl->fc1_b + cl->hidden;
    cl->fc2_b = cl->fc2_w + (size_t)cl->num_classes * cl->hidden;
    d1[0] = h[1];
    d1[1] = h[0];
    d2[0] = h[2];
    d2[1] = h[1];
    if (testbed_dit_reader_tensor(&reader, "fc1.weight", 2, d1, cl->fc1_w) <
            0 ||
        testbed_dit_reader_tensor(&reader, "fc1.bias", 1, d1, cl->fc1_b) < 0 ||
        testbed_dit_reader_tensor(&reader, "fc2.weight", 2, d2, cl->fc2_w) <
            0 ||
        testbed_dit_reader_tensor(&reader, "fc2.bias", 1, d2, cl->fc2_b) < 0 ||
        testbed_dit_reader_finish(&reader) < 0) {
        testbed_dit_classifier_free(cl);
        return -1;
    }
    for (size_t i = 0; i < total; i++)
        if (!isfinite(cl->fc1_w[i])) {
            testbed_dit_classifier_free(cl);
            return testbed_dit_fail(&reader, "a weight is not finite");
        }
    *out = cl;
    return 0;
}

int
testbed_dit_classifier_load(const char *path, testbed_dit_classifier **out,
                            char *error, size_t error_size)
{
    unsigned char *data;
    size_t size;
    int status;

    if (out)
        *out = NULL;
    if (!path || !out)
        return -1;
    if (testbed_dit_read_file(path, &data, &size, error, error_size) < 0)
        return -1;
    status = testbed_dit_classifier_load_memory(data, size, out, error,
                                                error_size);
    free(data);
    return status;
}

void
testbed_dit_classifier_free(testbed_dit_classifier *classifier)
{
    if (!classifier)
        return;
    free(classifier->fc1_w);
    free(classifier);
}

int
testbed_dit_classifier_predict(const testbed_dit_classifier *cl, int batch,
                               const float *images, int *labels,
                               float *probabilities)
{
    enum { MAX_CLASSES = 10 };

    if (!cl || batch < 0 || (batch > 0 && (!images || !labels)))
        return -1;
    for (int b = 0; b < batch; b++) {
        const float *x = images + (size_t)b * cl->pixels;
        float logits[MAX_CLASSES], largest = -INFINITY, total = 0.0f;
        int best = 0;

        for (int c = 0; c < cl->num_classes; c++)
            logits[c] = cl->fc2_b[c];
        for (int j = 0; j < cl->hidden; j++) {
            const float *w = cl->fc1_w + (size_t)j * cl->pixels;
            float a = cl->fc1_b[j];

            for (int i = 0; i < cl->pixels; i++)
                a += w[i] * x[i];
            if (a <= 0.0f)
                continue;
            for (int c = 0; c < cl->num_classes; c++)
                logits[c] += cl->fc2_w[(size_t)c * cl->hidden + j] * a;
        }
        for (int c = 0; c < cl->num_classes; c++)
            if (logits[c] > largest) {
                largest = logits[c];
                best = c;
            }
        labels[b] = best;
        if (probabilities) {
            float *p = probabilities + (size_t)b * cl->num_classes;

            for (int c = 0; c < cl->num_classes; c++) {
                p[c] = expf(logits[c] - largest);
                total += p[c];
            }
            for (int c = 0; c < cl->num_classes; c++)
                p[c] /= total;
        }
    }
    return 0;
}
