/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/uaccess.h - touching guest memory: the only way the shim reads or
 * writes through a guest-supplied virtual address.
 *
 * The guest's page tables are live while the shim handles its hypercalls,
 * so a guest pointer is used directly, after checking that it is canonical
 * and outside the hypervisor's slots. A fault in the copy (unmapped, read-
 * only) is caught through the exception table and reported as bytes left,
 * which handlers turn into -EFAULT. Never dereference a guest pointer
 * anywhere else: guest pages are user pages, and with SMAP (x86/smap.h)
 * the copy below is the only code that runs with RFLAGS.AC set.
 *
 * Every place the shim writes guest memory or loads guest-given state, the
 * reference that makes it safe, and what catches its fault (add new ones
 * here; tests/guests/attack tries each against L0):
 *
 *   what                          | held while writing          | fault
 *   ------------------------------|-----------------------------|-----------
 *   copy_to_guest (hypercall      | the guest's own PTE (CR0.WP | ex_table:
 *   results, bounce frames,       | on: read-only stays so); no | -EFAULT,
 *   runstate area, multicall      | flush owed (both copies do  | or the
 *   results), copy_from_guest     | it first; the exit path too)| guest dies
 *   vcpu_info (events, CR2, time) | PGT_writable, for ever      | none: RAM
 *                                 | (pvops/vcpu.c)              |
 *   page-table entries (mmu_update| the table's own type, held  | none
 *   ptwr, validation)             | by the caller (pagetype.c)  |
 *   update_descriptor, ordinary   | PGT_seg_desc held, else a   | none
 *   mmu_update stores, COPY/CLEAR | PGT_writable taken for the  |
 *   _PAGE                         | store                       |
 *   shared_info, the M2P          | the shim's own frames       | none
 *   IRETQ to the guest's context  | -                           | #NP #SS #GP
 *   (x86/entry.S return_to_guest) |                             | #PF: the
 *                                 |                             | guest's
 *   SYSRET                        | only flat selectors and a   | -
 *                                 | canonical RIP               |
 *   %gs (set_segment_base)        | -                           | NUL loaded
 *   GDT/LDT descriptors           | PGT_seg_desc, checked when  | the guest's
 *                                 | typed; flushed on the type  | (windows)
 *   the guest's RSP at SYSCALL    | never used as a stack: #DB, | -
 *                                 | NMI, #MC on IST stacks,     |
 *                                 | moved off them from guests  |
 *   instruction bytes to emulate  | copy_from_guest             | ex_table
 */
#ifndef X86_UACCESS_H
#define X86_UACCESS_H

#include "lib/compiler.h"
#include "x86/paging.h"
#include "x86/smap.h"

/*
 * A 32-bit guest's addresses end where its hypervisor hole starts (Xen's
 * compat_access_ok and HYPERVISOR_COMPAT_VIRT_START: 0xF5800000); 0 for a
 * 64-bit guest (x86/desc.c desc_set_compat).
 */
extern unsigned long guest_compat_limit;

/* Xen's __addr_ok: a guest address, canonical and outside the hypervisor's hole. */
static inline bool guest_addr_ok(unsigned long addr)
{
    if ( unlikely(guest_compat_limit) )
        return addr < guest_compat_limit;
    return addr < 0x0000800000000000UL || addr >= 0xffff880000000000UL;
}

/* Xen's __addr_ok for a range: the whole range is canonical and below or above the hole. */
static inline bool guest_range_ok(unsigned long addr, unsigned long len)
{
    unsigned long end = addr + len;

    if ( end < addr )
        return false;
    if ( unlikely(guest_compat_limit) )
        return end <= guest_compat_limit;
    if ( len == 0 )
        return true;
    /* Entirely in the lower canonical half, or entirely above the hole. */
    return end <= 0x0000800000000000UL ||
           (addr >= 0xffff880000000000UL && end != 0);
}

/*
 * rep movsb that may fault; returns the number of bytes NOT copied. With
 * AC set for it alone (SMAP, x86/smap.h): a fault lands on the CLAC too.
 */
static inline unsigned long raw_copy_bytes(void *dst, const void *src,
                                           unsigned long n)
{
    __asm__ volatile ( SMAP_STAC
                       "1: rep movsb\n"
                       "2:\n\t"
                       SMAP_CLAC
                       ".pushsection .ex_table, \"a\"\n"
                       ".balign 8\n"
                       ".quad 1b, 2b\n"
                       ".popsection"
                       : "+D" (dst), "+S" (src), "+c" (n) :: "memory" );
    return n;
}

/*
 * The same by quadwords, then bytes for the last ones; not copied counts
 * from the faulting quadword on, in the first part. Under emulation (QEMU's
 * TCG) every turn of a rep is an instruction of its own: eight times fewer.
 */
static inline unsigned long raw_copy_quads(void *dst, const void *src,
                                           unsigned long n)
{
    unsigned long left = n / 8;

    __asm__ volatile ( SMAP_STAC
                       "1: rep movsq\n\t"
                       "mov %[tail], %%rcx\n"
                       "2: rep movsb\n"
                       "3:\n\t"
                       SMAP_CLAC
                       ".pushsection .fixup, \"ax\"\n"
                       "4: lea (%[tail], %%rcx, 8), %%rcx\n\t"
                       "jmp 3b\n"
                       ".popsection\n"
                       ".pushsection .ex_table, \"a\"\n"
                       ".balign 8\n"
                       ".quad 1b, 4b\n"
                       ".quad 2b, 3b\n"
                       ".popsection"
                       /* early clobbers: the tail's register must be none of these */
                       : "+&D" (dst), "+&S" (src), "+&c" (left)
                       : [tail] "r" (n % 8) : "memory" );
    return left;
}

/*
 * Copy that may fault: by quadwords where both ends are 8-byte aligned (a
 * misaligned quadword is slower than its bytes under emulation: a 32-bit
 * guest's 4-byte aligned frames), else by bytes.
 */
static inline unsigned long raw_copy_guest(void *dst, const void *src,
                                           unsigned long n)
{
    if ( n >= 8 && !(((unsigned long)dst | (unsigned long)src) & 7) )
        return raw_copy_quads(dst, src, n);
    return raw_copy_bytes(dst, src, n);
}

/*
 * Both first do the TLB flush a type change owes (x86/paging.h): a stale
 * entry, or a paging-structure cache entry to a frame that was a table,
 * must not carry the shim's access to what the guest put there since.
 */
static inline unsigned long copy_from_guest(void *dst, unsigned long gva,
                                            unsigned long n)
{
    if ( !guest_range_ok(gva, n) )
        return n;
    tlb_flush_if_owed();
    return raw_copy_guest(dst, (const void *)gva, n);
}

static inline unsigned long copy_to_guest(unsigned long gva, const void *src,
                                          unsigned long n)
{
    if ( !guest_range_ok(gva, n) )
        return n;
    tlb_flush_if_owed();
    return raw_copy_guest((void *)gva, src, n);
}

#endif /* X86_UACCESS_H */
