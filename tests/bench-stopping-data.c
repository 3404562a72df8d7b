/* SPDX-License-Identifier: MIT */
/* bench-stopping: the per-sample errors of the protocol, profiled once and
 * cached a line a sample, the step lists of the cache files, and the
 * samples in another order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stopping-int.h"

size_t
data_per_sample(const struct profile_data *d)
{
    return (size_t)d->n * (size_t)d->k;
}

double *
data_sample(const struct profile_data *d, int s)
{
    return d->err + (size_t)s * data_per_sample(d);
}

struct testbed_sample_id
sample_id(const struct testbed_net *net, int index)
{
    struct testbed_sample_id id = {index % net->num_classes,
                                   (uint64_t)(index / net->num_classes)};
    return id;
}

/* Read as many complete samples as the cache holds (a line each). */
int
data_read(struct profile_data *d, const char *path)
{
    FILE *f = fopen(path, "r");
    int have = 0;

    if (!f)
        return 0;
    for (int s = 0; s < d->samples; s++) {
        int ok = 1;
        for (int i = 0; i < d->n - 2 && ok; i++)
            for (int j = i + 2; j <= d->n - 1 && ok; j++)
                ok = fscanf(f, "%lf", &data_sample(d, s)[data_slot(d, i, j)]) == 1;
        if (!ok)
            break;
        have = s + 1;
    }
    fclose(f);
    return have;
}

/* Profile samples @first.. fully, one at a time (each sample's own
 * profiler), appending each to the cache as it is done. */
void
data_profile(struct testbed_net *net, const double *times, struct profile_data *d,
             int first, const char *path)
{
    struct testbed_batch settings = testbed_batch_output(net, NUM_STEPS, times);
    lemica_plan *plan = NULL;

    bench_check(lemica_plan_new(d->n, d->k, &plan), "plan");
    for (int s = first; s < d->samples; s++) {
        struct testbed_sample_id id = sample_id(net, s);
        struct testbed_reference reference;
        lemica_profiler *profiler = NULL;
        double start = bench_now_seconds();
        FILE *f;

        if (testbed_reference_record(&settings, &id, 1, &reference) != 0) {
            fprintf(stderr, "bench-stopping: reference pass failed\n");
            exit(1);
        }
        bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &profiler),
                    "profiler");
        bench_check(testbed_profile_replays(&settings, plan, &reference, 1024,
                                            profiler, NULL),
                    "replays");
        for (int i = 0; i < d->n - 2; i++)
            for (int j = i + 2; j <= d->n - 1; j++)
                lemica_profiler_edge_stats(profiler, i, j, NULL,
                                           &data_sample(d, s)[data_slot(d, i, j)],
                                           NULL, NULL, NULL);
        lemica_profiler_free(profiler);
        testbed_reference_free(&reference);
        f = fopen(path, "a");
        if (f) {
            for (int i = 0; i < d->n - 2; i++)
                for (int j = i + 2; j <= d->n - 1; j++)
                    fprintf(f, "%.17g%c", data_sample(d, s)[data_slot(d, i, j)],
                            j == d->n - 1 && i == d->n - 3 ? '\n' : ' ');
            fclose(f);
        }
        fprintf(stderr, "bench-stopping: %s sample %d of %d profiled (%.0f s)\n",
                net->name, s + 1, d->samples, bench_now_seconds() - start);
    }
    lemica_plan_free(plan);
}

/* ---- Step lists in the cache files: "count step step ..." ---------------- */

/* Reads the @count steps that follow a line's count into @steps (steps[0]
 * = count); 0 at a short or malformed line, which ends a cache file. */
int
steps_read(FILE *f, int count, int steps[NUM_STEPS + 1])
{
    if (count < 0 || count > NUM_STEPS)
        return 0;
    memset(steps, 0, (NUM_STEPS + 1) * sizeof(int));
    steps[0] = count;
    for (int e = 1; e <= count; e++)
        if (fscanf(f, "%d", &steps[e]) != 1)
            return 0;
    return 1;
}

/* Writes " count step step ...\n", the end of a cache line. */
void
steps_write(FILE *f, const int *steps)
{
    fprintf(f, " %d", steps[0]);
    for (int e = 1; e <= steps[0]; e++)
        fprintf(f, " %d", steps[e]);
    fprintf(f, "\n");
}

void
permuted(const struct profile_data *d, const int *order, struct profile_data *out)
{
    size_t per = data_per_sample(d);

    *out = *d;
    out->err = malloc((size_t)d->samples * per * sizeof(double));
    if (!out->err)
        exit(1);
    for (int s = 0; s < d->samples; s++)
        memcpy(out->err + (size_t)s * per, data_sample(d, order[s]),
               per * sizeof(double));
}
