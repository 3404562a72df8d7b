/* SPDX-License-Identifier: MIT */
/* Image quality against the uncached sample: mean L1, PSNR and SSIM. */
#ifndef TESTBED_METRICS_H
#define TESTBED_METRICS_H

#include <stddef.h>

/* Pixels of the test bed's images span [-1, 1]. */
#define TESTBED_DATA_RANGE 2.0

/* PSNR is capped here so that identical images keep means finite. */
#define TESTBED_PSNR_CAP 100.0

/* mean |a - b| over @count values. */
double testbed_mean_l1(const double *a, const double *b, size_t count);

/* 10 log10(range^2 / MSE) in dB, at most TESTBED_PSNR_CAP. */
double testbed_psnr(const double *a, const double *b, size_t count,
                    double data_range);

/* The mean structural similarity of two side x side images (Wang et al.
 * 2004), computed as scikit-image's structural_similarity() does by
 * default: a 7 x 7 uniform window, sample covariances, K1 = 0.01,
 * K2 = 0.03, the mean over the windows that fit inside the image. Needs
 * side >= 7; returns NAN otherwise. */
double testbed_ssim(const double *a, const double *b, int side,
                    double data_range);

#endif /* TESTBED_METRICS_H */
