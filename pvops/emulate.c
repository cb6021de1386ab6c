/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/emulate.c - what a PV kernel running in ring 3 needs done for it:
 * privileged instructions (#GP) and the forced-emulation CPUID (#UD), as
 * Xen's pv/emul-priv-op.c and pv/emul-inv-op.c do them. The instruction is
 * read from the guest and decoded (x86/decode.c); the error code is never
 * trusted (QEMU 7.2 gets it wrong for "int n", shared lab README pitfall 13).
 */
#include "pvops/descriptors.h"
#include "pvops/traps.h"
#include "pvops/vcpu.h"
#include "x86/cpu.h"
#include "x86/decode.h"
#include "x86/desc.h"
#include "x86/uaccess.h"
#include "x86/xstate.h"
#include "lib/compat.h"
#include "lib/printk.h"
#include "lib/string.h"

#define MSR_EFER            0xc0000080
#define MSR_FS_BASE         0xc0000100
#define MSR_GS_BASE         0xc0000101
#define MSR_SHADOW_GS_BASE  0xc0000102
#define MSR_TSC_AUX         0xc0000103
#define MSR_IA32_PAT        0x00000277
#define MSR_IA32_MISC_ENABLE 0x000001a0
#define MSR_IA32_PLATFORM_ID 0x00000017
#define MSR_IA32_APIC_BASE  0x0000001b
#define MSR_IA32_UCODE_REV  0x0000008b
#define MSR_IA32_MCG_CAP    0x00000179
#define MSR_IA32_MCG_STATUS 0x0000017a
#define MSR_IA32_MC0_CTL    0x00000400
#define VMCE_BANKS          2
/* Xen's fixed PAT for PV guests (asm/processor.h XEN_MSR_PAT). */
#define XEN_MSR_PAT         0x0000050100070406UL

#define X86_CR0_TS          (1UL << 3)
/* The CR0 a PV guest reads (Xen's): PE MP ET NE WP AM PG, and its own TS. */
#define PV_CR0              0x80050033UL
#define X86_CR4_PAE         (1UL << 5)
#define X86_CR4_MCE         (1UL << 6)
/* What the guest sees of CR4: Xen's PV visible mask, and what it may set. */
#define PV_CR4_VISIBLE      (X86_CR4_PAE | X86_CR4_MCE | X86_CR4_OSFXSR | \
                             X86_CR4_OSXMMEXCPT)
#define PV_CR4_GUEST        (X86_CR4_TSD | X86_CR4_DE | X86_CR4_FSGSBASE | \
                             X86_CR4_OSXSAVE)
#define CPUID1_ECX_OSXSAVE  (1u << 27)

/*
 * Up to size bytes of the instruction at regs->rip, as far as the guest can
 * read them: a 32-bit guest's code segment may have a base (its GDT or LDT
 * descriptor; Xen's own selectors are flat) and ends at its limit (Xen's
 * pv_emul_virt_to_linear). Returns how many; 0 when CS is no code segment.
 */
unsigned long pv_insn_fetch(const struct cpu_regs *regs, uint8_t *buf, unsigned long size)
{
    unsigned long at = regs->rip, n = size;

    if ( is_pv32() )
    {
        struct seg_info cs;
        uint32_t eip = regs->rip;

        if ( !pv_read_segment(current_vcpu(), regs->cs & 0xffff, &cs, true) ||
             (cs.ar & (SEG_S | SEG_CODE | SEG_P)) != (SEG_S | SEG_CODE | SEG_P) ||
             eip > cs.limit )
            return 0;
        n = MIN(n, cs.limit - eip + 1UL);
        at = (uint32_t)(cs.base + eip);
    }
    while ( n && copy_from_guest(buf, at, n) )
        n--;
    return n;
}

/* The forced-emulation prefix: ud2; .ascii "xen" (public/arch-x86/xen.h). */
static const uint8_t xen_prefix[] = { 0x0f, 0x0b, 'x', 'e', 'n' };

/*
 * CPUID as a PV guest may see it: the container's (L0's policy) minus what
 * a PV kernel in ring 3 cannot use, plus the hypervisor bit; Xen's leaves
 * describe L0 (the guest talks to a Xen with L0's version).
 */
static void pv_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
    *r = cpuid_count(leaf, subleaf);

    /*
     * A 32-bit guest has no long mode, and on Intel no SYSCALL outside it
     * (Xen's recalculate_cpuid_policy for a pv32 domain).
     */
    if ( leaf == 0x80000001 && is_pv32() )
    {
        r->edx &= ~(1u << 29);
        if ( !cpu_is_amd_like() )
            r->edx &= ~(1u << 11);
    }

    switch ( leaf )
    {
    case 1:
        /* VMX, SMX, MONITOR, PCID, x2APIC, TSC deadline; OSXSAVE: see below. */
        r->ecx &= ~((1u << 5) | (1u << 6) | (1u << 3) | (1u << 17) |
                    (1u << 21) | (1u << 24) | CPUID1_ECX_OSXSAVE);
        r->ecx |= 1u << 31;                     /* hypervisor */
        /* No PSE or PSE36 (no superpages for PV), SEP, MTRR, PGE, DS, TM, PBE. */
        r->edx &= ~((1u << 3) | (1u << 11) | (1u << 12) | (1u << 13) |
                    (1u << 17) | (1u << 21) | (1u << 29) | (1u << 31));
        /* Logical processors per package: two per vCPU, as Xen reports. */
        r->ebx = (r->ebx & ~0x00ff0000u) | ((2u * dom.nr_vcpus) & 0xff) << 16;
        break;
    case 7:
        if ( subleaf == 0 )
        {
            /*
             * Nothing a ring-3 kernel cannot use: no SMEP, INVPCID, MPX,
             * SMAP (EBX 7, 10, 14, 20); no UMIP, PKU, OSPKE, LA57 (ECX 2, 3,
             * 4, 16).
             */
            r->ebx &= ~((1u << 7) | (1u << 10) | (1u << 14) | (1u << 20));
            r->ecx &= ~((1u << 2) | (1u << 3) | (1u << 4) | (1u << 16));
        }
        break;
    case 0x80000001:
        /* No SVM, extended APIC space, AltMovCr8; CmpLegacy as Xen sets it. */
        r->ecx &= ~((1u << 2) | (1u << 3) | (1u << 4));
        r->ecx |= 1u << 1;
        /* No PSE, MTRR, PGE, PSE36, 1 GiB pages. */
        r->edx &= ~((1u << 3) | (1u << 12) | (1u << 13) | (1u << 17) | (1u << 26));
        break;
    }
}

/*
 * The policy is fixed once computed (one vCPU: leaf 1 APIC IDs are all 0),
 * and a real CPUID exits to L0 (tens of
 * microseconds under emulation): remember each (leaf, subleaf) answered.
 */
static void pv_cpuid_cached(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
    static struct { uint32_t leaf, subleaf; bool used; struct cpuid_regs r; } c[64];
    unsigned int h = (leaf * 31 + subleaf) % ARRAY_SIZE(c);

    /* XSAVE's leaf depends on the vCPU's XCR0: the PV policy's, computed. */
    if ( leaf == 0xd )
    {
        *r = xstate_cpuid(&xstate_pv, subleaf, current_vcpu()->xcr0);
        return;
    }
    if ( c[h].used && c[h].leaf == leaf && c[h].subleaf == subleaf )
    {
        *r = c[h].r;
        return;
    }
    pv_cpuid(leaf, subleaf, r);
    c[h].leaf = leaf;
    c[h].subleaf = subleaf;
    c[h].r = *r;
    c[h].used = true;
}

/* rdmsr for the guest: true with *val, or false for a #GP. */
static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch ( msr )
    {
    /*
     * The bases from the hardware: with FSGSBASE the guest changes them
     * itself (Xen's rule: never trust a cached copy). In kernel mode the
     * active GS is the kernel's and the shadow one the user's.
     */
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_SHADOW_GS_BASE:
        if ( is_pv32() )
            return false;               /* a 64-bit guest's (Xen: #GP for pv32) */
        *val = rdmsrl(msr);
        return true;
    case MSR_IA32_PAT:
        *val = XEN_MSR_PAT;
        return true;
    case MSR_TSC_AUX:
        *val = v->tsc_aux;
        return true;
    case MSR_IA32_UCODE_REV:
        *val = 0;
        return true;
    /*
     * Virtual machine check (Xen's vmce): two banks that never report
     * anything, as CPUID's MCE/MCA bits promise the guest.
     */
    case MSR_IA32_MCG_CAP:
        *val = VMCE_BANKS;
        return true;
    case MSR_IA32_MCG_STATUS:
        *val = 0;
        return true;
    case MSR_IA32_MC0_CTL ... MSR_IA32_MC0_CTL + 4 * VMCE_BANKS - 1:
        *val = (msr - MSR_IA32_MC0_CTL) % 4 == 0 ? ~0UL : 0;
        return true;
    case MSR_EFER:
        /* SCE, LME, LMA, NXE as the guest's world has them. */
        *val = rdmsrl(MSR_EFER) & ((1UL << 0) | (1UL << 8) | (1UL << 10) |
                                      (1UL << 11));
        /* A 32-bit guest sees no long mode (nor SCE on Intel): Xen's guest_efer. */
        if ( is_pv32() )
            *val &= ~((1UL << 8) | (1UL << 10) | (cpu_is_amd_like() ? 0 : 1UL << 0));
        return true;
    case MSR_IA32_MISC_ENABLE:
    case MSR_IA32_PLATFORM_ID:
        *val = 0;
        return true;
    case MSR_IA32_APIC_BASE:
        /* Xen's: the default base, enabled, this is the BSP. */
        *val = 0xfee00000UL | (1UL << 11) | (v->id == 0 ? 1UL << 8 : 0);
        return true;
    default:
        /*
         * Xen's read_msr: with no #GP handler yet (the guest's first
         * instructions) a read returns 0 rather than kill the guest.
         */
        if ( !v->trap_ctxt[13].address )
        {
            *val = 0;
            return true;
        }
        return false;
    }
}

static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if ( is_pv32() && (msr == MSR_FS_BASE || msr == MSR_GS_BASE ||
                       msr == MSR_SHADOW_GS_BASE) )
        return false;                   /* a 64-bit guest's (Xen: #GP for pv32) */
    switch ( msr )
    {
    case MSR_FS_BASE:
        return !vcpu_set_segment_base(v, SEGBASE_FS, val);
    case MSR_GS_BASE:
        return !vcpu_set_segment_base(v, SEGBASE_GS_KERNEL, val);
    case MSR_SHADOW_GS_BASE:
        return !vcpu_set_segment_base(v, SEGBASE_GS_USER, val);
    case MSR_IA32_MCG_STATUS:
    case MSR_IA32_MC0_CTL ... MSR_IA32_MC0_CTL + 4 * VMCE_BANKS - 1:
        /* Control bits and clearing status: accepted, nothing to report. */
        return true;
    case MSR_TSC_AUX:
        /* RDTSCP/RDPID's value: the guest's own (Xen: when it has RDTSCP). */
        if ( val >> 32 )
            return false;
        wrmsrl(MSR_TSC_AUX, val);
        v->tsc_aux = val;
        return true;
    case MSR_EFER:
    {
        /* Writing back what it reads is fine; changing it is not. */
        uint64_t cur;

        return read_msr(v, MSR_EFER, &cur) && cur == val;
    }
    default:
        return false;
    }
}

/*
 * The virtual IOPL allows cli/sti and port I/O (Xen's iopl_ok): the guest
 * kernel counts as ring 1, or as ring 0 with VMASST architectural_iopl (it
 * then runs as if in ring 0, POPF and IRET semantics included); user mode
 * as ring 3.
 */
static bool iopl_ok(const struct vcpu *v, bool kmode)
{
    unsigned int cpl = !kmode ? 3 :
        (dom.vm_assist & (1UL << VMASST_TYPE_architectural_iopl)) ? 0 : 1;

    return cpl <= v->iopl;
}

/* Port I/O: allowed by the virtual IOPL or the I/O bitmap, never real. */
static bool io_permitted(struct vcpu *v, bool kmode, unsigned int port, unsigned int bytes)
{
    uint8_t map[2];

    if ( iopl_ok(v, kmode) )
        return true;
    if ( !kmode || port + bytes > v->iobmp_nr )
        return false;
    if ( copy_from_guest(map, v->iobmp + port / 8, 2) )
        return false;
    return !(((map[0] | (map[1] << 8)) >> (port & 7)) & ((1u << bytes) - 1));
}

static bool op_needs_ring0(enum insn_op op)
{
    switch ( op )
    {
    case OP_CPUID:
    case OP_CLI: case OP_STI:
    case OP_IN_IMM: case OP_IN_DX: case OP_OUT_IMM: case OP_OUT_DX:
    case OP_INS: case OP_OUTS:
    case OP_INT: case OP_INT3: case OP_INTO:
        return false;
    default:
        return true;
    }
}

/*
 * The guest's I/O breakpoints (DR7 R/W 10b, with CR4.DE) that an access to
 * [port, port + bytes) hits: a DR6 B0-B3 mask (Xen's
 * check_guest_io_breakpoint). They never reach the hardware.
 */
static unsigned int io_breakpoints(const struct vcpu *v, unsigned int port,
                                   unsigned int bytes)
{
    static const unsigned int width[4] = { 1, 2, 8, 4 };    /* LEN 00 01 10 11 */
    unsigned long dr7 = v->debugreg[7];
    unsigned int match = 0;

    if ( !(v->cr4 & X86_CR4_DE) )
        return 0;
    for ( unsigned int i = 0; i < 4; i++ )
    {
        unsigned int ctl = (dr7 >> (16 + 4 * i)) & 0xf;
        unsigned long start = v->debugreg[i];

        if ( !(dr7 & (3UL << (2 * i))) || (ctl & 3) != 2 )
            continue;
        if ( start < port + bytes && start + width[ctl >> 2] > port )
            match |= 1u << i;
    }
    return match;
}

bool pv_emulate_privileged(struct cpu_regs *regs, unsigned int vec)
{
    struct vcpu *v = current_vcpu();
    uint8_t buf[INSN_MAX_LEN];
    unsigned long avail = pv_insn_fetch(regs, buf, sizeof(buf));
    struct insn in;
    uint64_t val;
    unsigned int bpmatch = 0;
    /*
     * A 32-bit guest: its kernel is in ring 1, its registers 32 bits wide,
     * its code has no REX prefixes (Xen's emulator in compatibility mode).
     */
    bool c32 = is_pv32();
    bool kmode = guest_kernel_mode(v, regs);
    unsigned long regmask = c32 ? 0xffffffffUL : ~0UL;

    /* What the guest can read (the instruction may end a mapping early). */
    if ( !avail )
        return false;

    if ( vec == 6 )
    {
        /* Only "ud2; 'xen'; cpuid" is ours to emulate on #UD. */
        if ( avail < sizeof(xen_prefix) + 2 ||
             memcmp(buf, xen_prefix, sizeof(xen_prefix)) ||
             buf[5] != 0x0f || buf[6] != 0xa2 )
            return false;
        in.op = OP_CPUID;
        in.len = sizeof(xen_prefix) + 2;
    }
    else if ( insn_decode(buf, avail, &in, c32) )
    {
        pr_debug("#GP at %#lx: not an instruction the shim emulates (%02x %02x "
                 "%02x %02x)\n", regs->rip, buf[0], avail > 1 ? buf[1] : 0,
                 avail > 2 ? buf[2] : 0, avail > 3 ? buf[3] : 0);
        return false;
    }

    /*
     * What only ring 0 may do is refused in guest user mode: Xen's emulator
     * sees the PV kernel as ring 0 (read_segment's faked SS.DPL) and user
     * mode as ring 3, so mode_ring0() fails there and the result is #GP(0).
     * CPUID, I/O, CLI/STI and "int n" have their own rules below.
     */
    if ( in.op == OP_XSETBV && !(v->cr4 & X86_CR4_OSXSAVE) )
    {
        /* #UD before the ring check, as x86_emulate orders them. */
        pv_inject_exception(regs, 6, -1);
        return true;
    }
    if ( !kmode && op_needs_ring0(in.op) )
        return false;

    switch ( in.op )
    {
    case OP_CPUID:
    {
        struct cpuid_regs r;

        pv_cpuid_cached(regs->rax, regs->rcx, &r);
        /*
         * OSXSAVE follows the guest's CR4, except that the kernel's forced
         * CPUID sees it whenever XSAVE is there: Xen's de-facto PV ABI
         * (guest_cpuid's long comment; Linux relies on it).
         */
        if ( regs->rax == 1 &&
             ((v->cr4 & X86_CR4_OSXSAVE) ||
              (vec == 6 && kmode && xstate_pv.max)) )
            r.ecx |= CPUID1_ECX_OSXSAVE;
        regs->rax = r.eax;
        regs->rbx = r.ebx;
        regs->rcx = r.ecx;
        regs->rdx = r.edx;
        break;
    }

    case OP_RDMSR:
        if ( !read_msr(v, regs->rcx, &val) )
            return (void)pr_debug("rdmsr %#lx refused\n", regs->rcx), false;
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        break;

    case OP_WRMSR:
        if ( !write_msr(v, regs->rcx, ((uint64_t)regs->rdx << 32) | (uint32_t)regs->rax) )
            return (void)pr_debug("wrmsr %#lx refused\n", regs->rcx), false;
        break;

    case OP_MOV_FROM_CR:
        switch ( in.reg )
        {
        case 0:
            val = PV_CR0 | (v->fpu_ts ? X86_CR0_TS : 0);
            break;
        case 2:
            val = c32 ? ((struct compat_vcpu_info *)v->vcpu_info)->arch.cr2
                      : v->vcpu_info->arch.cr2;
            break;
        case 3:
            /* A 32-bit guest's L3, as Xen's xen_pfn_to_cr3 folds it into 32 bits. */
            if ( c32 )
                val = (uint32_t)((v->pv32_l3 << 12) | (v->pv32_l3 >> 20));
            else
                val = v->kernel_mode ? v->guest_table : v->guest_table_user;
            break;
        case 4:
            val = ((read_cr4() | X86_CR4_MCE) & PV_CR4_VISIBLE) | v->cr4;
            break;
        default:
            return false;
        }
        *regs_gpr(regs, in.rm) = val & regmask;
        break;

    case OP_MOV_TO_CR:
        val = *regs_gpr(regs, in.rm) & regmask;
        switch ( in.reg )
        {
        case 0:
            /* Only TS may change (Xen's write_cr0). */
            if ( (val ^ PV_CR0) & ~X86_CR0_TS )
                return false;
            vcpu_fpu_taskswitch(v, val & X86_CR0_TS);
            break;
        case 4:
            /*
             * Xen keeps what the guest may set and ignores the rest
             * (pv_fixup_guest_cr4); the hardware follows the guest's TSD, DE
             * and FSGSBASE (pv_make_cr4), so RDFSBASE and friends work in
             * the guest as it expects. OSXSAVE only gates XSETBV.
             */
            v->cr4 = val & PV_CR4_GUEST;
            if ( !(cpuid_count(7, 0).ebx & 1) )
                v->cr4 &= ~X86_CR4_FSGSBASE;
            if ( !xstate_pv.max )
                v->cr4 &= ~X86_CR4_OSXSAVE;
            write_cr4((read_cr4() & ~PV_CR4_HW) | (v->cr4 & PV_CR4_HW));
            break;
        default:
            /* CR3 goes through the memory-management step's NEW_BASEPTR. */
            return false;
        }
        break;

    case OP_MOV_FROM_DR:
    case OP_MOV_TO_DR:
    {
        int r = vcpu_debugreg_alias(v, in.reg);

        if ( r < 0 )
        {
            /* DR4/5 with CR4.DE, DR8-15: #UD, as x86_emulate gives. */
            pv_inject_exception(regs, 6, -1);
            return true;
        }
        if ( in.op == OP_MOV_FROM_DR )
            *regs_gpr(regs, in.rm) = v->debugreg[r] & regmask;
        else if ( vcpu_set_debugreg(v, r, *regs_gpr(regs, in.rm) & regmask) )
            return false;
        break;
    }

    case OP_XSETBV:
    {
        /* XCR0 only, within the PV policy (Xen's handle_xsetbv). */
        uint64_t xcr0 = ((uint64_t)regs->rdx << 32) | (uint32_t)regs->rax;

        if ( regs->rcx != 0 || !xstate_xcr0_valid(&xstate_pv, xcr0) )
            return false;
        xsetbv(0, xcr0);
        v->xcr0 = xcr0;
        break;
    }

    case OP_CLTS:
        vcpu_fpu_taskswitch(v, false);
        break;

    case OP_WBINVD:
        /* A domU without cache-flush rights: a no-op, as in Xen. */
        break;

    /* INVD and HLT: #GP for a PV guest, as on Xen (it blocks by hypercall). */

    case OP_CLI:
    case OP_STI:
        if ( !iopl_ok(v, kmode) )
            return false;
        break;

    case OP_IN_IMM:
    case OP_IN_DX:
    {
        unsigned int port = in.op == OP_IN_IMM ? in.imm8 : (uint16_t)regs->rdx;

        if ( !io_permitted(v, kmode, port, in.opsize) )
            return false;
        bpmatch = io_breakpoints(v, port, in.opsize);
        /* No ports are the guest's: reads float high (Xen's admin_io_okay). */
        if ( in.opsize == 4 )
            regs->rax = 0xffffffffUL;
        else
            regs->rax |= in.opsize == 2 ? 0xffff : 0xff;
        break;
    }

    case OP_OUT_IMM:
    case OP_OUT_DX:
    {
        unsigned int port = in.op == OP_OUT_IMM ? in.imm8 : (uint16_t)regs->rdx;

        if ( !io_permitted(v, kmode, port, in.opsize) )
            return false;
        bpmatch = io_breakpoints(v, port, in.opsize);
        break;                          /* and dropped */
    }

    case OP_INT:
    {
        const struct trap_info *ti = &v->trap_ctxt[in.imm8];
        unsigned int dpl = TI_GET_DPL(ti);

        /*
         * permit_softint: DPL 3 for all, 1-2 for the guest kernel; a
         * permitted entry with no handler (Xen's null_trap_bounce) ends the
         * guest in the bounce, as on Xen.
         */
        if ( dpl == 3 || (dpl && kmode) )
        {
            regs->rip = (regs->rip + in.len) & regmask;
            pv_inject_exception(regs, in.imm8, -1);
            return true;
        }
        /* Not permitted: #GP with the IDT-entry error code. */
        pv_inject_exception(regs, 13, (in.imm8 << 3) | 2);
        return true;
    }

    default:
        pr_debug("#GP at %#lx: instruction %u (%02x %02x %02x) not emulated\n",
                 regs->rip, in.op, buf[0], avail > 1 ? buf[1] : 0,
                 avail > 2 ? buf[2] : 0);
        return false;
    }

    regs->rip = (regs->rip + in.len) & regmask;
    if ( bpmatch )
    {
        /* An I/O breakpoint: a trap after the instruction, as on Xen. */
        v->debugreg[6] |= bpmatch | 0xffff0ff0UL;
        pv_inject_exception(regs, 1, -1);
    }
    return true;
}
