/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/fifo/main.c - FIFO event channels as a 64-bit PV kernel
 * uses them: EVTCHNOP_init_control, expand_array and set_priority, their
 * errors, and what Xen writes into the event words and the control block
 * when events are raised, unmasked, polled and closed.
 *
 * The expected values are Xen 4.17's for this kernel run directly as a PV
 * guest (xen/common/event_fifo.c, xen/common/event_channel.c). The facts
 * that are easy to get wrong:
 *  - Before init_control: expand_array is -EOPNOTSUPP, set_priority on a
 *    valid port -ENOSYS (the 2-level ABI has none), on an invalid one
 *    -EINVAL.
 *  - init_control: a vCPU that does not exist -ENOENT; an offset past
 *    PAGE_SIZE - sizeof(control block) or not 8-aligned -EINVAL; a frame
 *    that cannot be writable (a page table) or is not the guest's -EINVAL;
 *    a second one for the same vCPU -EINVAL. The frame keeps a writable
 *    type reference: it cannot be pinned as a page table.
 *  - An event on a port with no event word yet is kept, and raised when
 *    expand_array adds its page. Raising links the port at the tail of its
 *    queue (its priority, 7 by default): the head in the control block if
 *    the queue was empty (and the queue's READY bit), else the tail word's
 *    LINK field. A masked port only gets PENDING; EVTCHNOP_unmask clears
 *    MASKED and links it, but leaves a free port alone. Closing clears
 *    PENDING only.
 *  - set_priority: an invalid port -EINVAL, then 2-level -ENOSYS, then a
 *    free port -EACCES, then above 15 -EINVAL; later events use the new
 *    queue.
 *  - expand_array: past 128 pages -ENOSPC (checked before the frame), a
 *    page table's frame -EINVAL.
 *
 * The console's port is moved to the lowest priority (15) right after
 * init_control, so that its events (the console daemon answers our output)
 * never meet the test's ports on queue 7 or 3. vCPU 0's events stay masked
 * throughout: nothing is delivered as an upcall, the test reads the words.
 * The domain is never reset (EVTCHNOP_reset would close the console's port).
 */
#include "tests/guests/lib/test.h"
#include "tests/guests/lib/console.h"

const char test_title[] = "FIFO event channels: init_control, expand_array, priorities, queues";

#define PAGE_SHIFT          GUEST_PAGE_SHIFT
#define PAGE_SIZE           GUEST_PAGE_SIZE

#define PTE_P               0x001UL
#define PTE_RW              0x002UL
#define PTE_A               0x020UL
#define PTE_D               0x040UL
#define KERNEL_RW           (PTE_P | PTE_RW | PTE_A | PTE_D)
#define KERNEL_RO           (PTE_P | PTE_A)

#define W_PENDING           (1U << EVTCHN_FIFO_PENDING)
#define W_MASKED            (1U << EVTCHN_FIFO_MASKED)
#define W_LINKED            (1U << EVTCHN_FIFO_LINKED)

#define MAX_ARRAY_PAGES     128
#define CB_OFFSET           64
#define BAD_GFN             0xfffffffffffUL
#define PORT_INVALID        4000
#define MS                  1000000ULL

static uint8_t shinfo_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static uint8_t cb_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static uint8_t spare_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static event_word_t array[MAX_ARRAY_PAGES + 1][PAGE_SIZE / sizeof(event_word_t)]
    __aligned(PAGE_SIZE);

static volatile shared_info_t *shinfo;
static volatile evtchn_fifo_control_block_t *cb;

static unsigned long mfn_of(const void *va)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;

    return p2m[((unsigned long)va - GUEST_VIRT_BASE) >> PAGE_SHIFT];
}

static uint64_t now_ns(void)
{
    return guest_now_ns(&shinfo->vcpu_info[0]);
}

static void check_eq(const char *name, long got, long expected)
{
    report_case(name, got, expected, NULL);
}

/* ------------------------------------------------------------ calls */

static long evtchn(int cmd, void *arg)
{
    return hypercall_event_channel_op(cmd, arg);
}

static long init_control(unsigned long gfn, unsigned int offset, unsigned int vcpu,
                         uint32_t *link_bits)
{
    struct evtchn_init_control ic = {
        .control_gfn = gfn, .offset = offset, .vcpu = vcpu, .link_bits = 0xad,
    };
    long rc = evtchn(EVTCHNOP_init_control, &ic);

    if ( link_bits )
        *link_bits = ic.link_bits;
    return rc;
}

static long expand(unsigned long gfn)
{
    struct evtchn_expand_array ea = { .array_gfn = gfn };

    return evtchn(EVTCHNOP_expand_array, &ea);
}

static long set_priority(evtchn_port_t port, unsigned int prio)
{
    struct evtchn_set_priority sp = { .port = port, .priority = prio };

    return evtchn(EVTCHNOP_set_priority, &sp);
}

static long unmask(evtchn_port_t port)
{
    struct evtchn_unmask u = { .port = port };

    return evtchn(EVTCHNOP_unmask, &u);
}

static long close_port(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };

    return evtchn(EVTCHNOP_close, &c);
}

static long bind_ipi(evtchn_port_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    long rc = evtchn(EVTCHNOP_bind_ipi, &b);

    *port = b.port;
    return rc;
}

static long poll_one(evtchn_port_t port, uint64_t timeout)
{
    struct sched_poll p = { .nr_ports = 1, .timeout = timeout };

    set_xen_guest_handle(p.ports, &port);
    return hypercall_sched_op(SCHEDOP_poll, &p);
}

static long remap(void *va, unsigned long flags)
{
    return hypercall_update_va_mapping((unsigned long)va,
                                       (mfn_of(va) << PAGE_SHIFT) | flags,
                                       UVMF_INVLPG);
}

static long mmuext(unsigned int cmd, unsigned long mfn)
{
    mmuext_op_t op = { .cmd = cmd, .arg1.mfn = mfn };

    return hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/*
 * Pin the frame behind va as an L1 table (it holds zeros: a valid one),
 * its one mapping read-only meanwhile; unpinned again if it worked.
 */
static long pin_l1(void *va)
{
    long rc = remap(va, KERNEL_RO);

    if ( rc )
        return rc;
    rc = mmuext(MMUEXT_PIN_L1_TABLE, mfn_of(va));
    if ( !rc )
        mmuext(MMUEXT_UNPIN_TABLE, mfn_of(va));
    remap(va, KERNEL_RW);
    return rc;
}

/* ------------------------------------------------------------ words */

static event_word_t *word(evtchn_port_t port)
{
    return &array[port / (PAGE_SIZE / sizeof(event_word_t))]
                 [port % (PAGE_SIZE / sizeof(event_word_t))];
}

static long word_of(evtchn_port_t port)
{
    return __atomic_load_n(word(port), __ATOMIC_SEQ_CST);
}

static void set_word(evtchn_port_t port, event_word_t w)
{
    __atomic_store_n(word(port), w, __ATOMIC_SEQ_CST);
}

static long ready(unsigned int prio)
{
    return (cb->ready >> prio) & 1;
}

/* What the guest's handler does with a queue: take it all, clear the words. */
static void consume(unsigned int prio, const evtchn_port_t *ports, unsigned int nr)
{
    __atomic_fetch_and(&cb->ready, ~(1U << prio), __ATOMIC_SEQ_CST);
    cb->head[prio] = 0;
    for ( unsigned int i = 0; i < nr; i++ )
        set_word(ports[i], 0);
}

/* ------------------------------------------------------------ the cases */

static void test_before(void)
{
    evtchn_port_t con = console_port();

    check_eq("1 expand_array before init_control", expand(mfn_of(array[0])),
             -XEN_EOPNOTSUPP);
    check_eq("1 set_priority, 2-level", set_priority(con, 3), -XEN_ENOSYS);
    check_eq("1 set_priority, 2-level, invalid port", set_priority(PORT_INVALID, 3),
             -XEN_EINVAL);
}

static void test_init_errors(void)
{
    unsigned long gfn = mfn_of(cb_page);
    unsigned long l4 = mfn_of((void *)start_info->pt_base);

    check_eq("2 init_control vCPU 1 (absent)", init_control(gfn, 0, 1, NULL), -XEN_ENOENT);
    check_eq("2 init_control vCPU ~0", init_control(gfn, 0, ~0U, NULL), -XEN_ENOENT);
    check_eq("2 init_control offset past the page",
             init_control(gfn, PAGE_SIZE - sizeof(evtchn_fifo_control_block_t) + 8, 0, NULL),
             -XEN_EINVAL);
    check_eq("2 init_control offset 4 (unaligned)", init_control(gfn, 4, 0, NULL), -XEN_EINVAL);
    check_eq("2 init_control offset ~0", init_control(gfn, ~0U, 0, NULL), -XEN_EINVAL);
    check_eq("2 init_control on the L4 (a page table)", init_control(l4, 0, 0, NULL),
             -XEN_EINVAL);
    check_eq("2 init_control on no frame", init_control(BAD_GFN, 0, 0, NULL), -XEN_EINVAL);
    check_eq("2 still 2-level: expand_array", expand(mfn_of(array[0])), -XEN_EOPNOTSUPP);
}

static void test_init(void)
{
    uint32_t link_bits = 0;

    cb = (volatile evtchn_fifo_control_block_t *)(cb_page + CB_OFFSET);
    check_eq("3 init_control vCPU 0", init_control(mfn_of(cb_page), CB_OFFSET, 0, &link_bits), 0);
    check_eq("3 set_priority console 15", set_priority(console_port(), 15), 0);
    check_eq("3 link_bits", link_bits, EVTCHN_FIFO_LINK_BITS);
    check_eq("3 init_control vCPU 0 again", init_control(mfn_of(spare_page), 0, 0, NULL),
             -XEN_EINVAL);
    check_eq("3 set_priority invalid port", set_priority(PORT_INVALID, 3), -XEN_EINVAL);
    check_eq("3 set_priority 16", set_priority(console_port(), 16), -XEN_EINVAL);
    check_eq("3 a zeroed frame pins as L1 (control)", pin_l1(spare_page), 0);
    check_eq("3 the control block's frame does not", pin_l1(cb_page), -XEN_EINVAL);
}

static void test_queues(void)
{
    evtchn_port_t p1, p2;
    uint64_t t;

    check_eq("4 bind_ipi p1", bind_ipi(&p1), 0);
    check_eq("4 bind_ipi p2", bind_ipi(&p2), 0);
    check_eq("4 send p1, no event page yet", hypercall_evtchn_send(p1), 0);
    check_eq("4 head[7] still empty", cb->head[7], 0);

    check_eq("4 expand_array page 0", expand(mfn_of(array[0])), 0);
    check_eq("4 p1 raised on it: PENDING|LINKED", word_of(p1), W_PENDING | W_LINKED);
    check_eq("4 head[7] = p1", cb->head[7], p1);
    check_eq("4 READY 7", ready(7), 1);
    consume(7, &p1, 1);

    set_word(p1, W_MASKED);
    check_eq("5 send p1, masked", hypercall_evtchn_send(p1), 0);
    check_eq("5 p1 PENDING|MASKED, not linked", word_of(p1), W_PENDING | W_MASKED);
    check_eq("5 head[7] empty", cb->head[7], 0);
    check_eq("5 READY 7 clear", ready(7), 0);
    check_eq("5 poll p1 (pending): at once", poll_one(p1, now_ns() + 10000 * MS), 0);
    check_eq("5 unmask p1", unmask(p1), 0);
    check_eq("5 p1 PENDING|LINKED", word_of(p1), W_PENDING | W_LINKED);
    check_eq("5 head[7] = p1", cb->head[7], p1);
    check_eq("5 READY 7", ready(7), 1);
    check_eq("5 unmask invalid port", unmask(PORT_INVALID), -XEN_EINVAL);
    consume(7, &p1, 1);

    check_eq("6 send p1", hypercall_evtchn_send(p1), 0);
    check_eq("6 send p2", hypercall_evtchn_send(p2), 0);
    check_eq("6 head[7] = p1", cb->head[7], p1);
    check_eq("6 p1 links to p2", word_of(p1), W_PENDING | W_LINKED | p2);
    check_eq("6 p2 PENDING|LINKED", word_of(p2), W_PENDING | W_LINKED);
    check_eq("6 send p1 again: no change", hypercall_evtchn_send(p1), 0);
    check_eq("6 p1 still links to p2", word_of(p1), W_PENDING | W_LINKED | p2);
    consume(7, (evtchn_port_t[]){ p1, p2 }, 2);

    check_eq("7 set_priority p1 3", set_priority(p1, 3), 0);
    check_eq("7 send p1", hypercall_evtchn_send(p1), 0);
    check_eq("7 head[3] = p1", cb->head[3], p1);
    check_eq("7 READY 3", ready(3), 1);
    check_eq("7 head[7] empty", cb->head[7], 0);
    check_eq("7 send p2 (priority 7)", hypercall_evtchn_send(p2), 0);
    check_eq("7 head[7] = p2", cb->head[7], p2);
    check_eq("7 p1 has no link", word_of(p1), W_PENDING | W_LINKED);
    consume(3, &p1, 1);
    consume(7, &p2, 1);

    t = now_ns();
    check_eq("8 poll p2 (not pending), 50 ms", poll_one(p2, t + 50 * MS), 0);
    /*
     * The timeout is L0's clock; the time record read here may lag it a
     * little (under QEMU's TCG, L0 was seen returning "early" by it), so
     * the check is that it waited, not to the microsecond.
     */
    check_eq("8 ... waited the 50 ms (40 at least by our clock)", now_ns() - t >= 40 * MS, 1);

    set_word(p1, W_MASKED);
    check_eq("9 send p1, masked", hypercall_evtchn_send(p1), 0);
    check_eq("9 close p1", close_port(p1), 0);
    check_eq("9 closing cleared PENDING", word_of(p1), W_MASKED);
    check_eq("9 close p2", close_port(p2), 0);
    check_eq("9 set_priority closed p1", set_priority(p1, 3), -XEN_EACCES);
    set_word(p1, W_PENDING | W_MASKED);
    check_eq("9 unmask closed p1", unmask(p1), 0);
    check_eq("9 ... left alone (a free port)", word_of(p1), W_PENDING | W_MASKED);
    set_word(p1, W_MASKED);
    check_eq("9 send on closed p1", hypercall_evtchn_send(p1), -XEN_EINVAL);
}

static void test_virq(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct vcpu_set_singleshot_timer st;
    uint64_t until;
    long rc = evtchn(EVTCHNOP_bind_virq, &b);

    check_eq("10 bind_virq TIMER", rc, 0);
    if ( rc )
        return;
    /* The port number is p1's again: its word still says MASKED (Xen keeps words). */
    set_word(b.port, 0);
    st = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = now_ns() + MS };
    check_eq("10 singleshot in 1 ms",
             hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, &st), 0);
    until = now_ns() + 2000 * MS;
    while ( !(word_of(b.port) & W_PENDING) && now_ns() < until )
        __asm__ volatile ( "pause" ::: "memory" );
    check_eq("10 the timer's port PENDING|LINKED", word_of(b.port), W_PENDING | W_LINKED);
    check_eq("10 head[7] = the timer's port", cb->head[7], b.port);
    check_eq("10 close it", close_port(b.port), 0);
    check_eq("10 closing cleared PENDING", word_of(b.port), W_LINKED);
    consume(7, &b.port, 1);
}

static void test_expand(void)
{
    unsigned long l4 = mfn_of((void *)start_info->pt_base);
    unsigned int added = 1;

    check_eq("11 expand_array with the L4", expand(l4), -XEN_EINVAL);
    check_eq("11 expand_array with no frame", expand(BAD_GFN), -XEN_EINVAL);
    check_eq("11 expand_array page 1", expand(mfn_of(array[1])), 0);
    check_eq("11 page 1's frame does not pin as L1", pin_l1(array[1]), -XEN_EINVAL);
    for ( added = 2; added < MAX_ARRAY_PAGES; added++ )
        if ( expand(mfn_of(array[added])) )
            break;
    check_eq("11 pages added, up to the limit", added, MAX_ARRAY_PAGES);
    check_eq("11 one more page", expand(mfn_of(array[MAX_ARRAY_PAGES])), -XEN_ENOSPC);
    check_eq("11 one more, no frame", expand(BAD_GFN), -XEN_ENOSPC);
}

void test_main(void)
{
    long rc = hypercall_update_va_mapping((unsigned long)shinfo_page,
                                     start_info->shared_info | KERNEL_RW, UVMF_INVLPG);
    if ( rc )
    {
        xtf_error("Error: cannot map shared_info: %ld\n", rc);
        return;
    }
    shinfo = (volatile shared_info_t *)shinfo_page;

    test_before();
    test_init_errors();
    test_init();
    test_queues();
    test_virq();
    test_expand();

    printk("%u checks\n", report_checks);
    xtf_success(NULL);
}
