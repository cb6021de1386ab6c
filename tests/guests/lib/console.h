/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/guests/lib/console.h - the PV console ring of a test kernel. */
#ifndef TESTS_GUESTS_LIB_CONSOLE_H
#define TESTS_GUESTS_LIB_CONSOLE_H

#include "tests/guests/lib/abi.h"

/*
 * Find the ring named by start_info and use it from then on. Returns NULL,
 * or why the ring cannot be used (then output goes to console_io, which a
 * release L0 refuses for a domU).
 */
const char *console_init(const start_info_t *si);

/* Queue n bytes on the ring (waiting, bounded, for room) and notify. */
void console_write(const char *s, size_t n);

/* Wait, bounded, until the backend has read everything: before shutdown. */
void console_flush(void);

/* The ring's address and port, once found (for the tests that report it). */
unsigned long console_ring_va(void);
evtchn_port_t console_port(void);

#endif /* TESTS_GUESTS_LIB_CONSOLE_H */
