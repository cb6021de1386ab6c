/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/version.c - xen_version, vm_assist and console_io: the
 * hypercalls with no subsystem of their own.
 */
#include "hypercall/handlers.h"
#include "x86/l0.h"
#include "pvops/domain.h"
#include "pvops/mm.h"
#include "x86/uaccess.h"
#include "lib/printk.h"
#include "lib/string.h"

/*
 * What a 64-bit PV domU sees in XENVER_get_features submap 0, as Xen 4.17
 * computes it (common/kernel.c): not writable_page_tables/descriptor_tables
 * (those are for translated guests), pae_pgdir_above_4gb only once the
 * guest enables VMASST_TYPE_pae_extended_cr3.
 */
static uint32_t pv_features(void)
{
    uint32_t f = (1u << XENFEAT_mmu_pt_update_preserve_ad) |
                 (1u << XENFEAT_highmem_assist) |
                 (1u << XENFEAT_gnttab_map_avail_bits) |
                 (1u << XENFEAT_memory_op_vnode_supported) |
                 (1u << XENFEAT_direct_mapped);

    if ( dom.vm_assist & (1UL << VMASST_TYPE_pae_extended_cr3) )
        f |= 1u << XENFEAT_pae_pgdir_above_4gb;
    return f;
}

/* Ask L0 for a version string of the container and hand it to the guest. */
static long forward_version(int cmd, unsigned long arg, size_t size)
{
    char buf[1024];             /* the largest: xen_capabilities_info_t */
    long rc;

    BUILD_BUG_ON(sizeof(buf) < sizeof(xen_capabilities_info_t) ||
                 sizeof(buf) < sizeof(xen_extraversion_t) ||
                 sizeof(buf) < sizeof(xen_changeset_info_t) ||
                 sizeof(buf) < sizeof(xen_domain_handle_t));
    memset(buf, 0, sizeof(buf));
    rc = l0_xen_version(cmd, buf);
    if ( rc )
        return rc;
    return copy_to_guest(arg, buf, size) ? -XEN_EFAULT : 0;
}

long do_xen_version(int cmd, unsigned long arg)
{
    switch ( cmd )
    {
    case XENVER_version:
        /*
         * The guest sees L0's version, as it would running directly on it;
         * known from L0's CPUID leaf, so no call out (Linux uses this as its
         * cheap "deliver pending events now" hypercall).
         */
        return ((long)l0.major << 16) | l0.minor;
    case XENVER_extraversion:
        return forward_version(cmd, arg, sizeof(xen_extraversion_t));
    case XENVER_compile_info:
        return forward_version(cmd, arg, sizeof(xen_compile_info_t));
    case XENVER_capabilities:
        return forward_version(cmd, arg, sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return forward_version(cmd, arg, sizeof(xen_changeset_info_t));
    case XENVER_guest_handle:
        return forward_version(cmd, arg, sizeof(xen_domain_handle_t));

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
        fi.submap = pv_features();
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

/* Assists a 64-bit PV guest may turn on (Xen's VM_ASSIST_VALID for PV). */
#define VM_ASSIST_VALID ((1UL << VMASST_TYPE_4gb_segments) |              \
                         (1UL << VMASST_TYPE_4gb_segments_notify) |       \
                         (1UL << VMASST_TYPE_writable_pagetables) |       \
                         (1UL << VMASST_TYPE_pae_extended_cr3) |          \
                         (1UL << VMASST_TYPE_architectural_iopl) |        \
                         (1UL << VMASST_TYPE_runstate_update_flag) |      \
                         (1UL << VMASST_TYPE_m2p_strict))

long do_vm_assist(unsigned int cmd, unsigned int type)
{
    if ( type >= 64 || !(VM_ASSIST_VALID & (1UL << type)) )
        return -XEN_EINVAL;

    switch ( cmd )
    {
    case VMASST_CMD_enable:
        dom.vm_assist |= 1UL << type;
        mm_vm_assist_changed();
        return 0;
    case VMASST_CMD_disable:
        dom.vm_assist &= ~(1UL << type);
        mm_vm_assist_changed();
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/*
 * console_io: whether a domU may use it is L0's policy (XSM: a release
 * build refuses, a debug build allows), and L0 sees the guest and the
 * container as one domain: so ask L0 with an empty write, and give the
 * guest the same answer it would get directly, checked before the command
 * as Xen does. Where allowed, writes go to the shim's console as "(guest)"
 * lines and reads return what input there is (none yet: 0 bytes).
 */
long do_console_io(int cmd, unsigned int count, unsigned long buf)
{
    char chunk[128];
    long rc = l0_console_io(CONSOLEIO_write, 0, NULL);

    if ( rc )
        return rc;

    switch ( cmd )
    {
    case CONSOLEIO_write:
        while ( count )
        {
            unsigned int n = MIN(count, (unsigned int)sizeof(chunk));

            if ( copy_from_guest(chunk, buf, n) )
                return -XEN_EFAULT;
            printk_guest(chunk, n);
            buf += n;
            count -= n;
            /* Any count: the rest later if an event waits (Xen too). */
            if ( count && hypercall_preempt_check() )
            {
                const unsigned long a[5] = { CONSOLEIO_write, count, buf };

                return hypercall_create_continuation(__HYPERVISOR_console_io, a);
            }
        }
        return 0;
    case CONSOLEIO_read:
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
