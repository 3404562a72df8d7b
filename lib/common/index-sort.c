/* SPDX-License-Identifier: MIT */
/* A stable sort of indices under a caller's order. */
#include <string.h>

#include "index-sort-int.h"

void
lemica_index_sort(uint32_t *items, uint32_t *scratch, size_t count,
                  lemica_index_before before, const void *context)
{
    uint32_t *from = items, *to = scratch;

    for (size_t width = 1; width < count; width *= 2) {
        uint32_t *swap;

        for (size_t start = 0; start < count; start += 2 * width) {
            size_t i = start, j, middle, end, o = start;

            middle = start + width < count ? start + width : count;
            end = start + 2 * width < count ? start + 2 * width : count;
            j = middle;
            /* The left one on ties: stable. */
            while (i < middle && j < end)
                to[o++] =
                    before(context, from[j], from[i]) ? from[j++] : from[i++];
            while (i < middle)
                to[o++] = from[i++];
            while (j < end)
                to[o++] = from[j++];
        }
        swap = from;
        from = to;
        to = swap;
    }
    if (from != items)
        memcpy(items, from, count * sizeof(*items));
}
