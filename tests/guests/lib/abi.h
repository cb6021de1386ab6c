/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/abi.h - the Xen public ABI for test kernels.
 *
 * The project's gate lib/xen.h pins __XEN_INTERFACE_VERSION__ and derives
 * the XEN_E* errno values; it must come first. The few public headers it
 * does not pull in, and the test kernels need, follow it.
 */
#ifndef TESTS_GUESTS_LIB_ABI_H
#define TESTS_GUESTS_LIB_ABI_H

#include "lib/xen.h"

#include <xen/features.h>
#include <xen/physdev.h>
#include <xen/vcpu.h>

#endif /* TESTS_GUESTS_LIB_ABI_H */
