/* SPDX-License-Identifier: MIT */
/* Helpers shared by the subcommands of the lemica tool. The tool uses the
 * public API only (<lemica/lemica.h>), like any other program would. */
#ifndef LEMICA_CLI_H
#define LEMICA_CLI_H

#include <stdio.h>

#include <lemica/lemica.h>

#if defined(__GNUC__)
#define LEMICA_CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define LEMICA_CLI_PRINTF(fmt, args)
#endif

/* Exit statuses, documented in every usage text. */
enum lemica_cli_exit {
    LEMICA_CLI_EXIT_OK = 0,
    LEMICA_CLI_EXIT_INPUT = 1,
    LEMICA_CLI_EXIT_USAGE = 2,
    LEMICA_CLI_EXIT_INFEASIBLE = 3
};

/* The exit-status paragraph that ends every usage text. */
#define LEMICA_CLI_EXIT_HELP                                                   \
    "Exit status: 0 success, 1 bad input, 2 usage error, 3 infeasible "        \
    "budget.\n"

/* Enough for any text lemica_cli_format_double() writes, NUL included. */
#define LEMICA_CLI_DOUBLE_SIZE 32

/* The shortest of the %.15g, %.16g and %.17g forms that strtod reads back
 * as exactly @value; "inf", "-inf" or "nan" for those. The tool never
 * calls setlocale, so the C locale (and its '.') holds. */
void lemica_cli_format_double(double value, char *buffer);

/* As lemica_cli_format_double() but always valid JSON: infinities (a sum
 * can overflow even though every weight is finite) become 1e999 and
 * -1e999, which JSON parsers read as infinities; NaN becomes null. */
void lemica_cli_format_json_number(double value, char *buffer);

/* "lemica: " + message + newline on stderr. */
void lemica_cli_error(const char *format, ...) LEMICA_CLI_PRINTF(1, 2);

/* A usage error of @command: the message, then where to find help.
 * Returns LEMICA_CLI_EXIT_USAGE. */
int lemica_cli_usage_error(const char *command, const char *format, ...)
    LEMICA_CLI_PRINTF(2, 3);

/* The value of @option ("--budget") of @command as a count (decimal
 * digits only, fitting an int) of at least @minimum. Returns 0 and sets *@out,
 * or LEMICA_CLI_EXIT_USAGE after reporting "--budget needs an integer >= 2, not
 * 'x'" (with @minimum 0: "needs a non-negative integer"). */
int lemica_cli_parse_option_count(const char *command, const char *option,
                                  const char *value, int minimum, int *out);

/* --comparator: "lexmax", "sum" or "max". Returns 0 and sets *@out, or
 * LEMICA_CLI_EXIT_USAGE after reporting the error. */
int lemica_cli_parse_comparator(const char *command, const char *value,
                                lemica_comparator *out);

/* The name --comparator takes for @comparator. */
const char *lemica_cli_comparator_name(lemica_comparator comparator);

/* Flush stdout and report a failed write (a full disk, a closed pipe).
 * Returns @status, or LEMICA_CLI_EXIT_INPUT if writing failed. */
int lemica_cli_finish_output(int status);

/* Walking the command line: options may come before or after operands;
 * "--" ends the options. */
struct lemica_cli_option {
    const char *name; /* long name without "--" */
    char short_name;  /* or 0 */
    int takes_value;  /* "--name VALUE" or "--name=VALUE" */
    int id;
};

struct lemica_cli_args {
    int argc;
    char **argv;
    const char *command;
    const struct lemica_cli_option *options;
    /* Where the operands go and how many fit; @operand_hint (may be NULL)
     * ends the message about one more. */
    const char **operands;
    size_t max_operands;
    const char *operand_hint;
    /* The walk so far: zero to start. */
    int index;
    int options_ended;
    size_t num_operands;
};

enum lemica_cli_arg_kind {
    LEMICA_CLI_ARG_END,
    LEMICA_CLI_ARG_OPTION,
    LEMICA_CLI_ARG_OPERAND,
    /* A usage error, already reported. */
    LEMICA_CLI_ARG_ERROR
};

/* The next option: *@id is its id and *@value its value (NULL for flags);
 * @options ends with an entry whose name is NULL. The operands met on the
 * way are stored in @args->operands, so LEMICA_CLI_ARG_OPERAND is never
 * returned; one beyond @args->max_operands is a usage error ("unexpected
 * argument 'x'"), reported, and gives LEMICA_CLI_ARG_ERROR. */
enum lemica_cli_arg_kind lemica_cli_next_option(struct lemica_cli_args *args,
                                                int *id, const char **value);

/* What a file holds, from its first line: a native file names its kind;
 * anything else is taken for a CSV edge list. */
enum lemica_cli_kind {
    LEMICA_CLI_KIND_CSV,
    LEMICA_CLI_KIND_GRAPH,
    LEMICA_CLI_KIND_SCHEDULE,
    LEMICA_CLI_KIND_PROFILE
};

/* Read the input @path ("-" for standard input) once, whole, into memory
 * (at most LEMICA_MAX_FILE_BYTES; reading stops after a NUL byte, which
 * the parsers then report): pipes, FIFOs and <(...) can be read once only.
 * The text stays valid until the next input is read or
 * lemica_cli_release_inputs(); reading the same path again returns it.
 * Returns 0, or -1 after reporting the error. */
int lemica_cli_read_input(const char *path, const char **text, size_t *length);

/* Free what lemica_cli_read_input() keeps. */
void lemica_cli_release_inputs(void);

/* @path for messages: "standard input" for "-". */
const char *lemica_cli_input_name(const char *path);

/* The kind of a file's text (a UTF-8 byte order mark is skipped). */
enum lemica_cli_kind lemica_cli_text_kind(const char *text, size_t length);

/* The kind of the input @path (read as lemica_cli_read_input()). Returns 0,
 * or -1 after reporting the error. */
int lemica_cli_input_kind(const char *path, enum lemica_cli_kind *kind);

/* Load a graph file or a CSV edge list (@num_steps and @max_skip as for
 * lemica_graph_load_csv(); a graph file must have @num_steps steps if it is
 * not 0). @metadata (may be NULL) receives a graph file's metadata.
 * Returns 0, or -1 after reporting the error. */
int lemica_cli_load_graph(const char *path, int num_steps, int max_skip,
                          struct lemica_metadata *metadata,
                          struct lemica_graph **out);

/* Load a schedule file, as lemica_schedule_load() but read once through
 * lemica_cli_read_input(). Returns 0, or -1 after reporting the error. */
int lemica_cli_load_schedule(const char *path, int expected_num_steps,
                             struct lemica_metadata *metadata,
                             struct lemica_schedule **out);

/* Load a profile file likewise. Returns 0, or -1 after reporting. */
int lemica_cli_load_profile(const char *path, struct lemica_metadata *metadata,
                            struct lemica_profiler **out);

/* The step list (@mask 0) or compute mask (@mask 1) as a new string; NULL
 * after reporting an error. */
char *lemica_cli_format_schedule(const struct lemica_schedule *schedule,
                                 int mask);

/* Apply "--set KEY=VALUE". Returns 0, or LEMICA_CLI_EXIT_USAGE after
 * reporting the error. */
int lemica_cli_set_metadata(struct lemica_metadata *metadata,
                            const char *assignment, const char *command);

/* Record "tool lemica VERSION" in @metadata. Returns 0 or -1. */
int lemica_cli_set_tool(struct lemica_metadata *metadata);

/* What an output file records: the --set @settings over @metadata (a key
 * it has keeps its place), then the tool line. Returns 0, or -1 after
 * reporting the error. */
int lemica_cli_apply_settings(struct lemica_metadata *metadata,
                              const struct lemica_metadata *settings);

/* Save @graph to @path as `import` and `graph` do: the --set @settings
 * over @metadata (keeping its order), the tool line, then one summary
 * line on stdout. Returns 0, or -1 after printing the error. */
int lemica_cli_save_graph(const struct lemica_graph *graph,
                          struct lemica_metadata *metadata,
                          const struct lemica_metadata *settings,
                          const char *path);

/* Save what was written to @file (a tmpfile(), closed here) to @path by
 * the library's save rule (lemica_save_text()). Returns 0, or -1 after
 * reporting the error. */
int lemica_cli_save_stream(FILE *file, const char *path);

/* Subcommands. Each takes the arguments after its name. */
int lemica_cli_solve(int argc, char **argv);
void lemica_cli_solve_usage(FILE *stream);
/* solve --k-best: print the @count best schedules of @budget (0: every
 * budget); returns an exit status (cmd-solve-kbest.c). */
int lemica_cli_solve_k_best(const char *path, struct lemica_solver *solver,
                            const struct lemica_graph *graph, int budget,
                            int count, int json);
int lemica_cli_frontier(int argc, char **argv);
void lemica_cli_frontier_usage(FILE *stream);
int lemica_cli_info(int argc, char **argv);
void lemica_cli_info_usage(FILE *stream);
int lemica_cli_import(int argc, char **argv);
void lemica_cli_import_usage(FILE *stream);
int lemica_cli_export(int argc, char **argv);
void lemica_cli_export_usage(FILE *stream);
int lemica_cli_plot(int argc, char **argv);
void lemica_cli_plot_usage(FILE *stream);
int lemica_cli_merge(int argc, char **argv);
void lemica_cli_merge_usage(FILE *stream);
int lemica_cli_graph(int argc, char **argv);
void lemica_cli_graph_usage(FILE *stream);
int lemica_cli_transfer(int argc, char **argv);
void lemica_cli_transfer_usage(FILE *stream);

/* lemica info on a profile file (cmd-profile.c). */
int lemica_cli_info_profile(const char *path);

/* Lines of lemica info (cmd-info.c): "format: " and the first line of the
 * input @path (already read); the metadata, "metadata: none" if there is
 * none. */
void lemica_cli_print_format(const char *path);
void lemica_cli_print_metadata(const struct lemica_metadata *metadata);

/* "l1", "mse" or "relative_l1", as in profile files. */
const char *lemica_cli_metric_name(lemica_metric metric);

#endif /* LEMICA_CLI_H */
