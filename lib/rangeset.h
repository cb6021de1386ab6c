/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/rangeset.h - a set of [start, end) ranges of 64-bit numbers (frame
 * numbers, in the shim) kept sorted and merged, in caller-provided storage.
 * Pure code, host-tested.
 */
#ifndef LIB_RANGESET_H
#define LIB_RANGESET_H

#include "lib/compiler.h"

struct range {
    uint64_t start, end;        /* [start, end), start < end */
};

struct rangeset {
    unsigned int nr, max;
    struct range *r;            /* r[0..nr) sorted, disjoint, not adjacent */
};

void rangeset_init(struct rangeset *rs, struct range *storage, unsigned int max);

/* Both return false, leaving the set as it was, when the storage is full. */
bool rangeset_add(struct rangeset *rs, uint64_t start, uint64_t end);
bool rangeset_remove(struct rangeset *rs, uint64_t start, uint64_t end);

/* Is all of [start, end) in the set? (false for an empty range) */
bool rangeset_contains(const struct rangeset *rs, uint64_t start, uint64_t end);
/* Does any of [start, end) belong to the set? */
bool rangeset_overlaps(const struct rangeset *rs, uint64_t start, uint64_t end);

uint64_t rangeset_size(const struct rangeset *rs);

/*
 * Take the highest block of n numbers that starts at a multiple of align
 * (a power of two) and ends at or below limit; removes it from the set.
 */
bool rangeset_take_top(struct rangeset *rs, uint64_t n, uint64_t align,
                       uint64_t limit, uint64_t *start);

#endif /* LIB_RANGESET_H */
