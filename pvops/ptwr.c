/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/ptwr.c - writable page tables (VMASST_TYPE_writable_pagetables):
 * a guest kernel's store into one of its L1 tables, which it maps read-only,
 * faults; the shim decodes the store, checks the new entry as mmu_update
 * would and performs it (Xen's pv/ro-page-fault.c). L2-L4 are never
 * written this way.
 *
 * The stores a PV kernel uses on PTEs: mov (89, C7 /0), xchg (87), lock
 * cmpxchg (0F B1), cmpxchg8b (0F C7 /1, a 32-bit PAE kernel's; its other
 * stores are 4 bytes, half an entry), and the bit operations of set/clear_bit and
 * test_and_clear_bit: lock and/or with a byte immediate (80 /4, 80 /1) or a
 * register (21, 09), lock bts/btr with an immediate (0F BA /5, /6). The
 * address is CR2, so only the operand matters, never the ModRM address.
 */
#include "pvops/grant.h"
#include "pvops/mm.h"
#include "pvops/traps.h"
#include "x86/uaccess.h"
#include "lib/printk.h"
#include "lib/string.h"

#define X86_EFLAGS_CF 0x001UL
#define X86_EFLAGS_ZF 0x040UL

enum wop { W_MOV, W_XCHG, W_CMPXCHG, W_AND, W_OR, W_BTS, W_BTR, W_CMPXCHG8B };

struct wins {
    enum wop op;
    unsigned int len, size;     /* instruction bytes; operand bytes */
    bool has_imm;
    unsigned int imm_len;       /* 1, 2 or 4 (sign-extended) */
    uint64_t imm;
    unsigned int reg;           /* ModRM.reg (+REX.R): source register */
};

/* Length of a memory ModRM operand (ModRM byte included); -1 for a register. */
static int modrm_len(const uint8_t *p, size_t avail)
{
    uint8_t modrm, mod, rm;
    int n = 1;

    if ( avail < 1 )
        return -1;
    modrm = p[0];
    mod = modrm >> 6;
    rm = modrm & 7;
    if ( mod == 3 )
        return -1;
    if ( rm == 4 )
    {
        if ( avail < 2 )
            return -1;
        if ( mod == 0 && (p[1] & 7) == 5 )
            n += 4;
        n++;
    }
    if ( mod == 1 )
        n += 1;
    else if ( mod == 2 || (mod == 0 && rm == 5) )
        n += 4;
    return (size_t)n <= avail ? n : -1;
}

/* compat: 32-bit code (a 32-bit guest's), where 40-4f are INC/DEC, not REX. */
static bool decode_write(const uint8_t *b, size_t avail, struct wins *w, bool compat)
{
    size_t i = 0;
    uint8_t rex = 0;
    bool opsize16 = false;
    int m;

    memset(w, 0, sizeof(*w));
    for ( ; i < avail && (b[i] == 0xf0 || b[i] == 0x66 || b[i] == 0x3e ||
                         b[i] == 0x2e || b[i] == 0x36 || b[i] == 0x26); i++ )
        opsize16 |= b[i] == 0x66;
    if ( !compat && i < avail && (b[i] & 0xf0) == 0x40 )
        rex = b[i++];
    if ( i >= avail )
        return false;
    w->size = (rex & 8) ? 8 : opsize16 ? 2 : 4;

    switch ( b[i++] )
    {
    case 0x89: w->op = W_MOV; break;
    case 0x87: w->op = W_XCHG; break;
    case 0x21: w->op = W_AND; break;
    case 0x09: w->op = W_OR; break;
    case 0xc7:
        w->op = W_MOV;
        w->has_imm = true;
        w->imm_len = w->size == 2 ? 2 : 4;
        break;
    case 0x80:
        w->size = 1;
        w->has_imm = true;
        w->imm_len = 1;
        if ( i >= avail )
            return false;
        switch ( (b[i] >> 3) & 7 )
        {
        case 4: w->op = W_AND; break;
        case 1: w->op = W_OR; break;
        default: return false;
        }
        break;
    case 0x0f:
        if ( i >= avail )
            return false;
        switch ( b[i++] )
        {
        case 0xb1: w->op = W_CMPXCHG; break;
        case 0xc7:
            /* cmpxchg8b (a 32-bit PAE kernel's atomic PTE update); not 16b. */
            if ( i >= avail || ((b[i] >> 3) & 7) != 1 || (rex & 8) )
                return false;
            w->op = W_CMPXCHG8B;
            w->size = 8;
            break;
        case 0xba:
            w->has_imm = true;
            w->imm_len = 1;
            if ( i >= avail )
                return false;
            switch ( (b[i] >> 3) & 7 )
            {
            case 5: w->op = W_BTS; break;
            case 6: w->op = W_BTR; break;
            default: return false;
            }
            break;
        default:
            return false;
        }
        break;
    default:
        return false;
    }

    /* The ModRM: the opcode may have been the last byte there is. */
    if ( i >= avail || (m = modrm_len(b + i, avail - i)) < 0 )
        return false;
    w->reg = ((b[i] >> 3) & 7) | ((rex & 4) ? 8 : 0);
    i += m;
    if ( w->has_imm )
    {
        size_t n = w->imm_len;

        if ( i + n > avail )
            return false;
        w->imm = 0;
        for ( size_t k = 0; k < n; k++ )
            w->imm |= (uint64_t)b[i + k] << (8 * k);
        if ( n == 4 )
            w->imm = (uint64_t)(int64_t)(int32_t)w->imm;
        i += n;
    }
    w->len = i;
    return true;
}

/*
 * Emulate the guest's store at regs->rip, which faulted writing addr,
 * into the aligned 8-byte entry *slot (which addr falls in): decode it,
 * work out the new entry and hand old and new to commit, which checks and
 * performs it (0), finds the entry changed under it (-EAGAIN: read it
 * again, as a locked instruction would), or refuses it (the guest then
 * gets its #PF). Returns true when the store is done (or a cmpxchg found a
 * different value): the guest continues after it.
 */
bool pv_emulate_store(struct cpu_regs *regs, unsigned long addr,
                      const uint64_t *slot, store_commit_t commit, void *ctx)
{
    unsigned long off, mask, *r;
    uint64_t old, new, src, opval, cf = 0;
    uint8_t buf[15];
    size_t avail = pv_insn_fetch(regs, buf, sizeof(buf));
    struct wins w;
    int rc;

    if ( !decode_write(buf, avail, &w, is_pv32()) )
    {
        pr_debug("store at %#lx not understood\n", regs->rip);
        return false;
    }

    /* Within one aligned 8-byte entry. */
    off = addr & 7;
    if ( off + w.size > 8 || (addr & (PAGE_SIZE - 1)) + w.size > PAGE_SIZE )
        return false;
    mask = (w.size == 8 ? ~0UL : ((1UL << (8 * w.size)) - 1)) << (8 * off);
    r = regs_gpr(regs, w.reg);
    src = w.has_imm ? w.imm : *r;

    do {
        old = READ_ONCE(*slot);
        opval = (old & mask) >> (8 * off);

        switch ( w.op )
        {
        case W_MOV:
        case W_XCHG:
            new = (old & ~mask) | ((src << (8 * off)) & mask);
            break;
        case W_CMPXCHG8B:
        {
            uint64_t cmp = ((uint64_t)(uint32_t)regs->rdx << 32) | (uint32_t)regs->rax;

            if ( old != cmp )
            {
                /* Unequal: the entry to edx:eax, ZF clear. */
                regs->rax = (uint32_t)old;
                regs->rdx = old >> 32;
                regs->rflags &= ~X86_EFLAGS_ZF;
                regs->rip += w.len;
                return true;
            }
            new = ((uint64_t)(uint32_t)regs->rcx << 32) | (uint32_t)regs->rbx;
            break;
        }
        case W_CMPXCHG:
        {
            uint64_t cmp = regs->rax & (mask >> (8 * off));

            if ( opval != cmp )
            {
                /* Unequal: no store, the old value to rax, ZF clear. */
                regs->rax = w.size == 4 ? (uint32_t)opval : opval;
                regs->rflags &= ~X86_EFLAGS_ZF;
                regs->rip += w.len;
                return true;
            }
            new = (old & ~mask) | ((src << (8 * off)) & mask);
            break;
        }
        case W_AND:
            new = old & (~mask | (src << (8 * off)));
            break;
        case W_OR:
            new = old | ((src << (8 * off)) & mask);
            break;
        case W_BTS:
        case W_BTR:
        {
            unsigned int bit = (w.imm & (8 * w.size - 1)) + 8 * off;

            cf = (old >> bit) & 1 ? X86_EFLAGS_CF : 0;
            new = w.op == W_BTS ? old | (1UL << bit) : old & ~(1UL << bit);
            break;
        }
        default:
            return false;
        }
    } while ( (rc = commit(ctx, old, new, w.op == W_MOV && w.size == 4 && off == 4)) ==
              -XEN_EAGAIN );

    if ( rc )
    {
        pr_debug("store at %#lx: entry %#lx refused (%d)\n", regs->rip,
                 (unsigned long)new, rc);
        return false;           /* the guest gets its #PF */
    }

    if ( w.op == W_XCHG )
        *r = w.size == 4 ? (uint32_t)opval : (w.size == 8 ? opval
             : (*r & ~(mask >> (8 * off))) | opval);
    else if ( w.op == W_CMPXCHG || w.op == W_CMPXCHG8B )
        regs->rflags |= X86_EFLAGS_ZF;
    else if ( w.op == W_BTS || w.op == W_BTR )
        /* Only now: a refused store leaves the guest's flags alone. */
        regs->rflags = (regs->rflags & ~X86_EFLAGS_CF) | cf;
    mm_flush_if_needed();
    regs->rip += w.len;
    return true;
}

struct l1_store {
    unsigned long mfn;
    unsigned int idx;
};

/*
 * hi32: a plain 4-byte store into the entry's upper half. A 32-bit PAE
 * kernel may write the halves in the wrong order: if the entry they make
 * is refused, it goes in not present, as Xen's ptwr_emulated_update
 * assumes the lower half follows at once.
 */
static int l1_commit(void *ctx, uint64_t old, uint64_t new, bool hi32)
{
    const struct l1_store *c = ctx;
    int rc = mod_pt_entry(&frames, c->mfn, 1, c->idx, new, false);

    if ( rc && rc != -XEN_EAGAIN && hi32 && is_pv32() && (new & PTE_PRESENT) )
        rc = mod_pt_entry(&frames, c->mfn, 1, c->idx, new & ~PTE_PRESENT, false);
    return rc;
}

/*
 * A #PF on a store to a present read-only page: a store into an L1 table
 * (guest kernel mode, writable page tables on) or into a grant-table frame
 * we can do for the guest? Returns true when handled (the guest continues
 * after it).
 */
bool pv_ptwr_fault(struct cpu_regs *regs, unsigned long addr)
{
    struct vcpu *v = current_vcpu();
    struct l1_store c;
    unsigned long ptmfn;
    uint64_t pte;
    struct page_info *pg;

    /* Present, write, not reserved/fetch (Xen: ptwr_do_page_fault). */
    if ( (regs->error_code & 0x1b) != 0x3 )
        return false;
    /*
     * Only the guest's kernel has stores emulated (Xen's fixup_page_fault:
     * guest_kernel_mode): a 32-bit guest's processes share its one page
     * table, so its ring says whose store this is; a 64-bit guest's user
     * mode runs on a table of its own (kernel_mode below).
     */
    if ( is_pv32() && (regs->cs & 3) != 1 )
        return false;

    /* The read-only mapping, and the frame it maps. */
    if ( mm_lookup_l1e(addr, &c.mfn, &c.idx, &pte) || !(pte & PTE_PRESENT) ||
         (pte & PTE_RW) )
        return false;
    ptmfn = (pte & PTE_MFN_MASK) >> 12;
    if ( !(pg = frame_info(&frames, ptmfn)) )
        return false;
    if ( frame_owner(ptmfn) == FRAME_grant && (pte & PTE_WR_EMUL) )
        return grant_store_fault(regs, addr, ptmfn);

    /* The guest's kernel only: ring 1 for a 32-bit guest (Xen's guest_kernel_mode). */
    if ( !(dom.vm_assist & (1UL << VMASST_TYPE_writable_pagetables)) ||
         !guest_kernel_mode(v, regs) ||
         page_type(pg) != PGT_l1 || !page_type_count(pg) )
        return false;
    c.mfn = ptmfn;
    c.idx = (addr & (PAGE_SIZE - 1)) / 8;
    return pv_emulate_store(regs, addr, &frames.map(ptmfn)[c.idx], l1_commit, &c);
}
