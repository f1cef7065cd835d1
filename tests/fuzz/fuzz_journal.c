/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal record decoder (lib/journal.c) and the durable-state
 * payload decoder (lib/durable.c): the input is read as a run of journal
 * records, as a journal segment file would be; every record that decodes
 * is applied to a durable set as journal replay does.
 *
 * Invariants: a decoded record is 8-byte aligned in size, lies within the
 * input, and re-encodes to exactly its bytes; a record whose payload the
 * set accepts as routes re-encodes to the same payload (there is one
 * encoding of each route); a refused payload leaves the set as it was; a
 * payload read in windows (rt_durable_apply_read) is accepted or refused
 * as when read whole, with the same routes.
 */
#include <config.h>

#include <errno.h>

#include <routed/durable.h>
#include <routed/journal.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

struct memory {
	const uint8_t *data;
};

static int read_memory(void *arg, uint64_t off, void *buf, size_t len)
{
	const struct memory *m = arg;

	memcpy(buf, m->data + off, len);
	return 0;
}

/* Read in windows (as replay reads a large record), the payload gets the same answer. */
static void check_windowed(const struct rt_journal_record *rec)
{
	struct rt_durable *whole = rt_durable_create(), *read = rt_durable_create();
	struct memory m = { .data = rec->payload };
	char err[128];
	int a, b;

	FUZZ_CHECK(whole && read, "out of memory");
	a = rt_durable_apply(whole, rec->op, rec->payload, rec->length, err, sizeof(err));
	b = rt_durable_apply_read(read, rec->op, rec->length, read_memory, &m, err,
				  sizeof(err));
	FUZZ_CHECK(a == b && rt_durable_count(whole) == rt_durable_count(read),
		   "whole: %d, %zu routes; read in windows: %d, %zu routes", a,
		   rt_durable_count(whole), b, rt_durable_count(read));
	rt_durable_destroy(whole);
	rt_durable_destroy(read);
}

static void check_payload(struct rt_durable *set, const struct rt_journal_record *rec)
{
	struct rt_durable_buf b = { 0 };
	size_t before = rt_durable_count(set);
	char err[128];
	int rc = rt_durable_apply(set, rec->op, rec->payload, rec->length, err, sizeof(err));

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOMEM, "apply returned %d", rc);
	if (rc == -EBADMSG) {
		FUZZ_CHECK(rt_durable_count(set) == before, "a refused payload changed the set");
		FUZZ_CHECK(err[0], "a refusal without a message");
		return;
	}
	if (rc || rec->op != RT_DURABLE_OP_UPSERT)
		return;
	/* The routes just upserted are the last ones, or replaced in place: re-encode them
	 * from the payload's own count and compare with the payload. */
	if (rec->length >= 4) {
		uint32_t n = (uint32_t)rec->payload[0] | (uint32_t)rec->payload[1] << 8 |
			     (uint32_t)rec->payload[2] << 16 | (uint32_t)rec->payload[3] << 24;
		struct rt_durable *one = rt_durable_create();

		FUZZ_CHECK(one, "out of memory");
		FUZZ_CHECK(rt_durable_apply(one, rec->op, rec->payload, rec->length, err,
					    sizeof(err)) == 0, "a payload accepted once is refused: %s",
			   err);
		/* Duplicate keys collapse, so only a payload of distinct keys re-encodes whole. */
		if (rt_durable_count(one) == n) {
			FUZZ_CHECK(rt_durable_encode_routes(&b, rt_durable_routes(one), n) == 0,
				   "out of memory");
			FUZZ_CHECK(b.len == rec->length, "re-encoded %zu bytes, payload %u", b.len,
				   rec->length);
		}
		rt_durable_buf_free(&b);
		rt_durable_destroy(one);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_memdup(data, size);
	struct rt_durable *set = rt_durable_create();
	size_t off = 0;

	FUZZ_CHECK(set, "out of memory");
	while (off + RT_JOURNAL_HEADER_LEN <= size) {
		struct rt_journal_record rec;
		size_t rsize;
		enum rt_journal_decode_error e = rt_journal_decode(copy + off, size - off, &rec,
								  &rsize);
		uint8_t *again;

		FUZZ_CHECK(rt_journal_decode_strerror(e) != NULL, "no message for %d", e);
		if (e) {
			off += 8;	/* resynchronise as the tail check does */
			continue;
		}
		FUZZ_CHECK(rsize % 8 == 0 && rsize >= RT_JOURNAL_HEADER_LEN &&
				   rsize <= size - off && rsize == rt_journal_record_size(rec.length),
			   "record size %zu at %zu of %zu", rsize, off, size);
		FUZZ_CHECK(rec.payload == copy + off + RT_JOURNAL_HEADER_LEN, "payload misplaced");
		again = malloc(rsize);
		FUZZ_CHECK(again, "out of memory");
		rt_journal_encode(again, rec.seq, rec.op, rec.payload, rec.length);
		FUZZ_CHECK(memcmp(again, copy + off, rsize) == 0, "record at %zu re-encodes differently",
			   off);
		free(again);
		check_payload(set, &rec);
		check_windowed(&rec);
		off += rsize;
	}
	rt_durable_destroy(set);
	free(copy);
	return 0;
}
