/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/memory.c - memory_op: the read-only queries for now.
 * Reservation changes (balloon), exchange and the rest come with the
 * memory-management step.
 */
#include "hypercall/handlers.h"
#include "x86/l0.h"
#include "pvops/domain.h"
#include "x86/uaccess.h"

/* Xen's own limit on a set_memory_map (asm/e820.h E820MAX; not ABI). */
#define XEN_E820MAX 1024

/* Xen splits cmd: low 6 bits the op, the rest a continuation start. */
#define MEMOP_CMD_MASK 0x3f

/*
 * current/maximum_reservation, maximum_gpfn of a domid. Ours answer for
 * DOMID_SELF and our own id; any other domid is L0's business and L0 gives
 * the errno a domU gets directly (-EPERM for one that exists, -ESRCH).
 */
static long reservation_query(unsigned int cmd, unsigned long arg)
{
    domid_t domid;

    if ( copy_from_guest(&domid, arg, sizeof(domid)) )
        return -XEN_EFAULT;
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
        unsigned long max_pfn = READ_ONCE(dom.shared_info->arch.max_pfn);

        return (max_pfn ? max_pfn : 1) - 1;
    }
    }
}

long do_memory_op(unsigned long cmd, unsigned long arg)
{
    switch ( cmd & MEMOP_CMD_MASK )
    {
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        return reservation_query(cmd & MEMOP_CMD_MASK, arg);

    case XENMEM_maximum_ram_page:
        /* The host's highest frame, as the guest would see it directly. */
        return l0_memory_op(XENMEM_maximum_ram_page, NULL);

    case XENMEM_machphys_mapping:
    {
        struct xen_machphys_mapping m = {
            .v_start = __MACH2PHYS_VIRT_START,
            .v_end = __MACH2PHYS_VIRT_END,
            .max_mfn = ((__MACH2PHYS_VIRT_END - __MACH2PHYS_VIRT_START) >> 3) - 1,
        };

        return copy_to_guest(arg, &m, sizeof(m)) ? -XEN_EFAULT : 0;
    }

    case XENMEM_memory_map:
    {
        /*
         * A PV domU's pseudo-physical map as libxl sets it: one RAM entry
         * over its pages (BIOS e820 format: 20 bytes, packed).
         */
        struct __packed { uint64_t addr, size; uint32_t type; } e820 = {
            0, (uint64_t)dom.nr_pages << PAGE_SHIFT, XEN_HVM_MEMMAP_TYPE_RAM,
        };
        struct xen_memory_map map;

        if ( copy_from_guest(&map, arg, sizeof(map)) )
            return -XEN_EFAULT;
        if ( map.nr_entries < 1 )
            return -XEN_EINVAL;
        if ( copy_to_guest((unsigned long)map.buffer.p, &e820, sizeof(e820)) )
            return -XEN_EFAULT;
        map.nr_entries = 1;
        return copy_to_guest(arg, &map, sizeof(map)) ? -XEN_EFAULT : 0;
    }

    /* The host's map: privileged before anything is read. */
    case XENMEM_machine_memory_map:
        return -XEN_EPERM;

    case XENMEM_set_memory_map:
    {
        /*
         * The toolstack's call, in Xen's order: the request, its size
         * (E820MAX, Xen's limit), the domain, then xsm_domain_memory_map:
         * -EPERM for another domain. Xen lets a domain set its own map;
         * the shim does not keep one (-EPERM, a known difference).
         */
        struct xen_foreign_memory_map fmap;

        if ( copy_from_guest(&fmap, arg, sizeof(fmap)) )
            return -XEN_EFAULT;
        if ( fmap.map.nr_entries > XEN_E820MAX )
            return -XEN_EINVAL;
        if ( fmap.domid == DOMID_SELF || fmap.domid == dom.domid )
            return -XEN_EPERM;
        return l0_domain_exists(fmap.domid) ? -XEN_EPERM : -XEN_ESRCH;
    }

    /*
     * Reservation changes, exchange, machphys_mfn_list (its 2 MiB extents
     * need a 2 MiB-contiguous M2P), vNUMA: the memory-management step.
     */
    default:
        return -XEN_ENOSYS;
    }
}
