/* SPDX-License-Identifier: GPL-2.0-only */
/* lib/rangeset.c - sorted, merged sets of [start, end) ranges. */
#include "lib/rangeset.h"
#include "lib/string.h"

void rangeset_init(struct rangeset *rs, struct range *storage, unsigned int max)
{
    rs->nr = 0;
    rs->max = max;
    rs->r = storage;
}

bool rangeset_add(struct rangeset *rs, uint64_t start, uint64_t end)
{
    unsigned int i, j;

    if ( start >= end )
        return true;

    /* First range that ends at or after start (touching counts: merge). */
    for ( i = 0; i < rs->nr && rs->r[i].end < start; i++ )
        ;
    /* Ranges i..j-1 overlap or touch [start, end): merge them all. */
    for ( j = i; j < rs->nr && rs->r[j].start <= end; j++ )
    {
        start = MIN(start, rs->r[j].start);
        end = MAX(end, rs->r[j].end);
    }

    if ( j == i )
    {
        if ( rs->nr == rs->max )
            return false;
        memmove(&rs->r[i + 1], &rs->r[i], (rs->nr - i) * sizeof(rs->r[0]));
        rs->nr++;
    }
    else if ( j > i + 1 )
    {
        memmove(&rs->r[i + 1], &rs->r[j], (rs->nr - j) * sizeof(rs->r[0]));
        rs->nr -= j - i - 1;
    }
    rs->r[i] = (struct range){ start, end };
    return true;
}

bool rangeset_remove(struct rangeset *rs, uint64_t start, uint64_t end)
{
    if ( start >= end )
        return true;

    for ( unsigned int i = 0; i < rs->nr; i++ )
    {
        struct range *r = &rs->r[i];

        if ( r->end <= start || r->start >= end )
            continue;
        if ( r->start < start && r->end > end )
        {
            /* The hole splits r in two. */
            if ( rs->nr == rs->max )
                return false;
            memmove(&rs->r[i + 1], &rs->r[i], (rs->nr - i) * sizeof(rs->r[0]));
            rs->nr++;
            rs->r[i].end = start;
            rs->r[i + 1].start = end;
            return true;
        }
        if ( r->start >= start && r->end <= end )
        {
            memmove(&rs->r[i], &rs->r[i + 1], (rs->nr - i - 1) * sizeof(rs->r[0]));
            rs->nr--;
            i--;
        }
        else if ( r->start < start )
            r->end = start;
        else
            r->start = end;
    }
    return true;
}

bool rangeset_contains(const struct rangeset *rs, uint64_t start, uint64_t end)
{
    for ( unsigned int i = 0; i < rs->nr; i++ )
        if ( rs->r[i].start <= start && end <= rs->r[i].end )
            return start < end;
    return false;
}

bool rangeset_overlaps(const struct rangeset *rs, uint64_t start, uint64_t end)
{
    if ( start >= end )
        return false;

    for ( unsigned int i = 0; i < rs->nr; i++ )
        if ( rs->r[i].start < end && start < rs->r[i].end )
            return true;
    return false;
}

uint64_t rangeset_size(const struct rangeset *rs)
{
    uint64_t n = 0;

    for ( unsigned int i = 0; i < rs->nr; i++ )
        n += rs->r[i].end - rs->r[i].start;
    return n;
}

bool rangeset_take_top(struct rangeset *rs, uint64_t n, uint64_t align,
                       uint64_t limit, uint64_t *start)
{
    if ( n == 0 || align == 0 || (align & (align - 1)) )
        return false;

    for ( unsigned int i = rs->nr; i-- > 0; )
    {
        uint64_t end = MIN(rs->r[i].end, limit), s;

        if ( end < n || end - n < rs->r[i].start )
            continue;
        s = (end - n) & ~(align - 1);
        if ( s < rs->r[i].start )
            continue;
        *start = s;
        /* Removing from inside one range needs at most one new slot. */
        return rangeset_remove(rs, s, s + n);
    }
    return false;
}
