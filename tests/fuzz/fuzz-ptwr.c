/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/fuzz/fuzz-ptwr.c - pvops/ptwr.c (included: its decoder is static).
 * Input: 4 bytes of scenario (fault offset and NX, old entries, register
 * values, rax and the faults not to handle), then instruction bytes.
 *
 * decode_write() on an exact-size copy: a success is 2..avail bytes, a
 * sane operand, the same from exactly its own bytes, a failure from one
 * byte fewer, unchanged by more bytes after it. pv_ptwr_fault() on the
 * first 15 bytes (as the shim copies them), over an L1 with one entry set:
 * handled only when the decoder says so, rip moved by its length, only the
 * faulting entry changed and the L1's references still add up; refused,
 * nothing changed at all.
 */
#include "tests/fuzz/fuzz.h"

#include "pvops/ptwr.c"
#include "tests/unit/fake-frames.h"

#define NR_FRAMES   4
#define FIRST_MFN   0x100UL
#define VA          0xffff888000042000UL

struct domain dom;
struct frame_table frames;

static struct vcpu vcpu0;
static struct page_info pages[NR_FRAMES];
static int16_t linear[NR_FRAMES];
static uint64_t mem[NR_FRAMES][512];

static uint64_t *fake_map(unsigned long mfn)
{
    CHECK(mfn - FIRST_MFN < NR_FRAMES);
    return mem[mfn - FIRST_MFN];
}

/* What maps VA: the L1 read-only, or else (bad_map) something ptwr refuses. */
static unsigned int bad_map;

int mm_lookup_l1e(unsigned long va, unsigned long *l1mfn, unsigned int *idx,
                  uint64_t *pte)
{
    static const uint64_t bad[4] = {
        (FIRST_MFN << 12) | PTE_PRESENT | PTE_USER,
        (FIRST_MFN << 12) | PTE_USER,
        (FIRST_MFN << 12) | PTE_PRESENT | PTE_RW | PTE_USER,
        ((FIRST_MFN + 1) << 12) | PTE_PRESENT | PTE_USER,
    };

    if ( (va & ~(PAGE_SIZE - 1)) != VA )
        return -XEN_EFAULT;
    *l1mfn = FIRST_MFN + 3;
    *idx = 0;
    *pte = bad[bad_map];
    return 0;
}

struct cpu_info unit_cpu_info;          /* x86/percpu.h: the one CPU */
uint64_t tlb_clock;                     /* x86/smp.h: the TLB-flush clock */
unsigned long guest_compat_limit;       /* x86/uaccess.h: a 64-bit guest */

/* No grant frames here: their kind never appears in these frame tables. */
bool grant_store_fault(struct cpu_regs *regs, unsigned long addr,
                       unsigned long mfn)
{
    abort();
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

void mm_flush_if_needed(void)
{
    unit_cpu_info.tlb_flush_owed = false;
}

static bool wins_equal(const struct wins *a, const struct wins *b)
{
    return a->op == b->op && a->len == b->len && a->size == b->size &&
           a->has_imm == b->has_imm && a->imm_len == b->imm_len &&
           a->imm == b->imm && a->reg == b->reg;
}

/* The width decode() reads code for (a 32-bit guest's: no REX). */
static bool decode_compat;

static bool decode(const uint8_t *b, size_t n, struct wins *w)
{
    uint8_t *copy = fuzz_dup(b, n);
    bool ok = decode_write(copy, n, w, decode_compat);

    free(copy);
    return ok;
}

static void check_decoder(const uint8_t *b, size_t n)
{
    struct wins w, again;
    uint8_t more[40];

    if ( !decode(b, n, &w) )
        return;
    CHECK(w.len >= 2 && w.len <= n && w.op <= W_CMPXCHG8B && w.reg < 16);
    CHECK(w.op != W_CMPXCHG8B || w.size == 8);
    CHECK(!decode_compat || w.reg < 8);
    CHECK(w.size == 1 || w.size == 2 || w.size == 4 || w.size == 8);
    CHECK(w.has_imm ? w.imm_len == 1 || w.imm_len == 2 || w.imm_len == 4
                    : !w.imm_len && !w.imm);
    CHECK(decode(b, w.len, &again) && wins_equal(&w, &again));
    CHECK(!decode(b, w.len - 1, &again));
    memset(more, 0xff, sizeof(more));
    memcpy(more, b, w.len);
    CHECK(decode(more, sizeof(more), &again) && wins_equal(&w, &again));
}

/* The L1's entries hold exactly the references on the data frames. */
static void check_refs(void)
{
    for ( unsigned int s = 1; s < NR_FRAMES; s++ )
    {
        unsigned int c = 0, tc = 0;

        for ( unsigned int i = 0; i < 512; i++ )
            if ( (mem[0][i] & PTE_PRESENT) &&
                 ((mem[0][i] & PTE_MFN_MASK) >> 12) == FIRST_MFN + s )
            {
                c++;
                tc += !!(mem[0][i] & PTE_RW);
            }
        CHECK(pages[s].count == c && page_type_count(&pages[s]) == tc);
        CHECK(!tc || page_type(&pages[s]) == PGT_writable);
    }
}

/* ft.owe_flush: note the flush owed (either kind). */
static void owe_flush_fn(const struct page_info *pg)
{
    (void)pg;
    unit_cpu_info.tlb_flush_owed = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t vals[8] = {
        0, ~0UL, ((FIRST_MFN + 1) << 12) | 7, ((FIRST_MFN + 2) << 12) | 5,
        ((FIRST_MFN + 1) << 12) | 0x67, 2, 0xfd, (FIRST_MFN << 12) | 5,
    };
    static const unsigned int olds[4] = { 0, 2, 3, 4 };
    uint8_t code[15];
    struct cpu_regs regs, before;
    unsigned long addr;
    struct wins w;
    bool ok, handled;
    size_t n;

    if ( size < 4 )
        return 0;
    n = MIN(size - 4, (size_t)24);
    for ( int c = 0; c < 2; c++ )
    {
        decode_compat = c;
        check_decoder(data + 4, n);
    }
    /* data[0] bit 6: a 32-bit guest (its code, its kernel in ring 1) */
    decode_compat = data[0] & 0x40;
    dom.pv32 = decode_compat;

    static bool owners;

    if ( !owners )
    {
        fake_frames_init();
        CHECK(frame_set_owner(FIRST_MFN, NR_FRAMES, FRAME_guest));
        owners = true;
    }
    memset(pages, 0, sizeof(pages));
    memset(linear, 0, sizeof(linear));
    memset(mem, 0, sizeof(mem));
    frames = (struct frame_table){
        .pages = pages, .linear = linear, .first_mfn = FIRST_MFN,
        .nr = NR_FRAMES,
        .map = fake_map, .nx = data[0] & 0x80, .owe_flush = owe_flush_fn,
        .pv32 = dom.pv32,
    };
    /* data[3] bits 3-7: the faults ptwr must leave to the guest */
    vcpu0 = (struct vcpu){ .kernel_mode = !(data[3] & 0x08) };
    dom.vcpu[0] = &vcpu0;
    unit_cpu_info.current = &vcpu0;
    dom.vm_assist = (data[3] & 0x10) ? 0 : 1UL << VMASST_TYPE_writable_pagetables;
    bad_map = (data[3] >> 5) & 3;
    CHECK(get_page_type(&frames, FIRST_MFN, PGT_l1) == 0);

    /* Entries 0-3 around the faulting one: set through the real rules. */
    addr = VA + (data[0] % 32) + ((data[3] & 0x80) ? PAGE_SIZE : 0);
    for ( unsigned int i = 0; i < 4; i++ )
        CHECK(!mod_pt_entry(&frames, FIRST_MFN, 1, i,
                            vals[olds[(data[1] >> (2 * i)) & 3]], false));
    check_refs();

    memset(&regs, 0, sizeof(regs));
    for ( unsigned int r = 0; r < 16; r++ )
        *regs_gpr(&regs, r) = vals[(data[2] + r) % 8];
    regs.rax = vals[data[3] % 8];
    regs.rflags = 0x202;
    /* A 32-bit guest's ring says whose store it is: 1 its kernel, 3 a process. */
    if ( dom.pv32 )
        regs.cs = vcpu0.kernel_mode ? 0xe019 : 0xe02b;
    memset(code, 0x90, sizeof(code));
    memcpy(code, data + 4, MIN(n, sizeof(code)));
    regs.rip = (unsigned long)code;
    /* data[2] bit 7: another error code (bits 3-6: P, W, U, RSVD) */
    regs.error_code = (data[2] & 0x80) ? (data[2] >> 3) & 0xf : 0x3;
    before = regs;
    memcpy(mem[3], mem[0], sizeof(mem[0]));    /* slot 3: the copy before */

    ok = decode(code, sizeof(code), &w);
    handled = pv_ptwr_fault(&regs, addr);
    check_refs();
    if ( !handled )
    {
        CHECK(!memcmp(&regs, &before, sizeof(regs)));
        CHECK(!memcmp(mem[3], mem[0], sizeof(mem[0])));
        return 0;
    }
    CHECK(ok && regs.rip == before.rip + w.len);
    for ( unsigned int i = 0; i < 512; i++ )
        CHECK(i == (addr & 0xfff) / 8 || mem[0][i] == mem[3][i]);
    return 0;
}
