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
#include <inttypes.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <routed/route.h>
#include <routed/route_json.h>
#include <routed/routefile.h>

#include "ctl_load.h"
#include "ctl_words.h"
#include "routectl.h"

#define WORDS(spec) (sizeof(spec) / sizeof((spec)[0]))
/* Per load.add: this many routes at most, and this many bytes of them. */
#define LOAD_CHUNK_ROUTES 5000
#define LOAD_CHUNK_BYTES (768u << 10)

void route_file_free(struct route_file *rf)
{
	free(rf->routes);
	free(rf->lines);
	free(rf->offsets);
}

int route_file_append(struct route_file *rf, const struct rt_route *r, unsigned long where,
		      uint64_t offset)
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
		if (rf->records) {
			uint64_t *offsets = realloc(rf->offsets, cap * sizeof(*offsets));

			if (!offsets)
				return -ENOMEM;
			rf->offsets = offsets;
		}
		rf->cap = cap;
	}
	rf->routes[rf->n] = *r;
	rf->lines[rf->n] = where;
	if (rf->records)
		rf->offsets[rf->n] = offset;
	rf->n++;
	return 0;
}

const char *route_file_where(const struct route_file *rf, size_t i, char *buf, size_t len)
{
	if (rf->records)
		snprintf(buf, len, "%s: offset %" PRIu64 ", record %lu", rf->name, rf->offsets[i],
			 rf->lines[i]);
	else
		snprintf(buf, len, "%s:%lu", rf->name, rf->lines[i]);
	return buf;
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
			if (route_file_append(rf, &r, lineno, 0) == 0)
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
	char where[RT_ERR_LEN];

	for (size_t i = 0; table && i < rf->n; i++) {
		uint32_t id = rf->routes[i].table;

		if (id == RT_TABLE_MAIN ||
		    (json_is_integer(table) && json_integer_value(table) == id))
			continue;
		ctl_errorf("%s: route is in table %u, but the load is for table %s",
			   route_file_where(rf, i, where, sizeof(where)), id, table_word);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* Report a daemon error, naming the file line when it names routes[i]. */
/*
 * The daemon's message about routes[i] starts with where the route sits in
 * the request ("chunk 2, routes[7] (staged route 5007): ", "routes[7]: "):
 * the file's line replaces all that.
 */
static const char *without_position(const char *msg)
{
	while (!strncmp(msg, "chunk ", 6) || !strncmp(msg, "lines[", 6) ||
	       !strncmp(msg, "routes[", 7)) {
		const char *rest = strstr(msg, ": ");

		if (!rest)
			break;
		msg = rest + 2;
	}
	return msg;
}

static void load_error(const struct route_file *rf, const char *method, size_t first,
		       size_t count, const struct ctl_error *err)
{
	char where[RT_ERR_LEN];
	size_t idx;

	if ((ctl_field_index(err->field, "lines", &idx) == 0 ||
	     ctl_field_index(err->field, "routes", &idx) == 0) && idx < count)
		ctl_errorf("%s: %s", route_file_where(rf, first + idx, where, sizeof(where)),
			   without_position(err->message));
	else
		ctl_errorf("%s: %s", method, err->message);
}

/*
 * A prefix holds one route per (proto, metric): two lines with the same key
 * would make the load fail in the daemon; say which lines, before sending.
 */
static int check_duplicates(const struct route_file *rf)
{
	const struct rt_route **idx = rt_route_key_index(rf->routes, rf->n);
	int rc = EXIT_OK;

	if (!idx) {
		ctl_errorf("%s: %s", rf->name, strerror(ENOMEM));
		return EXIT_ERROR;
	}
	for (size_t i = 1; i < rf->n; i++) {
		const struct rt_route *a = idx[i - 1], *b = idx[i];
		char prefix[RT_PREFIX_STRLEN], where[RT_ERR_LEN];

		if (rt_route_key_cmp(a, b))
			continue;
		/* Equal keys keep file order: b is the later line. */
		ctl_errorf("%s: duplicates %s %lu (%s proto %s metric %u table %u)",
			   route_file_where(rf, (size_t)(b - rf->routes), where, sizeof(where)),
			   rf->records ? "record" : "line", rf->lines[a - rf->routes],
			   rt_prefix_format(&b->prefix, prefix, sizeof(prefix)), b->proto, b->metric,
			   b->table);
		rc = EXIT_ERROR;
		break;
	}
	free(idx);
	return rc;
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

/*
 * A load.add request's params, built as text: each route is one line of
 * route-file syntax in "lines" (a JSON object per route costs routectl and
 * the daemon several times more to encode and decode).
 */
struct chunk {
	char *text;
	size_t len, cap;
	size_t first, count;		/* it holds rf->routes[first..first+count) */
};

static int chunk_append(struct chunk *ch, const char *data, size_t len)
{
	if (ch->cap - ch->len < len) {
		size_t cap = ch->cap ? ch->cap : LOAD_CHUNK_BYTES + 4096;
		char *text;

		while (cap - ch->len < len)
			cap *= 2;
		text = realloc(ch->text, cap);
		if (!text)
			return -ENOMEM;
		ch->text = text;
		ch->cap = cap;
	}
	memcpy(ch->text + ch->len, data, len);
	ch->len += len;
	return 0;
}

/* Append text as a JSON string. */
static int chunk_append_string(struct chunk *ch, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0' };

	if (chunk_append(ch, "\"", 1))
		return -ENOMEM;
	for (size_t i = 0, plain = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)text[i] : 0;

		if (i < len && c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (chunk_append(ch, text + plain, i - plain))
			return -ENOMEM;
		plain = i + 1;
		if (i == len)
			break;
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 15];
		if (chunk_append(ch, esc, sizeof(esc)))
			return -ENOMEM;
	}
	return chunk_append(ch, "\"", 1);
}

/*
 * Fill ch with the routes from first on: at most LOAD_CHUNK_ROUTES, and
 * LOAD_CHUNK_BYTES of them unless a single route is bigger. Routes that
 * name no table go to the transaction's table, if it has one.
 */
static int chunk_build(struct chunk *ch, const struct route_file *rf, size_t first,
		       const char *txn)
{
	char line[ROUTEFILE_LINE_MAX];
	int len;

	ch->len = 0;
	ch->first = first;
	ch->count = 0;
	if (chunk_append(ch, "{\"txn\":", 7) || chunk_append(ch, txn, strlen(txn)) ||
	    chunk_append(ch, ",\"lines\":[", 10))
		goto nomem;
	while (first + ch->count < rf->n && ch->count < LOAD_CHUNK_ROUTES) {
		const struct rt_route *r = &rf->routes[first + ch->count];

		len = routefile_format(r, line, sizeof(line));
		if (len < 0) {
			/* Every route read is valid: it can be written as a line. */
			ctl_errorf("%s: %s",
				   route_file_where(rf, first + ch->count, line, sizeof(line)),
				   strerror(-len));
			return EXIT_ERROR;
		}
		if (ch->count && ch->len + (size_t)len + 3 > LOAD_CHUNK_BYTES)
			break;
		if ((ch->count && chunk_append(ch, ",", 1)) ||
		    chunk_append_string(ch, line, (size_t)len))
			goto nomem;
		ch->count++;
	}
	if (chunk_append(ch, "]}", 2))
		goto nomem;
	return EXIT_OK;
nomem:
	ctl_errorf("%s", strerror(ENOMEM));
	return EXIT_ERROR;
}

/* The exit code for a failed wait or send, reported like ctl_call_quiet() does. */
static int stage_failed(const struct route_file *rf, const struct chunk *sent, int status,
			struct ctl_error *err)
{
	if (status == CTL_RPC_ERROR) {
		load_error(rf, "load.add", sent->first, sent->count, err);
		return EXIT_ERROR;
	}
	if (status == CTL_INTERRUPTED)
		snprintf(err->message, sizeof(err->message), "interrupted");
	return ctl_transport_error(err);
}

/*
 * Stage every route: load.add per chunk. One chunk is in flight while the
 * next one is encoded, so the daemon parses while routectl encodes; only
 * one, so when a chunk is refused nothing after it has been sent.
 */
static int load_stage(struct ctl *ctl, const struct route_file *rf, json_t *txn)
{
	bool tty = isatty(STDERR_FILENO);
	struct chunk chunks[2] = { { 0 } }, *next = &chunks[0], *sent = NULL;
	struct ctl_error err;
	char txn_text[32];
	json_int_t id = 0;
	json_t *result;
	size_t first = 0;
	int rc = EXIT_OK, status;

	if (!json_is_integer(txn)) {
		ctl_errorf("load.begin: the transaction id is not an integer");
		return EXIT_ERROR;
	}
	snprintf(txn_text, sizeof(txn_text), "%" JSON_INTEGER_FORMAT, json_integer_value(txn));
	rc = ctl_connect(ctl);
	if (rc)
		return rc;
	progress(tty, rf->name, 0, rf->n);
	while (first < rf->n || sent) {
		bool more = first < rf->n;

		if (more) {
			rc = chunk_build(next, rf, first, txn_text);
			if (rc)
				break;
		}
		if (sent) {
			status = ctl_client_wait(ctl->client, id, &result, &err);
			if (status) {
				rc = stage_failed(rf, sent, status, &err);
				break;
			}
			json_decref(result);
			progress(tty, rf->name, sent->first + sent->count, rf->n);
			sent = NULL;
		}
		if (more) {
			status = ctl_client_send_text(ctl->client, "load.add", next->text,
						      next->len, &id, &err);
			if (status) {
				rc = stage_failed(rf, next, status, &err);
				break;
			}
			sent = next;
			next = next == &chunks[0] ? &chunks[1] : &chunks[0];
			first += sent->count;
		}
	}
	if (rc && tty)
		fputc('\n', stderr);
	free(chunks[0].text);
	free(chunks[1].text);
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

/* The words of load: the file, flags, and which format it is in. */
struct load_words {
	const char *path;
	bool dry_run, replace, mrt;
	const char *table;		/* "table T" or "--table T" */
	struct mrt_load_options mrt_opt;
};

static int load_words(int argc, char **argv, struct load_words *w)
{
	struct ctl_word spec[] = {
		{ "--dry-run", false, NULL }, { "--replace", false, NULL },
		{ "table", true, NULL },      { "--table", true, NULL },
		{ "--format", true, NULL },   { "--peer", true, NULL },
		{ "--partial", false, NULL },
	};
	const char *format, *table_word, *table_opt;
	int n_free, rc;

	rc = ctl_words_scan("load", argc, argv, spec, WORDS(spec), &n_free);
	if (rc)
		return rc;
	if (n_free == 0)
		return ctl_usage_error("load", "missing file");
	if (n_free > 1)
		return ctl_usage_error("load", "unexpected word '%s'", argv[1]);
	w->path = argv[0];
	w->dry_run = ctl_word(spec, WORDS(spec), "--dry-run") != NULL;
	w->replace = ctl_word(spec, WORDS(spec), "--replace") != NULL;
	table_word = ctl_word(spec, WORDS(spec), "table");
	table_opt = ctl_word(spec, WORDS(spec), "--table");
	if (table_word && table_opt)
		return ctl_usage_error("load", "'table' and '--table' name the same thing: give one");
	w->table = table_word ? table_word : table_opt;
	format = ctl_word(spec, WORDS(spec), "--format");
	if (format && strcmp(format, "mrt") && strcmp(format, "routes"))
		return ctl_usage_error("load", "--format '%s': expected routes or mrt", format);
	w->mrt = format && !strcmp(format, "mrt");
	w->mrt_opt.peer = ctl_word(spec, WORDS(spec), "--peer");
	w->mrt_opt.partial = ctl_word(spec, WORDS(spec), "--partial") != NULL;
	if (!w->mrt && (w->mrt_opt.peer || w->mrt_opt.partial))
		return ctl_usage_error("load", "'%s' is for --format mrt",
				       w->mrt_opt.peer ? "--peer" : "--partial");
	return EXIT_OK;
}

int cmd_load(struct ctl *ctl, int argc, char **argv)
{
	struct load_words w = { 0 };
	struct route_file rf = { 0 };
	struct ctl_error err;
	json_t *table = NULL, *params, *result = NULL, *txn = NULL;
	bool dry_run, replace;
	int rc;

	rc = load_words(argc, argv, &w);
	if (rc)
		return rc;
	dry_run = w.dry_run;
	replace = w.replace;
	if (w.table && !(table = ctl_table_value(w.table)))
		return EXIT_ERROR;

	rc = w.mrt ? mrt_file_read(&rf, w.path, &w.mrt_opt) : load_file(ctl, w.path, &rf);
	if (rc == EXIT_OK)
		rc = check_tables(&rf, table, w.table);
	if (rc == EXIT_OK)
		rc = check_duplicates(&rf);
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

	rc = load_stage(ctl, &rf, txn);
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

static mode_t current_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

struct save_state {
	FILE *f;
	const char *name;
	int error;		/* errno of the first write error */
	size_t saved;		/* routes written */
};

static int save_page(json_t *routes, void *arg)
{
	struct save_state *st = arg;
	char line[ROUTEFILE_LINE_MAX];
	struct rt_json_error jerr;
	struct rt_route r;
	json_t *route;
	size_t i;

	json_array_foreach(routes, i, route) {
		if (rt_route_from_json(route, &r, NULL, NULL, &jerr)) {
			ctl_errorf("route.list: invalid route from the daemon: %s", jerr.message);
			return EXIT_ERROR;
		}
		if (routefile_format(&r, line, sizeof(line)) < 0) {
			char *text = json_dumps(route, JSON_COMPACT);

			ctl_errorf("route.list: a route the route file format cannot hold: %s",
				   text ? text : "?");
			free(text);
			return EXIT_ERROR;
		}
		st->saved++;
		if (fprintf(st->f, "%s\n", line) < 0) {
			ctl_errorf("%s: %s", st->name, strerror(errno));
			return EXIT_ERROR;
		}
	}
	return EXIT_OK;
}

#define SAVE_PAGE_ROUTES 5000

/* Ask for the page after cursor (NULL: the first). */
static int save_request(struct ctl *ctl, json_t *filter, json_t *cursor, json_int_t *id,
			struct ctl_error *err)
{
	json_t *params = json_deep_copy(filter);

	if (!params || json_object_set_new(params, "limit", json_integer(SAVE_PAGE_ROUTES)) ||
	    (cursor && json_object_set(params, "cursor", cursor))) {
		json_decref(params);
		snprintf(err->message, sizeof(err->message), "%s", strerror(ENOMEM));
		err->code = 0;
		return CTL_RPC_ERROR;
	}
	return ctl_client_send(ctl->client, "route.list", params, id, err);
}

/*
 * Stream route.list pages into save_page(). The request for the next page
 * goes out as soon as a page arrives, before that page is written, so the
 * daemon lists while routectl formats.
 */
static int save_pages(struct ctl *ctl, json_t *filter, struct save_state *st)
{
	json_t *result = NULL, *cursor = NULL, *next, *routes;
	struct ctl_error err;
	json_int_t id;
	int status, rc;

	rc = ctl_connect(ctl);
	if (rc)
		return rc;
	status = save_request(ctl, filter, NULL, &id, &err);
	while (!status) {
		status = ctl_client_wait(ctl->client, id, &result, &err);
		if (status)
			break;
		next = json_object_get(result, "cursor");
		routes = json_object_get(result, "routes");
		/* A cursor that does not move would page forever. */
		if (!json_is_array(routes) || !(json_is_null(next) || json_is_string(next)) ||
		    (next && cursor && json_equal(next, cursor))) {
			ctl_errorf("route.list: invalid result from the daemon");
			rc = EXIT_ERROR;
			break;
		}
		json_decref(cursor);
		cursor = json_is_string(next) ? json_incref(next) : NULL;
		if (cursor) {
			status = save_request(ctl, filter, cursor, &id, &err);
			if (status)
				break;
		}
		rc = save_page(routes, st);
		json_decref(result);
		result = NULL;
		if (rc || !cursor)
			break;
	}
	if (status == CTL_RPC_ERROR) {
		if (err.field[0])
			ctl_errorf("route.list: %s (%s)", err.message, err.field);
		else
			ctl_errorf("route.list: %s", err.message);
		rc = EXIT_ERROR;
	} else if (status) {
		if (status == CTL_INTERRUPTED)
			snprintf(err.message, sizeof(err.message), "interrupted");
		rc = ctl_transport_error(&err);
	}
	json_decref(result);
	json_decref(cursor);
	return rc;
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
		int fd;

		/*
		 * A fresh file next to the target (O_EXCL: never through a
		 * symlink, never shared with a concurrent save), renamed over it.
		 */
		if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
			tmp = NULL;
			ctl_errorf("%s", strerror(ENOMEM));
			rc = EXIT_ERROR;
			goto out;
		}
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0) {
			ctl_errorf("%s: %s", path, strerror(errno));
			free(tmp);
			tmp = NULL;
			rc = EXIT_ERROR;
			goto out;
		}
		/* mkostemp makes it 0600: give it the usual mode of a new file. */
		fchmod(fd, 0666 & ~current_umask());
		st.name = tmp;
		st.f = fdopen(fd, "w");
		if (!st.f) {
			ctl_errorf("%s: %s", tmp, strerror(errno));
			close(fd);
			rc = EXIT_ERROR;
			goto out;
		}
	}
	rc = save_pages(ctl, filter, &st);
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
	ctl->out->saved(path, st.saved);
out:
	if (st.f && st.f != stdout)
		fclose(st.f);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	json_decref(filter);
	return rc;
}
