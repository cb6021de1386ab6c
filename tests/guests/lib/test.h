/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/test.h - what a test kernel's main.c includes.
 *
 * A test defines test_title and test_main(); the framework starts it with
 * the console up and a trap table that reports any exception, and calls
 * xtf_exit() if test_main() returns.
 */
#ifndef TESTS_GUESTS_LIB_TEST_H
#define TESTS_GUESTS_LIB_TEST_H

#include "tests/guests/lib/abi.h"
#include "tests/guests/lib/hypercall.h"
#include "tests/guests/lib/layout.h"
#include "tests/guests/lib/report.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

extern const char test_title[];
void test_main(void);

/* The start_info page the builder gave us (%rsi at entry). */
extern const start_info_t *start_info;

#endif /* TESTS_GUESTS_LIB_TEST_H */
