/* SPDX-License-Identifier: MIT */
#include "test-common.h"

TEST_SUITE(schedule_text)
{
    (void)suite;
}
