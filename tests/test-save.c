/* SPDX-License-Identifier: MIT */
/* Saves that respect what is at the path, temporary files a killed save
 * leaves, long names, the read limit, and the bytes and integers the
 * parsers refuse (issue 16). */
#define _DEFAULT_SOURCE 1 /* mknod, makedev */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-common.h"
#include "test-files.h"
#include "file-io-int.h"

/* A graph whose file is a few kilobytes: more than one staging buffer. */
static lemica_graph *
sample_graph(void)
{
    lemica_graph *graph = NULL;

    ck_assert_ok(lemica_graph_new(60, 20, &graph));
    for (int from = 0; from < 60; from++)
        for (int to = from + 2; to < 60 && to - from <= 20; to++)
            ck_assert_ok(
                lemica_graph_set_weight(graph, from, to, (to - from) / 7.0));
    return graph;
}

/* Whether the file at @path holds exactly the file text of @graph. */
static void
assert_holds_graph(const char *path, const lemica_graph *graph)
{
    char *expected = test_graph_text(graph, NULL);
    char *text = test_read_text(path);

    ck_assert_str_eq(text, expected);
    free(text);
    free(expected);
}

START_TEST(test_save_follows_symbolic_links)
{
    struct test_temp_dir dir;
    char target[128], link[128], chain[128], dangling[128], absent[128];
    lemica_graph *graph = sample_graph();
    struct stat info;

    test_temp_dir_make(&dir, "save-link");
    test_temp_dir_file(&dir, "target.graph", target, sizeof(target));
    test_temp_dir_file(&dir, "link.graph", link, sizeof(link));
    test_temp_dir_file(&dir, "chain.graph", chain, sizeof(chain));
    test_temp_dir_file(&dir, "dangling.graph", dangling, sizeof(dangling));
    test_temp_dir_file(&dir, "absent.graph", absent, sizeof(absent));
    test_write_file(target, "old\n", 4);
    /* Relative links, one through the other. */
    ck_assert_int_eq(symlink("target.graph", link), 0);
    ck_assert_int_eq(symlink("link.graph", chain), 0);
    ck_assert_int_eq(symlink("absent.graph", dangling), 0);

    ck_assert_ok(lemica_graph_save(graph, NULL, chain));
    ck_assert_int_eq(lstat(chain, &info), 0);
    ck_assert(S_ISLNK(info.st_mode));
    ck_assert_int_eq(lstat(link, &info), 0);
    ck_assert(S_ISLNK(info.st_mode));
    assert_holds_graph(target, graph);

    /* A dangling link's target is created; the link stays. */
    ck_assert_ok(lemica_graph_save(graph, NULL, dangling));
    ck_assert_int_eq(lstat(dangling, &info), 0);
    ck_assert(S_ISLNK(info.st_mode));
    assert_holds_graph(absent, graph);
    /* Five entries: nothing else was left. */
    ck_assert_int_eq(test_temp_dir_count(&dir), 5);
    lemica_graph_free(graph);
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_save_writes_a_fifo_straight)
{
    struct test_temp_dir dir;
    char fifo[128], copy[128];
    lemica_graph *graph = sample_graph();
    struct stat info;
    pid_t reader;
    int status = 0;

    test_temp_dir_make(&dir, "save-fifo");
    test_temp_dir_file(&dir, "out.fifo", fifo, sizeof(fifo));
    test_temp_dir_file(&dir, "copy", copy, sizeof(copy));
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    reader = fork();
    ck_assert_int_ge(reader, 0);
    if (reader == 0) {
        /* The reader: copy what comes through the FIFO. */
        char buffer[4096];
        int in = open(fifo, O_RDONLY);
        int out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ssize_t got;

        while (in >= 0 && out >= 0 && (got = read(in, buffer, sizeof(buffer))) > 0)
            if (write(out, buffer, (size_t)got) != got)
                _exit(1);
        _exit(in >= 0 && out >= 0 ? 0 : 1);
    }
    ck_assert_ok(lemica_graph_save(graph, NULL, fifo));
    ck_assert_int_eq(lstat(fifo, &info), 0);
    if (!S_ISFIFO(info.st_mode)) {
        /* The reader would wait for ever. */
        kill(reader, SIGKILL);
        waitpid(reader, NULL, 0);
        ck_abort_msg("the save replaced the FIFO by a regular file");
    }
    ck_assert_int_eq(waitpid(reader, &status, 0), reader);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_holds_graph(copy, graph);
    ck_assert_int_eq(test_temp_dir_count(&dir), 2);
    lemica_graph_free(graph);
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_save_to_descriptor_paths)
{
    static const char *const forms[] = {"/dev/fd/", "/proc/self/fd/"};
    lemica_schedule *schedule = NULL;
    const int steps[] = {0, 2, 5};

    ck_assert_ok(lemica_schedule_new_from_steps(6, steps, 3, &schedule));
    for (size_t form = 0; form < 2; form++) {
        char path[64];
        char got[512] = "";
        char *expected = test_schedule_text(schedule, NULL);
        int ends[2];
        ssize_t length;

        ck_assert_int_eq(pipe(ends), 0);
        snprintf(path, sizeof(path), "%s%d", forms[form], ends[1]);
        ck_assert_ok(lemica_schedule_save(schedule, NULL, path));
        close(ends[1]);
        length = read(ends[0], got, sizeof(got) - 1);
        close(ends[0]);
        ck_assert_int_gt(length, 0);
        got[length] = '\0';
        ck_assert_str_eq(got, expected);
        free(expected);
    }
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_save_never_replaces_a_device)
{
    struct test_temp_dir dir;
    char device[128];
    lemica_graph *graph = sample_graph();
    struct stat info;

    test_temp_dir_make(&dir, "save-device");
    test_temp_dir_file(&dir, "null", device, sizeof(device));
    /* A private /dev/null: only root may make one (and some containers
     * refuse even root). */
    if (geteuid() != 0 || mknod(device, S_IFCHR | 0666, makedev(1, 3)) != 0) {
        fprintf(stderr, "test_save_never_replaces_a_device: skipped (needs "
                        "root and mknod)\n");
    } else {
        ck_assert_ok(lemica_graph_save(graph, NULL, device));
        ck_assert_ok(lemica_save_text(device, "x", 1));
        ck_assert_int_eq(lstat(device, &info), 0);
        ck_assert(S_ISCHR(info.st_mode));
        ck_assert_int_eq(test_temp_dir_count(&dir), 1);
    }
    lemica_graph_free(graph);
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_save_refuses_what_it_cannot_write)
{
    struct test_temp_dir dir;
    char path[100];
    lemica_graph *graph = sample_graph();
    struct sockaddr_un address;
    int listener;
    char *cwd_before;

    test_temp_dir_make(&dir, "save-refuse");
    /* A directory. */
    test_temp_dir_file(&dir, "a-directory", path, sizeof(path));
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_assert_status(lemica_graph_save(graph, NULL, path), LEMICA_ERR_IO);
    ck_assert_message_has("is a directory");
    rmdir(path);
    /* A socket. */
    test_temp_dir_file(&dir, "a-socket", path, sizeof(path));
    listener = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(listener, 0);
    memset(&address, 0, sizeof(address));
    address.sun_family = AF_UNIX;
    snprintf(address.sun_path, sizeof(address.sun_path), "%s", path);
    ck_assert_int_eq(
        bind(listener, (struct sockaddr *)&address, sizeof(address)), 0);
    ck_assert_status(lemica_graph_save(graph, NULL, path), LEMICA_ERR_IO);
    ck_assert_message_has("socket");
    close(listener);
    unlink(path);
    ck_assert_int_eq(test_temp_dir_count(&dir), 0);
    /* An empty path: refused before anything is written (the temporary
     * file would go to the working directory). */
    cwd_before = getcwd(NULL, 0);
    ck_assert_int_eq(chdir(dir.path), 0);
    ck_assert_status(lemica_graph_save(graph, NULL, ""),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_message_has("empty");
    ck_assert_status(lemica_save_text("", "x", 1), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_save_text(NULL, "x", 1),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(chdir(cwd_before), 0);
    free(cwd_before);
    ck_assert_int_eq(test_temp_dir_count(&dir), 0);
    lemica_graph_free(graph);
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_save_longest_name)
{
    struct test_temp_dir dir;
    char name[256];
    char path[400];
    lemica_graph *graph = sample_graph();
    lemica_graph *loaded = NULL;
    long name_max;

    test_temp_dir_make(&dir, "save-long");
    name_max = pathconf(dir.path, _PC_NAME_MAX);
    if (name_max < 0 || name_max > 255)
        name_max = 255;
    memset(name, 'g', (size_t)name_max);
    name[name_max] = '\0';
    snprintf(path, sizeof(path), "%s/%s", dir.path, name);
    for (int tmpfile = 0; tmpfile <= 1; tmpfile++) {
        lemica_save_use_tmpfile(tmpfile);
        ck_assert_ok(lemica_graph_save(graph, NULL, path));
        lemica_save_use_tmpfile(1);
        ck_assert_ok(lemica_graph_load(path, NULL, &loaded));
        ck_assert_uint_eq(lemica_graph_num_edges(loaded),
                          lemica_graph_num_edges(graph));
        lemica_graph_free(loaded);
        loaded = NULL;
    }
    ck_assert_int_eq(test_temp_dir_count(&dir), 1);
    lemica_graph_free(graph);
    test_temp_dir_remove(&dir);
}
END_TEST

static void
die_now(void)
{
    raise(SIGKILL);
}

/* Save @graph to @path in a child that is killed after 100 bytes. */
static void
save_and_get_killed(const lemica_graph *graph, const char *path, int tmpfile)
{
    pid_t child = fork();
    int status = 0;

    ck_assert_int_ge(child, 0);
    if (child == 0) {
        lemica_save_use_tmpfile(tmpfile);
        lemica_save_hook_after(100, die_now);
        lemica_graph_save(graph, NULL, path);
        _exit(0); /* not reached */
    }
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* The number of entries of @dir whose name starts with @prefix. */
static int
count_prefixed(const struct test_temp_dir *dir, const char *prefix)
{
    DIR *handle = opendir(dir->path);
    struct dirent *entry;
    int count = 0;

    ck_assert_ptr_nonnull(handle);
    while ((entry = readdir(handle)) != NULL)
        count += strncmp(entry->d_name, prefix, strlen(prefix)) == 0;
    closedir(handle);
    return count;
}

START_TEST(test_killed_save_leaves_nothing)
{
#ifdef __linux__
    struct test_temp_dir dir;
    char path[128];
    lemica_graph *graph = sample_graph();

    test_temp_dir_make(&dir, "save-killed");
    test_temp_dir_file(&dir, "g.graph", path, sizeof(path));
    test_write_file(path, "old\n", 4);
    save_and_get_killed(graph, path, 1);
    /* O_TMPFILE: the unfinished file never had a name. */
    ck_assert_int_eq(test_temp_dir_count(&dir), 1);
    {
        char *text = test_read_text(path);

        ck_assert_str_eq(text, "old\n");
        free(text);
    }
    lemica_graph_free(graph);
    test_temp_dir_remove(&dir);
#endif
}
END_TEST

START_TEST(test_killed_save_leftover_is_cleaned)
{
    struct test_temp_dir dir;
    char path[128], other[128], live[200], prefix[64], other_prefix[64];
    lemica_graph *graph = sample_graph();

    test_temp_dir_make(&dir, "save-leftover");
    test_temp_dir_file(&dir, "g.graph", path, sizeof(path));
    test_temp_dir_file(&dir, "other.graph", other, sizeof(other));
    lemica_save_temp_prefix(path, prefix, sizeof(prefix));
    lemica_save_temp_prefix(other, other_prefix, sizeof(other_prefix));
    ck_assert_str_ne(prefix, other_prefix);
    /* Named temporary files, as systems without O_TMPFILE have. */
    save_and_get_killed(graph, path, 0);
    save_and_get_killed(graph, other, 0);
    ck_assert_int_eq(count_prefixed(&dir, prefix), 1);
    ck_assert_int_eq(count_prefixed(&dir, other_prefix), 1);
    /* A leftover whose process lives may be a save in progress. */
    snprintf(live, sizeof(live), "%s/%s%lu-0.tmp", dir.path, prefix,
             (unsigned long)getppid());
    test_write_file(live, "in progress\n", 12);
    ck_assert_int_eq(count_prefixed(&dir, prefix), 2);

    /* The next save of the same destination removes its dead leftover
     * only. */
    ck_assert_ok(lemica_graph_save(graph, NULL, path));
    ck_assert_int_eq(count_prefixed(&dir, prefix), 1);
    ck_assert_int_eq(access(live, F_OK), 0);
    ck_assert_int_eq(count_prefixed(&dir, other_prefix), 1);
    assert_holds_graph(path, graph);
    lemica_save_use_tmpfile(0);
    ck_assert_ok(lemica_graph_save(graph, NULL, other));
    lemica_save_use_tmpfile(1);
    ck_assert_int_eq(count_prefixed(&dir, other_prefix), 0);
    /* g.graph, other.graph and the live one. */
    ck_assert_int_eq(test_temp_dir_count(&dir), 3);
    lemica_graph_free(graph);
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_save_text_exact)
{
    struct test_temp_dir dir;
    char path[128];
    char *text;

    test_temp_dir_make(&dir, "save-text");
    test_temp_dir_file(&dir, "plot.svg", path, sizeof(path));
    ck_assert_ok(lemica_save_text(path, "<svg/>\n", 7));
    text = test_read_text(path);
    ck_assert_str_eq(text, "<svg/>\n");
    free(text);
    ck_assert_ok(lemica_save_text(path, NULL, 0));
    text = test_read_text(path);
    ck_assert_str_eq(text, "");
    free(text);
    ck_assert_status(lemica_save_text(path, NULL, 3),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(test_temp_dir_count(&dir), 1);
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_read_limit)
{
    struct test_temp_dir dir;
    char path[128];
    char text[300];
    lemica_graph *graph = NULL;

    test_temp_dir_make(&dir, "read-limit");
    test_temp_dir_file(&dir, "big.csv", path, sizeof(path));
    memset(text, '#', sizeof(text));
    text[sizeof(text) - 1] = '\n';
    test_write_file(path, text, sizeof(text));
    lemica_read_limit_set(200);
    ck_assert_status(lemica_graph_load_csv(path, 0, 0, &graph),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_message_has("LEMICA_MAX_FILE_BYTES");
    lemica_read_limit_set(0);
    ck_assert_ptr_null(graph);
    /* Exactly at the limit is fine (then: no header). */
    lemica_read_limit_set(sizeof(text));
    ck_assert_status(lemica_graph_load_csv(path, 0, 0, &graph),
                     LEMICA_ERR_PARSE);
    lemica_read_limit_set(0);
    /* An endless device ends at its first NUL byte. */
    ck_assert_status(lemica_graph_load("/dev/zero", NULL, &graph),
                     LEMICA_ERR_PARSE);
    ck_assert_message_has("/dev/zero: line 1: NUL byte");
    ck_assert_status(lemica_graph_load_csv("/dev/zero", 0, 0, &graph),
                     LEMICA_ERR_PARSE);
    ck_assert_message_has("/dev/zero: line 1: NUL byte");
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_parse_nul_and_bom)
{
    static const char graph_text[] = "lemica-graph 1.0\nnum_steps 3\n"
                                     "max_skip 2\nedges 2\n0 1 0\n1 2 0.5\nend\n";
    static const char csv_text[] = "i,j,weight\n0,1,0.5\n1,2,0.25\n";
    static const char schedule_text[] = "lemica-schedule 1.0\nnum_steps 3\n"
                                        "budget 2\nsteps 0,2\nend\n";
    char buffer[256];
    lemica_graph *graph = NULL;
    lemica_schedule *schedule = NULL;

    /* A NUL byte: named, with its line. */
    memcpy(buffer, graph_text, sizeof(graph_text));
    buffer[strlen("lemica-graph 1.0\nnum_steps 3\nmax")] = '\0';
    ck_assert_status(
        lemica_graph_parse(buffer, sizeof(graph_text) - 1, NULL, &graph),
        LEMICA_ERR_PARSE);
    ck_assert_message_has("line 3: NUL byte");
    memcpy(buffer, csv_text, sizeof(csv_text));
    buffer[sizeof(csv_text) - 3] = '\0';
    ck_assert_status(
        lemica_graph_parse_csv(buffer, sizeof(csv_text) - 1, 0, 0, &graph),
        LEMICA_ERR_PARSE);
    ck_assert_message_has("line 3: NUL byte");
    /* A UTF-8 byte order mark is skipped. */
    snprintf(buffer, sizeof(buffer), "\xef\xbb\xbf%s", graph_text);
    ck_assert_ok(lemica_graph_parse(buffer, strlen(buffer), NULL, &graph));
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 2);
    lemica_graph_free(graph);
    snprintf(buffer, sizeof(buffer), "\xef\xbb\xbf%s", csv_text);
    ck_assert_ok(lemica_graph_parse_csv(buffer, strlen(buffer), 0, 0, &graph));
    lemica_graph_free(graph);
    snprintf(buffer, sizeof(buffer), "\xef\xbb\xbf%s", schedule_text);
    ck_assert_ok(
        lemica_schedule_parse(buffer, strlen(buffer), 0, NULL, &schedule));
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_parse_leading_zeros)
{
    static const char *const graphs[] = {
        "lemica-graph 1.0\nnum_steps 03\nmax_skip 2\nedges 0\nend\n",
        "lemica-graph 1.0\nnum_steps 3\nmax_skip 02\nedges 0\nend\n",
        "lemica-graph 1.0\nnum_steps 3\nmax_skip 2\nedges 01\n0 1 0\nend\n",
        "lemica-graph 1.0\nnum_steps 3\nmax_skip 2\nedges 1\n0 01 0\nend\n",
        "lemica-graph 01.0\nnum_steps 3\nmax_skip 2\nedges 0\nend\n",
    };
    static const char profile[] =
        "lemica-profile 1.0\nnum_steps 4\nmax_skip 2\nmetric l1\nsegments 1\n"
        "0 2 01 0.5 0 0.5 0.5\nend\n";
    lemica_graph *graph = NULL;
    lemica_profiler *profiler = NULL;
    lemica_schedule *schedule = NULL;

    for (size_t index = 0; index < sizeof(graphs) / sizeof(graphs[0]);
         index++) {
        ck_assert_status(
            lemica_graph_parse(graphs[index], strlen(graphs[index]), NULL,
                               &graph),
            LEMICA_ERR_PARSE);
        ck_assert_ptr_null(graph);
    }
    ck_assert_status(lemica_graph_parse(graphs[0], strlen(graphs[0]), NULL,
                                        &graph),
                     LEMICA_ERR_PARSE);
    ck_assert_message_has("line 2: num_steps \"03\" has a leading zero");
    ck_assert_status(
        lemica_graph_parse_csv("i,j,weight\n0,01,1\n", 18, 0, 0, &graph),
        LEMICA_ERR_PARSE);
    ck_assert_status(lemica_profiler_parse(profile, strlen(profile), NULL,
                                           &profiler),
                     LEMICA_ERR_PARSE);
    ck_assert_message_has("leading zero");
    ck_assert_status(
        lemica_schedule_parse("lemica-schedule 1.0\nnum_steps 3\nbudget 02\n"
                              "steps 0,2\nend\n",
                              52, 0, NULL, &schedule),
        LEMICA_ERR_PARSE);
    /* "0" itself is a number. */
    ck_assert_ok(lemica_graph_parse_csv("i,j,weight\n0,1,0\n", 17, 0, 0,
                                        &graph));
    lemica_graph_free(graph);
}
END_TEST

/* Peak resident memory of this process in KiB. */
static long
peak_kib(void)
{
    struct rusage usage;

    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

START_TEST(test_graph_costs_what_the_file_holds)
{
    const char *perturb = getenv("MALLOC_PERTURB_");
    /* glibc's MALLOC_PERTURB_ (set by meson test) makes calloc write every
     * byte, and valgrind replaces calloc: the memory bound holds only
     * without them, and the largest shape is then only slow. */
    int measure = (!perturb || strcmp(perturb, "0") == 0) &&
                  !getenv("LD_PRELOAD");
    int max_skip = measure ? 2048 : 16;
    char text[200];
    lemica_graph *graph = NULL;
    lemica_graph *copy = NULL;
    long before = peak_kib();

    snprintf(text, sizeof(text),
             "lemica-graph 1.0\nnum_steps 65536\nmax_skip %d\nedges 1\n"
             "65000 65010 2.5\nend\n",
             max_skip);
    ck_assert_ok(lemica_graph_parse(text, strlen(text), NULL, &graph));
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 1);
    ck_assert_int_eq(lemica_graph_has_edge(graph, 0, 1), 0);
    ck_assert_int_eq(lemica_graph_has_edge(graph, 65000, 65010), 1);
    ck_assert_ok(lemica_graph_copy(graph, &copy));
    ck_assert_uint_eq(lemica_graph_num_edges(copy), 1);
    ck_assert_ok(lemica_graph_set_weight(copy, 0, 1, 0.0));
    ck_assert_ok(lemica_graph_set_weight(copy, 0, 1, 1.0));
    ck_assert_uint_eq(lemica_graph_num_edges(copy), 2);
    ck_assert_ok(lemica_graph_remove_edge(copy, 0, 1));
    ck_assert_ok(lemica_graph_remove_edge(copy, 0, 1));
    ck_assert_uint_eq(lemica_graph_num_edges(copy), 1);
    /* The graph's 1 GiB of slots is zeroed memory the system maps when
     * written: parsing and copying a file of one edge stays far below
     * it. */
    if (measure)
        ck_assert_int_lt(peak_kib() - before, 256 * 1024);
    lemica_graph_free(copy);
    lemica_graph_free(graph);
}
END_TEST

TEST_SUITE(save)
{
    add_test(suite, test_save_follows_symbolic_links);
    add_test(suite, test_save_writes_a_fifo_straight);
    add_test(suite, test_save_to_descriptor_paths);
    add_test(suite, test_save_never_replaces_a_device);
    add_test(suite, test_save_refuses_what_it_cannot_write);
    add_test(suite, test_save_longest_name);
    add_test(suite, test_killed_save_leaves_nothing);
    add_test(suite, test_killed_save_leftover_is_cleaned);
    add_test(suite, test_save_text_exact);
    add_test(suite, test_read_limit);
    add_test(suite, test_parse_nul_and_bom);
    add_test(suite, test_parse_leading_zeros);
    add_test(suite, test_graph_costs_what_the_file_holds);
}
