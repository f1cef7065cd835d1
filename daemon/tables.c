/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include <routed/rcu.h>
#include <routed/route.h>
#include <routed/table.h>

#include "tables.h"
#include "wlock.h"

struct table_entry {
	uint32_t id;
	char name[TABLES_NAME_MAX + 1];	/* "" = no name */
	struct rt_table *table;
};

/* Immutable once published: a new one replaces it for every change. */
struct table_set {
	uint64_t version;		/* one more than the set it replaced */
	size_t n;
	struct table_entry entries[];	/* sorted by id */
};

struct tables {
	/*
	 * Serializes the changes of set and the control thread's reads of it
	 * (lookups use RCU instead). Held across set_publish()'s grace
	 * period, so never taken inside a read-side section.
	 */
	struct wlock lock;
	struct table_set *set;		/* RCU-published under lock */
};

/* The control thread's view of the set, under ts->lock. */
static struct table_set *set_locked(struct tables *ts)
{
	return wlock_dereference(ts->set, &ts->lock);
}

bool tables_name_valid(const char *name)
{
	bool digits_only = true;
	size_t len = 0;

	for (const char *c = name; *c; c++, len++) {
		bool digit = *c >= '0' && *c <= '9';
		bool alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z');

		if (!digit && !alpha && *c != '_' && *c != '.' && *c != '-')
			return false;
		if (!digit)
			digits_only = false;
	}
	return len >= 1 && len <= TABLES_NAME_MAX && !digits_only;
}

static struct table_set *set_alloc(size_t n)
{
	struct table_set *s = calloc(1, sizeof(*s) + n * sizeof(s->entries[0]));

	if (s)
		s->n = n;
	return s;
}

/* Index of the first entry with id >= id. */
static size_t set_search(const struct table_set *s, uint32_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->entries[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct table_entry *set_find(const struct table_set *s, uint32_t id)
{
	size_t i = set_search(s, id);

	return i < s->n && s->entries[i].id == id ? &s->entries[i] : NULL;
}

/*
 * Under ts->lock: publish a new set and free the old one once no reader
 * can hold it. rcu_xchg_pointer() has release semantics: it pairs with the
 * rcu_dereference() in tables_lookup_rcu(), so a reader that sees the new
 * array also sees its entries fully written. synchronize_rcu() waits for
 * every read-side section that may have loaded the old pointer to end.
 */
static void set_publish(struct tables *ts, struct table_set *s)
{
	struct table_set *old;

	s->version = set_locked(ts)->version + 1;
	old = rcu_xchg_pointer(&ts->set, s);

	rt_rcu_synchronize();
	free(old);
}

struct tables *tables_create(void)
{
	struct tables *ts = calloc(1, sizeof(*ts));
	struct table_set *s = set_alloc(1);

	if (!ts || !s)
		goto fail;
	s->entries[0].id = RT_TABLE_MAIN;
	strcpy(s->entries[0].name, RT_TABLE_NAME_MAIN);
	s->entries[0].table = rt_table_create(RT_TABLE_MAIN);
	if (!s->entries[0].table)
		goto fail;
	wlock_init(&ts->lock);
	/* Not shared yet: a plain store is enough. */
	ts->set = s;
	return ts;
fail:
	free(s);
	free(ts);
	return NULL;
}

void tables_destroy(struct tables *ts)
{
	struct table_set *s;

	if (!ts)
		return;
	wlock_lock(&ts->lock);
	s = set_locked(ts);
	for (size_t i = 0; i < s->n; i++)
		rt_table_destroy(s->entries[i].table);
	free(s);
	wlock_unlock(&ts->lock);
	wlock_destroy(&ts->lock);
	free(ts);
}

static bool name_taken(const struct table_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->entries[i].name, name))
			return true;
	return false;
}

static int add_locked(struct tables *ts, uint32_t id, const char *name)
{
	const struct table_set *cur = set_locked(ts);
	struct table_set *s;
	size_t pos;

	if (id == 0 || (name && !tables_name_valid(name)))
		return -EINVAL;
	if (set_find(cur, id) || (name && name_taken(cur, name)))
		return -EEXIST;
	if (cur->n >= TABLES_MAX)
		return -ENOSPC;
	s = set_alloc(cur->n + 1);
	if (!s)
		return -ENOMEM;
	pos = set_search(cur, id);
	memcpy(s->entries, cur->entries, pos * sizeof(s->entries[0]));
	memcpy(s->entries + pos + 1, cur->entries + pos, (cur->n - pos) * sizeof(s->entries[0]));
	s->entries[pos].id = id;
	if (name)
		strcpy(s->entries[pos].name, name);
	s->entries[pos].table = rt_table_create(id);
	if (!s->entries[pos].table) {
		free(s);
		return -ENOMEM;
	}
	set_publish(ts, s);
	return 0;
}

int tables_add(struct tables *ts, uint32_t id, const char *name)
{
	int rc;

	wlock_lock(&ts->lock);
	rc = add_locked(ts, id, name);
	wlock_unlock(&ts->lock);
	return rc;
}

static struct rt_table *remove_locked(struct tables *ts, uint32_t id, int *error)
{
	const struct table_set *cur = set_locked(ts);
	const struct table_entry *e = set_find(cur, id);
	struct rt_table *victim;
	struct table_set *s;
	size_t pos;

	if (!e || id == RT_TABLE_MAIN) {
		*error = !e ? -ENOENT : -EPERM;
		return NULL;
	}
	s = set_alloc(cur->n - 1);
	if (!s) {
		*error = -ENOMEM;
		return NULL;
	}
	pos = (size_t)(e - cur->entries);
	victim = e->table;
	memcpy(s->entries, cur->entries, pos * sizeof(s->entries[0]));
	memcpy(s->entries + pos, cur->entries + pos + 1,
	       (cur->n - pos - 1) * sizeof(s->entries[0]));
	/*
	 * After set_publish()'s grace period no reader can still be inside a
	 * lookup that found the victim through the old array: destroying it
	 * is then safe (rt_table_destroy's contract), now or later.
	 */
	set_publish(ts, s);
	*error = 0;
	return victim;
}

struct rt_table *tables_remove(struct tables *ts, uint32_t id, int *error)
{
	struct rt_table *victim;

	wlock_lock(&ts->lock);
	victim = remove_locked(ts, id, error);
	wlock_unlock(&ts->lock);
	return victim;
}

int tables_delete(struct tables *ts, uint32_t id)
{
	int rc;
	struct rt_table *victim = tables_remove(ts, id, &rc);

	rt_table_destroy(victim);
	return rc;
}

struct rt_table *tables_get(struct tables *ts, uint32_t id)
{
	const struct table_entry *e;
	struct rt_table *t;

	wlock_lock(&ts->lock);
	e = set_find(set_locked(ts), id);
	t = e ? e->table : NULL;
	wlock_unlock(&ts->lock);
	return t;
}

struct rt_table *tables_lookup_rcu(struct tables *ts, uint32_t id)
{
	/*
	 * Pairs with rcu_xchg_pointer() in set_publish(): the entries of the
	 * array we load were written before it was published. The array stays
	 * allocated until our read-side section ends.
	 */
	const struct table_set *s = rcu_dereference(ts->set);
	const struct table_entry *e = set_find(s, id);

	return e ? e->table : NULL;
}

uint64_t tables_version_rcu(struct tables *ts)
{
	/* Pairs with rcu_xchg_pointer() in set_publish(), as above. */
	const struct table_set *s = rcu_dereference(ts->set);

	return s->version;
}

const char *tables_name(struct tables *ts, uint32_t id)
{
	const struct table_entry *e;
	const char *name;

	wlock_lock(&ts->lock);
	e = set_find(set_locked(ts), id);
	/* Stays valid until the next change: only the control thread makes one. */
	name = e && e->name[0] ? e->name : NULL;
	wlock_unlock(&ts->lock);
	return name;
}

static int resolve_locked(const struct table_set *s, const char *name, uint32_t *id)
{
	char *end;
	unsigned long v;

	if (name[0] >= '0' && name[0] <= '9') {
		errno = 0;
		v = strtoul(name, &end, 10);
		if (!errno && !*end && v <= UINT32_MAX && (name[0] != '0' || !name[1]) &&
		    set_find(s, (uint32_t)v)) {
			*id = (uint32_t)v;
			return 0;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->entries[i].name[0] && !strcmp(s->entries[i].name, name)) {
			*id = s->entries[i].id;
			return 0;
		}
	}
	return -ENOENT;
}

int tables_resolve(const char *name, uint32_t *id, void *tables)
{
	struct tables *ts = tables;
	int rc;

	wlock_lock(&ts->lock);
	rc = resolve_locked(set_locked(ts), name, id);
	wlock_unlock(&ts->lock);
	return rc;
}

size_t tables_count(struct tables *ts)
{
	size_t n;

	wlock_lock(&ts->lock);
	n = set_locked(ts)->n;
	wlock_unlock(&ts->lock);
	return n;
}

int tables_seek(struct tables *ts, uint32_t min_id, uint32_t *id)
{
	const struct table_set *s;
	size_t i;
	int rc = -ENOENT;

	wlock_lock(&ts->lock);
	s = set_locked(ts);
	i = set_search(s, min_id);
	if (i < s->n) {
		*id = s->entries[i].id;
		rc = 0;
	}
	wlock_unlock(&ts->lock);
	return rc;
}
