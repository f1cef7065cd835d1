/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration schema: one table of keys giving each key's type,
 * range, default, command-line option and place in struct routed_config.
 * The table's order is the order of routed_config_to_json(). See
 * routed.conf(5).
 */
#ifndef ROUTED_DAEMON_CONFIG_SCHEMA_H
#define ROUTED_DAEMON_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum config_key_type {
	KT_ABS_PATH,	/* absolute path: char[size] at offset */
	KT_GROUP,	/* group name or "": char[size] at offset, gid_t at offset_gid */
	KT_MODE,	/* octal string "0660" in 0..max: mode_t at offset */
	KT_UINT,	/* integer in min..max: unsigned or size_t (by size) at offset */
	KT_LOG_LEVEL,	/* level name: int (syslog priority) at offset */
	KT_LISTEN,	/* array of at most max "ADDR:PORT" or {address, table}: listen[] */
	KT_TABLES,	/* array of at most max {id, name}: tables[], n_tables */
	KT_ROUTE_FILES, /* array of at most max paths: route_files[], n_route_files */
	KT_FSYNC,	/* "always", "batch" or "none": int at offset */
	KT_PROTOCOLS,	/* array of at most max protocol names: persistent[], n_persistent */
	KT_ADDRESS,	/* "ADDR:PORT" or "" (off): struct config_listen at offset */
	KT_FEED_FPM,	/* null (off) or {listen, peers, ...}: struct config_fpm at offset */
	KT_FEED_KERNEL,	/* array of {kernel_table, table, rcvbuf}: kernel[], n_kernel */
};

struct config_key {
	const char *section; /* NULL: top level */
	const char *name;
	enum config_key_type type;
	unsigned long long min, max;
	const char *dflt;	  /* the default as JSON text, or NULL: */
	json_t *(*dflt_fn)(void); /* computed default; NULL if it cannot be */
	const char *option;	  /* the routed(8) option that overrides it */
	size_t offset, size, offset_gid;
};

extern const struct config_key config_schema_keys[];
extern const size_t config_schema_nkeys;

/* Whether name is a section ("control", "lookup", ...). */
bool config_schema_is_section(const char *name);
/* Whether section (NULL: the top level) has a key name. */
bool config_schema_known(const char *section, const char *name);
/* The valid keys of section (NULL: the top level and the sections), for messages. */
void config_schema_valid_keys(const char *section, char *buf, size_t len);

#endif
