/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/printk.h - the shim's log: levels, output sinks, a replay buffer, panic.
 *
 * Pure code: it formats and routes text. The sinks that reach the outside
 * world (port 0xe9, L0's PV console ring, L0's console_io) are registered by
 * boot/console.c; panic() ends in a hook boot/ sets to a crash shutdown.
 */
#ifndef LIB_PRINTK_H
#define LIB_PRINTK_H

#include <stdarg.h>
#include "lib/compiler.h"

enum log_level {
    LOG_NONE = -1,      /* loglvl=none: nothing but panics */
    LOG_ERR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
};

struct console_sink {
    const char *name;
    void (*write)(const char *s, size_t len);
    void (*flush)(void);        /* optional: wait until output has left */
};

/* Prefix of every line the shim prints, to tell it from its guest's. */
#define LOG_PREFIX "(shim) "
#define GUEST_LOG_PREFIX "(guest) "

void printk(const char *fmt, ...) __printf(1, 2);            /* LOG_INFO */
void printk_level(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
void vprintk_level(enum log_level lvl, const char *fmt, va_list ap);

#define pr_err(...)    printk_level(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)   printk_level(LOG_WARN, __VA_ARGS__)
#define pr_info(...)   printk_level(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)  printk_level(LOG_DEBUG, __VA_ARGS__)

/* Text the guest wrote with console_io, unfiltered, on lines of its own. */
void printk_guest(const char *s, size_t len);

/* Messages with a level above this are dropped. */
void printk_set_level(enum log_level lvl);
enum log_level printk_get_level(void);

/*
 * Add an output. With replay, it first receives what the log buffer still
 * holds (the most recent PRINTK_BUF_SIZE bytes), so a console that comes up
 * late still shows the start of the boot. Returns false if the table is full.
 */
#define PRINTK_BUF_SIZE 8192
#define PRINTK_MAX_SINKS 4
bool printk_add_sink(const struct console_sink *sink, bool replay);
void printk_remove_sink(const struct console_sink *sink);
void printk_flush(void);

/*
 * A fatal error of the shim or its boot environment: prints the message at
 * LOG_ERR (never filtered), flushes every sink and calls the panic hook, which
 * must not return (boot/ installs one that reports SHUTDOWN_crash to L0).
 */
extern void (*panic_hook)(const char *reason);
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* A shim invariant: always checked. */
#define BUG_ON(cond)                                                    \
    do {                                                                \
        if ( unlikely(cond) )                                           \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);       \
    } while ( 0 )

/* Checked in debug builds only. */
#define ASSERT(cond)                                                    \
    do {                                                                \
        if ( IS_ENABLED(CONFIG_DEBUG) && unlikely(!(cond)) )            \
            panic("ASSERT at %s:%d: %s", __FILE__, __LINE__, #cond);    \
    } while ( 0 )

#endif /* LIB_PRINTK_H */
