/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/domain.c - building the one PV guest, as Xen's and libxenguest's PV
 * builders do (xen/include/public/xen.h "Start-of-day memory layout";
 * ../shared/reference/pv64-abi.md sections 4.1-4.3).
 *
 * Guest "machine" frames are the shim's own physical frames, which are L0's
 * frame numbers for our container: a frame number the guest writes into a
 * grant entry or finds in start_info is one L0 and its backends understand.
 *
 * Layout of the boot region, one VA range from virt_base mapping pfn 0 up:
 *   [kernel image][initrd, if the kernel cannot take it by pfn][p2m]
 *   [start_info][xenstore ring][console ring][page tables][stack][padding]
 * then, for MOD_START_PFN kernels, the initrd in the pfns after the region.
 * The xenstore and console pfns are backed by L0's ring frames, as in Xen's
 * shim; every other pfn is RAM.
 */
#include "pvops/domain.h"
#include "x86/smp.h"
#include "pvops/descriptors.h"
#include "pvops/elf.h"
#include "pvops/suspend.h"
#include "pvops/mm.h"
#include "pvops/time.h"
#include "pvops/vcpu.h"
#include "x86/cpu.h"
#include "x86/desc.h"
#include "x86/l0.h"
#include "x86/smap.h"
#include "x86/traps.h"
#include "x86/xstate.h"
#include "lib/compat.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

/* Read-write view of the M2P: Xen's RDWR_MPT_VIRT_START (slot 261). */
#define RDWR_MPT_VIRT_START   0xffff828000000000UL
/* Xen's _PAGE_GUEST_KERNEL: PV kernel pages are user pages to the CPU. */
#define _PAGE_GUEST_KERNEL    (1UL << 52)
#define L1_PROT   (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_USER | \
                   _PAGE_GUEST_KERNEL)
#define UPPER_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | \
                    _PAGE_USER)
/*
 * A 32-bit guest's, as libxenguest's x86_32 PAE builder: its kernel is in
 * ring 1, a supervisor to the CPU; an L3 entry has P alone (PAE's L3
 * allows little more: Xen adds RW and US, pvops/pagetype.c).
 */
#define PV32_L1_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)
#define PV32_L2_PROT UPPER_PROT
#define PV32_L3_PROT _PAGE_PRESENT

/*
 * The read-write view of a 32-bit guest's 4-byte M2P (Xen's
 * RDWR_COMPAT_MPT_VIRT_START in slot 261, free in our layout), and the
 * most it can hold: what L2 slots 428-511 of the guest's view map (from
 * 0xF5800000 to 4 GiB, 168 MiB of entries, 168 GiB of memory).
 */
#define COMPAT_RDWR_MPT_VIRT_START 0xffff82c000000000UL
#define COMPAT_M2P_SLOTS           (512 - COMPAT_L2_FIRST_XEN)
/* Xen's MACH2PHYS_COMPAT_NR_ENTRIES: to 0xFFE00000 (slot 511 is not the M2P's). */
#define COMPAT_M2P_MAX             ((0xFFE00000UL - COMPAT_MACH2PHYS_VIRT_START) / 4)
BUILD_BUG_ON(COMPAT_L2_FIRST_XEN != ((COMPAT_MACH2PHYS_VIRT_START >> 21) & 511));

/* What a 32-bit guest's L2 under L3 slot 3 gets in slots 428-511. */
static uint64_t compat_l2_xen[COMPAT_M2P_SLOTS];

struct domain dom __hot_data;
spinlock_t domain_lock_ __hot_data;
unsigned int domain_lock_owner __hot_data = ~0u;

/* Waiting for the domain lock: let L0 run the holder (it may be descheduled). */
unsigned long domain_lock_waits;

void domain_lock_relax(void)
{
    domain_lock_waits++;
    l0_sched_op(SCHEDOP_yield, NULL);
}

static uint8_t guest_shared_info[PAGE_SIZE] __aligned(PAGE_SIZE)
    __section(".bss.page_aligned");
BUILD_BUG_ON(sizeof(shared_info_t) > PAGE_SIZE);

/* pfn -> mfn while building: runs of consecutive frames, in pfn order. */
struct run {
    unsigned long pfn, mfn, count;
};
static struct run runs[2 * ARRAY_SIZE(dom.owned_ranges) + 4];
static unsigned int nr_runs;

struct layout {
    unsigned long virt_base, virt_end;
    unsigned long kstart_pfn, kend_pfn;
    unsigned long initrd_pfn, initrd_pages;
    bool initrd_by_pfn;
    unsigned long p2m_pfn, p2m_pages;
    unsigned long si_pfn, store_pfn, console_pfn;
    unsigned long pt_pfn, nr_pt;
    unsigned long stack_pfn;
    unsigned long region_pages;
};

#define FAIL(...)                               \
    do {                                        \
        snprintf(err, errlen, __VA_ARGS__);     \
        return false;                           \
    } while ( 0 )

static __init unsigned long pfn_to_mfn(unsigned long pfn)
{
    for ( unsigned int i = 0; i < nr_runs; i++ )
        if ( pfn - runs[i].pfn < runs[i].count )
            return runs[i].mfn + (pfn - runs[i].pfn);
    panic("pfn %#lx is outside the guest being built", pfn);
}

static __init void *pfn_va(unsigned long pfn)
{
    return __va(pfn_to_mfn(pfn) << PAGE_SHIFT);
}

/* The shim's own frames: zeroed, from x86/frames.h. */
static __init paddr_t shim_alloc_frame(void)
{
    return (paddr_t)frames_alloc() << PAGE_SHIFT;
}

/* Contiguous, zeroed shim memory (through the direct map) for a structure. */
static __init void *shim_alloc(size_t size)
{
    paddr_t pa = (paddr_t)frames_alloc_run((size + PAGE_SIZE - 1) >> PAGE_SHIFT)
                 << PAGE_SHIFT;

    return pa ? __va(pa) : NULL;
}

/* ---------------------------------------------------------------- M2P */

/*
 * Does the M2P page for mfns [first, last) hold an entry a guest may
 * write (MMU_MACHPHYS_UPDATE, m2p_set)? Its RAM, L0's rings, shared_info
 * and the grant window (pvops/grant.c, set up before the build): those
 * pages get frames of their own, writable through the RDWR view; the rest
 * share one read-only page of INVALID entries.
 */
static __init bool m2p_page_used(const struct build_input *in, unsigned long first,
                          unsigned long last)
{
    unsigned long si = __pa(guest_shared_info) >> PAGE_SHIFT;

    return rangeset_overlaps(in->free, first, last) ||
           rangeset_overlaps(in->dirty, first, last) ||
           (dom.store_mfn >= first && dom.store_mfn < last) ||
           (dom.console_mfn >= first && dom.console_mfn < last) ||
           (si >= first && si < last) ||
           (frames.win_nr && frames.win_first < last &&
            frames.win_first + frames.win_nr > first);
}

/*
 * The M2P covers every mfn up to max_mfn, 8 bytes each, read-only for the
 * guest at RO_MPT_VIRT_START. Pages covering no guest frame (holes of the
 * memory map) all map one page of INVALID entries.
 */
static __init bool build_m2p(const struct build_input *in, char *err, size_t errlen)
{
    unsigned long pages = ((in->max_mfn + 1) * sizeof(unsigned long) +
                           PAGE_SIZE - 1) >> PAGE_SHIFT;
    paddr_t invalid = shim_alloc_frame();

    if ( !invalid )
        FAIL("no memory for the M2P");
    memset(__va(invalid), 0xff, PAGE_SIZE);

    for ( unsigned long i = 0; i < pages; i++ )
    {
        unsigned long first = i * (PAGE_SIZE / sizeof(unsigned long));
        unsigned long last = first + PAGE_SIZE / sizeof(unsigned long);
        bool used = m2p_page_used(in, first, last);
        paddr_t pa = used ? shim_alloc_frame() : invalid;

        if ( !pa )
            FAIL("no memory for the M2P");
        if ( used )
            memset(__va(pa), 0xff, PAGE_SIZE);
        if ( !paging_map(boot_l4, RO_MPT_VIRT_START + i * PAGE_SIZE, pa,
                         _PAGE_PRESENT | _PAGE_USER) ||
             !paging_map(boot_l4, RDWR_MPT_VIRT_START + i * PAGE_SIZE, pa,
                         _PAGE_PRESENT | (used ? _PAGE_RW : 0)) )
            FAIL("no memory for the M2P mappings");
    }
    dom.m2p = (unsigned long *)RDWR_MPT_VIRT_START;
    dom.max_mfn = in->max_mfn;
    return true;
}

#ifdef CONFIG_PV32
/*
 * A 32-bit guest's M2P (Xen's compat_machine_to_phys_mapping): 4-byte
 * entries the guest reads at 0xF5800000, through the L2 slots every L2
 * under its L3 slot 3 gets (pvops/pagetype.c), read-only and for its
 * kernel alone (no US), as Xen maps it. Here one L1 table per 2 MiB of
 * entries maps its pages; pages covering no guest frame share one page
 * of INVALID entries. m2p_set() keeps it equal to the 8-byte M2P.
 */
static __init bool build_compat_m2p(const struct build_input *in, char *err, size_t errlen)
{
    unsigned long pages = ((in->max_mfn + 1) * sizeof(uint32_t) + PAGE_SIZE - 1)
                          >> PAGE_SHIFT;
    paddr_t invalid = shim_alloc_frame(), l1 = 0;

    if ( in->max_mfn >= COMPAT_M2P_MAX )
        FAIL("machine frame %#lx is past what a 32-bit guest's M2P can map",
             in->max_mfn);
    if ( !invalid )
        FAIL("no memory for the 32-bit M2P");
    memset(__va(invalid), 0xff, PAGE_SIZE);

    for ( unsigned long i = 0; i < pages; i++ )
    {
        unsigned long first = i * (PAGE_SIZE / sizeof(uint32_t));
        unsigned long last = first + PAGE_SIZE / sizeof(uint32_t);
        bool used = m2p_page_used(in, first, last);
        paddr_t pa = used ? shim_alloc_frame() : invalid;

        if ( i % 512 == 0 )
        {
            if ( !(l1 = shim_alloc_frame()) )
                FAIL("no memory for the 32-bit M2P");
            compat_l2_xen[i / 512] = l1 | _PAGE_PRESENT | _PAGE_ACCESSED;
        }
        if ( !pa )
            FAIL("no memory for the 32-bit M2P");
        if ( used )
            memset(__va(pa), 0xff, PAGE_SIZE);
        ((uint64_t *)__va(l1))[i % 512] = pa | _PAGE_PRESENT | _PAGE_ACCESSED;
        if ( used && !paging_map(boot_l4, COMPAT_RDWR_MPT_VIRT_START + i * PAGE_SIZE,
                                 pa, _PAGE_PRESENT | _PAGE_RW) )
            FAIL("no memory for the 32-bit M2P mappings");
    }
    dom.compat_m2p = (uint32_t *)COMPAT_RDWR_MPT_VIRT_START;
    dom.compat_m2p_nr = in->max_mfn + 1;
    return true;
}
#else
static __init bool build_compat_m2p(const struct build_input *in, char *err, size_t errlen)
{
    FAIL("32-bit guests are not built in (CONFIG_PV32)");
}
#endif

/* ---------------------------------------------------------------- layout */

static __init unsigned long slots(unsigned long start, unsigned long end, unsigned int shift)
{
    return ((end - 1) >> shift) - (start >> shift) + 1;
}

static __init bool plan_layout(const struct build_input *in, const struct elf_info *elf,
                        unsigned long nr_pages, struct layout *l,
                        char *err, size_t errlen)
{
    unsigned long next, end;

    memset(l, 0, sizeof(*l));
    l->virt_base = elf->virt_base;
    if ( elf->virt_kstart < l->virt_base || elf->virt_kstart & (PAGE_SIZE - 1) )
        FAIL("kernel start %#lx is below virt_base %#lx or not page aligned",
             (unsigned long)elf->virt_kstart, l->virt_base);
    l->kstart_pfn = (elf->virt_kstart - l->virt_base) >> PAGE_SHIFT;
    l->kend_pfn = (ROUNDUP(elf->virt_kend, PAGE_SIZE) - l->virt_base) >> PAGE_SHIFT;
    next = l->kend_pfn;

    l->initrd_pages = ROUNDUP(in->initrd_size, PAGE_SIZE) >> PAGE_SHIFT;
    l->initrd_by_pfn = elf->mod_start_pfn;
    if ( l->initrd_pages && !l->initrd_by_pfn )
    {
        l->initrd_pfn = next;
        next += l->initrd_pages;
    }
    l->p2m_pfn = next;
    l->p2m_pages = ROUNDUP(nr_pages * (is_pv32() ? sizeof(uint32_t) : sizeof(unsigned long)),
                           PAGE_SIZE) >> PAGE_SHIFT;
    next += l->p2m_pages;
    l->si_pfn = next++;
    l->store_pfn = next++;
    l->console_pfn = next++;
    l->pt_pfn = next;

    /*
     * As many tables as it takes to map the region, those tables included:
     * the count only grows with the region, so this settles on the exact
     * fixed point (libxenguest's count_pgtables does the same).
     */
    for ( l->nr_pt = 4; ; )
    {
        unsigned long stack_end = (l->pt_pfn + l->nr_pt + 1) << PAGE_SHIFT, need;

        end = ROUNDUP(stack_end, 4UL << 20);
        if ( end - stack_end < (512UL << 10) )
            end += 4UL << 20;
        if ( is_pv32() )
        {
            /* [L3][L2s][L1s], an L2 for slot 3 always (the hypervisor's slots). */
            unsigned long top = (l->virt_base + end - 1) >> 30;

            need = 1 + slots(l->virt_base, l->virt_base + end, 30) +
                   (top < 3) + slots(l->virt_base, l->virt_base + end, 21);
        }
        else
            need = 1 + slots(l->virt_base, l->virt_base + end, 39) +
                   slots(l->virt_base, l->virt_base + end, 30) +
                   slots(l->virt_base, l->virt_base + end, 21);
        if ( need <= l->nr_pt )
            break;
        l->nr_pt = need;
    }
    l->stack_pfn = l->pt_pfn + l->nr_pt;
    l->region_pages = end >> PAGE_SHIFT;
    l->virt_end = l->virt_base + end;

    if ( l->initrd_by_pfn )
        l->initrd_pfn = l->region_pages;
    if ( l->region_pages + (l->initrd_by_pfn ? l->initrd_pages : 0) > nr_pages )
        FAIL("the guest needs %lu pages for its boot layout but has %lu: "
             "give it more memory", l->region_pages + l->initrd_pages, nr_pages);
    if ( is_pv32() )
    {
        /* Below the 32-bit guest's hole (Xen: "kernel too large"). */
        if ( l->virt_end < l->virt_base || l->virt_end > COMPAT_HYPERVISOR_VIRT_START )
            FAIL("boot region [%#lx, %#lx) overlaps the hypervisor's addresses "
                 "from %#lx", l->virt_base, l->virt_end, COMPAT_HYPERVISOR_VIRT_START);
        return true;
    }
    if ( l->virt_end < l->virt_base ||
         (l->virt_base < HYPERVISOR_VIRT_END && l->virt_end > HYPERVISOR_VIRT_START) )
        FAIL("boot region [%#lx, %#lx) overlaps the hypervisor's addresses",
             l->virt_base, l->virt_end);
    /* Linux copies the single L2 that maps the region (xen_setup_kernel_pagetable). */
    if ( slots(l->virt_base, l->virt_end, 30) > 1 )
        FAIL("boot region [%#lx, %#lx) is larger than one L2 table maps (1 GiB)",
             l->virt_base, l->virt_end);
    return true;
}

/* ---------------------------------------------------------------- guest memory */

/* Give the guest pfns [0, nr_pages): clean frames first, dirty ones last. */
static __init bool assign_frames(const struct build_input *in, const struct layout *l,
                          unsigned long nr_pages, char *err, size_t errlen)
{
    const struct rangeset *sets[2] = { in->free, in->dirty };
    unsigned long pfn = 0;

    nr_runs = 0;
    rangeset_init(&dom.owned, dom.owned_ranges, ARRAY_SIZE(dom.owned_ranges));
    for ( unsigned int s = 0; s < 2; s++ )
        for ( unsigned int i = 0; i < sets[s]->nr; i++ )
        {
            unsigned long mfn = sets[s]->r[i].start, left = sets[s]->r[i].end - mfn;

            if ( !rangeset_add(&dom.owned, mfn, mfn + left) ||
                 !frame_set_owner(mfn, left, FRAME_guest) )
                FAIL("guest memory too fragmented");
            while ( left )
            {
                unsigned long n;

                /* The two ring pfns are L0's frames: step over them. */
                if ( pfn == l->store_pfn || pfn == l->console_pfn )
                {
                    if ( nr_runs == ARRAY_SIZE(runs) )
                        FAIL("guest memory too fragmented");
                    runs[nr_runs++] = (struct run){
                        pfn, pfn == l->store_pfn ? dom.store_mfn : dom.console_mfn, 1 };
                    pfn++;
                    continue;
                }
                n = left;
                if ( pfn < l->store_pfn )
                    n = MIN(n, l->store_pfn - pfn);
                if ( nr_runs == ARRAY_SIZE(runs) )
                    FAIL("guest memory too fragmented");
                runs[nr_runs++] = (struct run){ pfn, mfn, n };
                pfn += n;
                mfn += n;
                left -= n;
            }
        }
    BUG_ON(pfn != nr_pages);
    if ( !rangeset_add(&dom.owned, dom.store_mfn, dom.store_mfn + 1) ||
         !rangeset_add(&dom.owned, dom.console_mfn, dom.console_mfn + 1) )
        FAIL("guest memory too fragmented");

    for ( unsigned int i = 0; i < nr_runs; i++ )
        for ( unsigned long k = 0; k < runs[i].count; k++ )
            m2p_set(runs[i].mfn + k, runs[i].pfn + k);
    return true;
}

struct load_ctx {
    const struct layout *l;
};

static __init bool load_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
    const struct layout *l = ((struct load_ctx *)ctx)->l;

    while ( len )
    {
        unsigned long pfn = (va - l->virt_base) >> PAGE_SHIFT;
        unsigned long off = va & (PAGE_SIZE - 1), n = MIN(len, PAGE_SIZE - off);

        if ( va < l->virt_base || pfn >= l->kend_pfn )
            return false;
        if ( src )
        {
            memcpy((uint8_t *)pfn_va(pfn) + off, src, n);
            src = (const uint8_t *)src + n;
        }
        else
            memset((uint8_t *)pfn_va(pfn) + off, 0, n);
        va += n;
        len -= n;
    }
    return true;
}

static __init bool load_zero(void *ctx, uint64_t va, uint64_t len)
{
    return load_copy(ctx, va, NULL, len);
}

/*
 * The boot page tables, as libxenguest orders them: [L4][L3][L2][L1...];
 * for a 32-bit guest [L3][L2...][L1...], with an L2 under slot 3 always.
 */
static __init void build_page_tables(const struct layout *l)
{
    unsigned long next_pt = l->pt_pfn + 1;
    uint64_t *top = pfn_va(l->pt_pfn);
    uint64_t l1_prot = is_pv32() ? PV32_L1_PROT : L1_PROT;

    for ( unsigned long i = 0; i < l->nr_pt; i++ )
        memset(pfn_va(l->pt_pfn + i), 0, PAGE_SIZE);

    for ( unsigned long pfn = 0; pfn < l->region_pages; pfn++ )
    {
        unsigned long va = l->virt_base + (pfn << PAGE_SHIFT);
        uint64_t *e = is_pv32() ? &top[(va >> 30) & 3] : &top[L4_SLOT(va)];
        unsigned int shift;

        /* Walk down, taking the next table frame where one is missing. */
        for ( shift = is_pv32() ? 21 : 30; shift >= 12; shift -= 9 )
        {
            uint64_t *t;

            if ( !(*e & _PAGE_PRESENT) )
            {
                BUG_ON(next_pt >= l->pt_pfn + l->nr_pt);
                *e = (pfn_to_mfn(next_pt) << PAGE_SHIFT) |
                     (is_pv32() && shift == 21 ? PV32_L3_PROT : UPPER_PROT);
                next_pt++;
            }
            t = __va(*e & PTE_ADDR_MASK);
            e = &t[(va >> shift) & 511];
            if ( shift == 12 )
                break;
        }
        *e = (pfn_to_mfn(pfn) << PAGE_SHIFT) | l1_prot;
        /* Page-table frames are mapped read-only: they are typed as such. */
        if ( pfn >= l->pt_pfn && pfn < l->pt_pfn + l->nr_pt )
            *e &= ~_PAGE_RW;
    }

    if ( is_pv32() )
    {
        /* Slot 3's L2 holds the hypervisor's slots: there is one always. */
        if ( !(top[3] & _PAGE_PRESENT) )
        {
            BUG_ON(next_pt >= l->pt_pfn + l->nr_pt);
            top[3] = (pfn_to_mfn(next_pt++) << PAGE_SHIFT) | PV32_L3_PROT;
        }
        BUG_ON(next_pt != l->pt_pfn + l->nr_pt);
        return;
    }

    /* The hypervisor's slots, as in every L4 the guest runs on. */
    for ( unsigned int s = HYPERVISOR_L4_FIRST; s <= HYPERVISOR_L4_LAST; s++ )
        top[s] = boot_l4[s];
}

/*
 * The hypercall page (xen/arch/x86/pv/hypercall.c): 0xcc, then one 32-byte
 * stub per hypercall: push %rcx; push %r11; mov $nr, %eax; syscall;
 * pop %r11; pop %rcx; ret. iret (23) is jumped to, not called, and pushes
 * %rax as well before the SYSCALL, which never returns to it.
 */
static __init void fill_hypercall_page(uint8_t *p)
{
    memset(p, 0xcc, PAGE_SIZE);
    for ( unsigned int i = 0; i < PAGE_SIZE / 32; i++ )
    {
        uint8_t *s = p + i * 32;

        if ( i == __HYPERVISOR_iret )
        {
            static const uint8_t iret[] = {
                0x51, 0x41, 0x53, 0x50, 0xb8, 23, 0, 0, 0, 0x0f, 0x05,
            };
            memcpy(s, iret, sizeof(iret));
            continue;
        }
        s[0] = 0x51;                    /* push %rcx */
        s[1] = 0x41; s[2] = 0x53;       /* push %r11 */
        s[3] = 0xb8;                    /* mov $i, %eax */
        s[4] = i; s[5] = 0; s[6] = 0; s[7] = 0;
        s[8] = 0x0f; s[9] = 0x05;       /* syscall */
        s[10] = 0x41; s[11] = 0x5b;     /* pop %r11 */
        s[12] = 0x59;                   /* pop %rcx */
        s[13] = 0xc3;                   /* ret */
    }
}

/*
 * A 32-bit guest's (xen/arch/x86/pv/hypercall.c hypercall_page_initialise_ring1_kernel):
 * stub n is "mov $n, %eax; int $0x82; ret"; iret's is "push %eax; mov $23,
 * %eax; int $0x82", jumped to with the frame on the stack.
 */
static __init void fill_hypercall_page32(uint8_t *p)
{
    memset(p, 0xcc, PAGE_SIZE);
    for ( unsigned int i = 0; i < PAGE_SIZE / 32; i++ )
    {
        uint8_t *s = p + i * 32;

        if ( i == __HYPERVISOR_iret )
            *s++ = 0x50;                /* push %eax */
        s[0] = 0xb8;                    /* mov $i, %eax */
        s[1] = i; s[2] = 0; s[3] = 0; s[4] = 0;
        s[5] = 0xcd; s[6] = 0x82;       /* int $0x82 */
        if ( i != __HYPERVISOR_iret )
            s[7] = 0xc3;                /* ret */
    }
}

/*
 * start_info in a 32-bit guest's layout (lib/compat.h): the one filled
 * below, member by member (every value fits 32 bits below the hole).
 */
static __init void start_info_to_compat(start_info_t *si)
{
    struct compat_start_info *c = (struct compat_start_info *)si;
    start_info_t n = *si;

    memset(si, 0, PAGE_SIZE);
    snprintf(c->magic, sizeof(c->magic), "xen-3.0-x86_32p");
    c->nr_pages = n.nr_pages;
    c->shared_info = n.shared_info;
    c->flags = n.flags;
    c->store_mfn = n.store_mfn;
    c->store_evtchn = n.store_evtchn;
    c->console_mfn = n.console.domU.mfn;
    c->console_evtchn = n.console.domU.evtchn;
    c->pt_base = n.pt_base;
    c->nr_pt_frames = n.nr_pt_frames;
    c->mfn_list = n.mfn_list;
    c->mod_start = n.mod_start;
    c->mod_len = n.mod_len;
    memcpy(c->cmd_line, n.cmd_line, sizeof(c->cmd_line));
}

static __init void fill_start_info(const struct build_input *in, const struct layout *l,
                                   unsigned long nr_pages)
{
    start_info_t *si = pfn_va(l->si_pfn);

    dom.start_info_mfn = pfn_to_mfn(l->si_pfn);
    memset(si, 0, PAGE_SIZE);
    snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
    si->nr_pages = nr_pages;
    si->shared_info = __pa(guest_shared_info);
    si->store_mfn = dom.store_mfn;
    si->store_evtchn = dom.store_evtchn;
    si->console.domU.mfn = dom.console_mfn;
    si->console.domU.evtchn = dom.console_evtchn;
    si->pt_base = l->virt_base + (l->pt_pfn << PAGE_SHIFT);
    si->nr_pt_frames = l->nr_pt;
    si->mfn_list = l->virt_base + (l->p2m_pfn << PAGE_SHIFT);
    if ( in->initrd_size )
    {
        si->mod_len = in->initrd_size;
        if ( l->initrd_by_pfn )
        {
            si->flags |= SIF_MOD_START_PFN;
            si->mod_start = l->initrd_pfn;
        }
        else
            si->mod_start = l->virt_base + (l->initrd_pfn << PAGE_SHIFT);
    }
    snprintf((char *)si->cmd_line, sizeof(si->cmd_line), "%s", in->cmdline);
    if ( is_pv32() )
        start_info_to_compat(si);
}

__init bool domain_build(const struct build_input *in, struct cpu_regs *regs,
                  char *err, size_t errlen)
{
    struct elf_info elf;
    struct layout l;
    struct load_ctx ctx = { &l };
    unsigned long nr_pages, *p2m, ft_first, ft_end;
    void *ft_mem;
    int rc;

    if ( !elf_parse(in->kernel, in->kernel_size, &elf, err, errlen) )
        return false;
    if ( elf.elf_class == 32 && !IS_ENABLED(CONFIG_PV32) )
        FAIL("the kernel is a 32-bit PV kernel: this shim is built without "
             "32-bit guests (CONFIG_PV32)");
    dom.pv32 = elf.elf_class == 32;
    if ( in->nr_vcpus < 1 || in->nr_vcpus > PV_MAX_VCPUS )
        FAIL("%u vCPUs asked for; this shim is built for 1 to %u",
             in->nr_vcpus, PV_MAX_VCPUS);

    desc_set_compat(is_pv32());         /* the 32-bit guest's selectors in every GDT */
    /*
     * A 32-bit kernel runs in ring 1, a supervisor to the CPU, and reads
     * and runs its processes' pages: SMAP and SMEP would fault it. Xen
     * turns them off around a 32-bit guest (cr4_pv32); here they are off
     * for a 32-bit guest's whole life, on every CPU (the others copy this
     * CR4 when they start).
     */
    if ( is_pv32() && (read_cr4() & ((1UL << X86_CR4_SMEP_BIT) | (1UL << X86_CR4_SMAP_BIT))) )
    {
        write_cr4(read_cr4() & ~((1UL << X86_CR4_SMEP_BIT) | (1UL << X86_CR4_SMAP_BIT)));
        pr_info("d%u: a 32-bit guest: SMEP and SMAP off (its kernel is in ring 1)\n",
                in->domid);
    }
    dom.domid = in->domid;
    dom.nr_vcpus = in->nr_vcpus;
    dom.shared_info = (shared_info_t *)guest_shared_info;
    dom.store_mfn = in->store_mfn;
    dom.store_evtchn = in->store_evtchn;
    dom.console_mfn = in->console_mfn;
    dom.console_evtchn = in->console_evtchn;
    if ( !frame_set_owner(dom.store_mfn, 1, FRAME_ring) ||
         !frame_set_owner(dom.console_mfn, 1, FRAME_ring) ||
         !frame_set_owner(__pa(guest_shared_info) >> PAGE_SHIFT, 1, FRAME_shared) )
        FAIL("the ring frames %#lx and %#lx are beyond what the shim tracks",
             (unsigned long)dom.store_mfn, (unsigned long)dom.console_mfn);

    /* The shim's own memory first: vCPUs, the frame table and the M2P. */
    for ( unsigned int i = 0; i < in->nr_vcpus; i++ )
    {
        if ( !(dom.vcpu[i] = shim_alloc(sizeof(struct vcpu))) ||
             (is_pv32() && !(dom.vcpu[i]->pv32_l4 = shim_alloc(PAGE_SIZE))) )
            FAIL("no memory for vCPU %u", i);
    }
    get_cpu_info()->current = dom.vcpu[0];     /* the boot CPU runs vCPU 0 */
    ft_first = MIN(in->free->nr ? in->free->r[0].start : ~0UL,
                   in->dirty->nr ? in->dirty->r[0].start : ~0UL);
    ft_end = MAX(in->free->nr ? in->free->r[in->free->nr - 1].end : 0,
                 in->dirty->nr ? in->dirty->r[in->dirty->nr - 1].end : 0);
    if ( ft_first >= ft_end ||
         !(ft_mem = shim_alloc((ft_end - ft_first) * MM_FRAME_BYTES)) )
        FAIL("no memory for the frame table");
    if ( !build_m2p(in, err, errlen) ||
         (is_pv32() && !build_compat_m2p(in, err, errlen)) )
        return false;
    /*
     * A 32-bit guest's vCPU runs on an L4 of its own (slot 0: the guest's
     * L3), with the hypervisor's slots as they are now that the M2Ps are
     * mapped (no slot of theirs is added later).
     */
    for ( unsigned int i = 0; is_pv32() && i < in->nr_vcpus; i++ )
        for ( unsigned int s = HYPERVISOR_L4_FIRST; s <= HYPERVISOR_L4_LAST; s++ )
            dom.vcpu[i]->pv32_l4[s] = boot_l4[s];
    frames_boot_source(NULL);       /* the rest of in->free is the guest's */

    /* Every other frame is the guest's, plus the two L0 ring frames. */
    nr_pages = rangeset_size(in->free) + rangeset_size(in->dirty) + 2;
    if ( !plan_layout(in, &elf, nr_pages, &l, err, errlen) ||
         !assign_frames(in, &l, nr_pages, err, errlen) )
        return false;

    if ( !elf_load(in->kernel, in->kernel_size, &elf, load_copy, load_zero, &ctx) )
        FAIL("copying the kernel's segments failed");
    if ( in->initrd_size )
        for ( unsigned long i = 0; i < l.initrd_pages; i++ )
        {
            unsigned long n = MIN(in->initrd_size - i * PAGE_SIZE, PAGE_SIZE);
            uint8_t *dst = pfn_va(l.initrd_pfn + i);

            memcpy(dst, __va(in->initrd + i * PAGE_SIZE), n);
            memset(dst + n, 0, PAGE_SIZE - n);
        }

    /* The p2m the guest reads at start_info.mfn_list: 4-byte entries for pv32. */
    for ( unsigned long pfn = 0; !is_pv32() && pfn < nr_pages;
          pfn += PAGE_SIZE / sizeof(*p2m) )
    {
        p2m = pfn_va(l.p2m_pfn + pfn / (PAGE_SIZE / sizeof(*p2m)));
        for ( unsigned long i = 0; i < PAGE_SIZE / sizeof(*p2m); i++ )
            p2m[i] = pfn + i < nr_pages ? pfn_to_mfn(pfn + i) : INVALID_M2P_ENTRY;
    }
    for ( unsigned long pfn = 0; is_pv32() && pfn < l.p2m_pages * 1024; pfn++ )
        ((uint32_t *)pfn_va(l.p2m_pfn + pfn / 1024))[pfn % 1024] =
            pfn < nr_pages ? pfn_to_mfn(pfn) : (uint32_t)INVALID_M2P_ENTRY;

    fill_start_info(in, &l, nr_pages);
    build_page_tables(&l);
    memset(pfn_va(l.stack_pfn), 0, PAGE_SIZE);
    if ( elf.hypercall_page != ELF_UNSET )
    {
        unsigned long hpfn = (elf.hypercall_page - l.virt_base) >> PAGE_SHIFT;

        if ( elf.hypercall_page & (PAGE_SIZE - 1) || hpfn < l.kstart_pfn ||
             hpfn >= l.kend_pfn )
            FAIL("hypercall page %#lx is not a page of the kernel image",
                 (unsigned long)elf.hypercall_page);
        if ( is_pv32() )
            fill_hypercall_page32(pfn_va(hpfn));
        else
            fill_hypercall_page(pfn_va(hpfn));
    }

    /* The guest's shared_info: events masked on every vCPU until it is ready. */
    memset(guest_shared_info, 0, PAGE_SIZE);
    for ( unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++ )
        dom.shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    /* arch.max_pfn stays 0 until the guest writes it, as libxenguest leaves it. */
    dom.nr_pages = dom.tot_pages = nr_pages;
    /* A PAE kernel that takes its L3 anywhere gets the assist at once (Xen's builders). */
    if ( is_pv32() && (elf.pae == ELF_PAE_EXTCR3 || elf.pae == ELF_PAE_BIMODAL) )
        dom.vm_assist |= 1UL << VMASST_TYPE_pae_extended_cr3;

    for ( unsigned int i = 0; i < in->nr_vcpus; i++ )
    {
        struct vcpu *v = dom.vcpu[i];

        v->id = i;
        for ( unsigned int k = 0; k < 4; k++ )
            v->start_sel[k] = COMPAT_FLAT_RING1_DS;
        v->kernel_mode = true;
        v->up = v->initialised = i == 0;
        v->debugreg[6] = 0xffff0ff0UL;      /* architectural reset values */
        v->debugreg[7] = 0x400UL;
        v->xcr0 = XSTATE_FP_SSE;            /* xstate_init()'s, as Xen starts a PV vCPU */
        if ( i < XEN_LEGACY_MAX_VCPUS )
            v->vcpu_info = &dom.shared_info->vcpu_info[i];
    }
    pv_time_init();
    pv_time_update(dom.vcpu[0]);

    /*
     * Type the boot page tables as Xen's builder does: validated from the
     * L4 down (which takes every reference the mappings hold), the L4
     * pinned and in CR3.
     */
    mm_init(ft_first, ft_end - ft_first, ft_mem, is_pv32() ? compat_l2_xen : NULL);
    descriptors_init();
    if ( (rc = mm_adopt_boot_table(dom.vcpu[0], pfn_to_mfn(l.pt_pfn))) )
        FAIL("the boot page tables do not validate (%d): a builder bug", rc);

    /*
     * vCPU 0 starts at the ELF entry, rsi = start_info (pv64-abi.md 4.1); a
     * 32-bit one in ring 1 on the flat ring-1 selectors (ds and es too,
     * domain_enter), esi = start_info.
     */
    memset(regs, 0, sizeof(*regs));
    regs->rip = elf.entry;
    regs->cs = is_pv32() ? COMPAT_FLAT_RING1_CS : FLAT_KERNEL_CS;
    regs->rflags = 0x202;
    regs->rsp = l.virt_base + ((l.stack_pfn + 1) << PAGE_SHIFT);
    regs->ss = is_pv32() ? COMPAT_FLAT_RING1_DS : FLAT_KERNEL_SS;
    regs->rsi = l.virt_base + (l.si_pfn << PAGE_SHIFT);

    pr_info("d%u: kernel [%#lx, %#lx), entry %#lx, boot region [%#lx, %#lx)\n",
            dom.domid, (unsigned long)elf.virt_kstart, (unsigned long)elf.virt_kend,
            (unsigned long)elf.entry, l.virt_base, l.virt_end);
    pr_info("d%u: %lu pages (%lu MiB) for the guest\n", dom.domid, nr_pages,
            nr_pages >> 8);
    return true;
}

static bool guest_entered;

void domain_enter(struct vcpu *v)
{
    extern char return_to_guest[];

    paddr_t cr3 = v->kernel_mode ? v->guest_table : v->guest_table_user;

    if ( !cr3 )         /* VCPUOP_initialise never lets this through */
        guest_crash("vCPU %u has no page tables to run on", v->id);
    guest_entered = true;
    cpu_idle_exit(cr3);             /* x86/smp.h: back on the guest's tables */
    /*
     * A 32-bit vCPU starts with its data selectors loaded, as on Xen: the
     * builder's flat ring-1 one, or VCPUOP_initialise's (a bad one faults
     * here: null instead, as Xen's load_segments falls back).
     */
    if ( is_pv32() )
        pv32_load_selectors(v->start_sel);
    /*
     * Onto the top of this CPU's stack, where guest entries build frames,
     * with v's first registers there (they live in v: this stack's old
     * contents are overwritten).
     */
    __asm__ volatile ( "mov %0, %%rsp\n\t"
                       "mov %%rsp, %%rdi\n\t"
                       "rep movsq\n\t"
                       "jmp *%3"
                       :: "r" (guest_entry_frame()),
                          "S" (&v->start_regs), "c" (sizeof(v->start_regs) / 8),
                          "r" (return_to_guest)
                       : "rdi", "memory" );
    __builtin_unreachable();
}

/*
 * The guest's registers when it entered the shim for the last time: every
 * entry from the guest leaves them at the top of the stack (x86/entry.S).
 * What Xen prints for a crashed domain (__domain_crash: show_execution_state).
 */
static void show_guest_state(void)
{
    const struct cpu_regs *r = guest_entry_frame();
    const struct vcpu *v = current_vcpu();

    if ( !guest_entered || !v )
        return;
    pr_err("d%uv%u guest state (%s mode):\n", dom.domid, v->id,
           v->kernel_mode ? "kernel" : "user");
    show_gprs(r);
    pr_err("CR2: %016lx CR3: %016lx (user %016lx) event mask %u\n",
           v->vcpu_info ? (unsigned long)v->vcpu_info->arch.cr2 : 0UL,
           (unsigned long)v->guest_table, (unsigned long)v->guest_table_user,
           v->vcpu_info ? v->vcpu_info->evtchn_upcall_mask : 1);
}

void guest_crash(const char *fmt, ...)
{
    char reason[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    pr_err("d%u: guest crash: %s\n", dom.domid, reason);
    show_guest_state();
    printk_flush();
    if ( panic_hook )
        panic_hook(reason);
    halt_forever();
}

/* ---------------------------------------------------------------- the domain's own calls */

bool domain_exists(domid_t d)
{
    return d == DOMID_SELF || d == dom.domid || l0_domain_exists(d);
}

long domain_xen_version(void)
{
    /*
     * The guest sees L0's version, as it would running directly on it;
     * known from L0's CPUID leaf, so no call out (Linux uses this as its
     * cheap "deliver pending events now" hypercall).
     */
    return ((long)l0.major << 16) | l0.minor;
}

long domain_xen_version_info(int cmd, void *buf)
{
    /* L0's strings for the container: what the guest would see directly. */
    return l0_xen_version(cmd, buf);
}

/*
 * What a 64-bit PV domU sees in XENVER_get_features submap 0, as Xen 4.17
 * computes it (common/kernel.c): not writable_page_tables/descriptor_tables
 * (those are for translated guests), pae_pgdir_above_4gb only once the
 * guest enables VMASST_TYPE_pae_extended_cr3.
 */
uint32_t domain_features(void)
{
    uint32_t f = (1u << XENFEAT_mmu_pt_update_preserve_ad) |
                 (1u << XENFEAT_highmem_assist) |
                 (1u << XENFEAT_gnttab_map_avail_bits) |
                 (1u << XENFEAT_memory_op_vnode_supported) |
                 (1u << XENFEAT_direct_mapped);

    if ( dom.vm_assist & (1UL << VMASST_TYPE_pae_extended_cr3) )
        f |= 1u << XENFEAT_pae_pgdir_above_4gb;
    return f;
}

/* Assists a PV guest may turn on (Xen's PV32_ and PV64_VM_ASSIST_MASK). */
#define PV32_VM_ASSIST_MASK ((1UL << VMASST_TYPE_4gb_segments) |          \
                             (1UL << VMASST_TYPE_4gb_segments_notify) |   \
                             (1UL << VMASST_TYPE_writable_pagetables) |   \
                             (1UL << VMASST_TYPE_pae_extended_cr3) |      \
                             (1UL << VMASST_TYPE_architectural_iopl) |    \
                             (1UL << VMASST_TYPE_runstate_update_flag))
#define PV64_VM_ASSIST_MASK (PV32_VM_ASSIST_MASK | (1UL << VMASST_TYPE_m2p_strict))

long domain_vm_assist(unsigned int cmd, unsigned int type)
{
    unsigned long valid = is_pv32() ? PV32_VM_ASSIST_MASK : PV64_VM_ASSIST_MASK;

    if ( type >= 64 || !(valid & (1UL << type)) )
        return -XEN_EINVAL;

    switch ( cmd )
    {
    case VMASST_CMD_enable:
        dom.vm_assist |= 1UL << type;
        mm_vm_assist_changed();
        return 0;
    case VMASST_CMD_disable:
        dom.vm_assist &= ~(1UL << type);
        mm_vm_assist_changed();
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/*
 * Whether a domU may use console_io is L0's policy (XSM: a release build
 * refuses, a debug build allows), and L0 sees the guest and the container
 * as one domain: so ask L0 with an empty write.
 */
long domain_console_io_allowed(void)
{
    return l0_console_io(CONSOLEIO_write, 0, NULL);
}

/* SCHEDOP_yield: L0 runs the container's vCPU, so L0 yields it. */
void domain_yield(void)
{
    l0_sched_op(SCHEDOP_yield, NULL);
}

static const char *const shutdown_names[] = {
    [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
    [SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
    [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};

long domain_shutdown(unsigned int reason)
{
    switch ( reason )
    {
    case SHUTDOWN_poweroff:
    case SHUTDOWN_reboot:
    case SHUTDOWN_crash:
    case SHUTDOWN_watchdog:
        /* The guest is the domain: L0 acts on the container with our reason. */
        pr_info("d%u shuts down: %s%s\n", dom.domid, shutdown_names[reason],
                dom.shutdown_code != reason ? "" : " (code set)");
        if ( dom.nr_vcpus > 1 )
            pr_info("d%u: remote TLB flushes: %lu by IPI, %lu of every vCPU through L0 "
                    "(%lu after an IPI not answered in time); %lu for a type change; "
                    "%lu waits for the domain lock\n", dom.domid, tlb_ipi_flushes,
                    tlb_remote_flushes, tlb_ipi_fallbacks, tlb_stale_flushes,
                    domain_lock_waits);
        if ( dom.nr_vcpus > 1 )
        {
            unsigned long t = 0, w = 0, tmax = 0, wmax = 0;

            for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
            {
                t += dom.vcpu[i]->nr_timer_events;
                w += dom.vcpu[i]->nr_waits;
                tmax = MAX(tmax, dom.vcpu[i]->nr_timer_events);
                wmax = MAX(wmax, dom.vcpu[i]->nr_waits);
            }
            pr_info("d%u: timer events %lu (one vCPU at most %lu), waits in SCHEDOP_block %lu "
                    "(at most %lu); %lu timer ports of another CPU taken\n", dom.domid, t, tmax,
                    w, wmax, l0_timer_ports_taken);
        }
        dom.shutting_down = true;
        printk_flush();
        l0_shutdown(reason);
        /* L0 does not run us again; if it does, the guest stays stopped. */
        for ( ; ; )
            l0_sched_op(SCHEDOP_yield, NULL);
    case SHUTDOWN_suspend:
        return domain_suspend(current_vcpu());
    case SHUTDOWN_soft_reset:
        /* A soft reset (kexec's) would need the domain built again: not yet. */
        pr_warn("d%u asked for shutdown reason %s: not supported yet\n",
                dom.domid, shutdown_names[reason]);
        return -XEN_EOPNOTSUPP;
    default:
        return -XEN_EINVAL;
    }
}

long domain_set_shutdown_code(unsigned int reason)
{
    if ( reason > SHUTDOWN_MAX )
        return -XEN_EINVAL;
    dom.shutdown_code = reason;
    return 0;
}
