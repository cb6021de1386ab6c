/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/fuzz/fuzz-cmdline.c - boot/cmdline.c: the input, up to its first
 * NUL and at most BOOT_CMDLINE_MAX - 1 bytes (what boot/pvh.c hands on), is
 * the shim's command line. The options stay in range, what follows " -- "
 * is the end of the line, a warning is printed exactly when an option is
 * counted as unknown, leading blanks change nothing, and the console names
 * cmdline_console_names() prints parse back to the same consoles.
 */
#include "tests/fuzz/fuzz.h"

#include "boot/cmdline.h"
#include "lib/printk.h"

static size_t log_len, log_lines;

static void log_write(const char *s, size_t len)
{
    log_len += len;
    for ( size_t i = 0; i < len; i++ )
        log_lines += s[i] == '\n';
}

static const struct console_sink sink = { .name = "fuzz", .write = log_write };

static void parse(const char *s, struct shim_options *o)
{
    log_len = log_lines = 0;
    cmdline_parse(s, o);
}

static bool same(const struct shim_options *a, const struct shim_options *b)
{
    return a->consoles == b->consoles && a->loglvl == b->loglvl &&
           a->guest_loglvl == b->guest_loglvl && a->noreboot == b->noreboot &&
           a->trace_hypercalls == b->trace_hypercalls &&
           a->has_guest_cmdline == b->has_guest_cmdline &&
           a->nr_unknown == b->nr_unknown &&
           !strcmp(a->guest_cmdline, b->guest_cmdline);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct shim_options o, o2;
    static bool init;
    size_t n = strnlen((const char *)data, MIN(size, (size_t)BOOT_CMDLINE_MAX - 1));
    char *line = malloc(n + 1), names[32], *padded;

    if ( !init )
    {
        /* Warnings only: each one is an option counted in nr_unknown. */
        printk_add_sink(&sink, false);
        printk_set_level(LOG_WARN);
        init = true;
    }
    CHECK(line);
    memcpy(line, data, n);
    line[n] = '\0';

    parse(line, &o);
    CHECK(!(o.consoles & ~(CONSOLE_XEN | CONSOLE_PV | CONSOLE_E9)));
    CHECK(o.loglvl >= LOG_NONE && o.loglvl <= LOG_DEBUG);
    CHECK(o.guest_loglvl >= LOG_NONE && o.guest_loglvl <= LOG_DEBUG);
    CHECK(memchr(o.guest_cmdline, '\0', sizeof(o.guest_cmdline)));
    if ( o.has_guest_cmdline )
    {
        size_t g = strlen(o.guest_cmdline);

        /* The tail of the line, as it was. */
        CHECK(g <= n && !strcmp(line + n - g, o.guest_cmdline));
        CHECK(strstr(line, "--"));
    }
    else
        CHECK(!o.guest_cmdline[0]);
    /* Silent exactly when nothing was unknown (a value may hold newlines). */
    CHECK((log_len == 0) == (o.nr_unknown == 0));
    CHECK(log_lines >= o.nr_unknown);

    /* Blanks in front change nothing. */
    if ( n + 2 < BOOT_CMDLINE_MAX )
    {
        padded = malloc(n + 3);
        CHECK(padded);
        padded[0] = ' ';
        padded[1] = '\t';
        memcpy(padded + 2, line, n + 1);
        parse(padded, &o2);
        CHECK(same(&o, &o2));
        free(padded);
    }

    /* The consoles, named and parsed again; cut short, still terminated. */
    strcpy(names, "console=");
    cmdline_console_names(o.consoles, names + 8, sizeof(names) - 8);
    parse(names, &o2);
    CHECK(o2.consoles == o.consoles && o2.nr_unknown == 0);
    for ( size_t len = 1; len < 8; len++ )
    {
        char small[8 + 4];

        memset(small, FUZZ_GUARD, sizeof(small));
        cmdline_console_names(o.consoles, small, len);
        CHECK(strlen(small) < len && fuzz_guard_ok(small, len, sizeof(small)));
        CHECK(!strncmp(small, names + 8, strlen(small)));
    }

    free(line);
    return 0;
}
