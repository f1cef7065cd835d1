/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket's file (see control_socket.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <routed/paths.h>

#include "control_socket.h"
#include "log.h"

#define CONTROL_SOCKET_BACKLOG 128

/*
 * Create the socket's missing parent directories: 0700 for a per-user
 * place (under /tmp or $XDG_RUNTIME_DIR), else 0755 so clients can reach
 * the socket. Then refuse a parent someone else could write: they could
 * replace our socket and receive the clients' requests.
 */
static int make_parent_dirs(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	char *slash;
	struct stat st;
	mode_t mode;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	if (slash == dir)
		return rt_socket_dir_check("/", err, errlen) ? -1 : 0;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		return rt_socket_dir_check(dir, err, errlen) ? -1 : 0;
	if (errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	mode = rt_socket_dir_is_private(dir) ? 0700 : 0755;
	/* Create each missing component; existing ones keep their mode. */
	for (char *p = dir + 1;; p++) {
		bool end = *p == '\0';

		if (!end && *p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, mode) == 0) {
			/* Exactly that mode whatever the umask. */
			if (chmod(dir, mode) < 0) {
				snprintf(err, errlen, "chmod %s: %s", dir, strerror(errno));
				return -1;
			}
		} else if (errno != EEXIST) {
			snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
			return -1;
		}
		if (end)
			break;
		*p = '/';
	}
	return rt_socket_dir_check(dir, err, errlen) ? -1 : 0;
}

static void fill_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path));
}

/* Refuse to steal a live socket; remove a stale one. */
static int check_existing(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	int probe, rc;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (probe < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	fill_addr(&sun, path);
	rc = connect(probe, (struct sockaddr *)&sun, sizeof(sun));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		/* EAGAIN: a full backlog, which someone is listening behind. */
		close(probe);
		snprintf(err, errlen, "another routed is listening on %s", path);
		return -1;
	}
	if (errno != ECONNREFUSED) {
		snprintf(err, errlen, "cannot check the existing socket %s: %s", path,
			 strerror(errno));
		close(probe);
		return -1;
	}
	close(probe);
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale socket %s: %s", path,
			 strerror(errno));
		return -1;
	}
	log_info("control: removed the stale socket %s", path);
	return 0;
}

static int bind_socket(struct control_socket *s, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old_mask;
	int fd, rc;

	if (make_parent_dirs(s->path, err, errlen) < 0 || check_existing(s->path, err, errlen) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	fill_addr(&sun, s->path);
	/* bind() creates the file with 0777 & ~umask. Allow only the owner's
	 * bits until the group is right, so no other user can ever connect
	 * through a wrong group or mode. umask is per process, but routed's
	 * other threads (lookup workers) create no files. */
	old_mask = umask(0777 & ~(s->mode & 0700));
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_mask);
	if (rc < 0) {
		snprintf(err, errlen, "bind %s: %s", s->path,
			 errno == EADDRINUSE ? "another process created it meanwhile"
					     : strerror(errno));
		goto fail;
	}
	s->own_path = true;
	if (lstat(s->path, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	if (s->gid != (gid_t)-1 && chown(s->path, (uid_t)-1, s->gid) < 0) {
		snprintf(err, errlen, "chown %s to group %u: %s", s->path, (unsigned)s->gid,
			 strerror(errno));
		goto fail;
	}
	if (chmod(s->path, s->mode) < 0) {
		snprintf(err, errlen, "chmod %s: %s", s->path, strerror(errno));
		goto fail;
	}
	if (listen(fd, CONTROL_SOCKET_BACKLOG) < 0) {
		snprintf(err, errlen, "listen %s: %s", s->path, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* A listening AF_UNIX stream socket passed by systemd in fd 3, or -1. */
static int activated_socket(struct control_socket *s)
{
	const char *pid_text = getenv("LISTEN_PID");
	const char *fds_text = getenv("LISTEN_FDS");
	struct sockaddr_un sun;
	socklen_t len = sizeof(int);
	int type = 0, domain = 0, listening = 0, flags;
	const int fd = 3;

	if (!pid_text || !fds_text || strtol(pid_text, NULL, 10) != (long)getpid() ||
	    strtol(fds_text, NULL, 10) < 1)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 ||
	    type != SOCK_STREAM || domain != AF_UNIX || !listening) {
		log_warn("control: fd 3 from $LISTEN_FDS is not a listening Unix stream socket; "
			 "ignoring it");
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		log_warn("control: fd 3 from $LISTEN_FDS: %s; ignoring it", strerror(errno));
		return -1;
	}
	len = sizeof(sun);
	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 && sun.sun_path[0])
		snprintf(s->path, sizeof(s->path), "%.*s", (int)sizeof(sun.sun_path), sun.sun_path);
	return fd;
}

int control_socket_open(struct control_socket *s, char *err, size_t errlen)
{
	int fd = activated_socket(s);

	return fd >= 0 ? fd : bind_socket(s, err, errlen);
}

void control_socket_set_access(struct control_socket *s, mode_t mode, gid_t gid)
{
	mode_t old_mode = s->mode;
	gid_t old_gid = s->gid;

	s->mode = mode;
	s->gid = gid;
	if (!s->own_path)
		return;
	if (gid != old_gid && gid != (gid_t)-1 && chown(s->path, (uid_t)-1, gid) < 0)
		log_warn("control: chown %s to group %u: %s", s->path, (unsigned)gid,
			 strerror(errno));
	if (mode != old_mode && chmod(s->path, mode) < 0)
		log_warn("control: chmod %s: %s", s->path, strerror(errno));
}

void control_socket_remove(const struct control_socket *s)
{
	struct stat st;

	/* Only the socket we made: a newer routed may have replaced it. */
	if (s->own_path && lstat(s->path, &st) == 0 && st.st_dev == s->dev &&
	    st.st_ino == s->ino && unlink(s->path) < 0)
		log_warn("control: unlink %s: %s", s->path, strerror(errno));
}
