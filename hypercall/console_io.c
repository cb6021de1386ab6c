/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/console_io.c - console_io. Whether the domain may use it is L0's
 * policy (pvops/domain.c asks), checked before the command as Xen does;
 * where allowed, writes go to the shim's console as "(guest)" lines and
 * reads return what input there is (none yet: 0 bytes).
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "x86/uaccess.h"
#include "lib/printk.h"

long do_console_io(int cmd, unsigned int count, unsigned long buf)
{
    char chunk[128];
    long rc = domain_console_io_allowed();

    if ( rc )
        return rc;

    switch ( cmd )
    {
    case CONSOLEIO_write:
        while ( count )
        {
            unsigned int n = MIN(count, (unsigned int)sizeof(chunk));

            if ( copy_from_guest(chunk, buf, n) )
                return -XEN_EFAULT;
            printk_guest(chunk, n);
            buf += n;
            count -= n;
            /* Any count: the rest later if an event waits (Xen too). */
            if ( count && hypercall_preempt_check() )
            {
                const unsigned long a[5] = { CONSOLEIO_write, count, buf };

                return hypercall_create_continuation(__HYPERVISOR_console_io, a);
            }
        }
        return 0;
    case CONSOLEIO_read:
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
