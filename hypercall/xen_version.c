/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/xen_version.c - xen_version: each sub-op's structure copied in
 * and out; the version, its strings and the features are pvops/domain.c's.
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "x86/uaccess.h"
#include "lib/string.h"

/* A version string of the container, handed to the guest. */
static long version_info(int cmd, unsigned long arg, size_t size)
{
    char buf[1024];             /* the largest: xen_capabilities_info_t */
    long rc;

    BUILD_BUG_ON(sizeof(buf) < sizeof(xen_capabilities_info_t) ||
                 sizeof(buf) < sizeof(xen_extraversion_t) ||
                 sizeof(buf) < sizeof(xen_changeset_info_t) ||
                 sizeof(buf) < sizeof(xen_domain_handle_t));
    memset(buf, 0, sizeof(buf));
    rc = domain_xen_version_info(cmd, buf);
    if ( rc )
        return rc;
    return copy_to_guest(arg, buf, size) ? -XEN_EFAULT : 0;
}

long do_xen_version(int cmd, unsigned long arg)
{
    switch ( cmd )
    {
    case XENVER_version:
        return domain_xen_version();
    case XENVER_extraversion:
        return version_info(cmd, arg, sizeof(xen_extraversion_t));
    case XENVER_compile_info:
        return version_info(cmd, arg, sizeof(xen_compile_info_t));
    case XENVER_capabilities:
        return version_info(cmd, arg, sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return version_info(cmd, arg, sizeof(xen_changeset_info_t));
    case XENVER_guest_handle:
        return version_info(cmd, arg, sizeof(xen_domain_handle_t));

    case XENVER_platform_parameters:
    {
        xen_platform_parameters_t p = { .virt_start = HYPERVISOR_VIRT_START };

        return copy_to_guest(arg, &p, sizeof(p)) ? -XEN_EFAULT : 0;
    }

    case XENVER_get_features:
    {
        xen_feature_info_t fi;

        if ( copy_from_guest(&fi, arg, sizeof(fi)) )
            return -XEN_EFAULT;
        if ( fi.submap_idx >= XENFEAT_NR_SUBMAPS )
            return -XEN_EINVAL;
        fi.submap = domain_features();
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -XEN_EFAULT : 0;
    }

    case XENVER_pagesize:
        /* Xen 4.17 wants no argument here (common/kernel.c). */
        return arg ? -XEN_EINVAL : (long)PAGE_SIZE;

    case XENVER_commandline:
    {
        /*
         * Denied to a domU by XSM, which still gets a string (as on L0):
         * the string and its NUL only, not a whole xen_commandline_t.
         */
        static const char denied[] = "<denied>";

        return copy_to_guest(arg, denied, sizeof(denied)) ? -XEN_EFAULT : 0;
    }

    /* Only for privileged domains (xsm_xen_version: XSM_PRIV). */
    case XENVER_build_id:
        return -XEN_EPERM;

    default:
        return -XEN_ENOSYS;
    }
}
