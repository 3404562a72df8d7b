/* SPDX-License-Identifier: MIT */
/* The libFuzzer entry point every target defines; the replay driver
 * (replay.c) calls it on each file of a corpus. */
#ifndef LEMICA_FUZZ_TARGET_H
#define LEMICA_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* LEMICA_FUZZ_TARGET_H */
