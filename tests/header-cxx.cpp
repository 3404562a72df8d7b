/* SPDX-License-Identifier: MIT */
/* Compiled by a C++ compiler with -std=c++11 -pedantic -Werror -Wall -Wextra:
 * the public headers must be valid C++ and give C linkage (a missing
 * extern "C" shows up as an undefined mangled symbol at link time). */
#include <lemica/lemica.h>

#include <cstdio>
#include <cstring>

namespace
{

int
compare_by_length(const double *, size_t a_length, const double *,
                  size_t b_length, void *)
{
    return (a_length > b_length) - (a_length < b_length);
}

} // namespace

int
main()
{
    lemica_graph *graph = nullptr;
    lemica_compare_fn compare = compare_by_length;
    lemica_status status;
    double weight = -1.0;

    static_assert(LEMICA_OK == 0, "LEMICA_OK is 0");
    static_assert(LEMICA_ERR_TOO_LARGE == -13, "status values are pinned");
    static_assert(sizeof(lemica_status) == sizeof(int),
                  "lemica_status is passed as an int");

    if (lemica_version_number() != LEMICA_VERSION_NUMBER ||
        std::strcmp(lemica_version_string(), LEMICA_VERSION_STRING) != 0) {
        std::fprintf(stderr, "header %s, library %s\n", LEMICA_VERSION_STRING,
                     lemica_version_string());
        return 1;
    }
    status = lemica_graph_new(10, 4, &graph);
    if (status != LEMICA_OK) {
        std::fprintf(stderr, "%s: %s\n", lemica_status_name(status),
                     lemica_last_error_message());
        return 1;
    }
    status = lemica_graph_set_weight(graph, 2, 6, 0.25);
    if (status == LEMICA_OK)
        status = lemica_graph_get_weight(graph, 2, 6, &weight);
    lemica_graph_free(graph);
    if (status != LEMICA_OK || weight != 0.25) {
        std::fprintf(stderr, "%s\n", lemica_strerror(status));
        return 1;
    }
    (void)compare(nullptr, 0, nullptr, 0, nullptr);
    std::printf("libLeMiCa %s: public headers usable from C++\n",
                lemica_version_string());
    return 0;
}
