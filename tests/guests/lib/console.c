/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/console.c - output on the PV console ring.
 *
 * start_info gives the ring as a machine frame (console.domU.mfn) and an
 * event channel. A PV guest reaches its frames through its own mappings
 * only: the builder maps the whole boot image, console page included, at
 * VIRT_BASE + pfn * 4096 (xen.h "Start-of-day memory layout", points 3f and
 * 5), so we turn the MFN into a PFN with the read-only M2P table Xen maps
 * at MACH2PHYS_VIRT_START, and check the answer against the P2M list the
 * builder gave us (start_info.mfn_list).
 */
#include "tests/guests/lib/console.h"
#include "tests/guests/lib/hypercall.h"
#include "tests/guests/lib/layout.h"

/* How long to wait for room or for the backend, in yields. */
#define CONSOLE_WAIT_YIELDS     200000

static struct xencons_interface *ring;
static evtchn_port_t port;

const char *console_init(const start_info_t *si)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)si->mfn_list;
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    xen_pfn_t mfn = si->console.domU.mfn;
    unsigned long pfn, va;

    if ( si->flags & SIF_INITDOMAIN )
        return "dom0 has no console ring";
    if ( mfn == 0 )
        return "start_info has no console frame";

    pfn = m2p[mfn];
    if ( pfn >= si->nr_pages || p2m[pfn] != mfn )
        return "M2P and P2M disagree on the console frame";

    /* The ring comes before the boot page tables (point 3 of the layout). */
    va = GUEST_VIRT_BASE + (pfn << GUEST_PAGE_SHIFT);
    if ( va >= si->pt_base )
        return "console frame is not in the boot mapping";

    ring = (struct xencons_interface *)va;
    port = si->console.domU.evtchn;
    return NULL;
}

unsigned long console_ring_va(void)
{
    return (unsigned long)ring;
}

evtchn_port_t console_port(void)
{
    return port;
}

/* Data before index: x86 keeps stores in order, the compiler must too. */
static void publish(XENCONS_RING_IDX prod)
{
    barrier();
    WRITE_ONCE(ring->out_prod, prod);
    hypercall_evtchn_send(port);
}

void console_write(const char *s, size_t n)
{
    XENCONS_RING_IDX prod;
    unsigned int waited = 0;

    if ( !ring )
    {
        hypercall_console_io(CONSOLEIO_write, n, s);
        return;
    }

    prod = ring->out_prod;
    while ( n )
    {
        if ( prod - READ_ONCE(ring->out_cons) >= sizeof(ring->out) )
        {
            /* Full: publish what we have, let xenconsoled run, retry. */
            publish(prod);
            if ( waited++ >= CONSOLE_WAIT_YIELDS )
                break;              /* nobody reads: drop the rest */
            hypercall_yield();
            continue;
        }
        ring->out[MASK_XENCONS_IDX(prod, ring->out)] = *s++;
        prod++;
        n--;
    }

    publish(prod);
}

/*
 * Xen's shim (Debian's xen-shim in the lab) reads our ring and writes what
 * it read into L0's: the last bytes may still be there, unread by L0's
 * console daemon, when we power off. About 100 ms of TSC (2.5e8 ticks, a
 * GHz or more) lets it read them.
 */
#define CONSOLE_TAIL_TSC    250000000ULL

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
    return ((uint64_t)hi << 32) | lo;
}

void console_flush(void)
{
    unsigned int i;
    uint64_t start;

    if ( !ring )
        return;

    for ( i = 0; i < CONSOLE_WAIT_YIELDS; i++ )
    {
        if ( READ_ONCE(ring->out_cons) == READ_ONCE(ring->out_prod) )
            break;
        if ( (i & 1023) == 0 )
            hypercall_evtchn_send(port);
        hypercall_yield();
    }
    for ( start = rdtsc(); rdtsc() - start < CONSOLE_TAIL_TSC; )
        hypercall_yield();
}
