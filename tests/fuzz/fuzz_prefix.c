/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses, prefixes and endpoints (lib/prefix.c): the input, up to its
 * first NUL, goes to rt_prefix_parse(), rt_addr_parse() and
 * rt_hostport_parse().
 *
 * Invariants: a parsed value prints canonically and reads back equal, and
 * printing is a fixed point; IPv4 is accepted only in its canonical
 * spelling (no leading zeros); a bare address is the host prefix; masking
 * to any shorter length gives a valid prefix that contains the original and
 * sorts before it; an endpoint rebuilt from its parts reads back the same.
 */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <routed/prefix.h>

#include "fuzz.h"

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			return true;
	return false;
}

static void check_addr_canonical(const struct rt_addr *a)
{
	unsigned bits = rt_family_bits(a->family);

	FUZZ_CHECK(bits, "family %u", a->family);
	for (unsigned i = bits / 8; i < 16; i++)
		FUZZ_CHECK(a->bytes[i] == 0, "byte %u past the address is %u", i, a->bytes[i]);
}

/* Every shorter mask of p is a valid prefix that contains p and sorts first. */
static void check_masks(const struct rt_prefix *p)
{
	for (unsigned len = 0; len <= p->len; len++) {
		struct rt_addr masked = p->addr;
		struct rt_prefix q;

		rt_addr_mask(&masked, len);
		FUZZ_CHECK(rt_prefix_make(&masked, len, &q) == 0, "masked to /%u", len);
		FUZZ_CHECK(rt_prefix_contains(&q, p), "/%u does not contain /%u", len, p->len);
		FUZZ_CHECK(rt_prefix_contains_addr(&q, &p->addr), "/%u", len);
		FUZZ_CHECK(rt_prefix_cmp(&q, p) <= 0 && rt_prefix_cmp(p, &q) >= 0, "/%u", len);
		FUZZ_CHECK((rt_prefix_cmp(&q, p) == 0) == (len == p->len), "/%u", len);
	}
}

static void check_prefix(const char *text)
{
	char err[RT_ERR_LEN], buf[RT_PREFIX_STRLEN], again[RT_PREFIX_STRLEN];
	struct rt_prefix p, q;
	const char *slash = strchr(text, '/');
	struct rt_addr a;

	memset(err, 0, sizeof(err));
	if (rt_prefix_parse(text, &p, err, sizeof(err))) {
		FUZZ_CHECK(fuzz_message_ok(err, sizeof(err)), "no message for '%s'", text);
		return;
	}
	FUZZ_CHECK(!has_space(text), "'%s' has whitespace", text);
	check_addr_canonical(&p.addr);
	FUZZ_CHECK(p.len <= rt_family_bits(p.addr.family), "/%u", p.len);
	FUZZ_CHECK(rt_prefix_make(&p.addr, p.len, &q) == 0 && rt_prefix_equal(&p, &q),
		   "'%s': host bits set", text);
	if (!slash)
		FUZZ_CHECK(p.len == rt_family_bits(p.addr.family), "bare '%s' is /%u", text, p.len);

	rt_prefix_format(&p, buf, sizeof(buf));
	FUZZ_CHECK(rt_prefix_parse(buf, &q, err, sizeof(err)) == 0, "'%s' -> '%s': %s", text,
		   buf, err);
	FUZZ_CHECK(rt_prefix_equal(&p, &q), "'%s' -> '%s' reads back different", text, buf);
	rt_prefix_format(&q, again, sizeof(again));
	FUZZ_CHECK(strcmp(buf, again) == 0, "'%s' then '%s'", buf, again);
	FUZZ_CHECK(rt_prefix_cmp(&p, &q) == 0, "'%s'", buf);
	FUZZ_CHECK(rt_prefix_contains(&p, &q), "'%s'", buf);

	/* IPv4 has one spelling: the input is the canonical text (without "/32" if bare). */
	if (p.addr.family == AF_INET) {
		size_t n = strlen(buf);

		if (!slash)
			n = (size_t)(strchr(buf, '/') - buf);
		FUZZ_CHECK(strlen(text) == n && memcmp(text, buf, n) == 0,
			   "IPv4 '%s' accepted, canonical '%s'", text, buf);
	}

	/* The address part alone is the same address. */
	if (!slash) {
		FUZZ_CHECK(rt_addr_parse(text, &a, err, sizeof(err)) == 0, "'%s': %s", text, err);
		FUZZ_CHECK(a.family == p.addr.family && !memcmp(a.bytes, p.addr.bytes, 16), "'%s'",
			   text);
	}
	check_masks(&p);
}

static void check_addr(const char *text)
{
	char err[RT_ERR_LEN], buf[RT_ADDR_STRLEN], again[RT_ADDR_STRLEN];
	struct rt_prefix p;
	struct rt_addr a, b;

	memset(err, 0, sizeof(err));
	if (rt_addr_parse(text, &a, err, sizeof(err))) {
		FUZZ_CHECK(fuzz_message_ok(err, sizeof(err)), "no message for '%s'", text);
		return;
	}
	check_addr_canonical(&a);
	rt_addr_format(&a, buf, sizeof(buf));
	FUZZ_CHECK(rt_addr_parse(buf, &b, err, sizeof(err)) == 0, "'%s' -> '%s': %s", text, buf,
		   err);
	FUZZ_CHECK(a.family == b.family && !memcmp(a.bytes, b.bytes, 16), "'%s' -> '%s'", text,
		   buf);
	rt_addr_format(&b, again, sizeof(again));
	FUZZ_CHECK(strcmp(buf, again) == 0, "'%s' then '%s'", buf, again);
	if (a.family == AF_INET)
		FUZZ_CHECK(strcmp(text, buf) == 0, "IPv4 '%s' accepted, canonical '%s'", text, buf);
	/* A bare address is a valid host prefix. */
	FUZZ_CHECK(rt_prefix_parse(text, &p, err, sizeof(err)) == 0, "'%s': %s", text, err);
	FUZZ_CHECK(p.len == rt_family_bits(a.family) && !memcmp(p.addr.bytes, a.bytes, 16),
		   "'%s'", text);
	if (a.family == AF_INET) {
		uint32_t be;

		memcpy(&be, a.bytes, 4);
		FUZZ_CHECK(rt_addr_to_v4(&a) == ntohl(be), "'%s'", text);
		rt_addr_from_v4(&b, rt_addr_to_v4(&a));
		FUZZ_CHECK(!memcmp(&a, &b, sizeof(a)), "'%s' through host order", text);
	}
}

static void check_hostport(const char *text)
{
	char host[RT_ADDR_STRLEN], rebuilt[RT_ADDR_STRLEN + 16];
	struct sockaddr_storage ss;
	struct rt_hostport hp, again;
	enum rt_hostport_error e;
	size_t len = strlen(text);

	e = rt_hostport_parse(text, &hp);
	FUZZ_CHECK(e >= RT_HOSTPORT_OK && e <= RT_HOSTPORT_BAD_PORT, "error %d", (int)e);
	/* Whatever was read so far points into the text. */
	if (hp.host)
		FUZZ_CHECK(hp.host >= text && hp.host + hp.host_len <= text + len, "host outside");
	if (hp.port_text)
		FUZZ_CHECK(hp.port_text >= text && hp.port_text <= text + len, "port outside");
	if (e != RT_HOSTPORT_OK)
		return;

	FUZZ_CHECK(hp.family == AF_INET || hp.family == AF_INET6, "family %d", hp.family);
	FUZZ_CHECK(hp.addr.family == hp.family, "address family %u", hp.addr.family);
	check_addr_canonical(&hp.addr);
	FUZZ_CHECK(hp.port_text && strspn(hp.port_text, "0123456789") == strlen(hp.port_text),
		   "port '%s'", hp.port_text);
	FUZZ_CHECK(strtoul(hp.port_text, NULL, 10) == hp.port, "port '%s' read as %u",
		   hp.port_text, hp.port);

	/* Rebuilt from its parts, it reads back the same. */
	rt_addr_format(&hp.addr, host, sizeof(host));
	snprintf(rebuilt, sizeof(rebuilt), hp.family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
		 hp.port);
	FUZZ_CHECK(rt_hostport_parse(rebuilt, &again) == RT_HOSTPORT_OK, "'%s' -> '%s'", text,
		   rebuilt);
	FUZZ_CHECK(again.port == hp.port && again.family == hp.family &&
			   !memcmp(&again.addr, &hp.addr, sizeof(hp.addr)),
		   "'%s' -> '%s'", text, rebuilt);

	if (hp.family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		FUZZ_CHECK(rt_addr_sockaddr(&hp.addr, hp.port, &ss) == sizeof(*in), "v4 length");
		FUZZ_CHECK(in->sin_family == AF_INET && ntohs(in->sin_port) == hp.port &&
				   !memcmp(&in->sin_addr, hp.addr.bytes, 4),
			   "'%s' as sockaddr", text);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		FUZZ_CHECK(rt_addr_sockaddr(&hp.addr, hp.port, &ss) == sizeof(*in6), "v6 length");
		FUZZ_CHECK(in6->sin6_family == AF_INET6 && ntohs(in6->sin6_port) == hp.port &&
				   !memcmp(&in6->sin6_addr, hp.addr.bytes, 16),
			   "'%s' as sockaddr", text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);

	check_prefix(text);
	check_addr(text);
	check_hostport(text);
	free(text);
	return 0;
}
