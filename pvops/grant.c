/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/grant.c - the guest's grant table: L0's grant table of the
 * container, mapped into a window of the container's frame space (as Xen's
 * shim does), with every store into a shared entry checked (which Xen's
 * shim does not: there the guest can grant the shim's own frames, or its
 * live page tables, to a backend).
 *
 * The rules for a store into entry ref (Xen's common/grant_table.c and the
 * protocol in public/grant_table.h, seen from the granting side):
 *   - An entry that permits access names a frame the guest owns (its RAM,
 *     or L0's xenstore and console rings), never the shim's, a grant frame
 *     or shared_info. On activation the frame takes a reference, and the
 *     writable type unless GTF_readonly: it cannot become a page table or
 *     descriptor page while a backend may write it. That hold is what
 *     held[]/held_rw[] record, and held_frame[] which frame (L0 clears
 *     the entries on a version change; the holds must still be let go).
 *   - The hold ends when the entry is inactive and not in use: GTF_reading
 *     and GTF_writing clear, in the entry (v1, set by L0 with a cmpxchg on
 *     the same word, so our cmpxchg sees them) or in the status frame (v2:
 *     the guest clears flags first, then reads the status, and L0 sets the
 *     status first, then reads the flags again; we do as the guest does).
 *     Until then the frame of a held entry cannot change.
 *   - GTF_accept_transfer is refused: L0 would place a page at the named
 *     frame of the container, which may be the shim's.
 * A refused store is not done and the guest gets its #PF (an mmu_update,
 * -EPERM or -EBUSY).
 */
#include "pvops/grant.h"
#include "x86/smp.h"
#include "pvops/mm.h"
#include "pvops/traps.h"
#include "x86/l0.h"
#include "x86/uaccess.h"
#include "lib/printk.h"
#include "lib/string.h"

#define refuse(rc, ...) ({ pr_debug("grant: " __VA_ARGS__); (rc); })

/* Version 1 entries are 8 bytes, version 2 entries 16 (status: 2 bytes). */
#define V1_PER_FRAME   (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define V2_PER_FRAME   (PAGE_SIZE / sizeof(grant_entry_v2_t))
#define ST_PER_FRAME   (PAGE_SIZE / sizeof(grant_status_t))
/* A limit of our own on L0's (Xen's default for a domU is 64 frames). */
#define GNT_MAX_FRAMES 1024u

static struct {
    unsigned long first;            /* window: [first, first + max_frames) shared, */
    unsigned int max_frames;        /* then max_status status frames */
    unsigned int max_status;
    unsigned int nr_shared;         /* shared frames L0 has mapped, in order */
    unsigned int version;           /* as L0 has it (1 from the start) */
    unsigned long *held, *held_rw;  /* one bit per version 1 ref */
    uint32_t **held_frame;          /* per HELD_PER_PAGE refs: a page, on demand */
    xen_pfn_t *list;                /* L0's frame lists land here */
} gnt;

/* The frame each held ref holds: a page of them per two v1 frames. */
#define HELD_PER_PAGE  (PAGE_SIZE / sizeof(uint32_t))

/* The page recording ref's hold, allocated if need be. */
static int held_page(unsigned long ref)
{
    uint32_t **hf = &gnt.held_frame[ref / HELD_PER_PAGE];
    unsigned long mfn;

    if ( *hf )
        return 0;
    if ( !(mfn = frames_alloc()) )
        return -XEN_ENOMEM;
    *hf = __va(mfn << PAGE_SHIFT);
    return 0;
}

static uint32_t *held_frame(unsigned long ref)
{
    return &gnt.held_frame[ref / HELD_PER_PAGE][ref % HELD_PER_PAGE];
}

static bool test_bit(const unsigned long *map, unsigned long n)
{
    return map[n / 64] & (1UL << (n % 64));
}

static void assign_bit(unsigned long *map, unsigned long n, bool val)
{
    if ( val )
        map[n / 64] |= 1UL << (n % 64);
    else
        map[n / 64] &= ~(1UL << (n % 64));
}

static unsigned int status_frames(unsigned int shared)
{
    return (shared * V2_PER_FRAME + ST_PER_FRAME - 1) / ST_PER_FRAME;
}

static bool self(domid_t d)
{
    return d == DOMID_SELF || d == dom.domid;
}

/* ---------------------------------------------------------------- window */

static unsigned int probed_frames;   /* L0's limit, until grant_init() */

unsigned long grant_probe(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };

    if ( l0_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_query_size,
                      (unsigned long)&q, 1, 0, 0) || q.status != GNTST_okay ||
         !q.max_nr_frames )
        return 0;
    {
        struct gnttab_get_version v = { .dom = DOMID_SELF };

        gnt.version = l0_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_get_version,
                                   (unsigned long)&v, 1, 0, 0) ? 1 : v.version;
    }
    probed_frames = MIN(q.max_nr_frames, GNT_MAX_FRAMES);
    return probed_frames + status_frames(probed_frames);
}

/*
 * Until this succeeds gnt.max_frames stays 0: no window, no grant table
 * for the guest (every operation answers as for a table of no frames).
 */
bool grant_init(unsigned long first)
{
    unsigned int max_frames = probed_frames, max_status = status_frames(max_frames);
    unsigned long nr = max_frames + max_status;
    unsigned long bits = (unsigned long)max_frames * V1_PER_FRAME;
    size_t pi = nr * sizeof(struct page_info), bm = bits / 8,
           li = max_frames * sizeof(xen_pfn_t),
           hf = (bits / HELD_PER_PAGE + 1) * sizeof(uint32_t *);
    unsigned long pages = (pi + 2 * bm + li + hf + PAGE_SIZE - 1) >> PAGE_SHIFT, mfn;
    uint8_t *p;

    /* The window's owners (FRAME_none until L0 maps a frame) are ready too. */
    if ( !nr || !(mfn = frames_alloc_run(pages)) ||
         !frame_set_owner(first, nr, FRAME_none) )
        return false;
    p = __va(mfn << PAGE_SHIFT);
    frames.win = (struct page_info *)p;
    gnt.held = (unsigned long *)(p + pi);
    gnt.held_rw = (unsigned long *)(p + pi + bm);
    gnt.list = (xen_pfn_t *)(p + pi + 2 * bm);
    gnt.held_frame = (uint32_t **)(p + pi + 2 * bm + li);
    for ( unsigned long i = 0; i < nr; i++ )
        frames.win[i] = (struct page_info){ 0 };
    gnt.first = first;
    gnt.max_frames = max_frames;
    gnt.max_status = max_status;
    frames.win_first = first;
    frames.win_nr = nr;
    pr_info("grant table: up to %u frames from L0, window at frames %#lx-%#lx\n",
            gnt.max_frames, first, first + nr - 1);
    return true;
}

static unsigned long shared_gfn(unsigned int i)
{
    return gnt.first + i;
}

static unsigned long status_gfn(unsigned int i)
{
    return gnt.first + gnt.max_frames + i;
}

/* Have L0 put shared (or status) frame i of our table at its window slot. */
static int map_l0_frame(unsigned int i, bool status)
{
    unsigned long gfn = status ? status_gfn(i) : shared_gfn(i);
    struct page_info *pg = &frames.win[gfn - gnt.first];
    struct xen_add_to_physmap x = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_grant_table,
        .idx = i | (status ? XENMAPIDX_grant_table_status : 0),
        .gpfn = gfn,
    };
    long rc;


    if ( frame_owner(gfn) != FRAME_none )
        return 0;
    /* Where the holds of its entries will be recorded (either version). */
    if ( !status && (held_page(i * V1_PER_FRAME) || held_page(i * V2_PER_FRAME)) )
        return refuse(-XEN_ENOMEM, "no memory for frame %u's holds\n", i);
    if ( (rc = l0_memory_op(XENMEM_add_to_physmap, &x)) )
        return refuse(rc, "L0 would not map %s frame %u at %#lx: %ld\n",
                      status ? "status" : "shared", i, gfn, rc);
    *pg = (struct page_info){ 0 };
    frame_set_owner(gfn, 1, status ? FRAME_ro : FRAME_grant);   /* grant_init's owners */
    return 0;
}

/* Status frames: L0 takes them back when the table goes to version 1. */
static void forget_status_frames(void)
{
    for ( unsigned int i = 0; i < gnt.max_status; i++ )
    {
        frames.win[status_gfn(i) - gnt.first] = (struct page_info){ 0 };
        frame_set_owner(status_gfn(i), 1, FRAME_none);
    }
}

/* Whether the guest maps status frame i (a reference to it). */
static bool status_frame_mapped(unsigned int i)
{
    return frame_owner(status_gfn(i)) != FRAME_none &&
           frames.win[status_gfn(i) - gnt.first].count;
}

/*
 * A status frame mapped by the guest would point at a hole after a restore
 * (L0's new table is version 1): the suspend waits until it is not
 * (pvops/suspend.c).
 */
bool grant_status_mapped(void)
{
    for ( unsigned int i = 0; gnt.version == 2 && i < gnt.max_status; i++ )
        if ( status_frame_mapped(i) )
            return true;
    return false;
}

/* The v2 status of ref, as L0 keeps it (mapping the status frame if need be). */
static uint16_t status_of(unsigned long ref)
{
    unsigned int i = ref / ST_PER_FRAME;

    if ( i >= gnt.max_status || map_l0_frame(i, true) )
        return GTF_reading | GTF_writing;       /* unknown: assume in use */
    return READ_ONCE(((volatile grant_status_t *)__va(status_gfn(i) << PAGE_SHIFT))
                     [ref % ST_PER_FRAME]);
}

/* ---------------------------------------------------------------- entries */

/* What a store changes: one entry's type, flags and frame, before and after. */
struct entry {
    uint16_t flags;
    uint64_t frame;
};

static bool grants_access(const struct entry *e)
{
    return (e->flags & GTF_type_mask) == GTF_permit_access;
}

/* Take a hold on the frame a new entry names (as the guest's page, nothing else). */
static int hold(const struct entry *e, bool rw)
{
    unsigned long mfn = e->frame;
    struct page_info *pg = frame_info(&frames, mfn);

    if ( !pg || mfn > UINT32_MAX || !frame_grantable(mfn) )
        return refuse(-XEN_EPERM, "frame %#lx is not the guest's to grant\n",
                      (unsigned long)e->frame);
    return rw ? get_page_and_type(&frames, mfn, PGT_writable) : get_page(&frames, mfn);
}

static void unhold(unsigned long mfn, bool rw)
{
    if ( rw )
        put_page_and_type(&frames, mfn);
    else
        put_page(&frames, mfn);
}

struct gstore {
    unsigned long mfn;              /* the grant frame */
    unsigned int slot;              /* 8-byte slot in it */
};

/*
 * The store turns old into new in slot (8 bytes of L0's entry ref): check
 * it, take and drop holds, and do it with a cmpxchg (L0 may be setting
 * GTF_reading/GTF_writing in the same word). -EAGAIN: the slot changed.
 */
static int commit(void *ctx, uint64_t old, uint64_t new, bool hi32)
{
    const struct gstore *s = ctx;
    uint64_t *slot = (uint64_t *)__va(s->mfn << PAGE_SHIFT) + s->slot;
    unsigned long fi = s->mfn - gnt.first, ref;
    struct entry o, n;
    bool v2 = gnt.version == 2, held, hrw, want, wrw, in_use, keep, take = false,
         upgrade = false;
    int rc;

    if ( fi >= gnt.max_frames )
        return -XEN_EINVAL;
    if ( !v2 )
    {
        /*
         * GTF_reading/GTF_writing are L0's: a backend maps the entry. A
         * store keeps them as they are (else the guest could clear them,
         * end the hold below while the backend still writes the frame,
         * and make that frame a page table).
         */
        new = (new & ~(uint64_t)(GTF_reading | GTF_writing)) |
              (old & (GTF_reading | GTF_writing));
        ref = fi * V1_PER_FRAME + s->slot;
        o = (struct entry){ (uint16_t)old, old >> 32 };
        n = (struct entry){ (uint16_t)new, new >> 32 };
    }
    else
    {
        /* Header and frame halves of a 16-byte entry: the other half as it is. */
        uint64_t other = READ_ONCE(slot[(s->slot & 1) ? -1 : 1]);
        uint64_t hdr_o = (s->slot & 1) ? other : old, hdr_n = (s->slot & 1) ? other : new;
        uint64_t frm_o = (s->slot & 1) ? old : other, frm_n = (s->slot & 1) ? new : other;

        ref = fi * V2_PER_FRAME + s->slot / 2;
        o = (struct entry){ (uint16_t)hdr_o, frm_o };
        n = (struct entry){ (uint16_t)hdr_n, frm_n };
    }

    if ( (n.flags & GTF_type_mask) == GTF_accept_transfer &&
         (o.flags & GTF_type_mask) != GTF_accept_transfer )
        return refuse(-XEN_EPERM, "ref %lu: accept_transfer refused\n", ref);

    held = test_bit(gnt.held, ref);
    hrw = test_bit(gnt.held_rw, ref);
    want = grants_access(&n);
    wrw = want && !(n.flags & GTF_readonly);
    /* v1: L0's bits are in this very word; v2: in the status frame. */
    in_use = v2 ? (status_of(ref) & (GTF_reading | GTF_writing))
                : (o.flags & (GTF_reading | GTF_writing));

    /*
     * The old hold goes if the entry stops granting (or grants another
     * frame) and is not in use. In v2 an active entry may be mapped any
     * time: its frame never changes under a hold.
     */
    keep = held && ((want && n.frame == o.frame) || in_use ||
                    (v2 && grants_access(&o)));
    if ( keep && n.frame != o.frame )
        return refuse(-XEN_EBUSY, "ref %lu: frame of a granted entry changed\n", ref);
    if ( want && !keep )
    {
        if ( (rc = hold(&n, wrw)) )
            return rc;
        take = true;
    }
    else if ( want && wrw && !hrw )
    {
        if ( (rc = get_page_type(&frames, o.frame, PGT_writable)) )
            return rc;
        upgrade = true;
    }

    if ( !__atomic_compare_exchange_n(slot, &old, new, false, __ATOMIC_SEQ_CST,
                                      __ATOMIC_SEQ_CST) )
    {
        if ( take )
            unhold(n.frame, wrw);
        if ( upgrade )
            put_page_type(&frames, o.frame);
        return -XEN_EAGAIN;
    }

    /*
     * v2, an entry that stopped granting: the status is read after the
     * store (as the guest's protocol), and decides whether the hold goes.
     */
    if ( v2 && held && keep && !want && grants_access(&o) &&
         !(status_of(ref) & (GTF_reading | GTF_writing)) )
        keep = false;
    if ( held && !keep )
        unhold(o.frame, hrw);
    if ( take || (held && !keep) )
    {
        assign_bit(gnt.held, ref, take);
        assign_bit(gnt.held_rw, ref, take && wrw);
        if ( take )
            *held_frame(ref) = n.frame;
    }
    if ( upgrade )
        assign_bit(gnt.held_rw, ref, true);
    return 0;
}

bool grant_store_fault(struct cpu_regs *regs, unsigned long addr, unsigned long mfn)
{
    struct gstore s = { mfn, (addr & (PAGE_SIZE - 1)) / 8 };

    if ( mfn - gnt.first >= gnt.max_frames )
        return false;
    return pv_emulate_store(regs, addr, (uint64_t *)__va(mfn << PAGE_SHIFT) + s.slot,
                            commit, &s);
}

int grant_update_entry(unsigned long mfn, unsigned int idx, uint64_t val)
{
    struct gstore s = { mfn, idx };
    const uint64_t *slot = (uint64_t *)__va(mfn << PAGE_SHIFT) + idx;
    int rc;

    if ( mfn - gnt.first >= gnt.max_frames || idx >= PAGE_SIZE / 8 )
        return -XEN_EINVAL;
    while ( (rc = commit(&s, READ_ONCE(*slot), val, false)) == -XEN_EAGAIN )
        ;
    return rc;
}

/* Entry ref as L0 has it now: flags (v2: header flags), frame and, if asked, domid. */
static void read_entry(unsigned long ref, uint16_t *flags, uint64_t *frame,
                       domid_t *domid)
{
    if ( gnt.version == 2 )
    {
        const grant_entry_v2_t *e = (grant_entry_v2_t *)
            __va(shared_gfn(ref / V2_PER_FRAME) << PAGE_SHIFT) + ref % V2_PER_FRAME;

        *flags = READ_ONCE(e->hdr.flags);
        *frame = READ_ONCE(e->full_page.frame);
        if ( domid )
            *domid = READ_ONCE(e->hdr.domid);
    }
    else
    {
        const grant_entry_v1_t *e = (grant_entry_v1_t *)
            __va(shared_gfn(ref / V1_PER_FRAME) << PAGE_SHIFT) + ref % V1_PER_FRAME;

        *flags = READ_ONCE(e->flags);
        *frame = READ_ONCE(e->frame);
        if ( domid )
            *domid = READ_ONCE(e->domid);
    }
}

static bool ref_in_use(unsigned long ref, uint16_t flags)
{
    return (gnt.version == 2 ? status_of(ref) : flags) & (GTF_reading | GTF_writing);
}

static void drop_hold(unsigned long ref)
{
    unhold(*held_frame(ref), test_bit(gnt.held_rw, ref));
    assign_bit(gnt.held, ref, false);
    assign_bit(gnt.held_rw, ref, false);
}

/*
 * After a version change: L0 refused it while any entry past the reserved
 * ones was mapped, cleared the whole table and put back the reserved
 * entries (0-7) that grant access. The holds past the reserved ones go
 * (those entries are empty, and nothing mapped them); a reserved entry
 * keeps its hold while it grants the same frame, or while it is in use.
 */
#define NR_RESERVED GNTTAB_NR_RESERVED_ENTRIES

static void holds_after_version_change(unsigned int busy)
{
    unsigned long nr = (unsigned long)gnt.max_frames * V1_PER_FRAME;

    for ( unsigned long w = 0; w < nr / 64; w++ )
        for ( unsigned long bits = gnt.held[w]; bits; bits &= bits - 1 )
        {
            unsigned long ref = w * 64 + __builtin_ctzl(bits);
            uint16_t flags;
            uint64_t frame;

            if ( ref < NR_RESERVED )
            {
                read_entry(ref, &flags, &frame, NULL);
                if ( ((flags & GTF_type_mask) == GTF_permit_access &&
                      frame == *held_frame(ref)) || ref_in_use(ref, flags) )
                    continue;
                if ( busy & (1u << ref) )
                {
                    /*
                     * Mapped by a backend before the switch to v1, and L0
                     * zeroed the entry (its status went with the v2 table):
                     * nothing will say when the backend lets go, so the
                     * frame keeps its references for good; the ref is free.
                     */
                    pr_warn("grant ref %lu: frame %#x stays held (mapped across "
                            "a switch to v1)\n", ref, *held_frame(ref));
                    assign_bit(gnt.held, ref, false);
                    assign_bit(gnt.held_rw, ref, false);
                    continue;
                }
            }
            drop_hold(ref);
        }
}

/*
 * After a restore (pvops/suspend.c): L0's table is a new one, at version 1
 * and empty, and its frames are nowhere. The guest's shared frames stay
 * where they were (with its mappings of them): L0 puts the new ones there
 * at once, over what the restore left (RAM with the old contents). No entry
 * grants anything any more, so every hold goes; status frames go with
 * version 2.
 */
void grant_after_restore(void)
{
    unsigned long nr = (unsigned long)gnt.max_frames * V1_PER_FRAME;

    for ( unsigned long w = 0; w < nr / 64; w++ )
        for ( unsigned long bits = gnt.held[w]; bits; bits &= bits - 1 )
            drop_hold(w * 64 + __builtin_ctzl(bits));
    if ( gnt.version == 2 )
        forget_status_frames();
    gnt.version = 1;
    for ( unsigned int i = 0; i < gnt.nr_shared; i++ )
    {
        struct xen_add_to_physmap x = {
            .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
            .idx = i, .gpfn = shared_gfn(i),
        };
        long rc = l0_memory_op(XENMEM_add_to_physmap, &x);

        if ( rc )
            guest_crash("L0 would not map grant frame %u again after a restore (%ld)",
                        i, rc);
    }
}

/* ---------------------------------------------------------------- operations */

static bool self_pins_past_reserved(void);
static int self_pinned_frame(uint32_t ref, bool dest, uint64_t *mfn);
static bool gmap_has_self(void);
static int self_pin(uint32_t ref, bool *writable);

static long l0_gnttab(unsigned int cmd, void *op)
{
    return l0_hypercall(__HYPERVISOR_grant_table_op, cmd, (unsigned long)op, 1, 0, 0);
}

/*
 * Our window frames for [0, nr) to the guest's list: GNTST_bad_virt_addr
 * for each it cannot take, and on with the rest (as Xen).
 */
static void give_frames(int16_t *status, unsigned long list, unsigned int nr,
                        unsigned long (*gfn)(unsigned int), size_t size)
{
    for ( unsigned int i = 0; i < nr; i++ )
    {
        uint64_t f = gfn(i);

        if ( copy_to_guest(list + i * size, &f, size) )
            *status = GNTST_bad_virt_addr;
    }
}

long grant_setup_table(struct gnttab_setup_table *op, unsigned long list)
{
    long rc;

    /*
     * Another domain's table: L0 decides (a domU is refused before any
     * frame is listed), into our buffer, never the guest's memory.
     */
    if ( !self(op->dom) )
    {
        struct gnttab_setup_table o = *op;

        o.nr_frames = MIN(o.nr_frames, gnt.max_frames);
        set_xen_guest_handle(o.frame_list, gnt.list);
        if ( (rc = l0_gnttab(GNTTABOP_setup_table, &o)) )
            return rc;
        op->status = o.status == GNTST_okay ? GNTST_permission_denied : o.status;
        return 0;
    }

    if ( op->nr_frames > gnt.max_frames )
    {
        op->status = GNTST_general_error;
        return 0;
    }
    {
        struct gnttab_setup_table o = { .dom = DOMID_SELF, .nr_frames = op->nr_frames };

        set_xen_guest_handle(o.frame_list, gnt.list);
        if ( (rc = l0_gnttab(GNTTABOP_setup_table, &o)) )
            return rc;
        if ( (op->status = o.status) != GNTST_okay )
            return 0;
    }
    for ( unsigned int i = 0; i < op->nr_frames; i++ )
        if ( map_l0_frame(i, false) )
        {
            op->status = GNTST_general_error;
            return 0;
        }
    gnt.nr_shared = MAX(gnt.nr_shared, op->nr_frames);
    /* A 32-bit guest's list holds 4-byte frame numbers (compat xen_pfn_t). */
    give_frames(&op->status, list, op->nr_frames, shared_gfn,
                is_pv32() ? sizeof(uint32_t) : sizeof(xen_pfn_t));
    return 0;
}

long grant_query_size(struct gnttab_query_size *op)
{
    return l0_gnttab(GNTTABOP_query_size, op);
}

long grant_get_version(struct gnttab_get_version *op)
{
    return l0_gnttab(GNTTABOP_get_version, op);
}

long grant_set_version(struct gnttab_set_version *op)
{
    struct gnttab_get_version now = { .dom = DOMID_SELF };
    unsigned int was = gnt.version, busy = 0;
    long rc;

    /* Xen's checks, which L0 cannot make for us, in its order. */
    if ( (op->version == 1 || op->version == 2) && op->version != was )
    {
        /* Our own maps of our own grants pin them as L0's maps would. */
        if ( self_pins_past_reserved() )
        {
            op->version = was;
            return refuse(-XEN_EBUSY, "version change with own grants mapped\n");
        }
        /*
         * Back to version 1, L0 takes the status frames out of the
         * container: not while the guest still maps one (it would reach a
         * hole). Xen says -EBUSY to a PV guest then, after its check of
         * the reserved entries (-ERANGE), which L0 makes too.
         */
        for ( unsigned int i = 0; was == 2 && i < gnt.max_status; i++ )
        {
            if ( status_frame_mapped(i) )
            {
                for ( unsigned long ref = 0; gnt.nr_shared && ref < NR_RESERVED; ref++ )
                {
                    uint16_t flags;
                    uint64_t frame;

                    read_entry(ref, &flags, &frame, NULL);
                    if ( (flags & GTF_type_mask) == GTF_transitive ||
                         ((flags & GTF_type_mask) == GTF_permit_access && frame >> 32) )
                    {
                        op->version = was;
                        return -XEN_ERANGE;
                    }
                }
                op->version = was;
                return refuse(-XEN_EBUSY, "status frame %u still mapped\n", i);
            }
        }
    }
    /* Reserved entries a backend maps now: their status is lost going to v1. */
    for ( unsigned long ref = 0; was == 2 && op->version == 1 && ref < NR_RESERVED &&
                                 ref < (unsigned long)gnt.max_frames * V1_PER_FRAME; ref++ )
        if ( test_bit(gnt.held, ref) && (status_of(ref) & (GTF_reading | GTF_writing)) )
            busy |= 1u << ref;
    rc = l0_gnttab(GNTTABOP_set_version, op);
    /* What L0 has now, whatever it said. */
    if ( !l0_gnttab(GNTTABOP_get_version, &now) )
        gnt.version = now.version;
    if ( gnt.version != was )
    {
        holds_after_version_change(busy);
        if ( was == 2 )
            forget_status_frames();
    }
    return rc;
}

/* L0's current size of our table (frames), 0 if it will not say. */
static unsigned int l0_nr_frames(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };

    /* Never past our window, whatever L0 says. */
    return l0_gnttab(GNTTABOP_query_size, &q) || q.status != GNTST_okay
           ? 0 : MIN(q.nr_frames, gnt.max_frames);
}

/*
 * L0 does not serve this one to an HVM container (-ENOSYS): ours, in Xen's
 * order. Another domain's: bad_domain if there is none, else (a domU) no.
 * The frames are mapped from L0 into the window as the guest asks for them.
 */
long grant_get_status_frames(struct gnttab_get_status_frames *op, unsigned long list)
{
    unsigned int nr_status;

    if ( !self(op->dom) )
    {
        op->status = l0_domain_exists(op->dom) ? GNTST_permission_denied
                                               : GNTST_bad_domain;
        return 0;
    }
    nr_status = gnt.version == 2 ? status_frames(l0_nr_frames()) : 0;
    if ( op->nr_frames > nr_status )
    {
        op->status = GNTST_general_error;
        return 0;
    }
    op->status = GNTST_okay;
    for ( unsigned int i = 0; i < op->nr_frames; i++ )
        if ( map_l0_frame(i, true) )
        {
            op->status = GNTST_general_error;
            return 0;
        }
    give_frames(&op->status, list, op->nr_frames, status_gfn, sizeof(uint64_t));
    return 0;
}

/*
 * swap_grant_ref: L0 swaps the entries (refused while either is mapped:
 * by L0's backends, which L0 knows, or by our own maps, which we check in
 * Xen's order), and our holds follow them.
 */
long grant_swap(struct gnttab_swap_grant_ref *op)
{
    unsigned long nr = (unsigned long)gnt.max_frames * V1_PER_FRAME;
    bool w;
    long rc;

    if ( gmap_has_self() && op->ref_a != op->ref_b )
    {
        unsigned long n = (unsigned long)l0_nr_frames() *
                          (gnt.version == 2 ? V2_PER_FRAME : V1_PER_FRAME);

        if ( op->ref_a >= n || op->ref_b >= n )
        {
            op->status = GNTST_bad_gntref;
            return 0;
        }
        if ( self_pin(op->ref_a, &w) >= 0 || self_pin(op->ref_b, &w) >= 0 )
        {
            op->status = GNTST_eagain;
            return 0;
        }
    }
    /* Records for both, whichever way the holds go. */
    if ( op->ref_a < nr && op->ref_b < nr &&
         (held_page(op->ref_a) || held_page(op->ref_b)) )
    {
        op->status = GNTST_general_error;
        return 0;
    }
    rc = l0_gnttab(GNTTABOP_swap_grant_ref, op);
    if ( rc || op->status != GNTST_okay || op->ref_a == op->ref_b ||
         op->ref_a >= nr || op->ref_b >= nr )
        return rc;
    for ( unsigned long *map = gnt.held; ; map = gnt.held_rw )
    {
        bool a = test_bit(map, op->ref_a);

        assign_bit(map, op->ref_a, test_bit(map, op->ref_b));
        assign_bit(map, op->ref_b, a);
        if ( map == gnt.held_rw )
            break;
    }
    if ( test_bit(gnt.held, op->ref_a) || test_bit(gnt.held, op->ref_b) )
    {
        uint32_t f = *held_frame(op->ref_a);

        *held_frame(op->ref_a) = *held_frame(op->ref_b);
        *held_frame(op->ref_b) = f;
    }
    return 0;
}

/*
 * One copy. A side given by frame is the guest's frame, named to L0 as the
 * container's: it must be one the guest may map (L0 would copy the shim's
 * frames as readily), held while L0 copies; the destination writable by
 * type (never a table, a grant-table or status frame), the source any.
 * A frame that is not the guest's becomes one L0 has nowhere in the
 * container, so L0 answers GNTST_bad_page where it would (its checks of
 * domains come first, as for a direct guest). Returns whether a hold was
 * taken, or -1 for a destination that may not be written.
 */
#define NO_FRAME (~0UL >> PAGE_SHIFT)

static int copy_side(struct gnttab_copy_ptr *p, bool by_ref, bool dest)
{
    if ( by_ref || p->domid != DOMID_SELF )
        return 0;                           /* L0's checks */
    if ( !frame_info(&frames, p->u.gmfn) || get_page(&frames, p->u.gmfn) )
    {
        pr_debug("grant: copy: frame %#lx is not the guest's\n",
                 (unsigned long)p->u.gmfn);
        p->u.gmfn = NO_FRAME;
        return 0;
    }
    if ( dest && get_page_type(&frames, p->u.gmfn, PGT_writable) )
    {
        put_page(&frames, p->u.gmfn);
        return -1;
    }
    return 1;
}

/*
 * A side naming a ref of our own table that our own maps pin: Xen copies
 * the pinned frame (act->mfn), not the entry's frame of now, and checks the
 * entry only for a write the pin does not allow (writable, and still naming
 * the pinned frame). L0 knows nothing of those pins: the side becomes that
 * frame. 1 if it did, 0 if L0 decides, or -1 for a write the entry no
 * longer allows (reported as a destination that may not be written, after
 * L0's checks of the rest).
 */
static int copy_own_pinned(struct gnttab_copy_ptr *p, uint16_t *flags, uint16_t flag, bool dest)
{
    uint64_t mfn;
    int rc;

    if ( !(*flags & flag) || !self(p->domid) )
        return 0;
    if ( (rc = self_pinned_frame(p->u.ref, dest, &mfn)) <= 0 )
        return rc;
    p->u.gmfn = mfn;
    p->domid = DOMID_SELF;
    *flags &= ~flag;
    return 1;
}

long grant_copy(struct gnttab_copy *op)
{
    struct gnttab_copy o = *op;
    int src, dst;
    long rc;

    copy_own_pinned(&o.source, &o.flags, GNTCOPY_source_gref, false);
    if ( (dst = copy_own_pinned(&o.dest, &o.flags, GNTCOPY_dest_gref, true)) < 0 )
    {
        o.dest.domid = DOMID_SELF;
        o.flags &= ~GNTCOPY_dest_gref;
    }
    src = copy_side(&o.source, o.flags & GNTCOPY_source_gref, false);

    /*
     * A destination that may not be written: Xen says so only after its
     * checks of both domains and of the source. L0 makes those with a
     * destination it will find nowhere: if that is all it finds wrong, ours
     * is the answer.
     */
    if ( dst < 0 || (dst = copy_side(&o.dest, o.flags & GNTCOPY_dest_gref, true)) < 0 )
        o.dest.u.gmfn = NO_FRAME;
    rc = l0_gnttab(GNTTABOP_copy, &o);
    /* bad_page for a source frame we named as none is the source's (Xen's order). */
    op->status = dst < 0 && o.status == GNTST_bad_page &&
                 !(!(o.flags & GNTCOPY_source_gref) && o.source.u.gmfn == NO_FRAME)
                 ? GNTST_general_error : o.status;
    if ( dst > 0 )
        put_page_and_type(&frames, o.dest.u.gmfn);
    if ( src > 0 )
        put_page(&frames, o.source.u.gmfn);
    return rc;
}

/* ---------------------------------------------------------------- mappings */

/*
 * A PV backend maps other domains' grants into its own page tables. L0 maps
 * a grant for the container at a frame of the container's (an HVM
 * mapping): each mapping gets a slot, a frame of a second window above the
 * memory map and 4 GiB, and the guest's PTE (or only its dev_bus_addr)
 * names that frame. Slot frames have no page_info: the guest cannot map
 * them itself, only through here, so at most one PTE names a slot's frame
 * (unmap_and_replace moves it), and L0 unmaps a slot only once that PTE is
 * gone.
 *
 * Grants of the guest's own table, mapped by the guest itself, never reach
 * L0 (L0 would take the frame from where the container has it): the slot
 * records the pin, and the mapping is the guest's own frame, with the
 * references a PTE holds (the PTE's, as any entry's) and, for a device
 * mapping, the slot's. L0's GTF_reading/GTF_writing are left alone: they
 * are what tells us L0's backends are done with a frame.
 */
#define MAP_SLOTS       8192u
#define MAP_HASH        (2 * MAP_SLOTS)     /* handle -> slot + 1, 0: none */
#define SLOT_USED       0x8000u
#define SLOT_SELF       0x4000u
#define SLOT_DEV_REF    0x2000u             /* self: the device part's references */
#define SELF_HANDLE     0x40000000u         /* + slot; L0's handles are far below */

struct map_slot {
    uint32_t handle;                /* L0's, or SELF_HANDLE + slot */
    uint32_t ref;                   /* self: the ref pinned */
    uint64_t mfn;                   /* the frame mapped: slot frame or own frame */
    uint16_t flags;                 /* GNTMAP_* still mapped, readonly, SLOT_* */
};

static struct {
    unsigned long first;            /* slot i is frame first + i */
    struct map_slot *slot;          /* MAP_SLOTS, allocated on the first map */
    uint16_t *by_handle;            /* MAP_HASH, for handles below it */
    unsigned int next;              /* where to look for a free slot */
    unsigned int nr_self;           /* slots that pin our own grants */
} gmap;

void grant_map_window(unsigned long first)
{
    gmap.first = first;
}

static unsigned long slot_gfn(unsigned int s)
{
    return gmap.first + s;
}

static int alloc_slot(void)
{
    if ( !gmap.slot )
    {
        size_t bytes = MAP_SLOTS * sizeof(*gmap.slot) + MAP_HASH * sizeof(uint16_t);
        unsigned long mfn;

        if ( !gmap.first ||
             !(mfn = frames_alloc_run((bytes + PAGE_SIZE - 1) >> PAGE_SHIFT)) )
            return -1;
        gmap.slot = __va(mfn << PAGE_SHIFT);
        gmap.by_handle = (uint16_t *)(gmap.slot + MAP_SLOTS);
    }
    for ( unsigned int n = 0; n < MAP_SLOTS; n++ )
    {
        unsigned int s = (gmap.next + n) % MAP_SLOTS;

        if ( !(gmap.slot[s].flags & SLOT_USED) )
        {
            gmap.next = s + 1;
            return s;
        }
    }
    return -1;
}

static int slot_of_handle(uint32_t handle)
{
    if ( !gmap.slot )
        return -1;
    if ( handle - SELF_HANDLE < MAP_SLOTS )
        return (gmap.slot[handle - SELF_HANDLE].flags & SLOT_SELF)
               ? (int)(handle - SELF_HANDLE) : -1;
    if ( handle < MAP_HASH )
        return (int)gmap.by_handle[handle] - 1;
    for ( unsigned int s = 0; s < MAP_SLOTS; s++ )
        if ( (gmap.slot[s].flags & (SLOT_USED | SLOT_SELF)) == SLOT_USED &&
             gmap.slot[s].handle == handle )
            return s;
    return -1;
}

static void free_slot(unsigned int s)
{
    if ( gmap.slot[s].flags & SLOT_SELF )
        gmap.nr_self--;
    else if ( gmap.slot[s].handle < MAP_HASH )
        gmap.by_handle[gmap.slot[s].handle] = 0;
    gmap.slot[s] = (struct map_slot){ 0 };
}

/*
 * Our own ref as pinned by our own maps: a slot that pins it (-1: none),
 * and whether any of them maps it writable.
 */
static int self_pin(uint32_t ref, bool *writable)
{
    int first = -1;

    *writable = false;
    for ( unsigned int s = 0; gmap.nr_self && s < MAP_SLOTS; s++ )
        if ( (gmap.slot[s].flags & SLOT_SELF) && gmap.slot[s].ref == ref )
        {
            first = first < 0 ? (int)s : first;
            *writable |= !(gmap.slot[s].flags & GNTMAP_readonly);
        }
    return first;
}

/* See copy_own_pinned. */
static int self_pinned_frame(uint32_t ref, bool dest, uint64_t *mfn)
{
    bool writable;
    int p = self_pin(ref, &writable);

    if ( p < 0 )
        return 0;
    if ( dest && !writable )
    {
        uint16_t flags;
        uint64_t frame;

        /* Xen's _set_status, then the entry's frame must be the pinned one. */
        read_entry(ref, &flags, &frame, NULL);
        if ( (flags & GTF_readonly) || frame != gmap.slot[p].mfn )
            return -1;
    }
    *mfn = gmap.slot[p].mfn;
    return 1;
}

static bool gmap_has_self(void)
{
    return gmap.nr_self;
}

/* Any of our own refs past the reserved ones pinned (a version change waits)? */
static bool self_pins_past_reserved(void)
{
    for ( unsigned int s = 0; gmap.nr_self && s < MAP_SLOTS; s++ )
        if ( (gmap.slot[s].flags & SLOT_SELF) && gmap.slot[s].ref >= NR_RESERVED )
            return true;
    return false;
}

/* The L1 table and entry a host_addr names: a PTE's machine address, or a VA. */
static int host_pte(uint64_t host_addr, uint32_t flags, unsigned long *l1mfn,
                    unsigned int *idx)
{
    uint64_t pte;

    if ( flags & GNTMAP_contains_pte )
    {
        struct page_info *pg = frame_info(&frames, host_addr >> PAGE_SHIFT);

        if ( (host_addr & 7) || !pg || page_type(pg) != PGT_l1 ||
             !page_type_count(pg) )
            return -XEN_EINVAL;
        *l1mfn = host_addr >> PAGE_SHIFT;
        *idx = (host_addr & (PAGE_SIZE - 1)) / 8;
        return 0;
    }
    if ( !guest_addr_ok(host_addr) )
        return -XEN_EINVAL;
    return mm_lookup_l1e(host_addr, l1mfn, idx, &pte);
}

/* Xen's PTE for a grant mapping of mfn (grant_to_pte_flags, adjust_guest_l1e). */
static uint64_t grant_pte(uint64_t mfn, uint32_t f)
{
    /* A 32-bit guest's kernel is in ring 1: user only for an application map. */
    if ( is_pv32() )
        return (mfn << PAGE_SHIFT) | PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY |
               (frames.nx ? PTE_NX : 0) | ((f & GNTMAP_readonly) ? 0 : PTE_RW) |
               ((f & GNTMAP_application_map) ? PTE_USER : 0) |
               ((uint64_t)((f >> _GNTMAP_guest_avail0) & 7) << 9);
    return (mfn << PAGE_SHIFT) | PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY | PTE_USER |
           (frames.nx ? PTE_NX : 0) | ((f & GNTMAP_readonly) ? 0 : PTE_RW) |
           ((f & GNTMAP_application_map) ? PTE_GLOBAL : PTE_GUEST_KERNEL) |
           ((uint64_t)((f >> _GNTMAP_guest_avail0) & 7) << 9);
}

static int16_t l0_unmap(unsigned int s)
{
    struct gnttab_unmap_grant_ref u = {
        .host_addr = slot_gfn(s) << PAGE_SHIFT,
        .handle = gmap.slot[s].handle,
    };

    if ( l0_gnttab(GNTTABOP_unmap_grant_ref, &u) )
        return GNTST_general_error;
    return u.status;
}

/*
 * Pin our own ref for a map (Xen's map_grant_ref on the granting side, its
 * order and answers): the frame it grants, with a reference taken.
 */
static int16_t pin_own(const struct gnttab_map_grant_ref *op, uint64_t *mfn)
{
    unsigned int per = gnt.version == 2 ? V2_PER_FRAME : V1_PER_FRAME;
    bool ro = op->flags & GNTMAP_readonly, pinned_rw;
    int p;

    if ( op->ref >= (unsigned long)l0_nr_frames() * per ||
         map_l0_frame(op->ref / per, false) )
        return GNTST_bad_gntref;
    p = self_pin(op->ref, &pinned_rw);
    if ( p < 0 || (!ro && !pinned_rw) )
    {
        uint16_t flags;
        domid_t d;

        read_entry(op->ref, &flags, mfn, &d);
        /* Xen's _set_status: on the first pin and the first writable one. */
        if ( (flags & (GTF_type_mask | GTF_sub_page)) != GTF_permit_access ||
             d != dom.domid )
            return refuse(GNTST_general_error, "map: ref %u does not grant to us\n",
                          op->ref);
        if ( !ro && (flags & GTF_readonly) )
            return refuse(GNTST_general_error, "map: ref %u is read-only\n", op->ref);
    }
    if ( p >= 0 )
        *mfn = gmap.slot[p].mfn;
    /* Xen's get_paged_frame: a page of ours, or none at all. */
    if ( !frame_info(&frames, *mfn) || get_page(&frames, *mfn) )
        return GNTST_bad_page;
    return GNTST_okay;
}

static int16_t map_own(struct gnttab_map_grant_ref *op, unsigned int s)
{
    uint32_t f = op->flags;
    bool rw = !(f & GNTMAP_readonly);
    unsigned long l1mfn;
    unsigned int idx;
    uint64_t mfn, old;
    int16_t st;

    if ( (st = pin_own(op, &mfn)) != GNTST_okay )
        return st;
    /* The device part keeps the pin's reference; the PTE takes its own. */
    if ( (f & GNTMAP_device_map) && rw &&
         get_page_type(&frames, mfn, PGT_writable) )
        goto could_not_pin;
    if ( f & GNTMAP_host_map )
    {
        if ( ((f & GNTMAP_device_map) && get_page(&frames, mfn)) )
            goto could_not_pin_dev;
        if ( rw && get_page_type(&frames, mfn, PGT_writable) )
        {
            if ( f & GNTMAP_device_map )
                put_page(&frames, mfn);
            goto could_not_pin_dev;
        }
        if ( host_pte(op->host_addr, f, &l1mfn, &idx) ||
             l1_set_raw(&frames, l1mfn, idx, grant_pte(mfn, f), &old, true) )
        {
            if ( rw )
                put_page_type(&frames, mfn);
            if ( f & GNTMAP_device_map )
                put_page(&frames, mfn);
            goto could_not_pin_dev;
        }
        tlb_flush_if_owed();
    }
    gmap.slot[s] = (struct map_slot){
        .handle = SELF_HANDLE + s, .ref = op->ref, .mfn = mfn,
        .flags = (f & (GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly |
                       GNTMAP_contains_pte | GNTMAP_application_map)) |
                 SLOT_USED | SLOT_SELF |
                 ((f & GNTMAP_device_map) ? SLOT_DEV_REF : 0),
    };
    gmap.nr_self++;
    op->handle = SELF_HANDLE + s;
    op->dev_bus_addr = mfn << PAGE_SHIFT;
    return GNTST_okay;

 could_not_pin_dev:
    if ( (f & GNTMAP_device_map) && rw )
        put_page_type(&frames, mfn);
 could_not_pin:
    put_page(&frames, mfn);
    return GNTST_general_error;
}

long grant_map(struct gnttab_map_grant_ref *op)
{
    uint32_t f = op->flags;
    struct gnttab_map_grant_ref o = {
        .flags = GNTMAP_host_map | (f & GNTMAP_readonly),
        .ref = op->ref,
        .dom = op->dom,
    };
    unsigned long l1mfn = 0;
    unsigned int idx = 0;
    uint64_t old;
    int s;
    long rc;

    /* Xen's order: what to map, the domain, a handle, then the grant. */
    if ( !(f & (GNTMAP_host_map | GNTMAP_device_map)) )
    {
        op->status = GNTST_bad_gntref;
        return 0;
    }
    if ( (s = alloc_slot()) < 0 )
    {
        op->status = op->dom == dom.domid || l0_domain_exists(op->dom)
                     ? GNTST_no_space : GNTST_bad_domain;
        return 0;
    }
    if ( op->dom == dom.domid )
    {
        op->status = map_own(op, s);
        return 0;
    }

    o.host_addr = slot_gfn(s) << PAGE_SHIFT;
    if ( (rc = l0_gnttab(GNTTABOP_map_grant_ref, &o)) )
        return rc;
    if ( (op->status = o.status) != GNTST_okay )
        return 0;

    gmap.slot[s] = (struct map_slot){
        .handle = o.handle, .mfn = slot_gfn(s),
        .flags = (f & (GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly |
                       GNTMAP_contains_pte | GNTMAP_application_map)) | SLOT_USED,
    };
    if ( o.handle < MAP_HASH )
        gmap.by_handle[o.handle] = s + 1;

    if ( f & GNTMAP_host_map )
    {
        if ( host_pte(op->host_addr, f, &l1mfn, &idx) ||
             l1_set_raw(&frames, l1mfn, idx, grant_pte(slot_gfn(s), f), &old, true) )
        {
            if ( l0_unmap(s) == GNTST_okay )     /* else the slot stays L0's */
                free_slot(s);
            op->status = GNTST_general_error;
            return 0;
        }
        tlb_flush_if_owed();
    }
    op->handle = o.handle;
    op->dev_bus_addr = slot_gfn(s) << PAGE_SHIFT;
    return 0;
}

/*
 * Take the host mapping of slot m down (Xen's replace_grant_pv_mapping): the
 * PTE at host_addr must map the slot's frame, present and writable as
 * granted; it becomes empty, or (unmap_and_replace) the PTE at new_addr,
 * which moves there with its references.
 */
static int16_t unmap_host(const struct map_slot *m, uint64_t host_addr,
                          uint64_t new_addr)
{
    unsigned long l1mfn, nl1mfn;
    unsigned int idx, nidx;
    uint64_t val = 0, old, pte;

    if ( (m->flags & GNTMAP_contains_pte) && new_addr )
        return GNTST_general_error;
    if ( new_addr && (host_pte(new_addr, 0, &nl1mfn, &nidx) ||
                      l1_set_raw(&frames, nl1mfn, nidx, 0, &val, false)) )
        return GNTST_general_error;
    if ( host_pte(host_addr, m->flags, &l1mfn, &idx) ||
         ((pte = frames.map(l1mfn)[idx]) & PTE_MFN_MASK) >> PAGE_SHIFT != m->mfn ||
         ((pte ^ grant_pte(m->mfn, m->flags)) & (PTE_PRESENT | PTE_RW)) )
    {
        /* Not ours to take down: the stolen entry goes, as Xen drops it. */
        if ( new_addr && val &&
             !l1_set_raw(&frames, nl1mfn, nidx, val, &old, false) )
            l1_set_raw(&frames, nl1mfn, nidx, 0, &old, true);
        tlb_flush_if_owed();
        return GNTST_general_error;
    }
    /* Self: the PTE's references go with it; a slot frame has none. */
    if ( l1_set_raw(&frames, l1mfn, idx, val, &old, true) )
    {
        if ( new_addr && val &&
             !l1_set_raw(&frames, nl1mfn, nidx, val, &old, false) )
            l1_set_raw(&frames, nl1mfn, nidx, 0, &old, true);
        tlb_flush_if_owed();
        return GNTST_general_error;
    }
    /*
     * Before the slot goes back to L0 (and may map another grant), no CPU
     * may still reach the frame through a stale entry (Xen flushes the
     * domain's CPUs on an unmap too).
     */
    tlb_flush_all();
    get_cpu_info()->tlb_flush_owed = false;
    return GNTST_okay;
}

/*
 * Unmap handle's mapping (Xen's unmap_common): the host part if host_addr
 * names it, the device part if dev_bus_addr does; the handle goes when
 * neither is left, and L0's mapping of a slot with it.
 */
static long unmap_one(uint64_t host_addr, uint64_t dev_bus_addr, uint32_t handle,
                      uint64_t new_addr, int16_t *status)
{
    int s = slot_of_handle(handle);
    struct map_slot *m;

    if ( s < 0 )
    {
        *status = GNTST_bad_handle;
        return 0;
    }
    m = &gmap.slot[s];
    /* Xen's order: a device address counts only for a mapping with a device part. */
    if ( dev_bus_addr && (m->flags & GNTMAP_device_map) &&
         dev_bus_addr != m->mfn << PAGE_SHIFT )
    {
        *status = GNTST_bad_dev_addr;
        return 0;
    }
    if ( host_addr && (m->flags & GNTMAP_host_map) )
    {
        if ( (*status = unmap_host(m, host_addr, new_addr)) != GNTST_okay )
            return 0;
        m->flags &= ~GNTMAP_host_map;
    }
    if ( dev_bus_addr && (m->flags & GNTMAP_device_map) )
    {
        m->flags &= ~GNTMAP_device_map;
        if ( m->flags & SLOT_DEV_REF )
        {
            if ( !(m->flags & GNTMAP_readonly) )
                put_page_type(&frames, m->mfn);
            put_page(&frames, m->mfn);
            m->flags &= ~SLOT_DEV_REF;
        }
    }
    *status = GNTST_okay;
    if ( m->flags & (GNTMAP_host_map | GNTMAP_device_map) )
        return 0;
    if ( !(m->flags & SLOT_SELF) && (*status = l0_unmap(s)) != GNTST_okay )
        return 0;                       /* still L0's mapping: the handle stays */
    free_slot(s);
    return 0;
}

long grant_unmap(struct gnttab_unmap_grant_ref *op)
{
    return unmap_one(op->host_addr, op->dev_bus_addr, op->handle, 0, &op->status);
}

long grant_unmap_and_replace(struct gnttab_unmap_and_replace *op)
{
    return unmap_one(op->host_addr, 0, op->handle, op->new_addr, &op->status);
}

/*
 * cache_flush, which L0 serves to no HVM guest: Xen's _cache_flush for a
 * frame of the guest's own or one a grant mapping of its holds, with x86's
 * answers (an invalidation without a clean cannot be done: -EOPNOTSUPP).
 * *cur_ref is the continuation's opaque (never set: we find a mapping at
 * once, where Xen searches the granting table).
 */
long grant_cache_flush(const struct gnttab_cache_flush *op, unsigned int *cur_ref)
{
    uint64_t mfn = op->a.dev_bus_addr >> PAGE_SHIFT;
    unsigned long s = mfn - gmap.first;
    bool mapped = gmap.slot && s < MAP_SLOTS &&
                  (gmap.slot[s].flags & (SLOT_USED | SLOT_SELF)) == SLOT_USED;

    if ( op->offset >= PAGE_SIZE || op->length > PAGE_SIZE ||
         op->offset + op->length > PAGE_SIZE ||
         (op->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)) )
        return -XEN_EINVAL;
    if ( !op->length || !op->op )
        return *cur_ref ? -XEN_EILSEQ : 0;
    if ( !frame_info(&frames, mfn) && !mapped )
        /* The shim's frames are Xen's to the guest: no owner, -EPERM. */
        return mfn <= dom.max_mfn ? -XEN_EPERM : -XEN_EINVAL;
    if ( !(op->op & GNTTAB_CACHE_CLEAN) )
        return -XEN_EOPNOTSUPP;
    /* A mapping's frame is L0's to reach; on x86 DMA is coherent anyway. */
    if ( !mapped )
        for ( unsigned int off = op->offset & ~63u; off < op->offset + op->length;
              off += 64 )
            asm volatile ( "clflush %0" :: "m" (*((char *)__va(mfn << PAGE_SHIFT) + off)) );
    return 0;
}
