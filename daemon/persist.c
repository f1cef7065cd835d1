/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Durable operator routes (see persist.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <routed/durable.h>
#include <routed/journal.h>
#include <routed/snapshot.h>

#include "routed_config.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "persist.h"

struct persist {
	struct routed *d;
	char dir[256];
	int policy;			/* enum config_fsync */
	unsigned delay_us;
	char persistent[CONFIG_MAX_PERSISTENT][RT_PROTO_LEN];
	unsigned n_persistent;
	struct rt_journal *j;
	struct rt_durable *recovered;	/* until persist_recovered_applied() */
	uint64_t snapshot_seq, replayed, recovered_routes;
	struct rt_durable_buf buf;
	int error;			/* first journal error, negative errno; 0: writable */
	char reason[512];
	/* The sync thread (batch policy). */
	pthread_t thread;
	bool thread_running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t want;			/* sync up to here (lock) */
	bool stop;			/* (lock) */
	int efd;			/* the sync thread's "done" to the control thread */
	struct event *ev;
	/* Told after each sync (persist_on_durable()). */
	void (*durable_fn)(void *arg);
	void *durable_arg;
	/* Compaction: a thread writes a snapshot of the journal so far. */
	uint64_t snapshot_bytes;	/* journal growth that triggers one */
	uint64_t since_snapshot;	/* journal bytes written since the last one */
	pthread_t compactor;
	bool compacting;		/* the thread exists (control thread's view) */
	int compact_state;		/* (lock) 0 running, 1 done, -errno failed */
	uint64_t compact_seq;		/* (lock) the record the snapshot covers */
	char compact_err[256];		/* (lock) */
	uint64_t snapshots;		/* written since start */
};

static void degrade(struct persist *p, int err, const char *what)
{
	if (p->error)
		return;
	p->error = err;
	snprintf(p->reason, sizeof(p->reason),
		 "the journal in %s failed (%s: %s): routed accepts no changes until it is "
		 "restarted; lookups go on", p->dir, what, strerror(-err));
	log_err("durability: %s", p->reason);
	notify_status("degraded: %s", p->reason);
}

bool persist_protocol(const struct persist *p, const char *proto)
{
	for (unsigned i = 0; i < p->n_persistent; i++)
		if (!strcmp(p->persistent[i], proto))
			return true;
	return false;
}

/* Recovery */

static int snapshot_item(uint16_t item, const void *payload, uint32_t length, void *arg)
{
	char err[128];
	int rc = rt_durable_apply_item(arg, item, payload, length, err, sizeof(err));

	if (rc)
		log_err("snapshot: %s", err);
	return rc;
}

struct record_reader {
	const struct rt_journal_record *rec;
};

static int read_record(void *arg, uint64_t off, void *buf, size_t len)
{
	const struct record_reader *rr = arg;

	return rt_journal_record_read(rr->rec, off, buf, len);
}

/*
 * A record into set: one over RT_JOURNAL_WHOLE_MAX bytes (a big load) is
 * read from its file a window at a time, so recovering or compacting
 * holds the set and a window, not the set and the whole record.
 */
static int apply_record(struct rt_durable *set, const struct rt_journal_record *rec, char *err,
			size_t errlen)
{
	struct record_reader rr = { .rec = rec };

	if (rec->payload)
		return rt_durable_apply(set, rec->op, rec->payload, rec->length, err, errlen);
	return rt_durable_apply_read(set, rec->op, rec->length, read_record, &rr, err, errlen);
}

static int journal_record(const struct rt_journal_record *rec, void *arg)
{
	struct persist *p = arg;
	char err[128];
	int rc = apply_record(p->recovered, rec, err, sizeof(err));

	if (rc)
		log_err("journal: record %" PRIu64 ": %s", rec->seq, err);
	p->since_snapshot += rt_journal_record_size(rec->length);
	return rc;
}

static void on_synced(evutil_socket_t fd, short what, void *arg);

struct persist *persist_open(struct routed *d, const struct routed_config *cfg,
			     bool truncate_corrupt, char *err, size_t errlen)
{
	struct persist *p = calloc(1, sizeof(*p));
	struct rt_snapshot_info snap;
	struct rt_journal_open_info info;
	struct rt_journal_options o = { .dir = cfg->state_dir, .segment_bytes = cfg->segment_bytes,
					.truncate_corrupt = truncate_corrupt };
	int rc;

	if (!p) {
		snprintf(err, errlen, "durability: %s", strerror(ENOMEM));
		return NULL;
	}
	p->d = d;
	p->efd = -1;
	snprintf(p->dir, sizeof(p->dir), "%s", cfg->state_dir);
	p->policy = cfg->fsync_policy;
	p->delay_us = cfg->batch_delay_us;
	p->snapshot_bytes = cfg->snapshot_bytes;
	p->n_persistent = cfg->n_persistent;
	memcpy(p->persistent, cfg->persistent, sizeof(p->persistent));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->recovered = rt_durable_create();
	if (!p->recovered) {
		snprintf(err, errlen, "durability: %s", strerror(ENOMEM));
		goto fail;
	}
	notify_status("recovering: reading the snapshot in %s", p->dir);
	rc = rt_snapshot_load(p->dir, snapshot_item, p->recovered, &snap, err, errlen);
	if (rc)
		goto fail;
	p->snapshot_seq = snap.seq;
	if (snap.seq)
		log_info("durability: snapshot %s: %" PRIu64 " items up to record %" PRIu64,
			 snap.file, snap.items, snap.seq);
	notify_status("recovering: replaying the journal in %s", p->dir);
	rc = rt_journal_open(&o, snap.seq, journal_record, p, &p->j, &info, err, errlen);
	if (rc)
		goto fail;
	p->replayed = info.replayed;
	if (info.truncated) {
		if (info.corrupt)
			log_err("durability: journal %s: corrupt from offset %" PRIu64
				" on: %" PRIu64 " bytes dropped (--journal-recovery=truncate)",
				info.truncated_file, info.truncated_offset, info.truncated_bytes);
		else
			log_warn("durability: journal %s: a torn tail of %" PRIu64
				 " bytes at offset %" PRIu64 " was cut (an append cut short)",
				 info.truncated_file, info.truncated_bytes, info.truncated_offset);
	}
	log_info("durability: journal: %" PRIu64 " records replayed in %u segments, last %" PRIu64
		 "; fsync %s", info.replayed, info.segments, info.last_seq,
		 p->policy == CONFIG_FSYNC_ALWAYS ? "always" :
		 p->policy == CONFIG_FSYNC_BATCH ? "batch" : "none");
	if (p->policy == CONFIG_FSYNC_BATCH) {
		p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		p->ev = p->efd >= 0 ? event_new(d->base, p->efd, EV_READ | EV_PERSIST, on_synced, p)
				    : NULL;
		if (!p->ev || event_add(p->ev, NULL)) {
			snprintf(err, errlen, "durability: sync thread: %s", strerror(errno));
			goto fail;
		}
	}
	return p;
fail:
	persist_close(p);
	return NULL;
}

const struct rt_durable *persist_recovered(const struct persist *p)
{
	return p->recovered;
}

void persist_recovered_applied(struct persist *p, uint64_t routes)
{
	p->recovered_routes = routes;
	log_info("durability: %" PRIu64 " routes recovered (snapshot %" PRIu64 ", %" PRIu64
		 " journal records)", routes, p->snapshot_seq, p->replayed);
	rt_durable_destroy(p->recovered);
	p->recovered = NULL;
}

/* Journaling */

static void compact_check(struct persist *p);

/* After an append of a record of len payload bytes that returned rc. */
static void appended(struct persist *p, int rc, size_t len)
{
	if (!rc) {
		p->since_snapshot += rt_journal_record_size((uint32_t)len);
		compact_check(p);
	} else if (!rt_journal_error(p->j)) {
		/* Nothing was written, but the change is applied: it cannot be kept. */
		degrade(p, rc, "recording a change");
	} else {
		degrade(p, rc, "write");
	}
}

static int append(struct persist *p, uint16_t op)
{
	int rc;

	if (p->error)
		return p->error;
	rc = rt_journal_append(p->j, op, p->buf.data, (uint32_t)p->buf.len, NULL);
	appended(p, rc, p->buf.len);
	return rc;
}

/*
 * The persistent routes of routes[0..n): *view points at them, routes
 * itself when all of them are (a load of a million routes is not copied
 * again), else a malloc'ed array in *copy (NULL when routes is used).
 */
static int persistent_only(struct persist *p, const struct rt_route *routes, size_t n,
			   const struct rt_route **view, struct rt_route **copy, size_t *kept)
{
	size_t i;

	*copy = NULL;
	*view = routes;
	*kept = n;
	for (i = 0; i < n && persist_protocol(p, routes[i].proto); i++)
		;
	if (i == n)
		return 0;
	*kept = 0;
	for (i = 0; i < n; i++) {
		if (!persist_protocol(p, routes[i].proto))
			continue;
		if (!*copy && !(*copy = malloc(n * sizeof(**copy))))
			return -ENOMEM;
		(*copy)[(*kept)++] = routes[i];
	}
	*view = *copy;
	return 0;
}

/*
 * After a large record the encoding buffer goes: an upsert or delete of
 * many routes grows it (80 bytes a route), which the next small change
 * does not need kept. Loads do not use it (persist_load()).
 */
#define BUF_KEEP_BYTES ((size_t)1 << 20)

static void buf_shrink(struct persist *p)
{
	if (p->buf.cap > BUF_KEEP_BYTES)
		rt_durable_buf_free(&p->buf);
}

static int journal_routes(struct persist *p, uint16_t op, const struct rt_route *routes, size_t n)
{
	const struct rt_route *keep;
	struct rt_route *copy;
	size_t kept;
	int rc;

	if (p->error)
		return p->error;
	rc = persistent_only(p, routes, n, &keep, &copy, &kept);
	if (!rc && kept)
		rc = rt_durable_encode_routes(&p->buf, keep, kept);
	if (!rc && kept)
		rc = append(p, op);
	else if (rc)
		degrade(p, rc, "recording a change");
	free(copy);
	buf_shrink(p);
	return rc;
}

int persist_upsert(struct persist *p, const struct rt_route *routes, size_t n)
{
	return journal_routes(p, RT_DURABLE_OP_UPSERT, routes, n);
}

int persist_delete(struct persist *p, const struct rt_route *keys, size_t n)
{
	return journal_routes(p, RT_DURABLE_OP_DELETE, keys, n);
}

int persist_flush(struct persist *p, uint32_t table, int family, const char *proto)
{
	int rc;

	if (p->error)
		return p->error;
	if (proto && *proto && !persist_protocol(p, proto))
		return 0;
	rc = rt_durable_encode_flush(&p->buf, table, family, proto);
	if (rc) {
		degrade(p, rc, "recording a change");
		return rc;
	}
	return append(p, RT_DURABLE_OP_FLUSH);
}

static bool keep_persistent(const struct rt_route *r, void *arg)
{
	return persist_protocol(arg, r->proto);
}

/*
 * A load's record is written in pieces straight from its routes (a whole
 * table is 80 MB encoded): neither an encoding buffer of its size nor a
 * copy of its persistent routes is made.
 */
int persist_load(struct persist *p, const uint32_t *replace_tables, size_t nt,
		 const struct rt_route *removals, size_t nr, const struct rt_route *routes,
		 size_t n)
{
	struct rt_durable_load_stream *st;
	size_t len;
	int rc;

	if (p->error)
		return p->error;
	st = rt_durable_load_stream_new(replace_tables, nt, removals, nr, routes, n,
					keep_persistent, p);
	if (!st) {
		rc = -errno;
		degrade(p, rc, "recording a change");
		return rc;
	}
	len = rt_durable_load_stream_len(st);
	rc = 0;
	if (!rt_durable_load_stream_empty(st)) {
		rc = len > RT_JOURNAL_MAX_PAYLOAD ? -E2BIG :
		     rt_journal_append_fill(p->j, RT_DURABLE_OP_LOAD, (uint32_t)len,
					    rt_durable_load_stream_fill, st, NULL);
		appended(p, rc, len);
	}
	rt_durable_load_stream_free(st);
	return rc;
}

int persist_table(struct persist *p, bool create, uint32_t id, const char *name)
{
	int rc;

	if (p->error)
		return p->error;
	rc = rt_durable_encode_table(&p->buf, id, create ? name : NULL);
	if (rc) {
		degrade(p, rc, "recording a change");
		return rc;
	}
	return append(p, create ? RT_DURABLE_OP_TABLE_CREATE : RT_DURABLE_OP_TABLE_DROP);
}

const char *persist_read_only_reason(const struct persist *p)
{
	return p->error ? p->reason : NULL;
}

/* Compaction */

static int compact_item(uint16_t item, const void *payload, uint32_t length, void *arg)
{
	char err[8];

	return rt_durable_apply_item(arg, item, payload, length, err, sizeof(err));
}

static int compact_record(const struct rt_journal_record *rec, void *arg)
{
	char err[8];

	return apply_record(arg, rec, err, sizeof(err));
}

/*
 * The snapshot thread: the newest snapshot and the journal records after
 * it, up to the last synced one, into a fresh set, written as the new
 * snapshot; then the journal segments it covers go. Reads only files and
 * the journal (which has its own lock): the tables are not touched.
 */
static void *compact_main(void *arg)
{
	struct persist *p = arg;
	struct rt_durable *set = rt_durable_create();
	struct rt_snapshot_info snap;
	char err[256] = "out of memory";
	uint64_t upto = 0;
	int rc = -ENOMEM;

	if (!set)
		goto out;
	err[0] = '\0';
	/* With fsync none nothing else syncs: the snapshot covers synced records only. */
	rc = rt_journal_sync(p->j);
	if (rc) {
		snprintf(err, sizeof(err), "syncing the journal: %s", strerror(-rc));
		goto out;
	}
	upto = rt_journal_synced_seq(p->j);
	rc = rt_snapshot_load(p->dir, compact_item, set, &snap, err, sizeof(err));
	if (!rc && upto > snap.seq)
		rc = rt_journal_read(p->j, snap.seq, upto, compact_record, set, err, sizeof(err));
	if (!rc && upto > snap.seq)
		rc = rt_durable_write_snapshot(set, p->dir, upto, err, sizeof(err));
	if (!rc)
		rc = rt_journal_release(p->j, upto);
	if (rc && rc != -EBADMSG && !err[0])
		snprintf(err, sizeof(err), "%s", strerror(-rc));
out:
	rt_durable_destroy(set);
	pthread_mutex_lock(&p->lock);
	p->compact_state = rc ? rc : 1;
	p->compact_seq = upto;
	snprintf(p->compact_err, sizeof(p->compact_err), "%s", err);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Collect a finished snapshot thread; start one when the journal has grown enough. */
static void compact_check(struct persist *p)
{
	int state;

	if (p->compacting) {
		pthread_mutex_lock(&p->lock);
		state = p->compact_state;
		pthread_mutex_unlock(&p->lock);
		if (!state)
			return;
		pthread_join(p->compactor, NULL);
		p->compacting = false;
		if (state == 1) {
			p->snapshots++;
			p->snapshot_seq = p->compact_seq;
			log_info("durability: snapshot up to record %" PRIu64 " written; older journal "
				 "segments removed", p->compact_seq);
		} else {
			log_warn("durability: snapshot failed: %s (the journal keeps everything; "
				 "retried after %" PRIu64 " more bytes)", p->compact_err,
				 p->snapshot_bytes);
		}
	}
	if (p->since_snapshot < p->snapshot_bytes || p->error)
		return;
	p->compact_state = 0;
	if (pthread_create(&p->compactor, NULL, compact_main, p)) {
		log_warn("durability: snapshot thread: %s", strerror(errno));
		return;
	}
	p->compacting = true;
	p->since_snapshot = 0;
}

/* Committing */

/*
 * The sync thread. Who waits for a record learns that it is durable only
 * from this thread's wake-up (the eventfd, on_synced()): persist_commit()
 * saw the record not yet synced, and nothing else tells the control
 * thread. So done is the durable sequence this thread has announced, not
 * the journal's synced_seq: the compactor's rt_journal_sync() advances
 * synced_seq too, without a wake-up. Were done read from synced_seq at
 * any point not followed by a wake-up (say at the start of the thread,
 * which persist_commit() creates lazily, possibly after a compaction
 * started by the same change has synced the record), a want at or below
 * it would be skipped and its answer held for ever. Every value of
 * done is therefore read after a sync and announced right after; it
 * starts at 0, so the first want always gets a round (a sync, cheap when
 * the compactor left nothing to do, and the wake-up).
 */
static void *sync_main(void *arg)
{
	struct persist *p = arg;
	uint64_t done = 0, one = 1;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->want <= done)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->want <= done)
			break;	/* stopping, nothing left */
		pthread_mutex_unlock(&p->lock);
		/* The bounded delay of group commit: records of other requests join. */
		if (p->delay_us) {
			struct timespec ts = { .tv_sec = p->delay_us / 1000000,
					       .tv_nsec = (long)(p->delay_us % 1000000) * 1000 };

			nanosleep(&ts, NULL);
		}
		if (rt_journal_sync(p->j))
			done = UINT64_MAX;	/* sticky: nothing more to sync */
		else
			done = rt_journal_synced_seq(p->j);
		/*
		 * Announce done. The write comes after synced_seq was read
		 * (under the journal's lock) and on_synced() reads synced_seq
		 * after draining the eventfd, so the control thread sees at
		 * least done; a wake-up already pending covers it too.
		 */
		if (write(p->efd, &one, sizeof(one)) < 0) {
			/* The counter cannot overflow in practice; the next wake-up carries it. */
		}
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int start_thread(struct persist *p)
{
	int rc;

	if (p->thread_running)
		return 0;
	rc = pthread_create(&p->thread, NULL, sync_main, p);
	if (rc)
		return -rc;
	p->thread_running = true;
	return 0;
}

int persist_commit(struct persist *p, uint64_t *wait_seq)
{
	uint64_t last = rt_journal_last_seq(p->j);
	int rc;

	*wait_seq = 0;
	if (p->error)
		return p->error;
	if (p->policy == CONFIG_FSYNC_NONE || last <= rt_journal_synced_seq(p->j))
		return 0;
	if (p->policy == CONFIG_FSYNC_ALWAYS) {
		rc = rt_journal_sync(p->j);
		if (rc)
			degrade(p, rc, "fsync");
		return rc;
	}
	rc = start_thread(p);
	if (rc) {
		/* No thread: sync inline rather than answer before durability. */
		rc = rt_journal_sync(p->j);
		if (rc)
			degrade(p, rc, "fsync");
		return rc;
	}
	/*
	 * want is raised under p->lock, which pairs with the sync thread's
	 * check of it: either the thread sees it before it waits, or the
	 * signal wakes it. The round it runs for want ends in a wake-up that
	 * on_synced() handles on this thread, so after the caller (in this
	 * same callback) has queued what waits for *wait_seq.
	 */
	pthread_mutex_lock(&p->lock);
	if (last > p->want) {
		p->want = last;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	*wait_seq = last;
	return 0;
}

uint64_t persist_durable_seq(const struct persist *p)
{
	return rt_journal_synced_seq(p->j);
}

void persist_on_durable(struct persist *p, void (*fn)(void *arg), void *arg)
{
	p->durable_fn = fn;
	p->durable_arg = fn ? arg : NULL;
}

/* A sync finished: a failure degrades routed, then the watcher learns either. */
static void synced(struct persist *p)
{
	int err = rt_journal_error(p->j);

	if (err && !p->error)
		degrade(p, err, "fsync");
	if (p->durable_fn)
		p->durable_fn(p->durable_arg);
}

static void on_synced(evutil_socket_t fd, short what, void *arg)
{
	struct persist *p = arg;
	uint64_t n;

	(void)what;
	while (read(fd, &n, sizeof(n)) == sizeof(n))
		;
	synced(p);
}

json_t *persist_info_json(struct persist *p)
{
	static const char *const policies[] = { "always", "batch", "none" };

	compact_check((struct persist *)p);
	return json_pack("{s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "fsync",
			 policies[p->policy], "state", p->error ? "degraded" : "ok", "error",
			 p->error ? p->reason : NULL, "state_dir", p->dir, "journal_seq",
			 (json_int_t)rt_journal_last_seq(p->j), "synced_seq",
			 (json_int_t)rt_journal_synced_seq(p->j), "snapshot_seq",
			 (json_int_t)p->snapshot_seq, "recovered_routes",
			 (json_int_t)p->recovered_routes, "snapshots", (json_int_t)p->snapshots,
			 "journal_bytes_since_snapshot", (json_int_t)p->since_snapshot);
}

void persist_close(struct persist *p)
{
	if (!p)
		return;
	if (p->thread_running) {
		pthread_mutex_lock(&p->lock);
		p->stop = true;
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
	}
	if (p->compacting)
		pthread_join(p->compactor, NULL);
	if (p->j && p->policy != CONFIG_FSYNC_NONE && !p->error)
		rt_journal_sync(p->j);
	/* The watcher hears of the last sync too. */
	if (p->j && p->durable_fn)
		synced(p);
	if (p->ev)
		event_free(p->ev);
	if (p->efd >= 0)
		close(p->efd);
	rt_journal_close(p->j);
	rt_durable_destroy(p->recovered);
	rt_durable_buf_free(&p->buf);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}
