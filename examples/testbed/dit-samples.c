/* SPDX-License-Identifier: MIT */
/* Draw digits with the C DiT and check them with the classifier:
 *   lemica-dit-samples WEIGHTS CLASSIFIER OUT.png [PER_CLASS [GUIDANCE
 *                      [STEPS [SHIFT]]]]
 * samples PER_CLASS (8) digits of every class in one batch, by Euler steps
 * (50) on the test bed's shifted time grid (shift 3) with classifier-free
 * guidance (3), prints the class agreement and the time per guided call,
 * and writes a sheet with one column per class, ink dark on white. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dit-classifier.h"
#include "dit.h"
#include "png.h"

#define SCALE 3
#define GAP 2

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* splitmix64 and Box-Muller: the same noise on every machine. */
static double
uniform(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static float
normal(uint64_t *state)
{
    double u = uniform(state), v = uniform(state);

    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

int
main(int argc, char **argv)
{
    char error[256];
    testbed_dit *dit = NULL;
    testbed_dit_classifier *classifier = NULL;
    testbed_dit_context *context = NULL;
    int per_class = argc > 4 ? atoi(argv[4]) : 8;
    float guidance = argc > 5 ? (float)atof(argv[5]) : 3.0f;
    int steps = argc > 6 ? atoi(argv[6]) : 50;
    double shift = argc > 7 ? atof(argv[7]) : 3.0;
    int batch, agree = 0, width, height;
    float *x, *v, *t;
    int *classes, *labels;
    uint8_t *sheet;
    uint64_t rng = 2024;
    double start, elapsed;

    if (argc < 4 || per_class < 1 || steps < 1 || shift <= 0.0) {
        fprintf(stderr,
                "usage: %s WEIGHTS CLASSIFIER OUT.png [PER_CLASS [GUIDANCE "
                "[STEPS [SHIFT]]]]\n",
                argv[0]);
        return 2;
    }
    if (testbed_dit_load(argv[1], &dit, error, sizeof(error)) < 0 ||
        testbed_dit_classifier_load(argv[2], &classifier, error,
                                    sizeof(error)) < 0) {
        fprintf(stderr, "%s\n", error);
        return 1;
    }
    batch = per_class * TESTBED_DIT_NUM_CLASSES;
    x = malloc((size_t)batch * TESTBED_DIT_PIXELS * sizeof(float));
    v = malloc((size_t)batch * TESTBED_DIT_PIXELS * sizeof(float));
    t = malloc((size_t)batch * sizeof(float));
    classes = malloc((size_t)batch * sizeof(int));
    labels = malloc((size_t)batch * sizeof(int));
    width = TESTBED_DIT_NUM_CLASSES * (TESTBED_DIT_SIDE * SCALE + GAP) + GAP;
    height = per_class * (TESTBED_DIT_SIDE * SCALE + GAP) + GAP;
    sheet = malloc((size_t)width * height * 3);
    if (!x || !v || !t || !classes || !labels || !sheet ||
        testbed_dit_context_new(dit, batch, &context) < 0) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        return 1;
    }
    for (int b = 0; b < batch; b++)
        classes[b] = b % TESTBED_DIT_NUM_CLASSES;
    for (int i = 0; i < batch * TESTBED_DIT_PIXELS; i++)
        x[i] = normal(&rng);
    start = now();
    for (int step = 0; step < steps; step++) {
        /* t = s u / (1 + (s - 1) u) on u = 1 - i / N, as testbed_time_grid. */
        double u0 = 1.0 - (double)step / steps;
        double u1 = 1.0 - (double)(step + 1) / steps;
        double t0 = shift * u0 / (1.0 + (shift - 1.0) * u0);
        double t1 = shift * u1 / (1.0 + (shift - 1.0) * u1);

        for (int b = 0; b < batch; b++)
            t[b] = (float)t0;
        if (testbed_dit_velocity(context, batch, x, t, classes, guidance, NULL,
                                 NULL, NULL, v) < 0) {
            fprintf(stderr, "%s: velocity failed\n", argv[0]);
            return 1;
        }
        for (int i = 0; i < batch * TESTBED_DIT_PIXELS; i++)
            x[i] += (float)(t1 - t0) * v[i];
    }
    elapsed = now() - start;
    for (int i = 0; i < batch * TESTBED_DIT_PIXELS; i++)
        x[i] = x[i] < -1.0f ? -1.0f : x[i] > 1.0f ? 1.0f : x[i];
    testbed_dit_classifier_predict(classifier, batch, x, labels, NULL);
    for (int b = 0; b < batch; b++)
        agree += labels[b] == classes[b];
    printf("%d samples, %d steps, guidance %g, shift %g: class agreement "
           "%d/%d (%.1f%%), %.2f ms per guided call of batch %d\n",
           batch, steps, (double)guidance, shift, agree, batch,
           100.0 * agree / batch, 1e3 * elapsed / steps, batch);
    for (size_t i = 0; i < (size_t)width * height * 3; i++)
        sheet[i] = 200;
    for (int b = 0; b < batch; b++) {
        int col = b % TESTBED_DIT_NUM_CLASSES, row = b / TESTBED_DIT_NUM_CLASSES;
        int left = GAP + col * (TESTBED_DIT_SIDE * SCALE + GAP);
        int top = GAP + row * (TESTBED_DIT_SIDE * SCALE + GAP);

        for (int py = 0; py < TESTBED_DIT_SIDE * SCALE; py++)
            for (int px = 0; px < TESTBED_DIT_SIDE * SCALE; px++) {
                float value = x[(size_t)b * TESTBED_DIT_PIXELS +
                                (size_t)(py / SCALE) * TESTBED_DIT_SIDE +
                                (size_t)(px / SCALE)];
                uint8_t gray = (uint8_t)lrintf(255.0f * (1.0f - value) / 2.0f);
                uint8_t *p = sheet + ((size_t)(top + py) * width + left + px) * 3;

                p[0] = gray;
                /* A sample the classifier reads as another digit is tinted. */
                p[1] = labels[b] == classes[b] ? gray : (uint8_t)(gray * 3 / 4);
                p[2] = labels[b] == classes[b] ? gray : (uint8_t)(gray * 3 / 4);
            }
    }
    if (testbed_png_write_rgb(argv[3], width, height, sheet) < 0) {
        perror(argv[3]);
        return 1;
    }
    testbed_dit_context_free(context);
    testbed_dit_classifier_free(classifier);
    testbed_dit_free(dit);
    free(x);
    free(v);
    free(t);
    free(classes);
    free(labels);
    free(sheet);
    return 0;
}
