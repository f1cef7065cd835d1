/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routed: parse the command line, load and check the configuration, then
 * either report on it (--check-config, --print-config) or run the daemon.
 */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/routefile.h>

#include "routed_config.h"
#include "daemon.h"
#include "options.h"

static int print_config(const struct routed_config *cfg)
{
	json_t *j = routed_config_to_json(cfg);
	int rc = 1;

	if (!j) {
		fputs("routed: out of memory\n", stderr);
		return 1;
	}
	if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
	    fputc('\n', stdout) != EOF && fflush(stdout) == 0)
		rc = 0;
	else
		perror("routed: stdout");
	json_decref(j);
	return rc;
}

/* A route of a route file and where it came from, for the duplicate check. */
struct located_route {
	struct rt_route route;
	unsigned file;
	unsigned long line;
};

struct route_list {
	struct located_route *v;
	size_t n, alloc;
};

/* Their key (table, prefix, proto, metric), then their place in the files. */
static int located_cmp(const void *pa, const void *pb)
{
	const struct located_route *a = pa, *b = pb;
	int c;

	if (a->route.table != b->route.table)
		return a->route.table < b->route.table ? -1 : 1;
	c = rt_prefix_cmp(&a->route.prefix, &b->route.prefix);
	if (c)
		return c;
	c = rt_route_cmp_preference(&a->route, &b->route);
	if (c)
		return c;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

/*
 * The routes of one file with their line numbers. The file was read by
 * routefile_load already (which reports syntax errors the way a start
 * would), so a line that does not parse now means the file changed: an error.
 */
static int collect_lines(const char *path, unsigned file, struct route_list *list)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, err[256];
	size_t cap = 0;
	unsigned long lineno = 0;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "routed: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) >= 0) {
		struct rt_route r;

		lineno++;
		rc = routefile_parse_line(line, &r, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "%s:%lu: %s\n", path, lineno, err);
			break;
		}
		if (rc == 0)
			continue;
		if (list->n == list->alloc) {
			size_t alloc = list->alloc ? 2 * list->alloc : 1024;
			struct located_route *v = realloc(list->v, alloc * sizeof(*v));

			if (!v) {
				fputs("routed: out of memory\n", stderr);
				rc = -1;
				break;
			}
			list->v = v;
			list->alloc = alloc;
		}
		list->v[list->n++] = (struct located_route){ r, file, lineno };
		rc = 0;
	}
	if (rc >= 0 && ferror(f)) {
		fprintf(stderr, "routed: %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc < 0 ? -1 : 0;
}

/*
 * What a start or reload would do with the route files: read each one
 * (syntax errors as FILE:LINE: message) and refuse two routes with the same
 * key. 0 when they would load, else 1 after printing every problem found.
 */
static int check_route_files(const struct routed_config *cfg)
{
	struct route_list list = { 0 };
	char err[1024];
	int rc = 0;

	for (unsigned i = 0; i < cfg->n_route_files; i++) {
		struct rt_route *routes = NULL;
		size_t n = 0;

		if (routefile_load(cfg->route_files[i], &routes, &n, err, sizeof(err))) {
			size_t len = strlen(cfg->route_files[i]);
			bool located = !strncmp(err, cfg->route_files[i], len) && err[len] == ':';

			fprintf(stderr, "%s%s\n", located ? "" : "routed: ", err);
			rc = 1;
			continue;
		}
		free(routes);
		if (!rc && collect_lines(cfg->route_files[i], i, &list))
			rc = 1;
	}
	if (!rc && list.n > 1) {
		qsort(list.v, list.n, sizeof(*list.v), located_cmp);
		for (size_t i = 1; i < list.n; i++) {
			const struct located_route *a = &list.v[i - 1], *b = &list.v[i];
			char text[ROUTEFILE_LINE_MAX];

			if (a->route.table != b->route.table ||
			    rt_prefix_cmp(&a->route.prefix, &b->route.prefix) ||
			    rt_route_cmp_preference(&a->route, &b->route))
				continue;
			if (routefile_format(&a->route, text, sizeof(text)) < 0)
				snprintf(text, sizeof(text), "?");
			if (a->file == b->file)
				fprintf(stderr, "%s:%lu: duplicates line %lu (%s)\n",
					cfg->route_files[b->file], b->line, a->line, text);
			else
				fprintf(stderr, "%s:%lu: duplicates %s:%lu (%s)\n",
					cfg->route_files[b->file], b->line, cfg->route_files[a->file],
					a->line, text);
			rc = 1;
		}
	}
	free(list.v);
	return rc;
}

/* Whether a config error starts with "FILE:LINE": then it needs no prefix. */
static bool error_in_file(const char *err, const char *file)
{
	size_t n = file ? strlen(file) : 0;

	return n && !strncmp(err, file, n) && err[n] == ':' && isdigit((unsigned char)err[n + 1]);
}

/* glibc's default before its adjustment: 128 KiB. */
#define MMAP_THRESHOLD_BYTES (128 * 1024)

int main(int argc, char **argv)
{
	struct routed_config *cfg;
	struct options opts;
	char err[1024];
	sigset_t all;
	int rc;

	/*
	 * Large blocks (a load's staged and parsed routes, its plans, a
	 * feed's map as it grows) are mapped and unmapped on their own: with
	 * glibc's default the threshold rises after the first such block is
	 * freed, the next ones come from the heap, and the table built among
	 * them keeps the heap's pages in use after they are freed (RSS well
	 * above what the tables hold, see docs/performance.md). Setting it
	 * turns that adjustment off.
	 */
	mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
	/*
	 * Block the signals before any thread exists (liburcu starts its own):
	 * threads inherit the mask, so signals can only be taken where the
	 * control loop unblocks and waits for them, never on a lookup thread.
	 */
	sigfillset(&all);
	/*
	 * Except those whose default action must work: SIGABRT (abort(),
	 * assertions, and systemd's watchdog, which sends it to get a core
	 * dump) and SIGQUIT, and the synchronous faults, which a blocked mask
	 * turns into an unexplained kill. None of them is handled, so any
	 * thread may take them.
	 */
	sigdelset(&all, SIGABRT);
	sigdelset(&all, SIGQUIT);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGTRAP);
	sigdelset(&all, SIGSYS);
	rc = pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (rc) {
		fprintf(stderr, "routed: pthread_sigmask: %s\n", strerror(rc));
		return 1;
	}

	rc = options_parse(argc, argv, &opts);
	if (rc == 1)
		return 0;
	if (rc)
		return 2;

	cfg = routed_config_load(opts.config_file, &opts.overrides, err, sizeof(err));
	if (!cfg) {
		/* "FILE:LINE:COL: message" stays first on the line, where editors look. */
		fprintf(stderr, "%s%s\n", error_in_file(err, opts.config_file) ? "" : "routed: ",
			err);
		return 1;
	}
	if (opts.print_config) {
		rc = print_config(cfg);
	} else if (opts.check_config) {
		rc = check_route_files(cfg);
		if (rc) {
			fprintf(stderr, "routed: %s: the route files have errors\n",
				opts.config_file ? opts.config_file : "built-in defaults");
			goto out;
		}
		fprintf(stderr, "routed: %s: configuration OK\n",
			opts.config_file ? opts.config_file : "built-in defaults");
		rc = 0;
	} else {
		rc = routed_run(&opts, cfg);
	}
out:
	routed_config_free(cfg);
	return rc;
}
