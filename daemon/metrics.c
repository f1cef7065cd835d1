/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prometheus metrics over HTTP (see metrics.h and docs/metrics.md). */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>

#include <routed/hist.h>
#include <routed/nhgroup.h>
#include <routed/rcu.h>
#include <routed/table.h>

#include "routed_config.h"
#include "change_stream.h"
#include "daemon.h"
#include "gate.h"
#include "log.h"
#include "feed_fpm.h"
#include "feed_kernel.h"
#include "feed_push.h"
#include "metrics.h"
#include "persist.h"
#include "prom.h"
#include "reconf.h"
#include "tables.h"
#include "txn.h"
#include "udp.h"

struct metrics {
	struct routed *d;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct event *sweep_ev;		/* every second: connections evhttp freed */
	struct bufferevent *conn[METRICS_MAX_CONNECTIONS];	/* NULL: a free slot */
	unsigned connections;		/* slots taken */
	char address[64];
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the metrics ---- */

static void put_process(struct prom *p, struct routed *d)
{
	const struct prom_label version[] = { { "version", PACKAGE_VERSION } };

	prom_family(p, "routed_build_info", "gauge", "The running routed: its version; always 1.");
	prom_u64(p, "routed_build_info", version, N(version), 1);
	prom_family(p, "routed_start_time_seconds", "gauge",
		    "When routed started, in seconds since the Unix epoch.");
	prom_u64(p, "routed_start_time_seconds", NULL, 0, (uint64_t)d->started_wall);
	prom_family(p, "routed_uptime_seconds", "gauge", "Seconds since routed started.");
	prom_double(p, "routed_uptime_seconds", NULL, 0, routed_uptime(d));
	prom_family(p, "routed_lookup_threads", "gauge", "Lookup threads running.");
	prom_u64(p, "routed_lookup_threads", NULL, 0, d->threads);
}

static uint64_t json_u64(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static void put_counter(struct prom *p, const char *name, const char *help, uint64_t v)
{
	prom_family(p, name, "counter", help);
	prom_u64(p, name, NULL, 0, v);
}

static void put_gauge(struct prom *p, const char *name, const char *help, uint64_t v)
{
	prom_family(p, name, "gauge", help);
	prom_u64(p, name, NULL, 0, v);
}

/* A table's "table" label: its name, or its id if it has none. */
static void table_label(struct routed *d, uint32_t id, char *buf, size_t len)
{
	const char *name = tables_name(d->tables, id);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", id);
}

/* The per-listener counters of stats' udp.listeners. */
static void put_listener_counts(struct prom *p, json_t *listeners)
{
	static const struct {
		const char *name, *key, *help;
	} totals[] = {
		{ "routed_udp_listener_requests_total", "requests",
		  "Valid lookup request datagrams a UDP listener received and answered." },
		{ "routed_udp_listener_lookups_total", "lookups",
		  "Addresses looked up in the requests of a UDP listener." },
	};
	const char *key;
	json_t *v, *n;
	size_t i;

	for (size_t t = 0; t < N(totals); t++) {
		prom_family(p, totals[t].name, "counter", totals[t].help);
		json_array_foreach(listeners, i, v) {
			const char *address = json_string_value(json_object_get(v, "address"));
			const struct prom_label l[] = { { "listener", address ? address : "" } };

			prom_u64(p, totals[t].name, l, N(l), json_u64(v, totals[t].key));
		}
	}
	prom_family(p, "routed_udp_listener_drops_total", "counter",
		    "Request datagrams a UDP listener dropped unanswered, by reason.");
	json_array_foreach(listeners, i, v) {
		const char *address = json_string_value(json_object_get(v, "address"));

		json_object_foreach(json_object_get(v, "drops"), key, n) {
			const struct prom_label l[] = { { "listener", address ? address : "" },
							{ "reason", key } };

			if (strcmp(key, "total"))
				prom_u64(p, "routed_udp_listener_drops_total", l, N(l),
					 (uint64_t)json_integer_value(n));
		}
	}
}

/*
 * Lookups by where they came from; the UDP service's counters, in total
 * and per listener (what a worker counts for each listener, summed).
 */
static void put_lookups(struct prom *p, struct routed *d)
{
	const struct routed_counters *c = &d->counters;
	struct prom_label src[] = { { "source", "udp" } };
	uint64_t requests = 0, addresses = 0;
	json_t *udp = NULL, *v;
	const char *key;
	size_t i;

	if (d->udp) {
		udp_lookup_counts(d->udp, &requests, &addresses);
		udp = udp_stats_json(d->udp);
		if (!udp)
			p->error = -ENOMEM;
	}
	prom_family(p, "routed_lookup_requests_total", "counter",
		    "Lookup requests answered: UDP request datagrams and route.lookup calls.");
	prom_u64(p, "routed_lookup_requests_total", src, N(src), requests);
	src[0].value = "control";
	prom_u64(p, "routed_lookup_requests_total", src, N(src), c->lookup_requests);
	prom_family(p, "routed_lookup_addresses_total", "counter",
		    "Addresses looked up, by the source of their request.");
	src[0].value = "udp";
	prom_u64(p, "routed_lookup_addresses_total", src, N(src), addresses);
	src[0].value = "control";
	prom_u64(p, "routed_lookup_addresses_total", src, N(src), c->lookup_addresses);
	if (!udp)
		return;

	prom_family(p, "routed_udp_listener_info", "gauge",
		    "A UDP lookup listener as bound, and the table it answers; always 1.");
	json_array_foreach(json_object_get(udp, "listeners"), i, v) {
		const char *address = json_string_value(json_object_get(v, "address"));
		char table[40];
		const struct prom_label l[] = { { "listener", address ? address : "" },
						{ "table", table } };

		table_label(d, (uint32_t)json_u64(v, "table"), table, sizeof(table));
		prom_u64(p, "routed_udp_listener_info", l, N(l), 1);
	}
	put_listener_counts(p, json_object_get(udp, "listeners"));
	put_counter(p, "routed_udp_datagrams_total",
		    "Valid lookup request datagrams received, all listeners.",
		    json_u64(udp, "datagrams"));
	put_counter(p, "routed_udp_responses_total", "Lookup answer datagrams sent.",
		    json_u64(udp, "responses"));
	prom_family(p, "routed_udp_drops_total", "counter",
		    "Request datagrams dropped unanswered, by reason.");
	json_object_foreach(json_object_get(udp, "drops"), key, v) {
		const struct prom_label l[] = { { "reason", key } };

		/* The sum of the others: a query sums the labels instead. */
		if (strcmp(key, "total"))
			prom_u64(p, "routed_udp_drops_total", l, N(l),
				 (uint64_t)json_integer_value(v));
	}
	put_counter(p, "routed_udp_kernel_drops_total",
		    "Datagrams the kernel dropped on a full lookup socket (SO_RXQ_OVFL).",
		    json_u64(udp, "kernel_drops"));
	put_counter(p, "routed_udp_send_errors_total", "Answers that could not be sent.",
		    json_u64(udp, "send_errors"));
	put_counter(p, "routed_udp_recv_errors_total", "Failed receives on lookup sockets.",
		    json_u64(udp, "recv_errors"));
	json_decref(udp);
}

/* A table's statistics and its label. */
struct table_sample {
	char label[40];
	struct rt_table_stats st;
};

static void put_family_gauge(struct prom *p, const struct table_sample *t, size_t n,
			     const char *name, const char *help, size_t offset)
{
	prom_family(p, name, "gauge", help);
	for (size_t i = 0; i < n; i++) {
		const struct rt_family_stats *fs[] = { &t[i].st.v4, &t[i].st.v6 };
		const char *families[] = { "ipv4", "ipv6" };

		for (int f = 0; f < 2; f++) {
			const struct prom_label l[] = { { "table", t[i].label },
							{ "family", families[f] } };

			prom_u64(p, name, l, N(l),
				 *(const uint64_t *)((const char *)fs[f] + offset));
		}
	}
}

static void put_table_value(struct prom *p, const struct table_sample *t, size_t n,
			    const char *name, const char *type, const char *help, size_t offset)
{
	prom_family(p, name, type, help);
	for (size_t i = 0; i < n; i++) {
		const struct prom_label l[] = { { "table", t[i].label } };

		prom_u64(p, name, l, N(l), *(const uint64_t *)((const char *)&t[i].st + offset));
	}
}

static void put_tables(struct prom *p, struct routed *d)
{
	size_t n = 0, max = tables_count(d->tables);
	struct table_sample *t = calloc(max ? max : 1, sizeof(*t));
	uint32_t id;
	int rc;

	if (!t) {
		p->error = -ENOMEM;
		return;
	}
	for (rc = tables_seek(d->tables, 0, &id); !rc && n < max;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(d->tables, id + 1, &id)) {
		table_label(d, id, t[n].label, sizeof(t[n].label));
		rt_table_stats(tables_get(d->tables, id), &t[n].st);
		n++;
	}
	put_gauge(p, "routed_tables", "Routing tables.", n);
	/* Interned for the process's life (nhgroup.h): this only grows. */
	put_gauge(p, "routed_nexthop_groups",
		  "Distinct multipath next-hop sets interned since routed started.",
		  rt_nhgroup_pool_size());
	put_family_gauge(p, t, n, "routed_routes", "Routes in a table, by address family.",
			 offsetof(struct rt_family_stats, routes));
	put_family_gauge(p, t, n, "routed_prefixes",
			 "Prefixes with at least one route, by table and address family.",
			 offsetof(struct rt_family_stats, prefixes));
	put_family_gauge(p, t, n, "routed_rib_bytes", "Memory of the RIB: trie nodes and routes.",
			 offsetof(struct rt_family_stats, rib_bytes));
	put_family_gauge(p, t, n, "routed_fib_bytes",
			 "Memory of the FIB in use: trie nodes, leaves, direct table.",
			 offsetof(struct rt_family_stats, fib_bytes));
	put_family_gauge(p, t, n, "routed_fib_reserved_bytes",
			 "Memory the FIB holds: in use and free blocks kept.",
			 offsetof(struct rt_family_stats, fib_reserved_bytes));
	put_table_value(p, t, n, "routed_table_memory_bytes", "gauge",
			"Everything a table holds, in bytes.",
			offsetof(struct rt_table_stats, total_bytes));
	put_table_value(p, t, n, "routed_nexthops", "gauge", "Distinct shared next hops.",
			offsetof(struct rt_table_stats, nexthops));
	put_table_value(p, t, n, "routed_table_generation", "gauge",
			"A table's generation: bumped by every change lookups can see.",
			offsetof(struct rt_table_stats, generation));
	put_table_value(p, t, n, "routed_reclaim_pending_batches", "gauge",
			"Batches of retired memory waiting for a grace period.",
			offsetof(struct rt_table_stats, reclaim_pending_batches));
	put_table_value(p, t, n, "routed_reclaim_pending_bytes", "gauge",
			"Retired memory waiting for a grace period, in bytes.",
			offsetof(struct rt_table_stats, reclaim_pending_bytes));
	put_table_value(p, t, n, "routed_reclaim_batches_total", "counter",
			"Batches of retired memory handed to call_rcu.",
			offsetof(struct rt_table_stats, reclaim_batches));
	prom_family(p, "routed_reclaim_fallbacks_total", "counter",
		    "Writes that waited for a grace period inline instead of deferring, by reason "
		    "(backlog: too much pending; nomem: no memory to defer).");
	for (size_t i = 0; i < n; i++) {
		struct prom_label l[] = { { "table", t[i].label }, { "reason", "backlog" } };

		prom_u64(p, "routed_reclaim_fallbacks_total", l, N(l),
			 t[i].st.reclaim_sync_fallbacks);
		l[1].value = "nomem";
		prom_u64(p, "routed_reclaim_fallbacks_total", l, N(l),
			 t[i].st.reclaim_nomem_fallbacks);
	}
	free(t);
}

static void put_rcu(struct prom *p, struct routed *d)
{
	struct rt_rcu_stats gp;
	struct gate_stats g;
	struct prom_label side[] = { { "side", "writer" } };

	rt_rcu_stats(&gp);
	put_gauge(p, "routed_rcu_membarrier",
		  "1 when grace periods use membarrier(2), 0 for the fallback.",
		  rt_rcu_has_membarrier());
	put_counter(p, "routed_grace_periods_total", "RCU grace periods waited for.",
		    gp.grace_periods);
	prom_family(p, "routed_grace_period_seconds", "histogram",
		    "How long each RCU grace period took.");
	prom_log2_histogram_ns(p, "routed_grace_period_seconds", NULL, 0, gp.hist,
			       RT_RCU_GP_BUCKETS, gp.total_ns);
	put_counter(p, "routed_reconfigurations_total",
		    "Changes made inside the reconfiguration gate.", reconf_total(d));
	if (!d->gate)
		return;
	gate_stats(d->gate, &g);
	put_gauge(p, "routed_gate_readers", "Lookup threads registered with the gate.",
		  g.readers);
	put_counter(p, "routed_gate_write_sections_total",
		    "Reconfiguration gate write sections (lookups held out).", g.write_sections);
	prom_family(p, "routed_gate_write_max_seconds", "gauge",
		    "The longest write section so far: readers locked out.");
	prom_double(p, "routed_gate_write_max_seconds", NULL, 0, (double)g.max_write_ns / 1e9);
	put_counter(p, "routed_gate_slow_path_entries_total",
		    "Lookup read sections that took the gate's slow path.", g.slow_path_entries);
	put_counter(p, "routed_gate_reader_waits_total",
		    "Lookup stalls: read sections that waited for a writer.", g.reader_waits);
	prom_family(p, "routed_gate_stall_seconds", "histogram",
		    "How long each stalled lookup read section waited for a writer.");
	prom_log2_histogram_ns(p, "routed_gate_stall_seconds", NULL, 0, g.stall_hist,
			       GATE_STALL_BUCKETS, g.stall_total_ns);
	prom_family(p, "routed_gate_poll_rescues_total", "counter",
		    "Sleeps ended by the fallback poll rather than a wake-up; near 0.");
	prom_u64(p, "routed_gate_poll_rescues_total", side, N(side), g.writer_poll_rescues);
	side[0].value = "reader";
	prom_u64(p, "routed_gate_poll_rescues_total", side, N(side), g.reader_poll_rescues);
}

static void put_control(struct prom *p, struct routed *d)
{
	const struct routed_counters *c = &d->counters;

	put_counter(p, "routed_control_requests_total", "Control socket requests, all methods.",
		    c->control_requests);
	put_counter(p, "routed_control_errors_total",
		    "Control socket requests answered with an error, all methods.",
		    c->control_errors);
	prom_family(p, "routed_control_method_requests_total", "counter",
		    "Control socket requests by method (unknown: a name not in the method table; "
		    "invalid: no method named).");
	for (unsigned i = 0; i < c->n_methods; i++) {
		const struct prom_label l[] = { { "method", c->methods[i].name } };

		prom_u64(p, "routed_control_method_requests_total", l, N(l),
			 c->methods[i].requests);
	}
	prom_family(p, "routed_control_method_errors_total", "counter",
		    "Control socket requests answered with an error, by method.");
	for (unsigned i = 0; i < c->n_methods; i++) {
		const struct prom_label l[] = { { "method", c->methods[i].name } };

		prom_u64(p, "routed_control_method_errors_total", l, N(l), c->methods[i].errors);
	}
	put_gauge(p, "routed_control_connections", "Control socket connections open.",
		  c->control_connections);
	put_counter(p, "routed_control_connections_accepted_total",
		    "Control socket connections accepted.", c->control_connections_total);
	put_counter(p, "routed_control_connections_rejected_total",
		    "Control socket connections refused at the connection limit.",
		    c->control_rejected);
	put_counter(p, "routed_reloads_total", "Configuration reloads that succeeded.",
		    c->reloads);
	put_counter(p, "routed_reload_failures_total",
		    "Configuration reloads refused (the old configuration kept).",
		    c->reload_failures);
	put_gauge(p, "routed_load_transactions", "Load transactions open.", txn_count(d));
	put_counter(p, "routed_change_events_total", "Route changes published (the change "
		    "stream's sequence number).", change_stream_seq(d->changes));
	put_gauge(p, "routed_change_subscribers", "Change stream subscriptions.",
		  change_stream_subscribers(d->changes));
}

static void put_durability(struct prom *p, struct routed *d)
{
	const char *state;
	json_t *info;
	int degraded;
	struct prom_label l[] = { { "state", "ok" } };

	if (!d->persist)
		return;
	info = persist_info_json(d->persist);
	if (!info) {
		p->error = -ENOMEM;
		return;
	}
	state = json_string_value(json_object_get(info, "state"));
	degraded = !state || strcmp(state, "ok");
	prom_family(p, "routed_durability_state", "gauge",
		    "1 for the durability state routed is in (ok; degraded: changes refused).");
	prom_u64(p, "routed_durability_state", l, N(l), !degraded);
	l[0].value = "degraded";
	prom_u64(p, "routed_durability_state", l, N(l), degraded);
	put_gauge(p, "routed_journal_bytes", "Journal bytes written since the last snapshot.",
		  json_u64(info, "journal_bytes_since_snapshot"));
	put_gauge(p, "routed_journal_seq", "The last journal record written.",
		  json_u64(info, "journal_seq"));
	put_gauge(p, "routed_journal_synced_seq", "The last journal record known to be on disk.",
		  json_u64(info, "synced_seq"));
	put_counter(p, "routed_snapshots_total", "Snapshots written since start.",
		    json_u64(info, "snapshots"));
	json_decref(info);
}

/* The route feeds, from the same JSON feed.list answers with: the FPM feed, then the mirrors. */
static json_t *feeds_json(struct routed *d)
{
	json_t *feeds = json_array();

	if (feeds && d->fpm && json_array_append_new(feeds, feed_fpm_json(d->fpm)))
		goto fail;
	for (unsigned i = 0; feeds && i < d->n_kernel; i++)
		if (json_array_append_new(feeds, feed_kernel_json(d->kernel[i])))
			goto fail;
	if (feeds && feed_push_list_json(d, feeds))
		goto fail;
	return feeds;
fail:
	json_decref(feeds);
	return NULL;
}

/* One sample per feed of the integer key of its JSON. */
static void put_feed_values(struct prom *p, json_t *feeds, const char *metric, const char *key)
{
	struct prom_label l[] = { { "feed", NULL } };
	size_t i;
	json_t *f;

	json_array_foreach(feeds, i, f) {
		l[0].value = json_string_value(json_object_get(f, "name"));
		prom_u64(p, metric, l, N(l), json_u64(f, key));
	}
}

/* One sample per feed and name of the object at key ({reason: count}). */
static void put_feed_counts(struct prom *p, json_t *feeds, const char *metric, const char *key,
			    const char *label)
{
	struct prom_label l[] = { { "feed", NULL }, { label, NULL } };
	const char *name;
	size_t i;
	json_t *f, *n;

	json_array_foreach(feeds, i, f) {
		l[0].value = json_string_value(json_object_get(f, "name"));
		json_object_foreach(json_object_get(f, key), name, n) {
			l[1].value = name;
			prom_u64(p, metric, l, N(l), (uint64_t)json_integer_value(n));
		}
	}
}

static void put_feeds(struct prom *p, struct routed *d)
{
	static const char *const fpm_states[] = { "listening", "replaying", "connected", "holding",
						  NULL };
	static const char *const kernel_states[] = { "dumping", "synced", "resyncing", NULL };
	static const char *const push_states[] = { "syncing", "synced", NULL };
	struct prom_label l[] = { { "feed", NULL }, { "state", NULL } };
	json_t *feeds, *f;
	size_t i;

	if (!d->fpm && !d->n_kernel && !d->pushed)
		return;
	feeds = feeds_json(d);
	if (!feeds) {
		p->error = -ENOMEM;
		return;
	}
	prom_family(p, "routed_feed_state", "gauge",
		    "1 for the state a feed is in (FPM: listening, replaying, connected, holding; "
		    "kernel mirror: dumping, synced, resyncing; pushed: syncing, synced).");
	json_array_foreach(feeds, i, f) {
		const char *state = json_string_value(json_object_get(f, "state"));
		const char *type = json_string_value(json_object_get(f, "type"));
		const char *const *states =
			!type ? fpm_states :
			!strcmp(type, "kernel") ? kernel_states :
			!strcmp(type, "push") ? push_states : fpm_states;

		l[0].value = json_string_value(json_object_get(f, "name"));
		for (size_t s = 0; states[s]; s++) {
			l[1].value = states[s];
			prom_u64(p, "routed_feed_state", l, N(l),
				 state && !strcmp(state, states[s]));
		}
	}
	prom_family(p, "routed_feed_routes", "gauge", "Routes a feed holds in the tables.");
	put_feed_values(p, feeds, "routed_feed_routes", "routes");
	if (d->fpm) {
		struct prom_label fl[] = { { "feed", "fpm" } };

		prom_family(p, "routed_feed_generation", "gauge",
			    "Connections a feed has accepted (its current session's generation).");
		prom_u64(p, "routed_feed_generation", fl, N(fl),
			 json_u64(json_array_get(feeds, 0), "generation"));
	}
	prom_family(p, "routed_feed_messages_total", "counter",
		    "Messages a feed has received (netlink messages; the lines a pushed feed's program read).");
	put_feed_values(p, feeds, "routed_feed_messages_total", "messages");
	prom_family(p, "routed_feed_errors_total", "counter",
		    "Messages, frames and connections a feed refused, by reason (docs/feeds.md).");
	put_feed_counts(p, feeds, "routed_feed_errors_total", "errors", "reason");
	if (d->n_kernel) {
		prom_family(p, "routed_feed_resyncs_total", "counter",
			    "Dumps a kernel table mirror started again, by cause (docs/feeds.md).");
		put_feed_counts(p, feeds, "routed_feed_resyncs_total", "resyncs", "cause");
	}
	json_decref(feeds);
}

int metrics_render(struct routed *d, struct evbuffer *out)
{
	struct prom p;

	prom_init(&p, out);
	put_process(&p, d);
	put_lookups(&p, d);
	put_tables(&p, d);
	put_rcu(&p, d);
	put_control(&p, d);
	put_durability(&p, d);
	put_feeds(&p, d);
	return prom_error(&p);
}

/* ---- the HTTP endpoint ---- */

static void on_request(struct evhttp_request *req, void *arg)
{
	struct metrics *m = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
	struct evbuffer *body;

	if (!path || strcmp(path, "/metrics")) {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(headers, "Allow", "GET");
		evhttp_send_error(req, 405, "Method Not Allowed");
		return;
	}
	body = evbuffer_new();
	if (!body || metrics_render(m->d, body)) {
		if (body)
			evbuffer_free(body);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evhttp_add_header(headers, "Content-Type", PROM_CONTENT_TYPE);
	evhttp_send_reply(req, HTTP_OK, "OK", body);
	evbuffer_free(body);
}

/*
 * libevent 2.1's HTTP server has no connection limit and tells nobody
 * when it frees a connection, so routed keeps its own count: each
 * connection's bufferevent is made here and held by one extra reference.
 * evhttp frees it by clearing its callbacks and dropping its reference;
 * the sweep (at every new connection and every second) finds those, drops
 * ours, which closes the socket, and frees the slot. At the limit the
 * listener stops accepting until a slot is free: what waits is in the
 * kernel's backlog, not in routed. evhttp shuts the socket down for
 * writing as it frees the connection, so the client sees the end at once.
 */
static bool released(struct bufferevent *bev)
{
	bufferevent_event_cb eventcb;

	bufferevent_getcb(bev, NULL, NULL, &eventcb, NULL);
	return !eventcb;
}

static void sweep(struct metrics *m, bool all)
{
	unsigned before = m->connections;

	for (unsigned i = 0; i < METRICS_MAX_CONNECTIONS; i++) {
		if (!m->conn[i] || (!all && !released(m->conn[i])))
			continue;
		bufferevent_decref(m->conn[i]);
		m->conn[i] = NULL;
		m->connections--;
	}
	if (before == METRICS_MAX_CONNECTIONS && m->connections < before && m->bound)
		evconnlistener_enable(evhttp_bound_socket_get_listener(m->bound));
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sweep(arg, false);
}

static struct bufferevent *new_connection(struct event_base *base, void *arg)
{
	struct metrics *m = arg;
	struct bufferevent *bev;
	unsigned i;

	sweep(m, false);
	for (i = 0; i < METRICS_MAX_CONNECTIONS && m->conn[i]; i++)
		;
	/* The listener is off while all slots are taken: no accept, no call. */
	if (i == METRICS_MAX_CONNECTIONS)
		return NULL;
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!bev)
		return NULL;
	bufferevent_incref(bev);
	m->conn[i] = bev;
	if (++m->connections == METRICS_MAX_CONNECTIONS && m->bound)
		evconnlistener_disable(evhttp_bound_socket_get_listener(m->bound));
	return bev;
}

static void bound_address(struct metrics *m)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (!getsockname(evhttp_bound_socket_get_fd(m->bound), (struct sockaddr *)&ss, &len)) {
		if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
			port = ntohs(s6->sin6_port);
		} else {
			const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
			port = ntohs(s4->sin_port);
		}
	}
	snprintf(m->address, sizeof(m->address), ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 host, port);
}

struct metrics *metrics_start(struct routed *d, const struct config_listen *l, char *err,
			      size_t errlen)
{
	static const struct timeval sweep_every = { .tv_sec = 1 };
	struct metrics *m = calloc(1, sizeof(*m));
	char host[INET6_ADDRSTRLEN];

	if (!m || !(m->http = evhttp_new(d->base))) {
		snprintf(err, errlen, "metrics: %s", strerror(ENOMEM));
		goto fail;
	}
	m->d = d;
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
					    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
					    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
					    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(m->http, METRICS_MAX_HEADERS_BYTES);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_timeout(m->http, METRICS_TIMEOUT_S);
	evhttp_set_gencb(m->http, on_request, m);
	evhttp_set_bevcb(m->http, new_connection, m);
	m->sweep_ev = event_new(d->base, -1, EV_PERSIST, on_sweep, m);
	if (!m->sweep_ev || event_add(m->sweep_ev, &sweep_every)) {
		snprintf(err, errlen, "metrics: %s", strerror(ENOMEM));
		goto fail;
	}
	inet_ntop(l->family, l->addr, host, sizeof(host));
	m->bound = evhttp_bind_socket_with_handle(m->http, host, l->port);
	if (!m->bound) {
		snprintf(err, errlen, "metrics.listen %s: cannot listen: %s", l->text,
			 strerror(errno ? errno : EADDRINUSE));
		goto fail;
	}
	bound_address(m);
	log_info("metrics: serving http://%s/metrics", m->address);
	return m;
fail:
	metrics_stop(m);
	return NULL;
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	/* evhttp frees its connections; then ours go, and nothing is re-enabled. */
	m->bound = NULL;
	if (m->http)
		evhttp_free(m->http);
	sweep(m, true);
	if (m->sweep_ev)
		event_free(m->sweep_ev);
	free(m);
}

const char *metrics_address(const struct metrics *m)
{
	return m->address;
}
