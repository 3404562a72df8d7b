/* SPDX-License-Identifier: MIT */
/* Compiled with -std=c99 -pedantic -Werror -Wall -Wextra: the public headers
 * must not need C11, GNU extensions or anything the library's own build
 * defines. Run as a test so that it is linked, not only compiled. */
#include <lemica/lemica.h>

#include <stdio.h>
#include <string.h>

static int
compare_by_length(const double *a, size_t a_length, const double *b,
                  size_t b_length, void *user_data)
{
    (void)a;
    (void)b;
    (void)user_data;
    return (a_length > b_length) - (a_length < b_length);
}

int
main(void)
{
    lemica_graph *graph = NULL;
    lemica_compare_fn compare = compare_by_length;
    lemica_comparator comparator = LEMICA_COMPARATOR_LEXMAX;
    lemica_status status;
    double weight = -1.0;

    if (lemica_version_number() != LEMICA_VERSION_NUMBER ||
        strcmp(lemica_version_string(), LEMICA_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s, library %s\n", LEMICA_VERSION_STRING,
                lemica_version_string());
        return 1;
    }
    status = lemica_graph_new(10, 4, &graph);
    if (status != LEMICA_OK) {
        fprintf(stderr, "%s: %s\n", lemica_status_name(status),
                lemica_last_error_message());
        return 1;
    }
    status = lemica_graph_set_weight(graph, 2, 6, 0.25);
    if (status == LEMICA_OK)
        status = lemica_graph_get_weight(graph, 2, 6, &weight);
    lemica_graph_free(graph);
    if (status != LEMICA_OK || weight != 0.25) {
        fprintf(stderr, "%s\n", lemica_strerror(status));
        return 1;
    }
    /* Reference the remaining types so that their declarations are used. */
    (void)compare(NULL, 0, NULL, 0, NULL);
    (void)comparator;
    printf("libLeMiCa %s: public headers usable from C99\n",
           lemica_version_string());
    return 0;
}
