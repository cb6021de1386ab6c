/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/descriptors.c - the guest's GDT, descriptor updates and its LDT
 * (Xen's pv/descriptor-tables.c and arch/x86/desc.c check_descriptor).
 *
 * GDT frames are typed PGT_seg_desc (every descriptor checked when the type
 * is taken, so the guest can never map them writable) and mapped into the
 * vCPU's GDT window, pages 0-13; page 14 holds the shim's own descriptors.
 */
#include "pvops/descriptors.h"
#include "pvops/mm.h"
#include "x86/desc.h"
#include "x86/paging.h"
#include "x86/uaccess.h"
#include "lib/printk.h"

/* frame_table hook: every descriptor of a frame taking PGT_seg_desc. */
static bool check_desc_page(unsigned long mfn)
{
    uint64_t *d = frames.map(mfn);

    for ( unsigned int i = 0; i < 512; i++ )
        if ( !(is_pv32() ? check_descriptor32(&d[i]) : check_descriptor(&d[i])) )
            return false;
    return true;
}

void descriptors_init(void)
{
    frames.check_desc_page = check_desc_page;
}

static void unmap_gdt_frames(struct vcpu *v)
{
    for ( unsigned int i = 0; i < v->gdt_nr_frames; i++ )
    {
        unsigned long va = GDT_VIRT(v->id) + i * PAGE_SIZE;
        uint64_t *l1e = paging_l1e(boot_l4, va);

        if ( l1e )
            *l1e = 0;
        invlpg((void *)va);
        put_page_and_type(&frames, v->gdt_frames[i]);
    }
    v->gdt_nr_frames = 0;
    v->gdt_ents = 0;
}

long pv_set_gdt(struct vcpu *v, const unsigned long *mfns, unsigned int entries)
{
    unsigned int nr = (entries + 511) / 512, i;
    long rc = 0;

    if ( entries > FIRST_RESERVED_GDT_ENTRY )
        return -XEN_EINVAL;

    for ( i = 0; i < nr; i++ )
        if ( (rc = get_page_and_type(&frames, mfns[i], PGT_seg_desc)) )
            break;
    if ( rc )
    {
        while ( i-- )
            put_page_and_type(&frames, mfns[i]);
        return rc;
    }

    /* No writable TLB entry may outlive the type change. */
    mm_flush_if_needed();
    unmap_gdt_frames(v);
    for ( i = 0; i < nr; i++ )
    {
        unsigned long va = GDT_VIRT(v->id) + i * PAGE_SIZE;

        /* Writable for the CPU (it sets accessed bits); supervisor only. */
        if ( !paging_map(boot_l4, va, mfns[i] << PAGE_SHIFT,
                         _PAGE_PRESENT | _PAGE_RW) )
            panic("no memory for the GDT window");
        invlpg((void *)va);
        v->gdt_frames[i] = mfns[i];
    }
    v->gdt_nr_frames = nr;
    v->gdt_ents = entries;
    return 0;
}

long pv_update_descriptor(unsigned long maddr, uint64_t desc)
{
    unsigned long mfn = maddr >> PAGE_SHIFT;
    struct page_info *pg = frame_info(&frames, mfn);
    bool seg = pg && page_type(pg) == PGT_seg_desc && page_type_count(pg);
    long rc;

    if ( (maddr & 7) || !pg )
        return -XEN_EINVAL;
    if ( !(is_pv32() ? check_descriptor32(&desc) : check_descriptor(&desc)) )
        return -XEN_EINVAL;
    /* A descriptor page in use stays one; anything else must be writable. */
    if ( !seg && (rc = get_page_type(&frames, mfn, PGT_writable)) )
        return rc;
    frames.map(mfn)[(maddr & (PAGE_SIZE - 1)) / 8] = desc;
    if ( !seg )
        put_page_type(&frames, mfn);
    /* It may have been a table: a stale walk must not read the new word. */
    mm_flush_if_needed();
    return 0;
}

/* Take every guest LDT page out of the vCPU's LDT window. */
static void unmap_ldt(struct vcpu *v)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(v->ldt_mfn); i++ )
    {
        unsigned long va = LDT_VIRT(v->id) + i * PAGE_SIZE;
        uint64_t *l1e;

        if ( !v->ldt_mfn[i] )
            continue;
        if ( (l1e = paging_l1e(boot_l4, va)) )
            *l1e = 0;
        invlpg((void *)va);
        put_page_and_type(&frames, v->ldt_mfn[i]);
        v->ldt_mfn[i] = 0;
    }
}

/*
 * MMUEXT_SET_LDT (Xen's pv/mm.c): a page-aligned, canonical guest address
 * outside the hypervisor's range and at most 8192 entries. The LDT descriptor (0xe050
 * in the hypervisor's GDT page) points at the vCPU's LDT window, whose pages
 * are mapped lazily, on the first fault there (pv_ldt_fault).
 *
 * Xen checks the address with __addr_ok, its 64-bit rule, for a 32-bit
 * guest too: every 32-bit address passes, the compat hole's as well. That
 * is safe: an LDT page is looked up in the guest's own tables and must be
 * a guest frame that takes the descriptor type (a load from an LDT in the
 * hole is a #PF there).
 */
/* No LDT for v, which is not running (a vCPU reset: no lldt on this CPU). */
void pv_drop_ldt(struct vcpu *v)
{
    unmap_ldt(v);
    v->ldt_base = 0;
    v->ldt_ents = 0;
}

long pv_set_ldt(struct vcpu *v, unsigned long base, unsigned int ents)
{
    /* Xen looks at the address only when there are entries. */
    if ( !ents )
        base = 0;
    if ( (base & (PAGE_SIZE - 1)) || (!is_pv32() && !guest_addr_ok(base)) ||
         ents > 8192 )
        return -XEN_EINVAL;

    unmap_ldt(v);
    v->ldt_base = ents ? base : 0;
    v->ldt_ents = ents;
    if ( ents )
    {
        desc_set_ldt(v->id, LDT_VIRT(v->id), ents * 8 - 1);
        __asm__ volatile ( "lldt %w0" :: "r" (SEL_LDT) );
    }
    else
        __asm__ volatile ( "lldt %w0" :: "r" (0) );
    return 0;
}

/*
 * A fault in the vCPU's LDT window: map the guest's LDT page there, typed as
 * a descriptor page (every descriptor checked, never writable to the guest
 * again while mapped), and let the instruction run again. Returns false
 * when there is no such page; the caller then gives the guest a #GP.
 */
bool pv_ldt_fault(struct vcpu *v, unsigned long addr)
{
    unsigned long off = addr - LDT_VIRT(v->id), l1mfn, mfn, linear;
    unsigned int page = off / PAGE_SIZE, idx;
    uint64_t pte;

    if ( off >= 0x10000 || off >= (unsigned long)v->ldt_ents * 8 || v->ldt_mfn[page] )
        return false;
    /* A 32-bit guest's LDT wraps at 4 GiB (Xen's pv_map_ldt_shadow_page). */
    linear = v->ldt_base + page * PAGE_SIZE;
    if ( is_pv32() )
        linear = (uint32_t)linear;
    if ( mm_lookup_l1e(linear, &l1mfn, &idx, &pte) ||
         !(pte & PTE_PRESENT) )
        return false;
    mfn = (pte & PTE_MFN_MASK) >> PAGE_SHIFT;
    if ( get_page_and_type(&frames, mfn, PGT_seg_desc) )
        return false;
    mm_flush_if_needed();
    if ( !paging_map(boot_l4, LDT_VIRT(v->id) + page * PAGE_SIZE,
                     mfn << PAGE_SHIFT, _PAGE_PRESENT | _PAGE_RW) )
    {
        put_page_and_type(&frames, mfn);
        return false;
    }
    v->ldt_mfn[page] = mfn;
    return true;
}

bool pv_read_descriptor(struct vcpu *v, unsigned int sel, uint64_t *d, bool map_ldt)
{
    unsigned int idx = sel >> 3;
    unsigned long va;

    *d = 0;
    if ( sel < 4 || ((sel & 4) && idx >= v->ldt_ents) )
        return true;
    if ( !(sel & 4) && idx >= v->gdt_ents && idx < FIRST_RESERVED_GDT_ENTRY )
        return false;
    va = (sel & 4 ? LDT_VIRT(v->id) : GDT_VIRT(v->id)) + idx * 8;
    if ( !raw_copy_guest(d, (const void *)va, sizeof(*d)) )
        return true;
    return (sel & 4) && map_ldt && pv_ldt_fault(v, va) &&
           !raw_copy_guest(d, (const void *)va, sizeof(*d));
}

bool pv_read_segment(struct vcpu *v, unsigned int sel, struct seg_info *s, bool map_ldt)
{
    uint64_t d;
    uint32_t a, b;

    if ( !pv_read_descriptor(v, sel, &d, map_ldt) )
        return false;
    a = d;
    b = (d >> 32) & ~SEG_L;
    s->ar = b & 0x00f0ff00;
    s->base = (a >> 16) | ((b & 0xff) << 16) | (b & 0xff000000);
    s->limit = (a & 0xffff) | (b & 0xf0000);
    if ( b & SEG_G )
        s->limit = (s->limit << 12) | 0xfff;
    return true;
}
