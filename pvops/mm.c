/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/mm.c - the guest's page tables, as Xen's mm.c lets a 64-bit PV guest
 * change them: every entry checked by pvops/pagetype.c before the CPU can
 * walk it.
 */
#include "pvops/mm.h"
#include "x86/smp.h"
#include "pvops/descriptors.h"
#include "pvops/grant.h"
#include "pvops/memory.h"
#include "x86/cpu.h"
#include "x86/paging.h"
#include "x86/uaccess.h"
#include "lib/printk.h"

struct frame_table frames;

static uint64_t *map_frame(unsigned long mfn)
{
    return __va(mfn << PAGE_SHIFT);
}

/*
 * A frame changes type: every CPU that may hold a TLB entry from its old
 * use is flushed now, before the new use is checked. A present L1 entry
 * changed: this CPU flushes before the shim uses a guest address again
 * (the guest flushes its own, as on Xen).
 */
static void mm_owe_flush(const struct page_info *pg)
{
    if ( !pg )
    {
        get_cpu_info()->tlb_flush_owed = true;
        return;
    }
    tlb_flush_stale(page_stale_since(pg, READ_ONCE(tlb_clock)));
}

bool mm_init(unsigned long first_mfn, unsigned long nr, void *storage,
             const uint64_t *compat_l2_xen)
{
    frames.pages = storage;
    frames.linear = (int16_t *)(frames.pages + nr);
    frames.first_mfn = first_mfn;
    frames.nr = nr;
    frames.extra_mfn[0] = dom.store_mfn;
    frames.extra_mfn[1] = dom.console_mfn;
    frames.extra_mfn[2] = __pa(dom.shared_info) >> PAGE_SHIFT;
    for ( unsigned int i = 0; i < FT_EXTRA; i++ )
        frames.extra[i] = (struct page_info){ 0 };
    frames.map = map_frame;
    frames.owe_flush = mm_owe_flush;
    frames.clock = &tlb_clock;
    frames.release = memory_release;
    frames.xen_l4 = &boot_l4[256];
    frames.nx = cpuid(0x80000001).edx & (1u << 20);
    frames.pv32 = compat_l2_xen != NULL;
    frames.compat_l2_xen = compat_l2_xen;
    /* Which frames of the range are the guest's, their owners say. */
    for ( unsigned long i = 0; i < nr; i++ )
    {
        frames.pages[i] = (struct page_info){ 0 };
        frames.linear[i] = 0;
    }
    return true;
}

void mm_flush_tlb(void)
{
    get_cpu_info()->tlb_flush_owed = true;
    tlb_flush_if_owed();
}

void mm_flush_if_needed(void)
{
    tlb_flush_if_owed();
}

/*
 * A 32-bit guest's vCPU runs on its own L4 (v->pv32_l4): slot 0 is the
 * guest's L3, the rest the hypervisor's (the CPU walks the L3 in long
 * mode; pagetype.c keeps its entries as long mode needs them).
 */
static void pv32_set_l3(struct vcpu *v, unsigned long l3_mfn)
{
    v->pv32_l3 = l3_mfn;
    v->pv32_l4[0] = l3_mfn ? (l3_mfn << PAGE_SHIFT) | PTE_PRESENT | PTE_RW |
                             PTE_USER | PTE_ACCESSED : 0;
    v->guest_table = l3_mfn ? __pa(v->pv32_l4) : 0;
}

int mm_adopt_boot_table(struct vcpu *v, unsigned long l4_mfn)
{
    int rc;

    if ( is_pv32() )
    {
        if ( (rc = pin_table(&frames, l4_mfn, PGT_l3)) ||
             (rc = get_page_and_type(&frames, l4_mfn, PGT_l3)) )
            return rc;
        pv32_set_l3(v, l4_mfn);
        return 0;
    }
    if ( (rc = pin_table(&frames, l4_mfn, PGT_l4)) )
        return rc;

    if ( (rc = get_page_and_type(&frames, l4_mfn, PGT_l4)) )
        return rc;
    v->guest_table = l4_mfn << PAGE_SHIFT;
    map_frame(l4_mfn)[256] = boot_l4[256];      /* a kernel base: RO M2P */
    return 0;
}

void mm_vm_assist_changed(void)
{
    frames.ro_mpt_at_promotion = dom.vm_assist & (1UL << VMASST_TYPE_m2p_strict);
}

/* May the guest map the frame (its RAM, the rings, shared_info, grant frames)? */
static bool guest_frame(unsigned long mfn)
{
    return frame_info(&frames, mfn) != NULL;
}

int mm_pg_owner(domid_t d, enum pg_owner *o)
{
    if ( d == dom.domid )
        return -XEN_ESRCH;
    switch ( d )
    {
    case DOMID_SELF:    *o = OWNER_SELF; return 0;
    case DOMID_IO:      *o = OWNER_IO; return 0;
    case DOMID_XEN:     *o = OWNER_XEN; return 0;
    }
    if ( !domain_exists(d) )
        return -XEN_ESRCH;
    *o = OWNER_OTHER;
    return 0;
}

int mm_pt_owner(unsigned int pt, bool *foreign)
{
    *foreign = false;
    if ( pt && (domid_t)(pt - 1) != dom.domid )
    {
        /* Looked up by id only: DOMID_SELF and friends are not ids. */
        if ( pt - 1 >= DOMID_FIRST_RESERVED || !domain_exists(pt - 1) )
            return -XEN_ESRCH;
        *foreign = true;
    }
    return 0;
}

int mm_mmu_update(const struct mmu_update *req, bool foreign_pt,
                  enum pg_owner owner)
{
    /*
     * Another domain's frames or tables: refused here, after the copy
     * (Xen's xsm_mmu_update per request; DOMID_IO's frames pass it).
     */
    switch ( req->ptr & 7 )
    {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_NO_TRANSLATE:    /* the same for a PV guest */
    case MMU_PT_UPDATE_PRESERVE_AD:
        if ( foreign_pt || (owner != OWNER_SELF && owner != OWNER_IO) )
            return -XEN_EPERM;
        return mm_update_pte(req->ptr & ~7UL, req->val,
                             (req->ptr & 7) == MMU_PT_UPDATE_PRESERVE_AD);
    case MMU_MACHPHYS_UPDATE:
        if ( foreign_pt || (owner != OWNER_SELF && owner != OWNER_IO) )
            return -XEN_EPERM;
        if ( owner == OWNER_IO )
            return -XEN_EINVAL;             /* no frame is DOMID_IO's */
        return mm_machphys_update(req->ptr >> PAGE_SHIFT, req->val);
    default:
        return -XEN_ENOSYS;
    }
}

int mm_update_pte(unsigned long ptr, uint64_t val, bool preserve_ad)
{
    unsigned long mfn = ptr >> PAGE_SHIFT;
    unsigned int idx = (ptr & (PAGE_SIZE - 1)) / sizeof(uint64_t);
    struct page_info *pg = frame_info(&frames, mfn);
    unsigned int type;
    int rc;

    if ( !pg || (ptr & 7) )
        return -XEN_EINVAL;
    type = page_type(pg);
    if ( pt_level(type) && page_type_count(pg) )
        return mod_pt_entry(&frames, mfn, pt_level(type), idx, val, preserve_ad);

    /* A grant-table frame: the store is checked (pvops/grant.c). */
    if ( frame_owner(mfn) == FRAME_grant )
        return grant_update_entry(mfn, idx, val);

    /* Not a page table: an ordinary 8-byte store, if it may be writable. */
    if ( (rc = get_page_type(&frames, mfn, PGT_writable)) )
        return rc;
    map_frame(mfn)[idx] = val;
    put_page_type(&frames, mfn);
    return 0;
}

int mm_machphys_update(unsigned long mfn, unsigned long pfn)
{
    if ( !guest_frame(mfn) || mfn > dom.max_mfn )
        return -XEN_EINVAL;
    m2p_set(mfn, pfn);
    return 0;
}

/*
 * The L1 table (mfn) and slot that map va in v's current guest tables; with
 * acc, the AND of the L4, L3 and L2 entries on the way (their U and RW).
 */
static int find_l1(const struct vcpu *v, unsigned long va, unsigned long *l1mfn,
                   unsigned int *idx, uint64_t *acc)
{
    unsigned long mfn = (v->kernel_mode ? v->guest_table : v->guest_table_user)
                        >> PAGE_SHIFT;
    static const unsigned int shifts[3] = { 39, 30, 21 };

    for ( unsigned int i = 0; i < 3; i++ )
    {
        uint64_t e = map_frame(mfn)[(va >> shifts[i]) & 511];

        if ( !(e & PTE_PRESENT) || (e & PTE_PSE) )
            return -XEN_EINVAL;
        if ( acc )
            *acc &= e;
        mfn = (e & PTE_MFN_MASK) >> PAGE_SHIFT;
        if ( !guest_frame(mfn) )
            return -XEN_EINVAL;
    }
    *l1mfn = mfn;
    *idx = (va >> 12) & 511;
    return 0;
}

int mm_lookup_l1e(unsigned long va, unsigned long *l1mfn, unsigned int *idx,
                  uint64_t *pte)
{
    int rc = find_l1(current_vcpu(), va, l1mfn, idx, NULL);

    if ( !rc )
        *pte = map_frame(*l1mfn)[*idx];
    return rc;
}

int mm_user_access(unsigned long va, bool write)
{
    uint64_t need = PTE_USER | (write ? PTE_RW : 0), acc = ~0UL, e;
    unsigned long l1mfn;
    unsigned int idx;

    if ( find_l1(current_vcpu(), va, &l1mfn, &idx, &acc) )
        return -1;
    e = map_frame(l1mfn)[idx];
    if ( !(e & PTE_PRESENT) )
        return -1;
    return ((acc & e) & need) == need ? 0 : 1;
}

int mm_update_va_mapping(struct vcpu *v, unsigned long va, uint64_t val,
                         unsigned long flags)
{
    unsigned long l1mfn;
    unsigned int idx;
    int rc;

    /* Only the guest's own halves of the address space (Xen's access_ok). */
    if ( !guest_addr_ok(va) )
        return -XEN_EINVAL;
    if ( (rc = find_l1(v, va, &l1mfn, &idx, NULL)) ||
         (rc = mod_pt_entry(&frames, l1mfn, 1, idx, val, false)) )
        return rc;

    /* UVMF_ALL, or a vCPU mask (UVMF_MULTI): L0 flushes them all. */
    if ( (flags & UVMF_FLUSHTYPE_MASK) && (flags & ~(unsigned long)UVMF_FLUSHTYPE_MASK) )
        tlb_flush_all();
    else if ( (flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH )
        mm_flush_tlb();
    else if ( (flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG )
        invlpg((void *)va);
    mm_flush_if_needed();
    return 0;
}

int mm_new_baseptr(struct vcpu *v, unsigned long mfn, bool user)
{
    paddr_t *slot = user ? &v->guest_table_user : &v->guest_table;
    unsigned long old = *slot >> PAGE_SHIFT;
    int rc;

    if ( is_pv32() )
    {
        /* One base (NEW_USER_BASEPTR is -EINVAL for a 32-bit guest, as Xen). */
        if ( user )
            return -XEN_EINVAL;
        if ( (rc = get_page_and_type(&frames, mfn, PGT_l3)) )
            return rc;
        old = v->pv32_l3;
        pv32_set_l3(v, mfn);
        if ( old )
            put_page_and_type(&frames, old);
        if ( v == current_vcpu() )
        {
            write_cr3(v->guest_table);
            get_cpu_info()->tlb_flush_owed = false;
        }
        return 0;
    }

    /* A user base of 0 means none (Linux's initial NEW_USER_BASEPTR 0). */
    if ( user && mfn == 0 )
        rc = 0;
    else if ( (rc = get_page_and_type(&frames, mfn, PGT_l4)) )
        return rc;

    *slot = mfn << PAGE_SHIFT;
    if ( old )
        put_page_and_type(&frames, old);
    /* The read-only M2P: in every kernel base; out of user bases if strict. */
    if ( mfn && !user )
        map_frame(mfn)[256] = boot_l4[256];
    else if ( mfn && (dom.vm_assist & (1UL << VMASST_TYPE_m2p_strict)) )
        map_frame(mfn)[256] = 0;
    /* Loading CR3 flushes; otherwise a flush owed stays owed (batch end). */
    if ( v == current_vcpu() && v->kernel_mode != user )
    {
        write_cr3(*slot);
        get_cpu_info()->tlb_flush_owed = false;
    }
    return 0;
}

void mm_clear_baseptrs(struct vcpu *v)
{
    if ( is_pv32() )
    {
        if ( v->pv32_l3 )
            put_page_and_type(&frames, v->pv32_l3);
        pv32_set_l3(v, 0);
        return;
    }
    if ( v->guest_table )
        put_page_and_type(&frames, v->guest_table >> PAGE_SHIFT);
    if ( v->guest_table_user )
        put_page_and_type(&frames, v->guest_table_user >> PAGE_SHIFT);
    v->guest_table = v->guest_table_user = 0;
}

/*
 * MMUEXT_CLEAR_PAGE and MMUEXT_COPY_PAGE: the destination must be writable,
 * never a table (-EINVAL, as Xen), and both frames the guest's; each holds
 * a reference while the shim writes or reads it.
 */
static int copy_or_clear_page(unsigned int cmd, unsigned long dst, unsigned long src)
{
    if ( get_page_and_type(&frames, dst, PGT_writable) )
        return -XEN_EINVAL;
    if ( cmd == MMUEXT_COPY_PAGE )
    {
        if ( get_page(&frames, src) )
        {
            put_page_and_type(&frames, dst);
            return -XEN_EINVAL;
        }
        __builtin_memcpy(map_frame(dst), map_frame(src), PAGE_SIZE);
        put_page(&frames, src);
    }
    else
        __builtin_memset(map_frame(dst), 0, PAGE_SIZE);
    put_page_and_type(&frames, dst);
    return 0;
}

int mm_mmuext_op(struct vcpu *v, const struct mmuext_op *op)
{
    switch ( op->cmd )
    {
    case MMUEXT_PIN_L4_TABLE:
        if ( is_pv32() )
            return 0;               /* a 32-bit guest has none: ignored, as on Xen */
        /* fall through */
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
        return pin_table(&frames, op->arg1.mfn,
                         PGT_l1 + (op->cmd - MMUEXT_PIN_L1_TABLE));
    case MMUEXT_UNPIN_TABLE:
        return unpin_table(&frames, op->arg1.mfn);
    case MMUEXT_NEW_BASEPTR:
        return mm_new_baseptr(v, op->arg1.mfn, false);
    case MMUEXT_NEW_USER_BASEPTR:
        return mm_new_baseptr(v, op->arg1.mfn, true);
    /*
     * Flushes that may reach other vCPUs: L0 flushes every CPU (it has no
     * flush of one address; flushing more than asked is always allowed).
     * Linux names a mask only when another CPU is in it.
     */
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_INVLPG_ALL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
        tlb_flush_all();
        get_cpu_info()->tlb_flush_owed = false;
        return 0;
    case MMUEXT_TLB_FLUSH_LOCAL:
        mm_flush_tlb();
        return 0;
    case MMUEXT_INVLPG_LOCAL:
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
        return copy_or_clear_page(op->cmd, op->arg1.mfn, op->arg2.src_mfn);
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        /* Xen no longer supports superpages for PV guests. */
        return -XEN_EOPNOTSUPP;
    default:
        return -XEN_ENOSYS;
    }
}
