/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/privileged.c - the control hypercalls a PV domU may make but
 * never get: what it sees is Xen's order of checks up to the permission
 * check that refuses it (dummy XSM, the default: a domU is not privileged).
 *
 *   platform_op, sysctl   copy the request (-EFAULT), its interface version
 *                         (-EACCES), then XSM_PRIV: -EPERM
 *   domctl                the same, but the domain is looked up before the
 *                         permission check (-ESRCH for one that does not
 *                         exist): L0 answers that, for our domain, which is
 *                         the one the guest is (its domid is L0's for us)
 *   kexec_op, hypfs_op    XSM_PRIV first: -EPERM
 *   xenpmu_op             -EOPNOTSUPP: L0's vPMU is off by default, and a
 *                         PV guest's answer would be L0's
 *
 * xen/arch/x86/platform_hypercall.c, common/sysctl.c, common/domctl.c,
 * common/kexec.c, common/hypfs.c, arch/x86/cpu/vpmu.c.
 */
#define __XEN_TOOLS__ 1     /* domctl.h and friends are "for tools only" */
#include "hypercall/handlers.h"
#include "hypercall/l0.h"
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
    long rc;

    if ( copy_from_guest(&op, arg, sizeof(op)) )
        return -XEN_EFAULT;
    if ( op.interface_version != XEN_DOMCTL_INTERFACE_VERSION )
        return -XEN_EACCES;
    /*
     * The domain lookup, then the refusal: L0's, for the container (the
     * same domU to it). It can only refuse: nothing is done, and its copy
     * stays in the shim.
     */
    rc = l0_hypercall(__HYPERVISOR_domctl, (unsigned long)&op, 0, 0, 0, 0);
    return rc ? rc : -XEN_EPERM;
}
