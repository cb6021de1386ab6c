/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/smp.h - the shim's own CPUs: the container's vCPUs, started and
 * parked through L0, and TLB flushes that reach all of them.
 *
 * CPU n runs the guest's vCPU n and nothing else. Its memory (stacks, GDT
 * page) is taken at boot for every vCPU the container has, before the
 * guest gets the rest; L0 starts it the first time the guest brings vCPU n
 * up (VCPUOP_initialise with a 64-bit HVM context, then VCPUOP_up), and it
 * parks itself at L0 (VCPUOP_down on itself) when the guest takes it down.
 */
#ifndef X86_SMP_H
#define X86_SMP_H

#include "lib/compiler.h"
#include "x86/paging.h"
#include "x86/percpu.h"

/* How many vCPUs L0 gave the container (1 up to CONFIG_MAX_VCPUS). */
unsigned int smp_probe_cpus(void);

/*
 * Boot: CPU cpu's stacks, cpu_info and GDT page, mapped at its block, and
 * its vcpu_info at L0. False when there is no memory or L0 refuses.
 */
bool cpu_prepare(unsigned int cpu);
bool cpu_prepared(unsigned int cpu);

/*
 * Have L0 start CPU cpu, for the first time, in entry(cpu) on its own
 * stack with the shim's page tables, GDT, IDT and MSRs (entry never
 * returns). Returns L0's error, or 0.
 */
long cpu_start(unsigned int cpu, void (*entry)(unsigned int cpu));
bool cpu_started(unsigned int cpu);

/*
 * Unless *up, this CPU stops (L0's VCPUOP_down on itself) until cpu_wake()
 * of it (its waker sets *up first). Never with the domain locked.
 */
void cpu_park(const bool *up);
/*
 * A CPU that was down at L0 when the container was saved: the restore left
 * its container vCPU never initialised, so it is not started any more (the
 * next cpu_start() initialises it afresh).
 */
void cpu_forget(unsigned int cpu);
/* Wake CPU cpu from cpu_park() (waits until it has left it). */
void cpu_wake(unsigned int cpu);

/*
 * Off the guest's page tables while this CPU waits (block, poll, park),
 * so it holds none of its TLB entries; back on cr3 when it runs again.
 */
void cpu_idle_enter(void);
void cpu_idle_exit(paddr_t cr3);

/*
 * TLB flushes. tlb_clock ticks whenever a frame's type count falls to 0
 * (pvops' frame table ticks it and stamps the frame); each CPU notes its
 * value at every CR3 load (cpu_info flush_stamp), and one that waits is on
 * the shim's tables. tlb_flush_stale(since): every CPU that may still hold
 * a TLB entry from before tick since (it has not flushed since, nor
 * waited) is flushed before this returns (a frame changing type).
 * tlb_flush_all(): every CPU running the guest. Both flush this CPU too
 * (if needed); a few others by IPI (x86/smp.c), more through L0
 * (HVMOP_flush_tlbs), which needs nothing from them, as does a CPU that
 * does not answer an IPI in time. tlb_ipi_flushes and tlb_remote_flushes
 * count them.
 */
extern uint64_t tlb_clock;
extern unsigned long tlb_remote_flushes, tlb_stale_flushes, tlb_ipi_flushes, tlb_ipi_fallbacks;
void tlb_flush_stale(uint64_t since);
void tlb_flush_all(void);
/*
 * A flush another CPU asked of this one by IPI, done if there is one: on
 * its kick's interrupt, and while it waits for the domain lock.
 */
void tlb_flush_serve(void);

#endif /* X86_SMP_H */
