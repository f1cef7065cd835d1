/* SPDX-License-Identifier: GPL-2.0-or-later */
/* info, stats, config.get, config.reload (see methods_daemon.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <routed/hist.h>
#include <routed/nhgroup.h>
#include <routed/table.h>

#include "routed_config.h"
#include "daemon.h"
#include "change_stream.h"
#include "gate.h"
#include "load.h"
#include "methods_daemon.h"
#include "metrics.h"
#include "methods_feed.h"
#include "params.h"
#include "persist.h"
#include "reconf.h"
#include "tables.h"
#include "txn.h"
#include "udp.h"

int methods_daemon_info(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = rpc_call_daemon(call);
	char started[32];
	struct tm tm;

	if (params_none(call, params))
		return -1;
	if (!gmtime_r(&d->started_wall, &tm) ||
	    !strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(started, sizeof(started), "unknown");
	return rpc_result(
		call,
		json_pack("{s:s, s:I, s:f, s:s, s:I, s:s, s:b, s:s, s:s?, s:s?, s:s?, s:o?, s:o?, s:s?, "
			  "s:o?}",
			  "version",
			  PACKAGE_VERSION, "pid", (json_int_t)getpid(), "uptime_seconds",
			  routed_uptime(d), "started", started, "threads", (json_int_t)d->threads,
			  "rcu_flavor", "memb", "membarrier", rt_rcu_has_membarrier(),
			  "grace_periods", rt_rcu_has_membarrier() ? "membarrier" : "fallback",
			  "control_socket", d->config ? d->config->control_socket : NULL,
			  "config_file", d->config_path, "state_dir",
			  d->config ? d->config->state_dir : NULL, "lookup_listeners",
			  d->udp ? udp_listeners_json(d->udp) : NULL, "durability",
			  d->persist ? persist_info_json(d->persist) : NULL, "metrics_listen",
			  d->metrics ? metrics_address(d->metrics) : NULL, "feeds",
			  methods_feed_json(d)),
		result);
}

static json_t *family_json(const struct rt_family_stats *fs)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "prefixes", (json_int_t)fs->prefixes,
			 "routes", (json_int_t)fs->routes, "rib_bytes", (json_int_t)fs->rib_bytes,
			 "fib_bytes", (json_int_t)fs->fib_bytes, "fib_reserved_bytes",
			 (json_int_t)fs->fib_reserved_bytes);
}

/* Non-empty log2 buckets as [upper edge in ns, count] pairs. */
static json_t *histogram_json(const uint64_t *hist, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++) {
		json_int_t upper = (json_int_t)rt_hist_bucket_upper((unsigned)i);

		if (hist[i] &&
		    json_array_append_new(a, json_pack("[I, I]", upper, (json_int_t)hist[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *grace_periods_json(void)
{
	struct rt_rcu_stats gp;

	rt_rcu_stats(&gp);
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "mode",
			 rt_rcu_has_membarrier() ? "membarrier" : "fallback", "count",
			 (json_int_t)gp.grace_periods, "mean_ns",
			 (json_int_t)(gp.grace_periods ? gp.total_ns / gp.grace_periods : 0),
			 "p50_ns", (json_int_t)rt_rcu_gp_quantile_ns(&gp, 0.5), "p99_ns",
			 (json_int_t)rt_rcu_gp_quantile_ns(&gp, 0.99), "max_ns",
			 (json_int_t)gp.max_ns, "histogram",
			 histogram_json(gp.hist, RT_RCU_GP_BUCKETS));
}

static json_t *sync_json(const struct rcu_sync_snapshot *sync)
{
	static const char *const names[] = {
		[RCU_SYNC_T_IDLE_ENTER] = "idle_enter",
		[RCU_SYNC_T_ENTER_PASSED] = "enter_passed",
		[RCU_SYNC_T_PASSED_EXIT] = "passed_exit",
		[RCU_SYNC_T_EXIT_PASSED] = "exit_passed",
		[RCU_SYNC_T_EXIT_REPLAY] = "exit_replay",
		[RCU_SYNC_T_EXIT_IDLE] = "exit_idle",
		[RCU_SYNC_T_REPLAY_PASSED] = "replay_passed",
		[RCU_SYNC_T_REPLAY_EXIT] = "replay_exit",
		[RCU_SYNC_T_ENTER_WAIT] = "enter_wait",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == RCU_SYNC_T_COUNT,
		       "a name for every rcu_sync transition");
	json_t *t = json_object();

	for (int i = 0; t && i < RCU_SYNC_T_COUNT; i++) {
		json_int_t count = (json_int_t)sync->transitions[i];

		if (json_object_set_new(t, names[i], json_integer(count))) {
			json_decref(t);
			t = NULL;
		}
	}
	return json_pack("{s:s, s:i, s:o}", "state", rcu_sync_state_name(sync->state), "writers",
			 sync->count, "transitions", t);
}

static json_t *gate_json(const struct gate_stats *g)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			 " s:{s:I, s:I, s:I, s:I}, s:I, s:I}",
			 "readers", (json_int_t)g->readers, "write_sections",
			 (json_int_t)g->write_sections, "last_write_ns",
			 (json_int_t)g->last_write_ns, "max_write_ns", (json_int_t)g->max_write_ns,
			 "last_enter_ns", (json_int_t)g->last_enter_ns, "max_enter_ns",
			 (json_int_t)g->max_enter_ns, "slow_path_entries",
			 (json_int_t)g->slow_path_entries, "reader_waits",
			 (json_int_t)g->reader_waits, "stall_ns", "p50",
			 (json_int_t)gate_stall_quantile_ns(g, 0.5), "p99",
			 (json_int_t)gate_stall_quantile_ns(g, 0.99), "max",
			 (json_int_t)g->stall_max_ns, "total", (json_int_t)g->stall_total_ns,
			 "writer_poll_rescues", (json_int_t)g->writer_poll_rescues,
			 "reader_poll_rescues", (json_int_t)g->reader_poll_rescues);
}

static json_t *reconfigurations_json(struct routed *d)
{
	struct reconf_record recs[RECONF_HISTORY];
	size_t n = reconf_history(d, recs, RECONF_HISTORY);
	json_t *recent = json_array();

	for (size_t i = 0; recent && i < n; i++) {
		const struct reconf_record *r = &recs[i];

		if (json_array_append_new(
			    recent,
			    json_pack("{s:s, s:f, s:I, s:I, s:I, s:I, s:I}", "kind",
				      reconf_kind_name(r->kind), "at_seconds", r->at_seconds,
				      "duration_ns", (json_int_t)r->duration_ns, "enter_ns",
				      (json_int_t)r->enter_ns, "locked_out_ns",
				      (json_int_t)r->locked_out_ns, "reader_waits",
				      (json_int_t)r->reader_waits, "stall_max_ns",
				      (json_int_t)r->stall_max_ns))) {
			json_decref(recent);
			recent = NULL;
		}
	}
	return json_pack("{s:I, s:o}", "total", (json_int_t)reconf_total(d), "recent", recent);
}

/* Reclamation, summed over the tables. */
struct reclaim_totals {
	uint64_t pending_batches, pending_bytes;
	uint64_t sync_fallbacks, nomem_fallbacks;
};

static void reclaim_totals_add(struct reclaim_totals *r, const struct rt_table_stats *st)
{
	r->pending_batches += st->reclaim_pending_batches;
	r->pending_bytes += st->reclaim_pending_bytes;
	r->sync_fallbacks += st->reclaim_sync_fallbacks;
	r->nomem_fallbacks += st->reclaim_nomem_fallbacks;
}

/* Grace periods, reclamation, the rcu_sync switch, the gate, reconfigurations. */
static json_t *rcu_json(struct routed *d, const struct reclaim_totals *r)
{
	struct gate_stats g;

	if (d->gate)
		gate_stats(d->gate, &g);
	return json_pack("{s:o, s:{s:I, s:I, s:I, s:I}, s:o, s:o, s:o}", "grace_periods",
			 grace_periods_json(), "reclaim", "pending_batches",
			 (json_int_t)r->pending_batches, "pending_bytes",
			 (json_int_t)r->pending_bytes, "sync_fallbacks",
			 (json_int_t)r->sync_fallbacks, "nomem_fallbacks",
			 (json_int_t)r->nomem_fallbacks,
			 "sync", d->gate ? sync_json(&g.sync) : json_null(), "gate",
			 d->gate ? gate_json(&g) : json_null(), "reconfigurations",
			 reconfigurations_json(d));
}

/* control.methods: {name: {"requests": N, "errors": M}} (rpc.h; new reference, NULL on ENOMEM). */
static json_t *method_counts_json(const struct routed *d)
{
	const struct routed_counters *c = &d->counters;
	json_t *o = json_object();

	for (unsigned i = 0; o && i < c->n_methods; i++) {
		const struct routed_method_count *m = &c->methods[i];

		if (json_object_set_new(o, m->name,
					json_pack("{s:I, s:I}", "requests", (json_int_t)m->requests,
						  "errors", (json_int_t)m->errors))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

int methods_daemon_stats(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = rpc_call_daemon(call);
	const struct routed_counters *c = &d->counters;
	uint64_t routes = 0, bytes = 0;
	struct reclaim_totals reclaim = { 0 };
	uint64_t udp_requests = 0, udp_addresses = 0;
	json_t *tables;
	uint32_t id;
	int rc;

	if (params_none(call, params))
		return -1;
	tables = json_array();
	if (!tables)
		return rpc_nomem(call);
	for (rc = tables_seek(d->tables, 0, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(d->tables, id + 1, &id)) {
		struct rt_table_stats st;
		uint64_t n;
		const char *name = tables_name(d->tables, id);

		rt_table_stats(tables_get(d->tables, id), &st);
		n = st.v4.routes + st.v6.routes;
		routes += n;
		bytes += st.total_bytes;
		reclaim_totals_add(&reclaim, &st);
		if (json_array_append_new(
			    tables,
			    json_pack("{s:I, s:s?, s:o, s:o, s:I, s:I, s:o, s:I}", "id",
				      (json_int_t)id, "name", name, "ipv4", family_json(&st.v4),
				      "ipv6", family_json(&st.v6), "nexthops",
				      (json_int_t)st.nexthops, "memory_bytes",
				      (json_int_t)st.total_bytes, "bytes_per_route",
				      n ? json_real((double)st.total_bytes / (double)n) : json_null(),
				      "generation", (json_int_t)st.generation))) {
			json_decref(tables);
			return rpc_nomem(call);
		}
	}
	if (d->udp)
		udp_lookup_counts(d->udp, &udp_requests, &udp_addresses);
	return rpc_result(
		call,
		json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I,"
			  " s:I, s:I, s:o}, s:{s:I, s:I}, s:o, s:o?}",
			  "tables", tables, "routes", (json_int_t)routes, "memory_bytes",
			  (json_int_t)bytes, "feed_memory_bytes",
			  (json_int_t)methods_feed_memory_bytes(d), "route_files_memory_bytes",
			  (json_int_t)d->route_files_bytes, "nexthop_groups",
			  (json_int_t)rt_nhgroup_pool_size(),
			  "lookups", "requests",
			  (json_int_t)(c->lookup_requests + udp_requests), "addresses",
			  (json_int_t)(c->lookup_addresses + udp_addresses),
			  "control", "requests", (json_int_t)c->control_requests, "errors",
			  (json_int_t)c->control_errors, "connections",
			  (json_int_t)c->control_connections, "connections_total",
			  (json_int_t)c->control_connections_total, "rejected",
			  (json_int_t)c->control_rejected, "reloads", (json_int_t)c->reloads,
			  "reload_failures", (json_int_t)c->reload_failures, "load_transactions",
			  (json_int_t)txn_count(d), "methods", method_counts_json(d), "events", "seq",
			  (json_int_t)change_stream_seq(d->changes), "subscribers",
			  (json_int_t)change_stream_subscribers(d->changes), "rcu",
			  rcu_json(d, &reclaim), "udp",
			  d->udp ? udp_stats_json(d->udp) : NULL),
		result);
}


int methods_daemon_config_get(struct rpc_call *call, json_t *params, json_t **result)
{
	struct routed *d = rpc_call_daemon(call);
	json_t *config;

	if (params_none(call, params))
		return -1;
	config = routed_config_to_json(d->config);
	if (!config)
		return rpc_nomem(call);
	return rpc_result(call,
			  json_pack("{s:o, s:s?}", "config", config, "path", d->config_path),
			  result);
}

int methods_daemon_config_reload(struct rpc_call *call, json_t *params, json_t **result)
{
	char err[512];

	if (params_none(call, params))
		return -1;
	if (routed_reload(rpc_call_daemon(call), err, sizeof(err)))
		return rpc_error(call, RPC_INVALID_PARAMS, NULL, "%s", err);
	return rpc_result(call, json_pack("{s:b}", "reloaded", 1), result);
}
