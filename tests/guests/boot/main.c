/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/boot/main.c - the start of day a PV domain builder promises
 * (xen.h "Start-of-day memory layout"), as a 64-bit and as a 32-bit PAE
 * kernel: start_info, the boot region and its order (kernel, P2M,
 * start_info, xenstore and console rings, page tables, stack, each 4 KiB
 * aligned and packed), its 1:1 mapping of the first pfns, the page tables
 * mapped read-only and the rest writable, the region's end on a 4 MiB
 * boundary with 512 KiB to spare, the P2M and the M2P inverse to each
 * other, the flat kernel selectors, and the few answers that depend on the
 * guest's width (where the hypervisor's hole starts, which vm_assists
 * exist).
 *
 * Everything is read through the mappings the builder made: a table
 * entry's frame is found in the boot region through the M2P, as the
 * guest's own kernel would find it.
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "start of day";

extern char __image_end[];
extern unsigned long boot_sp;

#define PAGE            4096UL
#define PTE_P           0x001ULL
#define PTE_RW          0x002ULL
#define PTE_PSE         0x080ULL
#define PTE_ADDR        0x000ffffffffff000ULL

#ifdef __i386__
#define MAGIC           "xen-3.0-x86_32p"
#define LEVELS          3
static const unsigned int shifts[LEVELS] = { 30, 21, 12 };
#define TOP_INDEX(va)   (((va) >> 30) & 3)
#else
#define MAGIC           "xen-3.0-x86_64"
#define LEVELS          4
static const unsigned int shifts[LEVELS] = { 39, 30, 21, 12 };
#define TOP_INDEX(va)   (((va) >> 39) & 511)
#endif

static const unsigned long *p2m;
static const unsigned long *const m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
static unsigned long pt_start, pt_end;      /* VAs of the page-table frames */
static unsigned int tables_outside;         /* tables met outside them */

static unsigned long round_up(unsigned long x)
{
    return (x + PAGE - 1) & ~(PAGE - 1);
}

/* The VA of a frame of the boot region, or 0 if it is not one. */
static unsigned long frame_va(uint64_t mfn)
{
    unsigned long pfn = m2p[mfn];

    if ( pfn >= start_info->nr_pages || p2m[pfn] != mfn )
        return 0;
    return GUEST_VIRT_BASE + pfn * PAGE;
}

/* The L1 entry that maps va through the boot tables, 0 if none. */
static uint64_t walk(unsigned long va)
{
    unsigned long table = start_info->pt_base;
    uint64_t e = 0;

    for ( unsigned int l = 0; l < LEVELS; l++ )
    {
        unsigned int idx = l ? (va >> shifts[l]) & 511 : TOP_INDEX(va);

        if ( table < pt_start || table >= pt_end )
            tables_outside++;
        e = ((const uint64_t *)table)[idx];
        if ( !(e & PTE_P) )
            return 0;
        if ( l == LEVELS - 1 )
            break;
        if ( (e & PTE_PSE) || !(table = frame_va((e & PTE_ADDR) >> 12)) )
            return 0;
    }
    return e;
}

static unsigned long ring_va(unsigned long mfn)
{
    return mfn ? frame_va(mfn) : 0;
}

static void check_layout(void)
{
    const start_info_t *si = start_info;
    unsigned long kend = round_up((unsigned long)__image_end);
    unsigned long p2m_end = round_up(si->mfn_list + si->nr_pages * sizeof(unsigned long));
    unsigned long store = ring_va(si->store_mfn), console = ring_va(si->console.domU.mfn);
    unsigned long stack_top = pt_end + PAGE, end, va;
    unsigned int unmapped = 0, ro_wrong = 0, not_1to1 = 0;

    /* Packed in the documented order, each element 4 KiB aligned. */
    report_case("P2M right after the kernel", si->mfn_list - kend, 0, NULL);
    report_case("start_info right after the P2M", (unsigned long)si - p2m_end, 0, NULL);
    report_case("xenstore ring right after start_info",
                store - ((unsigned long)si + PAGE), 0, NULL);
    report_case("console ring right after the xenstore ring", console - (store + PAGE),
                0, NULL);
    report_case("page tables right after the console ring", si->pt_base - (console + PAGE),
                0, NULL);
    report_case("boot stack: one page after the page tables", boot_sp - stack_top, 0, NULL);

    /*
     * Every page from VIRT_BASE to the end of the stack is mapped to its
     * pfn's frame, the tables read-only and the rest writable.
     */
    for ( va = GUEST_VIRT_BASE; va < stack_top; va += PAGE )
    {
        uint64_t e = walk(va);
        unsigned long pfn = (va - GUEST_VIRT_BASE) / PAGE;
        bool table = va >= pt_start && va < pt_end;

        if ( !e )
        {
            unmapped++;
            continue;
        }
        if ( !!(e & PTE_RW) == table )
            ro_wrong++;
        if ( ((e & PTE_ADDR) >> 12) != p2m[pfn] )
            not_1to1++;
    }
    report_case("boot pages not mapped", unmapped, 0, NULL);
    report_case("boot pages mapped RW when a table, RO when not", ro_wrong, 0, NULL);
    report_case("boot pages not mapped to their pfn's frame", not_1to1, 0, NULL);
    report_case("table frames met outside [pt_base, +nr_pt_frames)", tables_outside, 0, NULL);

    /* The region goes on, mapped, to a 4 MiB boundary at least 512 KiB past the stack. */
    for ( end = stack_top; end < stack_top + (16UL << 20) && walk(end); end += PAGE )
        ;
    printk("boot region [%#lx, %#lx), stack top %#lx, %lu table frames\n",
           (unsigned long)GUEST_VIRT_BASE, end, stack_top, si->nr_pt_frames);
    report_case("region end on a 4 MiB boundary", end & ((4UL << 20) - 1), 0, NULL);
    report_case("at least 512 KiB after the stack", end - stack_top >= (512UL << 10), 1, NULL);
}

static void check_p2m_m2p(void)
{
    unsigned long bad = 0;

    for ( unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++ )
        if ( m2p[p2m[pfn]] != pfn )
            bad++;
    report_case("pfns whose M2P entry is not their pfn", bad, 0, NULL);
}

static void check_selectors(void)
{
    unsigned int cs, ss, ds, es, fs, gs;

    __asm__ volatile ( "mov %%cs, %0; mov %%ss, %1; mov %%ds, %2; mov %%es, %3;"
                       "mov %%fs, %4; mov %%gs, %5"
                       : "=r" (cs), "=r" (ss), "=r" (ds), "=r" (es), "=r" (fs), "=r" (gs) );
    report_case("cs is FLAT_KERNEL_CS", cs, FLAT_KERNEL_CS, NULL);
    report_case("ss is FLAT_KERNEL_SS", ss, FLAT_KERNEL_SS, NULL);
#ifdef __i386__
    /* Xen's builders load every data selector with the flat ring-1 one. */
    report_case("ds is FLAT_KERNEL_DS", ds, FLAT_KERNEL_DS, NULL);
    report_case("es is FLAT_KERNEL_DS", es, FLAT_KERNEL_DS, NULL);
    report_case("fs is FLAT_KERNEL_DS", fs, FLAT_KERNEL_DS, NULL);
    report_case("gs is FLAT_KERNEL_DS", gs, FLAT_KERNEL_DS, NULL);
#else
    printk("ds %#x es %#x fs %#x gs %#x\n", ds, es, fs, gs);
#endif
}

static void check_width(void)
{
    xen_platform_parameters_t pp = { 0 };
    long rc = hypercall_xen_version(XENVER_platform_parameters, &pp);

    report_case("xen_version(platform_parameters)", rc, 0, NULL);
    report_case("hypervisor hole starts at HYPERVISOR_VIRT_START", pp.virt_start,
                HYPERVISOR_VIRT_START, NULL);
    report_case("vm_assist(enable, pae_extended_cr3)",
                hypercall_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3), 0, NULL);
#ifdef __i386__
    /* m2p_strict is a 64-bit guest's (Xen's PV32_VM_ASSIST_MASK lacks it). */
    report_case("vm_assist(enable, m2p_strict)",
                hypercall_vm_assist(VMASST_CMD_enable, VMASST_TYPE_m2p_strict),
                -XEN_EINVAL, NULL);
#else
    report_case("vm_assist(enable, m2p_strict)",
                hypercall_vm_assist(VMASST_CMD_enable, VMASST_TYPE_m2p_strict), 0, NULL);
#endif
}

#ifdef __i386__
/* A PAE L3 of four entries, slot 3 always present (Xen's hypervisor L2), no more. */
static void check_l3(void)
{
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    unsigned int nonzero = 0;

    report_case("L3 slot 3 present", l3[3] & PTE_P, 1, NULL);
    for ( unsigned int i = 4; i < 512; i++ )
        nonzero += l3[i] != 0;
    report_case("L3 entries past slot 3 that are not zero", nonzero, 0, NULL);
}
#endif

void test_main(void)
{
    const start_info_t *si = start_info;

    p2m = (const unsigned long *)si->mfn_list;
    pt_start = si->pt_base;
    pt_end = si->pt_base + si->nr_pt_frames * PAGE;

    report_line("start_info magic", si->magic, MAGIC,
                !strncmp(si->magic, MAGIC, sizeof(si->magic)));
    report_case("start_info flags", si->flags, 0, NULL);
    check_selectors();
    check_layout();
    check_p2m_m2p();
#ifdef __i386__
    check_l3();
#endif
    check_width();

    if ( report_checks )
        xtf_success(NULL);
}
