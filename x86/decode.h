/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/decode.h - decoding the one instruction a PV guest faulted on, for
 * privileged-instruction emulation. Only the instructions a PV kernel may
 * legitimately have emulated are recognised; everything else is "unknown"
 * and the guest gets its fault. Pure code, host-tested and fuzzable.
 */
#ifndef X86_DECODE_H
#define X86_DECODE_H

#include "lib/compiler.h"

#define INSN_MAX_LEN 15

enum insn_op {
    OP_UNKNOWN,
    OP_WRMSR, OP_RDMSR, OP_RDTSC, OP_RDTSCP, OP_RDPMC, OP_CPUID,
    OP_CLTS, OP_WBINVD, OP_INVD, OP_HLT, OP_CLI, OP_STI,
    OP_MOV_FROM_CR, OP_MOV_TO_CR, OP_MOV_FROM_DR, OP_MOV_TO_DR,
    OP_INT, OP_INT3, OP_INTO,
    OP_IN_IMM, OP_OUT_IMM, OP_IN_DX, OP_OUT_DX, OP_INS, OP_OUTS,
    OP_XSETBV,
};

struct insn {
    enum insn_op op;
    unsigned int len;           /* bytes, prefixes included */
    unsigned int opsize;        /* operand size for I/O: 1, 2 or 4 */
    unsigned int reg;           /* ModRM.reg (+REX.R): CR/DR number */
    unsigned int rm;            /* ModRM.rm (+REX.B): the GPR */
    uint8_t imm8;               /* int n, in/out port */
    bool rep, lock;
};

/*
 * Decode the instruction in buf[0..avail), of 64-bit code or (compat) of
 * 32-bit code, where 40-4f are INC/DEC, not REX. Returns 0 on success, -1 when
 * the bytes are not a recognised instruction (or have a LOCK it must not
 * have), -2 when more bytes are needed than avail (or than 15).
 */
int insn_decode(const uint8_t *buf, size_t avail, struct insn *insn, bool compat);

/*
 * A far CALL or JMP of 16- or 32-bit code, for a 32-bit guest's call gates:
 * 9a/ea with the selector in the instruction, or ff /3, ff /5 with a far
 * pointer in memory (its selector after the offset, at ea + opsize).
 */
struct far_branch {
    bool jump;
    unsigned int len;
    unsigned int opsize;        /* of the offset: 2 or 4 */
    bool indirect;
    uint16_t sel;               /* direct: the selector */
    /* indirect: ea = base + index * scale + disp, wrapped to 16 or 32 bits */
    unsigned int seg;           /* SREG_ES ... SREG_GS */
    int base, index;            /* GPR numbers, -1 for none */
    unsigned int scale;
    uint32_t disp;
    bool addr32;
};

enum { SREG_ES, SREG_CS, SREG_SS, SREG_DS, SREG_FS, SREG_GS };

/*
 * Decode buf[0..avail) as 32-bit (def32) or 16-bit code: 0 for a far
 * branch, -1 for anything else (a register operand, a LOCK, another
 * instruction), -2 when more bytes are needed.
 */
int insn_decode_far(const uint8_t *buf, size_t avail, bool def32, struct far_branch *f);

#endif /* X86_DECODE_H */
