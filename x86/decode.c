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

int insn_decode_far(const uint8_t *buf, size_t avail, bool def32, struct far_branch *f)
{
    size_t i = 0, lim = MIN(avail, (size_t)INSN_MAX_LEN);
    bool op32 = def32, seg_override = false;
    uint8_t b, modrm;
    unsigned int mod, rm;

#define NEED(n) do { if ( i + (n) > lim ) return avail < INSN_MAX_LEN ? -2 : -1; } while ( 0 )
#define IMM(n) ({ uint32_t v_ = 0; NEED(n); \
                  for ( unsigned int k_ = 0; k_ < (n); k_++ ) v_ |= (uint32_t)buf[i++] << (8 * k_); \
                  v_; })
    memset(f, 0, sizeof(*f));
    f->addr32 = def32;
    f->seg = SREG_DS;
    f->base = f->index = -1;
    for ( ; ; i++ )
    {
        NEED(1);
        b = buf[i];
        switch ( b )
        {
        case 0x66: op32 = !def32; continue;
        case 0x67: f->addr32 = !def32; continue;
        case 0xf2: case 0xf3: continue;
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            f->seg = (b >> 3) & 3;
            seg_override = true;
            continue;
        case 0x64: case 0x65:
            f->seg = b - 0x64 + SREG_FS;
            seg_override = true;
            continue;
        }
        break;
    }
    i++;
    f->opsize = op32 ? 4 : 2;

    if ( b == 0x9a || b == 0xea )
    {
        f->jump = b == 0xea;
        (void)IMM(f->opsize);
        f->sel = IMM(2);
        f->len = i;
        return 0;
    }
    if ( b != 0xff )
        return -1;
    NEED(1);
    modrm = buf[i++];
    mod = modrm >> 6;
    rm = modrm & 7;
    if ( mod == 3 || (((modrm >> 3) & 7) != 3 && ((modrm >> 3) & 7) != 5) )
        return -1;
    f->jump = ((modrm >> 3) & 7) == 5;
    f->indirect = true;
    f->scale = 1;

    if ( !f->addr32 )
    {
        /* bx+si, bx+di, bp+si, bp+di, si, di, bp (or disp16), bx */
        static const int8_t base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
        static const int8_t index16[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };

        if ( mod == 0 && rm == 6 )
            f->disp = (uint16_t)IMM(2);
        else
        {
            f->base = base16[rm];
            f->index = index16[rm];
            if ( f->base == 5 && !seg_override )
                f->seg = SREG_SS;
            f->disp = mod == 1 ? (uint32_t)(int8_t)IMM(1) : mod == 2 ? IMM(2) : 0;
        }
    }
    else
    {
        if ( rm == 4 )
        {
            uint8_t sib;

            NEED(1);
            sib = buf[i++];
            f->scale = 1u << (sib >> 6);
            f->index = ((sib >> 3) & 7) == 4 ? -1 : (sib >> 3) & 7;
            rm = sib & 7;
            if ( rm == 5 && mod == 0 )
                f->disp = IMM(4);
            else
                f->base = rm;
        }
        else if ( rm == 5 && mod == 0 )
            f->disp = IMM(4);
        else
            f->base = rm;
        if ( (f->base == 4 || f->base == 5) && !seg_override )
            f->seg = SREG_SS;
        if ( mod == 1 )
            f->disp = (uint32_t)(int8_t)IMM(1);
        else if ( mod == 2 )
            f->disp = IMM(4);
    }
    f->len = i;
    return 0;
#undef IMM
#undef NEED
}
