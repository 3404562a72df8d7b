/* SPDX-License-Identifier: MIT */
/* The test bed's DiT (examples/testbed/dit.c) against the torch forward
 * pass recorded by train-dit.py (dit-vectors.bin: guided velocity, block
 * residual, block 0's modulated input, and residual reuse), the digit
 * classifier against its recorded probabilities, and the strict loaders
 * against malformed files. Needs no torch. TESTBED_DIT_DATA names the
 * directory holding the committed files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-common.h"

#include "dit-classifier.h"
#include "dit-file.h"
#include "dit.h"

/* Relative error bound of the C pass against torch (float64 arithmetic on
 * the same float32 weights), as max |c - torch| / max |torch|. */
#define DIT_TOLERANCE 1e-5

static char *
data_path(const char *name)
{
    const char *dir = getenv("TESTBED_DIT_DATA");
    char *path;

    ck_assert_msg(dir != NULL, "TESTBED_DIT_DATA is not set");
    path = malloc(strlen(dir) + strlen(name) + 2);
    ck_assert_ptr_nonnull(path);
    sprintf(path, "%s/%s", dir, name);
    return path;
}

static unsigned char *
read_data(const char *name, size_t *size)
{
    char *path = data_path(name);
    char error[256];
    unsigned char *data;

    ck_assert_msg(testbed_dit_read_file(path, &data, size, error,
                                        sizeof(error)) == 0,
                  "%s", error);
    free(path);
    return data;
}

static testbed_dit *
load_dit(void)
{
    char *path = data_path("dit-digits.bin");
    char error[256];
    testbed_dit *dit = NULL;

    ck_assert_msg(testbed_dit_load(path, &dit, error, sizeof(error)) == 0,
                  "%s", error);
    free(path);
    return dit;
}

static double
relative_error(const float *got, const float *want, size_t count)
{
    double worst = 0.0, scale = 0.0;

    for (size_t i = 0; i < count; i++) {
        double diff = fabs((double)got[i] - (double)want[i]);

        if (!(diff <= worst))
            worst = isnan(diff) ? (double)INFINITY : diff;
        if (fabs((double)want[i]) > scale)
            scale = fabs((double)want[i]);
    }
    return worst / (scale > 0.0 ? scale : 1.0);
}

#define assert_close(got_, want_, count_, what_)                               \
    do {                                                                       \
        double err_ = relative_error((got_), (want_), (count_));               \
        ck_assert_msg(err_ <= DIT_TOLERANCE,                                   \
                      "%s: relative error %.3g > %.0e (case %d)", (what_),     \
                      err_, DIT_TOLERANCE, case_index);                        \
    } while (0)

/* One case of dit-vectors.bin (layout: write_vectors() in train-dit.py). */
struct vector_case {
    unsigned batch, rows, row_size, pixels;
    float guidance;
    int classes[16];
    float *t, *x, *v, *residual, *modulated, *t2, *x2, *v2, *modulated2;
};

static float *
take_floats(struct testbed_dit_reader *reader, size_t count)
{
    float *values = malloc(count * sizeof(float));

    ck_assert_ptr_nonnull(values);
    ck_assert_msg(testbed_dit_reader_floats(reader, "vectors", count,
                                            values) == 0,
                  "%s", reader->error);
    return values;
}

static uint32_t
take_u32(struct testbed_dit_reader *reader)
{
    uint32_t value;

    ck_assert_msg(testbed_dit_reader_u32(reader, "vectors", &value) == 0, "%s",
                  reader->error);
    return value;
}

static void
free_case(struct vector_case *c)
{
    free(c->t);
    free(c->x);
    free(c->v);
    free(c->residual);
    free(c->modulated);
    free(c->t2);
    free(c->x2);
    free(c->v2);
    free(c->modulated2);
}

static void
read_case(struct testbed_dit_reader *reader, struct vector_case *c)
{
    uint32_t bits;

    c->batch = take_u32(reader);
    c->rows = take_u32(reader);
    c->row_size = take_u32(reader);
    c->pixels = take_u32(reader);
    bits = take_u32(reader);
    memcpy(&c->guidance, &bits, sizeof(bits));
    ck_assert_uint_le(c->batch, 16);
    ck_assert_uint_eq(c->pixels, TESTBED_DIT_PIXELS);
    for (unsigned b = 0; b < c->batch; b++)
        c->classes[b] = (int)take_u32(reader);
    c->t = take_floats(reader, c->batch);
    c->x = take_floats(reader, (size_t)c->batch * c->pixels);
    c->v = take_floats(reader, (size_t)c->batch * c->pixels);
    c->residual = take_floats(reader, (size_t)c->rows * c->row_size);
    c->modulated = take_floats(reader, (size_t)c->rows * c->row_size);
    c->t2 = take_floats(reader, c->batch);
    c->x2 = take_floats(reader, (size_t)c->batch * c->pixels);
    c->v2 = take_floats(reader, (size_t)c->batch * c->pixels);
    c->modulated2 = take_floats(reader, (size_t)c->rows * c->row_size);
}

/* Open dit-vectors.bin after checking its checksum; returns the case
 * count and leaves @reader at the first case. */
static unsigned
open_vectors(struct testbed_dit_reader *reader, unsigned char *data,
             size_t size)
{
    static char error[256];
    struct testbed_dit_reader check;

    reader->data = data;
    reader->size = size;
    reader->pos = 0;
    reader->what = "dit-vectors.bin";
    reader->error = error;
    reader->error_size = sizeof(error);
    ck_assert_uint_gt(size, 20);
    ck_assert_int_eq(memcmp(data, "LMCDTV\r\n", 8), 0);
    /* The checksum first: the whole file, as the loaders check it. */
    check = *reader;
    check.pos = size - 8;
    ck_assert_msg(testbed_dit_reader_finish(&check) == 0, "%s", error);
    reader->pos = 8;
    ck_assert_uint_eq(take_u32(reader), 1);
    return take_u32(reader);
}

START_TEST(test_dit_dimensions)
{
    testbed_dit *dit = load_dit();

    ck_assert_int_eq(testbed_dit_tokens(dit), 16);
    ck_assert_int_eq(testbed_dit_dim(dit), 64);
    ck_assert_int_eq(testbed_dit_depth(dit), 4);
    ck_assert_int_eq(testbed_dit_channels(dit), 1);
    ck_assert_int_eq(testbed_dit_image_side(dit), TESTBED_DIT_SIDE);
    ck_assert_int_eq(testbed_dit_pixels(dit), TESTBED_DIT_PIXELS);
    ck_assert_int_eq(testbed_dit_num_classes(dit), 10);
    ck_assert_int_eq(testbed_dit_null_class(dit), TESTBED_DIT_NULL_CLASS);
    ck_assert_uint_eq(testbed_dit_row_size(dit), 16 * 64);
    ck_assert_int_eq(testbed_dit_num_parameters(dit), 318224);
    ck_assert_int_eq(testbed_dit_rows(5, 1.0f), 5);
    ck_assert_int_eq(testbed_dit_rows(5, 3.0f), 10);
    testbed_dit_free(dit);
    testbed_dit_free(NULL);
    testbed_dit_context_free(NULL);
}
END_TEST

/* Every recorded case: the full guided call (velocity, residual, modulated
 * input), TeaCache's signal alone, and residual reuse at a new state. */
START_TEST(test_dit_matches_torch)
{
    size_t size;
    unsigned char *data = read_data("dit-vectors.bin", &size);
    struct testbed_dit_reader reader;
    unsigned num_cases = open_vectors(&reader, data, size);
    testbed_dit *dit = load_dit();
    testbed_dit_context *context = NULL;

    ck_assert_uint_ge(num_cases, 3);
    ck_assert_int_eq(testbed_dit_context_new(dit, 16, &context), 0);
    for (int case_index = 0; case_index < (int)num_cases; case_index++) {
        struct vector_case c;
        size_t row_floats, image_floats;
        float *v, *residual, *modulated;

        read_case(&reader, &c);
        ck_assert_int_eq(testbed_dit_rows((int)c.batch, c.guidance),
                         (int)c.rows);
        ck_assert_uint_eq(c.row_size, testbed_dit_row_size(dit));
        row_floats = (size_t)c.rows * c.row_size;
        image_floats = (size_t)c.batch * c.pixels;
        v = malloc(image_floats * sizeof(float));
        residual = malloc(row_floats * sizeof(float));
        modulated = malloc(row_floats * sizeof(float));
        ck_assert(v && residual && modulated);

        ck_assert_int_eq(testbed_dit_velocity(context, (int)c.batch, c.x, c.t,
                                              c.classes, c.guidance, NULL,
                                              residual, modulated, v),
                         0);
        assert_close(v, c.v, image_floats, "guided velocity");
        assert_close(residual, c.residual, row_floats, "block residual");
        assert_close(modulated, c.modulated, row_floats, "modulated input");

        /* Without the optional outputs: the same velocity. */
        memset(v, 0, image_floats * sizeof(float));
        ck_assert_int_eq(testbed_dit_velocity(context, (int)c.batch, c.x, c.t,
                                              c.classes, c.guidance, NULL,
                                              NULL, NULL, v),
                         0);
        assert_close(v, c.v, image_floats, "guided velocity, no extras");

        memset(modulated, 0, row_floats * sizeof(float));
        ck_assert_int_eq(testbed_dit_modulated_input(context, (int)c.batch,
                                                     c.x2, c.t2, c.classes,
                                                     c.guidance, modulated),
                         0);
        assert_close(modulated, c.modulated2, row_floats,
                     "modulated input alone");

        /* Residual reuse: torch's residual from (x, t) around (x2, t2). */
        memset(modulated, 0, row_floats * sizeof(float));
        ck_assert_int_eq(testbed_dit_velocity(context, (int)c.batch, c.x2,
                                              c.t2, c.classes, c.guidance,
                                              c.residual, NULL, modulated, v),
                         0);
        assert_close(v, c.v2, image_floats, "velocity with reused residual");
        assert_close(modulated, c.modulated2, row_floats,
                     "modulated input at a reused step");
        free(v);
        free(residual);
        free(modulated);
        free_case(&c);
    }
    testbed_dit_context_free(context);
    testbed_dit_free(dit);
    free(data);
}
END_TEST

/* The pieces chained by hand give what the guided call gives at w = 1. */
START_TEST(test_dit_pieces_chain)
{
    testbed_dit *dit = load_dit();
    testbed_dit_context *context = NULL;
    int rows = 3, classes[3] = {4, 10, 0}, T, D;
    float x[3 * TESTBED_DIT_PIXELS], t[3] = {0.9f, 0.4f, 0.05f};
    float v_whole[3 * TESTBED_DIT_PIXELS], v_pieces[3 * TESTBED_DIT_PIXELS];
    float *tokens, cond[3 * 64];
    uint64_t rng = 99;

    T = testbed_dit_tokens(dit);
    D = testbed_dit_dim(dit);
    tokens = malloc((size_t)rows * T * D * sizeof(float));
    ck_assert_ptr_nonnull(tokens);
    for (int i = 0; i < rows * TESTBED_DIT_PIXELS; i++)
        x[i] = (float)(2.0 * test_rng_unit(&rng) - 1.0);
    ck_assert_int_eq(testbed_dit_context_new(dit, 2, &context), 0);
    ck_assert_int_eq(testbed_dit_velocity(context, rows, x, t, classes, 1.0f,
                                          NULL, NULL, NULL, v_whole),
                     0);
    ck_assert_int_eq(
        testbed_dit_embed(context, rows, x, t, classes, tokens, cond), 0);
    ck_assert_int_eq(testbed_dit_blocks(context, rows, tokens, cond, NULL), 0);
    ck_assert_int_eq(testbed_dit_final(context, rows, tokens, cond, v_pieces),
                     0);
    for (int i = 0; i < rows * TESTBED_DIT_PIXELS; i++)
        ck_assert_msg(v_whole[i] == v_pieces[i], "pixel %d differs", i);
    free(tokens);
    testbed_dit_context_free(context);
    testbed_dit_free(dit);
}
END_TEST

/* A row's result does not depend on the batch around it (the demo replays
 * samples in batches of any size and compares them with full passes). */
START_TEST(test_dit_batch_independent)
{
    enum { BATCH = 7 };
    testbed_dit *dit = load_dit();
    testbed_dit_context *context = NULL;
    size_t row_size = testbed_dit_row_size(dit);
    float *x = malloc(BATCH * TESTBED_DIT_PIXELS * sizeof(float));
    float *v = malloc(BATCH * TESTBED_DIT_PIXELS * sizeof(float));
    float *residual = malloc(2 * BATCH * row_size * sizeof(float));
    float one_v[TESTBED_DIT_PIXELS], *one_residual;
    float t[BATCH];
    int classes[BATCH];
    uint64_t rng = 5;

    one_residual = malloc(2 * row_size * sizeof(float));
    ck_assert(x && v && residual && one_residual);
    for (int i = 0; i < BATCH * TESTBED_DIT_PIXELS; i++)
        x[i] = (float)(2.0 * test_rng_unit(&rng) - 1.0);
    for (int b = 0; b < BATCH; b++) {
        t[b] = (float)test_rng_unit(&rng);
        classes[b] = (b * 3) % 11;
    }
    ck_assert_int_eq(testbed_dit_context_new(dit, BATCH, &context), 0);
    ck_assert_int_eq(testbed_dit_velocity(context, BATCH, x, t, classes, 2.5f,
                                          NULL, residual, NULL, v),
                     0);
    for (int b = 0; b < BATCH; b++) {
        ck_assert_int_eq(
            testbed_dit_velocity(context, 1, x + b * TESTBED_DIT_PIXELS, t + b,
                                 classes + b, 2.5f, NULL, one_residual, NULL,
                                 one_v),
            0);
        ck_assert_msg(memcmp(one_v, v + b * TESTBED_DIT_PIXELS,
                             sizeof(one_v)) == 0,
                      "image %d: velocity depends on the batch", b);
        /* Its conditional row and its unconditional row. */
        ck_assert_msg(memcmp(one_residual, residual + b * row_size,
                             row_size * sizeof(float)) == 0,
                      "image %d: residual depends on the batch", b);
        ck_assert_msg(memcmp(one_residual + row_size,
                             residual + (BATCH + b) * row_size,
                             row_size * sizeof(float)) == 0,
                      "image %d: null residual depends on the batch", b);
    }
    testbed_dit_context_free(context);
    testbed_dit_free(dit);
    free(x);
    free(v);
    free(residual);
    free(one_residual);
}
END_TEST

START_TEST(test_dit_bad_arguments)
{
    testbed_dit *dit = load_dit();
    testbed_dit_context *context = NULL;
    float x[2 * TESTBED_DIT_PIXELS] = {0}, t[2] = {0.5f, 0.5f};
    float v[2 * TESTBED_DIT_PIXELS];
    int classes[2] = {1, 2}, bad[2] = {1, 11}, negative[2] = {-1, 0};

    ck_assert_int_eq(testbed_dit_context_new(dit, 0, &context), -1);
    ck_assert_ptr_null(context);
    ck_assert_int_eq(testbed_dit_context_new(NULL, 1, &context), -1);
    ck_assert_int_eq(testbed_dit_context_new(dit, 1, &context), 0);
    /* Batch 2 with guidance needs 4 rows, the context has 2. */
    ck_assert_int_eq(testbed_dit_velocity(context, 2, x, t, classes, 3.0f,
                                          NULL, NULL, NULL, v),
                     -1);
    ck_assert_int_eq(testbed_dit_velocity(context, 2, x, t, classes, 1.0f,
                                          NULL, NULL, NULL, v),
                     0);
    ck_assert_int_eq(testbed_dit_velocity(context, 2, x, t, bad, 1.0f, NULL,
                                          NULL, NULL, v),
                     -1);
    ck_assert_int_eq(testbed_dit_velocity(context, 2, x, t, negative, 1.0f,
                                          NULL, NULL, NULL, v),
                     -1);
    ck_assert_int_eq(testbed_dit_velocity(context, 0, x, t, classes, 1.0f,
                                          NULL, NULL, NULL, v),
                     -1);
    ck_assert_int_eq(testbed_dit_velocity(context, 1, NULL, t, classes, 1.0f,
                                          NULL, NULL, NULL, v),
                     -1);
    ck_assert_int_eq(testbed_dit_velocity(context, 1, x, t, classes, NAN, NULL,
                                          NULL, NULL, v),
                     -1);
    testbed_dit_context_free(context);
    testbed_dit_free(dit);
}
END_TEST

START_TEST(test_dit_classifier_matches_torch)
{
    size_t size;
    unsigned char *data = read_data("dit-vectors.bin", &size);
    struct testbed_dit_reader reader;
    unsigned num_cases = open_vectors(&reader, data, size);
    char *path = data_path("digits-classifier.bin");
    char error[256];
    testbed_dit_classifier *classifier = NULL;
    unsigned count;
    float *images, *want, *got;
    int labels[64];
    int case_index = -1;

    for (unsigned i = 0; i < num_cases; i++) {
        struct vector_case c;

        read_case(&reader, &c);
        free_case(&c);
    }
    count = take_u32(&reader);
    ck_assert_uint_le(count, 64);
    images = take_floats(&reader, (size_t)count * TESTBED_DIT_PIXELS);
    want = take_floats(&reader, (size_t)count * 10);
    got = malloc((size_t)count * 10 * sizeof(float));
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(testbed_dit_classifier_load(path, &classifier, error,
                                              sizeof(error)) == 0,
                  "%s", error);
    ck_assert_int_eq(testbed_dit_classifier_predict(classifier, (int)count,
                                                    images, labels, got),
                     0);
    assert_close(got, want, (size_t)count * 10, "classifier probabilities");
    for (unsigned b = 0; b < count; b++) {
        int best = 0;

        for (int k = 1; k < 10; k++)
            if (want[b * 10 + (unsigned)k] > want[b * 10 + (unsigned)best])
                best = k;
        ck_assert_int_eq(labels[b], best);
    }
    ck_assert_int_eq(testbed_dit_classifier_predict(classifier, 1, NULL,
                                                    labels, NULL),
                     -1);
    testbed_dit_classifier_free(classifier);
    testbed_dit_classifier_free(NULL);
    free(images);
    free(want);
    free(got);
    free(path);
    free(data);
}
END_TEST

/* ---- malformed files ---------------------------------------------------- */

static void
put_u32(unsigned char *p, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(value >> (8 * i));
}

/* Recompute the trailing checksum, so a test reaches the check it aims at. */
static void
reseal(unsigned char *data, size_t size)
{
    uint64_t hash = testbed_dit_fnv1a64(data, size - 8);

    for (int i = 0; i < 8; i++)
        data[size - 8 + (size_t)i] = (unsigned char)(hash >> (8 * i));
}

typedef int (*load_fn)(const void *data, size_t size, void **out, char *error,
                       size_t error_size);

static int
load_dit_memory(const void *data, size_t size, void **out, char *error,
                size_t error_size)
{
    testbed_dit *dit = (testbed_dit *)0x1;
    int status = testbed_dit_load_memory(data, size, &dit, error, error_size);

    *out = dit;
    if (status == 0)
        testbed_dit_free(dit);
    return status;
}

static int
load_classifier_memory(const void *data, size_t size, void **out, char *error,
                       size_t error_size)
{
    testbed_dit_classifier *cl = (testbed_dit_classifier *)0x1;
    int status =
        testbed_dit_classifier_load_memory(data, size, &cl, error, error_size);

    *out = cl;
    if (status == 0)
        testbed_dit_classifier_free(cl);
    return status;
}

/* A copy of @data (at @size bytes, which may be shorter) must be refused
 * with a message containing @needle, and *out left NULL. */
static void
expect_refused(load_fn load, const unsigned char *data, size_t size,
               const char *needle, const char *what)
{
    char error[256] = "unset";
    void *out = NULL;
    /* A private copy, so reads past @size are caught by the sanitizers. */
    unsigned char *copy = malloc(size ? size : 1);

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, data, size);
    ck_assert_msg(load(copy, size, &out, error, sizeof(error)) == -1,
                  "%s: accepted", what);
    ck_assert_msg(out == NULL, "%s: out not cleared", what);
    ck_assert_msg(strstr(error, needle) != NULL,
                  "%s: message \"%s\" lacks \"%s\"", what, error, needle);
    free(copy);
}

START_TEST(test_dit_refuses_malformed)
{
    size_t size;
    unsigned char *good = read_data("dit-digits.bin", &size);
    unsigned char *bad = malloc(size + 1);
    void *out = NULL;
    char error[256];
    size_t cuts[] = {0, 4, 8, 11, 12, 30, 52, 56, 60, 61, 1000, size / 2,
                     size - 9, size - 8, size - 7, size - 1};

    ck_assert_ptr_nonnull(bad);
    /* The committed file itself loads. */
    ck_assert_msg(load_dit_memory(good, size, &out, error, sizeof(error)) == 0,
                  "%s", error);

    memcpy(bad, good, size);
    bad[0] ^= 0x20;
    expect_refused(load_dit_memory, bad, size, "magic", "bad magic");

    memcpy(bad, good, size);
    put_u32(bad + 8, 2);
    reseal(bad, size);
    expect_refused(load_dit_memory, bad, size, "version", "version 2");

    memcpy(bad, good, size);
    put_u32(bad + 12, 9);
    reseal(bad, size);
    expect_refused(load_dit_memory, bad, size, "hyper-parameters",
                   "hyper-parameter count");

    memcpy(bad, good, size);
    put_u32(bad + 16 + 3 * 4, 32); /* dim 64 -> 32 */
    reseal(bad, size);
    expect_refused(load_dit_memory, bad, size, "extent", "dim 32");

    memcpy(bad, good, size);
    put_u32(bad + 16 + 2 * 4, 3); /* patch 3 does not divide 16 */
    reseal(bad, size);
    expect_refused(load_dit_memory, bad, size, "inconsistent", "patch 3");

    memcpy(bad, good, size);
    put_u32(bad + 16, 0xffffffffu); /* absurd side */
    reseal(bad, size);
    expect_refused(load_dit_memory, bad, size, "outside", "huge side");

    /* The first tensor's shape: ndim at 60, dims at 64 and 68. */
    memcpy(bad, good, size);
    put_u32(bad + 60 + 4, 65);
    reseal(bad, size);
    expect_refused(load_dit_memory, bad, size, "extent", "tensor shape");

    memcpy(bad, good, size);
    put_u32(bad + 60, 3);
    reseal(bad, size);
    expect_refused(load_dit_memory, bad, size, "dimensions", "tensor rank");

    memcpy(bad, good, size);
    put_u32(bad + 56, 55);
    reseal(bad, size);
    expect_refused(load_dit_memory, bad, size, "tensors", "tensor count");

    memcpy(bad, good, size);
    bad[size / 2] ^= 0x01;
    expect_refused(load_dit_memory, bad, size, "checksum", "flipped bit");

    memcpy(bad, good, size);
    bad[size - 1] ^= 0x80;
    expect_refused(load_dit_memory, bad, size, "checksum", "bad checksum");

    /* A NaN weight under a valid checksum (the first value, offset 72). */
    memcpy(bad, good, size);
    put_u32(bad + 72, 0x7fc00000u);
    reseal(bad, size);
    expect_refused(load_dit_memory, bad, size, "finite", "NaN weight");

    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        char what[64];

        snprintf(what, sizeof(what), "truncated to %zu bytes", cuts[i]);
        expect_refused(load_dit_memory, good, cuts[i],
                       cuts[i] < 8 ? "magic" : "truncated", what);
    }

    memcpy(bad, good, size);
    bad[size] = 0;
    expect_refused(load_dit_memory, bad, size + 1, "unexpected", "extra byte");

    {
        testbed_dit *dit = (testbed_dit *)0x1;

        ck_assert_int_eq(testbed_dit_load("/nonexistent/dit.bin", &dit, error,
                                          sizeof(error)),
                         -1);
        ck_assert_ptr_null(dit);
        ck_assert_ptr_nonnull(strstr(error, "cannot open"));
        ck_assert_int_eq(
            testbed_dit_load_memory(NULL, 0, &dit, error, sizeof(error)), -1);
        /* A zero-sized error buffer is allowed. */
        ck_assert_int_eq(testbed_dit_load_memory(good, 3, &dit, NULL, 0), -1);
    }
    free(bad);
    free(good);
}
END_TEST

START_TEST(test_dit_classifier_refuses_malformed)
{
    size_t size;
    unsigned char *good = read_data("digits-classifier.bin", &size);
    unsigned char *bad = malloc(size);
    size_t cuts[] = {0, 7, 12, 20, 33, 40, size / 2, size - 8, size - 1};

    ck_assert_ptr_nonnull(bad);
    memcpy(bad, good, size);
    bad[3] ^= 0x01;
    expect_refused(load_classifier_memory, bad, size, "magic", "bad magic");
    /* A DiT file is not a classifier file. */
    memcpy(bad, TESTBED_DIT_MAGIC, 8);
    expect_refused(load_classifier_memory, bad, size, "magic", "DiT magic");

    memcpy(bad, good, size);
    put_u32(bad + 8, 7);
    reseal(bad, size);
    expect_refused(load_classifier_memory, bad, size, "version", "version 7");

    memcpy(bad, good, size);
    put_u32(bad + 16 + 4, 64); /* hidden 128 -> 64 */
    reseal(bad, size);
    expect_refused(load_classifier_memory, bad, size, "extent", "hidden 64");

    memcpy(bad, good, size);
    put_u32(bad + 16 + 8, 11); /* 11 classes */
    reseal(bad, size);
    expect_refused(load_classifier_memory, bad, size, "hyper-parameters",
                   "11 classes");

    memcpy(bad, good, size);
    bad[size / 3] ^= 0x10;
    expect_refused(load_classifier_memory, bad, size, "checksum", "flipped");

    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        char what[64];

        snprintf(what, sizeof(what), "truncated to %zu bytes", cuts[i]);
        expect_refused(load_classifier_memory, good, cuts[i],
                       cuts[i] < 8 ? "magic" : "truncated", what);
    }
    free(bad);
    free(good);
}
END_TEST

TEST_SUITE(dit)
{
    add_test(suite, test_dit_dimensions);
    add_test(suite, test_dit_matches_torch);
    add_test(suite, test_dit_pieces_chain);
    add_test(suite, test_dit_batch_independent);
    add_test(suite, test_dit_bad_arguments);
    add_test(suite, test_dit_classifier_matches_torch);
    add_test(suite, test_dit_refuses_malformed);
    add_test(suite, test_dit_classifier_refuses_malformed);
}
