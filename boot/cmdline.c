/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/cmdline.c - the shim's command line, in Xen's syntax
 * (docs/misc/xen-command-line.pandoc: booleans take no/off/false/disable/0
 * and yes/on/true/enable/1, a "no-" prefix negates, '-' and '_' are equal).
 */
#include "boot/cmdline.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

#define MAX_WORD 256

/* Compare option names with '-' and '_' treated as the same character. */
static bool name_eq(const char *a, const char *b)
{
    for ( ; *a && *b; a++, b++ )
        if ( *a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')) )
            return false;
    return *a == *b;
}

/* Xen's parse_bool(): 1 true, 0 false, -1 not a boolean. */
static int parse_bool(const char *s)
{
    static const char *const no[] = { "no", "off", "false", "disable", "0" };
    static const char *const yes[] = { "yes", "on", "true", "enable", "1" };

    for ( unsigned int i = 0; i < ARRAY_SIZE(no); i++ )
    {
        if ( !strcmp(s, no[i]) )
            return 0;
        if ( !strcmp(s, yes[i]) )
            return 1;
    }
    return -1;
}

/*
 * Xen's loglvl syntax: "<level>[/<rate-limited level>]" with none, error,
 * warning, info, debug, all. We do not rate-limit, so the part after '/' is
 * accepted and ignored. Returns -2 when the value is not a level.
 */
static int parse_loglvl(const char *s)
{
    static const struct { const char *name; int lvl; } levels[] = {
        { "none", LOG_NONE }, { "error", LOG_ERR }, { "warning", LOG_WARN },
        { "info", LOG_INFO }, { "debug", LOG_DEBUG }, { "all", LOG_DEBUG },
    };
    char word[16];
    size_t n = strchr(s, '/') ? (size_t)(strchr(s, '/') - s) : strlen(s);

    if ( n >= sizeof(word) )
        return -2;
    memcpy(word, s, n);
    word[n] = '\0';
    for ( unsigned int i = 0; i < ARRAY_SIZE(levels); i++ )
        if ( !strcmp(word, levels[i].name) )
            return levels[i].lvl;
    return -2;
}

static void parse_console(const char *val, struct shim_options *o)
{
    char item[32];

    o->consoles = 0;
    while ( *val )
    {
        size_t n = strchr(val, ',') ? (size_t)(strchr(val, ',') - val) : strlen(val);

        if ( n < sizeof(item) )
        {
            memcpy(item, val, n);
            item[n] = '\0';
            if ( !strcmp(item, "xen") )
                o->consoles |= CONSOLE_XEN;
            else if ( !strcmp(item, "pv") )
                o->consoles |= CONSOLE_PV;
            else if ( !strcmp(item, "e9") )
                o->consoles |= CONSOLE_E9;
            else if ( strcmp(item, "none") && n )
            {
                pr_warn("console=: '%s' is not available in the shim "
                        "(choose from xen, pv, e9, none)\n", item);
                o->nr_unknown++;
            }
        }
        else
        {
            pr_warn("console=: entry '%.*s...' is too long\n", 16, val);
            o->nr_unknown++;
        }
        val += n;
        if ( *val == ',' )
            val++;
    }
}

/* Options Xen takes but that mean nothing in this shim: accepted quietly. */
static const char *const ignored[] = {
    "pv-shim", "dom0_mem", "dom0_max_vcpus", "maxcpus", "nosmp", "sched",
    "smep", "smap", "xpti", "pv-l1tf", "global-pages", "sync_console",
    "conring_size", "com1", "com2",
};

/* One "name" or "name=value" word (quotes already removed). */
static void parse_word(char *word, struct shim_options *o)
{
    char *val = strchr(word, '=');
    const char *name = word;
    bool negated = false;
    int b;

    if ( val )
        *val++ = '\0';
    if ( !strncmp(name, "no-", 3) || !strncmp(name, "no_", 3) )
    {
        negated = true;
        name += 3;
    }

    if ( name_eq(name, "console") && val && !negated )
        parse_console(val, o);
    else if ( (name_eq(name, "loglvl") || name_eq(name, "guest_loglvl")) &&
              val && !negated )
    {
        int lvl = parse_loglvl(val);

        if ( lvl == -2 )
        {
            pr_warn("%s=%s: not a log level (none, error, warning, info, "
                    "debug, all)\n", name, val);
            o->nr_unknown++;
        }
        else if ( name_eq(name, "loglvl") )
            o->loglvl = lvl;
        else
            o->guest_loglvl = lvl;
    }
    else if ( name_eq(name, "trace-hypercalls") )
    {
        b = val ? parse_bool(val) : 1;
        if ( b < 0 )
        {
            pr_warn("%s=%s: not a boolean\n", name, val);
            o->nr_unknown++;
        }
        else
            o->trace_hypercalls = negated ? !b : b;
    }
    else if ( name_eq(name, "noreboot") || (negated && name_eq(name, "reboot")) )
    {
        /* "noreboot", "noreboot=<bool>"; "no-reboot" is the same thing. */
        b = val ? parse_bool(val) : 1;
        if ( b < 0 )
        {
            pr_warn("%s=%s: not a boolean\n", word, val);
            o->nr_unknown++;
        }
        else
            o->noreboot = b;
    }
    else
    {
        for ( unsigned int i = 0; i < ARRAY_SIZE(ignored); i++ )
            if ( name_eq(name, ignored[i]) )
            {
                pr_debug("option '%s' has no effect in this shim\n", name);
                return;
            }
        pr_warn("unknown option '%s%s%s%s' ignored\n", negated ? "no-" : "",
                name, val ? "=" : "", val ? val : "");
        o->nr_unknown++;
    }
}

void cmdline_parse(const char *s, struct shim_options *o)
{
    memset(o, 0, sizeof(*o));
    o->consoles = CONSOLE_XEN | CONSOLE_PV;
    o->loglvl = o->guest_loglvl = CONFIG_LOGLVL_DEFAULT;

    for ( ; ; )
    {
        char word[MAX_WORD];
        size_t n = 0;
        bool quoted = false, too_long = false;

        while ( *s == ' ' || *s == '\t' )
            s++;
        if ( !*s )
            break;

        /* "--" alone: the rest of the line belongs to the guest. */
        if ( s[0] == '-' && s[1] == '-' && (s[2] == ' ' || s[2] == '\0') )
        {
            s += 2;
            while ( *s == ' ' )
                s++;
            /* Fits: the whole line was at most BOOT_CMDLINE_MAX - 1 bytes. */
            snprintf(o->guest_cmdline, sizeof(o->guest_cmdline), "%s", s);
            o->has_guest_cmdline = true;
            break;
        }

        for ( ; *s && (quoted || (*s != ' ' && *s != '\t')); s++ )
        {
            if ( *s == '"' )
                quoted = !quoted;
            else if ( n + 1 < sizeof(word) )
                word[n++] = *s;
            else
                too_long = true;
        }
        word[n] = '\0';

        if ( too_long )
        {
            pr_warn("option '%.32s...' is longer than %u bytes: ignored\n",
                    word, MAX_WORD - 1);
            o->nr_unknown++;
            continue;
        }
        parse_word(word, o);
    }
}

void cmdline_console_names(unsigned int consoles, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s%s%s",
             consoles & CONSOLE_XEN ? "xen" : "",
             (consoles & CONSOLE_XEN) && (consoles & ~CONSOLE_XEN) ? "," : "",
             consoles & CONSOLE_PV ? "pv" : "",
             (consoles & CONSOLE_PV) && (consoles & CONSOLE_E9) ? "," : "",
             consoles & CONSOLE_E9 ? "e9" : "",
             consoles ? "" : "none");
}
