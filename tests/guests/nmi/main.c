/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/nmi/main.c - NMIs as a PV kernel gets them: the NMI
 * callback (callback_op, nmi_op, or vector 2 of the trap table: they are
 * one slot), VCPUOP_send_nmi, NMIs held while the handler runs and
 * delivered at its iret, dropped when there is no handler; then two NMIs
 * from L0 ("xl trigger nmi" from dom0, when the console shows NMI-WAIT and
 * NMI-IN-HANDLER: tests/lab/dom0-cases.sh "#@nmi-on").
 *
 * The expected values are what Debian's Xen 4.17 gives this kernel running
 * on it directly (tests/lab/cfg/guest-nmi-pv.cfg). Xen delivers a pending
 * NMI on the way back to the guest, before events (xen/arch/x86/x86_64/
 * entry.S process_nmi): a bounce frame like an exception's, no error code,
 * events masked when the trap_info says so (always for the callback), and
 * NMIs masked until the next iret hypercall (pv/iret.c). Built as a 32-bit
 * kernel too: the frame is then Xen's 32-bit one (compat_create_bounce_frame).
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "NMIs: the callback, send_nmi, masking until iret, L0's";

/* The iret stub of the hypercall page. */
#define STR_(x)         #x
#define STR(x)          STR_(x)
#define HYPERCALL_IRET  "hypercall_page + " STR(__HYPERVISOR_iret) " * 32"

#define EFLAGS_IF       0x200UL

#ifdef __i386__
/*
 * A 32-bit kernel (Xen's compat_create_bounce_frame): the frame is eip,
 * cs with the saved event mask in bits 16-23, eflags; cs as it was, ring 1;
 * a stub returns after its int $0x82 (mov 5 bytes, int 2).
 */
#define STUB_RET(nr)    ((unsigned long)hypercall_page + (nr) * 32 + 7)
#define FRAME_CS_KERNEL 0xe019UL
#define MASK_SHIFT      16
#define F_IP            0
#define F_CS            1
#define F_FLAGS         2
#else
/* Where a hypercall stub returns to: after its SYSCALL (pop %r11). */
#define STUB_RET(nr)    ((unsigned long)hypercall_page + (nr) * 32 + 10)
#define FRAME_CS_KERNEL 0xe030UL
#define MASK_SHIFT      32
#define F_IP            2
#define F_CS            3
#define F_FLAGS         4
#endif

static uint8_t vcpu_page[4096] __aligned(4096);
static volatile vcpu_info_t *vcpu;

/* What the NMI handlers saw. */
static volatile struct
{
    unsigned int count;             /* NMIs taken */
    unsigned int which;             /* 1: nmi_entry, 2: nmi_entry_b */
    unsigned long rip, cs, rflags;  /* the first one's frame */
    unsigned long last_rip;
    unsigned int entry_mask;        /* the first one's event mask on entry */
    unsigned int count_in_action;   /* count after in_action ran */
} nmi;
static void (*volatile in_action)(void);
static unsigned long events;

void nmi_handle(unsigned long *f);
void nmi_handle_b(unsigned long *f);
void event_handle(unsigned long *f);

#ifdef __i386__
/* Frame at entry: eip, cs | mask << 16, eflags; the iret stub pushes eax. */
#define ENTRY_STUB(name, fn)                                            \
    extern const char name[];                                           \
    __asm__ ( "    .pushsection .text, \"ax\", @progbits\n"             \
              #name ":\n"                                               \
              "    push %eax\n"                                         \
              "    push %ecx\n"                                         \
              "    push %edx\n"                                         \
              "    lea  12(%esp), %eax\n"                               \
              "    push %eax\n"                                         \
              "    call " #fn "\n"                                      \
              "    add  $4, %esp\n"                                     \
              "    pop  %edx\n"                                         \
              "    pop  %ecx\n"                                         \
              "    pop  %eax\n"                                         \
              "    jmp  " HYPERCALL_IRET "\n"                           \
              "    .popsection\n" )
#else
/* Frame at entry: rcx, r11, rip, cs | mask << 32, rflags, rsp, ss. */
#define ENTRY_STUB(name, fn)                                            \
    extern const char name[];                                           \
    __asm__ ( "    .pushsection .text, \"ax\", @progbits\n"             \
              #name ":\n"                                               \
              GUEST_CALL_C_HANDLER(fn)                                  \
              "    pop  %rcx\n"                                         \
              "    pop  %r11\n"                                         \
              "    push $0\n"                                           \
              "    jmp  " HYPERCALL_IRET "\n"                           \
              "    .popsection\n" )
#endif

ENTRY_STUB(nmi_entry, nmi_handle);
ENTRY_STUB(nmi_entry_b, nmi_handle_b);
ENTRY_STUB(event_entry, event_handle);

static void nmi_common(unsigned long *f, unsigned int which)
{
    void (*fn)(void) = in_action;

    if ( nmi.count++ == 0 )
    {
        nmi.which = which;
        nmi.rip = f[F_IP];
        nmi.cs = f[F_CS];
        nmi.rflags = f[F_FLAGS];
        nmi.entry_mask = vcpu->evtchn_upcall_mask;
    }
    nmi.last_rip = f[F_IP];
    if ( fn )
    {
        in_action = NULL;
        fn();
        nmi.count_in_action = nmi.count;
    }
}

void nmi_handle(unsigned long *f)
{
    nmi_common(f, 1);
}

void nmi_handle_b(unsigned long *f)
{
    nmi_common(f, 2);
}

void event_handle(unsigned long *f)
{
    vcpu->evtchn_upcall_pending = 0;
    events++;
}

/* ------------------------------------------------------------ reporting */

static void check(const char *name, const char *got, const char *expected)
{
    report_line(name, got, expected, !strcmp(got, expected));
}

static void check_long(const char *name, long got, long expected)
{
    char g[32], e[32];

    check(name, show_value(g, sizeof(g), got), show_value(e, sizeof(e), expected));
}

/* The first NMI's frame, and the mask its handler ran with. */
static void check_frame(const char *name, unsigned long rip,
                        unsigned int saved_mask, unsigned int entry_mask)
{
    char g[128], e[128];

    snprintf(g, sizeof(g), "rip %s cs %#lx IF %u handler mask %u",
             nmi.rip == rip ? "ok" : "BAD", nmi.cs,
             !!(nmi.rflags & EFLAGS_IF), nmi.entry_mask);
    snprintf(e, sizeof(e), "rip ok cs %#lx IF %u handler mask %u",
             FRAME_CS_KERNEL | ((unsigned long)saved_mask << MASK_SHIFT),
             !saved_mask, entry_mask);
    check(name, g, e);
}

static void reset(void)
{
    memset((void *)&nmi, 0, sizeof(nmi));
}

/* ------------------------------------------------------------ calls */

static long send_nmi(void)
{
    return hypercall_vcpu_op(VCPUOP_send_nmi, 0, NULL);
}

static long callback_nmi(unsigned int op, const void *address)
{
    struct callback_register r = {
        .type = CALLBACKTYPE_nmi,
#ifdef __i386__
        .address = { FLAT_KERNEL_CS, (unsigned long)address },
#else
        .address = (unsigned long)address,
#endif
    };
    struct callback_unregister u = { .type = CALLBACKTYPE_nmi };

    return hypercall_callback_op(op, op == CALLBACKOP_register ?
                                 (const void *)&r : (const void *)&u);
}

static long nmi_op(unsigned int cmd, const void *address)
{
    struct xennmi_callback cb = { .handler_address = (unsigned long)address };

    return hypercall_raw(__HYPERVISOR_nmi_op, cmd, (unsigned long)&cb, 0, 0, 0);
}

/* A few round trips through the hypervisor: any pending NMI is taken. */
static void settle(void)
{
    for ( unsigned int i = 0; i < 4; i++ )
        hypercall_xen_version(XENVER_version, NULL);
}

static void send_from_handler(void)
{
    long rc = send_nmi();

    if ( rc )
        xtf_error("send_nmi in the handler: %ld\n", rc);
}

/* ------------------------------------------------------------ time */

/* Nanoseconds of system time, from this vCPU's time record. */
static uint64_t now_ns(void)
{
    return guest_now_ns(vcpu);
}

/* Yield until the NMI count reaches n or the time is up. */
static void wait_nmis(unsigned int n, uint64_t seconds)
{
    uint64_t end = now_ns() + seconds * 1000000000ULL;

    while ( nmi.count < n && now_ns() < end )
        hypercall_yield();
}

/* ------------------------------------------------------------ the test */

static bool setup(void)
{
    long rc = guest_events_init(vcpu_page, event_entry);

    if ( rc )
    {
        xtf_error("setup: %ld\n", rc);
        return false;
    }
    vcpu = (vcpu_info_t *)vcpu_page;
    return true;
}

/* Hypercall arguments and what no handler, or a dropped NMI, gives. */
static void test_send_nmi_and_no_handler(void)
{
    check_long("send_nmi with an argument",
               hypercall_vcpu_op(VCPUOP_send_nmi, 0, (void *)vcpu_page),
               -XEN_EINVAL);
    check_long("send_nmi to vCPU 1 (there is none)",
               hypercall_vcpu_op(VCPUOP_send_nmi, 1, NULL), -XEN_ENOENT);

    /* The framework's trap table has vector 2: that is the NMI handler. */
    check_long("callback_op unregister NMI (the framework's vector 2)",
               callback_nmi(CALLBACKOP_unregister, NULL), 0);
    reset();
    check_long("send_nmi with no NMI handler", send_nmi(), 0);
    settle();
    check_long("NMIs taken with no handler", nmi.count, 0);
    check_long("callback_op register NMI", callback_nmi(CALLBACKOP_register,
                                                        nmi_entry), 0);
    settle();
    check_long("NMIs taken after registering (the earlier one was dropped)",
               nmi.count, 0);
}

/* Delivery on the way out of the hypercall, the frame, masking until iret. */
static void test_delivery(void)
{
    reset();
    vcpu->evtchn_upcall_mask = 0;
    check_long("send_nmi, events unmasked", send_nmi(), 0);
    check_long("NMIs taken", nmi.count, 1);
    check_frame("NMI frame (at the send_nmi stub's return)",
                STUB_RET(__HYPERVISOR_vcpu_op), 0, 1);
    check_long("event mask after the handler's iret", vcpu->evtchn_upcall_mask, 0);

    reset();
    vcpu->evtchn_upcall_mask = 1;
    check_long("send_nmi, events masked", send_nmi(), 0);
    check_frame("NMI frame, events masked",
                STUB_RET(__HYPERVISOR_vcpu_op), 1, 1);
    check_long("event mask after the handler's iret, events masked",
               vcpu->evtchn_upcall_mask, 1);

    /* A second NMI raised in the handler waits for its iret. */
    reset();
    in_action = send_from_handler;
    check_long("send_nmi; the handler sends another", send_nmi(), 0);
    check_long("NMIs taken inside the handler (held)", nmi.count_in_action, 1);
    check_long("NMIs taken after its iret", nmi.count, 2);
    check_long("the second at the first one's return point",
               nmi.last_rip == nmi.rip, 1);
}

/* The three ways to set the handler are one slot: trap table vector 2. */
static void test_registration(void)
{
    trap_info_t t[2] = {
        { .vector = 2, .flags = 0, .cs = FLAT_KERNEL_CS,
          .address = (unsigned long)nmi_entry_b },
    };

    check_long("nmi_op unregister", nmi_op(XENNMI_unregister_callback, NULL), 0);
    reset();
    send_nmi();
    settle();
    check_long("NMIs taken after nmi_op unregister", nmi.count, 0);
    check_long("nmi_op register", nmi_op(XENNMI_register_callback, nmi_entry), 0);
    reset();
    send_nmi();
    check_long("NMIs taken after nmi_op register", nmi.count, 1);
#ifndef __i386__         /* every 32-bit address is canonical */
    check_long("nmi_op register, non-canonical handler",
               nmi_op(XENNMI_register_callback, (void *)0x8000000000000000UL),
               -XEN_EINVAL);
#endif
    check_long("nmi_op cmd 7", nmi_op(7, nmi_entry), -XEN_ENOSYS);

    /* Vector 2 of the trap table, without the mask bit. */
    check_long("set_trap_table vector 2 (flags 0)", hypercall_set_trap_table(t), 0);
    reset();
    vcpu->evtchn_upcall_mask = 0;
    send_nmi();
    vcpu->evtchn_upcall_mask = 1;
    check_long("NMI taken by the trap table's vector 2 handler", nmi.which, 2);
    check_long("its event mask on entry (trap_info without the mask bit)",
               nmi.entry_mask, 0);

    check_long("callback_op unregister NMI", callback_nmi(CALLBACKOP_unregister,
                                                          NULL), 0);
    reset();
    send_nmi();
    settle();
    check_long("NMIs taken after callback_op unregister", nmi.count, 0);
#ifndef __i386__
    check_long("callback_op register NMI, non-canonical",
               callback_nmi(CALLBACKOP_register, (void *)0x8000000000000000UL),
               -XEN_EINVAL);
#endif
    check_long("callback_op register NMI again",
               callback_nmi(CALLBACKOP_register, nmi_entry), 0);
}

static void wait_in_handler(void)
{
    printk("NMI-IN-HANDLER: waiting 6 s with NMIs masked\n");
    uint64_t end = now_ns() + 6000000000ULL;

    while ( now_ns() < end )
        hypercall_yield();
}

/* Two NMIs from L0: dom0 runs "xl trigger nmi" on each of our two lines. */
static void test_l0_nmis(void)
{
    reset();
    in_action = wait_in_handler;
    vcpu->evtchn_upcall_mask = 0;
    printk("NMI-WAIT: waiting up to 60 s for an NMI from L0\n");
    wait_nmis(1, 60);
    check_long("NMI from L0 (xl trigger nmi)", nmi.count >= 1, 1);
    /* Its frame, when there was one ("rip BAD cs 0" when none came). */
    check_frame("its frame (rip not checked: wherever the loop was)",
                nmi.count >= 1 ? nmi.rip : ~nmi.rip, 0, 1);
    wait_nmis(2, 30);
    vcpu->evtchn_upcall_mask = 1;
    check_long("a second from L0 while in the handler: held", nmi.count_in_action, 1);
    check_long("and taken after its iret", nmi.count, 2);
}

void test_main(void)
{
    if ( !setup() )
        return;
    test_send_nmi_and_no_handler();
    test_delivery();
    test_registration();
    test_l0_nmis();
    printk("%lu event upcalls\n", events);
    xtf_success(NULL);
}
