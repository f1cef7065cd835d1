/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Protocol names are interned into a small global table (id 0 is unused),
 * so a stored route holds one byte instead of a string. Names are never
 * removed; 255 distinct names at most.
 */
#ifndef ROUTED_ROUTE_INT_H
#define ROUTED_ROUTE_INT_H

#include <stdint.h>

/* The id of name, interning it if new: 1..255, or -EINVAL / -ENOSPC. */
int proto_intern(const char *name);
/* The id of name if interned, else 0 (no interning). */
int proto_find(const char *name);
/* The name of an id returned by proto_intern(). Safe from readers. */
const char *proto_name(uint8_t id);

#endif
