/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/memory/main.c - a balloon driver's memory_op with good and
 * bad input: decrease_reservation of free frames, of a frame still mapped
 * (it goes when its mapping does), of frames the guest does not own;
 * populate_physmap (the M2P set) and increase_reservation (no M2P entry)
 * back up to the boot size; bad orders, flags, domids, lists and counts,
 * continuations.
 *
 * Every case prints "case <name>: got X expected Y". The expectations are
 * Xen 4.17's (xen/common/memory.c: the reservation ops return the number of
 * extents done, never an errno; guest_remove_page; page_alloc.c frees a
 * page, sets its M2P entry invalid and drops tot_pages only when its last
 * reference goes), as this kernel gets them directly on the lab's L0 as a
 * plain PV guest. It never asks for more than it gave back: directly on L0
 * a PV guest may grow by libxl's 1 MiB of slack past its memory, under a
 * shim it may not (Xen's shim: its boot memory is its limit).
 *
 * Frames to give back come from the top of the P2M (the builder maps only
 * the boot region); the mapped one is a page of this image. Last (64-bit):
 * the L4 in CR3 given back, which may go only once the CPU is off it.
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "memory_op: decrease_reservation, populate_physmap, increase_reservation";

#define PG              GUEST_PAGE_SIZE
#ifdef __i386__
#define M2P_VA          0xF5800000UL
#define BAD_XEN         0xF6000000UL
#else
#define M2P_VA          0xffff800000000000UL
#define BAD_XEN         0xffff830000000000UL
#endif
#define BAD_UNMAPPED    0x1000UL
#define INVALID_M2P     (~0UL)
#define NR_FREE         8

static const unsigned long *const m2p = (const unsigned long *)M2P_VA;

static const xen_pfn_t *p2m(void)
{
    return (const xen_pfn_t *)start_info->mfn_list;
}

/* A page of this image, mapped by the boot tables: the one given back while mapped. */
static uint8_t victim[PG] __aligned(PG);

static void check_eq(const char *name, long got, long expected)
{
    report_case(name, got, expected, NULL);
}

static long reservation(unsigned int cmd, xen_pfn_t *list, unsigned int nr,
                        unsigned int order, unsigned int flags, domid_t domid)
{
    struct xen_memory_reservation r = {
        .nr_extents = nr, .extent_order = order, .mem_flags = flags, .domid = domid,
    };

    set_xen_guest_handle(r.extent_start, list);
    return hypercall_memory_op(cmd, &r);
}

static long current_pages(void)
{
    domid_t self = DOMID_SELF;

    return hypercall_memory_op(XENMEM_current_reservation, &self);
}

void test_main(void)
{
    unsigned long nr = start_info->nr_pages;
    long base = current_pages();
    xen_pfn_t pfn[NR_FREE], mfn[NR_FREE], list[NR_FREE], one;
    unsigned long vpfn = ((unsigned long)victim - GUEST_VIRT_BASE) / PG;
    unsigned long vmfn = p2m()[vpfn];
    domid_t self = DOMID_SELF;

    check_eq("current_reservation is nr_pages", base, (long)nr);
    check_eq("maximum_reservation >= current",
             hypercall_memory_op(XENMEM_maximum_reservation, &self) >= base, 1);
    for ( unsigned int i = 0; i < NR_FREE; i++ )
    {
        pfn[i] = nr - 1 - i;
        mfn[i] = p2m()[pfn[i]];
    }

    /* ---- bad input: nothing done, never an errno */
    memcpy(list, mfn, sizeof(list));
    check_eq("decrease order 10", reservation(XENMEM_decrease_reservation, list, 1, 10, 0, DOMID_SELF), 0);
    check_eq("decrease domid 0", reservation(XENMEM_decrease_reservation, list, 1, 0, 0, 0), 0);
    check_eq("decrease domid absent", reservation(XENMEM_decrease_reservation, list, 1, 0, 0, 0x1234), 0);
    check_eq("decrease list unmapped",
             reservation(XENMEM_decrease_reservation, (xen_pfn_t *)BAD_UNMAPPED, 1, 0, 0, DOMID_SELF), 0);
    check_eq("decrease list in the hypervisor",
             reservation(XENMEM_decrease_reservation, (xen_pfn_t *)BAD_XEN, 1, 0, 0, DOMID_SELF), 0);
    check_eq("decrease 0 extents", reservation(XENMEM_decrease_reservation, list, 0, 0, 0, DOMID_SELF), 0);
    check_eq("decrease 2^26 extents",
             reservation(XENMEM_decrease_reservation, list, 1U << 26, 0, 0, DOMID_SELF), 0);
    check_eq("decrease address_bits 12",
             reservation(XENMEM_decrease_reservation, list, 1, 0, 12, DOMID_SELF), 0);
    check_eq("decrease exact node 0",
             reservation(XENMEM_decrease_reservation, list, 1, 0, XENMEMF_exact_node(0), DOMID_SELF), 0);
    {
        struct xen_memory_reservation r = { .nr_extents = 2, .domid = DOMID_SELF };

        set_xen_guest_handle(r.extent_start, list);
        /* start_extent 2 of 2 (a continuation's): nothing left, 2 done */
        check_eq("decrease start_extent 2 of 2",
                 hypercall_memory_op(XENMEM_decrease_reservation | (2 << 6), &r), 2);
    }
    list[0] = 0;                                /* a frame no domU owns */
    check_eq("decrease mfn 0", reservation(XENMEM_decrease_reservation, list, 1, 0, 0, DOMID_SELF), 0);
    list[0] = ~(xen_pfn_t)0 >> 12;              /* no such frame */
    check_eq("decrease mfn past the host", reservation(XENMEM_decrease_reservation, list, 1, 0, 0, DOMID_SELF), 0);
    check_eq("populate order 10", reservation(XENMEM_populate_physmap, pfn, 1, 10, 0, DOMID_SELF), 0);
    check_eq("populate PoD on oneself",
             reservation(XENMEM_populate_physmap, pfn, 1, 0, XENMEMF_populate_on_demand, DOMID_SELF), 0);
    check_eq("current_reservation unchanged", current_pages(), base);

    /* ---- give back NR_FREE free frames; the third extent of a list stops at a bad one */
    list[0] = mfn[0];
    list[1] = mfn[1];
    list[2] = 0;
    list[3] = mfn[2];
    check_eq("decrease 4, the third bad: 2 done",
             reservation(XENMEM_decrease_reservation, list, 4, 0, 0, DOMID_SELF), 2);
    check_eq("current_reservation -2", current_pages(), base - 2);
    check_eq("M2P of a frame given back", m2p[mfn[0]] == INVALID_M2P, 1);
    check_eq("decrease the same frame again", reservation(XENMEM_decrease_reservation, &mfn[0], 1, 0, 0, DOMID_SELF), 0);
    check_eq("decrease the other 6", reservation(XENMEM_decrease_reservation, &mfn[2], 6, 0, 0, DOMID_SELF), 6);
    check_eq("current_reservation -8", current_pages(), base - NR_FREE);

    /* ---- a frame still mapped: it stays counted until its mapping goes */
    victim[0] = 1;
    one = vmfn;
    check_eq("decrease a mapped frame", reservation(XENMEM_decrease_reservation, &one, 1, 0, 0, DOMID_SELF), 1);
    check_eq("current_reservation: the mapped one still counts", current_pages(), base - NR_FREE);
    check_eq("M2P of the mapped one still says its pfn", m2p[vmfn], (long)vpfn);
    check_eq("decrease the mapped frame again (a no-op)",
             reservation(XENMEM_decrease_reservation, &one, 1, 0, 0, DOMID_SELF), 1);
    check_eq("unmap it", hypercall_update_va_mapping((unsigned long)victim, 0, UVMF_INVLPG | UVMF_LOCAL), 0);
    check_eq("current_reservation: now it is gone", current_pages(), base - NR_FREE - 1);
    check_eq("M2P of it now invalid", m2p[vmfn] == INVALID_M2P, 1);

    /* ---- ask for them again */
    check_eq("populate address_bits 12", reservation(XENMEM_populate_physmap, pfn, 1, 0, 12, DOMID_SELF), 0);
    memcpy(list, pfn, sizeof(list));
    check_eq("populate 4", reservation(XENMEM_populate_physmap, list, 4, 0, 0, DOMID_SELF), 4);
    for ( unsigned int i = 0; i < 4; i++ )
        check_eq("populate: M2P of the new frame is its pfn", m2p[list[i]], (long)pfn[i]);
    check_eq("current_reservation -5", current_pages(), base - 5);
    {
        xen_pfn_t inc[2] = { 0, 0 };

        check_eq("increase 2", reservation(XENMEM_increase_reservation, inc, 2, 0, 0, DOMID_SELF), 2);
        check_eq("increase: M2P of a new frame is invalid", m2p[inc[0]] == INVALID_M2P, 1);
        check_eq("increase: a new frame is not one we have", inc[0] != inc[1] && inc[0] != list[0], 1);
        check_eq("current_reservation -3", current_pages(), base - 3);
        check_eq("decrease them again", reservation(XENMEM_decrease_reservation, inc, 2, 0, 0, DOMID_SELF), 2);
    }
    check_eq("increase with a NULL list", reservation(XENMEM_increase_reservation, NULL, 1, 0, 0, DOMID_SELF), 1);
    check_eq("current_reservation -4", current_pages(), base - 4);
    memcpy(list, &pfn[4], 4 * sizeof(*list));
    check_eq("populate the other 3, list unmapped",
             reservation(XENMEM_populate_physmap, (xen_pfn_t *)BAD_UNMAPPED, 3, 0, 0, DOMID_SELF), 0);
    check_eq("populate the other 3", reservation(XENMEM_populate_physmap, list, 3, 0, 0, DOMID_SELF), 3);
    check_eq("current_reservation back", current_pages(), base - 1);
    check_eq("a new frame is usable: its M2P", m2p[list[2]], (long)pfn[6]);

#ifdef __x86_64__
    /*
     * ---- the page table this vCPU runs on, given back: its last reference
     * is the CR3 one, and goes when another L4 is loaded (the frame may go
     * only once the CPU is off it). The new L4 is a copy of the boot one,
     * written through victim's VA (unmapped above) and pinned.
     */
    {
        unsigned long l4 = start_info->pt_base;
        xen_pfn_t old = p2m()[(l4 - GUEST_VIRT_BASE) / PG], new = list[2], gone = old;
        const uint64_t *from = (const uint64_t *)l4;
        uint64_t *to = (uint64_t *)victim;
        long before = current_pages();
        mmuext_op_t op;

        check_eq("map a free frame at victim's VA",
                 hypercall_update_va_mapping((unsigned long)victim, ((uint64_t)new << 12) | 0x63,
                                             UVMF_INVLPG | UVMF_LOCAL), 0);
        for ( unsigned int i = 0; i < 512; i++ )
            to[i] = from[i];
        check_eq("unmap it", hypercall_update_va_mapping((unsigned long)victim, 0,
                                                         UVMF_INVLPG | UVMF_LOCAL), 0);
        op = (mmuext_op_t){ .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = new };
        check_eq("pin the copy as an L4", hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
        check_eq("decrease the L4 in CR3", reservation(XENMEM_decrease_reservation, &gone, 1, 0, 0,
                                                       DOMID_SELF), 1);
        op = (mmuext_op_t){ .cmd = MMUEXT_UNPIN_TABLE, .arg1.mfn = old };
        check_eq("unpin it", hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
        /* The builder's user base is the boot L4 too: the copy, so that CR3's is the last. */
        op = (mmuext_op_t){ .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = new };
        check_eq("new_user_baseptr to the copy", hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
        /* The boot region maps the tables read-only: the L4's own mapping goes too. */
        check_eq("unmap the old L4's VA", hypercall_update_va_mapping(l4, 0, UVMF_INVLPG | UVMF_LOCAL), 0);
        check_eq("current_reservation: CR3 still holds it", current_pages(), before);
        op = (mmuext_op_t){ .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = new };
        check_eq("new_baseptr to the copy", hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
        check_eq("current_reservation: the old L4 is gone", current_pages(), before - 1);
        check_eq("M2P of the old L4 invalid", m2p[old] == INVALID_M2P, 1);
        check_eq("still running: the M2P of the new L4", m2p[new], (long)pfn[6]);
    }
#endif

    xtf_success(NULL);
}
