/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/unit/test-printk.c - lib/vsnprintf.c against libc, and lib/printk.c. */

/*
 * libc's vsnprintf is the reference. The build renames ours to
 * shim_vsnprintf with -D; undo that just long enough to declare libc's.
 */
#undef snprintf
#undef vsnprintf
#include <stdarg.h>
#include <stdio.h>

static int libc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return vsnprintf(buf, size, fmt, ap);
}

/* A NUL character through %c, which check() cannot compare as a string. */
static int libc_snprintf_nul(char *buf, size_t size)
{
    return snprintf(buf, size, "a%cb", 0);
}

#define snprintf shim_snprintf
#define vsnprintf shim_vsnprintf

#include <limits.h>

#include "harness.h"

#include "lib/printk.h"
#include "lib/vsnprintf.h"

/* ---------------------------------------------------------------- vsnprintf */

#define FMT_BUF 256

/*
 * Format with ours and with libc's, into every buffer size from 0 to one
 * more than needed, and demand the same bytes (including the untouched tail
 * of the buffer) and the same return value.
 */
static void __printf(2, 3) check(int line, const char *fmt, ...)
{
    char ours[FMT_BUF], ref[FMT_BUF];
    int full = -1;

    for ( size_t size = 0; size < FMT_BUF; size++ )
    {
        va_list ap;
        int n_ours, n_ref;

        memset(ours, 0x7e, sizeof(ours));
        memset(ref, 0x7e, sizeof(ref));

        va_start(ap, fmt);
        n_ours = vsnprintf(size ? ours : NULL, size, fmt, ap);
        va_end(ap);
        va_start(ap, fmt);
        n_ref = libc_vsnprintf(size ? ref : NULL, size, fmt, ap);
        va_end(ap);

        if ( n_ours != n_ref )
            fail_msg("line %d: \"%s\" size %zu: returned %d, libc %d", line,
                     fmt, size, n_ours, n_ref);
        if ( memcmp(ours, ref, sizeof(ours)) )
            fail_msg("line %d: \"%s\" size %zu: \"%.*s\", libc \"%.*s\"", line,
                     fmt, size, (int)MIN(size, sizeof(ours)), ours,
                     (int)MIN(size, sizeof(ref)), ref);
        full = n_ref;
        if ( size > (size_t)full )
            break;
    }
    assert_in_range(full, 0, FMT_BUF - 2);
}

#define CHECK(...) check(__LINE__, __VA_ARGS__)

static void test_vsnprintf_basic(void **state)
{
    int x;

    CHECK("plain text");
    CHECK("%d", 0);
    CHECK("%d", 42);
    CHECK("%d", -42);
    CHECK("%d", INT_MAX);
    CHECK("%d", INT_MIN);
    CHECK("%i", -7);
    CHECK("%u", 0u);
    CHECK("%u", UINT_MAX);
    CHECK("%x", 0xdeadbeefu);
    CHECK("%X", 0xdeadbeefu);
    CHECK("%o", 8u);
    CHECK("%o", 0u);
    CHECK("%p", (void *)0x1234);
    CHECK("%p", (void *)&x);
    CHECK("%s", "hello");
    CHECK("%s", "");
    CHECK("%c", 'x');
    CHECK("%%");
    CHECK("100%% sure");
    CHECK("a%db%sc%xd%ce%%f%u", -1, "str", 0xabcu, 'Q', 7u);
}

static void test_vsnprintf_flags(void **state)
{
    CHECK("[%-5d]", 42);
    CHECK("[%-5d]", -42);
    CHECK("[%05d]", 42);
    CHECK("[%05d]", -42);
    CHECK("[%+d]", 42);
    CHECK("[%+d]", -42);
    CHECK("[%+d]", 0);
    CHECK("[% d]", 42);
    CHECK("[% d]", -42);
    CHECK("[%+05d]", 42);
    CHECK("[% 05d]", 42);
    CHECK("[%#x]", 255u);
    CHECK("[%#X]", 255u);
    CHECK("[%#x]", 0u);
    CHECK("[%#o]", 8u);
    CHECK("[%#o]", 0u);
    CHECK("[%#08x]", 255u);
    CHECK("[%-#8x]", 255u);
    CHECK("[%#5o]", 8u);
    CHECK("[%08X]", 0xabcu);
    CHECK("[%-10s]", "left");
    CHECK("[%10s]", "right");
    CHECK("[%5c]", 'c');
    CHECK("[%-5c]", 'c');
    CHECK("[%20p]", (void *)0xfeedu);
    CHECK("[%-20p]", (void *)0xfeedu);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    /* Flags that C says are ignored; GCC warns about them. */
    CHECK("[%-05d]", 42);
    CHECK("[%+ d]", 42);
    CHECK("[% +d]", -42);
    CHECK("[%08.3d]", 5);
    CHECK("[%08.3d]", -5);
    CHECK("[%05s]", "ab");
    /* '+' and ' ' only apply to signed conversions. */
    CHECK("[%+u]", 5u);
    CHECK("[% u]", 5u);
    CHECK("[%+x]", 255u);
    CHECK("[% X]", 255u);
    CHECK("[%+o]", 8u);
    CHECK("[%+5u]", 5u);
    CHECK("[% 05x]", 255u);
    /* Flags and precision with %p, as glibc treats them. */
    CHECK("[%+p]", (void *)0x1234);
    CHECK("[%.3p]", (void *)0x1);
#pragma GCC diagnostic pop
}

static void test_vsnprintf_width_precision(void **state)
{
    CHECK("[%8d]", 123);
    CHECK("[%-8d]", 123);
    CHECK("[%2d]", 12345);
    CHECK("[%.5d]", 42);
    CHECK("[%.5d]", -42);
    CHECK("[%8.5d]", -42);
    CHECK("[%-8.5d]", 42);
    CHECK("[%.0d]", 0);
    CHECK("[%5.0d]", 0);
    CHECK("[%+.0d]", 0);
    CHECK("[%.0d]", 1);
    CHECK("[%.0u]", 0u);
    CHECK("[%.0x]", 0u);
    CHECK("[%.0o]", 0u);
    CHECK("[%#.0o]", 0u);
    CHECK("[%#.0x]", 0u);
    CHECK("[%.3x]", 0xau);
    CHECK("[%#.3x]", 0xau);
    CHECK("[%#.5o]", 8u);
    CHECK("[%.3s]", "abcdef");
    CHECK("[%10.3s]", "abcdef");
    CHECK("[%-10.3s]", "abcdef");
    CHECK("[%.0s]", "abc");
    CHECK("[%.10s]", "abc");
    CHECK("[%200d]", 1);
}

static void test_vsnprintf_star(void **state)
{
    CHECK("[%*d]", 5, 42);
    CHECK("[%*d]", -5, 42);
    CHECK("[%-*d]", 5, 42);
    CHECK("[%-*d]", -5, 42);
    CHECK("[%0*d]", 6, -3);
    CHECK("[%.*d]", 4, 7);
    CHECK("[%.*d]", 0, 0);
    CHECK("[%.*d]", -1, 0);
    CHECK("[%.*d]", -3, 7);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    /* A negative precision is no precision: the '0' flag applies again. */
    CHECK("[%0.*d]", -3, 7);
    CHECK("[%08.*d]", -3, 7);
#pragma GCC diagnostic pop
    CHECK("[%*.*d]", 8, 4, 7);
    CHECK("[%*.*d]", -8, 4, -7);
    CHECK("[%.*s]", 2, "abc");
    CHECK("[%.*s]", -1, "abc");
    CHECK("[%*s]", 6, "ab");
    CHECK("[%*s]", -6, "ab");
    CHECK("[%*s|%*s]", 3, "a", -3, "b");
}

static void test_vsnprintf_length(void **state)
{
    CHECK("%hhd", 200);
    CHECK("%hhd", -129);
    CHECK("%hhu", 511);
    CHECK("%hhx", 0x1ff);
    CHECK("%hd", 70000);
    CHECK("%hd", -32769);
    CHECK("%hu", 70000);
    CHECK("%hx", 0x12345);
    CHECK("%ld", LONG_MIN);
    CHECK("%ld", LONG_MAX);
    CHECK("%lu", ULONG_MAX);
    CHECK("%lx", 0x123456789abcdefUL);
    CHECK("%lld", LLONG_MIN);
    CHECK("%lld", LLONG_MAX);
    CHECK("%llu", ULLONG_MAX);
    CHECK("%llx", ULLONG_MAX);
    CHECK("%llX", 0xfedcba9876543210ULL);
    CHECK("%llo", ULLONG_MAX);
    CHECK("%#llo", ULLONG_MAX);
    CHECK("%#llx", ULLONG_MAX);
    CHECK("%+lld", 0LL);
    CHECK("%zu", (size_t)SIZE_MAX);
    CHECK("%zx", (size_t)0x1000);
    CHECK("%jd", (intmax_t)INT64_MIN);
    CHECK("%ju", (uintmax_t)UINT64_MAX);
    CHECK("%td", (ptrdiff_t)-12345);
    CHECK("%d %ld %lld %hd %hhd", 1, 2L, 3LL, (short)4, (signed char)5);
    CHECK("%-25lld|%025lld", LLONG_MIN, LLONG_MIN);
}

static void test_vsnprintf_differs_from_libc(void **state)
{
    const char *volatile null = NULL;
    char buf[32];

    /*
     * %s NULL is undefined in C. We print "(null)", cut by the precision
     * like any string; glibc prints nothing when the precision is below 6.
     */
    assert_int_equal(snprintf(buf, sizeof(buf), "[%s]", null), 8);
    assert_string_equal(buf, "[(null)]");
    assert_int_equal(snprintf(buf, sizeof(buf), "[%.3s]", null), 5);
    assert_string_equal(buf, "[(nu]");
    assert_int_equal(snprintf(buf, sizeof(buf), "[%8s]", null), 10);
    assert_string_equal(buf, "[  (null)]");

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
    /* Unknown conversions are echoed, a trailing '%' is printed. */
    assert_int_equal(snprintf(buf, sizeof(buf), "a%qb", 1), 4);
    assert_string_equal(buf, "a%qb");
    assert_int_equal(snprintf(buf, sizeof(buf), "50%"), 3);
    assert_string_equal(buf, "50%");
#pragma GCC diagnostic pop
}

static void test_vsnprintf_nul_char(void **state)
{
    char ours[8], ref[8];

    memset(ours, 'X', sizeof(ours));
    memset(ref, 'X', sizeof(ref));
    assert_int_equal(snprintf(ours, sizeof(ours), "a%cb", 0), 3);
    assert_int_equal(libc_snprintf_nul(ref, sizeof(ref)), 3);
    assert_memory_equal(ours, ref, sizeof(ours));
    assert_memory_equal(ours, "a\0b\0XXXX", 8);
}

static void test_vsnprintf_truncation(void **state)
{
    char buf[16];

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(snprintf(buf, 5, "%s", "hello world"), 11);
    assert_string_equal(buf, "hell");
    assert_int_equal(buf[5], 'X');

    /* Size 0 writes nothing at all, and NULL is then allowed. */
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(snprintf(buf, 0, "%d", 12345), 5);
    assert_int_equal(buf[0], 'X');
    assert_int_equal(snprintf(NULL, 0, "%s-%d", "abc", -1), 6);

    /* Size 1: just the NUL. */
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(snprintf(buf, 1, "%08d", 42), 8);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'X');

    /* Cut in the middle of padding and of a number. */
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(snprintf(buf, 4, "%08d", 42), 8);
    assert_string_equal(buf, "000");
    assert_int_equal(snprintf(buf, 4, "%d", -123456), 7);
    assert_string_equal(buf, "-12");

    /* Exactly fitting, and one byte short. */
    assert_int_equal(snprintf(buf, 6, "%s", "12345"), 5);
    assert_string_equal(buf, "12345");
    assert_int_equal(snprintf(buf, 5, "%s", "12345"), 5);
    assert_string_equal(buf, "1234");
}

/* ---------------------------------------------------------------- printk */

/* Everything ever printed, from before the first test on. */
static struct harness_log history;

static void history_write(const char *s, size_t len)
{
    harness_buf_append(&history, s, len);
}

static const struct console_sink history_sink = {
    .name = "history",
    .write = history_write,
};

/* A late sink: what the replay gives it. */
static struct harness_log late;
static unsigned int late_writes, late_flushes;

static void late_write(const char *s, size_t len)
{
    harness_buf_append(&late, s, len);
    late_writes++;
}

static void late_flush(void)
{
    late_flushes++;
}

static const struct console_sink late_sink = {
    .name = "late",
    .write = late_write,
    .flush = late_flush,
};

static void dummy_write(const char *s, size_t len)
{
}

static const struct console_sink dummy_sinks[PRINTK_MAX_SINKS] = {
    { .name = "dummy0", .write = dummy_write },
    { .name = "dummy1", .write = dummy_write },
    { .name = "dummy2", .write = dummy_write },
    { .name = "dummy3", .write = dummy_write },
};

static int group_setup(void **state)
{
    /* Nothing has been printed yet: the replay is empty. */
    if ( !printk_add_sink(&history_sink, true) || history.len != 0 )
        return -1;
    return 0;
}

static int setup(void **state)
{
    harness_log_start();
    harness_buf_clear(&late);
    late_writes = late_flushes = 0;
    return 0;
}

static int teardown(void **state)
{
    harness_log_stop();
    printk_remove_sink(&late_sink);
    for ( unsigned int i = 0; i < ARRAY_SIZE(dummy_sinks); i++ )
        printk_remove_sink(&dummy_sinks[i]);
    printk_set_level(LOG_DEBUG);
    panic_hook = NULL;
    return 0;
}

/* Runs first, before any setup changed the level. */
static void test_default_level(void **state)
{
    assert_int_equal(printk_get_level(), CONFIG_LOGLVL_DEFAULT);
}

static void test_prefix(void **state)
{
    printk("hello\n");
    assert_string_equal(harness_log_text(), LOG_PREFIX "hello\n");

    harness_log_clear();
    printk("a\nb\n\nc\n");
    assert_string_equal(harness_log_text(),
                        LOG_PREFIX "a\n" LOG_PREFIX "b\n" LOG_PREFIX "\n"
                        LOG_PREFIX "c\n");

    harness_log_clear();
    printk("%s", "");
    assert_int_equal(harness_log_len(), 0);
}

/* The guest's console bytes: printable ASCII, tab and newline only. */
static void test_guest_text_filtered(void **state)
{
    static const char evil[] = "ok\x1b[2J\rX\0\x7f\xc3\xa9\tend\nnext\n";

    printk_guest(evil, sizeof(evil) - 1);
    assert_string_equal(harness_log_text(),
                        GUEST_LOG_PREFIX "ok?[2J?X????\tend\n"
                        GUEST_LOG_PREFIX "next\n");
    /* Longer than the filter's buffer: nothing lost, nothing unfiltered. */
    harness_log_clear();
    {
        char big[300];

        memset(big, '\r', sizeof(big));
        big[sizeof(big) - 1] = '\n';
        printk_guest(big, sizeof(big));
        assert_int_equal(harness_log_len(), sizeof(GUEST_LOG_PREFIX) - 1 + 300);
        assert_null(strchr(harness_log_text(), '\r'));
    }
}

static void test_prefix_split_lines(void **state)
{
    /* One line over several calls gets one prefix. */
    printk("abc");
    printk("%s", "def");
    pr_warn("ghi");
    printk("\n");
    assert_string_equal(harness_log_text(), LOG_PREFIX "abcdefghi\n");

    /* A newline in the middle: the rest opens a new line. */
    harness_log_clear();
    printk("x\ny");
    printk("z\n");
    assert_string_equal(harness_log_text(),
                        LOG_PREFIX "x\n" LOG_PREFIX "yz\n");
}

static void test_levels(void **state)
{
    printk_set_level(LOG_WARN);
    assert_int_equal(printk_get_level(), LOG_WARN);
    pr_err("e1\n");
    pr_warn("w1\n");
    pr_info("i1\n");
    printk("p1\n");
    pr_debug("d1\n");
    assert_string_equal(harness_log_text(), LOG_PREFIX "e1\n" LOG_PREFIX "w1\n");

    harness_log_clear();
    printk_set_level(LOG_ERR);
    pr_err("e2\n");
    pr_warn("w2\n");
    assert_string_equal(harness_log_text(), LOG_PREFIX "e2\n");

    /* loglvl=none: not even errors. */
    harness_log_clear();
    printk_set_level((enum log_level)-1);
    pr_err("e3\n");
    assert_int_equal(harness_log_len(), 0);

    harness_log_clear();
    printk_set_level(LOG_DEBUG);
    pr_debug("d4\n");
    printk_level(LOG_INFO, "i%d\n", 4);
    assert_string_equal(harness_log_text(), LOG_PREFIX "d4\n" LOG_PREFIX "i4\n");
}

static void test_filtered_text_is_not_logged(void **state)
{
    size_t before = history.len;

    printk_set_level(LOG_INFO);
    pr_debug("not kept\n");
    assert_int_equal(history.len, before);
    assert_int_equal(harness_log_len(), 0);
}

static void test_replay(void **state)
{
    printk("before the late sink\n");
    assert_true(history.len < PRINTK_BUF_SIZE);

    /* Without replay, only what comes next. */
    assert_true(printk_add_sink(&late_sink, false));
    assert_int_equal(late.len, 0);
    printk("live\n");
    assert_string_equal(late.buf, LOG_PREFIX "live\n");
    printk_remove_sink(&late_sink);

    /* With replay: everything so far (less than a buffer-full), then live. */
    harness_buf_clear(&late);
    assert_true(printk_add_sink(&late_sink, true));
    assert_int_equal(late.len, history.len);
    assert_memory_equal(late.buf, history.buf, history.len);
    printk("after\n");
    assert_int_equal(late.len, history.len);
    assert_memory_equal(late.buf, history.buf, history.len);
}

static void test_replay_wrapped(void **state)
{
    char expect[PRINTK_BUF_SIZE];

    /* Well over a buffer-full of distinct lines. */
    for ( unsigned int i = 0; i < 300; i++ )
        printk("line %04u: the quick brown fox jumps over the lazy dog\n", i);
    assert_true(history.len > PRINTK_BUF_SIZE + 1000);

    /* Odd-length: the ring's head is not at a round offset. */
    printk("odd\n");
    memcpy(expect, history.buf + history.len - PRINTK_BUF_SIZE, PRINTK_BUF_SIZE);

    assert_true(printk_add_sink(&late_sink, true));
    assert_int_equal(late.len, PRINTK_BUF_SIZE);
    assert_memory_equal(late.buf, expect, PRINTK_BUF_SIZE);
    /* The ring's oldest part, then its newest: two writes unless aligned. */
    assert_int_equal(late_writes, history.len % PRINTK_BUF_SIZE ? 2 : 1);
    assert_true(harness_buf_ends(&late, LOG_PREFIX "odd\n"));
}

static void test_remove_sink(void **state)
{
    assert_true(printk_add_sink(&late_sink, false));
    printk("one\n");
    printk_remove_sink(&late_sink);
    printk("two\n");
    assert_string_equal(late.buf, LOG_PREFIX "one\n");
    assert_log_contains("two");

    /* Removing what is not there changes nothing. */
    printk_remove_sink(&late_sink);
    harness_log_clear();
    printk("three\n");
    assert_string_equal(harness_log_text(), LOG_PREFIX "three\n");
}

static void test_sink_table_full(void **state)
{
    unsigned int added = 0;

    /* history and the harness sink take two slots. */
    for ( unsigned int i = 0; i < ARRAY_SIZE(dummy_sinks); i++ )
        if ( printk_add_sink(&dummy_sinks[i], false) )
            added++;
    assert_int_equal(added, PRINTK_MAX_SINKS - 2);
    assert_false(printk_add_sink(&late_sink, true));
    assert_int_equal(late.len, 0);      /* no replay when refused */

    /* A freed slot can be taken again. */
    printk_remove_sink(&dummy_sinks[0]);
    assert_true(printk_add_sink(&late_sink, false));
    printk("full house\n");
    assert_string_equal(late.buf, LOG_PREFIX "full house\n");
    assert_log_contains("full house");
}

static void test_flush(void **state)
{
    assert_true(printk_add_sink(&late_sink, false));
    printk_flush();
    printk_flush();
    assert_int_equal(late_flushes, 2);
}

static void test_truncated_message(void **state)
{
#define TRUNCATED "...[truncated]\n"
    char msg[600];

    /* 511 characters fit in the 512 byte buffer. */
    memset(msg, 'a', 511);
    msg[511] = '\0';
    printk("%s", msg);
    printk("\n");
    assert_int_equal(harness_log_len(), strlen(LOG_PREFIX) + 511 + 1);
    assert_log_lacks("truncated");

    /* 512 and more do not: cut, and said so, on a line of its own. */
    for ( unsigned int len = 512; len <= 599; len += 87 )
    {
        harness_log_clear();
        memset(msg, 'b', len);
        msg[len] = '\0';
        printk("%s", msg);
        assert_int_equal(harness_log_len(), strlen(LOG_PREFIX) + 511);
        assert_memory_equal(harness_log_text(), LOG_PREFIX, strlen(LOG_PREFIX));
        assert_int_equal(strspn(harness_log_text() + strlen(LOG_PREFIX), "b"),
                         511 - strlen(TRUNCATED));
        assert_true(harness_buf_ends(harness_log(), TRUNCATED));

        /* The next message starts a new, prefixed line. */
        printk("next\n");
        assert_true(harness_buf_ends(harness_log(), TRUNCATED LOG_PREFIX "next\n"));
    }
}

static jmp_buf panic_jmp;
static char panic_reason[512];
static unsigned int panic_calls;

static void test_panic_hook(const char *reason)
{
    panic_calls++;
    snprintf(panic_reason, sizeof(panic_reason), "%s", reason);
    longjmp(panic_jmp, 1);
}

static void test_panic(void **state)
{
    panic_hook = test_panic_hook;
    panic_calls = 0;
    assert_true(printk_add_sink(&late_sink, false));

    /* Even at loglvl=none, and after half a line. */
    printk("half a line");
    printk_set_level((enum log_level)-1);
    if ( !setjmp(panic_jmp) )
    {
        panic("bad thing %d in %s", 42, "place");
        fail_msg("panic() returned");
    }
    assert_int_equal(panic_calls, 1);
    assert_string_equal(panic_reason, "bad thing 42 in place");
    assert_string_equal(harness_log_text(),
                        LOG_PREFIX "half a line\n"
                        LOG_PREFIX "PANIC: bad thing 42 in place\n");
    assert_int_equal(late_flushes, 1);

    /* A reason ending in a newline gets no blank line. */
    harness_log_clear();
    if ( !setjmp(panic_jmp) )
        panic("oops\n");
    assert_int_equal(panic_calls, 2);
    assert_string_equal(panic_reason, "oops\n");
    assert_string_equal(harness_log_text(), LOG_PREFIX "PANIC: oops\n");

    /* A multi-line reason is prefixed line by line. */
    harness_log_clear();
    if ( !setjmp(panic_jmp) )
        panic("first\nsecond");
    assert_string_equal(harness_log_text(),
                        LOG_PREFIX "PANIC: first\n" LOG_PREFIX "second\n");
}

static void test_panic_long_reason(void **state)
{
    char msg[400];

    panic_hook = test_panic_hook;
    memset(msg, 'r', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    if ( !setjmp(panic_jmp) )
        panic("%s", msg);
    assert_int_equal(strlen(panic_reason), 255);
    assert_int_equal(strspn(panic_reason, "r"), 255);
    assert_log_contains("PANIC: rrrr");
    assert_true(harness_buf_ends(harness_log(), "r\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_level),
        cmocka_unit_test(test_vsnprintf_basic),
        cmocka_unit_test(test_vsnprintf_flags),
        cmocka_unit_test(test_vsnprintf_width_precision),
        cmocka_unit_test(test_vsnprintf_star),
        cmocka_unit_test(test_vsnprintf_length),
        cmocka_unit_test(test_vsnprintf_differs_from_libc),
        cmocka_unit_test(test_vsnprintf_nul_char),
        cmocka_unit_test(test_vsnprintf_truncation),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        /* test_replay needs less than a buffer-full of history: keep first. */
        T(test_replay),
        T(test_prefix),
        T(test_prefix_split_lines),
        T(test_guest_text_filtered),
        T(test_levels),
        T(test_filtered_text_is_not_logged),
        T(test_replay_wrapped),
        T(test_remove_sink),
        T(test_sink_table_full),
        T(test_flush),
        T(test_truncated_message),
        T(test_panic),
        T(test_panic_long_reason),
#undef T
    };

    return cmocka_run_group_tests(tests, group_setup, NULL);
}
