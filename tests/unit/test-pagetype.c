/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/unit/test-pagetype.c - pvops/pagetype.c: page types, reference
 * counts and the checks on a 64-bit PV guest's page-table entries (Xen's
 * mm.c rules), on a fake memory of 64 frames and the 3 extra frames.
 *
 * Every refused operation must leave every count exactly as it was. The
 * randomized test checks all counts, after every step, against counts
 * computed from scratch by scanning the validated tables.
 */
#include "harness.h"

#include "pvops/pagetype.h"
#include "fake-frames.h"

#define ENTRIES         512
#define NR_FRAMES       64
#define NR_SLOTS        (NR_FRAMES + FT_EXTRA)
#define FIRST_MFN       0x1000UL
#define EXTRA_MFN       0x9000UL        /* extra frame k is EXTRA_MFN + k */
#define NOT_GUEST       60              /* frames 60-63 are the shim's */
#define XS(k)           (NR_FRAMES + (k))       /* slot of extra frame k */
#define BAD_DESC        0xbad0bad0bad0bad0ULL   /* check_desc_page refuses it */

#define PTE_PAT         PTE_PSE         /* bit 7 of an L1 entry */
#define PTE_AD          (PTE_ACCESSED | PTE_DIRTY)
#define RO              (PTE_PRESENT | PTE_USER)
#define RW              (PTE_PRESENT | PTE_RW | PTE_USER)
#define KRW             (PTE_PRESENT | PTE_RW)          /* kernel page */
#define UP              (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED)
#define UPK             (PTE_PRESENT | PTE_RW)          /* upper, no U */

/*
 * Slots 0-63 are the frames of the range (mfn FIRST_MFN + slot), the
 * guest's but 60-63 (FRAME_shim), slots 64-66 the extra frames (two rings
 * and shared_info); each has 4 KiB of fake memory.
 */
static struct frame_table ft;
static bool flush_owed;      /* ft.flush_owed */

/* ft.owe_flush: note the flush owed (either kind). */
static const struct page_info *flushed_pg;      /* the last type change's frame */
static uint32_t flushed_stamp;                  /* its type_info then */

static void owe_flush_fn(const struct page_info *pg)
{
    if ( pg )
    {
        flushed_pg = pg;
        flushed_stamp = pg->type_info;
    }
    flush_owed = true;
}
static struct page_info *pages;
static int16_t *linear;         /* ft.linear */
static uint64_t *mem;
static uint64_t xen_l4[16];
static unsigned int map_calls[NR_SLOTS];
static unsigned int desc_checks;

static unsigned long M(unsigned int s)
{
    return s < NR_FRAMES ? FIRST_MFN + s : EXTRA_MFN + (s - NR_FRAMES);
}

static int slot_of(unsigned long mfn)
{
    if ( mfn - FIRST_MFN < NR_FRAMES )
        return mfn - FIRST_MFN;
    if ( mfn - EXTRA_MFN < FT_EXTRA )
        return NR_FRAMES + (mfn - EXTRA_MFN);
    return -1;
}

static bool guest_slot(unsigned int s)
{
    return s >= NR_FRAMES || s < NOT_GUEST;
}

static struct page_info *pg(unsigned int s)
{
    return s < NR_FRAMES ? &pages[s] : &ft.extra[s - NR_FRAMES];
}

#define LIN(s)          (linear[s])

static uint64_t *tab(unsigned int s)
{
    return &mem[(size_t)s * ENTRIES];
}

static uint64_t pte(unsigned int s, uint64_t flags)
{
    return ((uint64_t)M(s) << 12) | flags;
}

static uint64_t pte_mfn(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << 12) | flags;
}

/* ft->map: only ever asked for the contents of a guest frame. */
static uint64_t *fake_map(unsigned long mfn)
{
    int s = slot_of(mfn);

    if ( s < 0 || !guest_slot(s) )
        fail_msg("map(%#lx): not a guest frame of the fake memory", mfn);
    map_calls[s]++;
    return tab(s);
}

/* ft->check_desc_page: refuses a frame whose first descriptor is BAD_DESC. */
static bool fake_check_desc(unsigned long mfn)
{
    int s = slot_of(mfn);

    desc_checks++;
    if ( s < 0 )
        fail_msg("check_desc_page(%#lx): not a frame of the fake memory", mfn);
    return tab(s)[0] != BAD_DESC;
}

/* ------------------------------------------------------------ count checks */

struct snap {
    struct page_info pg[NR_SLOTS];
};

static struct snap initial;

static void snap_take(struct snap *s)
{
    for ( unsigned int i = 0; i < NR_SLOTS; i++ )
        s->pg[i] = *pg(i);
}

/*
 * Every count as in the snapshot; a frame with type references keeps its
 * type and flags (one without may lose a stale type, not gain flags).
 */
static void snap_check(const struct snap *s, const char *where, int line)
{
    for ( unsigned int i = 0; i < NR_SLOTS; i++ )
    {
        const struct page_info *a = &s->pg[i], *b = pg(i);
        bool same = a->count == b->count &&
                    page_type_count(a) == page_type_count(b);

        if ( page_type_count(a) )
            same = same && a->type_info == b->type_info;
        else
            same = same && !(b->type_info & (PGT_validated | PGT_pinned));
        if ( !same )
            fail_msg("%s:%d: frame %u: count %u type_info %#x, was count %u "
                     "type_info %#x", where, line, i, b->count, b->type_info,
                     a->count, a->type_info);
    }
}

#define ASSERT_UNCHANGED(s)     snap_check(&(s), __func__, __LINE__)
/* Back to the state of setup: no references, no type anywhere. */
#define ASSERT_INITIAL()        snap_check(&initial, __func__, __LINE__)

static bool is_table_type(unsigned int t)
{
    return (t >= PGT_l1 && t <= PGT_l4) || t == PGT_l2_xen;
}

/* Frame s has count general and tc type references of type t (if tc). */
static void expect_frame(unsigned int s, uint32_t count, unsigned int t,
                         unsigned int tc, int line)
{
    const struct page_info *p = pg(s);
    bool validated = p->type_info & PGT_validated;

    if ( p->count != count || page_type_count(p) != tc ||
         (tc && page_type(p) != t) ||
         validated != (tc && is_table_type(t)) )
        fail_msg("line %d: frame %u: count %u type %u type count %u%s, "
                 "expected count %u type %u type count %u", line, s, p->count,
                 page_type(p), page_type_count(p),
                 validated ? " validated" : "", count, t, tc);
}

#define EXPECT_FRAME(s, c, t, tc)   expect_frame(s, c, t, tc, __LINE__)
#define EXPECT_FREE(s)              expect_frame(s, 0, PGT_none, 0, __LINE__)

/* Entry idx of the level-l table in frame s := v (keeping the old A/D). */
#define MOD(s, l, idx, v)       mod_pt_entry(&ft, M(s), l, idx, v, false)
#define MOD_AD(s, l, idx, v)    mod_pt_entry(&ft, M(s), l, idx, v, true)

static bool pinned(unsigned int s)
{
    return pg(s)->type_info & PGT_pinned;
}

/* ------------------------------------------------------------ setup */

static int setup(void **state)
{
    pages = calloc(NR_FRAMES, sizeof(*pages));
    linear = calloc(NR_FRAMES, sizeof(*linear));
    mem = calloc(NR_SLOTS, ENTRIES * sizeof(*mem));
    assert_non_null(pages);
    assert_non_null(linear);
    assert_non_null(mem);
    fake_frames_init();
    assert_true(frame_set_owner(FIRST_MFN, NOT_GUEST, FRAME_guest));
    assert_true(frame_set_owner(FIRST_MFN + NOT_GUEST, NR_FRAMES - NOT_GUEST,
                                FRAME_shim));
    assert_true(frame_set_owner(EXTRA_MFN, 2, FRAME_ring));
    assert_true(frame_set_owner(EXTRA_MFN + 2, 1, FRAME_shared));
    /* The hypervisor's slots map the shim's own frames (not in the range). */
    for ( unsigned int i = 0; i < 16; i++ )
        xen_l4[i] = pte_mfn(0xf0000 + i, PTE_PRESENT | PTE_RW | PTE_ACCESSED);
    flush_owed = false;
    ft = (struct frame_table){
        .pages = pages,
        .linear = linear,
        .first_mfn = FIRST_MFN,
        .nr = NR_FRAMES,
        .extra_mfn = { EXTRA_MFN, EXTRA_MFN + 1, EXTRA_MFN + 2 },
        .map = fake_map,
        .owe_flush = owe_flush_fn,
        .xen_l4 = xen_l4,
        .check_desc_page = fake_check_desc,
        .nx = true,
    };
    memset(map_calls, 0, sizeof(map_calls));
    desc_checks = 0;
    snap_take(&initial);
    harness_log_start();
    return 0;
}

static int teardown(void **state)
{
    harness_log_stop();
    free(pages);
    free(linear);
    free(mem);
    pages = NULL;
    linear = NULL;
    mem = NULL;
    return 0;
}

/* ------------------------------------------------------------ get/put page */

static void test_get_put_page(void **state)
{
    assert_ptr_equal(frame_info(&ft, M(5)), &pages[5]);
    assert_int_equal(get_page(&ft, M(5)), 0);
    assert_int_equal(get_page(&ft, M(5)), 0);
    EXPECT_FRAME(5, 2, PGT_none, 0);
    put_page(&ft, M(5));
    put_page(&ft, M(5));
    EXPECT_FREE(5);
    /* A put with no reference is ignored, never wraps. */
    put_page(&ft, M(5));
    put_page_type(&ft, M(5));
    put_page_and_type(&ft, M(5));
    ASSERT_INITIAL();
}

static void test_get_page_out_of_range(void **state)
{
    static const unsigned long bad[] = {
        0, FIRST_MFN - 1, FIRST_MFN + NR_FRAMES, FIRST_MFN + NR_FRAMES + 1,
        EXTRA_MFN - 1, EXTRA_MFN + FT_EXTRA, ~0UL,
        (FIRST_MFN + 5) | (1UL << 39),
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        assert_null(frame_info(&ft, bad[i]));
        assert_int_equal(get_page(&ft, bad[i]), -XEN_EINVAL);
        assert_int_equal(get_page_type(&ft, bad[i], PGT_writable), -XEN_EINVAL);
        assert_int_equal(get_page_and_type(&ft, bad[i], PGT_writable),
                         -XEN_EINVAL);
        assert_int_equal(get_page_and_type(&ft, bad[i], PGT_l1), -XEN_EINVAL);
        assert_int_equal(pin_table(&ft, bad[i], PGT_l4), -XEN_EINVAL);
        assert_int_equal(unpin_table(&ft, bad[i]), -XEN_EINVAL);
        assert_int_equal(mod_pt_entry(&ft, bad[i], 1, 0, 0, false),
                         -XEN_EINVAL);
        put_page(&ft, bad[i]);
        put_page_and_type(&ft, bad[i]);
    }
    ASSERT_INITIAL();
    assert_log_contains("is not the guest's");
}

static void test_get_page_not_guest(void **state)
{
    /* The shim's frame, with counts of its own that must stay untouched. */
    pages[61].count = 5;
    pages[61].type_info |= 3;
    snap_take(&initial);

    for ( unsigned int s = NOT_GUEST; s < NR_FRAMES; s++ )
    {
        assert_null(frame_info(&ft, M(s)));
        assert_int_equal(get_page(&ft, M(s)), -XEN_EINVAL);
        assert_int_equal(get_page_type(&ft, M(s), PGT_writable), -XEN_EINVAL);
        assert_int_equal(get_page_and_type(&ft, M(s), PGT_seg_desc),
                         -XEN_EINVAL);
        for ( unsigned int t = PGT_l1; t <= PGT_l4; t++ )
            assert_int_equal(pin_table(&ft, M(s), t), -XEN_EINVAL);
        assert_int_equal(unpin_table(&ft, M(s)), -XEN_EINVAL);
        put_page(&ft, M(s));
        put_page_and_type(&ft, M(s));
    }
    assert_int_equal(desc_checks, 0);
    ASSERT_INITIAL();
    assert_int_equal(pages[61].count, 5);
    assert_int_equal(pages[61].type_info, 3);
}

static void test_get_page_overflow(void **state)
{
    struct snap before;

    pages[5].count = UINT32_MAX - 1;
    assert_int_equal(get_page(&ft, M(5)), 0);
    assert_int_equal(pages[5].count, UINT32_MAX);
    snap_take(&before);
    assert_int_equal(get_page(&ft, M(5)), -XEN_EOVERFLOW);
    assert_int_equal(get_page_and_type(&ft, M(5), PGT_writable),
                     -XEN_EOVERFLOW);
    ASSERT_UNCHANGED(before);
    assert_int_equal(pages[5].type_info, 0);

    /* A read-only mapping of it is refused, and changes nothing. */
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    snap_take(&before);
    assert_int_equal(MOD(3, 1, 0, pte(5, RO)),
                     -XEN_EOVERFLOW);
    ASSERT_UNCHANGED(before);
    assert_int_equal(tab(3)[0], 0);
}

static void test_type_count_overflow(void **state)
{
    struct snap before;

    pages[5].type_info = ((uint32_t)PGT_writable << PGT_TYPE_SHIFT) |
                         (PGT_COUNT_MASK - 1);
    assert_int_equal(get_page_type(&ft, M(5), PGT_writable), 0);
    assert_int_equal(page_type_count(&pages[5]), PGT_COUNT_MASK);
    assert_int_equal(page_type(&pages[5]), PGT_writable);
    snap_take(&before);
    assert_int_equal(get_page_type(&ft, M(5), PGT_writable), -XEN_EOVERFLOW);
    /* The general reference taken first is dropped again. */
    assert_int_equal(get_page_and_type(&ft, M(5), PGT_writable),
                     -XEN_EOVERFLOW);
    ASSERT_UNCHANGED(before);

    /* A read-write mapping of it: refused, nothing changes. */
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    snap_take(&before);
    assert_int_equal(MOD(3, 1, 7, pte(5, RW)),
                     -XEN_EOVERFLOW);
    ASSERT_UNCHANGED(before);

    /* An L1 at the limit cannot be referenced by one more L2 entry. */
    pages[3].type_info |= PGT_COUNT_MASK;
    tab(4)[0] = pte(6, RW);
    tab(2)[0] = pte(4, UP);             /* validated first... */
    tab(2)[1] = pte(3, UP);             /* ...then this one overflows */
    snap_take(&before);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), -XEN_EOVERFLOW);
    ASSERT_UNCHANGED(before);
    EXPECT_FREE(4);
    EXPECT_FREE(6);
}

/* ------------------------------------------------------------ conflicts */

static void test_writable_cannot_become_table(void **state)
{
    struct snap before;

    assert_int_equal(get_page_and_type(&ft, M(5), PGT_writable), 0);
    snap_take(&before);
    for ( unsigned int t = PGT_l1; t <= PGT_l4; t++ )
    {
        assert_int_equal(get_page_type(&ft, M(5), t), -XEN_EINVAL);
        assert_int_equal(get_page_and_type(&ft, M(5), t), -XEN_EINVAL);
        assert_int_equal(pin_table(&ft, M(5), t), -XEN_EINVAL);
    }
    assert_int_equal(get_page_and_type(&ft, M(5), PGT_seg_desc), -XEN_EINVAL);
    assert_int_equal(desc_checks, 0);
    ASSERT_UNCHANGED(before);
    assert_false(flush_owed);

    /* Nor through an L2 entry. */
    tab(2)[0] = pte(5, UP);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);

    /* Once the writable reference is gone it can. */
    put_page_and_type(&ft, M(5));
    assert_int_equal(pin_table(&ft, M(5), PGT_l1), 0);
    EXPECT_FRAME(5, 1, PGT_l1, 1);
}

static void test_table_cannot_become_writable(void **state)
{
    struct snap before;

    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    tab(2)[0] = pte(4, UP);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);
    assert_int_equal(get_page_and_type(&ft, M(7), PGT_seg_desc), 0);
    snap_take(&before);

    /* The pinned L1 and L2, the L1 the L2 brought in, the descriptor page. */
    static const unsigned int live[] = { 3, 2, 4, 7 };

    for ( unsigned int i = 0; i < ARRAY_SIZE(live); i++ )
    {
        assert_int_equal(get_page_type(&ft, M(live[i]), PGT_writable),
                         -XEN_EBUSY);
        assert_int_equal(get_page_and_type(&ft, M(live[i]), PGT_writable),
                         -XEN_EBUSY);
    }
    /* One table type is not another. */
    assert_int_equal(get_page_and_type(&ft, M(3), PGT_l2), -XEN_EINVAL);
    assert_int_equal(get_page_and_type(&ft, M(2), PGT_l1), -XEN_EINVAL);
    assert_int_equal(get_page_and_type(&ft, M(3), PGT_seg_desc), -XEN_EINVAL);
    assert_int_equal(get_page_and_type(&ft, M(7), PGT_l1), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    assert_int_equal(desc_checks, 1);
}

/*
 * Mapping a live table (or descriptor page) read-write through an L1 entry:
 * -EBUSY, as Xen.
 */
static void test_rw_mapping_of_table_refused(void **state)
{
    struct snap before;

    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(pin_table(&ft, M(4), PGT_l1), 0);
    tab(2)[0] = pte(5, UP);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);
    assert_int_equal(pin_table(&ft, M(8), PGT_l4), 0);
    assert_int_equal(get_page_and_type(&ft, M(7), PGT_seg_desc), 0);
    snap_take(&before);

    static const unsigned int targets[] = { 3, 4, 2, 5, 8, 7 };

    for ( unsigned int i = 0; i < ARRAY_SIZE(targets); i++ )
    {
        assert_int_equal(MOD(4, 1, 9, pte(targets[i], RW)),
                         -XEN_EBUSY);
        assert_int_equal(MOD_AD(4, 1, 9, pte(targets[i], KRW)),
                         -XEN_EBUSY);
        ASSERT_UNCHANGED(before);
        assert_int_equal(tab(4)[9], 0);
    }

    /* Nor can a new L1 holding such an entry be validated. */
    tab(6)[0] = pte(20, RW);
    tab(6)[1] = pte(3, RW);
    assert_int_equal(pin_table(&ft, M(6), PGT_l1), -XEN_EBUSY);
    tab(6)[1] = pte(6, RW);             /* itself */
    assert_int_equal(pin_table(&ft, M(6), PGT_l1), -XEN_EBUSY);
    ASSERT_UNCHANGED(before);
    assert_int_equal(pages[6].type_info, 0);
}

static void test_ro_mapping_of_table(void **state)
{
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(pin_table(&ft, M(4), PGT_l1), 0);
    assert_int_equal(MOD(4, 1, 0, pte(3, RO)), 0);
    assert_int_equal(MOD(4, 1, 1, pte(4, RO)), 0);
    EXPECT_FRAME(3, 2, PGT_l1, 1);
    EXPECT_FRAME(4, 2, PGT_l1, 1);
    /* An L1 mapping itself read-only validates too. */
    tab(6)[5] = pte(6, PTE_PRESENT);
    assert_int_equal(pin_table(&ft, M(6), PGT_l1), 0);
    EXPECT_FRAME(6, 2, PGT_l1, 1);
    assert_int_equal(unpin_table(&ft, M(6)), 0);
    EXPECT_FRAME(6, 0, PGT_l1, 0);
    assert_int_equal(unpin_table(&ft, M(4)), 0);
    EXPECT_FRAME(3, 1, PGT_l1, 1);
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    ASSERT_INITIAL();
}

/* ------------------------------------------------------------ entry bits */

/* Try entry val at idx of the table in frame s (level): rc, and if accepted,
 * take it out again and check the counts went back. */
static void try_entry(unsigned int s, unsigned int level, uint64_t val,
                      int want, int line)
{
    struct snap before;
    int rc;

    snap_take(&before);
    rc = MOD(s, level, 5, val);
    if ( rc != want )
        fail_msg("line %d: L%u entry %#lx: rc %d, expected %d", line, level,
                 (unsigned long)val, rc, want);
    if ( rc )
    {
        ASSERT_UNCHANGED(before);
        assert_int_equal(tab(s)[5], 0);
        return;
    }
    assert_int_equal(MOD(s, level, 5, 0), 0);
    ASSERT_UNCHANGED(before);
}

#define TRY(s, level, val, want)  try_entry(s, level, val, want, __LINE__)

static void test_l1_entry_bits(void **state)
{
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);

    TRY(3, 1, pte(10, RW), 0);
    TRY(3, 1, pte(10, RO), 0);
    TRY(3, 1, pte(10, RO | PTE_PWT), -XEN_EINVAL);
    TRY(3, 1, pte(10, RW | PTE_PCD), -XEN_EINVAL);
    TRY(3, 1, pte(10, RW | PTE_PAT), -XEN_EINVAL);
    TRY(3, 1, pte(10, RW | PTE_PWT | PTE_PCD), -XEN_EINVAL);
    TRY(3, 1, pte(10, RW | PTE_GLOBAL), 0);         /* G: allowed in L1 */
    TRY(3, 1, pte(10, RW | PTE_AD), 0);
    for ( unsigned int b = 9; b <= 11; b++ )
        TRY(3, 1, pte(10, RW | (1UL << b)), 0);
    for ( unsigned int b = 52; b <= 62; b++ )
        TRY(3, 1, pte(10, RO | (1UL << b)), 0);
    TRY(3, 1, pte(10, RW | (0x7ffUL << 52) | 0xe00), 0);
    TRY(3, 1, pte(10, RW | PTE_NX), 0);
    ft.nx = false;
    TRY(3, 1, pte(10, RW | PTE_NX), -XEN_EINVAL);
    TRY(3, 1, pte(10, RO | PTE_NX), -XEN_EINVAL);
    ft.nx = true;
    /*
     * Not the guest's: an address bit beyond the frames (a reserved physical
     * address bit), the shim's frame. Xen: I/O memory a domU may not map,
     * -EPERM; INVALID_MFN (all ones) is -EINVAL.
     */
    TRY(3, 1, pte(10, RO) | (1UL << 51), -XEN_EPERM);
    TRY(3, 1, pte_mfn(0xfffffffffUL, RO), -XEN_EPERM);
    TRY(3, 1, pte(NOT_GUEST, RO), -XEN_EPERM);
    TRY(3, 1, pte(NOT_GUEST, RW), -XEN_EPERM);
    TRY(3, 1, pte_mfn(FIRST_MFN - 1, RW), -XEN_EPERM);
    TRY(3, 1, RO | PTE_MFN_MASK, -XEN_EINVAL);
    /* Not present: anything goes, nothing is referenced, stored as is. */
    assert_int_equal(MOD(3, 1, 5, ~PTE_PRESENT), 0);
    assert_int_equal(tab(3)[5], ~PTE_PRESENT);
    assert_int_equal(MOD(3, 1, 6, pte(NOT_GUEST, KRW | PTE_PCD) ^ PTE_PRESENT),
                     0);
    assert_int_equal(MOD(3, 1, 5, 0), 0);
    assert_int_equal(MOD(3, 1, 6, 0), 0);
    EXPECT_FRAME(3, 1, PGT_l1, 1);
    EXPECT_FREE(10);
}

/* The same, during validation of a new L1. */
static void test_l1_validation_bits(void **state)
{
    static const uint64_t bad[] = {
        PTE_PWT, PTE_PCD, PTE_PAT, PTE_PWT | PTE_PCD | PTE_PAT,
    };

    tab(3)[0] = pte(10, RW | PTE_GLOBAL | 0xe00 | (0x7ffUL << 52) | PTE_NX);
    tab(3)[1] = ~PTE_PRESENT;
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    EXPECT_FRAME(10, 1, PGT_writable, 1);
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    ASSERT_INITIAL();

    for ( unsigned int i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        tab(3)[7] = pte(11, RO | bad[i]);
        assert_int_equal(pin_table(&ft, M(3), PGT_l1), -XEN_EINVAL);
        ASSERT_INITIAL();
    }
    tab(3)[7] = pte(11, RO | PTE_NX);
    ft.nx = false;
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), -XEN_EINVAL);
    ASSERT_INITIAL();
    ft.nx = true;
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_log_contains("bits 0x8 not allowed");
}

static void test_upper_entry_bits(void **state)
{
    /* An empty pinned L4 (0), L3 (1) and L2 (2); 20-22 can become L3/L2/L1. */
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), 0);
    assert_int_equal(pin_table(&ft, M(1), PGT_l3), 0);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);

    for ( unsigned int level = 2; level <= 4; level++ )
    {
        unsigned int s = 4 - level, t = 24 - level;

        TRY(s, level, pte(t, UP), 0);
        TRY(s, level, pte(t, PTE_PRESENT), 0);
        TRY(s, level, pte(t, UP | PTE_GLOBAL), -XEN_EINVAL);
        TRY(s, level, pte(t, UP | PTE_PSE), -XEN_EINVAL);
        TRY(s, level, pte(t, UP | PTE_PWT), -XEN_EINVAL);
        TRY(s, level, pte(t, UP | PTE_PCD), -XEN_EINVAL);
        for ( unsigned int b = 9; b <= 11; b++ )
            TRY(s, level, pte(t, UP | (1UL << b)), 0);
        for ( unsigned int b = 52; b <= 62; b++ )
            TRY(s, level, pte(t, UP | (1UL << b)), 0);
        TRY(s, level, pte(t, UP | PTE_NX), 0);
        ft.nx = false;
        TRY(s, level, pte(t, UP | PTE_NX), -XEN_EINVAL);
        ft.nx = true;
        TRY(s, level, pte(NOT_GUEST, UP), -XEN_EINVAL);
        TRY(s, level, pte(t, UP) | (1UL << 51), -XEN_EINVAL);
        /* Not present: anything goes. */
        TRY(s, level, pte(NOT_GUEST, PTE_PSE | PTE_GLOBAL | PTE_PCD), 0);
    }
    /* PSE in an L2 during validation: no superpages for PV. */
    tab(5)[0] = pte(22, UP | PTE_PSE);
    assert_int_equal(pin_table(&ft, M(5), PGT_l2), -XEN_EINVAL);
    tab(5)[0] = pte(22, UP | PTE_GLOBAL);
    assert_int_equal(pin_table(&ft, M(5), PGT_l2), -XEN_EINVAL);
    EXPECT_FREE(5);
    EXPECT_FREE(22);
}

/* 64-bit PV: kernel pages get U and the guest-kernel bit, upper levels U. */
static void test_entry_adjustments(void **state)
{
    uint64_t k = pte(10, KRW | PTE_ACCESSED), u = pte(11, RO);

    tab(3)[0] = k;
    tab(3)[1] = u;
    tab(3)[2] = k & ~PTE_PRESENT;       /* not present: left alone */
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(tab(3)[0], k | PTE_USER | PTE_GUEST_KERNEL);
    assert_int_equal(tab(3)[1], u);
    assert_int_equal(tab(3)[2], k & ~PTE_PRESENT);

    assert_int_equal(MOD(3, 1, 3, pte(12, PTE_PRESENT)), 0);
    assert_int_equal(tab(3)[3], pte(12, RO | PTE_GUEST_KERNEL));
    assert_int_equal(MOD(3, 1, 4, pte(12, RO)), 0);
    assert_int_equal(tab(3)[4], pte(12, RO));

    /* Upper levels: U added, during validation and by mod_pt_entry. */
    tab(2)[0] = pte(3, UPK);
    tab(1)[0] = pte(2, UPK);
    tab(0)[0] = pte(1, UPK);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), 0);
    assert_int_equal(tab(2)[0], pte(3, UPK | PTE_USER));
    assert_int_equal(tab(1)[0], pte(2, UPK | PTE_USER));
    assert_int_equal(tab(0)[0], pte(1, UPK | PTE_USER));
    assert_int_equal(MOD(2, 2, 1, pte(4, PTE_PRESENT)), 0);
    assert_int_equal(tab(2)[1], pte(4, RO));
}

static void test_rw_and_ro_references(void **state)
{
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(MOD(3, 1, 0, pte(10, RW)), 0);
    EXPECT_FRAME(10, 1, PGT_writable, 1);
    assert_int_equal(MOD(3, 1, 1, pte(10, KRW)), 0);
    EXPECT_FRAME(10, 2, PGT_writable, 2);
    assert_int_equal(MOD(3, 1, 2, pte(10, RO)), 0);
    EXPECT_FRAME(10, 3, PGT_writable, 2);
    assert_int_equal(MOD(3, 1, 3, pte(11, RO)), 0);
    assert_int_equal(MOD(3, 1, 4, pte(11, PTE_PRESENT)), 0);
    EXPECT_FRAME(11, 2, PGT_none, 0);
    assert_int_equal(pages[11].type_info, 0);
    /* A read-only mapping does not stop the frame becoming a table. */
    assert_int_equal(pin_table(&ft, M(11), PGT_l1), 0);
    EXPECT_FRAME(11, 3, PGT_l1, 1);
    assert_int_equal(unpin_table(&ft, M(11)), 0);
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    ASSERT_INITIAL();
}

/* ------------------------------------------------------------ trees */

enum { T_L4 = 0, T_L3 = 1, T_L2 = 2, T_L1A = 3, T_L1B = 4,
       D0 = 10, D1 = 11, D2 = 12 };

/*
 * L4 (0) slots 0 and 511 -> L3 (1) -> L2 (2) -> L1 (3), L1 (4). L1 3 maps
 * frame 10 read-write twice, 11 read-only and itself read-only; L1 4 maps
 * 12 as a read-write kernel page and the L2 read-only.
 */
static void build_tree(void)
{
    tab(T_L4)[0] = pte(T_L3, UP);
    tab(T_L4)[511] = pte(T_L3, UP);
    tab(T_L3)[0] = pte(T_L2, UP);
    tab(T_L2)[0] = pte(T_L1A, UP);
    tab(T_L2)[1] = pte(T_L1B, UP);
    tab(T_L1A)[0] = pte(D0, RW);
    tab(T_L1A)[1] = pte(D0, RW);
    tab(T_L1A)[2] = pte(D1, RO);
    tab(T_L1A)[3] = pte(T_L1A, RO);
    tab(T_L1B)[0] = pte(D2, KRW);
    tab(T_L1B)[5] = pte(T_L2, RO);
}

static void expect_tree(int line)
{
    expect_frame(T_L4, 1, PGT_l4, 1, line);
    expect_frame(T_L3, 2, PGT_l3, 2, line);
    expect_frame(T_L2, 2, PGT_l2, 1, line);
    expect_frame(T_L1A, 2, PGT_l1, 1, line);
    expect_frame(T_L1B, 1, PGT_l1, 1, line);
    expect_frame(D0, 2, PGT_writable, 2, line);
    expect_frame(D1, 1, PGT_none, 0, line);
    expect_frame(D2, 1, PGT_writable, 1, line);
}

static void test_tree_validate_and_release(void **state)
{
    build_tree();
    assert_int_equal(pin_table(&ft, M(T_L4), PGT_l4), 0);
    expect_tree(__LINE__);
    assert_true(pinned(T_L4));
    for ( unsigned int s = T_L3; s <= T_L1B; s++ )
        assert_false(pinned(s));

    /* A second user (a CR3) of the L4: one more, nothing revalidated. */
    memset(map_calls, 0, sizeof(map_calls));
    assert_int_equal(get_page_and_type(&ft, M(T_L4), PGT_l4), 0);
    EXPECT_FRAME(T_L4, 2, PGT_l4, 2);
    assert_int_equal(map_calls[T_L4] + map_calls[T_L1A], 0);
    assert_int_equal(unpin_table(&ft, M(T_L4)), 0);
    assert_false(pinned(T_L4));
    EXPECT_FRAME(T_L4, 1, PGT_l4, 1);
    EXPECT_FRAME(D0, 2, PGT_writable, 2);

    /* The last type reference releases the whole tree. */
    put_page_and_type(&ft, M(T_L4));
    ASSERT_INITIAL();

    /* And it can be built again. */
    assert_int_equal(pin_table(&ft, M(T_L4), PGT_l4), 0);
    expect_tree(__LINE__);
    assert_int_equal(unpin_table(&ft, M(T_L4)), 0);
    ASSERT_INITIAL();
}

/* ------------------------------------------------------------ frames given back */

static unsigned long released[8];
static unsigned int nr_released;

/* As pvops/memory.c: the frame leaves the guest (and its owner says so). */
static void release_fn(unsigned long mfn)
{
    assert_true(nr_released < 8);
    released[nr_released++] = mfn;
    assert_true(frame_set_owner(mfn, 1, FRAME_ballooned));
}

/*
 * A frame the guest gave back while in use (FRAME_dying) stays its own,
 * references and types working, until the last reference goes: then, and
 * only then, release is called, once. Ordinary RAM is never released.
 */
static void test_dying_frame_released_at_last_reference(void **state)
{
    ft.release = release_fn;
    nr_released = 0;

    /* A writable mapping and one more reference. */
    assert_int_equal(get_page_and_type(&ft, M(5), PGT_writable), 0);
    assert_int_equal(get_page(&ft, M(5)), 0);
    assert_true(frame_set_owner(M(5), 1, FRAME_dying));
    assert_ptr_equal(frame_info(&ft, M(5)), &pages[5]);
    assert_int_equal(get_page(&ft, M(5)), 0);           /* still usable, as on Xen */
    put_page(&ft, M(5));
    put_page_and_type(&ft, M(5));
    assert_int_equal(nr_released, 0);
    EXPECT_FRAME(5, 1, PGT_writable, 0);
    put_page(&ft, M(5));
    assert_int_equal(nr_released, 1);
    assert_int_equal(released[0], M(5));
    assert_null(frame_info(&ft, M(5)));
    put_page(&ft, M(5));                                /* gone: ignored */
    assert_int_equal(nr_released, 1);

    /* The guest's RAM at count 0 stays. */
    assert_int_equal(get_page(&ft, M(6)), 0);
    put_page(&ft, M(6));
    assert_int_equal(nr_released, 1);

    /* A dying L1 of a pinned tree goes when the tree is released. */
    build_tree();
    assert_int_equal(pin_table(&ft, M(T_L4), PGT_l4), 0);
    assert_true(frame_set_owner(M(T_L1A), 1, FRAME_dying));
    assert_int_equal(unpin_table(&ft, M(T_L4)), 0);
    assert_int_equal(nr_released, 2);
    assert_int_equal(released[1], M(T_L1A));
    ft.release = NULL;
}

/* Lower tables shared between entries are validated once, released once. */
static void test_shared_lower_tables(void **state)
{
    tab(3)[0] = pte(10, RW);
    for ( unsigned int i = 0; i < 3; i++ )
        tab(2)[i * 100] = pte(3, UP);
    tab(1)[0] = pte(2, UP);
    tab(1)[1] = pte(2, UP);
    tab(0)[3] = pte(1, UP);

    assert_int_equal(pin_table(&ft, M(0), PGT_l4), 0);
    EXPECT_FRAME(1, 1, PGT_l3, 1);
    EXPECT_FRAME(2, 2, PGT_l2, 2);
    EXPECT_FRAME(3, 3, PGT_l1, 3);
    EXPECT_FRAME(10, 1, PGT_writable, 1);
    assert_int_equal(map_calls[3], 1);

    /* Pinning the L1 on its own too: survives the tree. */
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(unpin_table(&ft, M(0)), 0);
    EXPECT_FREE(0);
    EXPECT_FREE(1);
    EXPECT_FREE(2);
    EXPECT_FRAME(3, 1, PGT_l1, 1);
    EXPECT_FRAME(10, 1, PGT_writable, 1);
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    ASSERT_INITIAL();
}

/* The 300th entry of an L1 refers to a frame that is not the guest's. */
static void test_validate_fails_midway_l1(void **state)
{
    struct snap before;

    for ( unsigned int i = 0; i < ENTRIES; i++ )
        tab(5)[i] = pte(10 + i % 8, i % 2 ? RO : (i % 4 ? RW : KRW));
    /* Some references exist already. */
    assert_int_equal(get_page_and_type(&ft, M(10), PGT_writable), 0);
    assert_int_equal(get_page(&ft, M(11)), 0);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);

    for ( unsigned int v = 0; v < 5; v++ )
    {
        uint64_t e;
        int want = -XEN_EINVAL;

        switch ( v )
        {
        case 0: e = pte(NOT_GUEST, RO); want = -XEN_EPERM; break;
        case 1:
            e = pte_mfn(FIRST_MFN + NR_FRAMES, RW);
            want = -XEN_EPERM;
            break;
        case 2: e = pte(3, RW); want = -XEN_EBUSY; break;
        case 3: e = pte(12, RW | PTE_PCD); break;
        default: e = pte(12, RW | PTE_NX); ft.nx = false; break;
        }
        tab(5)[299] = e;
        snap_take(&before);
        memset(map_calls, 0, sizeof(map_calls));
        assert_int_equal(pin_table(&ft, M(5), PGT_l1), want);
        ASSERT_UNCHANGED(before);
        assert_int_equal(pages[5].type_info, 0);
        assert_int_equal(map_calls[5], 1);
        EXPECT_FRAME(10, 1, PGT_writable, 1);
        EXPECT_FRAME(11, 1, PGT_none, 0);
        EXPECT_FREE(12);
    }
    ft.nx = true;
    tab(5)[299] = pte(12, RO);
    assert_int_equal(pin_table(&ft, M(5), PGT_l1), 0);
    EXPECT_FRAME(10, 1 + 64, PGT_writable, 1 + 64);
    assert_int_equal(unpin_table(&ft, M(5)), 0);
    EXPECT_FRAME(10, 1, PGT_writable, 1);
}

/* A failure deep down a tree unwinds every level. */
static void test_validate_fails_deep(void **state)
{
    struct snap before, pinned8;

    /* L4 0 -> L3 1 -> { L2 2 -> L1 3, L2 5 -> { L1 3, L1 6 } } */
    tab(3)[0] = pte(10, RW);
    tab(6)[0] = pte(11, RW);
    tab(6)[100] = pte(12, RO);
    tab(6)[300] = pte(NOT_GUEST + 1, RW);
    tab(2)[0] = pte(3, UP);
    tab(5)[0] = pte(3, UP);
    tab(5)[1] = pte(6, UP);
    tab(1)[0] = pte(2, UP);
    tab(1)[7] = pte(5, UP);
    tab(0)[0] = pte(1, UP);
    tab(0)[300] = pte(20, UP);          /* after the failure: never reached */
    /* The shared L1 is pinned already; 11 is also mapped elsewhere. */
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(get_page_and_type(&ft, M(11), PGT_writable), 0);
    assert_int_equal(get_page_and_type(&ft, M(0), PGT_writable), 0);
    put_page_and_type(&ft, M(0));       /* a stale writable type */
    flush_owed = false;
    snap_take(&before);

    assert_int_equal(pin_table(&ft, M(0), PGT_l4), -XEN_EPERM);
    ASSERT_UNCHANGED(before);
    for ( unsigned int s = 0; s < NR_SLOTS; s++ )
        if ( s != 3 )
            assert_false(pg(s)->type_info & PGT_validated);
    EXPECT_FRAME(3, 1, PGT_l1, 1);
    EXPECT_FRAME(11, 1, PGT_writable, 1);
    assert_int_equal(map_calls[20], 0);

    /* The same through mod_pt_entry on a live L4. */
    assert_int_equal(pin_table(&ft, M(8), PGT_l4), 0);
    snap_take(&pinned8);
    assert_int_equal(MOD(8, 4, 0, pte(1, UP)), -XEN_EPERM);
    ASSERT_UNCHANGED(pinned8);
    assert_int_equal(tab(8)[0], 0);

    /* Fixed, it all validates; released, it is all back. */
    tab(6)[300] = pte(13, RW);
    assert_int_equal(MOD(8, 4, 0, pte(1, UP)), 0);
    EXPECT_FRAME(3, 3, PGT_l1, 3);
    EXPECT_FRAME(11, 2, PGT_writable, 2);
    assert_int_equal(unpin_table(&ft, M(8)), 0);
    ASSERT_UNCHANGED(before);
}

/* ------------------------------------------------------------ linear tables */

static void test_linear_l2(void **state)
{
    struct snap before;

    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);
    assert_int_equal(pin_table(&ft, M(5), PGT_l2), 0);
    snap_take(&before);
    /* Writable same-level entries, to another L2 or to itself: refused. */
    assert_int_equal(MOD(5, 2, 0, pte(2, UP)), -XEN_EINVAL);
    assert_int_equal(MOD(5, 2, 0, pte(5, UP)), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    assert_int_equal(tab(5)[0], 0);

    /* Read only (Xen's pv_linear_pt): a self-map takes no reference. */
    assert_int_equal(MOD(5, 2, 0, pte(5, RO)), 0);
    ASSERT_UNCHANGED(before);
    assert_int_equal(LIN(5), 0);
    /* One to another validated L2 takes a typed reference on it. */
    assert_int_equal(MOD(5, 2, 1, pte(2, RO)), 0);
    EXPECT_FRAME(2, 2, PGT_l2, 2);
    assert_int_equal(LIN(5), 1);
    assert_int_equal(LIN(2), -1);
    /* One level only: not from a target, nor to a table with such entries. */
    assert_int_equal(MOD(2, 2, 0, pte(5, RO)), -XEN_EINVAL);
    tab(6)[3] = pte(5, RO);
    assert_int_equal(pin_table(&ft, M(6), PGT_l2), -XEN_EINVAL);
    assert_int_equal(pages[6].type_info, 0);
    assert_int_equal(LIN(5), 1);
    assert_int_equal(LIN(2), -1);
    /* The L2 still in use as a target keeps its type when unpinned. */
    assert_int_equal(unpin_table(&ft, M(2)), 0);
    EXPECT_FRAME(2, 1, PGT_l2, 1);
    /* Dropping the entry drops the reference; the self-map holds none. */
    assert_int_equal(MOD(5, 2, 1, 0), 0);
    EXPECT_FREE(2);
    assert_int_equal(LIN(5), 0);
    assert_int_equal(LIN(2), 0);
    assert_int_equal(unpin_table(&ft, M(5)), 0);
    ASSERT_INITIAL();

    /* New L2s: a self-map validates; a writable one never does. */
    memset(tab(6), 0, ENTRIES * sizeof(uint64_t));
    tab(6)[3] = pte(6, RW);
    assert_int_equal(pin_table(&ft, M(6), PGT_l2), -XEN_EINVAL);
    ASSERT_INITIAL();
    tab(6)[3] = pte(6, RO);
    assert_int_equal(pin_table(&ft, M(6), PGT_l2), 0);
    EXPECT_FRAME(6, 1, PGT_l2, 1);
    assert_int_equal(unpin_table(&ft, M(6)), 0);
    ASSERT_INITIAL();
}

static void test_linear_l4_l3(void **state)
{
    struct snap before;

    snap_take(&before);
    /* An L4 entry pointing to itself. */
    tab(0)[0] = pte(0, UP);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    /* Through an L3 entry back to the L4 (as an L2), or an L3 to itself. */
    tab(0)[0] = pte(1, UP);
    tab(1)[0] = pte(0, UP);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    tab(1)[0] = pte(1, UP);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), -XEN_EINVAL);
    assert_int_equal(pin_table(&ft, M(1), PGT_l3), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    /* An L1 of the tree mapping the L4 read-write. */
    tab(1)[0] = pte(2, UP);
    tab(2)[0] = pte(3, UP);
    tab(3)[0] = pte(0, RW);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), -XEN_EBUSY);
    ASSERT_UNCHANGED(before);

    /* Live L4s: an entry pointing to itself, or to another L4. */
    tab(3)[0] = pte(0, RO);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), 0);
    assert_int_equal(pin_table(&ft, M(8), PGT_l4), 0);
    snap_take(&before);
    assert_int_equal(MOD(0, 4, 1, pte(0, UP)), -XEN_EINVAL);
    assert_int_equal(MOD(0, 4, 0, pte(0, UP)), -XEN_EINVAL);
    assert_int_equal(MOD(0, 4, 1, pte(8, UP)), -XEN_EINVAL);
    assert_int_equal(MOD(1, 3, 1, pte(1, UP)), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    assert_int_equal(tab(0)[1], 0);
    assert_int_equal(tab(0)[0], pte(1, UP));
}

/* ------------------------------------------------------------ L4 Xen slots */

/*
 * What a validated L4 holds in hypervisor slot i: the shim's entry, except
 * slot 256 (the read-only M2P), empty unless ro_mpt_at_promotion (m2p_strict).
 */
static uint64_t xen_slot(unsigned int i)
{
    return i == 256 && !ft.ro_mpt_at_promotion ? 0 : xen_l4[i - 256];
}

static void test_l4_xen_slots(void **state)
{
    struct snap before;

    /* One of "our" entries maps a guest frame: a reference would show. */
    xen_l4[0] = pte(30, PTE_PRESENT | PTE_RW);
    xen_l4[15] = pte(31, PTE_PRESENT | PTE_RW);
    assert_int_equal(get_page(&ft, M(30)), 0);
    /* The guest's own junk in the hypervisor's slots. */
    tab(0)[256] = pte(10, RW);
    tab(0)[257] = pte(NOT_GUEST, UP);
    tab(0)[258] = pte(10, UP | PTE_PCD | PTE_PSE);
    tab(0)[271] = pte(0, UP);
    tab(0)[255] = pte(1, UP);
    tab(0)[272] = pte(2, UP);
    snap_take(&before);

    assert_int_equal(pin_table(&ft, M(0), PGT_l4), 0);
    for ( unsigned int i = 256; i <= 271; i++ )
        assert_int_equal(tab(0)[i], xen_slot(i));
    assert_int_equal(tab(0)[256], 0);       /* no RO M2P without m2p_strict */
    EXPECT_FRAME(0, 1, PGT_l4, 1);
    EXPECT_FRAME(1, 1, PGT_l3, 1);
    EXPECT_FRAME(2, 1, PGT_l3, 1);
    EXPECT_FREE(10);
    EXPECT_FRAME(30, 1, PGT_none, 0);
    EXPECT_FREE(31);

    /* The guest cannot write them... */
    snap_take(&before);
    for ( unsigned int i = 256; i <= 271; i++ )
    {
        assert_int_equal(MOD(0, 4, i, 0), -XEN_EINVAL);
        assert_int_equal(MOD(0, 4, i, pte(5, UP)), -XEN_EINVAL);
        assert_int_equal(MOD_AD(0, 4, i, xen_l4[i - 256]),
                         -XEN_EINVAL);
        assert_int_equal(tab(0)[i], xen_slot(i));
    }
    ASSERT_UNCHANGED(before);
    /* ...but its neighbours are its own. */
    assert_int_equal(MOD(0, 4, 255, 0), 0);
    assert_int_equal(MOD(0, 4, 272, pte(1, UP)), 0);
    EXPECT_FRAME(1, 1, PGT_l3, 1);
    EXPECT_FREE(2);

    /* Released without touching what "our" slots map. */
    assert_int_equal(unpin_table(&ft, M(0)), 0);
    EXPECT_FREE(1);
    EXPECT_FRAME(30, 1, PGT_none, 0);
    EXPECT_FREE(31);

    /*
     * An L4 that fails validation after the hypervisor's slots (a bad entry
     * in slot 300) is still the guest's data: none of the shim's entries
     * show in it, its own bytes there are as it wrote them.
     */
    for ( unsigned int i = 256; i <= 271; i++ )
        tab(0)[i] = i;
    tab(0)[300] = pte(3, UP | PTE_PCD);
    snap_take(&before);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    for ( unsigned int i = 256; i <= 271; i++ )
        assert_int_equal(tab(0)[i], i);
    tab(0)[300] = 0;

    /* With m2p_strict the read-only M2P slot is filled at promotion too. */
    ft.ro_mpt_at_promotion = true;
    tab(0)[256] = pte(10, RW);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), 0);
    assert_int_equal(tab(0)[256], xen_l4[0]);
    assert_int_equal(unpin_table(&ft, M(0)), 0);
    ft.ro_mpt_at_promotion = false;
}

/* ------------------------------------------------------------ 32-bit PAE */

/*
 * A pv32 guest (Xen's pv32 rules in mm.c): L3s of 4 entries, the rest of
 * the page zeroed; slot 3 an L2 of PGT_l2_xen under that L3 alone, whose
 * slots 428-511 are the compat M2P's; L3 entries' flags as Xen's
 * l3_disallow_mask(pv32) allows, RW and US added; nothing else adjusted.
 */
static uint64_t compat_l2[512 - COMPAT_L2_FIRST_XEN];

static void test_pv32(void **state)
{
    const uint64_t l3f = PTE_PRESENT | PTE_ACCESSED;        /* what Linux writes */
    const uint64_t bad[] = { PTE_PWT, PTE_PCD, PTE_PSE, PTE_GLOBAL, PTE_NX, 1UL << 52 };
    struct snap before;

    ft.pv32 = true;
    ft.compat_l2_xen = compat_l2;
    for ( unsigned int i = 0; i < ARRAY_SIZE(compat_l2); i++ )
        compat_l2[i] = pte_mfn(0xf8000 + i * 512, PTE_PRESENT | PTE_PSE);

    /* L3 (0): slot 0 -> L2 (1) -> L1 (2) with a kernel page (3); slot 3 -> L2 (4). */
    tab(2)[5] = pte(3, KRW);
    tab(1)[0] = pte(2, KRW | PTE_ACCESSED);
    tab(4)[COMPAT_L2_FIRST_XEN] = pte(5, KRW);      /* the guest's, overwritten */
    tab(4)[511] = pte(5, KRW);
    tab(0)[0] = pte(1, l3f);
    tab(0)[3] = pte(4, l3f);
    tab(0)[4] = pte(6, l3f);                        /* past 4: zeroed */
    tab(0)[511] = 0x123;
    assert_int_equal(pin_table(&ft, M(0), PGT_l3), 0);
    EXPECT_FRAME(0, 1, PGT_l3, 1);
    EXPECT_FRAME(1, 1, PGT_l2, 1);
    EXPECT_FRAME(2, 1, PGT_l1, 1);
    EXPECT_FRAME(3, 1, PGT_writable, 1);
    EXPECT_FRAME(4, 1, PGT_l2_xen, 1);
    EXPECT_FREE(5);
    EXPECT_FREE(6);
    for ( unsigned int i = 4; i < 512; i++ )
        assert_int_equal(tab(0)[i], 0);
    assert_int_equal(tab(0)[0], pte(1, l3f | PTE_RW | PTE_USER));
    assert_int_equal(tab(0)[3], pte(4, l3f | PTE_RW | PTE_USER));
    assert_int_equal(tab(1)[0], pte(2, KRW | PTE_ACCESSED));        /* no U added */
    assert_int_equal(tab(2)[5], pte(3, KRW));
    for ( unsigned int i = COMPAT_L2_FIRST_XEN; i < 512; i++ )
        assert_int_equal(tab(4)[i], compat_l2[i - COMPAT_L2_FIRST_XEN]);

    /* Slot 3 and past it, and the compat M2P's slots, are not the guest's to change. */
    snap_take(&before);
    assert_int_equal(MOD(0, 3, 3, pte(7, l3f)), -XEN_EINVAL);
    assert_int_equal(MOD(0, 3, 3, 0), -XEN_EINVAL);
    assert_int_equal(MOD(0, 3, 4, pte(7, l3f)), -XEN_EINVAL);
    assert_int_equal(MOD(4, 2, COMPAT_L2_FIRST_XEN, 0), -XEN_EPERM);
    assert_int_equal(MOD(4, 2, 511, pte(7, KRW)), -XEN_EPERM);
    ASSERT_UNCHANGED(before);
    assert_int_equal(tab(4)[511], compat_l2[511 - COMPAT_L2_FIRST_XEN]);
    /* Its slots below are: an L1 there, then gone again. */
    assert_int_equal(MOD(4, 2, 10, pte(2, KRW)), 0);
    EXPECT_FRAME(2, 2, PGT_l1, 2);
    assert_int_equal(MOD(4, 2, 10, 0), 0);
    EXPECT_FRAME(2, 1, PGT_l1, 1);

    /* L3 entry flags: each one l3_disallow_mask forbids, in a change and in a new L3. */
    snap_take(&before);
    for ( unsigned int i = 0; i < ARRAY_SIZE(bad); i++ )
        assert_int_equal(MOD(0, 3, 1, pte(7, l3f | bad[i])), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    /* The allowed ones: a new L2 in slot 1, then the same with A/D and AVAIL only. */
    assert_int_equal(MOD(0, 3, 1, pte(7, l3f | PTE_DIRTY | 0xe00)), 0);
    EXPECT_FRAME(7, 1, PGT_l2, 1);
    assert_int_equal(tab(0)[1], pte(7, l3f | PTE_DIRTY | 0xe00 | PTE_RW | PTE_USER));
    assert_int_equal(MOD(0, 3, 1, pte(7, PTE_PRESENT)), 0);
    assert_int_equal(tab(0)[1], pte(7, PTE_PRESENT | PTE_RW | PTE_USER));
    EXPECT_FRAME(7, 1, PGT_l2, 1);

    /* A second L3 (8) may not take the same slot-3 L2, nor it as an ordinary L2. */
    tab(8)[3] = pte(4, l3f);
    snap_take(&before);
    assert_int_equal(pin_table(&ft, M(8), PGT_l3), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    tab(8)[3] = pte(9, l3f);
    tab(8)[0] = pte(4, l3f);
    assert_int_equal(pin_table(&ft, M(8), PGT_l3), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    /* Nor an L2 in use as an ordinary one in slot 3; nor no slot 3 at all. */
    tab(8)[0] = 0;
    tab(8)[3] = pte(7, l3f);
    assert_int_equal(pin_table(&ft, M(8), PGT_l3), -XEN_EINVAL);
    tab(8)[3] = 0;
    assert_int_equal(pin_table(&ft, M(8), PGT_l3), -XEN_EINVAL);
    /* Nor itself (no linear L3 for pv32), nor an L2 of PGT_l2_xen pinned on its own. */
    tab(8)[3] = pte(9, l3f);
    tab(8)[1] = pte(8, l3f & ~PTE_RW);
    assert_int_equal(pin_table(&ft, M(8), PGT_l3), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    assert_int_equal(pin_table(&ft, M(9), PGT_l2_xen), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);

    /* Released: every reference goes, the compat slots hold none. */
    assert_int_equal(unpin_table(&ft, M(0)), 0);
    for ( unsigned int s = 0; s < 10; s++ )
        EXPECT_FREE(s);
    ASSERT_INITIAL();

    /* Without pv32 the type does not exist. */
    ft.pv32 = false;
    assert_int_equal(get_page_type(&ft, M(9), PGT_l2_xen), -XEN_EINVAL);
    ASSERT_INITIAL();
}

/* ------------------------------------------------------------ mod_pt_entry */

static void test_mod_replaces_references(void **state)
{
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(MOD(3, 1, 0, pte(10, RW)), 0);
    EXPECT_FRAME(10, 1, PGT_writable, 1);
    assert_int_equal(MOD(3, 1, 0, pte(11, RO)), 0);
    EXPECT_FRAME(10, 0, PGT_writable, 0);
    EXPECT_FRAME(11, 1, PGT_none, 0);
    assert_int_equal(MOD(3, 1, 0, pte(11, RW)), 0);
    EXPECT_FRAME(11, 1, PGT_writable, 1);
    assert_int_equal(MOD(3, 1, 0, 0), 0);
    EXPECT_FRAME(11, 0, PGT_writable, 0);

    /* An L2 entry moved from one L1 to another: the old one is released. */
    tab(4)[0] = pte(12, RW);
    tab(5)[0] = pte(13, RW);
    tab(2)[0] = pte(4, UP);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);
    EXPECT_FRAME(4, 1, PGT_l1, 1);
    EXPECT_FRAME(12, 1, PGT_writable, 1);
    assert_int_equal(MOD(2, 2, 0, pte(5, UP)), 0);
    EXPECT_FREE(4);
    EXPECT_FREE(12);
    EXPECT_FRAME(5, 1, PGT_l1, 1);
    EXPECT_FRAME(13, 1, PGT_writable, 1);
    /* Now 12 may become a table and 4 writable. */
    assert_int_equal(MOD(3, 1, 1, pte(4, RW)), 0);
    assert_int_equal(MOD(2, 2, 1, pte(12, UP)), 0);
    EXPECT_FRAME(12, 1, PGT_l1, 1);
    assert_int_equal(unpin_table(&ft, M(2)), 0);
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    ASSERT_INITIAL();
}

/* The new references are taken before the old are dropped. */
static void test_mod_same_frame_count_one(void **state)
{
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(MOD(3, 1, 0, pte(10, RW)), 0);
    EXPECT_FRAME(10, 1, PGT_writable, 1);
    assert_int_equal(MOD(3, 1, 0, pte(10, RW | 0x200)), 0);
    EXPECT_FRAME(10, 1, PGT_writable, 1);
    assert_int_equal(MOD(3, 1, 0, pte(10, RO)), 0);
    EXPECT_FRAME(10, 1, PGT_writable, 0);
    assert_int_equal(MOD(3, 1, 0, pte(10, KRW)), 0);
    EXPECT_FRAME(10, 1, PGT_writable, 1);

    /* Each level: the only entry referring to a table, changed in place. */
    tab(4)[0] = pte(11, RW);
    tab(2)[0] = pte(4, UP);
    tab(1)[0] = pte(2, UP);
    tab(0)[0] = pte(1, UP);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), 0);
    for ( unsigned int level = 2; level <= 4; level++ )
    {
        unsigned int s = 4 - level, lower = level == 2 ? 4 : s + 1;

        memset(map_calls, 0, sizeof(map_calls));
        assert_int_equal(MOD(s, level, 0, pte(lower, UP | 0x400 | PTE_NX)), 0);
        assert_int_equal(tab(s)[0], pte(lower, UP | 0x400 | PTE_NX));
        /* Nothing below was devalidated and validated again. */
        for ( unsigned int i = 0; i < NR_SLOTS; i++ )
            if ( i != s && map_calls[i] )
                fail_msg("L%u entry change: frame %u walked again", level, i);
        EXPECT_FRAME(lower, 1, level - 1, 1);
        EXPECT_FRAME(11, 1, PGT_writable, 1);
    }
}

static void test_mod_ad_only(void **state)
{
    struct snap before;

    tab(3)[0] = pte(10, RW | PTE_ACCESSED);
    tab(3)[1] = pte(11, KRW);           /* stored with U and bit 52 */
    tab(2)[0] = pte(3, UP);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);
    snap_take(&before);
    memset(map_calls, 0, sizeof(map_calls));

    assert_int_equal(MOD(3, 1, 0, pte(10, RW | PTE_AD)), 0);
    assert_int_equal(tab(3)[0], pte(10, RW | PTE_AD));
    assert_int_equal(MOD(3, 1, 0, pte(10, RW)), 0);
    assert_int_equal(tab(3)[0], pte(10, RW));
    assert_int_equal(MOD(3, 1, 1, tab(3)[1] | PTE_DIRTY), 0);
    assert_int_equal(tab(3)[1], pte(11, RW | PTE_GUEST_KERNEL | PTE_DIRTY));
    assert_int_equal(MOD(2, 2, 0, pte(3, UP | PTE_DIRTY)), 0);
    assert_int_equal(tab(2)[0], pte(3, UP | PTE_DIRTY));
    ASSERT_UNCHANGED(before);
    /* The three L1 changes and the L2 one; nothing was validated again. */
    assert_int_equal(map_calls[3], 3);
    assert_int_equal(map_calls[2], 1);
}

static void test_mod_preserve_ad(void **state)
{
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(MOD(3, 1, 0, pte(10, RW | PTE_AD)), 0);
    assert_int_equal(MOD(3, 1, 1, pte(11, RO)), 0);

    /* The old A/D stay, whatever the new entry says. */
    assert_int_equal(MOD_AD(3, 1, 0, pte(10, RW)), 0);
    assert_int_equal(tab(3)[0], pte(10, RW | PTE_AD));
    assert_int_equal(MOD_AD(3, 1, 1, pte(11, RO | PTE_AD)), 0);
    assert_int_equal(tab(3)[1], pte(11, RO));
    /* Also when the mapping changes. */
    assert_int_equal(MOD_AD(3, 1, 0, pte(12, RO)), 0);
    assert_int_equal(tab(3)[0], pte(12, RO | PTE_AD));
    EXPECT_FRAME(10, 0, PGT_writable, 0);
    EXPECT_FRAME(12, 1, PGT_none, 0);
    /* Without it, the new A/D. */
    assert_int_equal(MOD(3, 1, 0, pte(12, RO | PTE_ACCESSED)), 0);
    assert_int_equal(tab(3)[0], pte(12, RO | PTE_ACCESSED));
    /* Upper levels too. */
    tab(2)[0] = pte(3, UP | PTE_DIRTY);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);
    assert_int_equal(MOD_AD(2, 2, 0, pte(3, PTE_PRESENT | PTE_USER)), 0);
    assert_int_equal(tab(2)[0], pte(3, RO | PTE_AD));
    EXPECT_FRAME(3, 2, PGT_l1, 2);
}

static void test_mod_bad_target(void **state)
{
    struct snap before;

    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(pin_table(&ft, M(0), PGT_l4), 0);
    assert_int_equal(get_page_and_type(&ft, M(10), PGT_writable), 0);
    assert_int_equal(get_page_and_type(&ft, M(11), PGT_seg_desc), 0);
    assert_int_equal(pin_table(&ft, M(4), PGT_l2), 0);
    assert_int_equal(unpin_table(&ft, M(4)), 0);        /* type L2, count 0 */
    tab(12)[0] = 0x1234;
    snap_take(&before);

    for ( unsigned int level = 0; level <= 5; level++ )
    {
        /* Untyped, writable, descriptor page, unvalidated L2, non-guest. */
        assert_int_equal(MOD(12, level, 0, pte(20, RO)), -XEN_EINVAL);
        assert_int_equal(MOD(10, level, 0, pte(20, RO)), -XEN_EINVAL);
        assert_int_equal(MOD(11, level, 0, pte(20, RO)), -XEN_EINVAL);
        assert_int_equal(MOD(4, level, 0, 0), -XEN_EINVAL);
        assert_int_equal(MOD(NOT_GUEST, level, 0, 0), -XEN_EINVAL);
        /* Wrong level for a table. */
        if ( level != 1 )
            assert_int_equal(MOD(3, level, 0, 0), -XEN_EINVAL);
        if ( level != 4 )
            assert_int_equal(MOD(0, level, 0, 0), -XEN_EINVAL);
    }
    /* Past the table. */
    static const unsigned int idx[] = { 512, 513, 1024, 0x10000, ~0U };

    for ( unsigned int i = 0; i < ARRAY_SIZE(idx); i++ )
    {
        assert_int_equal(MOD(3, 1, idx[i], pte(20, RO)), -XEN_EINVAL);
        assert_int_equal(MOD(0, 4, idx[i], 0), -XEN_EINVAL);
    }
    ASSERT_UNCHANGED(before);
    assert_int_equal(tab(12)[0], 0x1234);
    assert_int_equal(MOD(3, 1, 511, pte(20, RO)), 0);
}

/* A refused change leaves the old entry and its references. */
static void test_mod_refused_keeps_old(void **state)
{
    struct snap before;

    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(MOD(3, 1, 0, pte(10, RW)), 0);
    snap_take(&before);

    const struct {
        uint64_t val;
        int rc;
    } bad[] = {
        { pte(10, RW | PTE_PCD), -XEN_EINVAL },
        { pte(11, RO | PTE_PAT), -XEN_EINVAL },
        { pte(NOT_GUEST, RO), -XEN_EPERM },
        { pte(3, RW), -XEN_EBUSY },
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        assert_int_equal(MOD(3, 1, 0, bad[i].val), bad[i].rc);
        assert_int_equal(MOD_AD(3, 1, 0, bad[i].val), bad[i].rc);
        assert_int_equal(tab(3)[0], pte(10, RW));
        ASSERT_UNCHANGED(before);
    }
}

/* ------------------------------------------------------------ pin/unpin */

static void test_pin_twice(void **state)
{
    struct snap before;

    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    EXPECT_FRAME(3, 1, PGT_l1, 1);
    assert_true(pinned(3));
    snap_take(&before);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), -XEN_EINVAL);
    assert_int_equal(pin_table(&ft, M(3), PGT_l2), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    /* Another reference does not change that. */
    assert_int_equal(get_page_and_type(&ft, M(3), PGT_l1), 0);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), -XEN_EINVAL);
    EXPECT_FRAME(3, 2, PGT_l1, 2);
    put_page_and_type(&ft, M(3));
    assert_true(pinned(3));
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    ASSERT_INITIAL();
}

static void test_pin_bad_type(void **state)
{
    static const unsigned int bad[] = {
        PGT_none, PGT_seg_desc, 6, PGT_writable, 8, ~0U,
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(bad); i++ )
        assert_int_equal(pin_table(&ft, M(3), bad[i]), -XEN_EINVAL);
    assert_int_equal(desc_checks, 0);
    ASSERT_INITIAL();
}

static void test_unpin_not_pinned(void **state)
{
    struct snap before;

    assert_int_equal(unpin_table(&ft, M(3)), -XEN_EINVAL);
    ASSERT_INITIAL();
    /* A table in use, but not pinned: its user's reference stays. */
    tab(2)[0] = pte(3, UP);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);
    assert_int_equal(get_page_and_type(&ft, M(4), PGT_l1), 0);
    assert_int_equal(get_page_and_type(&ft, M(10), PGT_writable), 0);
    snap_take(&before);
    assert_int_equal(unpin_table(&ft, M(3)), -XEN_EINVAL);
    assert_int_equal(unpin_table(&ft, M(4)), -XEN_EINVAL);
    assert_int_equal(unpin_table(&ft, M(10)), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    /* Unpinned twice. */
    assert_int_equal(unpin_table(&ft, M(2)), 0);
    assert_int_equal(unpin_table(&ft, M(2)), -XEN_EINVAL);
    EXPECT_FREE(2);
    EXPECT_FREE(3);
}

static void test_unpin_last_devalidates(void **state)
{
    tab(3)[0] = pte(10, RW);
    tab(2)[0] = pte(3, UP);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);
    EXPECT_FRAME(3, 2, PGT_l1, 2);
    /* The L1 is still referenced by the L2. */
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    assert_false(pinned(3));
    EXPECT_FRAME(3, 1, PGT_l1, 1);
    EXPECT_FRAME(10, 1, PGT_writable, 1);
    /* Now the last: the L2 and then the L1 are devalidated. */
    assert_int_equal(unpin_table(&ft, M(2)), 0);
    ASSERT_INITIAL();
    /* Both may now be mapped writable. */
    assert_int_equal(get_page_and_type(&ft, M(2), PGT_writable), 0);
    assert_int_equal(get_page_and_type(&ft, M(3), PGT_writable), 0);
}

/* ------------------------------------------------------------ TLB flush */

/*
 * With a clock, a type count that falls to 0 stamps the frame with the
 * tick (PGT_stamped, in the free count bits): it counts as 0 everywhere,
 * the type change after it hands the stamp to owe_flush, and the new use
 * starts from a clean count.
 */
static void test_flush_stamp(void **state)
{
    uint64_t clock = 0x3fffffeULL;          /* about to wrap the 26 bits */
    struct page_info *p = frame_info(&ft, M(10));

    ft.clock = &clock;
    assert_int_equal(get_page_and_type(&ft, M(10), PGT_writable), 0);
    assert_int_equal(get_page_and_type(&ft, M(10), PGT_writable), 0);
    put_page_and_type(&ft, M(10));
    assert_int_equal(clock, 0x3fffffeULL);          /* count 1: no tick */
    put_page_and_type(&ft, M(10));
    assert_int_equal(clock, 0x3ffffffULL);
    assert_true(p->type_info & PGT_stamped);
    assert_int_equal(page_type_count(p), 0);
    assert_int_equal(page_type(p), PGT_writable);
    assert_int_equal(p->type_info & PGT_COUNT_MASK, 0x3ffffff);
    /* Writable again: no flush, a real count. */
    flushed_pg = NULL;
    assert_int_equal(get_page_and_type(&ft, M(10), PGT_writable), 0);
    assert_null(flushed_pg);
    assert_false(p->type_info & PGT_stamped);
    assert_int_equal(page_type_count(p), 1);
    put_page_and_type(&ft, M(10));                  /* the clock wraps its low bits */
    assert_int_equal(clock, 0x4000000ULL);
    assert_int_equal(p->type_info & PGT_COUNT_MASK, 0);
    assert_true(p->type_info & PGT_stamped);
    /* An L1 now: the flush is told the frame, stamp and all. */
    assert_int_equal(pin_table(&ft, M(10), PGT_l1), 0);
    assert_ptr_equal(flushed_pg, p);
    assert_true(flushed_stamp & PGT_stamped);
    assert_int_equal(flushed_stamp & PGT_COUNT_MASK, 0);
    assert_false(p->type_info & PGT_stamped);
    assert_int_equal(page_type(p), PGT_l1);
    assert_int_equal(unpin_table(&ft, M(10)), 0);
    assert_int_equal(clock, 0x4000001ULL);

    /*
     * A table that fails to validate again (a bad entry written while it
     * had no type) keeps its old type and stamp, so taking it writable
     * still owes the flush: another CPU may cache a walk through it.
     */
    tab(10)[7] = pte(11, RW | PTE_PCD);             /* not allowed in an L1 */
    assert_int_equal(pin_table(&ft, M(10), PGT_l1), -XEN_EINVAL);
    assert_int_equal(page_type(p), PGT_l1);
    assert_true(p->type_info & PGT_stamped);
    assert_int_equal(page_type_count(p), 0);
    flushed_pg = NULL;
    assert_int_equal(get_page_and_type(&ft, M(10), PGT_writable), 0);
    assert_ptr_equal(flushed_pg, p);
    put_page_and_type(&ft, M(10));
    tab(10)[7] = 0;
    ft.clock = NULL;
}

static void test_flush_owed(void **state)
{
    /* Writable, then an L1: the old writable TLB entries must go. */
    assert_int_equal(get_page_and_type(&ft, M(10), PGT_writable), 0);
    put_page_and_type(&ft, M(10));
    assert_false(flush_owed);
    assert_int_equal(pin_table(&ft, M(10), PGT_l1), 0);
    assert_true(flush_owed);

    /* Untyped, or the same type again: no flush. */
    flush_owed = false;
    assert_int_equal(unpin_table(&ft, M(10)), 0);
    assert_int_equal(pin_table(&ft, M(10), PGT_l1), 0);
    assert_int_equal(pin_table(&ft, M(11), PGT_l1), 0);
    assert_false(flush_owed);
    /* Writable to writable: none either. */
    assert_int_equal(get_page_and_type(&ft, M(12), PGT_writable), 0);
    put_page_and_type(&ft, M(12));
    assert_int_equal(get_page_and_type(&ft, M(12), PGT_writable), 0);
    assert_false(flush_owed);
    /*
     * A table becoming writable: the paging-structure caches may still
     * walk it as a table while the guest writes it (Xen flushes too).
     */
    assert_int_equal(unpin_table(&ft, M(11)), 0);
    assert_int_equal(get_page_and_type(&ft, M(11), PGT_writable), 0);
    assert_true(flush_owed);
    /* One table level to another. */
    flush_owed = false;
    assert_int_equal(unpin_table(&ft, M(10)), 0);
    assert_int_equal(pin_table(&ft, M(10), PGT_l2), 0);
    assert_true(flush_owed);
    flush_owed = false;
    assert_int_equal(unpin_table(&ft, M(10)), 0);

    /* Through an upper level: the L1 an L2 entry brings in was writable. */
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(MOD(3, 1, 0, pte(13, RW)), 0);
    assert_int_equal(MOD(3, 1, 0, 0), 0);
    assert_false(flush_owed);
    tab(2)[4] = pte(13, UP);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), 0);
    assert_true(flush_owed);
    EXPECT_FRAME(13, 1, PGT_l1, 1);

    /* A descriptor page that was writable. */
    flush_owed = false;
    assert_int_equal(get_page_and_type(&ft, M(14), PGT_writable), 0);
    put_page_and_type(&ft, M(14));
    assert_int_equal(get_page_and_type(&ft, M(14), PGT_seg_desc), 0);
    assert_true(flush_owed);
}

/* ------------------------------------------------------------ seg_desc */

static void test_seg_desc(void **state)
{
    struct snap before;

    tab(20)[0] = 0x00cf9a000000ffffULL;
    assert_int_equal(get_page_and_type(&ft, M(20), PGT_seg_desc), 0);
    assert_int_equal(desc_checks, 1);
    EXPECT_FRAME(20, 1, PGT_seg_desc, 1);
    /* More of the same does not check again. */
    assert_int_equal(get_page_and_type(&ft, M(20), PGT_seg_desc), 0);
    assert_int_equal(desc_checks, 1);
    EXPECT_FRAME(20, 2, PGT_seg_desc, 2);

    /* Read-only mappings only. */
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    snap_take(&before);
    assert_int_equal(MOD(3, 1, 0, pte(20, RW)), -XEN_EBUSY);
    ASSERT_UNCHANGED(before);
    assert_int_equal(MOD(3, 1, 0, pte(20, RO)), 0);
    EXPECT_FRAME(20, 3, PGT_seg_desc, 2);

    /* A refused page: untyped, no reference left. */
    tab(21)[0] = BAD_DESC;
    assert_int_equal(get_page_and_type(&ft, M(21), PGT_seg_desc), -XEN_EINVAL);
    assert_int_equal(desc_checks, 2);
    assert_int_equal(pages[21].type_info, 0);
    EXPECT_FREE(21);
    /* Also one that was writable before. */
    assert_int_equal(get_page_and_type(&ft, M(21), PGT_writable), 0);
    put_page_and_type(&ft, M(21));
    assert_int_equal(get_page_and_type(&ft, M(21), PGT_seg_desc), -XEN_EINVAL);
    EXPECT_FREE(21);
    /* Fixed, it is accepted. */
    tab(21)[0] = 0;
    assert_int_equal(get_page_and_type(&ft, M(21), PGT_seg_desc), 0);
    EXPECT_FRAME(21, 1, PGT_seg_desc, 1);

    /* No checker: refused. */
    ft.check_desc_page = NULL;
    assert_int_equal(get_page_and_type(&ft, M(22), PGT_seg_desc), -XEN_EINVAL);
    assert_int_equal(pages[22].type_info, 0);
    EXPECT_FREE(22);
    assert_log_contains("bad descriptor");

    /* Dropped: writable again. */
    put_page_and_type(&ft, M(21));
    assert_int_equal(get_page_and_type(&ft, M(21), PGT_writable), 0);
}

/* ------------------------------------------------------------ extra frames */

static void test_extra_frames(void **state)
{
    for ( unsigned int k = 0; k < FT_EXTRA; k++ )
    {
        assert_ptr_equal(frame_info(&ft, EXTRA_MFN + k), &ft.extra[k]);
        assert_int_equal(get_page(&ft, EXTRA_MFN + k), 0);
        put_page(&ft, EXTRA_MFN + k);
    }
    tab(3)[0] = pte(XS(0), RW);
    tab(3)[1] = pte(XS(1), RO);
    tab(3)[2] = pte(XS(2), KRW);
    tab(3)[3] = pte(XS(0), RW);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    EXPECT_FRAME(XS(0), 2, PGT_writable, 2);
    EXPECT_FRAME(XS(1), 1, PGT_none, 0);
    EXPECT_FRAME(XS(2), 1, PGT_writable, 1);
    assert_int_equal(tab(3)[2], pte(XS(2), RW | PTE_GUEST_KERNEL));
    assert_int_equal(MOD(3, 1, 3, pte(XS(1), RW)), 0);
    EXPECT_FRAME(XS(0), 1, PGT_writable, 1);
    EXPECT_FRAME(XS(1), 2, PGT_writable, 1);
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    ASSERT_INITIAL();
}

/*
 * The extra frames are written by the shim (shared_info) and by L0's
 * backends (the rings) at any time: like Xen's pages shared with a guest,
 * they are writable only, never a table or descriptor page whose validated
 * contents would change behind the checks.
 */
static void test_extra_frames_writable_only(void **state)
{
    struct snap before;

    assert_int_equal(get_page(&ft, EXTRA_MFN + 1), 0);
    snap_take(&before);
    for ( unsigned int k = 0; k < FT_EXTRA; k++ )
    {
        for ( unsigned int t = PGT_l1; t <= PGT_l4; t++ )
        {
            assert_int_equal(pin_table(&ft, EXTRA_MFN + k, t), -XEN_EINVAL);
            assert_int_equal(get_page_and_type(&ft, EXTRA_MFN + k, t),
                             -XEN_EINVAL);
        }
        assert_int_equal(get_page_and_type(&ft, EXTRA_MFN + k, PGT_seg_desc),
                         -XEN_EINVAL);
    }
    assert_int_equal(desc_checks, 0);
    ASSERT_UNCHANGED(before);
    /* Nor through an upper-level entry. */
    tab(2)[0] = pte(XS(2), UP);
    assert_int_equal(pin_table(&ft, M(2), PGT_l2), -XEN_EINVAL);
    assert_int_equal(pin_table(&ft, M(1), PGT_l3), 0);
    assert_int_equal(MOD(1, 3, 0, pte(XS(0), UP)), -XEN_EINVAL);
    EXPECT_FRAME(1, 1, PGT_l3, 1);
    for ( unsigned int k = 0; k < FT_EXTRA; k++ )
        assert_int_equal(map_calls[XS(k)], 0);
    assert_log_contains("shared: writable only");
}

/*
 * A read-only shared frame (a grant status frame, written by L0 alone):
 * readable mappings only, no type of any kind; a writable mapping is
 * refused as Xen refuses one of a page shared SHARE_ro (-EBUSY).
 */
static void test_ro_frame(void **state)
{
    struct snap before;

    /* Extra frame 1 as a frame of the grant window, mapped by L0. */
    ft.win = &ft.extra[1];
    ft.win_first = EXTRA_MFN + 1;
    ft.win_nr = 1;
    assert_true(frame_set_owner(EXTRA_MFN + 1, 1, FRAME_ro));
    assert_ptr_equal(frame_info(&ft, EXTRA_MFN + 1), &ft.extra[1]);
    snap_take(&before);
    assert_int_equal(get_page_and_type(&ft, EXTRA_MFN + 1, PGT_writable), -XEN_EBUSY);
    for ( unsigned int t = PGT_l1; t <= PGT_l4; t++ )
        assert_int_equal(pin_table(&ft, EXTRA_MFN + 1, t), -XEN_EINVAL);
    assert_int_equal(get_page_and_type(&ft, EXTRA_MFN + 1, PGT_seg_desc), -XEN_EINVAL);
    ASSERT_UNCHANGED(before);
    tab(3)[0] = pte(XS(1), RW);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), -XEN_EBUSY);
    tab(3)[0] = pte(XS(1), RO);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    EXPECT_FRAME(XS(1), 1, PGT_none, 0);
    assert_int_equal(MOD(3, 1, 1, pte(XS(1), RW)), -XEN_EBUSY);
    assert_int_equal(MOD(3, 1, 1, pte(XS(1), RO)), 0);
    EXPECT_FRAME(XS(1), 2, PGT_none, 0);
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    EXPECT_FRAME(XS(1), 0, PGT_none, 0);
}

/* An extra frame inside the range (a shim page shared with the guest). */
static void test_extra_frame_in_range(void **state)
{
    ft.extra_mfn[2] = M(NOT_GUEST + 1);
    assert_true(frame_set_owner(M(NOT_GUEST + 1), 1, FRAME_shared));
    assert_ptr_equal(frame_info(&ft, M(NOT_GUEST + 1)), &ft.extra[2]);
    assert_null(frame_info(&ft, M(NOT_GUEST)));
    assert_int_equal(get_page_and_type(&ft, M(NOT_GUEST + 1), PGT_writable), 0);
    assert_int_equal(ft.extra[2].count, 1);
    assert_int_equal(pages[NOT_GUEST + 1].count, 0);
    assert_int_equal(pages[NOT_GUEST + 1].type_info, 0);
    put_page_and_type(&ft, M(NOT_GUEST + 1));
    /* Frame 0 is nobody's, whatever an unused slot (0) says. */
    ft.extra_mfn[1] = 0;
    assert_null(frame_info(&ft, 0));
    assert_int_equal(get_page(&ft, 0), -XEN_EINVAL);
}

/*
 * The owner alone says what a frame is: the same frame in the range is
 * refused as the shim's, found as the guest's, as a ring (writable only)
 * and as a grant-table frame (no type at all) as its owner changes, with
 * the window's record for the latter.
 */
static void test_owner_decides(void **state)
{
    struct page_info w = { 0 };

    assert_true(frame_set_owner(M(7), 1, FRAME_shim));
    assert_null(frame_info(&ft, M(7)));
    assert_int_equal(get_page(&ft, M(7)), -XEN_EINVAL);
    assert_true(frame_set_owner(M(7), 1, FRAME_free));
    assert_int_equal(get_page_and_type(&ft, M(7), PGT_writable), -XEN_EINVAL);
    assert_true(frame_set_owner(M(7), 1, FRAME_none));
    assert_null(frame_info(&ft, M(7)));
    tab(3)[0] = pte(7, RO);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), -XEN_EPERM);
    assert_true(frame_set_owner(M(7), 1, FRAME_guest));
    assert_ptr_equal(frame_info(&ft, M(7)), &pages[7]);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    EXPECT_FRAME(7, 1, PGT_none, 0);
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    ASSERT_INITIAL();
    /* A ring or shared_info that is not one of the extra frames: no record. */
    assert_true(frame_set_owner(M(7), 1, FRAME_ring));
    assert_null(frame_info(&ft, M(7)));
    /* A grant frame: the window's record; read-only, stores emulated. */
    ft.win = &w;
    ft.win_first = M(7);
    ft.win_nr = 1;
    assert_true(frame_set_owner(M(7), 1, FRAME_grant));
    assert_ptr_equal(frame_info(&ft, M(7)), &w);
    assert_int_equal(get_page_and_type(&ft, M(7), PGT_writable), -XEN_EINVAL);
    tab(3)[0] = pte(7, RW);
    assert_int_equal(pin_table(&ft, M(3), PGT_l1), 0);
    assert_int_equal(tab(3)[0], pte(7, RO | PTE_WR_EMUL));
    assert_int_equal(w.count, 1);
    assert_int_equal(w.type_info, 0);
    assert_int_equal(unpin_table(&ft, M(3)), 0);
    assert_int_equal(w.count, 0);
    assert_int_equal(pages[7].count, 0);
}

/* ------------------------------------------------------------ randomized */

/*
 * Random trees over the 64 frames: random guest writes to frames that may
 * be written, random pins, unpins, entry changes (valid or not) and
 * references held as a CR3, a grant or a GDT would. After every step, the
 * counts of every frame are recomputed from scratch by scanning the
 * validated tables.
 */

static uint64_t rng;
static unsigned int stress_seed, stress_step;
static const char *stress_op;

#define stress_fail(fmt, ...)                                               \
    fail_msg("seed %u step %u (%s): " fmt, stress_seed, stress_step,        \
             stress_op, ##__VA_ARGS__)

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned int rnd_below(unsigned int n)
{
    return rnd() % n;
}

static bool chance(unsigned int pct)
{
    return rnd_below(100) < pct;
}

static const unsigned int stress_idx[] = {
    0, 1, 2, 3, 4, 5, 255, 256, 263, 271, 272, 300, 510, 511,
};

/* A frame: mostly the range (a few not the guest's), sometimes an extra. */
static unsigned int rnd_slot(void)
{
    return chance(92) ? rnd_below(NR_FRAMES) : XS(rnd_below(FT_EXTRA));
}

static unsigned long rnd_mfn(void)
{
    unsigned int r = rnd_below(100);

    if ( r < 94 )
        return M(rnd_slot());
    if ( r < 97 )
        return chance(50) ? FIRST_MFN - 1 : FIRST_MFN + NR_FRAMES;
    return rnd() & ((1UL << 40) - 1);
}

/*
 * Frames lean towards a level, so that whole trees get built: 0-3 L4s,
 * 4-11 L3s, 12-23 L2s, 24-39 L1s, 40-59 and the extra frames data.
 */
static unsigned int lean(unsigned int s)
{
    return s < 4 ? 4 : s < 12 ? 3 : s < 24 ? 2 : s < 40 ? 1 : 0;
}

static unsigned int rnd_leaning(unsigned int level)
{
    static const unsigned int first[] = { 40, 24, 12, 4, 0 };
    static const unsigned int end[] = { 60, 40, 24, 12, 4 };

    if ( level == 0 && chance(10) )
        return XS(rnd_below(FT_EXTRA));
    return first[level] + rnd_below(end[level] - first[level]);
}

/* An entry for a table of the given level (0: no idea), mostly a good one. */
static uint64_t rnd_entry(unsigned int level)
{
    static const uint64_t bad[] = { PTE_PWT, PTE_PCD, PTE_PSE, PTE_GLOBAL };
    uint64_t e;

    if ( level && chance(90) )
    {
        e = pte(rnd_leaning(level - 1), PTE_PRESENT | PTE_USER);
        if ( level == 1 && chance(30) )
            e = pte(rnd_slot(), PTE_PRESENT);               /* read-only */
        else if ( level > 1 || chance(70) )
            e |= PTE_RW;
        if ( chance(20) )
            e &= ~PTE_USER;
        if ( chance(20) )
            e |= PTE_ACCESSED;
        if ( chance(5) )
            e &= ~PTE_PRESENT;
        if ( chance(3) )
            e |= bad[rnd_below(ARRAY_SIZE(bad))];
        return e;
    }

    e = pte_mfn(rnd_mfn(), 0);

    if ( chance(85) )
        e |= PTE_PRESENT;
    if ( chance(50) )
        e |= PTE_RW;
    if ( chance(50) )
        e |= PTE_USER;
    if ( chance(30) )
        e |= PTE_ACCESSED;
    if ( chance(30) )
        e |= PTE_DIRTY;
    if ( chance(10) )
        e |= (rnd() & 7) << 9;
    if ( chance(10) )
        e |= (rnd() & 0x7ff) << 52;
    if ( chance(10) )
        e |= PTE_NX;
    if ( chance(8) )
        e |= bad[rnd_below(ARRAY_SIZE(bad))];
    return e;
}

/* References the test holds itself: type 0 is a general reference only. */
#define MAX_HELD 256
static struct held {
    unsigned int slot, type;
} held[MAX_HELD];
static unsigned int nr_held;
static bool model_pinned[NR_SLOTS];
/* The type each frame was seen in use with since the last TLB flush (0: none). */
static unsigned int stale[NR_SLOTS];

static uint64_t disallowed(unsigned int level)
{
    uint64_t bad = PTE_PWT | PTE_PCD | PTE_PSE;

    if ( level > 1 )
        bad |= PTE_GLOBAL;
    if ( !ft.nx )
        bad |= PTE_NX;
    return bad;
}

static void check_counts(void)
{
    uint32_t count[NR_SLOTS] = { 0 }, tcount[NR_SLOTS] = { 0 };
    unsigned int need[NR_SLOTS] = { 0 };      /* type the references need */
    int lin_out[NR_SLOTS] = { 0 }, lin_in[NR_SLOTS] = { 0 };

#define NEED(s, t)                                                          \
    do {                                                                    \
        if ( need[s] && need[s] != (t) )                                    \
            stress_fail("frame %u referenced as type %u and %u", s,         \
                        need[s], t);                                        \
        need[s] = (t);                                                      \
    } while ( 0 )

    for ( unsigned int i = 0; i < nr_held; i++ )
    {
        count[held[i].slot]++;
        if ( held[i].type )
        {
            tcount[held[i].slot]++;
            NEED(held[i].slot, held[i].type);
        }
    }
    for ( unsigned int s = 0; s < NR_SLOTS; s++ )
    {
        const struct page_info *p = pg(s);
        unsigned int level = page_type(p);
        const uint64_t *t = tab(s);

        if ( model_pinned[s] )
        {
            count[s]++;
            tcount[s]++;
        }
        if ( !guest_slot(s) || !(p->type_info & PGT_validated) )
            continue;
        if ( !is_table_type(level) )
            stress_fail("frame %u validated with type %u", s, level);
        for ( unsigned int i = 0; i < ENTRIES; i++ )
        {
            uint64_t e = t[i];
            int ts;

            if ( level == 4 && i >= 256 && i <= 271 )
            {
                if ( e != xen_slot(i) )
                    stress_fail("L4 %u slot %u is %#lx, not the shim's", s, i,
                                (unsigned long)e);
                continue;
            }
            if ( !(e & PTE_PRESENT) )
                continue;
            if ( (e & disallowed(level)) || !(e & PTE_USER) )
                stress_fail("L%u %u entry %u is %#lx", level, s, i,
                            (unsigned long)e);
            ts = slot_of((e & PTE_MFN_MASK) >> 12);
            if ( ts < 0 || !guest_slot(ts) )
                stress_fail("L%u %u entry %u maps %#lx, not the guest's", level,
                            s, i, (unsigned long)e);
            if ( level > 1 && (ts == (int)s || page_type(pg(ts)) == level) )
            {
                /* Linear: read only; a self-map holds no reference. */
                if ( e & PTE_RW )
                    stress_fail("L%u %u entry %u is a writable linear entry",
                                level, s, i);
                if ( ts == (int)s )
                    continue;
                lin_out[s]++;
                lin_in[ts]++;
                count[ts]++;
                tcount[ts]++;
                NEED(ts, level);
                continue;
            }
            count[ts]++;
            if ( level > 1 )
            {
                tcount[ts]++;
                NEED(ts, level - 1);
            }
            else if ( e & PTE_RW )
            {
                tcount[ts]++;
                NEED(ts, PGT_writable);
            }
        }
    }
#undef NEED

    for ( unsigned int s = 0; s < NR_SLOTS; s++ )
    {
        const struct page_info *p = pg(s);
        unsigned int tc = page_type_count(p);
        bool validated = p->type_info & PGT_validated;

        if ( !guest_slot(s) )
        {
            if ( p->count || p->type_info )
                stress_fail("shim frame %u: count %u type_info %#x", s,
                            p->count, p->type_info);
            continue;
        }
        if ( (lin_out[s] && lin_in[s]) ||
             (s < NR_FRAMES ? LIN(s) : 0) != lin_out[s] - lin_in[s] )
            stress_fail("frame %u: linear %d, has %d linear entries, is the "
                        "target of %d", s, s < NR_FRAMES ? LIN(s) : 0, lin_out[s],
                        lin_in[s]);
        if ( p->count != count[s] || tc != tcount[s] )
            stress_fail("frame %u: count %u type count %u (type %u), expected "
                        "%u and %u", s, p->count, tc, page_type(p), count[s],
                        tcount[s]);
        if ( tc && need[s] && page_type(p) != need[s] )
            stress_fail("frame %u has type %u, referenced as %u", s,
                        page_type(p), need[s]);
        if ( validated != (tc && is_table_type(page_type(p))) )
            stress_fail("frame %u: type %u count %u, validated %d", s,
                        page_type(p), tc, validated);
        if ( !!(p->type_info & PGT_pinned) != model_pinned[s] ||
             (model_pinned[s] && !validated) )
            stress_fail("frame %u: pinned flag %d, expected %d, validated %d",
                        s, !!(p->type_info & PGT_pinned), model_pinned[s],
                        validated);
        if ( s >= NR_FRAMES && tc && page_type(p) != PGT_writable )
            stress_fail("extra frame %u has type %u", s, page_type(p));
    }

    /*
     * Nothing that may still be in a TLB or paging-structure cache with
     * another type (writable, or a table of some level) has a new one,
     * unflushed.
     */
    for ( unsigned int s = 0; s < NR_SLOTS; s++ )
        if ( stale[s] && page_type_count(pg(s)) &&
             page_type(pg(s)) != stale[s] && !flush_owed )
            stress_fail("frame %u had type %u, is now type %u, no flush", s,
                        stale[s], page_type(pg(s)));
    if ( flush_owed )
    {
        memset(stale, 0, sizeof(stale));
        flush_owed = false;
    }
    for ( unsigned int s = 0; s < NR_SLOTS; s++ )
        if ( page_type(pg(s)) != PGT_none && page_type_count(pg(s)) )
            stale[s] = page_type(pg(s));
}

static void stress_refused(const struct snap *before, int rc)
{
    if ( rc >= 0 )
        stress_fail("rc %d", rc);
    snap_check(before, stress_op, stress_step);
}

static uint64_t expected_entry(unsigned int level, uint64_t val, uint64_t old,
                               bool preserve_ad)
{
    if ( preserve_ad )
        val = (val & ~PTE_AD) | (old & PTE_AD);
    if ( !(val & PTE_PRESENT) )
        return val;
    if ( level > 1 )
        return val | PTE_USER;
    return (val & PTE_USER) ? val : val | PTE_USER | PTE_GUEST_KERNEL;
}

static void stress_one(void)
{
    struct snap before;
    unsigned int op = rnd_below(100), s = rnd_slot();
    struct page_info *p = pg(s);
    unsigned int tc = page_type_count(p), type = page_type(p);
    bool valid = guest_slot(s) && (p->type_info & PGT_validated);
    int rc;

    snap_take(&before);
    harness_log_clear();
    if ( op < 20 )
    {
        /* The guest writes a frame it can map writable (or is refused). */
        bool may = guest_slot(s) && (!tc || type == PGT_writable);

        stress_op = "write";
        rc = get_page_type(&ft, M(s), PGT_writable);
        if ( (rc == 0) != may )
            stress_fail("writable type of frame %u (type %u count %u): rc %d",
                        s, type, tc, rc);
        if ( rc )
            stress_refused(&before, rc);
        else
        {
            if ( chance(15) )           /* a fresh page */
                memset(tab(s), 0, ENTRIES * sizeof(uint64_t));
            for ( unsigned int n = 1 + rnd_below(3); n; n-- )
                tab(s)[stress_idx[rnd_below(ARRAY_SIZE(stress_idx))]] =
                    rnd_entry(chance(90) ? lean(s) : rnd_below(5));
            if ( chance(5) )
                tab(s)[0] = BAD_DESC;
            put_page_type(&ft, M(s));
        }
    }
    else if ( op < 35 )
    {
        unsigned int level = PGT_l1 + rnd_below(4);

        stress_op = "pin";
        if ( chance(70) )
        {
            level = 1 + rnd_below(4);
            s = rnd_leaning(level);
            p = pg(s);
            tc = page_type_count(p);
            type = page_type(p);
            valid = p->type_info & PGT_validated;
        }
        rc = pin_table(&ft, M(s), level);
        if ( rc )
        {
            stress_refused(&before, rc);
            if ( valid && type == level && !model_pinned[s] )
                stress_fail("pin of a validated L%u %u: %d", level, s, rc);
        }
        else if ( model_pinned[s] )
            stress_fail("frame %u pinned twice", s);
        else
            model_pinned[s] = true;
    }
    else if ( op < 45 )
    {
        stress_op = "unpin";
        rc = unpin_table(&ft, M(s));
        if ( (rc == 0) != model_pinned[s] )
            stress_fail("unpin of frame %u: %d", s, rc);
        if ( rc )
            stress_refused(&before, rc);
        model_pinned[s] = false;
    }
    else if ( op < 80 )
    {
        /* Mostly on a live table. */
        unsigned int tables[NR_SLOTS], nr = 0, level, idx;
        uint64_t val, old = 0;
        bool pad = chance(30), ad_only = false, ok_target;

        stress_op = "mod";
        for ( unsigned int i = 0; i < NR_SLOTS; i++ )
            if ( pg(i)->type_info & PGT_validated )
                tables[nr++] = i;
        if ( nr && chance(90) )
            s = tables[rnd_below(nr)];
        p = pg(s);
        valid = guest_slot(s) && (p->type_info & PGT_validated);
        level = valid && chance(95) ? page_type(p) : rnd_below(6);
        idx = chance(97) ? stress_idx[rnd_below(ARRAY_SIZE(stress_idx))]
                         : ENTRIES + rnd_below(1000);
        if ( idx < ENTRIES )
            old = tab(s)[idx];
        val = rnd_entry(chance(90) ? level : 0);
        if ( chance(15) )
        {
            val = old ^ (rnd() & PTE_AD);
            ad_only = true;
        }
        ok_target = valid && page_type(p) == level && idx < ENTRIES &&
                    (level != 4 || idx < 256 || idx > 271);
        rc = mod_pt_entry(&ft, M(s), level, idx, val, pad);
        if ( rc )
        {
            stress_refused(&before, rc);
            if ( idx < ENTRIES && tab(s)[idx] != old )
                stress_fail("refused entry %u of %u changed", idx, s);
            if ( ok_target && ad_only )
                stress_fail("A/D change of %#lx refused: %d",
                            (unsigned long)old, rc);
        }
        else
        {
            if ( !ok_target )
                stress_fail("mod of L%u idx %u of frame %u accepted", level,
                            idx, s);
            if ( tab(s)[idx] != expected_entry(level, val, old, pad) )
                stress_fail("entry %u of %u is %#lx, %#lx was written", idx, s,
                            (unsigned long)tab(s)[idx], (unsigned long)val);
            if ( ad_only && (old & PTE_PRESENT) )
                snap_check(&before, "A/D change", stress_step);
        }
    }
    else if ( nr_held && chance(40) )
    {
        unsigned int i = rnd_below(nr_held);

        stress_op = "release";
        if ( held[i].type )
            put_page_and_type(&ft, M(held[i].slot));
        else
            put_page(&ft, M(held[i].slot));
        held[i] = held[--nr_held];
    }
    else if ( nr_held < MAX_HELD )
    {
        /* A general reference, a writable mapping, a GDT page or a CR3. */
        static const unsigned int types[] = {
            0, PGT_writable, PGT_seg_desc, PGT_l4,
        };
        unsigned int t = types[rnd_below(ARRAY_SIZE(types))];

        stress_op = "hold";
        rc = t ? get_page_and_type(&ft, M(s), t) : get_page(&ft, M(s));
        if ( rc )
            stress_refused(&before, rc);
        else
            held[nr_held++] = (struct held){ s, t };
    }
    check_counts();
}

/* ------------------------------------------------------------ several CPUs */

/*
 * The same random operations made by SMP_CPUS CPUs in turn (the domain
 * lock serialises them), with the TLB-flush clock running across its
 * stamps' 26-bit wrap and now and then leaping ahead (a stamp can be more
 * than 2^26 ticks old). A CPU that runs may cache any frame in use with
 * its type; it forgets them all when it loads CR3 (noting the clock) or
 * waits (on the shim's tables). On each type change the model flushes as
 * mm.c and x86/smp.c do (tlb_flush_stale(page_stale_since())): if a
 * running CPU's stamp is older than the frame's, every running CPU
 * through L0 at once, else this CPU if its own is. Then no CPU may still
 * cache the frame with its old type.
 */
#define SMP_CPUS        4

static struct smp_cpu {
    uint64_t stamp;                 /* the clock at its last CR3 load */
    bool idle;
    uint8_t cached[NR_SLOTS];       /* the type it may cache a frame with, 0: none */
} cpus[SMP_CPUS];
static bool smp_mode;
static uint64_t smp_clock, smp_all_flushed;
static unsigned int smp_cur;
static unsigned long smp_changes, smp_remote, smp_local;

static void smp_cr3_load(unsigned int c)
{
    cpus[c].stamp = smp_clock;
    memset(cpus[c].cached, 0, sizeof(cpus[c].cached));
}

static unsigned int slot_of_page(const struct page_info *p)
{
    if ( p >= pages && p < pages + NR_FRAMES )
        return p - pages;
    return NR_FRAMES + (p - ft.extra);
}

static void smp_owe_flush(const struct page_info *p)
{
    uint64_t since;
    bool others = false;
    unsigned int s;

    flush_owed = true;              /* for check_counts: a flush was asked for */
    if ( !p )
    {
        smp_cr3_load(smp_cur);      /* a local L1 change: this CPU */
        return;
    }
    s = slot_of_page(p);
    since = page_stale_since(p, smp_clock);
    smp_changes++;
    for ( unsigned int c = 0; c < SMP_CPUS; c++ )
        others |= c != smp_cur && !cpus[c].idle &&
                  (int64_t)(cpus[c].stamp - since) < 0 &&
                  (int64_t)(smp_all_flushed - since) < 0;
    if ( others )
    {
        for ( unsigned int c = 0; c < SMP_CPUS; c++ )
            if ( !cpus[c].idle )
                memset(cpus[c].cached, 0, sizeof(cpus[c].cached));
        smp_all_flushed = cpus[smp_cur].stamp = smp_clock;
        smp_remote++;
    }
    else if ( (int64_t)(cpus[smp_cur].stamp - since) < 0 )
    {
        smp_cr3_load(smp_cur);
        smp_local++;
    }
    for ( unsigned int c = 0; c < SMP_CPUS; c++ )
        if ( cpus[c].cached[s] )
            stress_fail("CPU %u may still cache frame %u as type %u (its stamp %#lx, "
                        "the frame's %#lx, clock %#lx)", c, s, cpus[c].cached[s],
                        (unsigned long)cpus[c].stamp, (unsigned long)since,
                        (unsigned long)smp_clock);
}

/* Before each operation: which CPU makes it, and what the others do meanwhile. */
static void smp_events(void)
{
    smp_cur = rnd_below(SMP_CPUS);
    if ( cpus[smp_cur].idle )
    {
        cpus[smp_cur].idle = false;         /* it wakes, back on its CR3 */
        smp_cr3_load(smp_cur);
    }
    for ( unsigned int c = 0; c < SMP_CPUS; c++ )
    {
        if ( c != smp_cur && chance(5) )
        {
            cpus[c].idle = !cpus[c].idle;
            smp_cr3_load(c);
        }
        else if ( !cpus[c].idle && chance(10) )
            smp_cr3_load(c);
        if ( cpus[c].idle )
            continue;
        for ( unsigned int n = rnd_below(8); n; n-- )
        {
            unsigned int s = rnd_slot();

            if ( page_type(pg(s)) != PGT_none && page_type_count(pg(s)) )
                cpus[c].cached[s] = page_type(pg(s));
        }
    }
    if ( chance(1) )
        smp_clock += (1ULL << 26) * rnd_below(3) + rnd_below(1u << 26);
}

static void stress(unsigned int seed, unsigned int steps, bool nx)
{
    stress_seed = seed;
    rng = 0x9e3779b97f4a7c15ULL * (seed + 1);
    ft.nx = nx;
    nr_held = 0;
    memset(model_pinned, 0, sizeof(model_pinned));
    memset(stale, 0, sizeof(stale));

    unsigned int max_tables = 0, max_l4_trees = 0;

    memset(mem, 0, NR_SLOTS * ENTRIES * sizeof(*mem));
    for ( stress_step = 0; stress_step < steps; stress_step++ )
    {
        unsigned int tables = 0, trees = 0;

        if ( smp_mode )
            smp_events();
        stress_one();
        for ( unsigned int s = 0; s < NR_SLOTS; s++ )
        {
            tables += !!(pg(s)->type_info & PGT_validated);
            /* A validated L4 with an L3 below: a tree. */
            if ( (pg(s)->type_info & PGT_validated) &&
                 page_type(pg(s)) == PGT_l4 )
                for ( unsigned int i = 0; i < 256; i++ )
                    if ( tab(s)[i] & PTE_PRESENT )
                    {
                        trees++;
                        break;
                    }
        }
        if ( tables > max_tables )
            max_tables = tables;
        if ( trees > max_l4_trees )
            max_l4_trees = trees;
    }
    /* The test saw real trees, not only refusals. */
    if ( max_tables < 16 || !max_l4_trees )
        fail_msg("seed %u: at most %u validated tables, %u L4 trees at once",
                 seed, max_tables, max_l4_trees);

    /* Everything released: all back to nothing. */
    stress_op = "teardown";
    for ( unsigned int s = 0; s < NR_SLOTS; s++ )
        if ( model_pinned[s] )
        {
            assert_int_equal(unpin_table(&ft, M(s)), 0);
            model_pinned[s] = false;
        }
    while ( nr_held )
    {
        struct held *h = &held[--nr_held];

        if ( h->type )
            put_page_and_type(&ft, M(h->slot));
        else
            put_page(&ft, M(h->slot));
    }
    check_counts();
    ASSERT_INITIAL();
}

static void test_stress(void **state)
{
    for ( unsigned int seed = 1; seed <= 6; seed++ )
        stress(seed, 5000, seed != 6);
}

static void test_stress_smp(void **state)
{
    ft.owe_flush = smp_owe_flush;
    ft.clock = &smp_clock;
    smp_mode = true;
    smp_changes = smp_remote = smp_local = 0;
    for ( unsigned int seed = 1; seed <= 6; seed++ )
    {
        smp_clock = (1ULL << 26) - 2000 * seed;     /* the stamps wrap early on */
        smp_all_flushed = 0;
        memset(cpus, 0, sizeof(cpus));
        for ( unsigned int c = 0; c < SMP_CPUS; c++ )
            smp_cr3_load(c);
        stress(100 + seed, 5000, true);
        if ( smp_clock < (1ULL << 26) )
            fail_msg("seed %u: the clock did not wrap its stamps", seed);
    }
    smp_mode = false;
    ft.clock = NULL;
    /* The model flushed for real, both ways. */
    if ( smp_changes < 1000 || smp_remote < 100 || smp_local < 20 )
        fail_msg("%lu type changes, %lu remote and %lu local flushes", smp_changes,
                 smp_remote, smp_local);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_get_put_page),
        T(test_get_page_out_of_range),
        T(test_get_page_not_guest),
        T(test_get_page_overflow),
        T(test_type_count_overflow),
        T(test_writable_cannot_become_table),
        T(test_table_cannot_become_writable),
        T(test_rw_mapping_of_table_refused),
        T(test_ro_mapping_of_table),
        T(test_l1_entry_bits),
        T(test_l1_validation_bits),
        T(test_upper_entry_bits),
        T(test_entry_adjustments),
        T(test_rw_and_ro_references),
        T(test_tree_validate_and_release),
        T(test_dying_frame_released_at_last_reference),
        T(test_shared_lower_tables),
        T(test_validate_fails_midway_l1),
        T(test_validate_fails_deep),
        T(test_linear_l2),
        T(test_linear_l4_l3),
        T(test_l4_xen_slots),
    T(test_pv32),
        T(test_mod_replaces_references),
        T(test_mod_same_frame_count_one),
        T(test_mod_ad_only),
        T(test_mod_preserve_ad),
        T(test_mod_bad_target),
        T(test_mod_refused_keeps_old),
        T(test_pin_twice),
        T(test_pin_bad_type),
        T(test_unpin_not_pinned),
        T(test_unpin_last_devalidates),
        T(test_flush_owed),
        T(test_flush_stamp),
        T(test_seg_desc),
        T(test_extra_frames),
        T(test_extra_frames_writable_only),
        T(test_ro_frame),
        T(test_extra_frame_in_range),
        T(test_owner_decides),
        T(test_stress),
        T(test_stress_smp),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
