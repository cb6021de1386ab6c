/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/privileged.c - the control hypercalls a PV domU may make but
 * never get: what it sees is Xen's order of checks up to the permission
 * check that refuses it (dummy XSM, the default: a domU is not privileged).
 *
 *   platform_op, sysctl   copy the request (-EFAULT), its interface version
 *                         (-EACCES), then XSM_PRIV: -EPERM
 *   domctl                the same, but the domain is looked up by id before
 *                         the permission check (-ESRCH for one that does not
 *                         exist, which L0 tells us; ours is the guest's)
 *   kexec_op, hypfs_op    XSM_PRIV first: -EPERM
 *   xenpmu_op             -EOPNOTSUPP: L0's vPMU is off by default, and a
 *                         PV guest's answer would be L0's
 *
 * xen/arch/x86/platform_hypercall.c, common/sysctl.c, common/domctl.c,
 * common/kexec.c, common/hypfs.c, arch/x86/cpu/vpmu.c.
 */
#define __XEN_TOOLS__ 1     /* domctl.h and friends are "for tools only" */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "x86/uaccess.h"
#include <xen/domctl.h>
#include <xen/platform.h>
#include <xen/sysctl.h>

long do_platform_op(unsigned long arg)
{
    struct xen_platform_op op;

    if ( copy_from_guest(&op, arg, sizeof(op)) )
        return -XEN_EFAULT;
    if ( op.interface_version != XENPF_INTERFACE_VERSION )
        return -XEN_EACCES;
    return -XEN_EPERM;
}

long do_sysctl(unsigned long arg)
{
    struct xen_sysctl op;

    if ( copy_from_guest(&op, arg, sizeof(op)) )
        return -XEN_EFAULT;
    if ( op.interface_version != XEN_SYSCTL_INTERFACE_VERSION )
        return -XEN_EACCES;
    return -XEN_EPERM;
}

long do_domctl(unsigned long arg)
{
    struct xen_domctl op;
    domid_t d;

    if ( copy_from_guest(&op, arg, sizeof(op)) )
        return -XEN_EFAULT;
    if ( op.interface_version != XEN_DOMCTL_INTERFACE_VERSION )
        return -XEN_EACCES;

    /* The lookup of common/domctl.c; xsm_domctl then refuses a domU. */
    d = op.domain;
    switch ( op.cmd )
    {
    case XEN_DOMCTL_assign_device:
    case XEN_DOMCTL_deassign_device:
        if ( d == DOMID_IO )
            return -XEN_EPERM;
        if ( d == DOMID_INVALID )
            return -XEN_ESRCH;
        /* fall through */
    case XEN_DOMCTL_test_assign_device:
    case XEN_DOMCTL_vm_event_op:
        if ( d == DOMID_INVALID )
            return -XEN_EPERM;          /* no domain: straight to XSM */
        break;
    case XEN_DOMCTL_createdomain:
    case XEN_DOMCTL_gdbsx_guestmemio:
        return -XEN_EPERM;
    /*
     * getdomaininfo of a missing domain: RELEASE-4.17.0 goes on to XSM, but
     * Debian's 4.17 (the lab's L0) gives -ESRCH like any other: as L0.
     */
    }
    /* rcu_lock_domain_by_id: real ids only (not DOMID_SELF). */
    if ( d == dom.domid )
        return -XEN_EPERM;
    if ( d >= DOMID_FIRST_RESERVED || !domain_exists(d) )
        return -XEN_ESRCH;
    return -XEN_EPERM;
}
