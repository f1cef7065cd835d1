/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Default paths shared by routed and routectl. */
#ifndef ROUTED_PATHS_H
#define ROUTED_PATHS_H

#include <stddef.h>

/*
 * The default control socket: $RUNTIME_DIRECTORY/control.sock when set (as
 * systemd sets it for RuntimeDirectory=routed), else /run/routed/control.sock
 * for root, else $XDG_RUNTIME_DIR/routed/control.sock, else
 * /tmp/routed-UID/control.sock. Returns buf, or NULL if it does not fit.
 */
const char *rt_default_control_socket(char *buf, size_t len);

#endif
