/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/crash/main.c - what must end a PV guest, not the hypervisor:
 * an exception that cannot be delivered. The command line picks one:
 *
 *   stack      an int3 with the kernel stack pointing at unmapped memory:
 *              the bounce frame cannot be written (the PV double fault)
 *   nohandler  a ud2 with the trap table cleared: nowhere to deliver it
 *   iret       the iret hypercall with its frame on unmapped memory
 *
 * Xen crashes the domain in each case (create_bounce_frame's fixups,
 * pv/iret.c) and prints its registers; L0 sees shutdown reason crash. The
 * lab (tests/lab/check.sh) checks that, directly on L0 and under our shim.
 * This kernel never reports success: reaching the end is the failure.
 */
#include "tests/guests/lib/test.h"

const char test_title[] = "an undeliverable exception crashes the guest";

#define STR_(x)         #x
#define STR(x)          STR_(x)
#define HYPERCALL_IRET  "hypercall_page + " STR(__HYPERVISOR_iret) " * 32"

/* Nothing is mapped here (the test kernels map from GUEST_VIRT_BASE up). */
#define UNMAPPED        0x10000UL

void test_main(void)
{
    const char *mode = (const char *)start_info->cmd_line;

    printk("CRASH-TEST %s: starting\n", mode);
    if ( !strcmp(mode, "stack") )
    {
        printk("CRASH-TEST stack: int3 with rsp %#lx\n", UNMAPPED);
        __asm__ volatile ( "mov %0, %%rsp\n\t"
                           "mov $0x5354414b, %%eax\n\t"     /* "STAK" */
                           "int3" :: "i" (UNMAPPED) : "rax", "memory" );
    }
    else if ( !strcmp(mode, "nohandler") )
    {
        long rc = hypercall_set_trap_table(NULL);

        printk("CRASH-TEST nohandler: set_trap_table(NULL) = %ld, ud2\n", rc);
        __asm__ volatile ( "mov $0x4e4f4841, %%eax\n\t"     /* "NOHA" */
                           "ud2" ::: "rax", "memory" );
    }
    else if ( !strcmp(mode, "iret") )
    {
        printk("CRASH-TEST iret: iret with rsp %#lx\n", UNMAPPED);
        /* Straight to the SYSCALL of the stub: its pushes would fault first. */
        __asm__ volatile ( "mov %0, %%rsp\n\t"
                           "mov $" STR(__HYPERVISOR_iret) ", %%eax\n\t"
                           "syscall" :: "i" (UNMAPPED) : "rax", "memory" );
    }
    else
    {
        xtf_error("Error: unknown mode \"%s\" (stack, nohandler, iret)\n", mode);
        return;
    }
    xtf_failure("Failure: CRASH-TEST %s: still running\n", mode);
}
