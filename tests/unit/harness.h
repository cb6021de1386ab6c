/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/unit/harness.h - helpers shared by the host unit tests: a printk sink
 * that captures the log, and a fake physical memory for boot/pvh.c.
 *
 * Everything here is static inline (state lives in function-local statics),
 * so a test that does not link lib/printk.c can include this file as long as
 * it does not call the log helpers.
 */
#ifndef TESTS_UNIT_HARNESS_H
#define TESTS_UNIT_HARNESS_H

/* cmocka needs these first. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/printk.h"

/* ---------------------------------------------------------------- log capture */

/* A growing buffer of captured text. */
struct harness_log {
    char *buf;          /* always NUL-terminated (text may hold NULs too) */
    size_t len;
    size_t cap;
};

static inline struct harness_log *harness_log(void)
{
    static struct harness_log log;

    return &log;
}

/* Append len bytes to a capture buffer, keeping it NUL-terminated. */
static inline void harness_buf_append(struct harness_log *l, const char *s,
                                      size_t len)
{
    if ( l->len + len + 1 > l->cap )
    {
        size_t cap = l->cap ? l->cap : 4096;

        while ( l->len + len + 1 > cap )
            cap *= 2;
        l->buf = realloc(l->buf, cap);
        assert_non_null(l->buf);
        l->cap = cap;
    }
    memcpy(l->buf + l->len, s, len);
    l->len += len;
    l->buf[l->len] = '\0';
}

static inline void harness_buf_clear(struct harness_log *l)
{
    l->len = 0;
    if ( l->buf )
        l->buf[0] = '\0';
}

/* Does the captured text end with suffix? */
static inline bool harness_buf_ends(const struct harness_log *l,
                                    const char *suffix)
{
    size_t n = strlen(suffix);

    return l->len >= n && !memcmp(l->buf + l->len - n, suffix, n);
}

static inline void harness_log_write(const char *s, size_t len)
{
    harness_buf_append(harness_log(), s, len);
}

static inline const struct console_sink *harness_log_sink(void)
{
    static const struct console_sink sink = {
        .name = "harness",
        .write = harness_log_write,
    };

    return &sink;
}

/* Forget what was captured so far. */
static inline void harness_log_clear(void)
{
    harness_buf_clear(harness_log());
}

/* Start capturing everything printk emits, at every log level. */
static inline void harness_log_start(void)
{
    harness_log_clear();
    printk_set_level(LOG_DEBUG);
    printk_remove_sink(harness_log_sink());
    assert_true(printk_add_sink(harness_log_sink(), false));
}

static inline void harness_log_stop(void)
{
    printk_remove_sink(harness_log_sink());
}

/* The captured text (up to the first NUL byte, if it holds any). */
static inline const char *harness_log_text(void)
{
    struct harness_log *l = harness_log();

    return l->buf ? l->buf : "";
}

static inline size_t harness_log_len(void)
{
    return harness_log()->len;
}

static inline bool harness_log_contains(const char *needle)
{
    return strstr(harness_log_text(), needle) != NULL;
}

/* Number of non-overlapping occurrences of needle in the captured text. */
static inline unsigned int harness_log_count(const char *needle)
{
    const char *p = harness_log_text();
    unsigned int n = 0;

    while ( (p = strstr(p, needle)) != NULL )
    {
        n++;
        p += strlen(needle);
    }
    return n;
}

/* Fail with the whole log in the message when needle is not in it. */
#define assert_log_contains(needle)                                         \
    do {                                                                    \
        if ( !harness_log_contains(needle) )                                \
            fail_msg("log does not contain \"%s\"; log is:\n%s", (needle),  \
                     harness_log_text());                                   \
    } while ( 0 )

#define assert_log_lacks(needle)                                            \
    do {                                                                    \
        if ( harness_log_contains(needle) )                                 \
            fail_msg("log unexpectedly contains \"%s\"; log is:\n%s",       \
                     (needle), harness_log_text());                         \
    } while ( 0 )

/* ---------------------------------------------------------------- fake RAM */

/*
 * Physical address X is phys_buf + X, for X < phys_size. Address 0 is never
 * mappable, like a NULL pointer, and neither is a range that wraps or leaves
 * the buffer.
 */
struct harness_phys {
    uint8_t *buf;
    uint64_t size;
};

static inline struct harness_phys *harness_phys(void)
{
    static struct harness_phys phys;

    return &phys;
}

static inline void phys_init(uint64_t size)
{
    struct harness_phys *p = harness_phys();

    free(p->buf);
    p->buf = calloc(1, size);
    assert_non_null(p->buf);
    p->size = size;
}

static inline void phys_free(void)
{
    struct harness_phys *p = harness_phys();

    free(p->buf);
    p->buf = NULL;
    p->size = 0;
}

/* A phys_map_fn. */
static inline const void *phys_map(uint64_t pa, uint64_t len)
{
    struct harness_phys *p = harness_phys();

    if ( !p->buf || pa == 0 || pa + len < pa || pa + len > p->size )
        return NULL;
    return p->buf + pa;
}

/* Writable pointer to [pa, pa + len) of the fake memory; must be in range. */
static inline void *phys_ptr(uint64_t pa, uint64_t len)
{
    struct harness_phys *p = harness_phys();

    assert_non_null(p->buf);
    assert_true(pa + len >= pa && pa + len <= p->size);
    return p->buf + pa;
}

static inline void phys_write(uint64_t pa, const void *data, size_t len)
{
    memcpy(phys_ptr(pa, len), data, len);
}

/* A string with its NUL. */
static inline void phys_puts(uint64_t pa, const char *s)
{
    phys_write(pa, s, strlen(s) + 1);
}

#endif /* TESTS_UNIT_HARNESS_H */
