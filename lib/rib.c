/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"
#include "wlock.h"

void rib_init(struct rib *rib, int family, const struct wlock *lock)
{
	memset(rib, 0, sizeof(*rib));
	rib->lock = lock;
	rib->family = family;
	rib->bits = rt_family_bits(family);
}

static void free_subtree(struct rib *rib, struct rib_node *n,
			 void (*free_route)(void *arg, struct rib_route *r), void *arg)
{
	while (n) {
		struct rib_node *next = n->child[1];
		struct rib_route *r = n->routes, *rn;

		free_subtree(rib, n->child[0], free_route, arg);
		for (; r; r = rn) {
			rn = r->next;
			free_route(arg, r);
		}
		free(n);
		n = next;	/* iterate on one side to bound recursion by depth */
	}
}

void rib_fini(struct rib *rib, void (*free_route)(void *arg, struct rib_route *r), void *arg)
{
	free_subtree(rib, rib->root, free_route, arg);
	rib->root = NULL;
	rib->prefixes = rib->routes = rib->nodes = 0;
}

struct rib_node *rib_find(const struct rib *rib, rt_key key, unsigned len)
{
	struct rib_node *n = rib->root;

	while (n && n->len < len && key_match(n->key, key, n->len))
		n = n->child[key_bit(key, n->len)];
	if (n && n->len == len && key_match(n->key, key, len))
		return n;
	return NULL;
}

static struct rib_node *node_new(struct rib *rib, rt_key key, unsigned len, struct rib_node *parent)
{
	struct rib_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->key = key & key_mask(len);
	n->len = (uint8_t)len;
	n->parent = parent;
	rib->nodes++;
	return n;
}

struct rib_node *rib_insert(struct rib *rib, rt_key key, unsigned len)
{
	struct rib_node **pp = &rib->root, *parent = NULL, *n, *leaf, *glue;
	unsigned common;

	wlock_assert_held(rib->lock);
	key &= key_mask(len);
	while ((n = *pp)) {
		common = key_common_bits(n->key, key);
		if (common > n->len)
			common = n->len;
		if (common > len)
			common = len;
		if (common == n->len && n->len == len)
			return n;
		if (common == n->len) {
			parent = n;
			pp = &n->child[key_bit(key, n->len)];
			continue;
		}
		leaf = node_new(rib, key, len, parent);
		if (!leaf)
			return NULL;
		if (common == len) {
			/* The new prefix covers n: it takes n's place. */
			leaf->child[key_bit(n->key, len)] = n;
			n->parent = leaf;
			*pp = leaf;
			return leaf;
		}
		/* They diverge after common bits: join them under a glue node. */
		glue = node_new(rib, key, common, parent);
		if (!glue) {
			free(leaf);
			rib->nodes--;
			return NULL;
		}
		glue->child[key_bit(key, common)] = leaf;
		glue->child[key_bit(n->key, common)] = n;
		leaf->parent = glue;
		n->parent = glue;
		*pp = glue;
		return leaf;
	}
	leaf = node_new(rib, key, len, parent);
	if (leaf)
		*pp = leaf;
	return leaf;
}

static struct rib_node **slot_of(struct rib *rib, struct rib_node *n)
{
	if (!n->parent)
		return &rib->root;
	return &n->parent->child[n->parent->child[1] == n];
}

void rib_prune(struct rib *rib, struct rib_node *n)
{
	wlock_assert_held(rib->lock);
	while (n && !n->routes && !(n->child[0] && n->child[1])) {
		struct rib_node *child = n->child[0] ? n->child[0] : n->child[1];
		struct rib_node *parent = n->parent;

		*slot_of(rib, n) = child;
		if (child)
			child->parent = parent;
		free(n);
		rib->nodes--;
		/* A glue parent left with one child is no longer needed either. */
		n = parent;
	}
}

const struct rib_node *rib_locus(const struct rib *rib, rt_key key, unsigned depth, uint32_t *cover)
{
	const struct rib_node *n = rib->root;

	*cover = 0;
	while (n) {
		if (n->len >= depth)
			return key_match(n->key, key, depth) ? n : NULL;
		if (!key_match(n->key, key, n->len))
			return NULL;
		if (n->id)
			*cover = n->id;
		n = n->child[key_bit(key, n->len)];
	}
	return NULL;
}

struct walk_ctx {
	int from;
	rt_key from_key;
	unsigned from_len;
	rib_walk_fn fn;
	void *arg;
};

static int walk_node(const struct walk_ctx *w, const struct rib_node *n)
{
	for (; n; n = n->child[1]) {
		int rc;

		if (w->from) {
			/* Everything below n has an address <= its last address. */
			rt_key last = n->key | ~key_mask(n->len);

			if (last < w->from_key)
				return 0;
			if (n->routes && (n->key > w->from_key ||
					  (n->key == w->from_key && n->len >= w->from_len))) {
				rc = w->fn(n, w->arg);
				if (rc)
					return rc;
			}
		} else if (n->routes) {
			rc = w->fn(n, w->arg);
			if (rc)
				return rc;
		}
		rc = walk_node(w, n->child[0]);
		if (rc)
			return rc;
	}
	return 0;
}

int rib_walk(const struct rib *rib, int from, rt_key from_key, unsigned from_len,
	     rib_walk_fn fn, void *arg)
{
	struct walk_ctx w = {
		.from = from, .from_key = from_key, .from_len = from_len, .fn = fn, .arg = arg,
	};

	return walk_node(&w, rib->root);
}
