/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal (see journal.h for the format and the promises).
 *
 * The appending thread writes each record with pwrite() at the end of the
 * current segment. A sync takes, under the lock, the list of segments with
 * unsynced data and the last seq appended, then fdatasync()s them without
 * the lock (appends go on meanwhile), fsync()s the directory if segments
 * were created since its last sync, and only then advances synced_seq.
 * Sealed segments keep their descriptor until a sync has covered them;
 * only the syncing thread closes them, so no descriptor it is using goes
 * away under it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <routed/crc32c.h>
#include <routed/journal.h>

#include "bytes.h"
#include "journal_segment.h"

#define SEGMENT_MAGIC "routedj1"
#define SEGMENT_NAME_LEN sizeof("journal-0123456789abcdef.log")

struct sealed {
	int fd;
	uint64_t first_seq;
};

struct rt_journal {
	pthread_mutex_t lock;		/* everything below */
	pthread_mutex_t sync_lock;	/* one rt_journal_sync() at a time */
	int dirfd;
	char dir[256];
	uint64_t segment_bytes;
	uint64_t *firsts;		/* every segment's first seq, oldest first */
	unsigned nseg, capseg;
	int fd;				/* the last segment, being appended to */
	uint64_t size;
	bool fd_dirty;			/* appended to since the last sync began */
	bool sync_running;		/* a sync may be using fd without the lock */
	struct sealed *sealed;		/* sealed, not yet synced */
	unsigned nsealed, capsealed;
	uint64_t last_seq, synced_seq;
	uint64_t dir_changes, dir_synced;	/* directory entries created or removed */
	int error;			/* sticky, negative errno */
	uint8_t *buf;
	size_t bufcap;
};

/* Helpers */

static void segment_name(char *buf, uint64_t first_seq)
{
	snprintf(buf, SEGMENT_NAME_LEN, "journal-%016" PRIx64 ".log", first_seq);
}

static bool parse_segment_name(const char *name, uint64_t *first_seq)
{
	char *end;

	if (strlen(name) != SEGMENT_NAME_LEN - 1 || strncmp(name, "journal-", 8) != 0 ||
	    strcmp(name + 24, ".log") != 0)
		return false;
	for (unsigned i = 8; i < 24; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	*first_seq = strtoull(name + 8, &end, 16);
	return end == name + 24;
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int push_first(struct rt_journal *j, uint64_t first_seq)
{
	if (j->nseg == j->capseg) {
		unsigned cap = j->capseg ? j->capseg * 2 : 16;
		uint64_t *f = realloc(j->firsts, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		j->firsts = f;
		j->capseg = cap;
	}
	j->firsts[j->nseg++] = first_seq;
	return 0;
}

/* Create segment first_seq with its header; the new descriptor, or -errno. */
static int segment_create(struct rt_journal *j, uint64_t first_seq)
{
	char name[SEGMENT_NAME_LEN];
	uint8_t hdr[RT_JOURNAL_SEGMENT_HEADER_LEN];
	int fd, rc;

	segment_name(name, first_seq);
	fd = openat(j->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	memcpy(hdr, SEGMENT_MAGIC, 8);
	put_le64(hdr + 8, first_seq);
	rc = write_all(fd, hdr, sizeof(hdr), 0);
	if (rc) {
		close(fd);
		unlinkat(j->dirfd, name, 0);
		return rc;
	}
	j->dir_changes++;
	return fd;
}

/* Opening and replay */

struct replay {
	struct rt_journal *j;
	const struct rt_journal_options *o;
	uint64_t from_seq;
	uint64_t expect;		/* the next seq, 0 before the first record */
	uint64_t upto;			/* stop after this record */
	bool readonly;			/* rt_journal_read(): nothing is cut */
	bool done;			/* upto reached */
	rt_journal_replay_fn fn;
	void *arg;
	struct rt_journal_open_info *info;
	char *err;
	size_t errlen;
};

/*
 * Replay one segment. Returns 0 with *end = the offset after its last
 * valid record, 1 when a bad spot at *end must be cut (a torn tail, or
 * corruption allowed by truncate_corrupt), or an error.
 */
static int replay_segment(struct replay *r, const char *name, uint64_t first_seq, bool last,
			  uint64_t *end)
{
	struct journal_segment sg;
	uint8_t hdr[RT_JOURNAL_SEGMENT_HEADER_LEN];
	uint64_t off;
	int rc;
	const char *why = NULL;
	char whybuf[96];

	rc = journal_segment_open(&sg, r->j->dirfd, name);
	if (!rc && sg.size >= RT_JOURNAL_SEGMENT_HEADER_LEN)
		rc = journal_segment_pread(&sg, hdr, sizeof(hdr), 0);
	if (rc) {
		rt_seterr(r->err, r->errlen, "%s/%s: %s", r->o->dir, name, strerror(-rc));
		goto out;
	}
	off = RT_JOURNAL_SEGMENT_HEADER_LEN;
	if (sg.size < RT_JOURNAL_SEGMENT_HEADER_LEN) {
		off = 0;
		why = "incomplete segment header";
	} else if (memcmp(hdr, SEGMENT_MAGIC, 8) != 0 || get_le64(hdr + 8) != first_seq) {
		off = 0;
		why = "bad segment header";
	} else if (r->expect && first_seq != r->expect && sg.size > RT_JOURNAL_SEGMENT_HEADER_LEN) {
		snprintf(whybuf, sizeof(whybuf), "starts at record %" PRIu64 ", expected %" PRIu64,
			 first_seq, r->expect);
		why = whybuf;
	}
	while (!why && off < sg.size) {
		struct rt_journal_record rec;
		enum rt_journal_decode_error e;
		size_t rsize;

		rc = journal_segment_record(&sg, off, &rec, &rsize, &e);
		if (rc) {
			rt_seterr(r->err, r->errlen, "%s/%s: offset %" PRIu64 ": %s", r->o->dir, name,
				  off, strerror(-rc));
			goto out;
		}
		if (e) {
			why = rt_journal_decode_strerror(e);
			break;
		}
		if (rec.seq > r->upto) {
			r->done = true;
			break;
		}
		if (r->expect ? rec.seq != r->expect : rec.seq != first_seq) {
			snprintf(whybuf, sizeof(whybuf), "record %" PRIu64 " where %" PRIu64
				 " was expected", rec.seq, r->expect ? r->expect : first_seq);
			why = whybuf;
			break;
		}
		if (rec.seq <= r->from_seq) {
			r->info->skipped++;
		} else {
			rc = r->fn ? r->fn(&rec, r->arg) : 0;
			if (rc) {
				rt_seterr(r->err, r->errlen, "%s/%s: offset %" PRIu64 ": record %" PRIu64
				       " could not be applied", r->o->dir, name, off, rec.seq);
				goto out;
			}
			r->info->replayed++;
		}
		r->expect = rec.seq + 1;
		r->info->last_seq = rec.seq;
		off += rsize;
	}
	*end = off;
	if (!why || (r->readonly && r->expect > r->upto)) {
		rc = 0;
		goto out;
	}
	if (r->readonly) {
		rt_seterr(r->err, r->errlen, "%s/%s: offset %" PRIu64 ": %s", r->o->dir, name, off,
			  why);
		rc = -EBADMSG;
		goto out;
	}
	if (last && !journal_segment_valid_after(&sg, off, r->expect ? r->expect - 1 : 0)) {
		/* A torn tail: cut at off. */
		r->info->corrupt = false;
	} else if (r->o->truncate_corrupt) {
		r->info->corrupt = true;
	} else {
		rt_seterr(r->err, r->errlen,
		       "%s/%s: offset %" PRIu64 ": %s; the journal is corrupt before its end (start "
		       "with --journal-recovery=truncate to drop everything from here on)",
		       r->o->dir, name, off, why);
		rc = -EBADMSG;
		goto out;
	}
	r->info->truncated = true;
	snprintf(r->info->truncated_file, sizeof(r->info->truncated_file), "%s/%s", r->o->dir,
		 name);
	r->info->truncated_offset = off;
	r->info->truncated_bytes = sg.size - off;
	rc = 1;
out:
	journal_segment_close(&sg);
	return rc;
}

static int list_segments(struct rt_journal *j, const char *dir, char *err, size_t errlen)
{
	int fd = dup(j->dirfd);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		rt_seterr(err, errlen, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	while ((de = readdir(d))) {
		uint64_t first;

		if (parse_segment_name(de->d_name, &first) && (rc = push_first(j, first)))
			break;
	}
	closedir(d);
	if (rc) {
		rt_seterr(err, errlen, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	if (j->nseg)
		qsort(j->firsts, j->nseg, sizeof(*j->firsts), cmp_u64);
	return 0;
}

/* Drop segments i.. (after a corrupt spot that truncate_corrupt allows to cut). */
static void drop_segments_from(struct rt_journal *j, unsigned i)
{
	char name[SEGMENT_NAME_LEN];

	for (unsigned k = i; k < j->nseg; k++) {
		segment_name(name, j->firsts[k]);
		unlinkat(j->dirfd, name, 0);
		j->dir_changes++;
	}
	j->nseg = i;
}

/*
 * After replay: continue the last segment if the next record belongs at
 * its end (end: its valid size), else start a new one. A last segment
 * left without a valid header, or empty under another number, goes.
 */
static int open_for_append(struct rt_journal *j, const struct replay *r, uint64_t end,
			   char *err, size_t errlen)
{
	char name[SEGMENT_NAME_LEN];
	uint64_t next = j->last_seq + 1;
	int fd;

	if (j->nseg) {
		uint64_t lastfirst = j->firsts[j->nseg - 1];
		bool has_records = end > RT_JOURNAL_SEGMENT_HEADER_LEN;

		segment_name(name, lastfirst);
		if (end >= RT_JOURNAL_SEGMENT_HEADER_LEN &&
		    (has_records ? r->expect == next : lastfirst == next)) {
			j->fd = openat(j->dirfd, name, O_WRONLY | O_CLOEXEC);
			if (j->fd < 0) {
				int e = errno;

				rt_seterr(err, errlen, "%s: %s", name, strerror(e));
				return -e;
			}
			j->size = end;
			return 0;
		}
		if (!has_records) {
			if (unlinkat(j->dirfd, name, 0) < 0 && errno != ENOENT) {
				int e = errno;

				rt_seterr(err, errlen, "%s: %s", name, strerror(e));
				return -e;
			}
			j->dir_changes++;
			j->nseg--;
		}
	}
	fd = segment_create(j, next);
	if (fd < 0) {
		rt_seterr(err, errlen, "creating a journal segment: %s", strerror(-fd));
		return fd;
	}
	j->fd = fd;
	if (push_first(j, next)) {
		rt_seterr(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	j->size = RT_JOURNAL_SEGMENT_HEADER_LEN;
	j->fd_dirty = true;
	return 0;
}

/*
 * Make the replayed segments i.. durable. What replay read may so far be
 * in the page cache only: the last process was killed before its sync and
 * the kernel kept its writes. Counting those records as synced without
 * this would let a later sync of the newest segment acknowledge a record
 * while an older, unsynced one could still be lost with the power: a gap
 * the next start refuses as corruption.
 */
static int sync_replayed(struct rt_journal *j, unsigned i, char *err, size_t errlen)
{
	char name[SEGMENT_NAME_LEN];

	for (; i < j->nseg; i++) {
		int fd, rc = 0;

		segment_name(name, j->firsts[i]);
		fd = openat(j->dirfd, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fdatasync(fd) < 0)
			rc = -errno;
		if (fd >= 0)
			close(fd);
		if (rc) {
			rt_seterr(err, errlen, "%s/%s: syncing what was replayed: %s", j->dir, name,
				  strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int rt_journal_open(const struct rt_journal_options *o, uint64_t from_seq,
		    rt_journal_replay_fn fn, void *arg, struct rt_journal **out,
		    struct rt_journal_open_info *info, char *err, size_t errlen)
{
	struct rt_journal_open_info scratch;
	struct rt_journal *j = calloc(1, sizeof(*j));
	struct replay r = { .o = o, .from_seq = from_seq, .upto = UINT64_MAX, .fn = fn,
			    .arg = arg, .err = err, .errlen = errlen };
	char name[SEGMENT_NAME_LEN];
	uint64_t end = 0;
	unsigned first = 0;
	int rc;

	*out = NULL;
	info = info ? info : &scratch;
	memset(info, 0, sizeof(*info));
	info->last_seq = from_seq;
	r.info = info;
	if (!j) {
		rt_seterr(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	r.j = j;
	pthread_mutex_init(&j->lock, NULL);
	pthread_mutex_init(&j->sync_lock, NULL);
	j->fd = j->dirfd = -1;
	j->segment_bytes = o->segment_bytes ? o->segment_bytes : RT_JOURNAL_DEFAULT_SEGMENT_BYTES;
	snprintf(j->dir, sizeof(j->dir), "%s", o->dir);
	j->dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0) {
		rc = -errno;
		rt_seterr(err, errlen, "%s: %s", o->dir, strerror(-rc));
		goto fail;
	}
	rc = list_segments(j, o->dir, err, errlen);
	if (rc)
		goto fail;
	/* Segments wholly at or before from_seq are the snapshot's; not read. */
	while (first + 1 < j->nseg && j->firsts[first + 1] <= from_seq + 1)
		first++;
	if (j->nseg && j->firsts[first] > from_seq + 1) {
		if (!o->truncate_corrupt) {
			segment_name(name, j->firsts[first]);
			rt_seterr(err, errlen, "%s/%s: records %" PRIu64 " to %" PRIu64
			       " are missing (the snapshot ends at %" PRIu64 "); start with "
			       "--journal-recovery=truncate to drop the journal", o->dir, name,
			       from_seq + 1, j->firsts[first] - 1, from_seq);
			rc = -EBADMSG;
			goto fail;
		}
		info->truncated = info->corrupt = true;
		segment_name(name, j->firsts[first]);
		snprintf(info->truncated_file, sizeof(info->truncated_file), "%s/%s", o->dir, name);
		drop_segments_from(j, first);
	}
	for (unsigned i = first; i < j->nseg; i++) {
		segment_name(name, j->firsts[i]);
		rc = replay_segment(&r, name, j->firsts[i], i + 1 == j->nseg, &end);
		if (rc < 0 || (rc > 0 && rc != 1))
			goto fail;
		if (rc == 1) {
			int fd = openat(j->dirfd, name, O_WRONLY | O_CLOEXEC);

			if (fd < 0 || ftruncate(fd, (off_t)end) < 0 || fsync(fd) < 0) {
				rc = -errno;
				rt_seterr(err, errlen, "%s/%s: cutting at offset %" PRIu64 ": %s", o->dir,
				       name, end, strerror(-rc));
				if (fd >= 0)
					close(fd);
				goto fail;
			}
			close(fd);
			drop_segments_from(j, i + 1);
			break;
		}
	}
	j->last_seq = info->last_seq > from_seq ? info->last_seq : from_seq;
	rc = sync_replayed(j, first, err, errlen);
	if (rc)
		goto fail;
	rc = open_for_append(j, &r, end, err, errlen);
	if (rc)
		goto fail;
	info->segments = j->nseg;
	/*
	 * synced_seq = last_seq only once all of it is durable: the replayed
	 * segments (above), a new or cut segment, and the directory, whose
	 * entries (segments created before a crash, or now) may not be yet.
	 */
	if (fdatasync(j->fd) < 0 || fsync(j->dirfd) < 0) {
		rc = -errno;
		rt_seterr(err, errlen, "%s: %s", o->dir, strerror(-rc));
		goto fail;
	}
	j->fd_dirty = false;
	j->dir_synced = j->dir_changes;
	j->synced_seq = j->last_seq;
	*out = j;
	return 0;
fail:
	rt_journal_close(j);
	return rc;
}

/* Appending */

static int seal_and_start(struct rt_journal *j, uint64_t first_seq)
{
	int fd;

	if (j->nsealed == j->capsealed) {
		unsigned cap = j->capsealed ? j->capsealed * 2 : 4;
		struct sealed *s = realloc(j->sealed, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		j->sealed = s;
		j->capsealed = cap;
	}
	fd = segment_create(j, first_seq);
	if (fd < 0)
		return fd;
	if (push_first(j, first_seq)) {
		close(fd);
		return -ENOMEM;
	}
	/*
	 * A segment with unsynced records, or one a sync may be syncing right
	 * now (it took fd without the lock), is closed only by a later sync.
	 */
	if (j->fd_dirty || j->sync_running) {
		j->sealed[j->nsealed++] = (struct sealed){ .fd = j->fd,
							   .first_seq = j->firsts[j->nseg - 2] };
	} else {
		close(j->fd);
	}
	j->fd = fd;
	j->size = RT_JOURNAL_SEGMENT_HEADER_LEN;
	j->fd_dirty = true;
	return 0;
}

/*
 * A record is written in pieces of at most APPEND_CHUNK_BYTES (header and
 * padding included), so appending a load of a million routes needs no
 * buffer of its size. A record that fits in one piece is one pwrite()
 * with its checksum in place; a larger one is written with a zero
 * checksum, which its last piece's pwrite() of the real one completes:
 * a crash in between leaves a record that fails its checksum, at the
 * end of the last segment, which the next open cuts as a torn tail.
 */
#define APPEND_CHUNK_BYTES ((size_t)1 << 20)

/* The piece buffer: small records keep using it, large ones share its cap. */
static int chunk_reserve(struct rt_journal *j, size_t size)
{
	size_t want = size < APPEND_CHUNK_BYTES ? size : APPEND_CHUNK_BYTES;
	uint8_t *b;

	if (want <= j->bufcap)
		return 0;
	b = realloc(j->buf, want);
	if (!b)
		return -ENOMEM;
	j->buf = b;
	j->bufcap = want;
	return 0;
}

/* Write the record (header at j->buf, filled so far) in pieces at the end of fd. */
static int write_pieces(struct rt_journal *j, uint32_t length, rt_journal_fill_fn fill,
			void *arg)
{
	size_t size = rt_journal_record_size(length), done = 0, pos = RT_JOURNAL_HEADER_LEN;
	size_t payload_left = length;
	/* The checksum covers the header but its own four bytes, then the payload. */
	uint32_t crc = rt_crc32c(rt_crc32c(0, j->buf, 4), j->buf + 8, RT_JOURNAL_HEADER_LEN - 8);
	int rc;

	while (done < size) {
		size_t piece = size - done < j->bufcap ? size - done : j->bufcap;
		size_t take = piece - pos < payload_left ? piece - pos : payload_left;

		if (take) {
			fill(j->buf + pos, take, arg);
			crc = rt_crc32c(crc, j->buf + pos, take);
			payload_left -= take;
		}
		/* Only the last piece has padding: payload_left reached 0 in it. */
		memset(j->buf + pos + take, 0, piece - pos - take);
		if (done + piece == size && !done)
			put_le32(j->buf + 4, crc);	/* one piece: all of it at once */
		rc = write_all(j->fd, j->buf, piece, j->size + done);
		if (rc)
			return rc;
		done += piece;
		pos = 0;
	}
	if (size > j->bufcap) {
		uint8_t crc_bytes[4];

		put_le32(crc_bytes, crc);
		return write_all(j->fd, crc_bytes, sizeof(crc_bytes), j->size + 4);
	}
	return 0;
}

int rt_journal_append_fill(struct rt_journal *j, uint16_t op, uint32_t length,
			   rt_journal_fill_fn fill, void *arg, uint64_t *seq)
{
	size_t size = rt_journal_record_size(length);
	int rc;

	if (op == 0 || length > RT_JOURNAL_MAX_PAYLOAD)
		return -EINVAL;
	pthread_mutex_lock(&j->lock);
	rc = j->error;
	if (rc)
		goto out;
	rc = chunk_reserve(j, size);
	if (rc)
		goto out;	/* not sticky: nothing was written */
	if (j->size > RT_JOURNAL_SEGMENT_HEADER_LEN && j->size + size > j->segment_bytes) {
		rc = seal_and_start(j, j->last_seq + 1);
		if (rc)
			goto fail;
	}
	rt_journal_encode(j->buf, j->last_seq + 1, op, NULL, 0);
	put_le32(j->buf, length);
	put_le32(j->buf + 4, 0);
	rc = write_pieces(j, length, fill, arg);
	if (rc) {
		/* Cut what may have been written, so the file stays valid. */
		if (ftruncate(j->fd, (off_t)j->size) < 0)
			rc = rc ? rc : -errno;
		goto fail;
	}
	j->size += size;
	j->last_seq++;
	j->fd_dirty = true;
	if (seq)
		*seq = j->last_seq;
	goto out;
fail:
	j->error = rc;
out:
	pthread_mutex_unlock(&j->lock);
	return rc;
}

struct flat_payload {
	const uint8_t *next;
};

static void fill_flat(uint8_t *buf, size_t len, void *arg)
{
	struct flat_payload *f = arg;

	memcpy(buf, f->next, len);
	f->next += len;
}

int rt_journal_append(struct rt_journal *j, uint16_t op, const void *payload, uint32_t length,
		      uint64_t *seq)
{
	struct flat_payload f = { .next = payload };

	return rt_journal_append_fill(j, op, length, fill_flat, &f, seq);
}

int rt_journal_sync(struct rt_journal *j)
{
	struct sealed *todo = NULL;
	unsigned ntodo = 0;
	uint64_t target, dir_target;
	bool sync_current, sync_dir;
	int fd, rc = 0;

	pthread_mutex_lock(&j->sync_lock);
	pthread_mutex_lock(&j->lock);
	rc = j->error;
	target = j->last_seq;
	dir_target = j->dir_changes;
	sync_dir = j->dir_changes != j->dir_synced;
	sync_current = j->fd_dirty;
	j->fd_dirty = false;
	fd = j->fd;
	j->sync_running = true;
	if (!rc && j->nsealed) {
		todo = malloc(j->nsealed * sizeof(*todo));
		if (!todo) {
			rc = -ENOMEM;
		} else {
			ntodo = j->nsealed;
			memcpy(todo, j->sealed, ntodo * sizeof(*todo));
		}
	}
	if (rc && sync_current)
		j->fd_dirty = true;
	if (rc)
		j->sync_running = false;
	pthread_mutex_unlock(&j->lock);
	if (rc)
		goto out;
	/*
	 * Without the lock: the appender may write on fd meanwhile (what it
	 * writes is not counted as synced) or seal it (sealed descriptors are
	 * closed only here, so fd stays valid).
	 */
	for (unsigned i = 0; i < ntodo && !rc; i++)
		if (fdatasync(todo[i].fd) < 0)
			rc = -errno;
	if (!rc && sync_current && fdatasync(fd) < 0)
		rc = -errno;
	if (!rc && sync_dir && fsync(j->dirfd) < 0)
		rc = -errno;
	pthread_mutex_lock(&j->lock);
	j->sync_running = false;
	if (rc) {
		j->error = j->error ? j->error : rc;
	} else {
		if (target > j->synced_seq)
			j->synced_seq = target;
		if (dir_target > j->dir_synced)
			j->dir_synced = dir_target;
		/* The sealed segments synced above are done with. */
		for (unsigned i = 0; i < ntodo; i++)
			close(todo[i].fd);
		if (ntodo) {
			memmove(j->sealed, j->sealed + ntodo,
				(j->nsealed - ntodo) * sizeof(*j->sealed));
			j->nsealed -= ntodo;
		}
	}
	pthread_mutex_unlock(&j->lock);
out:
	free(todo);
	pthread_mutex_unlock(&j->sync_lock);
	return rc;
}

int rt_journal_read(struct rt_journal *j, uint64_t from_seq, uint64_t upto,
		    rt_journal_replay_fn fn, void *arg, char *err, size_t errlen)
{
	struct rt_journal_open_info info = { 0 };
	struct rt_journal_options o = { .dir = j->dir };
	struct replay r = { .j = j, .o = &o, .from_seq = from_seq, .upto = upto, .readonly = true,
			    .fn = fn, .arg = arg, .info = &info, .err = err, .errlen = errlen };
	char name[SEGMENT_NAME_LEN];
	uint64_t *firsts, end;
	unsigned n, first = 0;
	int rc = 0;

	pthread_mutex_lock(&j->lock);
	n = j->nseg;
	firsts = malloc((n ? n : 1) * sizeof(*firsts));
	if (firsts && n)
		memcpy(firsts, j->firsts, n * sizeof(*firsts));
	pthread_mutex_unlock(&j->lock);
	if (!firsts) {
		rt_seterr(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	while (first + 1 < n && firsts[first + 1] <= from_seq + 1)
		first++;
	if (n && firsts[first] > from_seq + 1 && from_seq < upto) {
		segment_name(name, firsts[first]);
		rt_seterr(err, errlen, "%s/%s: records %" PRIu64 " to %" PRIu64 " are missing", j->dir,
		       name, from_seq + 1, firsts[first] - 1);
		rc = -EBADMSG;
	}
	for (unsigned i = first; i < n && !rc && !r.done; i++) {
		segment_name(name, firsts[i]);
		rc = replay_segment(&r, name, firsts[i], i + 1 == n, &end);
	}
	if (!rc && from_seq < upto && info.last_seq < upto) {
		rt_seterr(err, errlen, "%s: the journal ends at record %" PRIu64 ", before %" PRIu64,
		       j->dir, info.last_seq, upto);
		rc = -EBADMSG;
	}
	free(firsts);
	return rc;
}

uint64_t rt_journal_last_seq(struct rt_journal *j)
{
	uint64_t v;

	pthread_mutex_lock(&j->lock);
	v = j->last_seq;
	pthread_mutex_unlock(&j->lock);
	return v;
}

uint64_t rt_journal_synced_seq(struct rt_journal *j)
{
	uint64_t v;

	pthread_mutex_lock(&j->lock);
	v = j->synced_seq;
	pthread_mutex_unlock(&j->lock);
	return v;
}

int rt_journal_error(struct rt_journal *j)
{
	int v;

	pthread_mutex_lock(&j->lock);
	v = j->error;
	pthread_mutex_unlock(&j->lock);
	return v;
}

int rt_journal_release(struct rt_journal *j, uint64_t upto)
{
	char name[SEGMENT_NAME_LEN];
	unsigned n = 0;
	int rc = 0;

	pthread_mutex_lock(&j->lock);
	/* Segment k holds firsts[k] .. firsts[k + 1] - 1; the last one always stays. */
	while (n + 1 < j->nseg && j->firsts[n + 1] - 1 <= upto) {
		bool still_sealed = false;

		for (unsigned i = 0; i < j->nsealed; i++)
			still_sealed |= j->sealed[i].first_seq == j->firsts[n];
		if (still_sealed)
			break;	/* not synced yet: a later release removes it */
		segment_name(name, j->firsts[n]);
		if (unlinkat(j->dirfd, name, 0) < 0 && errno != ENOENT) {
			rc = -errno;
			break;
		}
		j->dir_changes++;
		n++;
	}
	if (n) {
		memmove(j->firsts, j->firsts + n, (j->nseg - n) * sizeof(*j->firsts));
		j->nseg -= n;
	}
	pthread_mutex_unlock(&j->lock);
	return rc;
}

void rt_journal_close(struct rt_journal *j)
{
	if (!j)
		return;
	for (unsigned i = 0; i < j->nsealed; i++)
		close(j->sealed[i].fd);
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	pthread_mutex_destroy(&j->lock);
	pthread_mutex_destroy(&j->sync_lock);
	free(j->sealed);
	free(j->firsts);
	free(j->buf);
	free(j);
}
