/* SPDX-License-Identifier: MIT */
/* TeaCache decides online from how much the timestep-modulated input of
 * the first block moved: cheap to ask, but blind to when in the
 * trajectory an error does the most harm, which is the point the LeMiCa
 * paper makes (its section 3.2). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teacache.h"

#define MAX_DEGREE 8

int
testbed_polyfit(const double *x, const double *y, size_t count, int degree,
                double *coefficients)
{
    size_t columns = (size_t)degree + 1;
    double scale = 0.0, beta[MAX_DEGREE + 1];
    double *a, *b;
    int result = -1;

    if (!x || !y || !coefficients || degree < 0 || degree > MAX_DEGREE ||
        count < columns)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (fabs(x[i]) > scale)
            scale = fabs(x[i]);
    if (!(scale > 0.0) || !isfinite(scale))
        scale = 1.0;
    a = malloc(count * columns * sizeof(double));
    b = malloc(count * sizeof(double));
    if (!a || !b)
        goto out;
    /* Column k holds (x / scale)^k: well conditioned whatever the range of
     * x, and the scale comes off the coefficients at the end. */
    for (size_t i = 0; i < count; i++) {
        double power = 1.0, u = x[i] / scale;

        for (size_t k = 0; k < columns; k++) {
            a[i * columns + k] = power;
            power *= u;
        }
        b[i] = y[i];
    }
    /* Householder QR: reflect column k below the diagonal onto e_k,
     * applying each reflection to the rest of A and to b. */
    for (size_t k = 0; k < columns; k++) {
        double norm = 0.0, alpha, vnorm2 = 0.0;

        for (size_t i = k; i < count; i++)
            norm += a[i * columns + k] * a[i * columns + k];
        norm = sqrt(norm);
        if (norm == 0.0)
            goto out;
        alpha = a[k * columns + k] > 0.0 ? -norm : norm;
        a[k * columns + k] -= alpha; /* v = column - alpha e_k, in place */
        for (size_t i = k; i < count; i++)
            vnorm2 += a[i * columns + k] * a[i * columns + k];
        for (size_t j = k + 1; j <= columns; j++) {
            double dot = 0.0;

            for (size_t i = k; i < count; i++)
                dot += a[i * columns + k] *
                       (j < columns ? a[i * columns + j] : b[i]);
            dot *= 2.0 / vnorm2;
            for (size_t i = k; i < count; i++) {
                if (j < columns)
                    a[i * columns + j] -= dot * a[i * columns + k];
                else
                    b[i] -= dot * a[i * columns + k];
            }
        }
        a[k * columns + k] = alpha; /* R's diagonal */
        if (fabs(alpha) < 1e-13 * sqrt((double)count))
            goto out;
    }
    /* Back substitution R beta = (Q^T b)[0 .. columns). */
    for (size_t k = columns; k-- > 0;) {
        double sum = b[k];

        for (size_t j = k + 1; j < columns; j++)
            sum -= a[k * columns + j] * beta[j];
        beta[k] = sum / a[k * columns + k];
    }
    for (size_t k = 0; k < columns; k++)
        coefficients[degree - (int)k] = beta[k] / pow(scale, (double)k);
    result = 0;

out:
    free(a);
    free(b);
    return result;
}

double
testbed_polyval(const double *coefficients, int degree, double x)
{
    double value = 0.0;

    for (int k = 0; k <= degree; k++)
        value = value * x + coefficients[k];
    return value;
}

static double
relative_l1(const double *current, const double *previous, size_t count)
{
    double change = 0.0, norm = 0.0;

    for (size_t i = 0; i < count; i++) {
        change += fabs(current[i] - previous[i]);
        norm += fabs(previous[i]);
    }
    return norm > 0.0 ? change / norm : (double)INFINITY;
}

int
testbed_teacache_fit(const struct testbed_reference *reference,
                     double coefficients[TESTBED_TEACACHE_DEGREE + 1])
{
    size_t n = (size_t)reference->num_steps;
    size_t points = reference->count * (n - 1), at = 0;
    double *x = malloc(points * sizeof(double));
    double *y = malloc(points * sizeof(double));
    int result = -1;

    if (!x || !y || n < 2)
        goto out;
    for (size_t s = 0; s < reference->count; s++)
        for (size_t t = 1; t < n; t++) {
            size_t now = s * n + t;

            x[at] = relative_l1(
                reference->signals + now * reference->signal_size,
                reference->signals + (now - 1) * reference->signal_size,
                reference->signal_size);
            y[at] = relative_l1(reference->velocities + now * reference->pixels,
                                reference->velocities +
                                    (now - 1) * reference->pixels,
                                reference->pixels);
            if (isfinite(x[at]) && isfinite(y[at]))
                at++;
        }
    result = testbed_polyfit(x, y, at, TESTBED_TEACACHE_DEGREE, coefficients);

out:
    free(x);
    free(y);
    return result;
}

int
testbed_teacache_init(struct testbed_teacache *cache,
                      const double *coefficients, double threshold,
                      int num_steps, size_t count, size_t signal_size)
{
    memset(cache, 0, sizeof(*cache));
    memcpy(cache->coefficients, coefficients, sizeof(cache->coefficients));
    cache->threshold = threshold;
    cache->num_steps = num_steps;
    cache->count = count;
    cache->signal_size = signal_size;
    cache->accumulated = calloc(count, sizeof(double));
    cache->previous = calloc(count * signal_size, sizeof(double));
    if (!cache->accumulated || !cache->previous) {
        testbed_teacache_release(cache);
        return -1;
    }
    return 0;
}

void
testbed_teacache_release(struct testbed_teacache *cache)
{
    free(cache->accumulated);
    free(cache->previous);
    cache->accumulated = NULL;
    cache->previous = NULL;
}

int
testbed_teacache_decide(void *context, size_t sample, int step,
                        const double *signal)
{
    struct testbed_teacache *cache = context;
    double *previous = cache->previous + sample * cache->signal_size;
    double *accumulated = cache->accumulated + sample;
    int compute = 1;

    /* TeaCache4FLUX: cnt == 0 or cnt == num_steps - 1 always computes and
     * resets the sum; otherwise the rescaled distance accumulates and the
     * step is skipped while the sum stays below rel_l1_thresh. */
    if (step > 0 && step < cache->num_steps - 1) {
        *accumulated +=
            testbed_polyval(cache->coefficients, TESTBED_TEACACHE_DEGREE,
                            relative_l1(signal, previous, cache->signal_size));
        compute = !(*accumulated < cache->threshold);
    }
    if (compute)
        *accumulated = 0.0;
    memcpy(previous, signal, cache->signal_size * sizeof(double));
    return compute;
}

double
testbed_teacache_mean_calls(const struct testbed_batch *settings,
                            const double *coefficients, double threshold,
                            const struct testbed_sample_id *samples,
                            size_t num_samples)
{
    struct testbed_teacache cache;
    struct testbed_batch batch = *settings;
    size_t pixels = (size_t)settings->net->pixels;
    double *x = malloc(num_samples * pixels * sizeof(double));
    int *classes = malloc(num_samples * sizeof(int));
    uint64_t *seeds = malloc(num_samples * sizeof(uint64_t));
    double mean = -1.0;

    if (!x || !classes || !seeds || num_samples == 0 ||
        testbed_teacache_init(&cache, coefficients, threshold,
                              settings->num_steps, num_samples,
                              settings->net->signal_size) != 0)
        goto out;
    for (size_t s = 0; s < num_samples; s++) {
        classes[s] = samples[s].class_id;
        seeds[s] = samples[s].seed;
    }
    batch.count = num_samples;
    batch.classes = classes;
    batch.decide = testbed_teacache_decide;
    batch.decide_context = &cache;
    batch.needs_signal = 1;
    batch.trace_states = NULL;
    batch.trace_velocities = NULL;
    batch.trace_signals = NULL;
    batch.trace_residuals = NULL;
    if (testbed_batch_sample(&batch, seeds, x) == 0)
        mean = (double)batch.model_calls / (double)num_samples;
    testbed_teacache_release(&cache);

out:
    free(x);
    free(classes);
    free(seeds);
    return mean;
}

double
testbed_teacache_calibrate(const struct testbed_batch *settings,
                           const double *coefficients, double budget,
                           const struct testbed_sample_id *samples,
                           size_t num_samples, double *mean_calls)
{
    /* Threshold 0 computes nearly everywhere; as it grows the calls fall
     * to 2. low gives more calls than the budget, high at most the
     * budget. */
    double low = 0.0, high = 0.01;
    double high_calls = testbed_teacache_mean_calls(settings, coefficients,
                                                    high, samples, num_samples);

    if (high_calls < 0.0 || budget < 2.0)
        return -1.0;
    while (high_calls > budget) {
        low = high;
        high *= 2.0;
        if (high > 1e6)
            return -1.0;
        high_calls = testbed_teacache_mean_calls(settings, coefficients, high,
                                                 samples, num_samples);
        if (high_calls < 0.0)
            return -1.0;
    }
    for (int iteration = 0;
         iteration < 40 && high - low > 1e-9 * high && high_calls != budget;
         iteration++) {
        double middle = 0.5 * (low + high);
        double calls = testbed_teacache_mean_calls(
            settings, coefficients, middle, samples, num_samples);

        if (calls < 0.0)
            return -1.0;
        if (calls > budget) {
            low = middle;
        } else {
            high = middle;
            high_calls = calls;
        }
    }
    if (mean_calls)
        *mean_calls = high_calls;
    return high;
}
