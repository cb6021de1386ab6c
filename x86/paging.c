/* SPDX-License-Identifier: GPL-2.0-only */
/* x86/paging.c - the shim's page tables: direct map and 4 KiB mappings. */
#include "x86/paging.h"
#include "lib/printk.h"
#include "lib/string.h"

extern uint64_t boot_l2[4 * 512];

bool tlb_flush_owed __hot_data;

paddr_t (*paging_alloc_frame)(void);
paddr_t (*paging_alloc_frames)(unsigned long n);

static uint64_t l3_direct[512] __aligned(PAGE_SIZE) __section(".bss.page_aligned");

paddr_t __pa(const void *va)
{
    unsigned long v = (unsigned long)va;

    if ( v >= SHIM_VIRT_BASE && v < SHIM_VIRT_BASE + SHIM_MAP_SIZE )
        return v - SHIM_VIRT_BASE;
    if ( v >= DIRECTMAP_VIRT_START && v < DIRECTMAP_VIRT_END )
        return v - DIRECTMAP_VIRT_START;
    panic("__pa(%p): not a shim image or direct-map address", va);
}

/* The image is linked at SHIM_VIRT_BASE + physical address. */
static paddr_t image_pa(const void *va)
{
    return (unsigned long)va - SHIM_VIRT_BASE;
}

void paging_init(void)
{
    /* Slot 262: the first 4 GiB through head.S's four L2 tables. */
    for ( unsigned int i = 0; i < 4; i++ )
        l3_direct[i] = image_pa(&boot_l2[i * 512]) | _PAGE_PRESENT | _PAGE_RW;
    boot_l4[L4_SLOT(DIRECTMAP_VIRT_START)] =
        image_pa(l3_direct) | _PAGE_PRESENT | _PAGE_RW;
}

static uint64_t *alloc_table(void)
{
    paddr_t pa = paging_alloc_frame ? paging_alloc_frame() : 0;

    return pa ? __va(pa) : NULL;
}

bool paging_map_direct(paddr_t end)
{
    /* One L3 covers 512 GiB: the first direct-map slot is enough up to there. */
    if ( end > (512UL << 30) )
        return false;

    for ( paddr_t pa = 4UL << 30; pa < end; pa += L2_PAGE_SIZE )
    {
        uint64_t *l3e = &l3_direct[L3_SLOT(DIRECTMAP_VIRT_START + pa)];
        uint64_t *l2;

        if ( !(*l3e & _PAGE_PRESENT) )
        {
            if ( !(l2 = alloc_table()) )
                return false;
            *l3e = __pa(l2) | _PAGE_PRESENT | _PAGE_RW;
        }
        l2 = pt_of(*l3e);
        l2[L2_SLOT(DIRECTMAP_VIRT_START + pa)] =
            pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE;
    }
    return true;
}

/* Entry of the next-level table, allocating it when absent. */
static uint64_t *next_table(uint64_t *e, uint64_t flags)
{
    uint64_t *t;

    if ( *e & _PAGE_PRESENT )
        return (*e & _PAGE_PSE) ? NULL : pt_of(*e);
    if ( !(t = alloc_table()) )
        return NULL;
    *e = __pa(t) | _PAGE_PRESENT | _PAGE_RW | (flags & _PAGE_USER);
    return t;
}

bool paging_map(uint64_t *l4, unsigned long va, paddr_t pa, uint64_t flags)
{
    uint64_t *l3, *l2, *l1;

    if ( !(l3 = next_table(&l4[L4_SLOT(va)], flags)) ||
         !(l2 = next_table(&l3[L3_SLOT(va)], flags)) ||
         !(l1 = next_table(&l2[L2_SLOT(va)], flags)) )
        return false;
    l1[L1_SLOT(va)] = pa | flags;
    return true;
}

uint64_t *paging_l1e(uint64_t *l4, unsigned long va)
{
    uint64_t e = l4[L4_SLOT(va)];

    if ( !(e & _PAGE_PRESENT) )
        return NULL;
    e = pt_of(e)[L3_SLOT(va)];
    if ( !(e & _PAGE_PRESENT) || (e & _PAGE_PSE) )
        return NULL;
    e = pt_of(e)[L2_SLOT(va)];
    if ( !(e & _PAGE_PRESENT) || (e & _PAGE_PSE) )
        return NULL;
    return &pt_of(e)[L1_SLOT(va)];
}
