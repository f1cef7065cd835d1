/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who is on the other end of a control connection, and whether it may
 * call the methods that change state: from SO_PEERCRED and the peer's
 * groups, decided once, at accept (docs/control-protocol.md, "Access").
 */
#ifndef ROUTED_DAEMON_CONTROL_PEER_H
#define ROUTED_DAEMON_CONTROL_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct control_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool admin;		/* may call mutating methods */
};

/*
 * The access rule: may a peer with this uid, primary gid and supplementary
 * groups call mutating methods? Yes for uid 0, for routed's own uid, and
 * for members of admin_gid ((gid_t)-1: no admin group).
 */
bool control_peer_is_admin(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups,
			   uid_t self_uid, gid_t admin_gid);

/*
 * The peer of connected Unix socket fd, admin by the rule above with the
 * supplementary groups the kernel gives the process or the user database
 * gives its uid. 0, or -errno when the kernel does not say who it is.
 */
int control_peer_get(int fd, gid_t admin_gid, struct control_peer *peer);

#endif
