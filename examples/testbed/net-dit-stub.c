/* SPDX-License-Identifier: MIT */
/* Temporary: builds without the DiT until dit.c lands. */
#include <stdio.h>

#include "net.h"

int
testbed_net_new_dit(const char *weights, const char *classifier,
                    double guidance, int threads, struct testbed_net **out,
                    char *error, size_t error_size)
{
    (void)threads;
    (void)weights;
    (void)classifier;
    (void)guidance;
    *out = NULL;
    snprintf(error, error_size, "this build has no DiT");
    return -1;
}
