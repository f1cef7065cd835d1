/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fault-injection shim for the durability tests, loaded with LD_PRELOAD:
 * while the file named by $ROUTED_FAULT_FILE exists, write(), pwrite() and
 * the syncs fail on the journal's segment files (journal-*.log) and on
 * snapshots (snapshot-*) with the error the file names: "EIO" or "ENOSPC"
 * (a write fails, or a sync, as its second word says: "EIO sync").
 * Everything else passes through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* The injected errno for this kind of call on fd, or 0. */
static int fault_for(int fd, int is_sync)
{
	const char *flag = getenv("ROUTED_FAULT_FILE");
	char link[64], path[512], what[64] = "";
	ssize_t n;
	FILE *f;
	int saved = errno;

	if (!flag || !(f = fopen(flag, "re")))
		goto none;
	if (!fgets(what, sizeof(what), f))
		what[0] = '\0';
	fclose(f);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		goto none;
	path[n] = '\0';
	if (!strstr(path, "/journal-") && !strstr(path, "/snapshot-"))
		goto none;
	/* "EIO" fails writes and syncs; "EIO sync" only syncs. */
	if (strstr(what, "sync") && !is_sync)
		goto none;
	errno = saved;
	return strncmp(what, "ENOSPC", 6) == 0 ? ENOSPC : EIO;
none:
	errno = saved;
	return 0;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*sync_fn)(int);

static void *real(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

ssize_t write(int fd, const void *buf, size_t count)
{
	static write_fn real_write;
	int e = fault_for(fd, 0);

	if (e) {
		errno = e;
		return -1;
	}
	if (!real_write)
		real_write = (write_fn)real("write");
	return real_write(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
	static pwrite_fn real_pwrite;
	int e = fault_for(fd, 0);

	if (e) {
		errno = e;
		return -1;
	}
	if (!real_pwrite)
		real_pwrite = (pwrite_fn)real("pwrite");
	return real_pwrite(fd, buf, count, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t off)
{
	return pwrite(fd, buf, count, off);
}

static int sync_call(const char *name, sync_fn *fn, int fd)
{
	int e = fault_for(fd, 1);

	if (e) {
		errno = e;
		return -1;
	}
	if (!*fn)
		*fn = (sync_fn)real(name);
	return (*fn)(fd);
}

int fdatasync(int fd)
{
	static sync_fn real_fdatasync;

	return sync_call("fdatasync", &real_fdatasync, fd);
}

int fsync(int fd)
{
	static sync_fn real_fsync;

	return sync_call("fsync", &real_fsync, fd);
}
