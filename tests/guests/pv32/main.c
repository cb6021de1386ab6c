/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/pv32/main.c - what only a 32-bit PAE PV kernel sees: its
 * exceptions in Xen's 32-bit bounce frame ([error] eip, cs with the saved
 * event mask in bits 16-23, eflags; from ring 3 also esp, ss, on the stack
 * stack_switch named), iret back (compat_iret), a process in ring 3 and its
 * int $0x80, privileged instructions as Xen emulates them for a 32-bit
 * guest (CPUID and EFER without long mode, CR3 in Xen's 32-bit format),
 * update_va_mapping with the PTE in two halves, writable page tables with
 * half-entry stores and cmpxchg8b, descriptors by Xen's 32-bit rules, and
 * call gates, which Xen emulates for a 32-bit guest (far CALL and JMP, from
 * ring 1 and ring 3, parameters copied, and the faults of bad ones).
 * Expected values: Xen's (pv/traps.c, x86_64/compat/entry.S, pv/iret.c,
 * pv/emul-priv-op.c, pv/ro-page-fault.c, pv/descriptor-tables.c,
 * pv/emul-gate-op.c). L0 runs
 * no 32-bit guest: the lab runs this under our shim and Debian's xen-shim.
 * As a 64-bit kernel it only skips.
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "32-bit PV: bounce frames, iret, ring 3, emulation, ptwr, descriptors";

#ifndef __i386__
void test_main(void)
{
    xtf_skip("a 32-bit PV test: nothing to do as a 64-bit kernel\n");
}
#else

#define PG              4096UL
#define PTE_P           0x001ULL
#define PTE_RW          0x002ULL
#define PTE_US          0x004ULL
#define PTE_A           0x020ULL
#define PTE_D           0x040ULL
#define EFLAGS_IF       0x200UL

extern char hypercall_page[];

/* What the last exception handed us (trap_record), and where to go on. */
static volatile struct
{
    unsigned int vec, err, eip, cs, eflags, esp, ss, count;
    unsigned int trap_vec;          /* the last exception's (int $0x80 not) */
    uint32_t vm_at, vm_words[6];    /* a VM86 frame: where, and esp ss es ds fs gs */
} t;
/* Named by the assembly below: not static. */
volatile unsigned long resume_eip;
/* Where a case expects to come back (call gates below; int3). */
volatile uint32_t g_back;

/* The stub's frame: pusha, vector, error code, then Xen's bounce frame. */
struct tframe
{
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t vec, err;
    uint32_t eip, cs, eflags, esp, ss;
};

void trap_record(struct tframe *f);
void trap_record(struct tframe *f)
{
    t.vec = t.trap_vec = f->vec;
    t.err = f->err;
    t.eip = f->eip;
    t.cs = f->cs;
    t.eflags = f->eflags;
    t.esp = (f->cs & 3) == 3 ? f->esp : 0;
    t.ss = (f->cs & 3) == 3 ? f->ss : 0;
    t.count++;
    if ( f->eflags & (1u << 17) )
    {
        /* A VM86 frame (Xen's compat_iret): back to ring 1, VM cleared. */
        t.vm_at = (unsigned long)&f->err;
        for ( unsigned int i = 0; i < 6; i++ )
            t.vm_words[i] = (&f->esp)[i];
        f->cs = FLAT_KERNEL_CS;
        f->eflags = 0;
    }
    /* Used once: a fault no case expects ends the test. */
    if ( !resume_eip )
    {
        xtf_failure("Failure: unexpected exception %u (error %#x) at %#x\n",
                    f->vec, f->err, f->eip);
        xtf_exit();
    }
    f->eip = resume_eip;
    resume_eip = 0;
}

/*
 * One stub per vector; those without an error code push 0. They return
 * through the hypercall page's iret: [eax] eip cs eflags, to ring 1.
 */
#define STUB(name, vec, push0)                                          \
    extern const char name[];                                           \
    __asm__ ( "    .pushsection .text, \"ax\", @progbits\n"             \
              #name ":\n"                                               \
              push0                                                     \
              "    push $" #vec "\n"                                    \
              "    pusha\n"                                             \
              "    push %esp\n"                                         \
              "    call trap_record\n"                                  \
              "    add  $4, %esp\n"                                     \
              "    popa\n"                                              \
              "    add  $8, %esp\n"                                     \
              "    jmp  hypercall_page + 23 * 32\n"                     \
              "    .popsection\n" )
STUB(trap_ud, 6, "    push $0\n");
STUB(trap_bp, 3, "    push $0\n");
STUB(trap_gp, 13, "");
STUB(trap_np, 11, "");
STUB(trap_pf, 14, "");

/*
 * int $0x80 from ring 3: record the frame (eip cs eflags esp ss on the
 * kernel stack), then back to the kernel's own stack where it left it.
 */
volatile uint32_t kernel_esp;
extern const char trap_int80[], user_code[], back_in_kernel[];
void int80_record(uint32_t *f);
void int80_record(uint32_t *f)
{
    t.vec = 0x80;
    t.eip = f[0];
    t.cs = f[1];
    t.eflags = f[2];
    t.esp = f[3];
    t.ss = f[4];
    t.count++;
}
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "trap_int80:\n"
    "    push %esp\n"              /* the frame: push %esp pushes the old %esp */
    "    call int80_record\n"
    "    mov  kernel_esp, %esp\n"
    "    jmp  back_in_kernel\n"
    "    .popsection\n"
    /*
     * The process: a page of its own, user-mapped; eax says it ran. Then
     * its far calls through call gates (pv32_gdt below): one to ring 1,
     * one with two parameters, one through a gate of DPL 1 (#GP).
     */
    "    .pushsection .text.user, \"ax\", @progbits\n"
    "    .balign 4096\n"
    "user_code:\n"
    "    mov  $0x600d, %eax\n"
    "    int  $0x80\n"
    "    ud2\n"
    "user_gate_call:\n"
    "    lcall $0x0b, $0\n"
    "user_gate_call_ret:\n"
    "    int  $0x80\n"
    "user_gate_params:\n"
    "    push $0x1111\n"
    "    push $0x2222\n"
    "    lcall $0x1b, $0\n"
    "user_gate_params_ret:\n"
    "    int  $0x80\n"
    "user_gate_dpl1:\n"
    "    lcall $0x13, $0\n"
    "user_resume:\n"
    "    int  $0x80\n"
    /* a gate to ring-3 code: on the process's stack, then on a kernel page (ebx) */
    "user_gate_r3:\n"
    "    lcall $0x6b, $0\n"
    "user_gate_r3_ret:\n"
    "    int  $0x80\n"
    "user_gate_r3_kstack:\n"
    "    mov  %ebx, %esp\n"
    "    lcall $0x6b, $0\n"
    "    int  $0x80\n"
    "user_gate_target:\n"
    "    mov  %esp, %ecx\n"
    "    lret\n"
    "    .balign 4096\n"
    "    .popsection\n" );
extern const char user_gate_call[], user_gate_call_ret[], user_gate_params[],
                  user_gate_params_ret[], user_gate_dpl1[], user_resume[], user_gate_r3[],
                  user_gate_r3_ret[], user_gate_r3_kstack[], user_gate_target[];

static uint8_t user_stack[4096] __aligned(4096);
static uint8_t kstack[4096] __aligned(16);
static uint8_t spare[6][4096] __aligned(4096);

static void check_eq(const char *name, long got, long expected)
{
    report_case(name, got, expected, NULL);
}

static void traps_init32(void)
{
    static trap_info_t tr[] = {
        { 3, 3, FLAT_KERNEL_CS, (unsigned long)trap_bp },
        { 6, 0, FLAT_KERNEL_CS, (unsigned long)trap_ud },
        { 11, 0, FLAT_KERNEL_CS, (unsigned long)trap_np },
        { 13, 0, FLAT_KERNEL_CS, (unsigned long)trap_gp },
        { 14, 0, FLAT_KERNEL_CS, (unsigned long)trap_pf },
        { 0x80, 3, FLAT_KERNEL_CS, (unsigned long)trap_int80 },
        { 0, 0, 0, 0 },
    };

    check_eq("set_trap_table (8-byte entries)", hypercall_set_trap_table(tr), 0);
}

/* ------------------------------------------------------------ page tables */

static const unsigned long *p2m(void)
{
    return (const unsigned long *)start_info->mfn_list;
}

static unsigned long mfn_of(const void *va)
{
    return p2m()[((unsigned long)va - GUEST_VIRT_BASE) / PG];
}

static const unsigned long *const m2p = (const unsigned long *)MACH2PHYS_VIRT_START;

/* The VA of the boot region's frame mfn. */
static unsigned long frame_va(uint64_t mfn)
{
    return GUEST_VIRT_BASE + m2p[mfn] * PG;
}

/* The L1 entry (through the boot tables, read-only to us) mapping va. */
static volatile uint64_t *l1e_of(unsigned long va)
{
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    const uint64_t *l2 = (const uint64_t *)frame_va(l3[va >> 30] >> 12 & 0xffffffffff);
    uint64_t *l1 = (uint64_t *)frame_va(l2[(va >> 21) & 511] >> 12 & 0xffffffffff);

    return &l1[(va >> 12) & 511];
}

static long uvm(const void *va, uint64_t pte, unsigned long flags)
{
    return hypercall_update_va_mapping((unsigned long)va, pte, flags);
}

/* ------------------------------------------------------------ the cases */

static void test_exceptions(void)
{
    unsigned int mask = 1;          /* events stay masked: the saved mask is 1 */

    /* int3: trap, eip after it, cs ring 1 with the mask in bits 16-23, IF = !mask */
    t.count = 0;
    resume_eip = 0;
    __asm__ volatile ( "movl $1f, resume_eip\n\t"
                       "movl $1f, %0\n\t"
                       "int3\n\t"
                       "1:" : "=m" (g_back) :: "memory" );
    check_eq("int3: vector", t.vec, 3);
    check_eq("int3: eip after the int3", t.eip == g_back, 1);
    check_eq("int3: cs with the saved event mask", t.cs, FLAT_KERNEL_CS | (mask << 16));
    check_eq("int3: IF from the event mask", !!(t.eflags & EFLAGS_IF), !mask);

    /* ud2: a fault, eip at it */
    __asm__ volatile ( "movl $2f, resume_eip\n\t"
                       "1: ud2\n\t"
                       "2: movl $1b, %0" : "=m" (t.err) :: "memory" );
    check_eq("ud2: vector", t.vec, 6);
    check_eq("ud2: eip at the ud2", t.eip == t.err, 1);

    /* hlt: #GP(0) for a PV kernel */
    __asm__ volatile ( "movl $1f, resume_eip\n\t"
                       "hlt\n\t"
                       "1:" ::: "memory" );
    check_eq("hlt: #GP", t.vec, 13);
    check_eq("hlt: error code 0", t.err, 0);

    /* A read of an unmapped page: #PF, read and not present, supervisor */
    __asm__ volatile ( "movl $1f, resume_eip\n\t"
                       "movl 0x1000, %%eax\n\t"
                       "1:" ::: "eax", "memory" );
    check_eq("read of 0x1000: #PF", t.vec, 14);
    check_eq("read of 0x1000: error code (ring 1 is a supervisor)", t.err, 0);

    /* A write to the read-only M2P: #PF, present and write */
    __asm__ volatile ( "movl $1f, resume_eip\n\t"
                       "movl $0, 0xF5800000\n\t"
                       "1:" ::: "memory" );
    check_eq("write to the M2P (0xF5800000): #PF", t.vec, 14);
    check_eq("write to the M2P: error code present|write", t.err, 3);
}

static void test_emulation(void)
{
    uint32_t a, b, c, d;
    unsigned long top = (start_info->pt_base - GUEST_VIRT_BASE) / PG;

    /* Xen's forced CPUID: no long mode for a 32-bit guest */
    __asm__ volatile ( "ud2; .ascii \"xen\"; cpuid"
                       : "=a" (a), "=b" (b), "=c" (c), "=d" (d) : "a" (0x80000001), "c" (0) );
    check_eq("forced cpuid 0x80000001: no LM", !!(d & (1u << 29)), 0);
    __asm__ volatile ( "rdmsr" : "=a" (a), "=d" (d) : "c" (0xc0000080) );
    check_eq("rdmsr EFER: no LME, no LMA", a & 0x500, 0);
    __asm__ volatile ( "mov %%cr3, %0" : "=r" (a) );
    check_eq("mov from cr3: Xen's 32-bit cr3 of the L3",
             a, xen_pfn_to_cr3(p2m()[top]));
    __asm__ volatile ( "mov %%cr0, %0" : "=r" (a) );
    check_eq("mov from cr0: PE and PG", (a & 0x80000001) == 0x80000001, 1);
    t.count = 0;
    __asm__ volatile ( "movl $1f, resume_eip\n\t"
                       "rdmsr\n\t"
                       "1:" : "=a" (a), "=d" (d) : "c" (0xc0000100) : "memory" );
    check_eq("rdmsr FS_BASE: #GP (a 64-bit guest's)", t.count == 1 && t.vec == 13, 1);
}

/*
 * Run the process from eip in ring 3, with ebx as given, until its int $0x80
 * (an iret to it, through the hypercall page: [eax] eip cs eflags esp ss;
 * IF clear, so events stay masked, compat_iret), back here on the kernel's
 * stack.
 */
static __attribute__((noinline, noclone)) void run_user_ebx(const void *eip, unsigned long ebx)
{
    uint32_t frame[6] = {
        0, (unsigned long)eip, FLAT_USER_CS, 0,
        (unsigned long)user_stack + sizeof(user_stack), FLAT_USER_SS,
    };

    __asm__ volatile ( "mov  %%esp, kernel_esp\n\t"
                       "mov  %1, %%esp\n\t"
                       "jmp  hypercall_page + 23 * 32\n"
                       "back_in_kernel:\n\t"
                       : "+b" (ebx) : "r" (&frame[1]) : "eax", "ecx", "edx", "esi", "edi",
                          "memory" );
}

static void run_user(const void *eip)
{
    run_user_ebx(eip, 0);
}

/* A process in ring 3: a user page of code and one of stack; int $0x80 back. */
static void test_ring3(void)
{
    uint64_t code = ((uint64_t)mfn_of(user_code) << 12) | PTE_P | PTE_US | PTE_A;
    uint64_t stack = ((uint64_t)mfn_of(user_stack) << 12) | PTE_P | PTE_RW | PTE_US |
                     PTE_A | PTE_D;

    check_eq("update_va_mapping: user code page", uvm(user_code, code, UVMF_INVLPG), 0);
    check_eq("update_va_mapping: user stack page", uvm(user_stack, stack, UVMF_INVLPG), 0);
    check_eq("stack_switch to the kernel stack",
             hypercall_raw(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS,
                           (unsigned long)kstack + sizeof(kstack), 0, 0, 0), 0);
    t.count = 0;
    run_user(user_code);
    check_eq("ring 3 ran to its int $0x80", t.count, 1);
    check_eq("int $0x80: eip after it", t.eip, (unsigned long)user_code + 7);
    check_eq("int $0x80: cs ring 3, the saved mask 1", t.cs, FLAT_USER_CS | (1 << 16));
    check_eq("int $0x80: esp the process's", t.esp,
             (unsigned long)user_stack + sizeof(user_stack));
    check_eq("int $0x80: ss the process's", t.ss, FLAT_USER_SS);
}

/* Writable page tables: half-entry stores and cmpxchg8b into a live L1. */
static void test_ptwr(void)
{
    volatile uint64_t *e = l1e_of((unsigned long)spare[0]);
    uint64_t was = *e, to = ((uint64_t)mfn_of(spare[1]) << 12) | PTE_P | PTE_RW | PTE_A | PTE_D;
    volatile uint32_t *half = (volatile uint32_t *)e;
    uint32_t lo = to, hi = to >> 32, elo = was, ehi = was >> 32;
    uint8_t ok;

    spare[1][0] = 0x5a;
    check_eq("vm_assist writable_pagetables",
             hypercall_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);
    t.count = 0;
    resume_eip = 0;
    half[0] = lo;                       /* the lower half: spare[0] now maps spare[1] */
    check_eq("store of an entry's lower half: no fault", t.count, 0);
    check_eq("the entry as stored", *e == to, 1);
    hypercall_mmuext_op(&(mmuext_op_t){ .cmd = MMUEXT_INVLPG_LOCAL,
                                        .arg1.linear_addr = (unsigned long)spare[0] },
                        1, NULL, DOMID_SELF);
    check_eq("the page it maps now", ((volatile uint8_t *)spare[0])[0], 0x5a);
    /* cmpxchg8b back to the old entry */
    __asm__ volatile ( "lock cmpxchg8b %1; sete %0"
                       : "=q" (ok), "+m" (*e), "+a" (lo), "+d" (hi)
                       : "b" (elo), "c" (ehi) : "memory" );
    check_eq("cmpxchg8b of an entry: equal, stored", ok, 1);
    check_eq("the entry back as it was", *e == was, 1);
    hypercall_mmuext_op(&(mmuext_op_t){ .cmd = MMUEXT_INVLPG_LOCAL,
                                        .arg1.linear_addr = (unsigned long)spare[0] },
                        1, NULL, DOMID_SELF);
    /* A half store making an entry to a frame not ours: refused, #PF */
    resume_eip = 0;
    __asm__ volatile ( "movl $1f, resume_eip\n\t"
                       "movl %1, %0\n\t"
                       "1:" : "=m" (half[0]) : "r" ((uint32_t)(0x1000 | PTE_P | PTE_RW)) : "memory" );
    check_eq("store of an entry to frame 1: #PF", t.vec, 14);
    check_eq("the entry unchanged", *e == was, 1);
}

/* Descriptors by Xen's 32-bit rules, in a GDT frame of ours. */
static void test_descriptors(void)
{
    uint8_t *page = spare[2];
    unsigned long mfn = mfn_of(page);
    uint32_t frames[1] = { mfn };
    uint64_t maddr = ((uint64_t)mfn << 12) + 8 * 1;
    volatile uint64_t *d = (volatile uint64_t *)page;

    memset(page, 0, PG);
    check_eq("the GDT frame mapped read-only",
             uvm(page, ((uint64_t)mfn << 12) | PTE_P | PTE_A, UVMF_INVLPG), 0);
    check_eq("set_gdt (a 4-byte frame list)",
             hypercall_raw(__HYPERVISOR_set_gdt, (unsigned long)frames, 512, 0, 0, 0), 0);
#define UPDATE(desc) hypercall_raw(__HYPERVISOR_update_descriptor, (uint32_t)maddr, \
                                   maddr >> 32, (uint32_t)(desc), (uint64_t)(desc) >> 32, 0)
    check_eq("update_descriptor: 64-bit code (L)", UPDATE(0x00af9b000000ffffULL), -XEN_EINVAL);
    check_eq("update_descriptor: flat data DPL 0", UPDATE(0x00cf93000000ffffULL), 0);
    check_eq("  its DPL raised to 1", (d[1] >> 45) & 3, 1);
    check_eq("update_descriptor: data to 0xF6800000 (old PAE Linux)",
             UPDATE(0x00cfb300000067ffULL), 0);
    check_eq("  its limit extended to 4 GiB", (d[1] & 0x000f00000000ffffULL) ==
                                              0x000f00000000ffffULL, 1);
    check_eq("update_descriptor: a TSS", UPDATE(0x0000890000100067ULL), -XEN_EINVAL);
    check_eq("set_gdt back to none",
             hypercall_raw(__HYPERVISOR_set_gdt, (unsigned long)frames, 0, 0, 0, 0), 0);
#undef UPDATE
}

/* ------------------------------------------------------------ call gates */

/*
 * What a gate's target saw: its stack pointer, the words there (the CPU's
 * frame: eip cs [parameters] [esp ss]), its own cs and ss. gate_call
 * returns with lret, gate_call_p2 with lret $8 (two parameters), gate_jmp
 * (reached by ljmp, no frame) jumps to gate_back.
 */
volatile uint32_t g_esp, g_esp0, g_frame[6], g_cs, g_ss, g_count;
extern const char gate_call[], gate_call_p2[], gate_jmp[];
#define GATE_RECORD(n)                                                  \
    "    mov  %esp, g_esp\n"                                             \
    "    mov  $0, %eax\n"                                                \
    "1:  mov  (%esp,%eax,4), %ecx\n"                                     \
    "    mov  %ecx, g_frame(,%eax,4)\n"                                  \
    "    inc  %eax\n"                                                    \
    "    cmp  $" #n ", %eax\n"                                           \
    "    jb   1b\n"                                                      \
    "    mov  %cs, %eax\n"                                               \
    "    mov  %eax, g_cs\n"                                              \
    "    mov  %ss, %eax\n"                                               \
    "    mov  %eax, g_ss\n"                                              \
    "    incl g_count\n"
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "gate_call:\n"
    GATE_RECORD(4)
    "    lret\n"
    "gate_call_p2:\n"
    GATE_RECORD(6)
    "    lret $8\n"
    "gate_jmp:\n"
    GATE_RECORD(0)
    "    jmp  *g_back\n"
    "    .popsection\n" );

/* A 32-bit call gate: to sel:off, DPL dpl, nparm words of parameters. */
static uint64_t gate(unsigned int sel, const void *target, unsigned int dpl,
                     unsigned int nparm)
{
    uint32_t off = (unsigned long)target;

    return ((uint64_t)((off & 0xffff0000) | 0x8c00 | (dpl << 13) | nparm) << 32) |
           (sel << 16) | (off & 0xffff);
}

#define CODE_R1        0x00cfbb000000ffffULL    /* flat code, DPL 1 */
#define CODE_R1_NP     0x00cf3b000000ffffULL    /* the same, not present */
#define CODE_R1_4K     0x00c0bb0000000000ULL    /* code to 0xfff, DPL 1 */
#define DATA_R1        0x00cfb3000000ffffULL    /* flat data, DPL 1 */
#define CODE_R3        0x00cffb000000ffffULL    /* flat code, DPL 3 */

/* A far call from ring 1 to sel, expected to fault: the vector and code. */
#define LCALL_FAULT(sel)                                                \
    do {                                                                \
        t.count = 0;                                                    \
        t.vec = t.err = ~0u;                                            \
        __asm__ volatile ( "movl $1f, resume_eip\n\t"                   \
                           "lcall $" #sel ", $0\n\t"                    \
                           "1:" ::: "eax", "ecx", "memory" );           \
    } while ( 0 )

static void test_call_gates(void)
{
    uint8_t *page = spare[3], *ldt = spare[4];
    unsigned long mfn = mfn_of(page), lmfn = mfn_of(ldt);
    uint32_t frames[1] = { mfn };
    uint32_t kstack_top = (unsigned long)kstack + sizeof(kstack);
    uint32_t ustack_top = (unsigned long)user_stack + sizeof(user_stack);
    static const struct { unsigned int idx; uint64_t desc; } gdt_init[] = {
        { 4, CODE_R1_NP }, { 6, CODE_R1_4K }, { 8, DATA_R1 }, { 11, CODE_R3 },
    };
    struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fptr = { 0, 0x08 };
    long rc = 0;

    memset(page, 0, PG);
    memset(ldt, 0, PG);
    check_eq("gates: the GDT frame mapped read-only",
             uvm(page, ((uint64_t)mfn << 12) | PTE_P | PTE_A, UVMF_INVLPG), 0);
    check_eq("gates: set_gdt", hypercall_raw(__HYPERVISOR_set_gdt, (unsigned long)frames,
                                             512, 0, 0, 0), 0);
#define UPDATE(idx, desc) hypercall_raw(__HYPERVISOR_update_descriptor, \
                                        (uint32_t)((mfn << 12) + 8 * (idx)), 0, \
                                        (uint32_t)(desc), (uint64_t)(desc) >> 32, 0)
    for ( unsigned int i = 0; i < ARRAY_SIZE(gdt_init); i++ )
        rc |= UPDATE(gdt_init[i].idx, gdt_init[i].desc);
    check_eq("gates: the code and data descriptors", rc, 0);
    check_eq("gates: a gate DPL 3 to FLAT_KERNEL_CS (1)",
             UPDATE(1, gate(FLAT_KERNEL_CS, gate_call, 3, 0)), 0);
    check_eq("  stored DPL 0, its DPL in the target's RPL",
             ((volatile uint64_t *)page)[1] >> 32 & 0xffff, 0x8c00);
    check_eq("  the target's RPL", ((volatile uint64_t *)page)[1] >> 16 & 0xffff,
             FLAT_KERNEL_CS | 3);
    rc = UPDATE(2, gate(FLAT_KERNEL_CS, gate_call, 1, 0));
    rc |= UPDATE(3, gate(FLAT_KERNEL_CS, gate_call_p2, 3, 2));
    rc |= UPDATE(5, gate(0x20, gate_call, 3, 0));
    rc |= UPDATE(7, gate(0x30, gate_call, 3, 0));
    rc |= UPDATE(9, gate(0x40, gate_call, 3, 0));
    rc |= UPDATE(10, gate(FLAT_KERNEL_CS, gate_jmp, 1, 0));
    rc |= UPDATE(12, gate(0x58, gate_call, 3, 0));
    rc |= UPDATE(13, gate(0x58, user_gate_target, 3, 0));
    check_eq("gates: the other gates", rc, 0);
    check_eq("gates: a gate with parameter bits 5-7 set",
             UPDATE(15, gate(FLAT_KERNEL_CS, gate_call, 3, 0x20)), -XEN_EINVAL);
    check_eq("gates: a gate to a hypervisor selector (0xe008)",
             UPDATE(15, gate(0xe008, gate_call, 3, 0)), -XEN_EINVAL);

    /* Ring 1 to ring 1: the return address on the caller's stack. */
    g_count = 0;
    __asm__ volatile ( "mov  %%esp, g_esp0\n\t"
                       "movl $1f, %0\n\t"
                       "lcall $0x08, $0\n"
                       "1:" : "=m" (g_back) :: "eax", "ecx", "memory" );
    check_eq("lcall through a gate from ring 1: the target ran", g_count, 1);
    check_eq("  its frame: the eip after the lcall", g_frame[0], g_back);
    check_eq("  its frame: the caller's cs", g_frame[1], FLAT_KERNEL_CS);
    check_eq("  on the caller's stack, 8 bytes down", g_esp0 - g_esp, 8);
    check_eq("  in cs FLAT_KERNEL_CS", g_cs, FLAT_KERNEL_CS);
    __asm__ volatile ( "movl $1f, %0\n\t"
                       "lcall *%1\n"
                       "1:" : "=m" (g_back) : "m" (fptr) : "eax", "ecx", "memory" );
    check_eq("lcall *mem through a gate: the target ran", g_count, 2);
    check_eq("  its frame: the eip after the lcall", g_frame[0], g_back);
    __asm__ volatile ( "movl $1f, %0\n\t"
                       "lcall $0x10, $0\n"
                       "1:" : "=m" (g_back) :: "eax", "ecx", "memory" );
    check_eq("lcall through a gate of DPL 1 from ring 1", g_count, 3);
    __asm__ volatile ( "mov  %%esp, g_esp0\n\t"
                       "movl $1f, %0\n\t"
                       "ljmp $0x50, $0\n"
                       "1:" : "=m" (g_back) :: "eax", "ecx", "memory" );
    check_eq("ljmp through a gate: the target ran", g_count, 4);
    check_eq("  nothing pushed", g_esp, g_esp0);
    check_eq("  in cs FLAT_KERNEL_CS", g_cs, FLAT_KERNEL_CS);

    /* The faults Xen gives for bad ones. */
    LCALL_FAULT(0x13);
    check_eq("lcall with RPL 3 through a gate of DPL 1: #GP", t.vec, 13);
    check_eq("  error code: the gate", t.err, 0x10);
    LCALL_FAULT(0x28);
    check_eq("lcall through a gate to a code segment not present: #NP", t.vec, 11);
    check_eq("  error code: the target", t.err, 0x20);
    LCALL_FAULT(0x38);
    check_eq("lcall through a gate past its target's limit: #GP", t.vec, 13);
    check_eq("  error code 0", t.err, 0);
    LCALL_FAULT(0x48);
    check_eq("lcall through a gate to a data segment: #GP", t.vec, 13);
    check_eq("  error code: the target", t.err, 0x40);
    LCALL_FAULT(0x60);
    check_eq("lcall through a gate to ring-3 code: #GP", t.vec, 13);
    check_eq("  error code: the target", t.err, 0x58);
    LCALL_FAULT(0x70);
    check_eq("lcall to an empty GDT entry: #GP", t.vec, 13);
    check_eq("  error code: the selector", t.err, 0x70);

    /* A gate in the LDT (its page mapped when first used). */
    check_eq("gates: the LDT frame mapped read-only",
             uvm(ldt, ((uint64_t)lmfn << 12) | PTE_P | PTE_A, UVMF_INVLPG), 0);
    /*
     * DPL 1: the page is checked again when it becomes an LDT, and a gate
     * stored to FLAT_KERNEL_CS with another DPL then names 0xe01b, which
     * Xen's guest_gate_selector_okay refuses.
     */
    check_eq("gates: a gate in the LDT",
             hypercall_raw(__HYPERVISOR_update_descriptor, (uint32_t)(lmfn << 12), 0,
                           (uint32_t)gate(FLAT_KERNEL_CS, gate_call, 1, 0),
                           gate(FLAT_KERNEL_CS, gate_call, 1, 0) >> 32, 0), 0);
    check_eq("gates: set_ldt", hypercall_mmuext_op(&(mmuext_op_t){
                 .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = (unsigned long)ldt,
                 .arg2.nr_ents = 512 }, 1, NULL, DOMID_SELF), 0);
    __asm__ volatile ( "movl $1f, %0\n\t"
                       "lcall $0x05, $0\n"
                       "1:" : "=m" (g_back) :: "eax", "ecx", "memory" );
    check_eq("lcall through an LDT gate: the target ran", g_count, 5);
    check_eq("  its frame: the eip after the lcall", g_frame[0], g_back);

    /* From ring 3: onto the kernel stack, the caller's esp and ss saved. */
    t.count = 0;
    run_user(user_gate_call);
    check_eq("ring 3 lcall through a gate: the target ran", g_count, 6);
    check_eq("  its frame: eip", g_frame[0], (unsigned long)user_gate_call_ret);
    check_eq("  its frame: cs", g_frame[1], FLAT_USER_CS);
    check_eq("  its frame: esp", g_frame[2], ustack_top);
    check_eq("  its frame: ss", g_frame[3], FLAT_USER_SS);
    check_eq("  on the kernel stack", g_esp, kstack_top - 16);
    check_eq("  in cs FLAT_KERNEL_CS", g_cs, FLAT_KERNEL_CS);
    check_eq("  in ss FLAT_KERNEL_SS", g_ss, FLAT_KERNEL_SS);
    check_eq("  its lret back to ring 3, then int $0x80", t.count == 1 &&
             t.eip == (unsigned long)user_gate_call_ret + 2 && t.esp == ustack_top, 1);
    t.count = 0;
    run_user(user_gate_params);
    check_eq("ring 3 lcall through a gate with 2 parameters: the target ran", g_count, 7);
    check_eq("  its frame: eip", g_frame[0], (unsigned long)user_gate_params_ret);
    check_eq("  its frame: the parameters", g_frame[2] == 0x2222 && g_frame[3] == 0x1111, 1);
    check_eq("  its frame: esp", g_frame[4], ustack_top - 8);
    check_eq("  its frame: ss", g_frame[5], FLAT_USER_SS);
    check_eq("  on the kernel stack", g_esp, kstack_top - 24);
    check_eq("  its lret $8 back to ring 3, then int $0x80", t.count == 1 &&
             t.esp == ustack_top, 1);
    t.count = 0;
    t.trap_vec = t.err = ~0u;
    resume_eip = (unsigned long)user_resume;
    run_user(user_gate_dpl1);
    check_eq("ring 3 lcall through a gate of DPL 1: #GP", t.trap_vec, 13);
    check_eq("  error code: the gate", t.err, 0x10);
    check_eq("  then on to its int $0x80", t.count == 2 && t.vec == 0x80, 1);


    /*
     * Ring 3 to ring-3 code: no stack switch, the return address pushed as
     * the CPU pushes it, with ring 3's rights. On the process's stack it
     * works; with ESP on a kernel page it is the #PF the CPU would give
     * (Xen's emulation writes with its own rights: a known difference).
     */
    t.count = 0;
    run_user(user_gate_r3);
    check_eq("ring 3 lcall through a gate to ring-3 code: back by lret, then int $0x80",
             t.count == 1 && t.eip == (unsigned long)user_gate_r3_ret + 2 &&
             t.esp == ustack_top, 1);
    t.count = 0;
    t.trap_vec = t.err = ~0u;
    resume_eip = (unsigned long)user_resume;
    run_user_ebx(user_gate_r3_kstack, (unsigned long)spare[1] + PG);
    resume_eip = 0;
    check_eq("ring 3 lcall to ring-3 code, its stack on a kernel page: #PF", t.trap_vec, 14);
    check_eq("ring 3 lcall to ring-3 code, its stack on a kernel page: error code 7 (P W U)",
             t.err, 7);
    /*
     * The same with ESP two bytes into a kernel page whose page below is the
     * process's: the pushed word would cross into the kernel page.
     */
    check_eq("ring 3 lcall, a stack word across a kernel page: the page below made user",
             uvm(spare[0], ((uint64_t)mfn_of(spare[0]) << 12) | PTE_P | PTE_RW | PTE_US |
                           PTE_A | PTE_D, UVMF_INVLPG), 0);
    spare[1][0] = spare[1][1] = 0x5a;
    t.count = 0;
    t.trap_vec = t.err = ~0u;
    resume_eip = (unsigned long)user_resume;
    run_user_ebx(user_gate_r3_kstack, (unsigned long)spare[1] + 2);
    resume_eip = 0;
    check_eq("ring 3 lcall, a stack word across a kernel page: #PF", t.trap_vec, 14);
    check_eq("ring 3 lcall, a stack word across a kernel page: the kernel page untouched",
             spare[1][0] == 0x5a && spare[1][1] == 0x5a, 1);
    uvm(spare[0], ((uint64_t)mfn_of(spare[0]) << 12) | PTE_P | PTE_RW | PTE_A | PTE_D,
        UVMF_INVLPG);

    check_eq("gates: set_ldt none", hypercall_mmuext_op(&(mmuext_op_t){
                 .cmd = MMUEXT_SET_LDT }, 1, NULL, DOMID_SELF), 0);
    check_eq("gates: set_gdt back to none",
             hypercall_raw(__HYPERVISOR_set_gdt, (unsigned long)frames, 0, 0, 0, 0), 0);
#undef UPDATE
}

/*
 * iret to VM86 mode, which long mode does not have: Xen's compat_iret gives
 * the kernel's #GP handler instead, error code 0, the frame's nine words
 * (eip cs eflags esp ss es ds fs gs) copied to 40 bytes below kernel_sp.
 */
extern const char vm86_back[];
__asm__ ( "    .pushsection .text, \"ax\", @progbits\n"
          "vm86_back:\n"
          "    mov  kernel_esp, %esp\n"
          "    ret\n"
          "    .popsection\n" );

static __attribute__((noinline, noclone)) void iret_vm86(const uint32_t *frame)
{
    __asm__ volatile ( "call 1f\n\t"
                       "jmp  2f\n"
                       "1:   mov  %%esp, kernel_esp\n\t"
                       "mov  %0, %%esp\n\t"
                       "jmp  hypercall_page + 23 * 32\n"
                       "2:"
                       :: "r" (frame) : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory" );
}

static void test_iret_vm86(void)
{
    uint32_t kstack_top = (unsigned long)kstack + sizeof(kstack);
    /* [eax] eip cs eflags(VM, IF clear: events stay masked) esp ss es ds fs gs */
    static const uint32_t words[10] = {
        0, 0x1234, 0x5678, (1u << 17) | 2, 0x9abc, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555,
    };
    uint32_t frame[10];

    memcpy(frame, words, sizeof(frame));
    t.count = 0;
    t.trap_vec = t.err = ~0u;
    t.vm_at = 0;
    resume_eip = (unsigned long)vm86_back;
    iret_vm86(&frame[1]);
    check_eq("iret to VM86 mode: #GP", t.trap_vec, 13);
    check_eq("  error code 0", t.err, 0);
    check_eq("  its frame: the eip and cs the iret named", t.eip == 0x1234 && t.cs == 0x5678, 1);
    check_eq("  its frame: eflags with VM", !!(t.eflags & (1u << 17)), 1);
    check_eq("  40 bytes below the kernel stack", kstack_top - t.vm_at, 40);
    for ( unsigned int i = 0; i < 6; i++ )
        check_eq("  its frame: esp ss es ds fs gs as given", t.vm_words[i], words[4 + i]);
}

/*
 * Emulation through a code segment that is not flat (Xen's priv-op fetch:
 * the CS base, and the CS limit). based_insn runs in a ring-1 segment of
 * base 0x1000, so the shim must read it at base + eip; lim_insn straddles
 * the end of a segment whose limit stops two bytes into it: the CPU's #GP(0)
 * must stay a #GP, not be emulated from the bytes past the limit.
 */
extern const char based_insn[], lim_insn[], lim_page[], seg_back[];
volatile uint32_t seg_cr0;
__asm__ ( "    .pushsection .text, \"ax\", @progbits\n"
          "seg_back:\n"
          "    lret\n"
          "based_insn:\n"
          "    mov  %cr0, %eax\n"
          "    mov  %eax, seg_cr0\n"
          "    lret\n"
          "    .balign 4096\n"
          "lim_page:\n"
          "    .skip 4094, 0x90\n"
          "lim_insn:\n"
          "    mov  %cr0, %eax\n"
          "    mov  %eax, seg_cr0\n"
          "    lret\n"
          "    .popsection\n" );

static void test_code_segments(void)
{
    uint8_t *page = spare[5];
    unsigned long mfn = mfn_of(page);
    uint32_t frames[1] = { mfn }, cr0, lim = ((unsigned long)lim_page >> 12);
    /* DPL 1 code, base 0x1000, to 4 GiB; DPL 1 code, base 0, ending at lim_page + 4 KiB */
    uint64_t based = 0x00cfbb001000ffffULL;
    uint64_t limited = 0x00c0bb0000000000ULL | (lim & 0xffff) | ((uint64_t)(lim >> 16) << 48);
    struct { uint32_t off; uint16_t sel; } __attribute__((packed)) to_based = {
        (unsigned long)based_insn - 0x1000, 0x09 }, to_lim = { (unsigned long)lim_insn, 0x11 };

    __asm__ volatile ( "mov %%cr0, %0" : "=r" (cr0) );
    memset(page, 0, PG);
    check_eq("segments: the GDT frame read-only",
             uvm(page, ((uint64_t)mfn << 12) | PTE_P | PTE_A, UVMF_INVLPG), 0);
    check_eq("segments: set_gdt",
             hypercall_raw(__HYPERVISOR_set_gdt, (unsigned long)frames, 512, 0, 0, 0), 0);
#define UPDATE(idx, desc) hypercall_raw(__HYPERVISOR_update_descriptor, \
                                        (uint32_t)((mfn << 12) + 8 * (idx)), 0, \
                                        (uint32_t)(desc), (uint64_t)(desc) >> 32, 0)
    check_eq("segments: code of base 0x1000", UPDATE(1, based), 0);
    check_eq("segments: code ending in an instruction", UPDATE(2, limited), 0);
#undef UPDATE
    seg_cr0 = 0;
    __asm__ volatile ( "lcall *%0" :: "m" (to_based) : "eax", "memory" );
    check_eq("mov from cr0 in a code segment of base 0x1000: emulated", seg_cr0, cr0);
    t.count = 0;
    t.trap_vec = ~0u;
    seg_cr0 = 0;
    resume_eip = (unsigned long)seg_back;
    __asm__ volatile ( "lcall *%0" :: "m" (to_lim) : "eax", "memory" );
    check_eq("mov from cr0 past its code segment's limit: #GP", t.trap_vec, 13);
    check_eq("  error code 0, and not emulated", t.err == 0 && seg_cr0 == 0, 1);
    check_eq("segments: set_gdt back to none",
             hypercall_raw(__HYPERVISOR_set_gdt, (unsigned long)frames, 0, 0, 0, 0), 0);
}

/*
 * A 32-bit guest's 2-level event channels end at 1024 ports (32 words of
 * 32 bits, Xen's BITS_PER_EVTCHN_WORD squared): past them alloc_unbound is
 * -ENOSPC, though the container's table in L0 has room for more.
 */
static void test_port_limit(void)
{
    static evtchn_port_t ports[1100];
    unsigned int n = 0, max = 0, closed = 0;
    long rc = 0;

    while ( n < ARRAY_SIZE(ports) )
    {
        struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = 0 };

        if ( (rc = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &u)) )
            break;
        ports[n++] = u.port;
        max = u.port > max ? u.port : max;
    }
    check_eq("alloc_unbound until it fails: -ENOSPC", rc, -XEN_ENOSPC);
    check_eq("  the highest port given: 1023", max, 1023);
    for ( unsigned int i = 0; i < n; i++ )
    {
        struct evtchn_close c = { .port = ports[i] };

        closed += !hypercall_event_channel_op(EVTCHNOP_close, &c);
    }
    check_eq("  every one of them closed again", closed, n);
}

void test_main(void)
{
    traps_init32();
    test_exceptions();
    test_emulation();
    test_ptwr();
    test_descriptors();
    test_ring3();
    test_call_gates();
    test_iret_vm86();
    test_port_limit();
    test_code_segments();
    if ( report_checks )
        xtf_success(NULL);
}
#endif
