/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <routed/paths.h>

#define SYSTEM_SOCKET "/run/routed/control.sock"

const char *rt_default_control_socket(char *buf, size_t len)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	int n;

	/* RuntimeDirectory= may list several, separated by ':': the first is ours. */
	if (dir && *dir)
		n = snprintf(buf, len, "%.*s/control.sock", (int)strcspn(dir, ":"), dir);
	else if (geteuid() == 0)
		n = snprintf(buf, len, SYSTEM_SOCKET);
	else if ((dir = getenv("XDG_RUNTIME_DIR")) && *dir)
		n = snprintf(buf, len, "%s/routed/control.sock", dir);
	else
		n = snprintf(buf, len, "/tmp/routed-%u/control.sock", (unsigned)geteuid());
	return n > 0 && (size_t)n < len ? buf : NULL;
}

const char *rt_default_client_socket(char *buf, size_t len)
{
	const char *runtime = getenv("RUNTIME_DIRECTORY");
	struct stat st;

	if (!rt_default_control_socket(buf, len))
		return NULL;
	if (runtime && *runtime)
		return buf;
	/* No daemon of this user: talk to the system one, if it runs. */
	if (lstat(buf, &st) < 0 && errno == ENOENT && lstat(SYSTEM_SOCKET, &st) == 0) {
		if (strlen(SYSTEM_SOCKET) >= len)
			return NULL;
		strcpy(buf, SYSTEM_SOCKET);
	}
	return buf;
}

bool rt_socket_dir_is_private(const char *dir)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	size_t n = xdg ? strlen(xdg) : 0;

	while (n > 1 && xdg[n - 1] == '/')
		n--;
	if (!strncmp(dir, "/tmp/", 5))
		return true;
	return n && *xdg == '/' && !strncmp(dir, xdg, n) && (dir[n] == '/' || !dir[n]);
}

int rt_socket_dir_check(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", dir, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	/*
	 * Whoever can write the directory can replace the socket and receive
	 * the clients' requests: only its owner (us or root) may, or anyone
	 * under the sticky bit (which keeps others from renaming or removing
	 * our entries, as in /tmp).
	 */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, errlen,
			 "%s: owned by uid %u, not by uid %u or root: refusing to use it for the "
			 "control socket",
			 dir, (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(err, errlen,
			 "%s: writable by %s (mode %04o) without the sticky bit: refusing to use it "
			 "for the control socket",
			 dir, st.st_mode & S_IWOTH ? "others" : "its group",
			 (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}
