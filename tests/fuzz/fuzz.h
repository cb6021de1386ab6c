/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/fuzz/fuzz.h - what the libFuzzer harnesses share: a check that
 * crashes (so libFuzzer keeps the input), and exact-size heap copies (so
 * ASan sees a read one byte past the end).
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                            \
    do {                                                                    \
        if ( !(x) )                                                         \
        {                                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,          \
                    __LINE__, #x);                                          \
            abort();                                                        \
        }                                                                   \
    } while ( 0 )

/* A heap copy of exactly n bytes (at least one byte is allocated). */
static inline uint8_t *fuzz_dup(const uint8_t *data, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);

    CHECK(p);
    if ( n )
        memcpy(p, data, n);
    return p;
}

/* The buffer's bytes after a string of some width: a guard that must stay. */
#define FUZZ_GUARD      0xa5

static inline bool fuzz_guard_ok(const char *buf, size_t from, size_t to)
{
    for ( size_t i = from; i < to; i++ )
        if ( (uint8_t)buf[i] != FUZZ_GUARD )
            return false;
    return true;
}

/* A string written into [0, len) of a buffer: terminated, on one line. */
static inline bool fuzz_line_ok(const char *buf, size_t len)
{
    return len && memchr(buf, '\0', len) && !strchr(buf, '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* TESTS_FUZZ_FUZZ_H */
