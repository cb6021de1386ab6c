/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/desc.c - the GDT, TSS and SYSCALL MSRs of a CPU.
 *
 * Hypervisor GDT page (entries from 0xe000, as Xen's boot_gdt): e008 64-bit
 * code DPL0, e010 data DPL0, e023 32-bit code DPL3, e02b data DPL3, e033
 * 64-bit code DPL3, e040 TSS. The DPL3 order is what SYSRET needs: STAR
 * gives e023, and SYSRET to 64-bit uses e023+16 = e033 and SS e023+8 = e02b.
 */
#include "x86/cpu.h"
#include "x86/desc.h"
#include "x86/frames.h"
#include "x86/percpu.h"
#include "x86/traps.h"
#include "x86/uaccess.h"
#include "lib/printk.h"
#include "lib/xen.h"

#define MSR_EFER     0xc0000080
#define MSR_STAR     0xc0000081
#define MSR_LSTAR    0xc0000082
#define MSR_CSTAR    0xc0000083
#define MSR_SFMASK   0xc0000084
#define EFER_SCE     (1UL << 0)

/* RFLAGS bits SYSCALL clears, as Xen's XEN_SYSCALL_MASK: AC VM RF NT DF IF TF. */
#define SYSCALL_MASK (X86_EFLAGS_AC | X86_EFLAGS_VM | X86_EFLAGS_RF | X86_EFLAGS_NT | \
                      X86_EFLAGS_DF | X86_EFLAGS_IF | X86_EFLAGS_TF)

BUILD_BUG_ON(sizeof(struct tss64) != 104);
BUILD_BUG_ON(sizeof(struct cpu_info) % 16);
BUILD_BUG_ON(NR_IST != PERCPU_IST_PAGES);     /* x86/traps.h: one IST page each */

extern void entry_sysenter(void);
/* Two 32-byte SYSCALL stubs per CPU, LSTAR's then CSTAR's (x86/entry.S). */
extern const char syscall_stubs[];
#define SYSCALL_STUB(cpu, cstar) ((uint64_t)syscall_stubs + (cpu) * 64 + (cstar) * 32)

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

/*
 * SYSENTER works in long mode on Intel (and the VIA/Zhaoxin CPUs), not on
 * AMD or Hygon, which raise #UD: where it works, into entry_sysenter (as Xen
 * sets it up for PV guests).
 */
static bool sysenter_in_long_mode(void)
{
    return !cpu_is_amd_like() && (cpuid(1).edx & (1u << 11));  /* SEP */
}

/* CPU 0's hypervisor GDT page; other CPUs' come from x86/smp.c cpu_prepare(). */
static uint64_t cpu0_gdt_page[512] __aligned(PAGE_SIZE) __section(".bss.page_aligned");

static uint64_t *gdte(uint64_t *gdt, unsigned int sel)
{
    return &gdt[(sel >> 3) - FIRST_RESERVED_GDT_ENTRY];
}

void desc_set_ldt(unsigned int cpu, unsigned long base, unsigned int limit)
{
    struct cpu_info *ci = get_cpu_info();

    BUG_ON(cpu != ci->id);
    /* A 16-byte system descriptor: type 2 (LDT), present, DPL 0. */
    gdte(ci->gdt, SEL_LDT)[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                                (0x82ULL << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
                                (((base >> 24) & 0xff) << 56);
    gdte(ci->gdt, SEL_LDT)[1] = base >> 32;
}

bool desc_map_gdt(unsigned int cpu)
{
    const struct cpu_info *ci = cpu_info_of(cpu);

    return paging_map(boot_l4, GDT_VIRT(cpu) + FIRST_RESERVED_GDT_PAGE * PAGE_SIZE,
                      __pa(ci->gdt), _PAGE_PRESENT | _PAGE_RW);
}

/*
 * The guest's flat selectors in the hypervisor's GDT page: a 64-bit
 * guest's (above), or a 32-bit guest's as Xen's compat_gdt_table has them,
 * e019 ring-1 code and e021 ring-1 data for its kernel, e02b ring-3 code
 * and e033 ring-3 data for its processes, all 32-bit, 4 GiB, in place of
 * the 64-bit ones (no selector of the GDT page gives a 32-bit guest
 * 64-bit code). Set before any CPU but 0 starts, and on CPU 0 at once.
 */
static bool gdt_compat;

/* The least RPL the guest runs at (x86/entry.S return_to_guest). */
uint8_t guest_rpl __hot_data = 3;
unsigned long guest_compat_limit __hot_data;        /* x86/uaccess.h */

static void desc_guest_selectors(uint64_t *gdt)
{
    if ( gdt_compat )
    {
        *gdte(gdt, 0xe018)  = 0x00cfbb000000ffffULL;    /* e019 */
        *gdte(gdt, 0xe020)  = 0x00cfb3000000ffffULL;    /* e021 */
        *gdte(gdt, 0xe028)  = 0x00cffb000000ffffULL;    /* e02b */
        *gdte(gdt, 0xe030)  = 0x00cff3000000ffffULL;    /* e033 */
        return;
    }
    *gdte(gdt, FLAT_RING3_CS32)   = 0x00cffb000000ffffULL;
    *gdte(gdt, FLAT_RING3_DS32)   = 0x00cff3000000ffffULL;
    *gdte(gdt, FLAT_RING3_CS64)   = 0x00affb000000ffffULL;
}

void desc_set_compat(bool compat)
{
    struct cpu_info *ci = get_cpu_info();

    BUG_ON(ci->id != 0);
    gdt_compat = compat;
    guest_rpl = compat ? 1 : 3;
    guest_compat_limit = compat ? 0xF5800000UL : 0;
    if ( compat )
        traps_set_hypercall_gate();
    *gdte(ci->gdt, 0xe018) = 0;
    desc_guest_selectors(ci->gdt);
}

void desc_init_cpu(void)
{
    struct cpu_info *ci = get_cpu_info();
    unsigned int cpu = ci->id;
    unsigned long gdt = GDT_VIRT(cpu), block = PERCPU_VIRT(cpu);
    uint64_t base = (uint64_t)&ci->tss, limit = sizeof(ci->tss) - 1;
    struct __packed { uint16_t limit; uint64_t base; } gdtr = { 0xffff, gdt };

    /* CPU 0's is the image's; the others' were taken at boot (x86/smp.c). */
    if ( cpu == 0 )
        ci->gdt = cpu0_gdt_page;
    BUG_ON(!ci->gdt);
    *gdte(ci->gdt, SEL_HYPERVISOR_CS) = 0x00af9b000000ffffULL;
    *gdte(ci->gdt, SEL_HYPERVISOR_DS) = 0x00cf93000000ffffULL;
    desc_guest_selectors(ci->gdt);
    gdte(ci->gdt, SEL_TSS)[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                                (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
                                (((base >> 24) & 0xff) << 56);
    gdte(ci->gdt, SEL_TSS)[1] = base >> 32;

    /* Entries from the guest: on this CPU's stack, right below its cpu_info. */
    ci->tss.rsp[0] = (uint64_t)ci;
    for ( unsigned int i = 1; i <= PERCPU_IST_PAGES; i++ )
        ci->tss.ist[i] = block + i * IST_STACK_SIZE;
    ci->tss.iomap_base = sizeof(ci->tss);       /* no I/O bitmap */

    /*
     * The hypervisor page of the GDT window (pages 0-13 are the guest's):
     * CPU 0 maps its own; another CPU's was mapped when it was prepared,
     * on CPU 0 (desc_map_gdt), as nothing may allocate while it starts.
     */
    if ( cpu == 0 && !desc_map_gdt(0) )
        panic("no memory for the GDT window");

    __asm__ volatile ( "lgdt %0\n\t"
                       "pushq %1\n\t"
                       "leaq 1f(%%rip), %%rax\n\t"
                       "pushq %%rax\n\t"
                       "lretq\n"
                       "1: mov %2, %%ss\n\t"
                       "xor %%eax, %%eax\n\t"
                       "mov %%eax, %%ds\n\t"
                       "mov %%eax, %%es\n\t"
                       "ltr %w3"
                       :: "m" (gdtr), "i" (SEL_HYPERVISOR_CS),
                          "r" (SEL_HYPERVISOR_DS), "r" (SEL_TSS)
                       : "rax", "memory" );
    traps_set_selector(SEL_HYPERVISOR_CS);

    wrmsrl(MSR_STAR, ((uint64_t)FLAT_RING3_CS32 << 48) |
                    ((uint64_t)SEL_HYPERVISOR_CS << 32));
    wrmsrl(MSR_LSTAR, SYSCALL_STUB(cpu, 0));
    wrmsrl(MSR_CSTAR, SYSCALL_STUB(cpu, 1));
    wrmsrl(MSR_SFMASK, SYSCALL_MASK);
    if ( sysenter_in_long_mode() )
    {
        wrmsrl(MSR_SYSENTER_CS, SEL_HYPERVISOR_CS);
        wrmsrl(MSR_SYSENTER_ESP, (uint64_t)ci);
        wrmsrl(MSR_SYSENTER_EIP, (uint64_t)entry_sysenter);
    }
    wrmsrl(MSR_EFER, rdmsrl(MSR_EFER) | EFER_SCE);
}
