/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Snapshots (see snapshot.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <routed/journal.h>
#include <routed/snapshot.h>

#include "bytes.h"

#define SNAPSHOT_MAGIC "routeds1"
#define SNAPSHOT_HEADER_LEN 16
#define SNAPSHOT_NAME_LEN sizeof("snapshot-0123456789abcdef.snap")
#define SNAPSHOT_BUFFER (1u << 20)

struct rt_snapshot_writer {
	int dirfd, fd;
	uint64_t seq, items;
	char name[SNAPSHOT_NAME_LEN], tmp[SNAPSHOT_NAME_LEN + 4];
	uint8_t *buf;
	size_t used;
	int error;			/* sticky, negative errno */
};

static bool parse_name(const char *name, uint64_t *seq)
{
	char *end;

	if (strlen(name) != SNAPSHOT_NAME_LEN - 1 || strncmp(name, "snapshot-", 9) != 0 ||
	    strcmp(name + 25, ".snap") != 0)
		return false;
	for (unsigned i = 9; i < 25; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	*seq = strtoull(name + 9, &end, 16);
	return end == name + 25;
}

static bool is_temporary(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, "snapshot-", 9) == 0 && n > 4 && strcmp(name + n - 4, ".tmp") == 0;
}

static int flush_buf(struct rt_snapshot_writer *w)
{
	const uint8_t *p = w->buf;
	size_t left = w->used;

	while (left) {
		ssize_t n = write(w->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return w->error = n < 0 ? -errno : -EIO;
		p += n;
		left -= (size_t)n;
	}
	w->used = 0;
	return 0;
}

static int put_record(struct rt_snapshot_writer *w, uint64_t index, uint16_t op,
		      const void *payload, uint32_t length)
{
	size_t size = rt_journal_record_size(length);

	if (w->error)
		return w->error;
	if (w->used + size > SNAPSHOT_BUFFER && flush_buf(w))
		return w->error;
	if (size > SNAPSHOT_BUFFER)
		return -EINVAL;
	rt_journal_encode(w->buf + w->used, index, op, payload, length);
	w->used += size;
	return 0;
}

int rt_snapshot_begin(const char *dir, uint64_t seq, struct rt_snapshot_writer **out,
		      char *err, size_t errlen)
{
	struct rt_snapshot_writer *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w || !(w->buf = malloc(SNAPSHOT_BUFFER))) {
		if (w)
			free(w);
		rt_seterr(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	w->fd = -1;
	w->seq = seq;
	snprintf(w->name, sizeof(w->name), "snapshot-%016" PRIx64 ".snap", seq);
	snprintf(w->tmp, sizeof(w->tmp), "%s.tmp", w->name);
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd < 0) {
		rc = -errno;
		rt_seterr(err, errlen, "%s: %s", dir, strerror(-rc));
		goto fail;
	}
	w->fd = openat(w->dirfd, w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		rc = -errno;
		rt_seterr(err, errlen, "%s/%s: %s", dir, w->tmp, strerror(-rc));
		goto fail;
	}
	memcpy(w->buf, SNAPSHOT_MAGIC, 8);
	put_le64(w->buf + 8, seq);
	w->used = SNAPSHOT_HEADER_LEN;
	*out = w;
	return 0;
fail:
	rt_snapshot_abort(w);
	return rc;
}

int rt_snapshot_add(struct rt_snapshot_writer *w, uint16_t op, const void *payload,
		    uint32_t length)
{
	int rc;

	if (op == 0 || op == RT_SNAPSHOT_OP_END)
		return -EINVAL;
	rc = put_record(w, w->items + 1, op, payload, length);
	if (!rc)
		w->items++;
	return rc;
}

/* Remove snapshots older than keep, and temporary files other than skip. */
static void remove_older(int dirfd, uint64_t keep, const char *skip)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		uint64_t seq;

		if ((parse_name(de->d_name, &seq) && seq < keep) ||
		    (is_temporary(de->d_name) && (!skip || strcmp(de->d_name, skip))))
			unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

int rt_snapshot_commit(struct rt_snapshot_writer *w, char *err, size_t errlen)
{
	uint8_t end[16];
	int rc;

	put_le64(end, w->items);
	put_le64(end + 8, w->seq);
	rc = put_record(w, w->items + 1, RT_SNAPSHOT_OP_END, end, sizeof(end));
	if (!rc)
		rc = flush_buf(w);
	if (rc) {
		rt_seterr(err, errlen, "writing %s: %s", w->tmp, strerror(-rc));
		goto out;
	}
	if (fsync(w->fd) < 0) {
		rc = -errno;
		rt_seterr(err, errlen, "syncing %s: %s", w->tmp, strerror(-rc));
		goto out;
	}
	if (renameat(w->dirfd, w->tmp, w->dirfd, w->name) < 0) {
		rc = -errno;
		rt_seterr(err, errlen, "renaming %s: %s", w->tmp, strerror(-rc));
		goto out;
	}
	if (fsync(w->dirfd) < 0) {
		/* The rename may or may not be durable: the old snapshots stay. */
		rc = -errno;
		rt_seterr(err, errlen, "syncing the directory of %s: %s", w->name, strerror(-rc));
		w->tmp[0] = '\0';
		goto out;
	}
	w->tmp[0] = '\0';
	remove_older(w->dirfd, w->seq, NULL);
out:
	rt_snapshot_abort(w);
	return rc;
}

void rt_snapshot_abort(struct rt_snapshot_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->dirfd >= 0) {
		if (w->tmp[0])
			unlinkat(w->dirfd, w->tmp, 0);
		close(w->dirfd);
	}
	free(w->buf);
	free(w);
}

/* Loading */

static int newest(int dirfd, const char *dir, char *name, uint64_t *seq, char *err, size_t errlen)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool found = false;

	if (!d) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		rt_seterr(err, errlen, "%s: %s", dir, strerror(e));
		return -e;
	}
	while ((de = readdir(d))) {
		uint64_t s;

		if (parse_name(de->d_name, &s) && (!found || s > *seq)) {
			*seq = s;
			strcpy(name, de->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

/* Check every record and the end record; 0, or -EBADMSG with the offset. */
static int check_file(const uint8_t *data, size_t size, uint64_t seq, uint64_t *items,
		      const char *path, char *err, size_t errlen)
{
	size_t off = SNAPSHOT_HEADER_LEN;
	uint64_t index = 1;

	if (size < SNAPSHOT_HEADER_LEN || memcmp(data, SNAPSHOT_MAGIC, 8) != 0 ||
	    get_le64(data + 8) != seq) {
		rt_seterr(err, errlen, "%s: offset 0: not a snapshot header", path);
		return -EBADMSG;
	}
	for (;;) {
		struct rt_journal_record rec;
		size_t rsize;
		enum rt_journal_decode_error e = rt_journal_decode(data + off, size - off, &rec,
								  &rsize);

		if (e || rec.seq != index) {
			rt_seterr(err, errlen, "%s: offset %zu: %s", path, off,
			       e ? rt_journal_decode_strerror(e) : "records out of order");
			return -EBADMSG;
		}
		if (rec.op == RT_SNAPSHOT_OP_END) {
			if (rec.length != 16 || get_le64(rec.payload) != index - 1 ||
			    get_le64(rec.payload + 8) != seq || off + rsize != size) {
				rt_seterr(err, errlen, "%s: offset %zu: bad end record", path, off);
				return -EBADMSG;
			}
			*items = index - 1;
			return 0;
		}
		off += rsize;
		index++;
	}
}

int rt_snapshot_load(const char *dir, rt_snapshot_fn fn, void *arg, struct rt_snapshot_info *info,
		     char *err, size_t errlen)
{
	char name[SNAPSHOT_NAME_LEN], path[sizeof(info->file)];
	uint8_t *data = MAP_FAILED;
	struct stat st;
	size_t off = SNAPSHOT_HEADER_LEN;
	int dirfd, fd = -1, rc;
	uint64_t seq = 0;

	memset(info, 0, sizeof(*info));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		rc = -errno;
		rt_seterr(err, errlen, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	rc = newest(dirfd, dir, name, &seq, err, errlen);
	if (rc <= 0)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		rt_seterr(err, errlen, "%s: %s", path, strerror(-rc));
		goto out;
	}
	if (st.st_size > 0) {
		data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (data == MAP_FAILED) {
			rc = -errno;
			rt_seterr(err, errlen, "%s: %s", path, strerror(-rc));
			goto out;
		}
	}
	rc = check_file(data == MAP_FAILED ? (const uint8_t *)"" : data, (size_t)st.st_size, seq,
			&info->items, path, err, errlen);
	if (rc)
		goto out;
	for (uint64_t i = 0; i < info->items; i++) {
		struct rt_journal_record rec;
		size_t rsize;

		rt_journal_decode(data + off, (size_t)st.st_size - off, &rec, &rsize);
		rc = fn ? fn(rec.op, rec.payload, rec.length, arg) : 0;
		if (rc) {
			rt_seterr(err, errlen, "%s: offset %zu: item %" PRIu64 " could not be loaded",
			       path, off, i + 1);
			goto out;
		}
		off += rsize;
	}
	info->seq = seq;
	strcpy(info->file, path);
	rc = 0;
out:
	if (data != MAP_FAILED)
		munmap(data, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	close(dirfd);
	return rc;
}
