/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/link.lds.S - the layout of a test kernel: linked at
 * GUEST_VIRT_BASE, p_paddr = VA - GUEST_VIRT_BASE (PADDR_OFFSET note 0), so
 * the image starts at pseudo-physical frame 0 of the boot mapping.
 */
#include "tests/guests/lib/layout.h"

#ifdef __i386__
#undef i386         /* the compiler's predefined 1, not the BFD name */
OUTPUT_FORMAT("elf32-i386")
OUTPUT_ARCH(i386)
#else
OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
#endif
ENTRY(guest_entry)

PHDRS
{
    text PT_LOAD FLAGS(5);      /* R X */
    rodata PT_LOAD FLAGS(4);    /* R */
    data PT_LOAD FLAGS(6);      /* R W */
    note PT_NOTE FLAGS(4);
}

#define LOAD(sec) AT(ADDR(sec) - GUEST_VIRT_BASE)

SECTIONS
{
    . = GUEST_VIRT_BASE;
    __image_start = .;

    .text : LOAD(.text) {
        *(.text.hypercall_page)
        *(.text.head)
        *(.text .text.*)
    } :text

    . = ALIGN(GUEST_PAGE_SIZE);
    .rodata : LOAD(.rodata) {
        *(.rodata .rodata.*)
    } :rodata
    .note.Xen : LOAD(.note.Xen) {
        *(.note.Xen)
    } :rodata :note

    . = ALIGN(GUEST_PAGE_SIZE);
    .data : LOAD(.data) {
        *(.data .data.*)
        __got_start = .;
        *(.got .got.plt .igot.plt)      /* ld's empty synthetic ones */
        __got_end = .;
    } :data

    .bss (NOLOAD) : LOAD(.bss) {
        . = ALIGN(GUEST_PAGE_SIZE);
        __bss_start = .;
        *(.bss.page_aligned)
        *(.bss .bss.*)
        *(COMMON)
        . = ALIGN(16);
        __bss_end = .;
    } :data

    __image_end = .;

    .comment 0 : { *(.comment) }
    .debug_aranges 0 : { *(.debug_aranges) }
    .debug_info 0 : { *(.debug_info) }
    .debug_abbrev 0 : { *(.debug_abbrev) }
    .debug_line 0 : { *(.debug_line) }
    .debug_line_str 0 : { *(.debug_line_str) }
    .debug_str 0 : { *(.debug_str) }
    .debug_frame 0 : { *(.debug_frame) }
    .debug_loc 0 : { *(.debug_loc) }
    .debug_loclists 0 : { *(.debug_loclists) }
    .debug_ranges 0 : { *(.debug_ranges) }
    .debug_rnglists 0 : { *(.debug_rnglists) }
    .symtab 0 : { *(.symtab) }
    .strtab 0 : { *(.strtab) }
    .shstrtab 0 : { *(.shstrtab) }

    /DISCARD/ : {
        *(.eh_frame) *(.note.GNU-stack) *(.note.gnu.property)
        *(.rela.*) *(.rel.*) *(.dynamic) *(.dynsym) *(.dynstr) *(.interp) *(.hash)
        *(.gnu.hash) *(.iplt) *(.rela.iplt)
    }
}

ASSERT(hypercall_page == GUEST_VIRT_BASE, "hypercall page must be page 0")
ASSERT((__bss_start & (GUEST_PAGE_SIZE - 1)) == 0, ".bss not page aligned")
ASSERT(__image_end - __image_start <= 0x400000, "test kernel over 4 MiB")
ASSERT(__got_end - __got_start <= 24, "GOT entries: code not -mcmodel=kernel?")
