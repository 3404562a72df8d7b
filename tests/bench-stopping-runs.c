/* SPDX-License-Identifier: MIT */
/* bench-stopping: whole runs of a schedule on given samples, for
 * verification (memoized in a hash table and in a file across runs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stopping-int.h"

static uint64_t
run_hash(int class_id, uint64_t seed, const int *steps)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)(unsigned)class_id;

    h = (h ^ seed) * 1099511628211u;
    for (int e = 0; e <= steps[0]; e++)
        h = (h ^ (uint64_t)(unsigned)steps[e]) * 1099511628211u;
    return h ^ (h >> 29);
}

static struct run_entry *
run_slot(struct runner *rn, int class_id, uint64_t seed, const int *steps)
{
    size_t mask = rn->capacity - 1, at = (size_t)run_hash(class_id, seed, steps) & mask;

    while (rn->table[at].used &&
           !(rn->table[at].class_id == class_id && rn->table[at].seed == seed &&
             memcmp(rn->table[at].steps, steps, sizeof(rn->table[at].steps)) == 0))
        at = (at + 1) & mask;
    return &rn->table[at];
}

static void
run_insert(struct runner *rn, int class_id, uint64_t seed, const int *steps,
           double error)
{
    struct run_entry *slot;

    if (2 * (rn->num_entries + 1) > rn->capacity) {
        struct run_entry *old = rn->table;
        size_t old_capacity = rn->capacity;

        rn->capacity = rn->capacity ? 2 * rn->capacity : 1024;
        rn->table = calloc(rn->capacity, sizeof(*rn->table));
        if (!rn->table)
            exit(1);
        rn->num_entries = 0;
        for (size_t i = 0; i < old_capacity; i++)
            if (old[i].used)
                run_insert(rn, old[i].class_id, old[i].seed, old[i].steps,
                           old[i].error);
        free(old);
    }
    slot = run_slot(rn, class_id, seed, steps);
    if (!slot->used)
        rn->num_entries++;
    slot->used = 1;
    slot->class_id = class_id;
    slot->seed = seed;
    memcpy(slot->steps, steps, sizeof(slot->steps));
    slot->error = error;
}

void
runner_init(struct runner *rn, struct testbed_net *net, const double *times)
{
    FILE *f;
    int class_id, count;
    unsigned long long seed;
    double error;

    memset(rn, 0, sizeof(*rn));
    rn->net = net;
    rn->times = times;
    rn->capacity = 1024;
    rn->table = calloc(rn->capacity, sizeof(*rn->table));
    if (!rn->table)
        exit(1);
    snprintf(rn->path, sizeof(rn->path), "bench-stopping-%s-N%d-runs.txt",
             net->name, NUM_STEPS);
    f = fopen(rn->path, "r");
    if (!f)
        return;
    while (fscanf(f, "%d %llu %lf %d", &class_id, &seed, &error, &count) == 4) {
        int steps[NUM_STEPS + 1];

        if (!steps_read(f, count, steps))
            break;
        run_insert(rn, class_id, (uint64_t)seed, steps, error);
    }
    fclose(f);
}

void
runner_free(struct runner *rn)
{
    free(rn->table);
    free(rn->ref_class);
    free(rn->ref_seed);
    free(rn->ref_x);
}

/* The uncached final sample of (class, seed), computed once. */
static const double *
runner_reference(struct runner *rn, int class_id, uint64_t seed)
{
    size_t pixels = (size_t)rn->net->pixels;
    struct testbed_batch batch = testbed_batch_output(rn->net, NUM_STEPS, rn->times);

    for (size_t r = 0; r < rn->num_refs; r++)
        if (rn->ref_class[r] == class_id && rn->ref_seed[r] == seed)
            return rn->ref_x + r * pixels;
    if (rn->num_refs == rn->ref_capacity) {
        rn->ref_capacity = rn->ref_capacity ? 2 * rn->ref_capacity : 64;
        rn->ref_class = realloc(rn->ref_class, rn->ref_capacity * sizeof(int));
        rn->ref_seed = realloc(rn->ref_seed, rn->ref_capacity * sizeof(uint64_t));
        rn->ref_x = realloc(rn->ref_x, rn->ref_capacity * pixels * sizeof(double));
        if (!rn->ref_class || !rn->ref_seed || !rn->ref_x)
            exit(1);
    }
    batch.count = 1;
    batch.classes = &class_id;
    if (testbed_batch_sample(&batch, &seed, rn->ref_x + rn->num_refs * pixels) != 0) {
        fprintf(stderr, "bench-stopping: sampling failed\n");
        exit(1);
    }
    rn->model_calls += batch.model_calls;
    rn->ref_class[rn->num_refs] = class_id;
    rn->ref_seed[rn->num_refs] = seed;
    return rn->ref_x + rn->num_refs++ * pixels;
}

/* The error of @schedule run whole on each of @count samples. */
void
runner_errors(struct runner *rn, const lemica_schedule *schedule, size_t count,
              const int *classes, const uint64_t *seeds, double *errors)
{
    size_t pixels = (size_t)rn->net->pixels, n = 0, missing[64];
    int steps[NUM_STEPS + 1] = {0}, miss_class[64];
    uint64_t miss_seed[64];
    unsigned char mask[NUM_STEPS];
    double *out;
    struct testbed_batch batch = testbed_batch_output(rn->net, NUM_STEPS, rn->times);
    FILE *f;

    lemica_schedule_steps(schedule, steps + 1, NUM_STEPS, &n);
    steps[0] = (int)n;
    n = 0;
    if (count > 64)
        exit(1);
    for (size_t s = 0; s < count; s++) {
        struct run_entry *slot = run_slot(rn, classes[s], seeds[s], steps);
        if (slot->used)
            errors[s] = slot->error;
        else {
            missing[n] = s;
            miss_class[n] = classes[s];
            miss_seed[n++] = seeds[s];
        }
    }
    if (n == 0)
        return;
    if (testbed_schedule_mask(schedule, mask) != 0)
        exit(1);
    out = malloc(n * pixels * sizeof(double));
    if (!out)
        exit(1);
    batch.count = n;
    batch.classes = miss_class;
    batch.decide = testbed_decide_mask;
    batch.decide_context = mask;
    if (testbed_batch_sample(&batch, miss_seed, out) != 0) {
        fprintf(stderr, "bench-stopping: sampling failed\n");
        exit(1);
    }
    rn->model_calls += batch.model_calls;
    f = fopen(rn->path, "a");
    for (size_t m = 0; m < n; m++) {
        double l1 = 0.0;
        bench_check(lemica_metric_compute(LEMICA_METRIC_L1, out + m * pixels,
                                          runner_reference(rn, miss_class[m],
                                                           miss_seed[m]),
                                          pixels, LEMICA_DTYPE_F64, &l1),
                    "metric");
        errors[missing[m]] = l1;
        run_insert(rn, miss_class[m], miss_seed[m], steps, l1);
        if (f) {
            fprintf(f, "%d %llu %.17g", miss_class[m],
                    (unsigned long long)miss_seed[m], l1);
            steps_write(f, steps);
        }
    }
    if (f)
        fclose(f);
    free(out);
}
