/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/vcpus/main.c - a second vCPU's life through vcpu_op, as a
 * 64-bit and as a 32-bit PAE kernel: up before initialise, initialise (a
 * context as Linux's cpu_initialize_context builds one), initialise again,
 * up, the registers and selectors it starts with, its own down, ids past
 * the domain's. The expected values are Xen's (common/domain.c
 * do_vcpu_op, arch_set_info_guest); the 64-bit build runs directly on L0.
 * Run with vcpus = 2.
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "a second vCPU: initialise, up, its first registers, down";

#define AP_MAGIC        0x5a5a1234UL
#define EFLAGS_IF       0x200UL
#define AP_STACK_SIZE   4096

/* The exception stubs of lib/head.S (lib/setup.c's trap table). */
#define TRAP_STUB_SIZE  16
#define TRAP_VECTORS    22
extern const char trap_stubs[];

static uint8_t ap_stack[AP_STACK_SIZE] __aligned(16);
#define AP_STACK_TOP    ((unsigned long)ap_stack + AP_STACK_SIZE)

/* What vCPU 1 found when it started (written by it, read by vCPU 0). */
static volatile struct
{
    unsigned long magic, sp, cs, ss, ds;
    unsigned int ran;
} ap;

void __noreturn ap_main(unsigned long magic, unsigned long sp,
                        unsigned long cs, unsigned long ss, unsigned long ds);
extern const char ap_entry[];

#ifdef __i386__
/* cdecl: magic (from %eax), the stack pointer and the selectors, pushed. */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "ap_entry:\n"
    "    mov  %esp, %ecx\n"
    "    xor  %edx, %edx\n"
    "    mov  %ds, %dx\n"
    "    push %edx\n"
    "    mov  %ss, %dx\n"
    "    push %edx\n"
    "    mov  %cs, %dx\n"
    "    push %edx\n"
    "    push %ecx\n"
    "    push %eax\n"
    "    call ap_main\n"
    "    ud2\n"
    "    .popsection\n" );
#else
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "ap_entry:\n"
    "    mov  %rax, %rdi\n"
    "    mov  %rsp, %rsi\n"
    "    xor  %edx, %edx\n"
    "    mov  %cs, %dx\n"
    "    xor  %ecx, %ecx\n"
    "    mov  %ss, %cx\n"
    "    xor  %r8d, %r8d\n"
    "    mov  %ds, %r8w\n"
    "    and  $~15, %rsp\n"
    "    call ap_main\n"
    "    ud2\n"
    "    .popsection\n" );
#endif

void ap_main(unsigned long magic, unsigned long sp, unsigned long cs,
             unsigned long ss, unsigned long ds)
{
    ap.magic = magic;
    ap.sp = sp;
    ap.cs = cs;
    ap.ss = ss;
    ap.ds = ds;
    __atomic_store_n(&ap.ran, 1, __ATOMIC_RELEASE);
    /* Its own down: it never runs again. */
    hypercall_vcpu_op(VCPUOP_down, 1, NULL);
    for ( ;; )
        hypercall_yield();
}

static void check_eq(const char *name, long got, long expected)
{
    report_case(name, got, expected, NULL);
}

/* Linux's context for a secondary vCPU: vCPU 0's tables, traps and selectors. */
static void make_context(vcpu_guest_context_t *c)
{
    unsigned long top_pfn = (start_info->pt_base - GUEST_VIRT_BASE) >> GUEST_PAGE_SHIFT;
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;

    memset(c, 0, sizeof(*c));
    c->flags = VGCF_in_kernel;
#ifdef __i386__
    c->user_regs.eip = (unsigned long)ap_entry;
    c->user_regs.esp = AP_STACK_TOP;
    c->user_regs.eax = AP_MAGIC;
    c->user_regs.eflags = EFLAGS_IF;
    c->user_regs.ds = c->user_regs.es = FLAT_KERNEL_DS;
    c->user_regs.fs = c->user_regs.gs = FLAT_KERNEL_DS;
    c->event_callback_cs = c->failsafe_callback_cs = FLAT_KERNEL_CS;
#else
    c->user_regs.rip = (unsigned long)ap_entry;
    c->user_regs.rsp = AP_STACK_TOP;
    c->user_regs.rax = AP_MAGIC;
    c->user_regs.rflags = EFLAGS_IF;
#endif
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = FLAT_KERNEL_SS;
    for ( unsigned int vec = 0; vec < TRAP_VECTORS; vec++ )
    {
        c->trap_ctxt[vec].vector = vec;
        c->trap_ctxt[vec].flags = (vec == 3 || vec == 4) ? 3 : 0;
        c->trap_ctxt[vec].cs = FLAT_KERNEL_CS;
        c->trap_ctxt[vec].address = (unsigned long)trap_stubs + vec * TRAP_STUB_SIZE;
    }
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = AP_STACK_TOP;
    /* The boot page tables' top: an L4, or a 32-bit guest's L3. */
    c->ctrlreg[3] = xen_pfn_to_cr3(p2m[top_pfn]);
}

/* Yield until vCPU 1 has run (or about 2 s of yields). */
static bool wait_ap(void)
{
    for ( unsigned long i = 0; i < 200000 && !__atomic_load_n(&ap.ran, __ATOMIC_ACQUIRE); i++ )
        hypercall_yield();
    return ap.ran;
}

void test_main(void)
{
    static vcpu_guest_context_t ctx;
    long rc;

    check_eq("is_up vCPU 1 before initialise", hypercall_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    check_eq("up vCPU 1 before initialise", hypercall_vcpu_op(VCPUOP_up, 1, NULL),
             -XEN_EINVAL);
    check_eq("initialise vCPU 2 (vcpus = 2)", hypercall_vcpu_op(VCPUOP_initialise, 2, &ctx),
             -XEN_ENOENT);
    check_eq("initialise vCPU 0xffff", hypercall_vcpu_op(VCPUOP_initialise, 0xffff, &ctx),
             -XEN_ENOENT);
    check_eq("initialise vCPU 0 (running)", hypercall_vcpu_op(VCPUOP_initialise, 0, &ctx),
             -XEN_EEXIST);

    make_context(&ctx);
    rc = hypercall_vcpu_op(VCPUOP_initialise, 1, &ctx);
    check_eq("initialise vCPU 1", rc, 0);
    check_eq("initialise vCPU 1 again", hypercall_vcpu_op(VCPUOP_initialise, 1, &ctx),
             -XEN_EEXIST);
    check_eq("is_up vCPU 1 after initialise", hypercall_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    check_eq("up vCPU 1", hypercall_vcpu_op(VCPUOP_up, 1, NULL), 0);
    check_eq("vCPU 1 ran", wait_ap(), 1);
    check_eq("vCPU 1: its first eax/rax from the context", ap.magic, AP_MAGIC);
    check_eq("vCPU 1: its stack pointer from the context", ap.sp == AP_STACK_TOP, 1);
    check_eq("vCPU 1: cs is FLAT_KERNEL_CS", ap.cs, FLAT_KERNEL_CS);
    check_eq("vCPU 1: ss is FLAT_KERNEL_SS", ap.ss, FLAT_KERNEL_SS);
#ifdef __i386__
    check_eq("vCPU 1: ds from the context", ap.ds, FLAT_KERNEL_DS);
#endif
    /* Its down: is_up says so once it has gone (it took it itself). */
    for ( unsigned long i = 0; i < 200000 && hypercall_vcpu_op(VCPUOP_is_up, 1, NULL); i++ )
        hypercall_yield();
    check_eq("is_up vCPU 1 after its own down", hypercall_vcpu_op(VCPUOP_is_up, 1, NULL), 0);

    if ( report_checks )
        xtf_success(NULL);
}
