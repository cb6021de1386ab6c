/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/registers.c - the registers a guest kernel sets by hypercall
 * (Xen's pv/misc-hypercalls.c): stack_switch, fpu_taskswitch,
 * set_segment_base, set_debugreg, get_debugreg. No argument in memory;
 * pvops/vcpu.c owns the meaning.
 */
#include "hypercall/handlers.h"
#include "pvops/vcpu.h"

long do_stack_switch(unsigned long ss, unsigned long sp)
{
    return vcpu_stack_switch(current_vcpu(), ss, sp);
}

long do_fpu_taskswitch(int set)
{
    return vcpu_fpu_taskswitch(current_vcpu(), set);
}

long do_set_segment_base(unsigned int which, unsigned long base)
{
    return vcpu_set_segment_base(current_vcpu(), which, base);
}

long do_set_debugreg(int reg, unsigned long value)
{
    return vcpu_set_debugreg(current_vcpu(), reg, value);
}

long do_get_debugreg(int reg)
{
    return vcpu_get_debugreg(current_vcpu(), reg);
}
