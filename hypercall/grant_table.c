/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/grant_table.c - grant_table_op: each operation's structures
 * copied in and out; what they mean is pvops/grant.c's.
 */
#include "hypercall/handlers.h"
#include "pvops/grant.h"
#include "x86/uaccess.h"

/* Xen splits cmd: the low 12 bits the op, the rest a continuation start. */
#define GNTTABOP_CMD_MASK 0xfff

/* In, then out: one structure per call. */
#define ONE(type, fn, ...)                                          \
    ({                                                              \
        type op_;                                                   \
        long rc_;                                                   \
        if ( count != 1 )                                           \
            return -XEN_EINVAL;                                     \
        if ( copy_from_guest(&op_, uop, sizeof(op_)) )              \
            return -XEN_EFAULT;                                     \
        rc_ = fn(&op_, ##__VA_ARGS__);                              \
        if ( copy_to_guest(uop, &op_, sizeof(op_)) )                \
            rc_ = -XEN_EFAULT;                                      \
        rc_;                                                        \
    })

/*
 * A batch: each entry in, done, its status out; preemptible between
 * entries (the rest is the same call on the rest of the array).
 */
#define BATCH(type, fn)                                                     \
    for ( unsigned int i = 0; i < count; i++, uop += sizeof(type) )         \
    {                                                                       \
        type op;                                                            \
        long rc;                                                            \
                                                                            \
        if ( i && hypercall_preempt_check() )                               \
        {                                                                   \
            const unsigned long a[5] = { cmd, uop, count - i };             \
                                                                            \
            return hypercall_create_continuation(__HYPERVISOR_grant_table_op, a); \
        }                                                                   \
        if ( copy_from_guest(&op, uop, sizeof(op)) )                        \
            return -XEN_EFAULT;                                             \
        if ( (rc = fn(&op)) )                                               \
            return rc;                                                      \
        if ( copy_to_guest(uop + offsetof(type, status), &op.status,        \
                           sizeof(op.status)) )                             \
            return -XEN_EFAULT;                                             \
    }                                                                       \
    return 0

static long copy_batch(unsigned int cmd, unsigned long uop, unsigned int count)
{
    BATCH(struct gnttab_copy, grant_copy);
}

/* map_grant_ref writes back the whole entry (handle, dev_bus_addr). */
static long map_batch(unsigned int cmd, unsigned long uop, unsigned int count)
{
    for ( unsigned int i = 0; i < count; i++, uop += sizeof(struct gnttab_map_grant_ref) )
    {
        struct gnttab_map_grant_ref op;
        long rc;

        if ( i && hypercall_preempt_check() )
        {
            const unsigned long a[5] = { cmd, uop, count - i };

            return hypercall_create_continuation(__HYPERVISOR_grant_table_op, a);
        }
        if ( copy_from_guest(&op, uop, sizeof(op)) )
            return -XEN_EFAULT;
        if ( (rc = grant_map(&op)) )
            return rc;
        if ( copy_to_guest(uop, &op, sizeof(op)) )
            return -XEN_EFAULT;
    }
    return 0;
}

static long unmap_batch(unsigned int cmd, unsigned long uop, unsigned int count)
{
    BATCH(struct gnttab_unmap_grant_ref, grant_unmap);
}

static long unmap_replace_batch(unsigned int cmd, unsigned long uop, unsigned int count)
{
    BATCH(struct gnttab_unmap_and_replace, grant_unmap_and_replace);
}

static long swap_batch(unsigned int cmd, unsigned long uop, unsigned int count)
{
    BATCH(struct gnttab_swap_grant_ref, grant_swap);
}

/*
 * cache_flush: opaque is the continuation's (Xen's cur_ref, the bits above
 * the op); an error ends the batch at once, as in Xen.
 */
static long cache_flush_batch(unsigned int opaque, unsigned long uop, unsigned int count)
{
    if ( !guest_addr_ok(uop) )
        return -XEN_EFAULT;
    for ( unsigned int i = 0; i < count; i++, uop += sizeof(struct gnttab_cache_flush) )
    {
        struct gnttab_cache_flush op;
        long rc;

        if ( i && hypercall_preempt_check() )
        {
            const unsigned long a[5] = { GNTTABOP_cache_flush | opaque, uop, count - i };

            return hypercall_create_continuation(__HYPERVISOR_grant_table_op, a);
        }
        if ( copy_from_guest(&op, uop, sizeof(op)) )
            return -XEN_EFAULT;
        if ( (rc = grant_cache_flush(&op, &opaque)) < 0 )
            return rc;
        opaque = 0;
    }
    return 0;
}

long do_grant_table_op(unsigned int cmd, unsigned long uop, unsigned int count)
{
    /* Xen's order; only cache_flush has continuation bits of its own. */
    if ( (int)count < 0 )
        return -XEN_EINVAL;
    if ( (cmd & GNTTABOP_CMD_MASK) == GNTTABOP_cache_flush )
        return cache_flush_batch(cmd & ~GNTTABOP_CMD_MASK, uop, count);
    if ( cmd & ~GNTTABOP_CMD_MASK )
        return -XEN_EINVAL;

    /* Xen's guest_handle_okay on the batch ops' arrays comes first, even for count 0. */
    switch ( cmd )
    {
    case GNTTABOP_map_grant_ref:
    case GNTTABOP_unmap_grant_ref:
    case GNTTABOP_unmap_and_replace:
    case GNTTABOP_copy:
    case GNTTABOP_swap_grant_ref:
        if ( !guest_addr_ok(uop) )
            return -XEN_EFAULT;
        break;
    }

    switch ( cmd )
    {
    case GNTTABOP_setup_table:
    {
        struct gnttab_setup_table op;
        long rc;

        if ( count != 1 )
            return -XEN_EINVAL;
        if ( copy_from_guest(&op, uop, sizeof(op)) )
            return -XEN_EFAULT;
        /* Xen's guest_handle_okay: where the list starts (each store is checked). */
        if ( !guest_addr_ok((unsigned long)op.frame_list.p) )
            return -XEN_EFAULT;
        rc = grant_setup_table(&op, (unsigned long)op.frame_list.p);
        if ( !rc && copy_to_guest(uop + offsetof(struct gnttab_setup_table, status),
                                  &op.status, sizeof(op.status)) )
            return -XEN_EFAULT;
        return rc;
    }

    case GNTTABOP_query_size:
        return ONE(struct gnttab_query_size, grant_query_size);

    case GNTTABOP_get_version:
    {
        struct gnttab_get_version op;
        long rc;

        if ( copy_from_guest(&op, uop, sizeof(op)) )
            return -XEN_EFAULT;
        if ( (rc = grant_get_version(&op)) )
            return rc;
        return copy_to_guest(uop + offsetof(struct gnttab_get_version, version),
                             &op.version, sizeof(op.version)) ? -XEN_EFAULT : 0;
    }

    case GNTTABOP_set_version:
    {
        struct gnttab_set_version op;
        long rc;

        if ( copy_from_guest(&op, uop, sizeof(op)) )
            return -XEN_EFAULT;
        rc = grant_set_version(&op);
        if ( copy_to_guest(uop, &op, sizeof(op)) )
            return -XEN_EFAULT;
        return rc;
    }

    case GNTTABOP_get_status_frames:
    {
        struct gnttab_get_status_frames op;
        long rc;

        if ( count != 1 )
            return -XEN_EINVAL;
        if ( copy_from_guest(&op, uop, sizeof(op)) )
            return -XEN_EFAULT;
        /* Xen's guest_handle_okay: where the list starts (each store is checked). */
        if ( !guest_addr_ok((unsigned long)op.frame_list.p) )
            return -XEN_EFAULT;
        rc = grant_get_status_frames(&op, (unsigned long)op.frame_list.p);
        if ( !rc && copy_to_guest(uop + offsetof(struct gnttab_get_status_frames,
                                                 status),
                                  &op.status, sizeof(op.status)) )
            return -XEN_EFAULT;
        return rc;
    }

    case GNTTABOP_copy:
        return copy_batch(cmd, uop, count);

    case GNTTABOP_swap_grant_ref:
        return swap_batch(cmd, uop, count);

    case GNTTABOP_map_grant_ref:
        return map_batch(cmd, uop, count);

    case GNTTABOP_unmap_grant_ref:
        return unmap_batch(cmd, uop, count);

    case GNTTABOP_unmap_and_replace:
        return unmap_replace_batch(cmd, uop, count);

    /*
     * dump_table: no such op in Xen 4.17 (-ENOSYS for all). transfer: L0
     * refuses it to an HVM container (-ENOSYS), L0's answer (the frame
     * would have to leave the container for the other domain).
     */

    default:
        return -XEN_ENOSYS;
    }
}
