/* SPDX-License-Identifier: GPL-2.0-only */
/* lib/vsnprintf.h - C99 snprintf for freestanding code. */
#ifndef LIB_VSNPRINTF_H
#define LIB_VSNPRINTF_H

#include <stdarg.h>
#include "lib/compiler.h"

/*
 * C99 semantics: writes at most size bytes including the terminating NUL
 * (always terminated when size > 0) and returns the length the whole output
 * would have had. Conversions: d i u x X o p s c %, flags - 0 + space #,
 * width and precision (also *), length hh h l ll z j t.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* LIB_VSNPRINTF_H */
