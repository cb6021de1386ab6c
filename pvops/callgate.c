/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/callgate.c - a 32-bit PV guest's call gates, emulated as Xen's
 * pv/emul-gate-op.c does. Long mode knows only 16-byte call gates, so the
 * guest's 8-byte ones are stored with DPL 0 and their DPL in the target
 * selector's RPL (pvops/segdesc.c check_descriptor32): every far CALL or JMP
 * through one is a #GP with the gate's selector, and this does what the CPU
 * would have done. Only ring 1, the guest kernel's, has a known inner
 * stack (stack_switch's kernel_ss:kernel_sp).
 */
#include "pvops/descriptors.h"
#include "pvops/mm.h"
#include "pvops/traps.h"
#include "x86/cpu.h"
#include "x86/decode.h"
#include "x86/desc.h"
#include "x86/uaccess.h"

#ifdef CONFIG_PV32

/* Room for decr bytes below esp (Xen's check_stack_limit, expand-down too). */
static bool stack_fits(uint32_t ar, uint32_t limit, uint32_t esp, uint32_t decr)
{
    return esp - decr < esp - 1 &&
           (!(ar & SEG_EC) ? esp - 1 <= limit : esp - decr > limit);
}

/* The data segment register seg as the guest left it (the shim loads none). */
static unsigned int read_sreg(const struct cpu_regs *regs, unsigned int seg)
{
    unsigned int sel = 0;

    switch ( seg )
    {
    case SREG_ES: __asm__ ( "mov %%es, %0" : "=r" (sel) ); break;
    case SREG_DS: __asm__ ( "mov %%ds, %0" : "=r" (sel) ); break;
    case SREG_FS: __asm__ ( "mov %%fs, %0" : "=r" (sel) ); break;
    case SREG_GS: __asm__ ( "mov %%gs, %0" : "=r" (sel) ); break;
    case SREG_SS: sel = regs->ss; break;
    }
    return sel & 0xffff;
}

/* A fault for the guest: its vector, its error code in *fec. */
static unsigned int fault(unsigned int *fec, unsigned int vec, unsigned int ec)
{
    *fec = ec;
    return vec;
}

static unsigned int page_fault(unsigned int *fec, unsigned int ec, unsigned long addr)
{
    vcpu_set_cr2(current_vcpu(), addr);
    return fault(fec, 14, ec);
}

/*
 * Where the CPU would access [addr, addr + len) with ring 3's rights, the
 * shim (with its own) only if ring 3 may: every page the bytes touch, else
 * the #PF the CPU would give (present, and write, by the page's state).
 */
static unsigned int user_access(unsigned long addr, unsigned long len, bool write,
                                unsigned int *fec)
{
    for ( unsigned long a = addr; a <= ((addr + len - 1) | (PAGE_SIZE - 1));
          a = (a | (PAGE_SIZE - 1)) + 1 )
    {
        int r = mm_user_access(a, write);

        if ( r )
            return page_fault(fec, (r > 0 ? 1 : 0) | (write ? 2 : 0), a);
    }
    return 0;
}

/*
 * The far pointer's selector, at seg:off (Xen's read_mem): through a
 * readable, present, non-system segment, within its limit; an unreadable
 * byte is a #PF.
 */
static unsigned int read_far_sel(const struct cpu_regs *regs, const struct seg_info *cs,
                                 unsigned int seg, unsigned long off, uint16_t *sel,
                                 unsigned int *fec)
{
    struct seg_info s = *cs;
    unsigned long addr, left;
    unsigned int vec;

    if ( seg != SREG_CS )
    {
        unsigned int sreg = read_sreg(regs, seg);

        if ( !sreg || !pv_read_segment(current_vcpu(), sreg, &s, true) || !(s.ar & SEG_S) ||
             !(s.ar & SEG_P) || ((s.ar & SEG_CODE) && !(s.ar & SEG_WR)) )
            return fault(fec, 13, regs->error_code);
    }
    if ( s.limit < 1 || off > s.limit - 1UL )
        return fault(fec, 13, regs->error_code);
    addr = (uint32_t)(s.base + off);
    /* From ring 3 the CPU reads the operand with ring 3's rights. */
    if ( (regs->cs & 3) == 3 && (vec = user_access(addr, sizeof(*sel), false, fec)) )
        return vec;
    left = copy_from_guest(sel, addr, sizeof(*sel));
    return left ? page_fault(fec, 0, addr + sizeof(*sel) - left) : 0;
}

/*
 * Push a 32-bit word below *stk (Xen's push(): a #PF, write, if it cannot).
 * Onto a ring-3 stack (a call that stays in ring 3) only where ring 3 may
 * write, as the CPU's own push would: the shim writes with ring 0's rights
 * (Xen does not check this).
 */
static unsigned int push(unsigned long *stk, uint32_t val, bool user, unsigned int *fec)
{
    unsigned long left;
    unsigned int vec;

    *stk -= 4;
    if ( user && (vec = user_access(*stk, 4, true, fec)) )
        return vec;
    left = copy_to_guest(*stk, &val, 4);
    return left ? page_fault(fec, 2, *stk + 4 - left) : 0;
}

/*
 * The far CALL or JMP through the gate regs->error_code names, or the
 * fault it makes: 0 when done, else the vector and *fec its error code.
 */
static unsigned int gate_op(struct cpu_regs *regs, unsigned int *fec)
{
    struct vcpu *v = current_vcpu();
    unsigned int ec = regs->error_code & 0xffff, cpl = regs->cs & 3;
    unsigned int sel, ar, dpl, nparm, got, ss, vec;
    unsigned long at, stk, top, ea, room;
    uint8_t buf[INSN_MAX_LEN];
    struct far_branch fb;
    struct seg_info cs, s;
    uint16_t opnd_sel;
    uint32_t off, esp;
    uint64_t d;
    int rc;

    /*
     * The gate (Xen's read_gate_descriptor): one of the guest's own, a 32-bit
     * call gate whose DPL check_descriptor32 moved to the selector's RPL.
     */
    if ( ec < 4 || (ec >> 3) >= (ec & 4 ? v->ldt_ents : v->gdt_ents) ||
         !pv_read_descriptor(v, ec, &d, true) )
        return fault(fec, 13, regs->error_code);
    sel = (d >> 16) & 0xfffc;
    off = (d & 0xffff) | ((d >> 32) & 0xffff0000);
    ar = (d >> 32) & 0xffff;
    if ( ar & SEG_DPL )
        return fault(fec, 13, regs->error_code);
    ar |= ((d >> 16) & 3) << 13;
    if ( (ar & 0x1f00) != 0x0c00 || DPL(ar) < cpl )
        return fault(fec, 13, regs->error_code);
    if ( !(ar & SEG_P) )
        return fault(fec, 11, regs->error_code);
    dpl = DPL(ar);
    nparm = ar & 0x1f;

    /* The instruction, where the code segment has it and within its limit. */
    if ( !pv_read_segment(v, regs->cs & 0xffff, &cs, true) || !(cs.ar & SEG_S) ||
         !(cs.ar & SEG_P) || !(cs.ar & SEG_CODE) || (uint32_t)regs->rip > cs.limit )
        return fault(fec, 13, regs->error_code);
    at = (uint32_t)(cs.base + (uint32_t)regs->rip);
    room = cs.limit - (uint32_t)regs->rip + 1UL;
    got = MIN((unsigned long)sizeof(buf), room);
    while ( got && copy_from_guest(buf, at, got) )
        got--;
    rc = insn_decode_far(buf, got, cs.ar & SEG_DB, &fb);
    if ( rc == -2 && got < sizeof(buf) && got < room )
        return page_fault(fec, 0, at + got);
    if ( rc )
        return fault(fec, 13, regs->error_code);

    /* The selector the instruction names must be the gate's, its RPL <= DPL. */
    if ( fb.indirect )
    {
        ea = (fb.base >= 0 ? *regs_gpr(regs, fb.base) : 0) +
             (fb.index >= 0 ? *regs_gpr(regs, fb.index) * fb.scale : 0) + fb.disp;
        ea = fb.addr32 ? (uint32_t)ea : (uint16_t)ea;
        if ( (vec = read_far_sel(regs, &cs, fb.seg, ea + fb.opsize, &opnd_sel, fec)) )
            return vec;
    }
    else
        opnd_sel = fb.sel;
    if ( (opnd_sel & ~3u) != ec || dpl < (opnd_sel & 3u) )
        return fault(fec, 13, regs->error_code);

    /*
     * The target: code, present, the offset within it; a CALL (or a
     * conforming target) may go to a more privileged ring, a JMP stays in
     * its own.
     */
    if ( !pv_read_segment(v, sel, &s, true) || !(s.ar & SEG_S) || !(s.ar & SEG_CODE) ||
         (!fb.jump || (s.ar & SEG_EC) ? DPL(s.ar) > cpl : DPL(s.ar) != cpl) )
        return fault(fec, 13, sel);
    if ( !(s.ar & SEG_P) )
        return fault(fec, 11, sel);
    if ( off > s.limit )
        return fault(fec, 13, 0);

    if ( fb.jump )
        sel |= cpl;
    else if ( DPL(s.ar) < cpl )
    {
        /* Inward: onto the kernel's stack, the caller's SS:ESP first. */
        sel |= DPL(s.ar);
        if ( (sel & 3) != 1 )
            return fault(fec, 13, regs->error_code);
        esp = v->kernel_sp;
        ss = v->kernel_ss & 0xffff;
        if ( (ss & 3) != (sel & 3) || !pv_read_segment(v, ss, &s, true) ||
             DPL(s.ar) != (sel & 3) || !(s.ar & SEG_S) ||
             (s.ar & SEG_CODE) || !(s.ar & SEG_WR) )
            return fault(fec, 10, ss & ~3u);
        if ( !(s.ar & SEG_P) || !stack_fits(s.ar, s.limit, esp, (4 + nparm) * 4) )
            return fault(fec, 12, ss & ~3u);
        stk = top = (uint32_t)(s.base + esp);
        if ( !guest_range_ok(stk - (4 + nparm) * 4, (4 + nparm) * 4) )
            return fault(fec, 13, regs->error_code);
        if ( (vec = push(&stk, regs->ss, false, fec)) ||
             (vec = push(&stk, regs->rsp, false, fec)) )
            return vec;
        if ( nparm )
        {
            unsigned long ustk, left;
            uint32_t parm;

            /*
             * The parameters, from the caller's stack; Xen checks its limit
             * with the inner ESP, as here.
             */
            if ( !pv_read_segment(v, regs->ss & 0xffff, &s, true) || DPL(s.ar) != cpl ||
                 !(s.ar & SEG_S) || (s.ar & SEG_CODE) || !(s.ar & SEG_WR) ||
                 !stack_fits(s.ar, s.limit, esp - 8 + nparm * 4, nparm * 4) )
                return fault(fec, 13, regs->error_code);
            ustk = (uint32_t)(s.base + (uint32_t)regs->rsp + nparm * 4);
            if ( !guest_range_ok(ustk - nparm * 4, nparm * 4) )
                return fault(fec, 13, regs->error_code);
            do {
                ustk -= 4;
                if ( (left = copy_from_guest(&parm, ustk, 4)) )
                    return page_fault(fec, 0, ustk + 4 - left);
                if ( (vec = push(&stk, parm, false, fec)) )
                    return vec;
            } while ( --nparm );
        }
    }
    else
    {
        /* Same ring: the return address on the caller's own stack. */
        sel |= cpl;
        esp = regs->rsp;
        ss = regs->ss & 0xffff;
        if ( !pv_read_segment(v, ss, &s, true) || DPL(s.ar) != (sel & 3) )
            return fault(fec, 13, regs->error_code);
        if ( !stack_fits(s.ar, s.limit, esp, 2 * 4) )
            return fault(fec, 12, 0);
        stk = top = (uint32_t)(s.base + esp);
        if ( !guest_range_ok(stk - 2 * 4, 2 * 4) )
            return fault(fec, 13, regs->error_code);
    }
    if ( !fb.jump )
    {
        bool user = (sel & 3) == 3;

        if ( (vec = push(&stk, regs->cs, user, fec)) ||
             (vec = push(&stk, regs->rip + fb.len, user, fec)) )
            return vec;
        regs->rsp = (uint32_t)(esp - (top - stk));
        regs->ss = ss;
    }

    /* On at the target (Xen's pv_emul_instruction_done). */
    regs->cs = sel;
    regs->rip = off;
    regs->rflags &= ~X86_EFLAGS_RF;
    if ( regs->rflags & X86_EFLAGS_TF )
    {
        v->debugreg[6] |= (1UL << 14) | 0xffff0ff0UL;
        return fault(fec, 1, 0);
    }
    return 0;
}

void pv_emulate_gate_op(struct cpu_regs *regs)
{
    unsigned int ec, vec = gate_op(regs, &ec);

    if ( vec )
        pv_inject_exception(regs, vec, vec == 1 ? -1 : (long)ec);
}

#endif /* CONFIG_PV32 */
