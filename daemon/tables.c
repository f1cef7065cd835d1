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
	/* Written by the control thread only; read by anyone under RCU. */
	struct table_set *set;
};

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
 * Publish a new set and free the old one once no reader can hold it.
 * rcu_xchg_pointer() has release semantics: it pairs with the
 * rcu_dereference() in tables_lookup_rcu(), so a reader that sees the new
 * array also sees its entries fully written. synchronize_rcu() waits for
 * every read-side section that may have loaded the old pointer to end.
 */
static void set_publish(struct tables *ts, struct table_set *s)
{
	struct table_set *old;

	s->version = ts->set->version + 1;
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
	if (!ts)
		return;
	for (size_t i = 0; i < ts->set->n; i++)
		rt_table_destroy(ts->set->entries[i].table);
	free(ts->set);
	free(ts);
}

static bool name_taken(const struct table_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->entries[i].name, name))
			return true;
	return false;
}

int tables_add(struct tables *ts, uint32_t id, const char *name)
{
	/* The control thread is the only writer: it reads the set without RCU. */
	const struct table_set *cur = ts->set;
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

struct rt_table *tables_remove(struct tables *ts, uint32_t id, int *error)
{
	const struct table_set *cur = ts->set;
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

int tables_delete(struct tables *ts, uint32_t id)
{
	int rc;
	struct rt_table *victim = tables_remove(ts, id, &rc);

	rt_table_destroy(victim);
	return rc;
}

struct rt_table *tables_get(struct tables *ts, uint32_t id)
{
	const struct table_entry *e = set_find(ts->set, id);

	return e ? e->table : NULL;
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

const char *tables_name(const struct tables *ts, uint32_t id)
{
	const struct table_entry *e = set_find(ts->set, id);

	return e && e->name[0] ? e->name : NULL;
}

int tables_resolve(const char *name, uint32_t *id, void *tables)
{
	const struct table_set *s = ((struct tables *)tables)->set;
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

size_t tables_count(const struct tables *ts)
{
	return ts->set->n;
}

int tables_seek(const struct tables *ts, uint32_t min_id, uint32_t *id)
{
	size_t i = set_search(ts->set, min_id);

	if (i == ts->set->n)
		return -ENOENT;
	*id = ts->set->entries[i].id;
	return 0;
}
