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
#include "x86/layout.h"
#include "x86/smap.h"
#include <xen/xen.h>

/* The vector field of a frame built by a SYSCALL entry (not an exception). */
#define ENTRY_SYSCALL   0x100
#define ENTRY_SYSCALL32 0x101
#define ENTRY_SYSENTER  0x103
#define EFLAGS_IF       0x200
#define EFLAGS_IOPL     0x3000

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                        (v) == 21 || (v) == 29 || (v) == 30)

        /* Every guest entry and exit: with the hot C code (lib/compiler.h). */
        .section .text.hot, "ax", @progbits
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

        /* int $0x80 from the guest: a DPL3 gate, as in Xen's IDT. */
        .balign 16
        .globl entry_int80
entry_int80:
        push    $0
        push    $0x80
        jmp     handle_exception


        /* The shim's one interrupt (L0's event callback): frame vector 0x102. */
        .balign 16
        .globl entry_irq
entry_irq:
        push    $0
        push    $0x102
        jmp     handle_exception

        /* Any other vector: not expected in the shim yet. */
        .balign 16
        .globl entry_unexpected
entry_unexpected:
        push    $0
        push    $0x100
        jmp     handle_exception

        /* The registers a 32-bit guest has (Xen's SAVE_ALL compat=1). */
        .macro SAVE_COMPAT
        mov     %rax, REGS_rax(%rsp)
        mov     %rbx, REGS_rbx(%rsp)
        mov     %rcx, REGS_rcx(%rsp)
        mov     %rdx, REGS_rdx(%rsp)
        mov     %rsi, REGS_rsi(%rsp)
        mov     %rdi, REGS_rdi(%rsp)
        mov     %rbp, REGS_rbp(%rsp)
        .endm

        .macro SAVE_ALL
        SAVE_COMPAT
        mov     %r8,  REGS_r8(%rsp)
        mov     %r9,  REGS_r9(%rsp)
        mov     %r10, REGS_r10(%rsp)
        mov     %r11, REGS_r11(%rsp)
        mov     %r12, REGS_r12(%rsp)
        mov     %r13, REGS_r13(%rsp)
        mov     %r14, REGS_r14(%rsp)
        mov     %r15, REGS_r15(%rsp)
        .endm

        .macro RESTORE_ALL
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
        .endm

        /*
         * SMAP (x86/smap.h): the shim never runs on with the AC flag of
         * what it interrupted, the guest's (which sets it at will in ring
         * 3) or a copy's. Each entry clears it on its common path, before
         * any C: the stubs above only push onto the shim's own stack. An
         * IRETQ gives the interrupted code its own AC back. SYSCALL clears
         * AC by SFMASK (x86/desc.c), SYSENTER by its popfq below.
         */
        .balign 16
        .type handle_exception, @function
handle_exception:
        ASM_CLAC
        sub     $REGS_vector, %rsp
        SAVE_ALL
        cld
        mov     %rsp, %rdi
        call    trap_handler
        testb   $3, REGS_cs(%rsp)
        jnz     return_to_guest
        RESTORE_ALL
        add     $REGS_rip, %rsp
        iretq
        .size handle_exception, . - handle_exception

        /*
         * int $0x82 from a 32-bit guest's kernel (ring 1, a DPL1 gate: x86/traps.c
         * traps_set_hypercall_gate): its hypercall, eax the number and ebx,
         * ecx, edx, esi, edi, ebp the arguments, served by compat_hypercall
         * (hypercall/compat.c), as a SYSCALL is by pv_syscall.
         */
#ifdef CONFIG_PV32
        .section .text, "ax", @progbits
        .balign 16
        .globl entry_int82
        .type entry_int82, @function
entry_int82:
        ASM_CLAC
        push    $0
        push    $0x82
        sub     $REGS_vector, %rsp
        /*
         * The registers a 32-bit guest has (Xen's SAVE_ALL compat=1): r8 to
         * r15 are no state of its own. No selector of the GDT gives it
         * 64-bit code (x86/desc.c) and its descriptors may not ask for it
         * (pvops/segdesc.c), and nothing the shim does for its hypercalls
         * reads them from the frame; return_to_guest loads them from
         * whatever the frame held.
         */
        SAVE_COMPAT
        cld
        mov     %rsp, %rdi
        call    compat_hypercall
        jmp     return_to_guest
        .size entry_int82, . - entry_int82
        .section .text.hot, "ax", @progbits
#endif

        /*
         * NMI, #DB and #MC, each on its own IST stack (XSA-260: a #DB can hit the
         * first instruction of entry_syscall, after "mov ss; syscall" with
         * a data breakpoint the guest set, while RSP is still the guest's).
         * x86/traps.c ist_handler() deals with one from the shim in place
         * and says NULL: back where it hit. One from the guest has been
         * moved to the normal stack, which is free then, and goes on from
         * there: a #DB through trap_handler (its bounce may write a guest
         * stack that has a breakpoint on it, a nested #DB that would reuse
         * this IST stack), an NMI straight out, which delivers it.
         */
        .balign 16
        .globl entry_db
entry_db:
        push    $0
        push    $1
        jmp     ist_common

        .balign 16
        .globl entry_mc
entry_mc:
        push    $0
        push    $18
        jmp     ist_common

        .balign 16
        .globl entry_nmi
entry_nmi:
        push    $0
        push    $2
ist_common:
        ASM_CLAC
        sub     $REGS_vector, %rsp
        SAVE_ALL
        cld
        mov     %rsp, %rdi
        call    ist_handler
        test    %rax, %rax
        jnz     1f
        RESTORE_ALL
        add     $REGS_rip, %rsp
        iretq
1:      mov     %rax, %rsp
        cmpq    $2, REGS_vector(%rsp)
        je      return_to_guest
        mov     %rsp, %rdi
        call    trap_handler
        jmp     return_to_guest

/*
 * SYSCALL from the guest, in 64-bit (LSTAR) or 32-bit (CSTAR) code. The CPU
 * left RCX = RIP, R11 = RFLAGS, RSP = the guest's, IF clear (SFMASK), and no
 * register to spare: each CPU's LSTAR and CSTAR point at stubs of its own
 * (syscall_stubs below) that park the guest's RSP in the CPU's cpu_info and
 * load the CPU's stack, both RIP-relative, then come here. The frame looks
 * like an exception frame, so one return path serves both.
 */
        .macro SYSCALL_ENTRY cs, vector
        pushq   $FLAT_KERNEL_SS
        pushq   8 + CPUINFO_guest_rsp(%rsp)
        pushq   %r11
        pushq   $\cs
        pushq   %rcx
        pushq   $0
        pushq   $\vector
        sub     $REGS_vector, %rsp
        SAVE_ALL
        cld
        mov     %rsp, %rdi
        call    pv_syscall
        jmp     return_to_guest
        .endm

        .balign 16
        .globl entry_syscall
        .type entry_syscall, @function
entry_syscall:
        SYSCALL_ENTRY FLAT_RING3_CS64, ENTRY_SYSCALL
        .size entry_syscall, . - entry_syscall

        .balign 16
        .globl entry_cstar
        .type entry_cstar, @function
entry_cstar:
        SYSCALL_ENTRY FLAT_RING3_CS32, ENTRY_SYSCALL32
        .size entry_cstar, . - entry_cstar

/*
 * The SYSCALL stubs, two of 32 bytes per CPU (LSTAR's, then CSTAR's; x86/desc.c
 * desc_init_cpu()), CPU n's at syscall_stubs + 64 n, right after the hot text
 * (boot/shim.lds.S) so CPU 0's share its last page. Each stores the guest's
 * RSP in the CPU's cpu_info and points RSP at that cpu_info, the top of the
 * CPU's stack (x86/percpu.h), addressed relative to RIP: the blocks sit at
 * fixed addresses (x86/layout.h PERCPU_VIRT), so the stubs are plain code.
 */
        .section .text.stubs, "ax", @progbits
        .balign 64
        .globl syscall_stubs
syscall_stubs:
        .set stub_cpu, 0
        .rept CONFIG_MAX_VCPUS
        mov     %rsp, percpu_virt_base + (stub_cpu * PERCPU_STRIDE + PERCPU_STRIDE - CPUINFO_SIZE + CPUINFO_guest_rsp)(%rip)
        lea     percpu_virt_base + (stub_cpu * PERCPU_STRIDE + PERCPU_STRIDE - CPUINFO_SIZE)(%rip), %rsp
        jmp     entry_syscall
        .balign 32, 0xcc
        mov     %rsp, percpu_virt_base + (stub_cpu * PERCPU_STRIDE + PERCPU_STRIDE - CPUINFO_SIZE + CPUINFO_guest_rsp)(%rip)
        lea     percpu_virt_base + (stub_cpu * PERCPU_STRIDE + PERCPU_STRIDE - CPUINFO_SIZE)(%rip), %rsp
        jmp     entry_cstar
        .balign 32, 0xcc
        .set stub_cpu, stub_cpu + 1
        .endr
        .size syscall_stubs, . - syscall_stubs
        .section .text.hot, "ax", @progbits

/*
 * SYSENTER from the guest (Intel, and only there: AMD raises #UD for it in
 * long mode). The CPU saved nothing: RSP is the stack top (SYSENTER_ESP),
 * and the frame says what Xen's does, ring-3 null CS and RIP, RSP 0 and the
 * user SS; the guest's sysenter callback knows its own convention. RFLAGS
 * as the guest had them (bar IF and VM, which SYSENTER clears) go into the
 * frame, then none of TF, NT, AC (SMAP) or DF stays on in the shim: a single step
 * stops here at most three times (trap_handler ignores those), and an IRETQ
 * with NT set would fault.
 */
        .balign 16
        .globl entry_sysenter, sysenter_eflags_saved
        .type entry_sysenter, @function
entry_sysenter:
        pushq   $FLAT_USER_SS
        pushq   $0
        pushfq
sysenter_eflags_saved:
        pushq   $2
        popfq
        pushq   $3
        pushq   $0
        pushq   $0
        pushq   $ENTRY_SYSENTER
        sub     $REGS_vector, %rsp
        SAVE_ALL
        cld
        mov     %rsp, %rdi
        call    pv_sysenter
        jmp     return_to_guest
        .size entry_sysenter, . - entry_sysenter

/*
 * Back to the guest from the frame at RSP. SYSRET when the frame allows it
 * (it came from SYSCALL, so RCX and R11 are dead; 64-bit flat selectors;
 * canonical RIP: XSA-7, a SYSRET to a non-canonical
 * RIP faults in ring 0 on Intel), else IRETQ. The guest never runs with
 * IOPL > 0 or IF clear: its virtual IF is the upcall mask.
 *
 * An NMI raised on the way (nmi_raised) is handed to the guest first, and
 * a TLB flush still owed (tlb_flush_owed) is done. One
 * that hits between that check and the SYSRET/IRETQ restarts this from the
 * top (nmi_handler: the frame is always at the top of the stack here). After
 * an NMI from the guest the CPU blocks NMIs until an IRETQ: nmi_iret_needed.
 */
        .balign 16
        .globl return_to_guest, return_to_guest_end
        .type return_to_guest, @function
return_to_guest:
        cli
        /* The frame is right below this CPU's cpu_info (x86/percpu.h). */
        cmpb    $0, REGS_SIZE + CPUINFO_tlb_flush_owed(%rsp)
        jne     .Lflush
        cmpb    $0, REGS_SIZE + CPUINFO_nmi_raised(%rsp)
        jne     .Lnmi
        andq    $~EFLAGS_IOPL, REGS_rflags(%rsp)
        orq     $EFLAGS_IF, REGS_rflags(%rsp)
        /*
         * Never ring 0: a 64-bit guest runs in ring 3 alone, a 32-bit one's
         * kernel in ring 1 (guest_rpl 3 or 1, x86/desc.c); SYSRET is for
         * the 64-bit one's.
         */
        movzbl  guest_rpl(%rip), %eax
        or      %rax, REGS_cs(%rsp)
        or      %rax, REGS_ss(%rsp)
        cmpb    $0, REGS_SIZE + CPUINFO_nmi_iret_needed(%rsp)
        jne     .Liret_nmi
        cmp     $3, %eax
        jne     .Liret
        cmpq    $ENTRY_SYSCALL, REGS_vector(%rsp)     /* rcx, r11 are not live */
        jne     .Liret
        cmpq    $FLAT_RING3_CS64, REGS_cs(%rsp)
        jne     .Liret
        cmpq    $FLAT_RING3_SS64, REGS_ss(%rsp)
        jne     .Liret
        mov     REGS_rip(%rsp), %rcx
        mov     %rcx, %r11
        shl     $16, %r11
        sar     $16, %r11
        cmp     %rcx, %r11
        jne     .Liret
        RESTORE_ALL
        mov     REGS_rip(%rsp), %rcx
        mov     REGS_rflags(%rsp), %r11
        mov     REGS_rsp(%rsp), %rsp
        sysretq
.Liret_nmi:
        movb    $0, REGS_SIZE + CPUINFO_nmi_iret_needed(%rsp)
.Liret:
        RESTORE_ALL
        add     $REGS_rip, %rsp
.Lft_iret:
        iretq
return_to_guest_end:
.Lnmi:
        mov     %rsp, %rdi
        call    nmi_deliver
        jmp     return_to_guest
.Lflush:
        /* A frame changed type (x86/paging.h tlb_flush_owed); no PGE. */
        movb    $0, REGS_SIZE + CPUINFO_tlb_flush_owed(%rsp)
        mov     tlb_clock(%rip), %rax
        mov     %rax, REGS_SIZE + CPUINFO_flush_stamp(%rsp)
        mov     %cr3, %rax
        mov     %rax, %cr3
        jmp     return_to_guest
        .size return_to_guest, . - return_to_guest

        /*
         * The IRETQ above faulted in ring 0 (a selector or RIP from the
         * guest's iret): trap_handler sent us here with RSP back at the
         * frame's RIP slot and the frame from there up still in memory.
         * Below it, where the frame's registers were, the fault's own
         * frame went; the registers themselves are the guest's again (the
         * fault's exit restored them), so save them back first. Then hand
         * the fault to the guest and try again with the context it gets.
         */
        .pushsection .fixup, "ax"
.Lfix_iret:
        sub     $REGS_rip, %rsp
        SAVE_ALL
        cld
        mov     %rsp, %rdi
        call    pv_iret_fault
        /*
         * A window for L0's event interrupt before trying again: a guest
         * iret-ing into a fault again and again (its own loop) must not
         * keep L0's events from the shim meanwhile.
         */
        sti
        nop
        cli
        jmp     return_to_guest
        .popsection
        .pushsection .ex_table, "a"
        .balign 8
        .quad   .Lft_iret, .Lfix_iret
        .popsection

        /* x86/cpu.h safe_halt(): the HLT at safe_halt_hlt is skipped by an interrupt. */
        .section .text.hot, "ax", @progbits
        .globl  safe_halt, safe_halt_hlt
        .type   safe_halt, @function
safe_halt:
        sti
safe_halt_hlt:
        hlt
        cli
        ret
        .size   safe_halt, . - safe_halt

        .section .note.GNU-stack, "", @progbits
