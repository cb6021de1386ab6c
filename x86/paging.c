/* SPDX-License-Identifier: GPL-2.0-only */
/* x86/paging.c - the shim's page tables: direct map and 4 KiB mappings. */
#include "x86/paging.h"
#include "x86/cpu.h"
#include "x86/frames.h"
#include "lib/printk.h"
#include "lib/string.h"

extern uint64_t boot_l2[4 * 512], boot_l3_high[512], percpu_l1[512];
extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __init_text_start[], __init_text_end[];
extern const char __image_end[];

uint64_t paging_nx;

static uint64_t l3_direct[512] __aligned(PAGE_SIZE) __section(".bss.page_aligned");

/*
 * The shim's window (SHIM_VIRT_BASE, SHIM_MAP_SIZE): 2 MiB pages, but the
 * ones the image may occupy are split into 4 KiB pages with the rights of
 * each part of the image (boot/shim.lds.S). The direct map does the same.
 */
#define IMAGE_L1_TABLES (SHIM_IMAGE_MAX / L2_PAGE_SIZE)
static uint64_t image_l2[512] __aligned(PAGE_SIZE) __section(".bss.page_aligned");
static uint64_t image_l1[IMAGE_L1_TABLES][512] __aligned(PAGE_SIZE)
    __section(".bss.page_aligned");
/* The same 2 MiB pages in the direct (and identity) map. */
static uint64_t direct_l1[IMAGE_L1_TABLES][512] __aligned(PAGE_SIZE)
    __section(".bss.page_aligned");
BUILD_BUG_ON(SHIM_PHYS_START % L2_PAGE_SIZE || SHIM_IMAGE_MAX % L2_PAGE_SIZE);

#define MSR_EFER    0xc0000080
#define EFER_NXE    (1UL << 11)

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

/*
 * The rights of the 4 KiB page at physical address pa in the image's
 * window (exec) or in the direct map (!exec, where the image's text and
 * rodata are read-only too: no writable alias of the code).
 */
static uint64_t image_page_flags(paddr_t pa, bool exec)
{
    if ( pa >= image_pa(__text_start) && pa < image_pa(__text_end) )
        return _PAGE_PRESENT | (exec ? 0 : paging_nx);  /* RX */
    if ( pa >= image_pa(__rodata_start) && pa < image_pa(__rodata_end) )
        return _PAGE_PRESENT | paging_nx;               /* R */
    return _PAGE_PRESENT | _PAGE_RW | paging_nx;        /* RW */
}

/*
 * Fill l2 (512 entries from physical 0, flags for its 2 MiB pages) and
 * split the 2 MiB pages the image may occupy into the 4 KiB pages of l1.
 */
static void map_first_gib(uint64_t *l2, uint64_t (*l1)[512], bool exec)
{
    for ( unsigned int i = 0; i < 512; i++ )
    {
        paddr_t pa = (paddr_t)i * L2_PAGE_SIZE;
        unsigned int t = (pa - SHIM_PHYS_START) / L2_PAGE_SIZE;

        if ( pa >= SHIM_PHYS_START && t < IMAGE_L1_TABLES )
        {
            for ( unsigned int j = 0; j < 512; j++ )
                l1[t][j] = (pa + j * PAGE_SIZE) |
                           image_page_flags(pa + j * PAGE_SIZE, exec);
            l2[i] = image_pa(l1[t]) | _PAGE_PRESENT | _PAGE_RW;
        }
        else
            l2[i] = pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE | paging_nx;
    }
}

/* What the live tables let va be: bit 0 written, bit 1 executed; -1 unmapped. */
static int rights(unsigned long va)
{
    const uint64_t *t = pt_of(read_cr3());
    bool w = true, x = true;

    for ( unsigned int shift = 39; ; shift -= 9 )
    {
        uint64_t e = t[(va >> shift) & 511];

        if ( !(e & _PAGE_PRESENT) )
            return -1;
        w &= !!(e & _PAGE_RW);
        x &= !(e & _PAGE_NX);
        if ( shift == 12 || (shift < 39 && (e & _PAGE_PSE)) )
            return w | (x << 1);
        t = pt_of(e);
    }
}

/*
 * Check what paging_init built, page by page, on the tables the CPU walks
 * (once L0 is known, so that a panic reaches it as a crash):
 * the image's text read-only and executable only at its link address,
 * rodata read-only, everything else writable and never executable, in the
 * image's window and in the direct map. A mistake here is a shim that
 * can be written where it runs, or run where the guest's frames are.
 */
void paging_check_wx(void)
{
    const int R = 0, W = 1, X = 2;
    unsigned long pa;

    for ( pa = image_pa(__text_start); pa < image_pa(__image_end) + PAGE_SIZE;
          pa += PAGE_SIZE )
    {
        bool text = pa < image_pa(__text_end);
        int want = text ? R | X : pa < image_pa(__rodata_end) ? R : W;

        if ( rights(SHIM_VIRT_BASE + pa) != want ||
             rights(DIRECTMAP_VIRT_START + pa) != (want & ~X) )
            panic("W^X: physical %#lx has rights %d in the image, %d in the "
                  "direct map, not %d", pa, rights(SHIM_VIRT_BASE + pa),
                  rights(DIRECTMAP_VIRT_START + pa), want);
    }
    for ( unsigned long va = PERCPU_VIRT(0); va < PERCPU_VIRT(1); va += PAGE_SIZE )
        if ( rights(va) != ((va - PERCPU_VIRT(0) < PERCPU_IST_PAGES * PAGE_SIZE ||
                             va - PERCPU_VIRT(0) >= CPU_STACK_OFFSET) ? W : -1) )
            panic("W^X: CPU 0's stack page %#lx has rights %d", va, rights(va));
    for ( pa = 0; pa < BOOT_IDENT_SIZE; pa += L2_PAGE_SIZE )
        if ( (pa < image_pa(__text_start) || pa > image_pa(__image_end)) &&
             rights(DIRECTMAP_VIRT_START + pa) != W )
            panic("W^X: direct map of %#lx has rights %d", pa,
                  rights(DIRECTMAP_VIRT_START + pa));
}

void paging_init(void)
{
    paging_nx = (rdmsrl(MSR_EFER) & EFER_NXE) ? _PAGE_NX : 0;

    /*
     * The shim's window on tables of its own, no longer head.S's first L2
     * (shared with the identity map and the direct map): W^X for the
     * image, RW and NX for the rest. We run in it, on the same frames: one
     * store of the L3 entry, then the flush.
     */
    map_first_gib(image_l2, image_l1, true);
    for ( unsigned int i = 0; i < 512; i++ )    /* CPU 0's stacks: data */
        if ( percpu_l1[i] )
            percpu_l1[i] |= paging_nx;
    boot_l3_high[L3_SLOT(SHIM_VIRT_BASE)] =
        image_pa(image_l2) | _PAGE_PRESENT | _PAGE_RW;
    write_cr3(read_cr3());

    /*
     * Slot 262: the first 4 GiB through head.S's four L2 tables, never
     * executable, with the image's text and rodata read-only there too.
     * Those are the identity map's tables as well, which then gets the same
     * rights: nothing runs there once head.S has jumped to the image.
     */
    map_first_gib(boot_l2, direct_l1, false);
    for ( unsigned int i = 512; i < 4 * 512; i++ )
        boot_l2[i] |= paging_nx;
    for ( unsigned int i = 0; i < 4; i++ )
        l3_direct[i] = image_pa(&boot_l2[i * 512]) | _PAGE_PRESENT | _PAGE_RW;
    boot_l4[L4_SLOT(DIRECTMAP_VIRT_START)] =
        image_pa(l3_direct) | _PAGE_PRESENT | _PAGE_RW | paging_nx;
    write_cr3(read_cr3());
}

static uint64_t *alloc_table(void)
{
    unsigned long mfn = frames_alloc();

    return mfn ? __va((paddr_t)mfn << PAGE_SHIFT) : NULL;
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
            pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE | paging_nx;
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
    l1[L1_SLOT(va)] = pa | flags | paging_nx;
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

unsigned long paging_retire_init(void)
{
    for ( unsigned long va = (unsigned long)__init_text_start;
          va < (unsigned long)__init_text_end; va += PAGE_SIZE )
    {
        uint64_t *e = paging_l1e(boot_l4, va);

        if ( !e )
            panic("no 4 KiB mapping of the image at %#lx", va);
        *e = 0;
        invlpg((void *)va);
    }
    return __init_text_end - __init_text_start;
}
