/*
 * The fuzz targets' check of a contract (a refusal is one line, an accepted
 * value reads back the same): on failure it names the condition and where,
 * then abort()s so that libFuzzer keeps the input as a crash.
 */
#ifndef PROCBENCH_FUZZ_ASSERT_H
#define PROCBENCH_FUZZ_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#define fuzz_assert(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz_assert failed: %s\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
