/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/spinlock.h - a test-and-set lock that spins on reads and gives its
 * time away while it waits.
 *
 * Not a ticket lock: the shim's CPUs are vCPUs of L0, which may deschedule
 * any of them at any time. With tickets, a waiter L0 has descheduled holds
 * up every waiter behind it even once the lock is free (a convoy); here the
 * first CPU that runs when the lock is free takes it. Waiters call relax
 * (L0's yield, for the domain lock) every 1024 turns, so a holder L0 has
 * descheduled gets its CPU back sooner. The shim runs with interrupts off,
 * so a lock is never taken by an interrupt handler of the CPU that holds
 * it; a holder never waits for a waiter.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include "lib/compiler.h"

typedef struct {
    int locked;
} spinlock_t;

static inline bool spin_trylock(spinlock_t *l)
{
    return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

/* relax (if not NULL) is called every 1024 turns of waiting. */
static inline void spin_lock_relax(spinlock_t *l, void (*relax)(void))
{
    unsigned int n = 0;

    while ( !spin_trylock(l) )
        while ( __atomic_load_n(&l->locked, __ATOMIC_RELAXED) )
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
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
    return __atomic_load_n(&l->locked, __ATOMIC_RELAXED);
}

#endif /* LIB_SPINLOCK_H */
