/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/memory.c - the guest's memory as memory_op sees it (Xen's
 * common/memory.c for a PV domU): its reservation, and the frames it gives
 * back and asks for again (a balloon driver's decrease_reservation,
 * populate_physmap, increase_reservation).
 *
 * The guest's machine frames are the container's frames, so a frame it
 * gives back goes to L0 (L0's decrease_reservation on that frame of ours)
 * and is FRAME_ballooned; one it asks for is one of those, populated by L0
 * again. It may own at most its boot memory (dom.nr_pages), as Xen's shim
 * sets max_pages to the boot allocation.
 */
#include "pvops/memory.h"
#include "pvops/domain.h"
#include "pvops/mm.h"
#include "x86/frames.h"
#include "x86/l0.h"
#include "lib/compat.h"
#include "lib/printk.h"

long memory_reservation(unsigned int cmd, domid_t domid)
{
    if ( domid != DOMID_SELF && domid != dom.domid )
        return l0_memory_op(cmd, &domid);

    switch ( cmd )
    {
    case XENMEM_current_reservation:
        return dom.tot_pages;
    case XENMEM_maximum_reservation:    /* its boot memory (Xen's shim: the same) */
        return dom.nr_pages;
    default:                            /* XENMEM_maximum_gpfn */
    {
        /* Xen: from the guest-written shared_info max_pfn (0 means 1). */
        unsigned long max_pfn = is_pv32()
            ? READ_ONCE(((struct compat_shared_info *)dom.shared_info)->arch.max_pfn)
            : READ_ONCE(dom.shared_info->arch.max_pfn);

        return (max_pfn ? max_pfn : 1) - 1;
    }
    }
}

long memory_maximum_ram_page(void)
{
    return l0_memory_op(XENMEM_maximum_ram_page, NULL);
}

/* One RAM entry over the guest's pages. */
void memory_map(struct e820_entry *e)
{
    *e = (struct e820_entry){
        0, (uint64_t)dom.nr_pages << PAGE_SHIFT, XEN_HVM_MEMMAP_TYPE_RAM,
    };
}

/*
 * Xen lets a domain set its own map, and xsm_domain_memory_map refuses
 * another domain's: the shim does not keep one (-EPERM for ours too, a
 * known difference).
 */
long memory_set_memory_map(domid_t domid)
{
    if ( domid == DOMID_SELF || domid == dom.domid )
        return -XEN_EPERM;
    return domain_exists(domid) ? -XEN_EPERM : -XEN_ESRCH;
}

/* ---------------------------------------------------------------- balloon */

/* Every frame given back to L0 is at or above this one (where a search starts). */
static unsigned long balloon_hint;

/*
 * Frames the guest no longer owns, no reference left, go to L0 in one
 * call. One L0 keeps (it should not) goes to the shim's own free frames,
 * never back to the guest: it gave it up.
 */
static void give_to_l0(xen_pfn_t *gfns, unsigned int n)
{
    struct xen_memory_reservation r = {
        .nr_extents = n, .extent_order = 0, .domid = DOMID_SELF,
    };
    long done;

    set_xen_guest_handle(r.extent_start, gfns);
    done = l0_memory_op(XENMEM_decrease_reservation, &r);
    for ( unsigned int i = 0; i < n; i++ )
    {
        m2p_set(gfns[i], INVALID_M2P_ENTRY);
        if ( (long)i < done )
        {
            frame_set_owner(gfns[i], 1, FRAME_ballooned);
            balloon_hint = MIN(balloon_hint, gfns[i]);
            dom.nr_ballooned++;
        }
        else
            /*
             * Unused from now on: another CPU may still hold a TLB entry
             * of the guest's for it (L0 flushes those only when it takes
             * the frame), so it never becomes the shim's.
             */
            frame_set_owner(gfns[i], 1, FRAME_none);
    }
    if ( done != n )
        pr_warn("L0 took back %ld of %u frames the guest gave back: the rest are left unused\n",
                done, n);
    dom.tot_pages -= n;
}

/*
 * Frames whose last reference went (FRAME_released), to go to L0 at the
 * next domain_unlock: a list through their page_info (type_info holds the
 * next one's index + 1), which nobody reads now. Index + 1 of the first; 0:
 * none.
 */
unsigned long memory_released;

/* frames.release: the last reference to a frame the guest gave back went. */
void memory_release(unsigned long mfn)
{
    unsigned long i = mfn - frames.first_mfn;

    frame_set_owner(mfn, 1, FRAME_released);
    frames.pages[i] = (struct page_info){ .type_info = memory_released };
    memory_released = i + 1;
}

void memory_release_queued(void)
{
    xen_pfn_t batch[64];
    unsigned int n = 0;

    while ( memory_released )
    {
        unsigned long i = memory_released - 1;

        memory_released = frames.pages[i].type_info;
        frames.pages[i].type_info = 0;
        batch[n++] = frames.first_mfn + i;
        if ( n == ARRAY_SIZE(batch) )
        {
            give_to_l0(batch, n);
            n = 0;
        }
    }
    if ( n )
        give_to_l0(batch, n);
}

/*
 * One extent of decrease_reservation (Xen's guest_remove_page for each of
 * its frames): the guest's RAM, or false at the first frame that is not.
 * A frame still in use (mapped, pinned, a table, a vcpu_info) stays until
 * its last reference goes (FRAME_dying); Xen does not unpin it either.
 */
bool memory_decrease_extent(xen_pfn_t mfn, unsigned int order)
{
    xen_pfn_t batch[64];
    unsigned int nb = 0;
    bool ok = true;

    for ( unsigned long j = 0; j < (1UL << order); j++ )
    {
        unsigned long m = mfn + j;
        unsigned int o = frame_owner(m);
        struct page_info *pg;

        if ( o == FRAME_dying )
            continue;                   /* given back already (Xen: no-op) */
        if ( o != FRAME_guest || !(pg = frame_info(&frames, m)) )
        {
            ok = false;
            break;
        }
        if ( pg->count || page_type_count(pg) )
        {
            frame_set_owner(m, 1, FRAME_dying);
            continue;
        }
        batch[nb++] = m;
        if ( nb == ARRAY_SIZE(batch) )
        {
            give_to_l0(batch, nb);
            nb = 0;
        }
    }
    if ( nb )
        give_to_l0(batch, nb);
    return ok;
}

/* A run of n ballooned frames at a multiple of n, below limit: its first. */
static bool find_ballooned(unsigned long n, unsigned long limit, unsigned long *first)
{
    unsigned long lo = MAX(frames.first_mfn, balloon_hint);
    unsigned long hi = MIN(frames.first_mfn + frames.nr, limit);

    for ( unsigned long m = ROUNDUP(lo, n); m < hi && hi - m >= n; m += n )
    {
        unsigned long j = 0;

        while ( j < n && frame_owner(m + j) == FRAME_ballooned )
            j++;
        if ( j < n )
            continue;
        if ( n == 1 )
            balloon_hint = m + 1;       /* the lowest one: none below */
        *first = m;
        return true;
    }
    return false;
}

bool memory_populate_extent(unsigned int order, unsigned long limit, xen_pfn_t gpfn,
                            bool set_m2p, xen_pfn_t *mfn)
{
    unsigned long n = 1UL << order, first;
    struct xen_memory_reservation r = {
        .nr_extents = 1, .extent_order = order, .domid = DOMID_SELF,
    };
    xen_pfn_t gfn;

    /* Past its boot memory: Xen's assign_pages refuses (-E2BIG). */
    if ( dom.tot_pages + n > dom.nr_pages || dom.nr_ballooned < n ||
         !find_ballooned(n, limit, &first) )
        return false;
    gfn = first;
    set_xen_guest_handle(r.extent_start, &gfn);
    if ( l0_memory_op(XENMEM_populate_physmap, &r) != 1 )
    {
        pr_warn("L0 did not give back %lu frames at %#lx\n", n, first);
        return false;
    }
    for ( unsigned long j = 0; j < n; j++ )
    {
        frames.pages[first + j - frames.first_mfn] = (struct page_info){ 0 };
        frames.linear[first + j - frames.first_mfn] = 0;
        /* populate_physmap sets the M2P; a new frame otherwise has none. */
        m2p_set(first + j, set_m2p ? gpfn + j : INVALID_M2P_ENTRY);
    }
    frame_set_owner(first, n, FRAME_guest);
    dom.tot_pages += n;
    dom.nr_ballooned -= n;
    *mfn = first;
    return true;
}

/*
 * Xen's construct_memop_from_reservation for a domU with no vNUMA: the
 * address width it asks for (a limit on the frames it gets), no node of
 * its own choosing. False where Xen fails the call.
 */
bool memory_flags_ok(unsigned int mem_flags, unsigned long *limit)
{
    unsigned int bits = XENMEMF_get_address_bits(mem_flags);

    *limit = ~0UL;
    if ( bits && bits < PAGE_SHIFT + 52 )
    {
        if ( bits <= PAGE_SHIFT )
            return false;
        *limit = 1UL << (bits - PAGE_SHIFT);
    }
    if ( mem_flags & XENMEMF_vnode )
        return true;                    /* no vNUMA: ignored */
    /* propagate_node: a domU's node is ignored, an exact one refused. */
    return XENMEMF_get_node(mem_flags) == 0xff ||
           !(mem_flags & XENMEMF_exact_node_request);
}
