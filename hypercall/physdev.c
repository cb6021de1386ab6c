/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/physdev.c - physdev_op: the virtual IOPL and I/O bitmap
 * (pvops/vcpu.c), and the device and interrupt calls a domU is refused.
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "pvops/vcpu.h"
#include "x86/uaccess.h"
#include "lib/string.h"

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
    /*
     * A 32-bit guest's map_pirq ends in a 4-aligned table_base (36 bytes)
     * and its apic_physbase is 4 bytes (12): read at their size, table_base
     * moved to its place (Xen's compat XLAT_physdev_map_pirq).
     */
    if ( is_pv32() && cmd == PHYSDEVOP_map_pirq )
    {
        uint8_t raw[36];

        if ( copy_from_guest(raw, arg, sizeof(raw)) )
            return -XEN_EFAULT;
        memcpy(&u.map, raw, 28);
        memcpy(&u.map.table_base, raw + 28, 8);
    }
    else if ( copy_from_guest(&u, arg, is_pv32() && size == sizeof(u.apic) ? 12 : size) )
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
        if ( is_pv32() )
        {
            uint8_t raw[36];

            memcpy(raw, &u.map, 28);
            memcpy(raw + 28, &u.map.table_base, 8);
            return copy_to_guest(arg, raw, sizeof(raw)) ? -XEN_EFAULT : rc;
        }
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

/* A 32-bit guest's map_pirq: the same members up to entry_nr, then table_base at 28. */
BUILD_BUG_ON(offsetof(struct physdev_map_pirq, entry_nr) + 4 != 28);

long do_physdev_op(int cmd, unsigned long arg)
{
    switch ( cmd )
    {
    case PHYSDEVOP_set_iopl:
    {
        struct physdev_set_iopl s;

        if ( copy_from_guest(&s, arg, sizeof(s)) )
            return -XEN_EFAULT;
        return vcpu_set_iopl(current_vcpu(), s.iopl);
    }

    case PHYSDEVOP_set_iobitmap:
    {
        struct physdev_set_iobitmap s;

        if ( is_pv32() )
        {
            uint32_t c[2];          /* a 32-bit guest's: bitmap handle, nr_ports */

            if ( copy_from_guest(c, arg, sizeof(c)) )
                return -XEN_EFAULT;
            return vcpu_set_iobitmap(current_vcpu(), c[0], c[1]);
        }
        if ( copy_from_guest(&s, arg, sizeof(s)) )
            return -XEN_EFAULT;
        return vcpu_set_iobitmap(current_vcpu(), (unsigned long)s.bitmap.p,
                                 s.nr_ports);
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
