/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot/console.h - the shim's console backends: port 0xe9, L0's PV console
 * ring and L0's console_io, registered as lib/printk sinks.
 */
#ifndef BOOT_CONSOLE_H
#define BOOT_CONSOLE_H

#include "lib/compiler.h"

/* Port 0xe9, from the first C line (if CONFIG_CONSOLE_E9). */
void console_early_init(void);

/*
 * Find L0's PV console ring (HVM_PARAM_CONSOLE_PFN/EVTCHN) and start writing
 * to it, replaying the log so far. Needs l0_detect().
 */
void console_pv_init(void);

/*
 * Hand L0's PV console ring over to the guest (start_info.console): drain
 * what we wrote and stop writing there. The shim's log stays on port 0xe9
 * or console_io.
 */
void console_pv_release(void);

/* Keep only the backends the command line asked for (CONSOLE_* mask). */
void console_select(unsigned int consoles);

/* Backends now in use, as a CONSOLE_* mask. */
unsigned int console_active(void);

#endif /* BOOT_CONSOLE_H */
