/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/fuzz/fuzz-pagetype.c - pvops/pagetype.c: the input is a sequence of
 * operations on a fake frame table (10 guest frames, 2 of the shim's, the 3
 * extra frames): the guest writing a frame, pin, unpin, mod_pt_entry, and
 * references held as a CR3, a GDT or a mapping would, then dropped.
 *
 * The first byte: bit 0 NX, bit 1 a 32-bit PAE guest (Xen's pv32 rules:
 * 4-entry L3s whose slot 3 holds a hypervisor L2 of one L3 alone, RW and
 * US added to L3 entries, nothing added below, no L4, no linear L3).
 *
 * After every step the counts of every frame must equal those recomputed
 * from scratch (held references, pins, and the entries of every validated
 * table), so nothing leaks or underflows; no table is mapped writable; a
 * refused operation changes nothing; a frame in use as one type (writable,
 * a table level, descriptors) that takes another asks for a TLB flush. At the end everything is unpinned
 * and released, and every count must be back to zero.
 *
 * Op byte o, then arguments (slots modulo the 15; missing bytes are 0):
 *   o%8 = 0 write s idx e1 e2   1 pin s level   2 unpin s
 *         3,7 mod s level idx e1 e2 (o&8: preserve A/D)   4 hold s type
 *         5 release i   6 write two entries: s idx e1 e2 idx e1 e2
 * An entry e1 e2: e1 % 17 a slot (15, 16: outside the table), e1 >> 5 a
 * bad bit, e2 the flags (P RW U A D, bad bit, NX, AVL).
 */
#include "tests/fuzz/fuzz.h"

#include "pvops/pagetype.h"
#include "tests/unit/fake-frames.h"

#define NR_FRAMES   12
#define NOT_GUEST   10                      /* slots 10, 11: the shim's */
#define NS          (NR_FRAMES + FT_EXTRA)
#define FIRST_MFN   0x100UL
#define EXTRA_MFN   0x900UL
#define MAX_OPS     256
#define MAX_HELD    64

/* Slot 3: a 32-bit guest's L3 slot for its hypervisor L2; 511: that L2's compat M2P slot. */
static const unsigned int idxs[8] = { 0, 1, 3, 255, 256, 271, 272, 511 };

/* A 32-bit PAE guest (first input byte, bit 1): Xen's pv32 rules. */
static bool pv32;
static uint64_t compat_l2[512 - COMPAT_L2_FIRST_XEN];

static struct frame_table ft;
static struct page_info pages[NR_FRAMES];
static int16_t linear[NR_FRAMES];
static uint64_t mem[NS][512];
static uint64_t xen_l4[16];
static struct { unsigned int s, type; } held[MAX_HELD];
static unsigned int nr_held;
static bool pinned[NS], flush_owed;

/* ft.owe_flush: note the flush owed (either kind). */
static void owe_flush_fn(const struct page_info *pg)
{
    (void)pg;
    flush_owed = true;
}
/* The type each frame was seen in use with since the last flush (0: none). */
static unsigned int stale[NS];

static const uint8_t *in;
static size_t in_left;

static unsigned int next(void)
{
    if ( !in_left )
        return 0;
    in_left--;
    return *in++;
}

static unsigned long M(unsigned int s)
{
    return s < NR_FRAMES ? FIRST_MFN + s : EXTRA_MFN + s - NR_FRAMES;
}

static int slot(unsigned long mfn)
{
    if ( mfn - FIRST_MFN < NR_FRAMES )
        return mfn - FIRST_MFN;
    if ( mfn - EXTRA_MFN < FT_EXTRA )
        return NR_FRAMES + mfn - EXTRA_MFN;
    return -1;
}

static bool guest(int s)
{
    return s >= NOT_GUEST + 2 || (s >= 0 && s < NOT_GUEST);
}

static struct page_info *P(unsigned int s)
{
    return s < NR_FRAMES ? &pages[s] : &ft.extra[s - NR_FRAMES];
}

/* The linear count (only the range has them: the extra frames are never tables). */
static int LIN(unsigned int s)
{
    return s < NR_FRAMES ? linear[s] : 0;
}

static uint64_t *fake_map(unsigned long mfn)
{
    CHECK(guest(slot(mfn)));            /* only ever a guest frame's contents */
    return mem[slot(mfn)];
}

/* A descriptor page is refused when its first word has bit 9 set. */
static bool fake_check_desc(unsigned long mfn)
{
    CHECK(guest(slot(mfn)));
    return !(mem[slot(mfn)][0] & 0x200);
}

static uint64_t entry(void)
{
    static const uint64_t bad[8] = {
        0, 0, PTE_PWT, PTE_PCD, PTE_PSE, PTE_GLOBAL, 1UL << 51, 0,
    };
    unsigned int e1 = next(), e2 = next(), t = e1 % 17;
    unsigned long mfn = t < NS ? M(t) : t == NS ? FIRST_MFN + NR_FRAMES
                                                : PTE_MFN_MASK >> 12;
    uint64_t e = (uint64_t)mfn << 12;

    e |= (e2 & 0x1f) | ((e2 & 0x20) ? bad[e1 >> 5] : 0);
    e |= ((e2 & 0x40) ? PTE_NX : 0) | ((e2 & 0x80) ? 0x200 : 0);
    return e;
}

/* ---------------------------------------------------------------- checks */

struct snap {
    struct page_info pg[NS];
    int lin[NS];
    uint64_t mem[NS][8];
};

static void snap(struct snap *sn)
{
    for ( unsigned int s = 0; s < NS; s++ )
    {
        sn->pg[s] = *P(s);
        sn->lin[s] = LIN(s);
        for ( unsigned int i = 0; i < 8; i++ )
            sn->mem[s][i] = mem[s][idxs[i]];
    }
}

/*
 * Refused: no count, type, flag or entry moved (a stale type may go). A
 * validation that failed half-way leaves the entries before the bad one
 * adjusted (U, and the guest-kernel bit in an L1), as Xen's alloc_lN_table.
 */
static bool same_entry(uint64_t was, uint64_t now)
{
    const uint64_t adj = PTE_USER | PTE_GUEST_KERNEL | (pv32 ? PTE_RW : 0);

    return was == now || ((was & PTE_PRESENT) && (was & ~adj) == (now & ~adj));
}

static void unchanged(const struct snap *sn)
{
    for ( unsigned int s = 0; s < NS; s++ )
    {
        const struct page_info *a = &sn->pg[s], *b = P(s);

        CHECK(a->count == b->count && sn->lin[s] == LIN(s));
        CHECK(page_type_count(a) ? a->type_info == b->type_info
                                 : page_type_count(b) == 0 &&
                                   !(b->type_info & ~PGT_TYPE_MASK));
        /*
         * A 32-bit guest's frame that failed to become an L3 lost its
         * entries past the 4th (Xen's alloc_l3_table clears them first).
         */
        for ( unsigned int i = 0; i < 8; i++ )
            CHECK(same_entry(sn->mem[s][i], mem[s][idxs[i]]) ||
                  (pv32 && idxs[i] >= 4 && mem[s][idxs[i]] == 0));
    }
}

static bool is_table(unsigned int t)
{
    return pt_level(t) != 0;
}

static void need(unsigned int *n, unsigned int t)
{
    CHECK(!*n || *n == t);              /* one frame, two types */
    *n = t;
}

/* Every count equal to what the references present add up to. */
static void check_counts(void)
{
    uint32_t count[NS] = { 0 }, tcount[NS] = { 0 };
    unsigned int want[NS] = { 0 };
    int lin_out[NS] = { 0 }, lin_in[NS] = { 0 };

    for ( unsigned int i = 0; i < nr_held; i++ )
    {
        count[held[i].s]++;
        if ( held[i].type )
        {
            tcount[held[i].s]++;
            need(&want[held[i].s], held[i].type);
        }
    }
    for ( unsigned int s = 0; s < NS; s++ )
    {
        unsigned int type = page_type(P(s)), level = pt_level(type);

        if ( pinned[s] )
        {
            count[s]++;
            tcount[s]++;
        }
        if ( !(P(s)->type_info & PGT_validated) )
            continue;
        CHECK(guest(s) && is_table(type));
        CHECK(!pv32 || level != 4);             /* a 32-bit guest has no L4 */
        for ( unsigned int i = 256; level == 4 && i <= 271; i++ )
            CHECK(mem[s][i] == (i == 256 ? 0 : xen_l4[i - 256]));
        /* Its hypervisor L2: the compat M2P slots, held by one L3 alone. */
        if ( type == PGT_l2_xen )
            CHECK(pv32 && mem[s][511] == compat_l2[511 - COMPAT_L2_FIRST_XEN] &&
                  page_type_count(P(s)) <= 1);
        /* A 32-bit guest's L3: 4 entries, slot 3 always present, the rest zero. */
        if ( pv32 && level == 3 )
        {
            CHECK(mem[s][3] & PTE_PRESENT);
            for ( unsigned int k = 3; k < 8; k++ )
                CHECK(mem[s][idxs[k]] == 0);
        }
        for ( unsigned int k = 0; k < 8; k++ )
        {
            unsigned int i = idxs[k];
            uint64_t e = mem[s][i], bad = PTE_PWT | PTE_PCD | PTE_PSE |
                         (level > 1 ? PTE_GLOBAL : 0) |
                         (ft.nx && !(pv32 && level == 3) ? 0 : PTE_NX);
            int t = slot((e & PTE_MFN_MASK) >> 12);

            if ( (level == 4 && i >= 256 && i <= 271) ||
                 (type == PGT_l2_xen && i >= COMPAT_L2_FIRST_XEN) || !(e & PTE_PRESENT) )
                continue;
            CHECK(!(e & bad) && guest(t));
            /* U (and RW on a 32-bit L3, for long mode's walk) where the rules add it. */
            CHECK(pv32 ? level != 3 || ((e & PTE_USER) && (e & PTE_RW)) : !!(e & PTE_USER));
            /* A 32-bit L3's slot 3 names its hypervisor L2; no linear L3. */
            if ( pv32 && level == 3 )
            {
                CHECK(t != (int)s && pt_level(page_type(P(t))) != 3);
                count[t]++;
                tcount[t]++;
                need(&want[t], i == 3 ? PGT_l2_xen : PGT_l2);
                continue;
            }
            if ( level > 1 && (t == (int)s || pt_level(page_type(P(t))) == level) )
            {
                CHECK(!(e & PTE_RW));   /* linear: read-only */
                if ( t == (int)s )
                    continue;
                lin_out[s]++;
                lin_in[t]++;
                count[t]++;
                tcount[t]++;
                need(&want[t], level);
                continue;
            }
            count[t]++;
            if ( level > 1 || (e & PTE_RW) )
            {
                tcount[t]++;
                need(&want[t], level > 1 ? level - 1 : PGT_writable);
            }
        }
    }

    for ( unsigned int s = 0; s < NS; s++ )
    {
        const struct page_info *p = P(s);
        unsigned int tc = page_type_count(p);

        if ( !guest(s) )
        {
            CHECK(!p->count && !p->type_info);
            continue;
        }
        CHECK(p->count == count[s] && tc == tcount[s]);
        CHECK(!tc || !want[s] || page_type(p) == want[s]);
        CHECK(!!(p->type_info & PGT_validated) == (tc && is_table(page_type(p))));
        CHECK(page_type(p) != PGT_l2_xen || tc <= 1);
        CHECK(!!(p->type_info & PGT_pinned) == pinned[s]);
        CHECK(!(lin_out[s] && lin_in[s]) && LIN(s) == lin_out[s] - lin_in[s]);
        CHECK(s < NR_FRAMES || !tc || page_type(p) == PGT_writable);
        /* In use as one type, now another: only after a flush was asked for. */
        CHECK(!stale[s] || !tc || page_type(p) == stale[s] || flush_owed);
    }
    if ( flush_owed )
    {
        memset(stale, 0, sizeof(stale));
        flush_owed = false;
    }
    for ( unsigned int s = 0; s < NS; s++ )
        if ( page_type_count(P(s)) )
            stale[s] = page_type(P(s));
}

/* ---------------------------------------------------------------- steps */

static void guest_write(unsigned int s, unsigned int n)
{
    struct page_info *p = P(s);
    bool may = guest(s) && (!page_type_count(p) || page_type(p) == PGT_writable);
    struct snap sn;
    int rc;

    snap(&sn);
    rc = get_page_type(&ft, M(s), PGT_writable);
    CHECK((rc == 0) == may);
    if ( rc )
    {
        unchanged(&sn);
        return;
    }
    while ( n-- )
    {
        unsigned int i = idxs[next() % 8];

        mem[s][i] = entry();
    }
    put_page_type(&ft, M(s));
}

static void step(unsigned int op)
{
    unsigned int s = next() % NS, level, i;
    struct snap sn;
    uint64_t old = 0, val;
    bool ok;
    int rc;

    snap(&sn);
    switch ( op % 8 )
    {
    case 0:
    case 6:
        guest_write(s, op % 8 ? 2 : 1);
        break;
    case 1:
        level = next() % 5;
        if ( pv32 && level == 4 )
            level = 3;                  /* mm.c: PIN_L4 is nothing for a 32-bit guest */
        rc = pin_table(&ft, M(s), level);
        if ( rc )
            unchanged(&sn);
        else
        {
            CHECK(!pinned[s] && is_table(level));
            pinned[s] = true;
        }
        break;
    case 2:
        rc = unpin_table(&ft, M(s));
        CHECK((rc == 0) == pinned[s]);
        if ( rc )
            unchanged(&sn);
        pinned[s] = false;
        break;
    case 3:
    case 7:
        level = next() % 6;
        i = next() % 10;
        i = i < 8 ? idxs[i] : 512 + i;
        if ( i < 512 )
            old = mem[s][i];
        val = entry();
        /* As mm.c calls it: the table's level (a hypervisor L2 is an L2). */
        ok = guest(s) && (P(s)->type_info & PGT_validated) &&
             pt_level(page_type(P(s))) == level && i < 512 &&
             (level != 4 || i < 256 || i > 271) &&
             !(pv32 && level == 3 && i >= 3) &&
             !(page_type(P(s)) == PGT_l2_xen && i >= COMPAT_L2_FIRST_XEN);
        rc = mod_pt_entry(&ft, M(s), level, i, val, op & 8);
        CHECK(!rc || rc < 0);
        if ( rc )
        {
            unchanged(&sn);
            CHECK(i >= 512 || mem[s][i] == old);
            break;
        }
        /* Accepted: where it may be, and stored as mmu_update adjusts it. */
        CHECK(ok);
        if ( op & 8 )
            val = (val & ~(PTE_ACCESSED | PTE_DIRTY)) |
                  (old & (PTE_ACCESSED | PTE_DIRTY));
        if ( pv32 )
            val |= (val & PTE_PRESENT) && level == 3 ? PTE_USER | PTE_RW : 0;
        else if ( (val & PTE_PRESENT) && (level > 1 || !(val & PTE_USER)) )
            val |= PTE_USER | (level == 1 ? PTE_GUEST_KERNEL : 0);
        CHECK(mem[s][i] == val);
        break;
    case 4:
    {
        static const unsigned int types[] = {
            0, PGT_writable, PGT_seg_desc, PGT_l4, PGT_l1, 0, PGT_writable, 0,
        };
        unsigned int t = types[next() % 8];

        if ( pv32 && t == PGT_l4 )
            t = PGT_l3;                 /* a 32-bit guest's CR3 holds an L3 */
        if ( nr_held == MAX_HELD )
            break;
        rc = t ? get_page_and_type(&ft, M(s), t) : get_page(&ft, M(s));
        if ( rc )
            unchanged(&sn);
        else
            held[nr_held++] = (typeof(held[0])){ s, t };
        break;
    }
    case 5:
        if ( !nr_held )
            break;
        i = s % nr_held;
        if ( held[i].type )
            put_page_and_type(&ft, M(held[i].s));
        else
            put_page(&ft, M(held[i].s));
        held[i] = held[--nr_held];
        break;
    }
    check_counts();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool owners;

    /* The owners never change here: the range's and the extra frames'. */
    if ( !owners )
    {
        fake_frames_init();
        CHECK(frame_set_owner(FIRST_MFN, NOT_GUEST, FRAME_guest) &&
              frame_set_owner(FIRST_MFN + NOT_GUEST, NR_FRAMES - NOT_GUEST,
                              FRAME_shim) &&
              frame_set_owner(EXTRA_MFN, 2, FRAME_ring) &&
              frame_set_owner(EXTRA_MFN + 2, 1, FRAME_shared));
        owners = true;
    }
    memset(pages, 0, sizeof(pages));
    memset(linear, 0, sizeof(linear));
    memset(mem, 0, sizeof(mem));
    memset(pinned, 0, sizeof(pinned));
    memset(stale, 0, sizeof(stale));
    flush_owed = false;
    nr_held = 0;
    for ( unsigned int i = 0; i < 16; i++ )
        xen_l4[i] = ((0xf000UL + i) << 12) | PTE_PRESENT | PTE_RW;
    pv32 = size && (data[0] & 2);
    for ( unsigned int i = 0; i < 512 - COMPAT_L2_FIRST_XEN; i++ )
        compat_l2[i] = ((0xe000UL + i) << 12) | PTE_PRESENT | PTE_ACCESSED;
    ft = (struct frame_table){
        .pages = pages, .linear = linear, .first_mfn = FIRST_MFN, .nr = NR_FRAMES,
        .extra_mfn = { EXTRA_MFN, EXTRA_MFN + 1, EXTRA_MFN + 2 },
        .map = fake_map, .xen_l4 = xen_l4, .owe_flush = owe_flush_fn,
        .check_desc_page = fake_check_desc,
        .nx = size && (data[0] & 1),
        .pv32 = pv32, .compat_l2_xen = compat_l2,
    };

    in = data + !!size;
    in_left = size - !!size;
    for ( unsigned int n = 0; in_left && n < MAX_OPS; n++ )
        step(next());

    /* Undo everything: every count back to zero, no table left. */
    for ( unsigned int s = 0; s < NS; s++ )
        if ( pinned[s] )
        {
            CHECK(unpin_table(&ft, M(s)) == 0);
            pinned[s] = false;
        }
    while ( nr_held )
    {
        nr_held--;
        if ( held[nr_held].type )
            put_page_and_type(&ft, M(held[nr_held].s));
        else
            put_page(&ft, M(held[nr_held].s));
    }
    check_counts();
    for ( unsigned int s = 0; s < NS; s++ )
        CHECK(!P(s)->count && !page_type_count(P(s)) && !LIN(s) &&
              !(P(s)->type_info & (PGT_validated | PGT_pinned)));
    return 0;
}
