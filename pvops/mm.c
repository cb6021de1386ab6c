/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/mm.c - the guest's page tables, as Xen's mm.c lets a 64-bit PV guest
 * change them: every entry checked by pvops/pagetype.c before the CPU can
 * walk it.
 */
#include "pvops/mm.h"
#include "pvops/grant.h"
#include "x86/cpu.h"
#include "x86/paging.h"
#include "x86/uaccess.h"
#include "lib/printk.h"

struct frame_table frames;

static uint64_t *map_frame(unsigned long mfn)
{
    return __va(mfn << PAGE_SHIFT);
}

bool mm_init(unsigned long first_mfn, unsigned long nr, void *storage)
{
    frames.pages = storage;
    frames.first_mfn = first_mfn;
    frames.nr = nr;
    frames.extra_mfn[0] = dom.store_mfn;
    frames.extra_mfn[1] = dom.console_mfn;
    frames.extra_mfn[2] = __pa(dom.shared_info) >> PAGE_SHIFT;
    for ( unsigned int i = 0; i < FT_EXTRA; i++ )
        frames.extra[i] = (struct page_info){ .kind = PGK_shared };
    frames.map = map_frame;
    frames.flush_owed = &get_cpu_info()->tlb_flush_owed;
    frames.xen_l4 = &boot_l4[256];
    frames.nx = cpuid(0x80000001).edx & (1u << 20);
    /* Frames in the range that are the shim's (M2P, this table...) are not the guest's. */
    for ( unsigned long i = 0; i < nr; i++ )
        frames.pages[i] = (struct page_info){
            .type_info = mfn_owned(first_mfn + i) ? 0 : PGT_not_guest,
        };
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

int mm_adopt_boot_table(struct vcpu *v, unsigned long l4_mfn)
{
    int rc = pin_table(&frames, l4_mfn, PGT_l4);

    if ( rc )
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

/* The guest owns the frame and it is not a ring frame from L0? */
static bool guest_frame(unsigned long mfn)
{
    return frame_info(&frames, mfn) != NULL;
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
    if ( type >= PGT_l1 && type <= PGT_l4 && page_type_count(pg) )
        return mod_pt_entry(&frames, mfn, type, idx, val, preserve_ad);

    /* A grant-table frame: the store is checked (pvops/grant.c). */
    if ( pg->kind & PGK_grant )
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
    dom.m2p[mfn] = pfn;
    return 0;
}

/* The L1 table (mfn) and slot that map va in the current guest tables. */
static int find_l1(unsigned long va, unsigned long *l1mfn, unsigned int *idx)
{
    struct vcpu *v = current_vcpu();
    unsigned long mfn = (v->kernel_mode ? v->guest_table : v->guest_table_user)
                        >> PAGE_SHIFT;
    static const unsigned int shifts[3] = { 39, 30, 21 };

    for ( unsigned int i = 0; i < 3; i++ )
    {
        uint64_t e = map_frame(mfn)[(va >> shifts[i]) & 511];

        if ( !(e & PTE_PRESENT) || (e & PTE_PSE) )
            return -XEN_EINVAL;
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
    int rc = find_l1(va, l1mfn, idx);

    if ( !rc )
        *pte = map_frame(*l1mfn)[*idx];
    return rc;
}

int mm_update_va_mapping(unsigned long va, uint64_t val, unsigned long flags)
{
    unsigned long l1mfn;
    unsigned int idx;
    int rc;

    /* Only the guest's own halves of the address space (Xen's access_ok). */
    if ( !guest_addr_ok(va) )
        return -XEN_EINVAL;
    if ( (rc = find_l1(va, &l1mfn, &idx)) ||
         (rc = mod_pt_entry(&frames, l1mfn, 1, idx, val, false)) )
        return rc;

    switch ( flags & UVMF_FLUSHTYPE_MASK )
    {
    case UVMF_TLB_FLUSH:
        mm_flush_tlb();
        break;
    case UVMF_INVLPG:
        invlpg((void *)va);
        break;
    }
    mm_flush_if_needed();
    return 0;
}

int mm_new_baseptr(struct vcpu *v, unsigned long mfn, bool user)
{
    paddr_t *slot = user ? &v->guest_table_user : &v->guest_table;
    unsigned long old = *slot >> PAGE_SHIFT;
    int rc;

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
    if ( v->kernel_mode != user )
    {
        write_cr3(*slot);
        get_cpu_info()->tlb_flush_owed = false;
    }
    return 0;
}
