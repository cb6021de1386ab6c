/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/guests/lib/report.c - printk and the verdict of a test kernel. */
#include "tests/guests/lib/report.h"
#include "tests/guests/lib/console.h"
#include "tests/guests/lib/hypercall.h"
#include "lib/vsnprintf.h"

enum status
{
    STATUS_RUNNING,
    STATUS_SUCCESS,
    STATUS_SKIP,
    STATUS_ERROR,
    STATUS_FAILURE,
};

static const char *const status_name[] = {
    [STATUS_RUNNING] = "RUNNING",
    [STATUS_SUCCESS] = "SUCCESS",
    [STATUS_SKIP]    = "SKIP",
    [STATUS_ERROR]   = "ERROR",
    [STATUS_FAILURE] = "FAILURE",
};

static enum status status;

void vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

static void report(enum status s, const char *fmt, va_list ap)
{
    if ( s > status )
        status = s;
    if ( fmt )
        vprintk(fmt, ap);
}

void xtf_success(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(STATUS_SUCCESS, fmt, ap);
    va_end(ap);
}

void xtf_skip(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(STATUS_SKIP, fmt, ap);
    va_end(ap);
}

void xtf_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(STATUS_ERROR, fmt, ap);
    va_end(ap);
}

void xtf_failure(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(STATUS_FAILURE, fmt, ap);
    va_end(ap);
}

void xtf_exit(void)
{
    if ( status == STATUS_RUNNING )
        xtf_error("Test did not report a status\n");

    printk("GUEST-RESULT: %d\n", (int)status - STATUS_SUCCESS);
    printk("Test result: %s\n", status_name[status]);
    console_flush();

    /* Without a ring nobody saw the verdict: say so with the reason. */
    hypercall_shutdown(console_ring_va() ? SHUTDOWN_poweroff
                                         : SHUTDOWN_crash);
    for ( ;; )
        hypercall_yield();
}

static const char *const errno_name[] = {
#define XEN_ERRNO(name, value) [value] = #name,
#include <xen/errno.h>
};

const char *show_value(char *buf, size_t size, long v)
{
    if ( v < 0 && -v < (long)ARRAY_SIZE(errno_name) && errno_name[-v] )
        snprintf(buf, size, "-%s", errno_name[-v]);
    else if ( v >= 0 && v <= 0xffff )
        snprintf(buf, size, "%ld", v);
    else
        snprintf(buf, size, "%#lx", (unsigned long)v);
    return buf;
}

unsigned int report_checks;

bool report_line(const char *name, const char *got, const char *expected, bool ok)
{
    report_checks++;
    printk("case %s: got %s expected %s%s\n", name, got, expected, ok ? "" : " MISMATCH");
    if ( !ok )
        xtf_failure("Failure: case %s\n", name);
    return ok;
}

bool report_case(const char *name, long got, long expected,
                 const char *(*show)(char *buf, size_t size, long v))
{
    char g[48], e[48];

    if ( !show )
        show = show_value;
    return report_line(name, show(g, sizeof(g), got), show(e, sizeof(e), expected),
                       got == expected);
}
