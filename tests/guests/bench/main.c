/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/bench/main.c - how long the PV operations a kernel uses most
 * take: hypercalls of the memory management, exception bounces, the
 * kernel/user switch, emulated instructions. Run by "make bench"
 * (tests/bench/run.sh) directly on L0, under Debian's xen-shim and under
 * ours; it only reports, it asserts nothing about speed.
 *
 * Each operation is a loop of n iterations timed with rdtsc. n is
 * calibrated per environment (a few iterations, then ~2 ms, then n for
 * BENCH_TARGET_NS), so that a slow path (rdtsc emulated 200 times slower)
 * costs no more wall time than a fast one. The timed loop then runs
 * BENCH_REPS times, and each run prints one line
 *
 *   bench <op> <ns per op> ns <cycles per op> cycles <n> iterations
 *
 * with ns from our vCPU's time record (the TSC the guest reads, scaled by
 * the hypervisor under it). A line "bench-plan <op>..." comes first, so that
 * an operation that never reports (the domain crashed) is still known. An
 * operation whose hypercall fails is reported as
 *
 *   bench-fail <op> <what failed>
 *
 * and the verdict is ERROR; the other operations still run.
 *
 * Frames come from the top of the P2M, above the boot mapping, as in
 * tests/guests/mm: a window (an L1 of ours hooked into the boot L2 at slot
 * WIN_L2_SLOT) holds shared_info and the targets of the mapping hypercalls;
 * a user address space of its own (L4, L3, L2, L1 at USER_VA) maps one page
 * of our text, the user code, and one stack page. User mode is entered with
 * the iret hypercall (CS FLAT_USER_CS, RPL 3) and left with SYSCALL, which
 * Xen bounces to our syscall callback on the stack given by stack_switch
 * (pv64-abi.md sections 1.2, 5.3 and 6).
 *
 * The operations (ops[] below), each timed per iteration:
 *
 *   null_hypercall      an unused hypercall number (-ENOSYS)
 *   xen_version         XENVER_version
 *   mmu_update          one L1 entry, alternating between two frames
 *   mmu_update_x32      32 L1 entries in one call (the time is per call)
 *   uva_invlpg          update_va_mapping, UVMF_INVLPG | UVMF_LOCAL
 *   uva_noflush         update_va_mapping, UVMF_NONE
 *   pin_unpin_l1        MMUEXT_PIN_L1_TABLE + MMUEXT_UNPIN_TABLE (2 calls)
 *   tlb_flush_local     MMUEXT_TLB_FLUSH_LOCAL
 *   pf_bounce           a load from an unmapped VA: #PF bounced, iret
 *   bp_bounce           int3: #BP bounced, iret
 *   cpuid_forced        cpuid behind the forced-emulation prefix
 *   rdtsc               rdtsc (emulated when the TSC is)
 *   evtchn_send_ipi     EVTCHNOP_send on an IPI to ourselves (masked; the
 *                       pending bit cleared after each)
 *   evtchn_send_loop    the same on one end of a loopback pair
 *   ipi_spin_roundtrip  an event to vCPU 1, which answers with one: both
 *                       spin on the pending bits
 *   ipi_poll_roundtrip  the same, both blocked in SCHEDOP_poll (the
 *                       wake-up of a blocked vCPU, twice)
 *   tlb_flush_all_2cpu  MMUEXT_TLB_FLUSH_ALL while vCPU 1 runs
 *   kernel_user_kernel  iret to user mode, SYSCALL straight back
 *   syscall_roundtrip   timed in user mode: SYSCALL, our callback, iret
 *                       with VGCF_in_syscall
 *
 * Events stay masked throughout: every iret frame has IF clear.
 *
 * Built -m32 too, as a 32-bit PAE kernel ($(O)/bench/bench32.elf), which
 * run.sh times under Debian's xen-shim and ours only (L0 runs no 32-bit PV
 * guest). What differs is behind __i386__: the kernel is in ring 1 with
 * three-level tables of 8-byte entries (the window in the L2 under L3[3]),
 * hypercalls by int $0x82, the 32-bit bounce frame ([error] eip cs eflags,
 * esp ss from ring 3) and iret ([eax] eip cs eflags [esp ss], compat_iret).
 * There is no user address space of its own: the user code and stack pages
 * are mapped user at their kernel VAs (one set of tables for both rings),
 * and user mode is left by int $0x80 (trap gate DPL 3) instead of SYSCALL:
 *
 *   kernel_user_kernel  iret to ring 3, int $0x80 straight back
 *   int80_roundtrip     timed in ring 3: int $0x80, our handler, iret
 *
 * syscall_roundtrip is 64-bit only: a 32-bit guest's SYSCALL and SYSENTER
 * callbacks (vendor-dependent from a 32-bit ring 3) are left out.
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "bench: PV operation timings";

#define STR_(x)         #x
#define STR(x)          STR_(x)

/* ------------------------------------------------------------ constants */

/* PTE bits (SDM vol. 3 section 4.5): 64-bit in both widths (PAE). */
#ifdef __i386__
#define PTE_C(x)        x##ULL
#else
#define PTE_C(x)        x##UL
#endif
#define PTE_P           PTE_C(0x001)
#define PTE_RW          PTE_C(0x002)
#define PTE_US          PTE_C(0x004)
#define PTE_A           PTE_C(0x020)
#define PTE_D           PTE_C(0x040)
#define PTE_ADDR        PTE_C(0x000ffffffffff000)

#define KERNEL_RO       (PTE_P | PTE_A)
#define TABLE_FLAGS     (PTE_P | PTE_RW | PTE_A)
#define USER_RO         (PTE_P | PTE_US | PTE_A)
#define USER_RW         (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define USER_TABLE      (PTE_P | PTE_RW | PTE_US | PTE_A)

#define PAGE_SHIFT      GUEST_PAGE_SHIFT
#define PAGE_SIZE       GUEST_PAGE_SIZE
#define ENTRIES         512

/*
 * The boot L2 under L4[511]/L3[510] maps VIRT_BASE; the window is slot 256.
 * A 32-bit kernel's is the one under slot 3 of its L3 (0xC0000000: slot 0
 * of that L2; the window at 0xE0000000).
 */
#ifdef __i386__
#define BOOT_L3_SLOT    3
#else
#define BOOT_L4_SLOT    511
#define BOOT_L3_SLOT    510
#endif
#define WIN_L2_SLOT     256
#define WIN_VA          (GUEST_VIRT_BASE + ((unsigned long)WIN_L2_SLOT << 21))

/* Window slots. */
enum slot
{
    S_SHINFO = 1,   /* shared_info: the time record */
    S_MMU,          /* mmu_update of one entry */
    S_UVA,          /* update_va_mapping */
    S_UVA_NOFLUSH,  /* update_va_mapping without a flush */
    S_PF,           /* never mapped: the #PF probe */
    S_BATCH = 64,   /* BATCH entries for the batched mmu_update */
};
#define BATCH           32

#ifndef __i386__
/*
 * The user address space: code at USER_VA, the stack page after it. No
 * integer suffixes: USER_STACK_TOP goes into the assembly too. (A 32-bit
 * kernel maps its user pages at their own VAs instead.)
 */
#define USER_VA         0x400000
#define USER_STACK_TOP  (USER_VA + 2 * PAGE_SIZE)
#define USER_L4_SLOT    (((unsigned long)USER_VA >> 39) & 511)
#define USER_L3_SLOT    (((unsigned long)USER_VA >> 30) & 511)
#define USER_L2_SLOT    (((unsigned long)USER_VA >> 21) & 511)
#define USER_L1_SLOT    (((unsigned long)USER_VA >> 12) & 511)
BUILD_BUG_ON(USER_L1_SLOT + 1 >= ENTRIES);
#endif

/*
 * rax of the SYSCALL (32-bit: eax of the int $0x80) that leaves user mode
 * for good (rdi: a result; 32-bit: edx:ecx).
 */
#define SYS_EXIT        0x7e57

/* An unused hypercall number: the cheapest way in and out (-ENOSYS). */
#define HYPERCALL_NULL  __HYPERVISOR_arch_7

/* RFLAGS of user mode: bit 1 only. IF clear keeps events masked. */
#define USER_RFLAGS     0x2

/* Timing. */
#define BENCH_TARGET_NS 20000000UL      /* one timed loop: 20 ms */
#define BENCH_PROBE_NS  2000000UL       /* the calibration loop: 2 ms */
#define BENCH_WARMUP    4
#define BENCH_MIN_N     16UL
#define BENCH_MAX_N     4000000UL
#define BENCH_REPS      5

#define HYPERCALL_IRET  "hypercall_page + " STR(__HYPERVISOR_iret) " * 32"

/* ------------------------------------------------------------ frames */

enum frame
{
    FR_WIN_L1,      /* the window's L1 */
    FR_DATA,        /* two ordinary frames the mappings alternate between */
    FR_DATA2,
    FR_PIN,         /* pinned and unpinned as an L1 */
#ifndef __i386__
    FR_U_L4,        /* the user page tables */
    FR_U_L3,
    FR_U_L2,
    FR_U_L1,
#endif
    FR_FREE_END,
    FR_BOOT_L2 = FR_FREE_END,
    FR_NR,
};

static unsigned long frame_mfn[FR_NR];

static const unsigned long *const m2p =
    (const unsigned long *)MACH2PHYS_VIRT_START;

static uint64_t pte(enum frame f, uint64_t flags)
{
    return ((uint64_t)frame_mfn[f] << PAGE_SHIFT) | flags;
}

static unsigned long slot_va(unsigned int slot)
{
    return WIN_VA + ((unsigned long)slot << PAGE_SHIFT);
}

/* The machine frame of a page of our image (VA = base + PFN << 12). */
static unsigned long image_mfn(const void *p)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;

    return p2m[((unsigned long)p - GUEST_VIRT_BASE) >> PAGE_SHIFT];
}

/* ------------------------------------------------------------ asm */

/* Called from C. */
uint64_t user_enter(unsigned long rip, unsigned long arg);
void pf_probe(const volatile unsigned long *p);
void bp_probe(void);

/* Entry points given to Xen, and the user code page. */
extern const char entry_bp[], entry_pf[];
extern const char pf_probe_insn[], pf_probe_next[], bp_probe_next[];
extern const char user_page[], user_exit[];
#ifdef __i386__
extern const char entry_int80[], user_int80_loop[];
#else
extern const char entry_syscall[], user_syscall_loop[];
#endif

/* The lib's reporting stubs, 16 bytes apart (tests/guests/lib/head.S). */
extern const char trap_stubs[];

/* The kernel stack user_enter() left, for the way back from user mode. */
unsigned long user_return_sp;

/* Where bounces from user mode land (stack_switch), and the user stack. */
static uint8_t kernel_stack[PAGE_SIZE] __aligned(PAGE_SIZE);
uint8_t user_stack[PAGE_SIZE] __aligned(PAGE_SIZE);    /* named in 32-bit asm */

#ifdef __i386__
/*
 * user_enter(eip, arg): save the callee-saved registers and the stack, and
 * go to ring 3 at eip with eax = arg through the iret hypercall: the stub
 * pushes eax onto eip, cs, eflags, esp, ss, and compat_iret takes them all
 * (eax too) from there.
 *
 * entry_int80: an int $0x80 from ring 3, on the stack stack_switch named,
 * as eip, cs, eflags, esp, ss. eax = SYS_EXIT ends user mode: back to
 * user_enter's caller with edx:ecx as the result. Anything else is the
 * null system call: straight back to ring 3 with the iret hypercall.
 *
 * entry_bp, entry_pf: as the 64-bit ones, on Xen's 32-bit frame ([error
 * code] eip cs eflags; the #PF's error code dropped); the iret stub saves
 * eax itself.
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl user_enter\n"
    "    .type user_enter, @function\n"
    "user_enter:\n"
    "    push %ebx\n"
    "    push %esi\n"
    "    push %edi\n"
    "    push %ebp\n"
    "    mov  20(%esp), %ecx\n"
    "    mov  24(%esp), %eax\n"
    "    mov  %esp, user_return_sp\n"
    "    push $" STR(FLAT_USER_SS) "\n"
    "    push $user_stack + " STR(GUEST_PAGE_SIZE) "\n"
    "    push $" STR(USER_RFLAGS) "\n"
    "    push $" STR(FLAT_USER_CS) "\n"
    "    push %ecx\n"
    "    jmp  " HYPERCALL_IRET "\n"
    "    .size user_enter, . - user_enter\n"

    "    .globl entry_int80\n"
    "    .balign 16\n"
    "entry_int80:\n"
    "    cmp  $" STR(SYS_EXIT) ", %eax\n"
    "    je   1f\n"
    "    jmp  " HYPERCALL_IRET "\n"
    "1:  mov  %ecx, %eax\n"
    "    mov  user_return_sp, %esp\n"
    "    pop  %ebp\n"
    "    pop  %edi\n"
    "    pop  %esi\n"
    "    pop  %ebx\n"
    "    ret\n"

    "    .globl entry_bp\n"
    "    .balign 16\n"
    "entry_bp:\n"
    "    cmpl $bp_probe_next, (%esp)\n"
    "    jne  trap_stubs + 3 * 16\n"
    "    jmp  " HYPERCALL_IRET "\n"

    "    .globl entry_pf\n"
    "    .balign 16\n"
    "entry_pf:\n"
    "    cmpl $pf_probe_insn, 4(%esp)\n"
    "    jne  trap_stubs + 14 * 16\n"
    "    movl $pf_probe_next, 4(%esp)\n"
    "    add  $4, %esp\n"
    "    jmp  " HYPERCALL_IRET "\n"

    "    .globl pf_probe, pf_probe_insn, pf_probe_next\n"
    "pf_probe:\n"
    "    mov  4(%esp), %ecx\n"
    "pf_probe_insn:\n"
    "    mov  (%ecx), %eax\n"
    "pf_probe_next:\n"
    "    ret\n"
    "    .globl bp_probe, bp_probe_next\n"
    "bp_probe:\n"
    "    int3\n"
    "bp_probe_next:\n"
    "    ret\n"
    "    .popsection\n"
);

/*
 * The user code, a page of its own mapped user where it is. user_exit goes
 * straight back to the kernel; user_int80_loop makes eax null system calls
 * and returns the cycles they took.
 */
__asm__ (
    "    .pushsection .text.user, \"ax\", @progbits\n"
    "    .balign " STR(GUEST_PAGE_SIZE) "\n"
    "    .globl user_page, user_exit, user_int80_loop\n"
    "user_page:\n"
    "user_exit:\n"
    "    mov  $" STR(SYS_EXIT) ", %eax\n"
    "    int  $0x80\n"
    "    ud2\n"
    "user_int80_loop:\n"
    "    mov  %eax, %ebx\n"
    "    rdtsc\n"
    "    mov  %eax, %esi\n"
    "    mov  %edx, %edi\n"
    "1:  xor  %eax, %eax\n"
    "    int  $0x80\n"
    "    dec  %ebx\n"
    "    jnz  1b\n"
    "    rdtsc\n"
    "    sub  %esi, %eax\n"
    "    sbb  %edi, %edx\n"
    "    mov  %eax, %ecx\n"
    "    mov  $" STR(SYS_EXIT) ", %eax\n"
    "    int  $0x80\n"
    "    ud2\n"
    "    .org user_page + " STR(GUEST_PAGE_SIZE) ", 0xcc\n"
    "    .popsection\n"
);
#else
/*
 * user_enter(rip, arg): save the callee-saved registers and the stack, and
 * go to user mode at rip with rdi = arg through the iret hypercall (flags 0:
 * exit by IRETQ). The guest stack at the hypercall, lowest first, is
 * rax r11 rcx (pushed by the stub), flags, rip, cs, rflags, rsp, ss.
 *
 * entry_syscall: a SYSCALL from user mode. Xen left rcx, r11 (the user's
 * rip and rflags), rip, cs, rflags, rsp, ss on our kernel stack. rax =
 * SYS_EXIT ends user mode: back to user_enter's caller with rdi as the
 * result. Anything else is the null system call: straight back with the
 * iret hypercall and VGCF_in_syscall (Xen returns by SYSRET), as Linux does.
 *
 * entry_bp, entry_pf: the bounces from bp_probe and pf_probe, returned
 * from at once with the iret hypercall (flags 0). Any other #BP or #PF goes
 * to the lib's stub, which reports it and ends the test.
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl user_enter\n"
    "    .type user_enter, @function\n"
    "user_enter:\n"
    "    push %rbx\n"
    "    push %rbp\n"
    "    push %r12\n"
    "    push %r13\n"
    "    push %r14\n"
    "    push %r15\n"
    "    mov  %rsp, user_return_sp(%rip)\n"
    "    push $" STR(FLAT_USER_SS) "\n"
    "    push $" STR(USER_STACK_TOP) "\n"
    "    push $" STR(USER_RFLAGS) "\n"
    "    push $" STR(FLAT_USER_CS) "\n"
    "    push %rdi\n"
    "    push $0\n"
    "    mov  %rsi, %rdi\n"
    "    jmp  " HYPERCALL_IRET "\n"
    "    .size user_enter, . - user_enter\n"

    "    .globl entry_syscall\n"
    "    .balign 16\n"
    "entry_syscall:\n"
    "    cmp  $" STR(SYS_EXIT) ", %eax\n"
    "    je   1f\n"
    "    pop  %rcx\n"
    "    pop  %r11\n"
    "    push $" STR(VGCF_in_syscall) "\n"
    "    jmp  " HYPERCALL_IRET "\n"
    "1:  mov  %rdi, %rax\n"
    "    mov  user_return_sp(%rip), %rsp\n"
    "    pop  %r15\n"
    "    pop  %r14\n"
    "    pop  %r13\n"
    "    pop  %r12\n"
    "    pop  %rbp\n"
    "    pop  %rbx\n"
    "    ret\n"

    "    .globl entry_bp\n"
    "    .balign 16\n"
    "entry_bp:\n"
    "    cmpq $bp_probe_next, 16(%rsp)\n"
    "    jne  trap_stubs + 3 * 16\n"
    "    pop  %rcx\n"
    "    pop  %r11\n"
    "    push $0\n"
    "    jmp  " HYPERCALL_IRET "\n"

    "    .globl entry_pf\n"
    "    .balign 16\n"
    "entry_pf:\n"
    "    cmpq $pf_probe_insn, 24(%rsp)\n"
    "    jne  trap_stubs + 14 * 16\n"
    "    movq $pf_probe_next, 24(%rsp)\n"
    "    pop  %rcx\n"
    "    pop  %r11\n"
    "    movq $0, (%rsp)\n"             /* the error code becomes flags */
    "    jmp  " HYPERCALL_IRET "\n"

    "    .globl pf_probe, pf_probe_insn, pf_probe_next\n"
    "pf_probe:\n"
    "pf_probe_insn:\n"
    "    mov  (%rdi), %rax\n"
    "pf_probe_next:\n"
    "    ret\n"
    "    .globl bp_probe, bp_probe_next\n"
    "bp_probe:\n"
    "    int3\n"
    "bp_probe_next:\n"
    "    ret\n"
    "    .popsection\n"
);

/*
 * The user code: a page of its own (nothing else is in it), mapped at
 * USER_VA, so position independent. user_exit goes straight back to the
 * kernel (the kernel -> user -> kernel loop); user_syscall_loop makes rdi
 * null system calls and returns the cycles they took.
 */
__asm__ (
    "    .pushsection .text.user, \"ax\", @progbits\n"
    "    .balign " STR(GUEST_PAGE_SIZE) "\n"
    "    .globl user_page, user_exit, user_syscall_loop\n"
    "user_page:\n"
    "user_exit:\n"
    "    mov  $" STR(SYS_EXIT) ", %eax\n"
    "    syscall\n"
    "    ud2\n"
    "user_syscall_loop:\n"
    "    mov  %rdi, %rbx\n"
    "    rdtsc\n"
    "    shl  $32, %rdx\n"
    "    or   %rdx, %rax\n"
    "    mov  %rax, %r12\n"
    "1:  xor  %eax, %eax\n"
    "    syscall\n"
    "    dec  %rbx\n"
    "    jnz  1b\n"
    "    rdtsc\n"
    "    shl  $32, %rdx\n"
    "    or   %rdx, %rax\n"
    "    sub  %r12, %rax\n"
    "    mov  %rax, %rdi\n"
    "    mov  $" STR(SYS_EXIT) ", %eax\n"
    "    syscall\n"
    "    ud2\n"
    /* The page holds the user code only (the assembler refuses more). */
    "    .org user_page + " STR(GUEST_PAGE_SIZE) ", 0xcc\n"
    "    .popsection\n"
);
#endif

static unsigned long user_va(const char *sym)
{
#ifdef __i386__
    return (unsigned long)sym;
#else
    return (unsigned long)USER_VA + (sym - user_page);
#endif
}

/* ------------------------------------------------------------ time */

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile ( "rdtsc" : "=a" (lo), "=d" (hi) :: "memory" );
    return ((uint64_t)hi << 32) | lo;
}

/* Our time record's TSC scale (xen.h struct vcpu_time_info). */
static uint32_t tsc_mul;
static int8_t tsc_shift;

/*
 * Tenths of a nanosecond in c cycles: (c * 10 * mul) >> 32, exactly, with
 * 64-bit products (a 32-bit build has no __int128).
 */
static uint64_t cycles_to_ns10(uint64_t c)
{
    if ( tsc_shift >= 0 )
        c <<= tsc_shift;
    else
        c >>= -tsc_shift;
    c *= 10;
    return (c >> 32) * tsc_mul + (((c & 0xffffffffu) * tsc_mul) >> 32);
}

static bool time_init(void)
{
    const volatile struct shared_info *si =
        (const volatile struct shared_info *)slot_va(S_SHINFO);
    const volatile struct vcpu_time_info *t = &si->vcpu_info[0].time;
    uint32_t ver;
    uint64_t khz;

    do {
        ver = t->version;
        barrier();
        tsc_mul = t->tsc_to_system_mul;
        tsc_shift = t->tsc_shift;
        barrier();
    } while ( (ver & 1) || ver != t->version );

    if ( !tsc_mul )
    {
        xtf_error("Error: no TSC scale in vcpu_info[0].time\n");
        return false;
    }
    khz = ((uint64_t)1000000 << 32) / tsc_mul;
    khz = tsc_shift >= 0 ? khz >> tsc_shift : khz << -tsc_shift;
    printk("bench-info tsc %lu kHz (mul %#x shift %d)\n", (unsigned long)khz,
           tsc_mul, tsc_shift);
    return true;
}

/* ------------------------------------------------------------ failures */

/* The first failure of the operation running, if any. */
static char fail_why[96];

static uint64_t fail(const char *what, long rc)
{
    if ( !fail_why[0] )
        snprintf(fail_why, sizeof(fail_why), "%s returned %ld", what, rc);
    return 0;
}

static long mmuext1(unsigned int cmd, unsigned long mfn)
{
    mmuext_op_t op = { .cmd = cmd, .arg1.mfn = mfn };

    return hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static long mmu1(uint64_t ptr, uint64_t val)
{
    mmu_update_t req = { .ptr = ptr, .val = val };

    return hypercall_mmu_update(&req, 1, NULL, DOMID_SELF);
}

/* ------------------------------------------------------------ operations */

/* The body is the rest of the arguments: it may hold commas. */
#define TIMED_LOOP(n, ...)                                              \
    ({                                                                  \
        uint64_t t0_ = rdtsc();                                         \
        for ( unsigned long i_ = 0; i_ < (n); i_++ )                    \
        {                                                               \
            __VA_ARGS__;                                                \
        }                                                               \
        rdtsc() - t0_;                                                  \
    })

/* Each returns the cycles of n iterations, or 0 after fail(). */

static uint64_t op_null_hypercall(unsigned long n)
{
    uint64_t c = TIMED_LOOP(n, {
        long rc = hypercall_raw(HYPERCALL_NULL, 0, 0, 0, 0, 0);

        if ( unlikely(rc != -XEN_ENOSYS) )
            return fail("hypercall " STR(HYPERCALL_NULL), rc);
    });
    return c;
}

static uint64_t op_xen_version(unsigned long n)
{
    uint64_t c = TIMED_LOOP(n, {
        long rc = hypercall_xen_version(XENVER_version, NULL);

        if ( unlikely(rc <= 0) )
            return fail("xen_version", rc);
    });
    return c;
}

/* One L1 entry, alternating between two frames: a real get/put each time. */
static uint64_t op_mmu_update(unsigned long n)
{
    mmu_update_t req[2] = {
        { pte(FR_WIN_L1, 0) + S_MMU * 8, pte(FR_DATA, KERNEL_RO) },
        { pte(FR_WIN_L1, 0) + S_MMU * 8, pte(FR_DATA2, KERNEL_RO) },
    };
    uint64_t c = TIMED_LOOP(n, {
        long rc = hypercall_mmu_update(&req[i_ & 1], 1, NULL, DOMID_SELF);

        if ( unlikely(rc) )
            return fail("mmu_update", rc);
    });
    return c;
}

/* BATCH entries per call (the time is per call). */
static uint64_t op_mmu_update_batch(unsigned long n)
{
    static mmu_update_t req[2][BATCH];
    unsigned int i;

    for ( i = 0; i < BATCH; i++ )
    {
        req[0][i].ptr = req[1][i].ptr = pte(FR_WIN_L1, 0) + (S_BATCH + i) * 8;
        req[0][i].val = pte(FR_DATA, KERNEL_RO);
        req[1][i].val = pte(FR_DATA2, KERNEL_RO);
    }

    uint64_t c = TIMED_LOOP(n, {
        long rc = hypercall_mmu_update(req[i_ & 1], BATCH, NULL, DOMID_SELF);

        if ( unlikely(rc) )
            return fail("mmu_update batch", rc);
    });
    return c;
}

static uint64_t uva_loop(unsigned long n, unsigned int slot,
                         unsigned long flags)
{
    unsigned long va = slot_va(slot);
    uint64_t val[2] = { pte(FR_DATA, KERNEL_RO), pte(FR_DATA2, KERNEL_RO) };
    uint64_t c = TIMED_LOOP(n, {
        long rc = hypercall_update_va_mapping(va, val[i_ & 1], flags);

        if ( unlikely(rc) )
            return fail("update_va_mapping", rc);
    });
    return c;
}

static uint64_t op_uva_invlpg(unsigned long n)
{
    return uva_loop(n, S_UVA, UVMF_INVLPG | UVMF_LOCAL);
}

static uint64_t op_uva_noflush(unsigned long n)
{
    return uva_loop(n, S_UVA_NOFLUSH, UVMF_NONE);
}

/* PIN_L1_TABLE then UNPIN_TABLE of an empty frame: two hypercalls. */
static uint64_t op_pin_unpin(unsigned long n)
{
    unsigned long mfn = frame_mfn[FR_PIN];
    uint64_t c = TIMED_LOOP(n, {
        long rc = mmuext1(MMUEXT_PIN_L1_TABLE, mfn);

        if ( unlikely(rc) )
            return fail("mmuext PIN_L1_TABLE", rc);
        rc = mmuext1(MMUEXT_UNPIN_TABLE, mfn);
        if ( unlikely(rc) )
            return fail("mmuext UNPIN_TABLE", rc);
    });
    return c;
}

static uint64_t op_tlb_flush_local(unsigned long n)
{
    uint64_t c = TIMED_LOOP(n, {
        long rc = mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0);

        if ( unlikely(rc) )
            return fail("mmuext TLB_FLUSH_LOCAL", rc);
    });
    return c;
}

/* A load from a window slot that is never mapped: #PF, then iret. */
static uint64_t op_pf_bounce(unsigned long n)
{
    const volatile unsigned long *p =
        (const volatile unsigned long *)slot_va(S_PF);

    return TIMED_LOOP(n, pf_probe(p));
}

/* int3: #BP bounced to us, then iret. */
static uint64_t op_bp_bounce(unsigned long n)
{
    return TIMED_LOOP(n, bp_probe());
}

/* iret to user mode, whose first instruction is a SYSCALL (int $0x80) back. */
static uint64_t op_kernel_user_kernel(unsigned long n)
{
    unsigned long rip = user_va(user_exit);

    return TIMED_LOOP(n, user_enter(rip, 0));
}

#ifdef __i386__
/* Timed in ring 3: int $0x80, bounce, iret, n times. */
static uint64_t op_int80_roundtrip(unsigned long n)
{
    return user_enter(user_va(user_int80_loop), n);
}
#else
/* Timed in user mode: SYSCALL, bounce, iret (VGCF_in_syscall), n times. */
static uint64_t op_syscall_roundtrip(unsigned long n)
{
    return user_enter(user_va(user_syscall_loop), n);
}
#endif

/* cpuid leaf 0 behind the forced-emulation prefix (XEN_EMULATE_PREFIX). */
static uint64_t op_cpuid_forced(unsigned long n)
{
    uint64_t c = TIMED_LOOP(n, {
        uint32_t a = 0, b, cx = 0, d;

        __asm__ volatile ( ".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e; cpuid"
                           : "+a" (a), "=b" (b), "+c" (cx), "=d" (d) );
        if ( unlikely(!a) )
            return fail("forced cpuid leaf 0 (max leaf)", a);
    });
    return c;
}

static uint64_t op_rdtsc(unsigned long n)
{
    return TIMED_LOOP(n, rdtsc());
}

/*
 * An event send on a port of ours, masked, its pending bit cleared each
 * time so that every send raises it: an IPI to ourselves, then one end of
 * a loopback pair (interdomain to our own unbound port).
 */
static evtchn_port_t ipi_port, loop_port, loop_peer;

/* The bits of a word of the event arrays: 64, or 32 for a 32-bit guest. */
#define WORD_BITS       (8 * sizeof(xen_ulong_t))
#define WORD_BIT(port)  ((xen_ulong_t)1 << ((port) % WORD_BITS))

static volatile shared_info_t *shinfo(void)
{
    return (volatile shared_info_t *)slot_va(S_SHINFO);
}

static void port_mask(evtchn_port_t port)
{
    __atomic_fetch_or(&shinfo()->evtchn_mask[port / WORD_BITS], WORD_BIT(port),
                      __ATOMIC_SEQ_CST);
}

static uint64_t send_loop(unsigned long n, evtchn_port_t send, evtchn_port_t raised)
{
    volatile xen_ulong_t *word = &shinfo()->evtchn_pending[raised / WORD_BITS];
    xen_ulong_t bit = WORD_BIT(raised);

    return TIMED_LOOP(n, {
        long rc = hypercall_evtchn_send(send);

        if ( unlikely(rc) )
            return fail("EVTCHNOP_send", rc);
        if ( unlikely(!(*word & bit)) )
            return fail("the port raised (0: not pending)", 0);
        __atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST);
    });
}

static uint64_t op_evtchn_send_ipi(unsigned long n)
{
    if ( !ipi_port )
    {
        struct evtchn_bind_ipi b = { .vcpu = 0 };
        long rc = hypercall_event_channel_op(EVTCHNOP_bind_ipi, &b);

        if ( rc )
            return fail("EVTCHNOP_bind_ipi", rc);
        ipi_port = b.port;
        port_mask(ipi_port);
    }
    return send_loop(n, ipi_port, ipi_port);
}

static uint64_t op_evtchn_send_loop(unsigned long n)
{
    if ( !loop_port )
    {
        struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
        struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF };
        long rc = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &u);

        if ( rc )
            return fail("EVTCHNOP_alloc_unbound", rc);
        port_mask(u.port);
        b.remote_port = u.port;
        if ( (rc = hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &b)) )
            return fail("EVTCHNOP_bind_interdomain", rc);
        port_mask(b.local_port);
        loop_port = b.local_port;
        loop_peer = u.port;
    }
    return send_loop(n, loop_port, loop_peer);
}

/*
 * Two vCPUs (the cfgs give two; vCPU 1 is started at the first of these
 * operations, as Linux starts one: tests/guests/smp). vCPU 1 runs with its
 * events masked and no trap table, on our page tables and a stack of its
 * own, doing what ap_mode says: answer each event on port A (its IPI)
 * with one on port B (vCPU 0's), blocked in SCHEDOP_poll or spinning on
 * the pending bit, or just spin (a CPU that runs the guest: a remote TLB
 * flush must reach it). Both ports are masked.
 */
enum ap_mode { AP_SPIN, AP_ECHO_POLL, AP_ECHO_SPIN, AP_DOWN };
/* vCPU 0's request: a mode and a number; vCPU 1 echoes each one it takes. */
static volatile unsigned int ap_req, ap_seen = ~0u;
static evtchn_port_t port_a, port_b;
static uint8_t ap_stack[4 * PAGE_SIZE] __aligned(PAGE_SIZE);
void __noreturn ap_main(void);
extern const char ap_entry[];

__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl ap_entry\n"
    "ap_entry:\n"
#ifdef __i386__
    "    and  $~15, %esp\n"
#else
    "    and  $~15, %rsp\n"
#endif
    "    call ap_main\n"
    "    ud2\n"
    "    .popsection\n"
);

static bool port_pending(evtchn_port_t port)
{
    return (shinfo()->evtchn_pending[port / WORD_BITS] >> (port % WORD_BITS)) & 1;
}

static void port_clear(evtchn_port_t port)
{
    __atomic_fetch_and(&shinfo()->evtchn_pending[port / WORD_BITS], ~WORD_BIT(port),
                       __ATOMIC_SEQ_CST);
}

/* SCHEDOP_poll on port, no timeout. */
static long poll_port(evtchn_port_t port)
{
    struct sched_poll p = { .nr_ports = 1 };

    set_xen_guest_handle(p.ports, &port);
    return hypercall_sched_op(SCHEDOP_poll, &p);
}

void ap_main(void)
{
    for ( ; ; )
    {
        unsigned int req = ap_req, mode = req & 0xff;

        ap_seen = req;
        if ( mode == AP_DOWN )
            hypercall_vcpu_op(VCPUOP_down, 1, NULL);
        else if ( mode == AP_ECHO_POLL && !port_pending(port_a) )
            poll_port(port_a);
        if ( (mode == AP_ECHO_POLL || mode == AP_ECHO_SPIN) && port_pending(port_a) )
        {
            port_clear(port_a);
            hypercall_evtchn_send(port_b);
        }
        else
            __asm__ volatile ( "pause" ::: "memory" );
    }
}

static long bind_ipi_masked(unsigned int vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_ipi, &b);

    *port = b.port;
    if ( !rc )
        port_mask(b.port);
    return rc;
}

/* vCPU 1 takes mode (woken from a poll if wake); false after fail(). */
static bool ap_request(unsigned int mode, bool wake)
{
    static unsigned int gen;
    unsigned int req = mode | (++gen << 8);
    uint64_t t0 = rdtsc();

    ap_req = req;
    if ( wake )
        hypercall_evtchn_send(port_a);
    while ( ap_seen != req )
        if ( rdtsc() - t0 > ((uint64_t)1 << 36) )
            return fail("vCPU 1 answering (0: it does not)", 0);
    return true;
}

/* vCPU 1 in mode (started the first time), no event pending: false after fail(). */
static bool ap_set(unsigned int mode)
{
    static vcpu_guest_context_t ctx;
    static bool started;
    long rc;

    if ( !started )
    {
        if ( (rc = bind_ipi_masked(1, &port_a)) || (rc = bind_ipi_masked(0, &port_b)) )
            return fail("EVTCHNOP_bind_ipi", rc);
        shinfo()->vcpu_info[1].evtchn_upcall_mask = 1;
        ctx.flags = VGCF_in_kernel;
        ctx.user_regs.cs = FLAT_KERNEL_CS;
        ctx.user_regs.ss = FLAT_KERNEL_SS;
#ifdef __i386__
        /* Segmentation is on: flat data selectors, callbacks in ring 1. */
        ctx.user_regs.ds = ctx.user_regs.es = FLAT_KERNEL_DS;
        ctx.user_regs.fs = ctx.user_regs.gs = FLAT_KERNEL_DS;
        ctx.event_callback_cs = ctx.failsafe_callback_cs = FLAT_KERNEL_CS;
        ctx.user_regs.eip = (unsigned long)ap_entry;
        ctx.user_regs.esp = (unsigned long)ap_stack + sizeof(ap_stack);
        ctx.kernel_sp = ctx.user_regs.esp;
#else
        ctx.user_regs.rip = (unsigned long)ap_entry;
        ctx.user_regs.rsp = (unsigned long)ap_stack + sizeof(ap_stack);
        ctx.kernel_sp = ctx.user_regs.rsp;
#endif
        ctx.kernel_ss = FLAT_KERNEL_SS;
        ctx.ctrlreg[3] = xen_pfn_to_cr3(image_mfn((const void *)start_info->pt_base));
        ap_req = AP_SPIN;
        if ( (rc = hypercall_vcpu_op(VCPUOP_initialise, 1, &ctx)) )
            return fail("VCPUOP_initialise vCPU 1 (vcpus = 2?)", rc);
        if ( (rc = hypercall_vcpu_op(VCPUOP_up, 1, NULL)) )
            return fail("VCPUOP_up vCPU 1", rc);
        started = true;
    }
    /* Quiet first (it leaves the ports alone), then no event left over. */
    if ( !ap_request(AP_SPIN, true) )
        return false;
    port_clear(port_a);
    port_clear(port_b);
    return ap_request(mode, false);
}

/* An event to vCPU 1 and its answer, vCPU 1 spinning and vCPU 0 spinning. */
static uint64_t op_ipi_spin_roundtrip(unsigned long n)
{
    if ( !ap_set(AP_ECHO_SPIN) )
        return 0;
    return TIMED_LOOP(n, {
        long rc = hypercall_evtchn_send(port_a);

        if ( unlikely(rc) )
            return fail("EVTCHNOP_send", rc);
        while ( !port_pending(port_b) )
            __asm__ volatile ( "pause" ::: "memory" );
        port_clear(port_b);
    });
}

/* The same, both blocked in SCHEDOP_poll until the event comes. */
static uint64_t op_ipi_poll_roundtrip(unsigned long n)
{
    if ( !ap_set(AP_ECHO_POLL) )
        return 0;
    return TIMED_LOOP(n, {
        long rc = hypercall_evtchn_send(port_a);

        if ( unlikely(rc) )
            return fail("EVTCHNOP_send", rc);
        while ( !port_pending(port_b) )
            if ( unlikely((rc = poll_port(port_b))) )
                return fail("SCHEDOP_poll", rc);
        port_clear(port_b);
    });
}

/* MMUEXT_TLB_FLUSH_ALL while vCPU 1 runs (spins): the flush must reach it. */
static uint64_t op_tlb_flush_all_2cpu(unsigned long n)
{
    if ( !ap_set(AP_SPIN) )
        return 0;
    return TIMED_LOOP(n, {
        long rc = mmuext1(MMUEXT_TLB_FLUSH_ALL, 0);

        if ( unlikely(rc) )
            return fail("MMUEXT_TLB_FLUSH_ALL", rc);
    });
}

struct bench_op
{
    const char *name;
    uint64_t (*run)(unsigned long n);
    bool user;                  /* needs the user address space */
};

/* User mode last: if it breaks the domain, the rest has been reported. */
static const struct bench_op ops[] = {
    { "null_hypercall", op_null_hypercall },
    { "xen_version", op_xen_version },
    { "mmu_update", op_mmu_update },
    { "mmu_update_x" STR(BATCH), op_mmu_update_batch },
    { "uva_invlpg", op_uva_invlpg },
    { "uva_noflush", op_uva_noflush },
    { "pin_unpin_l1", op_pin_unpin },
    { "tlb_flush_local", op_tlb_flush_local },
    { "pf_bounce", op_pf_bounce },
    { "bp_bounce", op_bp_bounce },
    { "cpuid_forced", op_cpuid_forced },
    { "rdtsc", op_rdtsc },
    { "evtchn_send_ipi", op_evtchn_send_ipi },
    { "evtchn_send_loop", op_evtchn_send_loop },
    { "kernel_user_kernel", op_kernel_user_kernel, true },
#ifdef __i386__
    { "int80_roundtrip", op_int80_roundtrip, true },
#else
    { "syscall_roundtrip", op_syscall_roundtrip, true },
#endif
    /* Two vCPUs last: vCPU 1 is started for them. */
    { "ipi_spin_roundtrip", op_ipi_spin_roundtrip },
    { "ipi_poll_roundtrip", op_ipi_poll_roundtrip },
    { "tlb_flush_all_2cpu", op_tlb_flush_all_2cpu },
};

/* ------------------------------------------------------------ the runner */

/* Iterations for target_ns, given that n took c cycles. */
static unsigned long iterations_for(uint64_t c, unsigned long n,
                                    uint64_t target_ns)
{
    uint64_t ns10 = cycles_to_ns10(c) ?: 1;
    uint64_t want = (uint64_t)n * target_ns * 10 / ns10;  /* < 2^50: no overflow */

    return MIN(MAX(want, BENCH_MIN_N), BENCH_MAX_N);
}

static void bench_run(const struct bench_op *op)
{
    unsigned long n = BENCH_WARMUP;
    uint64_t c, ns10, cyc10;
    unsigned int rep;

    fail_why[0] = '\0';
    c = op->run(n);
    if ( !fail_why[0] )
    {
        n = iterations_for(c, n, BENCH_PROBE_NS);
        c = op->run(n);
        n = iterations_for(c, n, BENCH_TARGET_NS);
    }

    for ( rep = 0; rep < BENCH_REPS && !fail_why[0]; rep++ )
    {
        c = op->run(n);
        if ( fail_why[0] )
            break;
        ns10 = cycles_to_ns10(c) / n;
        cyc10 = c * 10 / n;
        printk("bench %s %lu.%lu ns %lu.%lu cycles %lu iterations\n",
               op->name, (unsigned long)(ns10 / 10), (unsigned long)(ns10 % 10),
               (unsigned long)(cyc10 / 10), (unsigned long)(cyc10 % 10), n);
    }

    if ( fail_why[0] )
        xtf_error("bench-fail %s %s\n", op->name, fail_why);
}

/* ------------------------------------------------------------ the set-up */

static void install_traps(void)
{
    static trap_info_t traps[] = {
        { .vector = 3, .flags = 3, .cs = FLAT_KERNEL_CS },
        { .vector = 14, .cs = FLAT_KERNEL_CS },
#ifdef __i386__
        { .vector = 0x80, .flags = 3, .cs = FLAT_KERNEL_CS },  /* from ring 3 */
#endif
        { 0 },
    };
    long rc;

    traps[0].address = (unsigned long)entry_bp;
    traps[1].address = (unsigned long)entry_pf;
#ifdef __i386__
    traps[2].address = (unsigned long)entry_int80;
#endif
    rc = hypercall_set_trap_table(traps);
    if ( rc )
        xtf_error("Error: set_trap_table #BP/#PF: %ld\n", rc);
}

/* The VA of a boot page-table frame, from its entry in the level above. */
static const uint64_t *boot_table(uint64_t entry)
{
    unsigned long pfn = m2p[(entry & PTE_ADDR) >> PAGE_SHIFT];

    return (const uint64_t *)(GUEST_VIRT_BASE + (pfn << PAGE_SHIFT));
}

static bool find_frames(void)
{
    const start_info_t *si = start_info;
    const xen_pfn_t *p2m = (const xen_pfn_t *)si->mfn_list;
#ifdef __i386__
    const uint64_t *l3 = (const uint64_t *)si->pt_base;
#else
    const uint64_t *l4 = (const uint64_t *)si->pt_base;
    const uint64_t *l3;
#endif
    const uint64_t *l2;
    unsigned long boot_end_pfn, pfn;
    unsigned int i;

#ifndef __i386__
    if ( !(l4[BOOT_L4_SLOT] & PTE_P) )
    {
        xtf_error("Error: boot L4[511] not present\n");
        return false;
    }
    l3 = boot_table(l4[BOOT_L4_SLOT]);
#endif
    if ( !(l3[BOOT_L3_SLOT] & PTE_P) )
    {
        xtf_error("Error: boot L3[" STR(BOOT_L3_SLOT) "] not present\n");
        return false;
    }
    frame_mfn[FR_BOOT_L2] = (l3[BOOT_L3_SLOT] & PTE_ADDR) >> PAGE_SHIFT;
    l2 = boot_table(l3[BOOT_L3_SLOT]);

    for ( i = 0; i < ENTRIES && (l2[i] & PTE_P); i++ )
        ;
    boot_end_pfn = (unsigned long)i * ENTRIES;
    if ( i > WIN_L2_SLOT || l2[WIN_L2_SLOT] )
    {
        xtf_error("Error: boot L2[256] not free\n");
        return false;
    }

    for ( i = 0; i < FR_FREE_END; i++ )
    {
        pfn = si->nr_pages - 1 - i;
        if ( pfn < boot_end_pfn || p2m[pfn] == ~0UL || m2p[p2m[pfn]] != pfn )
        {
            xtf_error("Error: no free frame at pfn %#lx\n", pfn);
            return false;
        }
        frame_mfn[i] = p2m[pfn];
    }
    return true;
}

/* One set-up step: a failure ends the test. */
static bool step(const char *what, long rc)
{
    if ( rc )
        xtf_error("Error: %s: %ld\n", what, rc);
    return !rc;
}

/* The window, shared_info in it, and the two frames it maps. */
static bool window_init(void)
{
    unsigned int i;

    for ( i = 0; i < FR_FREE_END; i++ )
        if ( !step("mmuext CLEAR_PAGE", mmuext1(MMUEXT_CLEAR_PAGE,
                                                frame_mfn[i])) )
            return false;

    return step("mmuext PIN_L1_TABLE window",
                mmuext1(MMUEXT_PIN_L1_TABLE, frame_mfn[FR_WIN_L1])) &&
           step("mmu_update boot L2[256] := window",
                mmu1(pte(FR_BOOT_L2, 0) + WIN_L2_SLOT * 8,
                     pte(FR_WIN_L1, TABLE_FLAGS))) &&
           step("update_va_mapping shared_info",
                hypercall_update_va_mapping(
                    slot_va(S_SHINFO),
                    start_info->shared_info | TABLE_FLAGS | PTE_D,
                    UVMF_INVLPG | UVMF_LOCAL));
}

#ifdef __i386__
/*
 * Ring 3 on the kernel's own tables: the user code page and the user stack
 * mapped user where they are (the builder's L2 entries are user already),
 * and the stack that bounces from ring 3 land on. int $0x80 is in the
 * trap table (install_traps).
 */
static bool user_init(void)
{
    return step("update_va_mapping user code",
                hypercall_update_va_mapping(
                    (unsigned long)user_page,
                    ((uint64_t)image_mfn(user_page) << PAGE_SHIFT) | USER_RO,
                    UVMF_INVLPG | UVMF_LOCAL)) &&
           step("update_va_mapping user stack",
                hypercall_update_va_mapping(
                    (unsigned long)user_stack,
                    ((uint64_t)image_mfn(user_stack) << PAGE_SHIFT) | USER_RW,
                    UVMF_INVLPG | UVMF_LOCAL)) &&
           step("stack_switch",
                hypercall_raw(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS,
                              (unsigned long)kernel_stack + PAGE_SIZE,
                              0, 0, 0));
}
#else
/*
 * The user address space, bottom up: each table is filled while it is
 * still an ordinary frame (mmu_update on such a frame is a plain store),
 * then pinned, then hooked into the level above.
 */
static bool user_init(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_syscall,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)entry_syscall,
    };

    return step("mmu_update user L1 := code",
                mmu1(pte(FR_U_L1, 0) + USER_L1_SLOT * 8,
                     (image_mfn(user_page) << PAGE_SHIFT) | USER_RO)) &&
           step("mmu_update user L1 := stack",
                mmu1(pte(FR_U_L1, 0) + (USER_L1_SLOT + 1) * 8,
                     (image_mfn(user_stack) << PAGE_SHIFT) | USER_RW)) &&
           step("mmuext PIN_L1_TABLE user L1",
                mmuext1(MMUEXT_PIN_L1_TABLE, frame_mfn[FR_U_L1])) &&
           step("mmu_update user L2",
                mmu1(pte(FR_U_L2, 0) + USER_L2_SLOT * 8,
                     pte(FR_U_L1, USER_TABLE))) &&
           step("mmuext PIN_L2_TABLE user L2",
                mmuext1(MMUEXT_PIN_L2_TABLE, frame_mfn[FR_U_L2])) &&
           step("mmu_update user L3",
                mmu1(pte(FR_U_L3, 0) + USER_L3_SLOT * 8,
                     pte(FR_U_L2, USER_TABLE))) &&
           step("mmuext PIN_L3_TABLE user L3",
                mmuext1(MMUEXT_PIN_L3_TABLE, frame_mfn[FR_U_L3])) &&
           step("mmu_update user L4",
                mmu1(pte(FR_U_L4, 0) + USER_L4_SLOT * 8,
                     pte(FR_U_L3, USER_TABLE))) &&
           step("mmuext PIN_L4_TABLE user L4",
                mmuext1(MMUEXT_PIN_L4_TABLE, frame_mfn[FR_U_L4])) &&
           step("mmuext NEW_USER_BASEPTR",
                mmuext1(MMUEXT_NEW_USER_BASEPTR, frame_mfn[FR_U_L4])) &&
           step("stack_switch",
                hypercall_raw(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS,
                              (unsigned long)kernel_stack + PAGE_SIZE,
                              0, 0, 0)) &&
           step("callback_op register syscall",
                hypercall_callback_op(CALLBACKOP_register, &cb));
}
#endif

void test_main(void)
{
    bool user_ok;
    unsigned int i;

    printk("bench-plan");
    for ( i = 0; i < ARRAY_SIZE(ops); i++ )
        printk(" %s", ops[i].name);
    printk("\n");

    install_traps();
    if ( !find_frames() || !window_init() || !time_init() )
        return;
    user_ok = user_init();

    for ( i = 0; i < ARRAY_SIZE(ops); i++ )
    {
        if ( ops[i].user && !user_ok )
            xtf_error("bench-fail %s no user mode\n", ops[i].name);
        else
            bench_run(&ops[i]);
    }
    if ( port_a )
        ap_request(AP_DOWN, true);            /* vCPU 1, started, goes down */

    xtf_success(NULL);
}
