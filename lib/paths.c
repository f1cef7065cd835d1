/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <routed/paths.h>

const char *rt_default_control_socket(char *buf, size_t len)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	int n;

	/* RuntimeDirectory= may list several, separated by ':': the first is ours. */
	if (dir && *dir)
		n = snprintf(buf, len, "%.*s/control.sock", (int)strcspn(dir, ":"), dir);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/run/routed/control.sock");
	else if ((dir = getenv("XDG_RUNTIME_DIR")) && *dir)
		n = snprintf(buf, len, "%s/routed/control.sock", dir);
	else
		n = snprintf(buf, len, "/tmp/routed-%u/control.sock", (unsigned)geteuid());
	return n > 0 && (size_t)n < len ? buf : NULL;
}
