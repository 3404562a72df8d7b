/* SPDX-License-Identifier: MIT */
/* Fuzz the graph file parser. Whatever it accepts must format and parse
 * back to the same text (the round trip the format promises). */
#include <stdlib.h>
#include <string.h>

#include "lemica/lemica.h"

#include "fuzz-target.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    lemica_metadata *metadata = NULL;
    lemica_metadata *again_metadata = NULL;
    lemica_graph *graph = NULL;
    lemica_graph *again = NULL;
    char *first = NULL;
    char *second = NULL;

    /* Legal but huge sizes only measure memset speed: skip them. */
    if (lemica_fuzz_claims_huge_graph(text, size))
        return 0;
    if (lemica_metadata_new(&metadata) != LEMICA_OK)
        return 0;
    if (lemica_graph_parse(text, size, metadata, &graph) != LEMICA_OK)
        goto out;
    first = lemica_fuzz_format_graph(graph, metadata);
    if (lemica_metadata_new(&again_metadata) != LEMICA_OK)
        goto out;
    if (lemica_graph_parse(first, strlen(first), again_metadata, &again) !=
        LEMICA_OK)
        abort();
    second = lemica_fuzz_format_graph(again, again_metadata);
    if (strcmp(first, second) != 0)
        abort();
out:
    free(first);
    free(second);
    lemica_graph_free(graph);
    lemica_graph_free(again);
    lemica_metadata_free(metadata);
    lemica_metadata_free(again_metadata);
    return 0;
}
