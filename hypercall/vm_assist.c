/* SPDX-License-Identifier: GPL-2.0-only */
/* hypercall/vm_assist.c - vm_assist: no argument in memory; pvops/domain.c decides. */
#include "hypercall/handlers.h"
#include "pvops/domain.h"

long do_vm_assist(unsigned int cmd, unsigned int type)
{
    return domain_vm_assist(cmd, type);
}
