/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/xen.h - the one gate to the Xen public ABI headers (libxen-dev).
 *
 * Every ABI structure and constant comes from /usr/include/xen through this
 * file; nothing is re-declared by hand. It pins the interface version (the
 * headers otherwise fall back to the legacy 0x0 interface) and derives the
 * errno values from <xen/errno.h> with its X-macro, as Xen itself does.
 */
#ifndef LIB_XEN_H
#define LIB_XEN_H

#include "lib/compiler.h"

/* Xen 4.14 interface: the newest the Debian 4.17 headers define. */
#define __XEN_INTERFACE_VERSION__ 0x00040e00

#include <xen/xen.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/callback.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/hvm_vcpu.h>
#include <xen/hvm/params.h>
#include <xen/io/console.h>
#include <xen/memory.h>
#include <xen/nmi.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

/*
 * Xen's errno values as positive enumerators (EINVAL, EFAULT, ...). The host
 * unit tests include libc's <errno.h> too, whose macros would clash; they use
 * these through the XEN_E* names.
 */
#define XEN_ERRNO(name, value) XEN_##name = (value),
enum xen_errno {
#include <xen/errno.h>
};
#undef XEN_ERRNO

#endif /* LIB_XEN_H */
