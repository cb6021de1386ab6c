/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86/desc.h - the GDT and TSS, laid out as Xen's so PV guests find the
 * selectors the ABI promises (xen/include/public/arch-x86/xen-x86_64.h):
 * GDT pages 0-13 are the guest's (set_gdt), page 14 is the hypervisor's.
 */
#ifndef X86_DESC_H
#define X86_DESC_H

#include "lib/xen.h"      /* FIRST_RESERVED_GDT_PAGE/ENTRY, FLAT_* selectors */
#include "x86/paging.h"
#include "x86/regs.h"
#define SEL_HYPERVISOR_CS         0xe008
#define SEL_HYPERVISOR_DS         0xe010
#define SEL_TSS                   0xe040
#define SEL_LDT                   0xe050

/* Per-vCPU windows in the per-domain slot: 64 KiB GDT, then 64 KiB LDT. */
#define GDT_VIRT(vcpu)  (PERDOMAIN_VIRT_START + ((unsigned long)(vcpu) << 17))
#define LDT_VIRT(vcpu)  (GDT_VIRT(vcpu) + 0x10000)

#include "x86/percpu.h"

/*
 * Move this CPU (the one whose stacks we run on) to its final GDT (with
 * the PV selectors), its TSS (x86/percpu.h: its IST stacks and its stack)
 * and the SYSCALL MSRs (its own entry stubs, x86/entry.S). Needs
 * x86/frames.h's allocator for the GDT window's tables and, but on CPU 0,
 * for its GDT page.
 */
/* Map CPU cpu's hypervisor GDT page (cpu_info gdt) in its GDT window. */
bool desc_map_gdt(unsigned int cpu);
void desc_init_cpu(void);

/* A 32-bit guest's selectors (compat) or a 64-bit one's in every CPU's GDT; on CPU 0. */
void desc_set_compat(bool compat);

/* Point this CPU's LDT descriptor (SEL_LDT) at [base, base + limit]. */
void desc_set_ldt(unsigned int cpu, unsigned long base, unsigned int limit);

#endif /* X86_DESC_H */
