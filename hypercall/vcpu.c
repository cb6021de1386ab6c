/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/vcpu.c - vcpu_op and physdev_op: the sub-ops of this step.
 * Timers come with the event-channel step, bringing vCPUs up with SMP.
 */
#include "hypercall/handlers.h"
#include "x86/l0.h"
#include "pvops/domain.h"
#include "pvops/time.h"
#include "pvops/vcpu.h"
#include "x86/cpu.h"
#include "x86/uaccess.h"
#include "lib/string.h"

/* Nanoseconds since some fixed point, from the TSC L0 gave us. */
static uint64_t tsc_to_ns(uint64_t tsc)
{
    uint64_t khz = l0.tsc_khz ? l0.tsc_khz : 1000000;

    return tsc / khz * 1000000 + (tsc % khz) * 1000000 / khz;
}

/* The one vCPU runs whenever it is not blocked: all its time is "running". */
static void fill_runstate(const struct vcpu *v, struct vcpu_runstate_info *r)
{
    uint64_t now = tsc_to_ns(rdtsc());

    memset(r, 0, sizeof(*r));
    r->state = v->up ? RUNSTATE_running : RUNSTATE_offline;
    r->state_entry_time = tsc_to_ns(v->runstate_since_tsc);
    r->time[r->state] = now - r->state_entry_time;
}

static long register_vcpu_info(struct vcpu *v, unsigned long arg)
{
    struct vcpu_register_vcpu_info info;

    if ( copy_from_guest(&info, arg, sizeof(info)) )
        return -XEN_EFAULT;
    /* Xen ignores info.rsvd. */
    return vcpu_register_info(v, info.mfn, info.offset);
}

long do_vcpu_op(int cmd, unsigned int vcpuid, unsigned long arg)
{
    struct vcpu *v;

    if ( vcpuid >= dom.nr_vcpus || !(v = dom.vcpu[vcpuid]) )
        return -XEN_ENOENT;

    switch ( cmd )
    {
    case VCPUOP_is_up:
        return v->up;

    case VCPUOP_initialise:
    {
        /*
         * Xen reads the whole context first (-EFAULT), then refuses a vCPU
         * that runs already (-EEXIST). Starting another vCPU is SMP's.
         */
        uint8_t chunk[256];

        for ( size_t off = 0; off < sizeof(struct vcpu_guest_context);
              off += sizeof(chunk) )
            if ( copy_from_guest(chunk, arg + off,
                                 MIN(sizeof(chunk),
                                     sizeof(struct vcpu_guest_context) - off)) )
                return -XEN_EFAULT;
        return v->up ? -XEN_EEXIST : -XEN_ENOSYS;
    }

    case VCPUOP_get_runstate_info:
    {
        struct vcpu_runstate_info r;

        fill_runstate(v, &r);
        return copy_to_guest(arg, &r, sizeof(r)) ? -XEN_EFAULT : 0;
    }

    case VCPUOP_register_runstate_memory_area:
    {
        struct vcpu_register_runstate_memory_area area;
        struct vcpu_runstate_info r;

        if ( copy_from_guest(&area, arg, sizeof(area)) )
            return -XEN_EFAULT;
        v->runstate_area = (unsigned long)area.addr.v;
        if ( !v->runstate_area )
            return 0;
        /* Written now, as Xen does; a bad address is simply not written. */
        fill_runstate(v, &r);
        copy_to_guest(v->runstate_area, &r, sizeof(r));
        return 0;
    }

    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, arg);

    /* Only a pinned hardware domain learns physical CPU ids. */
    case VCPUOP_get_physid:
        return -XEN_EINVAL;

    /* An NMI for that vCPU; taken on its next way back to the guest. */
    case VCPUOP_send_nmi:
        if ( arg )
            return -XEN_EINVAL;
        v->nmi_pending = true;
        return 0;

    case VCPUOP_set_singleshot_timer:
    {
        struct vcpu_set_singleshot_timer t;

        if ( copy_from_guest(&t, arg, sizeof(t)) )
            return -XEN_EFAULT;
        return pv_timer_set_singleshot(v, &t);
    }
    case VCPUOP_stop_singleshot_timer:
        return pv_timer_stop_singleshot(v);
    case VCPUOP_set_periodic_timer:
        return pv_timer_set_periodic(v);
    case VCPUOP_stop_periodic_timer:
        return pv_timer_stop_periodic(v);

    /*
     * initialise/up/down: SMP. Time areas: the event-channel and time
     * step.
     */
    default:
        return -XEN_ENOSYS;
    }
}

/* The domain a PIRQ call names exists (rcu_lock_domain_by_any_id)? */
static bool domain_exists(domid_t d)
{
    return d == DOMID_SELF || d == dom.domid || l0_domain_exists(d);
}

/*
 * The physdev_ops a domU is refused, in Xen 4.17's order (arch/x86/
 * physdev.c, drivers/pci/physdev.c): the argument is read first (-EFAULT),
 * a few checks on it, then XSM refuses (-EPERM). map_pirq writes its
 * argument back even then.
 */
static long physdev_refused(int cmd, unsigned long arg)
{
    union {
        struct physdev_map_pirq map;
        struct physdev_unmap_pirq unmap;
        struct physdev_manage_pci manage;
        struct physdev_manage_pci_ext manage_ext;
        struct physdev_pci_device_add add;
        struct physdev_pci_device dev;
        struct physdev_apic apic;
        struct physdev_irq irq;
    } u;
    size_t size;
    uint32_t pxm;

    switch ( cmd )
    {
    case PHYSDEVOP_map_pirq:            size = sizeof(u.map); break;
    case PHYSDEVOP_unmap_pirq:          size = sizeof(u.unmap); break;
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:   size = sizeof(u.manage); break;
    case PHYSDEVOP_manage_pci_add_ext:  size = sizeof(u.manage_ext); break;
    case PHYSDEVOP_pci_device_add:      size = sizeof(u.add); break;
    case PHYSDEVOP_apic_read:
    case PHYSDEVOP_apic_write:          size = sizeof(u.apic); break;
    case PHYSDEVOP_alloc_irq_vector:    size = sizeof(u.irq); break;
    default:                            size = sizeof(u.dev); break;
    }
    if ( copy_from_guest(&u, arg, size) )
        return -XEN_EFAULT;

    switch ( cmd )
    {
    case PHYSDEVOP_map_pirq:
    {
        long rc;

        if ( u.map.type == MAP_PIRQ_TYPE_MULTI_MSI && u.map.table_base )
            return -XEN_EINVAL;
        if ( u.map.type == MAP_PIRQ_TYPE_MSI_SEG )
            u.map.type = MAP_PIRQ_TYPE_MSI;
        rc = domain_exists(u.map.domid) ? -XEN_EPERM : -XEN_ESRCH;
        return copy_to_guest(arg, &u.map, sizeof(u.map)) ? -XEN_EFAULT : rc;
    }
    case PHYSDEVOP_unmap_pirq:
        return domain_exists(u.unmap.domid) ? -XEN_EPERM : -XEN_ESRCH;
    case PHYSDEVOP_manage_pci_add_ext:
        if ( u.manage_ext.is_extfn > 1 || u.manage_ext.is_virtfn > 1 )
            return -XEN_EINVAL;
        return -XEN_EPERM;
    case PHYSDEVOP_pci_device_add:
        /* The proximity domain, when flagged, is read before XSM. */
        if ( (u.add.flags & XEN_PCI_DEV_PXM) &&
             copy_from_guest(&pxm, arg + offsetof(struct physdev_pci_device_add,
                                                  optarr), sizeof(pxm)) )
            return -XEN_EFAULT;
        return -XEN_EPERM;
    default:
        return -XEN_EPERM;
    }
}

long do_physdev_op(int cmd, unsigned long arg)
{
    struct vcpu *v = current_vcpu();

    switch ( cmd )
    {
    case PHYSDEVOP_set_iopl:
    {
        struct physdev_set_iopl s;

        if ( copy_from_guest(&s, arg, sizeof(s)) )
            return -XEN_EFAULT;
        if ( s.iopl > 3 )
            return -XEN_EINVAL;
        v->iopl = s.iopl;
        return 0;
    }

    case PHYSDEVOP_set_iobitmap:
    {
        struct physdev_set_iobitmap s;

        if ( copy_from_guest(&s, arg, sizeof(s)) )
            return -XEN_EFAULT;
        if ( s.nr_ports > 65536 )
            return -XEN_EINVAL;
        v->iobmp = (unsigned long)s.bitmap.p;
        v->iobmp_nr = s.nr_ports;
        return 0;
    }

    /*
     * This guest owns no physical IRQs: nothing to acknowledge, and the
     * query is refused too (Xen answers an unbound PIRQ below the domain's
     * nr_pirqs, which depends on L0's GSI count: a known difference). Both
     * read their argument first, as Xen does.
     */
    /* Unmask this domain's PIRQs: it has none, so nothing to do (as Xen). */
    case PHYSDEVOP_IRQ_UNMASK_NOTIFY:
        return 0;

    case PHYSDEVOP_irq_status_query:
    case PHYSDEVOP_eoi:
    {
        union {
            struct physdev_eoi eoi;
            struct physdev_irq_status_query query;
        } u;

        if ( copy_from_guest(&u, arg, cmd == PHYSDEVOP_eoi ? sizeof(u.eoi)
                                                           : sizeof(u.query)) )
            return -XEN_EFAULT;
        return -XEN_EINVAL;
    }

    /* Device and interrupt management: the hardware domain's (below). */
    case PHYSDEVOP_map_pirq:
    case PHYSDEVOP_unmap_pirq:
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:
    case PHYSDEVOP_manage_pci_add_ext:
    case PHYSDEVOP_pci_device_add:
    case PHYSDEVOP_pci_device_remove:
    case PHYSDEVOP_prepare_msix:
    case PHYSDEVOP_release_msix:
    case PHYSDEVOP_apic_read:
    case PHYSDEVOP_apic_write:
    case PHYSDEVOP_alloc_irq_vector:
        return physdev_refused(cmd, arg);

    /*
     * Refused too, but Xen's answer depends on L0's hardware first (the
     * device, the GSI count) or hands out a PIRQ: -EPERM here, a known
     * difference for the odd arguments.
     */
    case PHYSDEVOP_restore_msi:
    case PHYSDEVOP_restore_msi_ext:
    case PHYSDEVOP_setup_gsi:
    case PHYSDEVOP_get_free_pirq:
    /* These two before reading anything (Xen: XSM, hardware domain). */
    case PHYSDEVOP_pci_mmcfg_reserved:
    case PHYSDEVOP_dbgp_op:
        return -XEN_EPERM;

    /* pirq_eoi_gmfn: with no PIRQs, the event-channel step decides. */
    default:
        return -XEN_ENOSYS;
    }
}
