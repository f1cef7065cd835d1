/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's life: set up the tables, the control socket and the lookup
 * workers, load the configured route files, tell systemd it is ready, run
 * the control loop, and take everything down again on SIGTERM/SIGINT.
 *
 * Signals stay blocked in every thread (main() blocks them before liburcu
 * starts its threads); the control loop reads them from a signalfd, so a
 * handler never runs on a lookup thread or in the middle of a write.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <routed/clock.h>
#include <routed/durable.h>
#include <routed/routefile.h>
#include <routed/table.h>

#include "routed_config.h"
#include "control.h"
#include "daemon.h"
#include "change_stream.h"
#include "gate.h"
#include "load.h"
#include "log.h"
#include "methods.h"
#include "feed_fpm.h"
#include "feed_kernel.h"
#include "feed_push.h"
#include "metrics.h"
#include "notify.h"
#include "options.h"
#include "persist.h"
#include "reconf.h"
#include "routes.h"
#include "tables.h"
#include "txn.h"
#include "udp.h"

/* Route files take this long per million routes at worst; systemd is told. */
#define LOAD_USEC_PER_MROUTE (30ull * 1000000)
/* Retired memory of idle tables goes to call_rcu this often at the latest. */
#define RECLAIM_TICK_MS 50

/* What only run.c needs, around the shared context. */
struct runtime {
	struct routed d;
	struct routed_config *reloaded;		/* current config if a reload made it;
						   NULL: main()'s, which main() frees */
	struct event *signal_ev;
	struct event *watchdog_ev;
	struct event *reclaim_ev;
	int signal_fd;
	bool stopping;
	char config_path[sizeof(((struct routed_config *)0)->path)];	/* absolute */
	/* The keys of the routes the route files gave at the last (re)load, sorted. */
	struct file_key *file_keys;
	size_t n_file_keys;
};

static struct runtime *runtime_of(struct routed *d)
{
	return (struct runtime *)d;
}

static uint64_t total_routes(struct routed *d)
{
	uint64_t n = 0;
	uint32_t id;

	for (int rc = tables_seek(d->tables, 0, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(d->tables, id + 1, &id)) {
		struct rt_table_stats st;

		rt_table_stats(tables_get(d->tables, id), &st);
		n += st.v4.routes + st.v6.routes;
	}
	return n;
}

/*
 * Tell systemd how long a route file may take before reading it: reading
 * and applying run at well over 100k routes (~5 MB) per second, so allow a
 * second per MB plus a margin.
 */
static void extend_timeout_for(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		notify_extend_timeout(((uint64_t)st.st_size / 1000000 + 10) * 1000000);
}

/* Read every route file of cfg into one array. */
static int read_route_files(const struct routed_config *cfg, struct rt_route **routes,
			    size_t *n, char *err, size_t errlen)
{
	*routes = NULL;
	*n = 0;
	for (unsigned i = 0; i < cfg->n_route_files; i++) {
		struct rt_route *file, *all;
		size_t count;
		int rc;

		notify_status("loading %s", cfg->route_files[i]);
		extend_timeout_for(cfg->route_files[i]);
		rc = routefile_load(cfg->route_files[i], &file, &count, err, errlen);
		if (rc)
			goto fail;
		all = realloc(*routes, (*n + count + 1) * sizeof(*all));
		if (!all) {
			free(file);
			snprintf(err, errlen, "%s: %s", cfg->route_files[i], strerror(ENOMEM));
			rc = -ENOMEM;
			goto fail;
		}
		memcpy(all + *n, file, count * sizeof(*all));
		free(file);
		*routes = all;
		*n += count;
		continue;
fail:
		free(*routes);
		*routes = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

static int key_order(const void *a, const void *b)
{
	return rt_route_key_cmp(a, b);
}

/*
 * What a reload needs of the route files' routes: their keys, in
 * rt_route_key_cmp() order. Kept instead of the routes, which are twice
 * the size (a million-route file: 46 MB instead of 100).
 */
struct file_key {
	uint32_t table;
	uint32_t metric;
	struct rt_prefix prefix;
	char proto[RT_PROTO_LEN];
};

/* The route of key k with nothing else: a removal for load_apply(). */
static void file_key_route(const struct file_key *k, struct rt_route *r)
{
	memset(r, 0, sizeof(*r));
	r->table = k->table;
	r->metric = k->metric;
	r->prefix = k->prefix;
	memcpy(r->proto, k->proto, RT_PROTO_LEN);
}

static int file_key_order(const void *a, const void *b)
{
	struct rt_route x, y;

	file_key_route(a, &x);
	file_key_route(b, &y);
	return rt_route_key_cmp(&x, &y);
}

/* The sorted keys of routes[0..n), or NULL on ENOMEM. */
static struct file_key *file_keys_of(const struct rt_route *routes, size_t n)
{
	struct file_key *k = malloc((n ? n : 1) * sizeof(*k));

	if (!k)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].table = routes[i].table;
		k[i].metric = routes[i].metric;
		k[i].prefix = routes[i].prefix;
		memcpy(k[i].proto, routes[i].proto, RT_PROTO_LEN);
	}
	qsort(k, n, sizeof(*k), file_key_order);
	return k;
}

/*
 * Routes of the previous route files (their sorted keys, old) that the new
 * ones no longer have: those are deleted by a reload (routes added over
 * the control socket are left alone). new gets sorted by key.
 */
static struct rt_route *vanished_routes(const struct file_key *old, size_t n_old,
					struct rt_route *new, size_t n_new, size_t *n_out)
{
	struct rt_route *out = malloc((n_old ? n_old : 1) * sizeof(*out));
	size_t i = 0, j = 0;

	*n_out = 0;
	if (!out)
		return NULL;
	qsort(new, n_new, sizeof(*new), key_order);
	while (i < n_old) {
		struct rt_route r;
		int c;

		file_key_route(&old[i], &r);
		c = j < n_new ? rt_route_key_cmp(&r, &new[j]) : -1;
		if (c < 0)
			out[(*n_out)++] = r, i++;
		else if (c > 0)
			j++;
		else
			i++, j++;
	}
	return out;
}

/* Create the tables cfg lists that do not exist yet; on error remove them again. */
static int add_config_tables(struct routed *d, const struct routed_config *cfg, char *err,
			     size_t errlen)
{
	uint32_t created[CONFIG_MAX_TABLES];
	unsigned n_created = 0;

	for (unsigned i = 0; i < cfg->n_tables; i++) {
		const struct config_table *ct = &cfg->tables[i];
		const char *name = tables_name(d->tables, ct->id);
		int rc;

		if (tables_get(d->tables, ct->id)) {
			if (name && !strcmp(name, ct->name))
				continue;
			snprintf(err, errlen, "table %u exists as '%s', the configuration names it '%s'",
				 ct->id, name ? name : "", ct->name);
			goto undo;
		}
		rc = tables_add(d->tables, ct->id, ct->name);
		if (rc) {
			snprintf(err, errlen, "table %u '%s': %s", ct->id, ct->name,
				 rc == -EEXIST ? "the name is taken" : strerror(-rc));
			goto undo;
		}
		created[n_created++] = ct->id;
	}
	return 0;
undo:
	while (n_created--)
		tables_delete(d->tables, created[n_created]);
	return -1;
}

/*
 * Make the tables hold routes[0..n), the routes of cfg's route files (read
 * by read_route_files; taken over, freed on error): add or replace them,
 * and delete what the previous files had and these do not.
 */
static int apply_route_files(struct runtime *rt, const struct routed_config *cfg,
			     struct rt_route *routes, size_t n, char *err, size_t errlen)
{
	struct load_request req = { 0 };
	struct load_result res = { 0 };
	struct rt_route *gone = NULL;
	struct file_key *keys;
	size_t n_gone = 0;
	int rc;

	if (n > 1000000)
		notify_extend_timeout(LOAD_USEC_PER_MROUTE * (n / 1000000 + 1));
	keys = file_keys_of(routes, n);
	if (!keys) {
		snprintf(err, errlen, "route files: %s", strerror(ENOMEM));
		free(routes);
		return -ENOMEM;
	}
	if (rt->n_file_keys) {
		gone = vanished_routes(rt->file_keys, rt->n_file_keys, routes, n, &n_gone);
		if (!gone) {
			snprintf(err, errlen, "route files: %s", strerror(ENOMEM));
			free(routes);
			free(keys);
			return -ENOMEM;
		}
	}
	notify_status("applying %zu routes from %u route files", n, cfg->n_route_files);
	req.routes = routes;
	req.n_routes = n;
	req.removals = gone;
	req.n_removals = n_gone;
	rc = load_apply(&rt->d, &req, &res, err, errlen);
	if (!rc)
		log_info("route files: %zu routes: %llu added, %llu replaced, %llu deleted, %llu unchanged",
			 n, (unsigned long long)res.added, (unsigned long long)res.replaced,
			 (unsigned long long)res.deleted, (unsigned long long)res.unchanged);
	load_result_release(&res);
	free(gone);
	free(routes);
	if (rc) {
		free(keys);
		return rc;
	}
	free(rt->file_keys);
	rt->file_keys = keys;
	rt->n_file_keys = n;
	rt->d.route_files_bytes = n * sizeof(*keys);
	return 0;
}

/* Settings read once at start: a reload that changes them only warns. */
static void warn_restart_only(const struct routed_config *old, const struct routed_config *new)
{
	if (strcmp(old->control_socket, new->control_socket))
		log_warn("reload: control.socket changed to %s: takes effect at restart",
			 new->control_socket);
	if (strcmp(old->state_dir, new->state_dir))
		log_warn("reload: state_dir changed to %s: takes effect at restart", new->state_dir);
	if (old->fsync_policy != new->fsync_policy || old->batch_delay_us != new->batch_delay_us ||
	    old->n_persistent != new->n_persistent || old->segment_bytes != new->segment_bytes ||
	    old->snapshot_bytes != new->snapshot_bytes ||
	    memcmp(old->persistent, new->persistent, sizeof(old->persistent)))
		log_warn("reload: durability settings changed: they take effect at restart");
	if (memcmp(&old->fpm, &new->fpm, sizeof(old->fpm)))
		log_warn("reload: feeds.fpm changed: takes effect at restart");
	if (old->n_kernel != new->n_kernel ||
	    memcmp(old->kernel, new->kernel, sizeof(old->kernel)))
		log_warn("reload: feeds.kernel changed: takes effect at restart");
	if (strcmp(old->metrics_listen.text, new->metrics_listen.text))
		log_warn("reload: metrics.listen changed to \"%s\": takes effect at restart",
			 new->metrics_listen.text);
}

int routed_reload(struct routed *d, char *err, size_t errlen)
{
	struct runtime *rt = runtime_of(d);
	struct routed_config *cfg;
	const struct routed_config *old = d->config;
	struct rt_route *routes = NULL;
	size_t n_routes = 0;

	notify_reloading();
	log_info("reloading %s", d->config_path ? d->config_path : "the built-in configuration");
	/* Reading and checking happen before the gate: lookups go on meanwhile. */
	cfg = routed_config_load(d->config_path, d->overrides, err, errlen);
	if (!cfg || read_route_files(cfg, &routes, &n_routes, err, errlen))
		goto fail;
	/* New sockets and threads, which may fail: nothing has changed yet. */
	if (udp_prepare(d->udp, cfg, err, errlen))
		goto fail;
	/*
	 * Applying is one reconfiguration: lookup batches see the tables, the
	 * routes of the files, the listeners and the limits all as before or
	 * all as after.
	 */
	reconf_begin(d, RECONF_RELOAD);
	if (add_config_tables(d, cfg, err, errlen))
		goto fail_inside;
	if (apply_route_files(rt, cfg, routes, n_routes, err, errlen))
		goto fail_inside_applied;
	warn_restart_only(old, cfg);
	log_set_level(cfg->log_level);
	d->config = cfg;
	control_reconfigure(d->control, cfg);
	udp_commit(d->udp);
	reconf_end(d);
	/* Workers let go of the old sockets before they close. */
	udp_finish(d->udp);
	routed_config_free(rt->reloaded);	/* old, unless it was main()'s */
	rt->reloaded = cfg;
	d->counters.reloads++;
	log_notice("configuration reloaded");
	notify_ready("ready: %llu routes in %zu tables (reloaded)",
		     (unsigned long long)total_routes(d), tables_count(d->tables));
	return 0;
fail_inside:
	free(routes);
fail_inside_applied:
	reconf_end(d);
	udp_abort(d->udp);
	goto fail_outside;
fail:
	free(routes);
fail_outside:
	/* Tables a failed reload created stay: they are empty and harmless. */
	routed_config_free(cfg);
	d->counters.reload_failures++;
	log_err("reload failed, keeping the running configuration: %s", err);
	notify_ready("ready: reload failed: %s", err);
	return -1;
}

/*
 * The state directory holds nothing yet that routed cannot do without:
 * create it if it is missing, and say so if that fails.
 */
static void prepare_state_dir(const char *dir)
{
	if (mkdir(dir, 0750) == 0)
		log_info("created state directory %s", dir);
	else if (errno != EEXIST)
		log_warn("state directory %s: %s", dir, strerror(errno));
}

/*
 * The durable state recovered from the state directory, over the route
 * files: tables created at run time first, then the routes. Routes whose
 * table no longer exists or whose protocol is no longer persistent are
 * skipped and counted in the log.
 */
static int apply_recovered(struct routed *d, char *err, size_t errlen)
{
	const struct rt_durable *s = persist_recovered(d->persist);
	size_t nt = s ? rt_durable_tables(s, NULL, NULL, 0) : 0, n, kept = 0;
	uint32_t *ids = NULL;
	char(*names)[RT_DURABLE_NAME_LEN] = NULL;
	const struct rt_route *all;
	struct rt_route *routes = NULL;
	unsigned long long no_table = 0, soft = 0;
	int rc = 0;

	if (!s)
		return 0;
	n = rt_durable_count(s);
	ids = calloc(nt ? nt : 1, sizeof(*ids));
	names = calloc(nt ? nt : 1, sizeof(*names));
	if (!ids || !names) {
		rc = -ENOMEM;
		snprintf(err, errlen, "durability: %s", strerror(ENOMEM));
		goto out;
	}
	rt_durable_tables(s, ids, names, nt);
	for (size_t i = 0; i < nt; i++) {
		if (tables_get(d->tables, ids[i]))
			continue;
		rc = routes_create_table(d, ids[i], names[i][0] ? names[i] : NULL);
		if (rc == -EEXIST && names[i][0]) {
			log_warn("durability: table %u: the name '%s' is taken; created unnamed",
				 ids[i], names[i]);
			rc = routes_create_table(d, ids[i], NULL);
		}
		if (rc)
			log_warn("durability: table %u cannot be created again: %s", ids[i],
				 strerror(-rc));
		rc = 0;
	}
	all = rt_durable_routes(s);
	for (size_t i = 0; i < n; i++) {
		if (!tables_get(d->tables, all[i].table))
			no_table++;
		else if (!persist_protocol(d->persist, all[i].proto))
			soft++;
	}
	/* All kept (the usual case): the set's routes load in place, not a copy (96 bytes a route). */
	kept = n - no_table - soft;
	if (kept < n) {
		routes = malloc((kept ? kept : 1) * sizeof(*routes));
		if (!routes) {
			rc = -ENOMEM;
			snprintf(err, errlen, "durability: %s", strerror(ENOMEM));
			goto out;
		}
		for (size_t i = 0, k = 0; i < n; i++)
			if (tables_get(d->tables, all[i].table) &&
			    persist_protocol(d->persist, all[i].proto))
				routes[k++] = all[i];
	}
	if (no_table || soft)
		log_warn("durability: %llu recovered routes skipped: %llu in tables that no longer "
			 "exist, %llu of protocols no longer persistent", no_table + soft, no_table,
			 soft);
	if (kept) {
		struct load_request req = { .routes = routes ? routes : all, .n_routes = kept };
		struct load_result res = { 0 };

		notify_status("recovering: applying %zu routes", kept);
		rc = load_apply(d, &req, &res, err, errlen);
		load_result_release(&res);
		if (rc)
			goto out;
	}
	persist_recovered_applied(d->persist, kept);
out:
	free(ids);
	free(names);
	free(routes);
	return rc;
}

static void stopped(void *arg)
{
	struct runtime *rt = arg;

	event_base_loopexit(rt->d.base, NULL);
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
	struct runtime *rt = arg;
	struct signalfd_siginfo si;
	char err[1024];

	(void)what;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			if (!rt->stopping)
				routed_reload(&rt->d, err, sizeof(err));
			break;
		case SIGTERM:
		case SIGINT:
			if (rt->stopping)
				break;
			rt->stopping = true;
			log_notice("signal %s: stopping", strsignal((int)si.ssi_signo));
			notify_stopping();
			/* persist stays open until the loop ends: its syncs release the
			 * answers the connections still hold before they close. */
			control_shutdown(rt->d.control, stopped, rt);
			break;
		}
	}
}

/* From the control loop, never a side thread: a wedged loop must starve it. */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify_watchdog();
}

static void on_reclaim_tick(evutil_socket_t fd, short what, void *arg)
{
	struct runtime *rt = arg;
	uint32_t id;

	(void)fd;
	(void)what;
	for (int rc = tables_seek(rt->d.tables, 0, &id); !rc;
	     rc = id == UINT32_MAX ? -ENOENT : tables_seek(rt->d.tables, id + 1, &id))
		rt_table_reclaim_flush(tables_get(rt->d.tables, id));
}

static int setup_events(struct runtime *rt, char *err, size_t errlen)
{
	struct timeval tick = { 0, RECLAIM_TICK_MS * 1000 };
	uint64_t wd_usec = notify_watchdog_usec();
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	rt->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (rt->signal_fd < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		return -1;
	}
	rt->signal_ev = event_new(rt->d.base, rt->signal_fd, EV_READ | EV_PERSIST, on_signal, rt);
	rt->reclaim_ev = event_new(rt->d.base, -1, EV_PERSIST, on_reclaim_tick, rt);
	if (!rt->signal_ev || !rt->reclaim_ev || event_add(rt->signal_ev, NULL) ||
	    event_add(rt->reclaim_ev, &tick))
		goto nomem;
	if (wd_usec) {
		struct timeval half = { (time_t)(wd_usec / 2 / 1000000),
					(suseconds_t)(wd_usec / 2 % 1000000) };

		rt->watchdog_ev = event_new(rt->d.base, -1, EV_PERSIST, on_watchdog, rt);
		if (!rt->watchdog_ev || event_add(rt->watchdog_ev, &half))
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "event loop: %s", strerror(ENOMEM));
	return -1;
}

/* The kernel table mirrors: each dumps its table, then follows it (feed_kernel.h). */
static int start_kernel_mirrors(struct routed *d, const struct routed_config *config, char *err,
				size_t errlen)
{
	if (!config->n_kernel)
		return 0;
	d->kernel = calloc(config->n_kernel, sizeof(*d->kernel));
	if (!d->kernel) {
		snprintf(err, errlen, "feeds.kernel: %s", strerror(ENOMEM));
		return -1;
	}
	for (unsigned i = 0; i < config->n_kernel; i++) {
		d->kernel[i] = feed_kernel_start(d, &config->kernel[i], err, errlen);
		if (!d->kernel[i])
			return -1;
		d->n_kernel++;
	}
	return 0;
}

static void teardown(struct runtime *rt)
{
	/* First: a scrape reads everything below. */
	metrics_stop(rt->d.metrics);
	rt->d.metrics = NULL;
	feed_fpm_stop(rt->d.fpm);
	rt->d.fpm = NULL;
	for (unsigned i = 0; i < rt->d.n_kernel; i++)
		feed_kernel_stop(rt->d.kernel[i]);
	feed_push_free_all(&rt->d);
	free(rt->d.kernel);
	rt->d.kernel = NULL;
	rt->d.n_kernel = 0;
	udp_destroy(rt->d.udp);
	/* After the workers (its readers), outside any read-side section. */
	gate_destroy(rt->d.gate);
	/*
	 * Held answers went out during control_shutdown(), while the loop ran
	 * and persist synced them; nothing can be written any more, so what
	 * a forced stop left goes with the connections, before the journal's
	 * last sync and close.
	 */
	if (rt->d.control)
		control_destroy(rt->d.control);
	persist_close(rt->d.persist);
	rt->d.persist = NULL;
	/* After the connections: closing one ends its transaction. */
	txn_registry_destroy(rt->d.txns);
	change_stream_destroy(rt->d.changes);
	reconf_destroy(rt->d.reconf);
	tables_destroy(rt->d.tables);
	if (rt->watchdog_ev)
		event_free(rt->watchdog_ev);
	if (rt->reclaim_ev)
		event_free(rt->reclaim_ev);
	if (rt->signal_ev)
		event_free(rt->signal_ev);
	if (rt->signal_fd >= 0)
		close(rt->signal_fd);
	if (rt->d.base)
		event_base_free(rt->d.base);
	routed_config_free(rt->reloaded);
	free(rt->file_keys);
	notify_close();
	rt_reader_unregister();
}

int routed_run(const struct options *opts, const struct routed_config *config)
{
	struct runtime rt = { .signal_fd = -1 };
	struct routed *d = &rt.d;
	struct rt_route *routes;
	size_t n_routes;
	char err[1024];
	int status = 1;

	log_init();
	log_set_level(config->log_level);
	/* A client gone mid-write is an EPIPE for the connection, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	notify_init();
	/* The control thread runs route.lookup: it reads the tables too. */
	rt_reader_register();

	d->started_ns = rt_clock_ns();
	d->started_wall = time(NULL);
	d->config = config;
	/* Absolute, as config_load resolved it: reload must find the same file. */
	snprintf(rt.config_path, sizeof(rt.config_path), "%s", config->path);
	d->config_path = opts->config_file ? rt.config_path : NULL;
	d->overrides = &opts->overrides;
	d->base = event_base_new();
	d->tables = tables_create();
	d->changes = change_stream_create();
	d->reconf = reconf_create();
	d->txns = txn_registry_create();
	if (!d->base || !d->tables || !d->changes || !d->reconf || !d->txns) {
		log_err("start: %s", strerror(ENOMEM));
		goto out;
	}
	if (setup_events(&rt, err, sizeof(err)) || add_config_tables(d, config, err, sizeof(err)))
		goto fail;
	/* Every method in stats' control.methods from the start; methods.c asserts they fit. */
	(void)rpc_count_methods(d, methods_at);
	/* Listen before loading: clients wait in the backlog rather than fail. */
	d->control = control_create(d, &methods_control_ops, err, sizeof(err));
	if (!d->control)
		goto fail;
	/* The workers are the gate's readers: it exists before them. */
	d->gate = gate_create();
	if (!d->gate) {
		snprintf(err, sizeof(err), "reconfiguration gate: %s", strerror(errno));
		goto fail;
	}
	if (config->metrics_listen.text[0]) {
		d->metrics = metrics_start(d, &config->metrics_listen, err, sizeof(err));
		if (!d->metrics)
			goto fail;
	}
	prepare_state_dir(config->state_dir);
	d->persist = persist_open(d, config, opts->journal_truncate, err, sizeof(err));
	if (!d->persist)
		goto fail;
	d->udp = udp_create(d);
	if (!d->udp) {
		snprintf(err, sizeof(err), "lookup service: %s", strerror(errno));
		goto fail;
	}
	if (udp_prepare(d->udp, config, err, sizeof(err)))
		goto fail;
	gate_write_enter(d->gate);
	udp_commit(d->udp);
	gate_write_leave(d->gate);
	udp_finish(d->udp);
	if (read_route_files(config, &routes, &n_routes, err, sizeof(err)) ||
	    apply_route_files(&rt, config, routes, n_routes, err, sizeof(err)) ||
	    apply_recovered(d, err, sizeof(err)))
		goto fail;
	/* After the durable routes: the feed's go over them, never under. */
	if (config->fpm.enabled) {
		d->fpm = feed_fpm_start(d, &config->fpm, err, sizeof(err));
		if (!d->fpm)
			goto fail;
	}
	if (start_kernel_mirrors(d, config, err, sizeof(err)))
		goto fail;

	if (rt_rcu_has_membarrier())
		log_info("RCU grace periods use membarrier(2) (private expedited)");
	else
		log_warn("membarrier(2) is refused (old kernel or seccomp filter): RCU grace periods "
			 "fall back to a memory barrier in every lookup's read-side section");
	log_notice("ready: %llu routes in %zu tables, control socket %s, %u lookup threads",
		   (unsigned long long)total_routes(d), tables_count(d->tables),
		   config->control_socket, d->threads);
	notify_ready("ready: %llu routes in %zu tables", (unsigned long long)total_routes(d),
		     tables_count(d->tables));
	if (event_base_dispatch(d->base) < 0)
		log_err("event loop failed");
	else
		status = 0;
	log_info("stopped");
	goto out;
fail:
	log_err("%s", err);
out:
	teardown(&rt);
	return status;
}
