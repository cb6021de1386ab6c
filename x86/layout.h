/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/layout.h - where the shim lives, physically and virtually.
 * Safe to include from assembly and from the linker script.
 *
 * The image is loaded by L0's toolstack at SHIM_PHYS_START (the ELF p_paddr)
 * and linked at SHIM_VIRT_BASE + physical address, inside the L4 slots
 * 256-271 that the 64-bit PV ABI reserves for the hypervisor (slot 261, where
 * Xen keeps its own text), so a PV guest's page tables can later carry the
 * shim unchanged. head.S maps the first SHIM_MAP_SIZE of physical memory
 * there with 2 MiB pages, and identity-maps the low 4 GiB for start of day
 * (hvm_start_info, boot modules, the console ring), all RWX; x86/paging.c
 * then maps the image with 4 KiB pages (text RX, rodata R, the rest RW NX).
 */
#ifndef X86_LAYOUT_H
#define X86_LAYOUT_H

#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define PAGE_SHIFT          12
#define PAGE_SIZE           (_UL(1) << PAGE_SHIFT)
#define L2_PAGE_SIZE        (_UL(1) << 21)

#define SHIM_VIRT_BASE      _UL(0xffff82d040000000)
#define SHIM_PHYS_START     _UL(0x200000)
#define SHIM_MAP_SIZE       (_UL(1) << 30)   /* one L2 table of 2 MiB pages */
#define BOOT_IDENT_SIZE     (_UL(4) << 30)   /* identity map at start of day */

/* Largest image (text + data + bss) the layout above is written for. */
#define SHIM_IMAGE_MAX      (_UL(4) << 20)

/*
 * Each CPU's stacks, in its own block at PERCPU_VIRT(cpu), the next GiB of
 * the shim's slot. A block is PERCPU_STRIDE long and aligned to it, so the
 * block, and the struct cpu_info at its top (x86/percpu.h), follow from any
 * stack pointer inside it:
 *
 *   pages 0-3     the IST stacks: #DF, NMI, #MC, #DB (IST_STACK_SIZE each)
 *   pages 4-11    not mapped: a stack overflow faults (and #DF has its own)
 *   pages 12-15   the CPU's stack (CPU_STACK_SIZE), struct cpu_info on top
 *
 * Only the 8 mapped pages take memory. CPU 0's are the image's (boot/head.S
 * maps them before the first instruction that uses a stack).
 */
#define PERCPU_VIRT_BASE    (SHIM_VIRT_BASE + SHIM_MAP_SIZE)
#define PERCPU_SHIFT        16
#define PERCPU_STRIDE       (_UL(1) << PERCPU_SHIFT)
#define PERCPU_VIRT(cpu)    (PERCPU_VIRT_BASE + ((cpu) << PERCPU_SHIFT))
#define IST_STACK_SIZE      PAGE_SIZE
#define PERCPU_IST_PAGES    4
#define CPU_STACK_SIZE      (_UL(4) * PAGE_SIZE)
#define CPU_STACK_OFFSET    (PERCPU_STRIDE - CPU_STACK_SIZE)

#define BOOT_PTE_P               0x001
#define BOOT_PTE_RW              0x002
#define BOOT_PTE_PS              0x080

#endif /* X86_LAYOUT_H */
