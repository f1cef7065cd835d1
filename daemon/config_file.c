/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration file as text. Comments are blanked out byte for byte,
 * newlines kept, so offsets into the text jansson parsed are offsets into
 * the file. Schema errors find their position with a small locator that
 * walks that text (already known to be valid JSON) along the key path of
 * the offending value.
 */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_file.h"

#define CONFIG_MAX_FILE_BYTES (4u << 20)

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
static bool locate(const char *text, size_t len, const struct config_path *kp, bool at_key,
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

json_t *config_file_parse(struct config_file *f, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	size_t bad;
	unsigned line, col;

	memset(f, 0, sizeof(*f));
	f->path = path;
	f->orig = read_file(path, &f->len, err, errlen);
	if (!f->orig)
		return NULL;
	f->text = malloc(f->len + 1);
	if (!f->text) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	memcpy(f->text, f->orig, f->len);
	f->text[f->len] = '\0';

	bad = strip_comments(f->text, f->len);
	if (bad < f->len) {
		line_col(f->orig, bad, &line, &col);
		snprintf(err, errlen, "%s:%u:%u: unterminated comment", path, line, col);
		return NULL;
	}
	root = json_loadb(f->text, f->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		/*
		 * position is the byte after the last one jansson read; recount the
		 * column on the original text, since a blanked comment may have held
		 * multi-byte characters. At the end of a line keep jansson's own.
		 */
		size_t at = jerr.position > 0 ? (size_t)jerr.position - 1 : 0;

		if (jerr.position > 0 && at < f->len && f->orig[at] != '\n') {
			line_col(f->orig, at, &line, &col);
		} else {
			line = jerr.line > 0 ? (unsigned)jerr.line : 1;
			col = jerr.column > 0 ? (unsigned)jerr.column : 1;
		}
		snprintf(err, errlen, "%s:%u:%u: %s", path, line, col, jerr.text);
	}
	return root;
}

void config_file_release(struct config_file *f)
{
	free(f->text);
	free(f->orig);
	f->text = f->orig = NULL;
}

void config_file_error(const struct config_file *f, const struct config_path *p, bool at_key,
		       const char *msg, char *err, size_t errlen)
{
	char where[128];
	size_t offset;

	config_path_format(p, where, sizeof(where));
	if (f->text && locate(f->text, f->len, p, at_key, &offset)) {
		unsigned line, col;

		line_col(f->orig, offset, &line, &col);
		snprintf(err, errlen, "%s:%u:%u: %s%s%s", f->path, line, col, where,
			 *where ? ": " : "", msg);
	} else {
		snprintf(err, errlen, "%s: %s%s%s", f->path ? f->path : "config", where,
			 *where ? ": " : "", msg);
	}
}
