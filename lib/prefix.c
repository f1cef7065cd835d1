/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <routed/prefix.h>

#include "key.h"

unsigned rt_family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

static int fail(char *err, size_t errlen, const char *fmt, const char *text)
	__attribute__((format(printf, 3, 0)));

static int fail(char *err, size_t errlen, const char *fmt, const char *text)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, text);
	return -EINVAL;
}

static int has_space(const char *s)
{
	for (; *s; s++)
		if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			return 1;
	return 0;
}

/* Address syntax only; the caller handles the length. */
static int parse_addr(const char *text, size_t n, struct rt_addr *out)
{
	char buf[RT_ADDR_STRLEN];

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (strchr(buf, ':')) {
		if (inet_pton(AF_INET6, buf, out->bytes) != 1)
			return -EINVAL;
		out->family = AF_INET6;
		return 0;
	}
	if (inet_pton(AF_INET, buf, out->bytes) != 1)
		return -EINVAL;
	/* inet_pton accepts "01.2.3.4" on some libcs: leading zeros read as octal elsewhere. */
	for (const char *p = buf; *p; p++)
		if (*p == '0' && (p == buf || p[-1] == '.') && p[1] >= '0' && p[1] <= '9')
			return -EINVAL;
	out->family = AF_INET;
	return 0;
}

int rt_addr_parse(const char *text, struct rt_addr *out, char *err, size_t errlen)
{
	if (!text || !*text)
		return fail(err, errlen, "invalid address '%s': empty", "");
	if (has_space(text))
		return fail(err, errlen, "invalid address '%s': whitespace", text);
	if (parse_addr(text, strlen(text), out))
		return fail(err, errlen, "invalid address '%s': not an IPv4 or IPv6 address", text);
	return 0;
}

static int parse_len(const char *s, unsigned max, unsigned *len)
{
	unsigned v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -ERANGE;
	}
	*len = v;
	return 0;
}

int rt_prefix_parse(const char *text, struct rt_prefix *out, char *err, size_t errlen)
{
	const char *slash;
	struct rt_addr a;
	unsigned len, bits;
	int rc;

	if (!text || !*text)
		return fail(err, errlen, "invalid prefix '%s': empty", "");
	if (has_space(text))
		return fail(err, errlen, "invalid prefix '%s': whitespace", text);
	slash = strchr(text, '/');
	if (parse_addr(text, slash ? (size_t)(slash - text) : strlen(text), &a))
		return fail(err, errlen, "invalid prefix '%s': not an IPv4 or IPv6 prefix", text);
	bits = rt_family_bits(a.family);
	len = bits;
	if (slash) {
		rc = parse_len(slash + 1, bits, &len);
		if (rc == -ERANGE) {
			if (err && errlen)
				snprintf(err, errlen, "invalid prefix '%s': length exceeds /%u", text, bits);
			return -EINVAL;
		}
		if (rc)
			return fail(err, errlen, "invalid prefix '%s': bad length", text);
	}
	if (rt_prefix_make(&a, len, out)) {
		if (err && errlen) {
			char fixed[RT_PREFIX_STRLEN];
			struct rt_prefix p = { .addr = a, .len = (uint8_t)len };

			rt_addr_mask(&p.addr, len);
			snprintf(err, errlen, "invalid prefix '%s': host bits set (did you mean %s?)", text,
				 rt_prefix_format(&p, fixed, sizeof(fixed)));
		}
		return -EINVAL;
	}
	return 0;
}

void rt_addr_mask(struct rt_addr *a, unsigned len)
{
	unsigned nbytes = a->family == AF_INET ? 4 : 16;
	unsigned whole = len / 8 < nbytes ? len / 8 : nbytes;	/* bytes kept whole */

	/* Every route a load or a feed takes is masked: whole bytes, not a loop of them. */
	if (whole < nbytes) {
		a->bytes[whole] &= (uint8_t)(0xff00u >> (len % 8));
		whole++;
	}
	memset(a->bytes + whole, 0, sizeof(a->bytes) - whole);
}

int rt_prefix_make(const struct rt_addr *a, unsigned len, struct rt_prefix *out)
{
	struct rt_addr masked = *a;
	unsigned bits = rt_family_bits(a->family);

	if (!bits || len > bits)
		return -EINVAL;
	rt_addr_mask(&masked, len);
	/* Sizes the compiler sees: a compare inline, not a call (once per route of a load). */
	if (bits == 32 ? memcmp(masked.bytes, a->bytes, 4) : memcmp(masked.bytes, a->bytes, 16))
		return -EINVAL;
	/* Canonical: the bytes past the family's width are zero too. */
	memset(masked.bytes + bits / 8, 0, sizeof(masked.bytes) - bits / 8);
	memset(out, 0, sizeof(*out));
	out->addr = masked;
	out->len = (uint8_t)len;
	return 0;
}

char *rt_addr_format(const struct rt_addr *a, char *buf, size_t buflen)
{
	if (!a->family || !inet_ntop(a->family, a->bytes, buf, (socklen_t)buflen))
		snprintf(buf, buflen, "-");
	return buf;
}

char *rt_prefix_format(const struct rt_prefix *p, char *buf, size_t buflen)
{
	char addr[RT_ADDR_STRLEN];

	snprintf(buf, buflen, "%s/%u", rt_addr_format(&p->addr, addr, sizeof(addr)), p->len);
	return buf;
}

bool rt_prefix_equal(const struct rt_prefix *a, const struct rt_prefix *b)
{
	return a->addr.family == b->addr.family && a->len == b->len &&
	       memcmp(a->addr.bytes, b->addr.bytes, 16) == 0;
}

bool rt_prefix_contains_addr(const struct rt_prefix *p, const struct rt_addr *a)
{
	return p->addr.family == a->family &&
	       key_match(key_from_addr(&p->addr), key_from_addr(a), p->len);
}

bool rt_prefix_contains(const struct rt_prefix *outer, const struct rt_prefix *inner)
{
	return outer->len <= inner->len && rt_prefix_contains_addr(outer, &inner->addr);
}

int rt_prefix_cmp(const struct rt_prefix *a, const struct rt_prefix *b)
{
	int c;

	if (a->addr.family != b->addr.family)
		return a->addr.family == AF_INET ? -1 : 1;
	c = memcmp(a->addr.bytes, b->addr.bytes, 16);
	if (c)
		return c < 0 ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

void rt_addr_from_v4(struct rt_addr *a, uint32_t host_order)
{
	uint32_t be = htonl(host_order);

	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	memcpy(a->bytes, &be, 4);
}

uint32_t rt_addr_to_v4(const struct rt_addr *a)
{
	uint32_t be;

	memcpy(&be, a->bytes, 4);
	return ntohl(be);
}

enum rt_hostport_error rt_hostport_parse(const char *text, struct rt_hostport *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *end;
	size_t digits;
	unsigned long port = 0;

	memset(out, 0, sizeof(*out));
	if (text[0] == '[') {
		out->family = AF_INET6;
		out->host = text + 1;
		end = strchr(out->host, ']');
		if (!end)
			return RT_HOSTPORT_NO_BRACKET;
		out->host_len = (size_t)(end - out->host);
		if (end[1] != ':')
			return RT_HOSTPORT_NO_PORT;
		out->port_text = end + 2;
	} else {
		out->family = AF_INET;
		out->host = text;
		end = strrchr(text, ':');
		if (!end)
			return RT_HOSTPORT_NO_PORT;
		out->host_len = (size_t)(end - text);
		if (memchr(text, ':', out->host_len))
			return RT_HOSTPORT_UNBRACKETED;
		out->port_text = end + 1;
	}
	if (out->host_len == 0 || out->host_len >= sizeof(host))
		return RT_HOSTPORT_BAD_ADDR;
	memcpy(host, out->host, out->host_len);
	host[out->host_len] = '\0';
	if (inet_pton(out->family, host, out->addr.bytes) != 1)
		return RT_HOSTPORT_BAD_ADDR;
	out->addr.family = (uint8_t)out->family;
	digits = strspn(out->port_text, "0123456789");
	if (digits == 0 || digits > 5 || out->port_text[digits])
		return RT_HOSTPORT_BAD_PORT;
	for (size_t i = 0; i < digits; i++)
		port = port * 10 + (unsigned long)(out->port_text[i] - '0');
	if (port > 65535)
		return RT_HOSTPORT_BAD_PORT;
	out->port = (uint16_t)port;
	return RT_HOSTPORT_OK;
}

unsigned rt_addr_sockaddr(const struct rt_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a->bytes, 4);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	memcpy(&in6->sin6_addr, a->bytes, 16);
	return sizeof(*in6);
}
