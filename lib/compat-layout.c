/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/compat-layout.c - the 32-bit layouts of Xen's public structures, as
 * the public headers give them to a 32-bit guest.
 *
 * Compiled with -m32 (never linked): for every member lib/compat.h lists,
 * the offset and size the headers give it on i386 and the size of each
 * structure, collected by the Makefile into $(O)/compat-layout.h. lib/compat.h
 * then checks its own 32-bit structures against them member by member, as
 * Xen generates its compat headers from the same public headers.
 */
#include "lib/xen.h"
#include "lib/compat.h"

#if !defined(__i386__)
#error "lib/compat-layout.c is compiled with -m32"
#endif

#define OUT(sym, val) __asm__ volatile ( "\n.ascii \"->" sym " %0\"" :: "i" (val) )

#define LAYOUT_MEMBER(S, type, name, dim, xen)                                 \
    OUT(COMPAT_STR(COMPAT_CAT(COMPAT_OFF_, S, _, name)), offsetof(struct S, xen)); \
    OUT(COMPAT_STR(COMPAT_CAT(COMPAT_SZ_, S, _, name)), sizeof(((struct S *)0)->xen));
#define LAYOUT(sname, list)                                                     \
    list(LAYOUT_MEMBER, sname)                                                  \
    OUT(COMPAT_STR(COMPAT_CAT(COMPAT_SIZE_, sname, , )), sizeof(struct sname));

#define CONST(name) OUT("COMPAT_VAL_" #name, (unsigned long long)(unsigned long)(name));

void compat_layout(void);
void compat_layout(void)
{
    COMPAT_STRUCTS(LAYOUT)
    COMPAT_CONSTS(CONST)
}
