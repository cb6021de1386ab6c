/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/head.S - ELF notes and the PVH entry point.
 *
 * L0 starts us as a PVH guest (xen/include/public/arch-x86/hvm/start_info.h):
 * 32-bit flat protected mode, paging off, interrupts off, %ebx = physical
 * address of struct hvm_start_info, no usable stack. We:
 *   1. note the TSC (for "time since entry") and %ebx,
 *   2. clear .bss (the page tables below live there),
 *   3. build boot page tables: the low 4 GiB identity-mapped, and the first
 *      1 GiB again at SHIM_VIRT_BASE where the image is linked (both 2 MiB
 *      pages, sharing the same L2 tables, RWX: x86/paging.c paging_init()
 *      gives the image its own W^X tables and makes these NX as soon as
 *      we run in C), and CPU 0's stacks at PERCPU_VIRT(0),
 *   4. enable PAE, long mode, NX if present and paging,
 *   5. jump to the high mapping, load CPU 0's stack and call
 *      boot_main(start_info_pa, entry_tsc), which never returns.
 * Until paging is on, symbols are used at their physical address, PA(sym).
 */
#include <xen/elfnote.h>
#include "x86/layout.h"
#include "asm-offsets.h"

#define PA(sym)         ((sym) - SHIM_VIRT_BASE)

#define ELFNOTE(type, desc)                     \
        .pushsection .note.Xen, "a", @note;     \
        .balign 4;                              \
        .long 4, 2f - 1f, type;                 \
        .asciz "Xen";                           \
1:      desc;                                   \
2:      .balign 4;                              \
        .popsection

        ELFNOTE(XEN_ELFNOTE_GUEST_OS,     .asciz "pv-shim")
        ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz SHIM_VERSION)
        ELFNOTE(XEN_ELFNOTE_XEN_VERSION,  .asciz "xen-3.0")
        ELFNOTE(XEN_ELFNOTE_LOADER,       .asciz "generic")
        ELFNOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long PA(pvh_start))

        .section .text.head, "ax", @progbits
        .code32
        .globl pvh_start
        .type pvh_start, @function
pvh_start:
        cli
        cld
        rdtsc
        mov     %eax, PA(boot_entry_tsc)        /* before .bss is cleared: */
        mov     %edx, PA(boot_entry_tsc) + 4    /* both live in .data */
        mov     %ebx, PA(boot_start_info_pa)

        /* 2. Clear .bss. */
        mov     $PA(__bss_start), %edi
        mov     $PA(__bss_end), %ecx
        sub     %edi, %ecx
        shr     $2, %ecx
        xor     %eax, %eax
        rep stosl

        /* 3. Four L2 tables of 2 MiB pages: PA 0 .. 4 GiB. */
        mov     $PA(boot_l2), %edi
        mov     $(BOOT_PTE_P | BOOT_PTE_RW | BOOT_PTE_PS), %eax
        xor     %edx, %edx
        mov     $(4 * 512), %ecx
1:      mov     %eax, (%edi)
        mov     %edx, 4(%edi)
        add     $L2_PAGE_SIZE, %eax
        adc     $0, %edx
        add     $8, %edi
        loop    1b

        /* L3 of the identity map: four entries, one per GiB. */
        mov     $PA(boot_l3_ident), %edi
        mov     $(PA(boot_l2) + BOOT_PTE_P + BOOT_PTE_RW), %eax
        mov     $4, %ecx
1:      mov     %eax, (%edi)
        add     $PAGE_SIZE, %eax
        add     $8, %edi
        loop    1b

        /* L3 of the high map: its GiB is the first L2 table again. */
        mov     $(PA(boot_l2) + BOOT_PTE_P + BOOT_PTE_RW), %eax
        mov     %eax, PA(boot_l3_high) + 8 * ((SHIM_VIRT_BASE >> 30) & 511)

        /*
         * CPU 0's stacks at PERCPU_VIRT(0) (x86/layout.h): its four IST
         * pages and its four stack pages, through one L2 and one L1 table
         * under the high L3 (desc_init_cpu() makes them NX).
         */
        mov     $(PA(percpu_l2) + BOOT_PTE_P + BOOT_PTE_RW), %eax
        mov     %eax, PA(boot_l3_high) + 8 * ((PERCPU_VIRT_BASE >> 30) & 511)
        mov     $(PA(percpu_l1) + BOOT_PTE_P + BOOT_PTE_RW), %eax
        mov     %eax, PA(percpu_l2) + 8 * ((PERCPU_VIRT_BASE >> 21) & 511)
        mov     $PA(percpu_l1), %edi
        mov     $(PA(cpu0_ist) + BOOT_PTE_P + BOOT_PTE_RW), %eax
        mov     $PERCPU_IST_PAGES, %ecx
1:      mov     %eax, (%edi)
        add     $PAGE_SIZE, %eax
        add     $8, %edi
        loop    1b
        mov     $(PA(percpu_l1) + 8 * (CPU_STACK_OFFSET >> PAGE_SHIFT)), %edi
        mov     $(PA(cpu0_stack) + BOOT_PTE_P + BOOT_PTE_RW), %eax
        mov     $(CPU_STACK_SIZE >> PAGE_SHIFT), %ecx
1:      mov     %eax, (%edi)
        add     $PAGE_SIZE, %eax
        add     $8, %edi
        loop    1b

        mov     $(PA(boot_l3_ident) + BOOT_PTE_P + BOOT_PTE_RW), %eax
        mov     %eax, PA(boot_l4)
        mov     $(PA(boot_l3_high) + BOOT_PTE_P + BOOT_PTE_RW), %eax
        mov     %eax, PA(boot_l4) + 8 * ((SHIM_VIRT_BASE >> 39) & 511)

        /* 4. PAE, CR3, EFER.LME (+NXE when the CPU has NX), paging + WP. */
        mov     %cr4, %eax
        or      $0x20, %eax                     /* CR4.PAE */
        mov     %eax, %cr4
        mov     $PA(boot_l4), %eax
        mov     %eax, %cr3
        mov     $0x80000001, %eax
        cpuid
        mov     $0x100, %esi                    /* EFER.LME */
        bt      $20, %edx                       /* CPUID NX */
        jnc     1f
        or      $0x800, %esi                    /* EFER.NXE */
1:      mov     $0xc0000080, %ecx               /* MSR_EFER */
        rdmsr
        or      %esi, %eax
        wrmsr
        mov     %cr0, %eax
        or      $0x80010001, %eax               /* CR0.PG | CR0.WP | CR0.PE */
        mov     %eax, %cr0

        lgdt    PA(boot_gdtr)
        ljmp    $0x08, $PA(1f)

        .code64
1:      mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        movabs  $2f, %rax                       /* 5. to the high mapping */
        jmp     *%rax
2:      movabs  $(PERCPU_VIRT_BASE + PERCPU_STRIDE - CPUINFO_SIZE), %rsp
        mov     boot_start_info_pa(%rip), %edi
        mov     boot_entry_tsc(%rip), %rsi
        call    boot_main
        ud2
        .size pvh_start, . - pvh_start

        /* Boot GDT: null, 64-bit code 0x08, data 0x10. Used by physical
         * address before paging, so boot_gdtr holds PA(boot_gdt). */
        .section .rodata, "a", @progbits
        .balign 8
boot_gdt:
        .quad 0
        .quad 0x00af9b000000ffff                /* 0x08: code, L=1, DPL0 */
        .quad 0x00cf93000000ffff                /* 0x10: data, DPL0 */
boot_gdtr:
        .word 3 * 8 - 1
        .long PA(boot_gdt)

        .data
        .balign 8
        .globl boot_entry_tsc, boot_start_info_pa
boot_entry_tsc:         .quad 0
boot_start_info_pa:     .long 0

        .section .bss.page_aligned, "aw", @nobits
        .balign PAGE_SIZE
        .globl boot_l4, boot_l3_high, boot_l2
boot_l4:        .skip PAGE_SIZE
boot_l3_ident:  .skip PAGE_SIZE
boot_l3_high:   .skip PAGE_SIZE
boot_l2:        .skip 4 * PAGE_SIZE
        .globl percpu_l1
percpu_l2:      .skip PAGE_SIZE
percpu_l1:      .skip PAGE_SIZE
cpu0_ist:       .skip PERCPU_IST_PAGES * PAGE_SIZE
cpu0_stack:     .skip CPU_STACK_SIZE

        .section .note.GNU-stack, "", @progbits
