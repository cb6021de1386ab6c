/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/mmu.c - mmu_update, update_va_mapping and mmuext_op: the shape
 * of the calls (batches, counts, pdone, continuations); pvops/mm.c owns
 * what they mean, the domains they name included.
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "pvops/mm.h"
#include "x86/uaccess.h"
#include "lib/compat.h"
#include "lib/printk.h"

#define MMU_UPDATE_PREEMPTED (~(~0U >> 1))

/*
 * Xen's guest_handle_okay: the count must not overflow and the list must
 * start in guest space (its end is left to the copies).
 */
static bool list_ok(unsigned long list, unsigned int count, size_t size)
{
    return count < ~0UL / size &&
           (list < (1UL << 47) || list >= HYPERVISOR_VIRT_END);
}

/*
 * Batches (Xen's do_mmu_update/do_mmuext_op): every 64 entries, if an event
 * is waiting, stop and continue later: the call is made again for the rest,
 * with MMU_UPDATE_PREEMPTED in the count, and *pdone keeps adding up.
 */
#define BATCH_PREEMPT 64

static unsigned int batch_start(unsigned int *count, unsigned long pdone)
{
    unsigned int done = 0;

    if ( *count & MMU_UPDATE_PREEMPTED )
    {
        *count &= ~MMU_UPDATE_PREEMPTED;
        if ( pdone )
            copy_from_guest(&done, pdone, sizeof(done));
    }
    return done;
}

/*
 * The end of a batch: the flushes it owes, then *pdone, which Xen writes
 * best effort (a bad pointer changes nothing).
 */
static long batch_end(unsigned long pdone, unsigned int done, long rc)
{
    mm_flush_if_needed();
    if ( pdone )
        copy_to_guest(pdone, &done, sizeof(done));
    return rc;
}

static bool batch_preempt(unsigned long op, unsigned int i, unsigned int count,
                          unsigned long list, size_t size, unsigned long pdone,
                          unsigned int foreigndom)
{
    unsigned long a[5];

    if ( !i || i % BATCH_PREEMPT || !hypercall_preempt_check() )
        return false;
    a[0] = list + i * size;
    a[1] = (count - i) | MMU_UPDATE_PREEMPTED;
    a[2] = pdone;
    a[3] = foreigndom;
    a[4] = 0;
    hypercall_create_continuation(op, a);
    return true;
}

long do_mmu_update(unsigned long reqs, unsigned int count, unsigned long pdone,
                   unsigned int foreigndom)
{
    unsigned int before, done = 0;
    enum pg_owner owner;
    bool foreign_pt;
    long rc = 0;

    /* Xen's continuation of a final result (harmless to mimic). */
    if ( count == MMU_UPDATE_PREEMPTED && !reqs )
        return (int)foreigndom;
    before = batch_start(&count, pdone);
    /* Xen 4.17's order: the list, the page-table owner, the frames' owner. */
    if ( !list_ok(reqs, count, sizeof(struct mmu_update)) )
        return -XEN_EFAULT;
    if ( (rc = mm_pt_owner(foreigndom >> 16, &foreign_pt)) )
        return rc;
    if ( (rc = mm_pg_owner(foreigndom, &owner)) )
        return batch_end(pdone, before, rc);    /* Xen's "goto out" */

    for ( ; done < count; done++ )
    {
        unsigned long at = reqs + done * sizeof(struct mmu_update);
        struct mmu_update req;

        if ( batch_preempt(__HYPERVISOR_mmu_update, done, count, reqs,
                           sizeof(req), pdone, foreigndom) )
            break;
        if ( copy_from_guest(&req, at, sizeof(req)) )
        {
            rc = -XEN_EFAULT;
            break;
        }
        rc = mm_mmu_update(&req, foreign_pt, owner);
        if ( rc )
            break;
    }
    return batch_end(pdone, before + done, rc);
}

/*
 * A vCPU mask pointer (UVMF_MULTI, MMUEXT_*_MULTI) must be readable: its
 * first word, of 32 bits for a 32-bit guest (Xen's vcpumask_to_pcpumask).
 */
static bool vcpumask_ok(unsigned long ptr)
{
    unsigned long mask;

    return !copy_from_guest(&mask, ptr, is_pv32() ? sizeof(uint32_t) : sizeof(mask));
}

long do_update_va_mapping(unsigned long va, uint64_t val, unsigned long flags)
{
    long rc = mm_update_va_mapping(current_vcpu(), va, val, flags);

    /* With a flush to a vCPU mask, the entry is written even if it is bad. */
    if ( !rc && (flags & UVMF_FLUSHTYPE_MASK) && !(flags & UVMF_ALL) &&
         (flags & ~7UL) && !vcpumask_ok(flags & ~7UL) )
        return -XEN_EFAULT;
    return rc;
}

long do_update_va_mapping_otherdomain(unsigned long va, uint64_t val,
                                      unsigned long flags, unsigned int d)
{
    enum pg_owner owner;
    long rc = mm_pg_owner(d, &owner);

    if ( rc )
        return rc;
    /* xsm_update_va_mapping: only our own (DOMID_IO is not exempt here). */
    return owner == OWNER_SELF ? do_update_va_mapping(va, val, flags)
                               : -XEN_EPERM;
}

/* A *_MULTI op names a vCPU mask: it must be readable (-EINVAL), as in Xen. */
static long mmuext_one(struct vcpu *v, const struct mmuext_op *op)
{
    if ( (op->cmd == MMUEXT_TLB_FLUSH_MULTI || op->cmd == MMUEXT_INVLPG_MULTI) &&
         !vcpumask_ok((unsigned long)op->arg2.vcpumask.p) )
        return -XEN_EINVAL;
    return mm_mmuext_op(v, op);
}

/*
 * Entry i of the list: a 32-bit guest's is 12 bytes (lib/compat.h), its
 * frame, address, count or mask pointer zero-extended as Xen's
 * XLAT_mmuext_op does.
 */
static size_t mmuext_size(void)
{
    return is_pv32() ? sizeof(struct compat_mmuext_op) : sizeof(struct mmuext_op);
}

static bool mmuext_fetch(struct mmuext_op *op, unsigned long ops, unsigned int i)
{
    struct compat_mmuext_op c;

    if ( !is_pv32() )
        return !copy_from_guest(op, ops + i * sizeof(*op), sizeof(*op));
    if ( copy_from_guest(&c, ops + i * sizeof(c), sizeof(c)) )
        return false;
    *op = (struct mmuext_op){ .cmd = c.cmd };
    op->arg1.mfn = c.arg1;
    op->arg2.src_mfn = c.arg2;      /* the union's widest: nr_ents and vcpumask too */
    return true;
}

long do_mmuext_op(unsigned long ops, unsigned int count, unsigned long pdone,
                  unsigned int foreigndom)
{
    unsigned int before, done = 0;
    enum pg_owner owner;
    long rc;

    if ( count == MMU_UPDATE_PREEMPTED && !ops )
        return (int)foreigndom;
    /*
     * A 32-bit guest's empty batch: Xen's compat_mmuext_op checks the list
     * and calls nothing, so no owner check and no *pdone.
     */
    if ( is_pv32() && !(count & ~MMU_UPDATE_PREEMPTED) )
        return list_ok(ops, 0, mmuext_size()) ? 0 : -XEN_EFAULT;
    before = batch_start(&count, pdone);
    /* Xen 4.17: the list, the owner, then xsm_mmuext_op before any entry. */
    if ( !list_ok(ops, count, mmuext_size()) )
        return -XEN_EFAULT;
    if ( (rc = mm_pg_owner(foreigndom, &owner)) )
        return rc;
    if ( owner != OWNER_SELF )
        return -XEN_EPERM;

    for ( ; done < count; done++ )
    {
        struct mmuext_op op;

        if ( batch_preempt(__HYPERVISOR_mmuext_op, done, count, ops, mmuext_size(),
                           pdone, foreigndom) )
            break;
        if ( !mmuext_fetch(&op, ops, done) )
        {
            rc = -XEN_EFAULT;
            break;
        }
        rc = mmuext_one(current_vcpu(), &op);
        if ( trace_hypercalls )
            pr_info("  mmuext_op %u arg1 %#lx arg2 %#lx = %ld\n", op.cmd,
                    (unsigned long)op.arg1.mfn, (unsigned long)op.arg2.src_mfn, rc);
        if ( rc )
        {
            pr_debug("mmuext_op %u (%#lx) failed: %ld\n", op.cmd,
                     (unsigned long)op.arg1.mfn, rc);
            break;
        }
    }
    return batch_end(pdone, before + done, rc);
}
