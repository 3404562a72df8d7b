/* SPDX-License-Identifier: MIT */
/* bench-stopping: the held-out error of a schedule (mean L1 against
 * uncached sampling on unseen seeds), each distinct schedule sampled once
 * and kept in a file across runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stopping-int.h"

static void
evaluator_sample(struct evaluator *ev, const unsigned char *mask, double *out)
{
    struct testbed_batch batch = testbed_batch_output(ev->net, NUM_STEPS, ev->times);

    batch.count = ev->count;
    batch.classes = ev->classes;
    if (mask) {
        batch.decide = testbed_decide_mask;
        batch.decide_context = (void *)mask;
    }
    if (testbed_batch_sample(&batch, ev->seeds, out) != 0) {
        fprintf(stderr, "bench-stopping: sampling failed\n");
        exit(1);
    }
}

static void
memo_add(struct evaluator *ev, const int *steps, double error)
{
    if (ev->num_memo == ev->memo_capacity) {
        ev->memo_capacity = ev->memo_capacity ? 2 * ev->memo_capacity : 64;
        ev->memo_steps = realloc(ev->memo_steps,
                                 ev->memo_capacity * sizeof(*ev->memo_steps));
        ev->memo_error = realloc(ev->memo_error,
                                 ev->memo_capacity * sizeof(double));
        if (!ev->memo_steps || !ev->memo_error)
            exit(1);
    }
    memcpy(ev->memo_steps[ev->num_memo], steps, sizeof(*ev->memo_steps));
    ev->memo_error[ev->num_memo++] = error;
}

/* The held-out errors of earlier runs (complete lines only). */
static void
memo_read(struct evaluator *ev)
{
    FILE *f = fopen(ev->memo_path, "r");
    double error;
    int count;

    if (!f)
        return;
    while (fscanf(f, "%lf %d", &error, &count) == 2) {
        int steps[NUM_STEPS + 1];

        if (!steps_read(f, count, steps))
            break;
        memo_add(ev, steps, error);
    }
    fclose(f);
}

static void
memo_write(const struct evaluator *ev, const int *steps, double error)
{
    FILE *f = fopen(ev->memo_path, "a");

    if (!f)
        return;
    fprintf(f, "%.17g", error);
    steps_write(f, steps);
    fclose(f);
}

void
evaluator_init(struct evaluator *ev, struct testbed_net *net,
               const double *times, size_t count)
{
    size_t pixels = (size_t)net->pixels;

    memset(ev, 0, sizeof(*ev));
    ev->net = net;
    ev->times = times;
    ev->count = count;
    ev->classes = calloc(count, sizeof(int));
    ev->seeds = calloc(count, sizeof(uint64_t));
    ev->references = calloc(count * pixels, sizeof(double));
    ev->outputs = calloc(count * pixels, sizeof(double));
    if (!ev->classes || !ev->seeds || !ev->references || !ev->outputs)
        exit(1);
    for (size_t e = 0; e < count; e++) {
        ev->classes[e] = (int)(e % (size_t)net->num_classes);
        ev->seeds[e] = eval_seed_base + e;
    }
    snprintf(ev->memo_path, sizeof(ev->memo_path),
             "bench-stopping-%s-N%d-eval%zu-seed%llu.txt", net->name, NUM_STEPS,
             count, (unsigned long long)eval_seed_base);
    memo_read(ev);
}

void
evaluator_free(struct evaluator *ev)
{
    free(ev->classes);
    free(ev->seeds);
    free(ev->references);
    free(ev->outputs);
    free(ev->memo_steps);
    free(ev->memo_error);
}

/* The held-out mean L1 of @schedule. */
double
held_out_error(struct evaluator *ev, const lemica_schedule *schedule)
{
    int steps[NUM_STEPS + 1] = {0};
    size_t count = 0, pixels = (size_t)ev->net->pixels;
    unsigned char mask[NUM_STEPS];
    double total = 0.0;

    lemica_schedule_steps(schedule, steps + 1, NUM_STEPS, &count);
    steps[0] = (int)count;
    for (size_t m = 0; m < ev->num_memo; m++)
        if (memcmp(ev->memo_steps[m], steps, sizeof(steps)) == 0)
            return ev->memo_error[m];
    if (testbed_schedule_mask(schedule, mask) != 0)
        exit(1);
    if (!ev->have_references) {
        evaluator_sample(ev, NULL, ev->references);
        ev->have_references = 1;
    }
    evaluator_sample(ev, mask, ev->outputs);
    for (size_t e = 0; e < ev->count; e++) {
        double l1 = 0.0;
        bench_check(lemica_metric_compute(LEMICA_METRIC_L1,
                                          ev->outputs + e * pixels,
                                          ev->references + e * pixels, pixels,
                                          LEMICA_DTYPE_F64, &l1),
                    "metric");
        total += l1;
    }
    memo_add(ev, steps, total / (double)ev->count);
    memo_write(ev, steps, total / (double)ev->count);
    return total / (double)ev->count;
}
