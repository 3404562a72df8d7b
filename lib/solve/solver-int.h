/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_SOLVER_INT_H
#define LEMICA_SOLVER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "lemica/lemica-solver.h"
#include "pair-memo-int.h"

/* The LEXMAX DP keeps, per state, the first few runs of its cost vector
 * (sorted descending, run-length encoded). Comparing two candidates almost
 * always ends inside those runs; when it does not, the full vectors are
 * rebuilt from the predecessor table (see solver-dp.c). */
#define LEMICA_HEAD_RUNS_DEFAULT 4
#define LEMICA_HEAD_RUNS_MAX 16

/* The blocked scan (see solver-dp.c) computes eight states of a layer at
 * once, from a matrix of outgoing weights: the weight of (s, t) is at
 * s * (K + LEMICA_BLOCK_PAD) + LEMICA_BLOCK_PAD + t - s - 1. The +inf pad
 * before each row, and one more row at the end, let a block read spans of
 * -6 .. K + 7 without a bound check. */
#define LEMICA_BLOCK_WIDTH 8
#define LEMICA_BLOCK_PAD LEMICA_BLOCK_WIDTH

/* LEXMAX on graphs with few distinct weights runs as lexicographic sums of
 * digit groups (solver-encode.c): at most this many groups, each an exact
 * sum below 2^53, so at most this many times 53 levels. */
#define LEMICA_DIGIT_GROUPS_MAX 4
#define LEMICA_DIGIT_LEVELS_MAX (53 * LEMICA_DIGIT_GROUPS_MAX)
#if LEMICA_DIGIT_LEVELS_MAX > 254
#error "the encoding's value indices are bytes"
#endif

/* One run of equal weights in a sorted cost vector. In LEXMAX's heads
 * (solver-dp.c) run 0's @id, otherwise padding, names the head's
 * contents: merge_head() gives every head it changes a new one and copies
 * it with a head it leaves unchanged, so two heads of a run with the same
 * id and length hold the same runs. */
struct lemica_run {
    double value;
    uint32_t count;
    uint32_t id;
};

/* A state of blocked one-budget LEXMAX where @ties candidates reach the
 * bottleneck (solver-dp.c). */
struct lemica_tie_state {
    uint16_t layer, step, ties;
};

/* A growable array of the workspace. */
struct lemica_buffer {
    void *data;
    size_t capacity; /* in elements */
};

/* Storage the DP reuses from solve to solve. Every buffer only grows, so a
 * solve no larger than an earlier one allocates nothing. */
struct lemica_workspace {
    struct lemica_buffer incoming;   /* double, N*K: weight of (t-K+k, t) at
                                        t*K + k; inf when unusable */
    struct lemica_buffer outgoing;   /* double, (N+1)*(K+pad): the same
                                        weights by predecessor (blocked) */
    struct lemica_buffer first_pred; /* int, N: smallest usable predecessor */
    struct lemica_buffer key[2];     /* double, N: max (LEXMAX, MAX) or sum
                                        (SUM) of each state; inf = unreached */
    struct lemica_buffer reached[2]; /* uchar, N: SUM only (inf is a sum) */
    struct lemica_buffer last_tied;  /* uint16, N: blocked LEXMAX, last
                                        candidate reaching the bottleneck */
    struct lemica_buffer pred;       /* uint16, (layers+1)*N predecessors */
    struct lemica_buffer heads[2];   /* lemica_run, N*head_runs (LEXMAX) */
    struct lemica_buffer head_len[2]; /* uchar, N: runs, high bit = truncated */
    struct lemica_buffer vectors[2]; /* double, N*layers: full vectors (USER) */
    struct lemica_buffer all_heads;  /* lemica_run, (layers+1)*N*head_runs:
                                        blocked LEXMAX keeps every layer's
                                        heads, filled only when a tie needs
                                        them (see solver-dp.c) */
    struct lemica_buffer all_head_len; /* uchar, (layers+1)*N: their run
                                          counts; 0xff = not computed */
    struct lemica_buffer layer_keys; /* double, (layers+1)*N: blocked LEXMAX
                                        for one budget keeps every layer's
                                        bottlenecks (see solver-dp.c) */
    struct lemica_buffer tie_states; /* struct lemica_tie_state,
                                        (layers+1)*N: its states to settle */
    struct lemica_buffer marked;     /* uint16, 3*N: its marks and the
                                        marked states of two layers */
    struct lemica_buffer layer_ranges; /* int, 2*(layers+1): the states of
                                          each of its layers, lo and hi */
    struct lemica_buffer scratch[2]; /* double, layers: full vectors */
    struct lemica_buffer top_runs;   /* uint32, (layers+1)*N: the row
                                        scan's LEXMAX frontier on a graph
                                        holding DBL_MAX, each state's run
                                        of steps shared with the layer
                                        before (solver-dp.c, pair_walk()) */
    struct lemica_buffer top_copies; /* double, N: the row scan's LEXMAX,
                                        each state's copies of DBL_MAX in
                                        layer c - 1, +inf if unreached
                                        (solver-dp.c, lexmax_top_ties()) */
    struct lemica_buffer end_reached; /* uchar, layers+1: (N-1, c) reached */
    struct lemica_buffer path;       /* int, layers: a result's steps */
    struct lemica_buffer path_weights; /* double, layers: its weights */
    /* Encoded LEXMAX with more than one digit group (solver-encode.c): */
    struct lemica_buffer level_ids;  /* uchar, like the weight matrix the
                                        DP reads: each slot's value index
                                        while encoding */
    struct lemica_buffer lower_keys[2]; /* double, (groups_max-1)*N: each
                                           state's sums of the lower groups,
                                           sum g of state t at g * N + t */
    struct lemica_buffer reach_masks; /* uint64, (K + 2) * ceil(N / 64):
                                         the edges of each span below a
                                         level, as bitsets of their ends,
                                         and two layers of reached states
                                         (solver-encode.c, one budget) */
    struct lemica_buffer lower_weights; /* double, (groups - 1) copies of
                                           the weight matrix the DP reads
                                           (incoming or outgoing): what
                                           each edge adds to lower group
                                           g + 1 in copy g (the row and
                                           blocked scans' lexicographic
                                           passes) */
    /* LEXMAX by level counts (level-counts-int.h): */
    struct lemica_buffer count_levels; /* uchar, N*K: each slot's level,
                                          0 = its largest value */
    struct lemica_buffer counts[2];    /* uint64, N*count_words: each
                                          state's count of every level,
                                          four to a word */
    struct lemica_buffer count_tops[2]; /* uchar, N: each state's largest
                                           level (its bottleneck's) */
    /* The lazy k-best enumeration (solver-kbest-lazy.c), kept like the
     * rest so that repeated k-best solves reuse their memory (MAX's
     * search uses best_max and listed too): */
    struct lemica_buffer kbest_paths;      /* its paths' keys */
    struct lemica_buffer kbest_links;      /* its paths' links */
    struct lemica_buffer kbest_candidates; /* its states' heaps */
    struct lemica_buffer kbest_known;      /* uint32, per state */
    struct lemica_buffer kbest_flags;      /* uchar, per state */
    struct lemica_buffer kbest_best_max;   /* double, per state */
    struct lemica_buffer kbest_list;       /* uint32, k per state */
    struct lemica_buffer kbest_heap_at;    /* size_t, per state */
    struct lemica_buffer kbest_heap_size;  /* uint32, per state */
    struct lemica_buffer kbest_stack;      /* uint32, 5 per layer */
    struct lemica_buffer kbest_full[2];    /* double, layers */
    struct lemica_buffer kbest_order;      /* uint32, k per budget */
    struct lemica_buffer kbest_listed;     /* uint32, per budget */
    struct lemica_buffer kbest_fl;         /* double, k + 1 (SUM) */
    struct lemica_buffer kbest_first_fl;   /* double, per state (SUM: first
                                              sums; LEXMAX: runner bound) */
    struct lemica_buffer kbest_fixed;      /* uint64, 2 per weight (SUM) */
    struct lemica_buffer kbest_ranks;      /* bytes: a list's edge ranks */
    /* MAX's search (solver-kbest-max.c): */
    struct lemica_buffer kbest_nodes;      /* its stack's frames and steps,
                                              per layer, and each step's
                                              row of weights */
    struct lemica_buffer kbest_pending;    /* what it keeps, per state */
    uint32_t kbest_walks; /* its walks so far: kbest_pending's stamps */
    struct lemica_buffer kbest_dfs;        /* int: the steps it lists */
    /* LEXMAX without the blocked scan (solver-dp.c, tree_maxima()): for
     * each state, its DP path's ancestor at the last anchor layer before
     * it (layers 1, 1 + S, 1 + 2S, ... for the stretch S) and the largest
     * weight in between. Kept for the last two layers, and for every
     * state of an anchor layer. */
    struct lemica_buffer anchor[2];       /* uint16, N */
    struct lemica_buffer anchor_max[2];   /* double, N */
    struct lemica_buffer anchors;         /* uint16, (layers/S + 2) * N */
    struct lemica_buffer anchors_max;     /* double, (layers/S + 2) * N */
    int anchor_stretch;                   /* S of the reserved run */
    /* tree_maxima()'s answers of the last two layers (pair-memo-int.h):
     * 2 << pair_memo_bits entries, cleared by each run that keeps anchors. */
    struct lemica_buffer pair_memo;       /* struct lemica_pair_memo */
    unsigned pair_memo_bits;
    struct lemica_pair_memo_gate pair_memo_gate;
    int anchors_on;                       /* this run keeps them */
    /* Anchors may start mid-run (layer_lexmax()): until then the walks of
     * compare_exact() (divergent edges) and the states scanned are
     * counted; anchor_floor is the first anchor layer whose states have
     * anchors pointing back (1 when they started with the run): tree_walk()
     * does not jump below it. */
    int anchors_late;
    int anchor_floor;
    size_t exact_walked, exact_walks, lexmax_states;
    /* The blocked LEXMAX frontier (solver-dp.c, frontier_ties()): layers
     * of walks taken, states scanned, and whether it builds every head. */
    size_t frontier_walked, frontier_states;
    int frontier_heads;
    /* The row scan's LEXMAX: runs of lexmax_fewest_copies() in a row
     * that left no candidate out (solver-dp.c). */
    int fewest_useless;
    /* The layer c whose lexmax_top_ties() filled top_copies (layer c - 1's
     * copies); 0: none this run. */
    int top_copies_layer;
    /* The last id merge_head() gave a head (see struct lemica_run). */
    uint32_t head_id;
};

struct lemica_solver {
    lemica_comparator comparator;
    lemica_compare_fn user_compare;
    void *user_data;
    int max_skip;                 /* 0 = the graph's */
    unsigned char *required;      /* required[step] != 0: must compute */
    size_t required_capacity;
    int head_runs;                /* runs kept per LEXMAX state */
    int digit_encoding;           /* may LEXMAX run as an exact SUM */
    struct lemica_workspace work;
};

/* A solve problem after validation: the graph, the effective max skip, the
 * budget range to fill. */
struct lemica_problem {
    const struct lemica_graph *graph;
    int num_steps;
    int max_skip;
    int budget;      /* one budget, or num_steps for the frontier */
    int frontier;    /* 1: keep every layer's end state */
    int lexmax_as_sum; /* LEXMAX run as exact SUMs (see solver-encode.c) */
    int digit_groups;  /* then: how many sums, compared lexicographically */
    int blocked;       /* 1: scan with the outgoing matrix (small problems) */
    int count_words;   /* LEXMAX by level counts: words of four counts a
                          state (level-counts-int.h); 0 = not */
    int top_runs;      /* the row scan's LEXMAX frontier keeps top_runs
                          (the graph holds DBL_MAX) */
};

/* What a prepared problem is for. */
enum lemica_solve_kind {
    LEMICA_SOLVE_ONE,      /* one budget */
    LEMICA_SOLVE_FRONTIER, /* every budget up to N */
    LEMICA_SOLVE_EDGES     /* only the usable edges (min_budget) */
};

/* Validate @graph and @budget against the solver's constraints, grow the
 * workspace and fill first_pred and the incoming matrix (the outgoing one
 * instead for the blocked scan). */
lemica_status lemica_solver_prepare(lemica_solver *solver,
                                    const struct lemica_graph *graph,
                                    int budget, enum lemica_solve_kind kind,
                                    struct lemica_problem *problem);

/* Grow @buffer to at least @count elements of @size bytes (contents not
 * kept). Returns 0 when the allocation fails. */
int lemica_solver_reserve(struct lemica_buffer *buffer, size_t count,
                          size_t size);

/* Whether the DP of @problem (num_steps, max_skip, comparator set) should
 * use the blocked scan; prepare then fills the outgoing matrix. */
int lemica_solver_use_blocked_scan(const lemica_solver *solver,
                                   const struct lemica_problem *problem);

/* Whether one of @count weights is DBL_MAX (solver-dp.c). */
int lemica_solver_holds_dbl_max(const double *weights, size_t count);

/* Run the DP over layers 1 .. problem->budget (workspace prepared).
 * Afterwards end_reached[c] says whether (N-1, c) was reached. */
void lemica_solver_run_dp(lemica_solver *solver,
                          const struct lemica_problem *problem);

/* Backtrack the path ending at (N-1, @budget) into work.path and its
 * segment weights into work.path_weights. */
void lemica_solver_backtrack(lemica_solver *solver,
                             const struct lemica_problem *problem, int budget);

/* Test hook: the number of runs kept per LEXMAX state (1 ..
 * LEMICA_HEAD_RUNS_MAX), so tests can force the slow comparison path. */
void lemica_solver_set_head_runs(lemica_solver *solver, int runs);

/* Test hook: allow (1, the default) or forbid (0) running LEXMAX as an
 * exact SUM of encoded weights, so tests can check both DPs. */
void lemica_solver_set_digit_encoding(lemica_solver *solver, int allowed);

/* If the usable weights of the prepared weight matrix (incoming, or
 * outgoing for the blocked scan) take few enough distinct positive values,
 * replace each by its exact digit encoding in the first group (0 if its
 * level is in a lower group), fill the lower-group tables of the workspace
 * and set problem->lexmax_as_sum and digit_groups; else leave the matrix
 * alone. Fails only when the workspace cannot grow. See solver-encode.c. */
lemica_status lemica_solver_encode_lexmax(lemica_solver *solver,
                                          struct lemica_problem *problem);

/* Test hook (process-wide): allow (1, the default) or forbid (0) the
 * vector encoding of few values on the blocked scan (encode_few() in
 * solver-encode.c), so tests compare it with the level set's matrix. */
void lemica_solver_set_few_values_encoding(int allowed);

/* Test hook (process-wide): rows of at least @length candidates use the
 * vector scan when the CPU has it (default 16). Both scans give the same
 * result; tests compare them. */
void lemica_solver_set_vector_scan_min(int length);

/* Test hook (process-wide): problems of at most @num_steps steps use the
 * blocked scan when the CPU has it (default 128; 0 = never). Both scans
 * give the same result; tests compare them. */
void lemica_solver_set_blocked_scan_max_steps(int num_steps);
/* The stretch S between LEXMAX's anchor layers (default 16; tests set
 * small ones so that short paths cross many). */
void lemica_solver_set_anchor_stretch(int stretch);
int lemica_solver_anchor_stretch(void);
#define LEMICA_ANCHOR_STRETCH_DEFAULT 16
/* Test hook (process-wide): LEXMAX's row scan remembers tree walks
 * (pair-memo-int.h) on problems of at least @num_steps steps (default
 * LEMICA_PAIR_MEMO_MIN_STEPS; tests set 0 so that small graphs use it). */
void lemica_solver_set_pair_memo_min_steps(int num_steps);
#define LEMICA_PAIR_MEMO_MIN_STEPS 256
/* Test hook (process-wide): LEXMAX's row scan starts its anchors at
 * the first layer after an anchor layer where, over the S layers before,
 * the exact comparisons' walks (divergent edges) times @share exceed the
 * states scanned and average more than @walk edges (defaults
 * LEMICA_ANCHOR_SHARE, LEMICA_ANCHOR_WALK; @share 0 = from the first
 * layer, as before the gate; tests also set a large share and walk 0 so
 * that anchors start mid-run). */
void lemica_solver_set_anchor_start(int share, int walk);
#define LEMICA_ANCHOR_SHARE 2
#define LEMICA_ANCHOR_WALK 8

/* Whether one-budget LEXMAX on the row scan scans every layer first and
 * settles only the ties a schedule to the end may pass (lexmax_row_one()
 * in solver-dp.c): on problems of at most LEMICA_ROW_ONE_MAX_STATES
 * states, (B + 1) N, whose bottlenecks it keeps. Also decides its
 * workspace. */
int lemica_solver_row_one(const lemica_solver *solver,
                          const struct lemica_problem *problem);
#define LEMICA_ROW_ONE_MAX_STATES ((size_t)1 << 22)
/* Test hook (process-wide): the largest (B + 1) N of that path (default
 * LEMICA_ROW_ONE_MAX_STATES; 0 = never), so tests run both. */
void lemica_solver_set_row_one_max_states(size_t states);

/* Test hook (process-wide): allow (1, the default) or forbid (0) the
 * AVX-512 kernel of the blocked scan, so tests run the AVX one too. */
void lemica_solver_set_blocked_scan_avx512(int allowed);

#endif /* LEMICA_SOLVER_INT_H */
