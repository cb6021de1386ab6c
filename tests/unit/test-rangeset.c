/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/unit/test-rangeset.c - lib/rangeset.c: sorted, merged range sets. */
#include "harness.h"

#include "lib/rangeset.h"

/*
 * The storage is an exact-size heap block, so ASan catches a write past
 * max. Every check also verifies the invariant: at most max ranges, each
 * start < end, sorted, disjoint and not adjacent.
 */

#define U64_MAX         UINT64_MAX

static struct rangeset rs;
static struct range *storage;

/* A fresh, empty set with room for max ranges. */
static void init(unsigned int max)
{
    free(storage);
    storage = malloc(max ? max * sizeof(*storage) : 1);
    assert_non_null(storage);
    rangeset_init(&rs, storage, max);
}

static int setup(void **state)
{
    init(16);
    return 0;
}

static int teardown(void **state)
{
    free(storage);
    storage = NULL;
    return 0;
}

static void check_invariant(const struct rangeset *s)
{
    if ( s->nr > s->max )
        fail_msg("%u ranges in room for %u", s->nr, s->max);
    for ( unsigned int i = 0; i < s->nr; i++ )
    {
        if ( s->r[i].start >= s->r[i].end )
            fail_msg("range %u is [%#lx, %#lx)", i, s->r[i].start,
                     s->r[i].end);
        if ( i && s->r[i - 1].end >= s->r[i].start )
            fail_msg("ranges %u [%#lx, %#lx) and %u [%#lx, %#lx) are not "
                     "sorted, disjoint and apart", i - 1, s->r[i - 1].start,
                     s->r[i - 1].end, i, s->r[i].start, s->r[i].end);
    }
}

static void expect_ranges(const struct range *exp, unsigned int n)
{
    check_invariant(&rs);
    if ( rs.nr != n )
        fail_msg("%u ranges, expected %u (first [%#lx, %#lx))", rs.nr, n,
                 rs.nr ? rs.r[0].start : 0, rs.nr ? rs.r[0].end : 0);
    for ( unsigned int i = 0; i < n; i++ )
        if ( rs.r[i].start != exp[i].start || rs.r[i].end != exp[i].end )
            fail_msg("range %u is [%#lx, %#lx), expected [%#lx, %#lx)", i,
                     rs.r[i].start, rs.r[i].end, exp[i].start, exp[i].end);
}

/* The set is exactly these { start, end } ranges. */
#define EXPECT(...)                                                         \
    do {                                                                    \
        static const struct range e_[] = { __VA_ARGS__ };                   \
                                                                            \
        expect_ranges(e_, ARRAY_SIZE(e_));                                  \
    } while ( 0 )

#define EXPECT_EMPTY()                                                      \
    do {                                                                    \
        check_invariant(&rs);                                               \
        assert_int_equal(rs.nr, 0);                                         \
    } while ( 0 )

/* The set is full (max ranges) with these. */
static void fill(const struct range *r, unsigned int n)
{
    init(n);
    for ( unsigned int i = 0; i < n; i++ )
        assert_true(rangeset_add(&rs, r[i].start, r[i].end));
    expect_ranges(r, n);
}

#define FILL(...)                                                           \
    do {                                                                    \
        static const struct range f_[] = { __VA_ARGS__ };                   \
                                                                            \
        fill(f_, ARRAY_SIZE(f_));                                           \
    } while ( 0 )

#define ADD(s, e)       assert_true(rangeset_add(&rs, s, e))
#define REMOVE(s, e)    assert_true(rangeset_remove(&rs, s, e))

/* ------------------------------------------------------------ add */

static void test_init(void **state)
{
    uint64_t s = 0x1234;

    EXPECT_EMPTY();
    assert_int_equal(rs.max, 16);
    assert_ptr_equal(rs.r, storage);
    assert_int_equal(rangeset_size(&rs), 0);
    assert_false(rangeset_contains(&rs, 0, 1));
    assert_false(rangeset_overlaps(&rs, 0, U64_MAX));
    assert_false(rangeset_take_top(&rs, 1, 1, U64_MAX, &s));
    REMOVE(0, U64_MAX);
    EXPECT_EMPTY();
}

static void test_add_disjoint(void **state)
{
    ADD(100, 200);
    EXPECT({ 100, 200 });
    ADD(300, 400);
    ADD(0, 50);
    ADD(250, 260);
    EXPECT({ 0, 50 }, { 100, 200 }, { 250, 260 }, { 300, 400 });
    /* One number away from its neighbours stays apart. */
    ADD(51, 99);
    EXPECT({ 0, 50 }, { 51, 99 }, { 100, 200 }, { 250, 260 }, { 300, 400 });
    assert_int_equal(rangeset_size(&rs), 50 + 48 + 100 + 10 + 100);
}

static void test_add_empty(void **state)
{
    ADD(10, 10);
    ADD(20, 10);
    ADD(U64_MAX, 0);
    EXPECT_EMPTY();
    ADD(10, 20);
    ADD(15, 15);
    ADD(30, 30);
    ADD(U64_MAX, U64_MAX);
    EXPECT({ 10, 20 });

    /* An empty add succeeds even with the storage full. */
    FILL({ 10, 20 });
    ADD(30, 30);
    ADD(40, 35);
    EXPECT({ 10, 20 });
}

static void test_add_adjacent(void **state)
{
    ADD(100, 200);
    ADD(200, 300);                      /* touching the end */
    EXPECT({ 100, 300 });
    ADD(50, 100);                       /* touching the start */
    EXPECT({ 50, 300 });
    ADD(400, 500);
    ADD(600, 700);
    EXPECT({ 50, 300 }, { 400, 500 }, { 600, 700 });
    ADD(300, 400);                      /* bridging two */
    EXPECT({ 50, 500 }, { 600, 700 });
    ADD(500, 600);
    EXPECT({ 50, 700 });
    ADD(49, 50);
    ADD(700, 701);
    EXPECT({ 49, 701 });
}

static void test_add_overlapping(void **state)
{
    ADD(100, 200);
    ADD(150, 250);
    EXPECT({ 100, 250 });
    ADD(50, 101);
    EXPECT({ 50, 250 });
    ADD(300, 400);
    ADD(500, 600);
    ADD(700, 800);
    /* Over the end of one, the start of another, and all between. */
    ADD(200, 550);
    EXPECT({ 50, 600 }, { 700, 800 });
    /* Covering everything, past both ends. */
    ADD(0, 1000);
    EXPECT({ 0, 1000 });
    /* From inside the first to just short of the next. */
    ADD(2000, 3000);
    ADD(4000, 5000);
    ADD(2500, 3999);
    EXPECT({ 0, 1000 }, { 2000, 3999 }, { 4000, 5000 });
    assert_int_equal(rangeset_size(&rs), 1000 + 1999 + 1000);
}

static void test_add_inside(void **state)
{
    ADD(100, 200);
    ADD(300, 400);
    ADD(100, 200);                      /* the same again */
    ADD(150, 160);
    ADD(100, 101);
    ADD(199, 200);
    ADD(300, 400);
    EXPECT({ 100, 200 }, { 300, 400 });

    /* Inside needs no room. */
    FILL({ 100, 200 }, { 300, 400 });
    ADD(120, 180);
    ADD(300, 400);
    EXPECT({ 100, 200 }, { 300, 400 });
}

static void test_add_extremes(void **state)
{
    ADD(0, 1);
    ADD(U64_MAX - 1, U64_MAX);
    EXPECT({ 0, 1 }, { U64_MAX - 1, U64_MAX });
    assert_int_equal(rangeset_size(&rs), 2);
    ADD(1, U64_MAX - 1);
    EXPECT({ 0, U64_MAX });
    assert_int_equal(rangeset_size(&rs), U64_MAX);
    assert_true(rangeset_contains(&rs, 0, U64_MAX));
}

static void test_add_full(void **state)
{
    /* A new range needs room; the set is left as it was. */
    FILL({ 10, 20 }, { 30, 40 }, { 50, 60 });
    assert_false(rangeset_add(&rs, 0, 5));
    assert_false(rangeset_add(&rs, 22, 28));
    assert_false(rangeset_add(&rs, 70, 80));
    assert_false(rangeset_add(&rs, 61, U64_MAX));
    EXPECT({ 10, 20 }, { 30, 40 }, { 50, 60 });

    /* Growing or merging needs none. */
    ADD(60, 65);
    ADD(5, 10);
    EXPECT({ 5, 20 }, { 30, 40 }, { 50, 65 });
    ADD(20, 30);
    EXPECT({ 5, 40 }, { 50, 65 });
    /* A slot was freed: a new range fits again, once. */
    ADD(100, 110);
    EXPECT({ 5, 40 }, { 50, 65 }, { 100, 110 });
    assert_false(rangeset_add(&rs, 0, 1));
    EXPECT({ 5, 40 }, { 50, 65 }, { 100, 110 });
    ADD(0, 200);
    EXPECT({ 0, 200 });

    /* No storage at all. */
    init(0);
    assert_false(rangeset_add(&rs, 0, 1));
    REMOVE(0, 1);
    ADD(1, 1);
    EXPECT_EMPTY();
}

/* ------------------------------------------------------------ remove */

static void test_remove_split(void **state)
{
    ADD(0, 100);
    REMOVE(10, 20);
    EXPECT({ 0, 10 }, { 20, 100 });
    REMOVE(50, 51);
    EXPECT({ 0, 10 }, { 20, 50 }, { 51, 100 });
    REMOVE(1, 9);
    EXPECT({ 0, 1 }, { 9, 10 }, { 20, 50 }, { 51, 100 });
    assert_int_equal(rangeset_size(&rs), 1 + 1 + 30 + 49);

    /* A split needs a free slot: with none, the set is left as it was. */
    FILL({ 0, 100 }, { 200, 300 });
    assert_false(rangeset_remove(&rs, 10, 20));
    assert_false(rangeset_remove(&rs, 201, 299));
    EXPECT({ 0, 100 }, { 200, 300 });
    init(1);
    ADD(0, U64_MAX);
    assert_false(rangeset_remove(&rs, 1, U64_MAX - 1));
    EXPECT({ 0, U64_MAX });
}

static void test_remove_edges(void **state)
{
    ADD(100, 200);
    REMOVE(100, 110);
    EXPECT({ 110, 200 });
    REMOVE(190, 200);
    EXPECT({ 110, 190 });
    REMOVE(0, 111);                     /* over the start */
    EXPECT({ 111, 190 });
    REMOVE(189, 1000);                  /* over the end */
    EXPECT({ 111, 189 });
    /* Touching but not overlapping: nothing goes. */
    REMOVE(0, 111);
    REMOVE(189, 300);
    EXPECT({ 111, 189 });

    /* Trimming needs no room. */
    FILL({ 10, 20 }, { 30, 40 });
    REMOVE(10, 11);
    REMOVE(39, 40);
    REMOVE(15, 35);
    EXPECT({ 11, 15 }, { 35, 39 });
}

static void test_remove_whole(void **state)
{
    ADD(100, 200);
    ADD(300, 400);
    ADD(500, 600);
    REMOVE(300, 400);
    EXPECT({ 100, 200 }, { 500, 600 });
    REMOVE(50, 250);
    EXPECT({ 500, 600 });
    REMOVE(500, 600);
    EXPECT_EMPTY();
    assert_int_equal(rangeset_size(&rs), 0);

    ADD(0, U64_MAX);
    REMOVE(0, U64_MAX);
    EXPECT_EMPTY();
}

static void test_remove_several(void **state)
{
    ADD(0, 10);
    ADD(20, 30);
    ADD(40, 50);
    ADD(60, 70);
    ADD(80, 90);
    /* Trim the first and the last, drop those between. */
    REMOVE(5, 85);
    EXPECT({ 0, 5 }, { 85, 90 });

    ADD(10, 20);
    ADD(30, 40);
    ADD(50, 60);
    EXPECT({ 0, 5 }, { 10, 20 }, { 30, 40 }, { 50, 60 }, { 85, 90 });
    /* Exactly several whole ones, from the first. */
    REMOVE(0, 40);
    EXPECT({ 50, 60 }, { 85, 90 });
    /* Everything, and more. */
    REMOVE(0, U64_MAX);
    EXPECT_EMPTY();

    /* Works with the storage full: removing never needs room here. */
    FILL({ 0, 10 }, { 20, 30 }, { 40, 50 });
    REMOVE(5, 45);
    EXPECT({ 0, 5 }, { 45, 50 });
}

static void test_remove_nothing(void **state)
{
    ADD(100, 200);
    ADD(300, 400);
    REMOVE(200, 300);                   /* the gap exactly */
    REMOVE(0, 100);
    REMOVE(400, U64_MAX);
    REMOVE(150, 150);                   /* empty */
    REMOVE(180, 120);                   /* reversed */
    REMOVE(U64_MAX, 0);
    EXPECT({ 100, 200 }, { 300, 400 });
}

/* ------------------------------------------------------------ queries */

static void test_contains(void **state)
{
    ADD(100, 200);
    ADD(300, 400);

    assert_true(rangeset_contains(&rs, 100, 200));      /* exact */
    assert_true(rangeset_contains(&rs, 100, 101));
    assert_true(rangeset_contains(&rs, 199, 200));
    assert_true(rangeset_contains(&rs, 150, 160));
    assert_true(rangeset_contains(&rs, 300, 400));
    assert_false(rangeset_contains(&rs, 99, 200));
    assert_false(rangeset_contains(&rs, 100, 201));
    assert_false(rangeset_contains(&rs, 99, 100));
    assert_false(rangeset_contains(&rs, 200, 201));
    assert_false(rangeset_contains(&rs, 100, 400));     /* over the gap */
    assert_false(rangeset_contains(&rs, 199, 301));
    assert_false(rangeset_contains(&rs, 250, 260));
    assert_false(rangeset_contains(&rs, 0, U64_MAX));

    /* Empty and reversed ranges are never contained. */
    assert_false(rangeset_contains(&rs, 150, 150));
    assert_false(rangeset_contains(&rs, 100, 100));
    assert_false(rangeset_contains(&rs, 200, 200));
    assert_false(rangeset_contains(&rs, 250, 250));
    assert_false(rangeset_contains(&rs, 160, 150));
    assert_false(rangeset_contains(&rs, 350, 150));

    REMOVE(0, U64_MAX);
    ADD(U64_MAX - 10, U64_MAX);
    assert_true(rangeset_contains(&rs, U64_MAX - 10, U64_MAX));
    assert_true(rangeset_contains(&rs, U64_MAX - 1, U64_MAX));
    assert_false(rangeset_contains(&rs, U64_MAX - 11, U64_MAX));
    assert_false(rangeset_contains(&rs, U64_MAX, U64_MAX));
}

static void test_overlaps(void **state)
{
    ADD(100, 200);
    ADD(300, 400);

    assert_true(rangeset_overlaps(&rs, 100, 200));
    assert_true(rangeset_overlaps(&rs, 0, 101));
    assert_true(rangeset_overlaps(&rs, 199, 250));
    assert_true(rangeset_overlaps(&rs, 150, 151));
    assert_true(rangeset_overlaps(&rs, 199, 301));      /* both */
    assert_true(rangeset_overlaps(&rs, 250, 301));
    assert_true(rangeset_overlaps(&rs, 0, U64_MAX));
    assert_true(rangeset_overlaps(&rs, 399, U64_MAX));
    /* Exact bounds: touching is not overlapping. */
    assert_false(rangeset_overlaps(&rs, 0, 100));
    assert_false(rangeset_overlaps(&rs, 200, 300));     /* the gap exactly */
    assert_false(rangeset_overlaps(&rs, 400, U64_MAX));
    assert_false(rangeset_overlaps(&rs, 201, 299));

    /* Empty and reversed ranges overlap nothing, even inside a range. */
    assert_false(rangeset_overlaps(&rs, 150, 150));
    assert_false(rangeset_overlaps(&rs, 100, 100));
    assert_false(rangeset_overlaps(&rs, 250, 250));
    assert_false(rangeset_overlaps(&rs, 160, 150));
    assert_false(rangeset_overlaps(&rs, 350, 150));
    assert_false(rangeset_overlaps(&rs, U64_MAX, 0));
}

static void test_size(void **state)
{
    assert_int_equal(rangeset_size(&rs), 0);
    ADD(0, 1);
    assert_int_equal(rangeset_size(&rs), 1);
    ADD(10, 20);
    ADD(1ULL << 40, (1ULL << 40) + 4096);
    assert_int_equal(rangeset_size(&rs), 1 + 10 + 4096);
    ADD(5, 15);
    assert_int_equal(rangeset_size(&rs), 1 + 15 + 4096);
    REMOVE(12, 13);
    assert_int_equal(rangeset_size(&rs), 1 + 14 + 4096);
    REMOVE(0, U64_MAX);
    ADD(1, U64_MAX);
    assert_int_equal(rangeset_size(&rs), U64_MAX - 1);
}

/* ------------------------------------------------------------ take_top */

static void test_take_top(void **state)
{
    uint64_t s = 0;

    ADD(0, 100);
    ADD(200, 300);
    /* The highest block: the top of the highest range. */
    assert_true(rangeset_take_top(&rs, 10, 1, U64_MAX, &s));
    assert_int_equal(s, 290);
    EXPECT({ 0, 100 }, { 200, 290 });
    assert_true(rangeset_take_top(&rs, 90, 1, U64_MAX, &s));
    assert_int_equal(s, 200);
    EXPECT({ 0, 100 });
    /* Too big for any range. */
    assert_false(rangeset_take_top(&rs, 101, 1, U64_MAX, &s));
    EXPECT({ 0, 100 });
    /* Exactly a whole range. */
    assert_true(rangeset_take_top(&rs, 100, 1, U64_MAX, &s));
    assert_int_equal(s, 0);
    EXPECT_EMPTY();
    assert_false(rangeset_take_top(&rs, 1, 1, U64_MAX, &s));

    /* Only the lower range is big enough. */
    ADD(0, 100);
    ADD(200, 250);
    assert_true(rangeset_take_top(&rs, 60, 1, U64_MAX, &s));
    assert_int_equal(s, 40);
    EXPECT({ 0, 40 }, { 200, 250 });
}

static void test_take_top_align(void **state)
{
    uint64_t s = 0;

    ADD(0, 100);
    ADD(200, 300);
    /* Aligned below the top: a split. */
    assert_true(rangeset_take_top(&rs, 10, 64, U64_MAX, &s));
    assert_int_equal(s, 256);
    EXPECT({ 0, 100 }, { 200, 256 }, { 266, 300 });
    /* No 64-aligned 40 in [200, 256) or [266, 300): the lower range. */
    assert_true(rangeset_take_top(&rs, 40, 64, U64_MAX, &s));
    assert_int_equal(s, 0);
    EXPECT({ 40, 100 }, { 200, 256 }, { 266, 300 });
    /* 2-aligned 3 at the top: [296, 299). */
    assert_true(rangeset_take_top(&rs, 3, 2, U64_MAX, &s));
    assert_int_equal(s, 296);
    EXPECT({ 40, 100 }, { 200, 256 }, { 266, 296 }, { 299, 300 });
    /* 256 is taken and nothing else is 128-aligned: from the lowest. */
    assert_false(rangeset_take_top(&rs, 1, 512, U64_MAX, &s));
    assert_false(rangeset_take_top(&rs, 1, 256, U64_MAX, &s));
    assert_false(rangeset_take_top(&rs, 1, 128, U64_MAX, &s));
    EXPECT({ 40, 100 }, { 200, 256 }, { 266, 296 }, { 299, 300 });
    assert_true(rangeset_take_top(&rs, 1, 64, U64_MAX, &s));
    assert_int_equal(s, 64);
    EXPECT({ 40, 64 }, { 65, 100 }, { 200, 256 }, { 266, 296 }, { 299, 300 });
}

static void test_take_top_align_exact(void **state)
{
    uint64_t s = 0;

    ADD(0x1000, 0x5000);
    assert_true(rangeset_take_top(&rs, 0x1000, 0x1000, U64_MAX, &s));
    assert_int_equal(s, 0x4000);
    EXPECT({ 0x1000, 0x4000 });
    assert_true(rangeset_take_top(&rs, 0x1001, 0x1000, U64_MAX, &s));
    assert_int_equal(s, 0x2000);
    EXPECT({ 0x1000, 0x2000 }, { 0x3001, 0x4000 });
    /* 1 << 63 alignment, near the top of the number space. */
    REMOVE(0, U64_MAX);
    ADD(0, U64_MAX);
    assert_true(rangeset_take_top(&rs, 1, 1ULL << 63, U64_MAX, &s));
    assert_int_equal(s, 1ULL << 63);
    EXPECT({ 0, 1ULL << 63 }, { (1ULL << 63) + 1, U64_MAX });
    assert_true(rangeset_take_top(&rs, 16, 1, U64_MAX, &s));
    assert_int_equal(s, U64_MAX - 16);
    EXPECT({ 0, 1ULL << 63 }, { (1ULL << 63) + 1, U64_MAX - 16 });
}

static void test_take_top_limit(void **state)
{
    uint64_t s = 0;

    ADD(100, 200);
    ADD(300, 400);
    /* The limit inside a range: a split. */
    assert_true(rangeset_take_top(&rs, 10, 1, 350, &s));
    assert_int_equal(s, 340);
    EXPECT({ 100, 200 }, { 300, 340 }, { 350, 400 });
    /* The limit exactly at a range's end. */
    assert_true(rangeset_take_top(&rs, 10, 1, 200, &s));
    assert_int_equal(s, 190);
    EXPECT({ 100, 190 }, { 300, 340 }, { 350, 400 });
    /* The limit in a gap. */
    assert_true(rangeset_take_top(&rs, 10, 1, 250, &s));
    assert_int_equal(s, 180);
    EXPECT({ 100, 180 }, { 300, 340 }, { 350, 400 });
    /* Leaves too little of the top range below the limit. */
    assert_true(rangeset_take_top(&rs, 10, 1, 309, &s));
    assert_int_equal(s, 170);
    EXPECT({ 100, 170 }, { 300, 340 }, { 350, 400 });
    /* Exactly enough below the limit. */
    assert_true(rangeset_take_top(&rs, 10, 1, 310, &s));
    assert_int_equal(s, 300);
    EXPECT({ 100, 170 }, { 310, 340 }, { 350, 400 });
    /* Alignment and limit together. */
    assert_true(rangeset_take_top(&rs, 4, 16, 339, &s));
    assert_int_equal(s, 320);
    EXPECT({ 100, 170 }, { 310, 320 }, { 324, 340 }, { 350, 400 });

    /* Limit below everything, at the lowest start, at 0, below n. */
    assert_false(rangeset_take_top(&rs, 1, 1, 50, &s));
    assert_false(rangeset_take_top(&rs, 1, 1, 100, &s));
    assert_false(rangeset_take_top(&rs, 1, 1, 0, &s));
    assert_false(rangeset_take_top(&rs, 10, 1, 109, &s));
    EXPECT({ 100, 170 }, { 310, 320 }, { 324, 340 }, { 350, 400 });
    assert_true(rangeset_take_top(&rs, 1, 1, 101, &s));
    assert_int_equal(s, 100);
    EXPECT({ 101, 170 }, { 310, 320 }, { 324, 340 }, { 350, 400 });
}

static void test_take_top_no_crossing(void **state)
{
    uint64_t s = 0;

    /* 199 numbers are there, but not 101 in one range. */
    ADD(0, 100);
    ADD(101, 200);
    assert_false(rangeset_take_top(&rs, 150, 1, U64_MAX, &s));
    assert_false(rangeset_take_top(&rs, 101, 1, U64_MAX, &s));
    EXPECT({ 0, 100 }, { 101, 200 });
    assert_true(rangeset_take_top(&rs, 99, 1, U64_MAX, &s));
    assert_int_equal(s, 101);
    EXPECT({ 0, 100 });

    /* The only 64-aligned 64 would be [64, 128), over the hole at 100. */
    REMOVE(0, 40);
    ADD(101, 160);
    assert_false(rangeset_take_top(&rs, 64, 64, U64_MAX, &s));
    assert_false(rangeset_take_top(&rs, 64, 32, U64_MAX, &s));
    assert_false(rangeset_take_top(&rs, 61, 1, U64_MAX, &s));
    EXPECT({ 40, 100 }, { 101, 160 });
    assert_true(rangeset_take_top(&rs, 32, 32, U64_MAX, &s));
    assert_int_equal(s, 128);
    EXPECT({ 40, 100 }, { 101, 128 });
}

static void test_take_top_bad_args(void **state)
{
    static const uint64_t bad_align[] = {
        0, 3, 5, 6, 7, 12, 48, 100, (1ULL << 63) + 1, U64_MAX,
    };
    uint64_t s = 0;

    ADD(0, 1000);
    assert_false(rangeset_take_top(&rs, 0, 1, U64_MAX, &s));
    assert_false(rangeset_take_top(&rs, 0, 1, 0, &s));
    for ( unsigned int i = 0; i < ARRAY_SIZE(bad_align); i++ )
        if ( rangeset_take_top(&rs, 1, bad_align[i], U64_MAX, &s) )
            fail_msg("align %#lx accepted", bad_align[i]);
    EXPECT({ 0, 1000 });
    /* n larger than limit, larger than any number. */
    assert_false(rangeset_take_top(&rs, 1001, 1, U64_MAX, &s));
    assert_false(rangeset_take_top(&rs, U64_MAX, 1, U64_MAX, &s));
    assert_false(rangeset_take_top(&rs, 10, 1, 5, &s));
    EXPECT({ 0, 1000 });
}

static void test_take_top_full(void **state)
{
    uint64_t s = 0;

    /* A take from inside a range needs a free slot. */
    FILL({ 0, 100 }, { 200, 300 });
    assert_false(rangeset_take_top(&rs, 10, 64, U64_MAX, &s));
    EXPECT({ 0, 100 }, { 200, 300 });
    assert_false(rangeset_take_top(&rs, 10, 1, 250, &s));
    EXPECT({ 0, 100 }, { 200, 300 });
    /* At a range's end (or taking it whole) it does not. */
    assert_true(rangeset_take_top(&rs, 10, 1, U64_MAX, &s));
    assert_int_equal(s, 290);
    assert_true(rangeset_take_top(&rs, 10, 1, 100, &s));
    assert_int_equal(s, 90);
    assert_true(rangeset_take_top(&rs, 64, 64, 64, &s));
    assert_int_equal(s, 0);
    EXPECT({ 64, 90 }, { 200, 290 });
    assert_true(rangeset_take_top(&rs, 26, 2, 90, &s));
    assert_int_equal(s, 64);
    EXPECT({ 200, 290 });
    /* The whole last range, with the storage full. */
    FILL({ 7, 8 });
    assert_true(rangeset_take_top(&rs, 1, 1, U64_MAX, &s));
    assert_int_equal(s, 7);
    EXPECT_EMPTY();
}

/* ------------------------------------------------------------ model check */

#define MODEL_N         4096

static bool model[MODEL_N], before[MODEL_N];
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Runs of set bits: the ranges the model needs. */
static unsigned int model_runs(const bool *m)
{
    unsigned int n = 0;

    for ( unsigned int i = 0; i < MODEL_N; i++ )
        if ( m[i] && (i == 0 || !m[i - 1]) )
            n++;
    return n;
}

static void model_set(bool *m, uint64_t start, uint64_t end, bool v)
{
    for ( uint64_t i = start; i < end && i < MODEL_N; i++ )
        m[i] = v;
}

/* The set holds exactly the model's numbers. */
static void check_model(const char *what, unsigned int iter)
{
    bool seen[MODEL_N] = { false };

    check_invariant(&rs);
    for ( unsigned int i = 0; i < rs.nr; i++ )
    {
        if ( rs.r[i].end > MODEL_N )
            fail_msg("%s, iteration %u: range [%#lx, %#lx) outside the model",
                     what, iter, rs.r[i].start, rs.r[i].end);
        model_set(seen, rs.r[i].start, rs.r[i].end, true);
    }
    if ( memcmp(seen, model, sizeof(seen)) )
        fail_msg("%s, iteration %u: the set differs from the model", what,
                 iter);
    if ( rs.nr != model_runs(model) )
        fail_msg("%s, iteration %u: %u ranges for %u runs", what, iter, rs.nr,
                 model_runs(model));
}

/* What the random operations got to, so that a dull generator shows. */
enum {
    ADD_OK, ADD_FULL, REMOVE_OK, REMOVE_FULL, CONTAINS_YES, CONTAINS_NO,
    OVERLAPS_YES, OVERLAPS_NO, TAKE_OK, TAKE_SPLIT, TAKE_FULL, TAKE_NONE,
    NR_OUTCOMES
};
static unsigned int outcomes[NR_OUTCOMES];

/* A random bound: mostly in [0, MODEL_N], sometimes just past it or huge. */
static uint64_t rand_bound(void)
{
    switch ( rng() % 16 )
    {
    case 0:
        return MODEL_N + rng() % 64;
    case 1:
        return U64_MAX - rng() % 2;
    default:
        return rng() % (MODEL_N + 1);
    }
}

/*
 * Random operations against a bitmap over [0, MODEL_N): add and remove
 * succeed exactly when the result fits in max ranges, and otherwise leave
 * the set alone; take_top takes the highest aligned block below the limit
 * that the model has, under the same rule; the queries agree.
 */
static void model_run(unsigned int max, unsigned int iters, uint64_t span)
{
    memset(model, 0, sizeof(model));
    init(max);

    for ( unsigned int iter = 0; iter < iters; iter++ )
    {
        /* Short ranges keep the set fragmented; span limits their length. */
        uint64_t start = rng() % 2 ? rng() % MODEL_N : rand_bound();
        uint64_t end = rng() % 8 ? start + rng() % span : rand_bound();
        unsigned int op = rng() % 8;
        bool ok, expect;

        memcpy(before, model, sizeof(model));
        switch ( op )
        {
        case 0: case 1: case 2:
            if ( end > MODEL_N )
                end = MODEL_N;          /* the model is finite */
            model_set(model, start, end, true);
            expect = model_runs(model) <= max;
            if ( !expect )
                memcpy(model, before, sizeof(model));
            ok = rangeset_add(&rs, start, end);
            outcomes[ok ? ADD_OK : ADD_FULL]++;
            if ( ok != expect )
                fail_msg("add [%#lx, %#lx) with %u in room for %u, iteration "
                         "%u: %d, expected %d", start, end, rs.nr, max, iter,
                         ok, expect);
            check_model("add", iter);
            break;

        case 3: case 4:
            model_set(model, start, end, false);
            expect = model_runs(model) <= max;
            if ( !expect )
                memcpy(model, before, sizeof(model));
            ok = rangeset_remove(&rs, start, end);
            outcomes[ok ? REMOVE_OK : REMOVE_FULL]++;
            if ( ok != expect )
                fail_msg("remove [%#lx, %#lx) iteration %u: %d, expected %d",
                         start, end, iter, ok, expect);
            check_model("remove", iter);
            break;

        case 5:
        {
            bool c = start < end && end <= MODEL_N, o = false;

            for ( uint64_t i = start; i < end && i < MODEL_N; i++ )
            {
                c = c && model[i];
                o = o || model[i];
            }
            if ( rangeset_contains(&rs, start, end) != c )
                fail_msg("contains [%#lx, %#lx) iteration %u: expected %d",
                         start, end, iter, c);
            if ( rangeset_overlaps(&rs, start, end) != o )
                fail_msg("overlaps [%#lx, %#lx) iteration %u: expected %d",
                         start, end, iter, o);
            outcomes[c ? CONTAINS_YES : CONTAINS_NO]++;
            outcomes[o ? OVERLAPS_YES : OVERLAPS_NO]++;
            break;
        }

        case 6:
        {
            uint64_t size = 0;

            for ( unsigned int i = 0; i < MODEL_N; i++ )
                size += model[i];
            assert_int_equal(rangeset_size(&rs), size);
            break;
        }

        case 7:
        {
            uint64_t n = rng() % 4 ? 1 + rng() % 64 : rng() % (MODEL_N + 2);
            uint64_t align = rng() % 8 ? 1ULL << (rng() % 12) : rng() % 20;
            uint64_t limit = rng() % 4 ? rand_bound() : U64_MAX;
            uint64_t top = MIN(limit, (uint64_t)MODEL_N), s = 0, got = ~0ULL;
            uint64_t run = 0;
            bool found = false;

            /* run: how many numbers from x up, below top, are in the set. */
            expect = false;
            if ( n && align && !(align & (align - 1)) )
            {
                for ( uint64_t x = top; x-- > 0; )
                {
                    run = model[x] ? run + 1 : 0;
                    if ( run >= n && !(x & (align - 1)) )
                    {
                        s = x;
                        found = true;
                        break;
                    }
                }
            }
            if ( found )
            {
                model_set(model, s, s + n, false);
                expect = model_runs(model) <= max;
                if ( !expect )
                    memcpy(model, before, sizeof(model));
            }
            ok = rangeset_take_top(&rs, n, align, limit, &got);
            outcomes[ok ? (model_runs(model) > model_runs(before) ? TAKE_SPLIT
                                                                  : TAKE_OK)
                        : found ? TAKE_FULL : TAKE_NONE]++;
            if ( ok != expect || (ok && got != s) )
                fail_msg("take_top n %#lx align %#lx limit %#lx iteration "
                         "%u: %d at %#lx, expected %d at %#lx", n, align,
                         limit, iter, ok, got, expect, s);
            check_model("take_top", iter);
            break;
        }
        }
    }
}

static void test_model(void **state)
{
    static const struct {
        unsigned int max, iters;
        uint64_t span;
    } runs[] = {
        { 1, 3000, 64 },
        { 2, 3000, 64 },
        { 3, 5000, 32 },
        { 8, 10000, 64 },
        { 8, 5000, 1024 },
        { 64, 20000, 16 },
        { 64, 10000, 256 },
        { MODEL_N / 2, 20000, 8 },
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(runs); i++ )
        model_run(runs[i].max, runs[i].iters, runs[i].span);
    for ( unsigned int i = 0; i < NR_OUTCOMES; i++ )
        if ( outcomes[i] < 100 )
            fail_msg("outcome %u only %u times", i, outcomes[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_init),
        T(test_add_disjoint),
        T(test_add_empty),
        T(test_add_adjacent),
        T(test_add_overlapping),
        T(test_add_inside),
        T(test_add_extremes),
        T(test_add_full),
        T(test_remove_split),
        T(test_remove_edges),
        T(test_remove_whole),
        T(test_remove_several),
        T(test_remove_nothing),
        T(test_contains),
        T(test_overlaps),
        T(test_size),
        T(test_take_top),
        T(test_take_top_align),
        T(test_take_top_align_exact),
        T(test_take_top_limit),
        T(test_take_top_no_crossing),
        T(test_take_top_bad_args),
        T(test_take_top_full),
        T(test_model),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
