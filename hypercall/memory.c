/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/memory.c - memory_op: its structures and extent lists copied in
 * and out, long lists preempted; the answers are pvops/memory.c's.
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "pvops/memory.h"
#include "x86/uaccess.h"
#include "lib/compat.h"

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

#define MEMOP_EXTENT_SHIFT 6

/*
 * increase_reservation, decrease_reservation, populate_physmap (Xen's
 * do_memory_op and its workers): the number of extents done, counted from
 * start (the continuation's); every failure just stops there, as in Xen.
 */
/* Frames a call may go through before it lets events in and the domain lock go. */
#define MEMOP_FRAMES_PER_RUN 4096

long memory_reservation_change(unsigned int op, unsigned long start, unsigned long arg,
                               const struct memop_reservation *r)
{
    unsigned long limit, i, frames = 0;

    if ( r->nr > (~0U >> MEMOP_EXTENT_SHIFT) || start >= r->nr ||
         (r->domid != DOMID_SELF && r->domid != dom.domid) ||
         !memory_flags_ok(r->mem_flags, &limit) )
        return start;
    /* PoD on oneself; a list outside guest space (a NULL one: no MFNs back). */
    if ( (op == XENMEM_populate_physmap && (r->mem_flags & XENMEMF_populate_on_demand)) ||
         (!(op == XENMEM_increase_reservation && !r->list) &&
          !guest_range_ok(r->list + start * r->width, (r->nr - start) * r->width)) ||
         r->order > MEMOP_MAX_ORDER )
        return start;

    for ( i = start; i < r->nr; i++ )
    {
        xen_pfn_t pfn = 0, mfn;

        frames += 1UL << r->order;

        /*
         * Xen stops for a pending event or softirq; here also after a run
         * of frames, which may be given back one at a time (or be no-ops
         * under events masked), so the lock is let go now and then.
         */
        if ( i != start && (hypercall_preempt_check() || frames >= MEMOP_FRAMES_PER_RUN) )
        {
            const unsigned long a[5] = { op | (i << MEMOP_EXTENT_SHIFT), arg };

            return hypercall_create_continuation(__HYPERVISOR_memory_op, a);
        }
        if ( op != XENMEM_increase_reservation &&
             copy_from_guest(&pfn, r->list + i * r->width, r->width) )
            break;
        if ( op == XENMEM_decrease_reservation )
        {
            if ( !memory_decrease_extent(pfn, r->order) )
                break;
            continue;
        }
        if ( !memory_populate_extent(r->order, limit, pfn,
                                     op == XENMEM_populate_physmap, &mfn) )
            break;
        /* A fault now: the extent is the guest's but not counted (Xen's too). */
        if ( r->list && copy_to_guest(r->list + i * r->width, &mfn, r->width) )
            break;
    }
    return i;
}

long do_memory_op(unsigned long cmd, unsigned long arg)
{
    switch ( cmd & MEMOP_CMD_MASK )
    {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
    {
        struct xen_memory_reservation res;
        struct memop_reservation r;

        if ( copy_from_guest(&res, arg, sizeof(res)) )
            return cmd >> MEMOP_EXTENT_SHIFT;
        r = (struct memop_reservation){
            (unsigned long)res.extent_start.p, res.nr_extents, res.extent_order,
            res.mem_flags, res.domid, sizeof(xen_pfn_t),
        };
        return memory_reservation_change(cmd & MEMOP_CMD_MASK, cmd >> MEMOP_EXTENT_SHIFT,
                                         arg, &r);
    }

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
     * Exchange, machphys_mfn_list (its 2 MiB extents need a 2 MiB-contiguous
     * M2P), vNUMA, PoD targets: not yet (issue 14).
     */
    default:
        return -XEN_ENOSYS;
    }
}
