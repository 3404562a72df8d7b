/* SPDX-License-Identifier: MIT */
#include "test-common.h"

TEST_SUITE(solver)
{
    (void)suite;
}
