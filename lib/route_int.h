/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Protocol names are interned into a small global table (id 0 is unused),
 * so a stored route holds one byte instead of a string. Names are never
 * removed; 255 distinct names at most.
 */
#ifndef ROUTED_ROUTE_INT_H
#define ROUTED_ROUTE_INT_H

#include <stdint.h>

#include <routed/route.h>

/* The id of name, interning it if new: 1..255, or -EINVAL / -ENOSPC. */
int proto_intern(const char *name);
/* The id of name if interned, else 0 (no interning). */
int proto_find(const char *name);
/*
 * rt_route_validate() but for the characters of the protocol name (its
 * length is checked): for a route whose name goes to proto_intern() next,
 * which checks the characters of a name it has not interned yet. 0 or
 * -EINVAL.
 */
int route_validate_uninterned(const struct rt_route *r);
/* The name of an id returned by proto_intern(). Safe from readers. */
const char *proto_name(uint8_t id);

#endif
