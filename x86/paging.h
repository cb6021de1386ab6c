/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/paging.h - the shim's virtual address space and its page tables.
 *
 * The shim lives in the L4 slots the 64-bit PV ABI reserves for the
 * hypervisor (256-271), so the same entries can sit in every guest L4:
 *
 *   slot 256  0xffff800000000000  read-only M2P for the guest (RO_MPT)
 *   slot 260  0xffff820000000000  per-vCPU GDT/LDT windows
 *   slot 261  0xffff82d040000000  the shim image (first GiB of RAM, 2 MiB pages;
 *                                  the image's own in 4 KiB pages: text RX,
 *                                  rodata R, the rest RW, all NX but the text)
 *   slot 262+ 0xffff830000000000  direct map of physical memory (RW, NX)
 *
 * Slot 0 holds an identity map of the low 4 GiB during start of day only
 * (NX once paging_init() has run). NX only where the CPU has it.
 */
#ifndef X86_PAGING_H
#define X86_PAGING_H

#include "lib/compiler.h"
#include "x86/layout.h"
#include "x86/percpu.h"

#define RO_MPT_VIRT_START      0xffff800000000000UL
#define RO_MPT_VIRT_END        0xffff804000000000UL
#define PERDOMAIN_VIRT_START   0xffff820000000000UL
#define DIRECTMAP_VIRT_START   0xffff830000000000UL
#define DIRECTMAP_VIRT_END     0xffff880000000000UL

#define L4_SLOT(va)            (((va) >> 39) & 511)
#define L3_SLOT(va)            (((va) >> 30) & 511)
#define L2_SLOT(va)            (((va) >> 21) & 511)
#define L1_SLOT(va)            (((va) >> 12) & 511)
#define HYPERVISOR_L4_FIRST    256
#define HYPERVISOR_L4_LAST     271

#define _PAGE_PRESENT          0x001UL
#define _PAGE_RW               0x002UL
#define _PAGE_USER             0x004UL
#define _PAGE_PWT              0x008UL
#define _PAGE_PCD              0x010UL
#define _PAGE_ACCESSED         0x020UL
#define _PAGE_DIRTY            0x040UL
#define _PAGE_PSE              0x080UL
#define _PAGE_GLOBAL           0x100UL
#define _PAGE_NX               (1UL << 63)
#define PTE_ADDR_MASK          0x000ffffffffff000UL

typedef uint64_t paddr_t;

/* The master L4 (boot/head.S's), whose slots 256-271 every guest L4 shares. */
extern uint64_t boot_l4[512];

static inline void *__va(paddr_t pa)
{
    return (void *)(pa + DIRECTMAP_VIRT_START);
}

/* Physical address of a shim image or direct-map address. */
paddr_t __pa(const void *va);

static inline uint64_t *pt_of(uint64_t pte)
{
    return __va(pte & PTE_ADDR_MASK);
}

/* _PAGE_NX where the CPU has NX (boot/head.S set EFER.NXE), else 0. */
extern uint64_t paging_nx;

/*
 * Start of day, running in the image: the image's window remapped with
 * 4 KiB pages, W^X (text RX, rodata R, data RW NX), and the direct map of
 * the low 4 GiB, NX (free: it reuses the boot L2 tables), where the
 * image's text and rodata are read-only as well. Any code patching must be
 * done before (x86/smap.c smap_init()): the text is read-only afterwards.
 */
void paging_init(void);
/* The W^X image and NX direct map paging_init built, checked page by page: panics if not. */
void paging_check_wx(void);

/*
 * Extend the direct map to cover [0, end) with 2 MiB pages (NX). Tables
 * come from x86/frames.h, here and in paging_map.
 */
bool paging_map_direct(paddr_t end);

/*
 * Map one 4 KiB page at va in the tables rooted at l4 (a direct-map
 * pointer), allocating missing tables. Intermediate entries get P|RW, plus
 * U when flags has U; the page gets flags and NX (paging_nx: nothing the
 * shim maps this way is code). Fails on a large page in the way or no
 * memory.
 */
bool paging_map(uint64_t *l4, unsigned long va, paddr_t pa, uint64_t flags);

/* The L1 entry for va, or NULL when no 4 KiB mapping path exists. */
uint64_t *paging_l1e(uint64_t *l4, unsigned long va);

/*
 * The start of day is over (CPU 0 alone runs): unmap the image's
 * .init.text, so that no boot-only code can run again; returns its size.
 */
unsigned long paging_retire_init(void);

/*
 * A TLB flush the shim owes the guest on this CPU (pvops/pagetype.h
 * flush_owed, x86/percpu.h tlb_flush_owed): done on the way out to the
 * guest (x86/entry.S return_to_guest) at the latest, earlier where the
 * shim may touch the frame through a guest address.
 */

/* x86/smp.h: the TLB-flush clock, noted by every CR3 load (a full flush: no PGE). */
extern uint64_t tlb_clock;

static inline void write_cr3(paddr_t cr3)
{
    get_cpu_info()->flush_stamp = __atomic_load_n(&tlb_clock, __ATOMIC_SEQ_CST);
    __asm__ volatile ( "mov %0, %%cr3" :: "r" (cr3) : "memory" );
}

static inline paddr_t read_cr3_raw(void)
{
    paddr_t cr3;

    __asm__ volatile ( "mov %%cr3, %0" : "=r" (cr3) );
    return cr3;
}

/* The flush owed, now: before the shim touches memory through a guest address. */
static inline void tlb_flush_if_owed(void)
{
    struct cpu_info *ci = get_cpu_info();

    if ( ci->tlb_flush_owed )
    {
        ci->tlb_flush_owed = false;
        write_cr3(read_cr3_raw());
    }
}

static inline void invlpg(const void *va)
{
    __asm__ volatile ( "invlpg (%0)" :: "r" (va) : "memory" );
}

#endif /* X86_PAGING_H */
