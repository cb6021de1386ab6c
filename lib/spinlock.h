/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/spinlock.h - a ticket lock: fair (first come, first served), so no
 * CPU starves behind others, and small (4 bytes). The shim runs with
 * interrupts off, so a lock is never taken by an interrupt handler of the
 * CPU that holds it; a holder never waits for another CPU.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include "lib/compiler.h"

typedef struct {
    uint16_t head;      /* the ticket being served */
    uint16_t tail;      /* the next ticket to hand out */
} spinlock_t;

/*
 * relax (if not NULL) is called every 1024 turns of waiting: a CPU that is
 * itself a vCPU of L0 gives its time to the holder, which L0 may have
 * descheduled.
 */
static inline void spin_lock_relax(spinlock_t *l, void (*relax)(void))
{
    uint16_t me = __atomic_fetch_add(&l->tail, 1, __ATOMIC_RELAXED);
    unsigned int n = 0;

    while ( __atomic_load_n(&l->head, __ATOMIC_ACQUIRE) != me )
    {
        __asm__ volatile ( "pause" ::: "memory" );
        if ( relax && !(++n & 1023) )
            relax();
    }
}

static inline void spin_lock(spinlock_t *l)
{
    spin_lock_relax(l, NULL);
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->head, l->head + 1, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
    return READ_ONCE(l->head) != READ_ONCE(l->tail);
}

#endif /* LIB_SPINLOCK_H */
