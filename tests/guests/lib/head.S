/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/head.S - ELF notes, the 64-bit PV entry point, the
 * hypercall page and the exception stubs of a test kernel.
 *
 * The domain builder starts us (xen.h "Start-of-day memory layout") in
 * 64-bit mode, ring 3, on the boot page tables it built, with
 *   %rsi = VA of start_info, %rsp = a boot stack after the page tables,
 *   events masked (vcpu_info.evtchn_upcall_mask = 1), no trap table.
 * We clear .bss, move to our own stack and call guest_start(start_info).
 *
 * Exceptions arrive through the trap table (set_trap_table, installed by
 * setup.c) on the kernel stack, as Xen's create_bounce_frame leaves them:
 *
 *   +0x00  rcx          (Xen saved it for us: the syscall return clobbers it)
 *   +0x08  r11
 *   +0x10  error code   (only for vectors 8, 10-14, 17, 21)
 *          rip, cs, rflags, rsp, ss
 *
 * A stub pushes its vector on top of that and calls trap_fault(frame),
 * which reports the fault and ends the test: nothing here returns.
 */
#include <xen/elfnote.h>
#include "tests/guests/lib/layout.h"

#define FUNC(name)  .globl name; .type name, @function; name:
#define END(name)   .size name, . - name

#define ELFNOTE(type, desc)                     \
        .pushsection .note.Xen, "a", @note;     \
        .balign 4;                              \
        .long 4, 2f - 1f, type;                 \
        .asciz "Xen";                           \
1:      desc;                                   \
2:      .balign 4;                              \
        .popsection

/*
 * libxc's libelf (xen/common/libelf/libelf-dominfo.c) wants LOADER "generic"
 * (or a GUEST_OS starting "linux") and XEN_VERSION "xen-3.0"; the rest is
 * optional but we say it all, so that our shim's builder sees the same
 * notes as a real kernel's. PADDR_OFFSET 0 with p_paddr = VA - VIRT_BASE
 * (the linker script) is the Linux convention: the image starts at pfn 0.
 * FEATURES is what Linux and XTF ship for PV.
 */
        ELFNOTE(XEN_ELFNOTE_GUEST_OS,       .asciz "pvshim-test")
        ELFNOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz "0")
        ELFNOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0")
        ELFNOTE(XEN_ELFNOTE_LOADER,         .asciz "generic")
        ELFNOTE(XEN_ELFNOTE_VIRT_BASE,      .quad GUEST_VIRT_BASE)
        ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET,   .quad 0)
        ELFNOTE(XEN_ELFNOTE_ENTRY,          .quad guest_entry)
        ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)
        ELFNOTE(XEN_ELFNOTE_FEATURES,       .asciz "!writable_page_tables")

/*
 * The hypercall page, filled by Xen at build time (XEN_DOMCTL_hypercall_init):
 * 128 stubs of 32 bytes, stub n = "mov $n, %eax; syscall; ret" (plus saving
 * %rcx/%r11). The linker script puts it first, at VIRT_BASE (pfn 0).
 */
        .section .text.hypercall_page, "ax", @progbits
        .balign GUEST_PAGE_SIZE
FUNC(hypercall_page)
        .fill GUEST_PAGE_SIZE, 1, 0xcc      /* int3 until Xen writes it */
END(hypercall_page)

        .section .text.head, "ax", @progbits
        .code64
FUNC(guest_entry)
        cld
        mov     %rsi, %rbx                  /* start_info survives the clear */
        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
        sub     %rdi, %rcx
        xor     %eax, %eax
        rep stosb
        lea     guest_stack + GUEST_STACK_SIZE(%rip), %rsp
        mov     %rbx, %rdi
        call    guest_start                 /* never returns */
        ud2
END(guest_entry)

/* One stub per exception vector, 16 bytes apart. */
        .text
        .balign 16
FUNC(trap_stubs)
        .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21
        .balign 16
        push    $\vec
        jmp     trap_common
        .endr
END(trap_stubs)

FUNC(trap_common)
        mov     %rsp, %rdi                  /* vector, then the frame above */
        and     $~15, %rsp
        call    trap_fault                  /* never returns */
        ud2
END(trap_common)

        .section .bss.page_aligned, "aw", @nobits
        .balign GUEST_PAGE_SIZE
        .globl guest_stack
guest_stack:
        .skip GUEST_STACK_SIZE
        .size guest_stack, GUEST_STACK_SIZE
