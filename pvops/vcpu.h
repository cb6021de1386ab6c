/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvops/vcpu.h - a PV vCPU's CPU state as the guest sets it: trap table,
 * callbacks, kernel stack, segment bases, virtual CR0.TS. The rules are
 * Xen's (xen/arch/x86/pv/callback.c, misc-hypercalls.c, traps.c).
 */
#ifndef PVOPS_VCPU_H
#define PVOPS_VCPU_H

#include "pvops/domain.h"

static inline bool is_canonical(unsigned long va)
{
    return ((long)(va << 16) >> 16) == (long)va;
}

/* One set_trap_table entry (address 0 clears it); -EINVAL if not canonical. */
long vcpu_set_trap(struct vcpu *v, const struct trap_info *ti);
void vcpu_clear_traps(struct vcpu *v);

/* CALLBACKTYPE_*; -EINVAL for a bad type or address. */
long vcpu_register_callback(struct vcpu *v, unsigned int type,
                            unsigned long address, unsigned int flags);
long vcpu_unregister_callback(struct vcpu *v, unsigned int type);
long vcpu_initialise32(struct vcpu *v, const struct compat_vcpu_guest_context *c);
void pv32_load_selectors(const uint16_t sel[4]);
bool vcpu_runstate_copy_out(unsigned long addr, const struct vcpu_runstate_info *r);
long vcpu_register_callback32(struct vcpu *v, unsigned int type, unsigned int cs,
                              unsigned long eip, unsigned int flags);

/*
 * VCPUOP_register_vcpu_info: the vCPU's vcpu_info moves into a guest frame
 * that holds a writable type reference from then on (the shim writes it).
 */
long vcpu_register_info(struct vcpu *v, unsigned long mfn, unsigned int offset);
/* After a restore: no vcpu_info of its own, no runstate or time area. */
void vcpu_forget_areas(struct vcpu *v);
/* After a restore, of one that was down: never initialised, holding nothing. */
void vcpu_reset(struct vcpu *v);

/* vcpu_op: is_up, initialise (not yet), send_nmi, runstate and its area. */
static inline bool vcpu_is_up(const struct vcpu *v)
{
    return v->up;
}
/* Whether v has a vcpu_info (one past 32 only once registered). */
static inline bool vcpu_has_info(const struct vcpu *v)
{
    return v->vcpu_info != NULL && !v->vcpu_info_dummy;
}
/* VCPUOP_initialise, its context copied in (-EEXIST once initialised). */
long vcpu_initialise(struct vcpu *v, struct vcpu_guest_context *c);
/* VCPUOP_up / VCPUOP_down (the domain locked; down of itself parks). */
long vcpu_up(struct vcpu *v);
long vcpu_down(struct vcpu *v);
/* This CPU's vCPU is down: park until it is up again (no lock held). */
void vcpu_park(struct vcpu *v);
long vcpu_send_nmi(struct vcpu *v);
void vcpu_runstate(const struct vcpu *v, struct vcpu_runstate_info *r);
/* Rewrite v's registered runstate area (on v's own CPU; else nothing). */
void vcpu_runstate_area_update(struct vcpu *v);
/* Set (0: none) and write at once, best effort, as Xen does. */
long vcpu_register_runstate_area(struct vcpu *v, unsigned long addr);

/* VCPUOP_register_vcpu_time_memory_area (0: none); -EFAULT outside the guest's range. */
long vcpu_register_time_area(struct vcpu *v, unsigned long addr);

/* physdev_op: the virtual IOPL and I/O bitmap (-EINVAL past their range). */
long vcpu_set_iopl(struct vcpu *v, unsigned int iopl);
long vcpu_set_iobitmap(struct vcpu *v, unsigned long bitmap, unsigned int nr_ports);

long vcpu_stack_switch(struct vcpu *v, unsigned long ss, unsigned long sp);
long vcpu_fpu_taskswitch(struct vcpu *v, bool set);
/* The debug register reg stands for (DR4/5: DR6/7 without CR4.DE), or -1. */
int vcpu_debugreg_alias(const struct vcpu *v, unsigned int reg);

/* get_debugreg and set_debugreg: -ENODEV for a register that is none. */
long vcpu_get_debugreg(const struct vcpu *v, unsigned int reg);
long vcpu_set_debugreg(struct vcpu *v, unsigned int reg, unsigned long value);
long vcpu_set_segment_base(struct vcpu *v, unsigned int which,
                           unsigned long base);

#endif /* PVOPS_VCPU_H */
