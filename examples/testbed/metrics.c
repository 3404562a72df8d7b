/* SPDX-License-Identifier: MIT */
#include <math.h>

#include "metrics.h"

#define SSIM_WINDOW 7

double
testbed_mean_l1(const double *a, const double *b, size_t count)
{
    double sum = 0.0;

    for (size_t i = 0; i < count; i++)
        sum += fabs(a[i] - b[i]);
    return count ? sum / (double)count : 0.0;
}

double
testbed_psnr(const double *a, const double *b, size_t count, double data_range)
{
    double mse = 0.0;

    for (size_t i = 0; i < count; i++)
        mse += (a[i] - b[i]) * (a[i] - b[i]);
    if (count == 0 || mse == 0.0)
        return TESTBED_PSNR_CAP;
    mse /= (double)count;
    return fmin(TESTBED_PSNR_CAP, 10.0 * log10(data_range * data_range / mse));
}

double
testbed_ssim(const double *a, const double *b, int side, double data_range)
{
    const double c1 = (0.01 * data_range) * (0.01 * data_range);
    const double c2 = (0.03 * data_range) * (0.03 * data_range);
    const double n = SSIM_WINDOW * SSIM_WINDOW;
    /* scikit-image's default use_sample_covariance: n / (n - 1). */
    const double unbias = n / (n - 1.0);
    double total = 0.0;
    int windows = 0;

    if (side < SSIM_WINDOW)
        return (double)NAN;
    for (int y = 0; y + SSIM_WINDOW <= side; y++)
        for (int x = 0; x + SSIM_WINDOW <= side; x++) {
            double ma = 0.0, mb = 0.0, aa = 0.0, bb = 0.0, ab = 0.0;
            double va, vb, cov;

            for (int dy = 0; dy < SSIM_WINDOW; dy++)
                for (int dx = 0; dx < SSIM_WINDOW; dx++) {
                    int at = (y + dy) * side + x + dx;

                    ma += a[at];
                    mb += b[at];
                    aa += a[at] * a[at];
                    bb += b[at] * b[at];
                    ab += a[at] * b[at];
                }
            ma /= n;
            mb /= n;
            va = unbias * (aa / n - ma * ma);
            vb = unbias * (bb / n - mb * mb);
            cov = unbias * (ab / n - ma * mb);
            total += (2.0 * ma * mb + c1) * (2.0 * cov + c2) /
                     ((ma * ma + mb * mb + c1) * (va + vb + c2));
            windows++;
        }
    return total / windows;
}
