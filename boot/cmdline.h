/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/cmdline.h - the shim's command line, in Xen's syntax.
 *
 * libxl passes "pv-shim console=xen,pv" (pvshim_cmdline) plus pvshim_extra.
 * Words are "name", "no-name", "name=value" or name="quoted value"; '-' and
 * '_' are the same in names; " -- " ends the shim's options and the rest is a
 * command line for the guest (QEMU's way of booting a PV kernel in the shim).
 * Pure code, host-tested.
 */
#ifndef BOOT_CMDLINE_H
#define BOOT_CMDLINE_H

#include "lib/compiler.h"
#include "boot/pvh.h"

/* Console backends, as console= names them. */
#define CONSOLE_XEN   (1u << 0)     /* L0 console_io (port 0xe9 if refused) */
#define CONSOLE_PV    (1u << 1)     /* L0's PV console ring */
#define CONSOLE_E9    (1u << 2)     /* port 0xe9 */

struct shim_options {
    unsigned int consoles;          /* CONSOLE_* */
    int loglvl;                     /* enum log_level; -1 = none */
    int guest_loglvl;
    bool noreboot;
    bool trace_hypercalls;          /* log every guest hypercall */
    char guest_cmdline[BOOT_CMDLINE_MAX];   /* after " -- ", or "" */
    bool has_guest_cmdline;
    unsigned int nr_unknown;        /* options we warned about */
};

/*
 * Parse cmdline into opts, which starts from the defaults (console=xen,pv,
 * the configured log level). Unknown or malformed options are warned about
 * on the log and otherwise ignored: a typo must not stop a guest.
 */
void cmdline_parse(const char *cmdline, struct shim_options *opts);

/* "xen,pv" for a CONSOLE_* mask. */
void cmdline_console_names(unsigned int consoles, char *buf, size_t len);

#endif /* BOOT_CMDLINE_H */
