/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/mm/main.c - the memory-management hypercalls of a 64-bit PV
 * domU (update_va_mapping, mmu_update, mmuext_op) and the page-type rules
 * behind them, including writable page tables.
 *
 * The kernel builds a "window": a fresh L1 of its own, pinned, hooked into
 * the boot L2 at slot WIN_L2_SLOT (VA WIN_VA, 2 MiB), whose entry 0 maps the
 * L1 itself read-only. Frames come from the top of the P2M, above the boot
 * mapping, which nothing else uses (xen.h "Start-of-day memory layout": the
 * builder maps PFN 0 up to the end of the padded boot region only).
 *
 * Cases run in order and build on each other: a table row is one hypercall,
 * one probe (a load or store through the window that may fault) or one
 * check function, with its expected result. Every row prints
 *
 *   case <name>: got X expected Y
 *
 * The expected values are what Debian's Xen 4.17 (release build, dummy XSM)
 * gave this kernel running on it directly as a plain PV guest
 * (tests/lab/cfg/guest-mm-pv.cfg, memory = 64, vcpus = 1). The references
 * are X: xen/arch/x86/mm.c (do_mmu_update, do_mmuext_op,
 * __do_update_va_mapping, get_page_from_l1e, mod_l*_entry) and
 * xen/arch/x86/pv/ro-page-fault.c; see also pv64-abi.md section 7.
 *
 * What L0 showed that is easy to get wrong: a type conflict while mapping
 * (a page table writable) is -EBUSY, a bad flag -EINVAL, a frame that is
 * not RAM of ours -EPERM (INVALID_MFN as a PTE: -EINVAL); a failing flush
 * after a successful update_va_mapping returns -EFAULT with the entry
 * written; *pdone is left alone when the request array fails the range
 * check; MMU_PT_UPDATE_NO_TRANSLATE works for PV; the foreigndom of
 * mmu_update may be DOMID_IO; writable page tables are off at boot;
 * shared_info takes the writable type (COPY_PAGE into it is allowed).
 *
 * "Foreign" frames (machine frame 0 and 0xfffff) may be ours in another
 * environment: under a shim the guest's machine frames are the shim's
 * pseudo-physical ones. The cases that would write such a frame are
 * guarded: if the M2P and P2M say the frame is ours they are not run and
 * report "not-run(frame-is-ours)", a mismatch.
 *
 * Faults: a #PF handler of our own (vector 14 only; the framework's stubs
 * keep the others) recognises the two probe instructions, records vector,
 * error code and vcpu_info.arch.cr2, moves rip past the instruction and
 * returns with HYPERVISOR_iret. Any other #PF is reported and ends the test.
 *
 * Built with -m32 (build/guests32/mm.elf) it is a 32-bit PAE PV kernel:
 * three levels, the boot L3 at pt_base with the boot L2 in its slot 3
 * (whose slots 428-511 are Xen's: the read-only 4-byte M2P at 0xF5800000),
 * the window at 0xC0000000 + 256 * 2 MiB, 8-byte PTEs stored as two 4-byte
 * halves by the probes (a fault on the lower one skips the upper), the #PF
 * in Xen's 32-bit bounce frame. Xen adds no bits to a 32-bit guest's L1 or
 * L2 entries (X: pv/mm.h adjust_guest_l1e/l2e), RW|US to its L3 entries.
 * Where a 32-bit value differs, the case says which of Xen's rules gives it;
 * cases that have no 32-bit meaning are 64-bit only, and a few 32-bit rules
 * have cases of their own (slot 3 of an L3, Xen's L2 slots, PIN_L4 ignored,
 * NEW_USER_BASEPTR refused, half-entry stores and cmpxchg8b by ptwr). L0
 * runs no 32-bit PV guest: the 32-bit expected values are Xen 4.17's code
 * (tests/lab/cfg/guest32-mm-{shim,debshim}.cfg run it).
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "mmu_update, mmuext_op, update_va_mapping, ptwr";

/* ------------------------------------------------------------ constants */

#define STR_(x)         #x
#define STR(x)          STR_(x)

/*
 * PTE bits (SDM vol. 3 section 4.5); PSE is bit 7 in an L2, PAT in an L1.
 * 64 bits wide on a 32-bit kernel too: ~PTE_P must not clear a PAE
 * entry's upper half.
 */
#ifdef __i386__
#define PTE_C(x)        x##ULL
#else
#define PTE_C(x)        x##UL
#endif
#define PTE_P           PTE_C(0x001)
#define PTE_RW          PTE_C(0x002)
#define PTE_US          PTE_C(0x004)
#define PTE_PWT         PTE_C(0x008)
#define PTE_PCD         PTE_C(0x010)
#define PTE_A           PTE_C(0x020)
#define PTE_D           PTE_C(0x040)
#define PTE_PSE         PTE_C(0x080)
#define PTE_PAT         PTE_C(0x080)
#define PTE_G           PTE_C(0x100)
#define PTE_ADDR        0x000ffffffffff000UL

#ifdef __i386__
/* A 32-bit guest's kernel is ring 1, a supervisor: Xen adds nothing to its
 * L1 or L2 entries (X: pv/mm.h adjust_guest_l1e, adjust_guest_l2e). */
#define PTE_KADJ        0
#define PTE_L2ADJ       0
#define TOP             "L3"
#define LX              "llx"
#else
/* Xen's _PAGE_GUEST_KERNEL (flag bit 12 = PTE bit 52, X: asm/x86_64/page.h). */
#define PTE_XEN_KERNEL  (1UL << 52)

/* What Xen adds to a present kernel (US=0) L1 entry (X: pv/mm.h). */
#define PTE_KADJ        (PTE_US | PTE_XEN_KERNEL)
#define PTE_L2ADJ       PTE_US
#define TOP             "L4"
#define LX              "lx"
#endif

/* A 64-bit build's value, or a 32-bit one's. */
#ifdef __i386__
#define W64_32(v64, v32) (v32)
#else
#define W64_32(v64, v32) (v64)
#endif

#define KERNEL_RW       (PTE_P | PTE_RW | PTE_A | PTE_D)
#define KERNEL_RO       (PTE_P | PTE_A)
#define TABLE_FLAGS     (PTE_P | PTE_RW | PTE_A)

#define PAGE_SHIFT      GUEST_PAGE_SHIFT
#define ENTRIES         512

/*
 * The boot L2 under L4[511]/L3[510] maps VIRT_BASE; we take slot 256. A
 * 32-bit kernel's is the one in slot 3 of its L3 (0xC0000000: slot 0 of it).
 */
#ifdef __i386__
#define BOOT_L3_SLOT    3
#else
#define BOOT_L4_SLOT    511
#define BOOT_L3_SLOT    510
#endif
#define WIN_L2_SLOT     256
#define WIN_VA          (GUEST_VIRT_BASE + ((unsigned long)WIN_L2_SLOT << 21))

/* Window slots: a VA operand below or equal to WIN_SLOTS is a slot. */
#define WIN_SLOTS       ENTRIES         /* slot 512: first VA with no L1 */
enum slot
{
    S_SELF,         /* the window L1, read-only */
    S_SHINFO,       /* shared_info */
    S_DATA,         /* FR_DATA, writable */
    S_DATA_RO,      /* FR_DATA, read-only */
    S_BATCH0,       /* three entries for the batch case */
    S_BATCH1,
    S_BATCH2,
    S_BAD,          /* FR_BAD, writable while being filled */
    S_L1B,          /* FR_L1B */
    S_L4,           /* FR_L4, writable while being filled */
    S_DATA2,        /* FR_DATA2, read-only */
    S_PTWR,         /* written through the self map */
    S_PTWR_BAD,
    S_MASK,         /* update_va_mapping with a vcpumask */
#ifdef __i386__
    S_L2,           /* FR_L2A, writable while being filled (new L3) */
#endif
};

/* VAs no L1 of ours covers. */
#define VA_NO_L1        WIN_SLOTS                   /* window + 2 MiB */
#ifdef __i386__
/* Xen's L2 slots 428-511 under L3[3]: the RO M2P and what follows it. */
#define VA_HOLE_START   0xf5800000UL                /* RO M2P */
#define VA_HOLE_END     0xfffff000UL
#define VA_NO_L3        0x40000000UL                /* L3[1], unused */
#else
#define VA_HOLE_START   0xffff800000000000UL        /* RO M2P */
#define VA_HOLE_END     0xffff87fffffff000UL
#define VA_NONCANONICAL 0x0000800000000000UL
#define VA_NO_L3        0x0000200000000000UL        /* L4[64], empty */
#endif

/*
 * Linear page tables: boot L4[LIN_SLOT] := boot L4 read-only. LIN_VA is the
 * VA whose walk takes slot LIN_SLOT at all four levels, i.e. the L4 itself;
 * bit 47 is set (slot >= 256), so bits 63..48 are too. A 32-bit kernel has
 * no linear L3 (X: get_page_from_l3e): boot L2[LIN_SLOT] := boot L2, and
 * LIN_VA takes L3[3], then slot LIN_SLOT twice: the boot L2 itself.
 */
#define LIN_SLOT        300UL
#ifdef __i386__
#define LIN_VA          ((3UL << 30) | (LIN_SLOT << 21) | (LIN_SLOT << 12))
#else
#define LIN_VA          (0xffff000000000000UL | (LIN_SLOT << 39) | \
                         (LIN_SLOT << 30) | (LIN_SLOT << 21) | \
                         (LIN_SLOT << 12))
#endif

/* Addresses a guest cannot pass as a buffer. */
#define BAD_UNMAPPED    0x1000UL
#ifndef __i386__
#define BAD_XEN         0xffff830000000000UL        /* Xen's direct map */
#endif

/* A domid no lab boot has (dom0 is 0, the guests count up). */
#define DOMID_ABSENT    0x1234

/* Pattern stored in FR_DATA. */
#define DATA_WORD       0x5a5a5a5a12345678ULL
#define DATA_WORD2      0x00000000deadbeefULL
#define M2P_SCRATCH     0x12345UL

/*
 * Frames. The first group is ours and free (the top of the P2M); the rest
 * are found at run time or are machine frames that are not ours.
 */
enum frame
{
    FR_NONE,        /* no frame: a PTE of just the flags, an mfn of 0 */
    FR_L1,          /* the window's L1 */
    FR_L1B,         /* an L1 pinned, then unpinned and mapped writable */
    FR_BAD,         /* an L1 candidate holding bad entries */
    FR_L4,          /* a copy of the boot L4 (32-bit: a new L3) */
    FR_DATA,        /* ordinary frames */
    FR_DATA2,
    FR_L2A,         /* linear page tables: three L2s and an L3 */
    FR_L2B,
    FR_L2C,
    FR_L3,
    FR_FREE_END,
    FR_BOOT_L4 = FR_FREE_END,   /* 32-bit: the boot L3 */
    FR_BOOT_L2,
    FR_SHINFO,      /* start_info->shared_info */
    FR_MFN0,        /* machine frame 0 */
    FR_MFN_FFFFF,   /* just below 4 GiB */
    FR_MFN_HUGE,    /* 2^36: beyond any RAM of the lab */
    FR_MFN_INVALID, /* all 40 address bits set (Xen's INVALID_MFN as PTE) */
    FR_NR,
};

static const char *const frame_name[FR_NR] = {
    [FR_NONE] = "none", [FR_L1] = "L1", [FR_L1B] = "L1B", [FR_BAD] = "BAD",
    [FR_L4] = TOP, [FR_DATA] = "DATA", [FR_DATA2] = "DATA2",
    [FR_L2A] = "L2A", [FR_L2B] = "L2B", [FR_L2C] = "L2C", [FR_L3] = "L3",
    [FR_BOOT_L4] = "boot " TOP, [FR_BOOT_L2] = "boot L2",
    [FR_SHINFO] = "shared_info", [FR_MFN0] = "mfn 0",
    [FR_MFN_FFFFF] = "mfn 0xfffff", [FR_MFN_HUGE] = "mfn 2^36",
    [FR_MFN_INVALID] = "mfn 0xffffffffff",
};

static uint64_t frame_mfn[FR_NR];
static unsigned long frame_pfn[FR_NR];     /* ours only */

static const unsigned long *const m2p =
    (const unsigned long *)MACH2PHYS_VIRT_START;

static uint64_t pte(enum frame f, uint64_t flags)
{
    return (frame_mfn[f] << PAGE_SHIFT) | flags;
}

static unsigned long resolve_va(unsigned long v)
{
    return v <= WIN_SLOTS ? WIN_VA + (v << PAGE_SHIFT) : v;
}

static uint64_t *slot_ptr(unsigned int slot)
{
    return (uint64_t *)(WIN_VA + ((unsigned long)slot << PAGE_SHIFT));
}

/* --------------------------------------------------------------- faults */

/*
 * A probe result: 0 (no fault), or FAULT(vector, error code); bit 15 set
 * when vcpu_info.arch.cr2 is not the probed address.
 */
#define FAULT_TAG       ((int64_t)0x7fa0000000000000LL)
#define FAULT_MASK      ((int64_t)0xfff0000000000000ULL)
#define FAULT(vec, ec)  (FAULT_TAG | ((int64_t)(vec) << 16) | (ec))
#define FAULT_CR2_BAD   0x8000L
#define X86_EXC_PF      14
#define PF(ec)          FAULT(X86_EXC_PF, ec)
#define PFEC_PRESENT    0x1
#define PFEC_WRITE      0x2

/* The result of a guarded case that was not run. */
#define NOT_RUN         ((int64_t)0x7fb0000000000000LL)

#ifdef __i386__
/* Xen's 32-bit bounce frame: the error code, eip, cs (and mask), eflags. */
struct pf_frame
{
    unsigned long ec, rip, cs, rflags;
};
#else
struct pf_frame
{
    unsigned long rcx, r11, ec, rip, cs, rflags, rsp, ss;
};
#endif

void pf_handle(struct pf_frame *f);
uint64_t probe_read(const volatile uint64_t *p);
void probe_write(volatile uint64_t *p, uint64_t v);
extern const char probe_read_insn[], probe_read_next[];
extern const char probe_write_insn[], probe_write_next[];
extern const char entry_pf[];

#ifdef __i386__
/*
 * 32-bit: the 8-byte probes are two 4-byte moves (lower half first); a
 * fault on the first resumes after the second, the same page's. Alone:
 * one half, and cmpxchg8b (its ZF as the result).
 */
void probe_write32(volatile uint32_t *p, uint32_t v);
int probe_cmpxchg8b(volatile uint64_t *p, uint64_t old, uint64_t val);
extern const char probe_read_insn2[], probe_write_insn2[];
extern const char probe_write32_insn[], probe_write32_next[];
extern const char probe_cmpxchg8b_insn[], probe_cmpxchg8b_next[];

/*
 * entry_pf: Xen's 32-bit bounce frame (error code, eip, cs, eflags) is on
 * the stack; save the registers, call pf_handle(frame), drop the error code
 * and return through HYPERVISOR_iret, whose stub pushes eax itself onto
 * [eip, cs, eflags] (X: compat_iret).
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl probe_read, probe_read_insn, probe_read_insn2\n"
    "    .globl probe_read_next\n"
    "probe_read:\n"
    "    mov  4(%esp), %ecx\n"
    "    xor  %eax, %eax\n"
    "    xor  %edx, %edx\n"
    "probe_read_insn:\n"
    "    mov  (%ecx), %eax\n"
    "probe_read_insn2:\n"
    "    mov  4(%ecx), %edx\n"
    "probe_read_next:\n"
    "    ret\n"
    "    .globl probe_write, probe_write_insn, probe_write_insn2\n"
    "    .globl probe_write_next\n"
    "probe_write:\n"
    "    mov  4(%esp), %ecx\n"
    "    mov  8(%esp), %eax\n"
    "    mov  12(%esp), %edx\n"
    "probe_write_insn:\n"
    "    mov  %eax, (%ecx)\n"
    "probe_write_insn2:\n"
    "    mov  %edx, 4(%ecx)\n"
    "probe_write_next:\n"
    "    ret\n"
    "    .globl probe_write32, probe_write32_insn, probe_write32_next\n"
    "probe_write32:\n"
    "    mov  4(%esp), %ecx\n"
    "    mov  8(%esp), %eax\n"
    "probe_write32_insn:\n"
    "    mov  %eax, (%ecx)\n"
    "probe_write32_next:\n"
    "    ret\n"
    "    .globl probe_cmpxchg8b, probe_cmpxchg8b_insn\n"
    "    .globl probe_cmpxchg8b_next\n"
    "probe_cmpxchg8b:\n"
    "    push %ebx\n"
    "    push %esi\n"
    "    mov  12(%esp), %esi\n"
    "    mov  16(%esp), %eax\n"
    "    mov  20(%esp), %edx\n"
    "    mov  24(%esp), %ebx\n"
    "    mov  28(%esp), %ecx\n"
    "probe_cmpxchg8b_insn:\n"
    "    lock cmpxchg8b (%esi)\n"
    "probe_cmpxchg8b_next:\n"
    "    sete %al\n"
    "    movzbl %al, %eax\n"
    "    pop  %esi\n"
    "    pop  %ebx\n"
    "    ret\n"
    "    .globl entry_pf\n"
    "    .balign 16\n"
    "entry_pf:\n"
    "    pusha\n"
    "    lea  32(%esp), %eax\n"
    "    push %eax\n"
    "    call pf_handle\n"
    "    add  $4, %esp\n"
    "    popa\n"
    "    add  $4, %esp\n"
    "    jmp  hypercall_page + " STR(__HYPERVISOR_iret) " * 32\n"
    "    .popsection\n"
);
#else

/*
 * The probes: one instruction each, a fault on it resumes at the next.
 * entry_pf: Xen's bounce frame (rcx, r11, error code, rip, cs, rflags, rsp,
 * ss) is on the stack; save what C clobbers, call pf_handle(frame), then
 * return through HYPERVISOR_iret: rcx and r11 back from the frame, the error
 * code dropped, a zero flags word pushed, and the hypercall page's iret stub
 * pushes rcx, r11 and rax itself (pv64-abi.md section 6).
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl probe_read, probe_read_insn, probe_read_next\n"
    "probe_read:\n"
    "    xor  %eax, %eax\n"
    "probe_read_insn:\n"
    "    mov  (%rdi), %rax\n"
    "probe_read_next:\n"
    "    ret\n"
    "    .globl probe_write, probe_write_insn, probe_write_next\n"
    "probe_write:\n"
    "probe_write_insn:\n"
    "    mov  %rsi, (%rdi)\n"
    "probe_write_next:\n"
    "    ret\n"
    "    .globl entry_pf\n"
    "    .balign 16\n"
    "entry_pf:\n"
    GUEST_CALL_C_HANDLER(pf_handle)
    "    pop  %rcx\n"
    "    pop  %r11\n"
    "    add  $8, %rsp\n"
    "    push $0\n"
    "    jmp  hypercall_page + " STR(__HYPERVISOR_iret) " * 32\n"
    "    .popsection\n"
);
#endif

static struct
{
    bool hit;
    unsigned long ec, cr2;
} fault;

/* Mapped at S_SHINFO by a case; until then cr2 is not checked. */
static volatile struct shared_info *shinfo;

void pf_handle(struct pf_frame *f)
{
    unsigned long rip = f->rip;

    if ( rip == (unsigned long)probe_read_insn )
        f->rip = (unsigned long)probe_read_next;
    else if ( rip == (unsigned long)probe_write_insn )
        f->rip = (unsigned long)probe_write_next;
#ifdef __i386__
    else if ( rip == (unsigned long)probe_read_insn2 )
        f->rip = (unsigned long)probe_read_next;
    else if ( rip == (unsigned long)probe_write_insn2 )
        f->rip = (unsigned long)probe_write_next;
    else if ( rip == (unsigned long)probe_write32_insn )
        f->rip = (unsigned long)probe_write32_next;
    else if ( rip == (unsigned long)probe_cmpxchg8b_insn )
        f->rip = (unsigned long)probe_cmpxchg8b_next;
#endif
    else
    {
        xtf_error("Unexpected #PF error %#lx at %016lx cr2 %#lx\n", f->ec,
                  rip, shinfo ? shinfo->vcpu_info[0].arch.cr2 : 0);
        xtf_exit();
    }

    fault.hit = true;
    fault.ec = f->ec;
    fault.cr2 = shinfo ? shinfo->vcpu_info[0].arch.cr2 : ~0UL;
}

static int64_t fault_result(unsigned long va)
{
    int64_t r = PF(fault.ec);

    if ( shinfo && fault.cr2 != va )
        r |= FAULT_CR2_BAD;
    return r;
}

static int64_t try_read(unsigned long va, uint64_t *val)
{
    fault.hit = false;
    *val = probe_read((const volatile uint64_t *)va);
    return fault.hit ? fault_result(va) : 0;
}

static int64_t try_write(unsigned long va, uint64_t val)
{
    fault.hit = false;
    probe_write((volatile uint64_t *)va, val);
    return fault.hit ? fault_result(va) : 0;
}

#ifdef __i386__
/* One 4-byte store; cmpxchg8b: 1 if it stored, 0 if not, or the fault. */
static int64_t try_write32(unsigned long va, uint32_t val)
{
    fault.hit = false;
    probe_write32((volatile uint32_t *)va, val);
    return fault.hit ? fault_result(va) : 0;
}

static int64_t try_cmpxchg8b(unsigned long va, uint64_t old, uint64_t val)
{
    int zf;

    fault.hit = false;
    zf = probe_cmpxchg8b((volatile uint64_t *)va, old, val);
    return fault.hit ? fault_result(va) : zf;
}
#endif

static void pf_init(void)
{
    static trap_info_t traps[2] = {
        { .vector = X86_EXC_PF, .cs = FLAT_KERNEL_CS },
    };
    long rc;

    traps[0].address = (unsigned long)entry_pf;
    rc = hypercall_set_trap_table(traps);
    if ( rc )
        xtf_error("set_trap_table #PF: %ld\n", rc);
}

/* ------------------------------------------------------------ reporting */

static const char *show(char *buf, size_t size, int64_t v)
{
    if ( v == NOT_RUN )
        snprintf(buf, size, "not-run(frame-is-ours)");
    else if ( (v & FAULT_MASK) == FAULT_TAG )
        snprintf(buf, size, "#PF/ec=%#lx%s", (unsigned long)(v & 0x7fff),
                 (v & FAULT_CR2_BAD) ? "/cr2-wrong" : "");
#ifdef __i386__
    else if ( v != (long)v )        /* a PTE: wider than show_value's long */
        snprintf(buf, size, "%#llx", (unsigned long long)v);
#endif
    else
        show_value(buf, size, v);
    return buf;
}


/* One line per check: "case <name>: got X expected Y[ or Z]". */
static void check_either(const char *name, int64_t got, int64_t expected,
                         int64_t alt)
{
    char g[48], e[48], a[48], ea[100];

    show(e, sizeof(e), expected);
    if ( alt )
        snprintf(ea, sizeof(ea), "%s or %s", e, show(a, sizeof(a), alt));
    report_line(name, show(g, sizeof(g), got), alt ? ea : e,
                got == expected || (alt && got == alt));
}

static void check_eq(const char *name, int64_t got, int64_t expected)
{
    check_either(name, got, expected, 0);
}

/* ------------------------------------------------------------ the cases */

enum op
{
    OP_UVM,         /* update_va_mapping(va, pte(frame, flags), cmd) */
    OP_MMU,         /* mmu_update: one entry into table[slot], cmd, fdom */
    OP_EXT,         /* mmuext_op: one op cmd on table (or va = slot) */
    OP_READ,        /* load at va + off: pte(frame, flags), or a fault */
    OP_WRITE,       /* store pte(frame, flags) at va + off */
    OP_ASSIST,      /* vm_assist(cmd, slot) */
    OP_CHECK,       /* fn() prints its own case lines */
};

struct mm_case
{
    const char *name;
    enum op op;
    unsigned int cmd;           /* UVMF_*, MMU_*, MMUEXT_*, VMASST_CMD_* */
    enum frame table;           /* the frame written / the mmuext operand */
    unsigned long slot;         /* entry index, or VA (window slot if small) */
    unsigned int off;           /* probes: byte offset in the page */
    enum frame frame;           /* PTE target; COPY_PAGE source */
    uint64_t flags;             /* PTE flags, or the raw value (FR_NONE) */
    unsigned int fdom;          /* foreigndom */
    bool guard;                 /* not run if its foreign frame is ours */
    int64_t expect;
    int64_t alt;                /* another accepted result, if not 0 */
    void (*fn)(void);
};

#define UVM(n, va, fr, fl, uvmf, e) \
    { n, OP_UVM, .cmd = (uvmf), .slot = (va), .frame = (fr), .flags = (fl), \
      .expect = (e) }
#define MMU_DOM(n, c, tab, idx, fr, fl, dom, e) \
    { n, OP_MMU, .cmd = (c), .table = (tab), .slot = (idx), .frame = (fr), \
      .flags = (fl), .fdom = (dom), .expect = (e) }
#define MMU(n, c, tab, idx, fr, fl, e) \
    MMU_DOM(n, c, tab, idx, fr, fl, DOMID_SELF, e)
#define EXT_DOM(n, c, tab, dom, e) \
    { n, OP_EXT, .cmd = (c), .table = (tab), .fdom = (dom), .expect = (e) }
#define EXT(n, c, tab, e)       EXT_DOM(n, c, tab, DOMID_SELF, e)
#define EXT_VA(n, c, va, e) \
    { n, OP_EXT, .cmd = (c), .slot = (va), .fdom = DOMID_SELF, .expect = (e) }
#define EXT_COPY(n, dst, src, e) \
    { n, OP_EXT, .cmd = MMUEXT_COPY_PAGE, .table = (dst), .frame = (src), \
      .fdom = DOMID_SELF, .expect = (e) }
#define READ(n, va, o, fr, fl) \
    { n, OP_READ, .slot = (va), .off = (o), .frame = (fr), .flags = (fl) }
#define READ_FAULT(n, va, o, e) \
    { n, OP_READ, .slot = (va), .off = (o), .expect = (e) }
#define WRITE(n, va, o, fr, fl, e) \
    { n, OP_WRITE, .slot = (va), .off = (o), .frame = (fr), .flags = (fl), \
      .expect = (e) }
#define ASSIST(n, c, e) \
    { n, OP_ASSIST, .cmd = (c), .slot = VMASST_TYPE_writable_pagetables, \
      .expect = (e) }
#define CHECK(n, f)             { n, OP_CHECK, .fn = (f) }

/* A case that would write a frame meant to be foreign, guarded. */
#define MMU_GUARD(n, c, tab, idx, fr, fl, e) \
    { n, OP_MMU, .cmd = (c), .table = (tab), .slot = (idx), .frame = (fr), \
      .flags = (fl), .fdom = DOMID_SELF, .guard = true, .expect = (e) }
#define EXT_GUARD(n, c, tab, e) \
    { n, OP_EXT, .cmd = (c), .table = (tab), .fdom = DOMID_SELF, \
      .guard = true, .expect = (e) }

/* ------------------------------------------------------------ checks */

/* The L1 entry of a window slot, read through the read-only self map. */
static uint64_t win_l1e(unsigned int slot)
{
    return slot_ptr(S_SELF)[slot];
}

static void check_win_hooked(void)
{
    const uint64_t *l2 = (const uint64_t *)
        (GUEST_VIRT_BASE + (frame_pfn[FR_BOOT_L2] << PAGE_SHIFT));

    /* L2 entries get US added (X: adjust_guest_l2e), a 32-bit guest's not. */
    check_eq(W64_32("boot L2[256] reads back as L1 | P|RW|US|A",
                    "boot L2[256] reads back as L1 | P|RW|A"),
             l2[WIN_L2_SLOT], pte(FR_L1, TABLE_FLAGS | PTE_L2ADJ));
}

static void check_shinfo_map(void)
{
    shinfo = (volatile struct shared_info *)slot_ptr(S_SHINFO);
    check_eq("shared_info vcpu_info[0].evtchn_upcall_mask (through map)",
             shinfo->vcpu_info[0].evtchn_upcall_mask, 1);
}

static void check_preserve_ad(void)
{
    check_eq("L1[DATA] A/D after PRESERVE_AD update without them",
             win_l1e(S_DATA) & (PTE_A | PTE_D), PTE_A | PTE_D);
}

static void check_normal_ad(void)
{
    check_eq("L1[DATA] A/D after NORMAL update without them",
             win_l1e(S_DATA) & (PTE_A | PTE_D), 0);
}

static void check_m2p_scratch(void)
{
    check_eq("RO M2P[DATA] after MACHPHYS_UPDATE",
             m2p[frame_mfn[FR_DATA]], M2P_SCRATCH);
}

static void check_m2p_restored(void)
{
    check_eq("RO M2P[DATA] restored", m2p[frame_mfn[FR_DATA]],
             frame_pfn[FR_DATA]);
}

/* Three L1 entries, the middle one with PWT: it stops there. */
static void check_mmu_batch(void)
{
    unsigned long base = pte(FR_L1, 0);
    mmu_update_t req[3] = {
        { base + S_BATCH0 * 8, pte(FR_DATA, KERNEL_RO) },
        { base + S_BATCH1 * 8, pte(FR_DATA, KERNEL_RO | PTE_PWT) },
        { base + S_BATCH2 * 8, pte(FR_DATA, KERNEL_RO) },
    };
    unsigned int done = 0xdead;

    check_eq("mmu_update batch of 3, [1] has PWT",
             hypercall_mmu_update(req, 3, &done, DOMID_SELF), -XEN_EINVAL);
    check_eq("mmu_update batch of 3, [1] has PWT: *pdone", done, 1);
    check_eq("mmu_update batch of 3: [0] written",
             win_l1e(S_BATCH0), pte(FR_DATA, KERNEL_RO | PTE_KADJ));
    check_eq("mmu_update batch of 3: [2] not written", win_l1e(S_BATCH2), 0);

    /* Undo [0]; nothing has touched it, so no flush is needed. */
    req[0].val = 0;
    check_eq("mmu_update batch [0] cleared",
             hypercall_mmu_update(req, 1, &done, DOMID_SELF), 0);
    check_eq("mmu_update batch [0] cleared: *pdone", done, 1);
}

/*
 * A batch of two whose request array runs off the end of a mapped page: [0]
 * in the last 16 bytes of DATA (mapped writable at slot S_DATA), [1] at the
 * start of slot S_DATA_RO, unmapped here. X: do_mmu_update copies one
 * request at a time, so [0] is applied before [1] faults.
 */
#define CROSS_OFF       (GUEST_PAGE_SIZE - sizeof(mmu_update_t))

static void check_mmu_cross(void)
{
    mmu_update_t *req = (mmu_update_t *)(resolve_va(S_DATA) + CROSS_OFF);
    unsigned int done = 0xdead;
    mmu_update_t undo = { pte(FR_L1, 0) + S_BATCH0 * 8, 0 };

    check_eq("mmu_update crossing batch: next page unmapped",
             win_l1e(S_DATA_RO), 0);
    req->ptr = pte(FR_L1, 0) + S_BATCH0 * 8;
    req->val = pte(FR_DATA, KERNEL_RO);
    check_eq("mmu_update batch of 2, [1] on an unmapped page",
             hypercall_mmu_update(req, 2, &done, DOMID_SELF), -XEN_EFAULT);
    check_eq("mmu_update batch of 2, [1] on an unmapped page: *pdone",
             done, 1);
    check_eq("mmu_update batch of 2, [1] on an unmapped page: [0] written",
             win_l1e(S_BATCH0), pte(FR_DATA, KERNEL_RO | PTE_KADJ));

    req->ptr = req->val = 0;
    check_eq("mmu_update crossing batch [0] cleared",
             hypercall_mmu_update(&undo, 1, NULL, DOMID_SELF), 0);
}

/*
 * A long batch with a timer already due: the hypervisor may stop part-way
 * to take the event and continue the call by itself (-ERESTART / a
 * continuation with MMU_UPDATE_PREEMPTED); the guest sees one call that did
 * everything and a *pdone of the whole count.
 */
#define LONG_BATCH 4096
static mmu_update_t long_batch[LONG_BATCH];

static void check_mmu_long_batch(void)
{
    unsigned int done = 0xdead;

    for ( unsigned int i = 0; i < LONG_BATCH; i++ )
    {
        long_batch[i].ptr = ((uint64_t)frame_mfn[FR_DATA] << 12) | MMU_MACHPHYS_UPDATE;
        long_batch[i].val = i + 1 < LONG_BATCH ? 0x1000 + i : frame_pfn[FR_DATA];
    }
    /* A one-shot timer 1 ns after boot: long past, so it fires at once. */
    hypercall_raw(__HYPERVISOR_set_timer_op, 1, 0, 0, 0, 0);
    check_eq("mmu_update 4096 MACHPHYS with a timer due",
             hypercall_mmu_update(long_batch, LONG_BATCH, &done, DOMID_SELF), 0);
    check_eq("mmu_update 4096 MACHPHYS with a timer due: *pdone", done, LONG_BATCH);
    check_eq("mmu_update 4096 MACHPHYS: the last one stands", m2p[frame_mfn[FR_DATA]],
             frame_pfn[FR_DATA]);
}

static void check_mmu_count0(void)
{
    mmu_update_t req = { 0 };
    unsigned int done = 0xdead;

    check_eq("mmu_update count 0",
             hypercall_mmu_update(&req, 0, &done, DOMID_SELF), 0);
    check_eq("mmu_update count 0: *pdone", done, 0);
}

static void check_mmu_bad_ptr(void)
{
    unsigned int done = 0xdead;

    check_eq("mmu_update, requests unmapped",
             hypercall_mmu_update((const mmu_update_t *)BAD_UNMAPPED, 1,
                                  &done, DOMID_SELF), -XEN_EFAULT);
    check_eq("mmu_update, requests unmapped: *pdone", done, 0);
#ifndef __i386__
    /*
     * A 32-bit guest has no such address: all of Xen's 64-bit range is above
     * its 4 GiB, and what Xen maps below (the RO M2P) is readable.
     */
    done = 0xdead;
    check_eq("mmu_update, requests in Xen",
             hypercall_mmu_update((const mmu_update_t *)BAD_XEN, 1,
                                  &done, DOMID_SELF), -XEN_EFAULT);
    check_eq("mmu_update, requests in Xen: *pdone (untouched)", done, 0xdead);
#endif
}

/* FLUSH_CACHE fails for a domU: the batch stops at [1]. */
static void check_ext_batch(void)
{
    mmuext_op_t op[3] = {
        { .cmd = MMUEXT_TLB_FLUSH_LOCAL },
        { .cmd = MMUEXT_FLUSH_CACHE },
        { .cmd = MMUEXT_TLB_FLUSH_LOCAL },
    };
    unsigned int done = 0xdead;

    check_eq("mmuext_op batch of 3, [1] FLUSH_CACHE",
             hypercall_mmuext_op(op, 3, &done, DOMID_SELF), -XEN_EACCES);
    check_eq("mmuext_op batch of 3, [1] FLUSH_CACHE: *pdone", done, 1);

    done = 0xdead;
    check_eq("mmuext_op batch of 3 flushes",
             hypercall_mmuext_op(op, 1, &done, DOMID_SELF), 0);
    check_eq("mmuext_op batch of 1 flush: *pdone", done, 1);

    done = 0xdead;
    check_eq("mmuext_op count 0", hypercall_mmuext_op(op, 0, &done,
                                                      DOMID_SELF), 0);
    /*
     * 32-bit: compat_mmuext_op (X: x86_64/compat/mm.c) calls do_mmuext_op,
     * which writes *pdone, once per chunk of a "for ( ; count; ... )" loop:
     * with count 0 never.
     */
    check_eq("mmuext_op count 0: *pdone", done, W64_32(0, 0xdead));

    done = 0xdead;
    check_eq("mmuext_op, ops unmapped",
             hypercall_mmuext_op((const mmuext_op_t *)BAD_UNMAPPED, 1, &done,
                                 DOMID_SELF), -XEN_EFAULT);
    check_eq("mmuext_op, ops unmapped: *pdone", done, 0);
}

static void check_ext_multi(void)
{
    static unsigned long vcpu0 = 1;
    mmuext_op_t op = { .cmd = MMUEXT_TLB_FLUSH_MULTI };

    set_xen_guest_handle(op.arg2.vcpumask, &vcpu0);
    check_eq("mmuext_op TLB_FLUSH_MULTI vcpu 0",
             hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
    op.cmd = MMUEXT_INVLPG_MULTI;
    op.arg1.linear_addr = resolve_va(S_DATA);
    check_eq("mmuext_op INVLPG_MULTI vcpu 0",
             hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
    set_xen_guest_handle(op.arg2.vcpumask, (void *)BAD_UNMAPPED);
    check_eq("mmuext_op INVLPG_MULTI, vcpumask unmapped",
             hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
}

/* The flush after a successful update: a bad vcpumask fails it late. */
static void check_uvm_vcpumask(void)
{
    static unsigned long vcpu0 = 1;
    unsigned long va = resolve_va(S_MASK);
    uint64_t val;

    check_eq("update_va_mapping DATA RO, INVLPG vcpumask {0}",
             hypercall_update_va_mapping(va, pte(FR_DATA, KERNEL_RO),
                                         (unsigned long)&vcpu0 | UVMF_INVLPG),
             0);
    check_eq("update_va_mapping 0, TLB_FLUSH vcpumask unmapped",
             hypercall_update_va_mapping(va, 0,
                                         BAD_UNMAPPED | UVMF_TLB_FLUSH),
             -XEN_EFAULT);
    check_eq("... the entry was cleared all the same", win_l1e(S_MASK), 0);
    check_eq("... and a read through it faults", try_read(va, &val), PF(0));
}

#ifdef __i386__
/*
 * A new L3 in FR_L4 (mapped writable at S_L4): slots 0-2 of the boot L3,
 * slot 3 a new L2, FR_L2A (mapped writable at S_L2), holding the guest
 * slots 0-427 of the boot L2. Its own slot 3 must be an L2 no other L3 has
 * (X: mm.c create_pae_xen_mappings, "PAE L3 3rd slot is shared").
 */
static void check_fill_l3(void)
{
    const uint64_t *boot = (const uint64_t *)start_info->pt_base;
    const uint64_t *boot_l2 = (const uint64_t *)
        (GUEST_VIRT_BASE + (frame_pfn[FR_BOOT_L2] << PAGE_SHIFT));
    uint64_t *l3 = slot_ptr(S_L4), *l2 = slot_ptr(S_L2);
    unsigned int i;

    for ( i = 0; i < 428; i++ )
        l2[i] = boot_l2[i];
    for ( i = 0; i < 3; i++ )
        l3[i] = boot[i];
    l3[3] = pte(FR_L2A, PTE_P);
    check_eq("L3 copy: the boot L3's slot 3 present", boot[3] & PTE_P, PTE_P);
    check_eq("L2 copy: the window's slot present",
             l2[WIN_L2_SLOT], pte(FR_L1, TABLE_FLAGS));
}
#else
/* Copy the boot L4's guest slots into FR_L4 (mapped writable at S_L4). */
static void check_fill_l4(void)
{
    const unsigned long *boot = (const unsigned long *)start_info->pt_base;
    unsigned long *l4 = slot_ptr(S_L4);
    unsigned int i, n = 0;

    for ( i = 0; i < ENTRIES; i++ )
    {
        if ( i >= 256 && i < 272 )
            continue;
        l4[i] = boot[i];
        n += !!(boot[i] & PTE_P);
    }
    check_eq("L4 copy: present guest slots of the boot L4", n, 1);
}
#endif

/* On the new L4: our code runs, the RO M2P is there (fill_ro_mpt). */
static void check_on_new_l4(void)
{
    check_eq("on the new " TOP ": RO M2P[DATA]", m2p[frame_mfn[FR_DATA]],
             frame_pfn[FR_DATA]);
    check_eq("on the new " TOP ": window still mapped (L1 self entry)",
             win_l1e(S_SELF), pte(FR_L1, KERNEL_RO | PTE_KADJ));
}

static void check_data2_copied(void)
{
    check_eq("DATA2 word 0 after COPY_PAGE from DATA",
             slot_ptr(S_DATA2)[0], DATA_WORD);
    check_eq("DATA2 word 1 after COPY_PAGE from DATA",
             slot_ptr(S_DATA2)[1], DATA_WORD2);
}

static void check_data2_cleared(void)
{
    check_eq("DATA2 word 0 after CLEAR_PAGE", slot_ptr(S_DATA2)[0], 0);
}

static void check_data2_l1_copy(void)
{
    check_eq("DATA2 word 0 after COPY_PAGE from L1 (the self entry)",
             slot_ptr(S_DATA2)[0], pte(FR_L1, KERNEL_RO | PTE_KADJ));
}

static void check_ptwr_entry(void)
{
    check_eq("ptwr: L1[PTWR] reads back adjusted",
             win_l1e(S_PTWR), pte(FR_DATA, KERNEL_RO | PTE_KADJ));
}

static void check_ptwr_bad_entry(void)
{
    check_eq("ptwr: L1[PTWR_BAD] still empty", win_l1e(S_PTWR_BAD), 0);
}

#ifdef __i386__
/*
 * A 32-bit guest's PTE stores: 4-byte halves, or cmpxchg8b (X:
 * pv/ro-page-fault.c ptwr_emulated_update: a half is merged with the other
 * half of the entry; an upper-half store that makes a present entry Xen
 * refuses is stored with P cleared, the guest assumed to write the lower
 * half next). L1[PTWR] is empty here.
 */
static void check_ptwr_pae(void)
{
    unsigned long lo = (unsigned long)&slot_ptr(S_SELF)[S_PTWR];
    uint64_t good = pte(FR_DATA, KERNEL_RO);
    uint64_t bad = good | (1ULL << 48);    /* mfn + 2^36: not RAM */

    check_eq("ptwr lower-half store: DATA read-only",
             try_write32(lo, (uint32_t)good), 0);
    check_eq("ptwr lower-half store: the entry", win_l1e(S_PTWR), good);
    check_eq("ptwr upper-half store making mfn + 2^36 (no fault)",
             try_write32(lo + 4, (uint32_t)(bad >> 32)), 0);
    check_eq("ptwr upper-half store: stored with P cleared",
             win_l1e(S_PTWR), bad & ~PTE_P);
    check_eq("ptwr cmpxchg8b, stale old value: not stored",
             try_cmpxchg8b(lo, good, 0), 0);
    check_eq("ptwr cmpxchg8b to 0", try_cmpxchg8b(lo, bad & ~PTE_P, 0), 1);
    check_eq("ptwr cmpxchg8b to 0: the entry", win_l1e(S_PTWR), 0);
}
#endif

/* ptwr emulates stores into L1s only: an L2 store faults (same value). */
static void check_ptwr_l2(void)
{
    unsigned long va = GUEST_VIRT_BASE +
        (frame_pfn[FR_BOOT_L2] << PAGE_SHIFT) + (WIN_L2_SLOT + 1) * 8;

    check_eq("ptwr store into the boot L2 via its RO map (same value)",
             try_write(va, 0), PF(PFEC_PRESENT | PFEC_WRITE));
}

/* Before shared_info goes: the #PF handler must not read it any more. */
static void forget_shinfo(void)
{
    shinfo = NULL;
}

static const struct mm_case cases[] = {
    /* 1. The window: a fresh L1, pinned, hooked into the boot L2. */
    EXT("mmuext CLEAR_PAGE L1", MMUEXT_CLEAR_PAGE, FR_L1, 0),
    EXT("mmuext PIN_L1_TABLE L1 (all empty)", MMUEXT_PIN_L1_TABLE, FR_L1, 0),
    EXT("mmuext PIN_L1_TABLE L1 again", MMUEXT_PIN_L1_TABLE, FR_L1,
        -XEN_EINVAL),
    EXT("mmuext PIN_L2_TABLE L1 (typed L1)", MMUEXT_PIN_L2_TABLE, FR_L1,
        -XEN_EINVAL),
    MMU("mmu_update boot L2[256] := L1 (hook the window)",
        MMU_NORMAL_PT_UPDATE, FR_BOOT_L2, WIN_L2_SLOT, FR_L1, TABLE_FLAGS, 0),
    CHECK("boot L2 entry", check_win_hooked),
    MMU("mmu_update L1[0] := L1 read-only (self map)",
        MMU_NORMAL_PT_UPDATE, FR_L1, S_SELF, FR_L1, KERNEL_RO, 0),
    READ("read L1[0] through the self map", S_SELF, 0,
         FR_L1, KERNEL_RO | PTE_KADJ),
    MMU("mmu_update L1[1] := L1 writable", MMU_NORMAL_PT_UPDATE,
        FR_L1, 1, FR_L1, KERNEL_RW, -XEN_EBUSY),

    /* 2. update_va_mapping: good mappings. */
    UVM("update_va_mapping shared_info writable",
        S_SHINFO, FR_SHINFO, KERNEL_RW, UVMF_INVLPG | UVMF_LOCAL, 0),
    CHECK("shared_info mapped", check_shinfo_map),
    EXT("mmuext CLEAR_PAGE DATA", MMUEXT_CLEAR_PAGE, FR_DATA, 0),
    UVM("update_va_mapping DATA writable, INVLPG",
        S_DATA, FR_DATA, KERNEL_RW, UVMF_INVLPG | UVMF_LOCAL, 0),
    READ("read DATA (cleared)", S_DATA, 0, FR_NONE, 0),
    WRITE("write DATA word 0", S_DATA, 0, FR_NONE, DATA_WORD, 0),
    WRITE("write DATA word 1", S_DATA, 8, FR_NONE, DATA_WORD2, 0),
    UVM("update_va_mapping DATA read-only, TLB_FLUSH",
        S_DATA_RO, FR_DATA, KERNEL_RO, UVMF_TLB_FLUSH | UVMF_LOCAL, 0),
    READ("read DATA word 0 through the RO map", S_DATA_RO, 0,
         FR_NONE, DATA_WORD),
    WRITE("write through the RO map", S_DATA_RO, 0, FR_NONE, 1,
          PF(PFEC_PRESENT | PFEC_WRITE)),
    UVM("update_va_mapping DATA RO, TLB_FLUSH ALL",
        S_DATA_RO, FR_DATA, KERNEL_RO, UVMF_TLB_FLUSH | UVMF_ALL, 0),
    UVM("update_va_mapping DATA RO, flags 0 (no flush)",
        S_DATA_RO, FR_DATA, KERNEL_RO, UVMF_NONE, 0),
    UVM("update_va_mapping unmap DATA RO, INVLPG",
        S_DATA_RO, FR_NONE, 0, UVMF_INVLPG | UVMF_LOCAL, 0),
    READ_FAULT("read after unmap", S_DATA_RO, 0, PF(0)),
    CHECK("update_va_mapping with a vcpumask", check_uvm_vcpumask),

    /* 3. update_va_mapping: refused. */
    UVM("update_va_mapping VA hole start", VA_HOLE_START,
        FR_DATA, KERNEL_RO, UVMF_INVLPG, -XEN_EINVAL),
    UVM("update_va_mapping VA hole end", VA_HOLE_END,
        FR_DATA, KERNEL_RO, UVMF_INVLPG, -XEN_EINVAL),
#ifndef __i386__
    UVM("update_va_mapping VA non-canonical", VA_NONCANONICAL,
        FR_DATA, KERNEL_RO, UVMF_INVLPG, -XEN_EINVAL),
#endif
    UVM("update_va_mapping VA with no L1", VA_NO_L1,
        FR_DATA, KERNEL_RO, UVMF_INVLPG, -XEN_EINVAL),
    UVM("update_va_mapping VA with no L3", VA_NO_L3,
        FR_DATA, KERNEL_RO, UVMF_INVLPG, -XEN_EINVAL),
    UVM("update_va_mapping PWT", S_DATA_RO,
        FR_DATA, KERNEL_RO | PTE_PWT, UVMF_INVLPG, -XEN_EINVAL),
    UVM("update_va_mapping PCD", S_DATA_RO,
        FR_DATA, KERNEL_RO | PTE_PCD, UVMF_INVLPG, -XEN_EINVAL),
    UVM("update_va_mapping PAT", S_DATA_RO,
        FR_DATA, KERNEL_RO | PTE_PAT, UVMF_INVLPG, -XEN_EINVAL),
    UVM("update_va_mapping G (allowed)", S_DATA_RO,
        FR_DATA, KERNEL_RO | PTE_G, UVMF_INVLPG, 0),
    UVM("update_va_mapping user page (US)", S_DATA_RO,
        FR_DATA, KERNEL_RO | PTE_US, UVMF_INVLPG, 0),
    UVM("update_va_mapping bit 62 (avail, allowed)", S_DATA_RO,
        FR_DATA, KERNEL_RO | (1ULL << 62), UVMF_INVLPG, 0),
    UVM("update_va_mapping unmap", S_DATA_RO,
        FR_NONE, 0, UVMF_INVLPG, 0),
    UVM("update_va_mapping mfn 0", S_DATA_RO,
        FR_MFN0, KERNEL_RO, UVMF_INVLPG, -XEN_EPERM),
    UVM("update_va_mapping mfn 0xfffff", S_DATA_RO,
        FR_MFN_FFFFF, KERNEL_RO, UVMF_INVLPG, -XEN_EPERM),
    UVM("update_va_mapping mfn 2^36", S_DATA_RO,
        FR_MFN_HUGE, KERNEL_RO, UVMF_INVLPG, -XEN_EPERM),
    UVM("update_va_mapping mfn 0xffffffffff", S_DATA_RO,
        FR_MFN_INVALID, KERNEL_RO, UVMF_INVLPG, -XEN_EINVAL),
    UVM("update_va_mapping L1 writable", S_DATA_RO,
        FR_L1, KERNEL_RW, UVMF_INVLPG, -XEN_EBUSY),
    UVM("update_va_mapping boot " TOP " writable", S_DATA_RO,
        FR_BOOT_L4, KERNEL_RW, UVMF_INVLPG, -XEN_EBUSY),
    UVM("update_va_mapping boot L2 writable", S_DATA_RO,
        FR_BOOT_L2, KERNEL_RW, UVMF_INVLPG, -XEN_EBUSY),
    UVM("update_va_mapping boot " TOP " read-only", S_DATA_RO,
        FR_BOOT_L4, KERNEL_RO, UVMF_INVLPG, 0),
    UVM("update_va_mapping unmap boot " TOP, S_DATA_RO,
        FR_NONE, 0, UVMF_INVLPG, 0),

    /* 4. mmu_update. */
    MMU("mmu_update L1[DATA] := DATA RW|A|D (same)", MMU_NORMAL_PT_UPDATE,
        FR_L1, S_DATA, FR_DATA, KERNEL_RW, 0),
    MMU("mmu_update PRESERVE_AD L1[DATA] := DATA P|RW",
        MMU_PT_UPDATE_PRESERVE_AD, FR_L1, S_DATA, FR_DATA, PTE_P | PTE_RW, 0),
    CHECK("PRESERVE_AD", check_preserve_ad),
    MMU("mmu_update NORMAL L1[DATA] := DATA P|RW", MMU_NORMAL_PT_UPDATE,
        FR_L1, S_DATA, FR_DATA, PTE_P | PTE_RW, 0),
    CHECK("NORMAL", check_normal_ad),
    MMU("mmu_update NO_TRANSLATE L1[DATA] := DATA RW|A|D",
        MMU_PT_UPDATE_NO_TRANSLATE, FR_L1, S_DATA, FR_DATA, KERNEL_RW, 0),
    EXT_VA("mmuext INVLPG_LOCAL DATA after the updates", MMUEXT_INVLPG_LOCAL,
           S_DATA, 0),
    READ("read DATA word 0 after the updates", S_DATA, 0,
         FR_NONE, DATA_WORD),
    MMU("mmu_update MACHPHYS DATA := 0x12345", MMU_MACHPHYS_UPDATE,
        FR_DATA, 0, FR_NONE, M2P_SCRATCH, 0),
    CHECK("M2P", check_m2p_scratch),
    MMU("mmu_update MACHPHYS DATA := its pfn", MMU_MACHPHYS_UPDATE,
        FR_DATA, 0, FR_DATA, 0, 0),
    CHECK("M2P", check_m2p_restored),
    MMU_GUARD("mmu_update MACHPHYS mfn 0", MMU_MACHPHYS_UPDATE,
        FR_MFN0, 0, FR_NONE, 0, -XEN_EINVAL),
    MMU("mmu_update MACHPHYS mfn 2^36", MMU_MACHPHYS_UPDATE,
        FR_MFN_HUGE, 0, FR_NONE, 0, -XEN_EINVAL),
    CHECK("batch", check_mmu_batch),
    CHECK("batch across a page", check_mmu_cross),
    CHECK("long batch", check_mmu_long_batch),
    CHECK("count 0", check_mmu_count0),
    CHECK("bad request pointer", check_mmu_bad_ptr),
    MMU("mmu_update cmd 4 (ptr & 7 == 4)", 4,
        FR_L1, S_BATCH0, FR_DATA, KERNEL_RO, -XEN_ENOSYS),
    MMU("mmu_update cmd 7 (ptr & 7 == 7)", 7,
        FR_L1, S_BATCH0, FR_DATA, KERNEL_RO, -XEN_ENOSYS),
    MMU_DOM("mmu_update foreigndom DOMID_SELF", MMU_NORMAL_PT_UPDATE,
            FR_L1, S_BATCH0, FR_DATA, KERNEL_RO, DOMID_SELF, 0),
    /*
     * Naming dom0: L0 has one, and XSM refuses us (-EPERM); inside a shim
     * there is none (-ESRCH: what Debian's xen-shim gives).
     */
    { "mmu_update foreigndom 0", OP_MMU, .cmd = MMU_NORMAL_PT_UPDATE,
      .table = FR_L1, .slot = S_BATCH0, .frame = FR_DATA, .flags = KERNEL_RO,
      .fdom = 0, .expect = -XEN_EPERM, .alt = -XEN_ESRCH },
    MMU_DOM("mmu_update foreigndom 0x1234", MMU_NORMAL_PT_UPDATE,
            FR_L1, S_BATCH0, FR_DATA, KERNEL_RO, DOMID_ABSENT, -XEN_ESRCH),
    MMU_DOM("mmu_update foreigndom DOMID_IO", MMU_NORMAL_PT_UPDATE,
            FR_L1, S_BATCH0, FR_DATA, KERNEL_RO, DOMID_IO, 0),
    { "mmu_update pt owner dom0 (foreigndom 1 << 16 | SELF)", OP_MMU,
      .cmd = MMU_NORMAL_PT_UPDATE, .table = FR_L1, .slot = S_BATCH0,
      .frame = FR_DATA, .flags = KERNEL_RO, .fdom = (1U << 16) | DOMID_SELF,
      .expect = -XEN_EPERM, .alt = -XEN_ESRCH },
    MMU("mmu_update L1[BATCH0] := 0", MMU_NORMAL_PT_UPDATE,
        FR_L1, S_BATCH0, FR_NONE, 0, 0),
#ifdef __i386__
    /*
     * X: mm.c mod_l3_entry, "Disallow updates to final L3 slot" (any slot
     * >= 3 of a 32-bit guest's L3); mod_l2_entry, is_guest_l2_slot: a
     * PGT_pae_xen_l2's slots from COMPAT_L2_PAGETABLE_FIRST_XEN_SLOT (428).
     */
    MMU("mmu_update boot L3[3] (Xen's L2)", MMU_NORMAL_PT_UPDATE,
        FR_BOOT_L4, 3, FR_NONE, 0, -XEN_EINVAL),
    MMU("mmu_update boot L3[4] (past the four)", MMU_NORMAL_PT_UPDATE,
        FR_BOOT_L4, 4, FR_NONE, 0, -XEN_EINVAL),
    MMU("mmu_update boot L2[428] (Xen slot: RO M2P)", MMU_NORMAL_PT_UPDATE,
        FR_BOOT_L2, 428, FR_NONE, 0, -XEN_EPERM),
    MMU("mmu_update boot L2[511] (Xen slot)", MMU_NORMAL_PT_UPDATE,
        FR_BOOT_L2, 511, FR_NONE, 0, -XEN_EPERM),
#else
    MMU("mmu_update boot L4[256] (Xen slot)", MMU_NORMAL_PT_UPDATE,
        FR_BOOT_L4, 256, FR_NONE, 0, -XEN_EINVAL),
    MMU("mmu_update boot L4[271] (Xen slot)", MMU_NORMAL_PT_UPDATE,
        FR_BOOT_L4, 271, FR_NONE, 0, -XEN_EINVAL),
#endif
    MMU("mmu_update boot L2[257] := DATA with PSE", MMU_NORMAL_PT_UPDATE,
        FR_BOOT_L2, WIN_L2_SLOT + 1, FR_DATA, TABLE_FLAGS | PTE_PSE,
        -XEN_EINVAL),
    MMU("mmu_update boot L2[257] := DATA (mapped writable)",
        MMU_NORMAL_PT_UPDATE, FR_BOOT_L2, WIN_L2_SLOT + 1, FR_DATA,
        TABLE_FLAGS, -XEN_EINVAL),
    MMU("mmu_update DATA word 1 (not a page table: plain store)",
        MMU_NORMAL_PT_UPDATE, FR_DATA, 1, FR_NONE, 0xcafe, 0),
    READ("read DATA word 1", S_DATA, 8, FR_NONE, 0xcafe),
    MMU("mmu_update DATA word 1 back", MMU_NORMAL_PT_UPDATE,
        FR_DATA, 1, FR_NONE, DATA_WORD2, 0),
    MMU_GUARD("mmu_update into mfn 0", MMU_NORMAL_PT_UPDATE,
        FR_MFN0, 0, FR_NONE, 0, -XEN_EINVAL),
    MMU("mmu_update into shared_info", MMU_NORMAL_PT_UPDATE,
        FR_SHINFO, 511, FR_NONE, 0, 0),

    /* 5. mmuext_op: pins and types. */
    EXT("mmuext PIN_L1_TABLE DATA (mapped writable)", MMUEXT_PIN_L1_TABLE,
        FR_DATA, -XEN_EINVAL),
    EXT("mmuext UNPIN_TABLE DATA (not pinned)", MMUEXT_UNPIN_TABLE,
        FR_DATA, -XEN_EINVAL),
    EXT_GUARD("mmuext PIN_L1_TABLE mfn 0", MMUEXT_PIN_L1_TABLE,
        FR_MFN0, -XEN_EINVAL),
    EXT("mmuext CLEAR_PAGE BAD", MMUEXT_CLEAR_PAGE, FR_BAD, 0),
    UVM("update_va_mapping BAD writable (1)", S_BAD,
        FR_BAD, KERNEL_RW, UVMF_INVLPG, 0),
    WRITE("write BAD[0] := DATA with PWT", S_BAD, 0,
          FR_DATA, KERNEL_RO | PTE_PWT, 0),
    UVM("update_va_mapping unmap BAD (1)", S_BAD, FR_NONE, 0, UVMF_INVLPG, 0),
    EXT("mmuext PIN_L1_TABLE BAD (entry with PWT)", MMUEXT_PIN_L1_TABLE,
        FR_BAD, -XEN_EINVAL),
    UVM("update_va_mapping BAD writable (2)", S_BAD,
        FR_BAD, KERNEL_RW, UVMF_INVLPG, 0),
    WRITE("write BAD[0] := L1 writable", S_BAD, 0, FR_L1, KERNEL_RW, 0),
    UVM("update_va_mapping unmap BAD (2)", S_BAD, FR_NONE, 0, UVMF_INVLPG, 0),
    EXT("mmuext PIN_L1_TABLE BAD (entry maps an L1 writable)",
        MMUEXT_PIN_L1_TABLE, FR_BAD, -XEN_EBUSY),
    UVM("update_va_mapping BAD writable (3)", S_BAD,
        FR_BAD, KERNEL_RW, UVMF_INVLPG, 0),
    WRITE("write BAD[0] := mfn 2^36", S_BAD, 0, FR_MFN_HUGE, KERNEL_RO, 0),
    UVM("update_va_mapping unmap BAD (3)", S_BAD, FR_NONE, 0, UVMF_INVLPG, 0),
    EXT("mmuext PIN_L1_TABLE BAD (entry maps mfn 2^36)",
        MMUEXT_PIN_L1_TABLE, FR_BAD, -XEN_EPERM),
    UVM("update_va_mapping BAD writable (4)", S_BAD,
        FR_BAD, KERNEL_RW, UVMF_INVLPG, 0),
    WRITE("write BAD[0] := DATA read-only", S_BAD, 0, FR_DATA, KERNEL_RO, 0),
    UVM("update_va_mapping unmap BAD (4)", S_BAD, FR_NONE, 0, UVMF_INVLPG, 0),
    EXT("mmuext PIN_L1_TABLE BAD (now good)", MMUEXT_PIN_L1_TABLE, FR_BAD, 0),
    UVM("update_va_mapping BAD (pinned L1) writable", S_BAD,
        FR_BAD, KERNEL_RW, UVMF_INVLPG, -XEN_EBUSY),
    EXT("mmuext PIN_L2_TABLE BAD (typed L1)", MMUEXT_PIN_L2_TABLE,
        FR_BAD, -XEN_EINVAL),
    EXT("mmuext UNPIN_TABLE BAD", MMUEXT_UNPIN_TABLE, FR_BAD, 0),
    EXT("mmuext PIN_L2_TABLE BAD (L1 entry as L2: DATA as an L1)",
        MMUEXT_PIN_L2_TABLE, FR_BAD, -XEN_EINVAL),

    EXT("mmuext CLEAR_PAGE L1B", MMUEXT_CLEAR_PAGE, FR_L1B, 0),
    EXT("mmuext PIN_L1_TABLE L1B", MMUEXT_PIN_L1_TABLE, FR_L1B, 0),
    UVM("update_va_mapping L1B (pinned) writable", S_L1B,
        FR_L1B, KERNEL_RW, UVMF_INVLPG, -XEN_EBUSY),
    EXT("mmuext UNPIN_TABLE L1B", MMUEXT_UNPIN_TABLE, FR_L1B, 0),
    EXT("mmuext UNPIN_TABLE L1B again", MMUEXT_UNPIN_TABLE, FR_L1B,
        -XEN_EINVAL),
    UVM("update_va_mapping L1B (unpinned) writable", S_L1B,
        FR_L1B, KERNEL_RW, UVMF_INVLPG, 0),
    WRITE("write L1B[0] := DATA2 with PSE", S_L1B, 0,
          FR_DATA2, TABLE_FLAGS | PTE_PSE, 0),
    UVM("update_va_mapping unmap L1B", S_L1B, FR_NONE, 0, UVMF_INVLPG, 0),
    EXT("mmuext PIN_L3_TABLE L1B (entry with PSE)", MMUEXT_PIN_L3_TABLE,
        FR_L1B, -XEN_EINVAL),
    /* 32-bit: ignored (X: do_mmuext_op, PIN_L4_TABLE: is_pv_32bit_domain). */
    EXT("mmuext PIN_L4_TABLE L1B (entry with PSE)", MMUEXT_PIN_L4_TABLE,
        FR_L1B, W64_32(-XEN_EINVAL, 0)),
    EXT("mmuext PIN_L2_TABLE L1B (entry with PSE)", MMUEXT_PIN_L2_TABLE,
        FR_L1B, -XEN_EINVAL),

#ifdef __i386__
    /*
     * 6. A new L3: slots 0-2 of the boot one and a new L2 (L2A) in slot 3,
     * switched to and back. NEW_BASEPTR installs the L3 in the vCPU's own
     * L4 (X: new_guest_cr3, mod_l4_entry: an L3 type wanted).
     */
    EXT("mmuext CLEAR_PAGE L3", MMUEXT_CLEAR_PAGE, FR_L4, 0),
    EXT("mmuext CLEAR_PAGE L2A", MMUEXT_CLEAR_PAGE, FR_L2A, 0),
    UVM("update_va_mapping L3 writable", S_L4,
        FR_L4, KERNEL_RW, UVMF_INVLPG, 0),
    UVM("update_va_mapping L2A writable", S_L2,
        FR_L2A, KERNEL_RW, UVMF_INVLPG, 0),
    CHECK("L3 copy", check_fill_l3),
    UVM("update_va_mapping unmap L3", S_L4, FR_NONE, 0, UVMF_INVLPG, 0),
    UVM("update_va_mapping unmap L2A", S_L2, FR_NONE, 0, UVMF_INVLPG, 0),
    EXT("mmuext NEW_BASEPTR DATA (mapped writable)", MMUEXT_NEW_BASEPTR,
        FR_DATA, -XEN_EINVAL),
    EXT("mmuext NEW_BASEPTR L1", MMUEXT_NEW_BASEPTR, FR_L1, -XEN_EINVAL),
    /* X: do_mmuext_op, PIN_L4_TABLE: nothing for a 32-bit guest. */
    EXT("mmuext PIN_L4_TABLE L3 (ignored)", MMUEXT_PIN_L4_TABLE, FR_L4, 0),
    UVM("update_va_mapping L3 writable (PIN_L4 typed nothing)", S_L4,
        FR_L4, KERNEL_RW, UVMF_INVLPG, 0),
    UVM("update_va_mapping unmap L3 (again)", S_L4,
        FR_NONE, 0, UVMF_INVLPG, 0),
    EXT("mmuext PIN_L3_TABLE L3", MMUEXT_PIN_L3_TABLE, FR_L4, 0),
    UVM("update_va_mapping L3 (pinned) writable", S_L4,
        FR_L4, KERNEL_RW, UVMF_INVLPG, -XEN_EBUSY),
    UVM("update_va_mapping L2A (its slot 3) writable", S_L2,
        FR_L2A, KERNEL_RW, UVMF_INVLPG, -XEN_EBUSY),
    /* X: mod_l3_entry: slot >= 3 -EINVAL; l3_disallow_mask 0xFFFFF198. */
    MMU("mmu_update L3[3] of the new L3", MMU_NORMAL_PT_UPDATE,
        FR_L4, 3, FR_NONE, 0, -XEN_EINVAL),
    MMU("mmu_update L3[0] := L2B with PWT", MMU_NORMAL_PT_UPDATE,
        FR_L4, 0, FR_L2B, PTE_P | PTE_PWT, -XEN_EINVAL),
    /* X: get_page_from_l3e: no linear L3 for a 32-bit guest. */
    MMU("mmu_update L3[0] := the L3 read-only (no linear L3)",
        MMU_NORMAL_PT_UPDATE, FR_L4, 0, FR_L4, PTE_P, -XEN_EINVAL),
    MMU("mmu_update L2A[428] (Xen slot)", MMU_NORMAL_PT_UPDATE,
        FR_L2A, 428, FR_NONE, 0, -XEN_EPERM),
    EXT("mmuext NEW_BASEPTR L3", MMUEXT_NEW_BASEPTR, FR_L4, 0),
    CHECK("new L3", check_on_new_l4),
    EXT("mmuext NEW_BASEPTR boot L3 (back)", MMUEXT_NEW_BASEPTR,
        FR_BOOT_L4, 0),
    /* X: compat_mmuext_op: NEW_USER_BASEPTR "rc = -EINVAL". */
    EXT("mmuext NEW_USER_BASEPTR 0", MMUEXT_NEW_USER_BASEPTR, FR_NONE,
        -XEN_EINVAL),
    EXT("mmuext NEW_USER_BASEPTR L3", MMUEXT_NEW_USER_BASEPTR, FR_L4,
        -XEN_EINVAL),
    EXT("mmuext UNPIN_TABLE L3", MMUEXT_UNPIN_TABLE, FR_L4, 0),
#else
    /* 6. A new L4: a copy of the boot one, switched to and back. */
    EXT("mmuext CLEAR_PAGE L4", MMUEXT_CLEAR_PAGE, FR_L4, 0),
    UVM("update_va_mapping L4 writable", S_L4,
        FR_L4, KERNEL_RW, UVMF_INVLPG, 0),
    CHECK("L4 copy", check_fill_l4),
    UVM("update_va_mapping unmap L4", S_L4, FR_NONE, 0, UVMF_INVLPG, 0),
    EXT("mmuext NEW_BASEPTR DATA (mapped writable)", MMUEXT_NEW_BASEPTR,
        FR_DATA, -XEN_EINVAL),
    EXT("mmuext NEW_BASEPTR L1", MMUEXT_NEW_BASEPTR, FR_L1, -XEN_EINVAL),
    EXT("mmuext PIN_L4_TABLE L4", MMUEXT_PIN_L4_TABLE, FR_L4, 0),
    UVM("update_va_mapping L4 (pinned) writable", S_L4,
        FR_L4, KERNEL_RW, UVMF_INVLPG, -XEN_EBUSY),
    MMU("mmu_update L4[256] (Xen slot) of the new L4", MMU_NORMAL_PT_UPDATE,
        FR_L4, 256, FR_NONE, 0, -XEN_EINVAL),
    EXT("mmuext NEW_BASEPTR L4", MMUEXT_NEW_BASEPTR, FR_L4, 0),
    CHECK("new L4", check_on_new_l4),
    EXT("mmuext NEW_BASEPTR boot L4 (back)", MMUEXT_NEW_BASEPTR,
        FR_BOOT_L4, 0),
    EXT("mmuext NEW_USER_BASEPTR 0", MMUEXT_NEW_USER_BASEPTR, FR_NONE, 0),
    EXT("mmuext NEW_USER_BASEPTR L4", MMUEXT_NEW_USER_BASEPTR, FR_L4, 0),
    EXT("mmuext NEW_USER_BASEPTR L1", MMUEXT_NEW_USER_BASEPTR, FR_L1,
        -XEN_EINVAL),
    EXT("mmuext NEW_USER_BASEPTR 0 (drop L4)", MMUEXT_NEW_USER_BASEPTR,
        FR_NONE, 0),
    EXT("mmuext UNPIN_TABLE L4", MMUEXT_UNPIN_TABLE, FR_L4, 0),
#endif

    /* 7. mmuext_op: flushes, cache, copy/clear, unknown. */
    EXT("mmuext TLB_FLUSH_LOCAL", MMUEXT_TLB_FLUSH_LOCAL, FR_NONE, 0),
    EXT("mmuext TLB_FLUSH_ALL", MMUEXT_TLB_FLUSH_ALL, FR_NONE, 0),
    EXT_VA("mmuext INVLPG_LOCAL DATA", MMUEXT_INVLPG_LOCAL, S_DATA, 0),
    EXT_VA("mmuext INVLPG_ALL DATA", MMUEXT_INVLPG_ALL, S_DATA, 0),
    EXT_VA("mmuext INVLPG_LOCAL VA in the hole", MMUEXT_INVLPG_LOCAL,
           VA_HOLE_START, 0),
    CHECK("TLB_FLUSH_MULTI", check_ext_multi),
    EXT("mmuext FLUSH_CACHE", MMUEXT_FLUSH_CACHE, FR_NONE, -XEN_EACCES),
    EXT("mmuext FLUSH_CACHE_GLOBAL", MMUEXT_FLUSH_CACHE_GLOBAL, FR_NONE,
        -XEN_EINVAL),
    EXT("mmuext MARK_SUPER DATA", MMUEXT_MARK_SUPER, FR_DATA,
        -XEN_EOPNOTSUPP),
    EXT("mmuext UNMARK_SUPER DATA", MMUEXT_UNMARK_SUPER, FR_DATA,
        -XEN_EOPNOTSUPP),
    UVM("update_va_mapping DATA2 read-only", S_DATA2,
        FR_DATA2, KERNEL_RO, UVMF_INVLPG, 0),
    EXT_COPY("mmuext COPY_PAGE DATA -> DATA2", FR_DATA2, FR_DATA, 0),
    CHECK("COPY_PAGE", check_data2_copied),
    EXT("mmuext CLEAR_PAGE DATA2 (mapped read-only)", MMUEXT_CLEAR_PAGE,
        FR_DATA2, 0),
    CHECK("CLEAR_PAGE", check_data2_cleared),
    EXT_COPY("mmuext COPY_PAGE L1 -> DATA2 (source a page table)",
             FR_DATA2, FR_L1, 0),
    CHECK("COPY_PAGE", check_data2_l1_copy),
    EXT_COPY("mmuext COPY_PAGE DATA -> L1", FR_L1, FR_DATA, -XEN_EINVAL),
    EXT_COPY("mmuext COPY_PAGE mfn 0 -> DATA2", FR_DATA2, FR_MFN0,
             -XEN_EINVAL),
    EXT("mmuext CLEAR_PAGE L1 (page table)", MMUEXT_CLEAR_PAGE, FR_L1,
        -XEN_EINVAL),
    EXT("mmuext CLEAR_PAGE boot " TOP, MMUEXT_CLEAR_PAGE, FR_BOOT_L4,
        -XEN_EINVAL),
    EXT_GUARD("mmuext CLEAR_PAGE mfn 0", MMUEXT_CLEAR_PAGE, FR_MFN0,
              -XEN_EINVAL),
    /*
     * shared_info takes the writable type like any page of ours: CLEAR_PAGE
     * would succeed (and unmask events with no callback: a crash), so copy
     * it out and back instead.
     */
    EXT_COPY("mmuext COPY_PAGE shared_info -> DATA2", FR_DATA2, FR_SHINFO, 0),
    EXT_COPY("mmuext COPY_PAGE DATA2 -> shared_info", FR_SHINFO, FR_DATA2, 0),
    EXT("mmuext cmd 99", 99, FR_NONE, -XEN_ENOSYS),
    { "mmuext TLB_FLUSH_LOCAL foreigndom 0", OP_EXT,
      .cmd = MMUEXT_TLB_FLUSH_LOCAL, .fdom = 0, .expect = -XEN_EPERM,
      .alt = -XEN_ESRCH },
    EXT_DOM("mmuext TLB_FLUSH_LOCAL foreigndom 0x1234",
            MMUEXT_TLB_FLUSH_LOCAL, FR_NONE, DOMID_ABSENT, -XEN_ESRCH),
    EXT_DOM("mmuext TLB_FLUSH_LOCAL foreigndom DOMID_IO",
            MMUEXT_TLB_FLUSH_LOCAL, FR_NONE, DOMID_IO, -XEN_EPERM),
    CHECK("mmuext batches", check_ext_batch),

    /* 8. Writable page tables: stores into the L1 through its RO map. */
    WRITE("store into L1 via RO map, assist at boot state", S_SELF,
          S_PTWR * 8, FR_DATA, KERNEL_RO, PF(PFEC_PRESENT | PFEC_WRITE)),
    ASSIST("vm_assist disable writable_pagetables", VMASST_CMD_disable, 0),
    WRITE("store into L1 via RO map, assist off", S_SELF,
          S_PTWR * 8, FR_DATA, KERNEL_RO, PF(PFEC_PRESENT | PFEC_WRITE)),
    ASSIST("vm_assist enable writable_pagetables", VMASST_CMD_enable, 0),
    WRITE("store into L1 via RO map, assist on (emulated)", S_SELF,
          S_PTWR * 8, FR_DATA, KERNEL_RO, 0),
    CHECK("ptwr entry", check_ptwr_entry),
    READ("read DATA through the ptwr-made mapping", S_PTWR, 0,
         FR_NONE, DATA_WORD),
    WRITE("ptwr store of a PTE with PWT", S_SELF,
          S_PTWR_BAD * 8, FR_DATA, KERNEL_RO | PTE_PWT,
          PF(PFEC_PRESENT | PFEC_WRITE)),
    WRITE("ptwr store mapping the L1 writable", S_SELF,
          S_PTWR_BAD * 8, FR_L1, KERNEL_RW, PF(PFEC_PRESENT | PFEC_WRITE)),
    CHECK("ptwr refused", check_ptwr_bad_entry),
    WRITE("ptwr store of 0 (unmap)", S_SELF, S_PTWR * 8, FR_NONE, 0, 0),
    EXT_VA("mmuext INVLPG_LOCAL PTWR", MMUEXT_INVLPG_LOCAL, S_PTWR, 0),
    READ_FAULT("read through the ptwr-cleared mapping", S_PTWR, 0, PF(0)),
#ifdef __i386__
    CHECK("ptwr PAE halves", check_ptwr_pae),
#endif
    CHECK("ptwr into an L2", check_ptwr_l2),
    ASSIST("vm_assist disable writable_pagetables (restore)",
           VMASST_CMD_disable, 0),

    /*
     * 9. Linear (recursive) page tables (X: define_get_linear_pagetable,
     * XSA-240): an entry pointing at a table of its own level, read-only.
     */
#ifdef __i386__
    /* X: get_l2_linear_pagetable; adjust_guest_l2e adds nothing (32-bit). */
    MMU("linear: boot L2[300] := boot L2 read-only (self map)",
        MMU_NORMAL_PT_UPDATE, FR_BOOT_L2, LIN_SLOT, FR_BOOT_L2, PTE_P, 0),
    READ("linear: read boot L2[300] through the L2 self map", LIN_VA,
         LIN_SLOT * 8, FR_BOOT_L2, PTE_P | PTE_A),
    MMU("linear: boot L2[300] := 0", MMU_NORMAL_PT_UPDATE, FR_BOOT_L2,
        LIN_SLOT, FR_NONE, 0, 0),
    EXT("linear: TLB_FLUSH_LOCAL", MMUEXT_TLB_FLUSH_LOCAL, FR_NONE, 0),
    READ_FAULT("linear: read through the removed L2 self map", LIN_VA,
               LIN_SLOT * 8, PF(0)),
    MMU("linear: boot L2[300] := boot L2 writable", MMU_NORMAL_PT_UPDATE,
        FR_BOOT_L2, LIN_SLOT, FR_BOOT_L2, PTE_P | PTE_RW, -XEN_EINVAL),
    MMU("linear: boot L2[300] := 0 (after the writable try)",
        MMU_NORMAL_PT_UPDATE, FR_BOOT_L2, LIN_SLOT, FR_NONE, 0, 0),
#else
    MMU("linear: boot L4[300] := boot L4 read-only (self map)",
        MMU_NORMAL_PT_UPDATE, FR_BOOT_L4, LIN_SLOT, FR_BOOT_L4, PTE_P, 0),
    READ("linear: read boot L4[300] through the L4 self map", LIN_VA,
         LIN_SLOT * 8, FR_BOOT_L4, PTE_P | PTE_US | PTE_A),
    MMU("linear: boot L4[300] := 0", MMU_NORMAL_PT_UPDATE, FR_BOOT_L4,
        LIN_SLOT, FR_NONE, 0, 0),
    EXT("linear: TLB_FLUSH_LOCAL", MMUEXT_TLB_FLUSH_LOCAL, FR_NONE, 0),
    READ_FAULT("linear: read through the removed L4 self map", LIN_VA,
               LIN_SLOT * 8, PF(0)),
    MMU("linear: boot L4[300] := boot L4 writable", MMU_NORMAL_PT_UPDATE,
        FR_BOOT_L4, LIN_SLOT, FR_BOOT_L4, PTE_P | PTE_RW, -XEN_EINVAL),
    MMU("linear: boot L4[300] := 0 (after the writable try)",
        MMU_NORMAL_PT_UPDATE, FR_BOOT_L4, LIN_SLOT, FR_NONE, 0, 0),
#endif

    EXT("linear: CLEAR_PAGE L2A", MMUEXT_CLEAR_PAGE, FR_L2A, 0),
    EXT("linear: CLEAR_PAGE L2B", MMUEXT_CLEAR_PAGE, FR_L2B, 0),
    EXT("linear: CLEAR_PAGE L2C", MMUEXT_CLEAR_PAGE, FR_L2C, 0),
    EXT("linear: CLEAR_PAGE L3", MMUEXT_CLEAR_PAGE, FR_L3, 0),
    EXT("linear: PIN_L2_TABLE L2A", MMUEXT_PIN_L2_TABLE, FR_L2A, 0),
    EXT("linear: PIN_L2_TABLE L2B", MMUEXT_PIN_L2_TABLE, FR_L2B, 0),
    EXT("linear: PIN_L2_TABLE L2C", MMUEXT_PIN_L2_TABLE, FR_L2C, 0),
    /* 32-bit: X: alloc_l3_table, slot 3 not present: -EINVAL. */
    EXT("linear: PIN_L3_TABLE L3", MMUEXT_PIN_L3_TABLE, FR_L3,
        W64_32(0, -XEN_EINVAL)),
    MMU("linear: L2A[0] := L2B read-only", MMU_NORMAL_PT_UPDATE,
        FR_L2A, 0, FR_L2B, PTE_P, 0),
    MMU("linear: L2A[1] := L2B writable", MMU_NORMAL_PT_UPDATE,
        FR_L2A, 1, FR_L2B, PTE_P | PTE_RW, -XEN_EINVAL),
    MMU("linear: L2B[0] := L2C read-only (B already a linear target)",
        MMU_NORMAL_PT_UPDATE, FR_L2B, 0, FR_L2C, PTE_P, -XEN_EINVAL),
    MMU("linear: L2B[0] := 0", MMU_NORMAL_PT_UPDATE, FR_L2B, 0,
        FR_NONE, 0, 0),
    MMU("linear: L2A[1] := 0", MMU_NORMAL_PT_UPDATE, FR_L2A, 1,
        FR_NONE, 0, 0),
    MMU("linear: L2A[0] := 0", MMU_NORMAL_PT_UPDATE, FR_L2A, 0,
        FR_NONE, 0, 0),
    MMU("linear: L2B[0] := L2C read-only (B no longer a target)",
        MMU_NORMAL_PT_UPDATE, FR_L2B, 0, FR_L2C, PTE_P, 0),
    MMU("linear: L2A[0] := L2B read-only (B has a linear entry)",
        MMU_NORMAL_PT_UPDATE, FR_L2A, 0, FR_L2B, PTE_P, -XEN_EINVAL),
    MMU("linear: L2B[0] := 0 (again)", MMU_NORMAL_PT_UPDATE, FR_L2B, 0,
        FR_NONE, 0, 0),
    MMU("linear: L2A[0] := L2A read-only (self map)", MMU_NORMAL_PT_UPDATE,
        FR_L2A, 0, FR_L2A, PTE_P, 0),
    MMU("linear: L2B[0] := L2A read-only (A has a self entry)",
        MMU_NORMAL_PT_UPDATE, FR_L2B, 0, FR_L2A, PTE_P, 0),
    MMU("linear: L2B[0] := 0 (third)", MMU_NORMAL_PT_UPDATE, FR_L2B, 0,
        FR_NONE, 0, 0),
    MMU("linear: L2A[0] := 0 (self map)", MMU_NORMAL_PT_UPDATE, FR_L2A, 0,
        FR_NONE, 0, 0),
#ifndef __i386__
    MMU("linear: L3[0] := L3 read-only (self map)", MMU_NORMAL_PT_UPDATE,
        FR_L3, 0, FR_L3, PTE_P, 0),
    MMU("linear: L3[1] := L3 writable", MMU_NORMAL_PT_UPDATE,
        FR_L3, 1, FR_L3, PTE_P | PTE_RW, -XEN_EINVAL),
    MMU("linear: L3[0] := 0", MMU_NORMAL_PT_UPDATE, FR_L3, 0, FR_NONE, 0, 0),
    MMU("linear: L3[1] := 0", MMU_NORMAL_PT_UPDATE, FR_L3, 1, FR_NONE, 0, 0),
#endif
    EXT("linear: UNPIN_TABLE L2A", MMUEXT_UNPIN_TABLE, FR_L2A, 0),
    EXT("linear: UNPIN_TABLE L2B", MMUEXT_UNPIN_TABLE, FR_L2B, 0),
    EXT("linear: UNPIN_TABLE L2C", MMUEXT_UNPIN_TABLE, FR_L2C, 0),
    /* 32-bit: the L3 is not pinned (X: do_mmuext_op, UNPIN_TABLE). */
    EXT("linear: UNPIN_TABLE L3", MMUEXT_UNPIN_TABLE, FR_L3,
        W64_32(0, -XEN_EINVAL)),

    /* 10. Take it all down. */
    UVM("update_va_mapping unmap DATA", S_DATA, FR_NONE, 0, UVMF_INVLPG, 0),
    UVM("update_va_mapping unmap DATA2", S_DATA2, FR_NONE, 0, UVMF_INVLPG, 0),
    EXT("mmuext CLEAR_PAGE DATA before pinning it", MMUEXT_CLEAR_PAGE,
        FR_DATA, 0),
    EXT("mmuext PIN_L1_TABLE DATA (no longer mapped writable)",
        MMUEXT_PIN_L1_TABLE, FR_DATA, 0),
    EXT("mmuext UNPIN_TABLE DATA", MMUEXT_UNPIN_TABLE, FR_DATA, 0),
    CHECK("forget shared_info", forget_shinfo),
    UVM("update_va_mapping unmap shared_info", S_SHINFO,
        FR_NONE, 0, UVMF_INVLPG, 0),
    MMU("mmu_update boot L2[256] := 0 (unhook the window)",
        MMU_NORMAL_PT_UPDATE, FR_BOOT_L2, WIN_L2_SLOT, FR_NONE, 0, 0),
    EXT("mmuext UNPIN_TABLE L1", MMUEXT_UNPIN_TABLE, FR_L1, 0),
    UVM("update_va_mapping VA of the unhooked window", S_DATA,
        FR_DATA, KERNEL_RO, UVMF_INVLPG, -XEN_EINVAL),
};

/* ------------------------------------------------------------ the runners */

static long run_ext(const struct mm_case *c)
{
    mmuext_op_t op = { .cmd = c->cmd };

    switch ( c->cmd )
    {
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_ALL:
        op.arg1.linear_addr = resolve_va(c->slot);
        break;

    case MMUEXT_COPY_PAGE:
        op.arg2.src_mfn = frame_mfn[c->frame];
        /* fall through */
    default:
        op.arg1.mfn = frame_mfn[c->table];
        break;
    }

    return hypercall_mmuext_op(&op, 1, NULL, c->fdom);
}

static long run_mmu(const struct mm_case *c)
{
    mmu_update_t req = {
        .ptr = pte(c->table, 0) + c->slot * 8 + c->cmd,
        .val = pte(c->frame, c->flags),
    };

    if ( c->cmd == MMU_MACHPHYS_UPDATE )
        req.val = c->frame != FR_NONE ? frame_pfn[c->frame] : c->flags;

    return hypercall_mmu_update(&req, 1, NULL, c->fdom);
}

/*
 * Whether a machine frame is ours: M2P and P2M agree on it. Only the low
 * "foreign" frames are asked; the M2P may not be mapped that far (a fault).
 */
static bool frame_ours(enum frame f)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;
    unsigned long mfn = frame_mfn[f];
    uint64_t pfn;

    if ( f < FR_MFN0 || f > FR_MFN_FFFFF )
        return true;
#ifdef __i386__
    /* 4-byte entries: the probe reads the 8-byte-aligned pair holding it. */
    if ( try_read((unsigned long)&m2p[mfn & ~1UL], &pfn) )
        return false;
    pfn = (uint32_t)(pfn >> ((mfn & 1) * 32));
#else
    if ( try_read((unsigned long)&m2p[mfn], &pfn) )
        return false;
#endif
    return pfn < start_info->nr_pages && p2m[pfn] == mfn;
}

static void run_case(const struct mm_case *c)
{
    unsigned long va = resolve_va(c->slot) + c->off;
    uint64_t val;
    int64_t rc;

    if ( c->guard && frame_ours(c->table >= FR_MFN0 ? c->table : c->frame) )
    {
        check_eq(c->name, NOT_RUN, c->expect);
        return;
    }

    switch ( c->op )
    {
    case OP_UVM:
        check_eq(c->name, hypercall_update_va_mapping(
                     va, pte(c->frame, c->flags), c->cmd), c->expect);
        break;

    case OP_MMU:
        check_either(c->name, run_mmu(c), c->expect, c->alt);
        break;

    case OP_EXT:
        check_either(c->name, run_ext(c), c->expect, c->alt);
        break;

    case OP_READ:
        rc = try_read(va, &val);
        if ( c->expect )
            check_eq(c->name, rc, c->expect);
        else
            check_eq(c->name, rc ?: (int64_t)val, pte(c->frame, c->flags));
        break;

    case OP_WRITE:
        check_eq(c->name, try_write(va, pte(c->frame, c->flags)), c->expect);
        break;

    case OP_ASSIST:
        check_eq(c->name, hypercall_vm_assist(c->cmd, c->slot), c->expect);
        break;

    case OP_CHECK:
        c->fn();
        break;
    }
}

/* ------------------------------------------------------------ the set-up */

static unsigned long mfn_to_pfn(uint64_t mfn)
{
    return m2p[mfn];
}

/* The VA of a boot page-table frame: in the boot mapping, VA = base + PFN. */
static const uint64_t *boot_table(uint64_t entry)
{
    unsigned long pfn = mfn_to_pfn((entry & PTE_ADDR) >> PAGE_SHIFT);

    return (const uint64_t *)(GUEST_VIRT_BASE + (pfn << PAGE_SHIFT));
}

static bool find_frames(void)
{
    const start_info_t *si = start_info;
    const xen_pfn_t *p2m = (const xen_pfn_t *)si->mfn_list;
#ifdef __i386__
    const uint64_t *l3 = (const uint64_t *)si->pt_base;
#else
    const uint64_t *l4 = (const uint64_t *)si->pt_base;
    const uint64_t *l3;
#endif
    const uint64_t *l2;
    unsigned long boot_end_pfn, pfn;
    unsigned int i;

    frame_pfn[FR_BOOT_L4] = (si->pt_base - GUEST_VIRT_BASE) >> PAGE_SHIFT;
    frame_mfn[FR_BOOT_L4] = p2m[frame_pfn[FR_BOOT_L4]];
#ifdef __i386__
    if ( !(l3[BOOT_L3_SLOT] & PTE_P) )
    {
        xtf_error("Error: boot L3[3] not present\n");
        return false;
    }
#else
    if ( !(l4[BOOT_L4_SLOT] & PTE_P) )
    {
        xtf_error("Error: boot L4[511] not present\n");
        return false;
    }
    l3 = boot_table(l4[BOOT_L4_SLOT]);
    if ( !(l3[BOOT_L3_SLOT] & PTE_P) )
    {
        xtf_error("Error: boot L3[510] not present\n");
        return false;
    }
#endif
    frame_mfn[FR_BOOT_L2] = (l3[BOOT_L3_SLOT] & PTE_ADDR) >> PAGE_SHIFT;
    frame_pfn[FR_BOOT_L2] = mfn_to_pfn(frame_mfn[FR_BOOT_L2]);
    l2 = boot_table(l3[BOOT_L3_SLOT]);

    /* The boot mapping: L2 entries present from slot 0 on. */
    for ( i = 0; i < ENTRIES && (l2[i] & PTE_P); i++ )
        ;
    boot_end_pfn = (unsigned long)i * ENTRIES;
    printk("boot " TOP " mfn %#" LX ", L2 mfn %#" LX " (pfn %#lx), "
           "boot mapping %u MiB (pfn < %#lx)\n", frame_mfn[FR_BOOT_L4], frame_mfn[FR_BOOT_L2],
           frame_pfn[FR_BOOT_L2], i * 2, boot_end_pfn);
    if ( i > WIN_L2_SLOT || (l2[WIN_L2_SLOT] | l2[WIN_L2_SLOT + 1]) )
    {
        xtf_error("Error: boot L2[256..257] not free\n");
        return false;
    }

    for ( i = FR_L1; i < FR_FREE_END; i++ )
    {
        pfn = si->nr_pages - i;
        if ( pfn < boot_end_pfn || p2m[pfn] == ~0UL ||
             m2p[p2m[pfn]] != pfn )
        {
            xtf_error("Error: no free frame for %s (pfn %#lx)\n",
                      frame_name[i], pfn);
            return false;
        }
        frame_pfn[i] = pfn;
        frame_mfn[i] = p2m[pfn];
        printk("frame %-5s pfn %#lx mfn %#" LX "\n", frame_name[i], pfn,
               frame_mfn[i]);
    }

    frame_mfn[FR_SHINFO] = si->shared_info >> PAGE_SHIFT;
    frame_mfn[FR_MFN0] = 0;
    frame_mfn[FR_MFN_FFFFF] = 0xfffff;
    frame_mfn[FR_MFN_HUGE] = 1ULL << 36;
    frame_mfn[FR_MFN_INVALID] = 0xffffffffffULL;
    printk("shared_info mfn %#" LX ", window at %#lx\n", frame_mfn[FR_SHINFO],
           WIN_VA);
    for ( i = FR_MFN0; i <= FR_MFN_FFFFF; i++ )
    {
        if ( frame_ours(i) )
            printk("%s is OURS: pfn %#lx\n", frame_name[i],
                   m2p[frame_mfn[i]]);
        else
            printk("%s is not ours\n", frame_name[i]);
    }
    return true;
}

void test_main(void)
{
    unsigned int i;

    pf_init();
    if ( !find_frames() )
        return;

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
        run_case(&cases[i]);

    printk("%u checks in %u cases\n", report_checks,
           (unsigned int)ARRAY_SIZE(cases));
    xtf_success(NULL);
}
