/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plain, gzip and bzip2 input behind one read call (see instream.h).
 *
 * Compressed bytes pass through raw[]; the decompressor writes straight
 * into the caller's buffer. An error is sticky: it is returned once every
 * byte before it has been delivered, and again on every later call.
 */
#include "config.h"

#include <bzlib.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <routed/instream.h>

#include "bytes.h"

#define RAW_SIZE (64u << 10)
#define MSG_LEN 160

struct instream {
	FILE *f;
	enum instream_kind kind;
	uint64_t offset;		/* uncompressed bytes delivered */
	bool eof;			/* f has nothing more */
	bool at_boundary;		/* between two members: the data may end here */
	bool engine_live;		/* z or bz initialized */
	int error;			/* sticky -errno, 0 while fine */
	char message[MSG_LEN];
	union {
		z_stream z;
		bz_stream bz;
	};
	size_t raw_pos, raw_len;
	uint8_t raw[RAW_SIZE];
};

const char *instream_kind_name(enum instream_kind kind)
{
	switch (kind) {
	case INSTREAM_GZIP:
		return "gzip";
	case INSTREAM_BZIP2:
		return "bzip2";
	case INSTREAM_PLAIN:
		break;
	}
	return "plain";
}

__attribute__((format(printf, 3, 4)))
static int fail(struct instream *s, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->message, sizeof(s->message), fmt, ap);
	va_end(ap);
	s->error = rc;
	return rc;
}

/* More raw bytes when raw[] is used up: 0, or the (sticky) error. */
static int refill(struct instream *s)
{
	size_t got;

	if (s->raw_pos < s->raw_len || s->eof)
		return 0;
	s->raw_pos = 0;
	s->raw_len = 0;
	got = fread(s->raw, 1, sizeof(s->raw), s->f);
	if (got == 0) {
		if (ferror(s->f))
			return fail(s, -EIO, "read error: %s", strerror(errno ? errno : EIO));
		s->eof = true;
	}
	s->raw_len = got;
	return 0;
}

static bool raw_empty(const struct instream *s)
{
	return s->raw_pos == s->raw_len;
}

static int engine_start(struct instream *s)
{
	if (s->kind == INSTREAM_GZIP) {
		memset(&s->z, 0, sizeof(s->z));
		/* 15 + 16: a gzip wrapper (not zlib, not raw deflate). */
		if (inflateInit2(&s->z, 15 + 16) != Z_OK)
			return fail(s, -ENOMEM, "gzip: cannot start the decompressor");
	} else if (s->kind == INSTREAM_BZIP2) {
		memset(&s->bz, 0, sizeof(s->bz));
		if (BZ2_bzDecompressInit(&s->bz, 0, 0) != BZ_OK)
			return fail(s, -ENOMEM, "bzip2: cannot start the decompressor");
	}
	s->engine_live = s->kind != INSTREAM_PLAIN;
	return 0;
}

static void engine_stop(struct instream *s)
{
	if (!s->engine_live)
		return;
	if (s->kind == INSTREAM_GZIP)
		inflateEnd(&s->z);
	else
		BZ2_bzDecompressEnd(&s->bz);
	s->engine_live = false;
}

/*
 * One decompression step from raw[] into out: bytes written, or an error.
 * At a member's end the next member starts (concatenated streams).
 */
static ssize_t gzip_step(struct instream *s, uint8_t *out, size_t n)
{
	size_t in_before = s->raw_len - s->raw_pos;
	int rc;

	s->z.next_in = s->raw + s->raw_pos;
	s->z.avail_in = (uInt)in_before;
	s->z.next_out = out;
	s->z.avail_out = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	rc = inflate(&s->z, Z_NO_FLUSH);
	s->raw_pos += in_before - s->z.avail_in;
	if (in_before != s->z.avail_in)
		s->at_boundary = false;
	if (rc == Z_STREAM_END) {
		inflateReset(&s->z);
		s->at_boundary = true;
	} else if (rc == Z_MEM_ERROR) {
		return fail(s, -ENOMEM, "gzip: %s", strerror(ENOMEM));
	} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
		return fail(s, -EBADMSG, "gzip: corrupt data: %s", s->z.msg ? s->z.msg : "error");
	}
	return (ssize_t)((size_t)(s->z.next_out - out));
}

static ssize_t bzip2_step(struct instream *s, uint8_t *out, size_t n)
{
	size_t in_before = s->raw_len - s->raw_pos;
	int rc;

	s->bz.next_in = (char *)(s->raw + s->raw_pos);
	s->bz.avail_in = (unsigned)in_before;
	s->bz.next_out = (char *)out;
	s->bz.avail_out = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
	rc = BZ2_bzDecompress(&s->bz);
	s->raw_pos += in_before - s->bz.avail_in;
	if (in_before != s->bz.avail_in)
		s->at_boundary = false;
	if (rc == BZ_STREAM_END) {
		ssize_t done = (ssize_t)((size_t)((uint8_t *)s->bz.next_out - out));

		engine_stop(s);
		if (engine_start(s))
			return s->error;
		s->at_boundary = true;
		return done;
	}
	if (rc == BZ_MEM_ERROR)
		return fail(s, -ENOMEM, "bzip2: %s", strerror(ENOMEM));
	if (rc != BZ_OK)
		return fail(s, -EBADMSG, "bzip2: corrupt data (libbz2 error %d)", rc);
	return (ssize_t)((size_t)((uint8_t *)s->bz.next_out - out));
}

ssize_t instream_read(struct instream *s, void *buf, size_t n, char *err, size_t errlen)
{
	uint8_t *out = buf;
	size_t done = 0;
	ssize_t step;

	while (done < n && !s->error) {
		if (refill(s))
			break;
		if (raw_empty(s)) {
			/* The end of f: clean only between members. */
			if (s->kind != INSTREAM_PLAIN && !s->at_boundary)
				fail(s, -ENODATA, "%s: truncated: the compressed data ends early",
				     instream_kind_name(s->kind));
			break;
		}
		if (s->kind == INSTREAM_PLAIN) {
			size_t k = s->raw_len - s->raw_pos;

			if (k > n - done)
				k = n - done;
			memcpy(out + done, s->raw + s->raw_pos, k);
			s->raw_pos += k;
			step = (ssize_t)k;
		} else if (s->kind == INSTREAM_GZIP) {
			step = gzip_step(s, out + done, n - done);
		} else {
			step = bzip2_step(s, out + done, n - done);
		}
		if (step < 0)
			break;
		done += (size_t)step;
	}
	s->offset += done;
	if (done == 0 && s->error) {
		rt_seterr(err, errlen, "%s", s->message);
		return s->error;
	}
	return (ssize_t)done;
}

uint64_t instream_offset(const struct instream *s)
{
	return s->offset;
}

enum instream_kind instream_kind(const struct instream *s)
{
	return s->kind;
}

static enum instream_kind sniff(const uint8_t *p, size_t len)
{
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return INSTREAM_GZIP;
	/* "BZh" and a block size digit 1-9. */
	if (len >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9')
		return INSTREAM_BZIP2;
	return INSTREAM_PLAIN;
}

struct instream *instream_open(FILE *f, char *err, size_t errlen)
{
	struct instream *s = calloc(1, sizeof(*s));

	if (!s) {
		rt_seterr(err, errlen, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	s->f = f;
	if (refill(s))
		goto fail;
	s->kind = sniff(s->raw, s->raw_len);
	if (engine_start(s))
		goto fail;
	return s;
fail:
	rt_seterr(err, errlen, "%s", s->message);
	errno = -s->error;
	instream_close(s);
	return NULL;
}

void instream_close(struct instream *s)
{
	if (!s)
		return;
	engine_stop(s);
	free(s);
}
