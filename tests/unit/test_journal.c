/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal: CRC-32C vectors, the record codec and every refusal, and
 * opening real directories: replay across segments (synced before they
 * count as synced), release, torn tails cut, corruption refused (and
 * dropped when allowed), records larger than the appender's pieces, gaps, a snapshot newer than the journal, a sync
 * thread beside the appender; snapshots written, replaced, abandoned and
 * damaged.
 *
 * ROUTED_TEST_SEED sets the seed of the randomized parts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <urcu/uatomic.h>

#include <routed/crc32c.h>
#include <routed/journal.h>
#include <routed/snapshot.h>
#include "seed.h"

uint32_t rt_crc32c_portable(uint32_t crc, const void *buf, size_t len);

static unsigned long long seed;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* CRC-32C */

static void test_crc32c_vectors(void **state)
{
	uint8_t buf[32];

	(void)state;
	assert_int_equal(rt_crc32c(0, "123456789", 9), 0xe3069283u);
	/* RFC 3720, B.4 */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(rt_crc32c(0, buf, 32), 0x8a9136aau);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(rt_crc32c(0, buf, 32), 0x62a8ab43u);
	for (unsigned i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(rt_crc32c(0, buf, 32), 0x46dd794eu);
	/* Continuation: two calls equal one. */
	assert_int_equal(rt_crc32c(rt_crc32c(0, buf, 13), buf + 13, 19), 0x46dd794eu);
}

static void test_crc32c_paths_agree(void **state)
{
	uint64_t s = seed;
	uint8_t buf[300];

	(void)state;
	for (unsigned round = 0; round < 2000; round++) {
		size_t off = splitmix(&s) % 8, len = splitmix(&s) % (sizeof(buf) - 8);

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)splitmix(&s);
		assert_int_equal(rt_crc32c(7, buf + off, len), rt_crc32c_portable(7, buf + off, len));
	}
}

/* Records */

static void test_record_round_trip(void **state)
{
	uint8_t buf[256], payload[200];
	struct rt_journal_record rec;
	size_t size;

	(void)state;
	for (uint32_t len = 0; len < sizeof(payload); len++) {
		for (uint32_t i = 0; i < len; i++)
			payload[i] = (uint8_t)(i * 7 + len);
		assert_true(rt_journal_record_size(len) % 8 == 0);
		assert_true(rt_journal_record_size(len) >= RT_JOURNAL_HEADER_LEN + len);
		assert_true(rt_journal_record_size(len) < RT_JOURNAL_HEADER_LEN + len + 8);
		rt_journal_encode(buf, 1000 + len, 3, payload, len);
		assert_int_equal(rt_journal_decode(buf, rt_journal_record_size(len), &rec, &size),
				 RT_JOURNAL_OK);
		assert_int_equal(size, rt_journal_record_size(len));
		assert_int_equal(rec.seq, 1000 + len);
		assert_int_equal(rec.op, 3);
		assert_int_equal(rec.length, len);
		assert_memory_equal(rec.payload, payload, len);
		/* Any shorter buffer is incomplete. */
		assert_int_equal(rt_journal_decode(buf, size - 1, &rec, &size), RT_JOURNAL_E_SHORT);
	}
}

static void test_record_refusals(void **state)
{
	uint8_t good[64], buf[64];
	struct rt_journal_record rec;
	size_t size, n = rt_journal_record_size(13);

	(void)state;
	rt_journal_encode(good, 5, 2, "thirteen byte", 13);
	assert_int_equal(rt_journal_decode(good, 10, &rec, &size), RT_JOURNAL_E_SHORT);
	/* Every single-bit flip anywhere in the record is caught. */
	for (size_t i = 0; i < n; i++) {
		for (unsigned b = 0; b < 8; b++) {
			enum rt_journal_decode_error e;

			memcpy(buf, good, n);
			buf[i] ^= (uint8_t)(1u << b);
			e = rt_journal_decode(buf, n, &rec, &size);
			assert_int_not_equal(e, RT_JOURNAL_OK);
		}
	}
	/* Specific reasons. */
	memcpy(buf, good, n);
	buf[3] = 0x7f;		/* length far too large */
	assert_int_equal(rt_journal_decode(buf, n, &rec, &size), RT_JOURNAL_E_LENGTH);
	memcpy(buf, good, n);
	buf[18] = 0;		/* magic */
	assert_int_equal(rt_journal_decode(buf, n, &rec, &size), RT_JOURNAL_E_HEADER);
	memcpy(buf, good, n);
	buf[21] = 1;		/* reserved */
	assert_int_equal(rt_journal_decode(buf, n, &rec, &size), RT_JOURNAL_E_HEADER);
	memcpy(buf, good, n);
	buf[n - 1] = 1;		/* padding */
	assert_int_equal(rt_journal_decode(buf, n, &rec, &size), RT_JOURNAL_E_HEADER);
	memcpy(buf, good, n);
	buf[30] ^= 1;		/* payload */
	assert_int_equal(rt_journal_decode(buf, n, &rec, &size), RT_JOURNAL_E_CRC);
	rt_journal_encode(buf, 5, 0, NULL, 0);	/* op 0 is not a record */
	assert_int_equal(rt_journal_decode(buf, 24, &rec, &size), RT_JOURNAL_E_HEADER);
	memset(buf, 0, sizeof(buf));		/* zeros are never a record */
	assert_int_not_equal(rt_journal_decode(buf, sizeof(buf), &rec, &size), RT_JOURNAL_OK);
	for (int e = RT_JOURNAL_OK; e <= RT_JOURNAL_E_CRC; e++)
		assert_non_null(rt_journal_decode_strerror(e));
}

/* Directories */

struct dir_fixture {
	char path[64];
};

static int dir_setup(void **state)
{
	struct dir_fixture *f = calloc(1, sizeof(*f));

	strcpy(f->path, "/tmp/test_journal.XXXXXX");
	if (!mkdtemp(f->path))
		return -1;
	*state = f;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir_fixture *f = *state;
	DIR *d = opendir(f->path);
	struct dirent *de;
	char p[512];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->path, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->path);
	free(f);
	return 0;
}

/* What a replay saw. */
struct seen {
	uint64_t n;
	uint64_t first, last;
	bool in_order;
	unsigned bad_payload;
};

/* Payload of record seq: its length and bytes are functions of seq. */
static uint32_t payload_of(uint64_t seq, uint8_t *buf)
{
	uint32_t len = (uint32_t)(seq * 37 % 300);

	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq + i);
	return len;
}

static int check_record(const struct rt_journal_record *rec, void *arg)
{
	struct seen *s = arg;
	uint8_t want[512];
	uint32_t len = payload_of(rec->seq, want);

	if (!s->n)
		s->first = rec->seq;
	else if (rec->seq != s->last + 1)
		s->in_order = false;
	if (rec->op != 1 + rec->seq % 5 || rec->length != len || memcmp(rec->payload, want, len))
		s->bad_payload++;
	s->last = rec->seq;
	s->n++;
	return 0;
}

static struct rt_journal *open_dir(const char *dir, uint64_t from, uint64_t segbytes, bool trunc,
				   struct seen *s, struct rt_journal_open_info *info, int *rc,
				   char *err, size_t errlen)
{
	struct rt_journal_options o = { .dir = dir, .segment_bytes = segbytes,
					.truncate_corrupt = trunc };
	struct rt_journal *j = NULL;

	memset(s, 0, sizeof(*s));
	s->in_order = true;
	*rc = rt_journal_open(&o, from, check_record, s, &j, info, err, errlen);
	return j;
}

static void append_range(struct rt_journal *j, uint64_t from, uint64_t to)
{
	uint8_t buf[512];

	for (uint64_t seq = from; seq <= to; seq++) {
		uint64_t got = 0;
		uint32_t len = payload_of(seq, buf);

		assert_int_equal(rt_journal_append(j, (uint16_t)(1 + seq % 5), buf, len, &got), 0);
		assert_int_equal(got, seq);
	}
}

static unsigned count_segments(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	while (d && (de = readdir(d)))
		n += strncmp(de->d_name, "journal-", 8) == 0;
	if (d)
		closedir(d);
	return n;
}

static void segment_path(const char *dir, uint64_t first, char *buf, size_t len)
{
	snprintf(buf, len, "%s/journal-%016" PRIx64 ".log", dir, first);
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/*
 * The files synced while recording (the test links with
 * --wrap=fdatasync,--wrap=fsync): their paths, from /proc/self/fd.
 */
int __real_fdatasync(int fd);
int __real_fsync(int fd);
int __wrap_fdatasync(int fd);
int __wrap_fsync(int fd);

#define MAX_SYNCED 64
static pthread_mutex_t synced_lock = PTHREAD_MUTEX_INITIALIZER;
static bool recording_syncs;
static char synced_paths[MAX_SYNCED][256];
static unsigned n_synced;

static void note_sync(int fd)
{
	char link[64], path[256];
	ssize_t n;

	pthread_mutex_lock(&synced_lock);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if (recording_syncs && n_synced < MAX_SYNCED &&
	    (n = readlink(link, path, sizeof(path) - 1)) > 0) {
		path[n] = '\0';
		memcpy(synced_paths[n_synced++], path, (size_t)n + 1);
	}
	pthread_mutex_unlock(&synced_lock);
}

int __wrap_fdatasync(int fd)
{
	note_sync(fd);
	return __real_fdatasync(fd);
}

int __wrap_fsync(int fd)
{
	note_sync(fd);
	return __real_fsync(fd);
}

static void record_syncs(bool on)
{
	pthread_mutex_lock(&synced_lock);
	recording_syncs = on;
	if (on)
		n_synced = 0;
	pthread_mutex_unlock(&synced_lock);
}

static bool was_synced(const char *path)
{
	bool found = false;

	pthread_mutex_lock(&synced_lock);
	for (unsigned i = 0; i < n_synced && !found; i++)
		found = !strcmp(synced_paths[i], path);
	pthread_mutex_unlock(&synced_lock);
	return found;
}

static void test_replay_and_segments(void **state)
{
	struct dir_fixture *f = *state;
	struct rt_journal_open_info info;
	struct rt_journal *j;
	struct seen s;
	char err[512];
	int rc;

	j = open_dir(f->path, 0, 4096, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(rt_journal_last_seq(j), 0);
	append_range(j, 1, 500);
	assert_int_equal(rt_journal_sync(j), 0);
	assert_int_equal(rt_journal_synced_seq(j), 500);
	rt_journal_close(j);
	assert_true(count_segments(f->path) > 5);

	j = open_dir(f->path, 0, 4096, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 500);
	assert_true(s.in_order);
	assert_int_equal(s.first, 1);
	assert_int_equal(s.bad_payload, 0);
	assert_false(info.truncated);
	assert_int_equal(info.last_seq, 500);
	/* Appending continues the numbering. */
	append_range(j, 501, 520);
	assert_int_equal(rt_journal_sync(j), 0);
	/* A snapshot up to 300: the segments wholly before it go. */
	unsigned before = count_segments(f->path);

	assert_int_equal(rt_journal_release(j, 300), 0);
	assert_true(count_segments(f->path) < before);
	/* Reading a range again (compaction), while the journal is open. */
	memset(&s, 0, sizeof(s));
	s.in_order = true;
	assert_int_equal(rt_journal_read(j, 300, 400, check_record, &s, err, sizeof(err)), 0);
	assert_int_equal(s.first, 301);
	assert_int_equal(s.last, 400);
	assert_int_equal(s.n, 100);
	assert_true(s.in_order);
	assert_int_equal(s.bad_payload, 0);
	assert_int_equal(rt_journal_read(j, 0, 10, check_record, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "missing"));
	assert_int_equal(rt_journal_read(j, 500, 600, check_record, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "ends at record 520"));
	rt_journal_close(j);

	/* Replay from 300 (the snapshot): records 301..520, nothing older missing. */
	j = open_dir(f->path, 300, 4096, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.first, 301);
	assert_int_equal(s.last, 520);
	assert_int_equal(s.n, 220);
	assert_true(s.in_order);
	rt_journal_close(j);

	/* Replay from 0 now: records 1..(first kept - 1) are gone: refused. */
	j = open_dir(f->path, 0, 4096, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, -EBADMSG);
	assert_null(j);
	assert_non_null(strstr(err, "missing"));
}

/*
 * Records written but never synced (routed killed before its sync; the
 * page cache kept them) count as synced after a reopen only once the
 * reopen has synced every segment it replayed, and the directory that
 * names them.
 */
static void test_reopen_syncs_what_it_replays(void **state)
{
	struct dir_fixture *f = *state;
	struct rt_journal_open_info info;
	struct rt_journal *j;
	struct seen s;
	char err[512], path[512];
	DIR *d;
	struct dirent *de;
	unsigned segments = 0;
	int rc;

	j = open_dir(f->path, 0, 4096, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	append_range(j, 1, 100);
	rt_journal_close(j);
	assert_true(count_segments(f->path) >= 3);

	record_syncs(true);
	j = open_dir(f->path, 0, 4096, false, &s, &info, &rc, err, sizeof(err));
	record_syncs(false);
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 100);
	assert_int_equal(rt_journal_synced_seq(j), 100);
	d = opendir(f->path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "journal-", 8))
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->path, de->d_name);
		if (!was_synced(path))
			fail_msg("%s: replayed, counted as synced, never synced", path);
		segments++;
	}
	closedir(d);
	assert_true(segments >= 3);
	if (!was_synced(f->path))
		fail_msg("%s: the directory naming the segments was never synced", f->path);
	rt_journal_close(j);
}

static void reopen_append_close(const char *dir, uint64_t from_seq_expected_last,
				uint64_t append_seq)
{
	struct rt_journal_open_info info;
	struct rt_journal *j;
	struct seen s;
	char err[512];
	int rc;

	j = open_dir(dir, 0, 0, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.last, from_seq_expected_last);
	assert_true(s.in_order);
	assert_int_equal(s.bad_payload, 0);
	append_range(j, append_seq, append_seq);
	assert_int_equal(rt_journal_sync(j), 0);
	rt_journal_close(j);
}

static void test_torn_tail_is_cut(void **state)
{
	struct dir_fixture *f = *state;
	uint64_t s64 = seed ^ 0x7041, n = 40;
	struct rt_journal_open_info info;
	struct rt_journal *j;
	struct seen s;
	char err[512], path[256];
	uint8_t junk[100], payload[512];
	int rc, fd;

	j = open_dir(f->path, 0, 0, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	append_range(j, 1, n);
	assert_int_equal(rt_journal_sync(j), 0);
	rt_journal_close(j);
	segment_path(f->path, 1, path, sizeof(path));

	for (unsigned round = 0; round < 30; round++) {
		off_t size = file_size(path);
		unsigned kind = (unsigned)(splitmix(&s64) % 3);
		size_t extra = 1 + splitmix(&s64) % sizeof(junk);

		fd = open(path, O_WRONLY);
		assert_true(fd >= 0);
		if (kind == 0) {
			/* A crash in the middle of the last append. */
			assert_int_equal(ftruncate(fd, size - 1 - (off_t)(splitmix(&s64) % 20)), 0);
		} else {
			/* Zeros (a preallocated block) or garbage after the last record. */
			for (size_t i = 0; i < sizeof(junk); i++)
				junk[i] = kind == 1 ? 0 : (uint8_t)splitmix(&s64);
			assert_int_equal(pwrite(fd, junk, extra, size), (ssize_t)extra);
		}
		close(fd);
		j = open_dir(f->path, 0, 0, false, &s, &info, &rc, err, sizeof(err));
		assert_int_equal(rc, 0);
		assert_true(info.truncated);
		assert_false(info.corrupt);
		assert_int_equal(s.last, kind == 0 ? n - 1 : n);
		assert_true(s.in_order);
		assert_int_equal(s.bad_payload, 0);
		if (kind)
			assert_int_equal(file_size(path), size);
		rt_journal_close(j);
		if (kind == 0)
			n--;
		/* The journal goes on where the valid part ends. */
		reopen_append_close(f->path, n, n + 1);
		n++;
	}
	/* A new segment whose header never made it to disk. */
	segment_path(f->path, n + 1, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "route", 5), 5);
	close(fd);
	reopen_append_close(f->path, n, n + 1);
	n++;
	assert_int_equal(file_size(path), RT_JOURNAL_SEGMENT_HEADER_LEN + rt_journal_record_size(
		payload_of(n, payload)));
	j = open_dir(f->path, 0, 0, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_false(info.truncated);
	assert_int_equal(s.n, n);
	rt_journal_close(j);
}

/* Where record seq starts in a single-segment journal starting at 1. */
static off_t record_offset(uint64_t seq)
{
	uint8_t buf[512];
	off_t off = RT_JOURNAL_SEGMENT_HEADER_LEN;

	for (uint64_t k = 1; k < seq; k++)
		off += (off_t)rt_journal_record_size(payload_of(k, buf));
	return off;
}

static void flip_byte(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	uint8_t b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= 0x20;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

/* A payload of BIG_LEN bytes from a seeded stream, handed out in the pieces asked for. */
#define BIG_LEN ((3u << 20) + 13)
#define PIECE_MAX ((size_t)1 << 20)

struct big_fill {
	uint64_t s;
	size_t given, calls, largest;
};

static uint8_t big_byte(uint64_t seed64, size_t i)
{
	uint64_t z = seed64 + i * 0x9e3779b97f4a7c15ull;

	return (uint8_t)((z ^ (z >> 29)) * 0xbf58476d1ce4e5b9ull >> 56);
}

static void fill_big(uint8_t *buf, size_t len, void *arg)
{
	struct big_fill *f = arg;

	for (size_t i = 0; i < len; i++)
		buf[i] = big_byte(f->s, f->given + i);
	f->given += len;
	f->calls++;
	f->largest = len > f->largest ? len : f->largest;
}

struct big_seen {
	uint64_t s, n, last;
	bool big_ok;
};

static int check_big(const struct rt_journal_record *rec, void *arg)
{
	struct big_seen *b = arg;

	b->n++;
	b->last = rec->seq;
	if (rec->seq == 2) {
		uint8_t piece[4096];

		/* Too large to be read whole: it stays in the file. */
		b->big_ok = rec->op == 4 && rec->length == BIG_LEN && !rec->payload;
		for (size_t at = 0; b->big_ok && at < BIG_LEN; at += sizeof(piece)) {
			size_t k = BIG_LEN - at < sizeof(piece) ? BIG_LEN - at : sizeof(piece);

			b->big_ok = !rt_journal_record_read(rec, at, piece, k);
			for (size_t i = 0; b->big_ok && i < k; i++)
				b->big_ok = piece[i] == big_byte(b->s, at + i);
		}
		b->big_ok = b->big_ok && rt_journal_record_read(rec, BIG_LEN - 1, piece, 2) == -EINVAL;
	}
	return 0;
}

/*
 * A record larger than the journal's 1 MiB pieces: written with no buffer
 * of its size, byte for byte what one rt_journal_encode() would write,
 * replayed whole; cut as a torn tail when the crash came before its
 * checksum or in the middle of its pieces.
 */
static void test_record_larger_than_a_piece(void **state)
{
	struct dir_fixture *f = *state;
	struct rt_journal_options o = { .dir = f->path };
	struct big_fill fill = { .s = seed ^ 0xb16 };
	struct big_seen seen = { .s = fill.s };
	struct rt_journal_open_info info;
	struct rt_journal *j;
	size_t size = rt_journal_record_size(BIG_LEN);
	uint8_t small[512], *flat = malloc(BIG_LEN), *want = malloc(size), *got = malloc(size);
	char err[512], path[256];
	off_t at = record_offset(2);
	uint64_t seq = 0;
	int fd;

	assert_non_null(flat);
	assert_non_null(want);
	assert_non_null(got);
	assert_int_equal(rt_journal_open(&o, 0, NULL, NULL, &j, &info, err, sizeof(err)), 0);
	assert_int_equal(rt_journal_append(j, 2, small, payload_of(1, small), NULL), 0);
	assert_int_equal(rt_journal_append_fill(j, 4, BIG_LEN, fill_big, &fill, &seq), 0);
	assert_int_equal(seq, 2);
	assert_int_equal(fill.given, BIG_LEN);
	assert_true(fill.calls >= BIG_LEN / PIECE_MAX);
	assert_true(fill.largest <= PIECE_MAX);
	assert_int_equal(rt_journal_sync(j), 0);
	rt_journal_close(j);

	for (size_t i = 0; i < BIG_LEN; i++)
		flat[i] = big_byte(fill.s, i);
	rt_journal_encode(want, 2, 4, flat, BIG_LEN);
	segment_path(f->path, 1, path, sizeof(path));
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, got, size, at), (ssize_t)size);
	assert_memory_equal(got, want, size);
	assert_int_equal(rt_journal_open(&o, 0, check_big, &seen, &j, &info, err, sizeof(err)), 0);
	assert_int_equal(seen.n, 2);
	assert_true(seen.big_ok);
	assert_false(info.truncated);
	append_range(j, 3, 3);
	rt_journal_close(j);
	/* A byte flipped in its middle, a valid record after it: corruption, refused. */
	flip_byte(path, at + (off_t)(BIG_LEN / 2));
	assert_int_equal(rt_journal_open(&o, 0, check_big, &seen, &j, &info, err, sizeof(err)),
			 -EBADMSG);
	assert_non_null(strstr(err, "checksum mismatch"));
	flip_byte(path, at + (off_t)(BIG_LEN / 2));
	assert_int_equal(ftruncate(fd, at + (off_t)size), 0);

	/* Every piece written, the checksum not yet: a torn tail. */
	assert_int_equal(pwrite(fd, "\0\0\0\0", 4, at + 4), 4);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(rt_journal_open(&o, 0, check_big, &seen, &j, &info, err, sizeof(err)), 0);
	assert_true(info.truncated);
	assert_false(info.corrupt);
	assert_int_equal(seen.last, 1);
	assert_int_equal(file_size(path), at);
	/* Written again, then cut in the middle of its pieces: torn too. */
	fill = (struct big_fill){ .s = fill.s };
	assert_int_equal(rt_journal_append_fill(j, 4, BIG_LEN, fill_big, &fill, NULL), 0);
	rt_journal_close(j);
	assert_int_equal(ftruncate(fd, at + (off_t)PIECE_MAX + 4096), 0);
	close(fd);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(rt_journal_open(&o, 0, check_big, &seen, &j, &info, err, sizeof(err)), 0);
	assert_true(info.truncated);
	assert_false(info.corrupt);
	assert_int_equal(seen.last, 1);
	rt_journal_close(j);
	free(flat);
	free(want);
	free(got);
}

static void test_corruption_refused(void **state)
{
	struct dir_fixture *f = *state;
	struct rt_journal_open_info info;
	struct rt_journal *j;
	struct seen s;
	char err[512], path[256], want[64];
	int rc;

	j = open_dir(f->path, 0, 0, false, &s, &info, &rc, err, sizeof(err));
	append_range(j, 1, 30);
	assert_int_equal(rt_journal_sync(j), 0);
	rt_journal_close(j);
	segment_path(f->path, 1, path, sizeof(path));
	flip_byte(path, record_offset(10) + 26);

	j = open_dir(f->path, 0, 0, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, -EBADMSG);
	assert_null(j);
	assert_non_null(strstr(err, "journal-0000000000000001.log"));
	snprintf(want, sizeof(want), "offset %lld:", (long long)record_offset(10));
	assert_non_null(strstr(err, want));
	/* Nothing was changed by the refusal. */
	assert_int_equal(file_size(path), record_offset(31));

	/* The override drops record 10 and everything after it. */
	j = open_dir(f->path, 0, 0, true, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.last, 9);
	assert_true(info.truncated);
	assert_true(info.corrupt);
	assert_int_equal(info.truncated_offset, record_offset(10));
	append_range(j, 10, 12);
	assert_int_equal(rt_journal_sync(j), 0);
	rt_journal_close(j);
	j = open_dir(f->path, 0, 0, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 12);
	assert_int_equal(s.bad_payload, 0);
	rt_journal_close(j);
}

static void test_corrupt_older_segment(void **state)
{
	struct dir_fixture *f = *state;
	struct rt_journal_open_info info;
	struct rt_journal *j;
	struct seen s;
	char err[512], path[256];
	int rc;

	j = open_dir(f->path, 0, 2048, false, &s, &info, &rc, err, sizeof(err));
	append_range(j, 1, 100);
	assert_int_equal(rt_journal_sync(j), 0);
	rt_journal_close(j);
	assert_true(count_segments(f->path) > 3);
	/* The first segment's last record: its tail would look torn, were it the last segment. */
	segment_path(f->path, 1, path, sizeof(path));
	assert_int_equal(truncate(path, file_size(path) - 3), 0);
	j = open_dir(f->path, 0, 2048, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, -EBADMSG);
	assert_non_null(strstr(err, "journal-0000000000000001.log"));
}

static void test_snapshot_newer_than_journal(void **state)
{
	struct dir_fixture *f = *state;
	struct rt_journal_open_info info;
	struct rt_journal *j;
	struct seen s;
	char err[512];
	int rc;

	j = open_dir(f->path, 0, 0, false, &s, &info, &rc, err, sizeof(err));
	append_range(j, 1, 10);
	assert_int_equal(rt_journal_sync(j), 0);
	rt_journal_close(j);
	/* The snapshot covers up to 50: nothing to replay, numbering goes on from 51. */
	j = open_dir(f->path, 50, 0, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(info.skipped, 10);
	assert_int_equal(rt_journal_last_seq(j), 50);
	append_range(j, 51, 53);
	assert_int_equal(rt_journal_sync(j), 0);
	assert_int_equal(rt_journal_release(j, 50), 0);
	rt_journal_close(j);
	assert_int_equal(count_segments(f->path), 1);
	j = open_dir(f->path, 50, 0, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.first, 51);
	assert_int_equal(s.last, 53);
	rt_journal_close(j);
}

struct race {
	struct rt_journal *j;
	uint64_t n;
	int done;
	int failures;
};

/* No cmocka assertions off the main thread: failures are counted instead. */
static void *appender(void *arg)
{
	struct race *r = arg;
	uint8_t buf[512];

	for (uint64_t seq = 1; seq <= r->n; seq++) {
		uint64_t got = 0;
		uint32_t len = payload_of(seq, buf);

		if (rt_journal_append(r->j, (uint16_t)(1 + seq % 5), buf, len, &got) || got != seq) {
			r->failures++;
			break;
		}
	}
	/* Only stops the syncing loop; pthread_join() orders the rest. */
	uatomic_set(&r->done, 1);
	return NULL;
}

static void test_sync_beside_appender(void **state)
{
	struct dir_fixture *f = *state;
	struct rt_journal_open_info info;
	struct race r = { .n = 20000 };
	struct seen s;
	uint64_t prev = 0;
	pthread_t t;
	char err[512];
	int rc;

	r.j = open_dir(f->path, 0, 65536, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(pthread_create(&t, NULL, appender, &r), 0);
	while (!uatomic_read(&r.done)) {
		uint64_t synced;

		assert_int_equal(rt_journal_sync(r.j), 0);
		synced = rt_journal_synced_seq(r.j);
		assert_true(synced >= prev);
		assert_true(synced <= rt_journal_last_seq(r.j));
		prev = synced;
	}
	pthread_join(t, NULL);
	assert_int_equal(r.failures, 0);
	assert_int_equal(rt_journal_error(r.j), 0);
	assert_int_equal(rt_journal_sync(r.j), 0);
	assert_int_equal(rt_journal_synced_seq(r.j), r.n);
	rt_journal_close(r.j);
	r.j = open_dir(f->path, 0, 65536, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, r.n);
	assert_true(s.in_order);
	assert_int_equal(s.bad_payload, 0);
	rt_journal_close(r.j);
}

static void test_bad_arguments(void **state)
{
	struct dir_fixture *f = *state;
	struct rt_journal_options o = { .dir = "/nonexistent/routed-journal" };
	struct rt_journal_open_info info;
	struct rt_journal *j = NULL;
	struct seen s;
	char err[512];
	int rc;

	assert_int_equal(rt_journal_open(&o, 0, NULL, NULL, &j, &info, err, sizeof(err)), -ENOENT);
	assert_null(j);
	assert_non_null(strstr(err, "/nonexistent/routed-journal"));
	j = open_dir(f->path, 0, 0, false, &s, &info, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(rt_journal_append(j, 0, "x", 1, NULL), -EINVAL);
	assert_int_equal(rt_journal_append(j, 1, NULL, RT_JOURNAL_MAX_PAYLOAD + 1, NULL), -EINVAL);
	/* Refusals are not errors of the journal. */
	assert_int_equal(rt_journal_error(j), 0);
	assert_int_equal(rt_journal_last_seq(j), 0);
	rt_journal_close(j);
	rt_journal_close(NULL);
}

/* Snapshots */

struct items {
	uint64_t n;
	unsigned bad;
	uint64_t stop_at;
};

static int check_item(uint16_t op, const void *payload, uint32_t length, void *arg)
{
	struct items *it = arg;
	uint8_t want[512];
	uint64_t k = ++it->n;
	uint32_t len = payload_of(k, want);

	if (op != 1 + k % 5 || length != len || memcmp(payload, want, len))
		it->bad++;
	return it->stop_at && k == it->stop_at ? 42 : 0;
}

static void write_snapshot(const char *dir, uint64_t seq, uint64_t n)
{
	struct rt_snapshot_writer *w;
	uint8_t buf[512];
	char err[512];

	assert_int_equal(rt_snapshot_begin(dir, seq, &w, err, sizeof(err)), 0);
	for (uint64_t k = 1; k <= n; k++) {
		uint32_t len = payload_of(k, buf);

		assert_int_equal(rt_snapshot_add(w, (uint16_t)(1 + k % 5), buf, len), 0);
	}
	assert_int_equal(rt_snapshot_add(w, 0, buf, 1), -EINVAL);
	assert_int_equal(rt_snapshot_add(w, RT_SNAPSHOT_OP_END, buf, 1), -EINVAL);
	assert_int_equal(rt_snapshot_commit(w, err, sizeof(err)), 0);
}

static unsigned count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	while (d && (de = readdir(d)))
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return n;
}

static void test_snapshots(void **state)
{
	struct dir_fixture *f = *state;
	struct rt_snapshot_info info;
	struct rt_snapshot_writer *w;
	struct items it = { 0 };
	char err[512], path[256], want[64];
	int fd;

	/* None yet: not an error. */
	assert_int_equal(rt_snapshot_load(f->path, check_item, &it, &info, err, sizeof(err)), 0);
	assert_int_equal(info.seq, 0);
	assert_int_equal(it.n, 0);

	write_snapshot(f->path, 10, 5000);
	assert_int_equal(rt_snapshot_load(f->path, check_item, &it, &info, err, sizeof(err)), 0);
	assert_int_equal(info.seq, 10);
	assert_int_equal(info.items, 5000);
	assert_int_equal(it.n, 5000);
	assert_int_equal(it.bad, 0);

	/* A newer one replaces it; an abandoned one (a crash) leaves no trace that counts. */
	write_snapshot(f->path, 20, 300);
	assert_int_equal(count_files(f->path, "snapshot-"), 1);
	assert_int_equal(rt_snapshot_begin(f->path, 30, &w, err, sizeof(err)), 0);
	assert_int_equal(rt_snapshot_add(w, 1, "x", 1), 0);
	rt_snapshot_abort(w);
	snprintf(path, sizeof(path), "%s/snapshot-0000000000000028.snap.tmp", f->path);
	fd = open(path, O_WRONLY | O_CREAT, 0600);	/* a crash mid-write */
	assert_true(fd >= 0);
	close(fd);
	memset(&it, 0, sizeof(it));
	assert_int_equal(rt_snapshot_load(f->path, check_item, &it, &info, err, sizeof(err)), 0);
	assert_int_equal(info.seq, 20);
	assert_int_equal(it.n, 300);
	write_snapshot(f->path, 40, 10);
	assert_int_equal(count_files(f->path, "snapshot-"), 1);	/* the .tmp went too */

	/* A callback's refusal stops loading. */
	memset(&it, 0, sizeof(it));
	it.stop_at = 3;
	assert_int_equal(rt_snapshot_load(f->path, check_item, &it, &info, err, sizeof(err)), 42);
	assert_int_equal(it.n, 3);

	/* A damaged newest snapshot is refused, never partly loaded. */
	snprintf(path, sizeof(path), "%s/snapshot-0000000000000028.snap", f->path);
	flip_byte(path, 16 + 26);
	memset(&it, 0, sizeof(it));
	assert_int_equal(rt_snapshot_load(f->path, check_item, &it, &info, err, sizeof(err)),
			 -EBADMSG);
	assert_int_equal(it.n, 0);
	snprintf(want, sizeof(want), "snapshot-0000000000000028.snap: offset 16:");
	assert_non_null(strstr(err, want));
	/* So is one without its end record. */
	write_snapshot(f->path, 50, 10);
	snprintf(path, sizeof(path), "%s/snapshot-0000000000000032.snap", f->path);
	assert_int_equal(truncate(path, file_size(path) - 40), 0);
	assert_int_equal(rt_snapshot_load(f->path, check_item, &it, &info, err, sizeof(err)),
			 -EBADMSG);
	assert_int_equal(it.n, 0);
	assert_int_equal(rt_snapshot_begin("/nonexistent/x", 1, &w, err, sizeof(err)), -ENOENT);
	assert_null(w);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_crc32c_vectors),
	cmocka_unit_test(test_crc32c_paths_agree),
	cmocka_unit_test(test_record_round_trip),
	cmocka_unit_test(test_record_refusals),
	cmocka_unit_test_setup_teardown(test_replay_and_segments, dir_setup, dir_teardown),
	cmocka_unit_test_setup_teardown(test_reopen_syncs_what_it_replays, dir_setup, dir_teardown),
	cmocka_unit_test_setup_teardown(test_torn_tail_is_cut, dir_setup, dir_teardown),
	cmocka_unit_test_setup_teardown(test_record_larger_than_a_piece, dir_setup, dir_teardown),
	cmocka_unit_test_setup_teardown(test_corruption_refused, dir_setup, dir_teardown),
	cmocka_unit_test_setup_teardown(test_corrupt_older_segment, dir_setup, dir_teardown),
	cmocka_unit_test_setup_teardown(test_snapshot_newer_than_journal, dir_setup, dir_teardown),
	cmocka_unit_test_setup_teardown(test_sync_beside_appender, dir_setup, dir_teardown),
	cmocka_unit_test_setup_teardown(test_bad_arguments, dir_setup, dir_teardown),
	cmocka_unit_test_setup_teardown(test_snapshots, dir_setup, dir_teardown),
};

int main(void)
{
	seed = seed_from_env();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
