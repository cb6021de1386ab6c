/* SPDX-License-Identifier: GPL-2.0-only */
/* x86/smp.c - the shim's own CPUs, and TLB flushes that reach all of them. */
#include "x86/smp.h"
#include "x86/cpu.h"
#include "x86/desc.h"
#include "x86/frames.h"
#include "x86/l0.h"
#include "x86/paging.h"
#include "x86/traps.h"
#include "lib/printk.h"
#include "lib/string.h"

#define MSR_EFER 0xc0000080

uint64_t tlb_clock;
unsigned long tlb_remote_flushes, tlb_stale_flushes, tlb_ipi_flushes, tlb_ipi_fallbacks;
/* tlb_clock when every CPU was last flushed through L0. */
static uint64_t all_flushed;

/*
 * Up to this many other CPUs may be flushed by IPI: each is asked (its
 * flush_req) and kicked through its L0 port, and flushes when it takes the
 * kick or while it waits for the domain lock; more go through L0's
 * HVMOP_flush_tlbs, which flushes every vCPU of ours at once. Which way is
 * cheaper depends on the host (an IPI to a vCPU of ours is two of L0's
 * exits; in the lab, under emulation, as slow as L0's flush): each way's
 * cost is kept as a moving average and the cheaper taken, the other tried
 * again every FLUSH_PROBE flushes. The wait for the answers is bounded
 * (FLUSH_IPI_WAIT_US): a CPU L0 has descheduled is then flushed through L0
 * after all, so the lock holder never waits for another CPU for long,
 * whatever it is doing; one that has not done the last flush asked of it
 * is not asked again, L0 flushes at once. (Only the domain lock's holder
 * flushes others: these are its.)
 */
#define FLUSH_IPI_MAX       8
#define FLUSH_IPI_WAIT_US   500
#define FLUSH_PROBE         32
static uint64_t ipi_cost, l0_cost;      /* TSC cycles, 0: not measured yet */
static unsigned int flush_count;

static void note_cost(uint64_t *avg, uint64_t cost)
{
    *avg = *avg ? *avg - *avg / 8 + cost / 8 : cost;
}

static unsigned long prepared[BITS_TO_LONGS(CONFIG_MAX_VCPUS)];
static unsigned long started[BITS_TO_LONGS(CONFIG_MAX_VCPUS)];
static unsigned int nr_cpus = 1;

static bool test_bit(const unsigned long *map, unsigned int n)
{
    return (READ_ONCE(map[n / BITS_PER_LONG]) >> (n % BITS_PER_LONG)) & 1;
}

static void set_bit(unsigned long *map, unsigned int n)
{
    __atomic_fetch_or(&map[n / BITS_PER_LONG], 1UL << (n % BITS_PER_LONG),
                      __ATOMIC_SEQ_CST);
}

bool cpu_prepared(unsigned int cpu)
{
    return cpu < CONFIG_MAX_VCPUS && test_bit(prepared, cpu);
}

bool cpu_started(unsigned int cpu)
{
    return cpu < CONFIG_MAX_VCPUS && test_bit(started, cpu);
}

/*
 * L0 answers -ENOENT for a vCPU the container does not have, and 0 or 1
 * (is_up) for one it has: the count is the first id it does not have.
 */
unsigned int smp_probe_cpus(void)
{
    unsigned int lo = 1, hi = CONFIG_MAX_VCPUS + 1;     /* lo has, hi has not */

    while ( hi - lo > 1 )
    {
        unsigned int mid = lo + (hi - lo) / 2;

        if ( l0_vcpu_op(VCPUOP_is_up, mid - 1, NULL) >= 0 )
            lo = mid;
        else
            hi = mid;
    }
    nr_cpus = lo;
    return lo;
}

bool cpu_prepare(unsigned int cpu)
{
    unsigned long block = PERCPU_VIRT(cpu);
    struct cpu_info *ci = cpu_info_of(cpu);
    unsigned long gdt;

    if ( cpu == 0 )
    {
        set_bit(prepared, 0);
        set_bit(started, 0);
        return true;
    }
    if ( cpu >= CONFIG_MAX_VCPUS )
        return false;
    for ( unsigned long off = 0; off < PERCPU_STRIDE; off += PAGE_SIZE )
    {
        unsigned long mfn;

        /* The IST pages and the stack; the guard pages between stay unmapped. */
        if ( off >= PERCPU_IST_PAGES * IST_STACK_SIZE && off < CPU_STACK_OFFSET )
            continue;
        if ( !(mfn = frames_alloc()) )
            return false;
        memset(__va((paddr_t)mfn << PAGE_SHIFT), 0, PAGE_SIZE);
        if ( !paging_map(boot_l4, block + off, (paddr_t)mfn << PAGE_SHIFT,
                         _PAGE_PRESENT | _PAGE_RW) )
            return false;
    }
    if ( !(gdt = frames_alloc()) )
        return false;
    memset(__va((paddr_t)gdt << PAGE_SHIFT), 0, PAGE_SIZE);
    ci->id = cpu;
    ci->gdt = __va((paddr_t)gdt << PAGE_SHIFT);
    ci->idle = true;
    if ( !desc_map_gdt(cpu) || !l0_register_vcpu_info(cpu) )
        return false;
    set_bit(prepared, cpu);
    return true;
}

static void (*ap_entry)(unsigned int cpu);

/* Where L0 starts a CPU: on its stack, the shim's tables, nothing else yet. */
static __noreturn void ap_start(unsigned int cpu)
{
    traps_load();
    desc_init_cpu();
    ap_entry(cpu);
    halt_forever();
}

long cpu_start(unsigned int cpu, void (*entry)(unsigned int cpu))
{
    struct vcpu_hvm_context ctx = { .mode = VCPU_HVM_MODE_64B };
    struct vcpu_hvm_x86_64 *r = &ctx.cpu_regs.x86_64;
    long rc;

    if ( !cpu_prepared(cpu) || cpu_started(cpu) )
        return -XEN_EINVAL;
    ap_entry = entry;
    /* As if called: the stack 16-byte aligned above a return address. */
    r->rip = (unsigned long)ap_start;
    r->rsp = (unsigned long)cpu_info_of(cpu) - 8;
    r->rdi = cpu;
    r->rflags = 2;
    r->cr0 = read_cr0();
    r->cr3 = __pa(boot_l4);
    r->cr4 = read_cr4();
    r->efer = rdmsrl(MSR_EFER);
    if ( (rc = l0_vcpu_op(VCPUOP_initialise, cpu, &ctx)) ||
         (rc = l0_vcpu_op(VCPUOP_up, cpu, NULL)) )
        return rc;
    set_bit(started, cpu);
    return 0;
}

void cpu_idle_enter(void)
{
    struct cpu_info *ci = get_cpu_info();

    write_cr3(__pa(boot_l4));
    __atomic_store_n(&ci->idle, true, __ATOMIC_SEQ_CST);
}

void cpu_idle_exit(paddr_t cr3)
{
    /* Not idle first: a flush that missed it finds its stamp older then. */
    __atomic_store_n(&get_cpu_info()->idle, false, __ATOMIC_SEQ_CST);
    write_cr3(cr3);
}

void cpu_park(const bool *up)
{
    struct cpu_info *ci = get_cpu_info();

    /*
     * Parked first, then the last look at *up: a waker stores *up before
     * it reads parked, so either it sees parked (and ups us until we are
     * out) or we see *up (and do not go down).
     */
    __atomic_store_n(&ci->parked, true, __ATOMIC_SEQ_CST);
    if ( !__atomic_load_n(up, __ATOMIC_SEQ_CST) )
        l0_vcpu_op(VCPUOP_down, ci->id, NULL);
    __atomic_store_n(&ci->parked, false, __ATOMIC_SEQ_CST);
}

void cpu_forget(unsigned int cpu)
{
    struct cpu_info *ci = cpu_info_of(cpu);

    __atomic_fetch_and(&started[cpu / BITS_PER_LONG], ~(1UL << (cpu % BITS_PER_LONG)),
                       __ATOMIC_SEQ_CST);
    __atomic_store_n(&ci->parked, false, __ATOMIC_SEQ_CST);
    __atomic_store_n(&ci->idle, true, __ATOMIC_SEQ_CST);
}

void cpu_wake(unsigned int cpu)
{
    struct cpu_info *ci = cpu_info_of(cpu);

    /*
     * An "up" that comes before its "down" is lost (the down wins), so
     * until the CPU has left cpu_park(), up again.
     */
    do {
        long rc = l0_vcpu_op(VCPUOP_up, cpu, NULL);

        if ( rc )
            panic("L0 refused to wake CPU %u (%ld)", cpu, rc);
        cpu_relax();
    } while ( __atomic_load_n(&ci->parked, __ATOMIC_SEQ_CST) );
}

/* ---------------------------------------------------------------- TLB flushes */

void tlb_flush_serve(void)
{
    struct cpu_info *ci = get_cpu_info();
    uint64_t req = __atomic_load_n(&ci->flush_req, __ATOMIC_ACQUIRE);

    if ( req != ci->flush_done )
    {
        write_cr3(read_cr3_raw());
        __atomic_store_n(&ci->flush_done, req, __ATOMIC_RELEASE);
    }
}

/* Whether cpu has done flush request req, or holds no guest entry now. */
static bool ipi_done(unsigned int cpu, uint64_t req)
{
    const struct cpu_info *ci = cpu_info_of(cpu);

    return __atomic_load_n(&ci->flush_done, __ATOMIC_ACQUIRE) >= req ||
           __atomic_load_n(&ci->idle, __ATOMIC_SEQ_CST);
}

static bool flush_by_ipi(const unsigned int *cpus, unsigned int nr)
{
    uint64_t req[FLUSH_IPI_MAX];
    uint64_t t0 = rdtsc(), wait = (uint64_t)(l0.tsc_khz ?: 1000000) * FLUSH_IPI_WAIT_US / 1000;
    unsigned int left = nr;

    for ( unsigned int i = 0; i < nr; i++ )
    {
        struct cpu_info *ci = cpu_info_of(cpus[i]);

        req[i] = __atomic_add_fetch(&ci->flush_req, 1, __ATOMIC_SEQ_CST);
        l0_evtchn_send(ci->l0_kick_port);
    }
    while ( left )
    {
        left = 0;
        for ( unsigned int i = 0; i < nr; i++ )
            left += !ipi_done(cpus[i], req[i]);
        if ( left && rdtsc() - t0 > wait )
            return false;
        cpu_relax();
    }
    return true;
}

/*
 * The other running CPUs that may hold an entry from before tick need
 * (every one if need is 0) flushed: by IPI if they are few, else (or if
 * one does not answer in time) through L0, which flushes this CPU too:
 * true then.
 */
static bool flush_others(uint64_t need, uint64_t now)
{
    unsigned int cpus[FLUSH_IPI_MAX], nr = 0;
    bool many = false;

    for ( unsigned int cpu = 0; cpu < nr_cpus; cpu++ )
    {
        const struct cpu_info *ci = cpu_info_of(cpu);

        if ( cpu == get_cpu_info()->id || !cpu_started(cpu) ||
             __atomic_load_n(&ci->idle, __ATOMIC_SEQ_CST) )
            continue;
        if ( need && ((int64_t)(READ_ONCE(ci->flush_stamp) - need) >= 0 ||
                      (int64_t)(all_flushed - need) >= 0) )
            continue;
        /* Too many, or one that has not done the last one asked: through L0. */
        if ( nr == FLUSH_IPI_MAX ||
             __atomic_load_n(&ci->flush_done, __ATOMIC_ACQUIRE) !=
             __atomic_load_n(&ci->flush_req, __ATOMIC_ACQUIRE) )
        {
            many = true;
            break;
        }
        cpus[nr++] = cpu;
    }
    if ( !nr )
        return false;
    if ( need )
        tlb_stale_flushes++;

    uint64_t t0 = rdtsc();
    /* The cheaper way (one not measured yet counts as free), or now and then the other. */
    bool ipi = !many && ((ipi_cost <= l0_cost) != !(++flush_count % FLUSH_PROBE));

    if ( ipi && flush_by_ipi(cpus, nr) )
    {
        note_cost(&ipi_cost, rdtsc() - t0);
        tlb_ipi_flushes++;
        return false;
    }
    if ( ipi )
        tlb_ipi_fallbacks++;

    long rc = l0_hvm_op(HVMOP_flush_tlbs, NULL);

    /* Never carry on with another CPU's stale entry: stop instead. */
    if ( rc )
        panic("L0 refused to flush the TLBs of every vCPU (%ld)", rc);
    /* A fallback costs the IPI way its wait and L0's flush. */
    note_cost(ipi ? &ipi_cost : &l0_cost, rdtsc() - t0);
    tlb_remote_flushes++;
    if ( (int64_t)(now - all_flushed) > 0 )
        all_flushed = now;
    get_cpu_info()->flush_stamp = now;
    return true;
}

void tlb_flush_all(void)
{
    uint64_t now;

    /* The entries just changed are visible before any CPU's idle flag is read. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    now = __atomic_load_n(&tlb_clock, __ATOMIC_SEQ_CST);
    if ( !flush_others(0, now) )
        write_cr3(read_cr3_raw());
}

void tlb_flush_stale(uint64_t need)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if ( flush_others(need, __atomic_load_n(&tlb_clock, __ATOMIC_SEQ_CST)) )
        return;
    if ( (int64_t)(get_cpu_info()->flush_stamp - need) < 0 )
        write_cr3(read_cr3_raw());
}
