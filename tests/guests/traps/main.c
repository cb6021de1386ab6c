/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/traps/main.c - what a 64-bit PV kernel observes when it
 * faults, uses "int $n", executes a privileged instruction or returns with
 * the iret hypercall.
 *
 * Each case is a snippet of code (run_snippet() loads its registers from the
 * table, runs it from a 16-byte aligned call, and stores them back) and what
 * it must give: no exception, or an exception with its vector, error code,
 * rip and, for #PF, vcpu_info.arch.cr2; then register values, and the event
 * mask afterwards.
 *
 * Exceptions come through our trap table. Xen leaves on the kernel stack,
 * rounded down to 16 bytes (pv64-abi.md section 5.1):
 *
 *   rcx, r11, [error code], rip, cs | saved_upcall_mask << 32, rflags, rsp, ss
 *
 * trap_handle() records the frame, points rip at the end of the snippet and
 * the stub returns through HYPERVISOR_iret: rcx and r11 popped, a zero
 * "flags" word pushed, then a jump to the iret stub of the hypercall page,
 * which pushes rcx, r11 and rax itself (section 6). For every exception the
 * frame is checked against the ABI: CS 0xe030 (kernel mode: RPL cleared) with
 * the upcall mask of the interrupted context in bits 32-39, IF = !that mask,
 * IOPL 0, ss/rsp/rcx/r11 of the interrupted context, the size of the frame,
 * and the mask the handler runs with (set iff trap_info flags bit 2).
 *
 * The expected values are what Debian's Xen 4.17 gave this kernel running on
 * it directly as a plain PV guest (tests/lab/cfg/guest-traps-pv.cfg) in the
 * lab: QEMU 7.2 TCG, "-cpu max", an AMD CPU model with SVM. Where that L0
 * differs from real hardware it is said at the case. In particular QEMU 7.2
 * pushes the error code of "int $n" through a DPL 0 gate in long mode as
 * n * 16 + 2, not n * 8 + 2, and Xen's do_general_protection() takes the
 * vector from it as (uint8_t)(error_code >> 3) = 2n: "int $0x40" is looked
 * up as vector 0x80, "int $0x41" as 0x82, "int $0x82" as 0x04.
 *
 * What the cases show of that L0, in short:
 *  - frames: CS 0xe030 | mask << 32, IF = !mask, no RF, IOPL 0, 16-byte
 *    aligned, rcx/r11 of the interrupted code; the handler runs masked iff
 *    trap_info bit 2 (the event callback always);
 *  - #PF: error code with the user bit cleared (we are in kernel mode), cr2
 *    in vcpu_info and in the emulated "mov from cr2"; a selector beyond the
 *    GDT or in the guest's empty GDT area is #GP(selector), not #PF;
 *  - "int $0x80" without a handler is #GP((0x80 << 3) | 2) at the int, with
 *    one it is delivered whatever its DPL;
 *  - emulated: MSRs FS/GS/SHADOW_GS_BASE (consistent with set_segment_base),
 *    PAT, EFER, APIC_BASE, cpuid through the forced-emulation prefix, mov
 *    from cr0/2/3/4/dr7, mov to cr0 (TS only), clts, wbinvd, in/out/cli/sti
 *    with virtual IOPL 1 (in reads all ones); #GP for hlt, invd, unknown
 *    MSRs, wrmsr PAT, and in/out/cli/sti with IOPL 0;
 *  - iret: the mask follows IF; IOPL is dropped; VGCF_in_syscall returns by
 *    sysret (rcx = rip, r11 = rflags); a non-canonical rip comes back as
 *    #GP(0) at that rip (an iret to RPL 3 would crash us: no user tables);
 *  - #DB: single step after the instruction following popf (frame with TF,
 *    DR6 0xffff4ff0), a DR0 instruction breakpoint at the instruction (DR6
 *    0xffff0ff1), DR6 alike by mov and get_debugreg; DR7 reads back with
 *    bit 10; set_debugreg(7) drops bit 11, refuses GD (-EPERM) and bits
 *    32-63 (-EINVAL), set_debugreg(0) of the hypervisor hole is -EPERM.
 *
 * Built with -m32 it is a 32-bit PAE PV kernel (ring 1) with its own table,
 * expecting what Xen 4.17's source gives a 32-bit guest (L0 runs none; the
 * lab compares our shim with Debian's xen-shim): frames as
 * compat_create_bounce_frame writes them, 32-bit words right below esp
 * ([error code] eip, cs 0xe019 | saved mask << 16, eflags; from ring 3 at
 * the stack stack_switch named, with esp and ss), HYPERVISOR_iret as
 * compat_iret takes it ([eax] eip cs eflags), into and bound, int $n with
 * ring 1's DPL rule (1 or more) and ring 3's (3), int $0x80 with a null
 * code selector as no handler, set_trap_table's list and NULL, a second
 * exception taken inside a handler, the kernel on user pages (Xen clears
 * SMEP/SMAP for ring 1), and ring 3: privileged instructions, I/O by IOPL,
 * #PF with the user bit, syscall with and without a syscall32 callback.
 * What exists only in long mode (MSR bases, FSGSBASE, canonical addresses,
 * sysret by VGCF_in_syscall, the multicall iret, XSAVE and FPU-state
 * cases) is left out.
 */
#include "tests/guests/lib/test.h"
#include "tests/guests/lib/setup.h"

const char test_title[] = "exceptions, int $n, emulated instructions, iret";

#define STR_(x)         #x
#define STR(x)          STR_(x)

/* Architectural constants (SDM vol. 3); the Xen headers do not carry them. */
#define EFLAGS_MBS      0x00000002      /* bit 1, always set */
#define EFLAGS_TF       0x00000100
#define EFLAGS_IF       0x00000200
#define EFLAGS_DF       0x00000400
#define EFLAGS_IOPL     0x00003000
#define EFLAGS_NT       0x00004000
#define EFLAGS_RF       0x00010000
#define EFLAGS_VM       0x00020000
#define EFLAGS_AC       0x00040000
#define CR0_TS          0x00000008
#define CR0_WP          0x00010000
#define CR4_OSXSAVE     0x00040000
#define CR4_FSGSBASE    0x00010000
#define CR4_DE          0x00000008
/* DR7: breakpoint 0 enabled (L0), R/W 10b (I/O), length 1. */
#define DR7_IO_BP0      0x20001UL

/* The flags a bounce frame is checked on; the arithmetic ones are noise. */
#define EFLAGS_CHECKED  (EFLAGS_MBS | EFLAGS_TF | EFLAGS_IF | EFLAGS_DF | \
                         EFLAGS_IOPL | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM | \
                         EFLAGS_AC)

#define MSR_EFER            0xc0000080U
#define MSR_FS_BASE         0xc0000100U
#define MSR_GS_BASE         0xc0000101U
#define MSR_SHADOW_GS_BASE  0xc0000102U
#define MSR_APIC_BASE       0x0000001bU
#define MSR_PAT             0x00000277U
#define MSR_UNKNOWN         0x12345678U

#define X86_EXC_DE      0
#define X86_EXC_DB      1
#define X86_EXC_BP      3
#define X86_EXC_OF      4
#define X86_EXC_BR      5
#define X86_EXC_UD      6
#define X86_EXC_NM      7
#define X86_EXC_GP      13
#define X86_EXC_PF      14

/* #PF error code bits. */
#define PFEC_PRESENT    0x01
#define PFEC_WRITE      0x02
#define PFEC_USER       0x04
#define PFEC_FETCH      0x10

/* trap_info flags (arch-x86/xen.h): bits 0-1 DPL for "int $n", bit 2 mask. */
#define TI_DPL3         3
#define TI_MASK         4

#ifdef __i386__
/*
 * The CS of a frame from the kernel: FLAT_KERNEL_CS as it was, ring 1
 * (compat_create_bounce_frame copies the interrupted CS). Xen's 32-bit
 * stubs return after their int $0x82 (mov: 5 bytes, int: 2).
 */
#define FRAME_CS_KERNEL 0xe019
BUILD_BUG_ON(FRAME_CS_KERNEL != FLAT_KERNEL_CS);
#define MASK_SHIFT      16
#define STUB_RET_OFFSET 7
#else
/* The CS of a frame from kernel mode: FLAT_KERNEL_CS with RPL cleared. */
#define FRAME_CS_KERNEL 0xe030
BUILD_BUG_ON(FRAME_CS_KERNEL != (FLAT_KERNEL_CS & ~3));
#define MASK_SHIFT      32
/* Xen's stub: push %rcx; push %r11; mov $n, %eax; syscall (10 bytes). */
#define STUB_RET_OFFSET 10

/* The iret hypercall's "flags" word (arch-x86/xen-x86_64.h). */
#define IRET_IN_SYSCALL VGCF_in_syscall
#endif

/* Addresses. */
#define ADDR_UNMAPPED       0x1000UL                /* nothing mapped */
#ifndef __i386__
#define ADDR_NONCANONICAL   0x8000000000000000UL
#define ADDR_XEN_DIRECTMAP  0xffff830000000000UL    /* Xen's, not ours */
#endif

/* ------------------------------------------------------------ state */

/*
 * Our vcpu_info, moved here with VCPUOP_register_vcpu_info so that we can
 * see the event mask and cr2 without mapping shared_info.
 */
static uint8_t vcpu_page[GUEST_PAGE_SIZE] __aligned(GUEST_PAGE_SIZE);
vcpu_info_t *vcpu;

/* What the snippet held at its instruction under test (set by the snippet). */
#ifdef __i386__
/*
 * A 32-bit kernel's pages are supervisor pages, so the esp word shares its
 * page with the user-mode stack: the one page of data a snippet run in ring
 * 3 writes (mapped for ring 3 by user_setup()).
 */
struct user_page
{
    unsigned long trig_rsp;
    int32_t bounds[2];          /* bound's pair (lower, upper) */
    uint8_t stack[GUEST_PAGE_SIZE - sizeof(unsigned long) - 8];
};
struct user_page user_page __aligned(GUEST_PAGE_SIZE);
#define trig_rsp        (user_page.trig_rsp)
#else
unsigned long trig_rsp, trig_rcx, trig_r11;
#endif

/* The code run_snippet() calls. */
const void *snippet_code;

/* The offsets the asm below uses. */
#define VCPU_INFO_PENDING   0
#define VCPU_INFO_MASK      1
BUILD_BUG_ON(offsetof(vcpu_info_t, evtchn_upcall_pending) !=
             VCPU_INFO_PENDING);
BUILD_BUG_ON(offsetof(vcpu_info_t, evtchn_upcall_mask) != VCPU_INFO_MASK);

#define HYPERCALL_IRET      "hypercall_page + " STR(__HYPERVISOR_iret) " * 32"

/* ------------------------------------------------------------ asm */

#ifndef __i386__
/* The registers of a snippet, in and out. */
struct cpu_regs
{
    unsigned long rax, rbx, rcx, rdx, rsi, rdi, rbp;
    unsigned long r8, r9, r10, r11, r12, r13, r14, r15;
};
BUILD_BUG_ON(offsetof(struct cpu_regs, rdi) != 5 * 8);
BUILD_BUG_ON(offsetof(struct cpu_regs, r8) != 7 * 8);
BUILD_BUG_ON(sizeof(struct cpu_regs) != 15 * 8);

void run_snippet(struct cpu_regs *r, const void *code);

/*
 * run_snippet(r, code): load every register but rsp from *r, call code, store
 * them back. 7 pushes after the call to us leave rsp 16-aligned, so a snippet
 * runs with rsp = 8 mod 16, and a bounce frame starts 8 bytes below it.
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl run_snippet\n"
    "    .type run_snippet, @function\n"
    "run_snippet:\n"
    "    push %rbx\n"
    "    push %rbp\n"
    "    push %r12\n"
    "    push %r13\n"
    "    push %r14\n"
    "    push %r15\n"
    "    push %rdi\n"
    "    mov  %rsi, snippet_code(%rip)\n"
    "    mov  0*8(%rdi), %rax\n"
    "    mov  1*8(%rdi), %rbx\n"
    "    mov  2*8(%rdi), %rcx\n"
    "    mov  3*8(%rdi), %rdx\n"
    "    mov  4*8(%rdi), %rsi\n"
    "    mov  6*8(%rdi), %rbp\n"
    "    mov  7*8(%rdi), %r8\n"
    "    mov  8*8(%rdi), %r9\n"
    "    mov  9*8(%rdi), %r10\n"
    "    mov  10*8(%rdi), %r11\n"
    "    mov  11*8(%rdi), %r12\n"
    "    mov  12*8(%rdi), %r13\n"
    "    mov  13*8(%rdi), %r14\n"
    "    mov  14*8(%rdi), %r15\n"
    "    mov  5*8(%rdi), %rdi\n"
    "    call *snippet_code(%rip)\n"
    "    push %rdi\n"
    "    mov  8(%rsp), %rdi\n"
    "    mov  %rax, 0*8(%rdi)\n"
    "    mov  %rbx, 1*8(%rdi)\n"
    "    mov  %rcx, 2*8(%rdi)\n"
    "    mov  %rdx, 3*8(%rdi)\n"
    "    mov  %rsi, 4*8(%rdi)\n"
    "    mov  %rbp, 6*8(%rdi)\n"
    "    mov  %r8, 7*8(%rdi)\n"
    "    mov  %r9, 8*8(%rdi)\n"
    "    mov  %r10, 9*8(%rdi)\n"
    "    mov  %r11, 10*8(%rdi)\n"
    "    mov  %r12, 11*8(%rdi)\n"
    "    mov  %r13, 12*8(%rdi)\n"
    "    mov  %r14, 13*8(%rdi)\n"
    "    mov  %r15, 14*8(%rdi)\n"
    "    pop  5*8(%rdi)\n"
    "    pop  %rdi\n"
    "    pop  %r15\n"
    "    pop  %r14\n"
    "    pop  %r13\n"
    "    pop  %r12\n"
    "    pop  %rbp\n"
    "    pop  %rbx\n"
    "    ret\n"
    "    .size run_snippet, . - run_snippet\n"
    "    .popsection\n"
);

/*
 * Exception and interrupt entry. Stack at trap_common, lowest first:
 *
 *   r10 r9 r8 rdi rsi rdx rax | vector | rcx r11 [error code] rip cs rflags
 *   rsp ss (Xen's bounce frame)
 *
 * trap_handle() returns where the saved registers now start: if there was an
 * error code it has moved them up by one word over it. We then restore them,
 * pop the interrupted rcx and r11 from the frame and leave through
 * HYPERVISOR_iret with flags 0 (rcx/r11 restored, exit by iretq).
 */
struct trap_regs
{
    unsigned long r10, r9, r8, rdi, rsi, rdx, rax;
    unsigned long vector;
    unsigned long frame[];
};

unsigned long trap_handle(struct trap_regs *regs);

__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "trap_common:\n"
    "    cld\n"
    "    push %rax\n"
    "    push %rdx\n"
    "    push %rsi\n"
    "    push %rdi\n"
    "    push %r8\n"
    "    push %r9\n"
    "    push %r10\n"
    "    mov  %rsp, %rdi\n"
    "    and  $~15, %rsp\n"
    "    call trap_handle\n"
    "    mov  %rax, %rsp\n"
    "    pop  %r10\n"
    "    pop  %r9\n"
    "    pop  %r8\n"
    "    pop  %rdi\n"
    "    pop  %rsi\n"
    "    pop  %rdx\n"
    "    pop  %rax\n"
    "    add  $8, %rsp\n"
    "    pop  %rcx\n"
    "    pop  %r11\n"
    "    push $0\n"
    "    jmp  " HYPERCALL_IRET "\n"
    "    .popsection\n"
);

#else /* __i386__ */

/* The registers of a snippet, in and out (esp aside). */
struct cpu_regs
{
    unsigned long eax, ebx, ecx, edx, esi, edi, ebp;
};
BUILD_BUG_ON(offsetof(struct cpu_regs, ebp) != 6 * 4);

void run_snippet(struct cpu_regs *r, const void *code);

/*
 * run_snippet(r, code), cdecl: load every register but esp from *r, call
 * code, store them back. A 32-bit bounce frame is not aligned: Xen writes it
 * right below the interrupted esp (compat_create_bounce_frame).
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl run_snippet\n"
    "    .type run_snippet, @function\n"
    "run_snippet:\n"
    "    push %ebp\n"
    "    push %ebx\n"
    "    push %esi\n"
    "    push %edi\n"
    "    mov  20(%esp), %eax\n"
    "    mov  24(%esp), %ecx\n"
    "    mov  %ecx, snippet_code\n"
    "    push %eax\n"
    "    mov  1*4(%eax), %ebx\n"
    "    mov  2*4(%eax), %ecx\n"
    "    mov  3*4(%eax), %edx\n"
    "    mov  4*4(%eax), %esi\n"
    "    mov  5*4(%eax), %edi\n"
    "    mov  6*4(%eax), %ebp\n"
    "    mov  0*4(%eax), %eax\n"
    "    call *snippet_code\n"
    "    push %eax\n"
    "    mov  4(%esp), %eax\n"
    "    popl 0*4(%eax)\n"
    "    mov  %ebx, 1*4(%eax)\n"
    "    mov  %ecx, 2*4(%eax)\n"
    "    mov  %edx, 3*4(%eax)\n"
    "    mov  %esi, 4*4(%eax)\n"
    "    mov  %edi, 5*4(%eax)\n"
    "    mov  %ebp, 6*4(%eax)\n"
    "    add  $4, %esp\n"
    "    pop  %edi\n"
    "    pop  %esi\n"
    "    pop  %ebx\n"
    "    pop  %ebp\n"
    "    ret\n"
    "    .size run_snippet, . - run_snippet\n"
    "    .popsection\n"
);

/*
 * Exception and interrupt entry, 32-bit. Stack at trap_common, lowest first:
 *
 *   edx ecx eax | vector | [error code] eip cs eflags [esp ss] (Xen's frame;
 *   esp and ss only from ring 3, on the stack stack_switch named)
 *
 * trap_handle() returns where the saved registers now start (moved up one
 * word over an error code); we restore them and leave through
 * HYPERVISOR_iret, whose stub pushes eax itself: [eax] eip cs eflags
 * [esp ss] (compat_iret).
 */
struct trap_regs
{
    unsigned long edx, ecx, eax;
    unsigned long vector;
    unsigned long frame[];
};

unsigned long trap_handle(struct trap_regs *regs);

__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "trap_common:\n"
    "    cld\n"
    "    push %eax\n"
    "    push %ecx\n"
    "    push %edx\n"
    "    mov  %esp, %eax\n"
    "    and  $~15, %esp\n"
    "    sub  $12, %esp\n"
    "    push %eax\n"
    "    call trap_handle\n"
    "    mov  %eax, %esp\n"
    "    pop  %edx\n"
    "    pop  %ecx\n"
    "    pop  %eax\n"
    "    add  $4, %esp\n"
    "    jmp  " HYPERCALL_IRET "\n"
    "    .popsection\n"
);
#endif /* __i386__ */

#define TRAP_STUB(vec)                                                  \
    extern const char trap_entry_##vec[];                               \
    __asm__ ( "    .pushsection .text, \"ax\", @progbits\n"             \
              "trap_entry_" #vec ":\n"                                  \
              "    push $" #vec "\n"                                    \
              "    jmp  trap_common\n"                                  \
              "    .popsection\n" )

TRAP_STUB(0);
TRAP_STUB(1);
TRAP_STUB(3);
TRAP_STUB(4);
TRAP_STUB(6);
TRAP_STUB(7);
TRAP_STUB(13);
TRAP_STUB(14);
TRAP_STUB(0x40);
TRAP_STUB(0x41);
TRAP_STUB(0x42);
TRAP_STUB(0x80);
#ifdef __i386__
TRAP_STUB(5);
TRAP_STUB(0x43);
/* The syscall32 callback, as a pseudo-vector. */
#define SYSCALL32_VECTOR 0x101
TRAP_STUB(0x101);
#endif

/*
 * The event callback goes the same way, as pseudo-vector EVENT_VECTOR:
 * trap_handle() clears evtchn_upcall_pending (the only events are ours and
 * the console backend's; a port left pending raises no further upcall) and
 * returns to where the event interrupted, with the mask the frame's IF gives
 * back.
 */
#define EVENT_VECTOR    0x100
TRAP_STUB(0x100);

/*
 * A snippet: snip_<name> runs its setup, records rsp, rcx and r11 for the
 * frame checks, then the instruction under test at snip_<name>_insn;
 * snip_<name>_next is where an exception handler resumes it, and it returns
 * from there (after its epilogue) to run_snippet().
 *
 * A 32-bit kernel records esp alone (its frames have no rcx or r11), and
 * keeps its snippets in pages of their own (.text.snippets, from
 * snippets_start to snippets_end) that user_setup() maps for ring 3: its
 * other pages are supervisor pages.
 */
struct snippet
{
    const char *start, *insn, *next;
};

#ifdef __i386__
#define SNIP_SECTION    ".text.snippets"
#define RECORD_TRIG     "    mov  %esp, user_page\n"
extern const char snippets_start[], snippets_end[];
__asm__ ( "    .pushsection .text.snippets, \"ax\", @progbits\n"
          "    .balign 4096\n"
          "snippets_start:\n"
          "    .popsection\n" );
#else
#define SNIP_SECTION    ".text"
#define RECORD_TRIG     "    mov  %rsp, trig_rsp(%rip)\n"                 \
                        "    mov  %rcx, trig_rcx(%rip)\n"                 \
                        "    mov  %r11, trig_r11(%rip)\n"
#endif

#define SNIPPET_FULL(name, setup, body, epilogue)                       \
    extern const char snip_##name[], snip_##name##_insn[],              \
                      snip_##name##_next[];                             \
    __asm__ ( "    .pushsection " SNIP_SECTION ", \"ax\", @progbits\n"  \
              "snip_" #name ":\n"                                       \
              "    " setup "\n"                                         \
              RECORD_TRIG                                               \
              "snip_" #name "_insn:\n"                                  \
              "    " body "\n"                                          \
              "snip_" #name "_next:\n"                                  \
              "    " epilogue "\n"                                      \
              "    ret\n"                                               \
              "    .popsection\n" )

#define SNIPPET_SETUP(name, setup, body) SNIPPET_FULL(name, setup, body, "")
#define SNIPPET(name, body) SNIPPET_FULL(name, "", body, "")

#define SNIP(name) { snip_##name, snip_##name##_insn, snip_##name##_next }

/* Forced emulation prefix (arch-x86/xen.h XEN_EMULATE_PREFIX). */
#define FORCED_PREFIX   ".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e\n    "

#ifndef __i386__
/*
 * An iret hypercall frame back into kernel mode (RPL 0: RPL 3 would mean
 * user mode, and we have no user page tables) at rip %rdi, on the current
 * stack, with the given rflags and flags words.
 */
#define IRET_TO_RDI(rflags, flags)                                      \
    "mov  %rsp, %rsi\n"                                                 \
    "    push $" STR(FLAT_KERNEL_SS) "\n"                               \
    "    push %rsi\n"                                                   \
    "    push $" rflags "\n"                                            \
    "    push $" STR(FRAME_CS_KERNEL) "\n"                              \
    "    push %rdi\n"                                                   \
    "    push $" flags "\n"                                             \
    "    jmp  " HYPERCALL_IRET

/* Section 1: exceptions. */
SNIPPET(div0, "div  %r8d");
SNIPPET(int3, "int3");
SNIPPET(int_3, "int  $3");
SNIPPET(int_4, "int  $4");
SNIPPET(into, ".byte 0xce");
SNIPPET(sysenter, "sysenter");
SNIPPET(ud2, "ud2");
SNIPPET_FULL(ud2_rsp16, "sub  $8, %rsp", "ud2", "add  $8, %rsp");
SNIPPET(ud2_xen_nop, FORCED_PREFIX "nop");
SNIPPET(mov_ds, "mov  %eax, %ds");
SNIPPET(read_rdi, "mov  (%rdi), %rax");
SNIPPET(write_rdi, "mov  %rax, (%rdi)");
SNIPPET_SETUP(rewrite_rdi, "mov  (%rdi), %rax", "mov  %rax, (%rdi)");
SNIPPET(jmp_rdi, "jmp  *%rdi");
SNIPPET(hlt, "hlt");
SNIPPET(fnop, "fnop");
SNIPPET(xorps, "xorps %xmm0, %xmm0");

/* Section 2: int $n. */
SNIPPET(int_40, "int  $0x40");
SNIPPET(int_41, "int  $0x41");
SNIPPET(int_42, "int  $0x42");
SNIPPET(int_80, "int  $0x80");
SNIPPET(int_82, "int  $0x82");

/* Section 3: emulated instructions. */
SNIPPET(rdmsr, "rdmsr");
SNIPPET(wrmsr, "wrmsr");
SNIPPET_SETUP(wrmsr_same, "rdmsr", "wrmsr");
SNIPPET_SETUP(wrmsr_nx_off, "rdmsr; and $~0x800, %eax", "wrmsr");
SNIPPET(read_fs0, "mov  %fs:0, %rax");
SNIPPET(read_gs0, "mov  %gs:0, %rax");
SNIPPET(cpuid_forced, FORCED_PREFIX "cpuid");
SNIPPET(cpuid_raw, "cpuid");
SNIPPET(read_cr0, "mov  %cr0, %rax");
/* Stray REX prefixes: ignored before a legacy prefix; the last one wins. */
SNIPPET(rdmsr_rex_66, ".byte 0x48, 0x66, 0x0f, 0x32");
SNIPPET(read_cr0_rex_rex, ".byte 0x41, 0x48, 0x0f, 0x20, 0xc0");
SNIPPET(read_cr2, "mov  %cr2, %rax");
SNIPPET(read_cr3, "mov  %cr3, %rax");
SNIPPET(read_cr4, "mov  %cr4, %rax");
SNIPPET(read_dr7, "mov  %dr7, %rax");
SNIPPET_SETUP(cr0_set_ts, "mov  %cr0, %rax; or $" STR(CR0_TS) ", %rax",
              "mov  %rax, %cr0");
SNIPPET_SETUP(cr0_clear_wp, "mov  %cr0, %rax; and $~" STR(CR0_WP) ", %rax",
              "mov  %rax, %cr0");
SNIPPET(clts, "clts");
SNIPPET(wbinvd, "wbinvd");
SNIPPET(xgetbv, "xgetbv");
SNIPPET(xsetbv, "xsetbv");
SNIPPET_SETUP(cr4_set_osxsave, "mov  %cr4, %rax; or $" STR(CR4_OSXSAVE) ", %rax",
              "mov  %rax, %cr4");
SNIPPET(write_cr0, "mov  %rax, %cr0");
SNIPPET_SETUP(cr4_set_fsgsbase, "mov  %cr4, %rax; or $" STR(CR4_FSGSBASE) ", %rax",
              "mov  %rax, %cr4");
SNIPPET_SETUP(cr4_clear_fsgsbase,
              "mov  %cr4, %rax; and $~" STR(CR4_FSGSBASE) ", %rax",
              "mov  %rax, %cr4");
SNIPPET_SETUP(cr4_set_de, "mov  %cr4, %rax; or $" STR(CR4_DE) ", %rax",
              "mov  %rax, %cr4");
SNIPPET_SETUP(cr4_clear_de, "mov  %cr4, %rax; and $~" STR(CR4_DE) ", %rax",
              "mov  %rax, %cr4");
SNIPPET(in_imm_81, "in   $0x81, %al");
SNIPPET(rdfsbase, "rdfsbase %rax");
SNIPPET(wrfsbase, "wrfsbase %rax");
SNIPPET(rdgsbase, "rdgsbase %rax");
SNIPPET(wrgsbase, "wrgsbase %rax");
SNIPPET(invd, "invd");
SNIPPET(rdtsc, "rdtsc");
SNIPPET(in_imm, "in   $0x80, %al");
SNIPPET(in_dx, "in   (%dx), %eax");
SNIPPET(out_imm, "out  %al, $0x80");
SNIPPET(cli, "cli");
SNIPPET(sti, "sti");

/*
 * Section 6: debug exceptions. single_step sets TF with popf, without
 * moving rsp from what it recorded: the instruction after popf (at _insn)
 * runs, then #DB, whose handler clears TF and resumes at _next, which runs
 * once more (rax + 2 in all). bp is where DR0 points.
 */
unsigned long ss_rflags;
extern const char snip_single_step[], snip_single_step_insn[],
                  snip_single_step_next[];
__asm__ ( "    .pushsection .text, \"ax\", @progbits\n"
          "snip_single_step:\n"
          "    pushf\n"
          "    orl  $" STR(EFLAGS_TF) ", (%rsp)\n"
          "    pop  ss_rflags(%rip)\n"
          "    mov  %rsp, trig_rsp(%rip)\n"
          "    mov  %rcx, trig_rcx(%rip)\n"
          "    mov  %r11, trig_r11(%rip)\n"
          "    push ss_rflags(%rip)\n"
          "    popf\n"
          "snip_single_step_insn:\n"
          "    inc  %rax\n"
          "snip_single_step_next:\n"
          "    inc  %rax\n"
          "    ret\n"
          "    .popsection\n" );
SNIPPET(bp, "nop");
#define HYPERCALL_SET_DEBUGREG "hypercall_page + " \
                               STR(__HYPERVISOR_set_debugreg) " * 32"
#define HYPERCALL_GET_DEBUGREG "hypercall_page + " \
                               STR(__HYPERVISOR_get_debugreg) " * 32"
SNIPPET(set_debugreg, "call " HYPERCALL_SET_DEBUGREG);
SNIPPET(get_debugreg, "call " HYPERCALL_GET_DEBUGREG);

/*
 * Section 4: the iret hypercall, back to label 1 (rbx = rflags as seen
 * there), or to the end of the snippet, or to the input rdi.
 */
#define IRET_BACK       "lea  1f(%rip), %rdi"
#define PUSHF_RBX       "\n1:  pushf; pop %rbx"
SNIPPET_SETUP(iret_if0, IRET_BACK,
              IRET_TO_RDI(STR(EFLAGS_MBS), "0") PUSHF_RBX);
SNIPPET_SETUP(iret_if1, IRET_BACK,
              IRET_TO_RDI(STR(EFLAGS_MBS | EFLAGS_IF), "0") PUSHF_RBX);
SNIPPET_SETUP(iret_iopl3, IRET_BACK,
              IRET_TO_RDI(STR(EFLAGS_MBS | EFLAGS_IF | EFLAGS_IOPL), "0")
              PUSHF_RBX);
SNIPPET_SETUP(iret_syscall, "lea  snip_iret_syscall_next(%rip), %rdi",
              IRET_TO_RDI(STR(EFLAGS_MBS | EFLAGS_IF), STR(IRET_IN_SYSCALL)));
SNIPPET(iret_noncanonical,
        IRET_TO_RDI(STR(EFLAGS_MBS | EFLAGS_IF), "0"));

/* Events: evtchn_upcall_pending set by hand (Linux's irq enable reads it). */
#define SET_PENDING     "mov  vcpu(%rip), %rdx; movb $1, " \
                        STR(VCPU_INFO_PENDING) "(%rdx)"
SNIPPET_SETUP(iret_if1_pending,
              SET_PENDING "; lea snip_iret_if1_pending_next(%rip), %rdi",
              IRET_TO_RDI(STR(EFLAGS_MBS | EFLAGS_IF), "0"));
#define HYPERCALL_XENVER "hypercall_page + " STR(__HYPERVISOR_xen_version) \
                         " * 32"
SNIPPET_SETUP(xen_version_pending, SET_PENDING,
              "call " HYPERCALL_XENVER);

/*
 * An iret as the first entry of a multicall (list at %rdi, 2 entries): Xen
 * takes the iret frame from the stack the multicall stub left, that is
 * r11 and rcx (pushed by the stub), the stub's return address, then the
 * frame pushed here (flags 0, rip, cs, rflags, rsp, ss): rax := r11, r11
 * := rcx, rcx := the return address; the batch ends there. rdx says how it
 * came back: 1 by the iret, 0 by the multicall simply returning.
 */
#define HYPERCALL_MULTICALL "hypercall_page + " STR(__HYPERVISOR_multicall) \
                            " * 32"
SNIPPET_SETUP(multicall_iret,
              "mov  %rsp, %rax\n"
              "    push $" STR(FLAT_KERNEL_SS) "\n"
              "    push %rax\n"
              "    push $" STR(EFLAGS_MBS | EFLAGS_IF) "\n"
              "    push $" STR(FRAME_CS_KERNEL) "\n"
              "    lea  .Lmulticall_iret_target(%rip), %rax\n"
              "    push %rax\n"
              "    push $0\n"
              "    mov  $2, %esi",
              "call " HYPERCALL_MULTICALL "\n"
              "    add  $48, %rsp\n"
              "    xor  %edx, %edx\n"
              "    jmp  1f\n"
              ".Lmulticall_iret_target:\n"
              "    mov  $1, %edx\n"
              "1:");

#else /* __i386__ */

/*
 * An iret hypercall frame back to ring 1 at %edi with the given eflags:
 * eip cs eflags, the stub pushes eax (compat_iret: to ring 1 no esp or ss,
 * esp goes back up by 16).
 */
#define IRET_TO_EDI(eflags)                                             \
    "push $" eflags "\n"                                                \
    "    push $" STR(FLAT_KERNEL_CS) "\n"                               \
    "    push %edi\n"                                                   \
    "    jmp  " HYPERCALL_IRET

/* Section 1: exceptions. */
SNIPPET(div0, "div  %esi");
SNIPPET(int3, "int3");
SNIPPET(int_3, "int  $3");
SNIPPET(int_4, "int  $4");
/* into: an overflow trap in 32-bit code (#UD in 64-bit mode) */
SNIPPET_SETUP(into_of, "mov  $0x7fffffff, %eax; add  $1, %eax", "into");
SNIPPET(into, "into");
/* bound: lower and upper bound at (%edi), #BR (a fault) outside them */
SNIPPET(bound, "bound %eax, (%edi)");
SNIPPET(ud2, "ud2");
SNIPPET(ud2_xen_nop, FORCED_PREFIX "nop");
/* A null %ds faults on use in 32-bit code: the epilogue puts ours back. */
SNIPPET_FULL(mov_ds, "push %ds", "mov  %eax, %ds", "pop  %ds");
SNIPPET(read_edi, "mov  (%edi), %eax");
SNIPPET(write_edi, "mov  %eax, (%edi)");
SNIPPET_SETUP(rewrite_edi, "mov  (%edi), %eax", "mov  %eax, (%edi)");
SNIPPET(jmp_edi, "jmp  *%edi");
SNIPPET(call_edi, "call *%edi");
SNIPPET(hlt, "hlt");
SNIPPET(fnop, "fnop");
SNIPPET(xorps, "xorps %xmm0, %xmm0");

/* Section 2: int $n; syscall (ring 3: Xen's compat_syscall). */
SNIPPET(int_40, "int  $0x40");
SNIPPET(int_41, "int  $0x41");
SNIPPET(int_42, "int  $0x42");
SNIPPET(int_43, "int  $0x43");
SNIPPET(int_80, "int  $0x80");
SNIPPET(syscall, "syscall");

/* Section 3: emulated instructions. */
SNIPPET(rdmsr, "rdmsr");
SNIPPET(wrmsr, "wrmsr");
SNIPPET(cpuid_forced, FORCED_PREFIX "cpuid");
SNIPPET(read_cr0, "mov  %cr0, %eax");
SNIPPET(read_cr2, "mov  %cr2, %eax");
SNIPPET(read_cr3, "mov  %cr3, %eax");
SNIPPET(read_cr4, "mov  %cr4, %eax");
SNIPPET(read_dr7, "mov  %dr7, %eax");
SNIPPET_SETUP(cr0_set_ts, "mov  %cr0, %eax; or $" STR(CR0_TS) ", %eax",
              "mov  %eax, %cr0");
SNIPPET_SETUP(cr0_clear_wp, "mov  %cr0, %eax; and $~" STR(CR0_WP) ", %eax",
              "mov  %eax, %cr0");
SNIPPET(write_cr0, "mov  %eax, %cr0");
SNIPPET(clts, "clts");
SNIPPET(wbinvd, "wbinvd");
SNIPPET(invd, "invd");
SNIPPET(rdtsc, "rdtsc");
SNIPPET(in_imm, "in   $0x80, %al");
SNIPPET(in_dx, "in   (%dx), %eax");
SNIPPET(out_imm, "out  %al, $0x80");
SNIPPET(cli, "cli");
SNIPPET(sti, "sti");

/* Section 6: debug exceptions (as the 64-bit snippets). */
unsigned long ss_rflags;
extern const char snip_single_step[], snip_single_step_insn[],
                  snip_single_step_next[];
__asm__ ( "    .pushsection " SNIP_SECTION ", \"ax\", @progbits\n"
          "snip_single_step:\n"
          "    pushf\n"
          "    orl  $" STR(EFLAGS_TF) ", (%esp)\n"
          "    pop  ss_rflags\n"
          RECORD_TRIG
          "    push ss_rflags\n"
          "    popf\n"
          "snip_single_step_insn:\n"
          "    inc  %eax\n"
          "snip_single_step_next:\n"
          "    inc  %eax\n"
          "    ret\n"
          "    .popsection\n" );
SNIPPET(bp, "nop");
#define HYPERCALL_SET_DEBUGREG "hypercall_page + " \
                               STR(__HYPERVISOR_set_debugreg) " * 32"
#define HYPERCALL_GET_DEBUGREG "hypercall_page + " \
                               STR(__HYPERVISOR_get_debugreg) " * 32"
SNIPPET(set_debugreg, "call " HYPERCALL_SET_DEBUGREG);
SNIPPET(get_debugreg, "call " HYPERCALL_GET_DEBUGREG);

/*
 * Section 4: the iret hypercall back to label 1 (ebx = eflags as seen
 * there) or to the end of the snippet; eax comes back from the frame.
 */
#define IRET_BACK       "mov  $1f, %edi"
#define PUSHF_EBX       "\n1:  pushf; pop %ebx"
SNIPPET_SETUP(iret_if0, IRET_BACK, IRET_TO_EDI(STR(EFLAGS_MBS)) PUSHF_EBX);
SNIPPET_SETUP(iret_if1, IRET_BACK,
              IRET_TO_EDI(STR(EFLAGS_MBS | EFLAGS_IF)) PUSHF_EBX);
SNIPPET_SETUP(iret_iopl3, IRET_BACK,
              IRET_TO_EDI(STR(EFLAGS_MBS | EFLAGS_IF | EFLAGS_IOPL)) PUSHF_EBX);
#define SET_PENDING     "mov  vcpu, %edx; movb $1, " STR(VCPU_INFO_PENDING) "(%edx)"
SNIPPET_SETUP(iret_if1_pending,
              SET_PENDING "; mov $snip_iret_if1_pending_next, %edi",
              IRET_TO_EDI(STR(EFLAGS_MBS | EFLAGS_IF)));
#define HYPERCALL_XENVER "hypercall_page + " STR(__HYPERVISOR_xen_version) \
                         " * 32"
SNIPPET_SETUP(xen_version_pending, SET_PENDING, "call " HYPERCALL_XENVER);

/*
 * Ring 3 (user_setup() maps this section and user_page for it): run_user()
 * irets to user_tramp with the user stack holding the snippet's registers
 * (for popa) and address; the snippet's eax and edx go back by int $0x80, whose
 * handler (vector 0x80, DPL 3) is user_back: it takes the kernel context
 * back and returns from run_user(). user_ret is a ret on a user page, for
 * the kernel to call. The section ends here, on a page boundary.
 */
void run_user(const char *code, const struct cpu_regs *in);
extern const char user_back[], user_tramp[], user_ret[];
unsigned long user_saved_rsp, user_out_rax, user_out_rdx;

__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl run_user\n"
    "run_user:\n"
    "    push %ebp\n"
    "    push %ebx\n"
    "    push %esi\n"
    "    push %edi\n"
    "    mov  %esp, user_saved_rsp\n"
    "    mov  20(%esp), %edi\n"
    "    mov  24(%esp), %esi\n"
    "    mov  $user_page + " STR(GUEST_PAGE_SIZE) " - 36, %ebx\n"
    "    mov  %edi, 32(%ebx)\n"
    "    mov  20(%esi), %eax\n"
    "    mov  %eax, 0(%ebx)\n"         /* edi */
    "    mov  16(%esi), %eax\n"
    "    mov  %eax, 4(%ebx)\n"         /* esi */
    "    mov  24(%esi), %eax\n"
    "    mov  %eax, 8(%ebx)\n"         /* ebp */
    "    mov  4(%esi), %eax\n"
    "    mov  %eax, 16(%ebx)\n"         /* ebx */
    "    mov  12(%esi), %eax\n"
    "    mov  %eax, 20(%ebx)\n"         /* edx */
    "    mov  8(%esi), %eax\n"
    "    mov  %eax, 24(%ebx)\n"         /* ecx */
    "    mov  0(%esi), %eax\n"
    "    mov  %eax, 28(%ebx)\n"         /* eax */
    "    push $" STR(FLAT_USER_SS) "\n"
    "    push %ebx\n"
    "    push $" STR(EFLAGS_MBS | EFLAGS_IF) "\n"
    "    push $" STR(FLAT_USER_CS) "\n"
    "    push $user_tramp\n"
    "    jmp  " HYPERCALL_IRET "\n"
    "    .globl user_back\n"
    "user_back:\n"
    "    mov  %eax, user_out_rax\n"
    "    mov  %edx, user_out_rdx\n"
    "    mov  user_saved_rsp, %esp\n"
    "    pop  %edi\n"
    "    pop  %esi\n"
    "    pop  %ebx\n"
    "    pop  %ebp\n"
    "    ret\n"
    "    .popsection\n"
    "    .pushsection .text.snippets, \"ax\", @progbits\n"
    "user_tramp:\n"
    "    popa\n"
    "    call *(%esp)\n"
    "    int  $0x80\n"
    "    ud2\n"
    "user_ret:\n"
    "    ret\n"
    "    .balign 4096\n"
    "snippets_end:\n"
    "    .popsection\n"
);
#endif /* __i386__ */

/* ------------------------------------------------------------ the cases */

#define NO_EC           (-1L)
#define NO_TRAP         (-1)

/* Where an exception's rip must be. */
enum rip_at
{
    AT_INSN,        /* the instruction under test (a fault) */
    AT_NEXT,        /* after it (a trap, int $n) */
    AT_RDI,         /* the input rdi (a jump or an iret there) */
};

struct expect_trap
{
    int vector;         /* NO_TRAP: none */
    long ec;            /* NO_EC: none */
    enum rip_at rip;    /* #PF: cr2 must be the input rdi */
};

#ifdef __i386__
enum reg
{
    REG_none,
    REG_eax, REG_ebx, REG_ecx, REG_edx, REG_esi, REG_edi, REG_ebp,
    REG_edx_eax,        /* as rdmsr/wrmsr see them */
};
#define REG_FIRST       REG_eax
#define REG_A           REG_eax
#define REG_D           REG_edx

static const char *const reg_name[] = {
    "", "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "edx:eax",
};

/* The register a #PF's address and a jump's target are in. */
#define IN_DI(in)       ((in).edi)
#else
enum reg
{
    REG_none,
    REG_rax, REG_rbx, REG_rcx, REG_rdx, REG_rsi, REG_rdi, REG_rbp,
    REG_r8, REG_r9, REG_r10, REG_r11, REG_r12, REG_r13, REG_r14, REG_r15,
    REG_edx_eax,        /* rdx:rax low halves, as rdmsr/wrmsr see them */
};
#define REG_FIRST       REG_rax
#define REG_A           REG_rax
#define REG_D           REG_rdx

static const char *const reg_name[] = {
    "", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10",
    "r11", "r12", "r13", "r14", "r15", "edx:eax",
};

#define IN_DI(in)       ((in).rdi)
#endif

enum value
{
    V_CONST,        /* .value */
    V_IN,           /* as the snippet was given it */
    V_NEXT,         /* the address of snip_<name>_next */
    V_FN,           /* .fn() */
};

struct reg_check
{
    enum reg reg;
    unsigned long long mask;    /* 0: all bits */
    enum value kind;
    unsigned long long value;
    unsigned long (*fn)(void);
};

enum mask_after
{
    MASK_SAME,      /* what it was before: every exception returns so */
    MASK_CLEAR,
    MASK_SET,
};

/* An event upcall the case must cause, and where it must interrupt. */
enum upcall
{
    UPCALL_ANY,         /* not checked: the backend may send one any time */
    UPCALL_AT_NEXT,     /* exactly one, at snip_<name>_next */
    UPCALL_AT_XENVER,   /* exactly one, on return from the xen_version stub */
};

struct insn_case
{
    const char *name;
    struct snippet code;
    void (*pre)(struct cpu_regs *in);
    struct cpu_regs in;
    bool masked;                /* events masked while it runs */
    struct expect_trap trap;
    struct reg_check check[4];
    enum mask_after mask_after;
    enum upcall upcall;
    unsigned long frame_flags;  /* rflags bits the frame has besides IF */
    unsigned long dr6;          /* #DB: DR6 in the handler */
    bool nest;                  /* its handler takes an int3 (32-bit) */
};

#define TRAP(v, e, at)          { .vector = (v), .ec = (e), .rip = (at) }
#define NONE                    { .vector = NO_TRAP }
#define EQ(r, v)                { REG_##r, 0, V_CONST, (v), NULL }
#define BITS(r, m, v)           { REG_##r, (m), V_CONST, (v), NULL }
#define SAME(r)                 { REG_##r, 0, V_IN, 0, NULL }
#define NEXT(r)                 { REG_##r, 0, V_NEXT, 0, NULL }
#define FN(r, f)                { REG_##r, 0, V_FN, 0, (f) }

/* A poison that an emulated instruction must not have touched. */
#ifdef __i386__
#define POISON          0xa5a5a5a5UL
#define MAGIC_RAX       0x11223344UL
#else
#define POISON          0xa5a5a5a5a5a5a5a5UL
#define MAGIC_RAX       0x1122334455667788UL
#define MAGIC_RCX       0x0c0c0c0c0c0c0c0cUL
#define MAGIC_R11       0x1111111111111111UL

/* Targets of the segment-base cases: a word to read through %fs/%gs. */
#define FS_WORD_1       0xf5f5f5f5f5f5f5f5UL
#define FS_WORD_2       0xf6f6f6f6f6f6f6f6UL
#define GS_WORD_1       0x6565656565656565UL
#define GS_WORD_2       0x6666666666666666UL
static const unsigned long fs_probe = FS_WORD_1;
static const unsigned long fs_probe2 = FS_WORD_2;
static const unsigned long gs_probe = GS_WORD_1;
static const unsigned long gs_probe2 = GS_WORD_2;
#define SHADOW_GS_1     0x0000123456789000UL
#define SHADOW_GS_2     0xffff888812345000UL
#endif

/* ------------------------------------------------------------ hooks */

static uint8_t vec_flags[256];

static void install_trap(unsigned int vec, unsigned int flags,
                         const void *entry)
{
    trap_info_t t[2] = {
        { .vector = vec, .flags = flags, .cs = FLAT_KERNEL_CS,
          .address = (unsigned long)entry },
    };
    long rc = hypercall_set_trap_table(t);

    if ( rc )
        xtf_error("set_trap_table vector %#x: %ld\n", vec, rc);
    vec_flags[vec] = flags;
}

static void set_iopl(unsigned int iopl)
{
    struct physdev_set_iopl arg = { .iopl = iopl };
    long rc = hypercall_physdev_op(PHYSDEVOP_set_iopl, &arg);

    if ( rc )
        xtf_error("set_iopl %u: %ld\n", iopl, rc);
}

#ifndef __i386__
static void set_segment_base(unsigned int which, unsigned long base)
{
    long rc = hypercall_set_segment_base(which, base);

    if ( rc )
        xtf_error("set_segment_base %u %#lx: %ld\n", which, base, rc);
}

#endif

static void set_ts(unsigned int ts)
{
    long rc = hypercall_fpu_taskswitch(ts);

    if ( rc )
        xtf_error("fpu_taskswitch %u: %ld\n", ts, rc);
}

static void pre_iopl0(struct cpu_regs *in) { set_iopl(0); }
static void pre_iopl1(struct cpu_regs *in) { set_iopl(1); }
static void pre_ts(struct cpu_regs *in) { set_ts(1); }

#ifndef __i386__

static void split_rax_rdx(struct cpu_regs *in, unsigned long v)
{
    in->rax = v & 0xffffffff;
    in->rdx = v >> 32;
}

static void pre_rdi_l4(struct cpu_regs *in) { in->rdi = start_info->pt_base; }

static void pre_fs(struct cpu_regs *in)
{
    set_segment_base(SEGBASE_FS, (unsigned long)&fs_probe);
}

static void pre_gs(struct cpu_regs *in)
{
    set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&gs_probe);
}

static void pre_shadow_gs(struct cpu_regs *in)
{
    set_segment_base(SEGBASE_GS_USER, SHADOW_GS_1);
}

static void pre_wrmsr_fs(struct cpu_regs *in)
{
    split_rax_rdx(in, (unsigned long)&fs_probe2);
}

static void pre_wrmsr_gs(struct cpu_regs *in)
{
    split_rax_rdx(in, (unsigned long)&gs_probe2);
}

static void pre_wrmsr_shadow_gs(struct cpu_regs *in)
{
    split_rax_rdx(in, SHADOW_GS_2);
}

#endif

/* The breakpoint address: DR0 := snip_bp_insn. */
static unsigned long bp_addr(void)
{
    return (unsigned long)snip_bp_insn;
}

static void pre_dr0_bp(struct cpu_regs *in)
{
#ifdef __i386__
    in->ebx = 0;
    in->ecx = bp_addr();
#else
    in->rdi = 0;
    in->rsi = bp_addr();
#endif
}

static void pre_int80_dpl3(struct cpu_regs *in)
{
    install_trap(0x80, TI_DPL3, trap_entry_0x80);
}

static void pre_int80_dpl0(struct cpu_regs *in)
{
    install_trap(0x80, 0, trap_entry_0x80);
}

static void pre_int80_dpl3_mask(struct cpu_regs *in)
{
    install_trap(0x80, TI_DPL3 | TI_MASK, trap_entry_0x80);
}

#ifndef __i386__
/* CR3 of a PV guest: the L4's frame number (a machine frame) << 12. */
static unsigned long expect_cr3(void)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;
    unsigned long pfn = (start_info->pt_base - GUEST_VIRT_BASE) >>
                        GUEST_PAGE_SHIFT;

    return p2m[pfn] << GUEST_PAGE_SHIFT;
}

#endif

/* ------------------------------------------------------------ the table */

#ifndef __i386__

/*
 * Where an upcall interrupts the xen_version stub of the hypercall page:
 * after its syscall (Xen's stub: push %rcx; push %r11; mov $n, %eax;
 * syscall; pop %r11; pop %rcx; ret).
 */
#define UPCALL_XENVER_OFFSET    (__HYPERVISOR_xen_version * 32 + 10)

/*
 * Values of the lab's L0 (Xen 4.17 on QEMU's AMD "-cpu max"). CR0: PE MP ET
 * NE WP AM PG, TS from fpu_taskswitch; CR4: PAE MCE OSFXSR OSXMMEXCPT (the
 * guest's view, not Xen's); EFER: SCE LME LMA NXE (SVME hidden); PAT: Xen's
 * fixed XEN_MSR_PAT.
 */
#define CR0_L0          0x80050033UL
#define CR4_L0          0x660UL
#define EFER_L0         0xd01UL
#define PAT_L0          0x0000050100070406UL

/*
 * CPUID through the forced-emulation prefix: the PV policy of the domain.
 * Leaf 1 hides MONITOR, PSE, SEP, MTRR, PGE and PSE36 from the raw values
 * (which a PV guest sees with a plain cpuid: AMD has no CPUID faulting) and
 * sets the hypervisor bit (QEMU sets it in the raw value too).
 */
#define CPUID_0_EAX_L0          0xdUL
#define CPUID_1_EAX_L0          0x60fb1UL
#define CPUID_1_EBX_L0          0x20800UL
#define CPUID_1_ECX_L0          0xfed83203UL
#define CPUID_1_EDX_L0          0x1fc9c3f5UL
#define CPUID_80000001_ECX_L0   0x63UL
#define CPUID_80000001_EDX_L0   0xe9d1cbf5UL
#define CPUID_40000000_EAX_L0   0x40000005UL
#define CPUID_1_ECX_RAW_L0      0xfed8320bUL
#define CPUID_1_EDX_RAW_L0      0x1fcbfbfdUL

/*
 * XSAVE on that L0: the XCR0 a vCPU starts with, leaf 0xd (x87, SSE and AVX
 * state; XSAVEOPT and XGETBV1), and AVX accepted by xsetbv.
 */
#define XCR0_START_L0           0x3UL
#define CPUID_D0_EAX_L0         0x7UL
#define CPUID_D0_ECX_L0         0x340UL
#define CPUID_D0_EBX_AVX_L0     0x340UL
#define CPUID_D1_EAX_L0         0x5UL
#define CPUID_D1_EBX_L0         0x0UL
#define CPUID_D2_EAX_L0         0x100UL
#define CPUID_D2_EBX_L0         0x240UL
#define XSETBV_AVX_L0           NONE
#define XCR0_AVX_L0             0x7UL

/* FSGSBASE on that L0: the guest may turn it on. */
#define CR4_FSGSBASE_L0         (CR4_L0 | CR4_OSXSAVE | CR4_FSGSBASE)
#define FSGSBASE_TRAP_L0        NONE

/*
 * Debug registers. DR6 in the #DB handler (mov from dr6 and get_debugreg
 * agree); DR7 reads back with bit 10; set_debugreg errors.
 */
#define DR6_SS_L0           0xffff4ff0UL
#define DR6_B0_L0           0xffff0ff1UL
#define DR6_RESET_L0        0xffff0ff0UL
#define DR7_L0_ON           0x401UL
#define DB_BP_FRAME_L0      0UL
#define SETDR_HOLE_L0       ((unsigned long)-XEN_EPERM)
#define SETDR_DR7_B11_L0    0UL
#define DR7_B11_L0          0x401UL
#define SETDR_DR7_B32_L0    ((unsigned long)-XEN_EINVAL)
#define SETDR_DR7_GD_L0     ((unsigned long)-XEN_EPERM)

static const struct insn_case cases[] = {
    /*
     * Section 1: exceptions. The frame of each is checked too (see the
     * comment at the top); #BP and #PF have the mask bit in trap_info.
     */
    { "#DE div by 0", SNIP(div0), .in = { .rax = 1, .r8 = 0 },
      .trap = TRAP(X86_EXC_DE, NO_EC, AT_INSN), .check = { SAME(rax) } },
    { "#DE div by 0, events masked", SNIP(div0), .in = { .rax = 1 },
      .masked = true, .trap = TRAP(X86_EXC_DE, NO_EC, AT_INSN) },
    { "#BP int3", SNIP(int3),
      .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
    { "#BP int3, events masked", SNIP(int3), .masked = true,
      .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
    { "#BP int $3", SNIP(int_3),
      .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
    { "#OF int $4", SNIP(int_4),
      .trap = TRAP(X86_EXC_OF, NO_EC, AT_NEXT) },
    { "#UD into (invalid in 64-bit mode)", SNIP(into),
      .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "#UD sysenter (AMD: not in long mode; Intel would take it)", SNIP(sysenter),
      .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "#UD ud2", SNIP(ud2),
      .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "#UD ud2, rsp 16-byte aligned", SNIP(ud2_rsp16),
      .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "#UD ud2 \"xen\" nop (prefix without cpuid)", SNIP(ud2_xen_nop),
      .masked = true, .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "#GP mov 0xe010 (Xen's DPL 0 data) to ds", SNIP(mov_ds),
      .in = { .rax = 0xe010 }, .trap = TRAP(X86_EXC_GP, 0xe010, AT_INSN) },
    { "#GP mov 0x1003 (no guest GDT) to ds", SNIP(mov_ds),
      .in = { .rax = 0x1003 }, .trap = TRAP(X86_EXC_GP, 0x1000, AT_INSN) },
    { "#GP mov 0xfffb (beyond the GDT) to ds", SNIP(mov_ds),
      .in = { .rax = 0xfffb }, .trap = TRAP(X86_EXC_GP, 0xfff8, AT_INSN) },
    { "mov 3 (null) to ds", SNIP(mov_ds), .in = { .rax = 3 },
      .trap = NONE },
    { "#GP read of a non-canonical address", SNIP(read_rdi),
      .in = { .rdi = ADDR_NONCANONICAL, .rax = POISON }, .masked = true,
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN), .check = { SAME(rax) } },
    { "#GP hlt (not emulated)", SNIP(hlt),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#PF read of an unmapped address", SNIP(read_rdi),
      .in = { .rdi = ADDR_UNMAPPED, .rax = POISON },
      .trap = TRAP(X86_EXC_PF, 0, AT_INSN), .check = { SAME(rax) } },
    { "mov from cr2 after #PF", SNIP(read_cr2),
      .trap = NONE, .check = { EQ(rax, ADDR_UNMAPPED) } },
    { "#PF read of an unmapped address, events masked", SNIP(read_rdi),
      .in = { .rdi = ADDR_UNMAPPED + 8 }, .masked = true,
      .trap = TRAP(X86_EXC_PF, 0, AT_INSN) },
    { "#PF write to an unmapped address", SNIP(write_rdi),
      .in = { .rdi = ADDR_UNMAPPED + 0x10 },
      .trap = TRAP(X86_EXC_PF, PFEC_WRITE, AT_INSN) },
    { "#PF jump to an unmapped address", SNIP(jmp_rdi),
      .in = { .rdi = ADDR_UNMAPPED + 0x20 },
      .trap = TRAP(X86_EXC_PF, PFEC_FETCH, AT_RDI) },
    { "#PF write to our L4 (read-only)", SNIP(rewrite_rdi),
      .pre = pre_rdi_l4,
      .trap = TRAP(X86_EXC_PF, PFEC_PRESENT | PFEC_WRITE, AT_INSN) },
    { "#PF write to the M2P (read-only)", SNIP(rewrite_rdi),
      .in = { .rdi = MACH2PHYS_VIRT_START },
      .trap = TRAP(X86_EXC_PF, PFEC_PRESENT | PFEC_WRITE, AT_INSN) },
    { "#PF read of Xen's direct map", SNIP(read_rdi),
      .in = { .rdi = ADDR_XEN_DIRECTMAP },
      .trap = TRAP(X86_EXC_PF, PFEC_PRESENT, AT_INSN) },

    /* Section 5 (here for the order): lazy FPU switching. */
    { "mov from cr0", SNIP(read_cr0), .trap = NONE,
      .check = { EQ(rax, CR0_L0) } },
    { "mov from cr0, REX.B then REX.W", SNIP(read_cr0_rex_rex), .trap = NONE,
      .check = { EQ(rax, CR0_L0) } },
    { "mov from cr0 after fpu_taskswitch(1)", SNIP(read_cr0), .pre = pre_ts,
      .trap = NONE, .check = { EQ(rax, CR0_L0 | CR0_TS) } },
    { "#NM fnop after fpu_taskswitch(1)", SNIP(fnop),
      .trap = TRAP(X86_EXC_NM, NO_EC, AT_INSN) },
    { "mov from cr0 after #NM", SNIP(read_cr0), .trap = NONE,
      .check = { EQ(rax, CR0_L0) } },
    { "fnop after #NM", SNIP(fnop), .trap = NONE },
    { "#NM xorps after fpu_taskswitch(1)", SNIP(xorps), .pre = pre_ts,
      .masked = true, .trap = TRAP(X86_EXC_NM, NO_EC, AT_INSN) },
    { "clts after fpu_taskswitch(1)", SNIP(clts), .pre = pre_ts,
      .trap = NONE },
    { "mov from cr0 after clts", SNIP(read_cr0), .trap = NONE,
      .check = { EQ(rax, CR0_L0) } },
    { "fnop after clts", SNIP(fnop), .trap = NONE },
    { "mov to cr0 setting TS", SNIP(cr0_set_ts), .trap = NONE },
    { "mov from cr0 after mov to cr0", SNIP(read_cr0), .trap = NONE,
      .check = { EQ(rax, CR0_L0 | CR0_TS) } },
    { "#NM fnop after mov to cr0", SNIP(fnop),
      .trap = TRAP(X86_EXC_NM, NO_EC, AT_INSN) },
    { "#GP mov to cr0 clearing WP", SNIP(cr0_clear_wp),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },

    /*
     * Section 2: int $n. On real hardware "int $0x40" (DPL 3) would reach
     * vector 0x40 with rip after it, "int $0x41" (DPL 0) would be #GP(0x20a)
     * at it. See the top comment for what QEMU 7.2 makes of them.
     */
    { "int $0x40 (DPL 3)", SNIP(int_40),
      .trap = TRAP(X86_EXC_GP, 0x402, AT_INSN) },
    { "int $0x41 (DPL 0)", SNIP(int_41),
      .trap = TRAP(X86_EXC_GP, 0x412, AT_INSN) },
    { "int $0x42 (DPL 3, mask)", SNIP(int_42),
      .trap = TRAP(X86_EXC_GP, 0x422, AT_INSN) },
    { "int $0x82 (Xen's DPL 1 gate)", SNIP(int_82),
      .trap = TRAP(X86_EXC_OF, NO_EC, AT_NEXT) },
    { "int $0x80, no handler", SNIP(int_80),
      .trap = TRAP(X86_EXC_GP, (0x80 << 3) | 2, AT_INSN) },
    { "int $0x80 (DPL 3)", SNIP(int_80), .pre = pre_int80_dpl3,
      .trap = TRAP(0x80, NO_EC, AT_NEXT) },
    { "int $0x40 (DPL 3) with 0x80 registered", SNIP(int_40),
      .trap = TRAP(0x80, NO_EC, AT_NEXT) },
    { "int $0x80 (DPL 0, not checked)", SNIP(int_80), .pre = pre_int80_dpl0,
      .trap = TRAP(0x80, NO_EC, AT_NEXT) },
    { "int $0x80 (DPL 3, mask)", SNIP(int_80), .pre = pre_int80_dpl3_mask,
      .trap = TRAP(0x80, NO_EC, AT_NEXT) },

    /* Section 3: emulated privileged instructions. */
    { "rdmsr FS_BASE after set_segment_base", SNIP(rdmsr), .pre = pre_fs,
      .in = { .rcx = MSR_FS_BASE }, .trap = NONE,
      .check = { EQ(edx_eax, (unsigned long)&fs_probe) } },
    { "read %fs (offset 0) after set_segment_base", SNIP(read_fs0),
      .trap = NONE, .check = { EQ(rax, FS_WORD_1) } },
    { "wrmsr FS_BASE", SNIP(wrmsr), .pre = pre_wrmsr_fs,
      .in = { .rcx = MSR_FS_BASE }, .trap = NONE },
    { "rdmsr FS_BASE after wrmsr", SNIP(rdmsr),
      .in = { .rcx = MSR_FS_BASE }, .trap = NONE,
      .check = { EQ(edx_eax, (unsigned long)&fs_probe2) } },
    { "read %fs (offset 0) after wrmsr", SNIP(read_fs0), .trap = NONE,
      .check = { EQ(rax, FS_WORD_2) } },
    { "rdmsr FS_BASE, REX before 66", SNIP(rdmsr_rex_66),
      .in = { .rcx = MSR_FS_BASE }, .trap = NONE,
      .check = { EQ(edx_eax, (unsigned long)&fs_probe2) } },
    { "#GP wrmsr FS_BASE non-canonical", SNIP(wrmsr),
      .in = { .rcx = MSR_FS_BASE, .rdx = 0x80000000 },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "rdmsr GS_BASE after set_segment_base", SNIP(rdmsr), .pre = pre_gs,
      .in = { .rcx = MSR_GS_BASE }, .trap = NONE,
      .check = { EQ(edx_eax, (unsigned long)&gs_probe) } },
    { "read %gs (offset 0) after set_segment_base", SNIP(read_gs0),
      .trap = NONE, .check = { EQ(rax, GS_WORD_1) } },
    { "wrmsr GS_BASE", SNIP(wrmsr), .pre = pre_wrmsr_gs,
      .in = { .rcx = MSR_GS_BASE }, .trap = NONE },
    { "read %gs (offset 0) after wrmsr", SNIP(read_gs0), .trap = NONE,
      .check = { EQ(rax, GS_WORD_2) } },
    { "rdmsr SHADOW_GS_BASE after set_segment_base", SNIP(rdmsr),
      .pre = pre_shadow_gs, .in = { .rcx = MSR_SHADOW_GS_BASE },
      .trap = NONE, .check = { EQ(edx_eax, SHADOW_GS_1) } },
    { "wrmsr SHADOW_GS_BASE", SNIP(wrmsr), .pre = pre_wrmsr_shadow_gs,
      .in = { .rcx = MSR_SHADOW_GS_BASE }, .trap = NONE },
    { "rdmsr SHADOW_GS_BASE after wrmsr", SNIP(rdmsr),
      .in = { .rcx = MSR_SHADOW_GS_BASE }, .trap = NONE,
      .check = { EQ(edx_eax, SHADOW_GS_2) } },
    { "rdmsr PAT", SNIP(rdmsr), .in = { .rcx = MSR_PAT }, .trap = NONE,
      .check = { EQ(edx_eax, PAT_L0) } },
    { "wrmsr PAT (same value)", SNIP(wrmsr),
      .in = { .rcx = MSR_PAT, .rax = PAT_L0 & 0xffffffff,
              .rdx = PAT_L0 >> 32 },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "rdmsr EFER", SNIP(rdmsr), .in = { .rcx = MSR_EFER }, .trap = NONE,
      .check = { EQ(edx_eax, EFER_L0) } },
    { "wrmsr EFER (same value)", SNIP(wrmsr_same),
      .in = { .rcx = MSR_EFER }, .trap = NONE },
    { "#GP wrmsr EFER clearing NXE", SNIP(wrmsr_nx_off),
      .in = { .rcx = MSR_EFER }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "rdmsr APIC_BASE", SNIP(rdmsr), .in = { .rcx = MSR_APIC_BASE },
      .trap = NONE, .check = { EQ(edx_eax, 0xfee00900) } },
    { "#GP rdmsr 0x12345678", SNIP(rdmsr),
      .in = { .rcx = MSR_UNKNOWN, .rax = POISON, .rdx = POISON },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN),
      .check = { SAME(rax), SAME(rdx) } },
    { "#GP wrmsr 0x12345678", SNIP(wrmsr), .in = { .rcx = MSR_UNKNOWN },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },

    { "forced cpuid leaf 0", SNIP(cpuid_forced), .in = { .rax = 0 },
      .trap = NONE,
      .check = { EQ(rax, CPUID_0_EAX_L0), EQ(rbx, 0x68747541),
                 EQ(rdx, 0x69746e65),
                 EQ(rcx, 0x444d4163) } },
    { "forced cpuid leaf 1", SNIP(cpuid_forced), .in = { .rax = 1 },
      .trap = NONE,
      .check = { EQ(rax, CPUID_1_EAX_L0), EQ(rbx, CPUID_1_EBX_L0),
                 EQ(rcx, CPUID_1_ECX_L0), EQ(rdx, CPUID_1_EDX_L0) } },
    { "forced cpuid leaf 1 ecx hypervisor, vmx", SNIP(cpuid_forced),
      .in = { .rax = 1 }, .trap = NONE,
      .check = { BITS(rcx, (1UL << 31) | (1UL << 5), 1UL << 31) } },
    { "forced cpuid leaf 0x80000001", SNIP(cpuid_forced),
      .in = { .rax = 0x80000001 }, .trap = NONE,
      .check = { EQ(rcx, CPUID_80000001_ECX_L0),
                 EQ(rdx, CPUID_80000001_EDX_L0), BITS(rcx, 1UL << 2, 0) } },
    { "forced cpuid leaf 0x40000000", SNIP(cpuid_forced),
      .in = { .rax = 0x40000000 }, .trap = NONE,
      .check = { EQ(rax, CPUID_40000000_EAX_L0), EQ(rbx, 0x566e6558),
                 EQ(rcx, 0x65584d4d),
                 EQ(rdx, 0x4d4d566e) } },
    { "raw cpuid leaf 1 (not intercepted)", SNIP(cpuid_raw),
      .in = { .rax = 1 }, .trap = NONE,
      .check = { EQ(rcx, CPUID_1_ECX_RAW_L0), EQ(rdx, CPUID_1_EDX_RAW_L0) } },

    { "mov from cr4", SNIP(read_cr4), .trap = NONE,
      .check = { EQ(rax, CR4_L0) } },
    { "mov from cr3", SNIP(read_cr3), .trap = NONE,
      .check = { FN(rax, expect_cr3) } },
    { "mov from dr7", SNIP(read_dr7), .trap = NONE,
      .check = { EQ(rax, 0x400) } },
    { "wbinvd (ignored)", SNIP(wbinvd), .trap = NONE },
    { "#GP invd", SNIP(invd), .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "rdtsc", SNIP(rdtsc), .trap = NONE },

    { "#GP in $0x80 with IOPL 0", SNIP(in_imm), .pre = pre_iopl0,
      .in = { .rax = MAGIC_RAX }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN),
      .check = { SAME(rax) } },
    { "#GP out $0x80 with IOPL 0", SNIP(out_imm),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP cli with IOPL 0", SNIP(cli),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "in $0x80 with set_iopl(1)", SNIP(in_imm), .pre = pre_iopl1,
      .in = { .rax = MAGIC_RAX }, .trap = NONE,
      .check = { EQ(rax, (MAGIC_RAX & ~0xffUL) | 0xff) } },
    { "in (%dx) 32-bit with set_iopl(1)", SNIP(in_dx),
      .in = { .rax = MAGIC_RAX, .rdx = 0x80 }, .trap = NONE,
      .check = { EQ(rax, 0xffffffff) } },
    { "out $0x80 with set_iopl(1)", SNIP(out_imm), .trap = NONE },
    { "cli with set_iopl(1) (no-op)", SNIP(cli), .trap = NONE },
    { "sti with set_iopl(1), events masked (no-op)", SNIP(sti),
      .masked = true, .trap = NONE },
    { "#GP sti with IOPL 0", SNIP(sti), .pre = pre_iopl0,
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },

    /* Section 4: the iret hypercall. */
    { "iret, IF=0 in the frame", SNIP(iret_if0),
      .in = { .rax = MAGIC_RAX, .rcx = MAGIC_RCX, .r11 = MAGIC_R11 },
      .trap = NONE, .mask_after = MASK_SET,
      .check = { SAME(rax), SAME(rcx), SAME(r11),
                 BITS(rbx, EFLAGS_IF | EFLAGS_IOPL, EFLAGS_IF) } },
    { "iret, IF=1 in the frame", SNIP(iret_if1), .masked = true,
      .in = { .rax = MAGIC_RAX, .rcx = MAGIC_RCX, .r11 = MAGIC_R11 },
      .trap = NONE, .mask_after = MASK_CLEAR,
      .check = { SAME(rax), SAME(rcx), SAME(r11),
                 BITS(rbx, EFLAGS_IF | EFLAGS_IOPL, EFLAGS_IF) } },
    { "iret, IOPL=3 in the frame (dropped)", SNIP(iret_iopl3),
      .in = { .rax = MAGIC_RAX }, .trap = NONE,
      .check = { SAME(rax), BITS(rbx, EFLAGS_IF | EFLAGS_IOPL, EFLAGS_IF) } },
    { "iret, VGCF_in_syscall (sysret, rcx and r11 lost)", SNIP(iret_syscall),
      .in = { .rax = MAGIC_RAX, .rcx = MAGIC_RCX, .r11 = MAGIC_R11 },
      .trap = NONE,
      .check = { SAME(rax), NEXT(rcx),
                 EQ(r11, EFLAGS_MBS | EFLAGS_IF) } },
    { "iret, IF=1 with an event pending (upcall at the target)",
      SNIP(iret_if1_pending), .masked = true, .in = { .rax = MAGIC_RAX },
      .trap = NONE, .mask_after = MASK_CLEAR, .upcall = UPCALL_AT_NEXT,
      .check = { SAME(rax) } },
    { "xen_version with an event pending (upcall on the way out)",
      SNIP(xen_version_pending), .in = { .rdi = XENVER_version },
      .trap = NONE, .upcall = UPCALL_AT_XENVER,
      .check = { EQ(rax, 0x40011) } },
    { "iret to a non-canonical rip", SNIP(iret_noncanonical),
      .in = { .rdi = ADDR_NONCANONICAL, .rax = MAGIC_RAX },
      .trap = TRAP(X86_EXC_GP, 0, AT_RDI), .check = { SAME(rax) } },

    /*
     * Section 6: debug exceptions (vector 1 in trap_info, flags 0). The
     * handler reads DR6 both ways, then sets it to 0.
     */
    { "#DB single step (TF set by popf)", SNIP(single_step),
      .in = { .rax = 1 }, .trap = TRAP(X86_EXC_DB, NO_EC, AT_NEXT),
      .frame_flags = EFLAGS_TF, .dr6 = DR6_SS_L0,
      .check = { EQ(rax, 3) } },
    { "set_debugreg(0, snippet)", SNIP(set_debugreg), .pre = pre_dr0_bp,
      .trap = NONE, .check = { EQ(rax, 0) } },
    { "get_debugreg(0)", SNIP(get_debugreg), .in = { .rdi = 0 },
      .trap = NONE, .check = { FN(rax, bp_addr) } },
    { "set_debugreg(7, L0 exec 1 byte)", SNIP(set_debugreg),
      .in = { .rdi = 7, .rsi = 1 }, .trap = NONE, .check = { EQ(rax, 0) } },
    { "get_debugreg(7) with L0", SNIP(get_debugreg), .in = { .rdi = 7 },
      .trap = NONE, .check = { EQ(rax, DR7_L0_ON) } },
    { "mov from dr7 with L0", SNIP(read_dr7), .trap = NONE,
      .check = { EQ(rax, DR7_L0_ON) } },
    { "#DB instruction breakpoint DR0", SNIP(bp),
      .trap = TRAP(X86_EXC_DB, NO_EC, AT_INSN),
      .frame_flags = DB_BP_FRAME_L0, .dr6 = DR6_B0_L0 },
    { "set_debugreg(7, 0)", SNIP(set_debugreg),
      .in = { .rdi = 7, .rsi = 0 }, .trap = NONE, .check = { EQ(rax, 0) } },
    { "get_debugreg(7) after disable", SNIP(get_debugreg),
      .in = { .rdi = 7 }, .trap = NONE, .check = { EQ(rax, 0x400) } },
    { "bp snippet with DR7 off", SNIP(bp), .trap = NONE },
    { "get_debugreg(6) after set to 0", SNIP(get_debugreg),
      .in = { .rdi = 6 }, .trap = NONE, .check = { EQ(rax, DR6_RESET_L0) } },
    { "set_debugreg(0, hypervisor hole)", SNIP(set_debugreg),
      .in = { .rdi = 0, .rsi = 0xffff800000000000UL }, .trap = NONE,
      .check = { EQ(rax, SETDR_HOLE_L0) } },
    { "set_debugreg(7, L0 | bit 11 (reserved))", SNIP(set_debugreg),
      .in = { .rdi = 7, .rsi = 1 | (1UL << 11) }, .trap = NONE,
      .check = { EQ(rax, SETDR_DR7_B11_L0) } },
    { "get_debugreg(7) after L0 | bit 11", SNIP(get_debugreg),
      .in = { .rdi = 7 }, .trap = NONE, .check = { EQ(rax, DR7_B11_L0) } },
    { "set_debugreg(7, L0 | GD)", SNIP(set_debugreg),
      .in = { .rdi = 7, .rsi = 1 | (1UL << 13) }, .trap = NONE,
      .check = { EQ(rax, SETDR_DR7_GD_L0) } },
    { "set_debugreg(7, L0 | bit 32)", SNIP(set_debugreg),
      .in = { .rdi = 7, .rsi = 1 | (1UL << 32) }, .trap = NONE,
      .check = { EQ(rax, SETDR_DR7_B32_L0) } },
    { "get_debugreg(7) after refused sets", SNIP(get_debugreg),
      .in = { .rdi = 7 }, .trap = NONE, .check = { EQ(rax, DR7_B11_L0) } },
    { "set_debugreg(7, 0) again", SNIP(set_debugreg),
      .in = { .rdi = 7, .rsi = 0 }, .trap = NONE, .check = { EQ(rax, 0) } },
    { "get_debugreg(7) after disable again", SNIP(get_debugreg),
      .in = { .rdi = 7 }, .trap = NONE, .check = { EQ(rax, 0x400) } },
    { "set_debugreg(0, 0)", SNIP(set_debugreg),
      .in = { .rdi = 0, .rsi = 0 }, .trap = NONE, .check = { EQ(rax, 0) } },

    /*
     * XSAVE: the XCR0 a PV vCPU starts with, CPUID leaf 0xd for it (EBX
     * follows XCR0); XSETBV is #UD until the guest sets CR4.OSXSAVE (its
     * own copy: the forced CPUID shows OSXSAVE all along), then allowed
     * within the PV policy (Xen's valid_xcr0: x87 always, AVX with SSE,
     * AVX-512 whole and with AVX; no MPX or PKRU for PV).
     */
    { "#UD xsetbv XCR0 := x87|SSE before CR4.OSXSAVE", SNIP(xsetbv),
      .in = { .rcx = 0, .rax = 3 }, .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "mov to cr4 setting OSXSAVE", SNIP(cr4_set_osxsave), .trap = NONE },
    { "mov from cr4 after it", SNIP(read_cr4), .trap = NONE,
      .check = { EQ(rax, CR4_L0 | CR4_OSXSAVE) } },
    { "xgetbv XCR0 (as the vCPU starts)", SNIP(xgetbv), .in = { .rcx = 0 },
      .trap = NONE, .check = { EQ(edx_eax, XCR0_START_L0) } },
    { "forced cpuid leaf 0xd.0, XCR0 x87|SSE", SNIP(cpuid_forced),
      .in = { .rax = 0xd, .rcx = 0 }, .trap = NONE,
      .check = { EQ(rax, CPUID_D0_EAX_L0), EQ(rbx, 576),
                 EQ(rcx, CPUID_D0_ECX_L0), EQ(rdx, 0) } },
    { "forced cpuid leaf 0xd.1", SNIP(cpuid_forced),
      .in = { .rax = 0xd, .rcx = 1 }, .trap = NONE,
      .check = { EQ(rax, CPUID_D1_EAX_L0), EQ(rbx, CPUID_D1_EBX_L0),
                 EQ(rcx, 0), EQ(rdx, 0) } },
    { "forced cpuid leaf 0xd.2 (AVX state)", SNIP(cpuid_forced),
      .in = { .rax = 0xd, .rcx = 2 }, .trap = NONE,
      .check = { EQ(rax, CPUID_D2_EAX_L0), EQ(rbx, CPUID_D2_EBX_L0),
                 EQ(rcx, 0), EQ(rdx, 0) } },
    { "forced cpuid leaf 0xd.3 (MPX: never PV)", SNIP(cpuid_forced),
      .in = { .rax = 0xd, .rcx = 3 }, .trap = NONE,
      .check = { EQ(rax, 0), EQ(rbx, 0), EQ(rcx, 0), EQ(rdx, 0) } },
    { "forced cpuid leaf 0xd.9 (PKRU: never PV)", SNIP(cpuid_forced),
      .in = { .rax = 0xd, .rcx = 9 }, .trap = NONE,
      .check = { EQ(rax, 0), EQ(rbx, 0), EQ(rcx, 0), EQ(rdx, 0) } },
    { "#GP xsetbv XCR1", SNIP(xsetbv), .in = { .rcx = 1, .rax = 3 },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP xsetbv XCR0 := 0", SNIP(xsetbv), .in = { .rcx = 0, .rax = 0 },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP xsetbv XCR0 := SSE (no x87)", SNIP(xsetbv),
      .in = { .rcx = 0, .rax = 2 }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP xsetbv XCR0 := x87|AVX (AVX without SSE)", SNIP(xsetbv),
      .in = { .rcx = 0, .rax = 5 }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP xsetbv XCR0 := x87|SSE|AVX|MPX", SNIP(xsetbv),
      .in = { .rcx = 0, .rax = 0x1f }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP xsetbv XCR0 := x87|SSE|AVX|PKRU", SNIP(xsetbv),
      .in = { .rcx = 0, .rax = 0x207 }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP xsetbv XCR0 := x87|SSE|AVX|opmask (part of AVX-512)", SNIP(xsetbv),
      .in = { .rcx = 0, .rax = 0x27 }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP xsetbv XCR0 bit 63", SNIP(xsetbv),
      .in = { .rcx = 0, .rax = 3, .rdx = 1UL << 31 },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "xgetbv XCR0 after refused xsetbvs", SNIP(xgetbv), .in = { .rcx = 0 },
      .trap = NONE, .check = { EQ(edx_eax, XCR0_START_L0) } },
    { "xsetbv XCR0 := x87|SSE|AVX", SNIP(xsetbv), .in = { .rcx = 0, .rax = 7 },
      .trap = XSETBV_AVX_L0 },
    { "xgetbv XCR0 after it", SNIP(xgetbv), .in = { .rcx = 0 },
      .trap = NONE, .check = { EQ(edx_eax, XCR0_AVX_L0) } },
    { "forced cpuid leaf 0xd.0 EBX after it", SNIP(cpuid_forced),
      .in = { .rax = 0xd, .rcx = 0 }, .trap = NONE,
      .check = { EQ(rbx, CPUID_D0_EBX_AVX_L0) } },
    { "xsetbv XCR0 := x87 alone", SNIP(xsetbv), .in = { .rcx = 0, .rax = 1 },
      .trap = NONE },
    { "xsetbv XCR0 := x87|SSE (back)", SNIP(xsetbv),
      .in = { .rcx = 0, .rax = 3 }, .trap = NONE },
    { "xgetbv XCR0 at the end", SNIP(xgetbv), .in = { .rcx = 0 },
      .trap = NONE, .check = { EQ(edx_eax, 3) } },

    /*
     * FSGSBASE as Xen gives it to a PV guest: off until the guest sets its
     * CR4.FSGSBASE (which the hardware then follows), and then the guest's
     * own: RDFSBASE/WRFSBASE and the GS pair act on the hardware bases the
     * MSRs and set_segment_base see.
     */
    { "#UD rdfsbase before CR4.FSGSBASE", SNIP(rdfsbase),
      .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "mov to cr4 setting FSGSBASE", SNIP(cr4_set_fsgsbase), .trap = NONE },
    { "mov from cr4 after it (FSGSBASE)", SNIP(read_cr4), .trap = NONE,
      .check = { EQ(rax, CR4_FSGSBASE_L0) } },
    { "wrfsbase", SNIP(wrfsbase), .in = { .rax = (unsigned long)&fs_probe2 },
      .trap = FSGSBASE_TRAP_L0 },
    { "read %fs (offset 0) after wrfsbase", SNIP(read_fs0), .trap = NONE,
      .check = { EQ(rax, FS_WORD_2) } },
    { "rdmsr FS_BASE after wrfsbase", SNIP(rdmsr), .in = { .rcx = MSR_FS_BASE },
      .trap = NONE, .check = { EQ(edx_eax, (unsigned long)&fs_probe2) } },
    { "rdfsbase after it", SNIP(rdfsbase), .trap = FSGSBASE_TRAP_L0,
      .check = { EQ(rax, (unsigned long)&fs_probe2) } },
    { "wrgsbase (the kernel's GS)", SNIP(wrgsbase),
      .in = { .rax = (unsigned long)&gs_probe2 }, .trap = FSGSBASE_TRAP_L0 },
    { "rdmsr GS_BASE after wrgsbase", SNIP(rdmsr), .in = { .rcx = MSR_GS_BASE },
      .trap = NONE, .check = { EQ(edx_eax, (unsigned long)&gs_probe2) } },
    { "rdgsbase after it", SNIP(rdgsbase), .trap = FSGSBASE_TRAP_L0,
      .check = { EQ(rax, (unsigned long)&gs_probe2) } },
    /*
     * A real CPU raises #GP(0) here; QEMU 7.2 (the lab's CPU) takes the
     * base, so the guest, directly or under a shim, has it. Not the
     * hypervisor's doing either way: the instruction is not intercepted.
     */
    { "wrfsbase of a non-canonical base (QEMU: taken; real CPUs: #GP)",
      SNIP(wrfsbase), .in = { .rax = ADDR_NONCANONICAL }, .trap = NONE },
    { "rdmsr FS_BASE after it", SNIP(rdmsr), .in = { .rcx = MSR_FS_BASE },
      .trap = NONE, .check = { EQ(edx_eax, ADDR_NONCANONICAL) } },
    { "wrfsbase back to a good base", SNIP(wrfsbase),
      .in = { .rax = (unsigned long)&fs_probe2 }, .trap = FSGSBASE_TRAP_L0 },
    { "mov to cr4 clearing FSGSBASE", SNIP(cr4_clear_fsgsbase), .trap = NONE },
    { "#UD rdgsbase after it", SNIP(rdgsbase),
      .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "rdmsr FS_BASE still the one wrfsbase set", SNIP(rdmsr),
      .in = { .rcx = MSR_FS_BASE }, .trap = NONE,
      .check = { EQ(edx_eax, (unsigned long)&fs_probe2) } },

    /*
     * I/O breakpoints: DR7 R/W 10b needs CR4.DE; then the hypervisor, which
     * emulates the guest's port accesses (here under IOPL 1), raises the
     * #DB after the instruction, with the breakpoint's bit in DR6.
     */
    { "set_debugreg(7, I/O breakpoint) without CR4.DE", SNIP(set_debugreg),
      .in = { .rdi = 7, .rsi = DR7_IO_BP0 }, .trap = NONE,
      .check = { EQ(rax, (unsigned long)-XEN_EPERM) } },
    { "mov to cr4 setting DE", SNIP(cr4_set_de), .trap = NONE },
    { "set_debugreg(0, port 0x80)", SNIP(set_debugreg),
      .in = { .rdi = 0, .rsi = 0x80 }, .trap = NONE, .check = { EQ(rax, 0) } },
    { "set_debugreg(7, I/O breakpoint 0, one byte)", SNIP(set_debugreg),
      .in = { .rdi = 7, .rsi = DR7_IO_BP0 }, .trap = NONE,
      .check = { EQ(rax, 0) } },
    { "get_debugreg(7) with the I/O breakpoint", SNIP(get_debugreg),
      .in = { .rdi = 7 }, .trap = NONE, .check = { EQ(rax, DR7_IO_BP0 | 0x400) } },
    { "#DB in $0x80 (IOPL 1) on the I/O breakpoint", SNIP(in_imm),
      .pre = pre_iopl1, .trap = TRAP(X86_EXC_DB, NO_EC, AT_NEXT),
      .dr6 = DR6_B0_L0 },
    { "in $0x81 beside it", SNIP(in_imm_81), .trap = NONE },
    { "set_debugreg(7, 0) after the I/O breakpoint", SNIP(set_debugreg),
      .in = { .rdi = 7, .rsi = 0 }, .trap = NONE, .check = { EQ(rax, 0) } },
    { "mov to cr4 clearing DE", SNIP(cr4_clear_de), .trap = NONE },
    { "#GP in $0x80 with IOPL 0 again", SNIP(in_imm), .pre = pre_iopl0,
      .in = { .rax = MAGIC_RAX }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN),
      .check = { SAME(rax) } },
};

/*
 * The x87, SSE and AVX registers across what the hypervisor does for the
 * guest: loaded before these, compared after (the C code here never touches
 * them: -mno-sse). XCR0 has AVX for the duration where L0 allows it.
 */
static const struct insn_case fpu_cases[] = {
    { "with FPU state: #BP int3", SNIP(int3),
      .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
    { "with FPU state: #PF read of an unmapped address", SNIP(read_rdi),
      .in = { .rdi = ADDR_UNMAPPED, .rax = POISON },
      .trap = TRAP(X86_EXC_PF, 0, AT_INSN) },
    { "with FPU state: forced cpuid leaf 1", SNIP(cpuid_forced),
      .in = { .rax = 1 }, .trap = NONE, .check = { EQ(rax, CPUID_1_EAX_L0) } },
    { "with FPU state: rdmsr PAT", SNIP(rdmsr), .in = { .rcx = MSR_PAT },
      .trap = NONE, .check = { EQ(edx_eax, PAT_L0) } },
    { "with FPU state: xen_version with an event pending",
      SNIP(xen_version_pending), .in = { .rdi = XENVER_version },
      .trap = NONE, .upcall = UPCALL_AT_XENVER,
      .check = { EQ(rax, 0x40011) } },
    { "with FPU state: #NM fnop after fpu_taskswitch(1)", SNIP(fnop),
      .pre = pre_ts, .trap = TRAP(X86_EXC_NM, NO_EC, AT_INSN) },
    { "with FPU state: clts after fpu_taskswitch(1)", SNIP(clts),
      .pre = pre_ts, .trap = NONE },
};

/* The batch the multicall_iret snippet runs: the iret, then one not run. */
static multicall_entry_t mc_iret_list[2];

static void pre_multicall_iret(struct cpu_regs *in)
{
    memset(mc_iret_list, 0, sizeof(mc_iret_list));
    mc_iret_list[0].op = __HYPERVISOR_iret;
    mc_iret_list[0].result = POISON;
    mc_iret_list[1].op = __HYPERVISOR_xen_version;
    mc_iret_list[1].args[0] = XENVER_version;
    mc_iret_list[1].result = POISON;
    in->rdi = (unsigned long)mc_iret_list;
}

static unsigned long mc_iret_result0(void) { return mc_iret_list[0].result; }
static unsigned long mc_iret_result1(void) { return mc_iret_list[1].result; }

static const struct insn_case multicall_iret_case = {
    "multicall [iret, xen_version]: the iret ends the batch", SNIP(multicall_iret),
    .pre = pre_multicall_iret, .masked = true,
    .in = { .r11 = MAGIC_R11, .rcx = MAGIC_RCX }, .trap = NONE,
    .mask_after = MASK_CLEAR,
    /* rax: the multicall's result, Xen's "int rc" (do_multicall) of it. */
    .check = { EQ(rdx, 1), EQ(rax, (unsigned long)(long)(int)MAGIC_R11),
               EQ(r11, MAGIC_RCX) },
};

static void check_line(const char *name, const char *what, const char *got,
                       const char *expected);

/* What the batch holds afterwards: the iret's result, the other untouched. */
static void multicall_iret_results(void)
{
    char g[24], e[24];

    snprintf(g, sizeof(g), "%#lx", mc_iret_result0());
    snprintf(e, sizeof(e), "%#lx", MAGIC_R11);
    check_line(multicall_iret_case.name, " entry 0 result", g, e);
    snprintf(g, sizeof(g), "%#lx", mc_iret_result1());
    snprintf(e, sizeof(e), "%#lx", POISON);
    check_line(multicall_iret_case.name, " entry 1 result (not run)", g, e);
}

/*
 * Guest user mode (the same page tables as NEW_USER_BASEPTR, entered by
 * iret to ring 3; exceptions bounce to the kernel stack stack_switch gave):
 * the instructions emulated for the kernel are #GP(0) here, as Xen's
 * emulator sees user mode as ring 3. CPUID and "int3" stay allowed.
 */
static const struct insn_case user_cases[] = {
    { "user mode: #GP rdmsr FS_BASE", SNIP(rdmsr),
      .in = { .rcx = MSR_FS_BASE, .rax = POISON },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN), .check = { SAME(rax) } },
    { "user mode: #GP wrmsr SHADOW_GS_BASE", SNIP(wrmsr),
      .in = { .rcx = MSR_SHADOW_GS_BASE, .rax = 0x1000, .rdx = 0 },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP mov from cr0", SNIP(read_cr0), .in = { .rax = POISON },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN), .check = { SAME(rax) } },
    { "user mode: #GP mov from cr3", SNIP(read_cr3),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP mov to cr0 (TS)", SNIP(write_cr0),
      .in = { .rax = CR0_L0 | CR0_TS }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP clts", SNIP(clts),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP mov from dr7", SNIP(read_dr7),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP wbinvd", SNIP(wbinvd),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP hlt", SNIP(hlt), .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP xsetbv XCR0 := x87|SSE", SNIP(xsetbv),
      .in = { .rcx = 0, .rax = 3 }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP cli (IOPL 0)", SNIP(cli),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: xgetbv (not trapped)", SNIP(xgetbv), .in = { .rcx = 0 },
      .trap = NONE, .check = { EQ(edx_eax, 3) } },
    { "user mode: forced cpuid leaf 0", SNIP(cpuid_forced), .in = { .rax = 0 },
      .trap = NONE, .check = { EQ(rax, CPUID_0_EAX_L0) } },
    { "user mode: #BP int3", SNIP(int3), .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
};

#else /* __i386__ */

/*
 * A 32-bit kernel's expectations are Xen's for a 32-bit PV guest (the lab's
 * L0 runs none: tests/lab compares our shim with Debian's xen-shim). Where
 * the CPU decides (CR0, CR4, CPUID), only the bits Xen sets are checked.
 */
#define UPCALL_XENVER_OFFSET    (__HYPERVISOR_xen_version * 32 + STUB_RET_OFFSET)
#define CR0_PE          0x00000001UL
#define CR0_PG          0x80000000UL
#define CR4_PAE         0x00000020UL
#define XEN_MSR_PAT     0x0000050100070406ULL   /* Xen's fixed PAT (processor.h) */
#define DR6_SS          0xffff4ff0UL            /* BS, reserved bits 1 */
#define DR6_B0          0xffff0ff1UL
#define DR6_RESET       0xffff0ff0UL
#define XENVER_4_17     0x40011UL


static void pre_edi_l3(struct cpu_regs *in) { in->edi = start_info->pt_base; }
/* bound's pair, readable from ring 3: 0x10 <= eax <= 0x20 */
static void pre_bound(struct cpu_regs *in)
{
    user_page.bounds[0] = 0x10;
    user_page.bounds[1] = 0x20;
    in->edi = (unsigned long)user_page.bounds;
}
static void pre_edi_kernel(struct cpu_regs *in) { in->edi = (unsigned long)vcpu_page + 0x800; }
static void pre_edi_user_page(struct cpu_regs *in) { in->edi = (unsigned long)&user_page; }
static void pre_edi_user_ret(struct cpu_regs *in) { in->edi = (unsigned long)user_ret; }
static void pre_iopl3(struct cpu_regs *in) { set_iopl(3); }

/*
 * set_trap_table takes entries up to one with address 0 (compat_set_trap_table),
 * each replacing its vector's: the second of two for 0x80 stays, the third,
 * after the end, is not read.
 */
static void pre_int80_list(struct cpu_regs *in)
{
    trap_info_t t[] = {
        { 0x80, TI_DPL3, FLAT_KERNEL_CS, (unsigned long)trap_entry_0x41 },
        { 0x80, TI_DPL3 | TI_MASK, FLAT_KERNEL_CS, (unsigned long)trap_entry_0x42 },
        { 0, 0, 0, 0 },
        { 0x80, TI_DPL3, FLAT_KERNEL_CS, (unsigned long)trap_entry_0x43 },
    };
    long rc = hypercall_set_trap_table(t);

    if ( rc )
        xtf_error("set_trap_table of a list: %ld\n", rc);
    vec_flags[0x80] = TI_DPL3 | TI_MASK;
}

/*
 * An entry with a null code selector is no handler for a 32-bit guest
 * (null_trap_bounce: cs & ~3, the address aside): int $0x80 takes Xen's slow
 * path, #GP((0x80 << 3) | 2) as from a DPL 0 gate, its entry being DPL 0.
 */
static void pre_int80_null(struct cpu_regs *in)
{
    trap_info_t t[2] = { { 0x80, 0, 0, (unsigned long)trap_entry_0x80 } };
    long rc = hypercall_set_trap_table(t);

    if ( rc )
        xtf_error("set_trap_table 0x80 with cs 0: %ld\n", rc);
    vec_flags[0x80] = 0;
}

/* The syscall32 callback (compat_syscall), events masked. */
static void pre_syscall32(struct cpu_regs *in)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_syscall32,
        .flags = CALLBACKF_mask_events,
        .address = { FLAT_KERNEL_CS, (unsigned long)trap_entry_0x101 },
    };
    long rc = hypercall_callback_op(CALLBACKOP_register, &cb);

    if ( rc )
        xtf_error("callback_op register syscall32: %ld\n", rc);
}

static const struct insn_case cases[] = {
    /* Section 1: exceptions, with their frames (see run_case()). */
    { "#DE div by 0", SNIP(div0), .in = { .eax = 1, .esi = 0 },
      .trap = TRAP(X86_EXC_DE, NO_EC, AT_INSN), .check = { SAME(eax) } },
    { "#DE div by 0, events masked", SNIP(div0), .in = { .eax = 1 },
      .masked = true, .trap = TRAP(X86_EXC_DE, NO_EC, AT_INSN) },
    { "#BP int3", SNIP(int3),
      .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
    { "#BP int3, events masked", SNIP(int3), .masked = true,
      .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
    { "#BP int $3", SNIP(int_3),
      .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
    { "#OF int $4", SNIP(int_4),
      .trap = TRAP(X86_EXC_OF, NO_EC, AT_NEXT) },
    { "#OF into with OF set (a trap in 32-bit code)", SNIP(into_of),
      .trap = TRAP(X86_EXC_OF, NO_EC, AT_NEXT) },
    { "into with OF clear", SNIP(into), .trap = NONE },
    { "#BR bound, eax above the upper bound", SNIP(bound), .pre = pre_bound,
      .in = { .eax = 0x21 }, .trap = TRAP(X86_EXC_BR, NO_EC, AT_INSN) },
    { "#BR bound, eax below the lower bound, events masked", SNIP(bound),
      .pre = pre_bound, .in = { .eax = 0xf }, .masked = true,
      .trap = TRAP(X86_EXC_BR, NO_EC, AT_INSN) },
    { "bound, eax within", SNIP(bound), .pre = pre_bound,
      .in = { .eax = 0x20 }, .trap = NONE },
    { "#UD ud2", SNIP(ud2),
      .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "#UD ud2 \"xen\" nop (prefix without cpuid)", SNIP(ud2_xen_nop),
      .masked = true, .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "#GP mov 0xe010 (Xen's DPL 0 data) to ds", SNIP(mov_ds),
      .in = { .eax = 0xe010 }, .trap = TRAP(X86_EXC_GP, 0xe010, AT_INSN) },
    { "#GP mov 0x1003 (no guest GDT) to ds", SNIP(mov_ds),
      .in = { .eax = 0x1003 }, .trap = TRAP(X86_EXC_GP, 0x1000, AT_INSN) },
    { "#GP mov 0xfffb (beyond the GDT) to ds", SNIP(mov_ds),
      .in = { .eax = 0xfffb }, .trap = TRAP(X86_EXC_GP, 0xfff8, AT_INSN) },
    { "mov 0 (null) to ds", SNIP(mov_ds), .in = { .eax = 0 }, .trap = NONE },
    { "mov 0xe033 (FLAT_RING3_DS) to ds", SNIP(mov_ds),
      .in = { .eax = FLAT_RING3_DS }, .trap = NONE },
    { "#GP hlt (not emulated)", SNIP(hlt),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#PF read of an unmapped address", SNIP(read_edi),
      .in = { .edi = ADDR_UNMAPPED, .eax = POISON },
      .trap = TRAP(X86_EXC_PF, 0, AT_INSN), .check = { SAME(eax) } },
    { "mov from cr2 after #PF", SNIP(read_cr2),
      .trap = NONE, .check = { EQ(eax, ADDR_UNMAPPED) } },
    { "#PF read of an unmapped address, events masked", SNIP(read_edi),
      .in = { .edi = ADDR_UNMAPPED + 8 }, .masked = true,
      .trap = TRAP(X86_EXC_PF, 0, AT_INSN) },
    { "#PF write to an unmapped address", SNIP(write_edi),
      .in = { .edi = ADDR_UNMAPPED + 0x10 },
      .trap = TRAP(X86_EXC_PF, PFEC_WRITE, AT_INSN) },
    { "#PF jump to an unmapped address", SNIP(jmp_edi),
      .in = { .edi = ADDR_UNMAPPED + 0x20 },
      .trap = TRAP(X86_EXC_PF, PFEC_FETCH, AT_RDI) },
    { "#PF write to our L3 (read-only)", SNIP(rewrite_edi),
      .pre = pre_edi_l3,
      .trap = TRAP(X86_EXC_PF, PFEC_PRESENT | PFEC_WRITE, AT_INSN) },
    { "#PF write to the M2P (read-only)", SNIP(rewrite_edi),
      .in = { .edi = MACH2PHYS_VIRT_START },
      .trap = TRAP(X86_EXC_PF, PFEC_PRESENT | PFEC_WRITE, AT_INSN) },
    { "#PF read of an unmapped address, int3 in its handler", SNIP(read_edi),
      .in = { .edi = ADDR_UNMAPPED + 0x30 }, .nest = true,
      .trap = TRAP(X86_EXC_PF, 0, AT_INSN) },
    { "#DE div by 0, int3 in its handler", SNIP(div0), .in = { .eax = 1 },
      .nest = true, .trap = TRAP(X86_EXC_DE, NO_EC, AT_INSN) },

    /* Section 5: lazy FPU switching. */
    { "mov from cr0: PE and PG, no TS", SNIP(read_cr0), .trap = NONE,
      .check = { BITS(eax, CR0_PE | CR0_PG | CR0_TS, CR0_PE | CR0_PG) } },
    { "mov from cr0 after fpu_taskswitch(1)", SNIP(read_cr0), .pre = pre_ts,
      .trap = NONE, .check = { BITS(eax, CR0_TS, CR0_TS) } },
    { "#NM fnop after fpu_taskswitch(1)", SNIP(fnop),
      .trap = TRAP(X86_EXC_NM, NO_EC, AT_INSN) },
    { "mov from cr0 after #NM", SNIP(read_cr0), .trap = NONE,
      .check = { BITS(eax, CR0_TS, 0) } },
    { "fnop after #NM", SNIP(fnop), .trap = NONE },
    { "#NM xorps after fpu_taskswitch(1)", SNIP(xorps), .pre = pre_ts,
      .masked = true, .trap = TRAP(X86_EXC_NM, NO_EC, AT_INSN) },
    { "clts after fpu_taskswitch(1)", SNIP(clts), .pre = pre_ts,
      .trap = NONE },
    { "mov from cr0 after clts", SNIP(read_cr0), .trap = NONE,
      .check = { BITS(eax, CR0_TS, 0) } },
    { "fnop after clts", SNIP(fnop), .trap = NONE },
    { "mov to cr0 setting TS", SNIP(cr0_set_ts), .trap = NONE },
    { "mov from cr0 after mov to cr0", SNIP(read_cr0), .trap = NONE,
      .check = { BITS(eax, CR0_TS, CR0_TS) } },
    { "#NM fnop after mov to cr0", SNIP(fnop),
      .trap = TRAP(X86_EXC_NM, NO_EC, AT_INSN) },
    { "#GP mov to cr0 clearing WP", SNIP(cr0_clear_wp),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },

    /*
     * Section 2: int $n from ring 1: delivered where the entry's DPL is 1
     * or more (permit_softint), else #GP((n << 3) | 2) at the int. Xen's
     * own IDT gate for 0x80 is DPL 3 (int80_direct_trap): its entry's DPL
     * is not checked, and with no handler it is the same #GP.
     */
    { "int $0x40 (DPL 3)", SNIP(int_40),
      .trap = TRAP(0x40, NO_EC, AT_NEXT) },
    { "int $0x41 (DPL 0)", SNIP(int_41),
      .trap = TRAP(X86_EXC_GP, (0x41 << 3) | 2, AT_INSN) },
    { "int $0x42 (DPL 3, mask)", SNIP(int_42),
      .trap = TRAP(0x42, NO_EC, AT_NEXT) },
    { "int $0x43 (DPL 1: ring 1 may)", SNIP(int_43),
      .trap = TRAP(0x43, NO_EC, AT_NEXT) },
    { "int $0x80, no handler", SNIP(int_80),
      .trap = TRAP(X86_EXC_GP, (0x80 << 3) | 2, AT_INSN) },
    { "int $0x80 (DPL 3)", SNIP(int_80), .pre = pre_int80_dpl3,
      .trap = TRAP(0x80, NO_EC, AT_NEXT) },
    { "int $0x80 (DPL 0, not checked)", SNIP(int_80), .pre = pre_int80_dpl0,
      .trap = TRAP(0x80, NO_EC, AT_NEXT) },
    { "int $0x80 (DPL 3, mask)", SNIP(int_80), .pre = pre_int80_dpl3_mask,
      .trap = TRAP(0x80, NO_EC, AT_NEXT) },
    { "int $0x80 after set_trap_table [0x80: 0x41's, 0x80: 0x42's, end, 0x80: 0x43's]",
      SNIP(int_80), .pre = pre_int80_list,
      .trap = TRAP(0x42, NO_EC, AT_NEXT) },
    { "int $0x80, its entry with a null cs (DPL 0)", SNIP(int_80),
      .pre = pre_int80_null,
      .trap = TRAP(X86_EXC_GP, (0x80 << 3) | 2, AT_INSN) },
    { "int $0x80, its entry back (DPL 3)", SNIP(int_80), .pre = pre_int80_dpl3,
      .trap = TRAP(0x80, NO_EC, AT_NEXT) },

    /* Section 3: emulated privileged instructions, as Xen's for 32-bit. */
    { "rdmsr PAT", SNIP(rdmsr), .in = { .ecx = MSR_PAT }, .trap = NONE,
      .check = { EQ(edx_eax, XEN_MSR_PAT) } },
    { "#GP wrmsr PAT (same value)", SNIP(wrmsr),
      .in = { .ecx = MSR_PAT, .eax = (uint32_t)XEN_MSR_PAT,
              .edx = XEN_MSR_PAT >> 32 },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP rdmsr 0x12345678", SNIP(rdmsr),
      .in = { .ecx = MSR_UNKNOWN, .eax = POISON, .edx = POISON },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN),
      .check = { SAME(eax), SAME(edx) } },
    { "#GP wrmsr 0x12345678", SNIP(wrmsr), .in = { .ecx = MSR_UNKNOWN },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "forced cpuid leaf 0x40000000", SNIP(cpuid_forced),
      .in = { .eax = 0x40000000 }, .trap = NONE,
      .check = { EQ(eax, 0x40000000 + XEN_CPUID_MAX_NUM_LEAVES),
                 EQ(ebx, XEN_CPUID_SIGNATURE_EBX),
                 EQ(ecx, XEN_CPUID_SIGNATURE_ECX),
                 EQ(edx, XEN_CPUID_SIGNATURE_EDX) } },
    { "forced cpuid leaf 1 ecx hypervisor", SNIP(cpuid_forced),
      .in = { .eax = 1 }, .trap = NONE,
      .check = { BITS(ecx, 1UL << 31, 1UL << 31) } },
    { "mov from cr4: PAE", SNIP(read_cr4), .trap = NONE,
      .check = { BITS(eax, CR4_PAE, CR4_PAE) } },
    { "mov from dr7", SNIP(read_dr7), .trap = NONE,
      .check = { EQ(eax, 0x400) } },
    { "wbinvd (ignored)", SNIP(wbinvd), .trap = NONE },
    { "#GP invd", SNIP(invd), .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "rdtsc", SNIP(rdtsc), .trap = NONE },
    { "#GP in $0x80 with IOPL 0", SNIP(in_imm), .pre = pre_iopl0,
      .in = { .eax = MAGIC_RAX }, .trap = TRAP(X86_EXC_GP, 0, AT_INSN),
      .check = { SAME(eax) } },
    { "#GP out $0x80 with IOPL 0", SNIP(out_imm),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "#GP cli with IOPL 0", SNIP(cli),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "in $0x80 with set_iopl(1)", SNIP(in_imm), .pre = pre_iopl1,
      .in = { .eax = MAGIC_RAX }, .trap = NONE,
      .check = { EQ(eax, (MAGIC_RAX & ~0xffUL) | 0xff) } },
    { "in (%dx) 32-bit with set_iopl(1)", SNIP(in_dx),
      .in = { .eax = MAGIC_RAX, .edx = 0x80 }, .trap = NONE,
      .check = { EQ(eax, 0xffffffff) } },
    { "out $0x80 with set_iopl(1)", SNIP(out_imm), .trap = NONE },
    { "cli with set_iopl(1) (no-op)", SNIP(cli), .trap = NONE },
    { "sti with set_iopl(1), events masked (no-op)", SNIP(sti),
      .masked = true, .trap = NONE },
    { "#GP sti with IOPL 0", SNIP(sti), .pre = pre_iopl0,
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },

    /* Section 4: the iret hypercall (compat_iret). */
    { "iret, IF=0 in the frame", SNIP(iret_if0), .in = { .eax = MAGIC_RAX },
      .trap = NONE, .mask_after = MASK_SET,
      .check = { SAME(eax), BITS(ebx, EFLAGS_IF | EFLAGS_IOPL, EFLAGS_IF) } },
    { "iret, IF=1 in the frame", SNIP(iret_if1), .masked = true,
      .in = { .eax = MAGIC_RAX }, .trap = NONE, .mask_after = MASK_CLEAR,
      .check = { SAME(eax), BITS(ebx, EFLAGS_IF | EFLAGS_IOPL, EFLAGS_IF) } },
    { "iret, IOPL=3 in the frame (dropped)", SNIP(iret_iopl3),
      .in = { .eax = MAGIC_RAX }, .trap = NONE,
      .check = { SAME(eax), BITS(ebx, EFLAGS_IF | EFLAGS_IOPL, EFLAGS_IF) } },
    { "iret, IF=1 with an event pending (upcall at the target)",
      SNIP(iret_if1_pending), .masked = true, .in = { .eax = MAGIC_RAX },
      .trap = NONE, .mask_after = MASK_CLEAR, .upcall = UPCALL_AT_NEXT,
      .check = { SAME(eax) } },
    { "xen_version with an event pending (upcall on the way out)",
      SNIP(xen_version_pending), .in = { .ebx = XENVER_version },
      .trap = NONE, .upcall = UPCALL_AT_XENVER,
      .check = { EQ(eax, XENVER_4_17) } },

    /* Section 6: debug exceptions; set_debugreg(ebx, ecx), get_debugreg(ebx). */
    { "#DB single step (TF set by popf)", SNIP(single_step),
      .in = { .eax = 1 }, .trap = TRAP(X86_EXC_DB, NO_EC, AT_NEXT),
      .frame_flags = EFLAGS_TF, .dr6 = DR6_SS,
      .check = { EQ(eax, 3) } },
    { "set_debugreg(0, snippet)", SNIP(set_debugreg), .pre = pre_dr0_bp,
      .trap = NONE, .check = { EQ(eax, 0) } },
    { "get_debugreg(0)", SNIP(get_debugreg), .in = { .ebx = 0 },
      .trap = NONE, .check = { FN(eax, bp_addr) } },
    { "set_debugreg(7, L0 exec 1 byte)", SNIP(set_debugreg),
      .in = { .ebx = 7, .ecx = 1 }, .trap = NONE, .check = { EQ(eax, 0) } },
    { "get_debugreg(7) with L0", SNIP(get_debugreg), .in = { .ebx = 7 },
      .trap = NONE, .check = { EQ(eax, 0x401) } },
    { "mov from dr7 with L0", SNIP(read_dr7), .trap = NONE,
      .check = { EQ(eax, 0x401) } },
    { "#DB instruction breakpoint DR0", SNIP(bp),
      .trap = TRAP(X86_EXC_DB, NO_EC, AT_INSN), .dr6 = DR6_B0 },
    { "set_debugreg(7, 0)", SNIP(set_debugreg),
      .in = { .ebx = 7, .ecx = 0 }, .trap = NONE, .check = { EQ(eax, 0) } },
    { "get_debugreg(7) after disable", SNIP(get_debugreg),
      .in = { .ebx = 7 }, .trap = NONE, .check = { EQ(eax, 0x400) } },
    { "bp snippet with DR7 off", SNIP(bp), .trap = NONE },
    { "get_debugreg(6) after set to 0", SNIP(get_debugreg),
      .in = { .ebx = 6 }, .trap = NONE, .check = { EQ(eax, DR6_RESET) } },
    /* breakpoint_addr_ok(): only Xen's 64-bit range is refused */
    { "set_debugreg(0, the M2P: Xen's 32-bit area)", SNIP(set_debugreg),
      .in = { .ebx = 0, .ecx = MACH2PHYS_VIRT_START }, .trap = NONE,
      .check = { EQ(eax, 0) } },
    { "set_debugreg(7, L0 | GD)", SNIP(set_debugreg),
      .in = { .ebx = 7, .ecx = 1 | (1UL << 13) }, .trap = NONE,
      .check = { EQ(eax, (unsigned long)-XEN_EPERM) } },
    { "set_debugreg(0, 0)", SNIP(set_debugreg),
      .in = { .ebx = 0, .ecx = 0 }, .trap = NONE, .check = { EQ(eax, 0) } },
};

/*
 * Run once user_setup() made the snippets' pages and user_page user pages:
 * Xen runs a 32-bit kernel with CR4.SMEP and CR4.SMAP clear (XEN_CR4_PV32_BITS,
 * compat_restore_all_guest), so ring 1 may read and run them, as ring 1 runs
 * every snippet from here on.
 */
static const struct insn_case kernel_on_user_pages_cases[] = {
    { "ring 1 reads a user page", SNIP(read_edi), .pre = pre_edi_user_page,
      .trap = NONE },
    { "ring 1 calls code on a user page", SNIP(call_edi),
      .pre = pre_edi_user_ret, .trap = NONE },
    { "ring 1 on user pages: #BP int3", SNIP(int3),
      .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
};

/*
 * Ring 3 (user pages of the kernel's own tables; exceptions bounce to the
 * stack stack_switch gave, esp and ss in the frame): the instructions Xen
 * emulates for ring 1 are #GP(0) here, and so is I/O unless IOPL is 3.
 */
static const struct insn_case user_cases[] = {
    { "user mode: #GP rdmsr PAT", SNIP(rdmsr),
      .in = { .ecx = MSR_PAT, .eax = POISON },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN), .check = { SAME(eax) } },
    { "user mode: #GP mov from cr0", SNIP(read_cr0), .in = { .eax = POISON },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN), .check = { SAME(eax) } },
    { "user mode: #GP mov from cr3", SNIP(read_cr3),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP mov to cr0 (TS)", SNIP(write_cr0),
      .in = { .eax = CR0_PG | CR0_PE | CR0_TS },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP clts", SNIP(clts),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP mov from dr7", SNIP(read_dr7),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP wbinvd", SNIP(wbinvd),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP hlt", SNIP(hlt), .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP cli (IOPL 0)", SNIP(cli),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: #GP in $0x80 with set_iopl(1)", SNIP(in_imm),
      .pre = pre_iopl1, .in = { .eax = MAGIC_RAX },
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN), .check = { SAME(eax) } },
    { "user mode: in $0x80 with set_iopl(3)", SNIP(in_imm),
      .pre = pre_iopl3, .in = { .eax = MAGIC_RAX }, .trap = NONE,
      .check = { EQ(eax, (MAGIC_RAX & ~0xffUL) | 0xff) } },
    { "user mode: #GP out $0x80 with IOPL 0", SNIP(out_imm), .pre = pre_iopl0,
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: forced cpuid leaf 0x40000000", SNIP(cpuid_forced),
      .in = { .eax = 0x40000000 }, .trap = NONE,
      .check = { EQ(eax, 0x40000000 + XEN_CPUID_MAX_NUM_LEAVES) } },
    { "user mode: #BP int3", SNIP(int3),
      .trap = TRAP(X86_EXC_BP, NO_EC, AT_NEXT) },
    { "user mode: #OF into with OF set", SNIP(into_of),
      .trap = TRAP(X86_EXC_OF, NO_EC, AT_NEXT) },
    { "user mode: #DE div by 0", SNIP(div0), .in = { .eax = 1 },
      .trap = TRAP(X86_EXC_DE, NO_EC, AT_INSN), .check = { SAME(eax) } },
    { "user mode: #UD ud2", SNIP(ud2),
      .trap = TRAP(X86_EXC_UD, NO_EC, AT_INSN) },
    { "user mode: #BR bound", SNIP(bound), .pre = pre_bound,
      .in = { .eax = 0x30 }, .trap = TRAP(X86_EXC_BR, NO_EC, AT_INSN) },
    { "user mode: #PF read of an unmapped address", SNIP(read_edi),
      .in = { .edi = ADDR_UNMAPPED, .eax = POISON },
      .trap = TRAP(X86_EXC_PF, PFEC_USER, AT_INSN), .check = { SAME(eax) } },
    { "user mode: #PF write to a kernel page", SNIP(write_edi),
      .pre = pre_edi_kernel,
      .trap = TRAP(X86_EXC_PF, PFEC_PRESENT | PFEC_WRITE | PFEC_USER, AT_INSN) },
    { "user mode: #PF write to a kernel page, int3 in its handler",
      SNIP(write_edi), .pre = pre_edi_kernel, .nest = true,
      .trap = TRAP(X86_EXC_PF, PFEC_PRESENT | PFEC_WRITE | PFEC_USER, AT_INSN) },
    /* ring 3 needs DPL 3 (permit_softint) */
    { "user mode: int $0x40 (DPL 3)", SNIP(int_40),
      .trap = TRAP(0x40, NO_EC, AT_NEXT) },
    { "user mode: int $0x41 (DPL 0)", SNIP(int_41),
      .trap = TRAP(X86_EXC_GP, (0x41 << 3) | 2, AT_INSN) },
    { "user mode: int $0x43 (DPL 1: the kernel's only)", SNIP(int_43),
      .trap = TRAP(X86_EXC_GP, (0x43 << 3) | 2, AT_INSN) },
    /* compat_syscall: #GP(0) at it with no syscall32 callback */
    { "user mode: syscall, no syscall32 callback", SNIP(syscall),
      .trap = TRAP(X86_EXC_GP, 0, AT_INSN) },
    { "user mode: syscall to the syscall32 callback", SNIP(syscall),
      .pre = pre_syscall32, .trap = TRAP(SYSCALL32_VECTOR, NO_EC, AT_NEXT) },
};
#endif /* __i386__ */

/* ------------------------------------------------------------ the handler */

/* What one case saw. */
struct trap_seen
{
    unsigned int count;
    int vector;
    long ec;
    unsigned long rip, cr2;
    /* The frame, and the mask the handler was entered with. */
    unsigned long cs, rflags, ss;
    bool rsp_ok, rcx_ok, r11_ok;
    unsigned int entry_mask, bytes;
    unsigned long dr6_mov, dr6_hc;
};

/* What the event callback saw, for the cases that cause one. */
struct upcall_seen
{
    unsigned int count;
    unsigned long rip, cs, rflags;
    unsigned int entry_mask;
};

static const struct insn_case *cur;
static struct trap_seen seen;
static struct upcall_seen upcall;
static unsigned long upcalls;

#ifdef __i386__
/*
 * An int3 that the handler of a case with .nest takes (nest_int3()), while
 * it still runs on the frame it was given: the second frame goes below its
 * esp, from ring 1, with the handler's own event mask.
 */
struct nest_seen
{
    unsigned int count;
    int vector;
    unsigned long eip, cs, eflags;
    unsigned int entry_mask, bytes;
};
static struct nest_seen nested;
static volatile bool nesting;
unsigned long nest_esp;
extern const char nest_int3_next[];

static void __attribute__((noinline)) nest_int3(void)
{
    __asm__ volatile ( "mov  %%esp, nest_esp\n\t"
                       "int3\n"
                       ".globl nest_int3_next\n"
                       "nest_int3_next:" ::: "memory" );
}

static uint8_t kernel_stack[8192] __aligned(16);
#endif

static bool vector_has_ec(unsigned int vec)
{
    return vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21;
}

unsigned long trap_handle(struct trap_regs *regs)
{
    unsigned long *f = regs->frame;
    const unsigned long *iret;
    bool ec;

    /* First, before anything can change it. */
    unsigned int entry_mask = vcpu->evtchn_upcall_mask;
#ifdef __i386__
    const unsigned int ip = 0;      /* no rcx and r11 in a 32-bit frame */
#else
    const unsigned int ip = 2;
#endif

    if ( regs->vector == EVENT_VECTOR )
    {
        vcpu->evtchn_upcall_pending = 0;
        upcalls++;
        upcall.count++;
        upcall.rip = f[ip];
        upcall.cs = f[ip + 1];
        upcall.rflags = f[ip + 2] & EFLAGS_CHECKED;
        upcall.entry_mask = entry_mask;
        return (unsigned long)regs;
    }

#ifdef __i386__
    if ( nesting && !nested.count++ )
    {
        nested.vector = regs->vector;
        nested.eip = f[0];
        nested.cs = f[1];
        nested.eflags = f[2] & EFLAGS_CHECKED;
        nested.entry_mask = entry_mask;
        nested.bytes = nest_esp - (unsigned long)f;
        return (unsigned long)regs;
    }
#endif

    seen.entry_mask = entry_mask;

    /* Not in a case, or a second exception in one: report, end the test. */
    if ( !cur || seen.count++ )
        trap_fault(&regs->vector);

#ifdef __i386__
    /*
     * The architecture says whether there is an error code; where Xen put
     * the frame (12 bytes below esp, 16 with one; from ring 3, at the top
     * of the kernel stack with esp and ss) is checked.
     */
    ec = vector_has_ec(regs->vector);
    iret = f + ec;
    seen.vector = regs->vector;
    seen.ec = ec ? (long)f[0] : NO_EC;
    seen.rip = iret[0];
    seen.cr2 = vcpu->arch.cr2;
    seen.cs = iret[1];
    seen.rflags = iret[2] & EFLAGS_CHECKED;
    if ( (iret[1] & 3) == 3 )
    {
        seen.rsp_ok = iret[3] == trig_rsp;
        seen.ss = iret[4];
        seen.bytes = (unsigned long)kernel_stack + sizeof(kernel_stack) -
                     (unsigned long)f;
    }
    else
    {
        seen.rsp_ok = true;
        seen.bytes = trig_rsp - (unsigned long)f;
    }

    if ( cur->nest )
    {
        nesting = true;
        nest_int3();
        nesting = false;
    }
#else
    /* The rsp word tells whether Xen put an error code in. */
    if ( f[5] == trig_rsp )
        ec = false;
    else if ( f[6] == trig_rsp )
        ec = true;
    else
        ec = vector_has_ec(regs->vector);
    iret = f + 2 + ec;

    seen.vector = regs->vector;
    seen.ec = ec ? (long)f[2] : NO_EC;
    seen.rip = iret[0];
    seen.cr2 = vcpu->arch.cr2;
    seen.cs = iret[1];
    seen.rflags = iret[2] & EFLAGS_CHECKED;
    seen.rsp_ok = iret[3] == trig_rsp;
    seen.ss = iret[4];
    seen.rcx_ok = f[0] == trig_rcx;
    seen.r11_ok = f[1] == trig_r11;
    seen.bytes = trig_rsp - (unsigned long)f;
#endif

    /* #DB: DR6 both ways, then clear it; no TF on the way back. */
    if ( regs->vector == X86_EXC_DB )
    {
        unsigned long v;

        __asm__ volatile ( "mov %%db6, %0" : "=r" (v) );
        seen.dr6_mov = v;
        seen.dr6_hc = hypercall_raw(__HYPERVISOR_get_debugreg, 6, 0, 0, 0, 0);
        if ( hypercall_raw(__HYPERVISOR_set_debugreg, 6, 0, 0, 0, 0) )
            xtf_error("set_debugreg(6, 0) failed\n");
        f[ip + 2 + ec] &= ~EFLAGS_TF;
    }

    /* Resume after the snippet's instruction. */
    f[ip + ec] = (unsigned long)cur->code.next;
    if ( !ec )
        return (unsigned long)regs;

    /*
     * Drop the error code: move the registers, vector (and rcx, r11) over
     * it.
     */
    memmove((unsigned long *)regs + 1, regs,
            sizeof(*regs) + ip * sizeof(unsigned long));
    return (unsigned long)((unsigned long *)regs + 1);
}

/* ------------------------------------------------------------ reporting */

static const char *const vector_name[] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
    "#TS", "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM",
    "#VE", "#CP",
};

static void show_rip(char *buf, size_t size, unsigned long rip,
                     const struct insn_case *c)
{
    unsigned long hc = (unsigned long)hypercall_page;

    if ( rip == (unsigned long)c->code.insn )
        snprintf(buf, size, "insn");
    else if ( rip == (unsigned long)c->code.next )
        snprintf(buf, size, "next");
    else if ( rip - hc < GUEST_PAGE_SIZE )
        snprintf(buf, size, "hypercall_page+%#lx", rip - hc);
    else
        snprintf(buf, size, "%#lx", rip);
}

static void show_trap(char *buf, size_t size, int vector, long ec,
                      unsigned long rip, unsigned long cr2,
                      const struct insn_case *c)
{
    char v[16], e[24] = "", r[24], p[32] = "";

    if ( vector == NO_TRAP )
    {
        snprintf(buf, size, "no exception");
        return;
    }
    if ( vector < (int)ARRAY_SIZE(vector_name) )
        snprintf(v, sizeof(v), "%s", vector_name[vector]);
    else
        snprintf(v, sizeof(v), "vector %#x", vector);
    if ( ec != NO_EC )
        snprintf(e, sizeof(e), "(%#lx)", ec);
    show_rip(r, sizeof(r), rip, c);
    if ( vector == X86_EXC_PF )
        snprintf(p, sizeof(p), " cr2 %#lx", cr2);
    snprintf(buf, size, "%s%s at %s%s", v, e, r, p);
}

static void check_line(const char *name, const char *what, const char *got,
                       const char *expected)
{
    char full[160];

    snprintf(full, sizeof(full), "%s%s", name, what);
    report_line(full, got, expected, !strcmp(got, expected));
}

#ifdef __i386__
/* A frame from ring 1: no esp and ss in it, bytes below the esp of then. */
static void show_frame32(char *buf, size_t size, unsigned long cs,
                         unsigned long eflags, unsigned int entry_mask,
                         unsigned int bytes)
{
    snprintf(buf, size, "cs %#lx eflags %#lx handler mask %u frame %u bytes "
             "below esp", cs, eflags, entry_mask, bytes);
}
#else
static void show_frame(char *buf, size_t size, unsigned long cs,
                       unsigned long rflags, unsigned long ss, bool rsp,
                       bool rcx, bool r11, unsigned int entry_mask,
                       unsigned int bytes)
{
    snprintf(buf, size, "cs %#lx rflags %#lx ss %#lx rsp/rcx/r11 %s/%s/%s "
             "handler mask %u frame %u bytes", cs, rflags, ss,
             rsp ? "ok" : "BAD", rcx ? "ok" : "BAD", r11 ? "ok" : "BAD",
             entry_mask, bytes);
}
#endif

static unsigned long long reg_value(const struct cpu_regs *r, enum reg reg)
{
    const unsigned long *v = (const unsigned long *)r;

    if ( reg == REG_edx_eax )
        return ((unsigned long long)v[REG_D - REG_FIRST] << 32) |
               (v[REG_A - REG_FIRST] & 0xffffffff);
    return v[reg - REG_FIRST];
}

static void check_reg(const struct insn_case *c, const struct reg_check *k,
                      const struct cpu_regs *in, const struct cpu_regs *out)
{
    unsigned long long mask = k->mask ?: ~0ULL;
    unsigned long long got = reg_value(out, k->reg) & mask, expected;
    char what[48], g[24], e[24];

    switch ( k->kind )
    {
    case V_IN:      expected = reg_value(in, k->reg); break;
    case V_NEXT:    expected = (unsigned long)c->code.next; break;
    case V_FN:      expected = k->fn(); break;
    default:        expected = k->value; break;
    }
    expected &= mask;

    if ( k->mask )
        snprintf(what, sizeof(what), " %s&%#llx", reg_name[k->reg], mask);
    else
        snprintf(what, sizeof(what), " %s", reg_name[k->reg]);
    snprintf(g, sizeof(g), "%#llx", got);
    snprintf(e, sizeof(e), "%#llx", expected);
    check_line(c->name, what, g, e);
}

/*
 * Whether rip is on the way to the xen_version hypercall: in the snippet or
 * in the hypercall stub before its syscall returns.
 */
#ifdef __i386__
/*
 * The int3 the handler took (nest_int3()): a frame from ring 1 below the
 * handler's esp, the CS and IF of the handler (running with events masked
 * iff hmask), and a #BP handler masked (TI_MASK in its entry).
 */
static void check_nested(const struct insn_case *c, unsigned int hmask)
{
    char g[160], e[160], r[24];

    if ( nested.count != 1 )
        snprintf(g, sizeof(g), "%u exceptions", nested.count);
    else
    {
        if ( nested.eip == (unsigned long)nest_int3_next )
            snprintf(r, sizeof(r), "after it");
        else
            snprintf(r, sizeof(r), "%#lx", nested.eip);
        snprintf(g, sizeof(g), "vector %d at %s, ", nested.vector, r);
        show_frame32(g + strlen(g), sizeof(g) - strlen(g), nested.cs,
                     nested.eflags, nested.entry_mask, nested.bytes);
    }
    snprintf(e, sizeof(e), "vector %d at after it, ", X86_EXC_BP);
    show_frame32(e + strlen(e), sizeof(e) - strlen(e),
                 ((unsigned long)hmask << MASK_SHIFT) | FRAME_CS_KERNEL,
                 EFLAGS_MBS | (hmask ? 0 : EFLAGS_IF), 1, 12);
    check_line(c->name, " int3 in the handler", g, e);
}
#endif

static bool upcall_before_xenver(const struct insn_case *c, unsigned long rip)
{
    unsigned long stub = (unsigned long)hypercall_page +
                         __HYPERVISOR_xen_version * 32;

    return (rip >= (unsigned long)c->code.start &&
            rip < (unsigned long)c->code.next) ||
           (rip >= stub && rip < stub + UPCALL_XENVER_OFFSET);
}

static void run_case(const struct insn_case *c)
{
    const struct expect_trap *t = &c->trap;
    struct cpu_regs in = c->in, out;
    char g[160], e[160];
    unsigned int mask, i;

    if ( c->pre )
        c->pre(&in);

    /*
     * An interrupt that reaches the hypervisor between the snippet setting
     * evtchn_upcall_pending and its hypercall delivers the upcall there, on
     * Xen as under a shim (any return to the guest checks for events). That
     * is a race of the test, not an answer: run such a case again, a few
     * times at most, so an upcall that always comes early still fails.
     */
    for ( i = 0; ; i++ )
    {
        out = in;
        memset(&seen, 0, sizeof(seen));
        memset(&upcall, 0, sizeof(upcall));
#ifdef __i386__
        memset(&nested, 0, sizeof(nested));
#endif
        seen.vector = NO_TRAP;
        seen.ec = NO_EC;
        cur = c;
        if ( !c->masked )
            vcpu->evtchn_upcall_pending = 0;
        vcpu->evtchn_upcall_mask = c->masked;
        barrier();
        run_snippet(&out, c->code.start);
        barrier();
        mask = vcpu->evtchn_upcall_mask;
        vcpu->evtchn_upcall_mask = 1;
        cur = NULL;

        if ( c->upcall != UPCALL_AT_XENVER || i == 4 || upcall.count != 1 ||
             !upcall_before_xenver(c, upcall.rip) )
            break;
        printk("Note: case %s: an interrupt came before its hypercall, "
               "run again\n", c->name);
    }

    /* What happened, against what must have. */
    show_trap(g, sizeof(g), seen.vector, seen.ec, seen.rip, seen.cr2, c);
    show_trap(e, sizeof(e), t->vector, t->ec,
              t->rip == AT_INSN ? (unsigned long)c->code.insn :
              t->rip == AT_NEXT ? (unsigned long)c->code.next : IN_DI(in),
              IN_DI(in), c);
    check_line(c->name, "", g, e);

    /* The bounce frame of the exception the table expects. */
    if ( t->vector != NO_TRAP )
    {
        unsigned int m = c->masked;

#ifdef __i386__
        if ( seen.vector == NO_TRAP )
            snprintf(g, sizeof(g), "no frame");
        else
            show_frame32(g, sizeof(g), seen.cs, seen.rflags,
                         seen.entry_mask, seen.bytes);
        show_frame32(e, sizeof(e),
                     ((unsigned long)m << MASK_SHIFT) | FRAME_CS_KERNEL,
                     EFLAGS_MBS | (m ? 0 : EFLAGS_IF) | c->frame_flags,
                     m || (vec_flags[t->vector] & TI_MASK),
                     12 + (t->ec != NO_EC) * 4);
        check_line(c->name, " frame", g, e);
        if ( c->nest )
            check_nested(c, m || (vec_flags[t->vector] & TI_MASK));
#else
        if ( seen.vector == NO_TRAP )
            snprintf(g, sizeof(g), "no frame");
        else
            show_frame(g, sizeof(g), seen.cs, seen.rflags, seen.ss,
                       seen.rsp_ok, seen.rcx_ok, seen.r11_ok, seen.entry_mask,
                       seen.bytes);
        show_frame(e, sizeof(e), ((unsigned long)m << 32) | FRAME_CS_KERNEL,
                   EFLAGS_MBS | (m ? 0 : EFLAGS_IF) | c->frame_flags,
                   FLAT_KERNEL_SS,
                   true, true, true,
                   m || (vec_flags[t->vector] & TI_MASK),
                   (trig_rsp & 15) + 7 * 8 + (t->ec != NO_EC) * 8);
        check_line(c->name, " frame", g, e);
#endif
    }

    /* DR6 as the #DB handler read it. */
    if ( t->vector == X86_EXC_DB )
    {
        snprintf(e, sizeof(e), "%#lx", c->dr6);
        snprintf(g, sizeof(g), "%#lx", seen.dr6_mov);
        check_line(c->name, " dr6 (mov from dr6)", g, e);
        snprintf(g, sizeof(g), "%#lx", seen.dr6_hc);
        check_line(c->name, " dr6 (get_debugreg)", g, e);
    }

    for ( i = 0; i < ARRAY_SIZE(c->check) && c->check[i].reg; i++ )
        check_reg(c, &c->check[i], &in, &out);

    /* The upcall it must have caused. */
    if ( c->upcall != UPCALL_ANY )
    {
        char r[32];

        show_rip(r, sizeof(r), upcall.rip, c);
        snprintf(g, sizeof(g), "%u at %s cs %#lx rflags %#lx handler mask %u",
                 upcall.count, r, upcall.cs, upcall.rflags,
                 upcall.entry_mask);
        show_rip(r, sizeof(r), c->upcall == UPCALL_AT_NEXT ?
                 (unsigned long)c->code.next :
                 (unsigned long)hypercall_page + UPCALL_XENVER_OFFSET, c);
        snprintf(e, sizeof(e), "%u at %s cs %#lx rflags %#lx handler mask %u",
                 1, r, (unsigned long)FRAME_CS_KERNEL,
                 (unsigned long)(EFLAGS_MBS | EFLAGS_IF), 1);
        check_line(c->name, " upcall", g, e);
    }

    /* The event mask afterwards: printed where it is the point. */
    if ( c->mask_after != MASK_SAME )
    {
        snprintf(g, sizeof(g), "%u", mask);
        snprintf(e, sizeof(e), "%u", c->mask_after == MASK_SET);
        check_line(c->name, " mask after", g, e);
    }
    else if ( mask != c->masked )
    {
        snprintf(g, sizeof(g), "%u", mask);
        snprintf(e, sizeof(e), "%u", c->masked);
        check_line(c->name, " mask after", g, e);
    }
}

/* ------------------------------------------------------------ user mode */

#ifndef __i386__
/*
 * run_user(code, in): save the kernel context and iret to user mode
 * (rflags IF: events on) at user_tramp with rdi = code, rsi = in. There,
 * rax, rcx and rdx come from *in, the snippet is called, its rax and rdx are
 * kept, and a SYSCALL leaves user mode for good: its callback, user_back,
 * takes the kernel context back and returns from run_user.
 */
void run_user(const char *code, const struct cpu_regs *in);
extern const char user_back[];
unsigned long user_saved_rsp, user_out_rax, user_out_rdx;
uint8_t user_stack[4096] __aligned(16);
static uint8_t kernel_stack[8192] __aligned(16);

__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl run_user\n"
    "run_user:\n"
    "    push %rbx\n"
    "    push %rbp\n"
    "    push %r12\n"
    "    push %r13\n"
    "    push %r14\n"
    "    push %r15\n"
    "    mov  %rsp, user_saved_rsp(%rip)\n"
    "    push $" STR(FLAT_USER_SS) "\n"
    "    lea  user_stack + 4096(%rip), %rax\n"
    "    push %rax\n"
    "    push $" STR(EFLAGS_MBS | EFLAGS_IF) "\n"
    "    push $" STR(FLAT_USER_CS) "\n"
    "    lea  user_tramp(%rip), %rax\n"
    "    push %rax\n"
    "    push $0\n"
    "    jmp  " HYPERCALL_IRET "\n"
    "user_tramp:\n"
    "    mov  0*8(%rsi), %rax\n"
    "    mov  2*8(%rsi), %rcx\n"
    "    mov  3*8(%rsi), %rdx\n"
    "    call *%rdi\n"
    "    mov  %rax, user_out_rax(%rip)\n"
    "    mov  %rdx, user_out_rdx(%rip)\n"
    "    syscall\n"
    "    ud2\n"
    "    .globl user_back\n"
    "user_back:\n"
    "    mov  user_saved_rsp(%rip), %rsp\n"
    "    pop  %r15\n"
    "    pop  %r14\n"
    "    pop  %r13\n"
    "    pop  %r12\n"
    "    pop  %rbp\n"
    "    pop  %rbx\n"
    "    ret\n"
    "    .popsection\n"
);
#endif

static void run_user_case(const struct insn_case *c)
{
    const struct expect_trap *t = &c->trap;
    struct cpu_regs in = c->in, out = c->in;
    char g[160], e[160];
    unsigned int i;

    if ( c->pre )
        c->pre(&in);
    memset(&seen, 0, sizeof(seen));
#ifdef __i386__
    memset(&nested, 0, sizeof(nested));
#endif
    seen.vector = NO_TRAP;
    seen.ec = NO_EC;
    user_out_rax = user_out_rdx = 0;
    cur = c;
    barrier();
    run_user(c->code.start, &in);
    barrier();
    cur = NULL;
    vcpu->evtchn_upcall_mask = 1;
#ifdef __i386__
    out.eax = user_out_rax;
    out.edx = user_out_rdx;
#else
    out.rax = user_out_rax;
    out.rdx = user_out_rdx;
#endif

    show_trap(g, sizeof(g), seen.vector, seen.ec, seen.rip, seen.cr2, c);
    show_trap(e, sizeof(e), t->vector, t->ec,
              t->rip == AT_INSN ? (unsigned long)c->code.insn :
              (unsigned long)c->code.next,
#ifdef __i386__
              IN_DI(in),
#else
              0,
#endif
              c);
    check_line(c->name, "", g, e);

#ifdef __i386__
    /*
     * From ring 3 the frame is at the top of the kernel stack, with esp and
     * ss: cs and ss the flat ring-3 ones, events on in user mode (mask 0).
     */
    if ( t->vector != NO_TRAP )
    {
        unsigned int hm = t->vector == SYSCALL32_VECTOR ? 1 :
                          !!(vec_flags[t->vector] & TI_MASK);
        const char *fmt = "cs %#lx ss %#lx esp %s eflags %#lx handler mask %u "
                          "frame %u bytes below the stack top";

        if ( seen.vector == NO_TRAP )
            snprintf(g, sizeof(g), "no frame");
        else
            snprintf(g, sizeof(g), fmt, seen.cs, seen.ss,
                     seen.rsp_ok ? "ok" : "BAD", seen.rflags, seen.entry_mask,
                     seen.bytes);
        snprintf(e, sizeof(e), fmt, (unsigned long)FLAT_USER_CS,
                 (unsigned long)FLAT_USER_SS, "ok",
                 (unsigned long)(EFLAGS_MBS | EFLAGS_IF), hm,
                 20 + (t->ec != NO_EC) * 4);
        check_line(c->name, " frame", g, e);
        if ( c->nest )
            check_nested(c, hm);
    }
#else
    /* The frame says user mode: its CS and SS, events on (mask 0). */
    if ( t->vector != NO_TRAP )
    {
        if ( seen.vector == NO_TRAP )
            snprintf(g, sizeof(g), "no frame");
        else
            snprintf(g, sizeof(g), "cs %#lx ss %#lx rsp %s", seen.cs, seen.ss,
                     seen.rsp_ok ? "ok" : "BAD");
        snprintf(e, sizeof(e), "cs %#x ss %#x rsp ok", FLAT_USER_CS,
                 FLAT_USER_SS);
        check_line(c->name, " frame", g, e);
    }
#endif

    for ( i = 0; i < ARRAY_SIZE(c->check) && c->check[i].reg; i++ )
        check_reg(c, &c->check[i], &in, &out);
}

/* ------------------------------------------------------------ FPU state */

#ifndef __i386__

/*
 * fpu_load(buf, avx) / fpu_save(buf, avx): ymm1-15 (xmm1-15 without AVX)
 * at buf + 32 * n, the x87 control word at buf + 512, MXCSR at buf + 516.
 */
struct fpu_image
{
    uint8_t reg[16][32];
    uint16_t fcw, pad;
    uint32_t mxcsr;
} __aligned(32);

void fpu_load(const struct fpu_image *f, bool avx);
void fpu_save(struct fpu_image *f, bool avx);

/* ymm/xmm 1-15 from or to buf + 32 * n (the assembler's .irp loop). */
#define FPU_LOAD_ALL(op, r)                                             \
    "    .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"                 \
    "    " op " 32*\\n(%rdi), %" r "\\n\n"                              \
    "    .endr\n"
#define FPU_STORE_ALL(op, r)                                            \
    "    .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"                 \
    "    " op " %" r "\\n, 32*\\n(%rdi)\n"                              \
    "    .endr\n"

__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl fpu_load, fpu_save\n"
    "fpu_load:\n"
    "    fldcw 512(%rdi)\n"
    "    ldmxcsr 516(%rdi)\n"
    "    test %esi, %esi\n"
    "    jz   1f\n"
    FPU_LOAD_ALL("vmovdqu", "ymm")
    "    ret\n"
    "1:\n"
    FPU_LOAD_ALL("movdqu", "xmm")
    "    ret\n"
    "fpu_save:\n"
    "    fnstcw 512(%rdi)\n"
    "    stmxcsr 516(%rdi)\n"
    "    test %esi, %esi\n"
    "    jz   1f\n"
    FPU_STORE_ALL("vmovdqu", "ymm")
    "    ret\n"
    "1:\n"
    FPU_STORE_ALL("movdqu", "xmm")
    "    ret\n"
    "    .popsection\n"
);

static const struct insn_case xcr0_avx_case = {
    "xsetbv XCR0 := x87|SSE|AVX for the FPU state cases", SNIP(xsetbv),
    .in = { .rcx = 0, .rax = 7 }, .trap = XSETBV_AVX_L0,
};
static const struct insn_case xcr0_back_case = {
    "xsetbv XCR0 := x87|SSE after them", SNIP(xsetbv),
    .in = { .rcx = 0, .rax = 3 }, .trap = NONE,
};

static void fpu_state_cases(void)
{
    static struct fpu_image want, got;
    bool avx, ok;
    unsigned int i, j, n;

    run_case(&xcr0_avx_case);
    avx = seen.vector == NO_TRAP;

    for ( i = 0; i < 16; i++ )
        for ( j = 0; j < 32; j++ )
            want.reg[i][j] = (uint8_t)(i * 37 + j * 11 + 1);
    memset(want.reg[0], 0, sizeof(want.reg[0]));    /* xmm0/ymm0: not used */
    if ( !avx )
        for ( i = 0; i < 16; i++ )
            memset(want.reg[i] + 16, 0, 16);
    want.fcw = 0x0e7f;                  /* round up, 64-bit precision, masked */
    want.mxcsr = 0x7f80;                /* round to zero, all masked */
    memset(&got, 0, sizeof(got));

    fpu_load(&want, avx);
    for ( i = 0; i < ARRAY_SIZE(fpu_cases); i++ )
        run_case(&fpu_cases[i]);
    fpu_save(&got, avx);

    ok = !memcmp(&got, &want, sizeof(got));
    for ( n = 0, i = 1; i < 16; i++ )
        n += !!memcmp(got.reg[i], want.reg[i], sizeof(got.reg[i]));
    printk("case x87/SSE%s state across %u bounces, emulations and an upcall: "
           "got %s (fcw %#x mxcsr %#x, %u registers differ) expected intact "
           "(fcw %#x mxcsr %#x, 0 registers differ)%s\n", avx ? "/AVX" : "",
           (unsigned int)ARRAY_SIZE(fpu_cases), ok ? "intact" : "changed",
           got.fcw, got.mxcsr, n, want.fcw, want.mxcsr, ok ? "" : " MISMATCH");
    if ( !ok )
        xtf_failure("Failure: FPU state changed\n");

    run_case(&xcr0_back_case);
}
#endif

/* ------------------------------------------------------------ the test */

static void setup(void)
{
    long rc = guest_events_init(vcpu_page, trap_entry_0x100);

    if ( rc )
    {
        xtf_error("vcpu_info and event callback: %ld\n", rc);
        xtf_exit();
    }
    vcpu = (vcpu_info_t *)vcpu_page;
    printk("vcpu_info at %p: pending %u mask %u\n", (void *)vcpu,
           vcpu->evtchn_upcall_pending, vcpu->evtchn_upcall_mask);

    /* Only L1 page tables may be written through (not that we do). */
    rc = hypercall_vm_assist(VMASST_CMD_disable,
                             VMASST_TYPE_writable_pagetables);
    if ( rc )
        xtf_error("vm_assist disable writable_pagetables: %ld\n", rc);

#ifdef __i386__
    /* No table at all (compat_set_trap_table clears every entry), then ours. */
    report_case("set_trap_table(NULL)", hypercall_set_trap_table(NULL), 0, NULL);
    install_trap(X86_EXC_BR, 0, trap_entry_5);
    install_trap(0x43, 1, trap_entry_0x43);
#endif
    install_trap(X86_EXC_DE, 0, trap_entry_0);
    install_trap(X86_EXC_DB, 0, trap_entry_1);
    install_trap(X86_EXC_BP, TI_DPL3 | TI_MASK, trap_entry_3);
    install_trap(X86_EXC_OF, TI_DPL3, trap_entry_4);
    install_trap(X86_EXC_UD, 0, trap_entry_6);
    install_trap(X86_EXC_NM, 0, trap_entry_7);
    install_trap(X86_EXC_GP, 0, trap_entry_13);
    install_trap(X86_EXC_PF, TI_MASK, trap_entry_14);
    install_trap(0x40, TI_DPL3, trap_entry_0x40);
    install_trap(0x41, 0, trap_entry_0x41);
    install_trap(0x42, TI_DPL3 | TI_MASK, trap_entry_0x42);
    upcalls = 0;
}

#ifdef __i386__
/* The L1 entry (through the boot tables, read-only to us) mapping va. */
static uint64_t l1e_of(unsigned long va)
{
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    const uint64_t *l2 = (const uint64_t *)(GUEST_VIRT_BASE +
        m2p[(l3[va >> 30] >> 12) & 0xffffffffffULL] * GUEST_PAGE_SIZE);
    const uint64_t *l1 = (const uint64_t *)(GUEST_VIRT_BASE +
        m2p[(l2[(va >> 21) & 511] >> 12) & 0xffffffffffULL] * GUEST_PAGE_SIZE);

    return l1[(va >> 12) & 511];
}

/* The page at va made a user page (_PAGE_USER), as it was otherwise. */
static long user_map(unsigned long va)
{
    return hypercall_update_va_mapping(va, l1e_of(va) | 0x4, UVMF_INVLPG);
}

static bool in_snippets(const struct insn_case *c, unsigned int n)
{
    for ( ; n; n--, c++ )
        if ( c->code.start < snippets_start || c->code.next >= snippets_end )
            return false;
    return true;
}

/*
 * Ring 3 on the kernel's own tables (a 32-bit guest has no others): the
 * snippets' pages and user_page become user pages; exceptions from ring 3
 * bounce to kernel_stack; int $0x80 (DPL 3, events masked) is user_back.
 */
static bool user_setup(void)
{
    unsigned long va;
    long rc = 0;

    if ( ((unsigned long)snippets_start | (unsigned long)snippets_end) &
         (GUEST_PAGE_SIZE - 1) ||
         !in_snippets(cases, ARRAY_SIZE(cases)) ||
         !in_snippets(user_cases, ARRAY_SIZE(user_cases)) ||
         (unsigned long)user_tramp < (unsigned long)snippets_start ||
         (unsigned long)user_ret >= (unsigned long)snippets_end )
    {
        xtf_error("user mode setup: snippets outside their pages %p-%p\n",
                  snippets_start, snippets_end);
        return false;
    }
    install_trap(0x80, TI_DPL3 | TI_MASK, user_back);
    for ( va = (unsigned long)snippets_start;
          !rc && va < (unsigned long)snippets_end; va += GUEST_PAGE_SIZE )
        rc = user_map(va);
    if ( !rc )
        rc = user_map((unsigned long)&user_page);
    if ( !rc )
        rc = hypercall_raw(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS,
                           (unsigned long)kernel_stack + sizeof(kernel_stack),
                           0, 0, 0);
    if ( rc )
    {
        xtf_error("user mode setup: %ld\n", rc);
        return false;
    }
    return true;
}

void test_main(void)
{
    unsigned int i;

    setup();

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
        run_case(&cases[i]);
    if ( user_setup() )
    {
        for ( i = 0; i < ARRAY_SIZE(kernel_on_user_pages_cases); i++ )
            run_case(&kernel_on_user_pages_cases[i]);
        for ( i = 0; i < ARRAY_SIZE(user_cases); i++ )
            run_user_case(&user_cases[i]);
    }

    /* Leave things as the framework found them. */
    set_iopl(0);
    set_ts(0);

    printk("%u cases run, %lu event upcalls\n",
           (unsigned int)(ARRAY_SIZE(cases) +
                          ARRAY_SIZE(kernel_on_user_pages_cases) +
                          ARRAY_SIZE(user_cases)), upcalls);
    xtf_success(NULL);
}
#else
/* User mode on the kernel's own page tables; bounces to kernel_stack. */
static bool user_setup(void)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;
    unsigned long pfn = (start_info->pt_base - GUEST_VIRT_BASE) >>
                        GUEST_PAGE_SHIFT;
    mmuext_op_t op = { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = p2m[pfn] };
    struct callback_register cb = {
        .type = CALLBACKTYPE_syscall,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)user_back,
    };
    long rc;

    if ( (rc = hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF)) ||
         (rc = hypercall_raw(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS,
                             (unsigned long)kernel_stack + sizeof(kernel_stack),
                             0, 0, 0)) ||
         (rc = hypercall_callback_op(CALLBACKOP_register, &cb)) )
    {
        xtf_error("user mode setup: %ld\n", rc);
        return false;
    }
    return true;
}

void test_main(void)
{
    unsigned int i;

    setup();

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
        run_case(&cases[i]);
    fpu_state_cases();
    run_case(&multicall_iret_case);
    multicall_iret_results();
    if ( user_setup() )
        for ( i = 0; i < ARRAY_SIZE(user_cases); i++ )
            run_user_case(&user_cases[i]);

    /* Leave things as the framework found them. */
    set_iopl(0);
    set_ts(0);
    set_segment_base(SEGBASE_FS, 0);
    set_segment_base(SEGBASE_GS_KERNEL, 0);
    set_segment_base(SEGBASE_GS_USER, 0);

    printk("%u cases run, %lu event upcalls\n",
           (unsigned int)(ARRAY_SIZE(cases) + ARRAY_SIZE(fpu_cases) +
                          ARRAY_SIZE(user_cases) + 3), upcalls);
    xtf_success(NULL);
}
#endif
