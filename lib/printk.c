/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/printk.c - the shim's log.
 *
 * Single-threaded for now: the shim runs on one CPU until the guest brings up
 * more vCPUs, and a lock comes with SMP.
 */
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

static enum log_level threshold = CONFIG_LOGLVL_DEFAULT;
static const struct console_sink *sinks[PRINTK_MAX_SINKS];
static bool at_line_start = true;
static bool guest_stream;       /* the current line is the guest's */

/* Replay ring: the last PRINTK_BUF_SIZE bytes that went out. */
static char logbuf[PRINTK_BUF_SIZE];
static size_t logbuf_head;      /* total bytes ever written */

void (*panic_hook)(const char *reason);

/*
 * One CPU's line at a time. A CPU that waits too long (the holder died in
 * a fault, or this CPU interrupted itself while holding it) prints anyway:
 * a mixed line is better than none.
 */
static int print_lock;

static bool print_lock_take(void)
{
    for ( unsigned long i = 0; i < (1UL << 22); i++ )
    {
        if ( !__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE) )
            return true;
        __asm__ volatile ( "pause" ::: "memory" );
    }
    return false;
}

static void print_lock_give(bool taken)
{
    if ( taken )
        __atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

void printk_set_level(enum log_level lvl)
{
    threshold = lvl;
}

enum log_level printk_get_level(void)
{
    return threshold;
}

static void emit(const char *s, size_t len)
{
    for ( size_t i = 0; i < len; i++ )
        logbuf[(logbuf_head + i) % PRINTK_BUF_SIZE] = s[i];
    logbuf_head += len;

    for ( unsigned int i = 0; i < ARRAY_SIZE(sinks); i++ )
        if ( sinks[i] )
            sinks[i]->write(s, len);
}

/*
 * Emit text, putting LOG_PREFIX (GUEST_LOG_PREFIX for the guest's text) at
 * the start of each line; switching between the two ends a partial line.
 */
static void emit_stream(bool guest, const char *s, size_t len)
{
    if ( guest != guest_stream && !at_line_start )
    {
        emit("\n", 1);
        at_line_start = true;
    }
    guest_stream = guest;

    while ( len )
    {
        const char *nl = memchr(s, '\n', len);
        size_t n = nl ? (size_t)(nl - s) + 1 : len;

        if ( at_line_start )
            emit(guest ? GUEST_LOG_PREFIX : LOG_PREFIX,
                 guest ? sizeof(GUEST_LOG_PREFIX) - 1
                       : sizeof(LOG_PREFIX) - 1);
        emit(s, n);
        at_line_start = nl != NULL;
        s += n;
        len -= n;
    }
}

static void emit_lines(const char *s, size_t len)
{
    emit_stream(false, s, len);
}

/*
 * The guest's bytes reach L0's log and an administrator's terminal: only
 * printable ASCII, tab and newline go through, anything else (escape
 * sequences, carriage returns that would overwrite our prefix, NULs) shows
 * as '?'.
 */
void printk_guest(const char *s, size_t len)
{
    char buf[128];
    bool taken = print_lock_take();

    while ( len )
    {
        size_t n = MIN(len, sizeof(buf));

        for ( size_t i = 0; i < n; i++ )
        {
            unsigned char c = s[i];

            buf[i] = (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ? c : '?';
        }
        emit_stream(true, buf, n);
        s += n;
        len -= n;
    }
    print_lock_give(taken);
}

void vprintk_level(enum log_level lvl, const char *fmt, va_list ap)
{
    char buf[512];
    bool taken;
    int n;

    /*
     * As ints: enum log_level has no negative enumerator, so it is unsigned
     * and loglvl=none's -1 would otherwise let everything through.
     */
    if ( (int)lvl > (int)threshold )
        return;

    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if ( n >= (int)sizeof(buf) )
    {
        /* Truncated: say so rather than lose the end of the line silently. */
        static const char more[] = "...[truncated]\n";

        n = sizeof(buf) - sizeof(more);
        memcpy(buf + n, more, sizeof(more));
        n += sizeof(more) - 1;
    }
    taken = print_lock_take();
    emit_lines(buf, n);
    print_lock_give(taken);
}

void printk_level(enum log_level lvl, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk_level(lvl, fmt, ap);
    va_end(ap);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk_level(LOG_INFO, fmt, ap);
    va_end(ap);
}

bool printk_add_sink(const struct console_sink *sink, bool replay)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(sinks); i++ )
    {
        if ( sinks[i] )
            continue;
        if ( replay )
        {
            size_t n = MIN(logbuf_head, (size_t)PRINTK_BUF_SIZE);
            size_t start = logbuf_head - n;

            /* Oldest part first: the ring may wrap once. */
            for ( size_t done = 0; done < n; )
            {
                size_t off = (start + done) % PRINTK_BUF_SIZE;
                size_t chunk = MIN(n - done, PRINTK_BUF_SIZE - off);

                sink->write(logbuf + off, chunk);
                done += chunk;
            }
        }
        sinks[i] = sink;
        return true;
    }
    return false;
}

void printk_remove_sink(const struct console_sink *sink)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(sinks); i++ )
        if ( sinks[i] == sink )
            sinks[i] = NULL;
}

void printk_flush(void)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(sinks); i++ )
        if ( sinks[i] && sinks[i]->flush )
            sinks[i]->flush();
}

void panic(const char *fmt, ...)
{
    char reason[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);

    if ( !at_line_start )
        emit_lines("\n", 1);
    emit_lines("PANIC: ", 7);
    emit_lines(reason, strlen(reason));
    if ( !at_line_start )
        emit_lines("\n", 1);
    printk_flush();

    if ( panic_hook )
        panic_hook(reason);
    __builtin_trap();
}
