/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/entry.S - exception entry stubs and the common save/restore path.
 *
 * Stack on entry to handle_exception (offsets from asm-offsets.h):
 *
 *   | field        | written by                                      |
 *   |--------------|-------------------------------------------------|
 *   | ss .. rip    | CPU (always 5 quadwords in long mode)           |
 *   | error_code   | CPU for vectors 8, 10-14, 17, 21, 29, 30; else  |
 *   |              | the stub pushes 0                               |
 *   | vector       | the stub                                        |
 *   | rax .. r15   | handle_exception (struct cpu_regs, x86/regs.h)  |
 *
 * trap_handler(regs) may change the frame (a fixup sets regs->rip); when
 * it returns, the registers are restored from the frame and we iretq.
 */
#include "asm-offsets.h"

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                        (v) == 21 || (v) == 29 || (v) == 30)

        .text
        .balign 16
        .globl exception_stubs_start
exception_stubs_start:
vec = 0
        .rept 32
        .if !HAS_ERRCODE(vec)
        push    $0
        .endif
        push    $vec
        jmp     handle_exception
vec = vec + 1
        /* Stub N is at exception_stubs_start + 16 * N: a longer stub
         * makes this .org go backwards, which the assembler refuses. */
        .org    exception_stubs_start + 16 * vec, 0xcc
        .endr

        /* Any other vector: not expected in the shim yet. */
        .balign 16
        .globl entry_unexpected
entry_unexpected:
        push    $0
        push    $0x100
        jmp     handle_exception

        .balign 16
        .type handle_exception, @function
handle_exception:
        sub     $REGS_vector, %rsp
        mov     %rax, REGS_rax(%rsp)
        mov     %rbx, REGS_rbx(%rsp)
        mov     %rcx, REGS_rcx(%rsp)
        mov     %rdx, REGS_rdx(%rsp)
        mov     %rsi, REGS_rsi(%rsp)
        mov     %rdi, REGS_rdi(%rsp)
        mov     %rbp, REGS_rbp(%rsp)
        mov     %r8,  REGS_r8(%rsp)
        mov     %r9,  REGS_r9(%rsp)
        mov     %r10, REGS_r10(%rsp)
        mov     %r11, REGS_r11(%rsp)
        mov     %r12, REGS_r12(%rsp)
        mov     %r13, REGS_r13(%rsp)
        mov     %r14, REGS_r14(%rsp)
        mov     %r15, REGS_r15(%rsp)
        cld
        mov     %rsp, %rdi
        call    trap_handler
        mov     REGS_rax(%rsp), %rax
        mov     REGS_rbx(%rsp), %rbx
        mov     REGS_rcx(%rsp), %rcx
        mov     REGS_rdx(%rsp), %rdx
        mov     REGS_rsi(%rsp), %rsi
        mov     REGS_rdi(%rsp), %rdi
        mov     REGS_rbp(%rsp), %rbp
        mov     REGS_r8(%rsp),  %r8
        mov     REGS_r9(%rsp),  %r9
        mov     REGS_r10(%rsp), %r10
        mov     REGS_r11(%rsp), %r11
        mov     REGS_r12(%rsp), %r12
        mov     REGS_r13(%rsp), %r13
        mov     REGS_r14(%rsp), %r14
        mov     REGS_r15(%rsp), %r15
        add     $REGS_rip, %rsp
        iretq
        .size handle_exception, . - handle_exception

        .section .note.GNU-stack, "", @progbits
