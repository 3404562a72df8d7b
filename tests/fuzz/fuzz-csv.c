/* SPDX-License-Identifier: MIT */
/* Fuzz the CSV edge-list importer. An accepted graph must survive the
 * native format's round trip. The max skip is fixed at 8 so that N * K
 * stays small (a far step would otherwise make a gigabyte graph, legal but
 * slow); N is inferred, as the CLI does by default. The round trip of
 * graphs above 4096 steps (one line per span-1 edge) would cost more than
 * the parse it checks, so only smaller ones make it. */
#include <stdlib.h>
#include <string.h>

#include "lemica/lemica.h"

#include "fuzz-target.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lemica_graph *graph = NULL;
    lemica_graph *again = NULL;
    char *first = NULL;
    char *second = NULL;

    if (lemica_graph_parse_csv((const char *)data, size, 0, 8, &graph) !=
        LEMICA_OK)
        return 0;
    if (lemica_graph_num_steps(graph) > 4096) {
        lemica_graph_free(graph);
        return 0;
    }
    first = lemica_fuzz_format_graph(graph, NULL);
    if (lemica_graph_parse(first, strlen(first), NULL, &again) != LEMICA_OK)
        abort();
    second = lemica_fuzz_format_graph(again, NULL);
    if (strcmp(first, second) != 0)
        abort();
    free(first);
    free(second);
    lemica_graph_free(graph);
    lemica_graph_free(again);
    return 0;
}
