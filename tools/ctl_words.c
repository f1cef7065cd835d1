/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctl_words.h"
#include "routectl.h"

int ctl_words_scan(const char *cmd, int argc, char **argv, struct ctl_word *spec, size_t n,
		   int *n_free)
{
	size_t k;

	*n_free = 0;
	for (k = 0; k < n; k++)
		spec[k].value = NULL;
	for (int i = 0; i < argc; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(argv[i], spec[k].name) == 0)
				break;
		if (k == n) {
			/* "-x" is never an address or a prefix: an unknown option. */
			if (argv[i][0] == '-' && argv[i][1])
				return ctl_usage_error(cmd, "unknown option '%s'", argv[i]);
			/* Never ahead of i: the words still to scan stay intact. */
			argv[(*n_free)++] = argv[i];
			continue;
		}
		if (spec[k].value)
			return ctl_usage_error(cmd, "'%s' given twice", argv[i]);
		if (!spec[k].takes_value) {
			spec[k].value = spec[k].name;
			continue;
		}
		if (i + 1 >= argc)
			return ctl_usage_error(cmd, "'%s' needs a value", argv[i]);
		spec[k].value = argv[++i];
	}
	return 0;
}

const char *ctl_word(const struct ctl_word *spec, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(spec[k].name, name) == 0)
			return spec[k].value;
	return NULL;
}

/* Canonical decimal: digits only, no leading zero, fits in 32 bits. */
static bool is_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

int ctl_parse_u32(const char *kw, const char *word, uint32_t *out)
{
	if (is_u32(word, out))
		return 0;
	ctl_errorf("%s '%s': expected a number 0..4294967295 without leading zeros", kw, word);
	return -1;
}

json_t *ctl_table_value(const char *word)
{
	uint32_t id;
	json_t *v;

	if (!*word) {
		ctl_errorf("table '': expected an id or a name");
		return NULL;
	}
	v = is_u32(word, &id) ? json_integer(id) : json_string(word);
	if (!v)
		ctl_errorf("table '%s': not valid UTF-8", word);
	return v;
}

int ctl_field_index(const char *field, const char *array, size_t *idx)
{
	size_t len = strlen(array);
	uint64_t v = 0;
	const char *p;

	if (strncmp(field, array, len) != 0 || field[len] != '[')
		return -1;
	for (p = field + len + 1; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > SIZE_MAX / 2)
			return -1;
	}
	if (p == field + len + 1 || *p != ']')
		return -1;
	*idx = (size_t)v;
	return 0;
}
