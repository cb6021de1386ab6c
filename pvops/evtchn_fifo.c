/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/evtchn_fifo.c - the guest's FIFO event channels (Xen's
 * common/event_fifo.c): EVTCHNOP_init_control, expand_array and
 * set_priority, and raising, unmasking and clearing events once the guest
 * has switched to them.
 *
 * Only the guest's view is FIFO: the container's ports stay 2-level at L0
 * (pvops/evtchn.c takes L0's events and routes each port here). The
 * guest's event words and control blocks are guest frames, each holding a
 * PGT_writable type reference for as long as it is registered (until
 * EVTCHNOP_reset goes back to 2-level), so none can become a page table or
 * a descriptor page under the shim's writes. The shim keeps each queue's
 * tail itself and never follows a link the guest wrote; the LINKED/BUSY
 * protocol on a word is Xen's, with its bound on the retries, so a guest
 * that changes words under the shim loses events, never the shim's time.
 *
 * Everything here runs under evtchn_lock (pvops/evtchn.h): one lock, not
 * Xen's lock per queue, for the same reason as the domain lock; events are
 * raised for an instant under it and the vCPU is kicked after.
 */
#include "pvops/evtchn.h"
#include "pvops/mm.h"
#include "pvops/pagetype.h"
#include "lib/printk.h"
#include "lib/string.h"

#define WORDS_PER_PAGE      (PAGE_SIZE / sizeof(event_word_t))
#define MAX_ARRAY_PAGES     (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)

static struct {
    bool on;                        /* the guest switched (init_control) */
    unsigned int nr_words;          /* event words in the array pages */
    unsigned long array_mfn[MAX_ARRAY_PAGES];
    uint8_t prio[NR_GUEST_PORTS];   /* each port's queue (priority) */
    /* The queue a port was last linked on (Xen's fifo_lastq). */
    uint8_t last_vcpu[NR_GUEST_PORTS], last_prio[NR_GUEST_PORTS];
    /* Raised while its array page was missing (Xen's evtchn->pending). */
    xen_ulong_t held[NR_GUEST_PORTS / 64];
} fifo;

bool evtchn_fifo_on(void)
{
    return fifo.on;
}

static bool bit_test_and_set(event_word_t *w, unsigned int bit)
{
    return __atomic_fetch_or(w, 1u << bit, __ATOMIC_SEQ_CST) & (1u << bit);
}

static void bit_clear(event_word_t *w, unsigned int bit)
{
    __atomic_fetch_and(w, ~(1u << bit), __ATOMIC_SEQ_CST);
}

static bool bit_test(const event_word_t *w, unsigned int bit)
{
    return (__atomic_load_n(w, __ATOMIC_SEQ_CST) >> bit) & 1;
}

static event_word_t *word_of(evtchn_port_t port)
{
    if ( port >= fifo.nr_words )
        return NULL;
    return (event_word_t *)frames.map(fifo.array_mfn[port / WORDS_PER_PAGE]) +
           port % WORDS_PER_PAGE;
}

/*
 * The frame a guest names for a control block or event words: its RAM
 * (not L0's rings, nor the shim's shared_info), writable, kept so. Xen's
 * map_guest_page: -EINVAL for anything else.
 */
static long take_frame(uint64_t gfn)
{
    if ( gfn >= (1UL << 52) || frame_owner(gfn) != FRAME_guest ||
         get_page_and_type(&frames, gfn, PGT_writable) )
        return -XEN_EINVAL;
    mm_flush_if_needed();           /* it may have been a table */
    return 0;
}

/* ---------------------------------------------------------------- raising events */

/* Xen's try_set_link: 1 linked, 0 the tail is no longer LINKED, -1 it changed. */
static int try_set_link(event_word_t *word, event_word_t *w, evtchn_port_t link)
{
    event_word_t old = *w, new;

    if ( !(old & (1u << EVTCHN_FIFO_LINKED)) )
        return 0;
    new = (old & ~((1u << EVTCHN_FIFO_BUSY) | EVTCHN_FIFO_LINK_MASK)) | link;
    if ( __atomic_compare_exchange_n(word, w, new, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST) )
        return 1;
    return -1;
}

/*
 * Link the tail word to port if it is still LINKED (Xen's
 * evtchn_fifo_set_link). BUSY keeps the guest from unmasking it meanwhile;
 * a guest that changes it anyway has four tries' worth of patience.
 */
static bool set_link(event_word_t *word, evtchn_port_t port)
{
    event_word_t w = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    int rc = try_set_link(word, &w, port);

    if ( rc >= 0 )
        return rc;
    bit_test_and_set(word, EVTCHN_FIFO_BUSY);
    w = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    for ( unsigned int try = 0; try < 4; try++ )
        if ( (rc = try_set_link(word, &w, port)) >= 0 )
        {
            if ( rc == 0 )
                bit_clear(word, EVTCHN_FIFO_BUSY);
            return rc;
        }
    bit_clear(word, EVTCHN_FIFO_BUSY);
    return true;
}

/*
 * Xen's evtchn_fifo_set_pending for port on v's queue of the port's
 * priority. *mark: v's upcall is to be raised (its queue was empty);
 * returns whether the port became pending (pollers to wake).
 */
bool evtchn_fifo_set_pending(struct vcpu *v, evtchn_port_t port, bool *mark)
{
    event_word_t *word = word_of(port);
    unsigned int prio = fifo.prio[port];
    struct vcpu *old_v = dom.vcpu[fifo.last_vcpu[port]];
    bool newly, linked = true;

    *mark = false;
    if ( !word )
    {
        /* No word for it yet: raised when its page comes. */
        fifo.held[port / 64] |= 1UL << (port % 64);
        return false;
    }
    /* No control block: the guest cannot have unmasked it; dropped, as on Xen. */
    if ( !v->fifo_cb )
        return false;

    newly = !bit_test_and_set(word, EVTCHN_FIFO_PENDING);
    if ( !bit_test(word, EVTCHN_FIFO_MASKED) &&
         !bit_test_and_set(word, EVTCHN_FIFO_LINKED) )
    {
        /* Its old queue, if it was that one's tail, is empty now. */
        if ( old_v->fifo_tail[fifo.last_prio[port]] == port )
            old_v->fifo_tail[fifo.last_prio[port]] = 0;
        fifo.last_vcpu[port] = v->id;
        fifo.last_prio[port] = prio;

        /* Behind the tail if that is still linked, else the queue's head. */
        linked = false;
        if ( v->fifo_tail[prio] && word_of(v->fifo_tail[prio]) )
            linked = set_link(word_of(v->fifo_tail[prio]), port);
        if ( !linked )
            __atomic_store_n(&v->fifo_cb->head[prio], port, __ATOMIC_SEQ_CST);
        v->fifo_tail[prio] = port;
    }
    if ( !linked && !bit_test_and_set(&v->fifo_cb->ready, prio) )
        *mark = true;
    return newly;
}

/* Xen's evtchn_fifo_unmask: the MASKED bit off, the port linked if pending. */
void evtchn_fifo_unmask(struct vcpu *v, evtchn_port_t port, bool *mark)
{
    event_word_t *word = word_of(port);

    *mark = false;
    if ( !word )
        return;
    bit_clear(word, EVTCHN_FIFO_MASKED);
    if ( bit_test(word, EVTCHN_FIFO_PENDING) )
        evtchn_fifo_set_pending(v, port, mark);
}

/* Xen's evtchn_fifo_clear_pending: the guest unlinks it when it finds it. */
void evtchn_fifo_clear_pending(evtchn_port_t port)
{
    event_word_t *word = word_of(port);

    fifo.held[port / 64] &= ~(1UL << (port % 64));
    if ( word )
        bit_clear(word, EVTCHN_FIFO_PENDING);
}

bool evtchn_fifo_is_pending(evtchn_port_t port)
{
    const event_word_t *word = word_of(port);

    return word && bit_test(word, EVTCHN_FIFO_PENDING);
}

/* A port just bound starts on the default queue (Xen's evtchn_fifo_init). */
void evtchn_fifo_port_init(evtchn_port_t port)
{
    fifo.prio[port] = EVTCHN_FIFO_PRIORITY_DEFAULT;
}

/* ---------------------------------------------------------------- the guest's calls */

/*
 * EVTCHNOP_init_control (Xen's evtchn_fifo_init_control): v's control
 * block; the first one switches the guest to FIFO, carrying over what was
 * pending in the 2-level bits (raised as each port's page is added).
 */
long evtchn_fifo_init_control(struct evtchn_init_control *ic)
{
    struct vcpu *v;
    long rc;

    ic->link_bits = EVTCHN_FIFO_LINK_BITS;
    if ( !(v = domain_vcpu(ic->vcpu)) )
        return -XEN_ENOENT;
    if ( ic->offset > PAGE_SIZE - sizeof(evtchn_fifo_control_block_t) ||
         (ic->offset & 7) )
        return -XEN_EINVAL;
    if ( v->fifo_cb )
        return -XEN_EINVAL;
    if ( (rc = take_frame(ic->control_gfn)) )
        return rc;

    evtchn_lock_take();
    memset(v->fifo_tail, 0, sizeof(v->fifo_tail));
    v->fifo_cb_mfn = ic->control_gfn;
    v->fifo_cb = (void *)((uint8_t *)frames.map(ic->control_gfn) + ic->offset);
    if ( !fifo.on )
    {
        const shared_info_t *s = dom.shared_info;

        /* A 32-bit guest's 2-level bits are its first 1024 (pvops/evtchn.c). */
        for ( unsigned int w = 0; w < NR_GUEST_PORTS / 64; w++ )
            fifo.held[w] = is_pv32() && w >= 16 ? 0 : READ_ONCE(s->evtchn_pending[w]);
        fifo.held[0] &= ~1UL;                   /* port 0 is never an event */
        memset(fifo.prio, EVTCHN_FIFO_PRIORITY_DEFAULT, sizeof(fifo.prio));
        memset(fifo.last_vcpu, 0, sizeof(fifo.last_vcpu));
        memset(fifo.last_prio, 0, sizeof(fifo.last_prio));
        fifo.nr_words = 0;
        fifo.on = true;
        spin_unlock(&evtchn_lock);
        printk("d%u: the guest uses FIFO event channels\n", dom.domid);
        return 0;
    }
    spin_unlock(&evtchn_lock);
    return 0;
}

/*
 * EVTCHNOP_expand_array (Xen's add_page_to_event_array): one more page of
 * event words, and the events held back for its ports raised.
 */
long evtchn_fifo_expand_array(const struct evtchn_expand_array *ea)
{
    xen_ulong_t held[WORDS_PER_PAGE / 64];
    unsigned int first = fifo.nr_words;
    long rc;

    if ( !fifo.on )
        return -XEN_EOPNOTSUPP;
    if ( first / WORDS_PER_PAGE >= MAX_ARRAY_PAGES )
        return -XEN_ENOSPC;
    if ( (rc = take_frame(ea->array_gfn)) )
        return rc;

    /* The held events are raised once the lock is let go (each kicks). */
    evtchn_lock_take();
    fifo.array_mfn[first / WORDS_PER_PAGE] = ea->array_gfn;
    fifo.nr_words = first + WORDS_PER_PAGE;
    for ( unsigned int w = 0; w < WORDS_PER_PAGE / 64; w++ )
    {
        held[w] = first + w * 64 < NR_GUEST_PORTS ? fifo.held[first / 64 + w] : 0;
        if ( held[w] )
            fifo.held[first / 64 + w] = 0;
    }
    spin_unlock(&evtchn_lock);
    for ( unsigned int w = 0; w < WORDS_PER_PAGE / 64; w++ )
        for ( unsigned int b = 0; b < 64; b++ )
            if ( held[w] & (1UL << b) )
                evtchn_set_pending(first + w * 64 + b);
    return 0;
}

/* EVTCHNOP_set_priority on a valid port: -ENOSYS under the 2-level ABI. */
long evtchn_fifo_set_priority(evtchn_port_t port, unsigned int prio)
{
    if ( !fifo.on )
        return -XEN_ENOSYS;
    if ( prio > EVTCHN_FIFO_PRIORITY_MIN )
        return -XEN_EINVAL;
    /* Later events only: one already linked stays on its queue. */
    if ( port < NR_GUEST_PORTS )
        WRITE_ONCE(fifo.prio[port], prio);
    return 0;
}

/*
 * EVTCHNOP_reset closed every port: their events are cleared, the guest
 * is back on the 2-level ABI (Xen's evtchn_fifo_destroy) and its frames
 * are its own again.
 */
void evtchn_fifo_destroy(void)
{
    evtchn_lock_take();
    if ( fifo.on )
    {
        for ( evtchn_port_t port = 1; port < NR_GUEST_PORTS; port++ )
            evtchn_fifo_clear_pending(port);
        for ( unsigned int i = 0; i < fifo.nr_words / WORDS_PER_PAGE; i++ )
            put_page_and_type(&frames, fifo.array_mfn[i]);
        for ( unsigned int i = 0; i < dom.nr_vcpus; i++ )
        {
            struct vcpu *v = dom.vcpu[i];

            if ( v->fifo_cb )
                put_page_and_type(&frames, v->fifo_cb_mfn);
            v->fifo_cb = NULL;
            memset(v->fifo_tail, 0, sizeof(v->fifo_tail));
        }
        fifo.nr_words = 0;
        fifo.on = false;
    }
    spin_unlock(&evtchn_lock);
}
