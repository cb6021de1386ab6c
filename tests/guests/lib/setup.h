/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/guests/lib/setup.h - the entry points head.S calls. */
#ifndef TESTS_GUESTS_LIB_SETUP_H
#define TESTS_GUESTS_LIB_SETUP_H

#include "tests/guests/lib/abi.h"

/* From guest_entry, on our stack: set up, run the test, report. */
void __noreturn guest_start(const start_info_t *si);

/* From trap_common: frame[0] is the vector, then Xen's bounce frame. */
void __noreturn trap_fault(const unsigned long *frame);

#endif /* TESTS_GUESTS_LIB_SETUP_H */
