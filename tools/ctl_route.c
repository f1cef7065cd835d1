/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * route add|replace|del|get|show|flush and lookup. Route words follow the
 * route-file syntax (routefile.h), so a line of "route show" output pasted
 * after "route add" means the same route; only "table" also takes a name.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/route_json.h>
#include <routed/routefile.h>

#include "ctl_udp.h"
#include "ctl_words.h"
#include "routectl.h"

#define WORDS(spec) (sizeof(spec) / sizeof((spec)[0]))
/* Routes per route.list page: a few hundred KiB per response. */
#define LIST_PAGE_ROUTES 5000
/* Addresses per route.lookup call: far below both the 65536 cap and 1 MiB. */
#define LOOKUP_CHUNK 10000

const char *ctl_family(const char *v4, const char *v6)
{
	return v4 ? "inet" : v6 ? "inet6" : NULL;
}

/* Set params[key] = table value of word when word is given: 0 or EXIT_ERROR. */
static int set_table(json_t *params, const char *word)
{
	json_t *table;

	if (!word)
		return 0;
	table = ctl_table_value(word);
	if (!table || json_object_set_new(params, "table", table))
		return EXIT_ERROR;
	return 0;
}

/* Canonical text of a prefix word: 0, or EXIT_ERROR with the parser's message. */
static int canonical_prefix(const char *word, char *buf, size_t len)
{
	char err[RT_ERR_LEN];
	struct rt_prefix p;

	if (rt_prefix_parse(word, &p, err, sizeof(err))) {
		ctl_errorf("%s", err);
		return EXIT_ERROR;
	}
	rt_prefix_format(&p, buf, len);
	return 0;
}

/*
 * A type word before the prefix, as in ip-route ("blackhole 10.0.0.0/8"):
 * taken off the free words, *type set (NULL when there is none).
 */
static void take_type_word(char **argv, int *n_free, const char **type)
{
	uint8_t t;

	*type = NULL;
	if (*n_free < 1 || rt_route_type_parse(argv[0], &t))
		return;
	*type = argv[0];
	memmove(argv, argv + 1, (size_t)(*n_free - 1) * sizeof(*argv));
	(*n_free)--;
}

/* A word copied into a route-file line: a blank or a leading '#' would change how it splits. */
static bool line_word_ok(const char *v)
{
	return *v && !v[strcspn(v, " \t\r\n")] && v[0] != '#';
}

/*
 * Take the next-hop words off argv[0..*argc): each "nexthop" and the via,
 * dev and weight pairs after the first one, moved in order to hop[] (as
 * many as argv can hold) and counted in *n_hop. The other words (the
 * prefix, metric, table ...) stay in argv, in order, for the word scanner.
 */
static void take_nexthop_words(int *argc, char **argv, char **hop, int *n_hop)
{
	int kept = 0, i = 0;

	*n_hop = 0;
	while (i < *argc) {
		bool pair = *n_hop && i + 1 < *argc &&
			    (!strcmp(argv[i], "via") || !strcmp(argv[i], "dev") ||
			     !strcmp(argv[i], "weight"));

		if (!strcmp(argv[i], "nexthop")) {
			hop[(*n_hop)++] = argv[i++];
		} else if (pair) {
			hop[(*n_hop)++] = argv[i++];
			hop[(*n_hop)++] = argv[i++];
		} else {
			argv[kept++] = argv[i++];
		}
	}
	*argc = kept;
}

/*
 * The next-hop words ("nexthop via A weight 1 nexthop ..."), appended to
 * line as they are: the route-file parser reads them. 0, or EXIT_ERROR.
 */
static int append_nexthop_words(int argc, char **argv, char *line, size_t len, size_t *used)
{
	for (int i = 0; i < argc; i++) {
		if (!line_word_ok(argv[i])) {
			ctl_errorf("nexthop: invalid word '%s'", argv[i]);
			return EXIT_ERROR;
		}
		*used += (size_t)snprintf(line + *used, len - *used, " %s", argv[i]);
		if (*used >= len) {
			ctl_errorf("route words too long");
			return EXIT_ERROR;
		}
	}
	return 0;
}

/* route_from_words() once the next-hop words are apart. */
static int route_from_scanned(const char *cmd, int argc, char **argv, int n_hop, char **hop,
			      json_t **out)
{
	struct ctl_word spec[] = {
		{ "via", true, NULL }, { "dev", true, NULL }, { "metric", true, NULL },
		{ "proto", true, NULL }, { "tag", true, NULL }, { "table", true, NULL },
	};
	char line[ROUTEFILE_LINE_MAX], err[RT_ERR_LEN];
	const char *type;
	struct rt_route r;
	size_t used;
	int n_free, rc;

	rc = ctl_words_scan(cmd, argc, argv, spec, WORDS(spec), &n_free);
	if (rc)
		return rc;
	take_type_word(argv, &n_free, &type);
	if (n_free == 0)
		return ctl_usage_error(cmd, "missing prefix");
	if (n_free > 1)
		return ctl_usage_error(cmd, "unexpected word '%s'", argv[1]);

	used = (size_t)snprintf(line, sizeof(line), "%s%s%s", type ? type : "", type ? " " : "",
				argv[0]);
	for (size_t k = 0; k + 1 < WORDS(spec); k++) {
		const char *v = spec[k].value;

		if (!v)
			continue;
		/* A blank or a leading '#' would change how the line splits. */
		if (!line_word_ok(v)) {
			ctl_errorf("%s '%s': invalid value", spec[k].name, v);
			return EXIT_ERROR;
		}
		used += (size_t)snprintf(line + used, sizeof(line) - used, " %s %s",
					 spec[k].name, v);
		if (used >= sizeof(line)) {
			ctl_errorf("route words too long");
			return EXIT_ERROR;
		}
	}
	if (!line_word_ok(argv[0])) {
		ctl_errorf("invalid prefix '%s'", argv[0]);
		return EXIT_ERROR;
	}
	if (append_nexthop_words(n_hop, hop, line, sizeof(line), &used))
		return EXIT_ERROR;
	rc = routefile_parse_line(line, &r, err, sizeof(err));
	if (rc != 1) {
		ctl_errorf("%s", rc == -ENOMEM ? strerror(ENOMEM) : err);
		return EXIT_ERROR;
	}
	*out = rt_route_to_json(&r);
	if (!*out) {
		ctl_errorf("%s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	/* Unicast is the default: left out, the request is one a routed without types takes. */
	if (r.type == RT_TYPE_UNICAST)
		json_object_del(*out, "type");
	if (set_table(*out, ctl_word(spec, WORDS(spec), "table"))) {
		json_decref(*out);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/*
 * The route of "route add" words, as a route object: the words other than
 * table are checked by the route-file parser, so both accept the same
 * routes with the same messages. "nexthop" and the via, dev and weight
 * pairs after it describe next hops (via and dev may repeat, one pair per
 * next hop): they go to the parser as they are.
 */
static int route_from_words(const char *cmd, int argc, char **argv, json_t **out)
{
	char **hop = malloc(((size_t)argc + 1) * sizeof(*hop));
	int n_hop, rc;

	if (!hop) {
		ctl_errorf("%s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	take_nexthop_words(&argc, argv, hop, &n_hop);
	rc = route_from_scanned(cmd, argc, argv, n_hop, hop, out);
	free(hop);
	return rc;
}

static int route_set(struct ctl *ctl, const char *cmd, const char *method, int argc, char **argv)
{
	json_t *route, *result;
	int rc;

	rc = route_from_words(cmd, argc, argv, &route);
	if (rc)
		return rc;
	rc = ctl_call(ctl, method, route, &result);
	if (rc)
		return rc;
	ctl->out->route_set(result);
	json_decref(result);
	return EXIT_OK;
}

/* "PREFIX [more words]": params {prefix, ...} from spec; table by id or name. */
static int prefix_params(const char *cmd, int argc, char **argv, struct ctl_word *spec, size_t n,
			 json_t **out)
{
	char prefix[RT_PREFIX_STRLEN];
	const char *proto, *metric_word, *type;
	uint32_t metric;
	json_t *params;
	int n_free, rc;

	rc = ctl_words_scan(cmd, argc, argv, spec, n, &n_free);
	if (rc)
		return rc;
	take_type_word(argv, &n_free, &type);
	if (n_free == 0)
		return ctl_usage_error(cmd, "missing prefix");
	if (n_free > 1)
		return ctl_usage_error(cmd, "unexpected word '%s'", argv[1]);
	if (canonical_prefix(argv[0], prefix, sizeof(prefix)))
		return EXIT_ERROR;
	params = json_pack("{s:s}", "prefix", prefix);
	if (!params)
		return EXIT_ERROR;
	/* Only the routes of that type: the daemon filters. */
	if (type)
		json_object_set_new(params, "type", json_string(type));
	proto = ctl_word(spec, n, "proto");
	if (proto && rt_proto_validate(proto)) {
		ctl_errorf("proto '%s': invalid protocol name (1-%d characters of a-z 0-9 _ -)",
			   proto, RT_PROTO_LEN - 1);
		goto fail;
	}
	if (proto)
		json_object_set_new(params, "proto", json_string(proto));
	metric_word = ctl_word(spec, n, "metric");
	if (metric_word) {
		if (ctl_parse_u32("metric", metric_word, &metric))
			goto fail;
		json_object_set_new(params, "metric", json_integer(metric));
	}
	if (set_table(params, ctl_word(spec, n, "table")))
		goto fail;
	*out = params;
	return EXIT_OK;
fail:
	json_decref(params);
	return EXIT_ERROR;
}

/* A command on one prefix: PREFIX and the words of spec in, method's result out. */
static int prefix_command(struct ctl *ctl, const char *cmd, const char *method,
			  struct ctl_word *spec, size_t n, void (*render)(json_t *result),
			  int argc, char **argv)
{
	json_t *params, *result;
	int rc;

	rc = prefix_params(cmd, argc, argv, spec, n, &params);
	if (rc)
		return rc;
	rc = ctl_call(ctl, method, params, &result);
	if (rc)
		return rc;
	render(result);
	json_decref(result);
	return EXIT_OK;
}

static int route_del(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_word spec[] = {
		{ "proto", true, NULL }, { "metric", true, NULL }, { "table", true, NULL },
	};

	return prefix_command(ctl, "route del", "route.delete", spec, WORDS(spec),
			      ctl->out->routes_deleted, argc, argv);
}

static int route_get(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_word spec[] = { { "table", true, NULL } };

	return prefix_command(ctl, "route get", "route.get", spec, WORDS(spec),
			      ctl->out->route_get, argc, argv);
}

int ctl_route_list(struct ctl *ctl, json_t *filter, int (*page)(json_t *routes, void *arg),
		   void *arg)
{
	json_t *params, *result, *next, *cursor = NULL;	/* cursor: owned, NULL on page 1 */
	int rc;

	for (;;) {
		params = json_deep_copy(filter);
		if (!params ||
		    json_object_set_new(params, "limit", json_integer(LIST_PAGE_ROUTES)) ||
		    (cursor && json_object_set(params, "cursor", cursor))) {
			json_decref(params);
			ctl_errorf("%s", strerror(ENOMEM));
			rc = EXIT_ERROR;
			break;
		}
		rc = ctl_call(ctl, "route.list", params, &result);
		if (rc)
			break;
		next = json_object_get(result, "cursor");
		/* A cursor that does not move would page forever. */
		if (!json_is_array(json_object_get(result, "routes")) ||
		    !(json_is_null(next) || json_is_string(next)) ||
		    (next && cursor && json_equal(next, cursor))) {
			ctl_errorf("route.list: invalid result from the daemon");
			json_decref(result);
			rc = EXIT_ERROR;
			break;
		}
		rc = page(json_object_get(result, "routes"), arg);
		json_decref(cursor);
		cursor = json_is_string(next) ? json_incref(next) : NULL;
		json_decref(result);
		if (rc || !cursor)
			break;
	}
	json_decref(cursor);
	return rc;
}

struct show_state {
	const struct ctl_output *out;
	bool begun;
};

static int show_page(json_t *routes, void *arg)
{
	struct show_state *st = arg;
	json_t *route;
	size_t i;

	if (!st->begun)
		st->out->list_begin();
	st->begun = true;
	json_array_foreach(routes, i, route)
		st->out->list_route(route);
	return EXIT_OK;
}

static int route_show(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_word spec[] = {
		{ "table", true, NULL }, { "proto", true, NULL }, { "root", true, NULL },
		{ "match", true, NULL }, { "-4", false, NULL }, { "-6", false, NULL },
	};
	struct show_state st = { .out = ctl->out };
	char within[RT_PREFIX_STRLEN], contains[RT_PREFIX_STRLEN];
	const char *table, *proto, *root, *match, *family, *type;
	json_t *filter;
	int n_free, rc;

	rc = ctl_words_scan("route show", argc, argv, spec, WORDS(spec), &n_free);
	if (rc)
		return rc;
	take_type_word(argv, &n_free, &type);
	if (n_free)
		return ctl_usage_error("route show", "unexpected word '%s'", argv[0]);
	if (ctl_word(spec, WORDS(spec), "-4") && ctl_word(spec, WORDS(spec), "-6"))
		return ctl_usage_error("route show", "-4 and -6 exclude each other");
	table = ctl_word(spec, WORDS(spec), "table");
	proto = ctl_word(spec, WORDS(spec), "proto");
	root = ctl_word(spec, WORDS(spec), "root");
	match = ctl_word(spec, WORDS(spec), "match");
	family = ctl_family(ctl_word(spec, WORDS(spec), "-4"), ctl_word(spec, WORDS(spec), "-6"));
	if ((root && canonical_prefix(root, within, sizeof(within))) ||
	    (match && canonical_prefix(match, contains, sizeof(contains))))
		return EXIT_ERROR;
	if (proto && rt_proto_validate(proto)) {
		ctl_errorf("proto '%s': invalid protocol name", proto);
		return EXIT_ERROR;
	}

	filter = json_object();
	if (!filter)
		return EXIT_ERROR;
	if (table && strcmp(table, "all") && set_table(filter, table)) {
		json_decref(filter);
		return EXIT_ERROR;
	}
	if (proto)
		json_object_set_new(filter, "proto", json_string(proto));
	if (root)
		json_object_set_new(filter, "within", json_string(within));
	if (match)
		json_object_set_new(filter, "contains", json_string(contains));
	if (family)
		json_object_set_new(filter, "family", json_string(family));
	if (type)
		json_object_set_new(filter, "type", json_string(type));
	rc = ctl_route_list(ctl, filter, show_page, &st);
	json_decref(filter);
	if (rc == EXIT_OK)
		ctl->out->list_end();
	return rc;
}

static int route_flush(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_word spec[] = {
		{ "table", true, NULL }, { "proto", true, NULL },
		{ "-4", false, NULL }, { "-6", false, NULL },
	};
	const char *proto, *family;
	json_t *params, *result;
	int n_free, rc;

	rc = ctl_words_scan("route flush", argc, argv, spec, WORDS(spec), &n_free);
	if (rc)
		return rc;
	if (n_free)
		return ctl_usage_error("route flush", "unexpected word '%s'", argv[0]);
	if (ctl_word(spec, WORDS(spec), "-4") && ctl_word(spec, WORDS(spec), "-6"))
		return ctl_usage_error("route flush", "-4 and -6 exclude each other");
	proto = ctl_word(spec, WORDS(spec), "proto");
	if (proto && rt_proto_validate(proto)) {
		ctl_errorf("proto '%s': invalid protocol name", proto);
		return EXIT_ERROR;
	}
	family = ctl_family(ctl_word(spec, WORDS(spec), "-4"), ctl_word(spec, WORDS(spec), "-6"));
	params = json_object();
	if (!params || set_table(params, ctl_word(spec, WORDS(spec), "table"))) {
		json_decref(params);
		return EXIT_ERROR;
	}
	if (proto)
		json_object_set_new(params, "proto", json_string(proto));
	if (family)
		json_object_set_new(params, "family", json_string(family));
	rc = ctl_call(ctl, "route.flush", params, &result);
	if (rc)
		return rc;
	ctl->out->routes_flushed(result);
	json_decref(result);
	return EXIT_OK;
}

int cmd_route(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 1)
		return ctl_usage_error("route", "missing route command");
	if (!strcmp(argv[0], "add"))
		return route_set(ctl, "route add", "route.add", argc - 1, argv + 1);
	if (!strcmp(argv[0], "replace"))
		return route_set(ctl, "route replace", "route.replace", argc - 1, argv + 1);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete"))
		return route_del(ctl, argc - 1, argv + 1);
	if (!strcmp(argv[0], "get"))
		return route_get(ctl, argc - 1, argv + 1);
	if (!strcmp(argv[0], "show") || !strcmp(argv[0], "list"))
		return route_show(ctl, argc - 1, argv + 1);
	if (!strcmp(argv[0], "flush"))
		return route_flush(ctl, argc - 1, argv + 1);
	return ctl_usage_error("route", "unknown route command '%s'", argv[0]);
}

/* ---- lookup ---- */

/* Where the addresses come from: the command line or a file, one per line. */
struct address_source {
	char **words;
	int n_words, next_word;
	FILE *file;
	const char *name;	/* for messages */
	unsigned long lineno;
	char *line;
	size_t cap;
};

/*
 * The next address (*addr, valid until the next call) and where it is
 * (*where: line number, or 0 for a word). 1, 0 at the end, or EXIT_ERROR.
 */
static int next_address(struct address_source *src, const char **addr, unsigned long *where)
{
	ssize_t len;
	char *s;

	if (!src->file) {
		if (src->next_word >= src->n_words)
			return 0;
		*addr = src->words[src->next_word++];
		*where = 0;
		return 1;
	}
	for (;;) {
		errno = 0;
		len = getline(&src->line, &src->cap, src->file);
		if (len < 0) {
			if (ferror(src->file) || errno == ENOMEM) {
				ctl_errorf("%s: read error: %s", src->name,
					   strerror(errno ? errno : EIO));
				return EXIT_ERROR;
			}
			return 0;
		}
		src->lineno++;
		if (memchr(src->line, '\0', (size_t)len)) {
			ctl_errorf("%s:%lu: NUL byte in line", src->name, src->lineno);
			return EXIT_ERROR;
		}
		s = src->line + strspn(src->line, " \t");
		len = (ssize_t)strlen(s);
		while (len && strchr(" \t\r\n", s[len - 1]))
			s[--len] = '\0';
		if (!*s || *s == '#')
			continue;
		*addr = s;
		*where = src->lineno;
		return 1;
	}
}

static void address_error(const struct address_source *src, const char *addr, unsigned long where,
			  const char *msg)
{
	if (where)
		ctl_errorf("%s:%lu: %s", src->name, where, msg);
	else
		ctl_errorf("address '%s': %s", addr, msg);
}

/* Parse an address of src: 0, or EXIT_ERROR with the parser's message. */
static int parse_address(const struct address_source *src, const char *addr, unsigned long where,
			 struct rt_addr *parsed)
{
	char err[RT_ERR_LEN];

	if (!rt_addr_parse(addr, parsed, err, sizeof(err)))
		return 0;
	/* The parser's message quotes the address already. */
	if (where)
		address_error(src, addr, where, err);
	else
		ctl_errorf("%s", err);
	return EXIT_ERROR;
}

/* The --udp options of lookup: whether it goes over UDP, and to which servers. */
struct udp_options {
	bool udp;
	size_t n_servers;
	const char *servers[CTL_UDP_MAX_SERVERS];
};

static int add_server(struct udp_options *o, const char *server)
{
	if (o->n_servers == CTL_UDP_MAX_SERVERS)
		return ctl_usage_error("lookup", "more than %d servers", CTL_UDP_MAX_SERVERS);
	o->servers[o->n_servers++] = server;
	return 0;
}

/*
 * Take "--udp", "--udp=ADDR:PORT" and "--server ADDR:PORT" (or
 * "--server=ADDR:PORT", any number of them) out of argv, before the words
 * are scanned (the value of -f or table is never one): 0 with o filled in
 * (no servers: the defaults), or EXIT_USAGE.
 */
static int take_udp_options(int *argc, char **argv, struct udp_options *o)
{
	bool server_given = false;
	int kept = 0, rc;

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < *argc; i++) {
		const char *w = argv[i];

		if ((!strcmp(w, "-f") || !strcmp(w, "table")) && i + 1 < *argc) {
			argv[kept++] = argv[i++];
			argv[kept++] = argv[i];
			continue;
		}
		if (!strcmp(w, "--server") || !strncmp(w, "--server=", 9)) {
			if (w[8] == '=')
				w += 9;
			else if (i + 1 < *argc)
				w = argv[++i];
			else
				w = "";
			if (!*w)
				return ctl_usage_error("lookup", "'--server' needs ADDR:PORT");
			rc = add_server(o, w);
			if (rc)
				return rc;
			server_given = true;
			continue;
		}
		if (strcmp(w, "--udp") && strncmp(w, "--udp=", 6)) {
			argv[kept++] = argv[i];
			continue;
		}
		if (o->udp)
			return ctl_usage_error("lookup", "'--udp' given twice");
		o->udp = true;
		if (w[5] == '=' && !w[6])
			return ctl_usage_error("lookup", "'--udp=' needs ADDR:PORT");
		if (w[5] == '=') {
			rc = add_server(o, w + 6);
			if (rc)
				return rc;
		}
	}
	if (server_given && !o->udp)
		return ctl_usage_error("lookup", "'--server' goes with '--udp'");
	*argc = kept;
	return 0;
}

/* lookup --udp: every address of src through the UDP lookup service. */
static int lookup_udp(struct ctl_udp *udp, struct address_source *src)
{
	struct rt_addr parsed;
	unsigned long at = 0;
	const char *addr;
	int rc;

	while ((rc = next_address(src, &addr, &at)) == 1) {
		if (parse_address(src, addr, at, &parsed))
			return EXIT_ERROR;
		rc = ctl_udp_add(udp, &parsed);
		if (rc)
			return rc;
	}
	return rc ? rc : ctl_udp_finish(udp);
}

/* One route.lookup call for the addresses in chunk, rendered in order. */
static int lookup_chunk(struct ctl *ctl, json_t *table, json_t *chunk, const unsigned long *where,
			const struct address_source *src, bool *begun)
{
	struct ctl_error err;
	json_t *params, *result, *results, *entry;
	size_t i, idx;
	int rc;

	params = json_pack("{s:O}", "addresses", chunk);
	if (!params || (table && json_object_set(params, "table", table))) {
		json_decref(params);
		ctl_errorf("%s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	rc = ctl_call_quiet(ctl, "route.lookup", params, &result, &err);
	if (rc == EXIT_ERROR) {
		if (ctl_field_index(err.field, "addresses", &idx) == 0 &&
		    idx < json_array_size(chunk))
			address_error(src, json_string_value(json_array_get(chunk, idx)),
				      where[idx], err.message);
		else
			ctl_errorf("route.lookup: %s", err.message);
	}
	if (rc)
		return rc;
	results = json_object_get(result, "results");
	if (json_array_size(results) != json_array_size(chunk)) {
		ctl_errorf("route.lookup: the daemon answered %zu of %zu addresses",
			   json_array_size(results), json_array_size(chunk));
		json_decref(result);
		return EXIT_ERROR;
	}
	if (!*begun)
		ctl->out->lookup_begin(CTL_LOOKUP_CONTROL);
	*begun = true;
	json_array_foreach(results, i, entry)
		ctl->out->lookup_result(entry);
	json_decref(result);
	return EXIT_OK;
}

int cmd_lookup(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_word spec[] = { { "-f", true, NULL }, { "table", true, NULL } };
	struct address_source src = { 0 };
	struct ctl_udp *udp_client = NULL;
	unsigned long *where = NULL;
	json_t *table = NULL, *chunk = NULL;
	const char *file, *addr = NULL;
	struct udp_options udp;
	struct rt_addr parsed;
	unsigned long at = 0;
	bool begun = false;
	int n_free, rc;

	rc = take_udp_options(&argc, argv, &udp);
	if (rc)
		return rc;
	rc = ctl_words_scan("lookup", argc, argv, spec, WORDS(spec), &n_free);
	if (rc)
		return rc;
	file = ctl_word(spec, WORDS(spec), "-f");
	if (file && n_free)
		return ctl_usage_error("lookup", "addresses and -f exclude each other");
	if (!file && !n_free)
		return ctl_usage_error("lookup", "missing address");
	if (udp.udp) {
		rc = ctl_udp_open(udp.servers, udp.n_servers, ctl->timeout_ms, ctl->out,
				  &udp_client);
		if (rc)
			return rc;
		rc = ctl_udp_set_table(udp_client, ctl, ctl_word(spec, WORDS(spec), "table"));
		if (rc)
			goto out;
	} else if (ctl_word(spec, WORDS(spec), "table") &&
		   !(table = ctl_table_value(ctl_word(spec, WORDS(spec), "table")))) {
		return EXIT_ERROR;
	}

	src.words = argv;
	src.n_words = n_free;
	if (file) {
		src.name = strcmp(file, "-") ? file : "<stdin>";
		src.file = strcmp(file, "-") ? fopen(file, "re") : stdin;
		if (!src.file) {
			ctl_errorf("%s: %s", file, strerror(errno));
			rc = EXIT_ERROR;
			goto out;
		}
	}
	if (udp_client) {
		rc = lookup_udp(udp_client, &src);
		goto out;
	}
	rc = ctl_connect(ctl);
	if (rc)
		goto out;
	where = calloc(LOOKUP_CHUNK, sizeof(*where));
	chunk = json_array();
	if (!where || !chunk) {
		ctl_errorf("%s", strerror(ENOMEM));
		rc = EXIT_ERROR;
		goto out;
	}
	for (;;) {
		rc = next_address(&src, &addr, &at);
		if (rc == 1) {
			if (parse_address(&src, addr, at, &parsed)) {
				rc = EXIT_ERROR;
				goto out;
			}
			where[json_array_size(chunk)] = at;
			if (json_array_append_new(chunk, json_string(addr))) {
				ctl_errorf("%s", strerror(ENOMEM));
				rc = EXIT_ERROR;
				goto out;
			}
			if (json_array_size(chunk) < LOOKUP_CHUNK)
				continue;
		} else if (rc) {
			goto out;
		}
		/* A full chunk, or the end of the input. */
		if (json_array_size(chunk)) {
			int call_rc = lookup_chunk(ctl, table, chunk, where, &src, &begun);

			if (call_rc) {
				rc = call_rc;
				goto out;
			}
			json_array_clear(chunk);
		}
		if (rc == 0)
			break;
	}
	if (!begun)
		ctl->out->lookup_begin(CTL_LOOKUP_CONTROL);
	ctl->out->lookup_end();
	rc = EXIT_OK;
out:
	if (src.file && src.file != stdin)
		fclose(src.file);
	free(src.line);
	free(where);
	json_decref(chunk);
	json_decref(table);
	ctl_udp_close(udp_client);
	return rc;
}
