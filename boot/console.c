/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/console.c - the shim's console backends.
 *
 * - e9:  I/O port 0xe9. L0 Xen prints what an HVM/PVH guest writes there in
 *        its own log as "(dN) ...", line-buffered. Works from the first
 *        instruction and needs nothing else.
 * - pv:  the console ring L0's toolstack set up for the container
 *        (xen/include/public/io/console.h), drained by xenconsoled into
 *        "xl console" and its log. Notified through an L0 event channel.
 * - xen: HYPERVISOR_console_io(CONSOLEIO_write) to L0. A release L0 refuses
 *        it from a domU (-EPERM); the shim then uses port 0xe9, which
 *        reaches the same L0 log.
 */
#include "boot/cmdline.h"
#include "boot/console.h"
#include "x86/l0.h"
#include "x86/cpu.h"
#include "x86/paging.h"
#include "lib/printk.h"

#define E9_PORT 0xe9

/* ---------------------------------------------------------------- e9 */

static void e9_write(const char *s, size_t len)
{
    outsb(E9_PORT, s, len);
}

static const struct console_sink e9_sink = { .name = "e9", .write = e9_write };

/* ---------------------------------------------------------------- pv ring */

static struct xencons_interface *pv_ring;
static evtchn_port_t pv_port;
static bool pv_stalled;

/* Deadline checks by TSC: L0 tells us its frequency (CPUID leaf base+3). */
static uint64_t tsc_after_ms(unsigned int ms)
{
    uint64_t khz = l0_tsc_khz();

    return rdtsc() + khz * ms;
}

/*
 * Wait until xenconsoled has taken at least 'want' bytes of room in the
 * ring, or everything when want is the ring size. Bounded: a toolstack that
 * never reads the ring must not hang the shim; output is dropped instead.
 */
static bool pv_wait_room(size_t want, unsigned int ms)
{
    uint64_t deadline = tsc_after_ms(ms);

    for ( ; ; )
    {
        XENCONS_RING_IDX used = pv_ring->out_prod - READ_ONCE(pv_ring->out_cons);

        if ( used > sizeof(pv_ring->out) )
            return false;       /* the other side broke the ring indexes */
        if ( sizeof(pv_ring->out) - used >= want )
            return true;
        if ( rdtsc() > deadline )
            return false;
        l0_evtchn_send(pv_port);
        l0_sched_op(SCHEDOP_yield, NULL);
    }
}

static void pv_write(const char *s, size_t len)
{
    while ( len && !pv_stalled )
    {
        XENCONS_RING_IDX prod = pv_ring->out_prod;
        size_t room;

        if ( !pv_wait_room(1, 1000) )
        {
            pv_stalled = true;      /* nobody reads the ring: stop trying */
            break;
        }
        room = sizeof(pv_ring->out) - (prod - READ_ONCE(pv_ring->out_cons));
        for ( ; room && len; room--, len-- )
            pv_ring->out[MASK_XENCONS_IDX(prod++, pv_ring->out)] = *s++;
        barrier();                  /* x86: stores are not reordered */
        WRITE_ONCE(pv_ring->out_prod, prod);
        l0_evtchn_send(pv_port);
    }
}

/*
 * Before we tell L0 to shut us down, let xenconsoled read everything: else
 * the end of the log is lost when the domain goes away.
 */
static void pv_flush(void)
{
    if ( !pv_stalled )
        pv_wait_room(sizeof(pv_ring->out), 2000);
}

static unsigned int active;

static const struct console_sink pv_sink = {
    .name = "pv", .write = pv_write, .flush = pv_flush,
};

void console_pv_init(void)
{
    uint64_t pfn, port;

    if ( !IS_ENABLED(CONFIG_CONSOLE_PV) )
        return;
    if ( l0_hvm_get_param(HVM_PARAM_CONSOLE_PFN, &pfn) ||
         l0_hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &port) || !pfn )
    {
        pr_warn("L0 gave no PV console ring: console=pv unavailable\n");
        return;
    }
    /* The direct map covers the low 4 GiB from the start (x86/paging.c). */
    if ( pfn >= (4ULL << (30 - 12)) )
    {
        pr_warn("PV console ring at pfn %#llx is above 4 GiB: not mapped\n",
                (unsigned long long)pfn);
        return;
    }
    pv_ring = __va(pfn << 12);
    pv_port = port;
    printk_add_sink(&pv_sink, true);
}

void console_pv_release(void)
{
    if ( !pv_ring )
        return;
    pr_info("handing L0's PV console ring to the guest%s\n",
            active ? "" : "; the shim's log moves to port 0xe9");
    pv_flush();
    printk_remove_sink(&pv_sink);
    pv_ring = NULL;
    if ( !active && IS_ENABLED(CONFIG_CONSOLE_E9) )
    {
        printk_add_sink(&e9_sink, false);
        active |= CONSOLE_E9;
    }
}

/* ---------------------------------------------------------------- xen */

static void xen_write(const char *s, size_t len)
{
    l0_console_io(CONSOLEIO_write, len, s);
}

static const struct console_sink xen_sink = { .name = "xen", .write = xen_write };

/* ---------------------------------------------------------------- selection */

void console_early_init(void)
{
    if ( IS_ENABLED(CONFIG_CONSOLE_E9) )
    {
        printk_add_sink(&e9_sink, false);
        active |= CONSOLE_E9;
    }
}

unsigned int console_active(void)
{
    return active | (pv_ring ? CONSOLE_PV : 0);
}

void console_select(unsigned int want)
{
    bool e9 = want & CONSOLE_E9;
    long rc = 0;

    if ( (want & CONSOLE_XEN) && IS_ENABLED(CONFIG_CONSOLE_XEN) )
    {
        /* An empty write tells whether L0 lets us use console_io at all. */
        rc = l0_console_io(CONSOLEIO_write, 0, "");
        if ( rc == 0 )
        {
            printk_add_sink(&xen_sink, false);
            active |= CONSOLE_XEN;
        }
        else
            e9 = true;          /* same destination: L0's log */
    }
    else if ( want & CONSOLE_XEN )
        e9 = true;

    if ( !e9 || !IS_ENABLED(CONFIG_CONSOLE_E9) )
    {
        printk_remove_sink(&e9_sink);
        active &= ~CONSOLE_E9;
    }
    if ( !(want & CONSOLE_PV) && pv_ring )
    {
        printk_remove_sink(&pv_sink);
        pv_ring = NULL;
    }

    if ( rc )
        pr_info("console=xen: L0 refuses console_io (%ld), using port 0xe9\n", rc);
    if ( (want & CONSOLE_E9) && !IS_ENABLED(CONFIG_CONSOLE_E9) )
        pr_warn("console=e9: not built in (CONFIG_CONSOLE_E9)\n");
    if ( (want & CONSOLE_PV) && !IS_ENABLED(CONFIG_CONSOLE_PV) )
        pr_warn("console=pv: not built in (CONFIG_CONSOLE_PV)\n");
    if ( (want & CONSOLE_XEN) && !IS_ENABLED(CONFIG_CONSOLE_XEN) )
        pr_warn("console=xen: not built in (CONFIG_CONSOLE_XEN)\n");
}
