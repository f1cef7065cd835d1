/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's listening socket and its file: the one systemd
 * passed (socket activation), or one bound at the configured path, with
 * its parent directories made and checked, a live socket refused and a
 * stale one replaced, and the mode and group applied so that no other
 * user can connect in between (docs/control-protocol.md, "Access").
 */
#ifndef ROUTED_DAEMON_CONTROL_SOCKET_H
#define ROUTED_DAEMON_CONTROL_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/un.h>

struct control_socket {
	char path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	mode_t mode;		/* of the file we bind */
	gid_t gid;		/* its group; (gid_t)-1: the process's */
	bool own_path;		/* we bound it: remove it at the end */
	dev_t dev;		/* the file we bound */
	ino_t ino;
};

/*
 * A listening socket, non-blocking and close-on-exec: systemd's in fd 3
 * ($LISTEN_FDS; s->path becomes its path), else a new one bound at s->path
 * with s->mode and s->gid (s->own_path set). -1 with the reason in err.
 */
int control_socket_open(struct control_socket *s, char *err, size_t errlen);
/* New mode and group, applied to the file if we bound it (failures are logged). */
void control_socket_set_access(struct control_socket *s, mode_t mode, gid_t gid);
/* Remove the file if we bound it and it is still the one we bound. */
void control_socket_remove(const struct control_socket *s);

#endif
