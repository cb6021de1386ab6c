/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/grant_table.c - grant_table_op: each operation's structures
 * copied in and out; what they mean is pvops/grant.c's.
 */
#include "hypercall/handlers.h"
#include "pvops/grant.h"
#include "x86/uaccess.h"

/* Xen splits cmd: the low bits the op, the rest a continuation start. */
#define GNTTABOP_CMD_MASK 0x3f

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

/* A batch: each entry in, done, its status out; preemptible between entries. */
static long copy_batch(unsigned int cmd, unsigned long uop, unsigned int count)
{
    for ( unsigned int i = 0; i < count; i++, uop += sizeof(struct gnttab_copy) )
    {
        struct gnttab_copy op;
        long rc;

        if ( i && hypercall_preempt_check() )
        {
            const unsigned long a[5] = { cmd, uop, count - i };

            return hypercall_create_continuation(__HYPERVISOR_grant_table_op, a);
        }
        if ( copy_from_guest(&op, uop, sizeof(op)) )
            return -XEN_EFAULT;
        if ( (rc = grant_copy(&op)) )
            return rc;
        if ( copy_to_guest(uop + offsetof(struct gnttab_copy, status), &op.status,
                           sizeof(op.status)) )
            return -XEN_EFAULT;
    }
    return 0;
}

long do_grant_table_op(unsigned int cmd, unsigned long uop, unsigned int count)
{
    if ( cmd & ~GNTTABOP_CMD_MASK )
        return -XEN_EINVAL;             /* no continuation of ours uses them */
    if ( (int)count < 0 )
        return -XEN_EINVAL;

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
        rc = grant_setup_table(&op, (unsigned long)op.frame_list.p);
        if ( !rc && copy_to_guest(uop + offsetof(struct gnttab_setup_table, status),
                                  &op.status, sizeof(op.status)) )
            return -XEN_EFAULT;
        return rc;
    }

    case GNTTABOP_query_size:
        return ONE(struct gnttab_query_size, grant_query_size);

    case GNTTABOP_get_version:
        return ONE(struct gnttab_get_version, grant_get_version);

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
        rc = grant_get_status_frames(&op, (unsigned long)op.frame_list.p);
        if ( !rc && copy_to_guest(uop + offsetof(struct gnttab_get_status_frames,
                                                 status),
                                  &op.status, sizeof(op.status)) )
            return -XEN_EFAULT;
        return rc;
    }

    case GNTTABOP_dump_table:
        return ONE(struct gnttab_dump_table, grant_dump_table);

    case GNTTABOP_copy:
        return copy_batch(cmd, uop, count);

    default:
        return -XEN_ENOSYS;
    }
}
