/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/unit/test-frames.c - x86/frames.c: frame owners and the allocator
 * of the shim's own frames, on a fake memory of NR frames at BASE (the
 * boot code's free RAM in most cases).
 *
 * The rule above all: a frame is handed out only if it was free, so the
 * guest's frames (and the rings, shared_info, grant frames) never are.
 */
#include "harness.h"

#include "x86/frames.h"
#include "x86/layout.h"

#define BASE    0x10000UL       /* crosses a page of owners at 0x11000 */
#define NR      0x1100UL
#define LIMIT   (1UL << 20)
#define GUEST   (BASE + 0x40)   /* frames GUEST..GUEST+15: the guest's */

static uint8_t *mem;
static struct range boot_r[8];
static struct rangeset boot;

static void *map(unsigned long mfn)
{
    if ( mfn - BASE >= NR )
        fail_msg("map(%#lx): not a frame of the fake memory", mfn);
    return mem + (mfn - BASE) * PAGE_SIZE;
}

static bool in_boot(unsigned long mfn)
{
    return rangeset_contains(&boot, mfn, mfn + 1);
}

static bool is_zero(unsigned long mfn)
{
    const uint8_t *p = map(mfn);

    for ( unsigned int i = 0; i < PAGE_SIZE; i++ )
        if ( p[i] )
            return false;
    return true;
}

/* BUG_ON calls panic(), whose hook lets cmocka catch it. */
static void test_panic(const char *reason)
{
    mock_assert(0, reason, __FILE__, __LINE__);
}

/* Boot's free RAM: [first, end) of the fake memory; frames_init on it. */
static void init_with(unsigned long first, unsigned long end)
{
    memset(mem, 0xa5, NR * PAGE_SIZE);
    rangeset_init(&boot, boot_r, ARRAY_SIZE(boot_r));
    assert_true(rangeset_add(&boot, first, end));
    assert_true(frames_init(LIMIT, map, &boot));
}

static int setup(void **state)
{
    mem = aligned_alloc(PAGE_SIZE, NR * PAGE_SIZE);
    assert_non_null(mem);
    panic_hook = test_panic;
    init_with(BASE, BASE + NR);
    return 0;
}

static int teardown(void **state)
{
    free(mem);
    mem = NULL;
    panic_hook = NULL;
    return 0;
}

/* ------------------------------------------------------------ owners */

static void test_init(void **state)
{
    unsigned long shim = 0, fr = 0;

    /* Pages of owners came from boot's top: the leaf pointers, two leaves. */
    assert_int_equal(frames_nr_shim(), 3);
    assert_int_equal(frames_nr_free(), 0);
    assert_int_equal(rangeset_size(&boot), NR - 3);
    for ( unsigned long m = BASE; m < BASE + NR; m++ )
    {
        unsigned int o = frame_owner(m);

        if ( in_boot(m) )
            assert_int_equal(o, FRAME_free);
        else
            assert_int_equal(o, FRAME_shim);
        shim += o == FRAME_shim;
        fr += o == FRAME_free;
    }
    assert_int_equal(shim, 3);
    assert_int_equal(fr, NR - 3);
    /* Outside boot's RAM, and past the limit: none. */
    assert_int_equal(frame_owner(0), FRAME_none);
    assert_int_equal(frame_owner(BASE - 1), FRAME_none);
    assert_int_equal(frame_owner(BASE + NR), FRAME_none);
    assert_int_equal(frame_owner(LIMIT), FRAME_none);
    assert_int_equal(frame_owner(~0UL), FRAME_none);
}

static void test_init_short(void **state)
{
    /* Not even the leaf pointers: init fails. */
    rangeset_init(&boot, boot_r, ARRAY_SIZE(boot_r));
    assert_false(frames_init(LIMIT, map, &boot));
    assert_int_equal(frame_owner(BASE), FRAME_none);
    assert_int_equal(frames_alloc(), 0);
    /* Leaf pointers but no page of owners. */
    assert_true(rangeset_add(&boot, BASE, BASE + 1));
    assert_false(frames_init(LIMIT, map, &boot));
}

static void test_set_owner(void **state)
{
    static const unsigned int owners[] = {
        FRAME_guest, FRAME_ring, FRAME_shared, FRAME_grant, FRAME_ro, FRAME_none,
    };
    unsigned long shim = frames_nr_shim();

    for ( unsigned int i = 0; i < ARRAY_SIZE(owners); i++ )
    {
        assert_true(frame_set_owner(GUEST, 16, owners[i]));
        for ( unsigned long m = GUEST; m < GUEST + 16; m++ )
            assert_int_equal(frame_owner(m), owners[i]);
        assert_int_equal(frame_owner(GUEST - 1), FRAME_free);
        assert_int_equal(frame_owner(GUEST + 16), FRAME_free);
    }
    /* Within known leaves: no memory taken. */
    assert_int_equal(frames_nr_shim(), shim);

    /* A frame of an unknown leaf: its page of owners comes from boot. */
    assert_true(frame_set_owner(0xfeffc, 1, FRAME_ring));
    assert_int_equal(frame_owner(0xfeffc), FRAME_ring);
    assert_int_equal(frame_owner(0xfeffb), FRAME_none);
    assert_int_equal(frames_nr_shim(), shim + 1);
    /* Setting none prepares a leaf too (the grant window). */
    assert_true(frame_set_owner(0xf0000, 4, FRAME_none));
    assert_int_equal(frames_nr_shim(), shim + 2);

    /* Past the limit, or wrapping: refused, nothing set. */
    assert_false(frame_set_owner(LIMIT - 1, 2, FRAME_guest));
    assert_int_equal(frame_owner(LIMIT - 1), FRAME_none);
    assert_false(frame_set_owner(LIMIT, 1, FRAME_guest));
    assert_false(frame_set_owner(~0UL, 2, FRAME_guest));
    assert_true(frame_set_owner(BASE, 0, FRAME_guest));
    assert_int_equal(frame_owner(BASE), FRAME_free);
}

static void test_set_owner_no_memory(void **state)
{
    unsigned long m;

    while ( (m = frames_alloc()) )
        ;
    assert_false(frame_set_owner(0xfeffc, 1, FRAME_ring));
    assert_int_equal(frame_owner(0xfeffc), FRAME_none);
    /* Known leaves need nothing. */
    assert_true(frame_set_owner(GUEST, 1, FRAME_guest));
}

/* Only the guest's RAM and L0's rings may be named in a grant entry. */
static void test_grantable(void **state)
{
    static const struct {
        unsigned int owner;
        bool grantable;
    } t[] = {
        { FRAME_none,   false },
        { FRAME_free,   false },
        { FRAME_shim,   false },
        { FRAME_guest,  true },
        { FRAME_ring,   true },
        { FRAME_shared, false },
        { FRAME_grant,  false },
        { FRAME_ro,     false },
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(t); i++ )
    {
        assert_true(frame_set_owner(GUEST, 1, t[i].owner));
        assert_int_equal(frame_grantable(GUEST), t[i].grantable);
    }
    assert_false(frame_grantable(LIMIT + 5));
    assert_false(frame_grantable(~0UL));
}

/* ------------------------------------------------------------ allocation */

static void test_alloc_boot_top(void **state)
{
    unsigned long top = boot.r[boot.nr - 1].end, m;

    m = frames_alloc();
    assert_int_equal(m, top - 1);
    assert_int_equal(frame_owner(m), FRAME_shim);
    assert_true(is_zero(m));
    assert_false(in_boot(m));
    assert_int_equal(frames_alloc(), top - 2);
    assert_int_equal(frames_nr_shim(), 5);

    /* A run: contiguous, zeroed, the shim's. */
    m = frames_alloc_run(8);
    assert_int_equal(m, top - 10);
    for ( unsigned long i = 0; i < 8; i++ )
    {
        assert_int_equal(frame_owner(m + i), FRAME_shim);
        assert_true(is_zero(m + i));
    }
    assert_int_equal(frames_nr_shim(), 13);
    assert_int_equal(frames_alloc_run(0), 0);
    assert_int_equal(frames_alloc_run(NR), 0);
    assert_int_equal(frames_nr_shim(), 13);
}

static void test_add_and_pool(void **state)
{
    unsigned long top = boot.r[boot.nr - 1].end, res, m, a, b;

    /* The reserve: a run taken off boot's top, given to the allocator. */
    assert_true(frames_reserve(16));
    assert_int_equal(frames_nr_free(), 16);
    assert_int_equal(boot.r[boot.nr - 1].end, top - 16);
    assert_int_equal(frame_owner(top - 1), FRAME_free);
    assert_false(frames_reserve(NR));
    assert_int_equal(boot.r[boot.nr - 1].end, top - 16);
    /* Single frames (the first MiB, unowned): the list, first. */
    res = GUEST;
    assert_true(frame_set_owner(res, 2, FRAME_none));
    assert_true(frames_add(res, 1));
    assert_true(frames_add(res + 1, 1));
    assert_int_equal(frame_owner(res), FRAME_free);
    assert_int_equal(frames_nr_free(), 18);
    assert_int_equal(frames_alloc(), res + 1);
    assert_int_equal(frames_alloc(), res);
    /* Then boot's top while it is the source: the reserve stays. */
    m = frames_alloc();
    assert_int_equal(m, top - 17);
    assert_int_equal(frames_nr_free(), 16);
    /* Once boot is the guest's, the reserve. */
    frames_boot_source(NULL);
    a = frames_alloc_run(4);
    assert_int_not_equal(a, 0);
    assert_int_equal(frames_nr_free(), 12);
    b = frames_alloc();
    assert_int_equal(frames_nr_free(), 11);
    assert_int_equal(frame_owner(a), FRAME_shim);
    assert_int_equal(frame_owner(b), FRAME_shim);
    assert_false(in_boot(a) || in_boot(b));
    assert_true(a >= top - 16 && b >= top - 16);
    /* No reserve once boot is gone. */
    assert_false(frames_reserve(1));
}

static void test_exhaustion(void **state)
{
    unsigned long res = boot.r[boot.nr - 1].end - 8, m, n = 0, shim;

    assert_true(frames_reserve(8));
    frames_boot_source(NULL);
    shim = frames_nr_shim();
    while ( (m = frames_alloc()) )
    {
        assert_true(m >= res && m < res + 8);
        n++;
    }
    assert_int_equal(n, 8);
    assert_int_equal(frames_nr_free(), 0);
    assert_int_equal(frames_nr_shim(), shim + 8);
    assert_int_equal(frames_alloc(), 0);
    assert_int_equal(frames_alloc_run(2), 0);
    assert_int_equal(frames_nr_shim(), shim + 8);

    /* One back: it is the next one out, zeroed again. */
    memset(map(res + 3), 0xff, PAGE_SIZE);
    frames_free(res + 3);
    assert_int_equal(frame_owner(res + 3), FRAME_free);
    assert_int_equal(frames_nr_free(), 1);
    assert_int_equal(frames_alloc(), res + 3);
    assert_true(is_zero(res + 3));
    assert_int_equal(frames_alloc(), 0);
}

static void test_run_exhaustion(void **state)
{
    unsigned long res = boot.r[boot.nr - 1].end - 8;

    assert_true(frames_reserve(8));
    frames_boot_source(NULL);
    assert_int_equal(frames_alloc_run(9), 0);
    assert_int_equal(frames_nr_free(), 8);
    assert_int_equal(frames_alloc_run(8), res);
    assert_int_equal(frames_nr_free(), 0);
    assert_int_equal(frames_alloc_run(1), 0);
}

static void test_boot_exhaustion(void **state)
{
    unsigned long n = 0, m, prev = ~0UL;

    /* Every frame of boot's, each once, from the top down, then none. */
    while ( (m = frames_alloc()) )
    {
        assert_true(m < prev);
        prev = m;
        n++;
    }
    assert_int_equal(n, NR - 3);
    assert_int_equal(boot.nr, 0);
    assert_int_equal(frames_nr_shim(), NR);
    for ( m = BASE; m < BASE + NR; m++ )
        assert_int_equal(frame_owner(m), FRAME_shim);
}

/* ------------------------------------------------------------ the guest's */

static void test_guest_never_returned(void **state)
{
    unsigned long m;

    /* The builder gives the guest all of boot's RAM but 4 frames. */
    for ( unsigned int i = 0; i < boot.nr; i++ )
        assert_true(frame_set_owner(boot.r[i].start,
                                    boot.r[i].end - boot.r[i].start, FRAME_guest));
    frames_boot_source(NULL);
    for ( m = BASE; m < BASE + 4; m++ )
        assert_true(frames_add(m, 1));
    for ( unsigned int i = 0; i < 4; i++ )
    {
        m = frames_alloc();
        assert_true(m >= BASE && m < BASE + 4);
    }
    assert_int_equal(frames_alloc(), 0);
    assert_int_equal(frames_alloc_run(2), 0);
    for ( m = BASE + 4; m < BASE + NR; m++ )
        assert_true(frame_owner(m) == FRAME_guest || frame_owner(m) == FRAME_shim);
}

static void test_add_refused(void **state)
{
    /* Free frames are the allocator's, or boot's, already: never twice. */
    static const unsigned int refused[] = {
        FRAME_free, FRAME_shim, FRAME_ring, FRAME_shared, FRAME_grant, FRAME_ro,
    };

    frames_boot_source(NULL);
    for ( unsigned int i = 0; i < ARRAY_SIZE(refused); i++ )
    {
        /* One such frame in a run: nothing of it joins. */
        assert_true(frame_set_owner(GUEST, 16, FRAME_guest));
        assert_true(frame_set_owner(GUEST + 7, 1, refused[i]));
        assert_false(frames_add(GUEST, 16));
        assert_false(frames_add(GUEST + 7, 1));
        assert_int_equal(frames_nr_free(), 0);
        assert_int_equal(frame_owner(GUEST), FRAME_guest);
        assert_int_equal(frame_owner(GUEST + 7), refused[i]);
        assert_int_equal(frames_alloc(), 0);
    }
    /* A frame given back twice joins once. */
    assert_true(frame_set_owner(GUEST, 16, FRAME_guest));
    assert_true(frames_add(GUEST, 1));
    assert_false(frames_add(GUEST, 1));
    assert_int_equal(frames_nr_free(), 1);
    assert_int_equal(frames_alloc(), GUEST);
    assert_int_equal(frames_alloc(), 0);
    /* Past the limit: no owners there. */
    assert_false(frames_add(LIMIT, 1));
}

static void test_owner_transitions(void **state)
{
    unsigned long m;

    frames_boot_source(NULL);
    /* Guest RAM given back (balloon): free, then the shim's, then free. */
    assert_true(frame_set_owner(GUEST, 2, FRAME_guest));
    assert_true(frames_add(GUEST, 1));
    assert_int_equal(frame_owner(GUEST), FRAME_free);
    assert_int_equal(frame_owner(GUEST + 1), FRAME_guest);
    m = frames_alloc();
    assert_int_equal(m, GUEST);
    assert_int_equal(frame_owner(m), FRAME_shim);
    frames_free(m);
    assert_int_equal(frame_owner(m), FRAME_free);
    /* Back to the guest (populate): it leaves the allocator first. */
    assert_int_equal(frames_alloc(), GUEST);
    frames_free(GUEST);
    /* RAM nobody knew (FRAME_none) may join as well. */
    assert_true(frame_set_owner(GUEST + 2, 1, FRAME_none));
    assert_true(frames_add(GUEST + 2, 1));
    assert_int_equal(frame_owner(GUEST + 2), FRAME_free);
    assert_int_equal(frames_nr_free(), 2);
}

static void test_free_not_shim(void **state)
{
    static const unsigned int owners[] = {
        FRAME_none, FRAME_free, FRAME_guest, FRAME_ring, FRAME_shared,
        FRAME_grant, FRAME_ro,
    };

    for ( volatile unsigned int i = 0; i < ARRAY_SIZE(owners); i++ )
    {
        assert_true(frame_set_owner(GUEST, 1, owners[i]));
        expect_assert_failure(frames_free(GUEST));
        assert_int_equal(frame_owner(GUEST), owners[i]);
    }
    expect_assert_failure(frames_free(0));
}

static void test_alloc_not_free_is_bug(void **state)
{
    /* A guest frame on boot's list (a builder bug): never handed out. */
    assert_true(frame_set_owner(boot.r[boot.nr - 1].end - 1, 1, FRAME_guest));
    expect_assert_failure(frames_alloc());
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init),
        T(test_init_short),
        T(test_set_owner),
        T(test_set_owner_no_memory),
        T(test_grantable),
        T(test_alloc_boot_top),
        T(test_add_and_pool),
        T(test_exhaustion),
        T(test_run_exhaustion),
        T(test_boot_exhaustion),
        T(test_guest_never_returned),
        T(test_add_refused),
        T(test_owner_transitions),
        T(test_free_not_shim),
        T(test_alloc_not_free_is_bug),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
