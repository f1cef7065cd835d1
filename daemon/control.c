/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: listener, connections, line framing, limits,
 * fairness and graceful shutdown.
 *
 * Everything here runs on the control thread (d->base), so no locking.
 * The one hazard is re-entrancy: a handler, a drain hook or a close hook
 * may act on any connection, including its own. So nothing is ever freed
 * from inside such a call: conn_kill() only marks the connection and
 * activates its resume event, and the connection is freed from the loop.
 *
 * A connection goes OPEN -> (DRAINING) -> (CLOSING) -> DEAD:
 *   OPEN      reading and answering requests;
 *   DRAINING  no more input (peer EOF, shutdown, a line too long): answer
 *             the complete lines already buffered, and send the answers
 *             held for durability as they are released;
 *   CLOSING   nothing more to answer: flush the output, then close;
 *   DEAD      freed at the next turn of the loop (close hooks run then).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "routed_config.h"
#include "control.h"
#include "control_socket.h"
#include "daemon.h"
#include "log.h"
#include "persist.h"

/* Requests answered per connection per turn of the loop, so that one busy
 * client cannot starve the others. */
#define CONTROL_BATCH 64
/* How long accepting pauses when the process runs out of descriptors. */
#define CONTROL_ACCEPT_PAUSE_MS 100
#define CONTROL_SHUTDOWN_SECONDS 2
/* A closing connection whose peer stops reading is dropped after this. */
#define CONTROL_CLOSING_SECONDS 10

enum conn_state {
	CONN_OPEN,
	CONN_DRAINING,
	CONN_CLOSING,
	CONN_DEAD,
};

struct close_hook {
	control_conn_hook_fn fn;
	void *arg;
};

/* An answer waiting until the journal record it acknowledges is durable. */
struct held {
	struct held *next;
	json_t *msg;
	uint64_t seq;	/* 0: waits only for the answers before it */
};

struct control_conn {
	struct control *ctl;
	struct control_conn *prev, *next;
	struct bufferevent *bev;
	struct event *resume; /* continue reading later, or free */
	uint64_t id;
	struct control_peer peer;
	enum conn_state state;
	bool peer_eof; /* an unterminated last line is still a request */
	bool hooks_ran;
	unsigned busy;	/* handlers or hooks of ours on the stack */
	size_t scanned; /* leading input bytes known to hold no '\n' */
	struct close_hook *hooks;
	size_t n_hooks, hooks_alloc;
	control_conn_hook_fn drain_fn;
	void *drain_arg;
	struct held *held, **held_tail; /* oldest first */
};

struct control {
	struct routed *d;
	const struct control_ops *ops;
	struct evconnlistener *listener;
	struct event *accept_retry;   /* ends a pause after EMFILE */
	struct event *shutdown_timer; /* forces the stop */
	struct event *finished;	      /* calls done() from the loop */
	struct control_socket sock;
	/* Limits, copied from the config (which a reload frees). */
	unsigned max_connections;
	size_t max_line;
	size_t max_output;
	gid_t admin_gid;
	char admin_desc[96];
	/* State. */
	struct control_conn *conns, *conns_tail;
	unsigned n_conns;
	uint64_t next_conn_id;
	bool listening;	    /* listener enabled */
	bool accept_paused; /* after EMFILE/ENFILE */
	bool accept_error_logged;
	bool shutting_down;
	bool done_called;
	void (*done)(void *arg);
	void *done_arg;
	size_t n_held; /* answers held on all connections */
};

static void conn_free(struct control_conn *conn);
static void held_drop(struct control_conn *conn);

static void set_admin_desc(struct control *c, const struct routed_config *cfg)
{
	if (cfg->admin_gid == (gid_t)-1)
		snprintf(c->admin_desc, sizeof(c->admin_desc), "uid 0 or routed's uid (%u)",
			 (unsigned)geteuid());
	else
		snprintf(c->admin_desc, sizeof(c->admin_desc),
			 "uid 0, routed's uid (%u) or group %s", (unsigned)geteuid(),
			 cfg->admin_group[0] ? cfg->admin_group : "(configured)");
}

/* ---------------------------------------------------------------------- */
/* Listener */

/* Accept exactly when running, not paused and below the connection limit. */
static void listener_update(struct control *c)
{
	bool want = !c->shutting_down && !c->accept_paused && c->n_conns < c->max_connections;

	if (!c->listener || want == c->listening)
		return;
	if (want)
		evconnlistener_enable(c->listener);
	else
		evconnlistener_disable(c->listener);
	c->listening = want;
}

static void accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control *c = arg;

	c->accept_paused = false;
	listener_update(c);
}

static void accept_error_cb(struct evconnlistener *listener, void *arg)
{
	struct control *c = arg;
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval pause = {0, CONTROL_ACCEPT_PAUSE_MS * 1000};

	c->d->counters.control_rejected++;
	if (!c->accept_error_logged) {
		log_warn("control: accept on %s failed: %s; pausing new connections", c->sock.path,
			 strerror(err));
		c->accept_error_logged = true;
	}
	/* Out of descriptors or memory: the listener would stay readable and
	 * spin; stop accepting for a moment and let connections close. */
	c->accept_paused = true;
	listener_update(c);
	evtimer_add(c->accept_retry, &pause);
}

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void conn_resume_cb(evutil_socket_t fd, short what, void *arg);

static void conn_set_limits(struct control_conn *conn)
{
	const struct control *c = conn->ctl;

	/* Room for the longest line and its "\r\n": reading stops there, so
	 * input never holds more than that. */
	bufferevent_setwatermark(conn->bev, EV_READ, 0, c->max_line + 2);
	/* The write callback (drain hook) fires once output is down to a quarter of the cap. */
	bufferevent_setwatermark(conn->bev, EV_WRITE, c->max_output / 4, 0);
}

static void accept_cb(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *sa,
		      int socklen, void *arg)
{
	struct control *c = arg;
	struct control_conn *conn = NULL;
	struct control_peer peer;
	int rc;

	c->accept_error_logged = false;
	rc = control_peer_get(fd, c->admin_gid, &peer);
	if (rc) {
		log_warn("control: SO_PEERCRED: %s; dropping connection", strerror(-rc));
		goto fail;
	}
	conn = calloc(1, sizeof(*conn));
	if (!conn)
		goto oom;
	conn->ctl = c;
	conn->held_tail = &conn->held;
	conn->id = ++c->next_conn_id;
	conn->peer = peer;
	conn->resume = evtimer_new(c->d->base, conn_resume_cb, conn);
	if (!conn->resume)
		goto oom;
	conn->bev = bufferevent_socket_new(c->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!conn->bev)
		goto oom;
	fd = -1; /* the bufferevent owns it now */
	bufferevent_setcb(conn->bev, conn_read_cb, conn_write_cb, conn_event_cb, conn);
	conn_set_limits(conn);
	if (bufferevent_enable(conn->bev, EV_READ | EV_WRITE) < 0)
		goto oom;

	conn->prev = c->conns_tail;
	if (c->conns_tail)
		c->conns_tail->next = conn;
	else
		c->conns = conn;
	c->conns_tail = conn;
	c->n_conns++;
	c->d->counters.control_connections++;
	c->d->counters.control_connections_total++;
	log_debug("control: connection %llu: pid %d, uid %u, gid %u%s",
		  (unsigned long long)conn->id, (int)peer.pid, (unsigned)peer.uid,
		  (unsigned)peer.gid, peer.admin ? ", admin" : "");
	listener_update(c);
	return;
oom:
	log_err("control: out of memory accepting a connection");
fail:
	c->d->counters.control_rejected++;
	if (conn) {
		if (conn->bev)
			bufferevent_free(conn->bev);
		if (conn->resume)
			event_free(conn->resume);
		free(conn);
	}
	if (fd >= 0)
		close(fd);
}

/* ---------------------------------------------------------------------- */
/* Connections */

/* Close at the next turn of the loop; never frees here (see the top). */
static void conn_kill(struct control_conn *conn)
{
	if (conn->state == CONN_DEAD)
		return;
	conn->state = CONN_DEAD;
	bufferevent_disable(conn->bev, EV_READ | EV_WRITE);
	event_active(conn->resume, EV_TIMEOUT, 1);
}

/* Process the rest of the input at a later turn, after other clients. */
static void conn_reschedule(struct control_conn *conn)
{
	/* A zero timeout, unlike event_active(), runs only after the loop has
	 * polled again, so every other ready connection gets its turn first. */
	static const struct timeval now = {0, 0};

	evtimer_add(conn->resume, &now);
}

/*
 * Nothing left to answer: flush the output, then close.
 *
 * Answers still held for durability are owed to the peer, and CLOSING
 * refuses output: until conn_release() has sent them, the connection waits
 * in DRAINING, reading nothing, and conn_release() brings it back here.
 */
static void conn_start_closing(struct control_conn *conn)
{
	static const struct timeval limit = {CONTROL_CLOSING_SECONDS, 0};

	if (conn->state == CONN_DEAD || conn->state == CONN_CLOSING)
		return;
	bufferevent_disable(conn->bev, EV_READ);
	if (conn->held) {
		conn->state = CONN_DRAINING;
		return;
	}
	conn->state = CONN_CLOSING;
	if (evbuffer_get_length(bufferevent_get_output(conn->bev)) == 0) {
		conn_kill(conn);
		return;
	}
	/* The write callback closes once the output is empty; a peer that
	 * stops reading now is not waited for forever. */
	bufferevent_set_timeouts(conn->bev, NULL, &limit);
}

static void conn_dispatch(struct control_conn *conn, const char *line, size_t len)
{
	conn->busy++;
	conn->ctl->ops->line(conn, line, len);
	conn->busy--;
}

static void conn_line_too_long(struct control_conn *conn)
{
	struct evbuffer *in = bufferevent_get_input(conn->bev);

	log_info("control: connection %llu (pid %d, uid %u): line longer than %zu bytes; closing",
		 (unsigned long long)conn->id, (int)conn->peer.pid, (unsigned)conn->peer.uid,
		 conn->ctl->max_line);
	conn->busy++;
	conn->ctl->ops->line_too_long(conn, conn->ctl->max_line);
	conn->busy--;
	evbuffer_drain(in, evbuffer_get_length(in));
	conn->scanned = 0;
	conn_start_closing(conn);
}

/*
 * Answer the complete lines in the input buffer, in order, at most
 * CONTROL_BATCH of them now.
 */
static void conn_process_input(struct control_conn *conn)
{
	struct evbuffer *in = bufferevent_get_input(conn->bev);
	size_t max_line = conn->ctl->max_line;
	unsigned lines = 0;

	while (conn->state == CONN_OPEN || conn->state == CONN_DRAINING) {
		size_t avail = evbuffer_get_length(in);
		struct evbuffer_ptr eol = {.pos = -1};
		size_t len, content;
		const char *line;

		if (avail == 0)
			break;
		if (lines == CONTROL_BATCH) {
			conn_reschedule(conn);
			return;
		}
		/* Search only the bytes not searched before: a long line
		 * arriving in many reads is scanned once. */
		if (conn->scanned < avail) {
			struct evbuffer_ptr start;

			evbuffer_ptr_set(in, &start, conn->scanned, EVBUFFER_PTR_SET);
			eol = evbuffer_search(in, "\n", 1, &start);
		}
		if (eol.pos < 0) {
			conn->scanned = avail;
			/* One byte of slack for the '\r' of a "\r\n" still on its way. */
			if (avail > max_line + 1) {
				conn_line_too_long(conn);
				return;
			}
			if (!conn->peer_eof)
				break;
			/* The peer is gone: its last, unterminated line still counts. */
			eol.pos = avail;
		}
		len = (size_t)eol.pos;
		line = (const char *)evbuffer_pullup(in, len < avail ? len + 1 : len);
		content = len;
		if (content > 0 && line[content - 1] == '\r')
			content--;
		if (content > max_line) {
			conn_line_too_long(conn);
			return;
		}
		lines++;
		if (content > 0)
			conn_dispatch(conn, line, content);
		/* The connection may be dead now; its buffers stay valid until
		 * the loop frees it. */
		evbuffer_drain(in, len < avail ? len + 1 : len);
		conn->scanned = 0;
	}
	if (conn->state == CONN_DRAINING) {
		/* Whatever is left is a partial line nobody will finish. */
		evbuffer_drain(in, evbuffer_get_length(in));
		conn_start_closing(conn);
	}
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
	conn_process_input(arg);
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct control_conn *conn = arg;
	size_t pending = evbuffer_get_length(bufferevent_get_output(bev));

	if (conn->state == CONN_CLOSING) {
		if (pending == 0)
			conn_kill(conn);
		return;
	}
	/* Called only at or below the low watermark, a quarter of the cap. */
	if ((conn->state == CONN_OPEN || conn->state == CONN_DRAINING) && conn->drain_fn) {
		conn->busy++;
		conn->drain_fn(conn, conn->drain_arg);
		conn->busy--;
	}
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct control_conn *conn = arg;

	if (what & BEV_EVENT_EOF) {
		/* The peer will send nothing more but may still read: answer
		 * what it sent. */
		conn->peer_eof = true;
		if (conn->state == CONN_OPEN)
			conn->state = CONN_DRAINING;
		conn_process_input(conn);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_info("control: connection %llu (pid %d, uid %u): peer stopped reading; closing",
			 (unsigned long long)conn->id, (int)conn->peer.pid,
			 (unsigned)conn->peer.uid);
	else
		log_debug("control: connection %llu: %s", (unsigned long long)conn->id,
			  strerror(EVUTIL_SOCKET_ERROR()));
	conn_kill(conn);
}

static void conn_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control_conn *conn = arg;

	switch (conn->state) {
	case CONN_DEAD:
		conn_free(conn);
		break;
	case CONN_OPEN:
	case CONN_DRAINING:
		conn_process_input(conn);
		break;
	case CONN_CLOSING:
		break;
	}
}

static void conn_free(struct control_conn *conn)
{
	struct control *c = conn->ctl;

	conn->state = CONN_DEAD;
	/* Hooks run in registration order; each is unlinked before it runs,
	 * so a hook may cancel later ones. */
	conn->hooks_ran = true;
	while (conn->n_hooks > 0) {
		struct close_hook hook = conn->hooks[0];

		conn->n_hooks--;
		memmove(conn->hooks, conn->hooks + 1, conn->n_hooks * sizeof(*conn->hooks));
		hook.fn(conn, hook.arg);
	}

	if (conn->prev)
		conn->prev->next = conn->next;
	else
		c->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	else
		c->conns_tail = conn->prev;
	c->n_conns--;
	c->d->counters.control_connections--;
	log_debug("control: connection %llu closed", (unsigned long long)conn->id);
	while (conn->held)
		held_drop(conn);

	event_free(conn->resume);
	bufferevent_free(conn->bev);
	free(conn->hooks);
	free(conn);

	listener_update(c);
	if (c->shutting_down && c->n_conns == 0)
		event_active(c->finished, EV_TIMEOUT, 1);
}

/* ---------------------------------------------------------------------- */
/* What the layer above and the handlers use */

struct routed *control_conn_daemon(const struct control_conn *conn)
{
	return conn->ctl->d;
}

const char *control_admin_description(const struct control_conn *conn)
{
	return conn->ctl->admin_desc;
}

bool control_conn_writable(const struct control_conn *conn)
{
	return conn->state == CONN_OPEN || conn->state == CONN_DRAINING;
}

static int dump_to_evbuffer(const char *buf, size_t size, void *data)
{
	return evbuffer_add(data, buf, size);
}

int control_conn_send(struct control_conn *conn, const json_t *msg)
{
	struct evbuffer *out;
	size_t pending;

	if (!control_conn_writable(conn))
		return -1;
	out = bufferevent_get_output(conn->bev);
	/*
	 * Compact output has no newline, so one message is one line. Reals
	 * with 12 significant digits: microseconds of an uptime, without the
	 * binary noise of the 17 that round-trip a double.
	 */
	if (json_dump_callback(msg, dump_to_evbuffer, out,
			       JSON_COMPACT | JSON_REAL_PRECISION(12)) != 0 ||
	    evbuffer_add(out, "\n", 1) != 0) {
		/* Part of a message may be queued: the stream is unusable. */
		log_err("control: connection %llu: out of memory queueing output; closing",
			(unsigned long long)conn->id);
		conn_kill(conn);
		return -1;
	}
	pending = evbuffer_get_length(out);
	if (pending > conn->ctl->max_output) {
		log_info("control: connection %llu (pid %d, uid %u): %zu bytes of output queued, "
			 "over the %zu byte cap; closing",
			 (unsigned long long)conn->id, (int)conn->peer.pid,
			 (unsigned)conn->peer.uid, pending, conn->ctl->max_output);
		conn_kill(conn);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Answers that wait for durability */

/* Unlink and free the oldest held answer of conn. */
static void held_drop(struct control_conn *conn)
{
	struct control *c = conn->ctl;
	struct held *h = conn->held;

	conn->held = h->next;
	if (!conn->held)
		conn->held_tail = &conn->held;
	json_decref(h->msg);
	free(h);
	/* Nothing waits any more: persist need not tell us about syncs. */
	if (--c->n_held == 0 && c->d->persist)
		persist_on_durable(c->d->persist, NULL, NULL);
}

/*
 * Send the held answers of conn that durability allows now, in order:
 * those whose record is durable; if the journal failed, the others too,
 * a success then turned into an error.
 */
static void conn_release(struct control_conn *conn, uint64_t durable, const char *failed)
{
	struct held *h;
	bool released = false;

	while ((h = conn->held) && (h->seq <= durable || failed)) {
		released = true;
		if (h->seq > durable) {
			json_t *err = conn->ctl->ops->not_durable(h->msg, failed);

			if (err)
				control_conn_send(conn, err);
			json_decref(err);
		} else {
			control_conn_send(conn, h->msg);
		}
		held_drop(conn);
	}
	/* A connection with no more input waited for these: from the loop, it
	 * answers what input is left, then closes (conn_process_input()). */
	if (released && !conn->held && conn->state == CONN_DRAINING)
		event_active(conn->resume, EV_TIMEOUT, 1);
}

/* persist's watcher: a sync finished. */
static void durable_advanced(void *arg)
{
	struct control *c = arg;
	struct persist *p = c->d->persist;
	uint64_t durable = persist_durable_seq(p);
	const char *failed = persist_read_only_reason(p);

	for (struct control_conn *conn = c->conns; conn && c->n_held; conn = conn->next)
		conn_release(conn, durable, failed);
}

void control_conn_answer(struct control_conn *conn, json_t *msg, uint64_t seq)
{
	struct control *c = conn->ctl;
	struct held *h;

	if (!seq && !conn->held) {
		control_conn_send(conn, msg);
		return;
	}
	/* Only persist_commit() makes seq, and only seq starts a queue: d->persist is set. */
	h = calloc(1, sizeof(*h));
	if (!h) {
		log_err("control: out of memory holding an answer until it is durable");
		/* Never acknowledge before durability; else rather out of order than never. */
		if (!seq)
			control_conn_send(conn, msg);
		return;
	}
	h->msg = json_incref(msg);
	h->seq = seq;
	*conn->held_tail = h;
	conn->held_tail = &h->next;
	if (c->n_held++ == 0)
		persist_on_durable(c->d->persist, durable_advanced, c);
}

uint64_t control_conn_id(const struct control_conn *conn)
{
	return conn->id;
}

const struct control_peer *control_conn_peer(const struct control_conn *conn)
{
	return &conn->peer;
}

size_t control_conn_pending_output(const struct control_conn *conn)
{
	return evbuffer_get_length(bufferevent_get_output(conn->bev));
}

size_t control_conn_output_cap(const struct control_conn *conn)
{
	return conn->ctl->max_output;
}

int control_conn_on_close(struct control_conn *conn, control_conn_hook_fn fn, void *arg)
{
	if (!fn || conn->hooks_ran)
		return -1;
	if (conn->n_hooks == conn->hooks_alloc) {
		size_t n = conn->hooks_alloc ? conn->hooks_alloc * 2 : 4;
		struct close_hook *hooks = realloc(conn->hooks, n * sizeof(*hooks));

		if (!hooks)
			return -1;
		conn->hooks = hooks;
		conn->hooks_alloc = n;
	}
	conn->hooks[conn->n_hooks].fn = fn;
	conn->hooks[conn->n_hooks].arg = arg;
	conn->n_hooks++;
	return 0;
}

void control_conn_cancel_close(struct control_conn *conn, control_conn_hook_fn fn, void *arg)
{
	for (size_t i = 0; i < conn->n_hooks; i++) {
		if (conn->hooks[i].fn == fn && conn->hooks[i].arg == arg) {
			conn->n_hooks--;
			memmove(conn->hooks + i, conn->hooks + i + 1,
				(conn->n_hooks - i) * sizeof(*conn->hooks));
			return;
		}
	}
}

void control_conn_on_drain(struct control_conn *conn, control_conn_hook_fn fn, void *arg)
{
	conn->drain_fn = fn;
	conn->drain_arg = fn ? arg : NULL;
}

static void copy_limits(struct control *c, const struct routed_config *cfg)
{
	c->max_connections = cfg->max_connections ? cfg->max_connections : 1;
	c->max_line = cfg->max_line_bytes;
	c->max_output = cfg->max_output_bytes;
	c->admin_gid = cfg->admin_gid;
	set_admin_desc(c, cfg);
}

static void shutdown_timer_cb(evutil_socket_t fd, short what, void *arg);
static void finished_cb(evutil_socket_t fd, short what, void *arg);

struct control *control_create(struct routed *d, const struct control_ops *ops, char *err,
			       size_t errlen)
{
	const struct routed_config *cfg = d->config;
	struct control *c;
	int fd;

	if (!cfg->control_socket[0]) {
		snprintf(err, errlen, "control.socket is empty");
		return NULL;
	}
	if (strnlen(cfg->control_socket, sizeof(cfg->control_socket)) >=
	    sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		snprintf(err, errlen, "control socket path too long");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->d = d;
	c->ops = ops;
	snprintf(c->sock.path, sizeof(c->sock.path), "%s", cfg->control_socket);
	c->sock.mode = cfg->socket_mode & 07777;
	c->sock.gid = cfg->socket_gid;
	copy_limits(c, cfg);
	c->accept_retry = evtimer_new(d->base, accept_retry_cb, c);
	c->shutdown_timer = evtimer_new(d->base, shutdown_timer_cb, c);
	c->finished = evtimer_new(d->base, finished_cb, c);
	if (!c->accept_retry || !c->shutdown_timer || !c->finished) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}

	fd = control_socket_open(&c->sock, err, errlen);
	if (fd < 0)
		goto fail;
	if (!c->sock.own_path)
		log_info("control: using the socket passed by systemd (%s)", c->sock.path);
	/* Backlog 0: the socket listens already. Accepted sockets get
	 * SOCK_NONBLOCK and SOCK_CLOEXEC from accept4(). */
	c->listener = evconnlistener_new(d->base, accept_cb, c,
					 LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (!c->listener) {
		snprintf(err, errlen, "cannot watch %s: %s", c->sock.path, strerror(errno));
		close(fd);
		goto fail;
	}
	evconnlistener_set_error_cb(c->listener, accept_error_cb);
	c->listening = true;
	log_info("control: listening on %s", c->sock.path);
	return c;
fail:
	control_destroy(c);
	return NULL;
}

void control_reconfigure(struct control *c, const struct routed_config *cfg)
{
	if (strcmp(cfg->control_socket, c->sock.path) != 0 && c->sock.own_path)
		log_warn("control: control.socket changed to %s; still listening on %s until "
			 "restart",
			 cfg->control_socket, c->sock.path);
	copy_limits(c, cfg);
	for (struct control_conn *conn = c->conns; conn; conn = conn->next)
		if (conn->state != CONN_DEAD)
			conn_set_limits(conn);
	control_socket_set_access(&c->sock, cfg->socket_mode & 07777, cfg->socket_gid);
	listener_update(c);
	/* Connections over a lowered limit stay; the lower limit holds as they go. */
}

/* ---------------------------------------------------------------------- */
/* Stopping */

static void finished_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control *c = arg;

	if (c->done_called || c->n_conns > 0)
		return;
	c->done_called = true;
	evtimer_del(c->shutdown_timer);
	if (c->done)
		c->done(c->done_arg);
}

static void shutdown_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control *c = arg;

	log_warn("control: %u connection(s) still busy after %d s; closing them", c->n_conns,
		 CONTROL_SHUTDOWN_SECONDS);
	/* From the loop: no handler or hook of these connections is running. */
	while (c->conns)
		conn_free(c->conns);
	event_active(c->finished, EV_TIMEOUT, 1);
}

void control_shutdown(struct control *c, void (*done)(void *arg), void *arg)
{
	static const struct timeval limit = {CONTROL_SHUTDOWN_SECONDS, 0};

	c->done = done;
	c->done_arg = arg;
	if (c->shutting_down)
		return;
	c->shutting_down = true;
	evtimer_del(c->accept_retry);
	listener_update(c);
	for (struct control_conn *conn = c->conns; conn; conn = conn->next) {
		if (conn->state != CONN_OPEN)
			continue;
		/* Answer what was received, nothing more. */
		conn->state = CONN_DRAINING;
		bufferevent_disable(conn->bev, EV_READ);
		event_active(conn->resume, EV_TIMEOUT, 1);
	}
	evtimer_add(c->shutdown_timer, &limit);
	if (c->n_conns == 0)
		event_active(c->finished, EV_TIMEOUT, 1);
}

void control_destroy(struct control *c)
{
	if (!c)
		return;
	/* No re-enabling of the listener while connections go. */
	c->shutting_down = true;
	while (c->conns)
		conn_free(c->conns);
	if (c->listener)
		evconnlistener_free(c->listener);
	control_socket_remove(&c->sock);
	if (c->accept_retry)
		event_free(c->accept_retry);
	if (c->shutdown_timer)
		event_free(c->shutdown_timer);
	if (c->finished)
		event_free(c->finished);
	free(c);
}
