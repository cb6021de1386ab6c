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
#include "x86/desc.h"
#include "x86/layout.h"
#include "x86/traps.h"
#include "lib/printk.h"
#include "lib/string.h"

/* 64-bit IDT gate (Intel SDM vol. 3, 6.14.1). */
struct idt_gate {
    uint16_t offset0;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset1;
    uint32_t offset2;
    uint32_t reserved;
};
BUILD_BUG_ON(sizeof(struct idt_gate) != 16);

#define BOOT_SEL_CODE 0x08      /* boot/head.S's GDT */


static struct idt_gate idt[256] __aligned(16);
static void (*guest_trap)(struct cpu_regs *regs);
static void (*nmi_hook)(struct cpu_regs *regs);
static unsigned int irq_vector;
static void (*irq_handler)(struct cpu_regs *regs);

extern const char exception_stubs_start[], entry_unexpected[], entry_int80[];
extern const char entry_nmi[], entry_db[], entry_mc[];
extern const char return_to_guest[], return_to_guest_end[];
extern const char entry_sysenter[], sysenter_eflags_saved[];
extern const struct exception_table_entry __start_ex_table[], __stop_ex_table[];

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

static void set_gate(unsigned int vec, const void *handler)
{
    uint64_t a = (uint64_t)handler;

    idt[vec] = (struct idt_gate){
        .offset0 = a & 0xffff,
        .selector = BOOT_SEL_CODE,
        .type_attr = 0x8e,      /* present, DPL0, 64-bit interrupt gate */
        .offset1 = (a >> 16) & 0xffff,
        .offset2 = a >> 32,
    };
}

/* This CPU takes its interrupts and exceptions through the one IDT. */
void traps_load(void)
{
    struct __packed { uint16_t limit; uint64_t base; } idtr = {
        sizeof(idt) - 1, (uint64_t)idt,
    };

    __asm__ volatile ( "lidt %0" :: "m" (idtr) : "memory" );
}

void traps_init(void)
{

    for ( unsigned int v = 0; v < ARRAY_SIZE(idt); v++ )
        set_gate(v, v < 32 ? exception_stubs_start + 16 * v : entry_unexpected);
    /*
     * As Xen's IDT: int3, into and int $0x80 may be used from ring 3 (the
     * PV guest) and arrive as themselves; every other "int n" is a #GP.
     */
    set_gate(1, entry_db);
    set_gate(2, entry_nmi);
    set_gate(18, entry_mc);
    set_gate(0x80, entry_int80);
    idt[3].type_attr = idt[4].type_attr = idt[0x80].type_attr = 0xee;
    traps_load();
}

void traps_set_selector(uint16_t cs)
{
    for ( unsigned int v = 0; v < ARRAY_SIZE(idt); v++ )
        idt[v].selector = cs;
    /*
     * #DB, #DF, NMI and #MC on their own stacks, now that there is a TSS:
     * each can arrive where RSP is not the shim's (XSA-260).
     */
    idt[1].ist = IST_DB;
    idt[8].ist = IST_DF;
    idt[2].ist = IST_NMI;
    idt[18].ist = IST_MC;
}

void traps_set_irq_handler(unsigned int vec, void (*fn)(struct cpu_regs *regs))
{
    extern const char entry_irq[];
    uint16_t sel = idt[0].selector;

    irq_vector = vec;
    irq_handler = fn;
    set_gate(vec, entry_irq);
    idt[vec].selector = sel;
}

/*
 * int $0x82, a 32-bit guest's hypercall (Xen's HYPERCALL_VECTOR): a gate
 * its kernel in ring 1 may use, not its processes (a #GP for them). A
 * 64-bit guest has no such gate: int $0x82 is a #GP, as on Xen.
 */
void traps_set_hypercall_gate(void)
{
#ifdef CONFIG_PV32
    extern const char entry_int82[];
    uint16_t sel = idt[0].selector;

    set_gate(0x82, entry_int82);
    idt[0x82].selector = sel;
    idt[0x82].type_attr = 0xae;     /* present, DPL1, 64-bit interrupt gate */
#endif
}

void traps_set_guest_handler(void (*fn)(struct cpu_regs *regs))
{
    guest_trap = fn;
}

void traps_set_nmi_handler(void (*fn)(struct cpu_regs *regs))
{
    nmi_hook = fn;
}

/*
 * NMIs (L0's "xl trigger nmi") are the guest's. The handler runs on its IST
 * stack whatever was interrupted, so it only notes the NMI; the way out to
 * the guest (x86/entry.S return_to_guest) hands it over.
 */

/*
 * NMI, #DB or #MC on its IST stack (x86/entry.S ist_common). From the
 * guest, the frame moves to the normal stack (nothing runs there while the
 * guest does) and goes on from there; NULL: back to where it hit, in the
 * shim. A #MC in the shim is fatal (trap_handler reports it).
 */
struct cpu_regs *ist_handler(struct cpu_regs *regs);
struct cpu_regs *ist_handler(struct cpu_regs *regs)
{
    /* Where every frame from the guest is: the top of the one stack. */
    struct cpu_regs *frame = guest_entry_frame();

    if ( regs->cs & 3 )
    {
        *frame = *regs;
        if ( regs->vector == 2 )
        {
            /* Leave by IRETQ: it ends the CPU's NMI blocking. */
            get_cpu_info()->nmi_raised = true;
            get_cpu_info()->nmi_iret_needed = true;
        }
        return frame;
    }

    if ( regs->vector == 1 )
    {
        /*
         * In the shim: a data breakpoint the guest set, hit while the shim
         * touched guest memory or by "mov ss" just before a SYSCALL (the
         * first instruction of entry_syscall, on the guest's RSP: the IST
         * stack kept the frame off it), or the guest's TF single-stepping
         * entry_sysenter until it clears TF. Each is a trap: the
         * instruction is done, or never ran, and nothing is owed. DR6 is
         * reset so the guest's next #DB reports only its own.
         */
        __asm__ volatile ( "mov %0, %%db6" :: "r" (0xffff0ff0UL) );
        if ( (regs->rflags & X86_EFLAGS_TF) &&
             !(regs->rip >= (unsigned long)entry_sysenter &&
               regs->rip <= (unsigned long)sysenter_eflags_saved) )
            regs->rflags &= ~X86_EFLAGS_TF;
        return NULL;
    }

    if ( regs->vector == 18 )
    {
        trap_handler(regs);
        return NULL;
    }

    /* An NMI in the shim on its way out: that way out may have checked already. */
    get_cpu_info()->nmi_raised = true;
    if ( regs->rip >= (unsigned long)return_to_guest &&
         regs->rip < (unsigned long)return_to_guest_end )
    {
        regs->rip = (unsigned long)return_to_guest;
        regs->rsp = (unsigned long)frame;
    }
    return NULL;
}

void nmi_deliver(struct cpu_regs *regs);
__hot_text void nmi_deliver(struct cpu_regs *regs)
{
    get_cpu_info()->nmi_raised = false;
    if ( nmi_hook )
        nmi_hook(regs);
}


static const struct exception_table_entry *search_extable(unsigned long rip)
{
    for ( const struct exception_table_entry *e = __start_ex_table;
          e < __stop_ex_table; e++ )
        if ( e->insn == rip )
            return e;
    return NULL;
}

void show_gprs(const struct cpu_regs *r)
{
    pr_err("RIP: %04lx:%016lx  RFLAGS: %016lx\n", r->cs, r->rip, r->rflags);
    pr_err("RSP: %04lx:%016lx\n", r->ss, r->rsp);
    pr_err("RAX: %016lx RBX: %016lx RCX: %016lx\n", r->rax, r->rbx, r->rcx);
    pr_err("RDX: %016lx RSI: %016lx RDI: %016lx\n", r->rdx, r->rsi, r->rdi);
    pr_err("RBP: %016lx R8:  %016lx R9:  %016lx\n", r->rbp, r->r8, r->r9);
    pr_err("R10: %016lx R11: %016lx R12: %016lx\n", r->r10, r->r11, r->r12);
    pr_err("R13: %016lx R14: %016lx R15: %016lx\n", r->r13, r->r14, r->r15);
}

void show_registers(const struct cpu_regs *r)
{
    show_gprs(r);
    pr_err("CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx\n",
           read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

__hot_text void trap_handler(struct cpu_regs *regs)
{
    const char *name = regs->vector < 32 ? vector_names[regs->vector]
                                         : "unexpected interrupt";

    /* The interrupt the shim takes (L0's event callback), in any mode. */
    if ( regs->vector == 0x102 && irq_handler )
    {
        /*
         * Taken before safe_halt()'s HLT ran (its STI shadow not kept by
         * what runs us): return past it, for the caller to look again.
         */
        if ( regs->rip == (unsigned long)safe_halt_hlt )
            regs->rip++;
        irq_handler(regs);
        return;
    }

    /* From the guest (ring 3): the PV layer bounces it or ends the guest. */
    if ( (regs->cs & 3) && guest_trap )
    {
        guest_trap(regs);
        return;
    }

    /*
     * A fault the shim expects (copy_from_guest and friends, a selector or
     * frame the guest gave): fix it up. Loading a segment or IRETQ raises
     * #NP, #SS, #GP or #PF (Intel SDM vol. 2, MOV and IRET).
     */
    if ( regs->vector >= 11 && regs->vector <= 14 )
    {
        const struct exception_table_entry *e = search_extable(regs->rip);

        if ( e )
        {
            fixed_fault.vector = regs->vector;
            fixed_fault.error_code = regs->error_code;
            regs->rip = e->fixup;
            return;
        }
    }

    /* A fault while reporting a fault: do not recurse, just stop. */
    if ( get_cpu_info()->fault_depth++ )
        halt_forever();

    pr_err("Exception in the shim: %s (vector %lu), error code %#lx\n",
           name, regs->vector, regs->error_code);
    show_registers(regs);
    panic("%s at %#lx", name, regs->rip);
}
