/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/report.h - printing and the XTF-style verdict.
 *
 * A test reports with xtf_success / xtf_skip / xtf_error / xtf_failure (the
 * message, if any, is printed; the most severe status wins, in XTF's order
 * SUCCESS < SKIP < ERROR < FAILURE) and ends with xtf_exit(), which prints
 *
 *   GUEST-RESULT: <n>          0 success, 1 skip, 2 error, 3 failure
 *   Test result: <STATUS>
 *
 * drains the console and powers the domain off.
 */
#ifndef TESTS_GUESTS_LIB_REPORT_H
#define TESTS_GUESTS_LIB_REPORT_H

#include <stdarg.h>
#include "lib/compiler.h"

void vprintk(const char *fmt, va_list ap);
void printk(const char *fmt, ...) __printf(1, 2);

void xtf_success(const char *fmt, ...) __printf(1, 2);
void xtf_skip(const char *fmt, ...) __printf(1, 2);
void xtf_error(const char *fmt, ...) __printf(1, 2);
void xtf_failure(const char *fmt, ...) __printf(1, 2);
void __noreturn xtf_exit(void);

/*
 * A hypercall's result for a "case" line: -EINVAL and friends by name
 * (from <xen/errno.h>), small values in decimal, others in hex.
 */
const char *show_value(char *buf, size_t size, long v);

/*
 * One check: "case <name>: got X expected Y", " MISMATCH" and a failure of
 * the test when they differ, each value printed by show (show_value when
 * NULL). report_checks counts them. Returns whether they matched.
 */
extern unsigned int report_checks;
bool report_case(const char *name, long got, long expected,
                 const char *(*show)(char *buf, size_t size, long v));
/* The same with the values already text and the verdict given. */
bool report_line(const char *name, const char *got, const char *expected, bool ok);

#endif /* TESTS_GUESTS_LIB_REPORT_H */
