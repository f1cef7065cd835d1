/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who is on the other end of a control connection (see control_peer.h). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control_peer.h"

bool control_peer_is_admin(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups,
			   uid_t self_uid, gid_t admin_gid)
{
	if (uid == 0 || uid == self_uid)
		return true;
	if (admin_gid == (gid_t)-1)
		return false;
	if (gid == admin_gid)
		return true;
	for (size_t i = 0; i < n_groups; i++)
		if (groups[i] == admin_gid)
			return true;
	return false;
}

/* The peer process's supplementary groups as the kernel has them (Linux 4.13+). */
static bool peer_groups_admin(int fd, const struct ucred *cred, gid_t admin_gid)
{
	gid_t small[64];
	gid_t *groups = small;
	socklen_t len = sizeof(small);
	bool admin = false;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno != ERANGE)
			return false;
		groups = malloc(len);
		if (!groups)
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
			goto out;
	}
	admin = control_peer_is_admin(cred->uid, cred->gid, groups, len / sizeof(gid_t), (uid_t)-1,
				      admin_gid);
out:
	if (groups != small)
		free(groups);
	return admin;
}

/* The groups the user database gives the peer's uid (what a login would get). */
static bool user_groups_admin(const struct ucred *cred, gid_t admin_gid)
{
	struct passwd pw, *found = NULL;
	long bufsize = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *buf;
	gid_t *groups = NULL;
	int n = 64;
	bool admin = false;

	if (bufsize < 16384)
		bufsize = 16384;
	buf = malloc(bufsize);
	if (!buf)
		return false;
	if (getpwuid_r(cred->uid, &pw, buf, bufsize, &found) != 0 || !found)
		goto out;
	for (int tries = 0; tries < 4; tries++) {
		gid_t *bigger = realloc(groups, n * sizeof(gid_t));
		int want = n;

		if (!bigger)
			goto out;
		groups = bigger;
		if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &want) >= 0) {
			admin = control_peer_is_admin(cred->uid, cred->gid, groups, want, (uid_t)-1,
						      admin_gid);
			break;
		}
		/* want now holds the size needed. */
		n = want > n ? want : n * 2;
	}
out:
	free(groups);
	free(buf);
	return admin;
}

/*
 * Either source of supplementary groups counts: the kernel's (a process
 * started with extra groups) or the user database's (a member who has not
 * logged in again since being added).
 */
static bool peer_is_admin(int fd, const struct ucred *cred, gid_t admin_gid)
{
	if (control_peer_is_admin(cred->uid, cred->gid, NULL, 0, geteuid(), admin_gid))
		return true;
	if (admin_gid == (gid_t)-1)
		return false;
	return peer_groups_admin(fd, cred, admin_gid) || user_groups_admin(cred, admin_gid);
}

int control_peer_get(int fd, gid_t admin_gid, struct control_peer *peer)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	peer->uid = cred.uid;
	peer->gid = cred.gid;
	peer->pid = cred.pid;
	peer->admin = peer_is_admin(fd, &cred, admin_gid);
	return 0;
}
