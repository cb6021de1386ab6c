/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/shim.lds.S - the image layout. Linked at SHIM_VIRT_BASE + physical
 * address, loaded (ELF p_paddr) at SHIM_PHYS_START; see x86/layout.h.
 */
#include "x86/layout.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(pvh_start_pa)

PHDRS
{
    text PT_LOAD FLAGS(5);      /* R X */
    rodata PT_LOAD FLAGS(4);    /* R */
    data PT_LOAD FLAGS(6);      /* R W */
    note PT_NOTE FLAGS(4);
}

#define LOAD(sec) AT(ADDR(sec) - SHIM_VIRT_BASE)

/*
 * Three page-aligned parts, each mapped with its own rights by
 * x86/paging.c (4 KiB pages): [__text_start, __text_end) read-only and
 * executable, [__rodata_start, __rodata_end) read-only, and everything from
 * __data_start on (.data, .bss, the rest of the shim's window) writable and
 * never executable. Code goes in the first part only.
 */

/*
 * Boot-only code and constants: Debian's static decompressor libraries and
 * their glue (boot/decompress.c), the start-of-day parsers (boot/pvh.c,
 * boot/cmdline.c, boot/module.c, pvops/elf.c) and the functions marked
 * __init (the domain builder) go to .init.text and .init.rodata, so that
 * .text is the shim's run-time code. Once the guest is built, .init.text
 * is unmapped (x86/paging.c paging_retire_init): nothing runs it again.
 */
#define INIT_OBJS *liblzma.a:* *libdeflate.a:* *libbz2.a:* *liblz4.a:* *libzstd.a:* \
    *liblzo2.a:* *boot/decompress.o *boot/libc-stubs.o *boot/pvh.o \
    *boot/cmdline.o *boot/module.o *pvops/elf.o
#define INIT_INPUT(secs) \
    *liblzma.a:*(secs) *libdeflate.a:*(secs) *libbz2.a:*(secs) *liblz4.a:*(secs) \
    *libzstd.a:*(secs) *liblzo2.a:*(secs) *boot/decompress.o(secs) *boot/libc-stubs.o(secs) \
    *boot/pvh.o(secs) *boot/cmdline.o(secs) *boot/module.o(secs) *pvops/elf.o(secs)

SECTIONS
{
    . = SHIM_VIRT_BASE + SHIM_PHYS_START;
    __image_start = .;
    __text_start = .;

    .text : LOAD(.text) {
        *(.text.head)
        . = ALIGN(PAGE_SIZE);
        __hot_text_start = .;
        *(EXCLUDE_FILE(INIT_OBJS) .text.hot)
        __hot_text_end = .;
        *(.text.stubs)          /* x86/entry.S: CPU 0's share the hot page */
        *(EXCLUDE_FILE(INIT_OBJS) .text EXCLUDE_FILE(INIT_OBJS) .text.*)
        *(.fixup)
    } :text
    . = ALIGN(PAGE_SIZE);
    __init_text_start = .;
    .init.text : LOAD(.init.text) {
        INIT_INPUT(.text .text.*)
        *(.init.text)
    } :text
    . = ALIGN(PAGE_SIZE);
    __init_text_end = .;

    . = ALIGN(PAGE_SIZE);
    __text_end = .;
    __rodata_start = .;
    .rodata : LOAD(.rodata) {
        *(EXCLUDE_FILE(INIT_OBJS) .rodata EXCLUDE_FILE(INIT_OBJS) .rodata.*)
        . = ALIGN(8);
        __start_ex_table = .;
        *(.ex_table)
        __stop_ex_table = .;
        /* x86/smap.h: where the STAC and CLAC instructions are. */
        . = ALIGN(4);
        __start_smap_sites = .;
        *(.smap_sites)
        __stop_smap_sites = .;
    } :rodata
    .init.rodata : LOAD(.init.rodata) {
        INIT_INPUT(.rodata .rodata.*)
        /* Library constructors, run once by decompress_init(). */
        . = ALIGN(8);
        __init_array_start = .;
        KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*) .init_array))
        __init_array_end = .;
    } :rodata
    .note.Xen : LOAD(.note.Xen) {
        *(.note.Xen)
    } :rodata :note

    . = ALIGN(PAGE_SIZE);
    __rodata_end = .;
    __data_start = .;
    .data : LOAD(.data) {
        __hot_data_start = .;
        *(.data.hot)
        __hot_data_end = .;
        *(.data .data.*)
        __got_start = .;
        *(.got .got.plt .igot.plt)
        __got_end = .;
    } :data

    .bss (NOLOAD) : LOAD(.bss) {
        . = ALIGN(PAGE_SIZE);
        __bss_start = .;
        *(.bss.page_aligned)
        *(.bss .bss.*)
        *(COMMON)
        . = ALIGN(16);
        __bss_end = .;
    } :data

    __image_end = .;
    pvh_start_pa = pvh_start - SHIM_VIRT_BASE;
    percpu_virt_base = PERCPU_VIRT_BASE;     /* x86/entry.S syscall_stubs */

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
        *(.rela.*) *(.dynamic) *(.dynsym) *(.dynstr) *(.interp) *(.hash)
        *(.gnu.hash) *(.iplt) *(.rela.iplt)
    }
}

ASSERT(__image_start == SHIM_VIRT_BASE + SHIM_PHYS_START, "image not at its base")
ASSERT((__image_start & (L2_PAGE_SIZE - 1)) == 0, "image not 2 MiB aligned")
ASSERT((__bss_start & (PAGE_SIZE - 1)) == 0, ".bss not page aligned")
ASSERT(__text_start == __image_start, "text not first in the image")
ASSERT((__text_end & (PAGE_SIZE - 1)) == 0, "end of text not page aligned")
ASSERT(__rodata_start == __text_end && (__rodata_start & (PAGE_SIZE - 1)) == 0,
       ".rodata not page aligned")
ASSERT(__rodata_end == __data_start && (__data_start & (PAGE_SIZE - 1)) == 0,
       ".data not page aligned")
ASSERT(ADDR(.rodata) == __rodata_start && ADDR(.data) == __data_start,
       "a section between the protection boundaries")
ASSERT(__hot_data_end - __hot_data_start <= PAGE_SIZE, ".data.hot is more than a page")
ASSERT(__hot_text_end - __hot_text_start <= 2 * PAGE_SIZE, ".text.hot is more than two pages")
ASSERT(__image_end - __image_start <= SHIM_IMAGE_MAX, "image too big for its layout")
ASSERT(SHIM_PHYS_START + SHIM_IMAGE_MAX <= SHIM_MAP_SIZE, "image outside the boot map")
ASSERT(__got_end - __got_start <= 512, "GOT entries: is some code not RIP-relative?")
