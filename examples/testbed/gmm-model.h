/* SPDX-License-Identifier: MIT */
/* The test bed's "diffusion model": the exact flow-matching velocity of a
 * Gaussian mixture over 16x16 images, in closed form. */
#ifndef TESTBED_GMM_MODEL_H
#define TESTBED_GMM_MODEL_H

#include <stddef.h>

#define TESTBED_SIDE 16
#define TESTBED_PIXELS (TESTBED_SIDE * TESTBED_SIDE)

/* The classes play the part of prompts. */
#define TESTBED_NUM_CLASSES 4

typedef struct testbed_model testbed_model;

/* A mixture of TESTBED_NUM_CLASSES classes with @prototypes_per_class
 * procedurally drawn prototype images each (pixel values in [-1, 1]); every
 * component is N(prototype, sigma_data^2 I) with equal weight. Returns 0, or
 * -1 for bad arguments or no memory. */
int testbed_model_new(int prototypes_per_class, double sigma_data,
                      testbed_model **out);

void testbed_model_free(testbed_model *model);

const char *testbed_class_name(int class_id);

int testbed_model_num_components(const testbed_model *model);

double testbed_model_sigma_data(const testbed_model *model);

/* Prototype @index (class-major order), TESTBED_PIXELS values. */
const double *testbed_model_prototype(const testbed_model *model, int index);

/* Classifier-free guidance scale w: v = v_all + w (v_class - v_all), where
 * v_all is the velocity of the whole mixture (the unconditional model).
 * w = 1, the default, is no guidance and costs one evaluation per call. */
void testbed_model_set_guidance(testbed_model *model, double guidance);

double testbed_model_guidance(const testbed_model *model);

/* The exact velocity E[eps - x0 | x_t] for x_t = (1 - t) x0 + t eps at
 * 0 <= t <= 1, conditioned on @class_id (0 .. TESTBED_NUM_CLASSES - 1), or
 * on the whole mixture when @class_id is -1. Writes TESTBED_PIXELS values.
 * Uses scratch space in @model: one thread per model. */
void testbed_model_velocity(testbed_model *model, int class_id, const double *x,
                            double t, double *velocity);

#endif /* TESTBED_GMM_MODEL_H */
