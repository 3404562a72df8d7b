/* SPDX-License-Identifier: MIT */
/* The digit classifier of the DiT test bed, for "class agreement": does a
 * generated sample look like the digit it was asked for? A two-layer MLP
 * (256 -> hidden, ReLU, -> 10) trained by examples/testbed/train-dit.py on
 * the same 16x16 images in [-1, 1] as the DiT.
 *
 * File layout (digits-classifier.bin, format version 1), as dit.h's:
 *   char magic[8] = "LMCDCL\r\n", u32 version = 1, u32 num_hparams = 4,
 *   hparams: pixels (256), hidden (128), num_classes (10), reserved (0),
 *   u32 num_tensors (4), then each tensor as u32 ndim, u32 dims[ndim],
 *   float32 values: fc1.weight [H][pixels], fc1.bias [H],
 *   fc2.weight [10][H], fc2.bias [10];
 *   u64 FNV-1a 64 of every byte before it, at the very end. */
#ifndef TESTBED_DIT_CLASSIFIER_H
#define TESTBED_DIT_CLASSIFIER_H

#include <stddef.h>

#define TESTBED_DIT_CLASSIFIER_MAGIC "LMCDCL\r\n"

typedef struct testbed_dit_classifier testbed_dit_classifier;

/* Returns 0, or -1 with a reason in @error (bad file, as testbed_dit_load). */
int testbed_dit_classifier_load(const char *path, testbed_dit_classifier **out,
                                char *error, size_t error_size);
int testbed_dit_classifier_load_memory(const void *data, size_t size,
                                       testbed_dit_classifier **out,
                                       char *error, size_t error_size);

/* NULL is a no-op. */
void testbed_dit_classifier_free(testbed_dit_classifier *classifier);

/* The most likely digit of each of @batch images (batch * 256 values in
 * [-1, 1]) into @labels; @probabilities may be NULL or batch * 10 values
 * (softmax). Thread-safe: no scratch state. Returns 0, or -1 for bad
 * arguments. */
int testbed_dit_classifier_predict(const testbed_dit_classifier *classifier,
                                   int batch, const float *images, int *labels,
                                   float *probabilities);

#endif /* TESTBED_DIT_CLASSIFIER_H */
