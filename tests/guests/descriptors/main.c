/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/descriptors/main.c - the segment descriptor tables of a
 * 64-bit PV domU: set_gdt, update_descriptor, MMUEXT_SET_LDT, and what
 * loading a selector from those tables does.
 *
 * The frames under test are pages of our own .bss (in the boot mapping, so
 * VA = GUEST_VIRT_BASE + PFN * 4096 and MFN = P2M[PFN]); they are filled
 * while still writable, then remapped read-only with update_va_mapping where
 * a case needs it (Xen types GDT/LDT frames PGT_seg_desc_page, which a
 * writable mapping excludes).
 *
 * Cases run in order and build on each other: a table row is one hypercall,
 * one selector load (probe) or one read-back, with its expected result. Each
 * prints
 *
 *   case <name>: got X expected Y
 *
 * The expected values are what Debian's Xen 4.17 (release build) gave this
 * kernel running on it directly as a plain PV guest
 * (tests/lab/cfg/guest-descriptors-pv.cfg). References: pv64-abi.md section
 * 2.2; X: pv/descriptor-tables.c (pv_set_gdt, do_update_descriptor),
 * x86_64/mm.c check_descriptor, mm.c MMUEXT_SET_LDT, traps.c
 * handle_gdt_ldt_mapping_fault.
 *
 * Selector loads: in 64-bit mode the bases of %ds and %es are ignored, so
 * a descriptor's base is checked through %fs: the descriptor's 32-bit base
 * is the low half of the VA of a magic word, the offset (in %rsi) the
 * 0xffffffff00000000 upper half; the load wraps to the word. Every probe
 * puts the null selector back before it returns (a selector left in a
 * register would be reloaded by Xen at the next context switch).
 *
 * Faults (#TS, #NP, #SS, #GP, #PF) come to a handler of ours that records
 * vector, error code, rip and vcpu_info.arch.cr2 and resumes the probe at
 * its recovery label; a fault outside a probe ends the test as ERROR.
 */
#include "tests/guests/lib/test.h"
#include "tests/guests/lib/setup.h"

const char test_title[] = "set_gdt, update_descriptor, MMUEXT_SET_LDT";

#define STR_(x)         #x
#define STR(x)          STR_(x)

#define PAGE_SHIFT      GUEST_PAGE_SHIFT
#define PAGE_SIZE       GUEST_PAGE_SIZE
#define DESCS           (PAGE_SIZE / 8)

/* PTE bits. */
#define PTE_P           0x001UL
#define PTE_RW          0x002UL
#define PTE_A           0x020UL
#define PTE_D           0x040UL
#define KERNEL_RW       (PTE_P | PTE_RW | PTE_A | PTE_D)
#define KERNEL_RO       (PTE_P | PTE_A)

/* Descriptor fields (SDM vol. 3 section 3.4.5). */
#define D_TYPE(t)       ((unsigned long)(t) << 40)
#define D_S             (1UL << 44)
#define D_DPL(d)        ((unsigned long)(d) << 45)
#define D_P             (1UL << 47)
#define D_AVL           (1UL << 52)
#define D_L             (1UL << 53)
#define D_DB            (1UL << 54)
#define D_G             (1UL << 55)
#define T_DATA_RW       0x3         /* read/write, accessed */
#define T_CODE_RX       0xb         /* execute/read, accessed */
#define T_TSS64         0x9
#define T_CALL64        0xc
#define T_INT64         0xe

#define seg_desc(base, limit, attr)                                     \
    (((limit) & 0xffffUL) | (((unsigned long)(base) & 0xffffff) << 16) |  \
     ((((unsigned long)(limit) >> 16) & 0xf) << 48) |                     \
     (((unsigned long)(base) >> 24) << 56) | (attr))

#define DATA3(base)     seg_desc(base, 0xfffff, D_S | D_TYPE(T_DATA_RW) | \
                                 D_DPL(3) | D_P | D_DB | D_G)
#define FLAT_DATA3      DATA3(0)
#define FLAT_DATA0      seg_desc(0, 0xfffff, D_S | D_TYPE(T_DATA_RW) | \
                                 D_DPL(0) | D_P | D_DB | D_G)
#define FLAT_CODE64_0   seg_desc(0, 0xfffff, D_S | D_TYPE(T_CODE_RX) | \
                                 D_DPL(0) | D_P | D_L | D_G)
/* Not present, everything else garbage: type, DPL, base, limit, AVL. */
#define NP_GARBAGE      0xdead7fffbeefcafeUL
/* A 64-bit TSS (lower half), limit 0x67, base 0. */
#define TSS64           seg_desc(0, 0x67, D_TYPE(T_TSS64) | D_P)

/* A gate's lower half: offset 15:0 and 31:16, selector, type, DPL, P. */
#define gate_desc(off, sel, type, dpl)                                  \
    (((off) & 0xffffUL) | (((unsigned long)(sel) & 0xffff) << 16) |       \
     D_TYPE(type) | D_DPL(dpl) | D_P | (((unsigned long)(off) >> 16) << 48))

#define GATE_OFF        0x80001000U
#define CALL_GATE       gate_desc(GATE_OFF, FLAT_KERNEL_CS, T_CALL64, 3)
#define CALL_GATE_HI    0x00000000ffffffffUL    /* offset 63:32, type 0 */
#define INT_GATE        gate_desc(GATE_OFF, FLAT_KERNEL_CS, T_INT64, 0)

/* Selectors: index << 3 | TI << 2 | RPL. */
#define SEL(i, ti, rpl) (((i) << 3) | ((ti) << 2) | (rpl))
#define GDT_SEL(i)      SEL(i, 0, 3)
#define LDT_SEL(i)      SEL(i, 1, 3)

/* What the frames hold (indices). */
#define IX_FLAT         1           /* flat data, DPL 3 */
#define IX_BASE         2           /* data, DPL 3, base = magic word */
#define IX_BEYOND       17          /* flat data, past 16 entries */
#define IX_BAD          5           /* the bad descriptor of a bad frame */
#define IX_UPD          8           /* update_descriptor target */
#define IX_UPD_GATE     10          /* call gate: 10 and 11 */

/* Addresses. */
#define VA_HOLE         0xffff800000000000UL
#define MFN_HUGE        (1UL << 36)

/* ------------------------------------------------------------ frames */

enum frame
{
    FR_NONE,
    FR_GDT_A,       /* good GDT */
    FR_GDT_B,       /* good GDT: switched to */
    FR_GDT_TSS,     /* a TSS at IX_BAD */
    FR_GDT_IGATE,   /* an interrupt gate at IX_BAD */
    FR_DATA,        /* ordinary writable frame */
    FR_LDT,         /* good LDT */
    FR_LDT_BAD,     /* a TSS at IX_BAD */
    FR_PAGES_END,
    FR_MFN0 = FR_PAGES_END,     /* machine frame 0: not ours on L0 */
    FR_MFN_HUGE,                /* 2^36: no RAM */
    FR_NR,
};

static const char *const frame_name[FR_NR] = {
    [FR_NONE] = "none", [FR_GDT_A] = "GDT_A", [FR_GDT_B] = "GDT_B",
    [FR_GDT_TSS] = "GDT_TSS", [FR_GDT_IGATE] = "GDT_IGATE",
    [FR_DATA] = "DATA", [FR_LDT] = "LDT", [FR_LDT_BAD] = "LDT_BAD",
    [FR_MFN0] = "mfn 0", [FR_MFN_HUGE] = "mfn 2^36",
};

static uint64_t pages[FR_PAGES_END][DESCS] __aligned(PAGE_SIZE);
static unsigned long frame_mfn[FR_NR];

static unsigned long frame_va(enum frame f)
{
    return (unsigned long)pages[f];
}

/* The words a base-carrying descriptor points at. */
static volatile unsigned long magic_gdt = 0x6764746261736521UL;
static volatile unsigned long magic_ldt = 0x6c64746261736521UL;

#define BASE_OFFSET     0xffffffff00000000UL

/* ------------------------------------------------------------ faults */

static uint8_t vcpu_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static vcpu_info_t *vcpu;

/* Where a fault in a probe resumes; 0 outside a probe. */
unsigned long probe_resume;

static struct
{
    bool hit;
    unsigned long vec, ec, rip, cr2;
} fault;

struct fault_frame
{
    unsigned long vec, rcx, r11, ec, rip, cs, rflags, rsp, ss;
};

void fault_handle(struct fault_frame *f);

/*
 * Xen's bounce frame (rcx, r11, error code, rip, cs, rflags, rsp, ss) with
 * the vector pushed on it by the stub; all these vectors have an error
 * code. Back by HYPERVISOR_iret as in tests/guests/mm.
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "fault_common:\n"
    "    cld\n"
    GUEST_CALL_C_HANDLER(fault_handle)
    "    add  $8, %rsp\n"
    "    pop  %rcx\n"
    "    pop  %r11\n"
    "    add  $8, %rsp\n"
    "    push $0\n"
    "    jmp  hypercall_page + " STR(__HYPERVISOR_iret) " * 32\n"
    "    .popsection\n"
);

#define FAULT_STUB(vec)                                                 \
    extern const char fault_entry_##vec[];                              \
    __asm__ ( "    .pushsection .text, \"ax\", @progbits\n"             \
              "fault_entry_" #vec ":\n"                                 \
              "    push $" #vec "\n"                                    \
              "    jmp  fault_common\n"                                 \
              "    .popsection\n" )

FAULT_STUB(10);
FAULT_STUB(11);
FAULT_STUB(12);
FAULT_STUB(13);
FAULT_STUB(14);

/*
 * The probes. A probe sets probe_resume to its recovery label, runs the
 * instruction(s) under test and, at the label, clears probe_resume and
 * loads the null selector back.
 *
 *   load_ds(sel), load_es(sel):  mov sel, %ds/%es
 *   load_fs(sel, off):           mov sel, %fs; return %fs:(off)
 *   probe_read(p):               return *p
 *   far_call(sel):               lcall through sel:0 (m16:32 on the stack)
 */
unsigned long load_ds(unsigned long sel);
unsigned long load_es(unsigned long sel);
unsigned long load_fs(unsigned long sel, unsigned long off);
unsigned long probe_read(const volatile unsigned long *p);
unsigned long far_call(unsigned long sel);
extern const char load_fs_read[];

#define PROBE_BEGIN(name)                                               \
    "    .globl " #name "\n"                                            \
    #name ":\n"                                                         \
    "    lea  " #name "_resume(%rip), %rax\n"                           \
    "    mov  %rax, probe_resume(%rip)\n"                               \
    "    xor  %eax, %eax\n"
#define PROBE_END(name, seg)                                            \
    #name "_resume:\n"                                                  \
    "    movq $0, probe_resume(%rip)\n"                                 \
    "    xor  %ecx, %ecx\n"                                             \
    "    mov  %ecx, " seg "\n"                                          \
    "    ret\n"

__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    PROBE_BEGIN(load_ds)
    "    mov  %edi, %ds\n"
    PROBE_END(load_ds, "%ds")
    PROBE_BEGIN(load_es)
    "    mov  %edi, %es\n"
    PROBE_END(load_es, "%es")
    PROBE_BEGIN(load_fs)
    "    not  %rax\n"
    "    mov  %edi, %fs\n"
    "    .globl load_fs_read\n"
    "load_fs_read:\n"
    "    mov  %fs:(%rsi), %rax\n"
    PROBE_END(load_fs, "%fs")
    PROBE_BEGIN(probe_read)
    "    mov  (%rdi), %rax\n"
    "probe_read_resume:\n"
    "    movq $0, probe_resume(%rip)\n"
    "    ret\n"
    PROBE_BEGIN(far_call)
    "    mov  %rsp, %rdx\n"
    "    sub  $16, %rsp\n"
    "    movl $0, (%rsp)\n"
    "    mov  %di, 4(%rsp)\n"
    "    lcall *(%rsp)\n"
    "far_call_resume:\n"
    "    movq $0, probe_resume(%rip)\n"
    "    mov  %rdx, %rsp\n"
    "    ret\n"
    "    .popsection\n"
);

void fault_handle(struct fault_frame *f)
{
    if ( !probe_resume )
    {
        xtf_error("Unexpected fault vector %lu error %#lx at %#lx cr2 %#lx\n",
                  f->vec, f->ec, f->rip, vcpu ? vcpu->arch.cr2 : 0);
        xtf_exit();
    }
    fault.hit = true;
    fault.vec = f->vec;
    fault.ec = f->ec;
    fault.rip = f->rip;
    fault.cr2 = vcpu ? vcpu->arch.cr2 : 0;
    f->rip = probe_resume;
    probe_resume = 0;
}

/* A probe result: a value, or FAULT(vector, error code). */
#define FAULT_TAG       0x7fa0000000000000L
#define FAULT_MASK      0xfff0000000000000L
#define FAULT(vec, ec)  (FAULT_TAG | ((long)(vec) << 16) | (ec))
#define FAULT_AT_READ   0x8000000000L   /* in load_fs: at the read */
#define X86_EXC_TS      10
#define X86_EXC_NP      11
#define X86_EXC_SS      12
#define X86_EXC_GP      13
#define X86_EXC_PF      14
#define GP(ec)          FAULT(X86_EXC_GP, ec)
#define PF(ec)          FAULT(X86_EXC_PF, ec)
#define NOT_RUN         0x7fb0000000000000L

static long fault_result(void)
{
    long r = FAULT(fault.vec, fault.ec & 0xffff);

    if ( fault.rip == (unsigned long)load_fs_read )
        r |= FAULT_AT_READ;
    return r;
}

/* ------------------------------------------------------------ reporting */

static const char *const vec_name[] = {
    [X86_EXC_TS] = "#TS", [X86_EXC_NP] = "#NP", [X86_EXC_SS] = "#SS",
    [X86_EXC_GP] = "#GP", [X86_EXC_PF] = "#PF",
};

static const char *show(char *buf, size_t size, long v)
{
    if ( v == NOT_RUN )
        snprintf(buf, size, "not-run(frame-is-ours)");
    else if ( (v & FAULT_MASK) == FAULT_TAG )
        snprintf(buf, size, "%s(%#lx)%s", vec_name[(v >> 16) & 0xf],
                 v & 0xffff, (v & FAULT_AT_READ) ? "@read" : "");
    else
        show_value(buf, size, v);
    return buf;
}

static void check_eq(const char *name, long got, long expected)
{
    report_case(name, got, expected, show);
}

/* ------------------------------------------------------------ the cases */

enum op
{
    OP_GDT,         /* set_gdt([frame, frame2], entries) */
    OP_UPD,         /* update_descriptor(maddr(frame, idx) + off, value) */
    OP_LDT,         /* MMUEXT_SET_LDT(va or frame's VA, entries) */
    OP_UVM,         /* update_va_mapping(frame's VA, frame, flags) */
    OP_DS,          /* load_ds(sel) */
    OP_ES,          /* load_es(sel) */
    OP_FS,          /* load_fs(sel, BASE_OFFSET): the word read */
    OP_LCALL,       /* far_call(sel) */
    OP_PEEK,        /* frame[idx], read through its mapping */
};

struct desc_case
{
    const char *name;
    enum op op;
    enum frame frame, frame2;
    unsigned long arg;          /* entries, index, selector, flags, VA */
    unsigned long off;          /* OP_UPD: byte offset added */
    unsigned long value;        /* OP_UPD: the descriptor */
    bool guard;                 /* not run if the foreign frame is ours */
    long expect;
};

#define GDT(n, f, f2, ents, e) \
    { n, OP_GDT, .frame = (f), .frame2 = (f2), .arg = (ents), .expect = (e) }
#define UPD(n, f, ix, v, e) \
    { n, OP_UPD, .frame = (f), .arg = (ix), .value = (v), .expect = (e) }
#define LDT(n, f, ents, e) \
    { n, OP_LDT, .frame = (f), .arg = (ents), .expect = (e) }
#define LDT_VA(n, va, ents, e) \
    { n, OP_LDT, .frame = FR_NONE, .off = (va), .arg = (ents), .expect = (e) }
#define UVM(n, f, fl, e) \
    { n, OP_UVM, .frame = (f), .arg = (fl), .expect = (e) }
#define DS(n, sel, e)   { n, OP_DS, .arg = (sel), .expect = (e) }
/* A #PF whose cr2 must be the LDT's VA + the selector's offset. */
#define DS_PF(n, sel, f) \
    { n, OP_DS, .arg = (sel), .frame = (f), .expect = PF(0) }
#define ES(n, sel, e)   { n, OP_ES, .arg = (sel), .expect = (e) }
#define FS(n, sel, e)   { n, OP_FS, .arg = (sel), .expect = (e) }
#define LCALL(n, sel, e) { n, OP_LCALL, .arg = (sel), .expect = (e) }
#define PEEK(n, f, ix, e) \
    { n, OP_PEEK, .frame = (f), .arg = (ix), .expect = (e) }

/* Values filled in at run time, named by these placeholders. */
#define MAGIC_GDT       0x1001L
#define MAGIC_LDT       0x1002L

static const struct desc_case cases[] = {
    /* 1. set_gdt. */
    GDT("set_gdt GDT_A 16 entries (mapped writable)", FR_GDT_A, FR_NONE, 16,
        -XEN_EINVAL),
    UVM("update_va_mapping GDT_A read-only", FR_GDT_A, KERNEL_RO, 0),
    UVM("update_va_mapping GDT_B read-only", FR_GDT_B, KERNEL_RO, 0),
    UVM("update_va_mapping GDT_TSS read-only", FR_GDT_TSS, KERNEL_RO, 0),
    UVM("update_va_mapping GDT_IGATE read-only", FR_GDT_IGATE, KERNEL_RO, 0),
    GDT("set_gdt GDT_A 7169 entries", FR_GDT_A, FR_NONE, 7169, -XEN_EINVAL),
    GDT("set_gdt GDT_TSS 16 entries (64-bit TSS)", FR_GDT_TSS, FR_NONE, 16,
        -XEN_EINVAL),
    GDT("set_gdt GDT_IGATE 16 entries (interrupt gate)", FR_GDT_IGATE,
        FR_NONE, 16, -XEN_EINVAL),
    GDT("set_gdt mfn 2^36 16 entries", FR_MFN_HUGE, FR_NONE, 16,
        -XEN_EINVAL),
    { "set_gdt mfn 0 16 entries", OP_GDT, .frame = FR_MFN0, .arg = 16,
      .guard = true, .expect = -XEN_EINVAL },
    GDT("set_gdt GDT_A 16 entries", FR_GDT_A, FR_NONE, 16, 0),
    DS("mov GDT[1] (flat data) to %ds", GDT_SEL(IX_FLAT), 0),
    ES("mov GDT[1] (flat data) to %es", GDT_SEL(IX_FLAT), 0),
    FS("mov GDT[2] (data, base) to %fs, read through it", GDT_SEL(IX_BASE),
       MAGIC_GDT),
    DS("mov GDT[0] RPL 3 (null) to %ds", GDT_SEL(0), 0),
    DS("mov GDT[16] (zero, in the frame) to %ds", GDT_SEL(16),
       GP(SEL(16, 0, 0))),
    DS("mov GDT[17] (flat data, beyond 16 entries, in the frame) to %ds",
       GDT_SEL(IX_BEYOND), 0),
    DS("mov GDT[512] (beyond the frame) to %ds", GDT_SEL(512),
       GP(SEL(512, 0, 0))),
    DS("mov GDT[7167] (last guest entry) to %ds", GDT_SEL(7167),
       GP(SEL(7167, 0, 0))),
    DS("mov 0xe02b (Xen's FLAT_USER_DS) to %ds", FLAT_USER_SS, 0),
    UVM("update_va_mapping GDT_A (in use) writable", FR_GDT_A, KERNEL_RW,
        -XEN_EBUSY),
    GDT("set_gdt GDT_B 16 entries (switch)", FR_GDT_B, FR_NONE, 16, 0),
    UVM("update_va_mapping GDT_A (no longer in use) writable", FR_GDT_A,
        KERNEL_RW, 0),
    GDT("set_gdt GDT_A 16 entries (mapped writable again)", FR_GDT_A,
        FR_NONE, 16, -XEN_EINVAL),
    GDT("set_gdt GDT_B, GDT_A 1024 entries (second writable)", FR_GDT_B,
        FR_GDT_A, 1024, -XEN_EINVAL),
    DS("mov GDT[1] to %ds (GDT_B still in use)", GDT_SEL(IX_FLAT), 0),

    /* 2. update_descriptor. */
    UPD("update_descriptor GDT_B[8] flat data DPL 3 (in use)", FR_GDT_B,
        IX_UPD, FLAT_DATA3, 0),
    PEEK("read back GDT_B[8]", FR_GDT_B, IX_UPD, FLAT_DATA3),
    DS("mov GDT[8] to %ds", GDT_SEL(IX_UPD), 0),
    UPD("update_descriptor GDT_B[8] flat data DPL 0", FR_GDT_B, IX_UPD,
        FLAT_DATA0, 0),
    PEEK("read back GDT_B[8] (DPL 0 data)", FR_GDT_B, IX_UPD, FLAT_DATA3),
    UPD("update_descriptor GDT_B[8] code64 DPL 0", FR_GDT_B, IX_UPD,
        FLAT_CODE64_0, 0),
    PEEK("read back GDT_B[8] (DPL 0 code64)", FR_GDT_B, IX_UPD,
         FLAT_CODE64_0 | D_DPL(3)),
    UPD("update_descriptor GDT_B[8] not present, garbage", FR_GDT_B, IX_UPD,
        NP_GARBAGE, 0),
    PEEK("read back GDT_B[8] (not present)", FR_GDT_B, IX_UPD, NP_GARBAGE),
    DS("mov GDT[8] (not present) to %ds", GDT_SEL(IX_UPD),
       FAULT(X86_EXC_NP, SEL(IX_UPD, 0, 0))),
    UPD("update_descriptor GDT_B[10] call gate to FLAT_KERNEL_CS DPL 3",
        FR_GDT_B, IX_UPD_GATE, CALL_GATE, 0),
    PEEK("read back GDT_B[10] (call gate)", FR_GDT_B, IX_UPD_GATE,
         CALL_GATE & ~D_DPL(3)),
    UPD("update_descriptor GDT_B[11] call gate upper half", FR_GDT_B,
        IX_UPD_GATE + 1, CALL_GATE_HI, 0),
    PEEK("read back GDT_B[11] (upper half)", FR_GDT_B, IX_UPD_GATE + 1,
         CALL_GATE_HI),
    /* Xen emulates gate use for 32-bit PV only: a 64-bit kernel gets #GP. */
    LCALL("lcall through GDT[10] (call gate)", GDT_SEL(IX_UPD_GATE),
          GP(SEL(IX_UPD_GATE, 0, 0))),
    UPD("update_descriptor GDT_B[8] interrupt gate", FR_GDT_B, IX_UPD,
        INT_GATE, -XEN_EINVAL),
    UPD("update_descriptor GDT_B[8] 64-bit TSS", FR_GDT_B, IX_UPD, TSS64,
        -XEN_EINVAL),
    PEEK("read back GDT_B[8] (after refusals)", FR_GDT_B, IX_UPD,
         NP_GARBAGE),
    { "update_descriptor GDT_B[8] + 4 (unaligned)", OP_UPD,
      .frame = FR_GDT_B, .arg = IX_UPD, .off = 4, .value = FLAT_DATA3,
      .expect = -XEN_EINVAL },
    UPD("update_descriptor DATA[8] flat data (writable frame)", FR_DATA,
        IX_UPD, FLAT_DATA3, 0),
    PEEK("read back DATA[8]", FR_DATA, IX_UPD, FLAT_DATA3),
    UPD("update_descriptor DATA[8] flat data DPL 0 (writable frame)",
        FR_DATA, IX_UPD, FLAT_DATA0, 0),
    PEEK("read back DATA[8] (DPL 0 data)", FR_DATA, IX_UPD, FLAT_DATA3),
    UPD("update_descriptor DATA[8] interrupt gate (writable frame)", FR_DATA,
        IX_UPD, INT_GATE, -XEN_EINVAL),
    UPD("update_descriptor GDT_A[8] (GDT_A mapped writable)", FR_GDT_A,
        IX_UPD, FLAT_DATA3, 0),
    UPD("update_descriptor mfn 2^36", FR_MFN_HUGE, IX_UPD, FLAT_DATA3,
        -XEN_EINVAL),
    { "update_descriptor mfn 0 (not ours)", OP_UPD, .frame = FR_MFN0,
      .arg = IX_UPD, .value = 0, .guard = true, .expect = -XEN_EINVAL },

    /* 3. MMUEXT_SET_LDT. */
    LDT_VA("SET_LDT LDT + 8 (not page aligned)", 8, 2, -XEN_EINVAL),
    LDT("SET_LDT LDT 8193 entries", FR_LDT, 8193, -XEN_EINVAL),
    LDT_VA("SET_LDT base in the hypervisor hole", VA_HOLE, 2, -XEN_EINVAL),
    UVM("update_va_mapping LDT read-only", FR_LDT, KERNEL_RO, 0),
    UVM("update_va_mapping LDT_BAD read-only", FR_LDT_BAD, KERNEL_RO, 0),
    LDT("SET_LDT LDT 2 entries", FR_LDT, 2, 0),
    DS("mov 0x0f (LDT[1]) to %ds", LDT_SEL(IX_FLAT), 0),
    FS("mov 0x17 (LDT[2], base) to %fs: beyond 2 entries", LDT_SEL(IX_BASE),
       GP(SEL(IX_BASE, 1, 0))),
    DS("mov 0x2f (LDT[5]) to %ds: beyond 2 entries", LDT_SEL(5),
       GP(SEL(5, 1, 0))),
    LDT("SET_LDT LDT 3 entries", FR_LDT, 3, 0),
    FS("mov 0x17 (LDT[2], base) to %fs, read through it", LDT_SEL(IX_BASE),
       MAGIC_LDT),
    DS("mov 0x04 (LDT[0] RPL 0, zero) to %ds", SEL(0, 1, 0), GP(SEL(0, 1, 0))),
    UVM("update_va_mapping LDT (in use) writable", FR_LDT, KERNEL_RW,
        -XEN_EBUSY),
    LDT("SET_LDT LDT_BAD 8 entries", FR_LDT_BAD, 8, 0),
    UVM("update_va_mapping LDT (replaced) writable", FR_LDT, KERNEL_RW, 0),
    DS_PF("mov 0x0f (LDT_BAD[1], good) to %ds: first use of a bad LDT page",
          LDT_SEL(IX_FLAT), FR_LDT_BAD),
    DS_PF("mov 0x2f (LDT_BAD[5], the TSS) to %ds", LDT_SEL(IX_BAD),
          FR_LDT_BAD),
    LDT_VA("SET_LDT 0 entries", 0, 0, 0),
    DS("mov 0x0f to %ds with no LDT", LDT_SEL(IX_FLAT),
       GP(SEL(IX_FLAT, 1, 0))),
    UVM("update_va_mapping LDT_BAD writable", FR_LDT_BAD, KERNEL_RW, 0),

    /* 4. Leave no GDT. */
    GDT("set_gdt 0 entries", FR_NONE, FR_NONE, 0, 0),
    UVM("update_va_mapping GDT_B (no longer in use) writable", FR_GDT_B,
        KERNEL_RW, 0),
    DS("mov 0xe02b (Xen's FLAT_USER_DS) to %ds with no GDT", FLAT_USER_SS,
       0),
};

/* ------------------------------------------------------------ the runners */

static const unsigned long *const m2p =
    (const unsigned long *)MACH2PHYS_VIRT_START;

/* Whether a machine frame is ours: the M2P and the P2M agree on it. */
static bool frame_ours(enum frame f)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;
    unsigned long mfn = frame_mfn[f], pfn;

    fault.hit = false;
    pfn = probe_read(&m2p[mfn]);
    if ( fault.hit )
        return false;
    return pfn < start_info->nr_pages && p2m[pfn] == mfn;
}

static long run_probe(const struct desc_case *c)
{
    unsigned long v;

    fault.hit = false;
    switch ( c->op )
    {
    case OP_DS: v = load_ds(c->arg); break;
    case OP_ES: v = load_es(c->arg); break;
    case OP_LCALL: v = far_call(c->arg); break;
    default:    v = load_fs(c->arg, BASE_OFFSET); break;
    }
    if ( fault.hit )
        return fault_result();
    if ( v == magic_gdt )
        return MAGIC_GDT;
    if ( v == magic_ldt )
        return MAGIC_LDT;
    return v;
}

static long run_case(const struct desc_case *c)
{
    unsigned long frames[2] = { frame_mfn[c->frame], frame_mfn[c->frame2] };
    mmuext_op_t op = { .cmd = MMUEXT_SET_LDT };

    if ( c->guard && frame_ours(c->frame) )
        return NOT_RUN;

    switch ( c->op )
    {
    case OP_GDT:
        return hypercall_raw(__HYPERVISOR_set_gdt, (unsigned long)frames,
                             c->arg, 0, 0, 0);

    case OP_UPD:
        return hypercall_raw(__HYPERVISOR_update_descriptor,
                             (frame_mfn[c->frame] << PAGE_SHIFT) +
                             c->arg * 8 + c->off, c->value, 0, 0, 0);

    case OP_LDT:
        op.arg1.linear_addr = c->frame != FR_NONE ? frame_va(c->frame) :
                              c->off < PAGE_SIZE ?
                              frame_va(FR_LDT) + c->off : c->off;
        if ( c->frame == FR_NONE && !c->arg )
            op.arg1.linear_addr = 0;
        op.arg2.nr_ents = c->arg;
        return hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF);

    case OP_UVM:
        return hypercall_update_va_mapping(frame_va(c->frame),
                                           (frame_mfn[c->frame] <<
                                            PAGE_SHIFT) | c->arg,
                                           UVMF_INVLPG);

    case OP_PEEK:
        return ((volatile uint64_t *)frame_va(c->frame))[c->arg];

    default:
        return run_probe(c);
    }
}

/*
 * One case; a #PF from a probe also has its cr2 checked: the guest's linear
 * address of the descriptor (frame's VA + the selector's offset).
 */
static void run_check(const struct desc_case *c)
{
    char name[128];
    long got = run_case(c);

    check_eq(c->name, got, c->expect);
    if ( c->op >= OP_DS && c->op <= OP_FS &&
         (c->expect & ~FAULT_AT_READ) == PF(0) && got == c->expect )
    {
        snprintf(name, sizeof(name), "%s cr2", c->name);
        check_eq(name, fault.cr2, frame_va(c->frame) + (c->arg & ~7UL));
    }
}

/* ------------------------------------------------------------ the set-up */

static void fill_frames(void)
{
    unsigned int gdt_base = (unsigned int)(unsigned long)&magic_gdt;
    unsigned int ldt_base = (unsigned int)(unsigned long)&magic_ldt;
    unsigned int f;

    if ( (unsigned long)&magic_gdt - gdt_base != BASE_OFFSET ||
         (unsigned long)&magic_ldt - ldt_base != BASE_OFFSET )
        xtf_error("Error: magic words not at 0xffffffffxxxxxxxx\n");

    for ( f = FR_GDT_A; f <= FR_GDT_IGATE; f++ )
    {
        pages[f][IX_FLAT] = FLAT_DATA3;
        pages[f][IX_BASE] = DATA3(gdt_base);
        pages[f][IX_BEYOND] = FLAT_DATA3;
    }
    pages[FR_GDT_TSS][IX_BAD] = TSS64;
    pages[FR_GDT_IGATE][IX_BAD] = INT_GATE;

    pages[FR_LDT][IX_FLAT] = FLAT_DATA3;
    pages[FR_LDT][IX_BASE] = DATA3(ldt_base);
    pages[FR_LDT_BAD][IX_FLAT] = FLAT_DATA3;
    pages[FR_LDT_BAD][IX_BASE] = DATA3(ldt_base);
    pages[FR_LDT_BAD][IX_BAD] = TSS64;
}

static bool setup(void)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;
    unsigned long pfn = ((unsigned long)vcpu_page - GUEST_VIRT_BASE) >>
                        PAGE_SHIFT;
    struct vcpu_register_vcpu_info info = { .mfn = p2m[pfn] };
    static trap_info_t traps[6];
    const char *const entries[] = {
        fault_entry_10, fault_entry_11, fault_entry_12, fault_entry_13,
        fault_entry_14,
    };
    unsigned int i;
    long rc;

    rc = hypercall_vcpu_op(VCPUOP_register_vcpu_info, 0, &info);
    if ( rc )
        xtf_error("VCPUOP_register_vcpu_info: %ld (cr2 not shown)\n", rc);
    else
        vcpu = (vcpu_info_t *)vcpu_page;

    for ( i = 0; i < ARRAY_SIZE(entries); i++ )
    {
        traps[i].vector = X86_EXC_TS + i;
        traps[i].cs = FLAT_KERNEL_CS;
        traps[i].address = (unsigned long)entries[i];
    }
    rc = hypercall_set_trap_table(traps);
    if ( rc )
    {
        xtf_error("set_trap_table: %ld\n", rc);
        return false;
    }

    for ( i = FR_NONE + 1; i < FR_PAGES_END; i++ )
    {
        pfn = (frame_va(i) - GUEST_VIRT_BASE) >> PAGE_SHIFT;
        frame_mfn[i] = p2m[pfn];
        printk("frame %-9s pfn %#lx mfn %#lx va %#lx\n", frame_name[i], pfn,
               frame_mfn[i], frame_va(i));
    }
    frame_mfn[FR_MFN0] = 0;
    frame_mfn[FR_MFN_HUGE] = MFN_HUGE;
    printk("mfn 0 is %s\n", frame_ours(FR_MFN0) ? "OURS" : "not ours");

    fill_frames();
    return true;
}

void test_main(void)
{
    unsigned int i;

    if ( !setup() )
        return;

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
        run_check(&cases[i]);

    hypercall_set_segment_base(SEGBASE_FS, 0);
    printk("%u checks\n", report_checks);
    xtf_success(NULL);
}
