/* SPDX-License-Identifier: MIT */
/* A small trained class-conditional diffusion transformer (DiT, Peebles and
 * Xie 2023) in plain C11 float32: the test bed's real network. It was
 * trained by examples/testbed/train-dit.py with rectified flow on sklearn's
 * digits upsampled to 16x16, with the sampler's convention
 * (examples/testbed/sampler.h): x_t = (1 - t) x0 + t eps, t = 1 is noise,
 * t = 0 data, and the network predicts v = eps - x0.
 *
 * The network, as in the DiT paper with adaLN-zero conditioning:
 *   tokens  = patchify(x) W_x + b_x + pos          (T tokens of D values)
 *   c       = MLP(sinusoid(1000 t)) + class_table[class]   (D values)
 *   block:  (shift, scale, gate) x 2 = SiLU(c) W_ada + b_ada
 *           h  = LayerNorm(tokens) (1 + scale1) + shift1   <- "modulated"
 *           tokens += gate1 * Attention(h)
 *           h  = LayerNorm(tokens) (1 + scale2) + shift2
 *           tokens += gate2 * MLP(h)             (GELU, tanh approximation)
 *   final:  (shift, scale) = SiLU(c) W + b
 *           v = unpatchify((LayerNorm(tokens) (1 + scale) + shift) W_o + b_o)
 * Class TESTBED_DIT_NULL_CLASS (= number of classes) is the "no class"
 * label of classifier-free guidance: v = v_null + w (v_class - v_null).
 *
 * Rows. A guided call of a batch of B images runs 2 B rows in one batch:
 * rows 0 .. B-1 are the conditional branch (the images' classes), rows
 * B .. 2B-1 the unconditional one (the null class), same x and t. With
 * guidance == 1 only the B conditional rows run (testbed_dit_rows()).
 * Per-row tensors (residuals, modulated inputs) are laid out
 * [row][token][dim], row-major, testbed_dit_row_size() floats per row.
 * A row's results are bit-identical whatever batch it is computed in
 * (tests/test-dit.c checks it), so replays may batch freely. Against torch
 * (float64 on the same weights) they agree to a relative 1e-5.
 *
 * Residual reuse as the LeMiCa release and TeaCache do it: a full call can
 * return residual = blocks_out - blocks_in per row; a later call given that
 * residual skips the block stack and computes only the embedding and the
 * final layer around blocks_in + residual.
 *
 * Weights (struct testbed_dit) are read-only after loading and may be shared
 * by threads; every thread needs its own testbed_dit_context, which owns the
 * work buffers so calls do not allocate.
 *
 * File layout (dit-digits.bin, format version 1; every integer u32 and
 * every value float32, little-endian):
 *   offset 0   char magic[8] = "LMCDIT\r\n"
 *   8          u32 version = 1
 *   12         u32 num_hparams = 10, then the hyper-parameters:
 *              image_side (16), channels (1), patch (4), dim (64),
 *              depth (4), heads (4), mlp_hidden (256), num_classes (10),
 *              freq_dim (64, the sinusoid size), reserved (0)
 *              then u32 num_tensors, then every tensor in this order, each
 *              as u32 ndim, u32 dims[ndim], float32 values (row-major,
 *              PyTorch's shapes: a Linear weight is [out][in]):
 *     x_embed.weight [D][p*p*C], x_embed.bias [D], pos_embed [T][D],
 *     t_mlp1.weight [D][F], t_mlp1.bias [D], t_mlp2.weight [D][D],
 *     t_mlp2.bias [D], y_table [num_classes + 1][D],
 *     per block: ada.weight [6D][D], ada.bias [6D], qkv.weight [3D][D],
 *       qkv.bias [3D], proj.weight [D][D], proj.bias [D],
 *       fc1.weight [M][D], fc1.bias [M], fc2.weight [D][M], fc2.bias [D],
 *     final.ada.weight [2D][D], final.ada.bias [2D],
 *     final.linear.weight [p*p*C][D], final.linear.bias [p*p*C]
 *   end-8      u64 FNV-1a 64 of every byte before it
 * The ada chunks are, in order, shift1, scale1, gate1, shift2, scale2,
 * gate2 (final: shift, scale); qkv is q, k, v, each heads-major. A patch's
 * p*p*C values are ordered (row in patch, column in patch, channel); tokens
 * go row-major over the grid of patches. The file must end exactly after the
 * checksum. */
#ifndef TESTBED_DIT_H
#define TESTBED_DIT_H

#include <stddef.h>

#define TESTBED_DIT_SIDE 16
#define TESTBED_DIT_PIXELS (TESTBED_DIT_SIDE * TESTBED_DIT_SIDE)
#define TESTBED_DIT_NUM_CLASSES 10
/* The classifier-free-guidance "no class" label. */
#define TESTBED_DIT_NULL_CLASS TESTBED_DIT_NUM_CLASSES

/* The magic and format version of the weight file. */
#define TESTBED_DIT_MAGIC "LMCDIT\r\n"
#define TESTBED_DIT_FORMAT_VERSION 1

typedef struct testbed_dit testbed_dit;
typedef struct testbed_dit_context testbed_dit_context;

/* Load the weights at @path. Returns 0, or -1 with a one-line reason in
 * @error (@error_size bytes, may be 0) for an unreadable file, bad magic,
 * version, hyper-parameters, tensor shapes, a truncated or over-long file
 * or a checksum mismatch; *out is then NULL. */
int testbed_dit_load(const char *path, testbed_dit **out, char *error,
                     size_t error_size);

/* The same from @size bytes at @data (not kept). */
int testbed_dit_load_memory(const void *data, size_t size, testbed_dit **out,
                            char *error, size_t error_size);

/* NULL is a no-op. */
void testbed_dit_free(testbed_dit *dit);

/* Dimensions. */
int testbed_dit_tokens(const testbed_dit *dit);       /* T, 16 */
int testbed_dit_dim(const testbed_dit *dit);          /* D, 64 */
int testbed_dit_depth(const testbed_dit *dit);        /* blocks, 4 */
int testbed_dit_channels(const testbed_dit *dit);     /* 1 */
int testbed_dit_image_side(const testbed_dit *dit);   /* 16 */
int testbed_dit_pixels(const testbed_dit *dit);       /* side^2 * channels */
int testbed_dit_num_classes(const testbed_dit *dit);  /* 10 */
int testbed_dit_null_class(const testbed_dit *dit);   /* 10 */
long testbed_dit_num_parameters(const testbed_dit *dit);

/* Floats per row of a residual or modulated input: T * D. */
size_t testbed_dit_row_size(const testbed_dit *dit);

/* Rows a call of @batch images at @guidance runs: 2 * batch, or batch when
 * guidance == 1 (no unconditional branch). */
int testbed_dit_rows(int batch, float guidance);

/* Work buffers for calls of up to @max_batch images (2 * max_batch rows).
 * Returns 0, or -1 (bad argument, no memory). The context refers to @dit,
 * which must outlive it. One thread per context. */
int testbed_dit_context_new(const testbed_dit *dit, int max_batch,
                            testbed_dit_context **out);

/* NULL is a no-op. */
void testbed_dit_context_free(testbed_dit_context *context);

/* The guided velocity of @batch images (1 <= batch <= max_batch):
 * @x        batch * pixels values (the state x_t of each image),
 * @t        batch times in [0, 1],
 * @class_ids batch labels, 0 .. num_classes (the null class allowed),
 * @guidance CFG scale w: v = v_null + w (v_class - v_null); 1 = no CFG,
 * @cached_residual NULL: run the block stack; otherwise rows * row_size
 *           floats (testbed_dit_rows(batch, guidance) rows, conditional
 *           rows first) added to the embedded tokens in place of it,
 * @residual_out NULL, or rows * row_size floats: blocks_out - blocks_in
 *           (written only when the blocks run, i.e. cached_residual NULL),
 * @modulated_out NULL, or rows * row_size floats: block 0's modulated
 *           input LayerNorm(tokens) (1 + scale1) + shift1 (TeaCache's
 *           signal; computed even when the blocks are skipped),
 * @v_out    batch * pixels values.
 * Returns 0, or -1 for bad arguments. */
int testbed_dit_velocity(testbed_dit_context *context, int batch,
                         const float *x, const float *t, const int *class_ids,
                         float guidance, const float *cached_residual,
                         float *residual_out, float *modulated_out,
                         float *v_out);

/* TeaCache's signal alone, without running the blocks: block 0's
 * modulated input of the rows of a guided call (rows * row_size floats).
 * Cheap: the embedding, one LayerNorm and one adaLN product per row. */
int testbed_dit_modulated_input(testbed_dit_context *context, int batch,
                                const float *x, const float *t,
                                const int *class_ids, float guidance,
                                float *modulated_out);

/* The pieces, per row (no guidance; up to 2 * max_batch rows). A caller
 * that wants its own row layout chains them:
 *   embed(x, t, class) -> tokens (rows * T * D), cond (rows * D)
 *   blocks(tokens in place, cond)  (tokens_out - tokens_in = residual)
 *   final(tokens, cond) -> v (rows * pixels, unguided)
 * testbed_dit_blocks() writes block 0's modulated input to @modulated_out
 * when it is not NULL. Each returns 0, or -1 for bad arguments. */
int testbed_dit_embed(testbed_dit_context *context, int rows, const float *x,
                      const float *t, const int *class_ids, float *tokens,
                      float *cond);
int testbed_dit_blocks(testbed_dit_context *context, int rows, float *tokens,
                       const float *cond, float *modulated_out);
int testbed_dit_final(testbed_dit_context *context, int rows,
                      const float *tokens, const float *cond, float *v_out);

#endif /* TESTBED_DIT_H */
