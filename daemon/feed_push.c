/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pushed feeds: generations, sweeps and owned routes (feed_push.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <routed/rtnl_proto.h>

#include "daemon.h"
#include "feed_batch.h"
#include "feed_push.h"

struct feed_push {
	struct feed_push *next;
	char name[FEED_PUSH_NAME_MAX + 1];
	struct feed_routes *owned;
	struct feed_batch batch;	/* reused from push to push */
	uint32_t generation;
	bool syncing;			/* between a "begin" and its "end" */
	uint64_t pushes, upserts, removals, sweeps;
	time_t last_push;
	json_t *status;			/* the program's last status object, or NULL */
};

struct feed_push *feed_push_get(struct routed *d, const char *name)
{
	struct feed_push *f;
	unsigned n = 0;

	for (f = d->pushed; f; f = f->next, n++)
		if (!strcmp(f->name, name))
			return f;
	if (n >= FEED_PUSH_MAX) {
		errno = ENOSPC;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->owned = feed_routes_create();
	if (!f->owned) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	/* Appended: feed.list shows them in the order they came. */
	struct feed_push **tail = &d->pushed;

	while (*tail)
		tail = &(*tail)->next;
	*tail = f;
	return f;
}

static int push_changes(struct feed_push *f, const struct feed_push_request *req,
			struct feed_push_result *res, char *err, size_t errlen)
{
	struct feed_change *c;
	uint64_t seq = 0;
	size_t i;
	int rc;

	for (i = 0; i < req->n_removals; i++) {
		rc = feed_batch_push(&f->batch, &c);
		if (rc)
			return rc;
		c->key = req->removals[i];
		c->seq = seq++;
		c->del = true;
	}
	for (i = 0; i < req->n_routes; i++) {
		const struct rt_route *r = &req->routes[i];
		uint8_t proto;

		if (rtnl_proto_number(r->proto, &proto)) {
			res->bad_route = i;
			snprintf(err, errlen, "proto '%s' is not an rtnetlink protocol name", r->proto);
			return -EINVAL;
		}
		rc = feed_batch_push(&f->batch, &c);
		if (rc)
			return rc;
		c->key = (struct feed_route_key){ .table = r->table, .metric = r->metric,
						  .prefix = r->prefix };
		c->seq = seq++;
		c->usable = true;
		c->proto = proto;
		c->route = *r;
	}
	(void)errlen;
	return 0;
}

/* A sweep: every owned route of an older generation becomes a removal. */
static int stale_change(const struct feed_route_key *key, uint8_t proto, void *arg)
{
	struct feed_push *f = arg;
	struct feed_change *c;
	int rc = feed_batch_push(&f->batch, &c);

	(void)proto;
	if (rc)
		return rc;
	c->key = *key;
	c->seq = f->batch.n;
	c->del = true;
	return 0;
}

static int apply_batch(struct routed *d, struct feed_push *f, struct feed_push_result *res,
		       char *err, size_t errlen)
{
	struct feed_batch_counts counts;
	int rc = feed_batch_apply(d, &f->batch, f->owned, f->generation, false, &counts, err,
				  errlen);

	if (rc)
		return rc;
	res->upserts += counts.upserts;
	res->removals += counts.removals;
	f->upserts += counts.upserts;
	f->removals += counts.removals;
	return 0;
}

int feed_push_apply(struct routed *d, struct feed_push *f, const struct feed_push_request *req,
		    struct feed_push_result *res, char *err, size_t errlen)
{
	int rc;

	memset(res, 0, sizeof(*res));
	f->pushes++;
	f->last_push = time(NULL);
	if (req->status) {
		json_decref(f->status);
		f->status = json_incref(req->status);
	}
	if (req->sync == FEED_PUSH_BEGIN || req->sync == FEED_PUSH_FULL) {
		f->generation++;
		f->syncing = true;
	}
	rc = push_changes(f, req, res, err, errlen);
	if (!rc)
		rc = apply_batch(d, f, res, err, errlen);
	if (!rc && (req->sync == FEED_PUSH_END || req->sync == FEED_PUSH_FULL)) {
		rc = feed_routes_older(f->owned, f->generation, stale_change, f);
		if (!rc)
			rc = apply_batch(d, f, res, err, errlen);
		if (!rc) {
			f->syncing = false;
			f->sweeps++;
		}
	}
	if (rc == -ENOMEM && !err[0])
		snprintf(err, errlen, "%s", strerror(ENOMEM));
	feed_batch_clear(&f->batch);
	res->generation = f->generation;
	res->routes = feed_routes_count(f->owned);
	return rc;
}

static json_t *push_json(const struct feed_push *f)
{
	json_t *messages = json_object_get(f->status, "messages");
	json_t *errors = json_object_get(f->status, "errors");

	/* The program's own counters, where metrics and routectl look for every feed's. */
	errors = json_is_object(errors) ? json_deep_copy(errors) : json_object();
	if (!errors)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:O?}",
			 "name", f->name, "type", "push", "state",
			 f->syncing ? "syncing" : "synced", "generation",
			 (json_int_t)f->generation, "routes",
			 (json_int_t)feed_routes_count(f->owned), "pushes", (json_int_t)f->pushes,
			 "upserts", (json_int_t)f->upserts, "removals", (json_int_t)f->removals,
			 "sweeps", (json_int_t)f->sweeps, "last_push",
			 f->last_push ? json_integer((json_int_t)f->last_push) : json_null(),
			 "messages", json_is_integer(messages) ? json_integer_value(messages) : 0,
			 "errors", errors,
			 "status", f->status);
}

int feed_push_list_json(const struct routed *d, json_t *list)
{
	for (const struct feed_push *f = d->pushed; f; f = f->next)
		if (json_array_append_new(list, push_json(f)))
			return -ENOMEM;
	return 0;
}

void feed_push_free_all(struct routed *d)
{
	struct feed_push *f = d->pushed, *next;

	for (; f; f = next) {
		next = f->next;
		feed_routes_destroy(f->owned);
		feed_batch_free(&f->batch);
		json_decref(f->status);
		free(f);
	}
	d->pushed = NULL;
}
