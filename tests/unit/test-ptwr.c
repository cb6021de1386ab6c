/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/unit/test-ptwr.c - pvops/ptwr.c: a guest kernel's store into one of
 * its L1 tables, decoded and done by the shim, on the real pagetype.c rules.
 *
 * The "guest" is this process: rip points at host memory (the copy in
 * copy_from_guest is a plain rep movsb), the faulting L1 is slot 0 of a
 * four-frame fake frame table, typed and validated as an L1, and the
 * read-only mapping the store went through is what the mm_lookup_l1e stub
 * reports. Instructions are in exact-size heap copies padded to the 15
 * bytes the handler reads.
 */
#include "harness.h"

#include "pvops/grant.h"
#include "pvops/mm.h"
#include "pvops/traps.h"
#include "fake-frames.h"

#define NR_FRAMES   4
#define FIRST_MFN   0x100UL
#define L1          0                   /* the table the guest writes */
#define DATA        1                   /* frames its entries map */
#define DATA2       2
#define VA          0xffff888000042000UL        /* where the L1 is mapped */

struct domain dom;
struct frame_table frames;

static struct vcpu vcpu0;
static struct page_info pages[NR_FRAMES];
static int16_t linear[NR_FRAMES];
static uint64_t mem[NR_FRAMES][512];
static unsigned int flushes;
struct cpu_info unit_cpu_info;          /* x86/percpu.h: the one CPU */
uint64_t tlb_clock;                     /* x86/smp.h: the TLB-flush clock */
unsigned long guest_compat_limit;       /* x86/uaccess.h: a 64-bit guest */

static uint64_t *fake_map(unsigned long mfn)
{
    assert_true(mfn - FIRST_MFN < NR_FRAMES);
    return mem[mfn - FIRST_MFN];
}

/* The guest maps its L1 read-only at VA: every address in that page. */
int mm_lookup_l1e(unsigned long va, unsigned long *l1mfn, unsigned int *idx,
                  uint64_t *pte)
{
    if ( (va & ~(PAGE_SIZE - 1)) != VA )
        return -XEN_EFAULT;
    *l1mfn = FIRST_MFN + 3;             /* some other L1: not looked at */
    *idx = 0;
    *pte = ((FIRST_MFN + L1) << 12) | PTE_PRESENT | PTE_USER;
    return 0;
}

/* No grant frames here: no frame has that owner. */
bool grant_store_fault(struct cpu_regs *regs, unsigned long addr,
                       unsigned long mfn)
{
    abort();
}

void mm_flush_if_needed(void)
{
    flushes++;
}

/* pvops/emulate.c's: the code segments here are flat. */
unsigned long pv_insn_fetch(const struct cpu_regs *regs, uint8_t *buf, unsigned long size)
{
    memcpy(buf, (const void *)regs->rip, size);    /* copy_from_guest's rep movsb */
    return size;
}

/* A 64-bit guest here: no 32-bit guest's store ends it. */
void guest_crash(const char *fmt, ...)
{
    abort();
}


static uint64_t pte(unsigned int s, uint64_t flags)
{
    return ((FIRST_MFN + s) << 12) | flags;
}

/* ft.owe_flush: note the flush owed (either kind). */
static void owe_flush_fn(const struct page_info *pg)
{
    (void)pg;
    unit_cpu_info.tlb_flush_owed = true;
}

static int setup(void **state)
{
    memset(pages, 0, sizeof(pages));
    memset(linear, 0, sizeof(linear));
    memset(mem, 0, sizeof(mem));
    fake_frames_init();
    assert_true(frame_set_owner(FIRST_MFN, NR_FRAMES, FRAME_guest));
    frames = (struct frame_table){
        .pages = pages, .linear = linear, .first_mfn = FIRST_MFN,
        .nr = NR_FRAMES,
        .map = fake_map, .nx = true, .owe_flush = owe_flush_fn,
    };
    unit_cpu_info.tlb_flush_owed = false;
    vcpu0 = (struct vcpu){ .kernel_mode = true };
    dom.vcpu[0] = &vcpu0;
    unit_cpu_info.current = &vcpu0;
    dom.vm_assist = 1UL << VMASST_TYPE_writable_pagetables;
    flushes = 0;
    assert_int_equal(get_page_type(&frames, FIRST_MFN + L1, PGT_l1), 0);
    return 0;
}

/*
 * A store of the given bytes faulting at addr: what pv_ptwr_fault says.
 * regs comes in with the registers set, goes out as the handler left it.
 */
static bool fault(const uint8_t *insn, size_t n, unsigned long addr,
                  struct cpu_regs *regs)
{
    uint8_t *code = malloc(15);
    unsigned long rip0 = 0;
    bool ok;

    assert_non_null(code);
    memset(code, 0x90, 15);
    memcpy(code, insn, n);
    regs->rip = rip0 = (unsigned long)code;
    regs->error_code = 0x3;             /* present, write, kernel */
    ok = pv_ptwr_fault(regs, addr);
    regs->rip -= rip0;                  /* the length it stepped over */
    free(code);
    return ok;
}

#define INSN(...)   (const uint8_t[]){ __VA_ARGS__ }, \
                    sizeof((const uint8_t[]){ __VA_ARGS__ })

static void test_mov(void **state)
{
    struct cpu_regs r = { .rax = pte(DATA, PTE_PRESENT | PTE_RW | PTE_USER) };

    /* mov %rax,(%rdi) into entry 5 */
    assert_true(fault(INSN(0x48, 0x89, 0x07), VA + 5 * 8, &r));
    assert_int_equal(r.rip, 3);
    assert_int_equal(mem[L1][5], pte(DATA, PTE_PRESENT | PTE_RW | PTE_USER));
    assert_int_equal(pages[DATA].count, 1);
    assert_int_equal(page_type(&pages[DATA]), PGT_writable);
    assert_int_equal(flushes, 1);

    /* movl $0x80000000,4(%rdi): the upper half, NX on (imm32 as is) */
    assert_true(fault(INSN(0xc7, 0x47, 0x04, 0x00, 0x00, 0x00, 0x80),
                      VA + 5 * 8 + 4, &r));
    assert_int_equal(r.rip, 7);
    assert_int_equal(mem[L1][5], pte(DATA, PTE_PRESENT | PTE_RW | PTE_USER) |
                                 PTE_NX);

    /* movq $-1: sign-extended, so not an entry the guest may have */
    assert_false(fault(INSN(0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff),
                       VA + 5 * 8, &r));
    assert_int_equal(mem[L1][5] & ~PTE_NX,
                     pte(DATA, PTE_PRESENT | PTE_RW | PTE_USER));
}

static void test_kernel_entry_adjusted(void **state)
{
    struct cpu_regs r = { .rcx = pte(DATA, PTE_PRESENT | PTE_RW) };

    /* A kernel page (no U) gets U and the guest-kernel bit, as mmu_update. */
    assert_true(fault(INSN(0x48, 0x89, 0x0f), VA + 8, &r));
    assert_int_equal(mem[L1][1], pte(DATA, PTE_PRESENT | PTE_RW | PTE_USER) |
                                 PTE_GUEST_KERNEL);
}

static void test_cmpxchg(void **state)
{
    struct cpu_regs r = { .rax = 0, .rdx = pte(DATA, PTE_PRESENT | PTE_USER),
                          .rflags = 0 };

    /* lock cmpxchg %rdx,(%rsi), equal: stored, ZF set */
    assert_true(fault(INSN(0xf0, 0x48, 0x0f, 0xb1, 0x16), VA, &r));
    assert_int_equal(r.rip, 5);
    assert_int_equal(mem[L1][0], pte(DATA, PTE_PRESENT | PTE_USER));
    assert_true(r.rflags & 0x40);
    assert_int_equal(pages[DATA].count, 1);

    /* Unequal: nothing stored, the old value to rax, ZF clear */
    r.rax = 12345;
    r.rdx = pte(DATA2, PTE_PRESENT | PTE_USER);
    assert_true(fault(INSN(0xf0, 0x48, 0x0f, 0xb1, 0x16), VA, &r));
    assert_int_equal(r.rax, pte(DATA, PTE_PRESENT | PTE_USER));
    assert_false(r.rflags & 0x40);
    assert_int_equal(mem[L1][0], pte(DATA, PTE_PRESENT | PTE_USER));
    assert_int_equal(pages[DATA2].count, 0);
}

static void test_xchg_and_bit_ops(void **state)
{
    struct cpu_regs r = { .rbx = pte(DATA, PTE_PRESENT | PTE_RW | PTE_USER) };

    /* xchg %rbx,(%rdi): the old (empty) entry comes back */
    assert_true(fault(INSN(0x48, 0x87, 0x1f), VA + 16, &r));
    assert_int_equal(r.rbx, 0);
    assert_int_equal(mem[L1][2], pte(DATA, PTE_PRESENT | PTE_RW | PTE_USER));
    assert_int_equal(page_type_count(&pages[DATA]), 1);

    /* lock andb $0xfd,(%rdi): clear RW, the writable type reference goes */
    assert_true(fault(INSN(0xf0, 0x80, 0x27, 0xfd), VA + 16, &r));
    assert_int_equal(r.rip, 4);
    assert_int_equal(mem[L1][2], pte(DATA, PTE_PRESENT | PTE_USER));
    assert_int_equal(page_type_count(&pages[DATA]), 0);
    assert_int_equal(pages[DATA].count, 1);

    /* lock orb $2,(%rdi): RW again */
    assert_true(fault(INSN(0xf0, 0x80, 0x0f, 0x02), VA + 16, &r));
    assert_int_equal(mem[L1][2], pte(DATA, PTE_PRESENT | PTE_RW | PTE_USER));

    /* lock btrq $1,(%rdi): CF = the old bit, RW clear */
    r.rflags = 0;
    assert_true(fault(INSN(0xf0, 0x48, 0x0f, 0xba, 0x37, 0x01), VA + 16, &r));
    assert_int_equal(r.rip, 6);
    assert_true(r.rflags & 1);
    assert_int_equal(mem[L1][2], pte(DATA, PTE_PRESENT | PTE_USER));

    /* lock btsq $0,(%rdi): CF = 1 (present already), nothing changes */
    assert_true(fault(INSN(0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x00), VA + 16, &r));
    assert_true(r.rflags & 1);
    assert_int_equal(pages[DATA].count, 1);
}

static void test_refused(void **state)
{
    struct cpu_regs r = { .rax = pte(DATA, PTE_PRESENT | PTE_PCD) };

    /* An entry mmu_update refuses: the guest gets its #PF, nothing changes. */
    assert_false(fault(INSN(0x48, 0x89, 0x07), VA, &r));
    assert_int_equal(mem[L1][0], 0);
    assert_int_equal(pages[DATA].count, 0);

    /*
     * lock btsq $4 (PCD) on a present entry: refused, so the guest's #PF
     * comes with its registers as they were, CF included.
     */
    r.rax = pte(DATA, PTE_PRESENT | PTE_USER);
    assert_true(fault(INSN(0x48, 0x89, 0x07), VA, &r));
    r.rflags = 0x203;
    assert_false(fault(INSN(0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x04), VA, &r));
    assert_int_equal(r.rflags, 0x203);
    assert_int_equal(r.rip, 0);
    r.rflags = 0x202;
    assert_false(fault(INSN(0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x04), VA, &r));
    assert_int_equal(r.rflags, 0x202);
    assert_int_equal(mem[L1][0], pte(DATA, PTE_PRESENT | PTE_USER));
    r.rax = 0;
    assert_true(fault(INSN(0x48, 0x89, 0x07), VA, &r));

    /* Not a store the handler knows (ret), a store across two entries. */
    r.rax = pte(DATA, PTE_PRESENT);
    assert_false(fault(INSN(0xc3), VA, &r));
    assert_false(fault(INSN(0x48, 0x89, 0x07), VA + 4, &r));
    assert_int_equal(mem[L1][0], 0);

    /* User mode, a read, a fault without writable page tables. */
    vcpu0.kernel_mode = false;
    assert_false(fault(INSN(0x48, 0x89, 0x07), VA, &r));
    vcpu0.kernel_mode = true;
    dom.vm_assist = 0;
    assert_false(fault(INSN(0x48, 0x89, 0x07), VA, &r));
    assert_int_equal(mem[L1][0], 0);
}

static void test_fifteen_bytes(void **state)
{
    struct cpu_regs r = { .rax = pte(DATA, PTE_PRESENT | PTE_USER) };
    uint8_t insn[15];

    /* 13 prefixes, mov %rax,(%rdi)... without REX: a 32-bit store, 15 bytes */
    memset(insn, 0x3e, 13);
    insn[13] = 0x89;
    insn[14] = 0x07;
    assert_true(fault(insn, 15, VA, &r));
    assert_int_equal(r.rip, 15);
    assert_int_equal(mem[L1][0], pte(DATA, PTE_PRESENT | PTE_USER));

    /*
     * 14 prefixes and the opcode: no room for a ModRM in the 15 bytes. Not
     * understood, and the decoder must not read the byte after the buffer
     * (ASan: stack-buffer-overflow on the handler's copy).
     */
    memset(insn, 0x3e, 14);
    insn[14] = 0x89;
    assert_false(fault(insn, 15, VA + 8, &r));
    assert_int_equal(mem[L1][1], 0);
    insn[14] = 0x87;
    assert_false(fault(insn, 15, VA + 8, &r));
}

/*
 * A 32-bit PAE kernel (ring 1): its stores are 4 bytes, half an entry, in
 * 32-bit code (no REX), its atomic ones cmpxchg8b; an upper half written
 * first makes an entry that goes in not present (Xen's ptwr fix-up); its
 * processes (ring 3) get no store done.
 */
static void test_pv32(void **state)
{
    struct cpu_regs r = { .cs = 0xe019, .rcx = (uint32_t)pte(DATA, PTE_PRESENT | PTE_RW) };
    uint64_t e = pte(DATA2, PTE_PRESENT | PTE_RW);

    dom.pv32 = frames.pv32 = true;
    /* mov %ecx,(%eax): the lower half of entry 3, no U added (ring 1) */
    assert_true(fault(INSN(0x89, 0x08), VA + 3 * 8, &r));
    assert_int_equal(r.rip, 2);
    assert_int_equal(mem[L1][3], pte(DATA, PTE_PRESENT | PTE_RW));
    assert_int_equal(pages[DATA].count, 1);

    /* "48 89 08" is dec %eax, then a store: no REX in 32-bit code */
    assert_false(fault(INSN(0x48, 0x89, 0x08), VA + 3 * 8, &r));

    /* The upper half first, making a bad entry: in, but not present */
    r.rcx = 0x000fff00;                 /* a frame far past the guest's */
    assert_true(fault(INSN(0x89, 0x08), VA + 3 * 8 + 4, &r));
    assert_int_equal(mem[L1][3], ((uint64_t)0x000fff00 << 32) |
                                 (pte(DATA, PTE_PRESENT | PTE_RW) & ~PTE_PRESENT));
    assert_int_equal(pages[DATA].count, 0);
    /* ... the lower half then writes the entry the kernel meant */
    r.rcx = 0;
    assert_true(fault(INSN(0x89, 0x08), VA + 3 * 8 + 4, &r));
    r.rcx = (uint32_t)pte(DATA, PTE_PRESENT | PTE_RW);
    assert_true(fault(INSN(0x89, 0x08), VA + 3 * 8, &r));
    assert_int_equal(mem[L1][3], pte(DATA, PTE_PRESENT | PTE_RW));

    /* lock cmpxchg8b (%esi), equal: ecx:ebx stored, ZF set */
    r.rax = (uint32_t)mem[L1][3];
    r.rdx = mem[L1][3] >> 32;
    r.rbx = (uint32_t)e;
    r.rcx = e >> 32;
    r.rflags = 0;
    assert_true(fault(INSN(0xf0, 0x0f, 0xc7, 0x0e), VA + 3 * 8, &r));
    assert_int_equal(r.rip, 4);
    assert_int_equal(mem[L1][3], e);
    assert_true(r.rflags & 0x40);
    assert_int_equal(pages[DATA].count, 0);
    assert_int_equal(pages[DATA2].count, 1);
    /* unequal: the entry to edx:eax, ZF clear, nothing stored */
    r.rax = 1;
    assert_true(fault(INSN(0xf0, 0x0f, 0xc7, 0x0e), VA + 3 * 8, &r));
    assert_int_equal(r.rax, (uint32_t)e);
    assert_int_equal(r.rdx, e >> 32);
    assert_false(r.rflags & 0x40);
    assert_int_equal(mem[L1][3], e);

    /* A process's store (ring 3) is not done for it */
    r.cs = 0xe02b;
    r.rcx = 0;
    assert_false(fault(INSN(0x89, 0x08), VA + 3 * 8, &r));
    assert_int_equal(mem[L1][3], e);
    dom.pv32 = frames.pv32 = false;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, setup)
        T(test_mov),
        T(test_kernel_entry_adjusted),
        T(test_cmpxchg),
        T(test_xchg_and_bit_ops),
        T(test_refused),
        T(test_fifteen_bytes),
        T(test_pv32),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
