/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/unit/test-cmdline.c - boot/cmdline.c: the shim's command line. */
#include "harness.h"

#include "boot/cmdline.h"
#include "lib/vsnprintf.h"

static struct shim_options opts;

/* Parse s into opts (poisoned first, so defaults must be set) with a clean log. */
static void parse(const char *s)
{
    harness_log_clear();
    memset(&opts, 0xa5, sizeof(opts));
    cmdline_parse(s, &opts);
}

static void assert_defaults_except_consoles(void)
{
    assert_int_equal(opts.loglvl, CONFIG_LOGLVL_DEFAULT);
    assert_int_equal(opts.guest_loglvl, CONFIG_LOGLVL_DEFAULT);
    assert_false(opts.noreboot);
    assert_false(opts.has_guest_cmdline);
    assert_string_equal(opts.guest_cmdline, "");
}

static void assert_defaults(void)
{
    assert_int_equal(opts.consoles, CONSOLE_XEN | CONSOLE_PV);
    assert_defaults_except_consoles();
    assert_int_equal(opts.nr_unknown, 0);
}

static int setup(void **state)
{
    harness_log_start();
    return 0;
}

static int teardown(void **state)
{
    harness_log_stop();
    return 0;
}

static void test_defaults(void **state)
{
    parse("");
    assert_defaults();
    assert_int_equal(harness_log_len(), 0);
}

static void test_whitespace_only(void **state)
{
    parse("  \t \t  ");
    assert_defaults();
    assert_int_equal(harness_log_len(), 0);
}

static void test_libxl_cmdline(void **state)
{
    parse("pv-shim console=xen,pv loglvl=all guest_loglvl=all");
    assert_int_equal(opts.consoles, CONSOLE_XEN | CONSOLE_PV);
    assert_int_equal(opts.loglvl, LOG_DEBUG);
    assert_int_equal(opts.guest_loglvl, LOG_DEBUG);
    assert_false(opts.noreboot);
    assert_false(opts.has_guest_cmdline);
    assert_int_equal(opts.nr_unknown, 0);
    assert_log_lacks("unknown");
    /* "pv-shim" is accepted quietly: a debug note only. */
    assert_log_contains("'pv-shim' has no effect");
}

static void test_ignored_xen_options(void **state)
{
    parse("dom0_mem=1G,max:1G dom0-max-vcpus=4 nosmp sync_console "
          "conring-size=64k com1=115200,8n1 pv_shim");
    assert_defaults();
    assert_log_lacks("unknown");
    assert_int_equal(harness_log_count("has no effect"), 7);
}

static void test_console(void **state)
{
    static const struct {
        const char *cmdline;
        unsigned int consoles;
    } cases[] = {
        { "console=e9",          CONSOLE_E9 },
        { "console=pv",          CONSOLE_PV },
        { "console=xen",         CONSOLE_XEN },
        { "console=none",        0 },
        { "console=",            0 },
        { "console=xen,e9",      CONSOLE_XEN | CONSOLE_E9 },
        { "console=e9,pv,xen",   CONSOLE_XEN | CONSOLE_PV | CONSOLE_E9 },
        { "console=none,e9",     CONSOLE_E9 },
        { "console=xen,,pv,",    CONSOLE_XEN | CONSOLE_PV },
        { "console=e9 console=pv", CONSOLE_PV },  /* the last one wins */
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        parse(cases[i].cmdline);
        if ( opts.consoles != cases[i].consoles )
            fail_msg("\"%s\": consoles %#x, expected %#x", cases[i].cmdline,
                     opts.consoles, cases[i].consoles);
        assert_int_equal(opts.nr_unknown, 0);
        assert_defaults_except_consoles();
        assert_int_equal(harness_log_len(), 0);
    }
}

static void test_console_unknown_entries(void **state)
{
    parse("console=vga,pv,com1");
    assert_int_equal(opts.consoles, CONSOLE_PV);
    assert_int_equal(opts.nr_unknown, 2);
    assert_log_contains("console=: 'vga' is not available");
    assert_log_contains("console=: 'com1' is not available");
    assert_log_contains(LOG_PREFIX "console=");

    /* An entry too long for the parser is named by its first 16 bytes. */
    parse("console=e9,abcdefghijklmnopqrstuvwxyz0123456789");
    assert_int_equal(opts.consoles, CONSOLE_E9);
    assert_int_equal(opts.nr_unknown, 1);
    assert_log_contains("'abcdefghijklmnop...' is too long");

    /* "console" without a value, or negated, is not the console option. */
    parse("console no-console=e9");
    assert_int_equal(opts.consoles, CONSOLE_XEN | CONSOLE_PV);
    assert_int_equal(opts.nr_unknown, 2);
    assert_log_contains("unknown option 'console' ignored");
    assert_log_contains("unknown option 'no-console=e9' ignored");
}

static void test_loglvl_values(void **state)
{
    static const struct {
        const char *val;
        int lvl;
    } cases[] = {
        { "none", -1 },
        { "error", LOG_ERR },
        { "warning", LOG_WARN },
        { "info", LOG_INFO },
        { "debug", LOG_DEBUG },
        { "all", LOG_DEBUG },
        { "warning/error", LOG_WARN },
        { "error/all", LOG_ERR },
        { "info/", LOG_INFO },
    };
    char buf[64];

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        snprintf(buf, sizeof(buf), "loglvl=%s", cases[i].val);
        parse(buf);
        if ( opts.loglvl != cases[i].lvl )
            fail_msg("\"%s\": loglvl %d, expected %d", buf, opts.loglvl,
                     cases[i].lvl);
        assert_int_equal(opts.guest_loglvl, CONFIG_LOGLVL_DEFAULT);
        assert_int_equal(opts.nr_unknown, 0);

        snprintf(buf, sizeof(buf), "guest_loglvl=%s", cases[i].val);
        parse(buf);
        if ( opts.guest_loglvl != cases[i].lvl )
            fail_msg("\"%s\": guest_loglvl %d, expected %d", buf,
                     opts.guest_loglvl, cases[i].lvl);
        assert_int_equal(opts.loglvl, CONFIG_LOGLVL_DEFAULT);
        assert_int_equal(opts.nr_unknown, 0);
        assert_int_equal(harness_log_len(), 0);
    }
}

static void test_loglvl_bad(void **state)
{
    static const char *const bad[] = {
        "loglvl=verbose", "loglvl=", "loglvl=/info", "loglvl=Error",
        "loglvl=debugdebugdebugdebug", "loglvl=debugdebugdebugdebug/all",
        "guest_loglvl=5",
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        parse(bad[i]);
        assert_defaults_except_consoles();
        assert_int_equal(opts.nr_unknown, 1);
        assert_log_contains(bad[i]);
        assert_log_contains(": not a log level");
    }

    /* A good value after a bad one still counts. */
    parse("loglvl=loud loglvl=error");
    assert_int_equal(opts.loglvl, LOG_ERR);
    assert_int_equal(opts.nr_unknown, 1);

    /* Without a value, or negated: not the option at all. */
    parse("loglvl no-loglvl=info");
    assert_defaults_except_consoles();
    assert_int_equal(opts.nr_unknown, 2);
    assert_log_contains("unknown option 'loglvl' ignored");
    assert_log_contains("unknown option 'no-loglvl=info' ignored");
}

static void test_noreboot(void **state)
{
    static const struct {
        const char *cmdline;
        bool noreboot;
    } cases[] = {
        { "noreboot", true },
        { "no-reboot", true },
        { "no_reboot", true },
        { "noreboot=1", true },
        { "noreboot=yes", true },
        { "noreboot=on", true },
        { "noreboot=true", true },
        { "noreboot=enable", true },
        { "noreboot=0", false },
        { "noreboot=no", false },
        { "noreboot=off", false },
        { "noreboot=false", false },
        { "noreboot=disable", false },
        { "noreboot noreboot=0", false },
        { "noreboot=0 noreboot", true },
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        parse(cases[i].cmdline);
        if ( opts.noreboot != cases[i].noreboot )
            fail_msg("\"%s\": noreboot %d", cases[i].cmdline, opts.noreboot);
        assert_int_equal(opts.nr_unknown, 0);
        assert_int_equal(harness_log_len(), 0);
    }
}

static void test_noreboot_bad_bool(void **state)
{
    parse("noreboot=maybe");
    assert_false(opts.noreboot);
    assert_int_equal(opts.nr_unknown, 1);
    assert_log_contains("noreboot=maybe: not a boolean");

    /* A bad value leaves an earlier setting alone. */
    parse("noreboot noreboot=2");
    assert_true(opts.noreboot);
    assert_int_equal(opts.nr_unknown, 1);
    assert_log_contains("noreboot=2: not a boolean");
}

static void test_dash_underscore(void **state)
{
    parse("guest-loglvl=error");
    assert_int_equal(opts.guest_loglvl, LOG_ERR);
    assert_int_equal(opts.loglvl, CONFIG_LOGLVL_DEFAULT);
    assert_int_equal(opts.nr_unknown, 0);

    parse("guest_loglvl=warning");
    assert_int_equal(opts.guest_loglvl, LOG_WARN);
    assert_int_equal(opts.nr_unknown, 0);

    /* Only '-' and '_' are equivalent: other characters still differ. */
    parse("guest.loglvl=error guestloglvl=error");
    assert_int_equal(opts.guest_loglvl, CONFIG_LOGLVL_DEFAULT);
    assert_int_equal(opts.nr_unknown, 2);
}

static void test_quoted_values(void **state)
{
    parse("console=\"xen,e9\" guest_loglvl=\"warning\"");
    assert_int_equal(opts.consoles, CONSOLE_XEN | CONSOLE_E9);
    assert_int_equal(opts.guest_loglvl, LOG_WARN);
    assert_int_equal(opts.nr_unknown, 0);

    /* Quotes keep spaces inside one word and are removed. */
    parse("foo=\"a b\tc\" loglvl=error");
    assert_int_equal(opts.loglvl, LOG_ERR);
    assert_int_equal(opts.nr_unknown, 1);
    assert_log_contains("unknown option 'foo=a b\tc' ignored");

    /* A whole word in quotes. */
    parse("\"loglvl=debug\"");
    assert_int_equal(opts.loglvl, LOG_DEBUG);
    assert_int_equal(opts.nr_unknown, 0);

    /* An unterminated quote runs to the end of the line. */
    parse("bar=\"x loglvl=error");
    assert_int_equal(opts.loglvl, CONFIG_LOGLVL_DEFAULT);
    assert_int_equal(opts.nr_unknown, 1);
    assert_log_contains("unknown option 'bar=x loglvl=error' ignored");
}

static void test_unknown_options(void **state)
{
    parse("frobnicate loglvl=error widget=7 no-gadget");
    assert_int_equal(opts.loglvl, LOG_ERR);
    assert_int_equal(opts.nr_unknown, 3);
    assert_log_contains(LOG_PREFIX "unknown option 'frobnicate' ignored\n");
    assert_log_contains("unknown option 'widget=7' ignored");
    assert_log_contains("unknown option 'no-gadget' ignored");
    assert_int_equal(harness_log_count(LOG_PREFIX), 3);
}

static void test_overlong_word(void **state)
{
    char line[400], word[300];

    /* 255 bytes is the longest word: merely unknown. */
    memset(word, 'a', 255);
    word[255] = '\0';
    snprintf(line, sizeof(line), "%s loglvl=error", word);
    parse(line);
    assert_int_equal(opts.loglvl, LOG_ERR);
    assert_int_equal(opts.nr_unknown, 1);
    assert_log_contains("unknown option 'aaaa");
    assert_log_lacks("longer than");

    /* 256 bytes: ignored with a warning, and parsing goes on after it. */
    memset(word, 'b', 256);
    word[256] = '\0';
    snprintf(line, sizeof(line), "%s loglvl=error", word);
    parse(line);
    assert_int_equal(opts.loglvl, LOG_ERR);
    assert_int_equal(opts.nr_unknown, 1);
    assert_log_contains("option 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...' is longer "
                        "than 255 bytes: ignored");
    assert_log_lacks("unknown option");

    /* A real option made too long is not applied, not even in part. */
    memset(word, 'x', 290);
    memcpy(word, "console=e9,", 11);
    word[290] = '\0';
    parse(word);
    assert_int_equal(opts.consoles, CONSOLE_XEN | CONSOLE_PV);
    assert_int_equal(opts.nr_unknown, 1);
    assert_log_contains("option 'console=e9,xxxxxxxxxxxxxxxxxxxxx...' is longer");
}

static void test_guest_cmdline(void **state)
{
    parse("loglvl=error -- root=/dev/xvda1 console=hvc0 noreboot");
    assert_true(opts.has_guest_cmdline);
    assert_string_equal(opts.guest_cmdline, "root=/dev/xvda1 console=hvc0 noreboot");
    assert_int_equal(opts.loglvl, LOG_ERR);
    /* Nothing after the separator is parsed as a shim option. */
    assert_int_equal(opts.consoles, CONSOLE_XEN | CONSOLE_PV);
    assert_false(opts.noreboot);
    assert_int_equal(opts.nr_unknown, 0);

    /* Spaces after the separator are skipped; the rest is kept verbatim. */
    parse("noreboot --    a  -- b ");
    assert_true(opts.noreboot);
    assert_true(opts.has_guest_cmdline);
    assert_string_equal(opts.guest_cmdline, "a  -- b ");

    /* At the very start. */
    parse("-- single");
    assert_true(opts.has_guest_cmdline);
    assert_string_equal(opts.guest_cmdline, "single");
    assert_int_equal(opts.nr_unknown, 0);

    /* After a tab. */
    parse("noreboot\t-- x");
    assert_true(opts.noreboot);
    assert_true(opts.has_guest_cmdline);
    assert_string_equal(opts.guest_cmdline, "x");
}

static void test_guest_cmdline_empty(void **state)
{
    parse("loglvl=error --");
    assert_true(opts.has_guest_cmdline);
    assert_string_equal(opts.guest_cmdline, "");
    assert_int_equal(opts.loglvl, LOG_ERR);
    assert_int_equal(opts.nr_unknown, 0);

    parse("loglvl=error --   ");
    assert_true(opts.has_guest_cmdline);
    assert_string_equal(opts.guest_cmdline, "");
}

static void test_not_a_separator(void **state)
{
    parse("loglvl=error ---x noreboot");
    assert_false(opts.has_guest_cmdline);
    assert_string_equal(opts.guest_cmdline, "");
    assert_int_equal(opts.loglvl, LOG_ERR);
    assert_true(opts.noreboot);
    assert_int_equal(opts.nr_unknown, 1);
    assert_log_contains("unknown option '---x' ignored");

    parse("--x a=--");
    assert_false(opts.has_guest_cmdline);
    assert_int_equal(opts.nr_unknown, 2);
    assert_log_contains("unknown option '--x' ignored");
}

static void test_leading_trailing_space(void **state)
{
    parse(" \t loglvl=warning\t\t noreboot \t ");
    assert_int_equal(opts.loglvl, LOG_WARN);
    assert_true(opts.noreboot);
    assert_int_equal(opts.consoles, CONSOLE_XEN | CONSOLE_PV);
    assert_int_equal(opts.nr_unknown, 0);
    assert_int_equal(harness_log_len(), 0);
}

static void test_console_names(void **state)
{
    static const char *const names[8] = {
        "none", "xen", "pv", "xen,pv", "e9", "xen,e9", "pv,e9", "xen,pv,e9",
    };
    char buf[32], line[64];

    BUILD_BUG_ON(CONSOLE_XEN != 1 || CONSOLE_PV != 2 || CONSOLE_E9 != 4);
    for ( unsigned int mask = 0; mask < ARRAY_SIZE(names); mask++ )
    {
        memset(buf, 'X', sizeof(buf));
        cmdline_console_names(mask, buf, sizeof(buf));
        assert_string_equal(buf, names[mask]);

        /* And the name parses back to the same mask. */
        snprintf(line, sizeof(line), "console=%s", buf);
        parse(line);
        assert_int_equal(opts.consoles, mask);
        assert_int_equal(opts.nr_unknown, 0);
    }

    /* A short buffer truncates, NUL-terminated. */
    memset(buf, 'X', sizeof(buf));
    cmdline_console_names(CONSOLE_XEN | CONSOLE_PV | CONSOLE_E9, buf, 5);
    assert_string_equal(buf, "xen,");
    assert_int_equal(buf[5], 'X');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_defaults),
        T(test_whitespace_only),
        T(test_libxl_cmdline),
        T(test_ignored_xen_options),
        T(test_console),
        T(test_console_unknown_entries),
        T(test_loglvl_values),
        T(test_loglvl_bad),
        T(test_noreboot),
        T(test_noreboot_bad_bool),
        T(test_dash_underscore),
        T(test_quoted_values),
        T(test_unknown_options),
        T(test_overlong_word),
        T(test_guest_cmdline),
        T(test_guest_cmdline_empty),
        T(test_not_a_separator),
        T(test_leading_trailing_space),
        T(test_console_names),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
