/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Default paths shared by routed and routectl. */
#ifndef ROUTED_PATHS_H
#define ROUTED_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The daemon's default control socket: $RUNTIME_DIRECTORY/control.sock when
 * set (as systemd sets it for RuntimeDirectory=routed), else
 * /run/routed/control.sock for root, else $XDG_RUNTIME_DIR/routed/control.sock,
 * else /tmp/routed-UID/control.sock. Returns buf, or NULL if it does not fit.
 */
const char *rt_default_control_socket(char *buf, size_t len);

/*
 * The client's default socket: rt_default_control_socket(), except that
 * when $RUNTIME_DIRECTORY is unset and that path does not exist while
 * /run/routed/control.sock does, the system daemon's socket. Returns buf,
 * or NULL if it does not fit.
 */
const char *rt_default_client_socket(char *buf, size_t len);

/*
 * Whether a socket directory belongs to one user (under /tmp or
 * $XDG_RUNTIME_DIR): created 0700 rather than 0755.
 */
bool rt_socket_dir_is_private(const char *dir);

/*
 * Whether dir may hold a control socket: a directory owned by the
 * effective uid or root, not writable by group or others unless sticky.
 * 0, or -errno with a message in err.
 */
int rt_socket_dir_check(const char *dir, char *err, size_t errlen);

#endif
