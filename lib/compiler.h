/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/compiler.h - compiler helpers used by every layer.
 *
 * Included (after the generated config.h) by every C file of the shim and by
 * the host unit tests, so nothing here may depend on the target.
 */
#ifndef LIB_COMPILER_H
#define LIB_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The shim is one static image linked far from the low 2 GiB: with every
 * symbol hidden, GCC addresses them all RIP-relative instead of through a
 * GOT (-fpie alone does so only for symbols defined in the same file).
 */
#if defined(__PIE__) && !defined(UNIT_TEST)
#pragma GCC visibility push(hidden)
#endif

#define ARRAY_SIZE(a)        (sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(cond)   _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)

#define likely(x)            __builtin_expect(!!(x), 1)
#define unlikely(x)          __builtin_expect(!!(x), 0)
#define __packed             __attribute__((packed))
#define __aligned(n)         __attribute__((aligned(n)))
#define __noreturn           __attribute__((noreturn))
#define __noinline           __attribute__((noinline))
#define __printf(f, a)       __attribute__((format(printf, f, a)))
#define __section(s)         __attribute__((section(s)))
#define __used               __attribute__((used))
/*
 * Data every guest entry and exit touches: kept together in one page (the
 * linker script checks), so that a guest CR3 switch, which flushes the TLB,
 * costs one refill for it rather than one per variable.
 */
#define __hot_data           __section(".data.hot")
/* Start-of-day code, unmapped once the guest is built (boot/shim.lds.S). */
#define __init               __section(".init.text")
/* The code of those entries and exits, likewise (.text.hot, first in .text). */
#define __hot_text           __section(".text.hot")
#define barrier()            __asm__ volatile ( "" ::: "memory" )

#define BITS_PER_LONG        64
#define BITS_TO_LONGS(n)     (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define MIN(a, b)            ((a) < (b) ? (a) : (b))
#define MAX(a, b)            ((a) > (b) ? (a) : (b))
#define ROUNDUP(x, a)        (((x) + (a) - 1) & ~((typeof(x))(a) - 1))
#define IS_ALIGNED(x, a)     (((x) & ((typeof(x))(a) - 1)) == 0)

/*
 * IS_ENABLED(CONFIG_FOO) is 1 when config.h defines CONFIG_FOO to 1 and 0
 * otherwise, so configuration can be tested in C rather than with #ifdef.
 * The trick: "CONFIG_FOO" expands to 1, which pastes to a placeholder that
 * inserts an extra argument and shifts the 1 into the selected position.
 */
#define IS_ENABLED(option)            is_enabled_1_(option)
#define is_enabled_1_(value)          is_enabled_2_(is_enabled_arg_##value)
#define is_enabled_arg_1              0,
#define is_enabled_2_(arg_or_junk)    is_enabled_3_(arg_or_junk 1, 0)
#define is_enabled_3_(ignored, value, ...) value

/* READ_ONCE/WRITE_ONCE for memory shared with L0 or the guest. */
#define READ_ONCE(x)         (*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)     (*(volatile typeof(x) *)&(x) = (v))

#endif /* LIB_COMPILER_H */
