/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/decode.c - decoding the instructions PV privileged-op emulation knows
 * (Intel SDM vol. 2, opcode map in appendix A).
 */
#include "x86/decode.h"
#include "lib/string.h"

int insn_decode(const uint8_t *buf, size_t avail, struct insn *in, bool compat)
{
    size_t i = 0, lim = MIN(avail, (size_t)INSN_MAX_LEN);
    bool opsize16 = false;
    uint8_t rex = 0, b;

    memset(in, 0, sizeof(*in));

    /*
     * Prefixes. A REX counts only right before the opcode: the CPU ignores
     * one that a legacy prefix follows, and of several the last wins.
     */
    for ( ; ; i++ )
    {
        if ( i >= lim )
            return avail < INSN_MAX_LEN ? -2 : -1;
        b = buf[i];
        if ( (b & 0xf0) == 0x40 && !compat )
        {
            rex = b;
            continue;
        }
        if ( b == 0x66 )
            opsize16 = true;
        else if ( b == 0xf3 || b == 0xf2 )
            in->rep = true;
        else if ( b == 0xf0 )
            in->lock = true;
        else if ( b != 0x67 && b != 0x2e && b != 0x36 && b != 0x3e &&
                  b != 0x26 && b != 0x64 && b != 0x65 )
            break;
        rex = 0;
    }
    /* REX.W beats 66; I/O has no 64-bit form, so it stays 32-bit. */
    in->opsize = opsize16 && !(rex & 8) ? 2 : 4;
    i++;

    if ( b != 0x0f )
    {
        switch ( b )
        {
        case 0xf4: in->op = OP_HLT; break;
        case 0xfa: in->op = OP_CLI; break;
        case 0xfb: in->op = OP_STI; break;
        case 0xcc: in->op = OP_INT3; break;
        case 0xce: in->op = OP_INTO; break;
        case 0xcd: case 0xe4: case 0xe5: case 0xe6: case 0xe7:
            if ( i >= lim )
                return avail < INSN_MAX_LEN ? -2 : -1;
            in->imm8 = buf[i++];
            in->op = b == 0xcd ? OP_INT : b < 0xe6 ? OP_IN_IMM : OP_OUT_IMM;
            break;
        case 0xec: case 0xed: in->op = OP_IN_DX; break;
        case 0xee: case 0xef: in->op = OP_OUT_DX; break;
        case 0x6c: case 0x6d: in->op = OP_INS; break;
        case 0x6e: case 0x6f: in->op = OP_OUTS; break;
        default:
            return -1;
        }
        /* Byte forms of the I/O instructions have even opcodes. */
        if ( (b >= 0xe4 && b <= 0xef) || (b >= 0x6c && b <= 0x6f) )
            in->opsize = (b & 1) ? in->opsize : 1;
        in->len = i;
        return in->lock ? -1 : 0;
    }

    if ( i >= lim )
        return avail < INSN_MAX_LEN ? -2 : -1;
    b = buf[i++];
    switch ( b )
    {
    case 0x30: in->op = OP_WRMSR; break;
    case 0x32: in->op = OP_RDMSR; break;
    case 0x31: in->op = OP_RDTSC; break;
    case 0x33: in->op = OP_RDPMC; break;
    case 0xa2: in->op = OP_CPUID; break;
    case 0x06: in->op = OP_CLTS; break;
    case 0x08: in->op = OP_INVD; break;
    case 0x09: in->op = OP_WBINVD; break;
    case 0x01:
        if ( i >= lim )
            return avail < INSN_MAX_LEN ? -2 : -1;
        b = buf[i++];
        if ( b == 0xf9 )
            in->op = OP_RDTSCP;
        else if ( b == 0xd1 )
            in->op = OP_XSETBV;
        else
            return -1;
        break;
    case 0x20: case 0x21: case 0x22: case 0x23:
    {
        uint8_t modrm;

        if ( i >= lim )
            return avail < INSN_MAX_LEN ? -2 : -1;
        modrm = buf[i++];
        /* The register form is the only one; mod is ignored by the CPU. */
        in->reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
        in->rm = (modrm & 7) | ((rex & 1) ? 8 : 0);
        in->op = b == 0x20 ? OP_MOV_FROM_CR : b == 0x22 ? OP_MOV_TO_CR :
                 b == 0x21 ? OP_MOV_FROM_DR : OP_MOV_TO_DR;
        break;
    }
    default:
        return -1;
    }
    in->len = i;
    return in->lock ? -1 : 0;
}
