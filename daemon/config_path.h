/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a value sits in the configuration file: "tables[3].name" is the
 * path tables, 3, name. Error messages name values by their path, and the
 * locator (config_file.h) finds a path's line and column.
 */
#ifndef ROUTED_DAEMON_CONFIG_PATH_H
#define ROUTED_DAEMON_CONFIG_PATH_H

#include <stddef.h>

struct config_path {
	unsigned depth;
	struct {
		const char *key; /* NULL: an array element */
		size_t index;
	} at[4];
};

/* p with one more step: the member key / the element index (deeper steps are dropped). */
struct config_path config_path_key(struct config_path p, const char *key);
struct config_path config_path_index(struct config_path p, size_t index);

/* "tables[3].name" in buf, truncated to len. */
void config_path_format(const struct config_path *p, char *buf, size_t len);

#endif
