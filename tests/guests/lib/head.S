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
#ifdef __i386__
#define ADDR .long      /* a 32-bit PAE kernel: its notes' addresses are 32-bit */
#else
#define ADDR .quad
#endif
        ELFNOTE(XEN_ELFNOTE_GUEST_OS,       .asciz "pvshim-test")
        ELFNOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz "0")
        ELFNOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0")
        ELFNOTE(XEN_ELFNOTE_LOADER,         .asciz "generic")
        ELFNOTE(XEN_ELFNOTE_VIRT_BASE,      ADDR GUEST_VIRT_BASE)
        ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET,   ADDR 0)
        ELFNOTE(XEN_ELFNOTE_ENTRY,          ADDR guest_entry)
        ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, ADDR hypercall_page)
#ifdef __i386__
        /* PAE, and an L3 anywhere (its cr3 in Xen's extended format), as Linux says. */
        ELFNOTE(XEN_ELFNOTE_PAE_MODE,       .asciz "yes")
        ELFNOTE(XEN_ELFNOTE_FEATURES,       .asciz "!writable_page_tables|pae_pgdir_above_4gb")
#else
        ELFNOTE(XEN_ELFNOTE_FEATURES,       .asciz "!writable_page_tables")
#endif

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
#ifdef __i386__
/*
 * A 32-bit PAE kernel starts in ring 1 on the flat ring-1 selectors, %esi =
 * start_info, and gets its exceptions on the kernel stack as Xen's 32-bit
 * bounce frame: [error code] eip, cs (and the saved event mask in bits
 * 16-23), eflags, then esp and ss when it came from ring 3.
 */
FUNC(guest_entry)
        cld
        mov     %esp, boot_sp               /* for tests/guests/boot */
        mov     %esi, %ebx                  /* start_info survives the clear */
        mov     $__bss_start, %edi
        mov     $__bss_end, %ecx
        sub     %edi, %ecx
        xor     %eax, %eax
        rep stosb
        mov     $guest_stack + GUEST_STACK_SIZE, %esp
        push    %ebx
        call    guest_start                 /* never returns */
        ud2
END(guest_entry)

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
        mov     %esp, %eax                  /* vector, then the frame above */
        and     $~15, %esp
        push    %eax
        call    trap_fault                  /* never returns */
        ud2
END(trap_common)
#else
        .code64
FUNC(guest_entry)
        cld
        mov     %rsp, boot_sp(%rip)         /* for tests/guests/boot */
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
#endif

/* The stack pointer the builder gave us (not in .bss, which we clear). */
        .data
        .balign 8
        .globl boot_sp
boot_sp:
        ADDR    0
        .size boot_sp, . - boot_sp

        .section .bss.page_aligned, "aw", @nobits
        .balign GUEST_PAGE_SIZE
        .globl guest_stack
guest_stack:
        .skip GUEST_STACK_SIZE
        .size guest_stack, GUEST_STACK_SIZE
