/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/unit/test-decode.c - x86/decode.c: the privileged-op decoder. */
#include "harness.h"

#include <stdio.h>

#include "x86/decode.h"

/*
 * Every decode runs on an exact-size heap copy of the bytes, so ASan catches
 * a read past avail.
 *
 * Decisions pinned here, beyond the plain encodings:
 *
 * - A REX prefix counts only directly before the opcode. The CPU ignores a
 *   REX that a legacy prefix follows (48 66 0f 30 is a wrmsr, 44 66 0f 22 c0
 *   a write to CR0, not CR8), and the last of several REX prefixes wins, as
 *   in Xen's x86_emulate; so does this decoder, so a guest's odd encoding
 *   does what it does on hardware and never applies a stale REX.
 * - REX.W beats 66 for the operand size (SDM vol. 1 3.6.1), and the I/O
 *   instructions have no 64-bit form, so 66 48 ed is "in %dx,%eax" (4
 *   bytes), as in Xen's, KVM's and QEMU's emulators; a REX without W leaves
 *   66 in force.
 * - LOCK makes any instruction -1, including f0 0f 20 c0, AMD's alias of
 *   "mov %cr8,%rax"; a LOCKed instruction cut short is -2 like any other.
 * - f2 counts as a rep prefix (the CPU repeats ins/outs under repne too),
 *   and f3 0f 09 (wbnoinvd) decodes as OP_WBINVD with rep set.
 * - ModRM.mod of mov to/from CR/DR is ignored, as by the CPU: no SIB or
 *   displacement follows, whatever mod says.
 * - opsize means something only for the I/O instructions, and is only
 *   checked for them.
 *
 * The fuzz checks also run as a libFuzzer target: "make fuzz" builds it as
 * build/fuzz/fuzz-decode (tests/fuzz/fuzz.mk), or by hand from the top of
 * the tree, once make has generated build/config.h:
 *
 *   clang -std=gnu11 -g -O1 -I. -Ibuild -include build/config.h \
 *       -include lib/compiler.h -DUNIT_TEST -DFUZZ \
 *       -fsanitize=fuzzer,address,undefined \
 *       -o /tmp/fuzz-decode tests/unit/test-decode.c x86/decode.c
 *   /tmp/fuzz-decode -max_len=32 -max_total_time=60
 */

static const char *const op_names[] = {
    [OP_UNKNOWN] = "unknown", [OP_WRMSR] = "wrmsr", [OP_RDMSR] = "rdmsr",
    [OP_RDTSC] = "rdtsc", [OP_RDTSCP] = "rdtscp", [OP_RDPMC] = "rdpmc",
    [OP_CPUID] = "cpuid", [OP_CLTS] = "clts", [OP_WBINVD] = "wbinvd",
    [OP_INVD] = "invd", [OP_HLT] = "hlt", [OP_CLI] = "cli", [OP_STI] = "sti",
    [OP_MOV_FROM_CR] = "mov from cr", [OP_MOV_TO_CR] = "mov to cr",
    [OP_MOV_FROM_DR] = "mov from dr", [OP_MOV_TO_DR] = "mov to dr",
    [OP_INT] = "int", [OP_INT3] = "int3", [OP_INTO] = "into",
    [OP_IN_IMM] = "in imm", [OP_OUT_IMM] = "out imm", [OP_IN_DX] = "in dx",
    [OP_OUT_DX] = "out dx", [OP_INS] = "ins", [OP_OUTS] = "outs",
    [OP_XSETBV] = "xsetbv",
};

/* 32-bit code (a 32-bit guest's) for decode(): the fuzzer tries both. */
static bool decode_compat;

/* Decode an exact-size heap copy of bytes[0..avail). */
static int decode(const uint8_t *bytes, size_t avail, struct insn *in)
{
    uint8_t *copy = malloc(avail);
    int rc;

    if ( avail )
    {
        if ( !copy )
            abort();
        memcpy(copy, bytes, avail);
    }
    /* Garbage in, so that a field the decoder forgets to set shows. */
    memset(in, 0xa5, sizeof(*in));
    rc = insn_decode(copy, avail, in, decode_compat);
    free(copy);
    return rc;
}

static bool insn_equal(const struct insn *a, const struct insn *b)
{
    return a->op == b->op && a->len == b->len && a->opsize == b->opsize &&
           a->reg == b->reg && a->rm == b->rm && a->imm8 == b->imm8 &&
           a->rep == b->rep && a->lock == b->lock;
}

/* ------------------------------------------------------------ invariants */

/*
 * What must hold for any bytes: the result is 0, -1 or -2; -2 only while
 * fewer than 15 bytes are available; a success is 1..min(avail, 15) bytes of
 * a known, unLOCKed instruction that decodes the same from exactly its own
 * bytes and is -2 from one byte fewer; and more bytes after a 0 or -1
 * change nothing. Returns what broke, or NULL.
 */
static const char *decode_invariants(const uint8_t *buf, size_t avail)
{
    static const uint8_t tails[] = { 0x00, 0xff, 0x66, 0x0f, 0x48 };
    struct insn in, again;
    int rc = decode(buf, avail, &in), rc2;

    if ( rc != 0 && rc != -1 && rc != -2 )
        return "result not 0, -1 or -2";
    if ( rc == -2 && avail >= INSN_MAX_LEN )
        return "-2 with 15 or more bytes available";
    if ( rc == 0 )
    {
        if ( in.len < 1 || in.len > MIN(avail, (size_t)INSN_MAX_LEN) )
            return "length outside 1..min(avail, 15)";
        if ( in.op == OP_UNKNOWN ||
             (unsigned int)in.op >= ARRAY_SIZE(op_names) )
            return "success with a bad op";
        if ( in.lock )
            return "success with LOCK";
        if ( in.opsize != 1 && in.opsize != 2 && in.opsize != 4 )
            return "opsize not 1, 2 or 4";
        if ( in.reg > 15 || in.rm > 15 )
            return "reg or rm above 15";
        if ( decode(buf, in.len, &again) != 0 || !insn_equal(&in, &again) )
            return "different from exactly its own bytes";
        if ( decode(buf, in.len - 1, &again) != -2 )
            return "one byte short is not -2";
    }
    if ( rc != -2 )
    {
        for ( unsigned int t = 0; t < ARRAY_SIZE(tails); t++ )
        {
            uint8_t more[INSN_MAX_LEN + 8 + 20];
            size_t n = MIN(avail, (size_t)20);

            memcpy(more, buf, n);
            memset(more + n, tails[t], sizeof(more) - n);
            rc2 = decode(more, sizeof(more), &again);
            if ( rc2 != rc || (rc == 0 && !insn_equal(&in, &again)) )
                return "more bytes changed the result";
        }
    }
    return NULL;
}


/*
 * The far-branch decoder (call gates), for any bytes: 0, -1 or -2; -2 only
 * short of 15 bytes; a success lies within the bytes, names a register
 * 0-7 or none, a segment register, opsize 2 or 4, scale 1-8, decodes the
 * same from exactly its own bytes and is -2 from one byte fewer.
 */
static int decode_far(const uint8_t *bytes, size_t avail, bool def32, struct far_branch *f)
{
    uint8_t *copy = malloc(avail ? avail : 1);
    int rc;

    if ( !copy )
        abort();
    memcpy(copy, bytes, avail);
    memset(f, 0xa5, sizeof(*f));
    rc = insn_decode_far(copy, avail, def32, f);
    free(copy);
    return rc;
}

static const char *far_invariants(const uint8_t *buf, size_t avail, bool def32)
{
    struct far_branch f, again;
    int rc = decode_far(buf, avail, def32, &f);

    if ( rc != 0 && rc != -1 && rc != -2 )
        return "result not 0, -1 or -2";
    if ( rc == -2 && avail >= INSN_MAX_LEN )
        return "-2 with 15 or more bytes available";
    if ( rc )
        return NULL;
    if ( f.len < 1 || f.len > MIN(avail, (size_t)INSN_MAX_LEN) )
        return "length outside 1..min(avail, 15)";
    if ( f.opsize != 2 && f.opsize != 4 )
        return "opsize not 2 or 4";
    if ( f.indirect && (f.base < -1 || f.base > 7 || f.index < -1 || f.index > 7 ||
                        f.seg > SREG_GS || (f.scale != 1 && f.scale != 2 &&
                                            f.scale != 4 && f.scale != 8)) )
        return "a memory operand out of range";
    if ( decode_far(buf, f.len, def32, &again) != 0 || memcmp(&f, &again, sizeof(f)) )
        return "different from exactly its own bytes";
    if ( decode_far(buf, f.len - 1, def32, &again) != -2 )
        return "one byte short is not -2";
    return NULL;
}

#ifdef FUZZ

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for ( int c = 0; c < 2; c++ )
    {
        const char *why;

        decode_compat = c;
        if ( (why = decode_invariants(data, size)) )
        {
            fprintf(stderr, "decode invariant broken (%s code): %s\n",
                    c ? "32-bit" : "64-bit", why);
            abort();
        }
        if ( (why = far_invariants(data, size, c)) )
        {
            fprintf(stderr, "far-branch invariant broken (%s code): %s\n",
                    c ? "32-bit" : "16-bit", why);
            abort();
        }
    }
    return 0;
}

#else /* !FUZZ */

/* ------------------------------------------------------------ case tables */

static const char *op_name(enum insn_op op)
{
    return (unsigned int)op < ARRAY_SIZE(op_names) && op_names[op] ?
           op_names[op] : "?";
}

static bool is_io(enum insn_op op)
{
    return op == OP_IN_IMM || op == OP_OUT_IMM || op == OP_IN_DX ||
           op == OP_OUT_DX || op == OP_INS || op == OP_OUTS;
}


struct dcase {
    const char *name;
    uint8_t bytes[INSN_MAX_LEN];
    unsigned int n;             /* the bytes, and the expected length */
    enum insn_op op;
    unsigned int opsize;        /* I/O only */
    unsigned int reg, rm;
    uint8_t imm8;
    bool rep;
};

#define BYTES(...)                                                          \
    .bytes = { __VA_ARGS__ }, .n = sizeof((const uint8_t[]){ __VA_ARGS__ })

static void check_fields(const struct dcase *c, const struct insn *in,
                         size_t avail)
{
    if ( in->op != c->op )
        fail_msg("%s (avail %zu): op %s, expected %s", c->name, avail,
                 op_name(in->op), op_name(c->op));
    if ( in->len != c->n )
        fail_msg("%s (avail %zu): len %u, expected %u", c->name, avail,
                 in->len, c->n);
    if ( is_io(c->op) && in->opsize != c->opsize )
        fail_msg("%s (avail %zu): opsize %u, expected %u", c->name, avail,
                 in->opsize, c->opsize);
    if ( in->reg != c->reg || in->rm != c->rm )
        fail_msg("%s (avail %zu): reg %u rm %u, expected %u %u", c->name,
                 avail, in->reg, in->rm, c->reg, c->rm);
    if ( in->imm8 != c->imm8 )
        fail_msg("%s (avail %zu): imm8 %#x, expected %#x", c->name, avail,
                 in->imm8, c->imm8);
    if ( in->rep != c->rep || in->lock )
        fail_msg("%s (avail %zu): rep %d lock %d, expected rep %d", c->name,
                 avail, in->rep, in->lock, c->rep);
}

/*
 * Each case decodes from exactly its bytes, is -2 cut at every shorter
 * length, and decodes the same with garbage after it, up to 20 bytes.
 */
static void run_cases(const struct dcase *cases, unsigned int nr)
{
    static const uint8_t fills[] = { 0x00, 0xff, 0x0f, 0x66, 0xcd, 0x44 };

    for ( unsigned int i = 0; i < nr; i++ )
    {
        const struct dcase *c = &cases[i];
        uint8_t more[20];
        struct insn in;
        int rc;

        assert_true(c->n >= 1 && c->n <= INSN_MAX_LEN);
        rc = decode(c->bytes, c->n, &in);
        if ( rc )
            fail_msg("%s: returned %d", c->name, rc);
        check_fields(c, &in, c->n);

        for ( unsigned int k = 0; k < c->n; k++ )
        {
            rc = decode(c->bytes, k, &in);
            if ( rc != -2 )
                fail_msg("%s: cut to %u bytes returned %d", c->name, k, rc);
        }

        for ( unsigned int f = 0; f < ARRAY_SIZE(fills); f++ )
        {
            memset(more, fills[f], sizeof(more));
            memcpy(more, c->bytes, c->n);
            for ( size_t avail = c->n + 1; avail <= sizeof(more); avail++ )
            {
                rc = decode(more, avail, &in);
                if ( rc )
                    fail_msg("%s + %#x...: avail %zu returned %d", c->name,
                             fills[f], avail, rc);
                check_fields(c, &in, avail);
            }
        }
    }
}

#define RUN_CASES(t) run_cases(t, ARRAY_SIZE(t))

static void test_two_byte(void **state)
{
    static const struct dcase cases[] = {
        { "wrmsr", BYTES(0x0f, 0x30), .op = OP_WRMSR },
        { "rdmsr", BYTES(0x0f, 0x32), .op = OP_RDMSR },
        { "rdtsc", BYTES(0x0f, 0x31), .op = OP_RDTSC },
        { "rdpmc", BYTES(0x0f, 0x33), .op = OP_RDPMC },
        { "cpuid", BYTES(0x0f, 0xa2), .op = OP_CPUID },
        { "clts", BYTES(0x0f, 0x06), .op = OP_CLTS },
        { "invd", BYTES(0x0f, 0x08), .op = OP_INVD },
        { "wbinvd", BYTES(0x0f, 0x09), .op = OP_WBINVD },
        { "rdtscp", BYTES(0x0f, 0x01, 0xf9), .op = OP_RDTSCP },
        { "xsetbv", BYTES(0x0f, 0x01, 0xd1), .op = OP_XSETBV },
    };

    RUN_CASES(cases);
}

static void test_one_byte(void **state)
{
    static const struct dcase cases[] = {
        { "hlt", BYTES(0xf4), .op = OP_HLT },
        { "cli", BYTES(0xfa), .op = OP_CLI },
        { "sti", BYTES(0xfb), .op = OP_STI },
        { "int3", BYTES(0xcc), .op = OP_INT3 },
        { "into", BYTES(0xce), .op = OP_INTO },
        { "int $0x80", BYTES(0xcd, 0x80), .op = OP_INT, .imm8 = 0x80 },
        { "int $0", BYTES(0xcd, 0x00), .op = OP_INT, .imm8 = 0 },
        { "int $0xff", BYTES(0xcd, 0xff), .op = OP_INT, .imm8 = 0xff },
        { "int $3", BYTES(0xcd, 0x03), .op = OP_INT, .imm8 = 3 },
    };

    RUN_CASES(cases);
}

static void test_io_imm(void **state)
{
    static const struct dcase cases[] = {
        { "inb $0x60", BYTES(0xe4, 0x60), .op = OP_IN_IMM, .opsize = 1,
          .imm8 = 0x60 },
        { "inw $0x70", BYTES(0x66, 0xe5, 0x70), .op = OP_IN_IMM, .opsize = 2,
          .imm8 = 0x70 },
        { "inl $0xff", BYTES(0xe5, 0xff), .op = OP_IN_IMM, .opsize = 4,
          .imm8 = 0xff },
        { "66 inb", BYTES(0x66, 0xe4, 0x01), .op = OP_IN_IMM, .opsize = 1,
          .imm8 = 1 },
        { "outb $0x80", BYTES(0xe6, 0x80), .op = OP_OUT_IMM, .opsize = 1,
          .imm8 = 0x80 },
        { "outw $0", BYTES(0x66, 0xe7, 0x00), .op = OP_OUT_IMM, .opsize = 2 },
        { "outl $0x20", BYTES(0xe7, 0x20), .op = OP_OUT_IMM, .opsize = 4,
          .imm8 = 0x20 },
        { "66 outb", BYTES(0x66, 0xe6, 0x21), .op = OP_OUT_IMM, .opsize = 1,
          .imm8 = 0x21 },
    };

    RUN_CASES(cases);
}

static void test_io_dx(void **state)
{
    static const struct dcase cases[] = {
        { "inb %dx", BYTES(0xec), .op = OP_IN_DX, .opsize = 1 },
        { "inw %dx", BYTES(0x66, 0xed), .op = OP_IN_DX, .opsize = 2 },
        { "inl %dx", BYTES(0xed), .op = OP_IN_DX, .opsize = 4 },
        { "66 66 inw", BYTES(0x66, 0x66, 0xed), .op = OP_IN_DX, .opsize = 2 },
        { "66 inb %dx", BYTES(0x66, 0xec), .op = OP_IN_DX, .opsize = 1 },
        { "outb %dx", BYTES(0xee), .op = OP_OUT_DX, .opsize = 1 },
        { "outw %dx", BYTES(0x66, 0xef), .op = OP_OUT_DX, .opsize = 2 },
        { "outl %dx", BYTES(0xef), .op = OP_OUT_DX, .opsize = 4 },
    };

    RUN_CASES(cases);
}

static void test_string_io(void **state)
{
    static const struct dcase cases[] = {
        { "insb", BYTES(0x6c), .op = OP_INS, .opsize = 1 },
        { "insw", BYTES(0x66, 0x6d), .op = OP_INS, .opsize = 2 },
        { "insl", BYTES(0x6d), .op = OP_INS, .opsize = 4 },
        { "outsb", BYTES(0x6e), .op = OP_OUTS, .opsize = 1 },
        { "outsw", BYTES(0x66, 0x6f), .op = OP_OUTS, .opsize = 2 },
        { "outsl", BYTES(0x6f), .op = OP_OUTS, .opsize = 4 },
        { "rep insb", BYTES(0xf3, 0x6c), .op = OP_INS, .opsize = 1,
          .rep = true },
        { "rep outsw", BYTES(0x66, 0xf3, 0x6f), .op = OP_OUTS, .opsize = 2,
          .rep = true },
        { "repne outsl", BYTES(0xf2, 0x6f), .op = OP_OUTS, .opsize = 4,
          .rep = true },
        { "rep insl addr32", BYTES(0x67, 0xf3, 0x6d), .op = OP_INS,
          .opsize = 4, .rep = true },
        { "fs outsb", BYTES(0x64, 0x6e), .op = OP_OUTS, .opsize = 1 },
    };

    RUN_CASES(cases);
}

static void test_mov_cr_dr(void **state)
{
    static const struct dcase cases[] = {
        { "mov %cr0,%rax", BYTES(0x0f, 0x20, 0xc0), .op = OP_MOV_FROM_CR },
        { "mov %cr3,%rax", BYTES(0x0f, 0x20, 0xd8), .op = OP_MOV_FROM_CR,
          .reg = 3 },
        { "mov %cr2,%rdi", BYTES(0x0f, 0x20, 0xd7), .op = OP_MOV_FROM_CR,
          .reg = 2, .rm = 7 },
        { "mov %rcx,%cr4", BYTES(0x0f, 0x22, 0xe1), .op = OP_MOV_TO_CR,
          .reg = 4, .rm = 1 },
        { "mov %rsp,%cr0", BYTES(0x0f, 0x22, 0xc4), .op = OP_MOV_TO_CR,
          .rm = 4 },
        { "mov %rbp,%cr3", BYTES(0x0f, 0x22, 0xdd), .op = OP_MOV_TO_CR,
          .reg = 3, .rm = 5 },
        { "mov %db7,%rax", BYTES(0x0f, 0x21, 0xf8), .op = OP_MOV_FROM_DR,
          .reg = 7 },
        { "mov %db6,%rsi", BYTES(0x0f, 0x21, 0xf6), .op = OP_MOV_FROM_DR,
          .reg = 6, .rm = 6 },
        { "mov %rcx,%db0", BYTES(0x0f, 0x23, 0xc1), .op = OP_MOV_TO_DR,
          .rm = 1 },
        { "mov %rdx,%db3", BYTES(0x0f, 0x23, 0xda), .op = OP_MOV_TO_DR,
          .reg = 3, .rm = 2 },
        /* The CPU ignores mod: no SIB, no displacement. */
        { "cr0 mod 00 rm 4", BYTES(0x0f, 0x20, 0x04), .op = OP_MOV_FROM_CR,
          .rm = 4 },
        { "cr0 mod 00 rm 5", BYTES(0x0f, 0x22, 0x05), .op = OP_MOV_TO_CR,
          .rm = 5 },
        { "cr3 mod 01", BYTES(0x0f, 0x20, 0x5b), .op = OP_MOV_FROM_CR,
          .reg = 3, .rm = 3 },
        { "dr7 mod 10", BYTES(0x0f, 0x23, 0xbc), .op = OP_MOV_TO_DR,
          .reg = 7, .rm = 4 },
    };

    RUN_CASES(cases);
}

static void test_rex(void **state)
{
    static const struct dcase cases[] = {
        { "mov %rax,%cr8", BYTES(0x44, 0x0f, 0x22, 0xc0), .op = OP_MOV_TO_CR,
          .reg = 8 },
        { "mov %cr8,%rax", BYTES(0x44, 0x0f, 0x20, 0xc0),
          .op = OP_MOV_FROM_CR, .reg = 8 },
        { "mov %cr0,%r15", BYTES(0x41, 0x0f, 0x20, 0xc7),
          .op = OP_MOV_FROM_CR, .rm = 15 },
        { "mov %r9,%cr3", BYTES(0x41, 0x0f, 0x22, 0xd9), .op = OP_MOV_TO_CR,
          .reg = 3, .rm = 9 },
        { "mov %r8,%cr8", BYTES(0x45, 0x0f, 0x22, 0xc0), .op = OP_MOV_TO_CR,
          .reg = 8, .rm = 8 },
        { "REX.WRXB reg 15 rm 15", BYTES(0x4f, 0x0f, 0x22, 0xff),
          .op = OP_MOV_TO_CR, .reg = 15, .rm = 15 },
        { "REX.X ignored", BYTES(0x42, 0x0f, 0x20, 0xc0),
          .op = OP_MOV_FROM_CR },
        { "REX.W ignored", BYTES(0x48, 0x0f, 0x20, 0xe0),
          .op = OP_MOV_FROM_CR, .reg = 4 },
        { "mov %r12,%db9", BYTES(0x45, 0x0f, 0x23, 0xcc), .op = OP_MOV_TO_DR,
          .reg = 9, .rm = 12 },
        { "mov %db1,%r10", BYTES(0x41, 0x0f, 0x21, 0xca),
          .op = OP_MOV_FROM_DR, .reg = 1, .rm = 10 },
        { "rex 40 mov cr", BYTES(0x40, 0x0f, 0x20, 0xc0),
          .op = OP_MOV_FROM_CR },
        { "REX.W wrmsr", BYTES(0x48, 0x0f, 0x30), .op = OP_WRMSR },
        { "REX rdtscp", BYTES(0x41, 0x0f, 0x01, 0xf9), .op = OP_RDTSCP },
        { "REX hlt", BYTES(0x41, 0xf4), .op = OP_HLT },
        { "REX int", BYTES(0x48, 0xcd, 0x21), .op = OP_INT, .imm8 = 0x21 },
        /* REX.W: no 64-bit I/O, and it beats 66. */
        { "REX.W inl %dx", BYTES(0x48, 0xed), .op = OP_IN_DX, .opsize = 4 },
        { "REX.W inb %dx", BYTES(0x48, 0xec), .op = OP_IN_DX, .opsize = 1 },
        { "66 REX.W in %dx", BYTES(0x66, 0x48, 0xed), .op = OP_IN_DX,
          .opsize = 4 },
        { "66 REX.W out imm", BYTES(0x66, 0x48, 0xe7, 0x80),
          .op = OP_OUT_IMM, .opsize = 4, .imm8 = 0x80 },
        { "66 REX.W ins", BYTES(0x66, 0xf3, 0x48, 0x6d), .op = OP_INS,
          .opsize = 4, .rep = true },
        { "66 REX.WB outs", BYTES(0x66, 0x49, 0x6f), .op = OP_OUTS,
          .opsize = 4 },
        { "66 REX.B out %dx", BYTES(0x66, 0x41, 0xef), .op = OP_OUT_DX,
          .opsize = 2 },
        { "66 REX.R in imm", BYTES(0x66, 0x44, 0xe5, 0x10), .op = OP_IN_IMM,
          .opsize = 2, .imm8 = 0x10 },
        /* Legacy prefixes, then the REX. */
        { "66 2e REX mov cr", BYTES(0x66, 0x2e, 0x41, 0x0f, 0x20, 0xc1),
          .op = OP_MOV_FROM_CR, .rm = 9 },
    };

    RUN_CASES(cases);
}

static void test_prefixes(void **state)
{
    static const struct dcase cases[] = {
        { "es wrmsr", BYTES(0x26, 0x0f, 0x30), .op = OP_WRMSR },
        { "cs wrmsr", BYTES(0x2e, 0x0f, 0x30), .op = OP_WRMSR },
        { "ss rdmsr", BYTES(0x36, 0x0f, 0x32), .op = OP_RDMSR },
        { "ds rdtsc", BYTES(0x3e, 0x0f, 0x31), .op = OP_RDTSC },
        { "fs cpuid", BYTES(0x64, 0x0f, 0xa2), .op = OP_CPUID },
        { "gs rdpmc", BYTES(0x65, 0x0f, 0x33), .op = OP_RDPMC },
        { "addr32 in", BYTES(0x67, 0xe4, 0x61), .op = OP_IN_IMM, .opsize = 1,
          .imm8 = 0x61 },
        { "66 wrmsr", BYTES(0x66, 0x0f, 0x30), .op = OP_WRMSR },
        { "rep hlt", BYTES(0xf3, 0xf4), .op = OP_HLT, .rep = true },
        { "repne cpuid", BYTES(0xf2, 0x0f, 0xa2), .op = OP_CPUID, .rep = true },
        { "wbnoinvd", BYTES(0xf3, 0x0f, 0x09), .op = OP_WBINVD, .rep = true },
        { "every segment", BYTES(0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x0f,
                                 0x01, 0xd1), .op = OP_XSETBV },
        { "all but lock", BYTES(0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x67,
                                0xf2, 0xf3, 0x66, 0x4c, 0x0f, 0x22, 0xc3),
          .op = OP_MOV_TO_CR, .reg = 8, .rm = 3, .rep = true },
        { "prefixes int", BYTES(0x3e, 0x66, 0xcd, 0x40), .op = OP_INT,
          .imm8 = 0x40 },
        /* 14 prefixes and a one-byte opcode: exactly 15. */
        { "15 bytes hlt", BYTES(0x66, 0x67, 0x2e, 0x3e, 0x26, 0x36, 0x64,
                                0x65, 0x66, 0x67, 0x2e, 0x3e, 0x26, 0x36,
                                0xf4), .op = OP_HLT },
        /* 11 prefixes, REX, 0f 20 modrm: exactly 15. */
        { "15 bytes mov cr", BYTES(0x66, 0x67, 0x2e, 0x3e, 0x26, 0x36, 0x64,
                                   0x65, 0xf3, 0x66, 0x67, 0x45, 0x0f, 0x20,
                                   0xd9), .op = OP_MOV_FROM_CR, .reg = 11,
          .rm = 9, .rep = true },
        /* 12 prefixes, 66 last, in imm8: exactly 15. */
        { "15 bytes inw", BYTES(0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26,
                                0x26, 0x26, 0x26, 0x26, 0x66, 0xe5, 0x42),
          .op = OP_IN_IMM, .opsize = 2, .imm8 = 0x42 },
    };

    RUN_CASES(cases);
}

/* ------------------------------------------------------------ refusals */

struct refusal {
    const char *name;
    uint8_t bytes[INSN_MAX_LEN + 2];
    unsigned int n;
};

static void run_refusals(const struct refusal *r, unsigned int nr)
{
    for ( unsigned int i = 0; i < nr; i++ )
    {
        uint8_t more[24];
        struct insn in;
        int rc = decode(r[i].bytes, r[i].n, &in);

        if ( rc != -1 )
            fail_msg("%s: returned %d, expected -1", r[i].name, rc);
        /* Still refused with any number of bytes after it. */
        memset(more, 0x90, sizeof(more));
        memcpy(more, r[i].bytes, r[i].n);
        rc = decode(more, sizeof(more), &in);
        if ( rc != -1 )
            fail_msg("%s: with more bytes returned %d", r[i].name, rc);
    }
}

#define RUN_REFUSALS(t) run_refusals(t, ARRAY_SIZE(t))

static void test_lock(void **state)
{
    static const struct refusal cases[] = {
        { "AMD cr8 alias", BYTES(0xf0, 0x0f, 0x20, 0xc0) },
        { "lock mov to cr", BYTES(0xf0, 0x0f, 0x22, 0xc0) },
        { "lock mov dr", BYTES(0xf0, 0x0f, 0x21, 0xc0) },
        { "lock REX mov cr", BYTES(0xf0, 0x44, 0x0f, 0x20, 0xc0) },
        { "lock wrmsr", BYTES(0xf0, 0x0f, 0x30) },
        { "lock rdtscp", BYTES(0xf0, 0x0f, 0x01, 0xf9) },
        { "lock hlt", BYTES(0xf0, 0xf4) },
        { "lock int", BYTES(0xf0, 0xcd, 0x80) },
        { "lock after others", BYTES(0x66, 0x2e, 0xf0, 0xed) },
        { "lock lock", BYTES(0xf0, 0xf0, 0x6c) },
        { "lock out imm", BYTES(0x65, 0xf0, 0xe6, 0x80) },
    };
    struct insn in;

    RUN_REFUSALS(cases);

    /* Cut short, a LOCKed instruction is -2 like any other. */
    assert_int_equal(decode((const uint8_t[]){ 0xf0, 0x0f, 0x20 }, 3, &in), -2);
    assert_int_equal(decode((const uint8_t[]){ 0xf0 }, 1, &in), -2);
}

/* See the top of the file: REX counts only right before the opcode. */
static void test_rex_not_last(void **state)
{
    static const struct dcase cases[] = {
        { "REX 66 wrmsr", BYTES(0x48, 0x66, 0x0f, 0x30), .op = OP_WRMSR },
        { "REX.R 66 mov to cr", BYTES(0x44, 0x66, 0x0f, 0x22, 0xc0),
          .op = OP_MOV_TO_CR, .reg = 0 },
        { "REX.B f3 ins", BYTES(0x41, 0xf3, 0x6c), .op = OP_INS, .opsize = 1,
          .rep = true },
        { "REX.W 66 in %dx", BYTES(0x48, 0x66, 0xed), .op = OP_IN_DX,
          .opsize = 2 },
        { "REX 2e hlt", BYTES(0x40, 0x2e, 0xf4), .op = OP_HLT },
        { "REX 67 in", BYTES(0x48, 0x67, 0xe4, 0x60), .op = OP_IN_IMM,
          .opsize = 1, .imm8 = 0x60 },
        { "REX REX mov cr", BYTES(0x48, 0x44, 0x0f, 0x22, 0xc0),
          .op = OP_MOV_TO_CR, .reg = 8 },
        { "REX.R REX.B mov cr", BYTES(0x44, 0x41, 0x0f, 0x22, 0xc1),
          .op = OP_MOV_TO_CR, .reg = 0, .rm = 9 },
        { "REX REX hlt", BYTES(0x41, 0x41, 0xf4), .op = OP_HLT },
        { "REX 66 REX in %dx", BYTES(0x41, 0x66, 0x48, 0xed), .op = OP_IN_DX,
          .opsize = 4 },
    };
    static const struct refusal refusals[] = {
        { "REX lock mov cr", BYTES(0x44, 0xf0, 0x0f, 0x20, 0xc0) },
    };

    RUN_CASES(cases);
    RUN_REFUSALS(refusals);
}

static void test_unknown(void **state)
{
    static const struct refusal cases[] = {
        { "ud2", BYTES(0x0f, 0x0b) },
        { "syscall", BYTES(0x0f, 0x05) },
        { "sysret", BYTES(0x0f, 0x07) },
        { "sysenter", BYTES(0x0f, 0x34) },
        { "sysexit", BYTES(0x0f, 0x35) },
        { "swapgs", BYTES(0x0f, 0x01, 0xf8) },
        { "xgetbv", BYTES(0x0f, 0x01, 0xd0) },
        { "vmcall", BYTES(0x0f, 0x01, 0xc1) },
        { "vmmcall", BYTES(0x0f, 0x01, 0xd9) },
        { "clac", BYTES(0x0f, 0x01, 0xca) },
        { "monitor", BYTES(0x0f, 0x01, 0xc8) },
        { "invlpg (%rax)", BYTES(0x0f, 0x01, 0x38) },
        { "lgdt (%rax)", BYTES(0x0f, 0x01, 0x10) },
        { "smsw %eax", BYTES(0x0f, 0x01, 0xe0) },
        { "ltr %ax", BYTES(0x0f, 0x00, 0xd8) },
        { "mov %tr,%eax", BYTES(0x0f, 0x24, 0xc0) },
        { "mov to tr", BYTES(0x0f, 0x26, 0xc0) },
        { "nopl", BYTES(0x0f, 0x1f, 0x00) },
        { "0f 0f", BYTES(0x0f, 0x0f) },
        { "0f ff", BYTES(0x0f, 0xff) },
        { "rdpid", BYTES(0xf3, 0x0f, 0xc7, 0xf8) },
        { "nop", BYTES(0x90) },
        { "ret", BYTES(0xc3) },
        { "iretq", BYTES(0x48, 0xcf) },
        { "pushf", BYTES(0x9c) },
        { "popf", BYTES(0x9d) },
        { "mov to ds", BYTES(0x8e, 0xd8) },
        { "int1", BYTES(0xf1) },
        { "VEX c4", BYTES(0xc4, 0xe1, 0x79, 0x6e, 0xc0) },
        { "VEX c5", BYTES(0xc5, 0xf8, 0x77) },
        { "EVEX", BYTES(0x62, 0xf1, 0x7c, 0x48, 0x28, 0xc1) },
        { "66 nop", BYTES(0x66, 0x90) },
        { "0x00", BYTES(0x00) },
        { "0xff", BYTES(0xff) },
    };

    RUN_REFUSALS(cases);
}

/* ------------------------------------------------------------ exhaustive */

static const uint8_t legacy_prefixes[] = {
    0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
};

static bool is_prefix(uint8_t b)
{
    return memchr(legacy_prefixes, b, sizeof(legacy_prefixes)) != NULL;
}

/* Every first byte, alone: a complete instruction, -2, or -1. */
static void test_every_first_byte(void **state)
{
    static const uint8_t whole[] = {
        0xf4, 0xfa, 0xfb, 0xcc, 0xce, 0xec, 0xed, 0xee, 0xef,
        0x6c, 0x6d, 0x6e, 0x6f,
    };
    static const uint8_t need_more[] = { 0x0f, 0xcd, 0xe4, 0xe5, 0xe6, 0xe7 };
    unsigned int ok = 0;

    for ( unsigned int b = 0; b < 256; b++ )
    {
        uint8_t byte = b;
        struct insn in;
        int rc = decode(&byte, 1, &in), expected;

        if ( memchr(whole, b, sizeof(whole)) )
            expected = 0;
        else if ( memchr(need_more, b, sizeof(need_more)) || is_prefix(b) ||
                  (b & 0xf0) == 0x40 )
            expected = -2;
        else
            expected = -1;
        if ( rc != expected )
            fail_msg("%02x: returned %d, expected %d", b, rc, expected);
        if ( rc == 0 )
        {
            ok++;
            assert_int_equal(in.len, 1);
        }
    }
    assert_int_equal(ok, ARRAY_SIZE(whole));
}

/* Every byte after 0f, after 0f 01, and every ModRM of 0f 20..23. */
static void test_every_two_byte(void **state)
{
    static const uint8_t whole[] = {
        0x30, 0x31, 0x32, 0x33, 0xa2, 0x06, 0x08, 0x09,
    };
    struct insn in;

    for ( unsigned int b = 0; b < 256; b++ )
    {
        uint8_t bytes[3] = { 0x0f, b, 0 };
        int rc = decode(bytes, 2, &in), expected;

        if ( memchr(whole, b, sizeof(whole)) )
            expected = 0;
        else if ( b == 0x01 || (b >= 0x20 && b <= 0x23) )
            expected = -2;
        else
            expected = -1;
        if ( rc != expected )
            fail_msg("0f %02x: returned %d, expected %d", b, rc, expected);

        bytes[1] = 0x01;
        bytes[2] = b;
        rc = decode(bytes, 3, &in);
        expected = b == 0xf9 || b == 0xd1 ? 0 : -1;
        if ( rc != expected )
            fail_msg("0f 01 %02x: returned %d, expected %d", b, rc, expected);
    }

    for ( unsigned int op = 0x20; op <= 0x23; op++ )
    {
        static const enum insn_op ops[] = {
            OP_MOV_FROM_CR, OP_MOV_FROM_DR, OP_MOV_TO_CR, OP_MOV_TO_DR,
        };

        for ( unsigned int rex = 0; rex <= 0x10; rex++ )
            for ( unsigned int modrm = 0; modrm < 256; modrm++ )
            {
                /* rex 0x10 stands for "no REX". */
                uint8_t bytes[4] = { 0x40 | rex, 0x0f, op, modrm };
                const uint8_t *p = rex == 0x10 ? bytes + 1 : bytes;
                size_t n = rex == 0x10 ? 3 : 4;
                unsigned int r = rex == 0x10 ? 0 : rex;
                int rc = decode(p, n, &in);

                if ( rc || in.op != ops[op - 0x20] || in.len != n ||
                     in.reg != (((modrm >> 3) & 7) | (r & 4 ? 8 : 0)) ||
                     in.rm != ((modrm & 7) | (r & 1 ? 8 : 0)) || in.rep ||
                     in.lock || in.imm8 )
                    fail_msg("rex %02x 0f %02x %02x: rc %d op %s len %u "
                             "reg %u rm %u", r, op, modrm, rc,
                             op_name(in.op), in.len, in.reg, in.rm);
            }
    }
}

/* ------------------------------------------------------------ lengths */

static void test_prefix_flood(void **state)
{
    /* Every legacy prefix but LOCK, in turn. */
    static const uint8_t pfx[] = {
        0x66, 0x67, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
    };
    uint8_t bytes[64];
    struct insn in;

    for ( unsigned int i = 0; i < sizeof(bytes); i++ )
        bytes[i] = pfx[i % ARRAY_SIZE(pfx)];

    /* 14 prefixes + hlt = 15: fine, with any avail from 15 up. */
    bytes[14] = 0xf4;
    for ( size_t avail = 15; avail <= sizeof(bytes); avail++ )
    {
        assert_int_equal(decode(bytes, avail, &in), 0);
        assert_int_equal(in.op, OP_HLT);
        assert_int_equal(in.len, 15);
        assert_true(in.rep);
    }
    for ( size_t avail = 0; avail < 15; avail++ )
        assert_int_equal(decode(bytes, avail, &in), -2);

    /* 15 prefixes + hlt = 16: too long, whatever follows. */
    bytes[14] = pfx[14 % ARRAY_SIZE(pfx)];
    bytes[15] = 0xf4;
    for ( size_t avail = 15; avail <= sizeof(bytes); avail++ )
        assert_int_equal(decode(bytes, avail, &in), -1);
    for ( size_t avail = 0; avail < 15; avail++ )
        assert_int_equal(decode(bytes, avail, &in), -2);

    /* 13 prefixes + REX + hlt = 15; one more prefix is too long. */
    for ( unsigned int i = 0; i < sizeof(bytes); i++ )
        bytes[i] = pfx[i % ARRAY_SIZE(pfx)];
    bytes[13] = 0x48;
    bytes[14] = 0xf4;
    assert_int_equal(decode(bytes, 15, &in), 0);
    assert_int_equal(in.len, 15);
    bytes[13] = 0x66;
    bytes[14] = 0x48;
    bytes[15] = 0xf4;
    assert_int_equal(decode(bytes, 16, &in), -1);
    assert_int_equal(decode(bytes, 15, &in), -1);

    /* 13 prefixes + 0f 30 = 15; 14 prefixes + 0f 30 = 16. */
    for ( unsigned int i = 0; i < sizeof(bytes); i++ )
        bytes[i] = pfx[i % ARRAY_SIZE(pfx)];
    bytes[13] = 0x0f;
    bytes[14] = 0x30;
    assert_int_equal(decode(bytes, 15, &in), 0);
    assert_int_equal(in.op, OP_WRMSR);
    assert_int_equal(in.len, 15);
    bytes[13] = 0x66;
    bytes[14] = 0x0f;
    bytes[15] = 0x30;
    assert_int_equal(decode(bytes, 16, &in), -1);
    assert_int_equal(decode(bytes, 15, &in), -1);
    assert_int_equal(decode(bytes, 14, &in), -2);

    /* The last byte of each multi-byte form is the 16th. */
    for ( unsigned int i = 0; i < sizeof(bytes); i++ )
        bytes[i] = 0x3e;
    memcpy(bytes + 13, (const uint8_t[]){ 0x0f, 0x01, 0xf9 }, 3);
    assert_int_equal(decode(bytes, 16, &in), -1);
    memcpy(bytes + 13, (const uint8_t[]){ 0x0f, 0x22, 0xc0 }, 3);
    assert_int_equal(decode(bytes, 16, &in), -1);
    memcpy(bytes + 13, (const uint8_t[]){ 0x3e, 0xcd, 0x80 }, 3);
    assert_int_equal(decode(bytes, 16, &in), -1);
    memcpy(bytes + 13, (const uint8_t[]){ 0x3e, 0xe4, 0x80 }, 3);
    assert_int_equal(decode(bytes, 16, &in), -1);
    assert_int_equal(decode(bytes, 15, &in), -1);
    assert_int_equal(decode(bytes, 14, &in), -2);
    bytes[13] = 0x48;
    assert_int_equal(decode(bytes, 16, &in), -1);

    /* A sea of prefixes: -1 however much is available. */
    for ( unsigned int i = 0; i < sizeof(bytes); i++ )
        bytes[i] = pfx[i % ARRAY_SIZE(pfx)];
    assert_int_equal(decode(bytes, sizeof(bytes), &in), -1);
}

static void test_avail(void **state)
{
    static const uint8_t wrmsr[] = { 0x0f, 0x30 };
    uint8_t *big = malloc(4096);
    struct insn in;

    /* Nothing at all: more is needed (and nothing is read). */
    assert_int_equal(decode(NULL, 0, &in), -2);
    assert_int_equal(insn_decode(NULL, 0, &in, false), -2);

    /* Far more than 15 bytes: only the instruction counts. */
    assert_non_null(big);
    memset(big, 0xcc, 4096);
    memcpy(big, wrmsr, sizeof(wrmsr));
    assert_int_equal(insn_decode(big, 4096, &in, false), 0);
    assert_int_equal(in.op, OP_WRMSR);
    assert_int_equal(in.len, 2);
    assert_int_equal(decode(big, 4096, &in), 0);
    assert_int_equal(in.len, 2);

    /* 4096 prefixes: -1, and nothing past the 15th is read. */
    memset(big, 0x2e, 4096);
    assert_int_equal(decode(big, 4096, &in), -1);
    assert_int_equal(decode(big, 15, &in), -1);
    assert_int_equal(decode(big, 14, &in), -2);
    assert_int_equal(insn_decode(big, SIZE_MAX, &in, false), -1);

    /* 14 of them and hlt: 15 bytes, fine. */
    big[14] = 0xf4;
    assert_int_equal(decode(big, 4096, &in), 0);
    assert_int_equal(in.len, 15);
    free(big);
}

/* ------------------------------------------------------------ fuzzing */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/*
 * 200k random buffers of 0..20 bytes, checked against decode_invariants
 * (and ASan). Half are random bytes, half of which come from those the
 * decoder looks for; the other half are prefixes, maybe a REX, and one of
 * the known opcodes, with a random byte or two changed now and then.
 */
static void test_fuzz(void **state)
{
    static const uint8_t interesting[] = {
        0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
        0x40, 0x41, 0x44, 0x45, 0x48, 0x4c, 0x4f, 0x0f, 0x01, 0x20, 0x21,
        0x22, 0x23, 0x30, 0x31, 0x32, 0x33, 0xa2, 0x06, 0x08, 0x09, 0xf9,
        0xd1, 0xf4, 0xfa, 0xfb, 0xcc, 0xcd, 0xce, 0xe4, 0xe5, 0xe6, 0xe7,
        0xec, 0xed, 0xee, 0xef, 0x6c, 0x6d, 0x6e, 0x6f, 0xc0, 0xff,
    };
    static const uint8_t opcodes[][3] = {
        { 0x0f, 0x30 }, { 0x0f, 0x32 }, { 0x0f, 0x31 }, { 0x0f, 0x33 },
        { 0x0f, 0xa2 }, { 0x0f, 0x06 }, { 0x0f, 0x08 }, { 0x0f, 0x09 },
        { 0x0f, 0x01, 0xf9 }, { 0x0f, 0x01, 0xd1 }, { 0x0f, 0x20 },
        { 0x0f, 0x21 }, { 0x0f, 0x22 }, { 0x0f, 0x23 }, { 0xf4 }, { 0xfa },
        { 0xfb }, { 0xcc }, { 0xcd }, { 0xce }, { 0xe4 }, { 0xe5 }, { 0xe6 },
        { 0xe7 }, { 0xec }, { 0xed }, { 0xee }, { 0xef }, { 0x6c }, { 0x6d },
        { 0x6e }, { 0x6f },
    };
    unsigned int results[3] = { 0 }, ops[OP_XSETBV + 1] = { 0 };

    for ( unsigned int iter = 0; iter < 200000; iter++ )
    {
        uint8_t bytes[20];
        size_t avail = rng() % (sizeof(bytes) + 1);
        const char *why;
        struct insn in;
        int rc;

        for ( unsigned int i = 0; i < sizeof(bytes); i++ )
        {
            uint64_t r = rng();

            bytes[i] = r & 1 ? interesting[(r >> 8) % sizeof(interesting)]
                             : r >> 32;
        }
        if ( iter & 1 )
        {
            const uint8_t *op = opcodes[rng() % ARRAY_SIZE(opcodes)];
            unsigned int i = rng() % 5;     /* prefixes from interesting[] */

            for ( unsigned int k = 0; k < i; k++ )
                bytes[k] = interesting[rng() % 11];
            if ( rng() % 2 )
                bytes[i++] = 0x40 | (rng() % 16);
            for ( unsigned int k = 0; k < 3 && (k == 0 || op[k]); k++ )
                bytes[i++] = op[k];
            for ( unsigned int k = rng() % 4; k < 2; k++ )
                bytes[rng() % sizeof(bytes)] = rng();
            if ( rng() % 2 )
                avail = i + rng() % (sizeof(bytes) + 1 - i);
        }
        why = decode_invariants(bytes, avail);
        if ( why )
        {
            char hex[3 * sizeof(bytes) + 1] = "";

            for ( size_t i = 0; i < avail; i++ )
                sprintf(hex + 3 * i, " %02x", bytes[i]);
            fail_msg("iteration %u,%s: %s", iter, hex, why);
        }
        rc = decode(bytes, avail, &in);
        results[-rc]++;
        if ( rc == 0 )
            ops[in.op]++;
    }

    /* The inputs reach every outcome and every instruction. */
    for ( unsigned int r = 0; r < 3; r++ )
        assert_true(results[r] > 1000);
    for ( unsigned int op = OP_UNKNOWN + 1; op <= OP_XSETBV; op++ )
        if ( !ops[op] )
            fail_msg("fuzzing never decoded %s", op_name(op));
}

/*
 * 32-bit code (compat): 40-4f are INC/DEC, so no REX: "41 0f 20 c7" is an
 * INC and then a mov from CR0, not a mov to r15; what has no REX decodes as
 * in 64-bit code.
 */
static void test_compat(void **state)
{
    static const uint8_t rex_cr[] = { 0x41, 0x0f, 0x20, 0xc7 };
    static const uint8_t cr3_ecx[] = { 0x0f, 0x22, 0xd9 };
    static const uint8_t out_dx16[] = { 0x66, 0xef };
    struct insn in;

    assert_int_equal(insn_decode(rex_cr, sizeof(rex_cr), &in, true), -1);
    assert_int_equal(insn_decode(rex_cr, sizeof(rex_cr), &in, false), 0);
    assert_int_equal(in.rm, 15);
    assert_int_equal(insn_decode(cr3_ecx, sizeof(cr3_ecx), &in, true), 0);
    assert_int_equal(in.op, OP_MOV_TO_CR);
    assert_int_equal(in.reg, 3);
    assert_int_equal(in.rm, 1);
    assert_int_equal(in.len, 3);
    assert_int_equal(insn_decode(out_dx16, sizeof(out_dx16), &in, true), 0);
    assert_int_equal(in.op, OP_OUT_DX);
    assert_int_equal(in.opsize, 2);
}


/* Far CALL and JMP for call gates: bytes from GNU as, 32- and 16-bit code. */
static void test_far(void **state)
{
    static const struct {
        uint8_t bytes[8];
        unsigned int n;
        bool def32;
        int rc;
        struct far_branch f;
    } cases[] = {
#define D(j, l, o, s, a32)  { .jump = j, .len = l, .opsize = o, .sel = s, .seg = SREG_DS, \
                         .base = -1, .index = -1, .addr32 = a32 }
#define M(j, l, o, sg, b, i, sc, d, a32) { .jump = j, .len = l, .opsize = o, .indirect = true, \
                         .seg = sg, .base = b, .index = i, .scale = sc, .disp = d, .addr32 = a32 }
        /* lcall $0xb,$0x12345678; ljmp $0x13,$0x1000 */
        { { 0x9a, 0x78, 0x56, 0x34, 0x12, 0x0b, 0x00 }, 7, true, 0, D(false, 7, 4, 0x0b, true) },
        { { 0xea, 0x00, 0x10, 0x00, 0x00, 0x13, 0x00 }, 7, true, 0, D(true, 7, 4, 0x13, true) },
        /* lcallw $0xb,$0x1234 */
        { { 0x66, 0x9a, 0x34, 0x12, 0x0b, 0x00 }, 6, true, 0, D(false, 6, 2, 0x0b, true) },
        /* lcall *(%eax); *0x10(%ebx,%esi,4); ljmp *%ss:0x1234 */
        { { 0xff, 0x18 }, 2, true, 0, M(false, 2, 4, SREG_DS, 0, -1, 1, 0, true) },
        { { 0xff, 0x5c, 0xb3, 0x10 }, 4, true, 0, M(false, 4, 4, SREG_DS, 3, 6, 4, 0x10, true) },
        { { 0x36, 0xff, 0x2d, 0x34, 0x12, 0x00, 0x00 }, 7, true, 0,
          M(true, 7, 4, SREG_SS, -1, -1, 1, 0x1234, true) },
        /* lcall *-8(%ebp); *(%esp): SS by default; *%es:0(%ebp): ES */
        { { 0xff, 0x5d, 0xf8 }, 3, true, 0, M(false, 3, 4, SREG_SS, 5, -1, 1, 0xfffffff8, true) },
        { { 0xff, 0x1c, 0x24 }, 3, true, 0, M(false, 3, 4, SREG_SS, 4, -1, 1, 0, true) },
        { { 0x26, 0xff, 0x5d, 0x00 }, 4, true, 0, M(false, 4, 4, SREG_ES, 5, -1, 1, 0, true) },
        /* lcall *0x100(,%edi,8); addr16 lcall *(%bx,%si) */
        { { 0xff, 0x1c, 0xfd, 0x00, 0x01, 0x00, 0x00 }, 7, true, 0,
          M(false, 7, 4, SREG_DS, -1, 7, 8, 0x100, true) },
        { { 0x67, 0xff, 0x18 }, 3, true, 0, M(false, 3, 4, SREG_DS, 3, 6, 1, 0, false) },
        /* 16-bit code: lcall $0xb,$0x1234; *(%bp) (SS); *0x1234; ljmp *4(%bx,%di) */
        { { 0x9a, 0x34, 0x12, 0x0b, 0x00 }, 5, false, 0, D(false, 5, 2, 0x0b, false) },
        { { 0xff, 0x5e, 0x00 }, 3, false, 0, M(false, 3, 2, SREG_SS, 5, -1, 1, 0, false) },
        { { 0xff, 0x1e, 0x34, 0x12 }, 4, false, 0, M(false, 4, 2, SREG_DS, -1, -1, 1, 0x1234, false) },
        { { 0xff, 0x69, 0x04 }, 3, false, 0, M(true, 3, 2, SREG_DS, 3, 7, 1, 4, false) },
        /* not far branches: lcall *%eax, call *(%eax), lock lcall, cpuid; short */
        { { 0xff, 0xd8 }, 2, true, -1, { 0 } },
        { { 0xff, 0x10 }, 2, true, -1, { 0 } },
        { { 0xf0, 0xff, 0x18 }, 3, true, -1, { 0 } },
        { { 0x0f, 0xa2 }, 2, true, -1, { 0 } },
        { { 0x9a, 0x78, 0x56, 0x34, 0x12, 0x0b }, 6, true, -2, { 0 } },
        { { 0xff, 0x1c }, 2, true, -2, { 0 } },
#undef D
#undef M
    };

    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        struct far_branch f;
        int rc = decode_far(cases[i].bytes, cases[i].n, cases[i].def32, &f);

        if ( rc != cases[i].rc )
            fail_msg("case %u: %d, not %d", i, rc, cases[i].rc);
        if ( rc == 0 && memcmp(&f, &cases[i].f, sizeof(f)) )
            fail_msg("case %u: decoded differently (len %u seg %u base %d index %d "
                     "scale %u disp %#x)", i, f.len, f.seg, f.base, f.index, f.scale, f.disp);
        if ( far_invariants(cases[i].bytes, cases[i].n, cases[i].def32) )
            fail_msg("case %u: %s", i, far_invariants(cases[i].bytes, cases[i].n,
                                                      cases[i].def32));
    }

    /* Random bytes after each opcode form keep the invariants. */
    srand(7);
    for ( unsigned int iter = 0; iter < 200000; iter++ )
    {
        static const uint8_t starts[] = { 0x9a, 0xea, 0xff, 0x66, 0x67, 0x26, 0x36 };
        uint8_t b[INSN_MAX_LEN + 2];
        size_t n = rand() % sizeof(b);
        const char *why;

        for ( size_t k = 0; k < sizeof(b); k++ )
            b[k] = rand();
        b[0] = starts[rand() % sizeof(starts)];
        if ( (why = far_invariants(b, n, rand() & 1)) )
            fail_msg("iteration %u: %s", iter, why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_byte),
        cmocka_unit_test(test_one_byte),
        cmocka_unit_test(test_io_imm),
        cmocka_unit_test(test_io_dx),
        cmocka_unit_test(test_string_io),
        cmocka_unit_test(test_mov_cr_dr),
        cmocka_unit_test(test_rex),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_rex_not_last),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_every_first_byte),
        cmocka_unit_test(test_every_two_byte),
        cmocka_unit_test(test_prefix_flood),
        cmocka_unit_test(test_avail),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_compat),
        cmocka_unit_test(test_far),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* FUZZ */
