/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/unit/fake-frames.h - x86/frames.c over host memory, for the tests
 * (unit and fuzz) whose code asks frames for owners: FAKE_FRAMES frames at
 * FAKE_FRAMES_BASE are its free RAM (its own pages of owners come from
 * there), owners reach FAKE_FRAMES_LIMIT.
 */
#ifndef TESTS_UNIT_FAKE_FRAMES_H
#define TESTS_UNIT_FAKE_FRAMES_H

#include <stdlib.h>
#include <string.h>

#include "x86/frames.h"
#include "x86/layout.h"

#define FAKE_FRAMES_BASE   0x80000UL
#define FAKE_FRAMES        64UL
#define FAKE_FRAMES_LIMIT  (1UL << 20)

static uint8_t *fake_frames_mem;

static inline void *fake_frames_map(unsigned long mfn)
{
    if ( mfn - FAKE_FRAMES_BASE >= FAKE_FRAMES )
        abort();                /* frames.c touches only its own frames */
    return fake_frames_mem + (mfn - FAKE_FRAMES_BASE) * PAGE_SIZE;
}

/* A fresh x86/frames.c: every owner none but its free RAM, its only source. */
static inline void fake_frames_init(void)
{
    static struct range r[1];
    static struct rangeset rs;

    if ( !fake_frames_mem &&
         !(fake_frames_mem = aligned_alloc(PAGE_SIZE, FAKE_FRAMES * PAGE_SIZE)) )
        abort();
    memset(fake_frames_mem, 0x5a, FAKE_FRAMES * PAGE_SIZE);
    rangeset_init(&rs, r, 1);
    rangeset_add(&rs, FAKE_FRAMES_BASE, FAKE_FRAMES_BASE + FAKE_FRAMES);
    if ( !frames_init(FAKE_FRAMES_LIMIT, fake_frames_map, &rs) )
        abort();
}

#endif /* TESTS_UNIT_FAKE_FRAMES_H */
