/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/smp/main.c - a second vCPU as a 64-bit PV kernel starts and
 * uses it: VCPUOP_is_up/initialise/up/down, the checks Xen makes on a new
 * vCPU's context, IPIs and SCHEDOP_poll across vCPUs, the vCPU timers,
 * remote TLB flushes, and a vCPU taking itself down and being brought back.
 *
 * The domain has two vCPUs (tests/lab/cfg/guest-smp-pv.cfg, vcpus = 2).
 * vCPU 0 runs the test and prints; vCPU 1 never prints. It is started the
 * way Linux does it (arch/x86/xen/smp_pv.c, cpu_initialize_context and
 * xen_pv_kick_ap): its event mask set in its vcpu_info, a context with
 * VGCF_in_kernel, flat kernel selectors, the entry point and a stack of its
 * own, the same trap table and the same L4 as vCPU 0, then VCPUOP_up. It
 * then serves requests from vCPU 0 through a mailbox (mbox below): make a
 * hypercall, read a word, poll a port, take itself down.
 *
 * The expected values are what Xen 4.17 gives this kernel running on it
 * directly as a PV guest, taken from its source (X: xen/common/domain.c
 * common_vcpu_op and default_initialise_vcpu, xen/arch/x86/domain.c
 * arch_set_info_guest and do_vcpu_op, xen/common/event_channel.c,
 * xen/common/sched/core.c do_poll, xen/include/xen/event.h
 * evtchn_port_poll, xen/arch/x86/mm.c). The facts that are easy to get
 * wrong:
 *  - arch_set_info_guest checks the context before it touches the vCPU's
 *    "initialised" state: every bad context is -EINVAL and a later good
 *    one still works. A context whose CR3 is a writable data page fails
 *    the L4 type (type conflict: -EINVAL). Xen keeps 14 GDT frames, so
 *    gdt_ents over 14 * 512 is already -EINVAL.
 *  - VCPUOP_set/stop_singleshot_timer work on the calling vCPU only
 *    (-EINVAL for another); the periodic timer may be set for any vCPU,
 *    between 1 ms and STIME_DELTA_MAX (2^62 - 1) ns.
 *  - SCHEDOP_poll: more than 128 ports -EINVAL; a port that is not valid,
 *    or valid but free (ECS_FREE: evtchn_usable() is false), -EINVAL; a
 *    pending port returns 0 at once; otherwise it blocks until an event on
 *    one of the ports or the timeout (absolute system time, may be past).
 *  - VCPUOP_down of the last vCPU up powers the domain off: never done.
 *
 * Every wait of vCPU 0 is bounded (WAIT_NS, WAIT_SPINS); a wait in vain is
 * printed as "timeout" and fails the case, and once vCPU 1 stops answering
 * the later requests are not made ("no-answer"). vCPU 1 keeps its events
 * masked throughout, and so does vCPU 0 (the builder's state); every port
 * the test binds is masked too, so nothing is ever delivered as an upcall.
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "SMP: a second vCPU, its context, IPIs, poll, timers, remote flushes";

/* ------------------------------------------------------------ constants */

#define STR_(x)             #x
#define STR(x)              STR_(x)
#define HYPERCALL_IRET      "hypercall_page + " STR(__HYPERVISOR_iret) " * 32"

#define PAGE_SHIFT          GUEST_PAGE_SHIFT
#define PAGE_SIZE           GUEST_PAGE_SIZE

#define EFLAGS_IF           0x200UL

#define PTE_P               0x001UL
#define PTE_RW              0x002UL
#define PTE_A               0x020UL
#define PTE_D               0x040UL
#define KERNEL_RW           (PTE_P | PTE_RW | PTE_A | PTE_D)
#define KERNEL_RO           (PTE_P | PTE_A)

/* The framework's exception stubs (lib/head.S), as lib/setup.c installs them. */
#define TRAP_STUB_SIZE      16
#define TRAP_VECTORS        22
extern const char trap_stubs[];

#define NONCANONICAL        0x0000800000000000UL
#define BAD_UNMAPPED        0x1000UL        /* nothing mapped there */

/* vCPU ids: the domain has two. */
#define AP                  1
#define VCPU_ABSENT         2
#define VCPU_HUGE           0xffffffffU

/* With 2-level event channels a 64-bit guest has 64 * 64 ports. */
#define PORT_PAST_TABLE     4096

/* What the AP finds in %rdi at its entry: user_regs.rdi of its context. */
#define AP_MAGIC            0x5eed0001c0ffee00UL

/* Bounded waits of vCPU 0. */
#define WAIT_NS             (10ULL * 1000000000ULL)
#define WAIT_SPINS          1000000UL
#define MS                  1000000ULL

/* Results that are not a hypercall's. */
#define R_TIMEOUT           0x7fc0000000000001L     /* waited in vain */
#define R_NO_ANSWER         0x7fc0000000000002L     /* vCPU 1 gone */

/* Values in the two pages the TLB cases map at the window. */
#define WORD_A              0xaaaa0000aaaa0001UL
#define WORD_B              0xbbbb0000bbbb0002UL

/* ------------------------------------------------------------ memory */

static uint8_t shinfo_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static unsigned long page_a[PAGE_SIZE / 8] __aligned(PAGE_SIZE);
static unsigned long page_b[PAGE_SIZE / 8] __aligned(PAGE_SIZE);
static uint8_t window[PAGE_SIZE] __aligned(PAGE_SIZE);      /* the spare VA */
static unsigned long not_a_table[PAGE_SIZE / 8] __aligned(PAGE_SIZE);
static uint8_t ldt_page[PAGE_SIZE] __aligned(PAGE_SIZE);

#define AP_STACK_SIZE       (4 * PAGE_SIZE)
static uint8_t ap_stack[AP_STACK_SIZE] __aligned(PAGE_SIZE);
#define AP_STACK_TOP        ((unsigned long)ap_stack + AP_STACK_SIZE)

static volatile shared_info_t *shinfo;

/* Two contexts: the good one, and the one each bad case changes. */
static vcpu_guest_context_t good_ctx, bad_ctx;

static unsigned long mfn_of(const void *va)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;

    return p2m[((unsigned long)va - GUEST_VIRT_BASE) >> PAGE_SHIFT];
}

static uint64_t now_ns(void)
{
    return guest_now_ns(&shinfo->vcpu_info[0]);
}

static inline void cpu_relax(void)
{
    __asm__ volatile ( "pause" ::: "memory" );
}

/* ------------------------------------------------------------ reporting */

static const char *show(char *buf, size_t size, long v)
{
    if ( v == R_TIMEOUT )
        snprintf(buf, size, "timeout");
    else if ( v == R_NO_ANSWER )
        snprintf(buf, size, "no-answer");
    else
        show_value(buf, size, v);
    return buf;
}

/* One line per check: "case <name>: got X expected Y". */
static void check_eq(const char *name, long got, long expected)
{
    report_case(name, got, expected, show);
}

/* ------------------------------------------------------------ vCPU 1 */

/* Requests from vCPU 0; vCPU 1 answers each by setting done to its seq. */
enum ap_op
{
    AP_CALL,        /* rc = hypercall arg[0] (arg[1..5]) */
    AP_READ,        /* val = *(unsigned long *)arg[0] */
    AP_POLL,        /* rc = SCHEDOP_poll port arg[0], timeout arg[1]; val = pending */
    AP_DOWN,        /* rc = VCPUOP_down of itself; then carry on */
    AP_PARK,        /* answer, then go down for good */
    AP_HAMMER,      /* rc = hammer(1): rounds that failed */
};

static volatile struct
{
    unsigned int seq;           /* vCPU 0: the request's number */
    unsigned int op;
    unsigned long arg[6];
    unsigned int polling;       /* vCPU 1: seq of the poll it is entering */
    unsigned int done;          /* vCPU 1: seq of the last answer */
    long rc;
    unsigned long val;
} mbox;

/* What vCPU 1 saw at its entry, and has done since. */
static volatile struct
{
    unsigned int started;       /* times it entered ap_entry */
    unsigned long rdi, rsp, cs, ss;
    unsigned int down_returns;  /* VCPUOP_down calls that came back */
    unsigned int events;        /* event upcalls (none expected) */
    unsigned int failsafe;      /* failsafe callbacks (none expected) */
} ap;

void __noreturn ap_main(unsigned long rdi, unsigned long rsp,
                        unsigned long cs, unsigned long ss);
void ap_event(unsigned long *frame);
void __noreturn ap_failsafe(void);
extern const char ap_entry[], ap_event_entry[], ap_failsafe_entry[];

/*
 * ap_entry: what VCPUOP_initialise names as user_regs.rip. Hand rdi, the
 * stack pointer and the selectors Xen started us with to ap_main, on an
 * ABI-aligned stack. ap_event_entry: the event callback (frame: rcx, r11,
 * rip, cs, rflags, rsp, ss), back through HYPERVISOR_iret like nmi/.
 * ap_failsafe_entry: the failsafe callback, which does not return.
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl ap_entry, ap_event_entry, ap_failsafe_entry\n"
    "    .balign 16\n"
    "ap_entry:\n"
    "    mov  %rsp, %rsi\n"
    "    mov  %cs, %dx\n"
    "    movzwl %dx, %edx\n"
    "    mov  %ss, %cx\n"
    "    movzwl %cx, %ecx\n"
    "    and  $~15, %rsp\n"
    "    call ap_main\n"
    "    ud2\n"
    "    .balign 16\n"
    "ap_event_entry:\n"
    GUEST_CALL_C_HANDLER(ap_event)
    "    pop  %rcx\n"
    "    pop  %r11\n"
    "    push $0\n"
    "    jmp  " HYPERCALL_IRET "\n"
    "    .balign 16\n"
    "ap_failsafe_entry:\n"
    "    and  $~15, %rsp\n"
    "    call ap_failsafe\n"
    "    ud2\n"
    "    .popsection\n"
);

void ap_event(unsigned long *frame)
{
    shinfo->vcpu_info[AP].evtchn_upcall_pending = 0;
    ap.events++;
}

static void __noreturn ap_park(void)
{
    for ( ;; )
        hypercall_vcpu_op(VCPUOP_down, AP, NULL);
}

void ap_failsafe(void)
{
    ap.failsafe++;
    ap_park();
}

static bool port_pending(evtchn_port_t port)
{
    return (shinfo->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

/* ------------------------------------------------------------ both vCPUs at once */

/*
 * Each vCPU, at the same time, HAMMER_ROUNDS times: pin its own L1, point
 * two of its entries at shared frames (one writable, one read-only), map
 * a shared frame writable at its own window VA (both windows are entries
 * of the same L1 of the image; every other round flushes UVMF_ALL), read
 * the frame's mark through it, clear the entries, unpin. Every call must
 * succeed and every read see the right frame; afterwards every frame must
 * pin as an L1 (no writable reference was left behind by the interleaving).
 */
#define HAMMER_ROUNDS   400
#define NR_SHARED       4
#define MARK(s)         (0x5a5a0000UL + ((unsigned long)(s) << 4))  /* bit 0 clear */

static unsigned long shared_pg[NR_SHARED][PAGE_SIZE / 8] __aligned(PAGE_SIZE);
static unsigned long hammer_l1[2][PAGE_SIZE / 8] __aligned(PAGE_SIZE);
static uint8_t hammer_win[2][PAGE_SIZE] __aligned(PAGE_SIZE);
static volatile struct
{
    unsigned long fails, round;
    unsigned int step;
    long rc;
} hres[2];

static long mmuext_mfn(unsigned int cmd, unsigned long mfn)
{
    mmuext_op_t op = { .cmd = cmd, .arg1.mfn = mfn };

    return hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static long hammer(unsigned int id)
{
    unsigned long l1 = mfn_of(hammer_l1[id]), win = (unsigned long)hammer_win[id];

    for ( unsigned long i = 0; i < HAMMER_ROUNDS; i++ )
    {
        unsigned int sh = (i + id) % NR_SHARED, step = 0;
        unsigned long d = mfn_of(shared_pg[sh]);
        mmu_update_t set[2] = {
            { (l1 << PAGE_SHIFT) + 8 * (i % 512), (d << PAGE_SHIFT) | KERNEL_RW },
            { (l1 << PAGE_SHIFT) + 8 * ((i + 7) % 512),
              (mfn_of(shared_pg[(sh + 1) % NR_SHARED]) << PAGE_SHIFT) | KERNEL_RO },
        };
        mmu_update_t clr[2] = { { set[0].ptr, 0 }, { set[1].ptr, 0 } };
        long rc;

        if ( !(rc = mmuext_mfn(MMUEXT_PIN_L1_TABLE, l1)) &&
             (step = 1, !(rc = hypercall_mmu_update(set, 2, NULL, DOMID_SELF))) &&
             (step = 2, !(rc = hypercall_update_va_mapping(win, (d << PAGE_SHIFT) | KERNEL_RW,
                                                      UVMF_INVLPG | (i & 1 ? UVMF_ALL : UVMF_LOCAL)))) &&
             (step = 3, rc = *(volatile unsigned long *)win, rc == (long)MARK(sh)) &&
             (step = 4, !(rc = hypercall_mmu_update(clr, 2, NULL, DOMID_SELF))) &&
             (step = 5, !(rc = mmuext_mfn(MMUEXT_UNPIN_TABLE, l1))) )
            continue;
        if ( !hres[id].fails++ )
        {
            hres[id].round = i;
            hres[id].step = step;
            hres[id].rc = rc;
        }
        hypercall_mmu_update(clr, 2, NULL, DOMID_SELF);
        mmuext_mfn(MMUEXT_UNPIN_TABLE, l1);
    }
    hypercall_update_va_mapping(win, (mfn_of(hammer_win[id]) << PAGE_SHIFT) | KERNEL_RW,
                                UVMF_INVLPG | UVMF_LOCAL);
    return hres[id].fails;
}

static void ap_serve(unsigned int seq)
{
    unsigned int op = mbox.op;
    long rc = 0;
    unsigned long val = 0;

    switch ( op )
    {
    case AP_CALL:
        rc = hypercall_raw(mbox.arg[0], mbox.arg[1], mbox.arg[2],
                           mbox.arg[3], mbox.arg[4], mbox.arg[5]);
        break;

    case AP_READ:
        val = *(const volatile unsigned long *)mbox.arg[0];
        break;

    case AP_POLL:
    {
        evtchn_port_t port = mbox.arg[0];
        struct sched_poll poll = { .nr_ports = 1, .timeout = mbox.arg[1] };

        set_xen_guest_handle(poll.ports, &port);
        WRITE_ONCE(mbox.polling, seq);
        rc = hypercall_sched_op(SCHEDOP_poll, &poll);
        val = port_pending(port);
        break;
    }

    case AP_DOWN:
        rc = hypercall_vcpu_op(VCPUOP_down, AP, NULL);
        ap.down_returns++;
        break;

    case AP_PARK:
        break;

    case AP_HAMMER:
        rc = hammer(AP);
        break;

    default:
        rc = -XEN_ENOSYS;
        break;
    }

    mbox.rc = rc;
    mbox.val = val;
    barrier();
    WRITE_ONCE(mbox.done, seq);
    if ( op == AP_PARK )
        ap_park();
}

void ap_main(unsigned long rdi, unsigned long rsp, unsigned long cs,
             unsigned long ss)
{
    ap.rdi = rdi;
    ap.rsp = rsp;
    ap.cs = cs;
    ap.ss = ss;
    barrier();
    ap.started++;

    for ( ;; )
    {
        unsigned int seq = READ_ONCE(mbox.seq);

        if ( seq == READ_ONCE(mbox.done) )
        {
            cpu_relax();
            hypercall_yield();
            continue;
        }
        barrier();
        ap_serve(seq);
    }
}

/* ------------------------------------------------------------ vCPU 0's side */

static bool ap_dead;            /* a request went unanswered */
static unsigned int last_seq;

/* Wait, bounded, until cond(arg) holds. */
static bool wait_until(bool (*cond)(unsigned long), unsigned long arg)
{
    uint64_t end = now_ns() + WAIT_NS;
    unsigned long i;

    for ( i = 0; i < WAIT_SPINS && !cond(arg); i++ )
    {
        if ( now_ns() > end )
            break;
        cpu_relax();
        hypercall_yield();
    }
    return cond(arg);
}

static bool answered(unsigned long seq)
{
    return READ_ONCE(mbox.done) == seq;
}

static bool polling(unsigned long seq)
{
    return READ_ONCE(mbox.polling) == seq;
}

static bool is_down(unsigned long vcpu)
{
    return hypercall_vcpu_op(VCPUOP_is_up, vcpu, NULL) == 0;
}

static bool started(unsigned long n)
{
    return READ_ONCE(ap.started) >= n;
}

/* Post a request; the caller waits for it with ap_wait(). */
static unsigned int ap_post(unsigned int op, unsigned long a0, unsigned long a1,
                            unsigned long a2, unsigned long a3, unsigned long a4,
                            unsigned long a5)
{
    mbox.op = op;
    mbox.arg[0] = a0;
    mbox.arg[1] = a1;
    mbox.arg[2] = a2;
    mbox.arg[3] = a3;
    mbox.arg[4] = a4;
    mbox.arg[5] = a5;
    mbox.rc = R_TIMEOUT;
    mbox.val = 0;
    barrier();
    WRITE_ONCE(mbox.seq, ++last_seq);
    return last_seq;
}

/* The request's rc, or R_TIMEOUT (and vCPU 1 is given up on). */
static long ap_wait(unsigned int seq)
{
    if ( !wait_until(answered, seq) )
    {
        ap_dead = true;
        printk("vCPU 1 did not answer request %u (op %u)\n", seq, mbox.op);
        return R_TIMEOUT;
    }
    barrier();
    return mbox.rc;
}

/* A hypercall made by vCPU 1. */
static long ap_call(unsigned int nr, unsigned long a1, unsigned long a2,
                    unsigned long a3)
{
    if ( ap_dead )
        return R_NO_ANSWER;
    return ap_wait(ap_post(AP_CALL, nr, a1, a2, a3, 0, 0));
}

/* A word read by vCPU 1. */
static long ap_read(const void *va)
{
    long rc;

    if ( ap_dead )
        return R_NO_ANSWER;
    rc = ap_wait(ap_post(AP_READ, (unsigned long)va, 0, 0, 0, 0, 0));
    return rc ? rc : (long)mbox.val;
}

/* ------------------------------------------------------------ helpers */

static long vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return hypercall_vcpu_op(cmd, vcpu, arg);
}

static long is_up(unsigned int vcpu)
{
    return vcpu_op(VCPUOP_is_up, vcpu, NULL);
}

static void port_mask(evtchn_port_t port)
{
    __atomic_fetch_or(&shinfo->evtchn_mask[port / 64], 1UL << (port % 64),
                      __ATOMIC_SEQ_CST);
}

static void port_clear(evtchn_port_t port)
{
    __atomic_fetch_and(&shinfo->evtchn_pending[port / 64],
                       ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
}

static long bind_ipi(unsigned int vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_ipi, &b);

    *port = b.port;
    if ( !rc )
        port_mask(b.port);
    return rc;
}

static long bind_virq(unsigned int virq, unsigned int vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_virq, &b);

    *port = b.port;
    if ( !rc )
        port_mask(b.port);
    return rc;
}

static long close_port(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };

    return hypercall_event_channel_op(EVTCHNOP_close, &c);
}

/* SCHEDOP_poll from vCPU 0 on nr ports (at ports), absolute timeout. */
static long poll_ports(evtchn_port_t *ports, unsigned int nr, uint64_t timeout)
{
    struct sched_poll p = { .nr_ports = nr, .timeout = timeout };

    set_xen_guest_handle(p.ports, ports);
    return hypercall_sched_op(SCHEDOP_poll, &p);
}

static long poll_one(evtchn_port_t port, uint64_t timeout)
{
    return poll_ports(&port, 1, timeout);
}

static long remap(void *va, unsigned long mfn, unsigned long flags,
                  unsigned long uvmf)
{
    return hypercall_update_va_mapping((unsigned long)va,
                                       (mfn << PAGE_SHIFT) | flags, uvmf);
}

/* ------------------------------------------------------------ contexts */

/* The AP's context, as Linux's cpu_initialize_context builds one. */
static void make_good_context(vcpu_guest_context_t *c)
{
    unsigned long l4_pfn = (start_info->pt_base - GUEST_VIRT_BASE) >> PAGE_SHIFT;
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;
    unsigned int vec;

    memset(c, 0, sizeof(*c));
    c->flags = VGCF_in_kernel;
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = FLAT_KERNEL_SS;
    c->user_regs.rflags = EFLAGS_IF;
    c->user_regs.rip = (unsigned long)ap_entry;
    c->user_regs.rsp = AP_STACK_TOP;
    c->user_regs.rdi = AP_MAGIC;

    /* vCPU 0's trap table: lib/setup.c's traps_init, entry for entry. */
    for ( vec = 0; vec < TRAP_VECTORS; vec++ )
    {
        c->trap_ctxt[vec].vector = vec;
        c->trap_ctxt[vec].flags = (vec == 3 || vec == 4) ? 3 : 0;
        c->trap_ctxt[vec].cs = FLAT_KERNEL_CS;
        c->trap_ctxt[vec].address = (unsigned long)trap_stubs + vec * TRAP_STUB_SIZE;
    }

    c->gdt_ents = 0;
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = AP_STACK_TOP;
    c->ctrlreg[3] = xen_pfn_to_cr3(p2m[l4_pfn]);
    c->event_callback_eip = (unsigned long)ap_event_entry;
    c->failsafe_callback_eip = (unsigned long)ap_failsafe_entry;
}

static long initialise(unsigned int vcpu, const void *ctx)
{
    return vcpu_op(VCPUOP_initialise, vcpu, (void *)ctx);
}

enum bad
{
    BAD_RIP,
    BAD_RSP,
    BAD_KERNEL_SP,
    BAD_EVENT_CB,
    BAD_FAILSAFE_CB,
    BAD_TRAP,
    BAD_LDT_ENTS,
    BAD_LDT_BASE,
    BAD_NOT_IN_KERNEL,
    BAD_CR3,
    BAD_GDT_16,
    BAD_GDT_15,
};

static const struct
{
    const char *name;
    enum bad bad;
} bad_cases[] = {
    { "3 initialise vCPU 1: user_regs.rip non-canonical", BAD_RIP },
    { "3 initialise vCPU 1: user_regs.rsp non-canonical", BAD_RSP },
    { "3 initialise vCPU 1: kernel_sp non-canonical", BAD_KERNEL_SP },
    { "3 initialise vCPU 1: event_callback_eip non-canonical", BAD_EVENT_CB },
    { "3 initialise vCPU 1: failsafe_callback_eip non-canonical", BAD_FAILSAFE_CB },
    { "3 initialise vCPU 1: trap_ctxt[14].address non-canonical", BAD_TRAP },
    { "3 initialise vCPU 1: ldt_ents 8193", BAD_LDT_ENTS },
    { "3 initialise vCPU 1: ldt_base not page aligned, ldt_ents 1", BAD_LDT_BASE },
    { "3 initialise vCPU 1: flags without VGCF_in_kernel, ctrlreg[1] 0",
      BAD_NOT_IN_KERNEL },
    { "3 initialise vCPU 1: ctrlreg[3] a writable data page", BAD_CR3 },
    { "3 initialise vCPU 1: gdt_ents 16*512+1", BAD_GDT_16 },
    { "3 initialise vCPU 1: gdt_ents 14*512+1 (15 frames, Xen keeps 14)",
      BAD_GDT_15 },
};

static void make_bad_context(vcpu_guest_context_t *c, enum bad bad)
{
    *c = good_ctx;
    switch ( bad )
    {
    case BAD_RIP:           c->user_regs.rip = NONCANONICAL; break;
    case BAD_RSP:           c->user_regs.rsp = NONCANONICAL; break;
    case BAD_KERNEL_SP:     c->kernel_sp = NONCANONICAL; break;
    case BAD_EVENT_CB:      c->event_callback_eip = NONCANONICAL; break;
    case BAD_FAILSAFE_CB:   c->failsafe_callback_eip = NONCANONICAL; break;
    case BAD_TRAP:          c->trap_ctxt[14].address = NONCANONICAL; break;
    case BAD_LDT_ENTS:      c->ldt_ents = 8193; break;
    case BAD_LDT_BASE:
        c->ldt_base = (unsigned long)ldt_page + 8;
        c->ldt_ents = 1;
        break;
    case BAD_NOT_IN_KERNEL: c->flags = 0; break;
    case BAD_CR3:           c->ctrlreg[3] = xen_pfn_to_cr3(mfn_of(not_a_table)); break;
    case BAD_GDT_16:        c->gdt_ents = 16 * 512 + 1; break;
    case BAD_GDT_15:        c->gdt_ents = 14 * 512 + 1; break;
    }
}

/* ------------------------------------------------------------ the cases */

static void test_is_up(void)
{
    static const struct
    {
        const char *name;
        unsigned int vcpu;
        long expect;
    } cases[] = {
        { "1 is_up vCPU 0", 0, 1 },
        { "1 is_up vCPU 1 (not started)", AP, 0 },
        { "1 is_up vCPU 2 (past the domain's vCPUs)", VCPU_ABSENT, -XEN_ENOENT },
        { "1 is_up vCPU 0xffffffff", VCPU_HUGE, -XEN_ENOENT },
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
        check_eq(cases[i].name, is_up(cases[i].vcpu), cases[i].expect);
}

static void test_initialise_errors(void)
{
    check_eq("2 up vCPU 1 before initialise", vcpu_op(VCPUOP_up, AP, NULL),
             -XEN_EINVAL);
    check_eq("2 initialise vCPU 0 (running)", initialise(0, &good_ctx),
             -XEN_EEXIST);
    check_eq("2 initialise vCPU 0, context unreadable",
             initialise(0, (const void *)BAD_UNMAPPED), -XEN_EFAULT);
    check_eq("2 initialise vCPU 1, context unreadable",
             initialise(AP, (const void *)BAD_UNMAPPED), -XEN_EFAULT);
    check_eq("2 initialise vCPU 2 (past the domain's vCPUs)",
             initialise(VCPU_ABSENT, &good_ctx), -XEN_ENOENT);
    check_eq("2 up vCPU 2", vcpu_op(VCPUOP_up, VCPU_ABSENT, NULL), -XEN_ENOENT);

    for ( unsigned int i = 0; i < ARRAY_SIZE(bad_cases); i++ )
    {
        make_bad_context(&bad_ctx, bad_cases[i].bad);
        check_eq(bad_cases[i].name, initialise(AP, &bad_ctx), -XEN_EINVAL);
    }
    check_eq("3 up vCPU 1 after the bad contexts (still uninitialised)",
             vcpu_op(VCPUOP_up, AP, NULL), -XEN_EINVAL);
    check_eq("3 is_up vCPU 1 after the bad contexts", is_up(AP), 0);
}

static bool test_start(void)
{
    bool ok;

    check_eq("4 vcpu_info[1] event mask before start (the builder's)",
             shinfo->vcpu_info[AP].evtchn_upcall_mask, 1);
    /* As Linux's xen_pv_kick_ap: "make sure interrupts start blocked". */
    shinfo->vcpu_info[AP].evtchn_upcall_mask = 1;

    check_eq("4 initialise vCPU 1 (Linux's context)", initialise(AP, &good_ctx), 0);
    check_eq("4 is_up vCPU 1 after initialise, before up", is_up(AP), 0);
    check_eq("4 up vCPU 1", vcpu_op(VCPUOP_up, AP, NULL), 0);
    ok = wait_until(started, 1);
    check_eq("4 vCPU 1 entered its entry point", ok ? 1 : R_TIMEOUT, 1);
    check_eq("4 initialise vCPU 1 again", initialise(AP, &good_ctx), -XEN_EEXIST);
    check_eq("4 up vCPU 1 again (already up)", vcpu_op(VCPUOP_up, AP, NULL), 0);
    check_eq("4 is_up vCPU 1", is_up(AP), 1);
    if ( !ok )
    {
        ap_dead = true;
        return false;
    }

    check_eq("4 vCPU 1 entry: rdi from the context", ap.rdi == AP_MAGIC, 1);
    check_eq("4 vCPU 1 entry: rsp from the context", ap.rsp == AP_STACK_TOP, 1);
    check_eq("4 vCPU 1 entry: cs", ap.cs, FLAT_KERNEL_CS);
    check_eq("4 vCPU 1 entry: ss", ap.ss, FLAT_KERNEL_SS);
    /* The mailbox works: vCPU 1 asks Xen for the version. */
    check_eq("4 vCPU 1 answers: xen_version from vCPU 1",
             ap_call(__HYPERVISOR_xen_version, XENVER_version, 0, 0),
             hypercall_xen_version(XENVER_version, NULL));
    check_eq("4 vCPU 1 entered once (the second up did not restart it)",
             ap.started, 1);
    return true;
}

static long status_vcpu;

/* EVTCHNOP_status of our port: its state, *val the VIRQ or the peer port. */
static long port_status(evtchn_port_t port, unsigned long *val)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    long rc = hypercall_event_channel_op(EVTCHNOP_status, &st);

    if ( rc )
        return rc;
    status_vcpu = st.vcpu;
    if ( val )
        *val = st.status == EVTCHNSTAT_virq ? st.u.virq :
               st.status == EVTCHNSTAT_interdomain ? st.u.interdomain.port : 0;
    return st.status;
}

/* bind_interdomain to our own port remote. */
static long bind_loop(evtchn_port_t remote, evtchn_port_t *port)
{
    struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF, .remote_port = remote };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &b);

    *port = b.local_port;
    if ( !rc )
        port_mask(b.local_port);
    return rc;
}

static void test_ipis(void)
{
    evtchn_port_t ipi = 0, timer = 0, dbg = 0, ipi2 = 0, loop = 0;
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_bind_vcpu bv = { .vcpu = 0 };
    unsigned long val = 0;
    unsigned int seq;
    uint64_t deadline;
    long rc;

    check_eq("5 bind_ipi for vCPU 1 (bound by vCPU 0)", bind_ipi(AP, &ipi), 0);
    check_eq("5 bind_ipi for vCPU 2", bind_ipi(VCPU_ABSENT, &ipi2), -XEN_ENOENT);
    check_eq("5 the IPI port is not pending yet", port_pending(ipi), 0);

    /* vCPU 1 polls the port; once it is in there, vCPU 0 sends. */
    if ( ap_dead )
        rc = R_NO_ANSWER;
    else
    {
        deadline = now_ns() + WAIT_NS;
        seq = ap_post(AP_POLL, ipi, deadline, 0, 0, 0, 0);
        if ( wait_until(polling, seq) )
        {
            /* Let it block: a few yields, then the event. */
            for ( unsigned int i = 0; i < 50; i++ )
                hypercall_yield();
            check_eq("5 send on the IPI port from vCPU 0", hypercall_evtchn_send(ipi), 0);
        }
        rc = ap_wait(seq);
        if ( rc != R_TIMEOUT )
            check_eq("5 vCPU 1's poll returned before its 10 s timeout",
                     now_ns() < deadline, 1);
    }
    check_eq("5 SCHEDOP_poll by vCPU 1 on the IPI port", rc, 0);
    check_eq("5 the IPI port pending, as vCPU 1 saw it after the poll",
             rc == 0 ? (long)mbox.val : rc, 1);
    check_eq("5 the IPI port pending, as vCPU 0 sees it", port_pending(ipi), 1);
    port_clear(ipi);

    bv.port = ipi;
    check_eq("5 bind_vcpu of the IPI port to vCPU 0",
             hypercall_event_channel_op(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL);
    check_eq("5 bind_virq VIRQ_TIMER vCPU 1", bind_virq(VIRQ_TIMER, AP, &timer), 0);
    check_eq("5 bind_virq VIRQ_TIMER vCPU 1 again",
             bind_virq(VIRQ_TIMER, AP, &dbg), -XEN_EEXIST);
    check_eq("5 bind_virq VIRQ_DEBUG vCPU 2",
             bind_virq(VIRQ_DEBUG, VCPU_ABSENT, &dbg), -XEN_ENOENT);
    /* A VIRQ's port is not one to send on (evtchn_send's default: -EINVAL). */
    check_eq("5 send on vCPU 1's VIRQ_TIMER port", hypercall_evtchn_send(timer), -XEN_EINVAL);
    check_eq("5 status of the IPI port", port_status(ipi, NULL), EVTCHNSTAT_ipi);
    check_eq("5 ... its vCPU", status_vcpu, AP);
    check_eq("5 status of vCPU 1's VIRQ_TIMER port", port_status(timer, &val), EVTCHNSTAT_virq);
    check_eq("5 ... its VIRQ", val, VIRQ_TIMER);
    check_eq("5 ... its vCPU", status_vcpu, AP);
    check_eq("5 bind_virq VIRQ_CONSOLE (global) vCPU 0", bind_virq(VIRQ_CONSOLE, 0, &dbg), 0);
    bv = (struct evtchn_bind_vcpu){ .port = dbg, .vcpu = AP };
    check_eq("5 bind_vcpu of it to vCPU 1",
             hypercall_event_channel_op(EVTCHNOP_bind_vcpu, &bv), 0);
    check_eq("5 status of it", port_status(dbg, &val), EVTCHNSTAT_virq);
    check_eq("5 ... its VIRQ", val, VIRQ_CONSOLE);
    check_eq("5 ... its vCPU (moved)", status_vcpu, AP);
    check_eq("5 close it", close_port(dbg), 0);
    check_eq("5 bind_interdomain to our own IPI port", bind_loop(ipi, &loop), -XEN_EINVAL);
    check_eq("5 bind_interdomain to our own VIRQ port", bind_loop(timer, &loop), -XEN_EINVAL);
    check_eq("5 close vCPU 1's VIRQ_TIMER port", close_port(timer), 0);
    check_eq("5 send on that port once closed", hypercall_evtchn_send(timer), -XEN_EINVAL);
    check_eq("5 close the IPI port", close_port(ipi), 0);
    check_eq("5 status of it, closed", port_status(ipi, NULL), EVTCHNSTAT_closed);

    /* An IPI to ourselves, and a loopback pair: both ends ours. */
    check_eq("5 bind_ipi for vCPU 0", bind_ipi(0, &ipi), 0);
    check_eq("5 send on it", hypercall_evtchn_send(ipi), 0);
    check_eq("5 it is pending", port_pending(ipi), 1);
    check_eq("5 close it", close_port(ipi), 0);
    check_eq("5 closing cleared it", port_pending(ipi), 0);
    rc = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &au);
    check_eq("5 alloc_unbound to ourselves", rc, 0);
    port_mask(au.port);
    check_eq("5 bind_interdomain to it", bind_loop(au.port, &loop), 0);
    check_eq("5 status of the new end", port_status(loop, &val), EVTCHNSTAT_interdomain);
    check_eq("5 ... its peer", val, au.port);
    /* Xen raises the new end at once, for notifications the unbound end missed. */
    check_eq("5 the new end is pending after the bind", port_pending(loop), 1);
    port_clear(loop);
    check_eq("5 send on the new end", hypercall_evtchn_send(loop), 0);
    check_eq("5 the other end is pending", port_pending(au.port), 1);
    check_eq("5 the new end is not", port_pending(loop), 0);
    port_clear(au.port);
    check_eq("5 send on the other end", hypercall_evtchn_send(au.port), 0);
    check_eq("5 the new end is pending", port_pending(loop), 1);
    check_eq("5 the other end is not", port_pending(au.port), 0);
    port_clear(loop);
    check_eq("5 close the other end", close_port(au.port), 0);
    check_eq("5 status of the new end: unbound", port_status(loop, &val), EVTCHNSTAT_unbound);
    check_eq("5 send on it (dropped)", hypercall_evtchn_send(loop), 0);
    check_eq("5 nothing pending on it", port_pending(loop), 0);
    check_eq("5 close the new end", close_port(loop), 0);
}

/*
 * vCPU 0's runstate area: written at registration, and again once it has
 * been blocked (Xen: at every schedule; our shim: when it stops waiting,
 * from L0's runstate of its CPU). 30 ms in SCHEDOP_poll on a port never
 * raised adds to "blocked" (not all 30 under our shim: its CPU wakes for
 * L0's events meanwhile).
 */
static volatile struct vcpu_runstate_info rs_area;

static void test_runstate(void)
{
    struct vcpu_register_runstate_memory_area a = { .addr.v = (void *)&rs_area };
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    uint64_t before;

    check_eq("11 alloc_unbound (a port never raised)",
             hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &au), 0);
    rs_area.state = 0x55;
    check_eq("11 register_runstate_memory_area vCPU 0",
             vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a), 0);
    check_eq("11 written at once: running", rs_area.state, RUNSTATE_running);
    before = rs_area.time[RUNSTATE_blocked];
    check_eq("11 poll it for 30 ms", poll_one(au.port, now_ns() + 30 * MS), 0);
    check_eq("11 the area: running", rs_area.state, RUNSTATE_running);
    printk("vCPU 0 blocked for %lu us of the 30 ms poll\n",
           (unsigned long)(rs_area.time[RUNSTATE_blocked] - before) / 1000);
    check_eq("11 the area: blocked for a part of it (rewritten since)",
             rs_area.time[RUNSTATE_blocked] > before, 1);
    a.addr.v = NULL;
    check_eq("11 unregister it", vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a), 0);
    check_eq("11 close the port", close_port(au.port), 0);
}

static void test_poll(void)
{
    static evtchn_port_t many[129];
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    evtchn_port_t pend = 0;
    uint64_t deadline;
    long rc;

    check_eq("6 poll nr_ports 129", poll_ports(many, 129, now_ns() + MS), -XEN_EINVAL);
    check_eq("6 poll a port past the table (4096)",
             poll_one(PORT_PAST_TABLE, now_ns() + MS), -XEN_EINVAL);

    check_eq("6 bind_ipi for vCPU 0", bind_ipi(0, &pend), 0);
    check_eq("6 send on it (masked)", hypercall_evtchn_send(pend), 0);
    check_eq("6 it is pending", port_pending(pend), 1);
    deadline = now_ns() + WAIT_NS;
    check_eq("6 poll the pending port", poll_one(pend, deadline), 0);
    check_eq("6 ... returned at once (before its 10 s timeout)",
             now_ns() < deadline, 1);
    port_clear(pend);
    check_eq("6 close it", close_port(pend), 0);

    rc = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &au);
    check_eq("6 alloc_unbound (remote DOMID_SELF)", rc, 0);
    if ( rc == 0 )
    {
        port_mask(au.port);
        check_eq("6 poll the unbound masked port, timeout 1 ms in the past",
                 poll_one(au.port, now_ns() - MS), 0);
        check_eq("6 ... the port is still not pending", port_pending(au.port), 0);
        check_eq("6 close it", close_port(au.port), 0);
        check_eq("6 poll it now it is free (ECS_FREE: not usable)",
                 poll_one(au.port, now_ns() - MS), -XEN_EINVAL);
    }
    check_eq("6 poll no ports, timeout 1 ms in the past",
             poll_ports(many, 0, now_ns() - MS), 0);
}

static void test_timers(void)
{
    struct vcpu_set_singleshot_timer ss = { .timeout_abs_ns = now_ns() + 1000 * MS };
    struct vcpu_set_periodic_timer pt;

    check_eq("7 set_singleshot_timer vCPU 1 from vCPU 0",
             vcpu_op(VCPUOP_set_singleshot_timer, AP, &ss), -XEN_EINVAL);
    check_eq("7 stop_singleshot_timer vCPU 1 from vCPU 0",
             vcpu_op(VCPUOP_stop_singleshot_timer, AP, NULL), -XEN_EINVAL);
    ss.timeout_abs_ns = now_ns() + 1000 * MS;
    check_eq("7 set_singleshot_timer vCPU 1 from vCPU 1",
             ap_call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, AP,
                     (unsigned long)&ss), 0);
    check_eq("7 stop_singleshot_timer vCPU 1 from vCPU 1",
             ap_call(__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, AP, 0), 0);

    pt.period_ns = 999999;
    check_eq("7 set_periodic_timer vCPU 1, 999999 ns",
             vcpu_op(VCPUOP_set_periodic_timer, AP, &pt), -XEN_EINVAL);
    pt.period_ns = (1ULL << 62) + 1;
    check_eq("7 set_periodic_timer vCPU 1, 2^62+1 ns",
             vcpu_op(VCPUOP_set_periodic_timer, AP, &pt), -XEN_EINVAL);
    pt.period_ns = 10 * MS;
    check_eq("7 set_periodic_timer vCPU 1, 10 ms",
             vcpu_op(VCPUOP_set_periodic_timer, AP, &pt), 0);
    check_eq("7 stop_periodic_timer vCPU 1",
             vcpu_op(VCPUOP_stop_periodic_timer, AP, NULL), 0);
    check_eq("7 set_periodic_timer vCPU 1, context unreadable",
             vcpu_op(VCPUOP_set_periodic_timer, AP, (void *)BAD_UNMAPPED),
             -XEN_EFAULT);
}

/* One remote-flush variant: warm vCPU 1's TLB, remap, read again. */
static void tlb_case(const char *what, unsigned long from_word, void *to_page,
                     unsigned long to_word, long (*flush)(void *, unsigned long))
{
    char name[128];

    snprintf(name, sizeof(name), "8 %s: vCPU 1 reads the old page first", what);
    check_eq(name, ap_read(window), from_word);
    snprintf(name, sizeof(name), "8 %s: remap and flush", what);
    check_eq(name, flush(window, mfn_of(to_page)), 0);
    snprintf(name, sizeof(name), "8 %s: vCPU 1 reads the new page", what);
    check_eq(name, ap_read(window), to_word);
}

static long flush_uvm_all(void *va, unsigned long mfn)
{
    return remap(va, mfn, KERNEL_RO, UVMF_INVLPG | UVMF_ALL);
}

static long flush_ext_all(void *va, unsigned long mfn)
{
    mmuext_op_t op = { .cmd = MMUEXT_TLB_FLUSH_ALL };

    return remap(va, mfn, KERNEL_RO, UVMF_NONE) ?:
           hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static unsigned long vcpu1_mask = 1UL << AP;

static long flush_ext_invlpg_multi(void *va, unsigned long mfn)
{
    mmuext_op_t op = { .cmd = MMUEXT_INVLPG_MULTI };

    op.arg1.linear_addr = (unsigned long)va;
    set_xen_guest_handle(op.arg2.vcpumask, &vcpu1_mask);
    return remap(va, mfn, KERNEL_RO, UVMF_NONE) ?:
           hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static long flush_uvm_mask(void *va, unsigned long mfn)
{
    return remap(va, mfn, KERNEL_RO, (unsigned long)&vcpu1_mask | UVMF_INVLPG);
}

static void test_tlb(void)
{
    unsigned long own = mfn_of(window);

    page_a[0] = WORD_A;
    page_b[0] = WORD_B;
    check_eq("8 map page A at the window (INVLPG|ALL)",
             flush_uvm_all(window, mfn_of(page_a)), 0);
    tlb_case("update_va_mapping UVMF_INVLPG|UVMF_ALL", WORD_A, page_b, WORD_B,
             flush_uvm_all);
    tlb_case("update_va_mapping 0 + MMUEXT_TLB_FLUSH_ALL", WORD_B, page_a, WORD_A,
             flush_ext_all);
    tlb_case("update_va_mapping 0 + MMUEXT_INVLPG_MULTI {1}", WORD_A, page_b, WORD_B,
             flush_ext_invlpg_multi);
    tlb_case("update_va_mapping UVMF_INVLPG vcpumask {1}", WORD_B, page_a, WORD_A,
             flush_uvm_mask);
    check_eq("8 the window's own frame back (INVLPG|ALL)",
             remap(window, own, KERNEL_RW, UVMF_INVLPG | UVMF_ALL), 0);
}

static void test_down_up(void)
{
    unsigned int seq, returns = ap.down_returns;
    bool down;
    long rc;

    if ( ap_dead )
    {
        check_eq("9 VCPUOP_down by vCPU 1 itself", R_NO_ANSWER, 0);
        return;
    }
    seq = ap_post(AP_DOWN, 0, 0, 0, 0, 0, 0);
    down = wait_until(is_down, AP);
    check_eq("9 vCPU 1 took itself down: is_up vCPU 1", down ? 0 : R_TIMEOUT, 0);
    check_eq("9 ... and has not answered", answered(seq), 0);
    check_eq("9 up vCPU 1 from vCPU 0", vcpu_op(VCPUOP_up, AP, NULL), 0);
    rc = ap_wait(seq);
    check_eq("9 vCPU 1's VCPUOP_down returned", rc, 0);
    check_eq("9 vCPU 1 carried on after it", ap.down_returns - returns, 1);
    check_eq("9 is_up vCPU 1 again", is_up(AP), 1);
    check_eq("9 vCPU 1 still answers (xen_version)",
             ap_call(__HYPERVISOR_xen_version, XENVER_version, 0, 0),
             hypercall_xen_version(XENVER_version, NULL));
}

static void test_hammer(void)
{
    unsigned int seq;
    long rc;

    for ( unsigned int sh = 0; sh < NR_SHARED; sh++ )
        shared_pg[sh][0] = MARK(sh);
    for ( unsigned int id = 0; id < 2; id++ )
        check_eq("10 own L1 mapped read-only",
                 remap(hammer_l1[id], mfn_of(hammer_l1[id]), KERNEL_RO, UVMF_INVLPG), 0);
    if ( ap_dead )
        return;
    seq = ap_post(AP_HAMMER, 0, 0, 0, 0, 0, 0);
    check_eq("10 vCPU 0: rounds that failed", hammer(0), 0);
    rc = ap_wait(seq);
    check_eq("10 vCPU 1: rounds that failed", rc, 0);
    for ( unsigned int id = 0; id < 2; id++ )
        if ( hres[id].fails )
            printk("vCPU %u: first failure in round %lu, step %u: %ld\n", id,
                   hres[id].round, hres[id].step, hres[id].rc);
    for ( unsigned int id = 0; id < 2; id++ )
    {
        check_eq("10 an L1 pins again (it was left with no type)",
                 mmuext_mfn(MMUEXT_PIN_L1_TABLE, mfn_of(hammer_l1[id])), 0);
        check_eq("10 ... and unpins", mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn_of(hammer_l1[id])), 0);
        remap(hammer_l1[id], mfn_of(hammer_l1[id]), KERNEL_RW, UVMF_INVLPG);
    }
    for ( unsigned int sh = 0; sh < NR_SHARED; sh++ )
    {
        remap(shared_pg[sh], mfn_of(shared_pg[sh]), KERNEL_RO, UVMF_INVLPG);
        check_eq("10 a shared frame pins as an L1 (no writable reference left)",
                 mmuext_mfn(MMUEXT_PIN_L1_TABLE, mfn_of(shared_pg[sh])), 0);
        check_eq("10 ... and unpins", mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn_of(shared_pg[sh])), 0);
        remap(shared_pg[sh], mfn_of(shared_pg[sh]), KERNEL_RW, UVMF_INVLPG);
    }
}

/* The end: vCPU 1 goes down for good; vCPU 0 is left to report. */
static void park_ap(void)
{
    long rc = R_NO_ANSWER;

    if ( !ap_dead )
    {
        rc = ap_wait(ap_post(AP_PARK, 0, 0, 0, 0, 0, 0));
        if ( rc == 0 )
            rc = wait_until(is_down, AP) ? 0 : R_TIMEOUT;
    }
    check_eq("end vCPU 1 down for good", rc, 0);
    check_eq("end is_up vCPU 0", is_up(0), 1);
    check_eq("end event upcalls on vCPU 1 (all masked)", ap.events, 0);
    check_eq("end failsafe callbacks on vCPU 1", ap.failsafe, 0);
}

/* ------------------------------------------------------------ the set-up */

static bool setup(void)
{
    long rc = remap(shinfo_page, start_info->shared_info >> PAGE_SHIFT,
                    KERNEL_RW, UVMF_INVLPG);

    if ( rc )
    {
        xtf_error("Error: cannot map shared_info: %ld\n", rc);
        return false;
    }
    shinfo = (volatile shared_info_t *)shinfo_page;
    memset(not_a_table, 0xff, sizeof(not_a_table));
    make_good_context(&good_ctx);
    printk("vCPU 1: entry %p, stack top %#lx, cr3 %#lx\n", (const void *)ap_entry,
           AP_STACK_TOP, good_ctx.ctrlreg[3]);
    return true;
}

void test_main(void)
{
    if ( !setup() )
        return;

    test_is_up();
    test_initialise_errors();
    test_start();
    test_ipis();
    test_poll();
    test_runstate();
    test_timers();
    test_tlb();
    test_down_up();
    test_hammer();
    park_ap();

    printk("%u checks\n", report_checks);
    xtf_success(NULL);
}
