/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/mm.c - mmu_update, update_va_mapping and mmuext_op: the shape
 * of the calls (batches, counts, pdone, foreign domains); pvops/mm.c owns
 * what they mean.
 */
#include "hypercall/handlers.h"
#include "x86/l0.h"
#include "pvops/descriptors.h"
#include "pvops/mm.h"
#include "x86/paging.h"
#include "x86/uaccess.h"
#include "lib/printk.h"

#define MMU_UPDATE_PREEMPTED (~(~0U >> 1))

/*
 * The domain a call names for the frames (Xen 4.17's get_pg_owner): ours as
 * DOMID_SELF only (our own id as a number is refused: "Cannot specify itself
 * as foreign domain"), DOMID_IO and DOMID_XEN, or one L0 has.
 */
enum pg_owner { OWNER_SELF, OWNER_IO, OWNER_XEN, OWNER_OTHER };

static int get_pg_owner(domid_t d, enum pg_owner *o)
{
    if ( d == dom.domid )
        return -XEN_ESRCH;
    switch ( d )
    {
    case DOMID_SELF:    *o = OWNER_SELF; return 0;
    case DOMID_IO:      *o = OWNER_IO; return 0;
    case DOMID_XEN:     *o = OWNER_XEN; return 0;
    }
    if ( !l0_domain_exists(d) )
        return -XEN_ESRCH;
    *o = OWNER_OTHER;
    return 0;
}

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
    unsigned int before, done = 0, pt = foreigndom >> 16;
    enum pg_owner owner;
    bool foreign_pt = false;
    long rc = 0;

    /* Xen's continuation of a final result (harmless to mimic). */
    if ( count == MMU_UPDATE_PREEMPTED && !reqs )
        return (int)foreigndom;
    before = batch_start(&count, pdone);
    /* Xen 4.17's order: the list, the page-table owner, the frames' owner. */
    if ( !list_ok(reqs, count, sizeof(struct mmu_update)) )
        return -XEN_EFAULT;
    if ( pt && (domid_t)(pt - 1) != dom.domid )
    {
        /* Looked up by id only: DOMID_SELF and friends are not ids. */
        if ( pt - 1 >= DOMID_FIRST_RESERVED || !l0_domain_exists(pt - 1) )
            return -XEN_ESRCH;
        foreign_pt = true;
    }
    if ( (rc = get_pg_owner(foreigndom, &owner)) )
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
        /*
         * Another domain's frames or tables: refused here, after the copy
         * (Xen's xsm_mmu_update per request; DOMID_IO's frames pass it).
         */
        switch ( req.ptr & 7 )
        {
        case MMU_NORMAL_PT_UPDATE:
        case MMU_PT_UPDATE_NO_TRANSLATE:    /* the same for a PV guest */
        case MMU_PT_UPDATE_PRESERVE_AD:
            if ( foreign_pt || (owner != OWNER_SELF && owner != OWNER_IO) )
                rc = -XEN_EPERM;
            else
                rc = mm_update_pte(req.ptr & ~7UL, req.val,
                                   (req.ptr & 7) == MMU_PT_UPDATE_PRESERVE_AD);
            break;
        case MMU_MACHPHYS_UPDATE:
            if ( foreign_pt || (owner != OWNER_SELF && owner != OWNER_IO) )
                rc = -XEN_EPERM;
            else if ( owner == OWNER_IO )
                rc = -XEN_EINVAL;           /* no frame is DOMID_IO's */
            else
                rc = mm_machphys_update(req.ptr >> PAGE_SHIFT, req.val);
            break;
        default:
            rc = -XEN_ENOSYS;
            break;
        }
        if ( rc )
            break;
    }
    return batch_end(pdone, before + done, rc);
}

/* A vCPU mask pointer (UVMF_MULTI, MMUEXT_*_MULTI) must be readable. */
static bool vcpumask_ok(unsigned long ptr)
{
    unsigned long mask;

    return !copy_from_guest(&mask, ptr, sizeof(mask));
}

long do_update_va_mapping(unsigned long va, uint64_t val, unsigned long flags)
{
    long rc = mm_update_va_mapping(va, val, flags);

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
    long rc = get_pg_owner(d, &owner);

    if ( rc )
        return rc;
    /* xsm_update_va_mapping: only our own (DOMID_IO is not exempt here). */
    return owner == OWNER_SELF ? do_update_va_mapping(va, val, flags)
                               : -XEN_EPERM;
}

static long mmuext_one(const struct mmuext_op *op)
{
    struct vcpu *v = current_vcpu();

    switch ( op->cmd )
    {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pin_table(&frames, op->arg1.mfn,
                         PGT_l1 + (op->cmd - MMUEXT_PIN_L1_TABLE));
    case MMUEXT_UNPIN_TABLE:
        return unpin_table(&frames, op->arg1.mfn);
    case MMUEXT_NEW_BASEPTR:
        return mm_new_baseptr(v, op->arg1.mfn, false);
    case MMUEXT_NEW_USER_BASEPTR:
        return mm_new_baseptr(v, op->arg1.mfn, true);
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
        if ( !vcpumask_ok((unsigned long)op->arg2.vcpumask.p) )
            return -XEN_EINVAL;
        if ( op->cmd == MMUEXT_INVLPG_MULTI )
        {
            invlpg((void *)op->arg1.linear_addr);
            return 0;
        }
        /* fall through */
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_ALL:
        /* One vCPU on one CPU: every flush is the local one. */
        mm_flush_tlb();
        return 0;
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_ALL:
        invlpg((void *)op->arg1.linear_addr);
        return 0;
    case MMUEXT_FLUSH_CACHE:
        /* A domU without cache-flush rights (no devices): refused as in Xen. */
        return -XEN_EACCES;
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        return -XEN_EINVAL;
    case MMUEXT_SET_LDT:
        return pv_set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
    case MMUEXT_CLEAR_PAGE:
    case MMUEXT_COPY_PAGE:
    {
        unsigned long dst = op->arg1.mfn;

        /* The destination must be writable: never a table (-EINVAL, as Xen). */
        if ( get_page_and_type(&frames, dst, PGT_writable) )
            return -XEN_EINVAL;
        if ( op->cmd == MMUEXT_COPY_PAGE )
        {
            if ( get_page(&frames, op->arg2.src_mfn) )
            {
                put_page_and_type(&frames, dst);
                return -XEN_EINVAL;
            }
            __builtin_memcpy(__va(dst << PAGE_SHIFT),
                             __va(op->arg2.src_mfn << PAGE_SHIFT), PAGE_SIZE);
            put_page(&frames, op->arg2.src_mfn);
        }
        else
            __builtin_memset(__va(dst << PAGE_SHIFT), 0, PAGE_SIZE);
        put_page_and_type(&frames, dst);
        return 0;
    }
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        /* Xen no longer supports superpages for PV guests. */
        return -XEN_EOPNOTSUPP;
    default:
        return -XEN_ENOSYS;
    }
}

long do_mmuext_op(unsigned long ops, unsigned int count, unsigned long pdone,
                  unsigned int foreigndom)
{
    unsigned int before, done = 0;
    enum pg_owner owner;
    long rc;

    if ( count == MMU_UPDATE_PREEMPTED && !ops )
        return (int)foreigndom;
    before = batch_start(&count, pdone);
    /* Xen 4.17: the list, the owner, then xsm_mmuext_op before any entry. */
    if ( !list_ok(ops, count, sizeof(struct mmuext_op)) )
        return -XEN_EFAULT;
    if ( (rc = get_pg_owner(foreigndom, &owner)) )
        return rc;
    if ( owner != OWNER_SELF )
        return -XEN_EPERM;

    for ( ; done < count; done++ )
    {
        struct mmuext_op op;

        if ( batch_preempt(__HYPERVISOR_mmuext_op, done, count, ops, sizeof(op),
                           pdone, foreigndom) )
            break;
        if ( copy_from_guest(&op, ops + done * sizeof(op), sizeof(op)) )
        {
            rc = -XEN_EFAULT;
            break;
        }
        rc = mmuext_one(&op);
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
