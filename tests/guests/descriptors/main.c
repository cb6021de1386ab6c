/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/descriptors/main.c - the segment descriptor tables of a
 * PV domU: set_gdt, update_descriptor, MMUEXT_SET_LDT, and what loading a
 * selector from those tables does. Built 64-bit (ring 3) and as a 32-bit
 * PAE kernel (ring 1), whose descriptors Xen checks by its 32-bit rules.
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
 *
 * As a 32-bit kernel (GUEST32_NAMES; L0 runs no 32-bit PV guest, so the lab
 * runs it under our shim and Debian's xen-shim) the expected values are
 * Xen's for a compat domain, from its source: check_descriptor with
 * is_pv_32bit_domain (DPL 0 becomes 1, GUEST_KERNEL_RPL; no L bit; a
 * segment from base 0 reaching past HYPERVISOR_COMPAT_VIRT_START, 0xF5800000,
 * extended to 4 GiB, any other base or limit kept; call gates to a guest
 * selector, an LDT one or exactly FLAT_COMPAT_KERNEL_CS, with parameter
 * counts, bits 5-7 reserved), compat_set_gdt (a list of 32-bit frames),
 * MMUEXT_SET_LDT's __addr_ok (any 32-bit address, the hole's too),
 * compat_set_trap_table (fixup_guest_code_selector: RPL 0 becomes 1) and
 * Xen's compat GDT page (arch/x86/desc.c boot_compat_gdt: only the ring-1
 * and ring-3 selectors are the guest's). Bases count in 32-bit mode: the
 * probes read through %fs at offset 0, and leave %ds, %es and %ss on the
 * flat kernel selectors. Call gates are installed and read back, never used
 * (Xen emulates their use for a 32-bit guest).
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
#define PTE_P           0x001ULL
#define PTE_RW          0x002ULL
#define PTE_A           0x020ULL
#define PTE_D           0x040ULL
#define KERNEL_RW       (PTE_P | PTE_RW | PTE_A | PTE_D)
#define KERNEL_RO       (PTE_P | PTE_A)

#ifdef __i386__
#define W64_32(v64, v32) (v32)
#else
#define W64_32(v64, v32) (v64)
#endif

/* The guest kernel's ring: descriptors of a lower DPL are raised to it. */
#define KERNEL_DPL      W64_32(3, 1)

/* Descriptor fields (SDM vol. 3 section 3.4.5). */
#define D_TYPE(t)       ((uint64_t)(t) << 40)
#define D_S             (1ULL << 44)
#define D_DPL(d)        ((uint64_t)(d) << 45)
#define D_P             (1ULL << 47)
#define D_AVL           (1ULL << 52)
#define D_L             (1ULL << 53)
#define D_DB            (1ULL << 54)
#define D_G             (1ULL << 55)
#define T_DATA_RW       0x3         /* read/write, accessed */
#define T_DATA_ED       0x7         /* read/write, expand-down, accessed */
#define T_CODE_RX       0xb         /* execute/read, accessed */
#define T_CODE_CONF     0xf         /* execute/read, conforming, accessed */
#define T_TSS16         0x1
#define T_LDT           0x2
#define T_CALL16        0x4
#define T_TASK          0x5
#define T_TSS64         0x9
#define T_CALL64        0xc         /* a 32-bit call gate in legacy mode */
#define T_INT64         0xe
#define T_TRAP32        0xf

#define seg_desc(base, limit, attr)                                     \
    (((limit) & 0xffffULL) | (((uint64_t)(base) & 0xffffff) << 16) |     \
     ((((uint64_t)(limit) >> 16) & 0xf) << 48) |                          \
     (((uint64_t)(base) >> 24) << 56) | (attr))
#define with_dpl(d, dpl) (((d) & ~D_DPL(3)) | D_DPL(dpl))

#define DATA3(base)     seg_desc(base, 0xfffff, D_S | D_TYPE(T_DATA_RW) | \
                                 D_DPL(3) | D_P | D_DB | D_G)
#define FLAT_DATA3      DATA3(0)
#define FLAT_DATA0      seg_desc(0, 0xfffff, D_S | D_TYPE(T_DATA_RW) | \
                                 D_DPL(0) | D_P | D_DB | D_G)
#define FLAT_CODE64_0   seg_desc(0, 0xfffff, D_S | D_TYPE(T_CODE_RX) | \
                                 D_DPL(0) | D_P | D_L | D_G)
/* Not present, everything else garbage: type, DPL, base, limit, AVL. */
#define NP_GARBAGE      0xdead7fffbeefcafeULL
/* A 64-bit TSS (lower half), limit 0x67, base 0. */
#define TSS64           seg_desc(0, 0x67, D_TYPE(T_TSS64) | D_P)

/* A gate's lower half: offset 15:0 and 31:16, selector, type, DPL, P. */
#define gate_desc(off, sel, type, dpl)                                  \
    (((off) & 0xffffULL) | (((uint64_t)(sel) & 0xffff) << 16) |           \
     D_TYPE(type) | D_DPL(dpl) | D_P | (((uint64_t)(off) >> 16) << 48))

#define GATE_OFF        0x80001000U
#define CALL_GATE       gate_desc(GATE_OFF, FLAT_KERNEL_CS, T_CALL64, 3)
#define CALL_GATE_HI    0x00000000ffffffffULL   /* offset 63:32, type 0 */
#define INT_GATE        gate_desc(GATE_OFF, FLAT_KERNEL_CS, T_INT64, 0)
/* Xen keeps a gate's DPL in its selector's RPL and makes the gate DPL 0. */
#define CALL_GATE_KEPT  gate_desc(GATE_OFF, (FLAT_KERNEL_CS & ~3) | 3, T_CALL64, 0)

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
#define IX_CODE         12          /* 32-bit: a code segment of ours */
#define IX_STACK        13          /* 32-bit: a stack segment of ours */

/* Addresses. */
#define VA_HOLE         0xffff800000000000ULL
#ifdef __i386__
/* compat_set_gdt takes 32-bit frame numbers: 2^28 - 1 is 1 TiB up, no RAM. */
#define MFN_HUGE        0xfffffffULL
#define MFN_HUGE_NAME   "2^28-1"
#else
#define MFN_HUGE        (1ULL << 36)
#define MFN_HUGE_NAME   "2^36"
#endif

/* Xen's reserved GDT page as a 64-bit guest sees it: its flat user data. */
#ifdef __i386__
#define USER_DS_SEL     FLAT_USER_DS
#define USER_DS_NAME    "0xe033"
#else
#define USER_DS_SEL     FLAT_USER_SS
#define USER_DS_NAME    "0xe02b"
#endif

#ifdef __i386__
/*
 * A 32-bit guest's segments (X: check_descriptor): HOLE is
 * __HYPERVISOR_COMPAT_VIRT_START, where Xen's compat M2P begins.
 */
#define HOLE            0xF5800000U
#define KSEL(i)         SEL(i, 0, 1)        /* our GDT, RPL 1 */
#define DATA1(base, limit, g) \
    seg_desc(base, limit, D_S | D_TYPE(T_DATA_RW) | D_DPL(1) | D_P | D_DB | (g))
#define FLAT_CODE32_0   seg_desc(0, 0xfffff, D_S | D_TYPE(T_CODE_RX) | \
                                 D_DPL(0) | D_P | D_DB | D_G)
#define GATE32(sel, dpl) gate_desc(GATE_OFF, sel, T_CALL64, dpl)
#define SYS_DESC(type)  seg_desc(0x1000, 0x67, D_TYPE(type) | D_P)
#endif

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
    FR_MFN_HUGE,                /* MFN_HUGE: no RAM */
    FR_NR,
};

static const char *const frame_name[FR_NR] = {
    [FR_NONE] = "none", [FR_GDT_A] = "GDT_A", [FR_GDT_B] = "GDT_B",
    [FR_GDT_TSS] = "GDT_TSS", [FR_GDT_IGATE] = "GDT_IGATE",
    [FR_DATA] = "DATA", [FR_LDT] = "LDT", [FR_LDT_BAD] = "LDT_BAD",
    [FR_MFN0] = "mfn 0", [FR_MFN_HUGE] = "mfn " MFN_HUGE_NAME,
};

static uint64_t pages[FR_PAGES_END][DESCS] __aligned(PAGE_SIZE);
static uint64_t frame_mfn[FR_NR];

static unsigned long frame_va(enum frame f)
{
    return (unsigned long)pages[f];
}

/* The words a base-carrying descriptor points at ("gdt!", "ldt!"). */
static volatile unsigned long magic_gdt = 0x21746467UL;
static volatile unsigned long magic_ldt = 0x2174646cUL;

/* What a probe through %fs adds to the base (64-bit: wraps it to the VA). */
#define BASE_OFFSET     W64_32(0xffffffff00000000UL, 0)

/* ------------------------------------------------------------ faults */

static uint8_t vcpu_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static vcpu_info_t *vcpu;

/* Where a fault in a probe resumes; 0 outside a probe. */
unsigned long probe_resume;

static struct
{
    bool hit;
    unsigned long vec, ec, rip, cr2;
    unsigned int handler_cs;        /* %cs the handler ran on */
} fault;

#ifdef __i386__
/* pusha, the stub's vector, then Xen's 32-bit frame: error code, eip, cs, eflags. */
struct fault_frame
{
    unsigned long edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    unsigned long vec, ec, ip, cs, flags;
};

/*
 * Back by HYPERVISOR_iret, whose stub pushes eax itself onto [eip, cs,
 * eflags] (X: compat_iret), as in tests/guests/mm.
 */
__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    "fault_common:\n"
    "    cld\n"
    "    pusha\n"
    "    push %esp\n"
    "    call fault_handle\n"
    "    add  $4, %esp\n"
    "    popa\n"
    "    add  $8, %esp\n"
    "    jmp  hypercall_page + " STR(__HYPERVISOR_iret) " * 32\n"
    "    .popsection\n"
);
#else
struct fault_frame
{
    unsigned long vec, rcx, r11, ec, ip, cs, rflags, rsp, ss;
};

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
#endif

void fault_handle(struct fault_frame *f);

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
 * loads the register's usual selector back (null; a 32-bit kernel's %ds,
 * %es and %ss are FLAT_KERNEL_DS).
 *
 *   load_ds(sel), load_es(sel):  mov sel, %ds/%es
 *   load_fs(sel, off):           mov sel, %fs; return %fs:(off)
 *   probe_read(p):               return *p
 *   far_call(sel):               64-bit: lcall through sel:0 (m16:32 on
 *                                the stack); 32-bit: lcall sel:far_target,
 *                                which returns the %cs it ran on
 *   load_ss(sel):                32-bit: mov sel, %ss
 */
unsigned long load_ds(unsigned long sel);
unsigned long load_es(unsigned long sel);
unsigned long load_fs(unsigned long sel, unsigned long off);
unsigned long probe_read(const volatile unsigned long *p);
unsigned long far_call(unsigned long sel);
#ifdef __i386__
unsigned long load_ss(unsigned long sel);
#endif
extern const char load_fs_read[];

#ifdef __i386__
#define PROBE_BEGIN(name)                                               \
    "    .globl " #name "\n"                                            \
    #name ":\n"                                                         \
    "    movl $" #name "_resume, probe_resume\n"                        \
    "    mov  4(%esp), %ecx\n"                                          \
    "    mov  8(%esp), %edx\n"                                          \
    "    xor  %eax, %eax\n"
#define PROBE_END(name, seg, sel)                                       \
    #name "_resume:\n"                                                  \
    "    movl $0, probe_resume\n"                                       \
    "    mov  $" sel ", %ecx\n"                                         \
    "    mov  %ecx, " seg "\n"                                          \
    "    ret\n"

__asm__ (
    "    .pushsection .text, \"ax\", @progbits\n"
    PROBE_BEGIN(load_ds)
    "    mov  %ecx, %ds\n"
    PROBE_END(load_ds, "%ds", STR(FLAT_KERNEL_DS))
    PROBE_BEGIN(load_es)
    "    mov  %ecx, %es\n"
    PROBE_END(load_es, "%es", STR(FLAT_KERNEL_DS))
    PROBE_BEGIN(load_ss)
    "    mov  %ecx, %ss\n"
    PROBE_END(load_ss, "%ss", STR(FLAT_KERNEL_SS))
    PROBE_BEGIN(load_fs)
    "    not  %eax\n"
    "    mov  %ecx, %fs\n"
    "    .globl load_fs_read\n"
    "load_fs_read:\n"
    "    mov  %fs:(%edx), %eax\n"
    PROBE_END(load_fs, "%fs", "0")
    PROBE_BEGIN(probe_read)
    "    mov  (%ecx), %eax\n"
    "probe_read_resume:\n"
    "    movl $0, probe_resume\n"
    "    ret\n"
    PROBE_BEGIN(far_call)
    "    push %ecx\n"
    "    push $far_target\n"
    "    lcall *(%esp)\n"
    "far_call_resume:\n"
    "    movl $0, probe_resume\n"
    "    add  $8, %esp\n"
    "    ret\n"
    "far_target:\n"
    "    mov  %cs, %eax\n"
    "    lret\n"
    "    .popsection\n"
);
#else
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
#endif

void fault_handle(struct fault_frame *f)
{
    unsigned int cs;

    __asm__ volatile ( "mov %%cs, %0" : "=r" (cs) );
    if ( !probe_resume )
    {
        xtf_error("Unexpected fault vector %lu error %#lx at %#lx cr2 %#lx\n",
                  f->vec, f->ec, f->ip, vcpu ? vcpu->arch.cr2 : 0);
        xtf_exit();
    }
    fault.hit = true;
    fault.vec = f->vec;
    fault.ec = f->ec;
    fault.rip = f->ip;
    fault.cr2 = vcpu ? vcpu->arch.cr2 : 0;
    fault.handler_cs = cs & 0xffff;
    f->ip = probe_resume;
    probe_resume = 0;
}

/*
 * A case's value: a hypercall's result, a descriptor (64 bits also for a
 * 32-bit kernel), a word read, or FAULT(vector, error code).
 */
typedef int64_t val_t;
#define FAULT_TAG       0x7fa0000000000000LL
#define FAULT_MASK      0xfff0000000000000LL
#define FAULT(vec, ec)  (FAULT_TAG | ((val_t)(vec) << 16) | (ec))
#define FAULT_AT_READ   0x8000000000LL  /* in load_fs: at the read */
#define X86_EXC_TS      10
#define X86_EXC_NP      11
#define X86_EXC_SS      12
#define X86_EXC_GP      13
#define X86_EXC_PF      14
#define GP(ec)          FAULT(X86_EXC_GP, ec)
#define PF(ec)          FAULT(X86_EXC_PF, ec)
#define NOT_RUN         0x7fb0000000000000LL

static val_t fault_result(void)
{
    val_t r = FAULT(fault.vec, fault.ec & 0xffff);

    if ( fault.rip == (unsigned long)load_fs_read )
        r |= FAULT_AT_READ;
    return r;
}

/* ------------------------------------------------------------ reporting */

static const char *const vec_name[] = {
    [X86_EXC_TS] = "#TS", [X86_EXC_NP] = "#NP", [X86_EXC_SS] = "#SS",
    [X86_EXC_GP] = "#GP", [X86_EXC_PF] = "#PF",
};

static const char *show(char *buf, size_t size, val_t v)
{
    if ( v == NOT_RUN )
        snprintf(buf, size, "not-run(frame-is-ours)");
    else if ( (v & FAULT_MASK) == FAULT_TAG )
        snprintf(buf, size, "%s(%#x)%s", vec_name[(v >> 16) & 0xf],
                 (unsigned int)(v & 0xffff), (v & FAULT_AT_READ) ? "@read" : "");
    else if ( v == (long)v )
        show_value(buf, size, v);
    else
        snprintf(buf, size, "%#llx", (unsigned long long)v);
    return buf;
}

static void check_eq(const char *name, val_t got, val_t expected)
{
    char g[48], e[48];

    report_line(name, show(g, sizeof(g), got), show(e, sizeof(e), expected),
                got == expected);
}

/* ------------------------------------------------------------ the cases */

enum op
{
    OP_GDT,         /* set_gdt([frame, frame2 or frame, frame...], entries) */
    OP_UPD,         /* update_descriptor(maddr(frame, idx) + off, value) */
    OP_LDT,         /* MMUEXT_SET_LDT(va or frame's VA, entries) */
    OP_UVM,         /* update_va_mapping(frame's VA, frame, flags) */
    OP_TRAPS,       /* set_trap_table: the probes' vectors, #GP's on cs arg */
    OP_DS,          /* load_ds(sel) */
    OP_ES,          /* load_es(sel) */
    OP_FS,          /* load_fs(sel, off or BASE_OFFSET): the word read */
    OP_SS,          /* load_ss(sel) (32-bit) */
    OP_LCALL,       /* far_call(sel) */
    OP_GP_CS,       /* a #GP (load_ds(0)): the %cs its handler ran on */
    OP_PEEK,        /* frame[idx], read through its mapping */
};

struct desc_case
{
    const char *name;
    enum op op;
    enum frame frame, frame2;
    unsigned long arg;          /* entries, index, selector, flags, VA */
    unsigned long off;          /* OP_UPD: byte offset added; OP_FS: offset */
    uint64_t value;             /* OP_UPD: the descriptor */
    bool guard;                 /* not run if the foreign frame is ours */
    val_t expect;
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
#define TRAPS(n, cs, e) { n, OP_TRAPS, .arg = (cs), .expect = (e) }
#define DS(n, sel, e)   { n, OP_DS, .arg = (sel), .expect = (e) }
/* A #PF whose cr2 must be the LDT's VA (frame's, or va) + the selector's offset. */
#define DS_PF(n, sel, f) \
    { n, OP_DS, .arg = (sel), .frame = (f), .expect = PF(0) }
#define DS_PF_VA(n, sel, va) \
    { n, OP_DS, .arg = (sel), .off = (va), .expect = PF(0) }
#define ES(n, sel, e)   { n, OP_ES, .arg = (sel), .expect = (e) }
#define FS(n, sel, e)   { n, OP_FS, .arg = (sel), .expect = (e) }
#define FS_AT(n, sel, o, e) { n, OP_FS, .arg = (sel), .off = (o), .expect = (e) }
#define SS(n, sel, e)   { n, OP_SS, .arg = (sel), .expect = (e) }
#define LCALL(n, sel, e) { n, OP_LCALL, .arg = (sel), .expect = (e) }
#define GP_CS(n, e)     { n, OP_GP_CS, .expect = (e) }
#define PEEK(n, f, ix, e) \
    { n, OP_PEEK, .frame = (f), .arg = (ix), .expect = (e) }

/* Values filled in at run time, named by these placeholders. */
#define MAGIC_GDT       0x1001L
#define MAGIC_LDT       0x1002L
#define PFN_DATA        0x1003L     /* expected: DATA's pfn (its M2P entry) */
#define OFF_M2P_DATA    1UL         /* offset: DATA's M2P entry (its VA) */
#define OFF_M2P_DATA_REL 2UL        /* offset: DATA's M2P entry from the hole */

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
    GDT("set_gdt mfn " MFN_HUGE_NAME " 16 entries", FR_MFN_HUGE, FR_NONE, 16,
        -XEN_EINVAL),
    { "set_gdt mfn 0 16 entries", OP_GDT, .frame = FR_MFN0, .arg = 16,
      .guard = true, .expect = -XEN_EINVAL },
    /* FIRST_RESERVED_GDT_ENTRY (7168, 14 frames) is the most: one frame 14 times. */
    GDT("set_gdt GDT_A as all 14 frames, 7168 entries", FR_GDT_A, FR_NONE,
        7168, 0),
    DS("mov GDT[513] (GDT_A[1] in the second frame) to %ds", GDT_SEL(513), 0),
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
    DS("mov " USER_DS_NAME " (Xen's FLAT_USER_DS) to %ds", USER_DS_SEL, 0),
#ifdef __i386__
    /*
     * Xen's compat GDT page (X: desc.c boot_compat_gdt): the ring-1 and
     * ring-3 flat selectors are the guest's, nothing else there is: ring-0
     * code and data, reserved, TSS, LDT and per-CPU entries, and nothing
     * past the page (the GDT's limit is LAST_RESERVED_GDT_BYTE).
     */
    DS("mov 0xe021 (FLAT_KERNEL_DS) to %ds", FLAT_KERNEL_DS, 0),
    DS("mov 0xe020 (FLAT_KERNEL_DS, RPL 0) to %ds", FLAT_KERNEL_DS & ~3, 0),
    DS("mov 0xe018 (FLAT_KERNEL_CS, RPL 0, readable code) to %ds",
       FLAT_KERNEL_CS & ~3, 0),
    DS("mov 0xe000 (the reserved page's first entry) to %ds", 0xe000,
       GP(0xe000)),
    DS("mov 0xe008 (Xen's ring-0 code) to %ds", 0xe008, GP(0xe008)),
    DS("mov 0xe011 (Xen's ring-0 data, RPL 1) to %ds", 0xe011, GP(0xe010)),
    DS("mov 0xe039 (reserved) to %ds", 0xe039, GP(0xe038)),
    DS("mov 0xe041 (Xen's TSS) to %ds", 0xe041, GP(0xe040)),
    DS("mov 0xe051 (Xen's LDT descriptor) to %ds", 0xe051, GP(0xe050)),
    DS("mov 0xf001 (past the reserved page) to %ds", 0xf001, GP(0xf000)),
    SS("mov 0xe021 (FLAT_KERNEL_SS) to %ss", FLAT_KERNEL_SS, 0),
    SS("mov 0xe020 (FLAT_KERNEL_SS, RPL 0) to %ss", FLAT_KERNEL_SS & ~3,
       GP(0xe020)),
    SS("mov 0xe033 (FLAT_USER_SS) to %ss", FLAT_USER_SS, GP(0xe030)),
    SS("mov 0xe011 (Xen's ring-0 data) to %ss", 0xe011, GP(0xe010)),
    LCALL("lcall 0xe019 (FLAT_KERNEL_CS)", FLAT_KERNEL_CS, FLAT_KERNEL_CS),
    LCALL("lcall 0xe018 (FLAT_KERNEL_CS, RPL 0): runs in ring 1",
          FLAT_KERNEL_CS & ~3, FLAT_KERNEL_CS),
    LCALL("lcall 0xe008 (Xen's ring-0 code)", 0xe008, GP(0xe008)),
    LCALL("lcall 0xe02b (FLAT_USER_CS)", FLAT_USER_CS, GP(0xe028)),
    /* A trap's code selector of RPL 0 is made the kernel's ring (X: compat_set_trap_table). */
    TRAPS("set_trap_table: #GP on 0xe018 (FLAT_KERNEL_CS, RPL 0)",
          FLAT_KERNEL_CS & ~3, 0),
    GP_CS("#GP handler's %cs (RPL 0 made 1)", FLAT_KERNEL_CS),
    TRAPS("set_trap_table: #GP on FLAT_KERNEL_CS", FLAT_KERNEL_CS, 0),
#endif
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
    PEEK("read back GDT_B[8] (DPL 0 data)", FR_GDT_B, IX_UPD,
         with_dpl(FLAT_DATA0, KERNEL_DPL)),
    /* A 32-bit guest may have no 64-bit code segment (L). */
    UPD("update_descriptor GDT_B[8] code64 DPL 0", FR_GDT_B, IX_UPD,
        FLAT_CODE64_0, W64_32(0, -XEN_EINVAL)),
    PEEK("read back GDT_B[8] (DPL 0 code64)", FR_GDT_B, IX_UPD,
         W64_32(FLAT_CODE64_0 | D_DPL(3), with_dpl(FLAT_DATA0, 1))),
    UPD("update_descriptor GDT_B[8] not present, garbage", FR_GDT_B, IX_UPD,
        NP_GARBAGE, 0),
    PEEK("read back GDT_B[8] (not present)", FR_GDT_B, IX_UPD, NP_GARBAGE),
    DS("mov GDT[8] (not present) to %ds", GDT_SEL(IX_UPD),
       FAULT(X86_EXC_NP, SEL(IX_UPD, 0, 0))),
    UPD("update_descriptor GDT_B[10] call gate to FLAT_KERNEL_CS DPL 3",
        FR_GDT_B, IX_UPD_GATE, CALL_GATE, 0),
    PEEK("read back GDT_B[10] (call gate)", FR_GDT_B, IX_UPD_GATE,
         CALL_GATE_KEPT),
    UPD("update_descriptor GDT_B[11] call gate upper half", FR_GDT_B,
        IX_UPD_GATE + 1, CALL_GATE_HI, 0),
    PEEK("read back GDT_B[11] (upper half)", FR_GDT_B, IX_UPD_GATE + 1,
         CALL_GATE_HI),
#ifndef __i386__
    /* Xen emulates gate use for 32-bit PV only: a 64-bit kernel gets #GP. */
    LCALL("lcall through GDT[10] (call gate)", GDT_SEL(IX_UPD_GATE),
          GP(SEL(IX_UPD_GATE, 0, 0))),
#endif
    UPD("update_descriptor GDT_B[8] interrupt gate", FR_GDT_B, IX_UPD,
        INT_GATE, -XEN_EINVAL),
    UPD("update_descriptor GDT_B[8] 64-bit TSS", FR_GDT_B, IX_UPD, TSS64,
        -XEN_EINVAL),
    PEEK("read back GDT_B[8] (after refusals)", FR_GDT_B, IX_UPD,
         NP_GARBAGE),
    { "update_descriptor GDT_B[8] + 4 (unaligned)", OP_UPD,
      .frame = FR_GDT_B, .arg = IX_UPD, .off = 4, .value = FLAT_DATA3,
      .expect = -XEN_EINVAL },
#ifdef __i386__
    /*
     * 2b. A 32-bit guest's descriptors (X: check_descriptor, the pv32
     * branch). DPL 0 becomes 1; with it, a selector of RPL 0 reaches ring 1
     * only.
     */
    UPD("update_descriptor GDT_B[12] code32 DPL 0", FR_GDT_B, IX_CODE,
        FLAT_CODE32_0, 0),
    PEEK("read back GDT_B[12] (DPL 0 code32)", FR_GDT_B, IX_CODE,
         with_dpl(FLAT_CODE32_0, 1)),
    LCALL("lcall 0x61 (GDT[12])", KSEL(IX_CODE), KSEL(IX_CODE)),
    LCALL("lcall 0x60 (GDT[12], RPL 0): runs in ring 1", SEL(IX_CODE, 0, 0),
          KSEL(IX_CODE)),
    LCALL("lcall 0x63 (GDT[12], RPL 3)", GDT_SEL(IX_CODE),
          GP(SEL(IX_CODE, 0, 0))),
    TRAPS("set_trap_table: #GP on 0x60 (GDT[12], RPL 0)",
          SEL(IX_CODE, 0, 0), 0),
    GP_CS("#GP handler's %cs (GDT[12], RPL 0 made 1)", KSEL(IX_CODE)),
    TRAPS("set_trap_table: #GP on FLAT_KERNEL_CS (back)", FLAT_KERNEL_CS, 0),
    UPD("update_descriptor GDT_B[13] flat data DPL 0", FR_GDT_B, IX_STACK,
        FLAT_DATA0, 0),
    SS("mov 0x69 (GDT[13], DPL 0 made 1) to %ss", KSEL(IX_STACK), 0),
    SS("mov 0x68 (GDT[13], RPL 0) to %ss", SEL(IX_STACK, 0, 0),
       GP(SEL(IX_STACK, 0, 0))),
    SS("mov 0x0b (GDT[1], DPL 3) to %ss", GDT_SEL(IX_FLAT),
       GP(SEL(IX_FLAT, 0, 0))),
    UPD("update_descriptor GDT_B[8] conforming code DPL 0", FR_GDT_B, IX_UPD,
        seg_desc(0, 0xfffff, D_S | D_TYPE(T_CODE_CONF) | D_P | D_DB | D_G), 0),
    PEEK("read back GDT_B[8] (conforming, DPL 0)", FR_GDT_B, IX_UPD,
         seg_desc(0, 0xfffff, D_S | D_TYPE(T_CODE_CONF) | D_DPL(1) | D_P |
                  D_DB | D_G)),
    UPD("update_descriptor GDT_B[8] data DPL 2", FR_GDT_B, IX_UPD,
        with_dpl(FLAT_DATA0, 2), 0),
    PEEK("read back GDT_B[8] (DPL 2 kept)", FR_GDT_B, IX_UPD,
         with_dpl(FLAT_DATA0, 2)),
    UPD("update_descriptor GDT_B[8] data with L", FR_GDT_B, IX_UPD,
        DATA1(0, 0xfffff, D_G) | D_L, -XEN_EINVAL),
    PEEK("read back GDT_B[8] (after the L refusal)", FR_GDT_B, IX_UPD,
         with_dpl(FLAT_DATA0, 2)),

    /*
     * The hypervisor hole from 0xF5800000 (HYPERVISOR_COMPAT_VIRT_START):
     * Xen looks only at segments from base 0; one reaching past the hole's
     * start is made 4 GiB (for the read-only M2P), others are kept. The
     * hole is the M2P to the guest: reads of it through any of them agree.
     * (No segment limit is probed: QEMU's TCG, under the lab's L0, checks
     * none on data accesses.)
     */
    UPD("update_descriptor GDT_B[8] data 0 to 0xF57FFFFF (up to the hole)",
        FR_GDT_B, IX_UPD, DATA1(0, 0xF57FF, D_G), 0),
    PEEK("read back GDT_B[8] (up to the hole: kept)", FR_GDT_B, IX_UPD,
         DATA1(0, 0xF57FF, D_G)),
    UPD("update_descriptor GDT_B[8] data 0 to 0xF5800FFF (into the hole)",
        FR_GDT_B, IX_UPD, DATA1(0, 0xF5800, D_G), 0),
    PEEK("read back GDT_B[8] (into the hole: made 4 GiB)", FR_GDT_B, IX_UPD,
         DATA1(0, 0xfffff, D_G)),
    FS_AT("mov 0x41 (GDT[8]) to %fs, read M2P[DATA]", KSEL(IX_UPD),
          OFF_M2P_DATA, PFN_DATA),
    UPD("update_descriptor GDT_B[8] code32 0 to 0xF67FFFFF (old PAE Linux)",
        FR_GDT_B, IX_UPD, seg_desc(0, 0xF67FF, D_S | D_TYPE(T_CODE_RX) |
                                   D_DPL(1) | D_P | D_DB | D_G), 0),
    PEEK("read back GDT_B[8] (code to 0xF67FFFFF: made 4 GiB)", FR_GDT_B,
         IX_UPD, seg_desc(0, 0xfffff, D_S | D_TYPE(T_CODE_RX) | D_DPL(1) |
                          D_P | D_DB | D_G)),
    UPD("update_descriptor GDT_B[8] data 0 to 1 MiB (bytes)", FR_GDT_B,
        IX_UPD, DATA1(0, 0xfffff, 0), 0),
    PEEK("read back GDT_B[8] (1 MiB: kept)", FR_GDT_B, IX_UPD,
         DATA1(0, 0xfffff, 0)),
    UPD("update_descriptor GDT_B[8] data 0x1000 to 4 GiB (base not 0)",
        FR_GDT_B, IX_UPD, DATA1(0x1000, 0xfffff, D_G), 0),
    PEEK("read back GDT_B[8] (base 0x1000: kept)", FR_GDT_B, IX_UPD,
         DATA1(0x1000, 0xfffff, D_G)),
    UPD("update_descriptor GDT_B[8] data based in the hole, 4 GiB",
        FR_GDT_B, IX_UPD, DATA1(HOLE, 0xfffff, D_G), 0),
    PEEK("read back GDT_B[8] (based in the hole: kept)", FR_GDT_B, IX_UPD,
         DATA1(HOLE, 0xfffff, D_G)),
    FS_AT("mov 0x41 (GDT[8], based at the M2P) to %fs, read M2P[DATA]",
          KSEL(IX_UPD), OFF_M2P_DATA_REL, PFN_DATA),
    UPD("update_descriptor GDT_B[8] expand-down data, limit 0 (4 KiB-4 GiB)",
        FR_GDT_B, IX_UPD, seg_desc(0, 0, D_S | D_TYPE(T_DATA_ED) | D_DPL(1) |
                                   D_P | D_DB | D_G), 0),
    PEEK("read back GDT_B[8] (expand-down: kept)", FR_GDT_B, IX_UPD,
         seg_desc(0, 0, D_S | D_TYPE(T_DATA_ED) | D_DPL(1) | D_P | D_DB |
                  D_G)),

    /*
     * Call gates: installed (their use is emulated by Xen, not tested here)
     * when the target is a guest GDT selector, an LDT one or exactly
     * FLAT_KERNEL_CS; DPL 0 on the gate, its DPL (at least 1) in the
     * selector's RPL; a parameter count allowed, bits 5-7 reserved.
     */
    UPD("update_descriptor GDT_B[10] call gate to 0xe018 (RPL 0)", FR_GDT_B,
        IX_UPD_GATE, GATE32(FLAT_KERNEL_CS & ~3, 3), -XEN_EINVAL),
    UPD("update_descriptor GDT_B[10] call gate to 0xe01b (RPL 3)", FR_GDT_B,
        IX_UPD_GATE, GATE32(FLAT_KERNEL_CS | 3, 3), -XEN_EINVAL),
    UPD("update_descriptor GDT_B[10] call gate to 0xe008 (Xen's ring 0)",
        FR_GDT_B, IX_UPD_GATE, GATE32(0xe008, 3), -XEN_EINVAL),
    UPD("update_descriptor GDT_B[10] call gate to 0xe02b (FLAT_USER_CS)",
        FR_GDT_B, IX_UPD_GATE, GATE32(FLAT_USER_CS, 3), -XEN_EINVAL),
    PEEK("read back GDT_B[10] (after refusals)", FR_GDT_B, IX_UPD_GATE,
         CALL_GATE_KEPT),
    UPD("update_descriptor GDT_B[10] call gate to FLAT_KERNEL_CS DPL 0",
        FR_GDT_B, IX_UPD_GATE, GATE32(FLAT_KERNEL_CS, 0), 0),
    PEEK("read back GDT_B[10] (DPL 0: RPL 1)", FR_GDT_B, IX_UPD_GATE,
         GATE32(FLAT_KERNEL_CS, 0)),
    UPD("update_descriptor GDT_B[10] call gate to 0x60 (GDT[12], RPL 0) DPL 2",
        FR_GDT_B, IX_UPD_GATE, GATE32(SEL(IX_CODE, 0, 0), 2), 0),
    PEEK("read back GDT_B[10] (to 0x62)", FR_GDT_B, IX_UPD_GATE,
         GATE32(SEL(IX_CODE, 0, 2), 0)),
    UPD("update_descriptor GDT_B[10] call gate to 0xfffc (LDT[8191]) DPL 3",
        FR_GDT_B, IX_UPD_GATE, GATE32(SEL(8191, 1, 0), 3), 0),
    PEEK("read back GDT_B[10] (to 0xffff)", FR_GDT_B, IX_UPD_GATE,
         GATE32(SEL(8191, 1, 3), 0)),
    UPD("update_descriptor GDT_B[10] call gate, 31 parameters", FR_GDT_B,
        IX_UPD_GATE, GATE32(FLAT_KERNEL_CS, 1) | (31ULL << 32), 0),
    PEEK("read back GDT_B[10] (31 parameters)", FR_GDT_B, IX_UPD_GATE,
         GATE32(FLAT_KERNEL_CS, 0) | (31ULL << 32)),
    UPD("update_descriptor GDT_B[10] call gate, reserved bit 5", FR_GDT_B,
        IX_UPD_GATE, GATE32(FLAT_KERNEL_CS, 1) | (1ULL << 37), -XEN_EINVAL),
    UPD("update_descriptor GDT_B[10] call gate, reserved bit 7", FR_GDT_B,
        IX_UPD_GATE, GATE32(FLAT_KERNEL_CS, 1) | (1ULL << 39), -XEN_EINVAL),
    PEEK("read back GDT_B[10] (after reserved bits)", FR_GDT_B, IX_UPD_GATE,
         GATE32(FLAT_KERNEL_CS, 0) | (31ULL << 32)),
    /* Every other system descriptor present is refused; type 0 is let be. */
    UPD("update_descriptor GDT_B[8] 16-bit call gate", FR_GDT_B, IX_UPD,
        gate_desc(GATE_OFF, FLAT_KERNEL_CS, T_CALL16, 1), -XEN_EINVAL),
    UPD("update_descriptor GDT_B[8] task gate", FR_GDT_B, IX_UPD,
        gate_desc(0, 0xe040, T_TASK, 1), -XEN_EINVAL),
    UPD("update_descriptor GDT_B[8] trap gate", FR_GDT_B, IX_UPD,
        gate_desc(GATE_OFF, FLAT_KERNEL_CS, T_TRAP32, 1), -XEN_EINVAL),
    UPD("update_descriptor GDT_B[8] LDT descriptor", FR_GDT_B, IX_UPD,
        SYS_DESC(T_LDT), -XEN_EINVAL),
    UPD("update_descriptor GDT_B[8] 16-bit TSS", FR_GDT_B, IX_UPD,
        SYS_DESC(T_TSS16), -XEN_EINVAL),
    PEEK("read back GDT_B[8] (after system refusals)", FR_GDT_B, IX_UPD,
         seg_desc(0, 0, D_S | D_TYPE(T_DATA_ED) | D_DPL(1) | D_P | D_DB |
                  D_G)),
    UPD("update_descriptor GDT_B[8] system type 0, present", FR_GDT_B, IX_UPD,
        SYS_DESC(0), 0),
    PEEK("read back GDT_B[8] (type 0: kept)", FR_GDT_B, IX_UPD, SYS_DESC(0)),
#endif
    UPD("update_descriptor DATA[8] flat data (writable frame)", FR_DATA,
        IX_UPD, FLAT_DATA3, 0),
    PEEK("read back DATA[8]", FR_DATA, IX_UPD, FLAT_DATA3),
    UPD("update_descriptor DATA[8] flat data DPL 0 (writable frame)",
        FR_DATA, IX_UPD, FLAT_DATA0, 0),
    PEEK("read back DATA[8] (DPL 0 data)", FR_DATA, IX_UPD,
         with_dpl(FLAT_DATA0, KERNEL_DPL)),
    UPD("update_descriptor DATA[8] interrupt gate (writable frame)", FR_DATA,
        IX_UPD, INT_GATE, -XEN_EINVAL),
    UPD("update_descriptor GDT_A[8] (GDT_A mapped writable)", FR_GDT_A,
        IX_UPD, FLAT_DATA3, 0),
    UPD("update_descriptor mfn " MFN_HUGE_NAME, FR_MFN_HUGE, IX_UPD,
        FLAT_DATA3, -XEN_EINVAL),
    { "update_descriptor mfn 0 (not ours)", OP_UPD, .frame = FR_MFN0,
      .arg = IX_UPD, .value = 0, .guard = true, .expect = -XEN_EINVAL },

    /* 3. MMUEXT_SET_LDT. */
    LDT_VA("SET_LDT LDT + 8 (not page aligned)", 8, 2, -XEN_EINVAL),
    LDT("SET_LDT LDT 8193 entries", FR_LDT, 8193, -XEN_EINVAL),
#ifdef __i386__
    /*
     * Xen checks the base with the 64-bit __addr_ok, which every 32-bit
     * address passes, the hole's too. Nothing is mapped at the hole's top
     * (the M2P ends far below): a load from an LDT there is a #PF there.
     */
    LDT_VA("SET_LDT base 0xF5800000 (the hole: the M2P)", HOLE, 2, 0),
    LDT_VA("SET_LDT base 0xFFFFF000 (the hole's last page)", 0xfffff000UL, 2,
           0),
    DS_PF_VA("mov 0x0f (LDT[1]) to %ds: an LDT in the hole", LDT_SEL(IX_FLAT),
             0xfffff000UL),
#else
    LDT_VA("SET_LDT base in the hypervisor hole", VA_HOLE, 2, -XEN_EINVAL),
#endif
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
#ifdef __i386__
    DS("mov 0x0c (LDT[1], RPL 0) to %ds", SEL(IX_FLAT, 1, 0), 0),
#endif
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
    DS("mov " USER_DS_NAME " (Xen's FLAT_USER_DS) to %ds with no GDT",
       USER_DS_SEL, 0),
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

static unsigned long frame_pfn(enum frame f)
{
    return (frame_va(f) - GUEST_VIRT_BASE) >> PAGE_SHIFT;
}

static val_t run_probe(const struct desc_case *c)
{
    unsigned long v, off = c->off ?: BASE_OFFSET;

    /* DATA's M2P entry: from 0 (a flat segment) or from the hole's start. */
    if ( c->off == OFF_M2P_DATA || c->off == OFF_M2P_DATA_REL )
        off = (unsigned long)&m2p[frame_mfn[FR_DATA]] -
              (c->off == OFF_M2P_DATA_REL ? MACH2PHYS_VIRT_START : 0);

    fault.hit = false;
    switch ( c->op )
    {
    case OP_DS: v = load_ds(c->arg); break;
    case OP_ES: v = load_es(c->arg); break;
#ifdef __i386__
    case OP_SS: v = load_ss(c->arg); break;
#endif
    case OP_LCALL: v = far_call(c->arg); break;
    case OP_GP_CS:
        load_ds(0xfff8);
        return fault.hit && fault.vec == X86_EXC_GP ? fault.handler_cs
                                                    : fault_result();
    default:    v = load_fs(c->arg, off); break;
    }
    if ( fault.hit )
        return fault_result();
    if ( v == magic_gdt )
        return MAGIC_GDT;
    if ( v == magic_ldt )
        return MAGIC_LDT;
    return v;
}

static long set_probe_traps(unsigned int gp_cs);

static val_t run_case(const struct desc_case *c)
{
    xen_ulong_t frames[14];
    mmuext_op_t op = { .cmd = MMUEXT_SET_LDT };
    uint64_t maddr = (frame_mfn[c->frame] << PAGE_SHIFT) + c->arg * 8 + c->off;
    unsigned int i;

    if ( c->guard && frame_ours(c->frame) )
        return NOT_RUN;

    switch ( c->op )
    {
    case OP_GDT:
        for ( i = 0; i < ARRAY_SIZE(frames); i++ )
            frames[i] = frame_mfn[i == 1 && c->frame2 ? c->frame2 : c->frame];
        return hypercall_raw(__HYPERVISOR_set_gdt, (unsigned long)frames,
                             c->arg, 0, 0, 0);

    case OP_UPD:
#ifdef __i386__
        return hypercall_raw(__HYPERVISOR_update_descriptor, maddr,
                             maddr >> 32, c->value, c->value >> 32, 0);
#else
        return hypercall_raw(__HYPERVISOR_update_descriptor, maddr, c->value,
                             0, 0, 0);
#endif

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

    case OP_TRAPS:
        return set_probe_traps(c->arg);

    case OP_PEEK:
        return ((volatile uint64_t *)frame_va(c->frame))[c->arg];

    default:
        return run_probe(c);
    }
}

/*
 * One case; a #PF from a probe also has its cr2 checked: the guest's linear
 * address of the descriptor (frame's VA or the case's, + the selector's
 * offset).
 */
static void run_check(const struct desc_case *c)
{
    char name[128];
    val_t got = run_case(c), expect = c->expect;
    unsigned long ldt = c->frame != FR_NONE ? frame_va(c->frame) : c->off;

    if ( expect == PFN_DATA )
        expect = frame_pfn(FR_DATA);
    check_eq(c->name, got, expect);
    if ( c->op >= OP_DS && c->op <= OP_FS &&
         (expect & ~FAULT_AT_READ) == PF(0) && got == expect )
    {
        snprintf(name, sizeof(name), "%s cr2", c->name);
        check_eq(name, fault.cr2, ldt + (c->arg & ~7UL));
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
        xtf_error("Error: magic words not at BASE_OFFSET + 32-bit base\n");

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

/* The probes' fault vectors (10-14), #GP's handler on code selector gp_cs. */
static long set_probe_traps(unsigned int gp_cs)
{
    static trap_info_t traps[6];
    const char *const entries[] = {
        fault_entry_10, fault_entry_11, fault_entry_12, fault_entry_13,
        fault_entry_14,
    };
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(entries); i++ )
    {
        traps[i].vector = X86_EXC_TS + i;
        traps[i].cs = X86_EXC_TS + i == X86_EXC_GP ? gp_cs : FLAT_KERNEL_CS;
        traps[i].address = (unsigned long)entries[i];
    }
    return hypercall_set_trap_table(traps);
}

static bool setup(void)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;
    unsigned long pfn = ((unsigned long)vcpu_page - GUEST_VIRT_BASE) >>
                        PAGE_SHIFT;
    struct vcpu_register_vcpu_info info = { .mfn = p2m[pfn] };
    unsigned int i;
    long rc;

    rc = hypercall_vcpu_op(VCPUOP_register_vcpu_info, 0, &info);
    if ( rc )
        xtf_error("VCPUOP_register_vcpu_info: %ld (cr2 not shown)\n", rc);
    else
        vcpu = (vcpu_info_t *)vcpu_page;

    rc = set_probe_traps(FLAT_KERNEL_CS);
    if ( rc )
    {
        xtf_error("set_trap_table: %ld\n", rc);
        return false;
    }

    for ( i = FR_NONE + 1; i < FR_PAGES_END; i++ )
    {
        pfn = frame_pfn(i);
        frame_mfn[i] = p2m[pfn];
        printk("frame %-9s pfn %#lx mfn %#llx va %#lx\n", frame_name[i], pfn,
               (unsigned long long)frame_mfn[i], frame_va(i));
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

#ifndef __i386__
    hypercall_set_segment_base(SEGBASE_FS, 0);
#endif
    printk("%u checks\n", report_checks);
    xtf_success(NULL);
}
