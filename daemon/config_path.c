/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Key paths: "tables[3].name". */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <stdio.h>

#include "config_path.h"

struct config_path config_path_key(struct config_path p, const char *key)
{
	if (p.depth < sizeof(p.at) / sizeof(p.at[0])) {
		p.at[p.depth].key = key;
		p.at[p.depth].index = 0;
		p.depth++;
	}
	return p;
}

struct config_path config_path_index(struct config_path p, size_t index)
{
	if (p.depth < sizeof(p.at) / sizeof(p.at[0])) {
		p.at[p.depth].key = NULL;
		p.at[p.depth].index = index;
		p.depth++;
	}
	return p;
}

void config_path_format(const struct config_path *p, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < p->depth && used < len; i++) {
		int n;

		if (p->at[i].key)
			n = snprintf(buf + used, len - used, "%s%s", i ? "." : "", p->at[i].key);
		else
			n = snprintf(buf + used, len - used, "[%zu]", p->at[i].index);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}
