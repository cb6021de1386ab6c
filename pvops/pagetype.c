/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/pagetype.c - page types, reference counts and page-table entry
 * checks for a 64-bit PV guest (after xen/arch/x86/mm.c: get_page_type,
 * get_page_from_lNe, mod_lN_entry, and pv/mm.h adjust_guest_lNe).
 */
#include "pvops/pagetype.h"
#include "lib/printk.h"

/* Why a page-table change was refused, at debug log level (loglvl=all). */
#define refuse(rc, ...) ({ pr_debug(__VA_ARGS__); (rc); })

/* Bits a guest may set in a present entry (Xen's base_disallow_mask): P RW
 * US A D, the three AVAIL bits 9-11, bits 52-62 and NX. */
#define BASE_ALLOWED  (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | \
                       PTE_DIRTY | 0xe00UL | (0x7ffUL << 52) | PTE_NX | \
                       PTE_MFN_MASK)
/* A plain domU gets write-back only: no PWT, PCD, PAT in L1 (l1_disallow_mask). */
#define L1_ALLOWED    (BASE_ALLOWED | PTE_GLOBAL)
/* L2-L4: no PSE (no superpages for PV), G, PWT or PCD either. */
#define UPPER_ALLOWED BASE_ALLOWED
/*
 * A pv32 guest's L3 (Xen's l3_disallow_mask, 0xFFFFF198 on the flag word):
 * P RW US A D and bits 9-11; none of 52-63, NX included.
 */
#define L3_PV32_ALLOWED (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | \
                         PTE_DIRTY | 0xe00UL | PTE_MFN_MASK)

#define HYPERVISOR_L4_FIRST 256
#define HYPERVISOR_L4_LAST  271

struct page_info *frame_info(struct frame_table *ft, unsigned long mfn)
{
    switch ( frame_owner(mfn) )
    {
    case FRAME_guest:
    case FRAME_dying:
        return mfn - ft->first_mfn < ft->nr ? &ft->pages[mfn - ft->first_mfn]
                                            : NULL;
    case FRAME_ring:
    case FRAME_shared:
        for ( unsigned int i = 0; i < FT_EXTRA; i++ )
            if ( mfn == ft->extra_mfn[i] )
                return &ft->extra[i];
        return NULL;
    case FRAME_grant:
    case FRAME_ro:
        return mfn - ft->win_first < ft->win_nr ? &ft->win[mfn - ft->win_first]
                                                : NULL;
    default:
        return NULL;
    }
}

/* The linear count of a table: only the guest's RAM can be one. */
static int16_t *linear_of(struct frame_table *ft, unsigned long mfn)
{
    return &ft->linear[mfn - ft->first_mfn];
}

int get_page(struct frame_table *ft, unsigned long mfn)
{
    struct page_info *pg = frame_info(ft, mfn);

    /* Not the guest's: Xen says -EINVAL for frames it may not map. */
    if ( !pg )
        return refuse(-XEN_EINVAL, "mfn %#lx is not the guest's\n", mfn);
    if ( pg->count == UINT32_MAX )
        return -XEN_EOVERFLOW;
    pg->count++;
    return 0;
}

void put_page(struct frame_table *ft, unsigned long mfn)
{
    struct page_info *pg = frame_info(ft, mfn);

    if ( !pg || !pg->count )
        return;
    /* The last reference to RAM the guest gave back: it goes now. */
    if ( !--pg->count && !page_type_count(pg) && ft->release &&
         frame_owner(mfn) == FRAME_dying )
        ft->release(mfn);
}

static bool is_table(unsigned int type)
{
    return pt_level(type) != 0;
}

static uint64_t allowed_bits(const struct frame_table *ft, unsigned int level)
{
    uint64_t a = level == 1 ? L1_ALLOWED :
                 ft->pv32 && level == 3 ? L3_PV32_ALLOWED : UPPER_ALLOWED;

    return ft->nx ? a : a & ~PTE_NX;
}

/*
 * An entry as the CPU is to see it (Xen's adjust_guest_lNe). 64-bit PV:
 * the kernel runs in ring 3, so kernel pages (no U) get U and the
 * guest-kernel bit, upper entries U. pv32: the kernel is in ring 1 and
 * nothing changes but the L3 entries, which long mode walks as L3s with
 * RW and US (PAE's own have neither).
 */
static uint64_t adjust(const struct frame_table *ft, unsigned int level, uint64_t v)
{
    if ( ft->pv32 )
        return level == 3 ? v | PTE_USER | PTE_RW : v;
    if ( level > 1 )
        return v | PTE_USER;
    return v & PTE_USER ? v : v | PTE_USER | PTE_GUEST_KERNEL;
}

static int get_page_from_entry(struct frame_table *ft, unsigned long self,
                               unsigned int level, unsigned int idx, uint64_t *e);
static void put_page_from_entry(struct frame_table *ft, unsigned long self,
                                unsigned int level, uint64_t e);

static bool l4_slot_is_guest(unsigned int idx)
{
    return idx < HYPERVISOR_L4_FIRST || idx > HYPERVISOR_L4_LAST;
}

/* The guest's slots of a table of this type: not the hypervisor's, nor past a PAE L3's 4. */
static bool slot_is_guest(const struct frame_table *ft, unsigned int type,
                          unsigned int idx)
{
    switch ( type )
    {
    case PGT_l4:     return l4_slot_is_guest(idx);
    case PGT_l3:     return !ft->pv32 || idx < 4;
    case PGT_l2_xen: return idx < COMPAT_L2_FIRST_XEN;
    default:         return true;
    }
}

/*
 * Take references for every entry of a new table; undo all on failure. An
 * L4 gets the hypervisor's slots only once it is valid: a frame that fails
 * stays the guest's data, and must not show it the shim's entries. A pv32
 * L3 is 4 entries in a page the CPU walks whole: the rest is zeroed, as
 * Xen does, and its slot 3 must map an L2 (which gets the compat M2P).
 */
static int validate_table(struct frame_table *ft, unsigned long mfn,
                          unsigned int type)
{
    unsigned int level = pt_level(type);
    uint64_t *t = ft->map(mfn);
    int rc;

    if ( ft->pv32 && type == PGT_l3 )
    {
        for ( unsigned int i = 4; i < 512; i++ )
            t[i] = 0;
        if ( !(t[3] & PTE_PRESENT) )
            return refuse(-XEN_EINVAL, "pv32 L3 without slot 3\n");
    }
    for ( unsigned int i = 0; i < 512; i++ )
    {
        /* Empty entries hold nothing: the common case, first. */
        if ( !(t[i] & PTE_PRESENT) || !slot_is_guest(ft, type, i) )
            continue;
        if ( (rc = get_page_from_entry(ft, mfn, level, i, &t[i])) )
        {
            while ( i-- )
                if ( slot_is_guest(ft, type, i) )
                    put_page_from_entry(ft, mfn, level, t[i]);
            return rc;
        }
    }
    /* The hypervisor's slots: ours, whatever the guest wrote. */
    for ( unsigned int i = HYPERVISOR_L4_FIRST;
          type == PGT_l4 && i <= HYPERVISOR_L4_LAST; i++ )
        t[i] = i == HYPERVISOR_L4_FIRST && !ft->ro_mpt_at_promotion
               ? 0 : ft->xen_l4[i - HYPERVISOR_L4_FIRST];
    for ( unsigned int i = COMPAT_L2_FIRST_XEN; type == PGT_l2_xen && i < 512; i++ )
        t[i] = ft->compat_l2_xen[i - COMPAT_L2_FIRST_XEN];
    return 0;
}

static void devalidate_table(struct frame_table *ft, unsigned long mfn,
                             unsigned int type)
{
    const uint64_t *t = ft->map(mfn);

    for ( unsigned int i = 0; i < 512; i++ )
        if ( (t[i] & PTE_PRESENT) && slot_is_guest(ft, type, i) )
            put_page_from_entry(ft, mfn, pt_level(type), t[i]);
}

int get_page_type(struct frame_table *ft, unsigned long mfn, unsigned int type)
{
    struct page_info *pg = frame_info(ft, mfn);
    unsigned int count, owner;
    uint32_t old;
    int rc;

    if ( !pg )
        return refuse(-XEN_EINVAL, "mfn %#lx is not the guest's\n", mfn);
    if ( type == PGT_l2_xen && !ft->pv32 )
        return -XEN_EINVAL;
    /*
     * The extra frames are written behind the guest's back (shared_info by
     * the shim, the rings by L0's backends): writable only, as Xen's
     * share_xen_page_with_guest pins their type, never a table or GDT/LDT.
     */
    owner = frame_owner(mfn);
    if ( owner == FRAME_grant || owner == FRAME_ro ||
         (owner != FRAME_guest && owner != FRAME_dying && type != PGT_writable) )
        return refuse(owner == FRAME_ro && type == PGT_writable ? -XEN_EBUSY
                                                                : -XEN_EINVAL,
                      "mfn %#lx is shared: %s\n", mfn,
                      owner == FRAME_ring || owner == FRAME_shared
                      ? "writable only" : "no type");
    count = page_type_count(pg);

    if ( count )
    {
        /*
         * In use as something: only more of the same. Xen says -EBUSY to a
         * writable mapping of a live table, -EINVAL to the other conflicts.
         */
        if ( page_type(pg) != type )
            return refuse(type == PGT_writable ? -XEN_EBUSY : -XEN_EINVAL,
                          "mfn %#lx has type %u (count %u), not %u\n",
                          mfn, page_type(pg), count, type);
        if ( is_table(type) && !(pg->type_info & PGT_validated) )
            return refuse(-XEN_EINVAL, "mfn %#lx: table refers to itself\n", mfn);
        if ( count == PGT_COUNT_MASK )
            return -XEN_EOVERFLOW;
        pg->type_info++;
        return 0;
    }

    /*
     * Count 0: the frame may take a new type. A table is typed first and
     * marked not yet validated, so an entry leading back to it through
     * other tables finds a conflicting type, or an unvalidated one, and is
     * refused (only the one-level linear entries of get_linear pass).
     */
    if ( page_type(pg) != PGT_none && page_type(pg) != type )
        ft->owe_flush(pg);              /* stale TLB entries of the old use */
    /*
     * A failure leaves the frame as it was, old type and stamp: the next
     * use of another type still owes the flush (a table that failed to
     * validate again may still be in another CPU's paging-structure cache).
     */
    old = pg->type_info;
    pg->type_info = (type << PGT_TYPE_SHIFT) | 1;
    if ( type == PGT_seg_desc &&
         (!ft->check_desc_page || !ft->check_desc_page(mfn)) )
    {
        pg->type_info = old;
        return refuse(-XEN_EINVAL, "mfn %#lx: bad descriptor\n", mfn);
    }
    if ( !is_table(type) )
        return 0;
    if ( (rc = validate_table(ft, mfn, type)) )
    {
        pg->type_info = old;
        return rc;
    }
    pg->type_info |= PGT_validated;
    return 0;
}

void put_page_type(struct frame_table *ft, unsigned long mfn)
{
    struct page_info *pg = frame_info(ft, mfn);
    unsigned int type;

    if ( !pg || !page_type_count(pg) )
        return;
    type = page_type(pg);
    if ( page_type_count(pg) == 1 && is_table(type) )
    {
        /* The last use of a table: release what its entries hold. */
        pg->type_info = (type << PGT_TYPE_SHIFT) | 1;   /* no longer validated */
        devalidate_table(ft, mfn, type);
        pg->type_info = type << PGT_TYPE_SHIFT;
    }
    else
        pg->type_info--;
    if ( !page_type_count(pg) && ft->clock )
        pg->type_info = (pg->type_info & PGT_TYPE_MASK) | PGT_stamped |
                        (++*ft->clock & PGT_COUNT_MASK);
}

int get_page_and_type(struct frame_table *ft, unsigned long mfn, unsigned int type)
{
    int rc = get_page(ft, mfn);

    if ( rc )
        return rc;
    if ( (rc = get_page_type(ft, mfn, type)) )
        put_page(ft, mfn);
    return rc;
}

void put_page_and_type(struct frame_table *ft, unsigned long mfn)
{
    put_page_type(ft, mfn);
    put_page(ft, mfn);
}

/*
 * Check one entry of a level-'level' table and take its references.
 * L1 entries are adjusted as Xen does for 64-bit PV (adjust_guest_l1e):
 * kernel pages (no U) get U and the guest-kernel bit, since the guest
 * kernel runs in ring 3; L2-L4 entries get U.
 */
/*
 * A same-level entry (Xen's get_lN_linear_pagetable, XSA-240 rules): read
 * only; to the table itself (no reference), or to another validated table
 * of this level that has no such entries of its own, from a table that is
 * not itself such a target.
 */
static int get_linear(struct frame_table *ft, unsigned long self,
                      unsigned int level, uint64_t v, unsigned long mfn)
{
    struct page_info *pg = frame_info(ft, mfn), *me = frame_info(ft, self);
    int rc;

    if ( v & PTE_RW )
        return refuse(-XEN_EINVAL, "writable linear L%u entry\n", level);
    if ( mfn == self )
        return 0;
    if ( !pg || !me || page_type(pg) != level || !page_type_count(pg) ||
         !(pg->type_info & PGT_validated) )
        return -XEN_EINVAL;
    if ( *linear_of(ft, mfn) > 0 || *linear_of(ft, self) < 0 ||
         *linear_of(ft, mfn) == INT16_MIN || *linear_of(ft, self) == INT16_MAX )
        return refuse(-XEN_EINVAL, "linear L%u entry: one level only\n", level);
    if ( (rc = get_page_and_type(ft, mfn, level)) )
        return rc;
    (*linear_of(ft, mfn))--;
    (*linear_of(ft, self))++;
    return 0;
}

/*
 * Check one entry of a level-'level' table (frame self) and take its
 * references. L1 entries are adjusted as Xen does for 64-bit PV
 * (adjust_guest_l1e): kernel pages (no U) get U and the guest-kernel bit,
 * since the guest kernel runs in ring 3; L2-L4 entries get U.
 */
static int get_page_from_entry(struct frame_table *ft, unsigned long self,
                               unsigned int level, unsigned int idx, uint64_t *e)
{
    uint64_t v = *e, allowed = allowed_bits(ft, level);
    unsigned long mfn = (v & PTE_MFN_MASK) >> 12;
    unsigned int below;
    int rc;

    if ( !(v & PTE_PRESENT) )
        return 0;
    if ( v & ~allowed )
        return refuse(-XEN_EINVAL, "L%u entry %u: bits %#lx not allowed\n", level,
                      idx, (unsigned long)(v & ~allowed));

    if ( level == 1 )
    {
        /*
         * A frame that is not the guest's: Xen treats it as I/O memory the
         * domU may not map, -EPERM (get_page_from_l1e), but INVALID_MFN
         * (all ones) is simply invalid.
         */
        if ( !frame_info(ft, mfn) )
            return refuse(mfn == (PTE_MFN_MASK >> 12) ? -XEN_EINVAL : -XEN_EPERM,
                          "L1 entry %u: mfn %#lx is not the guest's\n", idx, mfn);
        /* A grant-table frame: read-only, stores emulated (PTE_WR_EMUL). */
        if ( frame_owner(mfn) == FRAME_grant && (v & PTE_RW) )
            v = (v & ~PTE_RW) | PTE_WR_EMUL;
        rc = (v & PTE_RW) ? get_page_and_type(ft, mfn, PGT_writable)
                          : get_page(ft, mfn);
        if ( rc )
            return rc;
        *e = adjust(ft, 1, v);
        return 0;
    }

    /*
     * The next level down must be a table of that level, or a linear
     * entry (not from a pv32 L3). A pv32 L3's slot 3 takes its L2 as
     * PGT_l2_xen, which no other L3 may hold (Xen's pae_xen_mappings_check).
     */
    below = ft->pv32 && level == 3 && idx == 3 ? PGT_l2_xen : level - 1;
    rc = get_page_and_type(ft, mfn, below);
    if ( rc == -XEN_EINVAL && frame_info(ft, mfn) && !(ft->pv32 && level == 3) )
        rc = get_linear(ft, self, level, v, mfn);
    if ( rc )
        return rc;
    if ( below == PGT_l2_xen && page_type_count(frame_info(ft, mfn)) != 1 )
    {
        put_page_and_type(ft, mfn);
        return refuse(-XEN_EINVAL, "pv32 L3 slot 3: L2 %#lx is another L3's\n", mfn);
    }
    *e = adjust(ft, level, v);
    return 0;
}

static void put_page_from_entry(struct frame_table *ft, unsigned long self,
                                unsigned int level, uint64_t e)
{
    unsigned long mfn = (e & PTE_MFN_MASK) >> 12;
    struct page_info *pg;

    if ( !(e & PTE_PRESENT) )
        return;
    if ( level == 1 )
    {
        if ( e & PTE_RW )
            put_page_and_type(ft, mfn);
        else
            put_page(ft, mfn);
        return;
    }
    if ( mfn == self )
        return;                         /* a self-map holds nothing */
    pg = frame_info(ft, mfn);
    if ( pg && page_type(pg) == level )
    {
        /* A linear entry (the target keeps its type while referenced). */
        (*linear_of(ft, mfn))++;
        (*linear_of(ft, self))--;
    }
    put_page_and_type(ft, mfn);
}

/* Entries that change nothing but A/D (or nothing at all) need no new refs. */
static bool same_mapping(uint64_t a, uint64_t b)
{
    const uint64_t ad = PTE_ACCESSED | PTE_DIRTY;

    return (a & ~ad) == (b & ~ad);
}

/*
 * The entry's new value. With preserve_ad, the accessed and dirty bits are
 * what the entry has at the moment of the store: another CPU's hardware
 * may set them while the shim works (Xen's cmpxchg loop in update_intpte);
 * the other bits cannot change under the domain lock.
 */
static void write_pte(uint64_t *p, uint64_t val, bool preserve_ad)
{
    const uint64_t ad = PTE_ACCESSED | PTE_DIRTY;
    uint64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);

    if ( !preserve_ad )
    {
        __atomic_store_n(p, val, __ATOMIC_RELAXED);
        return;
    }
    while ( !__atomic_compare_exchange_n(p, &cur, (val & ~ad) | (cur & ad), false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_RELAXED) )
        ;
}

int mod_pt_entry(struct frame_table *ft, unsigned long mfn, unsigned int level,
                 unsigned int idx, uint64_t val, bool preserve_ad)
{
    struct page_info *pg = frame_info(ft, mfn);
    uint64_t *t, old, new = val;
    int rc;

    if ( !pg || level < 1 || level > 4 || idx >= 512 ||
         pt_level(page_type(pg)) != level || !(pg->type_info & PGT_validated) )
        return -XEN_EINVAL;
    if ( !slot_is_guest(ft, page_type(pg), idx) )
        /* The hypervisor's slots; a pv32 L3's 3 (and past it) can only change with the L3 */
        return page_type(pg) == PGT_l2_xen ? -XEN_EPERM : -XEN_EINVAL;
    if ( ft->pv32 && level == 3 && idx == 3 )
        return -XEN_EINVAL;

    t = ft->map(mfn);
    old = t[idx];
    if ( preserve_ad )
        new = (new & ~(PTE_ACCESSED | PTE_DIRTY)) |
              (old & (PTE_ACCESSED | PTE_DIRTY));

    /* Only A/D (or nothing) changes: same references, after the same checks. */
    if ( (old & PTE_PRESENT) && (new & PTE_PRESENT) && same_mapping(old, new) )
    {
        /* Re-check the bits; references stay as they are. */
        if ( new & ~allowed_bits(ft, level) )
            return -XEN_EINVAL;
        write_pte(&t[idx], adjust(ft, level, new), preserve_ad);
        return 0;
    }

    if ( (rc = get_page_from_entry(ft, mfn, level, idx, &new)) )
        return rc;
    write_pte(&t[idx], new, preserve_ad);
    put_page_from_entry(ft, mfn, level, old);
    return 0;
}

int l1_set_raw(struct frame_table *ft, unsigned long mfn, unsigned int idx,
               uint64_t val, uint64_t *old, bool drop_old)
{
    struct page_info *pg = frame_info(ft, mfn);
    uint64_t *t;

    if ( !pg || idx >= 512 || page_type(pg) != PGT_l1 ||
         !(pg->type_info & PGT_validated) || !page_type_count(pg) )
        return -XEN_EINVAL;
    t = ft->map(mfn);
    *old = t[idx];
    t[idx] = val;
    if ( drop_old )
        put_page_from_entry(ft, mfn, 1, *old);
    if ( *old & PTE_PRESENT )
        ft->owe_flush(NULL);            /* the old mapping may be cached */
    return 0;
}

int pin_table(struct frame_table *ft, unsigned long mfn, unsigned int type)
{
    struct page_info *pg = frame_info(ft, mfn);
    int rc;

    /* The guest pins L1-L4 (an L2 under a pv32 L3's slot 3 is pinned with its L3). */
    if ( !pg || type < PGT_l1 || type > PGT_l4 )
        return -XEN_EINVAL;
    if ( pg->type_info & PGT_pinned )
        return -XEN_EINVAL;             /* pinned twice */
    if ( (rc = get_page_and_type(ft, mfn, type)) )
        return rc;
    pg->type_info |= PGT_pinned;
    return 0;
}

int unpin_table(struct frame_table *ft, unsigned long mfn)
{
    struct page_info *pg = frame_info(ft, mfn);

    if ( !pg || !(pg->type_info & PGT_pinned) )
        return -XEN_EINVAL;
    pg->type_info &= ~PGT_pinned;
    put_page_and_type(ft, mfn);
    return 0;
}
