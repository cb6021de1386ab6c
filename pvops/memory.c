/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/memory.c - memory_op's answers about the guest's memory (Xen's
 * common/memory.c for a PV domU). Reservation changes (balloon), exchange
 * and the rest come with the memory-management step.
 */
#include "pvops/memory.h"
#include "pvops/domain.h"
#include "x86/l0.h"
#include "lib/compat.h"

long memory_reservation(unsigned int cmd, domid_t domid)
{
    if ( domid != DOMID_SELF && domid != dom.domid )
        return l0_memory_op(cmd, &domid);

    switch ( cmd )
    {
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:    /* cannot grow past boot memory yet */
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
