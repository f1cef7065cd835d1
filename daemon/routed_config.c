/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration file: JSON with comments, checked against one table of
 * keys (config_keys[]) that gives each key's type, range, default, command
 * line option and place in struct routed_config.
 *
 * jansson gives positions for syntax errors only. Schema errors find theirs
 * with a small locator that walks the comment-free text (already known to
 * be valid JSON) along the key path of the offending value. Comments are
 * blanked out byte for byte, newlines kept, so offsets into the stripped
 * text are offsets into the file.
 */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <routed/paths.h>
#include <routed/prefix.h>
#include <routed/route.h>

#include "routed_config.h"

#define CONFIG_MAX_FILE_BYTES (4u << 20)
#define CONFIG_DEFAULT_STATE_DIR "/var/lib/routed"
#define CONFIG_MAX_DEFAULT_THREADS 64

/* Where a value sits in the file: "tables[3].name" is tables, 3, name. */
struct keypath {
	unsigned depth;
	struct {
		const char *key; /* NULL: an array element */
		size_t index;
	} at[4];
};

enum origin {
	ORIGIN_FILE,
	ORIGIN_OPTION,
	ORIGIN_DEFAULT,
};

struct loader {
	const char *path;  /* the file as named by the caller; NULL: none */
	const char *text;  /* the file with comments blanked; NULL: none */
	const char *orig;  /* the file as read, for columns */
	size_t len;
	char dir[PATH_MAX]; /* the file's directory, for relative route files */
	enum origin origin; /* of the value being checked */
	const char *option; /* ORIGIN_OPTION: which one */
	char *err;
	size_t errlen;
};

enum key_type {
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
};

struct config_key {
	const char *section; /* NULL: top level */
	const char *name;
	enum key_type type;
	unsigned long long min, max;
	const char *dflt;	  /* the default as JSON text, or NULL: */
	json_t *(*dflt_fn)(void); /* computed default; NULL if it cannot be */
	const char *option;	  /* the routed(8) option that overrides it */
	size_t offset, size, offset_gid;
};

static json_t *default_control_socket(void);
static json_t *default_threads(void);
static json_t *default_state_dir(void);

#define FIELD(f) \
	.offset = offsetof(struct routed_config, f), .size = sizeof(((struct routed_config *)0)->f)

/* The schema. Order here is the order of routed_config_to_json(). See routed.conf(5). */
static const struct config_key config_keys[] = {
	{ "control", "socket", KT_ABS_PATH, .dflt_fn = default_control_socket,
	  .option = "--control-socket", FIELD(control_socket) },
	{ "control", "socket_group", KT_GROUP, .dflt = "\"\"", FIELD(socket_group),
	  .offset_gid = offsetof(struct routed_config, socket_gid) },
	{ "control", "socket_mode", KT_MODE, 0, 0777, .dflt = "\"0660\"", FIELD(socket_mode) },
	{ "control", "admin_group", KT_GROUP, .dflt = "\"\"", FIELD(admin_group),
	  .offset_gid = offsetof(struct routed_config, admin_gid) },
	{ "control", "max_connections", KT_UINT, 1, 65536, .dflt = "256", FIELD(max_connections) },
	{ "control", "max_line_bytes", KT_UINT, 4096, 67108864, .dflt = "1048576",
	  FIELD(max_line_bytes) },
	{ "control", "max_output_bytes", KT_UINT, 65536, 1073741824, .dflt = "16777216",
	  FIELD(max_output_bytes) },
	{ "lookup", "listen", KT_LISTEN, 0, CONFIG_MAX_LISTEN,
	  .dflt = "[\"127.0.0.1:5300\", \"[::1]:5300\"]", .option = "--lookup-listen" },
	{ "lookup", "threads", KT_UINT, 1, 256, .dflt_fn = default_threads, .option = "--threads",
	  FIELD(threads) },
	{ "lookup", "batch", KT_UINT, 1, 256, .dflt = "64", FIELD(batch) },
	{ "lookup", "rounds", KT_UINT, 1, 1024, .dflt = "8", FIELD(rounds) },
	{ "lookup", "socket_buffer", KT_UINT, 65536, 268435456, .dflt = "4194304",
	  FIELD(socket_buffer) },
	{ "log", "level", KT_LOG_LEVEL, .dflt = "\"info\"", FIELD(log_level) },
	{ "durability", "fsync", KT_FSYNC, .dflt = "\"batch\"", FIELD(fsync_policy) },
	{ "durability", "batch_delay_us", KT_UINT, 0, 1000000, .dflt = "2000",
	  FIELD(batch_delay_us) },
	{ "durability", "persistent_protocols", KT_PROTOCOLS, 0, CONFIG_MAX_PERSISTENT,
	  .dflt = "[\"static\", \"operator\", \"api\"]" },
	{ "durability", "snapshot_bytes", KT_UINT, 1048576, 68719476736ULL, .dflt = "67108864",
	  FIELD(snapshot_bytes) },
	{ "durability", "segment_bytes", KT_UINT, 65536, 1073741824, .dflt = "67108864",
	  FIELD(segment_bytes) },
	{ NULL, "state_dir", KT_ABS_PATH, .dflt_fn = default_state_dir, .option = "--state-dir",
	  FIELD(state_dir) },
	{ NULL, "tables", KT_TABLES, 0, CONFIG_MAX_TABLES, .dflt = "[]" },
	{ NULL, "route_files", KT_ROUTE_FILES, 0, CONFIG_MAX_ROUTE_FILES, .dflt = "[]" },
};

#define N_CONFIG_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static const struct {
	const char *name;
	int level;
} log_levels[] = {
	{ "error", LOG_ERR },	{ "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO },	{ "debug", LOG_DEBUG },
};

static json_t *default_control_socket(void)
{
	char buf[PATH_MAX];

	return rt_default_control_socket(buf, sizeof(buf)) ? json_string(buf) : NULL;
}

static json_t *default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > CONFIG_MAX_DEFAULT_THREADS)
		n = CONFIG_MAX_DEFAULT_THREADS;
	return json_integer(n);
}

static json_t *default_state_dir(void)
{
	const char *dir = getenv("STATE_DIRECTORY");

	/* StateDirectory= may list several, separated by ':': the first is ours. */
	if (dir && *dir)
		return json_stringn(dir, strcspn(dir, ":"));
	return json_string(CONFIG_DEFAULT_STATE_DIR);
}

/* Key paths */

static struct keypath kp_key(struct keypath kp, const char *key)
{
	if (kp.depth < sizeof(kp.at) / sizeof(kp.at[0])) {
		kp.at[kp.depth].key = key;
		kp.at[kp.depth].index = 0;
		kp.depth++;
	}
	return kp;
}

static struct keypath kp_index(struct keypath kp, size_t index)
{
	if (kp.depth < sizeof(kp.at) / sizeof(kp.at[0])) {
		kp.at[kp.depth].key = NULL;
		kp.at[kp.depth].index = index;
		kp.depth++;
	}
	return kp;
}

static void kp_format(const struct keypath *kp, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < kp->depth && used < len; i++) {
		int n;

		if (kp->at[i].key)
			n = snprintf(buf + used, len - used, "%s%s", i ? "." : "", kp->at[i].key);
		else
			n = snprintf(buf + used, len - used, "[%zu]", kp->at[i].index);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* The locator: a minimal walk over text that jansson has already accepted. */

struct scan {
	const char *s;
	size_t len;
	size_t pos;
};

static void scan_ws(struct scan *sc)
{
	while (sc->pos < sc->len && (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' ||
				     sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
		sc->pos++;
}

static bool scan_char(struct scan *sc, char c)
{
	scan_ws(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != c)
		return false;
	sc->pos++;
	return true;
}

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Append code point cp as UTF-8; false when out is full. */
static bool put_utf8(char *out, size_t outlen, size_t *n, unsigned long cp)
{
	char b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*n + k >= outlen)
		return false;
	memcpy(out + *n, b, k);
	*n += k;
	return true;
}

/*
 * Scan a string at sc->pos, decoding it into out (NUL-terminated) when out
 * is given. Returns false if this is not a string; *fits is false when the
 * decoded string did not fit.
 */
static bool scan_string(struct scan *sc, char *out, size_t outlen, bool *fits)
{
	size_t n = 0;

	*fits = true;
	if (!scan_char(sc, '"'))
		return false;
	while (sc->pos < sc->len && sc->s[sc->pos] != '"') {
		unsigned long cp = (unsigned char)sc->s[sc->pos++];

		if (cp == '\\' && sc->pos < sc->len) {
			char e = sc->s[sc->pos++];

			switch (e) {
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			case 'u':
				if (sc->pos + 4 > sc->len || hex4(sc->s + sc->pos) < 0)
					return false;
				cp = (unsigned long)hex4(sc->s + sc->pos);
				sc->pos += 4;
				/* A surrogate pair (jansson checked it): the low half is next. */
				if (cp >= 0xd800 && cp < 0xdc00 && sc->pos + 6 <= sc->len &&
				    sc->s[sc->pos] == '\\' && sc->s[sc->pos + 1] == 'u' &&
				    hex4(sc->s + sc->pos + 2) >= 0xdc00) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     ((unsigned long)hex4(sc->s + sc->pos + 2) - 0xdc00);
					sc->pos += 6;
				}
				break;
			default: cp = (unsigned char)e; break;
			}
			if (out && *fits && !put_utf8(out, outlen, &n, cp))
				*fits = false;
			continue;
		}
		/* Raw bytes (UTF-8 included) are copied as they are. */
		if (out && *fits) {
			if (n + 1 >= outlen)
				*fits = false;
			else
				out[n++] = (char)cp;
		}
	}
	if (out && outlen)
		out[*fits ? n : 0] = '\0';
	return scan_char(sc, '"');
}

static bool scan_value(struct scan *sc, unsigned depth)
{
	bool fits;

	scan_ws(sc);
	if (sc->pos >= sc->len || depth > 1000)
		return false;
	switch (sc->s[sc->pos]) {
	case '"':
		return scan_string(sc, NULL, 0, &fits);
	case '{':
		sc->pos++;
		if (scan_char(sc, '}'))
			return true;
		do {
			if (!scan_string(sc, NULL, 0, &fits) || !scan_char(sc, ':') ||
			    !scan_value(sc, depth + 1))
				return false;
		} while (scan_char(sc, ','));
		return scan_char(sc, '}');
	case '[':
		sc->pos++;
		if (scan_char(sc, ']'))
			return true;
		do {
			if (!scan_value(sc, depth + 1))
				return false;
		} while (scan_char(sc, ','));
		return scan_char(sc, ']');
	default: /* number, true, false, null */
		while (sc->pos < sc->len && !strchr(",]} \t\r\n", sc->s[sc->pos]))
			sc->pos++;
		return true;
	}
}

/* Find the byte offset of the value at kp (or of its key, with at_key). */
static bool locate(const char *text, size_t len, const struct keypath *kp, bool at_key,
		   size_t *offset)
{
	struct scan sc = { text, len, 0 };

	scan_ws(&sc);
	for (unsigned i = 0; i < kp->depth; i++) {
		bool last = i + 1 == kp->depth;
		bool found = false;

		if (kp->at[i].key) {
			if (!scan_char(&sc, '{'))
				return false;
			scan_ws(&sc);
			while (!found && sc.pos < sc.len && sc.s[sc.pos] == '"') {
				char key[256];
				bool fits;
				size_t key_pos = sc.pos;

				if (!scan_string(&sc, key, sizeof(key), &fits) ||
				    !scan_char(&sc, ':'))
					return false;
				if (fits && !strcmp(key, kp->at[i].key)) {
					found = true;
					if (last && at_key) {
						*offset = key_pos;
						return true;
					}
					break;
				}
				if (!scan_value(&sc, 0) || !scan_char(&sc, ','))
					return false;
				scan_ws(&sc);
			}
		} else {
			if (!scan_char(&sc, '['))
				return false;
			for (size_t n = 0;; n++) {
				if (n == kp->at[i].index) {
					found = true;
					break;
				}
				if (!scan_value(&sc, 0) || !scan_char(&sc, ','))
					return false;
			}
		}
		if (!found)
			return false;
		scan_ws(&sc);
	}
	if (sc.pos >= sc.len)
		return false;
	*offset = sc.pos;
	return true;
}

/* Line and column (in characters, as jansson counts them) of a byte offset. */
static void line_col(const char *text, size_t offset, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

/* Errors */

__attribute__((format(printf, 4, 5))) static int fail(struct loader *ld,
						      const struct keypath *kp, bool at_key,
						      const char *fmt, ...)
{
	static const struct keypath none;
	char where[128], msg[512];
	size_t offset;
	va_list ap;

	if (!kp)
		kp = &none;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kp_format(kp, where, sizeof(where));

	if (ld->origin == ORIGIN_OPTION) {
		snprintf(ld->err, ld->errlen, "option %s: %s", ld->option, msg);
	} else if (ld->origin == ORIGIN_DEFAULT) {
		snprintf(ld->err, ld->errlen, "default %s: %s", where, msg);
	} else if (ld->text && locate(ld->text, ld->len, kp, at_key, &offset)) {
		unsigned line, col;

		line_col(ld->orig, offset, &line, &col);
		snprintf(ld->err, ld->errlen, "%s:%u:%u: %s%s%s", ld->path, line, col, where,
			 *where ? ": " : "", msg);
	} else {
		snprintf(ld->err, ld->errlen, "%s: %s%s%s", ld->path ? ld->path : "config", where,
			 *where ? ": " : "", msg);
	}
	return -1;
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "something else";
}

static int fail_type(struct loader *ld, const struct keypath *kp, const json_t *v,
		     const char *expected)
{
	return fail(ld, kp, false, "expected %s, got %s", expected, json_type_name(v));
}

/* Value checkers, one per key type */

static void *field(struct routed_config *c, size_t offset)
{
	return (char *)c + offset;
}

static int check_abs_path(struct loader *ld, const struct keypath *kp, const json_t *v,
			  char *out, size_t size)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return fail_type(ld, kp, v, "a string");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0)
		return fail(ld, kp, false, "empty path");
	if (s[0] != '/')
		return fail(ld, kp, false, "'%s' is not an absolute path", s);
	if (n >= size)
		return fail(ld, kp, false, "'%s' is too long (at most %zu bytes)", s, size - 1);
	memcpy(out, s, n + 1);
	return 0;
}

static int lookup_group(struct loader *ld, const struct keypath *kp, const char *name,
			gid_t *gid)
{
	struct group grp, *found = NULL;
	size_t buflen = 1024;
	char *buf = NULL;
	int rc;

	for (;;) {
		char *bigger = realloc(buf, buflen);

		if (!bigger) {
			free(buf);
			return fail(ld, kp, false, "out of memory");
		}
		buf = bigger;
		rc = getgrnam_r(name, &grp, buf, buflen, &found);
		if (rc != ERANGE || buflen >= (1u << 24))
			break;
		buflen *= 2;
	}
	if (found)
		*gid = grp.gr_gid;
	free(buf);
	if (found)
		return 0;
	/* Some NSS modules report "no such group" as an error (getgrnam_r(3)). */
	if (rc == 0 || rc == ENOENT || rc == ESRCH)
		return fail(ld, kp, false, "unknown group '%s'", name);
	return fail(ld, kp, false, "cannot look up group '%s': %s", name, strerror(rc));
}

static int check_group(struct loader *ld, const struct keypath *kp, const json_t *v, char *out,
		       size_t size, gid_t *gid)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return fail_type(ld, kp, v, "a string (a group name, or \"\")");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= size)
		return fail(ld, kp, false, "group name '%s' is too long (at most %zu bytes)", s,
			    size - 1);
	if (n == 0) {
		*gid = (gid_t)-1;
	} else if (lookup_group(ld, kp, s, gid) < 0) {
		return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

static int check_mode(struct loader *ld, const struct keypath *kp, const json_t *v,
		      unsigned long long max, mode_t *out)
{
	const char *s;
	size_t n;
	unsigned long mode = 0;

	if (!json_is_string(v))
		return fail_type(ld, kp, v, "a string with an octal mode such as \"0660\"");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n > 4 || strspn(s, "01234567") != n)
		return fail(ld, kp, false, "'%s' is not an octal mode such as \"0660\"", s);
	for (size_t i = 0; i < n; i++)
		mode = mode * 8 + (unsigned long)(s[i] - '0');
	if (mode > max)
		return fail(ld, kp, false, "mode '%s' is not in 0000..%04llo", s, max);
	*out = (mode_t)mode;
	return 0;
}

static int check_uint(struct loader *ld, const struct keypath *kp, const json_t *v,
		      unsigned long long min, unsigned long long max, void *out, size_t size)
{
	json_int_t n;

	if (!json_is_integer(v))
		return fail_type(ld, kp, v, "an integer");
	n = json_integer_value(v);
	if (n < 0 || (unsigned long long)n < min || (unsigned long long)n > max)
		return fail(ld, kp, false, "%" JSON_INTEGER_FORMAT " is not in %llu..%llu", n, min,
			    max);
	if (size == sizeof(unsigned))
		*(unsigned *)out = (unsigned)n;
	else
		*(size_t *)out = (size_t)n;
	return 0;
}

static const char *const fsync_names[] = { "always", "batch", "none" };

static int check_fsync(struct loader *ld, const struct keypath *kp, const json_t *v, int *out)
{
	if (!json_is_string(v))
		return fail_type(ld, kp, v, "a string");
	for (size_t i = 0; i < sizeof(fsync_names) / sizeof(fsync_names[0]); i++) {
		if (!strcmp(json_string_value(v), fsync_names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	return fail(ld, kp, false, "'%s' is not an fsync policy (valid: always, batch, none)",
		    json_string_value(v));
}

static int check_protocols(struct loader *ld, const struct keypath *kp, const json_t *v,
			   unsigned long long max, struct routed_config *c)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v))
		return fail_type(ld, kp, v, "an array");
	if (json_array_size(v) > max)
		return fail(ld, kp, false, "at most %llu protocols", max);
	json_array_foreach(v, i, item) {
		struct keypath ikp = kp_index(*kp, i);

		if (!json_is_string(item))
			return fail_type(ld, &ikp, item, "a string");
		if (rt_proto_validate(json_string_value(item)))
			return fail(ld, &ikp, false,
				    "'%s' is not a protocol name (1-15 of [a-z0-9_-])",
				    json_string_value(item));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->persistent[j], json_string_value(item)))
				return fail(ld, &ikp, false, "'%s' is listed twice",
					    json_string_value(item));
		snprintf(c->persistent[i], sizeof(c->persistent[i]), "%s", json_string_value(item));
	}
	c->n_persistent = (unsigned)json_array_size(v);
	return 0;
}

static int check_log_level(struct loader *ld, const struct keypath *kp, const json_t *v,
			   int *out)
{
	if (!json_is_string(v))
		return fail_type(ld, kp, v, "a string");
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (!strcmp(json_string_value(v), log_levels[i].name)) {
			*out = log_levels[i].level;
			return 0;
		}
	}
	return fail(ld, kp, false,
		    "'%s' is not a log level (valid: error, warning, notice, info, debug)",
		    json_string_value(v));
}

/* "1.2.3.4:53" or "[2001:db8::1]:53"; on error a message in msg. */
static int parse_listen(const char *s, struct config_listen *l, char *msg, size_t msglen)
{
	struct rt_hostport hp;
	char text[INET6_ADDRSTRLEN];

	memset(l, 0, sizeof(*l));
	switch (rt_hostport_parse(s, &hp)) {
	case RT_HOSTPORT_OK:
		break;
	case RT_HOSTPORT_NO_BRACKET:
		snprintf(msg, msglen, "'%s': missing ']' after the IPv6 address", s);
		return -1;
	case RT_HOSTPORT_NO_PORT:
		snprintf(msg, msglen, "'%s': missing port (expected ADDR:PORT or [ADDR]:PORT)", s);
		return -1;
	case RT_HOSTPORT_UNBRACKETED:
		snprintf(msg, msglen, "'%s': write IPv6 addresses in brackets: [ADDR]:PORT", s);
		return -1;
	case RT_HOSTPORT_BAD_ADDR:
		snprintf(msg, msglen, "'%s': '%.*s' is not an %s address", s, (int)hp.host_len,
			 hp.host, hp.family == AF_INET6 ? "IPv6" : "IPv4");
		return -1;
	case RT_HOSTPORT_BAD_PORT:
		snprintf(msg, msglen, "'%s': port '%s' is not in 0..65535", s, hp.port_text);
		return -1;
	}
	l->family = hp.family;
	memcpy(l->addr, hp.addr.bytes, sizeof(l->addr));
	l->port = hp.port;
	inet_ntop(l->family, l->addr, text, sizeof(text));
	snprintf(l->text, sizeof(l->text), l->family == AF_INET6 ? "[%s]:%u" : "%s:%u", text,
		 l->port);
	return 0;
}

/* A listener's "table": an id or the name of a configured table (tables are read first). */
static int check_listen_table(struct loader *ld, const struct keypath *kp, const json_t *v,
			      const struct routed_config *c, uint32_t *out)
{
	for (unsigned i = 0; i < c->n_tables; i++) {
		if ((json_is_integer(v) && json_integer_value(v) == c->tables[i].id) ||
		    (json_is_string(v) && !strcmp(json_string_value(v), c->tables[i].name))) {
			*out = c->tables[i].id;
			return 0;
		}
	}
	if (json_is_integer(v))
		return fail(ld, kp, false, "no table has id %" JSON_INTEGER_FORMAT
			    " (main or one of \"tables\")", json_integer_value(v));
	if (json_is_string(v))
		return fail(ld, kp, false, "no table is named '%s' (main or one of \"tables\")",
			    json_string_value(v));
	return fail_type(ld, kp, v, "a table id or name");
}

/* "ADDR:PORT", or {"address": "ADDR:PORT", "table": ID|NAME}. */
static int check_listener(struct loader *ld, const struct keypath *kp, json_t *item,
			  const struct routed_config *c, struct config_listen *l)
{
	const json_t *address = item, *table = NULL;
	struct keypath akp = *kp, tkp = kp_key(*kp, "table");
	const char *key;
	json_t *member;
	char msg[256];

	if (json_is_object(item)) {
		json_object_foreach(item, key, member) {
			if (strcmp(key, "address") && strcmp(key, "table")) {
				struct keypath bad = kp_key(*kp, key);

				return fail(ld, &bad, true, "unknown key (valid: address, table)");
			}
		}
		address = json_object_get(item, "address");
		table = json_object_get(item, "table");
		akp = kp_key(*kp, "address");
		if (!address)
			return fail(ld, kp, false, "missing key 'address'");
	} else if (!json_is_string(item)) {
		return fail_type(ld, kp, item,
				 "a string (\"ADDR:PORT\") or an object {\"address\", \"table\"}");
	}
	if (!json_is_string(address))
		return fail_type(ld, &akp, address, "a string (\"ADDR:PORT\")");
	if (parse_listen(json_string_value(address), l, msg, sizeof(msg)) < 0)
		return fail(ld, &akp, false, "%s", msg);
	l->table = RT_TABLE_MAIN;
	return table ? check_listen_table(ld, &tkp, table, c, &l->table) : 0;
}

static int check_listen(struct loader *ld, const struct keypath *kp, const json_t *v,
			unsigned long long max, struct routed_config *c)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v))
		return fail_type(ld, kp, v, "an array of \"ADDR:PORT\" strings");
	if (json_array_size(v) > max)
		return fail(ld, kp, false, "at most %llu addresses", max);
	json_array_foreach(v, i, item) {
		struct keypath ikp = kp_index(*kp, i);
		struct config_listen *l = &c->listen[i];

		if (check_listener(ld, &ikp, item, c, l) < 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			/* Port 0 asks for a fresh port each time: no clash. */
			if (c->listen[j].family == l->family && c->listen[j].port == l->port &&
			    l->port && !memcmp(c->listen[j].addr, l->addr, sizeof(l->addr)))
				return fail(ld, &ikp, false, "'%s' is listed twice", l->text);
		}
	}
	c->n_listen = (unsigned)json_array_size(v);
	return 0;
}

static bool valid_table_name(const char *s, size_t n, size_t max)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789_.-";

	return n >= 1 && n <= max && strspn(s, allowed) == n && strspn(s, "0123456789") != n;
}

static int check_table(struct loader *ld, const struct keypath *kp, json_t *v,
		       struct config_table *t)
{
	struct keypath id_kp = kp_key(*kp, "id"), name_kp = kp_key(*kp, "name");
	const char *key, *name;
	json_t *member, *id, *jname;
	size_t n;

	if (!json_is_object(v))
		return fail_type(ld, kp, v, "an object {\"id\": ID, \"name\": NAME}");
	json_object_foreach(v, key, member) {
		if (strcmp(key, "id") && strcmp(key, "name")) {
			struct keypath bad = kp_key(*kp, key);

			return fail(ld, &bad, true, "unknown key (valid: id, name)");
		}
	}
	id = json_object_get(v, "id");
	jname = json_object_get(v, "name");
	if (!id)
		return fail(ld, kp, false, "missing key 'id'");
	if (!jname)
		return fail(ld, kp, false, "missing key 'name'");
	if (!json_is_integer(id))
		return fail_type(ld, &id_kp, id, "an integer");
	if (json_integer_value(id) < 1 || json_integer_value(id) > UINT32_MAX)
		return fail(ld, &id_kp, false, "table id %" JSON_INTEGER_FORMAT
			    " is not in 1..4294967295", json_integer_value(id));
	if (!json_is_string(jname))
		return fail_type(ld, &name_kp, jname, "a string");
	name = json_string_value(jname);
	n = json_string_length(jname);
	if (!valid_table_name(name, n, sizeof(t->name) - 1))
		return fail(ld, &name_kp, false,
			    "'%s' is not a table name (1-%zu characters of A-Z a-z 0-9 _ . -, "
			    "not all digits)", name, sizeof(t->name) - 1);
	t->id = (uint32_t)json_integer_value(id);
	memcpy(t->name, name, n + 1);
	if (t->id == RT_TABLE_MAIN && strcmp(t->name, RT_TABLE_NAME_MAIN))
		return fail(ld, &name_kp, false, "table %u is always named '%s'", RT_TABLE_MAIN,
			    RT_TABLE_NAME_MAIN);
	if (t->id != RT_TABLE_MAIN && !strcmp(t->name, RT_TABLE_NAME_MAIN))
		return fail(ld, &id_kp, false, "'%s' is table %u", RT_TABLE_NAME_MAIN,
			    RT_TABLE_MAIN);
	return 0;
}

static int check_tables(struct loader *ld, const struct keypath *kp, const json_t *v,
			unsigned long long max, struct routed_config *c)
{
	/* Index in the file of each entry of c->tables; main may not be listed. */
	static const size_t implicit = (size_t)-1;
	size_t *from = NULL;
	size_t i;
	json_t *item;
	int rc = -1;

	if (!json_is_array(v))
		return fail_type(ld, kp, v, "an array of {\"id\": ID, \"name\": NAME}");
	from = calloc(max, sizeof(*from));
	if (!from)
		return fail(ld, kp, false, "out of memory");
	c->tables[0].id = RT_TABLE_MAIN;
	snprintf(c->tables[0].name, sizeof(c->tables[0].name), "%s", RT_TABLE_NAME_MAIN);
	from[0] = implicit;
	c->n_tables = 1;

	json_array_foreach(v, i, item) {
		struct keypath ikp = kp_index(*kp, i);
		struct config_table t;
		size_t j;

		if (check_table(ld, &ikp, item, &t) < 0)
			goto out;
		for (j = 0; j < c->n_tables; j++) {
			struct keypath field_kp;

			if (c->tables[j].id != t.id && strcmp(c->tables[j].name, t.name))
				continue;
			/* Naming main explicitly, once, is allowed. */
			if (from[j] == implicit && t.id == RT_TABLE_MAIN) {
				from[j] = i;
				break;
			}
			if (c->tables[j].id == t.id) {
				field_kp = kp_key(ikp, "id");
				fail(ld, &field_kp, false,
				     "table id %u is already used by tables[%zu]", t.id, from[j]);
			} else {
				field_kp = kp_key(ikp, "name");
				fail(ld, &field_kp, false,
				     "table name '%s' is already used by tables[%zu]", t.name,
				     from[j]);
			}
			goto out;
		}
		if (j < c->n_tables)
			continue;
		if (c->n_tables >= max) {
			fail(ld, &ikp, false, "at most %llu tables (main included)", max);
			goto out;
		}
		from[c->n_tables] = i;
		c->tables[c->n_tables++] = t;
	}
	rc = 0;
out:
	free(from);
	return rc;
}

static int check_route_files(struct loader *ld, const struct keypath *kp, const json_t *v,
			     unsigned long long max, struct routed_config *c)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v))
		return fail_type(ld, kp, v, "an array of paths");
	if (json_array_size(v) > max)
		return fail(ld, kp, false, "at most %llu route files", max);
	json_array_foreach(v, i, item) {
		struct keypath ikp = kp_index(*kp, i);
		char *out = c->route_files[i];
		size_t size = sizeof(c->route_files[i]);
		const char *s;
		int n;

		if (!json_is_string(item))
			return fail_type(ld, &ikp, item, "a string");
		s = json_string_value(item);
		if (!*s)
			return fail(ld, &ikp, false, "empty path");
		if (s[0] == '/') {
			n = snprintf(out, size, "%s", s);
		} else {
			/* Relative to the file's directory, not to wherever routed runs. */
			while (s[0] == '.' && s[1] == '/')
				for (s += 2; *s == '/'; s++)
					;
			n = snprintf(out, size, "%s/%s", ld->dir, s);
		}
		if (n < 0 || (size_t)n >= size)
			return fail(ld, &ikp, false, "'%s' is too long (at most %zu bytes)",
				    json_string_value(item), size - 1);
		if (access(out, R_OK) < 0)
			return fail(ld, &ikp, false, "'%s': %s", out, strerror(errno));
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(c->route_files[j], out))
				return fail(ld, &ikp, false, "'%s' is listed twice", out);
		}
	}
	c->n_route_files = (unsigned)json_array_size(v);
	return 0;
}

static int check_value(struct loader *ld, const struct config_key *k, const struct keypath *kp,
		       const json_t *v, struct routed_config *c)
{
	switch (k->type) {
	case KT_ABS_PATH:
		return check_abs_path(ld, kp, v, field(c, k->offset), k->size);
	case KT_GROUP:
		return check_group(ld, kp, v, field(c, k->offset), k->size,
				   field(c, k->offset_gid));
	case KT_MODE:
		return check_mode(ld, kp, v, k->max, field(c, k->offset));
	case KT_UINT:
		return check_uint(ld, kp, v, k->min, k->max, field(c, k->offset), k->size);
	case KT_LOG_LEVEL:
		return check_log_level(ld, kp, v, field(c, k->offset));
	case KT_LISTEN:
		return check_listen(ld, kp, v, k->max, c);
	case KT_TABLES:
		return check_tables(ld, kp, v, k->max, c);
	case KT_ROUTE_FILES:
		return check_route_files(ld, kp, v, k->max, c);
	case KT_FSYNC:
		return check_fsync(ld, kp, v, field(c, k->offset));
	case KT_PROTOCOLS:
		return check_protocols(ld, kp, v, k->max, c);
	}
	return fail(ld, kp, false, "internal error: unknown key type");
}

/* The command-line value for k as JSON in *out (NULL: not given). */
static int override_value(struct loader *ld, const struct config_key *k,
			  const struct config_overrides *ov, json_t **out)
{
	*out = NULL;
	if (!ov || !k->option)
		return 0;
	ld->origin = ORIGIN_OPTION;
	ld->option = k->option;
	if (!strcmp(k->option, "--control-socket") && ov->control_socket) {
		*out = json_string(ov->control_socket);
	} else if (!strcmp(k->option, "--state-dir") && ov->state_dir) {
		*out = json_string(ov->state_dir);
	} else if (!strcmp(k->option, "--threads") && ov->threads) {
		*out = json_integer(ov->threads);
	} else if (!strcmp(k->option, "--lookup-listen") && ov->n_lookup_listen) {
		if (ov->n_lookup_listen > CONFIG_MAX_LISTEN)
			return fail(ld, NULL, false, "at most %d addresses", CONFIG_MAX_LISTEN);
		*out = json_array();
		for (unsigned i = 0; *out && i < ov->n_lookup_listen; i++) {
			json_t *s = json_string(ov->lookup_listen[i]);

			if (!s || json_array_append_new(*out, s) < 0) {
				json_decref(*out);
				*out = NULL;
			}
		}
	} else {
		return 0;
	}
	if (!*out)
		return fail(ld, NULL, false, "not valid UTF-8 (or out of memory)");
	return 0;
}

static bool is_section(const char *name)
{
	for (size_t i = 0; i < N_CONFIG_KEYS; i++) {
		if (config_keys[i].section && !strcmp(config_keys[i].section, name))
			return true;
	}
	return false;
}

/* Valid keys of a section (NULL: the top level), for messages. */
static void valid_keys(const char *section, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_CONFIG_KEYS; i++) {
		const struct config_key *k = &config_keys[i];
		const char *name;
		int n;

		if (section) {
			if (!k->section || strcmp(k->section, section))
				continue;
			name = k->name;
		} else if (k->section) {
			/* A section: once, where it first appears. */
			size_t j;

			for (j = 0; j < i; j++) {
				if (config_keys[j].section &&
				    !strcmp(config_keys[j].section, k->section))
					break;
			}
			if (j < i)
				continue;
			name = k->section;
		} else {
			name = k->name;
		}
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

static bool known_key(const char *section, const char *name)
{
	for (size_t i = 0; i < N_CONFIG_KEYS; i++) {
		const struct config_key *k = &config_keys[i];

		if (!section && !k->section && !strcmp(k->name, name))
			return true;
		if (section && k->section && !strcmp(k->section, section) &&
		    !strcmp(k->name, name))
			return true;
	}
	return false;
}

/* Unknown keys and sections that are not objects, in file order. */
static int check_structure(struct loader *ld, json_t *root)
{
	struct keypath top = { 0 };
	const char *key, *skey;
	json_t *value, *svalue;
	char valid[256];

	if (!json_is_object(root))
		return fail_type(ld, &top, root, "an object at the top level");
	json_object_foreach(root, key, value) {
		struct keypath kp = kp_key(top, key);

		if (is_section(key)) {
			if (!json_is_object(value))
				return fail_type(ld, &kp, value, "an object");
			json_object_foreach(value, skey, svalue) {
				struct keypath skp = kp_key(kp, skey);

				if (known_key(key, skey))
					continue;
				valid_keys(key, valid, sizeof(valid));
				return fail(ld, &skp, true, "unknown key (valid: %s)", valid);
			}
		} else if (!known_key(NULL, key)) {
			valid_keys(NULL, valid, sizeof(valid));
			return fail(ld, &kp, true, "unknown key (valid: %s)", valid);
		}
	}
	return 0;
}

static int load_key(struct loader *ld, const struct config_key *k, json_t *root,
		    const struct config_overrides *ov, struct routed_config *c)
{
	struct keypath kp = { 0 };
	json_t *owned = NULL;
	const json_t *v = NULL;
	int rc;

	if (k->section)
		kp = kp_key(kp, k->section);
	kp = kp_key(kp, k->name);

	if (override_value(ld, k, ov, &owned) < 0)
		return -1;
	v = owned;
	if (!v && root) {
		json_t *section = k->section ? json_object_get(root, k->section) : root;

		ld->origin = ORIGIN_FILE;
		v = section ? json_object_get(section, k->name) : NULL;
	}
	if (!v) {
		ld->origin = ORIGIN_DEFAULT;
		owned = k->dflt ? json_loads(k->dflt, JSON_DECODE_ANY, NULL) : k->dflt_fn();
		if (!owned)
			return fail(ld, &kp, false, "cannot be determined; set it in the file");
		v = owned;
	}
	rc = check_value(ld, k, &kp, v, c);
	if (k->type == KT_LISTEN)
		c->listen_is_default = ld->origin == ORIGIN_DEFAULT;
	json_decref(owned);
	return rc;
}

/* Blank out comments, keeping newlines. Returns the offset of an unterminated one, or len. */
static size_t strip_comments(char *t, size_t len)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		if (in_string) {
			if (t[i] == '\\')
				i++;
			else if (t[i] == '"')
				in_string = false;
		} else if (t[i] == '"') {
			in_string = true;
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
			for (; i < len && t[i] != '\n'; i++)
				t[i] = ' ';
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
			size_t start = i;

			t[i++] = ' ';
			t[i++] = ' ';
			for (; i + 1 < len && !(t[i] == '*' && t[i + 1] == '/'); i++) {
				if (t[i] != '\n')
					t[i] = ' ';
			}
			if (i + 1 >= len)
				return start;
			t[i++] = ' ';
			t[i] = ' ';
		}
	}
	return len;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		ssize_t got;

		if (n == cap || !buf) {
			char *bigger = n == cap ? realloc(buf, cap *= 2) : malloc(cap);

			if (!bigger) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = bigger;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > CONFIG_MAX_FILE_BYTES) {
			snprintf(err, errlen, "%s: larger than %u bytes", path,
				 CONFIG_MAX_FILE_BYTES);
			goto fail;
		}
	}
	close(fd);
	*len = n;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

/* Read, strip and parse the file into ld; returns the root object or NULL. */
static json_t *parse_file(struct loader *ld, char **orig, char **text)
{
	json_error_t jerr;
	json_t *root;
	size_t bad;
	unsigned line, col;

	*orig = read_file(ld->path, &ld->len, ld->err, ld->errlen);
	if (!*orig)
		return NULL;
	*text = malloc(ld->len + 1);
	if (!*text) {
		snprintf(ld->err, ld->errlen, "%s: out of memory", ld->path);
		return NULL;
	}
	memcpy(*text, *orig, ld->len);
	(*text)[ld->len] = '\0';
	ld->orig = *orig;
	ld->text = *text;

	bad = strip_comments(*text, ld->len);
	if (bad < ld->len) {
		line_col(*orig, bad, &line, &col);
		snprintf(ld->err, ld->errlen, "%s:%u:%u: unterminated comment", ld->path, line,
			 col);
		return NULL;
	}
	root = json_loadb(*text, ld->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		/*
		 * position is the byte after the last one jansson read; recount the
		 * column on the original text, since a blanked comment may have held
		 * multi-byte characters. At the end of a line keep jansson's own.
		 */
		size_t at = jerr.position > 0 ? (size_t)jerr.position - 1 : 0;

		if (jerr.position > 0 && at < ld->len && (*orig)[at] != '\n') {
			line_col(*orig, at, &line, &col);
		} else {
			line = jerr.line > 0 ? (unsigned)jerr.line : 1;
			col = jerr.column > 0 ? (unsigned)jerr.column : 1;
		}
		snprintf(ld->err, ld->errlen, "%s:%u:%u: %s", ld->path, line, col, jerr.text);
	}
	return root;
}

static int file_dir(struct loader *ld, struct routed_config *c)
{
	char *real = realpath(ld->path, NULL);
	char *slash;

	if (!real) {
		snprintf(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
		return -1;
	}
	if (strlen(real) >= sizeof(c->path) || strlen(real) >= sizeof(ld->dir)) {
		snprintf(ld->err, ld->errlen, "%s: path too long (at most %zu bytes)", ld->path,
			 sizeof(c->path) - 1);
		free(real);
		return -1;
	}
	strcpy(c->path, real);
	slash = strrchr(real, '/');
	/* realpath() is absolute: the slash exists; "/x" lives in "/". */
	if (slash == real)
		strcpy(ld->dir, "/");
	else
		snprintf(ld->dir, sizeof(ld->dir), "%.*s", (int)(slash - real), real);
	free(real);
	return 0;
}

struct routed_config *routed_config_load(const char *path, const struct config_overrides *ov,
				  char *err, size_t errlen)
{
	struct loader ld = { .path = path, .err = err, .errlen = errlen };
	struct routed_config *c = calloc(1, sizeof(*c));
	char *orig = NULL, *text = NULL;
	json_t *root = NULL;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (path) {
		root = parse_file(&ld, &orig, &text);
		if (!root || file_dir(&ld, c) < 0)
			goto fail;
		ld.origin = ORIGIN_FILE;
		if (check_structure(&ld, root) < 0)
			goto fail;
	}
	/* Tables first: listeners name them. Then the rest, in schema order. */
	for (int tables_pass = 1; tables_pass >= 0; tables_pass--) {
		for (size_t i = 0; i < N_CONFIG_KEYS; i++) {
			if ((config_keys[i].type == KT_TABLES) != tables_pass)
				continue;
			if (load_key(&ld, &config_keys[i], root, ov, c) < 0)
				goto fail;
		}
	}
	json_decref(root);
	free(text);
	free(orig);
	return c;
fail:
	json_decref(root);
	free(text);
	free(orig);
	free(c);
	return NULL;
}

void routed_config_free(struct routed_config *c)
{
	free(c);
}

static json_t *value_json(const struct config_key *k, const struct routed_config *c)
{
	const void *p = (const char *)c + k->offset;
	json_t *v = NULL;
	char mode[8];

	switch (k->type) {
	case KT_ABS_PATH:
	case KT_GROUP:
		return json_string(p);
	case KT_MODE:
		snprintf(mode, sizeof(mode), "%04o", (unsigned)*(const mode_t *)p);
		return json_string(mode);
	case KT_UINT:
		return json_integer(k->size == sizeof(unsigned) ? *(const unsigned *)p
								 : (json_int_t)*(const size_t *)p);
	case KT_LOG_LEVEL:
		for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
			if (log_levels[i].level == *(const int *)p)
				return json_string(log_levels[i].name);
		}
		return NULL;
	case KT_LISTEN:
		v = json_array();
		for (unsigned i = 0; v && i < c->n_listen; i++) {
			const struct config_listen *l = &c->listen[i];

			if (json_array_append_new(
				    v, l->table == RT_TABLE_MAIN
					       ? json_string(l->text)
					       : json_pack("{s:s, s:I}", "address", l->text, "table",
							   (json_int_t)l->table)) < 0)
				goto fail;
		}
		return v;
	case KT_TABLES:
		v = json_array();
		for (unsigned i = 0; v && i < c->n_tables; i++) {
			if (json_array_append_new(v, json_pack("{s:I, s:s}", "id",
							       (json_int_t)c->tables[i].id, "name",
							       c->tables[i].name)) < 0)
				goto fail;
		}
		return v;
	case KT_ROUTE_FILES:
		v = json_array();
		for (unsigned i = 0; v && i < c->n_route_files; i++) {
			if (json_array_append_new(v, json_string(c->route_files[i])) < 0)
				goto fail;
		}
		return v;
	case KT_FSYNC:
		return json_string(fsync_names[*(const int *)p]);
	case KT_PROTOCOLS:
		v = json_array();
		for (unsigned i = 0; v && i < c->n_persistent; i++) {
			if (json_array_append_new(v, json_string(c->persistent[i])) < 0)
				goto fail;
		}
		return v;
	}
fail:
	json_decref(v);
	return NULL;
}

json_t *routed_config_to_json(const struct routed_config *c)
{
	json_t *root = json_object();

	if (!root)
		return NULL;
	for (size_t i = 0; i < N_CONFIG_KEYS; i++) {
		const struct config_key *k = &config_keys[i];
		json_t *parent = root;

		if (k->section) {
			parent = json_object_get(root, k->section);
			if (!parent) {
				parent = json_object();
				if (json_object_set_new(root, k->section, parent) < 0)
					goto fail;
			}
		}
		if (json_object_set_new(parent, k->name, value_json(k, c)) < 0)
			goto fail;
	}
	return root;
fail:
	json_decref(root);
	return NULL;
}
