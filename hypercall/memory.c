/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/memory.c - memory_op: the read-only queries for now, their
 * structures copied in and out; the answers are pvops/memory.c's.
 */
#include "hypercall/handlers.h"
#include "pvops/memory.h"
#include "x86/uaccess.h"

/* Xen's own limit on a set_memory_map (asm/e820.h E820MAX; not ABI). */
#define XEN_E820MAX 1024

/* Xen splits cmd: low 6 bits the op, the rest a continuation start. */
#define MEMOP_CMD_MASK 0x3f

/* current/maximum_reservation, maximum_gpfn: the domid they name. */
static long reservation_query(unsigned int cmd, unsigned long arg)
{
    domid_t domid;

    if ( copy_from_guest(&domid, arg, sizeof(domid)) )
        return -XEN_EFAULT;
    return memory_reservation(cmd, domid);
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
        return memory_maximum_ram_page();

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
        struct e820_entry e820;
        struct xen_memory_map map;

        if ( copy_from_guest(&map, arg, sizeof(map)) )
            return -XEN_EFAULT;
        if ( map.nr_entries < 1 )
            return -XEN_EINVAL;
        memory_map(&e820);
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
         * (E820MAX, Xen's limit), the domain, then xsm_domain_memory_map.
         */
        struct xen_foreign_memory_map fmap;

        if ( copy_from_guest(&fmap, arg, sizeof(fmap)) )
            return -XEN_EFAULT;
        if ( fmap.map.nr_entries > XEN_E820MAX )
            return -XEN_EINVAL;
        return memory_set_memory_map(fmap.domid);
    }

    /*
     * Reservation changes, exchange, machphys_mfn_list (its 2 MiB extents
     * need a 2 MiB-contiguous M2P), vNUMA: the memory-management step.
     */
    default:
        return -XEN_ENOSYS;
    }
}
