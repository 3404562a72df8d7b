/* SPDX-License-Identifier: MIT */
#include "lemica/lemica-version.h"

unsigned
lemica_version_number(void)
{
    return LEMICA_VERSION_NUMBER;
}

const char *
lemica_version_string(void)
{
    return LEMICA_VERSION_STRING;
}
