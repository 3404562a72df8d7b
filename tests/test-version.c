/* SPDX-License-Identifier: MIT */
#include "test-common.h"

TEST_SUITE(version)
{
    (void)suite;
}
