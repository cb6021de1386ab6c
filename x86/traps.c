/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/traps.c - the shim's IDT, GDT/TSS and exception handling.
 *
 * A fault in the shim is a shim bug or a broken environment: print the
 * vector, error code and registers, then panic (which reports a crash to
 * L0). #DF, NMI and #MC run on their own IST stacks so that even a blown
 * stack is reported. Faults caused by a PV guest will be routed to pvops/
 * once there is a guest.
 */
#include "x86/cpu.h"
#include "x86/layout.h"
#include "x86/traps.h"
#include "lib/printk.h"
#include "lib/string.h"

/* 64-bit IDT gate and TSS (Intel SDM vol. 3, 6.14.1 and 8.7). */
struct idt_gate {
    uint16_t offset0;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset1;
    uint32_t offset2;
    uint32_t reserved;
};

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t ist[8];        /* ist[0] is reserved */
    uint64_t reserved1;
    uint16_t reserved2;
    uint16_t iomap_base;
} __packed;

BUILD_BUG_ON(sizeof(struct idt_gate) != 16);
BUILD_BUG_ON(sizeof(struct tss64) != 104);

#define SEL_CODE    0x08
#define SEL_DATA    0x10
#define SEL_TSS     0x18

enum { IST_NONE, IST_DF, IST_NMI, IST_MC, NR_IST };

static struct idt_gate idt[256] __aligned(16);
static struct tss64 tss __aligned(16);
static uint64_t gdt[5] __aligned(16) = {
    [SEL_CODE / 8] = 0x00af9b000000ffffULL,     /* 64-bit code, DPL0 */
    [SEL_DATA / 8] = 0x00cf93000000ffffULL,     /* data, DPL0 */
    /* SEL_TSS: filled in by traps_init() (a 16-byte system descriptor) */
};
static uint8_t ist_stacks[NR_IST - 1][IST_STACK_SIZE] __aligned(16);

extern const char exception_stubs_start[], entry_unexpected[];

static const char *const vector_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "vector 15", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualisation",
    "#CP control protection", "vector 22", "vector 23", "vector 24",
    "vector 25", "vector 26", "vector 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "vector 31",
};

static void set_gate(unsigned int vec, const void *handler, unsigned int ist)
{
    uint64_t a = (uint64_t)handler;

    idt[vec] = (struct idt_gate){
        .offset0 = a & 0xffff,
        .selector = SEL_CODE,
        .ist = ist,
        .type_attr = 0x8e,      /* present, DPL0, 64-bit interrupt gate */
        .offset1 = (a >> 16) & 0xffff,
        .offset2 = a >> 32,
    };
}

void traps_init(void)
{
    uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
    struct __packed { uint16_t limit; uint64_t base; } gdtr, idtr;

    for ( unsigned int i = IST_DF; i < NR_IST; i++ )
        tss.ist[i] = (uint64_t)ist_stacks[i - 1] + IST_STACK_SIZE;
    tss.iomap_base = sizeof(tss);           /* no I/O bitmap */

    /* Available 64-bit TSS descriptor, type 9, present. */
    gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                       (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
                       (((base >> 24) & 0xff) << 56);
    gdt[SEL_TSS / 8 + 1] = base >> 32;

    for ( unsigned int v = 0; v < ARRAY_SIZE(idt); v++ )
        set_gate(v, entry_unexpected, IST_NONE);
    for ( unsigned int v = 0; v < 32; v++ )
        set_gate(v, exception_stubs_start + 16 * v,
                 v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC
                                                     : IST_NONE);

    gdtr.limit = sizeof(gdt) - 1;
    gdtr.base = (uint64_t)gdt;
    idtr.limit = sizeof(idt) - 1;
    idtr.base = (uint64_t)idt;
    __asm__ volatile ( "lgdt %0\n\t"
                       "ltr %w1\n\t"
                       "lidt %2"
                       :: "m" (gdtr), "r" (SEL_TSS), "m" (idtr) : "memory" );
}

void show_registers(const struct cpu_regs *r)
{
    pr_err("RIP: %04lx:%016lx  RFLAGS: %016lx\n", r->cs, r->rip, r->rflags);
    pr_err("RSP: %04lx:%016lx\n", r->ss, r->rsp);
    pr_err("RAX: %016lx RBX: %016lx RCX: %016lx\n", r->rax, r->rbx, r->rcx);
    pr_err("RDX: %016lx RSI: %016lx RDI: %016lx\n", r->rdx, r->rsi, r->rdi);
    pr_err("RBP: %016lx R8:  %016lx R9:  %016lx\n", r->rbp, r->r8, r->r9);
    pr_err("R10: %016lx R11: %016lx R12: %016lx\n", r->r10, r->r11, r->r12);
    pr_err("R13: %016lx R14: %016lx R15: %016lx\n", r->r13, r->r14, r->r15);
    pr_err("CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx\n",
           read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

void trap_handler(struct cpu_regs *regs)
{
    static unsigned int depth;
    const char *name = regs->vector < 32 ? vector_names[regs->vector]
                                         : "unexpected interrupt";

    /* A fault while reporting a fault: do not recurse, just stop. */
    if ( depth++ )
        halt_forever();

    pr_err("Exception in the shim: %s (vector %lu), error code %#lx\n",
           name, regs->vector, regs->error_code);
    show_registers(regs);
    panic("%s at %#lx", name, regs->rip);
}
