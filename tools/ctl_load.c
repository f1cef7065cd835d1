/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load and save: route files in and out of the daemon.
 *
 * load reads the whole file first, so a bad line is reported as FILE:LINE
 * before the daemon is touched, and then applies it as one transaction:
 * load.begin, load.add in chunks that stay well under the daemon's line
 * limit, load.commit. An error naming routes[i] is mapped back to the line
 * that route came from.
 *
 * save streams route.list pages into FILE.tmp and renames it over FILE
 * once everything is on disk, so FILE is always either old or complete.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <routed/route_json.h>
#include <routed/routefile.h>

#include "ctl_words.h"
#include "routectl.h"

#define WORDS(spec) (sizeof(spec) / sizeof((spec)[0]))
/* Per load.add: this many routes at most, and this many bytes of them. */
#define LOAD_CHUNK_ROUTES 5000
#define LOAD_CHUNK_BYTES (768u << 10)

struct route_file {
	const char *name;		/* as messages name it */
	struct rt_route *routes;
	unsigned long *lines;		/* lines[i]: the line routes[i] came from */
	size_t n, cap;
};

static void route_file_free(struct route_file *rf)
{
	free(rf->routes);
	free(rf->lines);
}

static int route_file_append(struct route_file *rf, const struct rt_route *r, unsigned long line)
{
	if (rf->n == rf->cap) {
		size_t cap = rf->cap ? rf->cap * 2 : 1024;
		struct rt_route *routes = realloc(rf->routes, cap * sizeof(*routes));
		unsigned long *lines;

		if (!routes)
			return -ENOMEM;
		rf->routes = routes;
		lines = realloc(rf->lines, cap * sizeof(*lines));
		if (!lines)
			return -ENOMEM;
		rf->lines = lines;
		rf->cap = cap;
	}
	rf->routes[rf->n] = *r;
	rf->lines[rf->n] = line;
	rf->n++;
	return 0;
}

/*
 * Read a route file line by line with the route-file parser; messages are
 * those of routefile_read() ("NAME:LINE: message"), and each route keeps
 * its line number for errors the daemon reports later.
 */
static int route_file_read(struct route_file *rf, FILE *f)
{
	char msg[RT_ERR_LEN];
	unsigned long lineno = 0;
	struct rt_route r;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = EXIT_OK;

	for (;;) {
		errno = 0;
		len = getline(&line, &cap, f);
		if (len < 0) {
			if (ferror(f) || errno == ENOMEM) {
				ctl_errorf("%s: read error: %s", rf->name,
					   strerror(errno ? errno : EIO));
				rc = EXIT_ERROR;
			}
			break;
		}
		lineno++;
		if (memchr(line, '\0', (size_t)len)) {
			ctl_errorf("%s:%lu: NUL byte in line", rf->name, lineno);
			rc = EXIT_ERROR;
			break;
		}
		switch (routefile_parse_line(line, &r, msg, sizeof(msg))) {
		case 0:
			continue;
		case 1:
			if (route_file_append(rf, &r, lineno) == 0)
				continue;
			/* fall through */
		case -ENOMEM:
			ctl_errorf("%s:%lu: %s", rf->name, lineno, strerror(ENOMEM));
			break;
		default:
			ctl_errorf("%s:%lu: %s", rf->name, lineno, msg);
			break;
		}
		rc = EXIT_ERROR;
		break;
	}
	free(line);
	return rc;
}

/*
 * With "table T", routes that name no table (main) go to T; a route that
 * names another table is a conflict the operator has to resolve. Checked
 * before anything is sent.
 */
static int check_tables(const struct route_file *rf, json_t *table, const char *table_word)
{
	for (size_t i = 0; table && i < rf->n; i++) {
		uint32_t id = rf->routes[i].table;

		if (id == RT_TABLE_MAIN ||
		    (json_is_integer(table) && json_integer_value(table) == id))
			continue;
		ctl_errorf("%s:%lu: route is in table %u, but the load is for table %s", rf->name,
			   rf->lines[i], id, table_word);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int route_json(const struct route_file *rf, size_t i, json_t *table, json_t **out)
{
	*out = rt_route_to_json(&rf->routes[i]);
	if (!*out || (table && json_object_set(*out, "table", table))) {
		json_decref(*out);
		ctl_errorf("%s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* Report a daemon error, naming the file line when it names routes[i]. */
static void load_error(const struct route_file *rf, const char *method, size_t first,
		       size_t count, const struct ctl_error *err)
{
	size_t idx;

	if (ctl_field_index(err->field, "routes", &idx) == 0 && idx < count)
		ctl_errorf("%s:%lu: %s", rf->name, rf->lines[first + idx], err->message);
	else
		ctl_errorf("%s: %s", method, err->message);
}

static void progress(bool show, const char *name, size_t done, size_t total)
{
	if (!show)
		return;
	fprintf(stderr, "\rloading %s: %zu/%zu routes (%zu%%)", name, done, total,
		total ? done * 100 / total : 100);
	if (done == total)
		fprintf(stderr, "\r\033[K");
	fflush(stderr);
}

/* Stage every route: load.add per chunk. */
static int load_stage(struct ctl *ctl, const struct route_file *rf, json_t *txn, json_t *table)
{
	bool tty = isatty(STDERR_FILENO);
	struct ctl_error err;
	json_t *chunk = NULL, *route, *result;
	size_t first = 0, bytes;
	int rc = EXIT_OK;

	progress(tty, rf->name, 0, rf->n);
	while (first < rf->n) {
		chunk = json_array();
		if (!chunk) {
			ctl_errorf("%s", strerror(ENOMEM));
			return EXIT_ERROR;
		}
		for (bytes = 0; first + json_array_size(chunk) < rf->n &&
				json_array_size(chunk) < LOAD_CHUNK_ROUTES;) {
			size_t i = first + json_array_size(chunk);

			rc = route_json(rf, i, table, &route);
			if (rc)
				goto out;
			bytes += json_dumpb(route, NULL, 0, JSON_COMPACT) + 1;
			if (bytes > LOAD_CHUNK_BYTES && json_array_size(chunk)) {
				json_decref(route);
				break;
			}
			if (json_array_append_new(chunk, route)) {
				ctl_errorf("%s", strerror(ENOMEM));
				rc = EXIT_ERROR;
				goto out;
			}
		}
		rc = ctl_call_quiet(ctl, "load.add",
				    json_pack("{s:O, s:O}", "txn", txn, "routes", chunk), &result,
				    &err);
		if (rc == EXIT_ERROR)
			load_error(rf, "load.add", first, json_array_size(chunk), &err);
		if (rc)
			goto out;
		json_decref(result);
		first += json_array_size(chunk);
		json_decref(chunk);
		chunk = NULL;
		progress(tty, rf->name, first, rf->n);
	}
out:
	if (rc && tty)
		fputc('\n', stderr);
	json_decref(chunk);
	return rc;
}

static int load_file(struct ctl *ctl, const char *path, struct route_file *rf)
{
	FILE *f;
	int rc;

	rf->name = strcmp(path, "-") ? path : "<stdin>";
	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		ctl_errorf("%s: %s", path, strerror(errno));
		return EXIT_ERROR;
	}
	rc = route_file_read(rf, f);
	if (f != stdin)
		fclose(f);
	return rc;
}

int cmd_load(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_word spec[] = {
		{ "--dry-run", false, NULL }, { "--replace", false, NULL }, { "table", true, NULL },
	};
	struct route_file rf = { 0 };
	struct ctl_error err;
	json_t *table = NULL, *params, *result = NULL, *txn = NULL;
	const char *table_word;
	bool dry_run, replace;
	int n_free, rc;

	rc = ctl_words_scan("load", argc, argv, spec, WORDS(spec), &n_free);
	if (rc)
		return rc;
	if (n_free == 0)
		return ctl_usage_error("load", "missing file");
	if (n_free > 1)
		return ctl_usage_error("load", "unexpected word '%s'", argv[1]);
	dry_run = ctl_word(spec, WORDS(spec), "--dry-run") != NULL;
	replace = ctl_word(spec, WORDS(spec), "--replace") != NULL;
	table_word = ctl_word(spec, WORDS(spec), "table");
	if (table_word && !(table = ctl_table_value(table_word)))
		return EXIT_ERROR;

	rc = load_file(ctl, argv[0], &rf);
	if (rc == EXIT_OK)
		rc = check_tables(&rf, table, table_word);
	if (rc)
		goto out;

	params = json_pack("{s:b}", "replace", replace);
	if (params && table)
		json_object_set(params, "table", table);
	rc = ctl_call(ctl, "load.begin", params, &result);
	if (rc)
		goto out;
	txn = json_incref(json_object_get(result, "txn"));
	json_decref(result);
	result = NULL;
	if (!txn) {
		ctl_errorf("load.begin: no transaction id in the result");
		rc = EXIT_ERROR;
		goto out;
	}

	rc = load_stage(ctl, &rf, txn, table);
	if (rc == EXIT_ERROR) {
		/* Best effort: closing the connection aborts it anyway. */
		if (ctl_call_quiet(ctl, "load.abort", json_pack("{s:O}", "txn", txn), &result,
				   &err) == EXIT_OK)
			json_decref(result);
		result = NULL;
	}
	if (rc)
		goto out;

	rc = ctl_call_quiet(ctl, "load.commit",
			    json_pack("{s:O, s:b}", "txn", txn, "dry_run", dry_run), &result, &err);
	if (rc == EXIT_ERROR)
		load_error(&rf, "load.commit", 0, rf.n, &err);
	if (rc)
		goto out;
	ctl->out->load_result(result);
out:
	json_decref(result);
	json_decref(txn);
	json_decref(table);
	route_file_free(&rf);
	return rc;
}

/* ---- save ---- */

struct save_state {
	FILE *f;
	const char *name;
	int error;		/* errno of the first write error */
};

static int save_page(json_t *routes, void *arg)
{
	struct save_state *st = arg;
	char line[512];
	struct rt_json_error jerr;
	struct rt_route r;
	json_t *route;
	size_t i;

	json_array_foreach(routes, i, route) {
		if (rt_route_from_json(route, &r, NULL, NULL, &jerr) ||
		    routefile_format(&r, line, sizeof(line)) < 0) {
			ctl_errorf("route.list: a route the route file cannot hold: %s",
				   jerr.message);
			return EXIT_ERROR;
		}
		if (fprintf(st->f, "%s\n", line) < 0) {
			ctl_errorf("%s: %s", st->name, strerror(errno));
			return EXIT_ERROR;
		}
	}
	return EXIT_OK;
}

/* Make the rename itself durable: fsync the directory holding path. */
static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int cmd_save(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_word spec[] = {
		{ "table", true, NULL }, { "-4", false, NULL }, { "-6", false, NULL },
	};
	struct save_state st = { 0 };
	const char *table, *family, *path;
	char *tmp = NULL;
	json_t *filter = NULL;
	int n_free, rc;

	rc = ctl_words_scan("save", argc, argv, spec, WORDS(spec), &n_free);
	if (rc)
		return rc;
	if (n_free == 0)
		return ctl_usage_error("save", "missing file");
	if (n_free > 1)
		return ctl_usage_error("save", "unexpected word '%s'", argv[1]);
	if (ctl_word(spec, WORDS(spec), "-4") && ctl_word(spec, WORDS(spec), "-6"))
		return ctl_usage_error("save", "-4 and -6 exclude each other");
	path = argv[0];
	table = ctl_word(spec, WORDS(spec), "table");
	family = ctl_family(ctl_word(spec, WORDS(spec), "-4"), ctl_word(spec, WORDS(spec), "-6"));

	filter = json_object();
	if (!filter) {
		rc = EXIT_ERROR;
		goto out;
	}
	if (table && strcmp(table, "all")) {
		json_t *v = ctl_table_value(table);

		if (!v || json_object_set_new(filter, "table", v)) {
			rc = EXIT_ERROR;
			goto out;
		}
	}
	if (family)
		json_object_set_new(filter, "family", json_string(family));

	/* Connect first: an unreachable daemon leaves no stray FILE.tmp. */
	rc = ctl_connect(ctl);
	if (rc)
		goto out;
	if (strcmp(path, "-") == 0) {
		st.f = stdout;
		st.name = "<stdout>";
	} else {
		if (asprintf(&tmp, "%s.tmp", path) < 0) {
			tmp = NULL;
			ctl_errorf("%s", strerror(ENOMEM));
			rc = EXIT_ERROR;
			goto out;
		}
		st.name = tmp;
		st.f = fopen(tmp, "we");
		if (!st.f) {
			ctl_errorf("%s: %s", tmp, strerror(errno));
			rc = EXIT_ERROR;
			goto out;
		}
	}
	rc = ctl_route_list(ctl, filter, save_page, &st);
	if (rc || st.f == stdout)
		goto out;
	/* Data on disk before the name points at it. */
	if (fflush(st.f) || fsync(fileno(st.f))) {
		ctl_errorf("%s: %s", tmp, strerror(errno));
		rc = EXIT_ERROR;
		goto out;
	}
	if (fclose(st.f)) {
		st.f = NULL;
		ctl_errorf("%s: %s", tmp, strerror(errno));
		rc = EXIT_ERROR;
		goto out;
	}
	st.f = NULL;
	if (rename(tmp, path)) {
		ctl_errorf("renaming %s to %s: %s", tmp, path, strerror(errno));
		rc = EXIT_ERROR;
		goto out;
	}
	sync_dir(path);
out:
	if (st.f && st.f != stdout)
		fclose(st.f);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	json_decref(filter);
	return rc;
}
