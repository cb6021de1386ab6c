/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/layout.h - where a test kernel lives, for C, assembly and
 * the linker script alike.
 *
 * The domain builder (libxc's xg_dom_x86.c, and later our shim) maps pseudo-
 * physical frame 0 at VIRT_BASE and the rest of the boot image after it, so
 * VA = GUEST_VIRT_BASE + (pfn << PAGE_SHIFT) for everything in the initial
 * mapping (xen.h "Start-of-day memory layout", point 5). Linking at the top
 * 2 GiB lets C use -mcmodel=kernel, as Linux does with the same base.
 */
#ifndef TESTS_GUESTS_LIB_LAYOUT_H
#define TESTS_GUESTS_LIB_LAYOUT_H

#ifdef __i386__
#define GUEST_VIRT_BASE     0xC0000000      /* a 32-bit kernel: Linux's PAGE_OFFSET */
#else
#define GUEST_VIRT_BASE     0xffffffff80000000
#endif
#define GUEST_PAGE_SHIFT    12
#define GUEST_PAGE_SIZE     (1 << GUEST_PAGE_SHIFT)
#define GUEST_STACK_SIZE    (4 * GUEST_PAGE_SIZE)

#endif /* TESTS_GUESTS_LIB_LAYOUT_H */
